//! `lantian targets [--city NAME] [--at DATE]`: annual targets and target tasks, with progress and what
//! is at risk.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use clap::Args;
use lantian_core::accountability::points::fmt_ratio;
use lantian_core::accountability::ranking::fmt_tenths;
use lantian_core::air::conc::Ratio;
use lantian_core::Pollutant;
use lantian_service::accountability::assess::resolve_scope;

use crate::{parse_date, Format};

#[derive(Args, Debug)]
pub struct TargetsArgs {
    /// City name, alias or code (default: every city of the scope).
    #[arg(long)]
    pub city: Option<String>,
    /// The date to judge progress at (default: the last day with data, as `yuetan` and `aqi` use).
    #[arg(long, value_parser = parse_date)]
    pub at: Option<NaiveDate>,
    /// Cities: 四川 (default), a region (成都平原, 川南, 川东北, 攀西, 川西北), all, or a list.
    #[arg(long)]
    pub scope: Option<String>,
    /// Output format: a table for reading, CSV or JSON for machines.
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
        None => resolve_scope(&*store, a.scope.as_deref())?.cities,
    };
    // "Now" is an argument everywhere below: by default the last day with data (hourly or imported
    // daily values), as the other commands date their answers — never the machine's date.
    let at = match a.at {
        Some(d) => d,
        None => lantian_service::accountability::assess::last_data_day(&*store)?
            .ok_or_else(|| anyhow::anyhow!("give --at: the store holds no data to date the progress"))?,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();

    // Annual targets: year to date against the target (the dashboard's computation).
    let mut rows = Vec::new();
    let zh = a.format == Format::Table;
    let status = |at_risk: Option<bool>, risk_zh: &'static str| match (zh, at_risk) {
        (_, None) => "",
        (true, Some(true)) => risk_zh,
        (true, Some(false)) => "达标",
        (false, Some(true)) => "at_risk",
        (false, Some(false)) => "on_track",
    };
    for p in lantian_service::accountability::targets::target_progress(&*store, &cities, at)? {
        let (t, s) = (&p.target, &p.year_to_date);
        rows.push(vec![
            p.city.display().to_string(),
            at.year().to_string(),
            t.pm2_5.map(|v| v.to_string()).unwrap_or_default(),
            s.stat(Pollutant::Pm2_5).value.map(|v| v.to_string()).unwrap_or_default(),
            status(p.pm2_5_at_risk(), "超出目标").to_string(),
            t.good_day_ratio_tenths.map(fmt_tenths).unwrap_or_default(),
            s.good_day_ratio_tenths().map(fmt_tenths).unwrap_or_default(),
            status(p.good_rate_at_risk(), "低于目标").to_string(),
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
    let no_targets = rows.is_empty();
    if a.format != Format::Json || !rows.is_empty() {
        crate::output::write_records(&cols, &zh, &rows, None, a.format, &mut out)?;
    }
    if no_targets {
        explain_empty(
            a.format,
            &mut out,
            &format!(
                "没有导入{}年的年度目标 no annual targets imported for {}: import a targets file (city,year,pm2_5,…; docs/formats.md §6)",
                at.year(),
                at.year()
            ),
        )?;
    }

    // Target tasks.
    let ids: Vec<i64> = cities.iter().map(|c| c.id).collect();
    let mut rows = Vec::new();
    for st in lantian_service::accountability::tasks::task_standings(&*store, &ids, at)? {
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
            if a.format == Format::Table { p.status.label_zh() } else { p.status.code() }.to_string(),
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
    let no_tasks = rows.is_empty();
    crate::output::write_records(&cols, &zh, &rows, None, a.format, &mut out)?;
    if no_tasks {
        explain_empty(
            a.format,
            &mut out,
            "没有导入目标任务 no target tasks imported: import a task file (task,city,department,…; docs/formats.md §9)",
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Says why a result is empty: below the table, or on stderr for CSV and JSON (whose stdout stays
/// machine-readable).
fn explain_empty(format: Format, out: &mut dyn Write, why: &str) -> std::io::Result<()> {
    if format == Format::Table {
        writeln!(out, "（{why}）")
    } else {
        eprintln!("{why}");
        Ok(())
    }
}
