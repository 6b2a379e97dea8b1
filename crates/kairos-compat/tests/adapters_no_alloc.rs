//! The I/O adapters add no allocation per read or write (and read straight into the
//! caller's buffer): counted with a per-thread counting allocator on a current-thread
//! runtime, so only this thread's allocations count.

use kairos_compat::{HyperIo, TokioIo};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::poll_fn;
use std::mem::MaybeUninit;
use std::pin::Pin;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: delegates to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

async fn pair() -> (kairos::net::TcpStream, kairos::net::TcpStream) {
    let listener = kairos::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = kairos::net::TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}

#[kairos::test]
async fn tokio_io_reads_and_writes_without_allocating() {
    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
    let (client, server) = pair().await;
    let (mut writer, mut reader) = (TokioIo::new(client), TokioIo::new(server));
    let message = [7u8; 64];
    let mut storage = [0u8; 64];
    // Warm up (first readiness registration, queue capacities).
    for round in 0..2 {
        let before = allocations();
        for _ in 0..500 {
            let n = poll_fn(|cx| Pin::new(&mut writer).poll_write(cx, &message))
                .await
                .unwrap();
            assert_eq!(n, 64);
            let mut filled = 0;
            while filled < 64 {
                let mut buf = ReadBuf::new(&mut storage[filled..]);
                poll_fn(|cx| Pin::new(&mut reader).poll_read(cx, &mut buf))
                    .await
                    .unwrap();
                filled += buf.filled().len();
            }
            assert_eq!(storage, message);
        }
        if round == 1 {
            assert_eq!(allocations() - before, 0, "TokioIo allocated");
        }
    }
}

#[kairos::test]
async fn hyper_io_reads_and_writes_without_allocating() {
    use hyper::rt::{Read, ReadBuf, Write};
    let (client, server) = pair().await;
    let (mut writer, mut reader) = (HyperIo::new(client), HyperIo::new(server));
    let message = [9u8; 64];
    let mut storage = [MaybeUninit::<u8>::uninit(); 64];
    for round in 0..2 {
        let before = allocations();
        for _ in 0..500 {
            let n = poll_fn(|cx| Pin::new(&mut writer).poll_write(cx, &message))
                .await
                .unwrap();
            assert_eq!(n, 64);
            let mut got = 0;
            while got < 64 {
                let mut buf = ReadBuf::uninit(&mut storage[got..]);
                poll_fn(|cx| Pin::new(&mut reader).poll_read(cx, buf.unfilled()))
                    .await
                    .unwrap();
                got += buf.filled().len();
            }
            // SAFETY: the reads above filled all 64 bytes.
            let read: [u8; 64] = unsafe { std::mem::transmute(storage) };
            assert_eq!(read, message);
        }
        if round == 1 {
            assert_eq!(allocations() - before, 0, "HyperIo allocated");
        }
    }
}
