//! Shared pieces of the peer servers: the fortunes query and page, the port argument.
//!
//! Each peer binary (`actix`, `hyper`, `may_minihttp`) serves `/plaintext`, `/json` and
//! `/fortunes` the way the TechEmpower rules ask, so `wrk` can compare them with
//! `apps/techempower`. The fortunes come from the SQLite file that the Kairos app creates
//! (`techempower.sqlite` in the current directory unless `TFB_DB` names another).

use std::cell::RefCell;
use std::fmt::Write as _;

/// The JSON test's message.
#[derive(serde::Serialize)]
pub struct Message {
    /// Always "Hello, World!".
    pub message: &'static str,
}

/// The address to listen on: `0.0.0.0:PORT`, PORT from the first argument or 8080.
pub fn listen_addr() -> String {
    let port = std::env::args().nth(1).unwrap_or_else(|| "8080".into());
    format!("0.0.0.0:{port}")
}

thread_local! {
    static DB: RefCell<Option<rusqlite::Connection>> = const { RefCell::new(None) };
}

/// Reads the fortunes on this thread's connection, adds the request-time one, sorts by
/// message and renders the page with HTML escaping.
pub fn fortunes_page() -> String {
    let rows: Vec<(i64, String)> = DB.with(|db| {
        let mut db = db.borrow_mut();
        let conn = db.get_or_insert_with(|| {
            let path = std::env::var("TFB_DB").unwrap_or_else(|_| "techempower.sqlite".into());
            rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .expect("open the fortunes database (run apps/techempower once to create it)")
        });
        let mut stmt = conn
            .prepare_cached("SELECT id, message FROM fortune")
            .expect("prepare");
        stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("query")
            .map(|row| row.expect("row"))
            .collect()
    });
    render_fortunes(rows)
}

/// Adds the request-time fortune, sorts by message and renders the page with HTML
/// escaping (the TechEmpower fortunes rules).
pub fn render_fortunes(mut rows: Vec<(i64, String)>) -> String {
    rows.push((0, "Additional fortune added at request time.".into()));
    rows.sort_by(|a, b| a.1.cmp(&b.1));
    let mut page = String::with_capacity(1200);
    page.push_str("<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>");
    for (id, message) in &rows {
        let _ = write!(page, "<tr><td>{id}</td><td>");
        for c in message.chars() {
            match c {
                '<' => page.push_str("&lt;"),
                '>' => page.push_str("&gt;"),
                '&' => page.push_str("&amp;"),
                '"' => page.push_str("&quot;"),
                '\'' => page.push_str("&#x27;"),
                c => page.push(c),
            }
        }
        page.push_str("</td></tr>");
    }
    page.push_str("</table></body></html>");
    page
}
