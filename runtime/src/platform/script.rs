//! The context script: the guest half of the platform client. It gives the
//! handler's `context` a `get…Api()` method per API whose methods forward
//! their arguments to the `platform` host call; everything else (paths,
//! encoding, credentials) is decided on the host.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use super::table::{Api, operations};

/// The context script's file name in stack traces.
pub(crate) const CONTEXT_SCRIPT_NAME: &str = "chatfn:context.js";

/// The context script's source (CommonJS), built once from the table.
pub(crate) fn context_script() -> &'static str {
    static SCRIPT: LazyLock<String> = LazyLock::new(build);
    &SCRIPT
}

fn build() -> String {
    // getter -> { method name (or alias) -> operation name }
    let mut apis: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    for api in Api::ALL {
        apis.insert(api.getter(), BTreeMap::new());
    }
    for op in operations() {
        let methods = apis.entry(op.api.getter()).or_default();
        methods.insert(op.name, op.name);
        for alias in op.aliases {
            methods.insert(alias, op.name);
        }
    }
    let table = serde_json::to_string(&apis).unwrap_or_else(|_| "{}".into());
    format!(
        r#"'use strict';
const host = require('chatfn:host');
const APIS = {table};

// Methods take the SDK's positional arguments; a trailing axios-style
// options argument is accepted and ignored.
function makeApi(methods) {{
  const api = {{}};
  for (const name of Object.keys(methods)) {{
    const operation = methods[name];
    api[name] = {{ [name](...args) {{ return host.call('platform', {{ operation, args }}); }} }}[name];
  }}
  return Object.freeze(api);
}}

// The getters live on one prototype, built before the snapshot, so making
// an invocation's context is one object; each API object is made on first
// use (an instance serves one invocation, so caching here is per context).
const made = Object.create(null);
const Context = {{}};
for (const getter of Object.keys(APIS)) {{
  Context[getter] = {{ [getter]() {{ return made[getter] || (made[getter] = makeApi(APIS[getter])); }} }}[getter];
}}
Object.freeze(Context);

module.exports = function createContext(data) {{
  return Object.freeze(Object.assign(Object.create(Context), data));
}};
"#
    )
}
