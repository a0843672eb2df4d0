//! The one error shape of the API.

use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// An API error: HTTP status, a stable code and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

/// The body of every error response.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status again, for clients that lose it.
    pub status: u16,
    /// `bad_request`, `unauthorized`, `forbidden`, `csrf`, `not_found`, `method_not_allowed`,
    /// `request_timeout`, `payload_too_large`, `unsupported_media_type`, `throttled`, `internal`, `busy`.
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, code: "bad_request", message: message.into() }
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::NOT_FOUND, code: "not_found", message: message.into() }
    }
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::INTERNAL_SERVER_ERROR, code: "internal", message: message.into() }
    }
    /// The store was busy (another writer held it past the wait): nothing was stored, trying again
    /// later may succeed (503 `busy`).
    pub fn is_busy(&self) -> bool {
        self.code == "busy"
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, message = %self.message, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail { status: self.status.as_u16(), code: self.code.to_string(), message: self.message },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<lantian_service::ServiceError> for ApiError {
    fn from(e: lantian_service::ServiceError) -> ApiError {
        match e {
            lantian_service::ServiceError::Request(m) => ApiError::bad_request(m),
            lantian_service::ServiceError::Forbidden(m) => crate::access::forbidden(m),
            lantian_service::ServiceError::Store(lantian_store::StoreError::Input(m)) => ApiError::bad_request(m),
            lantian_service::ServiceError::Store(lantian_store::StoreError::Conflict(m)) => {
                ApiError { status: StatusCode::CONFLICT, code: "conflict", message: m }
            }
            lantian_service::ServiceError::Store(s) if s.is_busy() => {
                ApiError { status: StatusCode::SERVICE_UNAVAILABLE, code: "busy", message: s.to_string() }
            }
            lantian_service::ServiceError::Store(s) => ApiError::internal(s.to_string()),
        }
    }
}

impl From<lantian_store::StoreError> for ApiError {
    fn from(e: lantian_store::StoreError) -> ApiError {
        ApiError::from(lantian_service::ServiceError::Store(e))
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(e: axum::extract::rejection::QueryRejection) -> ApiError {
        ApiError::bad_request(e.body_text())
    }
}

/// Puts the framework's own refusals — a query, path or JSON body that does not parse, a body over the
/// limit — into the one error shape (they come as plain text), so that every 4xx and 5xx answer is
/// `{"error": {…}}` (issue 12 §14); outside the API, [`pages_in_html`] then shows it as a page.
pub async fn one_shape(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if json || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024).await.map(|b| String::from_utf8_lossy(&b).into_owned());
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let message = match text {
        Ok(t) if !t.trim().is_empty() => t,
        _ => status.canonical_reason().unwrap_or("error").to_string(),
    };
    let mut shaped = ApiError { status, code, message }.into_response();
    for (name, value) in &parts.headers {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            shaped.headers_mut().insert(name, value.clone());
        }
    }
    shaped
}

/// Page routes answer their errors as pages (issue 14 item 9): an error of a route outside `/api/`,
/// `/healthz` and `/assets/` — its handler's, the access policy's, an unknown path's — is shown as an HTML
/// page in the page's language (`?lang=en`) with the same status, the error's message and a way back;
/// the API keeps the one JSON shape ([`one_shape`], which runs first).
pub async fn pages_in_html(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = req.uri().path().to_string();
    let english = req.uri().query().is_some_and(|q| q.split('&').any(|kv| kv == "lang=en"));
    let resp = next.run(req).await;
    let status = resp.status();
    let api = path.starts_with("/api/") || path == "/healthz" || path.starts_with("/assets/");
    if api || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let message = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(b) => serde_json::from_slice::<serde_json::Value>(&b)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
            .unwrap_or_else(|| String::from_utf8_lossy(&b).into_owned()),
        Err(_) => String::new(),
    };
    let lang = if english { crate::pages::Lang::En } else { crate::pages::Lang::Zh };
    let (zh, en) = match status {
        StatusCode::BAD_REQUEST => ("请求有误", "Bad request"),
        StatusCode::UNAUTHORIZED => ("需要登录", "Sign-in needed"),
        StatusCode::FORBIDDEN => ("无权查看", "Not allowed"),
        StatusCode::NOT_FOUND => ("页面不存在", "Not found"),
        StatusCode::METHOD_NOT_ALLOWED => ("不支持的请求方法", "Method not allowed"),
        StatusCode::TOO_MANY_REQUESTS => ("请求过于频繁", "Too many requests"),
        StatusCode::SERVICE_UNAVAILABLE => ("服务繁忙，请稍后再试", "Busy: try again shortly"),
        s if s.is_server_error() => ("服务器出错", "Server error"),
        _ => ("请求未能完成", "The request could not be completed"),
    };
    let page = crate::views::ErrorPage {
        chrome: crate::views::Chrome::new(lang, lang.t(zh, en), &path),
        status: status.as_u16(),
        reason: lang.t(zh, en),
        message,
        signin: matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
    };
    let mut html = match crate::views::render(&page) {
        Ok(h) => (status, h).into_response(),
        Err(e) => return e.into_response(),
    };
    for (name, value) in &parts.headers {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            html.headers_mut().insert(name, value.clone());
        }
    }
    html
}

/// Unknown routes.
pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("no such resource: {}", uri.path()))
}

/// A known route with another method.
pub async fn method_not_allowed(uri: Uri) -> ApiError {
    ApiError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        code: "method_not_allowed",
        message: format!("method not allowed on {}", uri.path()),
    }
}
