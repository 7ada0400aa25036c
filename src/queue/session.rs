//! A session with one Redis server: the stream opened on first use (with bounded retries while
//! a server restarts), `AUTH` and `SELECT`, a replacement for a stream the server closed,
//! and after `fork()` a fresh stream for the child, the inherited one left to the parent.
//! One request at a time, error replies returned as they are. Not routing between servers
//! (`cluster`), nor commands and scripts (`connection`, `scripts`).
//!
//! Delivery rule: a command is sent at most once. Before sending, a connection the server has
//! closed (restart, idle timeout) is noticed and replaced, with bounded retries; a failure after
//! sending (timeout, reset) is returned as an error, because the command may have run.
#![forbid(unsafe_code)]

use std::io;
use std::time::Duration;

use super::config::ConnectionConfig;
use super::error::{redact, ErrorKind, QueueError};
use super::resp::{self, Reply};
use super::transport::link::{Link, LinkError};
use super::transport::{self, OpenError};

/// Connection attempts before giving up, and the wait before the second one (doubled each time).
const CONNECT_ATTEMPTS: u32 = 5;
const FIRST_RETRY_DELAY: Duration = Duration::from_millis(50);

/// How long to wait for replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// The configured read timeout.
    Default,
    /// The read timeout plus this much (a blocking command's own timeout).
    Extra(Duration),
    /// No limit (a blocking command that waits forever).
    Forever,
}

/// One server's connection, lazily opened. Not shared between processes: after `fork()` the
/// child opens its own and leaves the inherited socket to the parent.
pub(super) struct Session {
    config: ConnectionConfig,
    link: Option<Link>,
    /// The process that opened `link`.
    pid: u32,
    out: Vec<u8>,
}

impl Session {
    /// No I/O: the socket opens on first use.
    pub(super) fn new(config: ConnectionConfig) -> Session {
        Session {
            config,
            link: None,
            pid: std::process::id(),
            out: Vec::new(),
        }
    }

    pub(super) fn is_connected(&self) -> bool {
        self.link.is_some() && self.pid == std::process::id()
    }

    pub(super) fn disconnect(&mut self) {
        self.drop_link();
    }

    /// Opens (or checks) the socket. A failure here means nothing was sent.
    pub(super) fn connect(&mut self) -> Result<(), QueueError> {
        self.ensure_link()
    }

    /// Sends `commands` in one write and reads one reply per command, error replies included.
    pub(super) fn send(&mut self, commands: &[Vec<&[u8]>], wait: Wait) -> Result<Vec<Reply>, QueueError> {
        let mut out = std::mem::take(&mut self.out);
        out.clear();
        for c in commands {
            resp::encode(&mut out, c);
        }
        let result = self.round_trip(&out, commands.len(), wait);
        self.out = out;
        result
    }

    pub(super) fn round_trip(
        &mut self,
        out: &[u8],
        count: usize,
        wait: Wait,
    ) -> Result<Vec<Reply>, QueueError> {
        self.ensure_link()?;
        let base = self.config.read_timeout;
        let timeout = match wait {
            Wait::Default => base,
            // A wait too long to add up is no limit at all.
            Wait::Extra(extra) => base.and_then(|b| b.checked_add(extra)),
            Wait::Forever => None,
        };
        let Some(link) = self.link.as_mut() else {
            return Err(QueueError::new(ErrorKind::Connect, "not connected"));
        };
        let result = link
            .set_read_timeout(timeout)
            .map_err(LinkError::Io)
            .and_then(|_| link.exchange(out, count, wait == Wait::Default));
        match result {
            Ok(replies) => Ok(replies),
            Err(e) => {
                // Replies to what was sent may still arrive: this socket can never be trusted
                // again.
                self.drop_link();
                Err(self.link_error(e, timeout))
            }
        }
    }

    fn link_error(&self, e: LinkError, timeout: Option<Duration>) -> QueueError {
        let at = &self.config.address;
        match e {
            LinkError::Io(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                QueueError::new(
                    ErrorKind::Timeout,
                    format!(
                        "Redis at {at} did not answer within {:.3} s (read_timeout); the command may have run",
                        timeout.unwrap_or_default().as_secs_f64()
                    ),
                )
            }
            LinkError::Io(e) => QueueError::new(
                ErrorKind::Io,
                format!("connection to Redis at {at} failed: {e}; the command may have run"),
            ),
            LinkError::Closed => QueueError::new(
                ErrorKind::Io,
                format!("Redis at {at} closed the connection; the command may have run"),
            ),
            LinkError::Protocol(p) => QueueError::new(ErrorKind::Protocol, format!("{p} (from {at})")),
        }
    }

    fn drop_link(&mut self) {
        if let Some(link) = self.link.take() {
            if self.pid == std::process::id() {
                drop(link);
            } else {
                // Inherited across fork(): the parent still talks over this socket, and closing
                // it here could send a FIN/RST the parent would see. Leave the descriptor alone.
                std::mem::forget(link);
            }
        }
    }

    /// An open, live socket owned by this process, opening one with bounded retries.
    fn ensure_link(&mut self) -> Result<(), QueueError> {
        let pid = std::process::id();
        if self.pid != pid {
            self.drop_link();
            self.pid = pid;
        }
        if let Some(link) = self.link.as_mut() {
            if link.is_alive() {
                return Ok(());
            }
            self.drop_link();
        }
        let mut delay = FIRST_RETRY_DELAY;
        let mut attempt = 1;
        loop {
            match self.open() {
                Ok(link) => {
                    self.link = Some(link);
                    return Ok(());
                }
                Err(Retry::Again(_)) if attempt < CONNECT_ATTEMPTS => {
                    std::thread::sleep(delay);
                    delay *= 2;
                    attempt += 1;
                }
                Err(Retry::Again(reason)) => {
                    return Err(QueueError::new(
                        ErrorKind::Connect,
                        format!(
                            "cannot connect to Redis at {} after {attempt} attempts: {reason}",
                            self.config.address
                        ),
                    ))
                }
                Err(Retry::Stop(e)) => return Err(e),
            }
        }
    }

    /// Connects and authenticates. `Retry::Again` for failures a restarting server causes.
    fn open(&self) -> Result<Link, Retry> {
        let at = &self.config.address;
        let transient = |e: &io::Error| {
            matches!(
                e.kind(),
                io::ErrorKind::ConnectionRefused
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::NotFound
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::UnexpectedEof
            )
        };
        let fail = |e: io::Error| {
            if transient(&e) {
                Retry::Again(e.to_string())
            } else if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) {
                Retry::Stop(QueueError::new(
                    ErrorKind::Timeout,
                    format!("connecting to Redis at {at} timed out"),
                ))
            } else {
                Retry::Stop(QueueError::new(
                    ErrorKind::Connect,
                    format!("cannot connect to Redis at {at}: {e}"),
                ))
            }
        };
        let stream = transport::open(at, self.config.tls.as_ref(), self.config.connect_timeout).map_err(|e| match e {
            OpenError::Io(e) => fail(e),
            OpenError::Refused(e) => Retry::Stop(e),
        })?;
        let mut link = Link::new(stream, self.config.read_timeout, self.config.busy_poll).map_err(fail)?;

        let mut out = Vec::new();
        let mut count = 0;
        if let Some(password) = &self.config.password {
            match &self.config.username {
                Some(user) => {
                    resp::encode(&mut out, &[b"AUTH", user.as_bytes(), password.as_bytes()])
                }
                None => resp::encode(&mut out, &[b"AUTH", password.as_bytes()]),
            }
            count += 1;
        }
        let db = self.config.database.to_string();
        if self.config.database != 0 {
            resp::encode(&mut out, &[b"SELECT", db.as_bytes()]);
            count += 1;
        }
        if count == 0 {
            return Ok(link);
        }
        let replies = link.exchange(&out, count, true).map_err(|e| match e {
            LinkError::Io(e) => fail(e),
            LinkError::Closed => Retry::Again("closed during handshake".to_owned()),
            LinkError::Protocol(p) => Retry::Stop(QueueError::new(
                ErrorKind::Protocol,
                format!("{p} (from {at})"),
            )),
        })?;
        let secret = self.config.password.as_deref();
        for (i, reply) in replies.into_iter().enumerate() {
            if let Reply::Error(e) = reply {
                let auth = self.config.password.is_some() && i == 0;
                let (kind, what) = if auth {
                    (ErrorKind::Auth, "AUTH")
                } else {
                    (ErrorKind::Server, "SELECT")
                };
                return Err(Retry::Stop(QueueError::new(
                    kind,
                    format!("Redis at {at} refused {what}: {}", redact(&e, secret)),
                )));
            }
        }
        Ok(link)
    }
}

enum Retry {
    Again(String),
    Stop(QueueError),
}
