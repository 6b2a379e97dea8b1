//! Direct answers (`Builder::direct`): requests answered from their bytes before the
//! service, over real sockets. The server frames them as it frames a service's
//! responses, keeps them in request order with the service's, offers only bodiless,
//! well-formed requests with plain origin-form targets, and turns a panic into a 500.

mod support;

use http::header::{HeaderName, HeaderValue, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, DATE};
use http::StatusCode;
use kairos::io::AsyncWriteExt;
use kairos_http::server::direct::{DirectAnswer, PreparedHead, RawRequest, RawResponse, Written};
use kairos_http::server::Server;
use std::sync::{Arc, LazyLock, Mutex};
use support::{start, RawClient};

/// Answers `/direct*` targets and records every target it is offered.
#[derive(Clone, Default)]
struct Direct {
    offered: Arc<Mutex<Vec<String>>>,
}

static TEXT: [(HeaderName, HeaderValue); 3] = [
    (CONTENT_TYPE, HeaderValue::from_static("text/plain")),
    // The server writes its own framing fields: these two must not reach the wire.
    (CONTENT_LENGTH, HeaderValue::from_static("999")),
    (CONNECTION, HeaderValue::from_static("upgrade")),
];

static DATED: [(HeaderName, HeaderValue); 1] = [(
    DATE,
    HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"),
)];

static PREPARED: LazyLock<PreparedHead> =
    LazyLock::new(|| PreparedHead::new(StatusCode::OK, &TEXT));

static NO_CONTENT: LazyLock<PreparedHead> =
    LazyLock::new(|| PreparedHead::new(StatusCode::NO_CONTENT, &DATED));

impl DirectAnswer for Direct {
    fn answer(&self, request: &RawRequest<'_>, response: RawResponse<'_>) -> Option<Written> {
        self.offered
            .lock()
            .unwrap()
            .push(request.target().to_owned());
        match request.path() {
            "/direct" => Some(response.send(StatusCode::OK, &TEXT, b"direct")),
            "/direct-prepared" => Some(response.send_prepared(&PREPARED, b"direct")),
            "/direct-prepared-204" => Some(response.send_prepared(&NO_CONTENT, b"not sent")),
            "/direct-echo" => {
                let text = format!(
                    "{} path={} query={:?} host={:?} agent={:?} {:?} fields={}",
                    request.method(),
                    request.path(),
                    request.query(),
                    request.header("HOST").map(String::from_utf8_lossy),
                    request.header("user-agent").map(String::from_utf8_lossy),
                    request.version(),
                    request.headers().count(),
                );
                Some(response.send(StatusCode::OK, &[], text.as_bytes()))
            }
            "/direct-204" => Some(response.send(StatusCode::NO_CONTENT, &[], b"not sent")),
            "/direct-dated" => Some(response.send(StatusCode::OK, &DATED, b"dated")),
            "/direct-panic" => panic!("direct answer panicked on purpose"),
            _ => None,
        }
    }
}

impl Direct {
    fn offered(&self) -> Vec<String> {
        self.offered.lock().unwrap().clone()
    }
}

async fn serve(direct: &Direct) -> std::net::SocketAddr {
    let (addr, _handle, _task) = start(Server::builder().direct(direct.clone())).await;
    addr
}

/// A server answering through `direct`, and a client connected to it.
async fn connect(direct: &Direct) -> RawClient {
    RawClient::connect(serve(direct).await).await
}

const GET_DIRECT: &[u8] = b"GET /direct HTTP/1.1\r\nHost: x\r\n\r\n";

#[kairos::test]
async fn a_direct_answer_is_framed_by_the_server() {
    let direct = Direct::default();
    let mut client = connect(&direct).await;
    client.send(GET_DIRECT).await;
    let res = client.response().await.unwrap();
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "direct");
    assert_eq!(res.header("content-type"), Some("text/plain"));
    let lengths: Vec<_> = res
        .headers
        .iter()
        .filter(|(n, _)| n == "content-length")
        .collect();
    assert_eq!(lengths.len(), 1, "{:?}", res.headers);
    assert_eq!(res.header("content-length"), Some("6"));
    assert_eq!(res.header("connection"), None, "{:?}", res.headers);
    assert_eq!(res.header("date").map(str::len), Some(29));
    // Kept alive.
    client.send(GET_DIRECT).await;
    assert_eq!(client.response().await.unwrap().text(), "direct");
    assert_eq!(direct.offered(), ["/direct", "/direct"]);
}

#[kairos::test]
async fn a_prepared_head_sends_the_same_response() {
    let direct = Direct::default();
    let mut client = connect(&direct).await;
    client.send(GET_DIRECT).await;
    let plain = client.response().await.unwrap();
    client
        .send(b"GET /direct-prepared HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let prepared = client.response().await.unwrap();
    assert_eq!(prepared.headers, plain.headers);
    assert_eq!(prepared.body, plain.body);
    // Closing, HEAD, and a status without a body, as with `send`.
    client
        .send(b"HEAD /direct-prepared HTTP/1.1\r\nHost: x\r\n\r\nGET /direct-prepared-204 HTTP/1.1\r\nHost: x\r\n\r\nGET /direct-prepared HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await;
    let head = client.response_for(true).await.unwrap();
    assert_eq!(head.header("content-length"), Some("6"));
    let empty = client.response().await.unwrap();
    assert_eq!(empty.status, 204);
    assert_eq!(empty.header("date"), Some("Thu, 01 Jan 1970 00:00:00 GMT"));
    assert_eq!(empty.header("content-length"), None);
    let last = client.response().await.unwrap();
    assert_eq!(last.header("connection"), Some("close"));
    assert_eq!(last.text(), "direct");
    assert!(client.is_closed().await);
}

#[kairos::test]
async fn the_request_is_seen_as_sent() {
    let direct = Direct::default();
    let mut client = connect(&direct).await;
    client
        .send(b"GET /direct-echo?a=1&b=%20 HTTP/1.1\r\nHost: example.com:80\r\nUser-Agent: t/1\r\n\r\n")
        .await;
    let res = client.response().await.unwrap();
    assert_eq!(
        res.text(),
        "GET path=/direct-echo query=Some(\"a=1&b=%20\") host=Some(\"example.com:80\") \
         agent=Some(\"t/1\") HTTP/1.1 fields=2"
    );
    client
        .send(b"DELETE /direct-echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        .await;
    let res = client.response().await.unwrap();
    assert_eq!(
        res.text(),
        "DELETE path=/direct-echo query=None host=None agent=None HTTP/1.0 fields=1"
    );
    assert_eq!(res.header("connection"), Some("keep-alive"));
}

#[kairos::test]
async fn declined_requests_go_to_the_service_in_order() {
    let direct = Direct::default();
    let mut client = connect(&direct).await;
    let mut batch = Vec::new();
    batch.extend_from_slice(GET_DIRECT);
    batch.extend_from_slice(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    batch.extend_from_slice(GET_DIRECT);
    batch.extend_from_slice(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody");
    batch.extend_from_slice(b"GET /direct-echo?q HTTP/1.1\r\nHost: x\r\n\r\n");
    client.send(&batch).await;
    let texts: Vec<String> = {
        let mut texts = Vec::new();
        for _ in 0..5 {
            texts.push(client.response().await.unwrap().text());
        }
        texts
    };
    assert_eq!(texts[0], "direct");
    assert_eq!(texts[1], "hello");
    assert_eq!(texts[2], "direct");
    assert_eq!(texts[3], "body");
    assert!(
        texts[4].starts_with("GET path=/direct-echo query=Some(\"q\")"),
        "{}",
        texts[4]
    );
    // The request with a body was never offered.
    assert_eq!(
        direct.offered(),
        ["/direct", "/", "/direct", "/direct-echo?q"]
    );
}

#[kairos::test]
async fn only_bodiless_plain_origin_form_requests_are_offered() {
    let direct = Direct::default();
    let addr = serve(&direct).await;
    // Each goes to the service, which has no `/direct` route: 404.
    let requests: [&[u8]; 5] = [
        b"POST /direct HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
        b"POST /direct HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"GET /direct#fragment HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET http://x/direct HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /direct\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n",
    ];
    for request in requests {
        let mut client = RawClient::connect(addr).await;
        client.send(request).await;
        let res = client.response().await.unwrap();
        assert_eq!(res.status, 404, "{}", String::from_utf8_lossy(request));
    }
    // A declared empty body is no body.
    let mut client = RawClient::connect(addr).await;
    client
        .send(b"POST /direct HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        .await;
    assert_eq!(client.response().await.unwrap().text(), "direct");
    assert_eq!(direct.offered(), ["/direct"]);
}

#[kairos::test]
async fn refused_heads_never_reach_the_direct_answer() {
    let direct = Direct::default();
    let addr = serve(&direct).await;
    let requests: [(&[u8], u16); 4] = [
        (b"GET /direct HTTP/1.1\r\n\r\n", 400),
        (b"GET /direct HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400),
        (b"GET /direct HTTP/1.1\nHost: x\r\n\r\n", 400),
        (
            b"GET /direct HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n",
            417,
        ),
    ];
    for (request, status) in requests {
        let mut client = RawClient::connect(addr).await;
        client.send(request).await;
        let res = client.response().await.unwrap();
        assert_eq!(res.status, status, "{}", String::from_utf8_lossy(request));
        assert!(client.is_closed().await);
    }
    assert!(direct.offered().is_empty(), "{:?}", direct.offered());
}

#[kairos::test]
async fn head_gets_the_length_without_the_body() {
    let direct = Direct::default();
    let mut client = connect(&direct).await;
    client
        .send(b"HEAD /direct HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let res = client.response_for(true).await.unwrap();
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-length"), Some("6"));
    // Had the body been sent, this would read it as the next response's start.
    client.send(GET_DIRECT).await;
    assert_eq!(client.response().await.unwrap().text(), "direct");
}

#[kairos::test]
async fn a_status_without_a_body_sends_none() {
    let direct = Direct::default();
    let mut client = connect(&direct).await;
    client
        .send(b"GET /direct-204 HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let res = client.response().await.unwrap();
    assert_eq!(res.status, 204);
    assert_eq!(res.header("content-length"), None);
    client.send(GET_DIRECT).await;
    assert_eq!(client.response().await.unwrap().text(), "direct");
}

#[kairos::test]
async fn a_date_given_is_kept() {
    let direct = Direct::default();
    let mut client = connect(&direct).await;
    client
        .send(b"GET /direct-dated HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let res = client.response().await.unwrap();
    let dates: Vec<_> = res.headers.iter().filter(|(n, _)| n == "date").collect();
    assert_eq!(dates.len(), 1);
    assert_eq!(dates[0].1, "Thu, 01 Jan 1970 00:00:00 GMT");
}

#[kairos::test]
async fn connection_close_and_http10_end_the_connection() {
    let direct = Direct::default();
    let addr = serve(&direct).await;
    let closing: [&[u8]; 2] = [
        b"GET /direct HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /direct HTTP/1.0\r\n\r\n",
    ];
    for request in closing {
        let mut client = RawClient::connect(addr).await;
        // A request pipelined behind it is not answered.
        client.send(&[request, GET_DIRECT].concat()).await;
        let res = client.response().await.unwrap();
        assert_eq!(res.text(), "direct");
        assert_eq!(res.header("connection"), Some("close"));
        assert!(
            client.is_closed().await,
            "{}",
            String::from_utf8_lossy(request)
        );
    }
    assert_eq!(direct.offered(), ["/direct", "/direct"]);
}

#[kairos::test]
async fn keep_alive_off_closes_after_a_direct_answer() {
    let direct = Direct::default();
    let builder = Server::builder().direct(direct.clone()).keep_alive(false);
    let (addr, _handle, _task) = start(builder).await;
    let mut client = RawClient::connect(addr).await;
    client.send(GET_DIRECT).await;
    let res = client.response().await.unwrap();
    assert_eq!(res.header("connection"), Some("close"));
    assert!(client.is_closed().await);
}

#[kairos::test]
async fn a_panicking_direct_answer_costs_a_500() {
    let direct = Direct::default();
    let addr = serve(&direct).await;
    let mut client = RawClient::connect(addr).await;
    let batch = [
        GET_DIRECT,
        b"GET /direct-panic HTTP/1.1\r\nHost: x\r\n\r\n",
        GET_DIRECT,
    ]
    .concat();
    client.send(&batch).await;
    assert_eq!(client.response().await.unwrap().text(), "direct");
    let res = client.response().await.unwrap();
    assert_eq!(res.status, 500);
    assert_eq!(res.header("connection"), Some("close"));
    assert!(client.is_closed().await);
    // The server goes on.
    let mut client = RawClient::connect(addr).await;
    client.send(GET_DIRECT).await;
    assert_eq!(client.response().await.unwrap().text(), "direct");
}

#[kairos::test]
async fn a_long_pipelined_batch_is_answered_in_order() {
    const COUNT: usize = 3_000;
    let direct = Direct::default();
    let mut client = connect(&direct).await;
    let mut batch = Vec::new();
    for i in 0..COUNT {
        // Every tenth goes to the service.
        if i % 10 == 9 {
            batch.extend_from_slice(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        } else {
            batch.extend_from_slice(
                format!("GET /direct-echo?{i} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
            );
        }
    }
    // Written while the responses are read: more than a socket buffer each way.
    let mut writer = client.writer.take().unwrap();
    let sending = kairos::spawn(async move {
        writer.write_all(&batch).await.unwrap();
        writer
    });
    for i in 0..COUNT {
        let text = client.response().await.unwrap().text();
        if i % 10 == 9 {
            assert_eq!(text, "hello");
        } else {
            assert!(
                text.contains(&format!("query=Some(\"{i}\")")),
                "{i}: {text}"
            );
        }
    }
    drop(sending.await.unwrap());
    assert_eq!(direct.offered().len(), COUNT);
}
