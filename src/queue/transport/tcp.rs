//! Opening a TCP stream: every address a host name resolves to, in turn, each within the
//! connect timeout. Not TLS (`tls`) and not the retries around it (`session`).
#![forbid(unsafe_code)]

use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

pub fn connect_tcp(host: &str, port: u16, timeout: Option<Duration>) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "host name did not resolve");
    for addr in (host, port).to_socket_addrs()? {
        let attempt = match timeout {
            Some(t) => TcpStream::connect_timeout(&addr, t),
            None => TcpStream::connect(addr),
        };
        match attempt {
            Ok(s) => return Ok(s),
            Err(e) => last = e,
        }
    }
    Err(last)
}
