//! Interop with the `futures` crate: its combinators run as Kairos tasks, and its
//! executor drives Kairos futures that need no driver (channels, locks, join handles).

use futures::executor::block_on;
use futures::future::{join_all, select, Either};
use futures::StreamExt;

#[kairos::test(flavor = "multi_thread", worker_threads = 2)]
async fn futures_combinators_are_ordinary_tasks() {
    let joined = kairos::spawn(join_all((0..10).map(|i| async move { i * i })))
        .await
        .unwrap();
    assert_eq!(joined.iter().sum::<i32>(), 285);
    let stream = futures::stream::iter(1..=4).then(|i| async move { i + 1 });
    let collected: Vec<i32> = kairos::spawn(stream.collect()).await.unwrap();
    assert_eq!(collected, [2, 3, 4, 5]);
}

#[test]
fn futures_block_on_drives_kairos_sync_primitives() {
    let (tx, rx) = kairos::sync::oneshot::channel();
    let sender = std::thread::spawn(move || tx.send(5).unwrap());
    assert_eq!(block_on(rx).unwrap(), 5);
    sender.join().unwrap();

    let (tx, mut rx) = kairos::sync::mpsc::channel(4);
    let producer = std::thread::spawn(move || {
        for i in 0..100 {
            tx.blocking_send(i).unwrap();
        }
    });
    let received = block_on(async {
        let mut sum = 0;
        while let Some(i) = rx.recv().await {
            sum += i;
        }
        sum
    });
    assert_eq!(received, 4950);
    producer.join().unwrap();

    let mutex = kairos::sync::Mutex::new(1);
    block_on(async { *mutex.lock().await += 1 });
    assert_eq!(*mutex.try_lock().unwrap(), 2);
}

#[test]
fn futures_block_on_awaits_a_kairos_task() {
    let rt = kairos::runtime::Runtime::new().unwrap();
    let handle = rt.spawn(async { "from a worker" });
    assert_eq!(block_on(handle).unwrap(), "from a worker");
    let first = block_on(async {
        let slow = rt.spawn(std::future::pending::<()>());
        let fast = rt.spawn(async { 1 });
        match select(slow, fast).await {
            Either::Right((value, slow)) => {
                slow.abort();
                value.unwrap()
            }
            Either::Left(_) => unreachable!("the pending task finished"),
        }
    });
    assert_eq!(first, 1);
}
