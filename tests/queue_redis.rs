//! The queue operations against a real redis-server, one rule per test.
#![forbid(unsafe_code)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use phpgrc_bus::document::DocNode;
use phpgrc_bus::queue::resp::Reply;
use phpgrc_bus::queue::{
    AckMode, Acked, Connection, ConnectionConfig, NewJob, Options, Outcome, Queue, Rejection, Reserved,
    VALIDATION_FAILED,
};
use serde_json::Value;
use support::{accept, bounded, envelope, headers, queue, raw, RedisServer};

const LIMIT: Duration = Duration::from_secs(30);

fn bulk_list(reply: Reply) -> Vec<Vec<u8>> {
    match reply {
        Reply::Array(items) => items
            .into_iter()
            .filter_map(|r| r.as_bytes().map(<[u8]>::to_vec))
            .collect(),
        other => panic!("not an array: {other:?}"),
    }
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn score(conn: &mut Connection, key: &str, member: &[u8]) -> i64 {
    let reply = conn.command(&[b"ZSCORE", key.as_bytes(), member]).unwrap();
    String::from_utf8(reply.as_bytes().unwrap().to_vec())
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn a_pushed_job_pops_with_its_envelope_bytes_headers_and_attempt_1() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    bounded(LIMIT, move || {
        let env = envelope(1);
        let id = q.push(None, env.as_bytes(), &headers()).unwrap();
        let job = q.pop(None, None, accept).unwrap().expect("a job");
        assert_eq!(job.id(), id);
        assert_eq!(job.queue(), "integration-bus");
        assert_eq!(job.attempts(), 1);
        assert_eq!(
            job.envelope_json(),
            env.as_bytes(),
            "byte for byte, big integers included"
        );
        assert_eq!(job.envelope().unwrap()["kind"], "asset.discovery");
        assert_eq!(
            job.headers().unwrap()["x-phpgrc-run-id"],
            "01JDRUN000000000000000000A"
        );
        assert_eq!(json(job.raw_payload())["attempts"], 1);
        assert!(q.pop(None, None, accept).unwrap().is_none());
    });
}

#[test]
fn a_push_writes_laravels_keys_and_one_notify_token() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        let id = q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
        let ready = bulk_list(
            r.command(&[b"LRANGE", b"queues:integration-bus", b"0", b"-1"])
                .unwrap(),
        );
        assert_eq!(ready.len(), 1);
        let payload = json(&ready[0]);
        assert_eq!(payload["id"], id.as_str());
        assert_eq!(payload["uuid"], id.as_str());
        assert_eq!(payload["job"], "PhpGrc\\Bus\\Laravel\\EnvelopeJob@handle");
        assert_eq!(payload["attempts"], 0);
        assert_eq!(payload["maxTries"], 5);
        assert_eq!(
            r.command(&[b"LLEN", b"queues:integration-bus:notify"])
                .unwrap(),
            Reply::Integer(1)
        );
    });
}

#[test]
fn ack_removes_exactly_the_reserved_bytes() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
        let job = q.pop(None, None, accept).unwrap().unwrap();
        let reserved = bulk_list(
            r.command(&[b"ZRANGE", b"queues:integration-bus:reserved", b"0", b"-1"])
                .unwrap(),
        );
        assert_eq!(reserved, vec![job.raw_payload().to_vec()]);
        let until = score(&mut r, "queues:integration-bus:reserved", job.raw_payload());
        assert!(
            (until - (now() + 900)).abs() <= 2,
            "reserved until now + retry_after"
        );
        assert_eq!(q.ack(&job).unwrap(), Acked::Removed);
        assert_eq!(q.size(None).unwrap(), 0);
        assert_eq!(q.ack(&job).unwrap(), Acked::NotReserved, "a second ack finds nothing");
        assert_eq!(q.stats().acked, 2);
    });
}

#[test]
fn release_delays_by_the_backoff_and_keeps_the_reserved_bytes() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
        let job = q.pop(None, None, accept).unwrap().unwrap();
        assert_eq!(
            q.release(&job, None).unwrap(),
            Outcome::Released { delay: 120 }
        );
        let delayed = bulk_list(
            r.command(&[b"ZRANGE", b"queues:integration-bus:delayed", b"0", b"-1"])
                .unwrap(),
        );
        assert_eq!(
            delayed,
            vec![job.raw_payload().to_vec()],
            "as Laravel: the reserved bytes, attempts 1"
        );
        let due = score(&mut r, "queues:integration-bus:delayed", job.raw_payload());
        assert!((due - (now() + 120)).abs() <= 2);
        assert_eq!(
            q.release(&job, Some(5)).unwrap(),
            Outcome::NotReserved,
            "never twice"
        );
        let sizes = q.sizes(None).unwrap();
        assert_eq!((sizes.ready, sizes.delayed, sizes.reserved), (0, 1, 0));
    });
}

#[test]
fn fail_annotates_the_error_contract_and_redelays_with_backoff() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
        let job = q.pop(None, None, accept).unwrap().unwrap();
        assert_eq!(
            q.fail(&job, "HTTP_503", "upstream unavailable").unwrap(),
            Outcome::Released { delay: 120 }
        );
        let delayed = bulk_list(
            r.command(&[b"ZRANGE", b"queues:integration-bus:delayed", b"0", b"-1"])
                .unwrap(),
        );
        let payload = json(&delayed[0]);
        let error = &payload["data"]["error"];
        assert_eq!(error["code"], "HTTP_503");
        assert_eq!(error["message"], "upstream unavailable");
        assert_eq!(error["attempt"], 1);
        assert_eq!(error["maxAttempts"], 5);
        assert!(error["retryAt"].as_str().unwrap().ends_with('Z'));
        assert!(error["occurredAt"].as_str().unwrap().ends_with('Z'));
        assert_eq!(payload["attempts"], 1);
        assert!(String::from_utf8_lossy(&delayed[0]).contains("\"big\":12345678901234567890"));
    });
}

#[test]
fn exhausted_attempts_land_in_the_dlq_with_the_full_error() {
    let server = RedisServer::start();
    let options = Options {
        max_attempts: 2,
        retry_seconds: 0,
        ..Options::default()
    };
    let mut q = queue(&server, options);
    bounded(LIMIT, move || {
        let id = q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
        let job = q.pop(None, None, accept).unwrap().unwrap();
        assert_eq!(
            q.fail(&job, "E1", "first").unwrap(),
            Outcome::Released { delay: 0 }
        );
        let job = q
            .pop(None, None, accept)
            .unwrap()
            .expect("due again at once");
        assert_eq!(job.attempts(), 2);
        assert_eq!(
            job.envelope().unwrap()["error"]["code"],
            "E1",
            "the worker sees the last error"
        );
        assert_eq!(q.fail(&job, "E2", "second").unwrap(), Outcome::DeadLettered);
        assert_eq!(q.size(None).unwrap(), 0);
        let dead = q.dead_letters(10).unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].id.as_deref(), Some(id.as_str()));
        assert_eq!(dead[0].queue.as_deref(), Some("integration-bus"));
        let payload = json(&dead[0].raw);
        let error = &payload["data"]["error"];
        assert_eq!(
            (
                error["code"].as_str(),
                error["attempt"].as_u64(),
                error["maxAttempts"].as_u64()
            ),
            (Some("E2"), Some(2), Some(2))
        );
        assert_eq!(q.stats().dead_lettered, 1);
    });
}

#[test]
fn release_of_an_exhausted_job_dead_letters_it_saying_why() {
    let server = RedisServer::start();
    let mut q = queue(
        &server,
        Options {
            max_attempts: 1,
            ..Options::default()
        },
    );
    bounded(LIMIT, move || {
        q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
        let job = q.pop(None, None, accept).unwrap().unwrap();
        assert_eq!(q.release(&job, Some(10)).unwrap(), Outcome::DeadLettered);
        let dead = q.dead_letters(10).unwrap();
        // The error contract: a dead letter keeps an error object that says why.
        let error = &json(&dead[0].raw)["data"]["error"];
        assert_eq!(error["code"], "MAX_ATTEMPTS_EXCEEDED");
        assert_eq!((error["attempt"].as_u64(), error["maxAttempts"].as_u64()), (Some(1), Some(1)));
        assert!(error["occurredAt"].as_str().is_some_and(|t| t.ends_with('Z')));
    });
}

#[test]
fn retry_dead_letter_moves_it_back_to_its_queue_with_attempts_reset() {
    let server = RedisServer::start();
    let mut q = queue(
        &server,
        Options {
            max_attempts: 1,
            ..Options::default()
        },
    );
    bounded(LIMIT, move || {
        let id = q
            .push(Some("other"), envelope(1).as_bytes(), &headers())
            .unwrap();
        let job = q.pop(Some("other"), None, accept).unwrap().unwrap();
        assert_eq!(q.fail(&job, "E", "m").unwrap(), Outcome::DeadLettered);
        assert!(!q.retry_dead_letter("no-such-id").unwrap());
        assert!(q.retry_dead_letter(&id).unwrap());
        assert!(!q.retry_dead_letter(&id).unwrap(), "moved once");
        assert!(q.dead_letters(10).unwrap().is_empty());
        let job = q
            .pop(Some("other"), None, accept)
            .unwrap()
            .expect("back in its own queue");
        assert_eq!(job.id(), id);
        assert_eq!(job.attempts(), 1);
        assert_eq!(job.envelope().unwrap()["error"]["code"], "E");
        assert!(!String::from_utf8_lossy(job.popped_payload()).contains("\"queue\""));
    });
}

#[test]
fn a_job_the_check_rejects_is_dead_lettered_with_validation_failed_and_the_next_one_returned() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    bounded(LIMIT, move || {
        let bad = q
            .push(
                None,
                envelope(1).as_bytes(),
                &[("x-phpgrc-kind".into(), "vendor.profile".into())],
            )
            .unwrap();
        let good = q.push(None, envelope(2).as_bytes(), &headers()).unwrap();
        // The check is handed the envelope the queue parsed.
        let check = |job: &Reserved, envelope: Option<DocNode<'_>>| {
            let kind = job
                .headers()
                .and_then(|h| h["x-phpgrc-kind"].as_str().map(str::to_owned));
            if kind.as_deref() == envelope.and_then(|e| e.member("kind")).and_then(|k| k.text()) {
                Ok(())
            } else {
                Err(Rejection::validation_failed(
                    "x-phpgrc-kind does not match kind",
                ))
            }
        };
        let job = q.pop(None, None, check).unwrap().unwrap();
        assert_eq!(job.id(), good);
        let dead = q.dead_letters(10).unwrap();
        assert_eq!(dead[0].id.as_deref(), Some(bad.as_str()));
        let error = &json(&dead[0].raw)["data"]["error"];
        assert_eq!(error["code"], VALIDATION_FAILED);
        assert_eq!(error["message"], "x-phpgrc-kind does not match kind");
    });
}

#[test]
fn unreadable_payloads_are_dead_lettered_as_they_are() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        r.command(&[b"RPUSH", b"queues:integration-bus", b"not json at all"])
            .unwrap();
        r.command(&[
            b"RPUSH",
            b"queues:integration-bus",
            br#"{"attempts":0,"data":{}}"#,
        ])
        .unwrap();
        let good = q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
        let job = q.pop(None, None, accept).unwrap().unwrap();
        assert_eq!(job.id(), good);
        let dead: Vec<Vec<u8>> = q
            .dead_letters(10)
            .unwrap()
            .into_iter()
            .map(|d| d.raw)
            .collect();
        assert_eq!(dead.len(), 2);
        assert_eq!(
            dead[0], b"not json at all",
            "moved by the pop script, bytes kept"
        );
        assert_eq!(
            json(&dead[1])["attempts"],
            1,
            "no id: moved by the client after reserving"
        );
        assert_eq!(
            q.sizes(None).unwrap().reserved,
            1,
            "only the good job stays reserved"
        );
    });
}

#[test]
fn a_replayed_envelope_already_processed_is_acknowledged_and_skipped() {
    // A deferred ack's SET goes before the next pop script in the same write: same result.
    for ack in [AckMode::Sync, AckMode::Deferred] {
        replayed_envelope_is_skipped(Options { ack, ..Options::default() });
    }
}

fn replayed_envelope_is_skipped(options: Options) {
    let server = RedisServer::start();
    let mut q = queue(&server, options);
    bounded(LIMIT, move || {
        let replay = envelope(1).replace(
            r#""externalId":"i-1","#,
            r#""externalId":"i-1","replay":true,"#,
        );
        // First processing (not a replay) is remembered on ack.
        q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
        let job = q.pop(None, None, accept).unwrap().unwrap();
        q.ack(&job).unwrap();
        // The replay of the same (connectorKey, externalId, kind) and payload is skipped.
        q.push(None, replay.as_bytes(), &headers()).unwrap();
        assert!(q.pop(None, None, accept).unwrap().is_none());
        assert_eq!(q.stats().replays_skipped, 1);
        assert_eq!(q.size(None).unwrap(), 0, "acknowledged, not left reserved");
        // A replay whose payload changed is processed.
        let changed = replay.replace(r#""name":"é""#, r#""name":"changed""#);
        q.push(None, changed.as_bytes(), &headers()).unwrap();
        assert!(q.pop(None, None, accept).unwrap().is_some());
    });
}

#[test]
fn a_job_popped_with_dedupe_off_is_still_remembered_when_acknowledged_with_it_on() {
    // The replay identity is read at pop only when dedupe is on; the acking queue reads it then.
    let server = RedisServer::start();
    let mut off = queue(&server, Options { dedupe_ttl: 0, ..Options::default() });
    let mut on = queue(&server, Options::default());
    bounded(LIMIT, move || {
        off.push(None, envelope(1).as_bytes(), &headers()).unwrap();
        let job = off.pop(None, None, accept).unwrap().unwrap();
        on.ack(&job).unwrap();
        let (key, _) = phpgrc_bus::queue::ReplayKey::of_json(job.envelope_json());
        assert!(on.was_processed(&key.unwrap()).unwrap());
    });
}

#[test]
fn dedupe_marks_expire_after_the_ttl() {
    let server = RedisServer::start();
    let mut q = queue(
        &server,
        Options {
            dedupe_ttl: 1,
            ..Options::default()
        },
    );
    bounded(LIMIT, move || {
        let key = phpgrc_bus::queue::ReplayKey {
            connector_key: "c".into(),
            external_id: "e".into(),
            kind: "asset.discovery".into(),
            checksum: "ab".into(),
        };
        assert!(!q.was_processed(&key).unwrap());
        q.mark_processed(&key).unwrap();
        assert!(q.was_processed(&key).unwrap());
        assert!(!q
            .was_processed(&phpgrc_bus::queue::ReplayKey {
                checksum: "cd".into(),
                ..key.clone()
            })
            .unwrap());
        std::thread::sleep(Duration::from_millis(2100));
        assert!(!q.was_processed(&key).unwrap());
    });
}

#[test]
fn push_batch_enqueues_every_job_in_order() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        let envelopes: Vec<String> = (0..1200).map(envelope).collect();
        let h = headers();
        let jobs: Vec<NewJob> = envelopes
            .iter()
            .map(|e| NewJob {
                envelope_json: e.as_bytes(),
                headers: &h,
            })
            .collect();
        let ids = q.push_batch(None, &jobs).unwrap();
        assert_eq!(ids.len(), 1200);
        assert_eq!(q.size(None).unwrap(), 1200);
        assert_eq!(
            r.command(&[b"LLEN", b"queues:integration-bus:notify"])
                .unwrap(),
            Reply::Integer(1200)
        );
        for expected in ids.iter().take(3) {
            assert_eq!(q.pop(None, None, accept).unwrap().unwrap().id(), expected);
        }
        assert_eq!(q.stats().pushed, 1200);
    });
}

#[test]
fn a_batch_sends_nothing_until_finished_and_nothing_when_dropped() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        let h = headers();
        let envelopes: Vec<String> = (0..150).map(envelope).collect();
        // Opened for fewer jobs than it gets: more ids are drawn as it grows.
        let mut batch = q.batch(None, 1).unwrap();
        for e in &envelopes {
            batch.add(e.as_bytes(), &h).unwrap();
        }
        assert_eq!(r.command(&[b"LLEN", b"queues:integration-bus"]).unwrap(), Reply::Integer(0));
        drop(batch);
        assert_eq!(q.size(None).unwrap(), 0);
        assert_eq!(r.command(&[b"LLEN", b"queues:integration-bus:notify"]).unwrap(), Reply::Integer(0));

        let mut batch = q.batch(None, 1).unwrap();
        for e in &envelopes {
            batch.add(e.as_bytes(), &h).unwrap();
        }
        let ids = batch.finish().unwrap();
        assert_eq!(ids.len(), 150);
        assert_eq!(ids.iter().collect::<std::collections::HashSet<_>>().len(), 150, "ids are distinct");
        assert_eq!(r.command(&[b"LLEN", b"queues:integration-bus:notify"]).unwrap(), Reply::Integer(150));
        for (id, e) in ids.iter().zip(&envelopes).take(3) {
            let job = q.pop(None, None, accept).unwrap().unwrap();
            assert_eq!(job.id(), id);
            assert_eq!(job.envelope_json(), e.as_bytes());
        }
        assert_eq!(q.stats().pushed, 150);
    });
}

#[test]
fn a_batch_with_one_bad_envelope_enqueues_nothing() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    bounded(LIMIT, move || {
        let good = envelope(1);
        let h = headers();
        let jobs = [
            NewJob {
                envelope_json: good.as_bytes(),
                headers: &h,
            },
            NewJob {
                envelope_json: b"[not an object]",
                headers: &h,
            },
        ];
        let e = q.push_batch(None, &jobs).unwrap_err();
        assert!(e.to_string().starts_with("job 1:"), "{e}");
        assert_eq!(q.size(None).unwrap(), 0);
    });
}

#[test]
fn later_jobs_wait_in_delayed_until_due() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    bounded(LIMIT, move || {
        q.later(None, 3600, envelope(1).as_bytes(), &headers())
            .unwrap();
        let due_now = q
            .later(None, 0, envelope(2).as_bytes(), &headers())
            .unwrap();
        let sizes = q.sizes(None).unwrap();
        assert_eq!((sizes.ready, sizes.delayed), (0, 2));
        let job = q.pop(None, None, accept).unwrap().expect("the job due now");
        assert_eq!(job.id(), due_now);
        assert!(
            q.pop(None, None, accept).unwrap().is_none(),
            "the other is not due"
        );
        assert_eq!(q.size(None).unwrap(), 2);
    });
}

#[test]
fn an_expired_reservation_comes_back_and_the_late_worker_cannot_touch_it() {
    let server = RedisServer::start();
    let mut q = queue(
        &server,
        Options {
            retry_after: 1,
            ..Options::default()
        },
    );
    bounded(LIMIT, move || {
        let id = q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
        let first = q.pop(None, None, accept).unwrap().unwrap();
        assert!(q.pop(None, None, accept).unwrap().is_none());
        std::thread::sleep(Duration::from_millis(2100));
        let second = q
            .pop(None, None, accept)
            .unwrap()
            .expect("reservation expired");
        assert_eq!(second.id(), id);
        assert_eq!(second.attempts(), 2);
        assert_eq!(q.release(&first, None).unwrap(), Outcome::NotReserved);
        assert_eq!(q.fail(&first, "E", "late").unwrap(), Outcome::NotReserved);
        assert_eq!(q.ack(&first).unwrap(), Acked::NotReserved);
        assert_eq!(q.ack(&second).unwrap(), Acked::Removed);
        assert_eq!(q.size(None).unwrap(), 0);
        assert!(q.dead_letters(10).unwrap().is_empty());
    });
}

#[test]
fn a_blocking_pop_returns_nothing_after_its_timeout() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    bounded(LIMIT, move || {
        let started = Instant::now();
        assert!(q.pop(None, Some(1), accept).unwrap().is_none());
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
            "{waited:?}"
        );
    });
}

#[test]
fn a_blocking_pop_wakes_up_when_a_job_is_pushed() {
    let server = RedisServer::start();
    let url = server.url();
    let mut q = queue(
        &server,
        Options {
            block_for: Some(10),
            ..Options::default()
        },
    );
    bounded(LIMIT, move || {
        let pusher = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            // Its own connection: the blocked one is busy.
            let conn = Arc::new(Mutex::new(Connection::new(
                ConnectionConfig::parse(&url).unwrap(),
            )));
            let mut q = Queue::with_connection(conn, Options::default()).unwrap();
            q.push(None, envelope(1).as_bytes(), &headers()).unwrap()
        });
        let started = Instant::now();
        let job = q
            .pop(None, None, accept)
            .unwrap()
            .expect("woken by the push");
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(job.id(), pusher.join().unwrap());
    });
}

#[test]
fn the_prefix_goes_before_every_key() {
    let server = RedisServer::start();
    let mut q = queue(
        &server,
        Options {
            prefix: Some("laravel_database_".into()),
            max_attempts: 1,
            ..Options::default()
        },
    );
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
        assert_eq!(
            r.command(&[b"LLEN", b"laravel_database_queues:integration-bus"])
                .unwrap(),
            Reply::Integer(1)
        );
        let job = q.pop(None, None, accept).unwrap().unwrap();
        q.fail(&job, "E", "m").unwrap();
        assert_eq!(
            r.command(&[b"LLEN", b"laravel_database_integration-bus:dlq"])
                .unwrap(),
            Reply::Integer(1)
        );
        assert_eq!(
            r.command(&[b"EXISTS", b"queues:integration-bus"]).unwrap(),
            Reply::Integer(0)
        );
    });
}

#[test]
fn a_payload_in_laravels_json_encode_style_is_popped_with_attempts_raised_in_place() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        // As PHP's json_encode writes it: escaped slashes, attempts last.
        let env = envelope(1).replace('/', "\\/");
        let payload = format!(
            r#"{{"uuid":"u-1","displayName":"PhpGrc\\Bus\\Laravel\\EnvelopeJob","job":"PhpGrc\\Bus\\Laravel\\EnvelopeJob@handle","maxTries":null,"maxExceptions":null,"failOnTimeout":false,"backoff":null,"timeout":null,"data":{env},"id":"laravel-id","attempts":0}}"#
        );
        r.command(&[b"RPUSH", b"queues:integration-bus", payload.as_bytes()])
            .unwrap();
        let job = q.pop(None, None, accept).unwrap().unwrap();
        assert_eq!(job.id(), "laravel-id");
        assert_eq!(job.attempts(), 1);
        assert_eq!(job.envelope_json(), env.as_bytes());
        let mut expected = payload.into_bytes();
        expected.truncate(expected.len() - 2);
        expected.extend_from_slice(b"1}");
        assert_eq!(
            job.raw_payload(),
            expected.as_slice(),
            "only attempts changed"
        );
        assert!(job.headers().is_none());
    });
}

#[test]
fn a_payload_with_attempts_elsewhere_is_reencoded_as_laravel_does() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        let payload = format!(r#"{{"attempts":2,"id":"cjson-id","data":{}}}"#, envelope(1));
        r.command(&[b"RPUSH", b"queues:integration-bus", payload.as_bytes()])
            .unwrap();
        let job = q.pop(None, None, accept).unwrap().unwrap();
        assert_eq!(job.attempts(), 3);
        assert_eq!(json(job.raw_payload())["attempts"], 3);
        assert_eq!(
            job.envelope_json(),
            envelope(1).as_bytes(),
            "read from the popped bytes"
        );
        assert_eq!(q.ack(&job).unwrap(), Acked::Removed);
    });
}

#[test]
fn scripts_are_sent_again_after_the_server_forgets_them() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
        r.command(&[b"SCRIPT", b"FLUSH"]).unwrap();
        q.push(None, envelope(2).as_bytes(), &headers()).unwrap();
        r.command(&[b"SCRIPT", b"FLUSH"]).unwrap();
        assert!(q.pop(None, None, accept).unwrap().is_some());
        assert_eq!(q.size(None).unwrap(), 2);
    });
}

#[test]
fn jobs_due_in_bulk_all_come_back_over_successive_pops() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    bounded(LIMIT, move || {
        for n in 0..1500 {
            q.later(None, 0, envelope(n).as_bytes(), &headers())
                .unwrap();
        }
        let mut seen = 0;
        while let Some(job) = q.pop(None, None, accept).unwrap() {
            q.ack(&job).unwrap();
            seen += 1;
        }
        assert_eq!(seen, 1500);
    });
}

#[test]
fn queues_with_different_prefixes_share_a_connection_but_not_keys() {
    let server = RedisServer::start();
    let mut a = Queue::new(
        &ConnectionConfig::parse(&format!("{}?prefix=a_", server.url())).unwrap(),
        Options::default(),
    )
    .unwrap();
    let mut b = Queue::new(
        &ConnectionConfig::parse(&format!("{}?prefix=b_", server.url())).unwrap(),
        Options::default(),
    )
    .unwrap();
    bounded(LIMIT, move || {
        assert!(Arc::ptr_eq(a.connection(), b.connection()));
        assert_eq!((a.prefix(), b.prefix()), ("a_", "b_"));
        a.push(None, envelope(1).as_bytes(), &headers()).unwrap();
        assert_eq!((a.size(None).unwrap(), b.size(None).unwrap()), (1, 0));
    });
}

/// Rough jobs/s for the report (`cargo test --release --test queue_redis -- --ignored --nocapture`).
#[test]
#[ignore]
fn throughput_of_push_push_batch_and_pop_ack() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    let padding = "x".repeat(1500 - envelope(0).len());
    let env = envelope(0).replace(r#""name":"é""#, &format!(r#""name":"{padding}""#));
    assert!((1450..1600).contains(&env.len()));
    let h = headers();
    let n = 20_000;
    let t = Instant::now();
    for _ in 0..n {
        q.push(None, env.as_bytes(), &h).unwrap();
    }
    let push = n as f64 / t.elapsed().as_secs_f64();
    let jobs: Vec<NewJob> = (0..100).map(|_| NewJob { envelope_json: env.as_bytes(), headers: &h }).collect();
    let t = Instant::now();
    for _ in 0..n / 100 {
        q.push_batch(None, &jobs).unwrap();
    }
    let batch = n as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut popped = 0;
    while let Some(job) = q.pop(None, None, accept).unwrap() {
        q.ack(&job).unwrap();
        popped += 1;
    }
    let pop_ack = popped as f64 / t.elapsed().as_secs_f64();
    assert_eq!(popped, 2 * n);
    println!("push {push:.0}/s, push_batch(100) {batch:.0}/s, pop+ack {pop_ack:.0}/s");
}

#[test]
fn a_block_for_too_long_to_add_to_the_read_timeout_is_an_error_not_a_panic() {
    bounded(LIMIT, || {
        let server = RedisServer::start();
        let mut q = queue(&server, Options::default());
        // Redis refuses a BLPOP timeout this large; the client must get there without overflowing.
        let e = q.pop(None, Some(u64::MAX), accept).unwrap_err();
        assert_eq!(e.kind(), phpgrc_bus::queue::ErrorKind::Server, "{e}");
    });
}

#[test]
fn a_refused_push_queues_nothing_and_a_refused_wake_up_says_the_jobs_are_queued() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        let env = envelope(1);
        let h = headers();
        let jobs = [NewJob { envelope_json: env.as_bytes(), headers: &h }; 3];
        // The ready list's key holds a string: RPUSH is refused as a whole.
        r.command(&[b"SET", b"queues:integration-bus", b"not a list"]).unwrap();
        let e = q.push_batch(None, &jobs).unwrap_err();
        assert!(e.to_string().contains("nothing was queued"), "{e}");
        assert_eq!(r.command(&[b"GET", b"queues:integration-bus"]).unwrap(), Reply::Bulk(b"not a list".to_vec()));
        // (Its wake-up tokens went in: a worker they wake finds nothing and waits again.)
        r.command(&[b"DEL", b"queues:integration-bus:notify"]).unwrap();
        // The wake-up list's key holds a string: the jobs are in, and the error says so.
        r.command(&[b"DEL", b"queues:integration-bus"]).unwrap();
        r.command(&[b"SET", b"queues:integration-bus:notify", b"not a list"]).unwrap();
        let e = q.push_batch(None, &jobs).unwrap_err();
        assert!(e.to_string().contains("were queued"), "{e}");
        assert_eq!(r.command(&[b"LLEN", b"queues:integration-bus"]).unwrap(), Reply::Integer(3));
    });
}

/// Waits for the start of the next wall-clock second, so a few quick calls share one second.
fn next_second() {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    std::thread::sleep(Duration::from_nanos(1_000_000_000 - u64::from(now.subsec_nanos())) + Duration::from_millis(5));
}

#[test]
fn due_jobs_are_made_ready_by_the_first_pop_of_each_second_or_when_nothing_is_ready() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        let h = headers();
        let delayed = |r: &mut Connection| r.command(&[b"ZCARD", b"queues:integration-bus:delayed"]).unwrap();
        for n in 1..=3 {
            q.push(None, envelope(n).as_bytes(), &h).unwrap();
        }
        next_second();
        // The second's first pop moves a due job behind the ready ones.
        q.later(None, 0, envelope(10).as_bytes(), &h).unwrap();
        let first = q.pop(None, None, accept).unwrap().expect("job 1");
        assert_eq!(delayed(&mut r), Reply::Integer(0));
        // Within the same second, with jobs ready, a newly due job waits in :delayed…
        q.later(None, 0, envelope(11).as_bytes(), &h).unwrap();
        let second = q.pop(None, None, accept).unwrap().expect("job 2");
        assert_eq!(delayed(&mut r), Reply::Integer(1));
        // …but never while nothing else is ready: a dry list moves it at once.
        let third = q.pop(None, None, accept).unwrap().expect("job 3");
        let fourth = q.pop(None, None, accept).unwrap().expect("job 10");
        let fifth = q.pop(None, None, accept).unwrap().expect("job 11, moved when the list ran dry");
        let order: Vec<String> = [&first, &second, &third, &fourth, &fifth]
            .iter()
            .map(|j| serde_json::from_slice::<Value>(j.envelope_json()).unwrap()["provenance"]["externalId"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(order, ["i-1", "i-2", "i-3", "i-10", "i-11"]);
        assert_eq!(delayed(&mut r), Reply::Integer(0));
        assert!(q.pop(None, None, accept).unwrap().is_none());
    });
}

#[test]
fn pops_within_a_second_look_for_due_jobs_once() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options::default());
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        let h = headers();
        for n in 0..60 {
            q.push(None, envelope(n).as_bytes(), &h).unwrap();
        }
        r.command(&[b"CONFIG", b"RESETSTAT"]).unwrap();
        let started = Instant::now();
        for _ in 0..50 {
            let job = q.pop(None, None, accept).unwrap().expect("a job");
            q.ack(&job).unwrap();
        }
        let seconds = started.elapsed().as_secs() + 2;
        let stats = r.command(&[b"INFO", b"commandstats"]).unwrap();
        let stats = String::from_utf8_lossy(stats.as_bytes().unwrap()).into_owned();
        let calls = stats
            .lines()
            .find_map(|l| l.strip_prefix("cmdstat_zrangebyscore:calls="))
            .and_then(|rest| rest.split(',').next())
            .map_or(0, |n| n.parse::<u64>().unwrap());
        // Two sources (:delayed, :reserved) per migration, one migration per second spanned.
        assert!(calls <= 2 * seconds, "{calls} ZRANGEBYSCORE calls for 50 pops in under {seconds} s");
        assert!(calls >= 2, "the first pop must still look for due jobs");
    });
}
