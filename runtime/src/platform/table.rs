//! The Platform API's operations as data: what the guest's API objects
//! expose and how the host turns a call into an HTTP request. One table
//! (`operations.rs`, generated from the API's OpenAPI document) drives both.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::operations::OPERATIONS;

/// The API objects `context.get…Api()` returns, one per group of operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Api {
    Analytics,
    Application,
    Channel,
    ChatSession,
    Function,
    Import,
    Job,
    Message,
    Runtime,
    Thread,
    UserSession,
    User,
}

impl Api {
    pub(crate) const ALL: [Api; 12] = [
        Api::Analytics,
        Api::Application,
        Api::Channel,
        Api::ChatSession,
        Api::Function,
        Api::Import,
        Api::Job,
        Api::Message,
        Api::Runtime,
        Api::Thread,
        Api::UserSession,
        Api::User,
    ];

    /// The `context` method that returns this API, as the public SDK names it.
    pub(crate) fn getter(self) -> &'static str {
        match self {
            Api::Analytics => "getAnalyticsApi",
            Api::Application => "getApplicationApi",
            Api::Channel => "getChannelApi",
            Api::ChatSession => "getChatSessionApi",
            Api::Function => "getFunctionApi",
            Api::Import => "getImportApi",
            Api::Job => "getJobApi",
            Api::Message => "getMessageApi",
            Api::Runtime => "getRuntimeApi",
            Api::Thread => "getThreadApi",
            Api::UserSession => "getUserSessionApi",
            Api::User => "getUserApi",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
}

impl Method {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
        }
    }
}

/// One positional argument of an API method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arg {
    /// Fills `{name}` in the path.
    Path(&'static str),
    /// A query parameter.
    Query(&'static str),
    /// The request body, as `application/json`.
    Json,
    /// The request body, as `application/json+merge-patch`.
    MergePatch,
    /// A `multipart/form-data` field (file uploads such as imports).
    Form(&'static str),
}

/// One Platform API operation.
#[derive(Debug)]
pub(crate) struct Operation {
    pub(crate) api: Api,
    /// The SDK's method name: the camel-cased operation id.
    pub(crate) name: &'static str,
    /// Other names handlers call it by.
    pub(crate) aliases: &'static [&'static str],
    pub(crate) method: Method,
    /// The path template, e.g. `/v1/channels/{id}/members`.
    pub(crate) path: &'static str,
    /// Arguments in the SDK's order: required first.
    pub(crate) args: &'static [Arg],
}

/// The operation called `name` (its SDK name, not an alias).
pub(crate) fn operation(name: &str) -> Option<&'static Operation> {
    static BY_NAME: LazyLock<HashMap<&'static str, &'static Operation>> =
        LazyLock::new(|| OPERATIONS.iter().map(|op| (op.name, op)).collect());
    BY_NAME.get(name).copied()
}

/// Every operation.
pub(crate) fn operations() -> &'static [Operation] {
    OPERATIONS
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_api_has_operations_and_names_are_unique_within_it() {
        for api in Api::ALL {
            let mut names = HashSet::new();
            let ops: Vec<_> = operations().iter().filter(|op| op.api == api).collect();
            assert!(!ops.is_empty(), "{api:?} has no operations");
            for op in ops {
                for name in std::iter::once(&op.name).chain(op.aliases) {
                    assert!(names.insert(*name), "{api:?}.{name} is defined twice");
                }
            }
        }
    }

    #[test]
    fn path_arguments_match_the_path_template() {
        for op in operations() {
            let placeholders: Vec<&str> = op
                .path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .collect();
            let path_args: Vec<&str> = op
                .args
                .iter()
                .filter_map(|a| match a {
                    Arg::Path(name) => Some(*name),
                    _ => None,
                })
                .collect();
            assert_eq!(placeholders, path_args, "{}", op.name);
            let bodies = op
                .args
                .iter()
                .filter(|a| matches!(a, Arg::Json | Arg::MergePatch))
                .count();
            assert!(bodies <= 1, "{}", op.name);
        }
    }

    #[test]
    fn the_names_handlers_use_exist() {
        let find = |api: Api, name: &str| {
            operations()
                .iter()
                .find(|op| op.api == api && (op.name == name || op.aliases.contains(&name)))
                .map(|op| (op.method, op.path, op.args))
        };
        assert_eq!(
            find(Api::User, "getUserExists"),
            Some((Method::Head, "/v1/users", &[Arg::Query("name")][..]))
        );
        assert_eq!(
            find(Api::Channel, "createChannelMember"),
            find(Api::Channel, "addChannelMember")
        );
        assert_eq!(
            find(Api::Channel, "addChannelMember"),
            Some((
                Method::Post,
                "/v1/channels/{id}/members",
                &[Arg::Path("id"), Arg::Json][..]
            ))
        );
        for (api, name) in [
            (Api::User, "listUsers"),
            (Api::User, "createUser"),
            (Api::User, "retrieveUser"),
            (Api::User, "getUser"),
            (Api::Channel, "createChannel"),
            (Api::Channel, "sendChannelMessage"),
            (Api::Channel, "createChannelMessage"),
            (Api::Channel, "listChannelMessages"),
            (Api::Channel, "getChannelMessages"),
            (Api::Function, "retrieveFunctionVersion"),
            (Api::Runtime, "retrieveNodejsRuntime"),
        ] {
            assert!(find(api, name).is_some(), "{api:?}.{name}");
        }
        assert_eq!(operations().len(), 67);
    }
}
