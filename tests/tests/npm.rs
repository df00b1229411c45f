//! npm dependencies end to end: `chatfn invoke --deps` and the service's
//! runtime dependencies, installed from a test registry over loopback
//! (recorded packuments and real tarballs).

use serde_json::{Value, json};

use crate::registry::TestRegistry;
use crate::server::Server;
use crate::service::{START, deploy};
use crate::support::*;

#[test]
fn invoke_installs_dependencies_and_handlers_require_them() {
    let registry = TestRegistry::start();
    // An ES-module-only package: converted to CommonJS at install.
    registry.publish(
        "esm-greet",
        "1.0.0",
        json!({ "type": "module", "exports": { ".": { "import": "./index.js", "default": "./index.js" } } }),
        &[("index.js", "export function greet(n) { return `hi ${n}`; }\nexport default 42;\n")],
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let deps = write(
        &dir,
        "deps.json",
        r#"[{"name": "dayjs", "version": "^1.11.0"}, {"name": "lodash", "version": "^4"},
            {"name": "esm-greet", "version": "1"}, {"name": "old-ms", "version": "npm:ms@2.0.0"},
            {"name": "uuid", "version": "^14"}, {"name": "nanoid", "version": "^6"}, {"name": "debug", "version": "^4"}]"#,
    );
    let handler = write(
        &dir,
        "handler.ts",
        "import dayjs from 'dayjs';\nimport { greet } from 'esm-greet';\nconst _ = require('lodash');\nconst esm = require('esm-greet');\n\
         export async function handleEvent(event: { n: number }) {\n  return {\n    day: dayjs('2024-02-28').add(event.n, 'day').format('YYYY-MM-DD'),\n    \
         chunks: _.chunk([1, 2, 3, 4, 5], 2),\n    greet: greet('ada'),\n    esmDefault: esm.default,\n    oldMs: require('old-ms/package.json').version,\n    \
         uuid: require('uuid').validate(require('uuid').v4()),\n    nanoid: require('nanoid').nanoid().length,\n    \
         debug: typeof require('debug')('chatfn'),\n  };\n}\n",
    );
    let output = chatfn(&dir)
        .arg("invoke")
        .arg(&handler)
        .arg("--deps")
        .arg(&deps)
        .args(["--npm-registry", &registry.url, "--event", r#"{"n": 2}"#])
        .output()
        .expect("run chatfn");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(
        lines(&output)[0]["result"]["payload"],
        json!({
            "day": "2024-03-01",
            "chunks": [[1, 2], [3, 4], [5]],
            "greet": "hi ada",
            "esmDefault": 42,
            "oldMs": "2.0.0",
            "uuid": true,
            "nanoid": 21,
            "debug": "function",
        })
    );
    // Progress is structured when standard error is not a terminal.
    let progress: Vec<Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect();
    assert!(
        progress
            .iter()
            .any(|p| p["progress"] == "resolved" && p["package"] == "lodash")
    );
    assert!(
        progress
            .iter()
            .any(|p| p["progress"] == "fetched" && p["done"] == p["total"])
    );

    // A package that does not exist fails the run with a clear error.
    let bad = write(
        &dir,
        "bad.json",
        r#"[{"name": "no-such-package", "version": "^1"}]"#,
    );
    let output = chatfn(&dir)
        .arg("invoke")
        .arg(&handler)
        .arg("--deps")
        .arg(&bad)
        .args(["--npm-registry", &registry.url])
        .output()
        .expect("run chatfn");
    assert_eq!(output.status.code(), Some(1));
    let line = &lines(&output)[0];
    assert_eq!(line["error"]["type"], "DEPENDENCY_ERROR", "{line}");
    assert_eq!(
        line["error"]["message"],
        "package 'no-such-package' is not in the registry"
    );
}

#[test]
fn the_service_installs_runtime_dependencies() {
    let server = Server::shared();
    let client = server.client(&server.create_app("npm", &[]));
    let set = |deps: Value| client.json("PUT", "/v1/runtimes/nodejs/dependencies", &deps);

    let reply = set(
        json!([{ "name": "dayjs", "version": "^1.11.0" }, { "name": "ms", "version": "^2.1.0" }]),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    deploy(
        &client,
        START,
        "const dayjs = require('dayjs');\nconst ms = require('ms');\nasync function handleEvent() {\n  return [dayjs('2020-01-31').add(1, 'month').format('YYYY-MM-DD'), ms('1m')];\n}\n",
        None,
    );
    let run = client.json(
        "POST",
        &format!("/v1/triggers/{START}"),
        &json!({ "username": "ada" }),
    );
    assert_eq!(run.status, 200, "{:?}", run.body);
    assert_eq!(run.body["result"]["payload"], json!(["2020-02-29", 60000]));

    // Mistakes come back at once, and the runtime keeps its dependencies.
    for (deps, status, message) in [
        (
            json!([{ "name": "no-such-package", "version": "^1" }]),
            422,
            "package 'no-such-package' is not in the registry",
        ),
        (
            json!([{ "name": "dayjs", "version": "^99" }]),
            422,
            "no version of dayjs matches '^99' (latest is 1.11.23)",
        ),
        (
            json!([{ "name": "x", "version": "github:user/repo" }]),
            422,
            "npm registry only",
        ),
    ] {
        let reply = set(deps);
        assert_eq!(reply.status, status, "{:?}", reply.body);
        assert_eq!(reply.body["error"], "DependencyError");
        assert!(
            reply.body["message"]
                .as_str()
                .is_some_and(|m| m.contains(message)),
            "{:?}",
            reply.body
        );
    }
    let runtime = client.get("/v1/runtimes/nodejs").body;
    assert_eq!(runtime["dependencies"][0]["name"], "dayjs", "{runtime}");

    // A built-in a sandbox cannot offer loads, and using it is a clear error.
    let other = server.client(&server.create_app("builtins", &[]));
    deploy(
        &other,
        START,
        "async function handleEvent() { return require('child_process').exec('ls'); }",
        None,
    );
    let run = other.json(
        "POST",
        &format!("/v1/triggers/{START}"),
        &json!({ "username": "ada" }),
    );
    assert_eq!(run.status, 422, "{:?}", run.body);
    assert_eq!(
        run.body["invocationError"]["message"],
        "child_process.exec() is not available in the chat runtime; handlers cannot start processes"
    );
}

/// The packages users reach for most, from the public registry, required
/// and used in the sandbox: `CHATFN_LIVE_NPM=1 cargo test -p e2e live_packages`.
#[test]
fn live_packages_work_in_the_sandbox() {
    if std::env::var_os("CHATFN_LIVE_NPM").is_none() {
        eprintln!("skipped: set CHATFN_LIVE_NPM=1 to install from the public registry");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let names = [
        "dayjs",
        "lodash",
        "uuid",
        "nanoid",
        "date-fns",
        "zod",
        "validator",
        "jsonwebtoken",
        "axios",
    ];
    let deps: Vec<Value> = names
        .iter()
        .map(|n| json!({ "name": n, "version": "latest" }))
        .collect();
    let deps = write(&dir, "deps.json", &Value::Array(deps).to_string());
    let handler = write(
        &dir,
        "handler.js",
        r#"
const dayjs = require('dayjs');
const _ = require('lodash');
const uuid = require('uuid');
const { nanoid } = require('nanoid');
const dateFns = require('date-fns');
const { z } = require('zod');
const validator = require('validator');
const jwt = require('jsonwebtoken');
// axios's Node build needs http/https; its browser build runs on fetch.
const axios = require('axios/dist/browser/axios.cjs');
async function handleEvent() {
  const token = jwt.sign({ sub: 'ada' }, 'secret', { noTimestamp: true });
  return {
    dayjs: dayjs('2024-01-31').add(1, 'month').format('YYYY-MM-DD'),
    lodash: _.groupBy(['one', 'two', 'three'], 'length'),
    uuid: [uuid.validate(uuid.v4()), uuid.v5('hello', uuid.v5.DNS)],
    nanoid: nanoid().length,
    dateFns: dateFns.format(dateFns.addDays(new Date(2024, 0, 30), 3), 'yyyy-MM-dd'),
    zod: [z.object({ a: z.string() }).safeParse({ a: 'x' }).success, z.number().safeParse('x').success],
    validator: [validator.isEmail('a@b.co'), validator.isUUID('nope')],
    jwt: [token, jwt.verify(token, 'secret').sub],
    axios: [typeof axios.get, typeof axios.create],
  };
}
"#,
    );
    let output = chatfn(&dir)
        .arg("invoke")
        .arg(&handler)
        .arg("--deps")
        .arg(&deps)
        .output()
        .expect("run chatfn");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        lines(&output)[0]["result"]["payload"],
        json!({
            "dayjs": "2024-02-29",
            "lodash": { "3": ["one", "two"], "5": ["three"] },
            "uuid": [true, "9342d47a-1bab-5709-9869-c840b2eac501"],
            "nanoid": 21,
            "dateFns": "2024-02-02",
            "zod": [true, false],
            "validator": [true, false],
            "jwt": ["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZGEifQ.-G7HR4Se6onpiv1N_jWqt9jGA0VR0kRJ_2BoHWhkfhg", "ada"],
            "axios": ["function", "function"],
        })
    );
}

/// The Platform API's own initialization-script example (ChatKitty's
/// `PUT /v1/runtimes/nodejs/initialization-script` sample), as written,
/// with its dependency `firebase@7.24.0` from the test registry.
const SPEC_INIT_SCRIPT: &str = "import firebase from 'firebase';\r\nimport '@firebase/auth';\r\nimport '@firebase/firestore';\r\n\r\nconst firebaseConfig = {\r\n apiKey: 'AIzaSyBEqSZdB3qTeSTyycvYDgJ5qG-5Xg9rQZY',\r\n authDomain: 'chatkitty-example.firebaseapp.com',\r\n databaseURL: 'https://chatkitty-example.firebaseio.com',\r\n projectId: 'chatkitty-example',\r\n storageBucket: 'chatkitty-example.appspot.com',\r\n messagingSenderId: '540634290949',\r\n appId: '1:540634290949:web:cd754ff7e98087230ff56c',\r\n measurementId: 'G-BB7Q5DRQK6',\r\n};\r\n\r\nif (!firebase.apps.length) {\r\n firebase.initializeApp(firebaseConfig);\r\n}\r\n\r\nexport { firebase };";

#[test]
fn the_platform_specs_firebase_init_script_runs_as_written() {
    let registry = TestRegistry::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let init = write(&dir, "init.js", SPEC_INIT_SCRIPT);
    let deps = write(
        &dir,
        "deps.json",
        r#"[{"name": "firebase", "version": "7.24.0"}]"#,
    );
    let handler = write(
        &dir,
        "handler.js",
        "async function handleEvent() {\n  return { apps: firebase.apps.length, firestore: typeof firebase.firestore,\n    \
         auth: typeof firebase.auth, projectId: firebase.app().options.projectId };\n}\n",
    );
    let output = chatfn(&dir)
        .arg("invoke")
        .arg(&handler)
        .arg("--init")
        .arg(&init)
        .arg("--deps")
        .arg(&deps)
        .args(["--npm-registry", &registry.url])
        .output()
        .expect("run chatfn");
    assert_exit(&output, 0);
    assert_eq!(
        lines(&output)[0]["result"]["payload"],
        json!({ "apps": 1, "firestore": "function", "auth": "function", "projectId": "chatkitty-example" })
    );
}

/// Ages every entry directly under `dir` by an hour.
fn age_entries(dir: &std::path::Path) -> usize {
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let Ok(listing) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut aged = 0;
    for entry in listing.flatten() {
        std::fs::File::open(entry.path())
            .and_then(|f| f.set_modified(an_hour_ago))
            .expect("age an entry");
        aged += 1;
    }
    aged
}

fn entries(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |listing| listing.count())
}

#[test]
fn unused_packages_are_collected_and_downloaded_again_when_needed() {
    let flags = ["--npm-cache-max-mb", "0"];
    let server = Server::start_with(&flags);
    let key = server.create_app("collected", &[]);
    let client = server.client(&key);
    let reply = client.json(
        "PUT",
        "/v1/runtimes/nodejs/dependencies",
        &json!([{ "name": "dayjs", "version": "^1.11.0" }, { "name": "ms", "version": "^2.1.0" }]),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let handler = |n: u32| {
        format!(
            "const dayjs = require('dayjs');\nconst ms = require('ms');\nasync function handleEvent() {{\n  return [{n}, dayjs('2020-01-31').add(1, 'month').format('YYYY-MM-DD'), ms('1m')];\n}}\n"
        )
    };
    let function = deploy(&client, START, &handler(1), None);
    let trigger = |client: &crate::server::Client| {
        client.json(
            "POST",
            &format!("/v1/triggers/{START}"),
            &json!({ "username": "ada" }),
        )
    };
    assert_eq!(
        trigger(&client).body["result"]["payload"],
        json!([1, "2020-02-29", 60000])
    );

    // Used within the grace period: kept, though over the bound of 0 MiB.
    let data = server.kill();
    let store = data.path().join("npm/store");
    assert_eq!(entries(&store), 2, "dayjs and ms are in the store");
    // An hour later (as far as the store can tell), a restart collects them.
    assert_eq!(age_entries(&store), 2);
    age_entries(&data.path().join("npm/esm-cache"));
    let server = Server::start_in(data, &flags);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while entries(&store) > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the store was not collected"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }

    // A new version needs the packages again: they come back from the
    // registry, checked against the lockfile.
    let client = server.client(&key);
    let version = client.json(
        "POST",
        &format!("/v1/functions/{function}/versions"),
        &json!({ "handlerScript": handler(2) }),
    );
    assert_eq!(version.status, 201, "{:?}", version.body);
    let run = trigger(&client);
    assert_eq!(run.status, 200, "{:?}", run.body);
    assert_eq!(
        run.body["result"]["payload"],
        json!([2, "2020-02-29", 60000])
    );
    assert_eq!(entries(&store), 2);
}
