//! TLS to a real redis-server started with `tls-port`, against a CA made at test time with the
//! openssl command-line tool.
mod support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use phpgrc_bus::queue::{Acked, ConnectionConfig, ErrorKind, NewJob, Options, Queue, Tls};
use phpgrc_bus::queue::cluster::key_slot;
use support::{envelope, headers, ClusterTls, RedisCluster, RedisServer};

fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
    assert!(status.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&status.stderr));
}

/// A directory of test certificates, removed when the test ends.
struct Certs(PathBuf);

impl std::ops::Deref for Certs {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Certs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A CA, a server certificate for 127.0.0.1/localhost, a client certificate, and an unrelated CA.
fn certificates() -> Certs {
    let dir = std::env::temp_dir().join(format!("phpgrc-bus-tls-{}-{:?}", std::process::id(), std::thread::current().id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("server.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n").unwrap();
    // v3 extensions: webpki refuses v1 certificates (what `x509 -req` makes without any).
    std::fs::write(dir.join("client.cnf"), "extendedKeyUsage=clientAuth\n").unwrap();
    for ca in ["ca", "other-ca"] {
        openssl(&dir, &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", &format!("{ca}.key"), "-out", &format!("{ca}.crt"), "-days", "1", "-subj", &format!("/CN={ca}")]);
    }
    for name in ["server", "client"] {
        openssl(&dir, &["req", "-newkey", "rsa:2048", "-nodes", "-keyout", &format!("{name}.key"), "-out", &format!("{name}.csr"), "-subj", &format!("/CN={name}")]);
        let (crt, csr, cnf) = (format!("{name}.crt"), format!("{name}.csr"), format!("{name}.cnf"));
        openssl(&dir, &["x509", "-req", "-in", &csr, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", &crt, "-days", "1", "-extfile", &cnf]);
    }
    Certs(dir)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn tls_server(certs: &Path, port: u16, auth_clients: &str, extra: &[&str]) -> RedisServer {
    let file = |n: &str| certs.join(n).display().to_string();
    let (cert, key, ca, port) = (file("server.crt"), file("server.key"), file("ca.crt"), port.to_string());
    let mut args = vec!["--tls-port", &port, "--tls-cert-file", &cert, "--tls-key-file", &key, "--tls-ca-cert-file", &ca, "--tls-auth-clients", auth_clients];
    args.extend_from_slice(extra);
    RedisServer::start_with(&args)
}

fn config(url: &str, certs: &Path, ca: &str, client: bool) -> ConnectionConfig {
    let mut c = ConnectionConfig::parse(url).unwrap();
    c.tls = Some(Tls {
        ca_file: Some(certs.join(ca)),
        cert_file: client.then(|| certs.join("client.crt")),
        key_file: client.then(|| certs.join("client.key")),
    });
    c
}

fn round_trip(q: &mut Queue) {
    let headers = headers();
    let id = q.push_batch(None, &[NewJob { envelope_json: envelope(1).as_bytes(), headers: &headers }]).unwrap().remove(0);
    let job = q.pop(None, None, |_, _| Ok(())).unwrap().expect("a job");
    assert_eq!(job.id(), id);
    assert_eq!(q.ack(&job).unwrap(), Acked::Removed);
}

#[test]
fn rediss_connects_verifying_the_server_against_the_ca_file() {
    let certs = certificates();
    let port = free_port();
    let _server = tls_server(&certs, port, "no", &[]);
    let mut q = Queue::new(&config(&format!("rediss://127.0.0.1:{port}"), &certs, "ca.crt", false), Options::default()).unwrap();
    round_trip(&mut q);
}

#[test]
fn a_server_certificate_from_another_ca_is_refused() {
    let certs = certificates();
    let port = free_port();
    let _server = tls_server(&certs, port, "no", &[]);
    let mut q = Queue::new(&config(&format!("rediss://127.0.0.1:{port}"), &certs, "other-ca.crt", false), Options::default()).unwrap();
    let e = q.size(None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    assert!(e.message().contains("handshake"), "{e}");
}

#[test]
fn a_client_certificate_is_presented_when_the_server_requires_one() {
    let certs = certificates();
    let port = free_port();
    let _server = tls_server(&certs, port, "yes", &[]);
    let url = format!("rediss://127.0.0.1:{port}");
    let mut without = Queue::new(&config(&url, &certs, "ca.crt", false), Options::default()).unwrap();
    assert!(without.size(None).is_err(), "the server requires a client certificate");
    let mut with = Queue::new(&config(&url, &certs, "ca.crt", true), Options::default()).unwrap();
    round_trip(&mut with);
}

#[test]
fn password_over_tls_and_never_in_messages() {
    let certs = certificates();
    let port = free_port();
    let _server = tls_server(&certs, port, "no", &["--requirepass", "s3cret-tls"]);
    let mut q = Queue::new(&config(&format!("rediss://:s3cret-tls@127.0.0.1:{port}"), &certs, "ca.crt", false), Options::default()).unwrap();
    round_trip(&mut q);
    let mut wrong = Queue::new(&config(&format!("rediss://:wrong-pw@127.0.0.1:{port}"), &certs, "ca.crt", false), Options::default()).unwrap();
    let e = wrong.size(None).unwrap_err();
    assert!(!e.to_string().contains("wrong-pw") && !format!("{e:?}").contains("wrong-pw"), "{e}");
}

#[test]
fn a_missing_ca_file_is_a_clear_tls_error() {
    let port = free_port();
    let mut c = ConnectionConfig::parse(&format!("rediss://127.0.0.1:{port}")).unwrap();
    c.tls = Some(Tls { ca_file: Some("/nonexistent/ca.pem".into()), ..Tls::default() });
    // A listener so the TCP connect succeeds and the TLS setup is what fails.
    let _listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let mut q = Queue::new(&c, Options::default()).unwrap();
    let e = q.size(None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tls, "{e}");
    assert!(e.message().contains("/nonexistent/ca.pem"), "{e}");
}

#[test]
fn a_cluster_is_reached_over_tls_on_every_master() {
    let certs = certificates();
    let cluster = RedisCluster::start_tls(3, ClusterTls { cert: &certs.join("server.crt"), key: &certs.join("server.key"), ca: &certs.join("ca.crt") });
    // One seed; the other masters are learned from CLUSTER SLOTS, which names their TLS ports.
    let seed = [format!("127.0.0.1:{}", cluster.tls_ports[0])];
    let config = config("rediss://127.0.0.1", &certs, "ca.crt", false).with_cluster(&seed).unwrap();
    // A queue on each master: the first tag found in each third of the slots.
    let mut masters_seen = std::collections::BTreeSet::new();
    for tag in (0..).map(|n| format!("bus-{n}")) {
        let owner = cluster.master_of(key_slot(tag.as_bytes())).port;
        if !masters_seen.insert(owner) {
            continue;
        }
        let options = Options { queue: format!("{{{tag}}}"), dlq: format!("{{{tag}}}:dlq"), ..Options::default() };
        let mut q = Queue::new(&config, options).unwrap();
        round_trip(&mut q);
        assert_eq!(cluster.cli(owner, &["EXISTS", &format!("queues:{{{tag}}}:reserved")]).trim(), "0", "acked on {owner}");
        q.push(None, envelope(2).as_bytes(), &headers()).unwrap();
        assert_eq!(cluster.cli(owner, &["LLEN", &format!("queues:{{{tag}}}")]).trim(), "1", "pushed to {owner}");
        if masters_seen.len() == 3 {
            break;
        }
    }
}
