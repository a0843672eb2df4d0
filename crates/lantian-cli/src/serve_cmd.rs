//! `lantian serve [--addr 127.0.0.1:8080]`: the web platform on the same store as the CLI.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// GeoJSON of the city boundaries (features with properties.adcode) for the overview map.
    #[arg(long, value_name = "FILE")]
    pub boundaries: Option<std::path::PathBuf>,
    /// A browser session ends after this many seconds without a request (OWASP ASVS 3.3.2: 30 minutes).
    #[arg(long, env = "LANTIAN_SESSION_IDLE_SECS", default_value_t = 1800, value_name = "SECS")]
    pub session_idle_secs: u64,
    /// A browser session ends this many seconds after sign-in, however it is used (8 hours: a working day).
    #[arg(long, env = "LANTIAN_SESSION_MAX_SECS", default_value_t = 28800, value_name = "SECS")]
    pub session_max_secs: u64,
}

/// Structured logs on stderr (`RUST_LOG` filters them; default `info`).
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

pub fn run(db: &str, a: ServeArgs) -> Result<ExitCode> {
    if a.session_idle_secs == 0 || a.session_max_secs == 0 {
        anyhow::bail!("session limits are at least one second");
    }
    let sessions = lantian_web::session::Sessions::with_limits(
        std::time::Duration::from_secs(a.session_idle_secs),
        std::time::Duration::from_secs(a.session_max_secs),
    );
    serve_with(db, a.addr, a.boundaries.as_deref(), sessions)
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub fn serve(db: &str, addr: SocketAddr, boundaries: Option<&std::path::Path>) -> Result<ExitCode> {
    serve_with(db, addr, boundaries, lantian_web::session::Sessions::default())
}

fn serve_with(
    db: &str,
    addr: SocketAddr,
    boundaries: Option<&std::path::Path>,
    sessions: lantian_web::session::Sessions,
) -> Result<ExitCode> {
    init_logs();
    let outlines = match boundaries {
        Some(p) => Some(lantian_web::boundaries::Boundaries::load(p, 560.0).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let jobs = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    // The platform takes uploads, so it may start on a new, empty store — but says so, so that a
    // mistyped --db does not go unnoticed.
    let path = lantian_store::sqlite_path(db)?;
    if path != ":memory:" && !std::path::Path::new(path).exists() {
        eprintln!("注意 note: no store at {path}; serving a new, empty one (upload files or run `lantian import`)");
    }
    let stores =
        lantian_web::StorePool::open(db, jobs.max(2)).with_context(|| format!("cannot open the database {db}"))?;
    let mut state = lantian_web::AppState::new(stores);
    state.boundaries = outlines;
    state.sessions = sessions;
    let state = Arc::new(state);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        // One write, errors ignored: a closed stdout (a supervisor that read the URL and went away) must
        // not stop the server.
        let banner = format!(
            "蓝天 lantian 正在服务 serving on http://{local}/\n  健康检查 health:  http://{local}/healthz\n  \
             接口文档 API:     http://{local}/api/v1/openapi.json\n  排名 ranking:     \
             http://{local}/api/v1/rankings?period=YYYY-MM\n按 Ctrl-C 停止 press Ctrl-C to stop\n"
        );
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
        }
        tracing::info!(%local, db, "listening");
        lantian_web::serve_on(listener, state, lantian_web::shutdown_signal()).await?;
        tracing::info!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}
