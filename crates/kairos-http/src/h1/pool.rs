//! Per-thread spares of the buffers a connection gives up between requests.
//!
//! An idle keep-alive connection holds no read or write buffer (see
//! `Buffered::poll_read_idle`). Under load, though, nearly every connection goes "idle" for
//! a few microseconds between one response and the next request; freeing its buffers then
//! and allocating fresh ones when the request arrives cost about a fifth of a small
//! request's instructions. So the buffers go to this thread's spares instead, and the next
//! connection to wake takes them back: at most [`SPARES`] of each kind per thread, the rest
//! are freed. With thousands of idle connections the spares are a fixed few hundred KiB.
//!
//! Header maps go round the same way: a response's map, once its head is written, is
//! emptied and becomes the next request's map, so that a request and its response cost
//! two allocations of header storage instead of four.

use bytes::BytesMut;
use http::HeaderMap;
use std::cell::RefCell;
use std::thread::LocalKey;

/// How many read buffers, and how many write buffers, one thread keeps for reuse.
pub(crate) const SPARES: usize = 32;

/// How many emptied header maps one thread keeps.
pub(crate) const HEADER_MAP_SPARES: usize = 8;

/// A map with room for more fields than this is freed rather than kept.
pub(crate) const HEADER_MAP_MAX_KEPT: usize = 64;

thread_local! {
    static READ: RefCell<Vec<BytesMut>> = const { RefCell::new(Vec::new()) };
    static WRITE: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
    static HEADER_MAPS: RefCell<Vec<HeaderMap>> = const { RefCell::new(Vec::new()) };
}

/// An empty header map with room, if this thread has a spare.
pub(crate) fn take_header_map() -> Option<HeaderMap> {
    take(&HEADER_MAPS)
}

/// Keeps `map`'s storage for another head (emptied), unless it has none, is large, or
/// enough are kept.
pub(crate) fn give_header_map(mut map: HeaderMap) {
    if map.capacity() == 0 || map.capacity() > HEADER_MAP_MAX_KEPT {
        return;
    }
    map.clear();
    keep(&HEADER_MAPS, map, HEADER_MAP_SPARES);
}

/// An empty read buffer with room, if this thread has a spare.
pub(crate) fn take_read() -> Option<BytesMut> {
    take(&READ)
}

/// Keeps `buf`'s memory for another connection (emptied), or frees it if enough are kept.
pub(crate) fn give_read(mut buf: BytesMut) {
    if buf.capacity() == 0 {
        return;
    }
    buf.clear();
    keep(&READ, buf, SPARES);
}

/// An empty write buffer with room, if this thread has a spare.
pub(crate) fn take_write() -> Option<Vec<u8>> {
    take(&WRITE)
}

/// As [`give_read`], for a write buffer.
pub(crate) fn give_write(mut buf: Vec<u8>) {
    if buf.capacity() == 0 {
        return;
    }
    buf.clear();
    keep(&WRITE, buf, SPARES);
}

/// One of this thread's spares, if it has one (none while the thread is exiting).
fn take<T>(spares: &'static LocalKey<RefCell<Vec<T>>>) -> Option<T> {
    spares
        .try_with(|spares| spares.borrow_mut().pop())
        .ok()
        .flatten()
}

/// Adds `value` to this thread's spares, or drops it if `limit` are kept already.
fn keep<T>(spares: &'static LocalKey<RefCell<Vec<T>>>, value: T, limit: usize) {
    let _ = spares.try_with(|spares| {
        let mut spares = spares.borrow_mut();
        if spares.len() < limit {
            spares.push(value);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_come_back_empty_and_only_up_to_the_limit_is_kept() {
        while take_read().is_some() {}
        for _ in 0..SPARES + 5 {
            let mut buf = BytesMut::with_capacity(64);
            buf.extend_from_slice(b"left over");
            give_read(buf);
        }
        give_read(BytesMut::new()); // no memory: not kept
        let mut kept = 0;
        while let Some(buf) = take_read() {
            assert!(buf.is_empty());
            assert!(buf.capacity() >= 64);
            kept += 1;
        }
        assert_eq!(kept, SPARES);

        while take_write().is_some() {}
        give_write(b"response".to_vec());
        let buf = take_write().unwrap();
        assert!(buf.is_empty() && buf.capacity() >= 8);
        assert!(take_write().is_none());
    }

    #[test]
    fn header_maps_come_back_empty_and_large_ones_are_not_kept() {
        while take_header_map().is_some() {}
        for _ in 0..HEADER_MAP_SPARES + 3 {
            let mut map = HeaderMap::new();
            map.insert(http::header::SERVER, "kairos".parse().unwrap());
            give_header_map(map);
        }
        give_header_map(HeaderMap::new()); // no storage: not kept
        give_header_map(HeaderMap::with_capacity(HEADER_MAP_MAX_KEPT * 2));
        let mut kept = 0;
        while let Some(map) = take_header_map() {
            assert!(map.is_empty());
            assert!(map.capacity() > 0 && map.capacity() <= HEADER_MAP_MAX_KEPT);
            kept += 1;
        }
        assert_eq!(kept, HEADER_MAP_SPARES);
    }
}
