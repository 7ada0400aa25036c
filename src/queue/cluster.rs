//! Redis Cluster: key slots, the slot map, and routing with `MOVED`/`ASK` redirections.
//!
//! Every command goes to the master that owns its keys' slot. A command whose keys span
//! slots is refused here, before anything is sent, with a hint about hash tags. Redirections
//! are followed (`MOVED` updates the map, `ASK` retries once on the importing node after
//! `ASKING`); `TRYAGAIN` and `CLUSTERDOWN` are retried with backoff. While a slot's master
//! cannot be reached (nothing was sent), the map is re-read from the other nodes and the
//! command retried until `failover_timeout`; a failure after sending is returned, as for
//! one server, because the command may have run.
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::config::ConnectionConfig;
use super::error::{ErrorKind, QueueError};
use super::resp::Reply;
use super::session::{Session, Wait};
use super::transport::Address;

/// Number of hash slots in a Redis Cluster.
pub const SLOT_COUNT: usize = 16384;
/// Redirections followed for one call before giving up (a map that keeps changing).
const MAX_REDIRECTS: usize = 16;
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_millis(500);
const UNKNOWN: u16 = u16::MAX;

/// The part of a key that decides its slot: the first non-empty `{…}` section, else the key.
pub fn hash_tag(key: &[u8]) -> &[u8] {
    if let Some(open) = key.iter().position(|&b| b == b'{') {
        let rest = &key[open + 1..];
        if let Some(len) = rest.iter().position(|&b| b == b'}') {
            if len > 0 {
                return &rest[..len];
            }
        }
    }
    key
}

/// The hash slot of a key: CRC16 (XMODEM) of its hash tag, modulo 16384.
pub fn key_slot(key: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &byte in hash_tag(key) {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc & (SLOT_COUNT as u16 - 1)
}

/// The keys of a command as this client sends them; empty for commands without keys.
fn command_keys<'a>(cmd: &[&'a [u8]]) -> Vec<&'a [u8]> {
    let Some(name) = cmd.first() else { return Vec::new() };
    let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
    if is("EVAL") || is("EVALSHA") {
        let count = cmd
            .get(2)
            .and_then(|c| std::str::from_utf8(c).ok())
            .and_then(|c| c.parse::<usize>().ok())
            .unwrap_or(0);
        return cmd.iter().skip(3).take(count).copied().collect();
    }
    if ["PING", "INFO", "SCRIPT", "CLUSTER", "ASKING", "AUTH", "HELLO", "CLIENT", "COMMAND", "WAIT", "TIME", "DBSIZE"]
        .iter()
        .any(|n| is(n))
    {
        return Vec::new();
    }
    if is("BLPOP") || is("BRPOP") {
        return cmd[1..cmd.len().saturating_sub(1).max(1)].to_vec();
    }
    if is("DEL") || is("EXISTS") || is("UNLINK") || is("MGET") || is("TOUCH") {
        return cmd[1..].to_vec();
    }
    cmd.get(1).map(|k| vec![*k]).unwrap_or_default()
}

/// The one slot a command's keys share (`None`: no keys), or a config error naming the keys.
fn command_slot(cmd: &[&[u8]]) -> Result<Option<u16>, QueueError> {
    let keys = command_keys(cmd);
    let Some(first) = keys.first() else { return Ok(None) };
    let slot = key_slot(first);
    if let Some(other) = keys.iter().find(|k| key_slot(k) != slot) {
        return Err(QueueError::config(format!(
            "Redis Cluster: keys {:?} and {:?} of one {} hash to different slots; name queues with a \
             hash tag and give the dead-letter list the same one, e.g. '{{integration-bus}}' and \
             '{{integration-bus}}:dlq'",
            String::from_utf8_lossy(first),
            String::from_utf8_lossy(other),
            String::from_utf8_lossy(cmd[0]).to_ascii_uppercase()
        )));
    }
    Ok(Some(slot))
}

enum Redirect {
    Moved(u16, Address),
    Ask(Address),
    /// `TRYAGAIN` (a multi-key call during a slot migration) or `CLUSTERDOWN`.
    Wait,
}

/// The redirection an error reply asks for, if any. `from` is the node that answered (an empty
/// host in the reply means that node's host).
fn redirect(reply: &Reply, from: &Address) -> Option<Redirect> {
    let Reply::Error(e) = reply else { return None };
    let mut words = e.split_ascii_whitespace();
    match words.next()? {
        "MOVED" => {
            let slot = words.next()?.parse().ok()?;
            Some(Redirect::Moved(slot, node_address(words.next()?, from)?))
        }
        "ASK" => {
            words.next()?;
            Some(Redirect::Ask(node_address(words.next()?, from)?))
        }
        "TRYAGAIN" | "CLUSTERDOWN" => Some(Redirect::Wait),
        _ => None,
    }
}

/// `host:port` (or `:port`) as a redirection or the slot map names a node.
fn node_address(text: &str, from: &Address) -> Option<Address> {
    let (host, port) = text.rsplit_once(':')?;
    let port = port.parse().ok()?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = match (host, from) {
        ("", Address::Tcp { host, .. }) => host.clone(),
        ("", Address::Unix(_)) | ("?", _) => return None,
        (h, _) => h.to_owned(),
    };
    Some(Address::Tcp { host, port })
}

/// Where one queued command goes next.
#[derive(Clone)]
enum Route {
    /// To the owner of its slot.
    Slot,
    /// To this node, after `ASKING`.
    Ask(Address),
}

/// Connections to the masters of one cluster and the slot map that routes between them.
pub(super) struct Cluster {
    template: ConnectionConfig,
    nodes: HashMap<Address, Session>,
    /// Masters in the order the map lists them.
    masters: Vec<Address>,
    /// Index into `masters` for each slot, `UNKNOWN` where no master serves it.
    owners: Vec<u16>,
    /// The map must be re-read before the next routing decision.
    stale: bool,
}

impl Cluster {
    /// No I/O: the map is read on first use.
    pub(super) fn new(template: ConnectionConfig) -> Cluster {
        Cluster {
            template,
            nodes: HashMap::new(),
            masters: Vec::new(),
            owners: vec![UNKNOWN; SLOT_COUNT],
            stale: true,
        }
    }

    pub(super) fn is_connected(&self) -> bool {
        self.nodes.values().any(Session::is_connected)
    }

    pub(super) fn disconnect(&mut self) {
        for node in self.nodes.values_mut() {
            node.disconnect();
        }
        self.stale = true;
    }

    fn node(&mut self, address: &Address) -> &mut Session {
        let template = &self.template;
        self.nodes.entry(address.clone()).or_insert_with(|| {
            let mut config = template.clone();
            config.address = address.clone();
            config.cluster = Vec::new();
            Session::new(config)
        })
    }

    fn owner(&self, slot: Option<u16>) -> Option<Address> {
        match slot {
            Some(slot) => self
                .masters
                .get(usize::from(self.owners[usize::from(slot)]))
                .cloned(),
            None => self.masters.first().cloned(),
        }
    }

    fn set_owner(&mut self, slot: u16, address: Address) {
        let index = match self.masters.iter().position(|m| *m == address) {
            Some(i) => i,
            None => {
                self.masters.push(address);
                self.masters.len() - 1
            }
        };
        if let (Some(entry), Ok(index)) = (self.owners.get_mut(usize::from(slot)), u16::try_from(index)) {
            *entry = index;
        }
    }

    /// Masters with their slot ranges, reading the map first when it is stale.
    pub(super) fn masters(&mut self) -> Result<Vec<(String, Vec<(u16, u16)>)>, QueueError> {
        if self.stale {
            self.refresh()?;
        }
        let mut ranges: Vec<Vec<(u16, u16)>> = vec![Vec::new(); self.masters.len()];
        let mut slot = 0;
        while slot < SLOT_COUNT {
            let owner = self.owners[slot];
            let start = slot;
            while slot < SLOT_COUNT && self.owners[slot] == owner {
                slot += 1;
            }
            if let Some(r) = ranges.get_mut(usize::from(owner)) {
                r.push((start as u16, (slot - 1) as u16));
            }
        }
        Ok(self
            .masters
            .iter()
            .zip(ranges)
            .filter(|(_, r)| !r.is_empty())
            .map(|(m, r)| (m.to_string(), r))
            .collect())
    }

    /// Re-reads the slot map (`CLUSTER SLOTS`) from the first node that answers: known
    /// masters, then the seeds, then any other node seen.
    fn refresh(&mut self) -> Result<(), QueueError> {
        let mut candidates: Vec<Address> = Vec::new();
        for address in self
            .masters
            .iter()
            .chain(&self.template.cluster)
            .chain(self.nodes.keys())
        {
            if !candidates.contains(address) {
                candidates.push(address.clone());
            }
        }
        // Nodes with an open socket answer without a connect attempt.
        candidates.sort_by_key(|a| !self.nodes.get(a).is_some_and(Session::is_connected));
        let mut last = None;
        for address in candidates {
            let node = self.node(&address);
            let reply = node
                .connect()
                .and_then(|_| node.send(&[vec![b"CLUSTER".as_slice(), b"SLOTS"]], Wait::Default));
            match reply.map(|mut r| r.pop()) {
                Ok(Some(Reply::Array(entries))) => match self.load_map(&entries, &address) {
                    Ok(()) => return Ok(()),
                    Err(e) => last = Some(e),
                },
                Ok(Some(Reply::Error(e))) => {
                    last = Some(QueueError::new(
                        ErrorKind::Server,
                        format!("Redis at {address} refused CLUSTER SLOTS: {e} (is it a cluster node?)"),
                    ))
                }
                Ok(_) => last = Some(QueueError::protocol(format!("unexpected reply to CLUSTER SLOTS from {address}"))),
                Err(e) if e.kind() == ErrorKind::Auth => return Err(e),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| QueueError::config("a Redis Cluster needs at least one seed node")))
    }

    fn load_map(&mut self, entries: &[Reply], from: &Address) -> Result<(), QueueError> {
        let bad = || QueueError::protocol(format!("malformed CLUSTER SLOTS reply from {from}"));
        let mut masters: Vec<Address> = Vec::new();
        let mut owners = vec![UNKNOWN; SLOT_COUNT];
        for entry in entries {
            let Reply::Array(fields) = entry else { return Err(bad()) };
            let (Some(start), Some(end), Some(Reply::Array(master))) =
                (fields.first().and_then(Reply::as_integer), fields.get(1).and_then(Reply::as_integer), fields.get(2))
            else {
                return Err(bad());
            };
            let (Some(host), Some(port)) = (master.first().and_then(Reply::as_bytes), master.get(1).and_then(Reply::as_integer))
            else {
                return Err(bad());
            };
            let text = format!("{}:{port}", String::from_utf8_lossy(host));
            let Some(address) = node_address(&text, from) else { continue };
            let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else { return Err(bad()) };
            if start > end || end >= SLOT_COUNT {
                return Err(bad());
            }
            let index = match masters.iter().position(|m| *m == address) {
                Some(i) => i,
                None => {
                    masters.push(address);
                    masters.len() - 1
                }
            };
            let index = u16::try_from(index).map_err(|_| bad())?;
            owners[start..=end].fill(index);
        }
        if masters.is_empty() {
            return Err(QueueError::new(ErrorKind::Server, format!("Redis Cluster at {from} serves no slots yet")));
        }
        self.masters = masters;
        self.owners = owners;
        self.stale = false;
        Ok(())
    }

    /// Sends key-less `commands` (WAIT) to the master that owns `key`'s slot, as the map has it.
    pub(super) fn send_to_owner(&mut self, key: &[u8], commands: &[Vec<&[u8]>], wait: Wait) -> Result<Vec<Reply>, QueueError> {
        if self.stale {
            self.refresh()?;
        }
        let address = self
            .owner(Some(key_slot(key)))
            .ok_or_else(|| QueueError::new(ErrorKind::Server, "Redis Cluster: no master serves the queue's slot"))?;
        let node = self.node(&address);
        node.connect()?;
        node.send(commands, wait).inspect_err(|_| self.stale = true)
    }

    /// Sends `commands`, one write per master, and returns one raw reply per command in order.
    pub(super) fn send(&mut self, commands: &[Vec<&[u8]>], wait: Wait) -> Result<Vec<Reply>, QueueError> {
        let slots = commands
            .iter()
            .map(|c| command_slot(c))
            .collect::<Result<Vec<_>, _>>()?;
        // checked: a Rust caller may set any Duration; a day is as good as forever here.
        let started = Instant::now();
        let deadline = started
            .checked_add(self.template.failover_timeout)
            .unwrap_or_else(|| started + Duration::from_secs(86_400));
        let mut backoff = FIRST_BACKOFF;
        let mut redirects = 0;
        let mut last_error: Option<QueueError> = None;
        let mut replies: Vec<Option<Reply>> = vec![None; commands.len()];
        let mut pending: Vec<(usize, Route)> = (0..commands.len()).map(|i| (i, Route::Slot)).collect();
        while !pending.is_empty() {
            if self.stale {
                if let Err(e) = self.refresh() {
                    if e.kind() == ErrorKind::Auth {
                        return Err(e);
                    }
                    last_error = Some(e);
                }
            }
            // Group by destination, keeping each node's commands in their original order.
            let mut groups: Vec<(Address, Vec<(usize, bool)>)> = Vec::new();
            let mut unroutable = Vec::new();
            for (i, route) in pending.drain(..) {
                let (address, asking) = match route {
                    Route::Ask(address) => (Some(address), true),
                    Route::Slot => (self.owner(slots[i]), false),
                };
                match address {
                    Some(address) => match groups.iter_mut().find(|(a, _)| *a == address) {
                        Some((_, members)) => members.push((i, asking)),
                        None => groups.push((address, vec![(i, asking)])),
                    },
                    None => unroutable.push((i, Route::Slot)),
                }
            }
            let mut settle = !unroutable.is_empty();
            if settle {
                self.stale = true;
            }
            let mut next = unroutable;
            for (address, members) in groups {
                let node = self.node(&address);
                if let Err(e) = node.connect() {
                    if e.kind() == ErrorKind::Auth {
                        return Err(e);
                    }
                    // Nothing was sent: wait for the cluster to fail over, then route again.
                    last_error = Some(e);
                    self.stale = true;
                    settle = true;
                    next.extend(members.into_iter().map(|(i, _)| (i, Route::Slot)));
                    continue;
                }
                let mut batch: Vec<Vec<&[u8]>> = Vec::with_capacity(members.len());
                for &(i, asking) in &members {
                    if asking {
                        batch.push(vec![b"ASKING".as_slice()]);
                    }
                    batch.push(commands[i].clone());
                }
                let answers = match node.send(&batch, wait) {
                    Ok(answers) => answers,
                    Err(e) => {
                        self.stale = true;
                        return Err(e);
                    }
                };
                let mut answers = answers.into_iter();
                for (i, asking) in members {
                    if asking {
                        answers.next();
                    }
                    let reply = answers
                        .next()
                        .ok_or_else(|| QueueError::protocol(format!("missing reply from {address}")))?;
                    match redirect(&reply, &address) {
                        None => replies[i] = Some(reply),
                        Some(Redirect::Moved(slot, to)) => {
                            self.set_owner(slot, to);
                            self.stale = true;
                            redirects += 1;
                            next.push((i, Route::Slot));
                        }
                        Some(Redirect::Ask(to)) => {
                            redirects += 1;
                            next.push((i, Route::Ask(to)));
                        }
                        Some(Redirect::Wait) => {
                            self.stale = true;
                            settle = true;
                            last_error = Some(QueueError::new(
                                ErrorKind::Server,
                                format!("Redis Cluster at {address} is not ready: {}", reply_text(&reply)),
                            ));
                            next.push((i, Route::Slot));
                        }
                    }
                }
            }
            pending = next;
            if pending.is_empty() {
                break;
            }
            let now = Instant::now();
            if redirects > MAX_REDIRECTS || now >= deadline {
                return Err(match last_error {
                    Some(e) if now >= deadline => QueueError::new(
                        e.kind(),
                        format!(
                            "Redis Cluster did not serve the slot within failover_timeout ({:.1} s): {}",
                            self.template.failover_timeout.as_secs_f64(),
                            e.message()
                        ),
                    ),
                    _ => QueueError::new(ErrorKind::Server, format!("Redis Cluster redirected one call more than {MAX_REDIRECTS} times")),
                });
            }
            if settle {
                std::thread::sleep(backoff.min(deadline - now));
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
        replies
            .into_iter()
            .map(|r| r.ok_or_else(|| QueueError::protocol("missing reply")))
            .collect()
    }
}

fn reply_text(reply: &Reply) -> String {
    match reply {
        Reply::Error(e) => e.clone(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_crc16_xmodem_of_the_hash_tag() {
        // The reference values from the Redis Cluster specification and `CLUSTER KEYSLOT`.
        assert_eq!(key_slot(b"123456789"), 0x31C3 & 0x3FFF);
        assert_eq!(key_slot(b"foo"), 12182);
        assert_eq!(key_slot(b"bar"), 5061);
        assert_eq!(key_slot(b"{user1000}.following"), key_slot(b"{user1000}.followers"));
        assert_eq!(key_slot(b"queues:{integration-bus}:reserved"), key_slot(b"integration-bus"));
    }

    #[test]
    fn an_empty_or_unclosed_tag_hashes_the_whole_key() {
        assert_eq!(hash_tag(b"foo{}{bar}"), b"foo{}{bar}");
        assert_eq!(hash_tag(b"foo{{bar}}zap"), b"{bar");
        assert_eq!(hash_tag(b"foo{bar}{zap}"), b"bar");
        assert_eq!(hash_tag(b"foo{bar"), b"foo{bar");
    }

    #[test]
    fn script_keys_must_share_a_slot() {
        let same: Vec<&[u8]> = vec![b"EVALSHA", b"abc", b"2", b"queues:{q}", b"{q}:dlq", b"arg"];
        assert_eq!(command_slot(&same).unwrap(), Some(key_slot(b"q")));
        let split: Vec<&[u8]> = vec![b"EVALSHA", b"abc", b"2", b"queues:q", b"queues:q:reserved"];
        let e = command_slot(&split).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.message().contains("hash tag"), "{}", e.message());
        let blpop: Vec<&[u8]> = vec![b"BLPOP", b"queues:{q}:notify", b"5"];
        assert_eq!(command_slot(&blpop).unwrap(), Some(key_slot(b"q")));
        assert_eq!(command_slot(&[b"PING".as_slice()]).unwrap(), None);
    }

    #[test]
    fn redirections_name_the_node_and_slot() {
        let from = Address::Tcp { host: "10.0.0.1".into(), port: 7000 };
        match redirect(&Reply::Error("MOVED 3999 127.0.0.1:6381".into()), &from) {
            Some(Redirect::Moved(3999, Address::Tcp { host, port: 6381 })) => assert_eq!(host, "127.0.0.1"),
            _ => panic!("MOVED not read"),
        }
        match redirect(&Reply::Error("ASK 3999 :6382".into()), &from) {
            Some(Redirect::Ask(Address::Tcp { host, port: 6382 })) => assert_eq!(host, "10.0.0.1"),
            _ => panic!("ASK not read"),
        }
        assert!(matches!(redirect(&Reply::Error("CLUSTERDOWN The cluster is down".into()), &from), Some(Redirect::Wait)));
        assert!(redirect(&Reply::Error("ERR wrong".into()), &from).is_none());
        assert!(redirect(&Reply::Integer(1), &from).is_none());
    }
}
