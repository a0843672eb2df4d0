//! lantian-web: the HTTP server of the platform and its JSON API under `/api/v1/`.
//!
//! Every number the API returns comes from `lantian-service`, the same functions the CLI and the reports
//! call (ARCHITECTURE.md invariant 6); this crate only parses requests, runs the service on a blocking
//! thread against a small pool of store connections, and serialises the answer. Errors have one shape,
//! `{"error": {"status": 400, "code": "bad_request", "message": "…"}}`; nothing a client sends can cause a
//! 500 (those are reserved for the server's own failures, such as an unreadable database).

pub mod access;
pub mod alert_pages;
pub mod api;
pub mod aqi_api;
pub mod boundaries;
mod cache;
pub mod emergency_api;
mod error;
pub mod pages;
mod pool;
pub mod proposals_api;
pub mod session;
pub mod upload;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{Json, Router};
pub use cache::ResponseCache;
pub use error::ApiError;
pub use pool::StorePool;
use tokio::net::TcpListener;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};

/// The current local time as recorded in the audit log and import bookkeeping (ISO 8601 with offset).
pub(crate) fn now() -> String {
    chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// What every handler shares.
pub struct AppState {
    pub stores: StorePool,
    /// Answers of the expensive GET endpoints, valid while the data do not change.
    pub cache: ResponseCache,
    /// Browser sessions and sign-in throttling.
    pub sessions: session::Sessions,
    /// City outlines for the overview map (`--boundaries FILE`); else the schematic map.
    pub boundaries: Option<boundaries::Boundaries>,
}

impl AppState {
    pub fn new(stores: StorePool) -> AppState {
        AppState { stores, cache: ResponseCache::new(4096), sessions: session::Sessions::default(), boundaries: None }
    }
}

/// The largest request body accepted (uploads of a day's national file gzip to well under this).
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Every route of the server, pages and API: the one list the router is built from and the access
/// policy table is checked against ([`access::POLICIES`]).
fn app_routes() -> Vec<(&'static str, axum::routing::MethodRouter<Arc<AppState>>)> {
    let mut routes = vec![
        ("/healthz", get(healthz)),
        ("/", get(pages::overview)),
        ("/ranking", get(pages::ranking)),
        ("/points", get(pages::points)),
        ("/stations", get(pages::stations)),
        ("/cities/{city}", get(pages::city)),
        ("/login", get(pages::login)),
        ("/upload", get(pages::upload)),
        ("/alerts", get(alert_pages::alerts_page)),
        ("/alerts/control-list", get(alert_pages::control_list_page)),
        ("/stations/{code}", get(pages::station)),
    ];
    routes.extend(api::routes());
    routes
}

/// The paths of every route (for the access-policy checks).
pub fn route_paths() -> Vec<&'static str> {
    app_routes().into_iter().map(|(p, _)| p).collect()
}

/// The application: routes, their access policy (deny by default), error fallbacks, limits and request
/// logging.
pub fn router(state: Arc<AppState>) -> Router {
    let mut r = Router::new();
    for (path, handler) in app_routes() {
        r = r.route(path, handler);
    }
    r.route_layer(axum::middleware::from_fn_with_state(state.clone(), access::enforce))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(
            // One structured log line per request: method, path, status, latency.
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .with_state(state)
}

/// `GET /healthz`: the server runs and the store answers.
async fn healthz(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    api::blocking(state, |store| {
        lantian_store::Store::cities(store)?;
        Ok(serde_json::json!({ "status": "ok" }))
    })
    .await
    .map(Json)
}

/// Serves on a bound listener until `shutdown` completes, then finishes the requests in flight.
pub async fn serve_on(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves on Ctrl-C or SIGTERM (graceful shutdown).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested; finishing requests in flight");
}
