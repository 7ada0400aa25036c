//! The transport: a byte stream to one Redis server (TCP, a unix socket, or TLS over TCP),
//! opened with a connect timeout, with its read and write timeouts and a read that never
//! sleeps (for busy polling and liveness probes). Below it: `tcp` and `tls` connect, `poll`
//! decides how long to poll for a reply, `link` exchanges RESP requests and replies over a
//! stream. Nothing here authenticates, retries or knows about clusters (`session`,
//! `cluster`).
#![forbid(unsafe_code)]

pub mod link;
pub mod poll;
pub mod tcp;
pub mod tls;

use std::fmt;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

use rustix::net::RecvFlags;

use super::error::QueueError;
use tls::Tls;

/// Where the server listens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    Tcp { host: String, port: u16 },
    Unix(PathBuf),
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Tcp { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            Address::Tcp { host, port } => write!(f, "{host}:{port}"),
            Address::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// Why a stream could not be opened.
pub enum OpenError {
    /// The socket did not connect; whether that is worth another try is the session's call.
    Io(io::Error),
    /// Not worth another try: the TLS handshake or settings failed, or TLS was asked of a
    /// unix socket.
    Refused(QueueError),
}

/// Opens a stream to `address`: TCP, TLS over TCP when `tls` is given, or a unix socket.
/// `timeout` bounds the connect and the TLS handshake.
pub fn open(address: &Address, tls: Option<&Tls>, timeout: Option<Duration>) -> Result<Stream, OpenError> {
    match (address, tls) {
        (Address::Tcp { host, port }, None) => {
            let tcp = tcp::connect_tcp(host, *port, timeout).map_err(OpenError::Io)?;
            // Small commands must not wait for Nagle's algorithm.
            let _ = tcp.set_nodelay(true);
            Ok(Stream::Tcp(tcp))
        }
        (Address::Tcp { host, port }, Some(tls)) => {
            let tcp = tcp::connect_tcp(host, *port, timeout).map_err(OpenError::Io)?;
            Ok(Stream::Tls(Box::new(tls::tls_stream(tls, host, tcp, timeout).map_err(OpenError::Refused)?)))
        }
        (Address::Unix(_), Some(_)) => Err(OpenError::Refused(QueueError::config("TLS is for TCP connections, not unix sockets"))),
        (Address::Unix(path), None) => UnixStream::connect(path).map(Stream::Unix).map_err(OpenError::Io),
    }
}

/// An open stream to a server.
pub enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Stream {
    pub fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_read_timeout(t),
            Stream::Unix(s) => s.set_read_timeout(t),
            Stream::Tls(s) => s.sock.set_read_timeout(t),
        }
    }

    pub fn set_write_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_write_timeout(t),
            Stream::Unix(s) => s.set_write_timeout(t),
            Stream::Tls(s) => s.sock.set_write_timeout(t),
        }
    }

    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_nonblocking(on),
            Stream::Unix(s) => s.set_nonblocking(on),
            Stream::Tls(s) => s.sock.set_nonblocking(on),
        }
    }
}

impl Stream {
    /// A read that never sleeps: `None` when this stream cannot be read that way (TLS, whose
    /// records need rustls' own buffering), else the read's result (`WouldBlock`: nothing yet).
    pub fn try_read(&self, buf: &mut [u8], peek: bool) -> Option<io::Result<usize>> {
        let flags = if peek { RecvFlags::DONTWAIT | RecvFlags::PEEK } else { RecvFlags::DONTWAIT };
        let received = match self {
            Stream::Tcp(s) => rustix::net::recv(s, buf, flags),
            Stream::Unix(s) => rustix::net::recv(s, buf, flags),
            Stream::Tls(_) => return None,
        };
        Some(received.map(|(n, _)| n).map_err(io::Error::from))
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Unix(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            Stream::Unix(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}
