//! Several `chatfn serve` nodes on one PostgreSQL database: a deploy on one
//! is served by the others within a second, and when a node dies under a
//! flood of events nothing is lost, nothing runs to two records, its jobs
//! finish elsewhere within seconds and sign-ins keep working.
//!
//! The database comes from `CHATFN_TEST_DATABASE_URL` (`scripts/test`
//! starts a throwaway cluster); each test creates a database of its own.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::server::{Client, Server};
use crate::service::{START, deploy};
use crate::support::wait_for;

const SENT: &str = "user.sent.message";

/// A new, empty database in the test cluster; `None` (the test is skipped)
/// without one, except under CI.
pub(crate) fn new_database() -> Option<String> {
    let Ok(base) = std::env::var("CHATFN_TEST_DATABASE_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs the several-node tests: set CHATFN_TEST_DATABASE_URL (scripts/test does)"
        );
        eprintln!("skipped: CHATFN_TEST_DATABASE_URL is not set");
        return None;
    };
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "e2e_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let status = Command::new("psql")
        .args([base.as_str(), "-q", "-v", "ON_ERROR_STOP=1", "-c"])
        .arg(format!("CREATE DATABASE {name}"))
        .status()
        .expect("run psql");
    assert!(status.success(), "psql could not create {name}");
    let (server, _) = base.rsplit_once('/').expect("postgres://…/DATABASE");
    Some(format!("{server}/{name}"))
}

fn start_event(user: &str) -> Value {
    json!({ "username": user, "authParams": { "password": "x" } })
}

fn sign_in(client: &Client, user: &str) -> Result<Value, String> {
    let reply = client.post_event(&format!("/v1/triggers/{START}"), &start_event(user), user)?;
    if reply.status == 200 {
        Ok(reply.body["result"]["payload"].clone())
    } else {
        Err(format!("{} {}", reply.status, reply.body))
    }
}

#[test]
fn a_deploy_on_one_node_is_served_by_another_within_a_second() {
    let Some(database) = new_database() else {
        return;
    };
    let a = Server::start_with(&["--database", &database]);
    let b = Server::start_with(&["--database", &database]);
    let key = a.create_app("nodes", &[]);
    let (on_a, on_b) = (a.client(&key), b.client(&key));
    let function = deploy(
        &on_a,
        START,
        "async function handleEvent() { return 'v1'; }",
        None,
    );
    // B reads (and caches, for 5 s) the first version just before the deploy.
    assert_eq!(sign_in(&on_b, "ada"), Ok(json!("v1")));
    let deployed = on_a.json(
        "POST",
        &format!("/v1/functions/{function}/versions"),
        &json!({ "handlerScript": "async function handleEvent() { return 'v2'; }" }),
    );
    assert_eq!(deployed.status, 201, "{:?}", deployed.body);
    let started = Instant::now();
    wait_for(Duration::from_secs(10), || {
        (sign_in(&on_b, "ada") == Ok(json!("v2"))).then_some(())
    });
    let took = started.elapsed();
    eprintln!("node B served the new version {took:?} after node A deployed it");
    assert!(took < Duration::from_secs(1), "{took:?}");

    // Disabling on B stops sign-ins through A as quickly.
    let disabled = on_b.json(
        "PATCH",
        &format!("/v1/functions/{function}"),
        &json!({ "enabled": false }),
    );
    assert_eq!(disabled.status, 200, "{:?}", disabled.body);
    let started = Instant::now();
    wait_for(Duration::from_secs(10), || {
        (sign_in(&on_a, "ada") != Ok(json!("v2"))).then_some(())
    });
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

/// Sends events from `threads` threads, spread over the nodes; an event a
/// node did not answer (it died) is sent again, with the same key, to the
/// next node, as the chat server would. Returns (event, invocation id) for
/// every event.
fn send_spread(
    nodes: &[Arc<Client>],
    events: u64,
    threads: usize,
    accepted_count: &Arc<AtomicUsize>,
) -> Vec<(u64, i64)> {
    let numbers = Arc::new(Mutex::new((1..=events).rev().collect::<Vec<_>>()));
    let accepted = Arc::new(Mutex::new(Vec::new()));
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (numbers, accepted) = (Arc::clone(&numbers), Arc::clone(&accepted));
            scope.spawn(move || {
                let mut node = t % nodes.len();
                loop {
                    let Some(n) = numbers.lock().expect("lock").pop() else {
                        return;
                    };
                    let event = json!({ "user": { "id": 1 }, "message": { "id": n } });
                    let id = loop {
                        match nodes[node].post_event(
                            &format!("/v1/triggers/{SENT}"),
                            &event,
                            &format!("event-{n}"),
                        ) {
                            Ok(reply) if reply.status == 202 => {
                                break reply.body["invocationId"].as_i64().expect("id");
                            }
                            Ok(reply) => panic!("event {n}: {} {}", reply.status, reply.body),
                            // That node is gone: the next one gets it.
                            Err(_) => node = (node + 1) % nodes.len(),
                        }
                    };
                    accepted.lock().expect("lock").push((n, id));
                    accepted_count.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    accepted.lock().expect("lock").clone()
}

#[test]
fn a_node_killed_under_a_flood_loses_nothing_and_its_jobs_finish_elsewhere() {
    const EVENTS: u64 = 5_000;
    let Some(database) = new_database() else {
        return;
    };
    let flags = [
        "--database",
        &database,
        "--keep-invocations",
        "100000",
        "--retry-base-ms",
        "100",
    ];
    let a = Server::start_with(&flags);
    let b = Server::start_with(&flags);
    let key = a.create_app("failover", &[]);
    let (on_a, on_b) = (Arc::new(a.client(&key)), Arc::new(b.client(&key)));
    let function = deploy(
        &on_a,
        SENT,
        "async function handleEvent(event) {\n  await new Promise(r => setTimeout(r, 5));\n  return event.message.id;\n}",
        None,
    );
    deploy(
        &on_a,
        START,
        "async function handleEvent(event) { return event.username; }",
        None,
    );

    // Sign-ins through node B, all along.
    let done = Arc::new(AtomicBool::new(false));
    let signer = {
        let (on_b, done) = (Arc::clone(&on_b), Arc::clone(&done));
        std::thread::spawn(move || {
            let (mut ok, mut failed) = (0u32, Vec::new());
            while !done.load(Ordering::Relaxed) {
                match sign_in(&on_b, "ada") {
                    Ok(user) if user == json!("ada") => ok += 1,
                    other => failed.push(format!("{other:?}")),
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            (ok, failed)
        })
    };

    let count = Arc::new(AtomicUsize::new(0));
    let killer = {
        let count = Arc::clone(&count);
        std::thread::spawn(move || {
            while count.load(Ordering::Relaxed) < (EVENTS / 2) as usize {
                std::thread::sleep(Duration::from_millis(2));
            }
            drop(a.kill());
            Instant::now()
        })
    };
    let accepted = send_spread(&[Arc::clone(&on_a), Arc::clone(&on_b)], EVENTS, 8, &count);
    let killed = killer.join().expect("the killer thread");
    assert_eq!(accepted.len(), EVENTS as usize);

    // The queue drains on B, A's leased jobs included.
    on_b.wait_until_queue_idle(function, Duration::from_secs(60));
    let drained = killed.elapsed();
    done.store(true, Ordering::Relaxed);
    let (signed_in, failed) = signer.join().expect("the sign-in thread");

    // Every accepted event has exactly one record, SUCCEEDED with its own
    // result, under the id it was accepted with.
    let mut logged: BTreeMap<i64, (String, u64, u64)> = BTreeMap::new();
    for item in on_b.all_invocations(function) {
        let id = item["id"].as_i64().expect("id");
        let entry = (
            item["status"].as_str().unwrap_or_default().to_owned(),
            item["result"]["payload"].as_u64().unwrap_or(0),
            item["attempts"].as_array().map_or(0, |a| a.len() as u64),
        );
        assert!(
            logged.insert(id, entry).is_none(),
            "invocation {id} listed twice"
        );
    }
    for (n, id) in &accepted {
        let (status, result, _) = logged.get(id).expect("a record per accepted event");
        assert_eq!(
            (status.as_str(), *result),
            ("SUCCEEDED", *n),
            "event {n} (invocation {id})"
        );
    }
    assert_eq!(logged.len(), EVENTS as usize, "one record per event");
    let rerun = logged
        .values()
        .filter(|(_, _, attempts)| *attempts > 1)
        .count();
    eprintln!(
        "queue drained {drained:?} after node A was killed; {rerun} of its jobs ran again on B; \
         {signed_in} sign-ins through B meanwhile"
    );
    assert!(rerun > 0, "node A held no job when it was killed");
    // A's jobs wait out their lease (15 s), then B runs what is left. Alone
    // that takes about 20 s; beside the rest of the suite on two slow
    // cores it has taken 40 s.
    assert!(drained < Duration::from_secs(60), "{drained:?}");
    assert!(
        failed.is_empty() && signed_in > 0,
        "sign-ins failed: {failed:?}"
    );
}

/// A TCP relay to the database that the test can cut and restore, to play
/// a database (or network) outage without touching the shared cluster.
struct Relay {
    address: std::net::SocketAddr,
    down: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<std::net::TcpStream>>>,
}

impl Relay {
    fn to(target: String) -> Relay {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        let address = listener.local_addr().expect("an address");
        let down = Arc::new(AtomicBool::new(false));
        let open = Arc::new(Mutex::new(Vec::new()));
        let (is_down, streams) = (Arc::clone(&down), Arc::clone(&open));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if is_down.load(Ordering::SeqCst) {
                    continue; // dropped: the connection closes at once
                }
                let Ok(server) = std::net::TcpStream::connect(&target) else {
                    continue;
                };
                let mut pair = streams.lock().expect("lock");
                for stream in [&client, &server] {
                    if let Ok(clone) = stream.try_clone() {
                        pair.push(clone);
                    }
                }
                drop(pair);
                for (mut from, mut to) in [
                    (client.try_clone(), server.try_clone()),
                    (server.try_clone(), client.try_clone()),
                ]
                .into_iter()
                .filter_map(|(a, b)| Some((a.ok()?, b.ok()?)))
                {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        Relay {
            address,
            down,
            open,
        }
    }

    /// Closes every relayed connection and refuses new ones.
    fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        for stream in self.open.lock().expect("lock").drain(..) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

#[test]
fn with_the_database_unreachable_known_sign_ins_go_on_and_the_rest_fail_fast() {
    let Some(database) = new_database() else {
        return;
    };
    // postgres://USER:PASSWORD@HOST:PORT/DATABASE, through the relay.
    let (head, rest) = database.split_once('@').expect("USER@HOST");
    let (target, name) = rest.split_once('/').expect("HOST/DATABASE");
    let relay = Relay::to(target.to_owned());
    let relayed = format!("{head}@{}/{name}", relay.address);
    let node = Server::start_with(&["--database", &relayed]);
    let known = node.client(&node.create_app("known", &[]));
    let unknown = node.client(&node.create_app("unknown", &[]));
    deploy(
        &known,
        START,
        "async function handleEvent(e) { return e.username; }",
        None,
    );
    assert_eq!(sign_in(&known, "ada"), Ok(json!("ada")));
    assert_eq!(node.client("").get("/healthz").status, 200);
    // Let the deploy's own change notice arrive (it makes the cached
    // lookups stale, not gone): the outage below comes after it.
    std::thread::sleep(Duration::from_millis(500));

    relay.cut();
    let cut = Instant::now();
    wait_for(Duration::from_secs(10), || {
        (node.client("").get("/healthz").status == 503).then_some(())
    });
    eprintln!("unhealthy {:?} after the cut", cut.elapsed());
    // Past the lookup cache's 5 s, the known application still signs in.
    let mut served = 0;
    while cut.elapsed() < Duration::from_secs(7) {
        assert_eq!(sign_in(&known, "ada"), Ok(json!("ada")));
        served += 1;
        std::thread::sleep(Duration::from_millis(100));
    }
    // One the node never looked up fails, with a 503, within seconds.
    let asked = Instant::now();
    let reply = unknown
        .post_event(&format!("/v1/triggers/{START}"), &start_event("eve"), "eve")
        .expect("an answer");
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert!(
        asked.elapsed() < Duration::from_secs(8),
        "{:?}",
        asked.elapsed()
    );

    relay.restore();
    wait_for(Duration::from_secs(15), || {
        (node.client("").get("/healthz").status == 200).then_some(())
    });
    // What ran meanwhile is in the log once the database is back.
    let function =
        known.get("/v1/runtimes/nodejs/functions").body["_embedded"]["functions"][0]["id"]
            .as_i64()
            .expect("a function");
    wait_for(Duration::from_secs(15), || {
        let list = known
            .get(&format!("/v1/functions/{function}/invocations?size=1"))
            .body;
        (list["page"]["totalElements"].as_u64() == Some(1 + served)).then_some(())
    });
    // And the application it could not look up is served again (it has no
    // function: 204).
    let reply = unknown
        .post_event(&format!("/v1/triggers/{START}"), &start_event("eve"), "eve")
        .expect("an answer");
    assert_eq!(reply.status, 204, "{}", reply.body);
}

#[test]
fn a_node_without_a_secrets_key_refuses_secrets_and_says_how_to_fix_it() {
    let Some(database) = new_database() else {
        return;
    };
    // On PostgreSQL no key is made: every node must share one.
    let node = Server::start_with(&["--database", &database]);
    let client = node.client(&node.create_app("no-secrets-key", &[]));
    let put = client.json(
        "PUT",
        "/v1/runtimes/nodejs/secrets",
        &json!({ "STRIPE_KEY": "sk_live_never_stored" }),
    );
    assert_eq!(put.status, 409, "{:?}", put.body);
    assert_eq!(put.body["error"], "ConflictError");
    assert!(
        put.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("--secrets-key-file")),
        "{:?}",
        put.body
    );
    let listed = client.get("/v1/runtimes/nodejs/secrets");
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    assert!(!listed.body.to_string().contains("STRIPE_KEY"));
}
