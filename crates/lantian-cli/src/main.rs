//! `lantian`: the command-line face of the platform. Thin: argument parsing, progress, output
//! formats. Numbers come from `lantian-service`; rules from `lantian-core`.

mod alert_cmd;
mod aqi_cmd;
mod bench_cmd;
mod budget_cmd;
mod control_cmd;
mod import_cmd;
mod incentives_cmd;
mod output;
mod points_cmd;
mod rank_cmd;
mod serve_cmd;
mod stations_cmd;
mod synth_cmd;
mod targets_cmd;
mod user_cmd;
mod yuetan_cmd;

use std::process::ExitCode;

/// mimalloc reuses the large per-day buffers of imports and queries instead of faulting in fresh pages.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

/// lantian (蓝天) — command platform for provincial air-pollution prevention.
#[derive(Parser, Debug)]
#[command(name = "lantian", version, about, long_about = None)]
struct Cli {
    /// Database URL: sqlite:PATH (default sqlite:lantian.db).
    #[arg(long, global = true, env = "LANTIAN_DB", default_value = "sqlite:lantian.db")]
    db: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Import files or folders (CNEMC wide files, station lists, daily city CSV; .csv or .csv.gz).
    Import(import_cmd::ImportArgs),
    /// Hourly (real-time) or daily AQI, with levels, categories and primary pollutants.
    Aqi(aqi_cmd::AqiArgs),
    /// List stations.
    Stations(stations_cmd::StationsArgs),
    /// Period statistics (month, quarter, half-year, year, year-to-date, any range) per station, city, region or province.
    Assess(rank_cmd::AssessArgs),
    /// Rank cities by composite index or by its change; --xlsx writes the monthly circular.
    Rank(rank_cmd::RankArgs),
    /// 以时保天、以天保月、以月保年: budgets of a city at a moment, or the province-wide at-risk list.
    Budget(budget_cmd::BudgetArgs),
    /// The 100-point city scoring (积分管理) with each factor; --explain shows the arithmetic.
    Points(points_cmd::PointsArgs),
    /// 约谈 triggers: which city meets which tier, on what evidence.
    Yuetan(yuetan_cmd::YuetanArgs),
    /// Annual targets and target tasks: progress and what is at risk.
    Targets(targets_cmd::TargetsArgs),
    /// 激励约束: settle each city's target fund and improvement fund for a year, with the reasons.
    Incentives(incentives_cmd::IncentivesArgs),
    /// Heavy-pollution alerts: evaluate forecasts (city, regional, joint-control), the alert log, status.
    Alert(alert_cmd::AlertArgs),
    /// The emergency control list of a city at an alert level, checked for adequacy and one-size-fits-all.
    #[command(name = "control-list")]
    ControlList(control_cmd::ControlListArgs),
    /// Enterprises during the recorded responses (power use, CEMS) and the pairing duty; enforcement leads.
    Compliance(control_cmd::ComplianceArgs),
    /// Write a realistic synthetic province (CNEMC layout) for demonstrations and benchmarks.
    Synth(synth_cmd::SynthArgs),
    /// Generate a demonstration province, import it into a fresh store, show the latest week and serve it.
    Demo(synth_cmd::DemoArgs),
    /// Accounts of the web platform: add, list, disable, enable, token.
    User(user_cmd::UserArgs),
    /// Serve the web platform (JSON API under /api/v1, /healthz) on the store.
    Serve(serve_cmd::ServeArgs),
    /// Benchmark: import a folder into a fresh store, then hourly AQI and station daily values for everything.
    Bench(bench_cmd::BenchArgs),
    /// Benchmark: the ranking of a period computed in this process, from scratch (empty daily cache)
    /// and cached, several times (the pandas peer's equivalent step, measured the way it measures).
    BenchRank(bench_cmd::BenchRankArgs),
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

/// Parses `YYYY-MM-DD` or `YYYYMMDD`.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y%m%d"))
        .map_err(|_| format!("not a date (YYYY-MM-DD): {s:?}"))
}

/// The current time as recorded in logs (`recorded_at`, audit): local time with its offset.
pub fn now_text() -> String {
    chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn open_store(url: &str) -> Result<lantian_store::SqliteStore> {
    lantian_store::open_sqlite(url).with_context(|| format!("cannot open the database {url}"))
}

/// `mi_option_purge_delay` of mimalloc 2.x (`mimalloc.h`; the sys crate does not name it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // mimalloc hands freed memory back to the OS after 10 ms; imports and queries free and reallocate
    // their per-day buffers constantly, and faulting fresh zeroed pages back in took a third of the
    // daily step (perf: clear_page_erms). Keep freed memory for reuse instead.
    // SAFETY: setting an allocator option is a plain store into mimalloc's option table.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    let cli = Cli::parse();
    let r = match cli.command {
        Command::Import(a) => import_cmd::run(&cli.db, a),
        Command::Aqi(a) => aqi_cmd::run(&cli.db, a),
        Command::Stations(a) => stations_cmd::run(&cli.db, a),
        Command::Assess(a) => rank_cmd::run_assess(&cli.db, a),
        Command::Rank(a) => rank_cmd::run_rank(&cli.db, a),
        Command::Budget(a) => budget_cmd::run(&cli.db, a),
        Command::Alert(a) => alert_cmd::run(&cli.db, a),
        Command::ControlList(a) => control_cmd::run_control_list(&cli.db, a),
        Command::Compliance(a) => control_cmd::run_compliance(&cli.db, a),
        Command::Points(a) => points_cmd::run(&cli.db, a),
        Command::Yuetan(a) => yuetan_cmd::run(&cli.db, a),
        Command::Targets(a) => targets_cmd::run(&cli.db, a),
        Command::Incentives(a) => incentives_cmd::run(&cli.db, a),
        Command::Synth(a) => synth_cmd::run_synth(a),
        Command::Demo(a) => synth_cmd::run_demo(a),
        Command::Serve(a) => serve_cmd::run(&cli.db, a),
        Command::User(a) => user_cmd::run(&cli.db, a),
        Command::Bench(a) => bench_cmd::run(a),
        Command::BenchRank(a) => bench_cmd::run_rank(&cli.db, a),
    };
    match r {
        Ok(code) => code,
        Err(e) => {
            // Broken pipe (e.g. `| head`) is not an error for the user.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("错误 error: {e:#}");
            ExitCode::from(2)
        }
    }
}
