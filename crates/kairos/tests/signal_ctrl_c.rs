//! `ctrl_c`: a SIGINT at our own process completes it, on both schedulers.

mod io_support;

use io_support::on_both;
use kairos::time::{timeout, Duration};
use std::pin::pin;

#[test]
fn ctrl_c_completes_on_sigint() {
    on_both(|| async {
        let mut ctrl_c = pin!(kairos::signal::ctrl_c());
        // The first poll installs the handler; until then SIGINT would end the process.
        assert!(futures::poll!(ctrl_c.as_mut()).is_pending());
        // SAFETY: SIGINT's handler is Kairos's by now.
        assert_eq!(unsafe { libc::raise(libc::SIGINT) }, 0);
        timeout(Duration::from_secs(10), ctrl_c)
            .await
            .expect("SIGINT was not delivered")
            .unwrap();
    });
}
