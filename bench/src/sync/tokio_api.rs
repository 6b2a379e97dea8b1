//! The primitives of the runtimes with tokio's `sync` API: `tokio::sync` itself and
//! `kairos::sync`, which mirrors its names and signatures. One macro implements the trait
//! for both, so the two are called through exactly the same code.

macro_rules! tokio_api_primitives {
    ($runtime:ty, $sync:path) => {
        const _: () = {
            use std::future::Future;
            use std::ops::DerefMut;
            use sync::{mpsc, oneshot};
            use $crate::sync::SyncPrimitives;
            use $sync as sync;

            impl SyncPrimitives for $runtime {
                type OneshotSender<T: Send + 'static> = oneshot::Sender<T>;
                type OneshotReceiver<T: Send + 'static> = oneshot::Receiver<T>;
                type Sender<T: Send + 'static> = mpsc::Sender<T>;
                type Receiver<T: Send + 'static> = mpsc::Receiver<T>;
                type UnboundedSender<T: Send + 'static> = mpsc::UnboundedSender<T>;
                type UnboundedReceiver<T: Send + 'static> = mpsc::UnboundedReceiver<T>;
                type Mutex<T: Send + 'static> = sync::Mutex<T>;
                type Semaphore = sync::Semaphore;

                fn oneshot<T: Send + 'static>() -> (oneshot::Sender<T>, oneshot::Receiver<T>) {
                    oneshot::channel()
                }

                fn send_oneshot<T: Send + 'static>(sender: oneshot::Sender<T>, value: T) {
                    let _ = sender.send(value);
                }

                async fn recv_oneshot<T: Send + 'static>(receiver: oneshot::Receiver<T>) -> T {
                    receiver.await.expect("the oneshot sender sends")
                }

                fn channel<T: Send + 'static>(
                    capacity: usize,
                ) -> (mpsc::Sender<T>, mpsc::Receiver<T>) {
                    mpsc::channel(capacity)
                }

                async fn send<T: Send + 'static>(sender: &mpsc::Sender<T>, value: T) {
                    let _ = sender.send(value).await;
                }

                fn recv<T: Send + 'static>(
                    receiver: &mut mpsc::Receiver<T>,
                ) -> impl Future<Output = Option<T>> + Send + '_ {
                    receiver.recv()
                }

                fn unbounded<T: Send + 'static>(
                ) -> (mpsc::UnboundedSender<T>, mpsc::UnboundedReceiver<T>) {
                    mpsc::unbounded_channel()
                }

                fn send_unbounded<T: Send + 'static>(sender: &mpsc::UnboundedSender<T>, value: T) {
                    let _ = sender.send(value);
                }

                fn recv_unbounded<T: Send + 'static>(
                    receiver: &mut mpsc::UnboundedReceiver<T>,
                ) -> impl Future<Output = Option<T>> + Send + '_ {
                    receiver.recv()
                }

                fn mutex<T: Send + 'static>(value: T) -> sync::Mutex<T> {
                    sync::Mutex::new(value)
                }

                fn lock<T: Send + 'static>(
                    mutex: &sync::Mutex<T>,
                ) -> impl Future<Output = impl DerefMut<Target = T> + Send + '_> + Send + '_
                {
                    mutex.lock()
                }

                fn semaphore(permits: usize) -> sync::Semaphore {
                    sync::Semaphore::new(permits)
                }

                async fn acquire(semaphore: &sync::Semaphore) -> impl Send + '_ {
                    semaphore.acquire().await.expect("the semaphore stays open")
                }
            }
        };
    };
}

tokio_api_primitives!(crate::runtimes::Kairos, kairos::sync);
tokio_api_primitives!(crate::runtimes::Tokio, tokio::sync);
