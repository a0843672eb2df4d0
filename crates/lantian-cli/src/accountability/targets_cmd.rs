//! `lantian targets [--city NAME] [--at DATE]`: annual targets and target tasks, with progress and what
//! is at risk.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use clap::Args;
use lantian_core::air::conc::Ratio;
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
    r.map(lantian_core::accountability::tasks::percent_text).unwrap_or_default()
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
    use lantian_service::accountability::targets::{target_progress, target_rows, TARGET_COLS, TARGET_ZH};
    let rows = target_rows(&target_progress(&*store, &cities, at)?, at, a.format == Format::Table);
    let (cols, zh) = (TARGET_COLS, TARGET_ZH);
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
