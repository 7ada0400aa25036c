//! The queue's one error type. Its text never contains a password: messages are written by
//! this module from parts that carry none, and server messages are redacted before they are
//! stored.
#![forbid(unsafe_code)]

use std::fmt;

/// What failed, so callers can react without parsing messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A connection string, connection array or option is invalid.
    Config,
    /// TLS could not be set up: an unreadable CA or client certificate, or a failed handshake
    /// (an unknown CA, a name mismatch).
    Tls,
    /// The server could not be reached (after the bounded retries).
    Connect,
    /// AUTH was refused.
    Auth,
    /// The server did not answer within the read timeout. The command may have run.
    Timeout,
    /// The connection broke while a command was in flight. The command may have run.
    Io,
    /// The server sent bytes that are not RESP2, or an unexpected reply shape.
    Protocol,
    /// The server answered with an error reply.
    Server,
    /// A job payload or envelope is not what the queue format needs.
    Payload,
    /// A write reached the master but fewer replicas than `wait_replicas` confirmed it in
    /// time: it is there, but a failover before they catch up could lose it.
    Replication,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueError {
    kind: ErrorKind,
    message: String,
}

impl QueueError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        QueueError {
            kind,
            message: message.into(),
        }
    }

    pub fn config(message: impl Into<String>) -> Self {
        QueueError::new(ErrorKind::Config, message)
    }

    pub fn protocol(message: impl Into<String>) -> Self {
        QueueError::new(ErrorKind::Protocol, message)
    }

    pub fn payload(message: impl Into<String>) -> Self {
        QueueError::new(ErrorKind::Payload, message)
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for QueueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QueueError {}

/// `text` with every occurrence of `secret` replaced, for server messages that might echo an
/// argument (old servers answer an unknown AUTH with the arguments it was given).
pub(crate) fn redact(text: &str, secret: Option<&str>) -> String {
    match secret {
        Some(s) if !s.is_empty() => text.replace(s, "***"),
        _ => text.to_owned(),
    }
}
