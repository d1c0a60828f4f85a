//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations and the wire
//! types, served at `/api/openapi.json`, and a plain HTML page listing it at `/api/docs` (no CDN).

use axum::Json;
use axum::response::Html;
use utoipa::OpenApi;

use crate::api;

#[derive(OpenApi)]
#[openapi(
    info(title = "halocline", description = "Ocean observations: Argo profiles, buoy series, reef heat stress. Rules: docs/api-design.md."),
    paths(
        api::health,
        api::ready,
        api::platforms,
        api::profile,
        api::series,
        api::heat_stress,
        api::argo::search,
        api::argo::meta,
        api::argo::vocabulary,
        api::stations::buoys,
        api::stations::buoy_series,
        api::stations::reefs,
        api::seed::latest,
        api::seed::timeseries,
        api::seed::anomalies,
        api::seed::stats,
        api::seed::locations,
        api::seed::observations,
        api::seed::ingest_observations,
        api::chat::chat,
        api::dashboard::floats_latest,
        api::dashboard::reef_status,
        api::dashboard::events,
        crate::auth::handlers::login,
        crate::auth::handlers::refresh,
        crate::auth::handlers::logout,
        crate::auth::handlers::me,
        crate::auth::handlers::list_users,
        crate::auth::handlers::add_user,
        crate::auth::handlers::patch_user,
        crate::auth::handlers::list_keys,
        crate::auth::handlers::add_key,
        crate::auth::handlers::revoke_key,
        crate::auth::handlers::audit_log,
    ),
    components(schemas(crate::ErrorBody)),
    modifiers(&BearerKey)
)]
pub struct ApiDoc;

struct BearerKey;

impl utoipa::Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Header(
                utoipa::openapi::security::ApiKeyValue::new("X-API-Key"),
            )),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Every operation with its parameters, from the same document.
pub async fn docs_page() -> Html<String> {
    let doc = ApiDoc::openapi();
    let mut html = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>halocline API</title>\
         <style>body{font-family:sans-serif;max-width:60em;margin:2em auto}code{background:#eef}li{margin:.2em 0}</style>\
         </head><body><h1>halocline API</h1><p>Machine-readable: <a href=\"/api/openapi.json\">/api/openapi.json</a> (OpenAPI 3.1).</p>",
    );
    for (path, item) in doc.paths.paths.iter() {
        for (method, op) in [("GET", &item.get), ("POST", &item.post), ("PATCH", &item.patch), ("DELETE", &item.delete)]
        {
            let Some(op) = op else { continue };
            html.push_str(&format!("<h2><code>{method} {}</code></h2>", escape(path)));
            if let Some(d) = op.description.as_deref().or(op.summary.as_deref()) {
                html.push_str(&format!("<p>{}</p>", escape(d)));
            }
            if let Some(params) = &op.parameters {
                html.push_str("<ul>");
                for p in params {
                    let utoipa::openapi::RefOr::T(p) = p else { continue };
                    html.push_str(&format!(
                        "<li><code>{}</code> {}</li>",
                        escape(&p.name),
                        escape(p.description.as_deref().unwrap_or(""))
                    ));
                }
                html.push_str("</ul>");
            }
        }
    }
    html.push_str("</body></html>");
    Html(html)
}
