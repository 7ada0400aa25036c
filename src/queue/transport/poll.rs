//! Busy polling: how long a reply is polled for before the thread sleeps on it, and whether
//! polling pays on this link at all (judged per window of round trips from the fastest reply).
//! Decisions only; the reads themselves are `link`'s.
#![forbid(unsafe_code)]

use std::time::Duration;

/// How long a reply is polled for before the thread sleeps in the kernel (`busy_poll`).
pub const DEFAULT_BUSY_POLL: Duration = Duration::from_micros(100);
/// The most `busy_poll` accepts: past this, sleeping is the cheaper wait.
pub const MAX_BUSY_POLL: Duration = Duration::from_millis(10);
/// How much longer the reply to a request is polled for, per KiB the request holds: the
/// server must read and store it before it can answer. Measured here: ~150 µs for a 100-job
/// batch of 1.5 KB jobs, about 1 µs per KiB; past the fixed budget, sleeping and being woken
/// cost such a batch ~7 %.
const POLL_PER_KIB: Duration = Duration::from_micros(1);
/// Round trips per busy-poll decision: polling goes on (or stays on) for the next window when
/// the fastest reply of this one came within the budget.
const POLL_WINDOW: u32 = 64;

/// Whether to poll a socket for a reply (for up to `budget`) before sleeping on it, decided
/// per window of round trips from the fastest reply in the last one: that is the link's floor.
/// A remote or overloaded server, whose fastest reply still outlasts the budget, stops the
/// polling after one window; slow commands on a fast link (a large batch, a long script) do
/// not, since the link's other replies keep the floor low.
#[derive(Debug, Clone, Copy)]
pub struct BusyPoll {
    budget: Duration,
    polling: bool,
    fastest: Duration,
    seen: u32,
}

impl BusyPoll {
    pub fn new(budget: Duration) -> BusyPoll {
        BusyPoll { budget, polling: !budget.is_zero(), fastest: Duration::MAX, seen: 0 }
    }

    pub fn wanted(&self) -> bool {
        self.polling
    }

    /// How long the reply to a request of `bytes` is polled for: the budget, plus the server's
    /// time to take in that many bytes, within `MAX_BUSY_POLL`.
    pub fn budget_for(&self, bytes: usize) -> Duration {
        (self.budget + allowance(bytes)).min(MAX_BUSY_POLL)
    }

    /// The time from the write of a request of `bytes` to the first bytes of its reply. The
    /// link is judged on the time beyond the request's size allowance.
    pub fn observe(&mut self, round_trip: Duration, bytes: usize) {
        self.fastest = self.fastest.min(round_trip.saturating_sub(allowance(bytes)));
        self.seen += 1;
        if self.seen == POLL_WINDOW {
            self.polling = !self.budget.is_zero() && self.fastest <= self.budget;
            self.fastest = Duration::MAX;
            self.seen = 0;
        }
    }
}

/// The server's time to read and store a request of `bytes`, at `POLL_PER_KIB`.
fn allowance(bytes: usize) -> Duration {
    POLL_PER_KIB.saturating_mul(u32::try_from(bytes / 1024).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_polling_follows_the_fastest_reply_of_each_window() {
        let us = Duration::from_micros;
        let mut poll = BusyPoll::new(us(100));
        assert!(poll.wanted(), "a new link polls until it knows better");
        // A remote server: even its fastest reply outlasts the budget; polling stops after
        // one window.
        for _ in 0..POLL_WINDOW {
            assert!(poll.wanted());
            poll.observe(us(400), 0);
        }
        assert!(!poll.wanted());
        // Mostly slow replies (large batches, long scripts) with one prompt one: a fast link.
        for i in 0..POLL_WINDOW {
            poll.observe(if i == 7 { us(25) } else { us(900) }, 0);
        }
        assert!(poll.wanted());
        for _ in 0..POLL_WINDOW {
            poll.observe(us(60), 0);
        }
        assert!(poll.wanted());
        assert!(!BusyPoll::new(Duration::ZERO).wanted());
        let mut off = BusyPoll::new(Duration::ZERO);
        for _ in 0..POLL_WINDOW {
            off.observe(us(1), 0);
        }
        assert!(!off.wanted(), "busy_poll 0 never polls");
    }

    #[test]
    fn a_large_request_is_polled_for_longer_and_the_link_judged_without_it() {
        let us = Duration::from_micros;
        let mut poll = BusyPoll::new(us(100));
        assert_eq!(poll.budget_for(300), us(100));
        assert_eq!(poll.budget_for(160 * 1024), us(260), "a 100-job batch");
        assert_eq!(poll.budget_for(usize::MAX), MAX_BUSY_POLL, "never past the most busy_poll accepts");
        assert_eq!(BusyPoll::new(MAX_BUSY_POLL).budget_for(1 << 20), MAX_BUSY_POLL);
        // Batches answered in 200 µs on a fast link: within their allowance, polling stays on.
        for _ in 0..POLL_WINDOW {
            poll.observe(us(200), 160 * 1024);
        }
        assert!(poll.wanted());
        // Small requests answered in 200 µs: a slow link.
        for _ in 0..POLL_WINDOW {
            poll.observe(us(200), 100);
        }
        assert!(!poll.wanted());
    }
}
