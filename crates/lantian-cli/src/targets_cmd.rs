//! `lantian targets [--city NAME] [--at DATE]`: annual targets and target tasks, with progress and what
//! is at risk.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use clap::Args;
use lantian_core::conc::Ratio;
use lantian_core::period::{Period, PeriodKind, ResultVariant};
use lantian_core::points::fmt_ratio;
use lantian_core::ranking::fmt_tenths;
use lantian_core::Pollutant;
use lantian_service::assess::{assess_cities, resolve_scope};
use lantian_store::Store;

use crate::{parse_date, Format};

#[derive(Args, Debug)]
pub struct TargetsArgs {
    /// City name, alias or code (default: every city of the scope).
    #[arg(long)]
    pub city: Option<String>,
    /// The date to judge progress at (default: today's date of the machine).
    #[arg(long, value_parser = parse_date)]
    pub at: Option<NaiveDate>,
    #[arg(long)]
    pub scope: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

fn pct(r: Option<Ratio>) -> String {
    r.map(|r| fmt_ratio(Ratio::new(r.num * 100, r.den), 1)).unwrap_or_default()
}

pub fn run(db: &str, a: TargetsArgs) -> Result<ExitCode> {
    let store = crate::open_store(db)?;
    let cities = match &a.city {
        Some(c) => vec![store.resolve_city(c)?.ok_or_else(|| anyhow::anyhow!("unknown city {c:?}"))?],
        None => resolve_scope(&store, a.scope.as_deref())?.cities,
    };
    // "Now" is an argument everywhere below; the CLI supplies the machine's date when none is given.
    let at = a.at.unwrap_or_else(|| chrono::Local::now().date_naive());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();

    // Annual targets: year to date against the target.
    let ytd =
        Period { kind: PeriodKind::YearToDate, start: NaiveDate::from_ymd_opt(at.year(), 1, 1).unwrap_or(at), end: at };
    let stats = assess_cities(&store, &cities, &ytd, ResultVariant::DustExcluded)?;
    let mut rows = Vec::new();
    for (c, s) in cities.iter().zip(&stats) {
        let Some(t) = store.target(c.id, at.year())? else { continue };
        let pm = s.stat(Pollutant::Pm2_5).value;
        let rate = s.good_day_ratio_tenths();
        let pm_status = match (pm, t.pm2_5) {
            (Some(v), Some(tv)) if v > tv => "超出目标 at risk",
            (Some(_), Some(_)) => "达标 on track",
            _ => "—",
        };
        let rate_status = match (rate, t.good_day_ratio_tenths) {
            (Some(v), Some(tv)) if v < tv => "低于目标 at risk",
            (Some(_), Some(_)) => "达标 on track",
            _ => "—",
        };
        rows.push(vec![
            c.display().to_string(),
            at.year().to_string(),
            t.pm2_5.map(|v| v.to_string()).unwrap_or_default(),
            pm.map(|v| v.to_string()).unwrap_or_default(),
            pm_status.to_string(),
            t.good_day_ratio_tenths.map(fmt_tenths).unwrap_or_default(),
            rate.map(fmt_tenths).unwrap_or_default(),
            rate_status.to_string(),
            t.heavy_days.map(|d| d.to_string()).unwrap_or_default(),
            s.heavy_days.to_string(),
        ]);
    }
    let cols = [
        "city",
        "year",
        "pm2_5_target",
        "pm2_5_ytd",
        "pm2_5_status",
        "good_rate_target",
        "good_rate_ytd",
        "good_rate_status",
        "heavy_days_max",
        "heavy_days_ytd",
    ];
    let zh = [
        "城市",
        "年度",
        "PM2.5目标",
        "PM2.5累计",
        "PM2.5状态",
        "优良率目标(%)",
        "优良率累计(%)",
        "优良率状态",
        "重污染天数上限",
        "重污染天数累计",
    ];
    if a.format == Format::Table {
        writeln!(out, "年度目标 annual targets — 截至 {at}")?;
    }
    if a.format != Format::Json || !rows.is_empty() {
        crate::output::write_records(&cols, &zh, &rows, None, a.format, &mut out)?;
    }

    // Target tasks.
    let ids: Vec<i64> = cities.iter().map(|c| c.id).collect();
    let mut rows = Vec::new();
    for st in lantian_service::tasks::task_standings(&store, &ids, at)? {
        let (t, p) = (&st.info, st.progress);
        let latest = t.reports.iter().rfind(|(d, _, _)| *d <= at);
        rows.push(vec![
            t.city.display().to_string(),
            t.code.clone(),
            t.department.clone(),
            t.description.clone(),
            format!("{} {}", t.target, t.unit),
            latest.map(|(d, v, _)| format!("{v} ({d})")).unwrap_or_default(),
            pct(p.completion),
            pct(Some(p.elapsed)),
            if a.format == Format::Table { p.status.label_zh().to_string() } else { format!("{:?}", p.status) },
            t.deadline.to_string(),
        ]);
    }
    let cols = [
        "city",
        "task",
        "department",
        "description",
        "target",
        "latest",
        "completion_pct",
        "time_elapsed_pct",
        "status",
        "deadline",
    ];
    let zh = ["城市", "任务", "责任部门", "内容", "目标", "最新进度", "完成率(%)", "时间进度(%)", "状态", "期限"];
    if a.format == Format::Table {
        writeln!(out, "\n目标任务 target tasks — 截至 {at}（完成率低于时间进度为滞后）")?;
    }
    crate::output::write_records(&cols, &zh, &rows, None, a.format, &mut out)?;
    Ok(ExitCode::SUCCESS)
}
