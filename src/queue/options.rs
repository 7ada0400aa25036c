//! Queue options: the runbook's defaults, the `INTEGRATION_BUS_*` environment, then the
//! caller's explicit values, in that order of precedence (lowest first).
#![forbid(unsafe_code)]

use super::error::QueueError;
use super::payload::{JobTemplate, DEFAULT_JOB};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Default queue name (`INTEGRATION_BUS_QUEUE`).
    pub queue: String,
    /// Dead-letter list name (`INTEGRATION_BUS_DLQ`).
    pub dlq: String,
    /// Attempts before a failing job is dead-lettered (`INTEGRATION_BUS_MAX_ATTEMPTS`).
    pub max_attempts: u32,
    /// Delay before the first retry (`INTEGRATION_BUS_RETRY_SECONDS`).
    pub retry_seconds: u64,
    /// Growth of the delay per attempt (`INTEGRATION_BUS_BACKOFF_EXP`).
    pub backoff_exp: u32,
    /// Seconds a popped job stays reserved before it is handed out again
    /// (`INTEGRATION_BUS_VISIBILITY_TIMEOUT`, Laravel's `retry_after`).
    pub retry_after: u64,
    /// Seconds `pop` waits on `:notify` when the queue is empty; `None`: no wait,
    /// `Some(0)`: wait until a job comes (Laravel's `block_for`).
    pub block_for: Option<u64>,
    /// Key prefix; `None`: the connection's (Laravel's `prefix`).
    pub prefix: Option<String>,
    /// The handler written into payloads (`job`).
    pub job: String,
    /// Seconds a processed envelope is remembered for replay dedupe; 0 turns dedupe off.
    pub dedupe_ttl: u64,
    /// Jobs one pop script call reserves (AMQP's prefetch count); `pop` hands them out one
    /// at a time from a local buffer. 1: reserve only the job handed out.
    pub prefetch: u32,
    /// When `ack` writes to Redis.
    pub ack: AckMode,
    /// Replicas that must have each push (`WAIT`) before it returns; 0: do not wait.
    pub wait_replicas: u32,
    /// How long a push waits for them.
    pub wait_timeout: std::time::Duration,
    /// The Redis hash (under the prefix) the runbook's worker counters are kept in, written in
    /// the same round trip as each ack and fail; `None`: the queue counts nothing there.
    pub counters: Option<String>,
}

/// When an acknowledgement reaches Redis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AckMode {
    /// `ack` is its own round trip and says whether the job was still reserved.
    #[default]
    Sync,
    /// `ack` queues the removal; it is written in the same write as the next pop (or sizes)
    /// round trip, by `flush`, or when the queue is dropped. A crash before then redelivers
    /// the job after retry_after: a duplicate, never a loss.
    Deferred,
}

impl AckMode {
    /// The option's spelling: `sync` or `deferred`.
    pub fn parse(text: &str) -> Option<AckMode> {
        match text {
            "sync" => Some(AckMode::Sync),
            "deferred" => Some(AckMode::Deferred),
            _ => None,
        }
    }
}

pub const DEFAULT_QUEUE: &str = "integration-bus";
pub const DEFAULT_DLQ: &str = "integration-bus:dlq";
/// How long a push waits for `wait_replicas` by default.
pub const DEFAULT_WAIT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);
pub const DEFAULT_DEDUPE_TTL: u64 = 24 * 3600;
/// The longest delay computed by backoff (a year): keeps scores and timestamps sane.
pub const MAX_DELAY_SECONDS: u64 = 365 * 24 * 3600;
/// The largest `prefetch`: one pop script call stays short, and its reply and Lua tables small.
pub const MAX_PREFETCH: u32 = 1000;

impl Default for Options {
    /// The runbook's values, ignoring the environment.
    fn default() -> Self {
        Options {
            queue: DEFAULT_QUEUE.to_owned(),
            dlq: DEFAULT_DLQ.to_owned(),
            max_attempts: 5,
            retry_seconds: 120,
            backoff_exp: 2,
            retry_after: 900,
            block_for: None,
            prefix: None,
            job: DEFAULT_JOB.to_owned(),
            dedupe_ttl: DEFAULT_DEDUPE_TTL,
            prefetch: 1,
            ack: AckMode::Sync,
            wait_replicas: 0,
            wait_timeout: DEFAULT_WAIT_TIMEOUT,
            counters: None,
        }
    }
}

impl Options {
    /// The runbook's defaults overridden by the `INTEGRATION_BUS_*` environment variables.
    pub fn from_env() -> Result<Options, QueueError> {
        Options::from_lookup(|name| std::env::var(name).ok())
    }

    /// As `from_env`, reading variables through `lookup` (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Options, QueueError> {
        let mut o = Options::default();
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        if let Some(v) = get("INTEGRATION_BUS_QUEUE") {
            o.queue = v;
        }
        if let Some(v) = get("INTEGRATION_BUS_DLQ") {
            o.dlq = v;
        }
        if let Some(v) = get("INTEGRATION_BUS_MAX_ATTEMPTS") {
            o.max_attempts = number(&v, "INTEGRATION_BUS_MAX_ATTEMPTS")?;
        }
        if let Some(v) = get("INTEGRATION_BUS_RETRY_SECONDS") {
            o.retry_seconds = number(&v, "INTEGRATION_BUS_RETRY_SECONDS")?;
        }
        if let Some(v) = get("INTEGRATION_BUS_BACKOFF_EXP") {
            o.backoff_exp = number(&v, "INTEGRATION_BUS_BACKOFF_EXP")?;
        }
        if let Some(v) = get("INTEGRATION_BUS_VISIBILITY_TIMEOUT") {
            o.retry_after = number(&v, "INTEGRATION_BUS_VISIBILITY_TIMEOUT")?;
        }
        o.validate()?;
        Ok(o)
    }

    /// Refuses values the queue cannot work with.
    pub fn validate(&self) -> Result<(), QueueError> {
        if self.queue.is_empty() || self.dlq.is_empty() {
            return Err(QueueError::config("queue and dlq names must not be empty"));
        }
        if self.counters.as_deref() == Some("") {
            return Err(QueueError::config("counters must name a Redis hash, or be null"));
        }
        if self.max_attempts == 0 {
            return Err(QueueError::config("max_attempts must be at least 1"));
        }
        if self.retry_after == 0 {
            return Err(QueueError::config(
                "retry_after (visibility timeout) must be at least 1 second",
            ));
        }
        if !(1..=MAX_PREFETCH).contains(&self.prefetch) {
            return Err(QueueError::config(format!(
                "prefetch must be between 1 and {MAX_PREFETCH}"
            )));
        }
        if self.backoff_exp == 0 {
            return Err(QueueError::config("backoff_exp must be at least 1"));
        }
        if !self.job.contains('@') || self.job.starts_with('@') {
            return Err(QueueError::config(
                "job must be a Laravel handler, Class@method",
            ));
        }
        Ok(())
    }

    /// Seconds before retry after failed attempt `attempt` (from 1):
    /// `retry_seconds × backoff_exp^(attempt−1)`, saturating at a year.
    pub fn backoff_seconds(&self, attempt: u64) -> u64 {
        let exponent = u32::try_from(attempt.saturating_sub(1)).unwrap_or(u32::MAX);
        u64::from(self.backoff_exp)
            .checked_pow(exponent)
            .and_then(|factor| factor.checked_mul(self.retry_seconds))
            .unwrap_or(MAX_DELAY_SECONDS)
            .min(MAX_DELAY_SECONDS)
    }

    /// What new payloads say besides the envelope: our handler, `maxTries` = max_attempts and
    /// the same backoff schedule, so a stock Laravel worker retries as this client would.
    pub fn job_template(&self) -> JobTemplate {
        let schedule: Vec<String> = (1..u64::from(self.max_attempts).max(2))
            .take(64)
            .map(|a| self.backoff_seconds(a).to_string())
            .collect();
        JobTemplate {
            job: self.job.clone(),
            max_tries: Some(self.max_attempts),
            backoff: Some(schedule.join(",")),
            ..JobTemplate::default()
        }
    }
}

fn number<T: std::str::FromStr>(value: &str, name: &str) -> Result<T, QueueError> {
    value
        .parse()
        .map_err(|_| QueueError::config(format!("{name} must be a non-negative integer")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn defaults_are_the_runbooks() {
        let o = Options::from_lookup(env(&[])).unwrap();
        assert_eq!(o, Options::default());
        assert_eq!(
            (o.queue.as_str(), o.dlq.as_str()),
            ("integration-bus", "integration-bus:dlq")
        );
        assert_eq!(
            (
                o.max_attempts,
                o.retry_seconds,
                o.backoff_exp,
                o.retry_after
            ),
            (5, 120, 2, 900)
        );
        assert_eq!(o.block_for, None);
        assert_eq!((o.prefetch, o.ack), (1, AckMode::Sync));
    }

    #[test]
    fn prefetch_is_between_1_and_its_maximum() {
        for (prefetch, ok) in [(0, false), (1, true), (MAX_PREFETCH, true), (MAX_PREFETCH + 1, false)] {
            let o = Options { prefetch, ..Options::default() };
            assert_eq!(o.validate().is_ok(), ok, "{prefetch}");
        }
    }

    #[test]
    fn ack_modes_are_spelled_sync_and_deferred() {
        assert_eq!(AckMode::parse("sync"), Some(AckMode::Sync));
        assert_eq!(AckMode::parse("deferred"), Some(AckMode::Deferred));
        assert_eq!(AckMode::parse("async"), None);
    }

    #[test]
    fn integration_bus_environment_variables_override_defaults() {
        let o = Options::from_lookup(env(&[
            ("INTEGRATION_BUS_QUEUE", "integration-bus-v2"),
            ("INTEGRATION_BUS_DLQ", "bus:dead"),
            ("INTEGRATION_BUS_MAX_ATTEMPTS", "3"),
            ("INTEGRATION_BUS_RETRY_SECONDS", "10"),
            ("INTEGRATION_BUS_BACKOFF_EXP", "3"),
            ("INTEGRATION_BUS_VISIBILITY_TIMEOUT", " 60 "),
        ]))
        .unwrap();
        assert_eq!(o.queue, "integration-bus-v2");
        assert_eq!(o.dlq, "bus:dead");
        assert_eq!(
            (
                o.max_attempts,
                o.retry_seconds,
                o.backoff_exp,
                o.retry_after
            ),
            (3, 10, 3, 60)
        );
    }

    #[test]
    fn invalid_environment_values_are_config_errors() {
        for (k, v) in [
            ("INTEGRATION_BUS_MAX_ATTEMPTS", "five"),
            ("INTEGRATION_BUS_MAX_ATTEMPTS", "0"),
            ("INTEGRATION_BUS_RETRY_SECONDS", "-1"),
            ("INTEGRATION_BUS_BACKOFF_EXP", "1.5"),
            ("INTEGRATION_BUS_VISIBILITY_TIMEOUT", "0"),
        ] {
            assert!(Options::from_lookup(env(&[(k, v)])).is_err(), "{k}={v}");
        }
    }

    #[test]
    fn attempt_n_waits_retry_seconds_times_backoff_exp_to_the_n_minus_1() {
        let o = Options::default();
        let waits: Vec<u64> = (1..=5).map(|n| o.backoff_seconds(n)).collect();
        assert_eq!(waits, [120, 240, 480, 960, 1920]);
        assert_eq!(o.backoff_seconds(0), 120, "attempt 0 counts as the first");
        let linear = Options {
            backoff_exp: 1,
            retry_seconds: 30,
            ..Options::default()
        };
        assert_eq!(linear.backoff_seconds(7), 30);
    }

    #[test]
    fn backoff_saturates_instead_of_overflowing() {
        let o = Options::default();
        assert_eq!(o.backoff_seconds(200), MAX_DELAY_SECONDS);
        assert_eq!(o.backoff_seconds(u64::MAX), MAX_DELAY_SECONDS);
        let huge = Options {
            retry_seconds: u64::MAX,
            ..Options::default()
        };
        assert_eq!(huge.backoff_seconds(2), MAX_DELAY_SECONDS);
    }

    #[test]
    fn payloads_carry_the_same_retry_policy_for_stock_workers() {
        let t = Options::default().job_template();
        assert_eq!(t.max_tries, Some(5));
        assert_eq!(t.backoff.as_deref(), Some("120,240,480,960"));
        assert_eq!(t.job, DEFAULT_JOB);
        let once = Options {
            max_attempts: 1,
            ..Options::default()
        }
        .job_template();
        assert_eq!(once.backoff.as_deref(), Some("120"));
    }
}
