//! `lantian serve [--addr 127.0.0.1:8080]`: the web platform on the same store as the CLI.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

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
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// What the server allows a client: timeouts and upload limits (`docs/formats.md` §0).
#[derive(Args, Debug, Clone)]
pub struct LimitArgs {
    /// A connection must send a complete request head within this time (from connecting, or from the
    /// first byte of a later request): half-sent requests are cut. `10s`, `500ms`, `1m`.
    #[arg(long, env = "LANTIAN_HEADER_TIMEOUT", default_value = "10s", value_parser = duration_arg)]
    pub header_timeout: Duration,
    /// While a request body is read, the client may pause at most this long between two chunks (408).
    #[arg(long, env = "LANTIAN_BODY_TIMEOUT", default_value = "30s", value_parser = duration_arg)]
    pub body_timeout: Duration,
    /// A keep-alive connection with no request in flight is closed after this time.
    #[arg(long, env = "LANTIAN_IDLE_TIMEOUT", default_value = "60s", value_parser = duration_arg)]
    pub idle_timeout: Duration,
    /// The largest upload body (compressed or not); larger ones are refused unread (413).
    #[arg(long, env = "LANTIAN_MAX_UPLOAD", default_value = "64MiB", value_parser = crate::import_cmd::size_arg)]
    pub max_upload: u64,
    /// The largest content of an upload after gzip decompression (413 once passed).
    #[arg(long, env = "LANTIAN_MAX_UPLOAD_DECOMPRESSED", default_value = "256MiB",
          value_parser = crate::import_cmd::size_arg)]
    pub max_upload_decompressed: u64,
    /// Uploads received and parsed at once; more wait for a slot (bounds the server's memory).
    #[arg(long, env = "LANTIAN_UPLOAD_SLOTS", default_value_t = 2,
          value_parser = clap::value_parser!(u64).range(1..=64))]
    pub upload_slots: u64,
    /// Connections open at once; beyond it new connections wait until one ends (bounds file descriptors
    /// and memory against a flood of idle sockets).
    #[arg(long, env = "LANTIAN_MAX_CONNECTIONS", default_value_t = 256,
          value_parser = clap::value_parser!(u64).range(1..=65536))]
    pub max_connections: u64,
    /// A browser session ends after this many seconds without a request (OWASP ASVS 3.3.2: 30 minutes).
    #[arg(long, env = "LANTIAN_SESSION_IDLE_SECS", default_value_t = 1800, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub session_idle_secs: u64,
    /// A browser session ends this many seconds after sign-in, however it is used (8 hours: a working day).
    #[arg(long, env = "LANTIAN_SESSION_MAX_SECS", default_value_t = 28800, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub session_max_secs: u64,
    /// A write (an upload, an audit entry) waits this many seconds for another writer — a `lantian
    /// import` holding the store's write lock — before it fails busy (503); `lantian import` waits as
    /// long for the server's writes.
    #[arg(long, env = "LANTIAN_WRITE_WAIT_SECS", default_value_t = lantian_store::WriteWait::DEFAULT_SECS,
          value_name = "SECS", value_parser = clap::value_parser!(u64).range(0..=86400))]
    pub write_wait_secs: u64,
}

impl LimitArgs {
    /// The limits from the environment (`LANTIAN_HEADER_TIMEOUT` …), else the defaults: for commands
    /// that serve without these flags (`demo`).
    pub fn from_env() -> Result<LimitArgs> {
        use clap::{Args as _, FromArgMatches as _};
        let cmd = LimitArgs::augment_args(clap::Command::new("lantian"));
        let m = cmd.try_get_matches_from(["lantian"])?;
        Ok(LimitArgs::from_arg_matches(&m)?)
    }

    fn config(&self) -> lantian_web::ServerConfig {
        lantian_web::ServerConfig {
            timeouts: lantian_web::Timeouts {
                header: self.header_timeout,
                body: self.body_timeout,
                idle: self.idle_timeout,
            },
            upload: lantian_ingest::text::ReadLimits {
                max_input: self.max_upload,
                max_content: self.max_upload_decompressed,
            },
            upload_slots: usize::try_from(self.upload_slots).unwrap_or(2),
            max_connections: usize::try_from(self.max_connections).unwrap_or(lantian_web::DEFAULT_MAX_CONNECTIONS),
            write_wait: lantian_store::WriteWait { deadline: Duration::from_secs(self.write_wait_secs) },
        }
    }

    fn sessions(&self) -> lantian_web::session::Sessions {
        lantian_web::session::Sessions::with_limits(
            Duration::from_secs(self.session_idle_secs),
            Duration::from_secs(self.session_max_secs),
        )
    }
}

/// A duration: `10s`, `500ms`, `2m`, or seconds (`10`); at least 1 ms.
pub fn duration_arg(s: &str) -> std::result::Result<Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().map_err(|_| format!("not a duration: {s:?} (e.g. 10s, 500ms, 2m)"))?;
    let d = match unit.trim() {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "m" | "min" => Duration::from_secs(n.saturating_mul(60)),
        other => return Err(format!("unknown unit {other:?} in {s:?} (ms, s or m)")),
    };
    if d.is_zero() {
        return Err(format!("a timeout of zero cuts every connection: {s:?}"));
    }
    Ok(d)
}

/// Structured logs on stderr (`RUST_LOG` filters them; default `info`).
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

pub fn run(db: &str, a: ServeArgs) -> Result<ExitCode> {
    serve(db, a.addr, a.boundaries.as_deref(), &a.limits)
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub fn serve(db: &str, addr: SocketAddr, boundaries: Option<&std::path::Path>, limits: &LimitArgs) -> Result<ExitCode> {
    init_logs();
    let outlines = match boundaries {
        Some(p) => Some(lantian_web::boundaries::Boundaries::load(p, 560.0).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let jobs = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    // The platform takes uploads, so it may start on a new, empty store — but says so, so that a
    // mistyped --db does not go unnoticed.
    if let Ok(path) = lantian_store::sqlite_path(db) {
        if path != ":memory:" && !std::path::Path::new(path).exists() {
            eprintln!("注意 note: no store at {path}; serving a new, empty one (upload files or run `lantian import`)");
        }
    }
    let stores = lantian_web::StorePool::open(db, jobs.max(2))
        .with_context(|| format!("cannot open the database {}", lantian_store::display_url(db)))?;
    let mut state = lantian_web::AppState::with_config(stores, limits.config());
    state.boundaries = outlines;
    state.sessions = limits.sessions();
    state.sessions.warm_up();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The flags' defaults are the server's defaults (one set of numbers, as documented).
    #[test]
    fn flag_defaults_are_the_server_defaults() {
        let from_flags = LimitArgs::from_env().expect("defaults").config();
        let vars = [
            "HEADER_TIMEOUT",
            "BODY_TIMEOUT",
            "IDLE_TIMEOUT",
            "MAX_UPLOAD",
            "MAX_UPLOAD_DECOMPRESSED",
            "UPLOAD_SLOTS",
            "MAX_CONNECTIONS",
        ];
        if vars.iter().all(|v| std::env::var_os(format!("LANTIAN_{v}")).is_none()) {
            assert_eq!(from_flags, lantian_web::ServerConfig::default());
        }
        assert_eq!(duration_arg("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(duration_arg("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(duration_arg("10"), Ok(Duration::from_secs(10)));
        assert!(duration_arg("0s").is_err() && duration_arg("1h").is_err() && duration_arg("s").is_err());
    }
}
