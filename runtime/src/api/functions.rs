//! Functions and their versions.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::extract::{BY_ID_TIME_OR_VERSION, JsonBody, OLDEST_FIRST, Paging, Tenant, integer};
use super::{ApiError, AppState, ok, path_id, resources};
use crate::invoker::HANDLER_FILE;
use crate::service::Service;
use crate::store::{FunctionPatch, InstanceReuse, NewFunction, SortKey};
use crate::triggers;

const MAX_NAME: usize = 200;
const MAX_DESCRIPTION: usize = 2000;

/// Compiles a script as an image build would; a script that does not
/// compile is a 400 listing its diagnostics.
pub(crate) async fn check_script(
    service: &Arc<Service>,
    source: &str,
    file: &'static str,
) -> Result<(), ApiError> {
    let service = Arc::clone(service);
    let source = source.to_owned();
    let checked = tokio::task::spawn_blocking(move || {
        service
            .invoker
            .images()
            .sandbox()
            .compiler()
            .compile(&source, file, compiler::SourceKind::Script)
            .map(drop)
    })
    .await
    .map_err(ApiError::internal)?;
    checked.map_err(|e| {
        let count = e.diagnostics.len();
        // The first finding, placed, as a refused load's `cause` is: a
        // dashboard or CLI shows both the same way.
        let cause = e.diagnostics.first().map(|d| {
            let mut cause = sandbox::GuestError::new("SyntaxError", d.message.clone());
            cause.file = Some(d.file.clone());
            cause.line = Some(d.line);
            cause.column = Some(d.column);
            Box::new(cause)
        });
        let mut api = ApiError::new(
            StatusCode::BAD_REQUEST,
            "CompileError",
            format!(
                "the script does not compile ({count} error{})",
                if count == 1 { "" } else { "s" }
            ),
        )
        .with_explanation(e.to_string());
        api.cause = cause;
        api
    })
}

#[utoipa::path(get, path = "/v1/runtimes/nodejs/functions", tag = "functions",
    summary = "The application's functions.",
    params(super::extract::PageQuery),
    responses((status = 200, body = resources::FunctionPage)))]
pub(crate) async fn list(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let paging = Paging::from_query(
        query,
        &[
            ("id", SortKey::Id),
            ("createdTime", SortKey::CreatedTime),
            ("name", SortKey::Name),
        ],
        OLDEST_FIRST,
    )?;
    let request = paging.page;
    let page = service
        .store(move |s| s.list_functions(app.id, request))
        .await?;
    Ok(ok(resources::page(
        "functions",
        page.items
            .iter()
            .map(|f| resources::function(app.id, f))
            .collect(),
        page.total,
        &request,
        "/v1/runtimes/nodejs/functions",
        &paging.query,
    )))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct CreateFunction {
    /// The trigger type it handles.
    #[serde(rename = "type")]
    trigger: String,
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    name: String,
    #[schema(max_length = 2000)]
    description: Option<String>,
    /// The limit of each run, in ms (the server's default if absent).
    #[serde(default, alias = "timeout_ms", deserialize_with = "integer::optional")]
    #[schema(minimum = 1)]
    timeout_ms: Option<u32>,
    /// Whether invocations share kept instances (`none` if absent).
    #[serde(default, alias = "instance_reuse")]
    instance_reuse: Option<InstanceReuse>,
    #[serde(
        default,
        alias = "initialize_asynchronously",
        rename = "initializeAsynchronously"
    )]
    #[allow(
        dead_code,
        reason = "accepted for Platform API compatibility; images are always prepared ahead"
    )]
    initialize_asynchronously: Option<bool>,
}

fn check_timeout(service: &Service, timeout_ms: u32) -> Result<u32, ApiError> {
    if timeout_ms == 0 || timeout_ms > service.config.max_timeout_ms {
        return Err(ApiError::bad_request(format!(
            "timeoutMs must be from 1 to {}",
            service.config.max_timeout_ms
        )));
    }
    Ok(timeout_ms)
}

fn check_text(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.len() > max {
        return Err(ApiError::bad_request(format!(
            "{field} is longer than {max} bytes"
        )));
    }
    Ok(())
}

#[utoipa::path(post, path = "/v1/runtimes/nodejs/functions", tag = "functions",
    summary = "Creates the function of a trigger type.",
    request_body(content = CreateFunction),
    responses((status = 201, body = resources::FunctionResource),
        (status = 409, description = "The trigger type has a function already.", body = super::error::ErrorBody)))]
pub(crate) async fn create(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    JsonBody(body): JsonBody<CreateFunction>,
) -> Result<Response, ApiError> {
    if triggers::find(&body.trigger).is_none() {
        return Err(ApiError::bad_request(format!(
            "'{}' is not a trigger type; the trigger types are: {}",
            body.trigger,
            triggers::names()
        )));
    }
    if body.name.trim().is_empty() {
        return Err(ApiError::bad_request("name must not be empty"));
    }
    check_text("name", &body.name, MAX_NAME)?;
    check_text(
        "description",
        body.description.as_deref().unwrap_or(""),
        MAX_DESCRIPTION,
    )?;
    let timeout_ms = check_timeout(
        &service,
        body.timeout_ms.unwrap_or(service.config.default_timeout_ms),
    )?;
    let new = NewFunction {
        trigger: body.trigger,
        name: body.name,
        description: body.description,
        timeout_ms,
        instance_reuse: body.instance_reuse.unwrap_or_default(),
    };
    let function = service
        .write(app.id, move |s| s.create_function(app.id, new))
        .await?;
    tracing::info!(app = app.id, function = function.id, trigger = %function.trigger, "function created");
    Ok((
        StatusCode::CREATED,
        axum::Json(resources::function(app.id, &function)),
    )
        .into_response())
}

#[utoipa::path(get, path = "/v1/functions/{id}", tag = "functions", params(("id" = i64, Path, description = "The function's id.", minimum = 1)),
    responses((status = 200, body = resources::FunctionResource)))]
pub(crate) async fn retrieve(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "the function")?;
    let function = service.store(move |s| s.function(app.id, id)).await?;
    let function = function.ok_or_else(|| ApiError::not_found("the function"))?;
    Ok(ok(resources::function(app.id, &function)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct UpdateFunction {
    enabled: Option<bool>,
    #[serde(default, alias = "timeout_ms", deserialize_with = "integer::optional")]
    #[schema(minimum = 1)]
    timeout_ms: Option<u32>,
    #[serde(default, alias = "instance_reuse")]
    instance_reuse: Option<InstanceReuse>,
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    name: Option<String>,
    #[schema(max_length = 2000)]
    description: Option<String>,
}

#[utoipa::path(patch, path = "/v1/functions/{id}", tag = "functions", params(("id" = i64, Path, description = "The function's id.", minimum = 1)),
    summary = "Enables or disables a function, or changes its timeout, instance reuse, name or description.",
    request_body(content = UpdateFunction),
    responses((status = 200, body = resources::FunctionResource)))]
pub(crate) async fn update(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<UpdateFunction>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "the function")?;
    let timeout_ms = body
        .timeout_ms
        .map(|t| check_timeout(&service, t))
        .transpose()?;
    if let Some(name) = &body.name {
        if name.trim().is_empty() {
            return Err(ApiError::bad_request("name must not be empty"));
        }
        check_text("name", name, MAX_NAME)?;
    }
    check_text(
        "description",
        body.description.as_deref().unwrap_or(""),
        MAX_DESCRIPTION,
    )?;
    let patch = FunctionPatch {
        enabled: body.enabled,
        timeout_ms,
        instance_reuse: body.instance_reuse,
        name: body.name,
        description: body.description,
    };
    let function = service
        .write(app.id, move |s| s.update_function(app.id, id, patch))
        .await?;
    let function = function.ok_or_else(|| ApiError::not_found("the function"))?;
    tracing::info!(
        app = app.id,
        function = id,
        enabled = function.enabled,
        timeout_ms = function.timeout_ms,
        instance_reuse = function.instance_reuse.as_str(),
        "function updated"
    );
    Ok(ok(resources::function(app.id, &function)))
}

#[utoipa::path(get, path = "/v1/functions/{id}/current-version", tag = "functions", params(("id" = i64, Path, description = "The function's id.", minimum = 1)),
    summary = "The version that runs.",
    responses((status = 200, body = resources::VersionResource)))]
pub(crate) async fn current_version(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "the function")?;
    let found = service
        .store(move |s| {
            let Some(function) = s.function(app.id, id)? else {
                return Ok(None);
            };
            match function.current_version {
                Some(number) => s.version_by_number(app.id, id, number).map(|v| v.map(Some)),
                None => Ok(Some(None)),
            }
        })
        .await?;
    match found {
        None => Err(ApiError::not_found("the function")),
        Some(None) => Err(ApiError::not_found(
            "a version of this function (none is deployed yet)",
        )),
        Some(Some(version)) => Ok(ok(resources::version(&version))),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SetCurrentVersion {
    #[serde(
        alias = "version_number",
        rename = "versionNumber",
        deserialize_with = "integer::required"
    )]
    version_number: i64,
}

/// Rollback: makes an earlier version current again.
#[utoipa::path(put, path = "/v1/functions/{id}/current-version", tag = "functions", params(("id" = i64, Path, description = "The function's id.", minimum = 1)),
    summary = "Makes a version current: a rollback, or the release of a staged version.",
    request_body(content = SetCurrentVersion),
    responses((status = 200, body = resources::FunctionResource)))]
pub(crate) async fn set_current_version(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SetCurrentVersion>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "the function")?;
    let number = body.version_number;
    let function = service
        .write(app.id, move |s| s.set_current_version(app.id, id, number))
        .await?;
    let function = function
        .ok_or_else(|| ApiError::not_found(&format!("version {number} of this function")))?;
    tracing::info!(
        app = app.id,
        function = id,
        version = number,
        "current version set"
    );
    Ok(ok(resources::function(app.id, &function)))
}

#[utoipa::path(get, path = "/v1/functions/{id}/versions", tag = "functions",
    params(("id" = i64, Path, description = "The function's id.", minimum = 1), super::extract::PageQuery),
    responses((status = 200, body = resources::VersionPage)))]
pub(crate) async fn list_versions(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    Path(id): Path<String>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "the function")?;
    let paging = Paging::from_query(query, BY_ID_TIME_OR_VERSION, OLDEST_FIRST)?;
    let request = paging.page;
    let page = service
        .store(move |s| s.list_versions(app.id, id, request))
        .await?;
    let page = page.ok_or_else(|| ApiError::not_found("the function"))?;
    let path = format!("/v1/functions/{id}/versions");
    Ok(ok(resources::page(
        "versions",
        page.items.iter().map(resources::version).collect(),
        page.total,
        &request,
        &path,
        &paging.query,
    )))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateVersion {
    #[serde(alias = "handler_script", rename = "handlerScript")]
    handler_script: String,
    /// Make it current at once (the default), or only store it (staged:
    /// test-run it, then `PUT …/current-version`).
    #[serde(default)]
    activate: Option<bool>,
}

/// Deploys a new version: it must compile and load (its top level runs
/// and defines `handleEvent`) on the application's runtime before it is
/// stored, so a broken handler never becomes current. Its image is built
/// right away so the first invocation does not pay for it.
#[utoipa::path(post, path = "/v1/functions/{id}/versions", tag = "functions", params(("id" = i64, Path, description = "The function's id.", minimum = 1)),
    summary = "Deploys a handler: compiled and loaded first, so one that does not load is never stored.",
    request_body(content = CreateVersion),
    responses((status = 201, body = resources::VersionResource),
        (status = 422, description = "The handler does not load: `FunctionLoadError`, with its `cause`.", body = super::error::ErrorBody)))]
pub(crate) async fn create_version(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<CreateVersion>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "the function")?;
    let function = service.store(move |s| s.function(app.id, id)).await?;
    if function.is_none() {
        return Err(ApiError::not_found("the function"));
    }
    if let Err(refused) = check_loads(&service, app.id, &body.handler_script).await {
        tracing::info!(
            app = app.id,
            function = id,
            "deploy refused: {}",
            refused.message
        );
        return Err(refused);
    }
    let activate = body.activate.unwrap_or(true);
    let version = service
        .write(app.id, move |s| {
            s.create_version(app.id, id, &body.handler_script, activate)
        })
        .await?;
    let version = version.ok_or_else(|| ApiError::not_found("the function"))?;
    tracing::info!(
        app = app.id,
        function = id,
        version = version.number,
        activate,
        "version deployed"
    );
    if let Err(e) = service.prepare(app.id, &version).await {
        tracing::warn!(
            app = app.id,
            function = id,
            version = version.number,
            "preparing the image failed: {e:?}"
        );
    }
    Ok((
        StatusCode::CREATED,
        axum::Json(resources::version(&version)),
    )
        .into_response())
}

/// What a check found: the handler compiles and loads.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct HandlerCheck {
    /// Always `true`: a handler that does not load is answered 400 or 422.
    loads: bool,
}

/// Checks a handler as a deploy would (it compiles, and loads on the
/// application's runtime), storing nothing: editors and `chatfn deploy`
/// show errors at their line before anything changes, new functions'
/// handlers included.
#[utoipa::path(post, path = "/v1/runtimes/nodejs/handler-checks", tag = "functions",
    summary = "Checks a handler as a deploy would, storing nothing.",
    request_body(content = CreateVersion),
    responses((status = 200, body = HandlerCheck),
        (status = 400, description = "The handler does not compile: `CompileError`, with the first error under `cause`.", body = super::error::ErrorBody),
        (status = 422, description = "The handler does not load: `FunctionLoadError`, with its `cause`.", body = super::error::ErrorBody)))]
pub(crate) async fn check_handler(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    JsonBody(body): JsonBody<CreateVersion>,
) -> Result<Response, ApiError> {
    check_loads(&service, app.id, &body.handler_script).await?;
    Ok(ok(HandlerCheck { loads: true }))
}

/// What a deploy checks before it stores a handler: it compiles (400
/// `CompileError`), and loads on the application's runtime (422
/// `FunctionLoadError`).
async fn check_loads(service: &Arc<Service>, app: i64, handler: &str) -> Result<(), ApiError> {
    check_script(service, handler, HANDLER_FILE).await?;
    match service.check_handler(app, handler.to_owned()).await? {
        Ok(()) => Ok(()),
        Err(failure) => Err(ApiError::refused(
            "FunctionLoadError",
            "the handler does not load",
            failure,
        )),
    }
}

#[utoipa::path(get, path = "/v1/function-versions/{id}", tag = "functions", params(("id" = i64, Path, description = "The version's id.", minimum = 1)),
    responses((status = 200, body = resources::VersionResource)))]
pub(crate) async fn retrieve_version(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id, "the function version")?;
    let found = service.store(move |s| s.version(app.id, id)).await?;
    let (_, version) = found.ok_or_else(|| ApiError::not_found("the function version"))?;
    Ok(ok(resources::version(&version)))
}
