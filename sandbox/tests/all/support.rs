//! Shared helpers: one sandbox per test binary, images cached on disk.

use std::sync::{Arc, OnceLock};

use sandbox::{
    HostCalls, Image, ImageSpec, Limits, NoHostCalls, Outcome, Sandbox, SandboxConfig, Script,
};
use serde_json::Value;
use serde_json::value::{RawValue, to_raw_value};

pub(crate) fn sandbox() -> Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(new_sandbox).clone()
}

/// A sandbox of a test's own (sharing the image cache on disk), for counts
/// the shared one's other tests would move.
pub(crate) fn new_sandbox() -> Sandbox {
    Sandbox::new(SandboxConfig {
        cache_dir: Some(std::env::temp_dir().join("chatfn-sandbox-tests")),
        ..SandboxConfig::default()
    })
    .expect("sandbox")
}

pub(crate) fn handler(source: &str) -> ImageSpec {
    ImageSpec::new(Script::new("handler.js", source))
}

pub(crate) async fn image(spec: &ImageSpec) -> Image {
    sandbox().build_image(spec).await.expect("image builds")
}

pub(crate) fn raw(value: &Value) -> Box<RawValue> {
    to_raw_value(value).expect("json")
}

pub(crate) async fn run_with(
    image: &Image,
    event: Value,
    limits: &Limits,
    host: Arc<dyn HostCalls>,
) -> Outcome {
    image
        .invoke(&raw(&event), &raw(&serde_json::json!({})), limits, host)
        .await
        .expect("invocation starts")
}

pub(crate) async fn run(image: &Image, event: Value) -> Outcome {
    run_with(image, event, &Limits::default(), NoHostCalls::shared()).await
}

/// The result of a successful outcome, as a JSON value.
pub(crate) fn result(outcome: &Outcome) -> Value {
    assert!(
        outcome.succeeded(),
        "expected success, got {:?}",
        outcome.result
    );
    serde_json::from_str(outcome.result.as_ref().expect("result").get()).expect("result json")
}
