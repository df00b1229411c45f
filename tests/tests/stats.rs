//! `GET /v1/functions/{id}/stats`, over runs made through the API.

use serde_json::json;

use crate::server::Server;
use crate::service::{START, deploy};

#[test]
fn a_functions_stats_count_its_runs_and_their_durations() {
    let server = Server::shared();
    let client = server.client(&server.create_app("stats", &[]));
    let function = deploy(
        &client,
        START,
        "async function handleEvent(e) { if (e.username === 'mallory') throw new Error('denied'); return { allowed: true }; }",
        None,
    );
    for user in ["ada", "grace", "alan", "mallory"] {
        client.json(
            "POST",
            &format!("/v1/triggers/{START}"),
            &json!({ "username": user }),
        );
    }
    let stats = client.get(&format!("/v1/functions/{function}/stats"));
    assert_eq!(stats.status, 200, "{:?}", stats.body);
    let body = stats.body;
    assert_eq!(body["window"], "1h");
    assert_eq!(body["bucket"], "minute");
    assert_eq!(
        (body["total"].as_u64(), body["failed"].as_u64()),
        (Some(4), Some(1)),
        "{body}"
    );
    assert_eq!(body["errorRate"].as_f64(), Some(0.25));
    let p50 = body["durationMs"]["p50"].as_f64().unwrap_or(-1.0);
    let p99 = body["durationMs"]["p99"].as_f64().unwrap_or(-1.0);
    assert!(p50 > 0.0 && p99 >= p50, "{body}");
    let warm = body["warmShare"].as_f64().unwrap_or(-1.0);
    assert!((0.0..=1.0).contains(&warm), "{body}");
    let buckets = body["buckets"].as_array().cloned().unwrap_or_default();
    assert_eq!(buckets.len(), 61);
    let counted: u64 = buckets.iter().filter_map(|b| b["total"].as_u64()).sum();
    assert_eq!(counted, 4);

    let week = client
        .get(&format!("/v1/functions/{function}/stats?window=7d"))
        .body;
    assert_eq!(week["bucket"], "hour");
    assert_eq!(week["buckets"].as_array().map(Vec::len), Some(7 * 24 + 1));
    assert_eq!(week["total"].as_u64(), Some(4));

    assert_eq!(
        client
            .get(&format!("/v1/functions/{function}/stats?window=2h"))
            .status,
        400
    );
    assert_eq!(client.get("/v1/functions/999999/stats").status, 404);
    // Another application cannot read them.
    let other = server.client(&server.create_app("stats-other", &[]));
    assert_eq!(
        other.get(&format!("/v1/functions/{function}/stats")).status,
        404
    );
}
