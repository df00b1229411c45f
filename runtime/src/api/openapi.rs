//! The OpenAPI document, generated from the handlers' `#[utoipa::path]`
//! attributes and the resource types, then completed here with what every
//! operation shares (the key, the error answers) and one path per trigger
//! type (each with its own event shape).

use serde_json::json;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::response::Response;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Header, OpenApi, Ref, RefOr};
use utoipa::{Modify, OpenApi as _};

use super::error::ErrorBody;
use crate::triggers::{Field, TRIGGER_TYPES};

/// The route the trigger types share; the document lists one path each.
pub(crate) const TRIGGER_ROUTE: &str = "/v1/triggers/{trigger}";

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "chatfn",
        description = "Chat functions: versioned JavaScript/TypeScript handlers of chat events, \
                       run in a sandbox. Every route but /healthz, /metrics and this document \
                       takes an application key: `Authorization: Bearer <key>`."
    ),
    components(schemas(ErrorBody)),
    modifiers(&Shared)
)]
struct ApiDoc;

/// The document's start: info, the error schema, the key's scheme.
pub(crate) fn base() -> OpenApi {
    ApiDoc::openapi()
}

/// Completes the document the router collected, as JSON: some of what it
/// says (property names, `anyOf` parameters) has no place in utoipa's
/// types.
pub(crate) fn finish(mut doc: OpenApi, max_timeout_ms: u32) -> serde_json::Value {
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    expand_triggers(&mut doc);
    // Runs and builds with a cap per application.
    let capped = [
        ("/v1/function-versions/{id}/invocations", "post"),
        ("/v1/functions/{id}/versions", "post"),
        ("/v1/runtimes/nodejs/environment-variables", "put"),
        ("/v1/runtimes/nodejs/initialization-script", "put"),
        ("/v1/runtimes/nodejs/dependencies", "put"),
    ];
    for (path, method) in capped {
        let Some(item) = doc.paths.paths.get_mut(path) else {
            continue;
        };
        let operation = match method {
            "post" => item.post.as_mut(),
            _ => item.put.as_mut(),
        };
        if let Some(operation) = operation {
            operation
                .responses
                .responses
                .insert("429".into(), RefOr::T(at_cap_answer()));
        }
    }
    for item in doc.paths.paths.values_mut() {
        // What a read-only key may not do.
        let changes = [
            item.put.as_mut(),
            item.post.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
        ];
        for operation in changes.into_iter().flatten() {
            if !operation.tags.iter().flatten().any(|t| t == "service") {
                operation.responses.responses.insert(
                    "403".into(),
                    RefOr::T(error_answer("The application key is read-only.")),
                );
            }
        }
        for operation in operations(item) {
            if !operation.tags.iter().flatten().any(|t| t == "service") {
                add_shared_answers(operation);
            }
        }
    }
    let mut doc = serde_json::to_value(&doc).unwrap_or_default();
    let names: Vec<&str> = TRIGGER_TYPES.iter().map(|t| t.name).collect();
    let trigger_names = json!({ "type": "string", "enum": names });
    if let Some(paths) = doc["paths"].as_object_mut() {
        for (path, item) in paths.iter_mut() {
            let sortable = if path == "/v1/runtimes/nodejs/functions" {
                "id|createdTime|name"
            } else {
                "id|createdTime|versionNumber"
            };
            for operation in item
                .as_object_mut()
                .into_iter()
                .flat_map(|o| o.values_mut())
            {
                // `get_mut`: indexing would add the key (as null) where absent.
                let parameters = operation
                    .get_mut("parameters")
                    .and_then(|p| p.as_array_mut());
                for parameter in parameters.into_iter().flatten() {
                    let schema = match parameter["name"].as_str() {
                        Some("sort") => json!({
                            "type": "array",
                            "maxItems": 2,
                            "items": {
                                "type": "string",
                                "pattern": format!("^({sortable})(,([aA][sS][cC]|[dD][eE][sS][cC]))?$"),
                            },
                        }),
                        Some("type") => trigger_names.clone(),
                        // ISO 8601: a time with its offset, or a date.
                        Some("from" | "to") => json!({
                            "anyOf": [
                                { "type": "string", "format": "date-time" },
                                { "type": "string", "format": "date" },
                            ],
                        }),
                        // Visible ASCII, trimmed.
                        Some("Idempotency-Key") => json!({
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 255,
                            "pattern": "^[!-~]([ -~]*[!-~])?$",
                        }),
                        _ => continue,
                    };
                    parameter["schema"] = schema;
                }
            }
        }
    }
    doc["paths"]["/v1/runtimes/nodejs/environment-variables"]["put"]["requestBody"]["content"]["application/json"]
        ["schema"] = json!({
        "type": "object",
        "maxProperties": 200,
        "propertyNames": { "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" },
        "additionalProperties": {
            "anyOf": [
                { "type": "string", "maxLength": 32768 },
                { "type": "number" },
                { "type": "boolean" },
            ],
        },
    });
    doc["paths"]["/v1/runtimes/nodejs/secrets"]["put"]["requestBody"]["content"]["application/json"]
        ["schema"] = json!({
        "type": "object",
        "maxProperties": crate::secrets::MAX_SECRETS,
        "propertyNames": { "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,127}$" },
        "additionalProperties": {
            "anyOf": [
                { "type": "string", "maxLength": crate::secrets::MAX_VALUE_CHARS },
                { "type": "null" },
            ],
        },
    });
    // Each trigger's event has its own shape; a test event is shaped as
    // the version's trigger type's.
    for trigger in TRIGGER_TYPES {
        let body =
            &mut doc["paths"][format!("/v1/triggers/{}", trigger.name)]["post"]["requestBody"];
        body["required"] = json!(true);
        body["content"]["application/json"]["schema"] = event_schema(trigger.fields);
        body["content"]["application/json"]["example"] =
            serde_json::from_str(trigger.example).unwrap_or_default();
    }
    let events: Vec<serde_json::Value> = TRIGGER_TYPES
        .iter()
        .map(|t| event_schema(t.fields))
        .collect();
    doc["paths"]["/v1/function-versions/{id}/invocations"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"] = json!({ "anyOf": events });
    let schemas = &mut doc["components"]["schemas"];
    schemas["CreateFunction"]["properties"]["type"] = trigger_names;
    // The configured limit, so a schema-valid timeout is always accepted.
    for name in ["CreateFunction", "UpdateFunction"] {
        schemas[name]["properties"]["timeoutMs"]["maximum"] = json!(max_timeout_ms);
    }
    doc
}

struct Shared;

impl Modify for Shared {
    fn modify(&self, doc: &mut OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "applicationKey",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An application's key (`chatfn apps create` prints it).",
                    ))
                    .build(),
            ),
        );
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.patch.as_mut(),
        item.delete.as_mut(),
    ]
    .into_iter()
    .flatten()
}

fn error_answer(description: &str) -> Response {
    let mut response = Response::new(description);
    response.content.insert(
        "application/json".into(),
        RefOr::T(Content::new(Some(Ref::from_schema_name("ErrorBody")))),
    );
    response
}

/// An error answer with the seconds to wait before retrying.
fn retry_answer(description: &str) -> Response {
    let mut answer = error_answer(description);
    answer.headers.insert(
        "Retry-After".into(),
        RefOr::T(Header::new(Schema::Object(
            utoipa::openapi::schema::ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::Integer)
                .build(),
        ))),
    );
    answer
}

/// The answer of a run refused because its application is at its cap.
fn at_cap_answer() -> Response {
    retry_answer("This application already runs as many of these at once as it may: retry later.")
}

/// The answers every keyed operation may give, added where the handler's
/// attribute did not say more: a missing or wrong key, an unreadable or
/// unacceptable body or query, a missing resource, saturation and bugs.
fn add_shared_answers(operation: &mut Operation) {
    let mut add = |status: &str, response: Response| {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert(RefOr::T(response));
    };
    add(
        "401",
        error_answer("No application key, or not a valid one."),
    );
    add("400", error_answer("The query, path or body is not valid."));
    add(
        "404",
        error_answer("No such resource (of this application)."),
    );
    add(
        "500",
        error_answer("A failure of the server; it is logged."),
    );
    add(
        "503",
        retry_answer("Saturated, or the database is out of reach: retry later."),
    );
    if operation.request_body.is_some() {
        add("413", error_answer("The body is larger than the limit."));
        add("415", error_answer("The body is not JSON."));
    }
    if operation.security.is_none() {
        operation.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new::<
            _,
            _,
            &str,
        >("applicationKey", [])]);
    }
}

/// Replaces the shared trigger route with one path per trigger type, each
/// with its event's shape and the answers of its kind (blocking or not).
fn expand_triggers(doc: &mut OpenApi) {
    let Some(shared) = doc.paths.paths.remove(TRIGGER_ROUTE) else {
        return;
    };
    let Some(template) = shared.post else {
        return;
    };
    for trigger in TRIGGER_TYPES {
        let mut operation = template.clone();
        operation.operation_id = Some(format!("trigger_{}", trigger.name.replace('.', "_")));
        operation.summary = Some(format!("The chat server reports `{}`.", trigger.name));
        // The path names the type: no parameter for it. Only queued events
        // are deduplicated by key.
        if let Some(parameters) = operation.parameters.as_mut() {
            parameters.retain(|p| match p {
                RefOr::T(p) => {
                    p.name != "trigger" && (p.name != "Idempotency-Key" || !trigger.blocking)
                }
                RefOr::Ref(_) => true,
            });
        }
        let keep: &[&str] = if trigger.blocking {
            &["200", "204", "422", "504"]
        } else {
            &["202", "204"]
        };
        operation
            .responses
            .responses
            .retain(|status, _| keep.contains(&status.as_str()));
        if trigger.blocking {
            operation
                .responses
                .responses
                .insert("429".into(), RefOr::T(at_cap_answer()));
        }
        let mut item = PathItem::default();
        item.post = Some(operation);
        doc.paths
            .paths
            .insert(format!("/v1/triggers/{}", trigger.name), item);
    }
}

/// A trigger's event as a JSON schema: its fields; others pass through.
fn event_schema(fields: &[Field]) -> serde_json::Value {
    let object = || json!({ "type": "object" });
    let mut properties = serde_json::Map::new();
    let mut required = Vec::new();
    for field in fields {
        let (name, schema, needed) = match *field {
            Field::String(name) => (name, json!({ "type": "string" }), true),
            Field::Object(name) => (name, object(), true),
            // Absent or null alike.
            Field::OptionalObject(name) => (name, json!({ "type": ["object", "null"] }), false),
            Field::OptionalBool(name) => (name, json!({ "type": ["boolean", "null"] }), false),
            Field::ObjectWithString(name, inner) => (
                name,
                json!({
                    "type": "object",
                    "properties": { inner: { "type": "string" } },
                    "required": [inner],
                }),
                true,
            ),
        };
        properties.insert(name.to_owned(), schema);
        if needed {
            required.push(name);
        }
    }
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every route the router serves (axum cannot list them: #2515; its
    /// `Debug` prints each as `RouteId(n): "/path"`).
    fn router_paths() -> BTreeSet<String> {
        let (router, _) = super::super::routes().split_for_parts();
        let printed = format!("{router:?}");
        printed
            .split("RouteId(")
            .skip(1)
            .filter_map(|part| part.split('"').nth(1).map(str::to_owned))
            // Not routes: axum's own catch-all and root nodes.
            .filter(|path| path.len() > 1 && path.starts_with('/') && !path.contains("__private__"))
            .collect()
    }

    fn document() -> serde_json::Value {
        let (_, doc) = super::super::routes().split_for_parts();
        finish(doc, 60_000)
    }

    fn paths(doc: &serde_json::Value) -> &serde_json::Map<String, serde_json::Value> {
        doc["paths"].as_object().expect("paths")
    }

    #[test]
    fn every_route_is_in_the_document() {
        let served = router_paths();
        assert!(served.len() > 15, "{served:?}");
        let documented: BTreeSet<String> = paths(&document()).keys().cloned().collect();
        for path in &served {
            if path == TRIGGER_ROUTE {
                for trigger in TRIGGER_TYPES {
                    let concrete = format!("/v1/triggers/{}", trigger.name);
                    assert!(
                        documented.contains(&concrete),
                        "{concrete} is not documented"
                    );
                }
            } else {
                assert!(
                    documented.contains(path),
                    "{path} is served but not documented"
                );
            }
        }
        // And nothing documented that is not served.
        for path in &documented {
            assert!(
                served.contains(path) || path.starts_with("/v1/triggers/"),
                "{path} is documented but not served"
            );
        }
    }

    #[test]
    fn keyed_operations_declare_their_errors() {
        let doc = document();
        for (path, item) in paths(&doc) {
            for (method, operation) in item.as_object().expect("a path item") {
                let statuses: Vec<&str> = operation["responses"]
                    .as_object()
                    .map(|r| r.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                let keyed = operation["security"][0]
                    .as_object()
                    .is_some_and(|r| r.contains_key("applicationKey"));
                if path.starts_with("/v1/") && path != "/v1/openapi.json" {
                    assert!(keyed, "{method} {path} takes no key");
                    for status in ["400", "401", "404", "500", "503"] {
                        assert!(statuses.contains(&status), "{method} {path}: {statuses:?}");
                    }
                }
                if operation.get("requestBody").is_some() {
                    for status in ["413", "415"] {
                        assert!(statuses.contains(&status), "{method} {path}: {statuses:?}");
                    }
                }
            }
        }
        // The patches found what they patch.
        let start =
            &doc["paths"]["/v1/triggers/user.attempted.start_session"]["post"]["requestBody"];
        assert_eq!(start["required"], true);
        assert_eq!(
            start["content"]["application/json"]["schema"]["required"],
            json!(["username"])
        );
        let env = &doc["paths"]["/v1/runtimes/nodejs/environment-variables"]["put"];
        assert!(
            env["requestBody"]["content"]["application/json"]["schema"]["propertyNames"]
                .is_object()
        );
        assert_eq!(
            doc["components"]["schemas"]["CreateFunction"]["properties"]["timeoutMs"]["maximum"],
            60_000
        );
        assert_eq!(
            doc["components"]["schemas"]["CreateFunction"]["properties"]["type"]["enum"]
                .as_array()
                .map(Vec::len),
            Some(TRIGGER_TYPES.len())
        );
    }
}
