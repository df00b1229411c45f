//! `/v1/runtimes/nodejs/secrets`: write-only variables. Handlers read them
//! from `process.env`; the API lists their names, never their values, and
//! read-only keys cannot even list them.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::extract::{AppRef, JsonBody, Tenant};
use super::{ApiError, AppState, ok};
use crate::secrets::{MAX_SECRETS, MAX_VALUE_CHARS, check_name};
use crate::time::iso;

/// A secret as the API shows it: its name and when it was last set.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SecretName {
    name: String,
    #[schema(format = DateTime)]
    updated_time: String,
}

/// The runtime's secrets, by name.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SecretList {
    secrets: Vec<SecretName>,
}

fn no_reader(app: &AppRef) -> Result<(), ApiError> {
    if app.read_only {
        return Err(ApiError::forbidden("a read-only key cannot see secrets"));
    }
    Ok(())
}

async fn listed(service: &AppState, app: i64) -> Result<Response, ApiError> {
    let secrets = service.store(move |s| s.secrets(app)).await?;
    Ok(ok(SecretList {
        secrets: secrets
            .into_iter()
            .map(|secret| SecretName {
                name: secret.name,
                updated_time: iso(secret.updated_ms),
            })
            .collect(),
    }))
}

#[utoipa::path(get, path = "/v1/runtimes/nodejs/secrets", tag = "runtime",
    summary = "Lists the secrets' names (never their values).",
    responses((status = 200, body = SecretList),
        (status = 403, description = "A read-only key.", body = super::error::ErrorBody)))]
pub(crate) async fn list(
    State(service): State<AppState>,
    Tenant(app): Tenant,
) -> Result<Response, ApiError> {
    no_reader(&app)?;
    listed(&service, app.id).await
}

#[utoipa::path(put, path = "/v1/runtimes/nodejs/secrets", tag = "runtime",
    summary = "Sets secrets (a string each) or removes them (null); others stay. Handlers read them from `process.env` during invocations (not in the initialization script); values are never returned.",
    request_body(content = Object),
    responses((status = 200, body = SecretList),
        (status = 409, description = "The runtime would have too many secrets, or this server has no secrets key.", body = super::error::ErrorBody)))]
pub(crate) async fn update(
    State(service): State<AppState>,
    Tenant(app): Tenant,
    JsonBody(body): JsonBody<BTreeMap<String, Option<String>>>,
) -> Result<Response, ApiError> {
    if body.len() > MAX_SECRETS {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_SECRETS} secrets at once"
        )));
    }
    let key = service.secrets_key().ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "ConflictError",
            "this server has no secrets key: start every node with the same --secrets-key-file or CHATFN_SECRETS_KEY",
        )
    })?;
    let mut changes = Vec::with_capacity(body.len());
    for (name, value) in body {
        check_name(&name).map_err(ApiError::bad_request)?;
        let sealed = match value {
            Some(value) if value.chars().count() > MAX_VALUE_CHARS => {
                return Err(ApiError::bad_request(format!(
                    "secret {name} is longer than {MAX_VALUE_CHARS} characters"
                )));
            }
            Some(value) => Some(
                key.seal(app.id, &name, &value)
                    .map_err(|e| ApiError::internal(format_args!("{e:#}")))?,
            ),
            None => None,
        };
        changes.push((name, sealed));
    }
    let names: Vec<&str> = changes.iter().map(|(name, _)| name.as_str()).collect();
    // Names only: values never reach a log.
    tracing::info!(app = app.id, secrets = ?names, "secrets changed");
    service
        .write(app.id, move |s| {
            s.change_secrets(app.id, &changes, MAX_SECRETS)
        })
        .await?;
    listed(&service, app.id).await
}
