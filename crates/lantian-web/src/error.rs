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
    /// `bad_request`, `not_found`, `method_not_allowed`, `payload_too_large`, `internal`.
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
            lantian_service::ServiceError::Store(lantian_store::StoreError::Input(m)) => ApiError::bad_request(m),
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
