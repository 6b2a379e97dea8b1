//! The chat example (`examples/chat.rs`): lines reach every other client, renames and
//! departures are announced.

mod io_support;

#[allow(dead_code)] // the example's `main`
#[path = "../examples/chat.rs"]
mod chat;

use futures::StreamExt;
use io_support::on_both;
use kairos::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use kairos::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use kairos::net::{TcpListener, TcpStream};

struct Client {
    lines: Lines<BufReader<OwnedReadHalf>>,
    writer: OwnedWriteHalf,
}

impl Client {
    async fn connect(addr: std::net::SocketAddr) -> Client {
        let (reader, writer) = TcpStream::connect(addr).await.unwrap().into_split();
        let mut client = Client {
            lines: BufReader::new(reader).lines(),
            writer,
        };
        assert!(client.line().await.starts_with("welcome, guest-"));
        client
    }

    async fn line(&mut self) -> String {
        self.lines.next().await.unwrap().unwrap()
    }

    async fn say(&mut self, text: &str) {
        self.writer
            .write_all(format!("{text}\n").as_bytes())
            .await
            .unwrap();
    }
}

#[test]
fn lines_reach_every_other_client() {
    on_both(|| async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = kairos::spawn(chat::serve(listener, chat::Room::default()));
        let mut alice = Client::connect(addr).await;
        let mut bob = Client::connect(addr).await;
        assert!(alice.line().await.ends_with("joined"));
        let mut carol = Client::connect(addr).await;
        assert!(alice.line().await.ends_with("joined"));
        assert!(bob.line().await.ends_with("joined"));

        alice.say("/name alice").await;
        assert!(bob.line().await.ends_with("is now alice"));
        assert!(carol.line().await.ends_with("is now alice"));
        alice.say("hello all").await;
        assert_eq!(bob.line().await, "alice: hello all");
        assert_eq!(carol.line().await, "alice: hello all");

        drop(carol);
        assert!(alice.line().await.ends_with("left"));
        assert!(bob.line().await.ends_with("left"));
        bob.say("just us").await;
        assert!(alice.line().await.ends_with(": just us"));
        server.abort();
    });
}
