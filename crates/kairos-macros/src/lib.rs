//! The `#[kairos::main]` and `#[kairos::test]` attribute macros.
//!
//! Both turn an `async fn` into a plain function that builds a Kairos runtime and blocks
//! on the function's body. Use them through the `kairos` crate (`#[kairos::main]`), which
//! re-exports them.

mod config;
mod expand;

use proc_macro::TokenStream;

/// Runs an `async fn main` on a Kairos runtime.
///
/// By default the runtime is multi-threaded with one worker per core. Arguments:
/// - `flavor = "current_thread"` or `flavor = "multi_thread"`;
/// - `worker_threads = N` (multi-thread only, `N >= 1`);
/// - `start_paused = true` (current-thread only): the runtime's clock starts paused, and
///   jumps to the next timer whenever every task is idle (see `kairos::time::pause`);
/// - `crate = "path"` when Kairos is imported under another name.
///
/// ```
/// #[kairos::main(flavor = "multi_thread", worker_threads = 2)]
/// async fn main() {
///     println!("hello from kairos");
/// }
/// ```
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args.into(), item.into(), expand::Kind::Main).into()
}

/// Runs an `async fn` test on a Kairos runtime (current-thread by default).
///
/// Accepts the same arguments as [`macro@main`].
///
/// ```no_run
/// #[kairos::test]
/// async fn adds() {
///     assert_eq!(kairos::spawn(async { 1 + 1 }).await.unwrap(), 2);
/// }
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args.into(), item.into(), expand::Kind::Test).into()
}
