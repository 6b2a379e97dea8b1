//! `ToSocketAddrs` and `lookup_host`: turning what users write into socket addresses,
//! with name resolution (a blocking `getaddrinfo`) on the blocking pool.

use crate::runtime::context;
use crate::task::JoinHandle;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Types that name one or more socket addresses: `SocketAddr` and its parts, `(ip,
/// port)` pairs, slices of addresses, and strings such as `"localhost:8080"` or
/// `("example.com", 80)`.
///
/// Strings that are not a literal address are resolved on the blocking pool, so this
/// works inside a runtime without stalling a worker. The trait is sealed: its method
/// is internal.
///
/// # Examples
///
/// ```
/// use kairos::net::TcpListener;
/// use std::net::{Ipv4Addr, SocketAddr};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let a = TcpListener::bind("127.0.0.1:0").await?;
/// let b = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
/// let c = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
/// # drop((a, b, c));
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub trait ToSocketAddrs: sealed::ToSocketAddrsPriv {}

pub(crate) mod sealed {
    use super::Resolve;

    /// The internal half of [`ToSocketAddrs`](super::ToSocketAddrs).
    pub trait ToSocketAddrsPriv {
        /// Starts resolving.
        fn to_socket_addrs(&self, _: Internal) -> Resolve;
    }

    /// Keeps the method uncallable from outside the crate.
    #[derive(Debug)]
    pub struct Internal;
}

use sealed::{Internal, ToSocketAddrsPriv};

/// The addresses of a [`ToSocketAddrs`] value: known at once, or being resolved.
#[derive(Debug)]
pub struct Resolve(ResolveState);

#[derive(Debug)]
enum ResolveState {
    Ready(Option<io::Result<Vec<SocketAddr>>>),
    Blocking(JoinHandle<io::Result<Vec<SocketAddr>>>),
}

impl Resolve {
    fn ready(addrs: Vec<SocketAddr>) -> Resolve {
        Resolve(ResolveState::Ready(Some(Ok(addrs))))
    }

    fn failed(err: io::Error) -> Resolve {
        Resolve(ResolveState::Ready(Some(Err(err))))
    }

    /// Runs the system resolver on the current runtime's blocking pool.
    fn blocking(host: String) -> Resolve {
        let handle = match context::try_current() {
            Ok(handle) => handle,
            Err(_) => return Resolve::failed(io::Error::other(context::NO_RUNTIME)),
        };
        let task = handle.blocking_spawner().spawn_blocking(&handle, move || {
            std::net::ToSocketAddrs::to_socket_addrs(&host).map(Iterator::collect)
        });
        Resolve(ResolveState::Blocking(task))
    }
}

impl Future for Resolve {
    type Output = io::Result<std::vec::IntoIter<SocketAddr>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let addrs = match &mut self.0 {
            ResolveState::Ready(result) => {
                result.take().expect("`Resolve` polled after it completed")
            }
            ResolveState::Blocking(task) => match ready!(Pin::new(task).poll(cx)) {
                Ok(result) => result,
                Err(join) => Err(io::Error::other(join)),
            },
        };
        Poll::Ready(addrs.map(Vec::into_iter))
    }
}

/// Resolves `host` (such as `"example.com:443"` or `("localhost", 8080)`) to its socket
/// addresses, on the blocking pool.
///
/// # Errors
///
/// The resolver's error, or an error outside a runtime.
///
/// # Examples
///
/// ```
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// for addr in kairos::net::lookup_host("localhost:80").await? {
///     println!("localhost is {}", addr.ip());
/// }
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn lookup_host<T: ToSocketAddrs>(
    host: T,
) -> io::Result<impl Iterator<Item = SocketAddr>> {
    host.to_socket_addrs(Internal).await
}

/// Tries `op` on each address `addrs` names, in order, until one succeeds; returns the
/// last error if none does.
pub(crate) async fn each_addr<A, T, F, Fut>(addrs: A, mut op: F) -> io::Result<T>
where
    A: ToSocketAddrs,
    F: FnMut(SocketAddr) -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    let mut last_err = None;
    for addr in addrs.to_socket_addrs(Internal).await? {
        match op(addr).await {
            Ok(value) => return Ok(value),
            Err(err) => last_err = Some(err),
        }
    }
    Err(last_err.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the address resolved to no socket address",
        )
    }))
}

/// The first address `addrs` names.
pub(crate) async fn first_addr(addrs: impl ToSocketAddrs) -> io::Result<SocketAddr> {
    each_addr(addrs, |addr| async move { Ok(addr) }).await
}

macro_rules! literal_addrs {
    ($($ty:ty => |$value:ident| $convert:expr;)*) => {$(
        impl ToSocketAddrs for $ty {}

        impl ToSocketAddrsPriv for $ty {
            fn to_socket_addrs(&self, _: Internal) -> Resolve {
                let $value = self;
                Resolve::ready($convert)
            }
        }
    )*};
}

literal_addrs! {
    SocketAddr => |addr| vec![*addr];
    SocketAddrV4 => |addr| vec![SocketAddr::V4(*addr)];
    SocketAddrV6 => |addr| vec![SocketAddr::V6(*addr)];
    (IpAddr, u16) => |pair| vec![SocketAddr::new(pair.0, pair.1)];
    (Ipv4Addr, u16) => |pair| vec![SocketAddr::new(IpAddr::V4(pair.0), pair.1)];
    (Ipv6Addr, u16) => |pair| vec![SocketAddr::new(IpAddr::V6(pair.0), pair.1)];
    [SocketAddr] => |addrs| addrs.to_vec();
    Vec<SocketAddr> => |addrs| addrs.clone();
}

impl<const N: usize> ToSocketAddrs for [SocketAddr; N] {}

impl<const N: usize> ToSocketAddrsPriv for [SocketAddr; N] {
    fn to_socket_addrs(&self, _: Internal) -> Resolve {
        Resolve::ready(self.to_vec())
    }
}

impl ToSocketAddrs for str {}

impl ToSocketAddrsPriv for str {
    fn to_socket_addrs(&self, _: Internal) -> Resolve {
        match self.parse::<SocketAddr>() {
            Ok(addr) => Resolve::ready(vec![addr]),
            Err(_) => Resolve::blocking(self.to_owned()),
        }
    }
}

impl ToSocketAddrs for String {}

impl ToSocketAddrsPriv for String {
    fn to_socket_addrs(&self, internal: Internal) -> Resolve {
        self.as_str().to_socket_addrs(internal)
    }
}

impl ToSocketAddrs for (&str, u16) {}

impl ToSocketAddrsPriv for (&str, u16) {
    fn to_socket_addrs(&self, _: Internal) -> Resolve {
        let (host, port) = *self;
        match host.parse::<IpAddr>() {
            Ok(ip) => Resolve::ready(vec![SocketAddr::new(ip, port)]),
            Err(_) => Resolve::blocking(format!("{host}:{port}")),
        }
    }
}

impl ToSocketAddrs for (String, u16) {}

impl ToSocketAddrsPriv for (String, u16) {
    fn to_socket_addrs(&self, internal: Internal) -> Resolve {
        (self.0.as_str(), self.1).to_socket_addrs(internal)
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrsPriv for &T {
    fn to_socket_addrs(&self, internal: Internal) -> Resolve {
        (**self).to_socket_addrs(internal)
    }
}
