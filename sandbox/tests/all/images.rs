//! Building images: errors at build time, content addressing, the disk cache.

use sandbox::{Error, Sandbox, SandboxConfig, Script};
use serde_json::json;

use crate::support::*;

async fn build_error(spec: &sandbox::ImageSpec) -> Error {
    match sandbox().build_image(spec).await {
        Ok(_) => panic!("expected the build to fail"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn syntax_error_in_handler_fails_the_build_with_its_position() {
    let error = build_error(&handler("async function handleEvent(e) {\n  return e.;\n}")).await;
    let Error::Compile(error) = error else {
        panic!("{error}")
    };
    let first = &error.diagnostics[0];
    assert_eq!(
        (first.file.as_str(), first.line, first.column),
        ("handler.js", 2, 12),
        "{error}"
    );
}

#[tokio::test]
async fn a_handler_without_handle_event_is_refused() {
    let error = build_error(&handler("function handle() {}")).await;
    let Error::Init { error, .. } = error else {
        panic!("{error}")
    };
    assert!(error.message.contains("handleEvent"), "{}", error.message);
}

#[tokio::test]
async fn init_script_errors_fail_the_build_with_their_logs() {
    let spec = handler("async function handleEvent() {}")
        .with_init(Script::new("init.js", "console.log('starting');\nnull.x;"));
    let Error::Init { error, logs } = build_error(&spec).await else {
        panic!()
    };
    assert_eq!(error.name, "TypeError");
    assert_eq!(error.file.as_deref(), Some("init.js"));
    assert_eq!(error.line, Some(2));
    assert_eq!(logs[0].message, "starting");
}

#[tokio::test]
async fn init_that_never_ends_hits_the_init_limit() {
    let config = SandboxConfig {
        init_timeout: std::time::Duration::from_millis(300),
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::new(config).expect("sandbox");
    let spec =
        handler("async function handleEvent() {}").with_init(Script::new("init.js", "for (;;) {}"));
    let error = sandbox.build_image(&spec).await.err().expect("fails");
    assert!(matches!(error, Error::InitLimit { .. }), "{error}");
}

#[tokio::test]
async fn host_calls_during_init_are_refused() {
    let spec = handler("async function handleEvent() { return initError; }").with_init(Script::new(
        "init.js",
        "var initError = null; require('chatfn:host').call('echo', 1).catch((e) => { initError = e.message; });",
    ));
    let image = image(&spec).await;
    let outcome = run(&image, json!({})).await;
    let message = result(&outcome);
    assert!(
        message
            .as_str()
            .unwrap_or("")
            .contains("not available during initialization"),
        "{message}"
    );
}

#[tokio::test]
async fn images_are_content_addressed() {
    let a = handler("async function handleEvent() { return process.env.A; }").with_env("A", "1");
    let b = a.clone().with_env("A", "2");
    let first = image(&a).await;
    let again = image(&a.clone()).await;
    let other = image(&b).await;
    assert_eq!(first.id(), again.id());
    assert_ne!(first.id(), other.id());
    assert_eq!(result(&run(&other, json!({})).await), json!("2"));
}

#[tokio::test]
async fn a_cached_image_loads_in_a_new_engine() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = SandboxConfig {
        cache_dir: Some(dir.path().to_path_buf()),
        ..SandboxConfig::default()
    };
    let spec = handler("async function handleEvent(e) { return e.n * 2; }")
        .with_init(Script::new("init.js", "var base = 1;"));
    let built = Sandbox::new(config.clone())
        .expect("sandbox")
        .build_image(&spec)
        .await
        .expect("build");
    // Built late-bound on its runtime's snapshot; baking writes the image.
    assert!(!built.is_baked());
    assert!(!dir.path().join(format!("{}.image", built.id())).is_file());
    built.bake().await.expect("bake");
    assert!(built.is_baked());
    assert!(dir.path().join(format!("{}.image", built.id())).is_file());
    assert_eq!(result(&run(&built, json!({ "n": 1 })).await), json!(2));
    let fresh = Sandbox::new(config).expect("sandbox");
    let loaded = fresh.build_image(&spec).await.expect("load");
    assert!(loaded.is_baked());
    assert_eq!(built.id(), loaded.id());
    assert_eq!(result(&run(&loaded, json!({ "n": 21 })).await), json!(42));
}

#[tokio::test]
async fn a_corrupt_cache_file_is_rebuilt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = SandboxConfig {
        cache_dir: Some(dir.path().to_path_buf()),
        ..SandboxConfig::default()
    };
    let spec = handler("async function handleEvent() { return 'rebuilt'; }");
    let built = Sandbox::new(config.clone())
        .expect("sandbox")
        .build_image(&spec)
        .await
        .expect("build");
    built.bake().await.expect("bake");
    let path = dir.path().join(format!("{}.image", built.id()));
    let whole = std::fs::read(&path).expect("the snapshot is cached");
    // Garbage, and a snapshot cut short: neither is loaded.
    for bytes in [&b"garbage"[..], &whole[..whole.len() / 2]] {
        std::fs::write(&path, bytes).expect("write");
        let image = Sandbox::new(config.clone())
            .expect("sandbox")
            .build_image(&spec)
            .await
            .expect("rebuild");
        assert!(!image.is_baked(), "the broken file was not used");
        assert_eq!(result(&run(&image, json!({})).await), json!("rebuilt"));
    }
}

#[tokio::test]
async fn an_unwritable_cache_only_costs_the_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A file where the cache directory should be: nothing can be written.
    let not_a_dir = dir.path().join("file");
    std::fs::write(&not_a_dir, b"").expect("write");
    let sandbox = Sandbox::new(SandboxConfig {
        cache_dir: Some(not_a_dir.join("cache")),
        ..SandboxConfig::default()
    })
    .expect("sandbox");
    let spec = handler("async function handleEvent() { return 'uncached'; }");
    let image = sandbox
        .build_image(&spec)
        .await
        .expect("builds without a cache");
    assert_eq!(result(&run(&image, json!({})).await), json!("uncached"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(leftovers.len(), 1, "nothing but the file itself");
}
