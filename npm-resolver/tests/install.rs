//! Resolving and installing against a test registry over real HTTP:
//! recorded packuments and real tarballs, plus made-up packages and faults.

#[path = "support/registry.rs"]
mod registry;

use std::path::Path;
use std::time::Duration;

use npm_resolver::{
    Error, Installed, Installer, InstallerConfig, Lockfile, NoProgress, resolve_require,
};
use registry::{TestRegistry, tarball, tarball_with_link};
use serde_json::json;

fn installer(registry: &TestRegistry, dir: &Path) -> Installer {
    let mut config = InstallerConfig::new(dir);
    config.registry = registry.url.clone();
    config.retries = 2;
    config.timeout = Duration::from_secs(10);
    Installer::new(config, compiler::Compiler::default())
}

fn deps(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect()
}

async fn install(
    installer: &Installer,
    list: &[(&str, &str)],
) -> Result<(Lockfile, Installed), Error> {
    let resolution = installer.resolve(&deps(list), &NoProgress).await?;
    let installed = installer.install(&resolution.lockfile, &NoProgress).await?;
    Ok((resolution.lockfile, installed))
}

fn versions(lock: &Lockfile) -> Vec<(String, String, String)> {
    lock.packages
        .iter()
        .map(|(at, p)| (at.clone(), p.name.clone(), p.version.clone()))
        .collect()
}

fn stored_packages(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("store"))
        .map(|entries| entries.filter_map(Result::ok).count())
        .unwrap_or(0)
}

#[tokio::test]
async fn recorded_packages_install_and_resolve_for_require() {
    let registry = TestRegistry::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let npm = installer(&registry, dir.path());
    let list = [
        ("dayjs", "^1.10.0"),
        ("lodash", "^4.17.0"),
        ("uuid", "^14"),
        ("nanoid", "latest"),
        ("debug", "^4.3.0"),
    ];
    let (lock, installed) = install(&npm, &list).await.expect("installs");
    assert_eq!(
        versions(&lock),
        [
            (
                "node_modules/dayjs".into(),
                "dayjs".into(),
                "1.11.23".into()
            ),
            ("node_modules/debug".into(), "debug".into(), "4.4.3".into()),
            (
                "node_modules/lodash".into(),
                "lodash".into(),
                "4.18.1".into()
            ),
            ("node_modules/ms".into(), "ms".into(), "2.1.3".into()),
            (
                "node_modules/nanoid".into(),
                "nanoid".into(),
                "6.0.2".into()
            ),
            ("node_modules/uuid".into(), "uuid".into(), "14.0.3".into()),
        ]
    );
    assert!(
        lock.packages
            .values()
            .all(|p| p.integrity.starts_with("sha512-"))
    );
    for (name, expected) in [
        ("dayjs", "/node_modules/dayjs/dayjs.min.js"),
        ("lodash", "/node_modules/lodash/lodash.js"),
        ("uuid", "/node_modules/uuid/dist-node/index.js"),
        ("nanoid", "/node_modules/nanoid/index.js"),
        ("debug", "/node_modules/debug/src/index.js"),
        ("lodash/fp", "/node_modules/lodash/fp.js"),
    ] {
        assert_eq!(
            resolve_require(&installed.modules, name).as_deref(),
            Ok(expected)
        );
    }
    // ES module packages are CommonJS in the module map.
    for file in [
        "/node_modules/uuid/dist-node/index.js",
        "/node_modules/nanoid/index.js",
    ] {
        let code = &installed.modules[file];
        assert!(
            code.contains("exports") && !code.contains("\nexport "),
            "{file}:\n{code}"
        );
    }
    // Only what `require` can load.
    assert!(installed.modules.keys().all(|p| p.ends_with(".js")
        || p.ends_with(".json")
        || p.ends_with(".cjs")
        || p.ends_with(".mjs")));
    assert!(installed.warnings.is_empty(), "{:?}", installed.warnings);
    assert_eq!(stored_packages(dir.path()), 6);

    // The lockfile installs again with no network at all.
    let requests = registry.requests().len();
    let again = installer(&registry, dir.path())
        .install(
            &Lockfile::from_json(&lock.to_json()).expect("parses"),
            &NoProgress,
        )
        .await
        .expect("installs from the store");
    assert_eq!(again.modules, installed.modules);
    assert_eq!(registry.requests().len(), requests);
}

#[tokio::test]
async fn ranges_tags_aliases_and_conflicts_place_packages_like_npm() {
    let registry = TestRegistry::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let npm = installer(&registry, dir.path());
    // `~1.10.0` skips latest; `ms@2.0.0` at the root conflicts with
    // debug's `^2.1.3`, which is nested under debug.
    let list = [
        ("dayjs", "~1.10.0"),
        ("ms", "2.0.0"),
        ("debug", "^4"),
        ("my-ms", "npm:ms@^2.1.0"),
    ];
    let (lock, installed) = install(&npm, &list).await.expect("installs");
    assert_eq!(
        versions(&lock),
        [
            ("node_modules/dayjs".into(), "dayjs".into(), "1.10.8".into()),
            ("node_modules/debug".into(), "debug".into(), "4.4.3".into()),
            (
                "node_modules/debug/node_modules/ms".into(),
                "ms".into(),
                "2.1.3".into()
            ),
            ("node_modules/ms".into(), "ms".into(), "2.0.0".into()),
            ("node_modules/my-ms".into(), "ms".into(), "2.1.3".into()),
        ]
    );
    assert!(
        installed
            .modules
            .contains_key("/node_modules/my-ms/index.js")
    );
    assert!(
        installed
            .modules
            .contains_key("/node_modules/debug/node_modules/ms/index.js")
    );

    // Made-up packages: a conflict two levels down, peers, optional and
    // native packages.
    registry.publish(
        "c",
        "1.0.0",
        json!({}),
        &[("index.js", "module.exports = 1;")],
    );
    registry.publish(
        "c",
        "2.0.0",
        json!({}),
        &[("index.js", "module.exports = 2;")],
    );
    registry.publish(
        "a",
        "1.0.0",
        json!({ "dependencies": { "c": "^1.0.0" } }),
        &[("index.js", "")],
    );
    registry.publish(
        "b",
        "1.0.0",
        json!({ "dependencies": { "c": "^2.0.0" } }),
        &[("index.js", "")],
    );
    registry.publish(
        "with-peer",
        "1.0.0",
        json!({ "peerDependencies": { "c": "^1", "not-installed": "*" }, "peerDependenciesMeta": { "not-installed": { "optional": true } } }),
        &[("index.js", "")],
    );
    registry.publish(
        "native",
        "1.0.0",
        json!({ "gypfile": true, "scripts": { "install": "node-gyp rebuild" } }),
        &[],
    );
    registry.publish("cpu-only", "1.0.0", json!({ "cpu": ["x64"] }), &[]);
    registry.publish(
        "has-optional",
        "1.0.0",
        json!({ "optionalDependencies": { "native": "*", "cpu-only": "*", "missing-entirely": "1" }, "scripts": { "postinstall": "node setup.js" } }),
        &[("index.js", "")],
    );
    let resolution = npm
        .resolve(
            &deps(&[
                ("a", "1"),
                ("b", "1"),
                ("with-peer", "1"),
                ("has-optional", "1"),
            ]),
            &NoProgress,
        )
        .await
        .expect("resolves");
    assert_eq!(
        versions(&resolution.lockfile),
        [
            ("node_modules/a".into(), "a".into(), "1.0.0".into()),
            ("node_modules/b".into(), "b".into(), "1.0.0".into()),
            (
                "node_modules/b/node_modules/c".into(),
                "c".into(),
                "2.0.0".into()
            ),
            ("node_modules/c".into(), "c".into(), "1.0.0".into()),
            (
                "node_modules/has-optional".into(),
                "has-optional".into(),
                "1.0.0".into()
            ),
            (
                "node_modules/with-peer".into(),
                "with-peer".into(),
                "1.0.0".into()
            ),
        ]
    );
    let warnings = resolution.warnings.join("\n");
    for expected in [
        "native",
        "cpu-only",
        "missing-entirely",
        "postinstall script was not run",
    ] {
        assert!(warnings.contains(expected), "{expected} in:\n{warnings}");
    }
    let error = npm
        .resolve(&deps(&[("native", "1")]), &NoProgress)
        .await
        .expect_err("native");
    assert!(
        error.to_string().contains("needs a native build"),
        "{error}"
    );
}

#[tokio::test]
async fn bad_packages_fail_clearly_and_store_nothing() {
    let registry = TestRegistry::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let npm = installer(&registry, dir.path());

    let error = install(&npm, &[("no-such-package", "^1")])
        .await
        .expect_err("404");
    assert!(
        matches!(error, Error::NotFound { ref name } if name == "no-such-package"),
        "{error}"
    );
    let error = install(&npm, &[("dayjs", "^9")])
        .await
        .expect_err("no match");
    assert_eq!(
        error.to_string(),
        "no version of dayjs matches '^9' (latest is 1.11.23)"
    );
    let error = install(&npm, &[("x", "github:user/repo")])
        .await
        .expect_err("git");
    assert!(error.to_string().contains("npm registry only"), "{error}");

    registry.publish(
        "tampered",
        "1.0.0",
        json!({}),
        &[("index.js", "module.exports = 'ok';")],
    );
    registry.tamper("tampered", "1.0.0");
    let error = install(&npm, &[("tampered", "1")])
        .await
        .expect_err("integrity");
    assert!(matches!(error, Error::Integrity { .. }), "{error}");

    let hostile = tarball(&[
        (
            "package/package.json".into(),
            br#"{"name":"escape","version":"1.0.0"}"#.to_vec(),
        ),
        ("package/../../escaped.js".into(), b"pwned".to_vec()),
    ]);
    registry.publish_tarball("escape", "1.0.0", json!({}), hostile);
    let error = install(&npm, &[("escape", "1")])
        .await
        .expect_err("traversal");
    assert!(error.to_string().contains("'..' is not allowed"), "{error}");

    let absolute = tarball(&[("/etc/chatfn-test".into(), b"x".to_vec())]);
    registry.publish_tarball("absolute", "1.0.0", json!({}), absolute);
    let error = install(&npm, &[("absolute", "1")])
        .await
        .expect_err("absolute");
    assert!(
        error.to_string().contains("absolute paths are not allowed"),
        "{error}"
    );

    registry.publish_tarball(
        "linked",
        "1.0.0",
        json!({}),
        tarball_with_link("package/index.js", "/etc/passwd"),
    );
    let error = install(&npm, &[("linked", "1")]).await.expect_err("link");
    assert!(
        error.to_string().contains("links are not allowed"),
        "{error}"
    );

    assert_eq!(
        stored_packages(dir.path()),
        0,
        "nothing stored, no temporary left"
    );
    assert!(
        !dir.path().join("escaped.js").exists()
            && !dir
                .path()
                .parent()
                .is_some_and(|p| p.join("escaped.js").exists())
    );
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let registry = TestRegistry::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let npm = installer(&registry, dir.path());
    registry.fail("/ms", &[503, 502]);
    registry.fail("/tarballs/ms-2.1.3.tgz", &[500]);
    install(&npm, &[("ms", "^2.1.0")])
        .await
        .expect("succeeds on the third try");
    let requests = registry.requests();
    assert_eq!(requests.iter().filter(|r| *r == "/ms").count(), 3);
    assert_eq!(
        requests
            .iter()
            .filter(|r| *r == "/tarballs/ms-2.1.3.tgz")
            .count(),
        2
    );

    registry.fail("/dayjs", &[500, 500, 500, 500]);
    let error = install(&npm, &[("dayjs", "1")])
        .await
        .expect_err("gives up");
    assert!(
        matches!(error, Error::Registry { .. }) && error.to_string().contains("HTTP 500"),
        "{error}"
    );
}

#[tokio::test]
async fn concurrent_installs_of_the_same_packages_share_the_store() {
    let registry = TestRegistry::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let (one, two) = (
        installer(&registry, dir.path()),
        installer(&registry, dir.path()),
    );
    let list = [("debug", "^4"), ("dayjs", "^1")];
    let (a, b) = tokio::join!(install(&one, &list), install(&two, &list));
    let (a, b) = (a.expect("one installs"), b.expect("two installs"));
    assert_eq!(a.1.modules, b.1.modules);
    assert_eq!(stored_packages(dir.path()), 3);
}

/// Installs from the public registry: `CHATFN_LIVE_NPM=1 cargo test -p
/// npm-resolver --test install live -- --nocapture`.
#[tokio::test]
async fn live_registry() {
    if std::env::var_os("CHATFN_LIVE_NPM").is_none() {
        eprintln!("skipped: set CHATFN_LIVE_NPM=1 to install from the public registry");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let npm = Installer::new(
        InstallerConfig::new(dir.path()),
        compiler::Compiler::default(),
    );
    for name in [
        "dayjs",
        "lodash",
        "uuid",
        "nanoid",
        "date-fns",
        "zod",
        "validator",
        "jsonwebtoken",
        "axios",
    ] {
        let started = std::time::Instant::now();
        let resolution = npm
            .resolve(&deps(&[(name, "latest")]), &NoProgress)
            .await
            .expect(name);
        let installed = npm
            .install(&resolution.lockfile, &NoProgress)
            .await
            .expect(name);
        eprintln!(
            "{name}: {} packages, {} files, {} KiB, {:?}, warnings: {:?}",
            installed.packages,
            installed.modules.len(),
            installed.bytes / 1024,
            started.elapsed(),
            installed.warnings
        );
        assert!(resolve_require(&installed.modules, name).is_ok(), "{name}");
    }
}
