//! `/v1/runtimes/nodejs`: the application's chat runtime.

use std::collections::BTreeMap;

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::extract::{JsonBody, Tenant};
use super::{ApiError, AppState, ok, resources};
use crate::invoker::INIT_FILE;
use crate::service::Service;
use crate::store::{Dependency, RuntimeChange};

/// Refuses `change` with a 422 if the runtime it makes would not run (its
/// init script fails, or a function's current version no longer loads),
/// so the runtime in force stays as it is.
async fn check_change(service: &Service, app: i64, change: &RuntimeChange) -> Result<(), ApiError> {
    let Err(refusal) = service.check_runtime_change(app, change.clone()).await? else {
        return Ok(());
    };
    let cause = refusal.failure.guest_error();
    let what = match refusal.trigger {
        Some(trigger) if cause.file.as_deref() != Some(INIT_FILE) => {
            format!("the function for {trigger} would not load on the changed runtime")
        }
        _ => "the runtime's initialization would fail".to_owned(),
    };
    tracing::info!(app, "runtime change refused: {what}: {}", refusal.failure);
    Err(ApiError::refused(
        "RuntimeLoadError",
        &what,
        refusal.failure,
    ))
}

const MAX_DEPENDENCIES: usize = 200;
/// Resolving and installing a dependency list may not take longer.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(300);
const MAX_VARIABLES: usize = 200;
const MAX_VALUE_BYTES: usize = 32 << 10;

#[utoipa::path(get, path = "/v1/runtimes/nodejs", tag = "runtime",
    summary = "The application's chat runtime.",
    responses((status = 200, body = resources::RuntimeResource)))]
pub(crate) async fn retrieve(
    State(service): State<AppState>,
    Tenant(app): Tenant,
) -> Result<Response, ApiError> {
    let runtime = service.store(move |s| s.runtime(app.id)).await?;
    Ok(ok(resources::runtime(app.id, &runtime)))
}

/// One package the dependencies resolved to.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ResolvedPackage {
    /// Where it is installed: `node_modules/a`, or
    /// `node_modules/a/node_modules/b` for a copy only `a` sees.
    location: String,
    name: String,
    /// The exact version.
    version: String,
    /// `sha512-…`, checked on every download.
    integrity: String,
    /// What it asks for, as its manifest says (name → range).
    dependencies: BTreeMap<String, String>,
}

/// The resolved dependency tree, as installed.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ResolvedDependencies {
    packages: Vec<ResolvedPackage>,
}

/// `GET /v1/runtimes/nodejs/resolved-dependencies`: every package the
/// dependency list resolved to (the lockfile's tree), by install location.
#[utoipa::path(get, path = "/v1/runtimes/nodejs/resolved-dependencies", tag = "runtime",
    summary = "The packages the dependencies resolved to, by install location.",
    responses((status = 200, body = ResolvedDependencies)))]
pub(crate) async fn resolved(
    State(service): State<AppState>,
    Tenant(app): Tenant,
) -> Result<Response, ApiError> {
    let runtime = service.store(move |s| s.runtime(app.id)).await?;
    let lockfile = match runtime.lockfile.as_deref() {
        Some(json) => npm_resolver::Lockfile::from_json(json)
            .map_err(|e| ApiError::internal(format_args!("a stored lockfile: {e}")))?,
        None => npm_resolver::Lockfile::empty(),
    };
    let packages = lockfile
        .packages
        .into_iter()
        .map(|(location, p)| ResolvedPackage {
            location,
            name: p.name,
            version: p.version,
            integrity: p.integrity,
            dependencies: p.dependencies,
        })
        .collect();
    Ok(ok(ResolvedDependencies { packages }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DependencyBody {
    /// The npm package.
    #[schema(
        min_length = 1,
        max_length = 214,
        pattern = "^[^\\s\\u0000-\\u001f\\u007f-\\u009f]+$"
    )]
    name: String,
    /// A version or range, as in package.json.
    #[schema(min_length = 1, max_length = 256, pattern = "\\S")]
    version: String,
    /// Accepted as the Platform API returns it (and ignored).
    #[serde(default, rename = "defaultDependency", alias = "default_dependency")]
    #[allow(
        dead_code,
        reason = "accepted as the Platform API returns it; chatfn has no default dependencies"
    )]
    default_dependency: Option<bool>,
}

#[utoipa::path(put, path = "/v1/runtimes/nodejs/dependencies", tag = "runtime",
    summary = "Replaces the npm dependencies: resolved, installed and loaded before they are stored.",
    request_body(content = Vec<DependencyBody>),
    responses((status = 200, body = resources::RuntimeResource),
        (status = 422, description = "A dependency cannot be resolved, or the runtime would not load with it.", body = super::error::ErrorBody),
        (status = 502, description = "The npm registry failed.", body = super::error::ErrorBody)))]
pub(crate) async fn update_dependencies(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    JsonBody(body): JsonBody<Vec<DependencyBody>>,
) -> Result<Response, ApiError> {
    if body.len() > MAX_DEPENDENCIES {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_DEPENDENCIES} dependencies"
        )));
    }
    let mut dependencies = Vec::with_capacity(body.len());
    for d in body {
        let name = d.name.trim();
        if name.is_empty()
            || name.len() > 214
            || name.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(ApiError::bad_request(format!(
                "'{}' is not an npm package name",
                d.name
            )));
        }
        if d.version.trim().is_empty() || d.version.len() > 256 {
            return Err(ApiError::bad_request(format!(
                "dependency '{name}' needs a version (e.g. ^1.2.0)"
            )));
        }
        if dependencies.iter().any(|x: &Dependency| x.name == name) {
            return Err(ApiError::bad_request(format!(
                "dependency '{name}' is listed twice"
            )));
        }
        dependencies.push(Dependency {
            name: name.to_owned(),
            version: d.version.trim().to_owned(),
        });
    }
    let lockfile = if dependencies.is_empty() {
        None
    } else {
        let resolved = tokio::time::timeout(
            INSTALL_TIMEOUT,
            service.resolve_dependencies(app.id, &dependencies),
        )
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::GATEWAY_TIMEOUT,
                "RegistryError",
                format!(
                    "installing the dependencies took longer than {}s",
                    INSTALL_TIMEOUT.as_secs()
                ),
            )
        })??;
        for warning in &resolved.warnings {
            tracing::warn!(app = app.id, "{warning}");
        }
        tracing::info!(
            app = app.id,
            packages = resolved.packages,
            "dependencies resolved"
        );
        Some(resolved.lockfile)
    };
    let change = RuntimeChange::Dependencies(dependencies, lockfile);
    check_change(&service, app.id, &change).await?;
    let runtime = service
        .write(app.id, move |s| s.update_runtime(app.id, change))
        .await?;
    tracing::info!(
        app = app.id,
        revision = runtime.revision,
        "runtime dependencies updated"
    );
    Ok(ok(resources::runtime(app.id, &runtime)))
}

fn valid_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 128
}

#[utoipa::path(put, path = "/v1/runtimes/nodejs/environment-variables", tag = "runtime",
    summary = "Replaces the environment variables (`process.env`).",
    request_body(content = Object),
    responses((status = 200, body = resources::RuntimeResource),
        (status = 422, description = "The runtime would not load with them.", body = super::error::ErrorBody)))]
pub(crate) async fn update_environment(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    JsonBody(body): JsonBody<BTreeMap<String, serde_json::Value>>,
) -> Result<Response, ApiError> {
    if body.len() > MAX_VARIABLES {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_VARIABLES} environment variables"
        )));
    }
    let mut environment = BTreeMap::new();
    for (name, value) in body {
        if !valid_variable_name(&name) {
            return Err(ApiError::bad_request(format!(
                "'{name}' is not a valid environment variable name (letters, digits and _, not starting with a digit)"
            )));
        }
        let value = match value {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "environment variable '{name}' must be a string"
                )));
            }
        };
        if value.len() > MAX_VALUE_BYTES {
            return Err(ApiError::bad_request(format!(
                "environment variable '{name}' is longer than {MAX_VALUE_BYTES} bytes"
            )));
        }
        environment.insert(name, value);
    }
    let change = RuntimeChange::Environment(environment);
    check_change(&service, app.id, &change).await?;
    let runtime = service
        .write(app.id, move |s| s.update_runtime(app.id, change))
        .await?;
    tracing::info!(
        app = app.id,
        revision = runtime.revision,
        "runtime environment updated"
    );
    Ok(ok(resources::runtime(app.id, &runtime)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScriptBody {
    script: String,
}

#[utoipa::path(put, path = "/v1/runtimes/nodejs/initialization-script", tag = "runtime",
    summary = "Replaces the initialization script: it must compile and run before it is stored.",
    request_body(content = ScriptBody),
    responses((status = 200, body = resources::RuntimeResource),
        (status = 422, description = "The script throws, times out or runs out of memory.", body = super::error::ErrorBody)))]
pub(crate) async fn update_initialization_script(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    JsonBody(body): JsonBody<ScriptBody>,
) -> Result<Response, ApiError> {
    super::functions::check_script(&service, &body.script, INIT_FILE).await?;
    let change = RuntimeChange::InitializationScript(body.script);
    check_change(&service, app.id, &change).await?;
    let runtime = service
        .write(app.id, move |s| s.update_runtime(app.id, change))
        .await?;
    tracing::info!(
        app = app.id,
        revision = runtime.revision,
        "runtime initialization script updated"
    );
    Ok(ok(resources::runtime(app.id, &runtime)))
}
