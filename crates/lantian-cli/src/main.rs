//! `lantian`: the command-line face of the platform. Thin: argument parsing, progress, output
//! formats. Numbers come from `lantian-service`; rules from `lantian-core`.

mod accountability;
mod accounts;
mod air;
mod bench_cmd;
mod emergency;
mod import_cmd;
mod output;
mod serve_cmd;
mod synth_cmd;
mod work;

use std::process::ExitCode;

/// mimalloc reuses the large per-day buffers of imports and queries instead of faulting in fresh pages.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

/// lantian (蓝天) — command platform for provincial air-pollution prevention: imports monitoring data and
/// computes the official numbers (AQI, daily values, assessment, rankings, budgets, scoring), the
/// heavy-pollution response (alerts, control lists, compliance) and serves the web platform.
#[derive(Parser, Debug)]
#[command(
    name = "lantian",
    version,
    about = "lantian (蓝天) — command platform for provincial air-pollution prevention: official AQI and \
             daily values, assessment and rankings, budgets and scoring, heavy-pollution alerts, control \
             lists and compliance, and the web platform",
    long_about = None,
    after_help = "Every command uses the store named by --db or LANTIAN_DB; commands that only read refuse \
                  a store that does not exist (import, demo, user add, alert evaluate --forecast and serve \
                  create one). `lantian COMMAND --help` for details."
)]
struct Cli {
    /// The store: sqlite:PATH (default sqlite:lantian.db in the current folder) or
    /// postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (an existing database; lantian creates its tables).
    /// Commands that only read refuse a store that does not exist.
    #[arg(long, global = true, env = "LANTIAN_DB", default_value = "sqlite:lantian.db")]
    db: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Import files or folders: every kind is detected from the content (see `import --help`); creates the store.
    Import(import_cmd::ImportArgs),
    /// Hourly (real-time) or daily AQI, with levels, categories and primary pollutants.
    Aqi(air::aqi_cmd::AqiArgs),
    /// List stations.
    Stations(air::stations_cmd::StationsArgs),
    /// Period statistics (month, quarter, half-year, year, year-to-date, any range) per station, city, region or province.
    Assess(accountability::rank_cmd::AssessArgs),
    /// Rank cities by composite index or by its change; --xlsx writes the monthly circular.
    Rank(accountability::rank_cmd::RankArgs),
    /// 以时保天、以天保月、以月保年: budgets of a city at a moment, or the province-wide at-risk list.
    Budget(accountability::budget_cmd::BudgetArgs),
    /// The 100-point city scoring (积分管理) with each factor; --explain shows the arithmetic.
    Points(accountability::points_cmd::PointsArgs),
    /// 约谈 triggers: which city meets which tier, on what evidence.
    Yuetan(accountability::yuetan_cmd::YuetanArgs),
    /// Annual targets and target tasks: progress and what is at risk.
    Targets(accountability::targets_cmd::TargetsArgs),
    /// 激励约束: settle each city's target fund and improvement fund for a year, with the reasons.
    Incentives(accountability::incentives_cmd::IncentivesArgs),
    /// Heavy-pollution alerts: evaluate forecasts (city, regional, joint-control), the alert log, status.
    Alert(emergency::alert_cmd::AlertArgs),
    /// The emergency control list of a city at an alert level, checked for adequacy and one-size-fits-all.
    #[command(name = "control-list")]
    ControlList(emergency::control_cmd::ControlListArgs),
    /// Enterprises during the recorded responses (power use, CEMS) and the pairing duty; enforcement leads.
    Compliance(emergency::control_cmd::ComplianceArgs),
    /// Write a realistic synthetic province (CNEMC layout) for demonstrations and benchmarks.
    Synth(synth_cmd::SynthArgs),
    /// Generate a demonstration province, import it into a fresh store, show the latest week and serve it.
    Demo(synth_cmd::DemoArgs),
    /// Accounts of the web platform: add, list, disable, enable, grant, token, tokens, audit.
    User(accounts::user_cmd::UserArgs),
    /// Approve or reject a city's proposed bonus/penalty items and dust periods (--list shows them).
    Approve(accountability::approve_cmd::ApproveArgs),
    /// Inspection findings (督查检查) and their rectification, overdue ones marked; restricted (--account).
    Inspections(work::inspections_cmd::InspectionsArgs),
    /// Work items (督办): issue, act (sign, delegate, feed back, verify, return, close, cancel), list.
    Work(work::work_cmd::WorkArgs),
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

/// The current time as recorded in logs (`recorded_at`, audit): Beijing time with `+08:00`, whatever
/// the machine's time zone (times in machine formats are ISO 8601 with `+08:00`).
pub fn now_text() -> String {
    chrono::Utc::now().with_timezone(&lantian_core::beijing_time::offset()).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Opens an existing store: commands that only read (and those that record into a store of data)
/// refuse a store that does not exist, naming the path and how to create one.
fn open_store(url: &str) -> Result<lantian_store::AnyStore> {
    match lantian_store::open_existing(url) {
        Err(e @ lantian_store::StoreError::Missing(_)) => Err(e.into()),
        r => r.with_context(|| format!("cannot open the database {}", lantian_store::display_url(url))),
    }
}

/// Opens the store, creating it when it does not exist: `import`, `user add` and forecast imports.
fn create_store(url: &str) -> Result<lantian_store::AnyStore> {
    lantian_store::open(url).with_context(|| format!("cannot open the database {}", lantian_store::display_url(url)))
}

/// The store was busy (another writer held it past the wait; nothing was stored), wherever in the
/// error's chain the store's error sits.
pub(crate) fn is_busy(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<lantian_store::StoreError>().is_some_and(lantian_store::StoreError::is_busy)
            || matches!(c.downcast_ref::<lantian_service::ServiceError>(),
                Some(lantian_service::ServiceError::Store(s)) if s.is_busy())
    })
}

/// Says on stderr that a write waited for another writer, when it waited half a second or more.
pub(crate) fn report_wait(waited: std::time::Duration) {
    if waited >= std::time::Duration::from_millis(500) {
        eprintln!("等待 waited {:.1} s for another writer of the store", waited.as_secs_f64());
    }
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
        Command::Aqi(a) => air::aqi_cmd::run(&cli.db, a),
        Command::Stations(a) => air::stations_cmd::run(&cli.db, a),
        Command::Assess(a) => accountability::rank_cmd::run_assess(&cli.db, a),
        Command::Rank(a) => accountability::rank_cmd::run_rank(&cli.db, a),
        Command::Budget(a) => accountability::budget_cmd::run(&cli.db, a),
        Command::Alert(a) => emergency::alert_cmd::run(&cli.db, a),
        Command::ControlList(a) => emergency::control_cmd::run_control_list(&cli.db, a),
        Command::Compliance(a) => emergency::control_cmd::run_compliance(&cli.db, a),
        Command::Points(a) => accountability::points_cmd::run(&cli.db, a),
        Command::Yuetan(a) => accountability::yuetan_cmd::run(&cli.db, a),
        Command::Targets(a) => accountability::targets_cmd::run(&cli.db, a),
        Command::Incentives(a) => accountability::incentives_cmd::run(&cli.db, a),
        Command::Synth(a) => synth_cmd::run_synth(a),
        Command::Demo(a) => synth_cmd::run_demo(a),
        Command::Serve(a) => serve_cmd::run(&cli.db, a),
        Command::User(a) => accounts::user_cmd::run(&cli.db, a),
        Command::Approve(a) => accountability::approve_cmd::run(&cli.db, a),
        Command::Inspections(a) => work::inspections_cmd::run(&cli.db, a),
        Command::Work(a) => work::work_cmd::run(&cli.db, a),
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Spec file names that must not appear in help (say what the rule is instead).
    const SPEC_FILES: [&str; 8] = [
        "standards.md",
        "assessment.md",
        "ranking.md",
        "management.md",
        "emergency.md",
        "glossary.md",
        "worked-examples.md",
        "notice-2022.md",
    ];

    /// Every argument of every (sub)command has help text; every subcommand has a description; no
    /// help names a spec file.
    fn check(cmd: &mut clap::Command, path: &str, problems: &mut Vec<String>) {
        cmd.build();
        for a in cmd.get_arguments() {
            let id = a.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            match a.get_help().or(a.get_long_help()) {
                Some(h) if !h.to_string().trim().is_empty() => {}
                _ => problems.push(format!("{path} --{id}: no help text")),
            }
        }
        let long = cmd.render_long_help().to_string();
        for f in SPEC_FILES {
            if long.contains(f) {
                problems.push(format!("{path}: help names the spec file {f}"));
            }
        }
        let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
        for name in names {
            if name == "help" {
                continue;
            }
            let Some(sub) = cmd.find_subcommand_mut(&name) else { continue };
            if sub.get_about().is_none_or(|a| a.to_string().trim().is_empty()) {
                problems.push(format!("{path} {name}: no description"));
            }
            let mut sub = sub.clone();
            check(&mut sub, &format!("{path} {name}"), problems);
        }
    }

    #[test]
    fn help_lists_every_subcommand_and_every_flag_has_help() {
        let mut cmd = Cli::command();
        cmd.build();
        // `lantian --help` lists every subcommand the binary accepts, each with its one-line description.
        let help = cmd.render_help().to_string();
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let line = help
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{} ", sub.get_name())))
                .unwrap_or_else(|| panic!("`lantian --help` does not list {}:\n{help}", sub.get_name()));
            assert!(line.trim_start().len() > sub.get_name().len() + 3, "no description: {line}");
        }
        // The about line does not pretend to list the commands.
        assert!(!help.contains("import, AQI, stations, synthetic data, demo, bench"), "{help}");
        let mut problems = Vec::new();
        check(&mut cmd, "lantian", &mut problems);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
