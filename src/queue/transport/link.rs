//! A link: one open stream with its read buffer and RESP decoder. Writes a request, reads its
//! replies (polling first for prompt ones, see `poll`), and tells whether the server still
//! holds the stream. No handshake, retry or reconnection (`session`).
#![forbid(unsafe_code)]

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use super::super::resp::{Decoder, ProtocolError, Reply};
use super::poll::BusyPoll;
use super::Stream;

const READ_CHUNK: usize = 64 * 1024;
/// A read buffer grown past this by one large reply is given back once it is drained.
const MAX_IDLE_BUFFER: usize = 1024 * 1024;

/// Why an exchange failed.
pub enum LinkError {
    Io(io::Error),
    Closed,
    Protocol(ProtocolError),
}

/// An open socket with its read buffer and decoder state.
pub struct Link {
    stream: Stream,
    /// Read buffer, zero-filled once when it grows (never per read); the unread bytes are
    /// `rbuf[rpos..rend]`.
    rbuf: Vec<u8>,
    rpos: usize,
    rend: usize,
    decoder: Decoder,
    read_timeout: Option<Duration>,
    poll: BusyPoll,
    /// When the last request was written, and its length, until the first bytes of its
    /// reply arrive.
    sent: Option<(Instant, usize)>,
}

impl Link {
    pub fn new(stream: Stream, read_timeout: Option<Duration>, busy_poll: Duration) -> io::Result<Link> {
        // A zero duration means "no limit" here, as in Laravel (std refuses zero).
        let read_timeout = read_timeout.filter(|d| !d.is_zero());
        stream.set_read_timeout(read_timeout)?;
        stream.set_write_timeout(read_timeout)?;
        Ok(Link {
            stream,
            rbuf: vec![0; READ_CHUNK],
            rpos: 0,
            rend: 0,
            decoder: Decoder::new(),
            read_timeout,
            poll: BusyPoll::new(busy_poll),
            sent: None,
        })
    }

    pub fn set_read_timeout(&mut self, t: Option<Duration>) -> io::Result<()> {
        let t = t.filter(|d| !d.is_zero());
        if self.read_timeout != t {
            self.stream.set_read_timeout(t)?;
            self.read_timeout = t;
        }
        Ok(())
    }

    /// Whether the server still holds this connection: a non-blocking read finds nothing to
    /// read. End of stream (the server closed it) or unexpected bytes both mean "replace it".
    pub fn is_alive(&mut self) -> bool {
        if self.rpos != self.rend {
            return false;
        }
        let mut probe = [0u8; 1];
        // Plain sockets: one peek that never sleeps.
        if let Some(peeked) = self.stream.try_read(&mut probe, true) {
            return matches!(peeked, Err(e) if e.kind() == io::ErrorKind::WouldBlock);
        }
        if self.stream.set_nonblocking(true).is_err() {
            return false;
        }
        let alive = loop {
            match self.stream.read(&mut probe) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => break e.kind() == io::ErrorKind::WouldBlock,
                Ok(_) => break false,
            }
        };
        alive && self.stream.set_nonblocking(false).is_ok()
    }

    /// Writes `out` (holding `count` commands) and reads `count` replies; `prompt`: the replies
    /// are expected at once (no blocking command), so they are polled for before sleeping.
    pub fn exchange(&mut self, out: &[u8], count: usize, prompt: bool) -> Result<Vec<Reply>, LinkError> {
        self.stream.write_all(out).map_err(LinkError::Io)?;
        self.sent = Some((Instant::now(), out.len()));
        let mut replies = Vec::with_capacity(count);
        for _ in 0..count {
            replies.push(self.read_reply(prompt)?);
        }
        Ok(replies)
    }

    fn read_reply(&mut self, prompt: bool) -> Result<Reply, LinkError> {
        loop {
            if self.rpos < self.rend {
                let (used, reply) = self
                    .decoder
                    .decode(&self.rbuf[self.rpos..self.rend])
                    .map_err(LinkError::Protocol)?;
                self.rpos += used;
                if let Some(reply) = reply {
                    if self.rpos == self.rend {
                        self.rpos = 0;
                        self.rend = 0;
                        // A huge reply (a long LRANGE) does not pin its buffer for good.
                        if self.rbuf.len() > MAX_IDLE_BUFFER {
                            self.rbuf = vec![0; READ_CHUNK];
                        }
                    }
                    return Ok(reply);
                }
            }
            if self.rpos > 0 {
                self.rbuf.copy_within(self.rpos..self.rend, 0);
                self.rend -= self.rpos;
                self.rpos = 0;
            }
            if self.rend == self.rbuf.len() {
                self.rbuf.resize(self.rbuf.len() + READ_CHUNK, 0);
            }
            match self.fill(prompt) {
                Ok(0) => return Err(LinkError::Closed),
                Ok(n) => self.rend += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(LinkError::Io(e)),
            }
        }
    }

    /// Reads what has arrived into the buffer: polling for up to the `busy_poll` budget (a
    /// yield between polls leaves the core to a runnable Redis), then sleeping in the kernel
    /// under the read timeout.
    fn fill(&mut self, prompt: bool) -> io::Result<usize> {
        let read = self.poll_then_read(prompt);
        if let (Ok(_), Some((at, bytes))) = (&read, self.sent.take()) {
            // Blocking commands wait by design: only prompt replies say how fast the link is.
            if prompt {
                self.poll.observe(at.elapsed(), bytes);
            }
        }
        read
    }

    fn poll_then_read(&mut self, prompt: bool) -> io::Result<usize> {
        if prompt && self.poll.wanted() {
            // The first read of a reply waits for the server to take in the request.
            let budget = self.poll.budget_for(self.sent.map_or(0, |(_, bytes)| bytes));
            let start = Instant::now();
            loop {
                match self.stream.try_read(&mut self.rbuf[self.rend..], false) {
                    None => break,
                    Some(Ok(n)) => return Ok(n),
                    Some(Err(e)) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted) => {}
                    Some(Err(e)) => return Err(e),
                }
                if start.elapsed() >= budget {
                    break;
                }
                std::thread::yield_now();
            }
        }
        self.stream.read(&mut self.rbuf[self.rend..])
    }
}
