//! `GET /metrics`: counts what ran, gauges what waits, and names no tenant.

use std::time::Duration;

use serde_json::json;

use crate::server::Server;
use crate::service::{START, deploy};
use crate::support::wait_for;

/// The metrics page (no key needed), as text.
pub(crate) fn scrape(server: &Server) -> String {
    let mut response = ureq::get(format!("{}/metrics", server.base))
        .call()
        .expect("GET /metrics");
    assert_eq!(response.status(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    response.body_mut().read_to_string().expect("a text body")
}

/// The value of the sample line starting with `series` (labels included).
pub(crate) fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no sample {series} in\n{text}"))
}

#[test]
fn metrics_count_runs_by_outcome_and_gauge_the_queue() {
    // Nothing runs non-blocking events: they stay queued.
    let server = Server::start_with(&["--queue-concurrency", "0"]);
    let client = server.client(&server.create_app("metrics-tenant", &[]));
    deploy(
        &client,
        START,
        "async function handleEvent(e) { if (e.username === 'mallory') throw new Error('denied'); return true; }",
        None,
    );
    deploy(
        &client,
        "user.sent.message",
        "async function handleEvent() { return 1; }",
        None,
    );
    let before = scrape(&server);
    let succeeded =
        format!("chatfn_invocations_total{{trigger=\"{START}\",outcome=\"succeeded\"}}");
    let exception =
        format!("chatfn_invocations_total{{trigger=\"{START}\",outcome=\"exception\"}}");
    assert_eq!(value(&before, &succeeded), 0.0);
    assert_eq!(value(&before, "chatfn_queue_jobs{state=\"queued\"}"), 0.0);

    let trigger = format!("/v1/triggers/{START}");
    for user in ["ada", "grace", "mallory"] {
        client.json("POST", &trigger, &json!({ "username": user }));
    }
    for n in 0..2 {
        let accepted = client.json(
            "POST",
            "/v1/triggers/user.sent.message",
            &json!({ "user": { "id": 1 }, "message": { "id": n } }),
        );
        assert_eq!(accepted.status, 202, "{:?}", accepted.body);
    }
    let after = scrape(&server);
    assert_eq!(value(&after, &succeeded), 2.0);
    assert_eq!(value(&after, &exception), 1.0);
    assert_eq!(
        value(&after, "chatfn_invocation_duration_seconds_count"),
        3.0
    );
    // Queue counts are reused for a second between scrapes.
    wait_for(Duration::from_secs(5), || {
        (value(&scrape(&server), "chatfn_queue_jobs{state=\"queued\"}") == 2.0).then_some(())
    });
    assert!(value(&after, "chatfn_images") >= 1.0);
    // Aggregates only: no application's name or key in it.
    assert!(!after.contains("metrics-tenant"));
    assert!(
        !after.contains("app=") && !after.contains("application"),
        "{after}"
    );

    // The warm-instance gauge follows the pools (the blocking function's
    // image is in use).
    wait_for(Duration::from_secs(5), || {
        (value(&scrape(&server), "chatfn_warm_instances") >= 1.0).then_some(())
    });
}

#[test]
fn a_metrics_token_is_required_once_set() {
    let server = Server::start_with(&["--metrics-token", "scrape-me"]);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{}/metrics", server.base);
    let status = |token: Option<&str>| {
        let mut request = agent.get(&url);
        if let Some(token) = token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        request.call().expect("GET /metrics").status().as_u16()
    };
    assert_eq!(status(None), 401);
    assert_eq!(status(Some("scrape-you")), 401);
    assert_eq!(status(Some("scrape-me")), 200);
}
