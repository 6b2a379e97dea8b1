//! The primitives of smol and async-std: channels from `async-channel` (async-std
//! re-exports version 1 as `async_std::channel`; smol users depend on version 2), used with
//! capacity 1 as the oneshot channel, and `async-lock`'s `Mutex` (also async-std's
//! `async_std::sync::Mutex`) and `Semaphore`. One macro implements the trait for both.

macro_rules! async_channel_primitives {
    ($runtime:ty, $channel:path, $mutex:path) => {
        const _: () = {
            use std::future::Future;
            use std::ops::DerefMut;
            use $channel as channel;
            use $crate::sync::SyncPrimitives;
            use $mutex as Mutex;

            impl SyncPrimitives for $runtime {
                type OneshotSender<T: Send + 'static> = channel::Sender<T>;
                type OneshotReceiver<T: Send + 'static> = channel::Receiver<T>;
                type Sender<T: Send + 'static> = channel::Sender<T>;
                type Receiver<T: Send + 'static> = channel::Receiver<T>;
                type UnboundedSender<T: Send + 'static> = channel::Sender<T>;
                type UnboundedReceiver<T: Send + 'static> = channel::Receiver<T>;
                type Mutex<T: Send + 'static> = Mutex<T>;
                type Semaphore = async_lock::Semaphore;

                fn oneshot<T: Send + 'static>() -> (channel::Sender<T>, channel::Receiver<T>) {
                    channel::bounded(1)
                }

                fn send_oneshot<T: Send + 'static>(sender: channel::Sender<T>, value: T) {
                    let _ = sender.try_send(value);
                }

                async fn recv_oneshot<T: Send + 'static>(receiver: channel::Receiver<T>) -> T {
                    receiver.recv().await.expect("the oneshot sender sends")
                }

                fn channel<T: Send + 'static>(
                    capacity: usize,
                ) -> (channel::Sender<T>, channel::Receiver<T>) {
                    channel::bounded(capacity)
                }

                async fn send<T: Send + 'static>(sender: &channel::Sender<T>, value: T) {
                    let _ = sender.send(value).await;
                }

                async fn recv<T: Send + 'static>(receiver: &mut channel::Receiver<T>) -> Option<T> {
                    receiver.recv().await.ok()
                }

                fn unbounded<T: Send + 'static>() -> (channel::Sender<T>, channel::Receiver<T>) {
                    channel::unbounded()
                }

                fn send_unbounded<T: Send + 'static>(sender: &channel::Sender<T>, value: T) {
                    let _ = sender.try_send(value);
                }

                async fn recv_unbounded<T: Send + 'static>(
                    receiver: &mut channel::Receiver<T>,
                ) -> Option<T> {
                    receiver.recv().await.ok()
                }

                fn mutex<T: Send + 'static>(value: T) -> Mutex<T> {
                    Mutex::new(value)
                }

                fn lock<T: Send + 'static>(
                    mutex: &Mutex<T>,
                ) -> impl Future<Output = impl DerefMut<Target = T> + Send + '_> + Send + '_
                {
                    mutex.lock()
                }

                fn semaphore(permits: usize) -> async_lock::Semaphore {
                    async_lock::Semaphore::new(permits)
                }

                fn acquire(
                    semaphore: &async_lock::Semaphore,
                ) -> impl Future<Output = impl Send + '_> + Send + '_ {
                    semaphore.acquire()
                }
            }
        };
    };
}

async_channel_primitives!(crate::runtimes::Smol, async_channel, async_lock::Mutex);
async_channel_primitives!(
    crate::runtimes::AsyncStd,
    async_std::channel,
    async_std::sync::Mutex
);
