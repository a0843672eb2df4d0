//! Security headers on every answer — pages, API, assets and errors (issue 12 §15; OWASP ASVS 14.4,
//! OWASP Secure Headers Project):
//!
//! * `Content-Security-Policy`: scripts, styles, images and connections only from this server; no inline
//!   script or style (the pages load `/assets/lantian.css`, `/assets/login.js`, `/assets/upload.js`),
//!   no plug-ins, no `<base>`, forms post only here, and no framing (`frame-ancestors 'none'`);
//! * `X-Frame-Options: DENY` (the same for browsers without CSP level 2), `X-Content-Type-Options:
//!   nosniff`, `Referrer-Policy: no-referrer`, `Cross-Origin-Opener-Policy: same-origin`;
//! * `Cache-Control: no-store` on restricted answers: any answer to a request with credentials (a
//!   bearer token or the session cookie), an answer that sets a cookie, the session endpoint, and every
//!   error; public answers keep their caching and vary on `Authorization` and `Cookie`, so that a shared
//!   cache never hands one user's answer to another;
//! * `Strict-Transport-Security` when the request came through TLS (`X-Forwarded-Proto: https`).

use std::sync::LazyLock;

use axum::extract::{Path, Request};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::ApiError;

/// The policy of every answer.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

fn has_credentials(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
        || headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(';').any(|kv| kv.trim().split_once('=').is_some_and(|(k, _)| k == crate::session::COOKIE)))
}

/// The middleware that sets the headers.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let credentials = has_credentials(req.headers());
    let session = req.uri().path().starts_with("/api/v1/session");
    let https = req.headers().get("x-forwarded-proto").is_some_and(|v| v.as_bytes() == b"https");
    let mut resp = next.run(req).await;
    let restricted = credentials
        || session
        || resp.headers().contains_key(header::SET_COOKIE)
        || resp.status().is_client_error()
        || resp.status().is_server_error();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    if restricted {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h.append(header::VARY, HeaderValue::from_static("Authorization, Cookie"));
    resp
}

/// The style sheet of the pages: the layout and one class per AQI level, region and alert level (no
/// inline styles, so that the CSP needs no `'unsafe-inline'`).
pub static STYLESHEET: LazyLock<String> = LazyLock::new(|| {
    let mut css = String::from(crate::pages::CSS);
    css.push_str(&crate::pages::level_classes());
    css.push_str(&crate::alert_pages::level_classes());
    css
});

/// `GET /assets/{file}`: the style sheet and the scripts of the pages.
pub async fn asset(Path(file): Path<String>) -> Response {
    let (kind, body): (&str, &str) = match file.as_str() {
        "lantian.css" => ("text/css; charset=utf-8", &STYLESHEET),
        "login.js" => ("text/javascript; charset=utf-8", crate::pages::LOGIN_JS),
        "upload.js" => ("text/javascript; charset=utf-8", crate::pages::UPLOAD_JS),
        "alerts.js" => ("text/javascript; charset=utf-8", crate::alert_pages::ALERTS_JS),
        "screen.js" => ("text/javascript; charset=utf-8", crate::pages::SCREEN_JS),
        "work.js" => ("text/javascript; charset=utf-8", crate::work_pages::WORK_JS),
        "tasks.js" => ("text/javascript; charset=utf-8", crate::task_pages::TASKS_JS),
        "charts.js" => ("text/javascript; charset=utf-8", include_str!("../assets/charts.js")),
        _ => return ApiError::not_found(format!("no such resource: /assets/{file}")).into_response(),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=300")], body.to_string()).into_response()
}
