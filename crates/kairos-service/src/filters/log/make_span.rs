//! `MakeSpan`: the span each call runs in.

use tracing::Span;

/// Makes the span a call runs in, from its request.
///
/// Implemented by [`RequestSpan`] (the default) and by closures `Fn(&Req) -> Span`.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::log::MakeSpan;
///
/// let by_path = |path: &String| tracing::info_span!("get", path = %path);
/// let _span = by_path.make_span(&"/index.html".to_string());
/// ```
pub trait MakeSpan<Req> {
    /// The span for a call with `req`.
    fn make_span(&self, req: &Req) -> Span;
}

/// The default span: `request`, at `INFO`, with no fields.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::log::{MakeSpan, RequestSpan};
///
/// let _span = RequestSpan.make_span(&"anything");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestSpan;

impl<Req> MakeSpan<Req> for RequestSpan {
    fn make_span(&self, _req: &Req) -> Span {
        tracing::info_span!("request")
    }
}

impl<F, Req> MakeSpan<Req> for F
where
    F: Fn(&Req) -> Span,
{
    fn make_span(&self, req: &Req) -> Span {
        self(req)
    }
}
