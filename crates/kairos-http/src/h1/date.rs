//! The `Date` header value, formatted at most once a second per thread.
//!
//! Every response carries `Date` (RFC 9110 section 6.6.1). Formatting the IMF-fixdate for
//! each response would cost more than the rest of a small response's head, so each
//! thread keeps the last value and rebuilds it only when the wall clock's second changes;
//! a connection reads the clock once per batch of responses (`conn.rs`).

use std::cell::RefCell;
use std::time::{SystemTime, UNIX_EPOCH};

/// Length of an IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
pub(crate) const DATE_LEN: usize = 29;

struct Cached {
    second: u64,
    text: [u8; DATE_LEN],
}

thread_local! {
    static CACHED: RefCell<Cached> = const {
        RefCell::new(Cached { second: u64::MAX, text: [0; DATE_LEN] })
    };
}

/// The current `Date` value.
pub(crate) fn now() -> [u8; DATE_LEN] {
    let second = unix_seconds();
    CACHED.with(|cached| {
        let mut cached = cached.borrow_mut();
        if cached.second != second {
            cached.second = second;
            cached.text = format_imf_fixdate(second);
        }
        cached.text
    })
}

/// Seconds since the Unix epoch, from the kernel's coarse clock where there is one: it
/// is read without a hardware timer (a third of the instructions of `SystemTime::now`,
/// which every batch of responses would pay) and is at most a few milliseconds behind,
/// far below the header's one-second resolution.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn unix_seconds() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec for the call to fill.
    let result = unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut now) };
    if result == 0 {
        u64::try_from(now.tv_sec).unwrap_or(0)
    } else {
        precise_unix_seconds()
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn unix_seconds() -> u64 {
    precise_unix_seconds()
}

fn precise_unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Formats seconds since the Unix epoch as an IMF-fixdate.
pub(crate) fn format_imf_fixdate(secs: u64) -> [u8; DATE_LEN] {
    const DAYS: [&[u8; 3]; 7] = [b"Thu", b"Fri", b"Sat", b"Sun", b"Mon", b"Tue", b"Wed"];
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let days = secs / 86_400;
    let in_day = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    let mut out = *b"Thu, 01 Jan 1970 00:00:00 GMT";
    out[..3].copy_from_slice(DAYS[(days % 7) as usize]);
    two_digits(&mut out[5..7], day);
    out[8..11].copy_from_slice(MONTHS[month as usize - 1]);
    let year = year.min(9999);
    two_digits(&mut out[12..14], year / 100);
    two_digits(&mut out[14..16], year % 100);
    two_digits(&mut out[17..19], in_day / 3600);
    two_digits(&mut out[20..22], in_day / 60 % 60);
    two_digits(&mut out[23..25], in_day % 60);
    out
}

fn two_digits(out: &mut [u8], n: u64) {
    out[0] = b'0' + (n / 10 % 10) as u8;
    out[1] = b'0' + (n % 10) as u8;
}

/// Year, month (1-12) and day (1-31) of a count of days since 1970-01-01: the proleptic
/// Gregorian calendar counted in 400-year eras that start on March 1st.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(&format_imf_fixdate(0), b"Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            &format_imf_fixdate(784_111_777),
            b"Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert_eq!(
            &format_imf_fixdate(951_782_400),
            b"Tue, 29 Feb 2000 00:00:00 GMT"
        );
        assert_eq!(
            &format_imf_fixdate(4_133_980_799),
            b"Fri, 31 Dec 2100 23:59:59 GMT"
        );
    }

    #[test]
    fn now_is_well_formed() {
        assert!(now().ends_with(b" GMT"));
    }
}
