//! may-minihttp (stackful coroutines on may) serving the TechEmpower plaintext, json and
//! fortunes tests.

use kairos_bench_http::{fortunes_page, listen_addr, Message};
use may_minihttp::{HttpService, HttpServiceFactory, Request, Response};
use std::io;

#[derive(Clone)]
struct Bench;

impl HttpService for Bench {
    fn call(&mut self, req: Request, rsp: &mut Response) -> io::Result<()> {
        match req.path() {
            "/plaintext" => {
                rsp.header("Server: may").header("Content-Type: text/plain");
                rsp.body("Hello, World!");
            }
            "/json" => {
                rsp.header("Server: may")
                    .header("Content-Type: application/json");
                let body = serde_json::to_vec(&Message {
                    message: "Hello, World!",
                })
                .unwrap();
                rsp.body_vec(body);
            }
            "/fortunes" => {
                rsp.header("Server: may")
                    .header("Content-Type: text/html; charset=utf-8");
                rsp.body_vec(fortunes_page().into_bytes());
            }
            _ => {
                rsp.status_code(404, "Not Found");
            }
        }
        Ok(())
    }
}

struct Factory;

impl HttpServiceFactory for Factory {
    type Service = Bench;

    fn new_service(&self, _: usize) -> Bench {
        Bench
    }
}

fn main() {
    may::config().set_pool_capacity(1000).set_stack_size(0x4000);
    let addr = listen_addr();
    println!("may-minihttp on {addr}");
    let server = Factory.start(&addr).unwrap();
    server.join().unwrap();
}
