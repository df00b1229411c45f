//! Which file `require('pkg')` or `require('pkg/sub')` loads from a module
//! map, by Node's rules for CommonJS: package.json `exports` (conditions
//! `require`, `node`, `default`, in the package's key order), else `main`,
//! else `index.js`, with extension and index probing. The guest resolves
//! the same way at run time; the installer uses this to tell, before any
//! handler runs, when a dependency cannot be loaded at all.

use std::collections::BTreeMap;

use serde_json::Value;

const CONDITIONS: [&str; 3] = ["require", "node", "default"];

/// The module-map path `require(request)` loads from the root, or why
/// nothing does.
pub fn resolve_require(files: &BTreeMap<String, String>, request: &str) -> Result<String, String> {
    let (name, subpath) = split_request(request)?;
    let dir = format!("/node_modules/{name}");
    let manifest = files
        .get(&format!("{dir}/package.json"))
        .map(|json| serde_json::from_str::<Value>(json))
        .transpose()
        .map_err(|e| format!("{dir}/package.json is not valid JSON: {e}"))?;
    let Some(manifest) = manifest else {
        return Err(format!(
            "Cannot find module '{request}' (no {dir}/package.json)"
        ));
    };
    if let Some(exports) = manifest.get("exports").filter(|e| !e.is_null()) {
        let key = if subpath.is_empty() {
            ".".to_owned()
        } else {
            format!("./{subpath}")
        };
        let target = exported(exports, &key).ok_or_else(|| {
            format!(
                "Package subpath '{key}' is not defined by \"exports\" in {dir}/package.json for require (conditions: require, node, default)"
            )
        })?;
        let path = normalize(&format!("{dir}/{target}"));
        return files
            .contains_key(&path)
            .then_some(path.clone())
            .ok_or_else(|| {
                format!("{name} exports '{key}' as {target}, which is not in the package")
            });
    }
    let base = if subpath.is_empty() {
        match manifest
            .get("main")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
        {
            Some(main) => normalize(&format!("{dir}/{main}")),
            None => dir.clone(),
        }
    } else {
        normalize(&format!("{dir}/{subpath}"))
    };
    probe(files, &base)
        .or_else(|| {
            (base != dir)
                .then(|| probe(files, &dir))
                .flatten()
                .filter(|_| subpath.is_empty())
        })
        .ok_or_else(|| format!("Cannot find module '{request}'"))
}

/// `pkg/sub/path` → (`pkg`, `sub/path`); scoped names keep their scope.
fn split_request(request: &str) -> Result<(&str, &str), String> {
    let cut = if request.starts_with('@') {
        request.match_indices('/').nth(1).map(|(i, _)| i)
    } else {
        request.find('/')
    };
    let (name, subpath) = match cut {
        Some(i) => (&request[..i], &request[i + 1..]),
        None => (request, ""),
    };
    crate::spec::validate_name(name).map_err(|e| e.to_string())?;
    Ok((name, subpath))
}

/// The target `exports` gives `key` under our conditions.
fn exported(exports: &Value, key: &str) -> Option<String> {
    let subpaths = exports
        .as_object()
        .is_some_and(|o| o.keys().next().is_some_and(|k| k.starts_with('.')));
    if !subpaths {
        return (key == ".").then(|| target(exports)).flatten();
    }
    let map = exports.as_object()?;
    if let Some(value) = map.get(key) {
        return target(value);
    }
    // Patterns: the longest matching prefix before `*` wins.
    let mut best: Option<(usize, String)> = None;
    for (pattern, value) in map {
        let Some((prefix, suffix)) = pattern.split_once('*') else {
            continue;
        };
        if key.len() >= prefix.len() + suffix.len()
            && key.starts_with(prefix)
            && key.ends_with(suffix)
            && best.as_ref().is_none_or(|(len, _)| prefix.len() > *len)
        {
            let star = &key[prefix.len()..key.len() - suffix.len()];
            if let Some(t) = target(value) {
                best = Some((prefix.len(), t.replace('*', star)));
            }
        }
    }
    best.map(|(_, t)| t)
}

/// A target: a string, conditions in key order, or the first valid entry
/// of an array; `null` excludes.
fn target(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if s.starts_with("./") => Some(s.clone()),
        Value::Object(conditions) => conditions
            .iter()
            .filter(|(k, _)| CONDITIONS.contains(&k.as_str()))
            .find_map(|(_, v)| target(v)),
        Value::Array(items) => items.iter().find_map(target),
        _ => None,
    }
}

fn probe(files: &BTreeMap<String, String>, base: &str) -> Option<String> {
    let candidates = [
        base.to_owned(),
        format!("{base}.js"),
        format!("{base}.json"),
        format!("{base}.cjs"),
        format!("{base}/index.js"),
        format!("{base}/index.json"),
        format!("{base}/index.cjs"),
    ];
    candidates.into_iter().find(|c| files.contains_key(c))
}

fn normalize(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    format!("/{}", out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn exports_conditions_follow_the_package_key_order() {
        // `import` first is skipped; `node` comes before `default` here.
        let files = map(&[
            (
                "/node_modules/p/package.json",
                r#"{"exports":{".":{"types":"./x.d.ts","import":"./esm.js","node":{"default":"./node.js"},"default":"./browser.js"},"./sub/*":"./lib/*.js","./package.json":"./package.json"},"main":"./ignored.js"}"#,
            ),
            ("/node_modules/p/node.js", ""),
            ("/node_modules/p/browser.js", ""),
            ("/node_modules/p/lib/a/b.js", ""),
        ]);
        assert_eq!(
            resolve_require(&files, "p").as_deref(),
            Ok("/node_modules/p/node.js")
        );
        assert_eq!(
            resolve_require(&files, "p/sub/a/b").as_deref(),
            Ok("/node_modules/p/lib/a/b.js")
        );
        assert_eq!(
            resolve_require(&files, "p/package.json").as_deref(),
            Ok("/node_modules/p/package.json")
        );
        assert!(resolve_require(&files, "p/ignored").is_err());
        // Order matters: `default` before `node` picks the browser build.
        let files = map(&[
            (
                "/node_modules/q/package.json",
                r#"{"exports":{"default":"./browser.js","node":"./node.js"}}"#,
            ),
            ("/node_modules/q/node.js", ""),
            ("/node_modules/q/browser.js", ""),
        ]);
        assert_eq!(
            resolve_require(&files, "q").as_deref(),
            Ok("/node_modules/q/browser.js")
        );
    }

    #[test]
    fn main_index_and_subpaths_without_exports() {
        let files = map(&[
            ("/node_modules/@s/m/package.json", r#"{"main":"lib/main"}"#),
            ("/node_modules/@s/m/lib/main.js", ""),
            ("/node_modules/@s/m/fp/index.js", ""),
            ("/node_modules/@s/m/data.json", ""),
            ("/node_modules/i/package.json", "{}"),
            ("/node_modules/i/index.js", ""),
        ]);
        assert_eq!(
            resolve_require(&files, "@s/m").as_deref(),
            Ok("/node_modules/@s/m/lib/main.js")
        );
        assert_eq!(
            resolve_require(&files, "@s/m/fp").as_deref(),
            Ok("/node_modules/@s/m/fp/index.js")
        );
        assert_eq!(
            resolve_require(&files, "@s/m/data").as_deref(),
            Ok("/node_modules/@s/m/data.json")
        );
        assert_eq!(
            resolve_require(&files, "i").as_deref(),
            Ok("/node_modules/i/index.js")
        );
        assert!(resolve_require(&files, "missing").is_err());
        // Only `import` is exported: nothing for require.
        let files = map(&[
            (
                "/node_modules/e/package.json",
                r#"{"exports":{"import":"./e.mjs"}}"#,
            ),
            ("/node_modules/e/e.mjs", ""),
        ]);
        assert!(resolve_require(&files, "e").is_err());
    }
}
