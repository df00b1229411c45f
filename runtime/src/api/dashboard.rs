//! The web dashboard: `GET /` and `GET /assets/…`, served from files
//! embedded in the binary (`runtime/dashboard`, listed by `build.rs`).
//!
//! The libraries (CodeMirror, uPlot) are their npm packages' ES module
//! files, unbundled, found through an import map that is written into the
//! page here from `vendor/importmap.json`. The page's Content Security
//! Policy allows scripts from this origin and that one inline import map
//! (by its hash), and connections to this origin only.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::ApiError;

/// `(path under runtime/dashboard, contents)`, sorted by path.
static FILES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/dashboard_assets.rs"));

/// Where the import map goes in `index.html`.
const IMPORT_MAP_SLOT: &str = "<!-- importmap -->";

struct Asset {
    body: &'static [u8],
    content_type: &'static str,
    etag: HeaderValue,
}

struct Assets {
    files: HashMap<&'static str, Asset>,
    index: &'static [u8],
    index_etag: HeaderValue,
    policy: HeaderValue,
}

fn assets() -> &'static Assets {
    static ASSETS: OnceLock<Assets> = OnceLock::new();
    ASSETS.get_or_init(|| {
        let files: HashMap<_, _> = FILES
            .iter()
            .map(|(path, body)| {
                let asset = Asset {
                    body,
                    content_type: content_type(path),
                    etag: etag(body),
                };
                (*path, asset)
            })
            .collect();
        let template = file_text("index.html");
        let map = file_text("vendor/importmap.json");
        let script = format!("<script type=\"importmap\">{map}</script>");
        // Made once and kept for the process's life, like the other files.
        let index: &'static [u8] = Box::leak(
            template
                .replacen(IMPORT_MAP_SLOT, &script, 1)
                .into_bytes()
                .into(),
        );
        let map_hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&map));
        // Styles: CodeMirror and uPlot set element styles from script.
        let policy = format!(
            "default-src 'self'; script-src 'self' 'sha256-{map_hash}'; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        );
        Assets {
            index_etag: etag(index),
            index,
            files,
            policy: HeaderValue::from_str(&policy).expect("the policy is ASCII"),
        }
    })
}

/// An embedded text file; the build embeds these, so their absence is a
/// bug of the build, found by the tests.
fn file_text(path: &str) -> String {
    FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, body)| String::from_utf8_lossy(body).into_owned())
        .unwrap_or_default()
}

fn etag(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("\"{hex}\"")).expect("hex is a valid header value")
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "text/plain; charset=utf-8",
    }
}

/// A file, or 304 when the client has it. `no-cache` makes browsers ask
/// each time, so a new binary's dashboard is picked up at once.
fn serve(
    headers: &HeaderMap,
    body: &'static [u8],
    content_type: &str,
    etag: &HeaderValue,
) -> Response {
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|tags| tags.as_bytes() == etag.as_bytes());
    let common = [
        (header::ETAG, etag.clone()),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ];
    if fresh {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        common,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).expect("a static type"),
        )],
        body,
    )
        .into_response()
}

/// `GET /`: the dashboard's page.
pub(crate) async fn index(headers: HeaderMap) -> Response {
    let assets = assets();
    let mut response = serve(
        &headers,
        assets.index,
        "text/html; charset=utf-8",
        &assets.index_etag,
    );
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, assets.policy.clone());
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// `GET /assets/{path}`: a file of the dashboard.
pub(crate) async fn asset(headers: HeaderMap, Path(path): Path<String>) -> Response {
    match assets().files.get(path.as_str()) {
        Some(asset) if path != "index.html" => {
            serve(&headers, asset.body, asset.content_type, &asset.etag)
        }
        _ => ApiError::not_found("the asset").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vendored files are the packages' own, as recorded when they were
    /// vendored (`scripts/vendor-dashboard`), and the import map names
    /// every package and only files that are there.
    #[test]
    fn vendored_files_match_the_manifest() {
        let manifest: serde_json::Value =
            serde_json::from_str(&file_text("vendor/manifest.json")).expect("the manifest parses");
        let packages = manifest.as_array().expect("a list of packages");
        assert!(packages.len() >= 10, "{packages:?}");
        let map: serde_json::Value = serde_json::from_str(&file_text("vendor/importmap.json"))
            .expect("the import map parses");
        for package in packages {
            let name = package["name"].as_str().expect("a name");
            assert!(package["version"].is_string() && package["integrity"].is_string());
            let files = package["files"].as_object().expect("files");
            assert!(
                files
                    .keys()
                    .any(|f| f.to_ascii_lowercase().contains("licen")),
                "{name} has its licence"
            );
            for (file, sha) in files {
                let path = format!("vendor/{file}");
                let (_, body) = FILES
                    .iter()
                    .find(|(p, _)| *p == path)
                    .unwrap_or_else(|| panic!("{path} is embedded"));
                let digest: String = Sha256::digest(body)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                assert_eq!(Some(digest.as_str()), sha.as_str(), "{path} is as vendored");
            }
            let entry = package["entry"].as_str().expect("an entry");
            assert_eq!(
                map["imports"][name].as_str(),
                Some(format!("/assets/vendor/{entry}").as_str())
            );
        }
        let imports = map["imports"].as_object().expect("imports");
        assert_eq!(imports.len(), packages.len(), "one import per package");
    }

    #[test]
    fn the_page_carries_the_import_map_its_policy_allows() {
        let assets = assets();
        let page = String::from_utf8(assets.index.to_vec()).expect("utf-8");
        assert!(!page.contains(IMPORT_MAP_SLOT), "the slot is filled");
        let start = page.find("<script type=\"importmap\">").expect("a map") + 25;
        let end = start + page[start..].find("</script>").expect("closed");
        let hash = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(&page.as_bytes()[start..end]));
        let policy = assets.policy.to_str().expect("ascii");
        assert!(policy.contains(&format!("'sha256-{hash}'")), "{policy}");
        assert!(!policy.contains("script-src 'self' 'unsafe-inline'"));
    }

    /// Every script and style the page and its modules name is embedded:
    /// nothing is fetched from elsewhere.
    #[test]
    fn the_page_names_only_embedded_files() {
        let page = String::from_utf8(assets().index.to_vec()).expect("utf-8");
        let mut named = 0;
        for attribute in ["src=\"", "href=\""] {
            for (at, _) in page.match_indices(attribute) {
                let rest = &page[at + attribute.len()..];
                let url = &rest[..rest.find('"').expect("closed")];
                let path = url
                    .strip_prefix("/assets/")
                    .unwrap_or_else(|| panic!("{url} is served from /assets/"));
                assert!(assets().files.contains_key(path), "{path} is embedded");
                named += 1;
            }
        }
        assert!(named >= 2, "the page loads its script and styles");
        for (path, body) in FILES {
            if path.starts_with("app/") {
                let text = String::from_utf8_lossy(body);
                assert!(
                    !text.contains("http://") && !text.contains("https://"),
                    "{path} names no other origin"
                );
            }
        }
    }
}
