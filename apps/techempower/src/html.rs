//! The fortunes page: HTML escaping and the page itself.

use crate::db::Fortune;
use std::fmt::Write as _;

/// Appends `text` to `out` with `& < > " '` escaped; everything else (any UTF-8) as is.
///
/// # Examples
///
/// ```
/// let mut out = String::new();
/// techempower::html::escape_into(&mut out, "<a href='x'>&\"フ\"</a>");
/// assert_eq!(out, "&lt;a href=&#x27;x&#x27;&gt;&amp;&quot;フ&quot;&lt;/a&gt;");
/// ```
pub fn escape_into(out: &mut String, text: &str) {
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let escaped = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(escaped);
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

/// The extra fortune added at request time.
pub const EXTRA_FORTUNE: &str = "Additional fortune added at request time.";

/// Adds the request-time fortune, sorts by message and renders the page.
///
/// # Examples
///
/// ```
/// use techempower::db::Fortune;
///
/// let page = techempower::html::fortunes_page(vec![Fortune { id: 1, message: "b<".into() }]);
/// assert!(page.contains("<tr><td>0</td><td>Additional fortune added at request time.</td></tr><tr><td>1</td><td>b&lt;</td></tr>"));
/// ```
pub fn fortunes_page(mut fortunes: Vec<Fortune>) -> String {
    fortunes.push(Fortune {
        id: 0,
        message: EXTRA_FORTUNE.to_owned(),
    });
    fortunes.sort_by(|a, b| a.message.cmp(&b.message));
    let mut page = String::with_capacity(1300);
    page.push_str(
        "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>",
    );
    for fortune in &fortunes {
        let _ = write!(page, "<tr><td>{}</td><td>", fortune.id);
        escape_into(&mut page, &fortune.message);
        page.push_str("</td></tr>");
    }
    page.push_str("</table></body></html>");
    page
}
