//! `GET /v1/application`: the application the key belongs to, as the
//! Platform API's "retrieve the authenticated application".

use axum::response::Response;
use serde::Serialize;

use super::extract::Tenant;
use super::{ApiError, ok};
use crate::time::iso;

/// What a key may do.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Access {
    /// Everything the API offers.
    Full,
    /// Reads only: writes, triggers and runs answer 403.
    ReadOnly,
}

/// The authenticated application. Never its keys or platform token.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ApplicationResource {
    id: i64,
    name: String,
    created_time: String,
    /// The Platform API its functions call, if set.
    #[serde(skip_serializing_if = "Option::is_none")]
    platform_url: Option<String>,
    /// What the key used for this request may do.
    access: Access,
}

#[utoipa::path(get, path = "/v1/application", tag = "application",
    summary = "The application the key belongs to, and what the key may do.",
    responses((status = 200, body = ApplicationResource)))]
pub(crate) async fn retrieve(Tenant(app): Tenant) -> Result<Response, ApiError> {
    let application = &app.application;
    Ok(ok(ApplicationResource {
        id: application.id,
        name: application.name.clone(),
        created_time: iso(application.created_ms),
        platform_url: application.platform_url.clone(),
        access: if app.read_only {
            Access::ReadOnly
        } else {
            Access::Full
        },
    }))
}
