//! Dependency specs as a chat runtime lists them (`"^1.11.0"`, `"latest"`,
//! `"npm:lodash@^4"`): what to fetch, and which kinds are refused.

use nodejs_semver::Range;

use crate::{Error, Result};

/// What a dependency asks for.
#[derive(Clone, Debug)]
pub(crate) struct Spec {
    /// The registry package to fetch (differs from the dependency's name
    /// for `npm:` aliases).
    pub(crate) package: String,
    pub(crate) want: Want,
}

#[derive(Clone, Debug)]
pub(crate) enum Want {
    Range(Range),
    /// A dist-tag such as `latest` or `next`.
    Tag(String),
}

/// Parses `spec`, the version field of dependency `name`.
pub(crate) fn parse(name: &str, spec: &str) -> Result<Spec> {
    validate_name(name)?;
    let spec = spec.trim();
    if let Some(alias) = spec.strip_prefix("npm:") {
        // `npm:pkg@range`, `npm:@scope/pkg@range` or just `npm:pkg`.
        let split = alias
            .char_indices()
            .skip(1)
            .find(|&(_, c)| c == '@')
            .map(|(i, _)| i);
        let (package, range) = match split {
            Some(i) => (&alias[..i], &alias[i + 1..]),
            None => (alias, ""),
        };
        validate_name(package)?;
        if range.starts_with("npm:") {
            return Err(unsupported(name, spec, "an alias of an alias"));
        }
        let inner = parse(package, range)?;
        return Ok(inner);
    }
    let refused = [
        ("git+", "a git repository"),
        ("git:", "a git repository"),
        ("git@", "a git repository"),
        ("github:", "a GitHub repository"),
        ("gitlab:", "a GitLab repository"),
        ("bitbucket:", "a Bitbucket repository"),
        ("gist:", "a gist"),
        ("http:", "a tarball URL"),
        ("https:", "a tarball URL"),
        ("file:", "a local path"),
        ("link:", "a local link"),
        ("workspace:", "a workspace package"),
        ("portal:", "a local path"),
    ];
    for (prefix, what) in refused {
        if spec.starts_with(prefix) {
            return Err(unsupported(name, spec, what));
        }
    }
    if spec.starts_with('.') || spec.starts_with('/') || spec.starts_with('~') && spec.contains('/')
    {
        return Err(unsupported(name, spec, "a local path"));
    }
    if spec.contains('/') && !spec.contains(' ') {
        // `user/repo` is GitHub shorthand.
        return Err(unsupported(name, spec, "a GitHub repository"));
    }
    let want = if spec.is_empty() || spec == "*" {
        Want::Range(Range::any())
    } else if let Ok(range) = Range::parse(spec) {
        Want::Range(range)
    } else if is_tag(spec) {
        Want::Tag(spec.to_owned())
    } else {
        return Err(Error::InvalidSpec {
            name: name.to_owned(),
            spec: spec.to_owned(),
        });
    };
    Ok(Spec {
        package: name.to_owned(),
        want,
    })
}

fn unsupported(name: &str, spec: &str, what: &str) -> Error {
    Error::UnsupportedSpec {
        name: name.to_owned(),
        spec: spec.to_owned(),
        reason: format!(
            "it points at {what}; the chat runtime installs from the npm registry only (use a version range such as ^1.2.0)"
        ),
    }
}

fn is_tag(spec: &str) -> bool {
    !spec.is_empty()
        && spec.len() <= 64
        && spec
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !spec.starts_with(|c: char| c.is_ascii_digit() || c == 'v')
}

/// npm's package name rules (lowercase URL-safe, optional `@scope/`), which
/// also keep names safe as path segments.
pub(crate) fn validate_name(name: &str) -> Result<()> {
    let invalid = |why: &str| Error::InvalidName {
        name: name.to_owned(),
        reason: why.to_owned(),
    };
    if name.is_empty() || name.len() > 214 {
        return Err(invalid("names are 1 to 214 characters"));
    }
    let bare = match name.strip_prefix('@') {
        Some(scoped) => {
            let (scope, rest) = scoped
                .split_once('/')
                .ok_or_else(|| invalid("a scoped name is @scope/name"))?;
            check_part(scope).map_err(&invalid)?;
            rest
        }
        None => name,
    };
    check_part(bare).map_err(invalid)
}

fn check_part(part: &str) -> Result<(), &'static str> {
    if part.is_empty() || part.starts_with('.') || part.starts_with('_') {
        return Err("a name cannot be empty or start with '.' or '_'");
    }
    if part
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.' | '_' | '~'))
    {
        Ok(())
    } else {
        Err("names are lowercase letters, digits, '-', '.', '_' and '~'")
    }
}

#[cfg(test)]
mod tests {
    use nodejs_semver::Version;

    use super::*;

    fn matches(spec: &str, version: &str) -> bool {
        match parse("x", spec).map(|s| s.want) {
            Ok(Want::Range(range)) => Version::parse(version).is_ok_and(|v| range.satisfies(&v)),
            other => panic!("{spec}: {other:?}"),
        }
    }

    #[test]
    fn npm_ranges() {
        for (spec, version, expected) in [
            ("^1.2.3", "1.9.0", true),
            ("^1.2.3", "2.0.0", false),
            ("^0.2.3", "0.3.0", false),
            ("~1.2.3", "1.2.9", true),
            ("~1.2.3", "1.3.0", false),
            ("1.x", "1.5.0", true),
            ("1.2.x", "1.3.0", false),
            ("1 - 2", "2.9.9", true),
            ("1.0.0 - 1.2.0", "1.2.1", false),
            (">=1.0.0 <2.0.0 || ^3", "3.1.0", true),
            ("", "9.9.9", true),
            ("*", "0.0.1", true),
            ("v1.2.3", "1.2.3", true),
            ("=1.2.3", "1.2.3", true),
            ("^1.0.0", "1.1.0-beta.1", false),
        ] {
            assert_eq!(matches(spec, version), expected, "{spec} vs {version}");
        }
    }

    #[test]
    fn tags_and_aliases() {
        assert!(matches!(parse("x", "latest").map(|s| s.want), Ok(Want::Tag(t)) if t == "latest"));
        let alias = parse("my-lodash", "npm:lodash@^4.17.0").expect("an alias");
        assert_eq!(alias.package, "lodash");
        let scoped = parse("t", "npm:@types/node@20").expect("a scoped alias");
        assert_eq!(scoped.package, "@types/node");
        assert_eq!(
            parse("y", "npm:left-pad").map(|s| s.package).ok(),
            Some("left-pad".into())
        );
    }

    #[test]
    fn non_registry_specs_are_refused_clearly() {
        for spec in [
            "git+https://github.com/a/b.git",
            "github:a/b",
            "a/b",
            "https://example.com/x.tgz",
            "file:../x",
            "./x",
            "workspace:*",
        ] {
            let err = parse("x", spec).expect_err(spec).to_string();
            assert!(err.contains("npm registry only"), "{spec}: {err}");
        }
        assert!(matches!(parse("x", "^^1"), Err(Error::InvalidSpec { .. })));
        for name in ["", "A", "../x", "@s", "@s/", ".x", "a b", "a/b"] {
            assert!(validate_name(name).is_err(), "{name}");
        }
        for name in ["dayjs", "@types/node", "lodash.get", "a-b_c~d"] {
            assert!(validate_name(name).is_ok(), "{name}");
        }
    }
}
