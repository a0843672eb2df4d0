//! lantian-web: the HTTP server of the platform and its JSON API under `/api/v1/`.
//!
//! Every number the API returns comes from `lantian-service`, the same functions the CLI and the reports
//! call (ARCHITECTURE.md invariant 6); this crate only parses requests, runs the service on a blocking
//! thread against a small pool of store connections, and serialises the answer. Errors have one shape,
//! `{"error": {"status": 400, "code": "bad_request", "message": "…"}}`; nothing a client sends can cause a
//! 500 (those are reserved for the server's own failures, such as an unreadable database).
//!
//! Hostile clients (issue 12): the server loop cuts half-sent requests and idle connections
//! (`conn.rs`: header, body and idle timeouts); an upload is authenticated and authorised before its body
//! is read, streamed within a size limit, inflated within a decompression limit and parsed without a
//! store connection (`upload.rs`); writes queue for one writer so that reads always find a connection
//! (`pool.rs`); sign-in failures are throttled per (name, address) and per address in bounded, expiring
//! tables (`session.rs`); every answer carries the security headers (`headers.rs`).

pub mod access;
pub mod alert_pages;
pub mod api;
pub mod aqi_api;
pub mod boundaries;
mod cache;
pub mod charts;
pub mod conn;
pub mod download;
pub mod emergency_api;
mod error;
pub mod headers;
pub mod pages;
pub mod params;
mod pool;
pub mod proposals_api;
pub mod session;
pub mod task_pages;
pub mod upload;
pub mod views;
pub mod work_api;
pub mod work_pages;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{Json, Router};
pub use cache::ResponseCache;
pub use conn::Timeouts;
pub use error::ApiError;
use lantian_ingest::text::ReadLimits;
pub use pool::StorePool;
use tokio::net::TcpListener;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};

/// The current time as recorded in the audit log and import bookkeeping: Beijing time, ISO 8601 with
/// `+08:00`, whatever the machine's zone (as the CLI writes it; ARCHITECTURE.md "Time").
pub(crate) fn now() -> String {
    chrono::Utc::now().with_timezone(&lantian_core::beijing_time::offset()).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Today in Beijing (the default date of a form; never a rule's version, which the data's date chooses).
pub(crate) fn now_date() -> chrono::NaiveDate {
    now_local().date()
}

/// The time now in Beijing, as the work items' clocks read it (`--at` of the CLI).
pub(crate) fn now_local() -> chrono::NaiveDateTime {
    chrono::Utc::now().with_timezone(&lantian_core::beijing_time::offset()).naive_local()
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
    /// Limits and timeouts.
    pub config: ServerConfig,
    /// Uploads being received or parsed at once (the memory of an upload is bounded by its limits; this
    /// bounds their number).
    pub upload_slots: Arc<tokio::sync::Semaphore>,
}

/// What the server allows a client (`lantian serve` flags; `docs/formats.md` §0 and ARCHITECTURE.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// Header, body and idle timeouts of a connection.
    pub timeouts: Timeouts,
    /// An upload's body (`max_input`, `--max-upload`, default 64 MiB) and its content after gzip
    /// decompression (`max_content`, `--max-upload-decompressed`, default 256 MiB).
    pub upload: ReadLimits,
    /// Uploads received and parsed at once (`--upload-slots`, default 2); more wait for a slot.
    pub upload_slots: usize,
    /// Connections open at once (`--max-connections`, default 256): beyond it a new connection waits
    /// in the listen queue until one ends, so that a flood of idle sockets cannot exhaust the process's
    /// file descriptors and memory (the header timeout then frees the slots held by half-sent requests).
    pub max_connections: usize,
    /// How long a write (an upload, an audit entry) waits for another writer — a `lantian import` of
    /// another process holding the store's write lock — before it fails busy
    /// (`LANTIAN_WRITE_WAIT_SECS`, default 120 s; issue 13 item 4).
    pub write_wait: lantian_store::WriteWait,
}

/// The default of [`ServerConfig::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            timeouts: Timeouts::default(),
            upload: ReadLimits::WEB,
            upload_slots: 2,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            write_wait: lantian_store::WriteWait::default(),
        }
    }
}

impl AppState {
    pub fn new(stores: StorePool) -> AppState {
        AppState::with_config(stores, ServerConfig::default())
    }

    pub fn with_config(stores: StorePool, config: ServerConfig) -> AppState {
        AppState {
            stores,
            cache: ResponseCache::new(4096),
            sessions: session::Sessions::default(),
            boundaries: None,
            upload_slots: Arc::new(tokio::sync::Semaphore::new(config.upload_slots.max(1))),
            config,
        }
    }
}

/// The largest request body read by the JSON extractors (sign-in and other small writes); uploads read
/// their own body within [`ServerConfig::upload`].
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// Every route of the server, pages and API: the one list the router is built from and the access
/// policy table is checked against ([`access::POLICIES`]).
fn app_routes() -> Vec<(&'static str, axum::routing::MethodRouter<Arc<AppState>>)> {
    let mut routes = vec![
        ("/healthz", get(healthz)),
        ("/", get(pages::overview)),
        ("/screen", get(pages::screen)),
        ("/ranking", get(pages::ranking)),
        ("/points", get(pages::points)),
        ("/stations", get(pages::stations)),
        ("/cities/{city}", get(pages::city)),
        ("/login", get(pages::login)),
        ("/upload", get(pages::upload)),
        ("/alerts", get(alert_pages::alerts_page)),
        ("/alerts/control-list", get(alert_pages::control_list_page)),
        ("/tasks", get(task_pages::tasks_page)),
        ("/work", get(work_pages::work_page)),
        ("/work/items/{id}", get(work_pages::item_page)),
        ("/work/evidence/{reference}", get(work_pages::evidence)),
        ("/stations/{code}", get(pages::station)),
        ("/assets/{file}", get(headers::asset)),
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
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        .layer(axum::middleware::from_fn(error::one_shape))
        .layer(axum::middleware::from_fn(error::pages_in_html))
        .layer(axum::middleware::from_fn(headers::security_headers))
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
        lantian_store::AirStore::cities(store)?;
        Ok(serde_json::json!({ "status": "ok" }))
    })
    .await
    .map(Json)
}

/// Serves on a bound listener until `shutdown` completes, then finishes the requests in flight; the
/// connections are timed out by `state.config.timeouts` (`conn.rs`).
pub async fn serve_on(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (timeouts, max) = (state.config.timeouts, state.config.max_connections);
    conn::serve(listener, router(state), timeouts, max, shutdown).await
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
