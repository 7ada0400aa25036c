//! `prefetch` and deferred acknowledgements against a real redis-server, one rule per test.
#![forbid(unsafe_code)]

mod support;

use std::time::Duration;

use phpgrc_bus::document::DocNode;
use phpgrc_bus::queue::resp::Reply;
use phpgrc_bus::queue::{
    AckMode, Acked, Connection, ErrorKind, Options, Queue, Rejection, Reserved, VALIDATION_FAILED,
};
use serde_json::Value;
use support::{accept, bounded, envelope, headers, queue, raw, RedisServer};

const LIMIT: Duration = Duration::from_secs(30);

fn prefetching(server: &RedisServer, prefetch: u32, ack: AckMode) -> Queue {
    queue(server, Options { prefetch, ack, ..Options::default() })
}

fn list(r: &mut Connection, key: &str) -> Vec<Value> {
    match r.command(&[b"LRANGE", key.as_bytes(), b"0", b"-1"]).unwrap() {
        Reply::Array(items) => items
            .iter()
            .map(|i| serde_json::from_slice(i.as_bytes().unwrap()).unwrap())
            .collect(),
        other => panic!("not a list: {other:?}"),
    }
}

fn count(r: &mut Connection, command: &[&[u8]]) -> i64 {
    r.command(command).unwrap().as_integer().unwrap()
}

fn reserved_count(r: &mut Connection) -> i64 {
    count(r, &[b"ZCARD", b"queues:integration-bus:reserved"])
}

/// How many times the server ran `command` (INFO commandstats).
fn calls(r: &mut Connection, command: &str) -> u64 {
    let info = r.command(&[b"INFO", b"commandstats"]).unwrap();
    let text = String::from_utf8_lossy(info.as_bytes().unwrap()).into_owned();
    let prefix = format!("cmdstat_{command}:calls=");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|rest| rest.split(',').next())
        .map_or(0, |n| n.parse().unwrap())
}

/// Pushes one job, pops it and acknowledges it (deferred: nothing written yet).
fn pop_and_defer_ack(q: &mut Queue) -> Reserved {
    push(q, 1);
    let job = q.pop(None, None, accept).unwrap().unwrap();
    assert_eq!(q.ack(&job).unwrap(), Acked::Deferred);
    job
}

fn push(q: &mut Queue, n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| q.push(None, envelope(i).as_bytes(), &headers()).unwrap())
        .collect()
}

#[test]
fn one_pop_script_call_reserves_prefetch_jobs_and_pop_hands_them_out_in_order() {
    let server = RedisServer::start();
    let mut q = prefetching(&server, 3, AckMode::Sync);
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        let ids = push(&mut q, 5);
        let before = calls(&mut r, "evalsha");
        let first = q.pop(None, None, accept).unwrap().unwrap();
        assert_eq!(calls(&mut r, "evalsha") - before, 1);
        assert_eq!(reserved_count(&mut r), 3, "three reserved at once");
        assert_eq!(count(&mut r, &[b"LLEN", b"queues:integration-bus"]), 2);
        assert_eq!(count(&mut r, &[b"LLEN", b"queues:integration-bus:notify"]), 2, "a token taken per job");
        let second = q.pop(None, None, accept).unwrap().unwrap();
        let third = q.pop(None, None, accept).unwrap().unwrap();
        assert_eq!(calls(&mut r, "evalsha") - before, 1, "handed out from the buffer");
        let fourth = q.pop(None, None, accept).unwrap().unwrap();
        assert_eq!(calls(&mut r, "evalsha") - before, 2);
        let got: Vec<&str> = [&first, &second, &third, &fourth].iter().map(|j| j.id()).collect();
        assert_eq!(got, ids[..4].iter().map(String::as_str).collect::<Vec<_>>());
        assert!([&first, &second, &third].iter().all(|j| j.attempts() == 1));
    });
}

#[test]
fn every_prefetched_job_is_its_own_reservation_that_ack_removes_exactly() {
    let server = RedisServer::start();
    let mut q = prefetching(&server, 4, AckMode::Sync);
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        push(&mut q, 2);
        let a = q.pop(None, None, accept).unwrap().unwrap();
        let b = q.pop(None, None, accept).unwrap().unwrap();
        for job in [&a, &b] {
            let payload: Value = serde_json::from_slice(job.raw_payload()).unwrap();
            assert_eq!(payload["attempts"], 1);
            let rank = r.command(&[b"ZRANK", b"queues:integration-bus:reserved", job.raw_payload()]).unwrap();
            assert!(rank.as_integer().is_some(), "reserved under its own bytes");
        }
        assert_eq!(q.ack(&b).unwrap(), Acked::Removed);
        assert_eq!(reserved_count(&mut r), 1, "only b's bytes were removed");
        assert_eq!(q.ack(&a).unwrap(), Acked::Removed);
        assert_eq!(q.ack(&a).unwrap(), Acked::NotReserved);
        assert!(q.pop(None, None, accept).unwrap().is_none(), "fewer ready than prefetch is fine");
    });
}

#[test]
fn dropping_the_queue_gives_back_kept_jobs_at_the_head_with_attempts_as_before() {
    let server = RedisServer::start();
    let mut q = prefetching(&server, 3, AckMode::Sync);
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        let ids = push(&mut q, 4);
        let first = q.pop(None, None, accept).unwrap().unwrap();
        drop(q);
        let ready = list(&mut r, "queues:integration-bus");
        let ready_ids: Vec<&str> = ready.iter().map(|p| p["id"].as_str().unwrap()).collect();
        assert_eq!(ready_ids, [&ids[1], &ids[2], &ids[3]], "back in front, in order");
        assert!(ready.iter().all(|p| p["attempts"] == 0), "they never ran");
        assert_eq!(count(&mut r, &[b"LLEN", b"queues:integration-bus:notify"]), 3);
        assert_eq!(reserved_count(&mut r), 1, "the handed-out job stays reserved");
        assert_eq!(
            count(&mut r, &[b"ZREM", b"queues:integration-bus:reserved", first.raw_payload()]),
            1
        );
    });
}

#[test]
fn a_kept_job_whose_reservation_ran_out_is_never_handed_out() {
    let server = RedisServer::start();
    let mut q = queue(&server, Options { prefetch: 2, retry_after: 1, ..Options::default() });
    bounded(LIMIT, move || {
        let ids = push(&mut q, 2);
        let first = q.pop(None, None, accept).unwrap().unwrap();
        std::thread::sleep(Duration::from_millis(2100));
        // The kept copy of job 2 expired: the pop script makes both ready again and reserves
        // them anew, attempts raised again.
        let again = q.pop(None, None, accept).unwrap().unwrap();
        assert_eq!(again.attempts(), 2);
        let next = q.pop(None, None, accept).unwrap().unwrap();
        assert_eq!(next.attempts(), 2);
        let mut seen = vec![again.id().to_owned(), next.id().to_owned()];
        seen.sort();
        let mut expected = ids.clone();
        expected.sort();
        assert_eq!(seen, expected);
        assert_eq!(q.ack(&first).unwrap(), Acked::NotReserved, "the late worker changes nothing");
    });
}

#[test]
fn the_header_check_runs_as_each_kept_job_is_handed_out() {
    let server = RedisServer::start();
    let mut q = prefetching(&server, 3, AckMode::Sync);
    bounded(LIMIT, move || {
        let good = q.push(None, envelope(1).as_bytes(), &headers()).unwrap();
        let bad = q
            .push(None, envelope(2).as_bytes(), &[("x-phpgrc-kind".into(), "vendor.profile".into())])
            .unwrap();
        let check = |job: &Reserved, _: Option<DocNode<'_>>| {
            if job.headers().unwrap()["x-phpgrc-kind"] == "asset.discovery" {
                Ok(())
            } else {
                Err(Rejection::validation_failed("x-phpgrc-kind does not match kind"))
            }
        };
        assert_eq!(q.pop(None, None, check).unwrap().unwrap().id(), good);
        assert!(q.dead_letters(10).unwrap().is_empty(), "the kept bad job is not checked yet");
        assert!(q.pop(None, None, check).unwrap().is_none());
        let dead = q.dead_letters(10).unwrap();
        assert_eq!(dead[0].id.as_deref(), Some(bad.as_str()));
        let entry: Value = serde_json::from_slice(&dead[0].raw).unwrap();
        assert_eq!(entry["data"]["error"]["code"], VALIDATION_FAILED);
    });
}

#[test]
fn a_deferred_ack_is_written_by_the_next_pop_script_call() {
    let server = RedisServer::start();
    let mut q = prefetching(&server, 1, AckMode::Deferred);
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        push(&mut q, 2);
        let first = q.pop(None, None, accept).unwrap().unwrap();
        let zrems = calls(&mut r, "zrem");
        assert_eq!(q.ack(&first).unwrap(), Acked::Deferred);
        assert_eq!(calls(&mut r, "zrem"), zrems, "nothing written yet");
        assert_eq!(reserved_count(&mut r), 1);
        let second = q.pop(None, None, accept).unwrap().unwrap();
        assert_eq!(calls(&mut r, "zrem"), zrems + 1);
        let left: Vec<Vec<u8>> = match r.command(&[b"ZRANGE", b"queues:integration-bus:reserved", b"0", b"-1"]).unwrap() {
            Reply::Array(items) => items.into_iter().map(|i| i.as_bytes().unwrap().to_vec()).collect(),
            other => panic!("{other:?}"),
        };
        assert_eq!(left, vec![second.raw_payload().to_vec()], "exactly the first job's bytes removed");
    });
}

#[test]
fn flush_writes_the_pending_acks_and_says_how_many() {
    let server = RedisServer::start();
    let mut q = prefetching(&server, 3, AckMode::Deferred);
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        push(&mut q, 3);
        for _ in 0..3 {
            let job = q.pop(None, None, accept).unwrap().unwrap();
            q.ack(&job).unwrap();
        }
        assert_eq!(reserved_count(&mut r), 3);
        assert_eq!(q.flush().unwrap(), 3);
        assert_eq!(reserved_count(&mut r), 0);
        assert_eq!(q.flush().unwrap(), 0);
    });
}

#[test]
fn dropping_the_queue_writes_its_pending_acks() {
    let server = RedisServer::start();
    let mut q = prefetching(&server, 1, AckMode::Deferred);
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        pop_and_defer_ack(&mut q);
        assert_eq!(reserved_count(&mut r), 1);
        drop(q);
        assert_eq!(reserved_count(&mut r), 0);
    });
}

#[test]
fn size_counts_after_writing_the_pending_acks() {
    let server = RedisServer::start();
    let mut q = prefetching(&server, 1, AckMode::Deferred);
    bounded(LIMIT, move || {
        pop_and_defer_ack(&mut q);
        assert_eq!(q.size(None).unwrap(), 0);
    });
}

#[test]
fn an_error_reply_to_a_deferred_ack_surfaces_on_the_next_call_and_popped_jobs_are_kept() {
    let server = RedisServer::start();
    let mut q = prefetching(&server, 1, AckMode::Deferred);
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        q.push(Some("a"), envelope(1).as_bytes(), &headers()).unwrap();
        let b = q.push(Some("b"), envelope(2).as_bytes(), &headers()).unwrap();
        let job = q.pop(Some("a"), None, accept).unwrap().unwrap();
        q.ack(&job).unwrap();
        // Queue a's reserved set becomes a string: the ZREM is refused.
        r.command(&[b"DEL", b"queues:a:reserved"]).unwrap();
        r.command(&[b"SET", b"queues:a:reserved", b"x"]).unwrap();
        let err = q.pop(Some("b"), None, accept).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        assert!(err.message().contains("ack"), "{}", err.message());
        let kept = q.pop(Some("b"), None, accept).unwrap().expect("the job reserved with the failed write");
        assert_eq!(kept.id(), b);
        assert_eq!(q.flush().unwrap(), 0, "reported once");
    });
}

#[test]
fn a_crash_before_the_deferred_ack_is_written_redelivers_the_job_never_loses_it() {
    let server = RedisServer::start();
    let options = Options { retry_after: 1, ack: AckMode::Deferred, prefetch: 2, ..Options::default() };
    let mut q = queue(&server, options.clone());
    let mut later = queue(&server, options);
    bounded(LIMIT, move || {
        let ids = push(&mut q, 2);
        let job = q.pop(None, None, accept).unwrap().unwrap();
        q.ack(&job).unwrap();
        // A crash: nothing is written, nothing is given back.
        std::mem::forget(q);
        std::thread::sleep(Duration::from_millis(2100));
        let mut again: Vec<(String, u64)> = (0..2)
            .map(|_| {
                let j = later.pop(None, None, accept).unwrap().expect("redelivered");
                (j.id().to_owned(), j.attempts())
            })
            .collect();
        again.sort();
        let mut expected: Vec<(String, u64)> = ids.into_iter().map(|id| (id, 2)).collect();
        expected.sort();
        assert_eq!(again, expected);
    });
}

#[test]
fn a_pop_that_carries_acks_loads_its_script_when_the_server_forgot_it() {
    let server = RedisServer::start();
    let mut q = prefetching(&server, 1, AckMode::Deferred);
    let mut r = raw(&server);
    bounded(LIMIT, move || {
        push(&mut q, 2);
        let first = q.pop(None, None, accept).unwrap().unwrap();
        q.ack(&first).unwrap();
        r.command(&[b"SCRIPT", b"FLUSH"]).unwrap();
        let second = q.pop(None, None, accept).unwrap().expect("the script was loaded again");
        assert_ne!(second.id(), first.id());
        assert_eq!(reserved_count(&mut r), 1, "the ack went through once");
    });
}
