use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn async_handler_returns_a_value() {
    let image = image(&handler(
        "async function handleEvent(event, context) { await null; return { greeting: 'hi ' + event.name }; }",
    ))
    .await;
    let outcome = run(&image, json!({ "name": "ada" })).await;
    assert_eq!(result(&outcome), json!({ "greeting": "hi ada" }));
}
