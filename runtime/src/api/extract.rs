//! Request extractors: the calling application, JSON bodies, paging.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{Method, header};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::{ApiError, AppState};
use crate::store::{Application, PageRequest, Sort, SortKey};

/// The application whose key authorized the request.
pub(crate) struct Tenant(pub(crate) AppRef);

/// The calling application. `id` is a plain field so `move` closures
/// capture just the id.
pub(crate) struct AppRef {
    pub(crate) id: i64,
    pub(crate) application: Arc<Application>,
    /// The key only reads.
    pub(crate) read_only: bool,
}

pub(crate) fn hash_key(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// The sorts of versions and of invocations (both belong to a function
/// version).
/// Oldest first: the Platform API's default for resources.
pub(crate) const OLDEST_FIRST: Sort = Sort {
    key: SortKey::Id,
    descending: false,
};

/// Newest first: every invocation list's default, as the Platform API's
/// examples show them.
pub(crate) const NEWEST_FIRST: Sort = Sort {
    key: SortKey::Id,
    descending: true,
};

pub(crate) const BY_ID_TIME_OR_VERSION: &[(&str, SortKey)] = &[
    ("id", SortKey::Id),
    ("createdTime", SortKey::CreatedTime),
    ("versionNumber", SortKey::VersionNumber),
];

/// The token of an `Authorization: Bearer <token>` header, if it has a
/// plausible one.
pub(crate) fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 256)
}

impl FromRequestParts<AppState> for Tenant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Tenant, ApiError> {
        if !parts.headers.contains_key(header::AUTHORIZATION) {
            return Err(ApiError::unauthorized(
                "an Authorization: Bearer <application key> header is required",
            ));
        }
        let key = bearer(&parts.headers).ok_or_else(|| {
            ApiError::unauthorized("the Authorization header must be `Bearer <application key>`")
        })?;
        let hash = hash_key(key);
        let holder = state
            .key(hash)
            .await?
            .filter(|holder| holder.valid_at(crate::time::now_ms()))
            .ok_or_else(|| ApiError::unauthorized("the application key is not valid"))?;
        // A read-only key reads: it never deploys, triggers, runs or
        // changes anything.
        if holder.read_only && !matches!(parts.method, Method::GET | Method::HEAD) {
            return Err(ApiError::forbidden("this application key is read-only"));
        }
        Ok(Tenant(AppRef {
            id: holder.application.id,
            application: Arc::clone(&holder.application),
            read_only: holder.read_only,
        }))
    }
}

/// An unreadable request body: 413 past the size limit, else 400. `what`
/// names the body in the message ("body", "event").
pub(crate) fn body_error(e: &BytesRejection, limit: usize, what: &str) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            e.status(),
            "PayloadTooLargeError",
            format!("the {what} is larger than {limit} bytes"),
        )
    } else {
        ApiError::bad_request(format!("the {what} could not be read: {e}"))
    }
}

/// A JSON body in any of the accepted media types, with errors in the API's
/// shape. Field names are camelCase; structs also accept snake_case aliases.
pub(crate) struct JsonBody<T>(pub(crate) T);

fn acceptable(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "application/json"
            | "application/vnd.chatkitty+json"
            | "application/json+merge-patch"
            | "application/merge-patch+json"
    ) || essence.ends_with("+json")
}

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<JsonBody<T>, ApiError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        // Read (within the size limit) before judging the media type: a
        // response sent with the body unread makes hyper close the
        // connection, which races the client's next request on it.
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| body_error(&e, state.config.max_body_bytes, "body"))?;
        if !acceptable(&content_type) {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaTypeError",
                format!(
                    "the body must be JSON (application/json or application/vnd.chatkitty+json), not '{content_type}'"
                ),
            ));
        }
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| ApiError::bad_request(format!("the body is not valid: {e}")))
    }
}

/// `page`, `size` and `sort` query parameters, plus the rest for filters.
pub(crate) struct Paging {
    pub(crate) page: PageRequest,
    /// Every parameter by name (the last, if repeated), for filters.
    pub(crate) params: HashMap<String, String>,
    /// The query as sent, for the page's links.
    pub(crate) query: Vec<(String, String)>,
}

pub(crate) const MAX_PAGE_SIZE: u64 = 100;

impl Paging {
    /// Reads paging from `query`; `sortable` maps API property names to
    /// keys. `sort` may be given twice (`sort=createdTime,desc&sort=id,desc`):
    /// the second key orders ties of the first.
    pub(crate) fn parse(
        query: Vec<(String, String)>,
        sortable: &[(&str, SortKey)],
        default_sort: Sort,
    ) -> Result<Paging, ApiError> {
        let params: HashMap<String, String> = query.iter().cloned().collect();
        // Within i64, as the document says (int64).
        let number = match params.get("page") {
            None => 0,
            Some(v) => v
                .parse::<i64>()
                .ok()
                .and_then(|n| u64::try_from(n).ok())
                .ok_or_else(|| {
                    ApiError::bad_request(format!("page must be a number from 0, not '{v}'"))
                })?,
        };
        let size = match params.get("size") {
            None => 25,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|s| (1..=MAX_PAGE_SIZE).contains(s))
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "size must be a number from 1 to {MAX_PAGE_SIZE}, not '{v}'"
                    ))
                })?,
        };
        let sorts = query
            .iter()
            .filter(|(k, _)| k == "sort")
            .map(|(_, v)| parse_sort(v, sortable))
            .collect::<Result<Vec<_>, _>>()?;
        if sorts.len() > 2 {
            return Err(ApiError::bad_request("at most two sort keys"));
        }
        let sort = sorts.first().copied().unwrap_or(default_sort);
        Ok(Paging {
            page: PageRequest {
                number,
                size,
                sort,
                then: sorts.get(1).copied(),
            },
            params,
            query,
        })
    }

    pub(crate) fn from_query(
        query: Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
        sortable: &[(&str, SortKey)],
        default_sort: Sort,
    ) -> Result<Paging, ApiError> {
        Paging::parse(query_pairs(query)?, sortable, default_sort)
    }
}

/// A query string's name-value pairs, or a 400 when it does not parse.
pub(crate) fn query_pairs(
    query: Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
) -> Result<Vec<(String, String)>, ApiError> {
    let Query(pairs) =
        query.map_err(|e| ApiError::bad_request(format!("the query string is not valid: {e}")))?;
    Ok(pairs)
}

/// `property[,asc|desc]` as a sort key of `sortable`.
fn parse_sort(value: &str, sortable: &[(&str, SortKey)]) -> Result<Sort, ApiError> {
    let (property, direction) = value.split_once(',').unwrap_or((value, "asc"));
    let key = sortable
        .iter()
        .find(|(name, _)| *name == property)
        .map(|(_, key)| *key)
        .ok_or_else(|| {
            let names: Vec<&str> = sortable.iter().map(|(n, _)| *n).collect();
            ApiError::bad_request(format!(
                "cannot sort by '{property}'; sortable: {}",
                names.join(", ")
            ))
        })?;
    let descending = match direction.to_ascii_lowercase().as_str() {
        "asc" => false,
        "desc" => true,
        other => {
            return Err(ApiError::bad_request(format!(
                "sort direction must be asc or desc, not '{other}'"
            )));
        }
    };
    Ok(Sort { key, descending })
}

/// The paging parameters of a list (functions, versions), for the
/// document; its `sort` pattern is filled in per list by
/// [`super::openapi`].
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "describes the query in the document")]
pub(crate) struct PageQuery {
    /// The page, from 0.
    #[param(minimum = 0, nullable = false)]
    page: Option<u64>,
    /// Items per page (25 by default).
    #[param(minimum = 1, maximum = 100, nullable = false)]
    size: Option<u64>,
    /// `property[,asc|desc]`; a second key orders ties of the first.
    #[param(nullable = false)]
    sort: Option<Vec<String>>,
}

/// The paging and filters of an invocation list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
#[allow(dead_code, reason = "describes the query in the document")]
pub(crate) struct InvocationListQuery {
    /// The page, from 0.
    #[param(minimum = 0, nullable = false)]
    page: Option<u64>,
    /// Items per page (25 by default).
    #[param(minimum = 1, maximum = 100, nullable = false)]
    size: Option<u64>,
    /// `property[,asc|desc]`; a second key orders ties of the first.
    /// Newest first by default.
    #[param(nullable = false)]
    sort: Option<Vec<String>>,
    #[param(nullable = false)]
    function_id: Option<i64>,
    /// The trigger type.
    #[param(rename = "type", nullable = false)]
    trigger: Option<String>,
    #[param(nullable = false)]
    status: Option<crate::invocation::InvocationStatus>,
    #[param(nullable = false)]
    version_number: Option<i64>,
    /// Test runs only (true), or none of them (false).
    #[param(nullable = false)]
    test: Option<bool>,
    /// Created at or after.
    #[param(format = DateTime, nullable = false)]
    from: Option<String>,
    /// Created before.
    #[param(format = DateTime, nullable = false)]
    to: Option<String>,
    /// Only invocations older than this one (newer with `sort=id,asc`):
    /// paging by cursor while new ones arrive.
    #[param(nullable = false)]
    after: Option<i64>,
}

/// JSON integers in bodies, also when written with a zero fraction
/// (`1000.0`), which JSON Schema's `integer` (and so the document) allows.
pub(crate) mod integer {
    use serde::de::{Deserialize, Deserializer, Error};

    fn exact(number: &serde_json::Number) -> Option<i64> {
        number.as_i64().or_else(|| {
            let float = number.as_f64()?;
            // Within ±2^53 every integral float converts exactly.
            (float.fract() == 0.0 && float.abs() <= 9_007_199_254_740_992.0).then_some(float as i64)
        })
    }

    fn convert<T: TryFrom<i64>, E: Error>(number: &serde_json::Number) -> Result<T, E> {
        exact(number)
            .and_then(|n| T::try_from(n).ok())
            .ok_or_else(|| E::custom(format!("{number} is not an integer in range")))
    }

    pub(crate) fn required<'de, D: Deserializer<'de>, T: TryFrom<i64>>(
        d: D,
    ) -> Result<T, D::Error> {
        convert(&serde_json::Number::deserialize(d)?)
    }

    pub(crate) fn optional<'de, D: Deserializer<'de>, T: TryFrom<i64>>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        Option::<serde_json::Number>::deserialize(d)?
            .map(|n| convert(&n))
            .transpose()
    }
}
