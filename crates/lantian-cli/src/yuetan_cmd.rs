//! `lantian yuetan [--at DATE] [--scope NAME]`: which city meets which 约谈 tier, on what evidence.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Result};
use chrono::{Duration, NaiveDate};
use clap::Args;
use lantian_core::period::ResultVariant;
use lantian_service::assess::resolve_scope;
use lantian_store::Store;

use crate::rank_cmd::Variant;
use crate::{parse_date, Format};

#[derive(Args, Debug)]
pub struct YuetanArgs {
    /// Evaluation date (default: the last day with data); windows of its year that have ended count.
    #[arg(long, value_parser = parse_date)]
    pub at: Option<NaiveDate>,
    /// Cities: 四川 (default), a region, all, or a list.
    #[arg(long)]
    pub scope: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[arg(long, value_enum, default_value_t = Variant::DustExcluded)]
    pub variant: Variant,
}

pub fn run(db: &str, a: YuetanArgs) -> Result<ExitCode> {
    let store = crate::open_store(db)?;
    let scope = resolve_scope(&store, a.scope.as_deref())?;
    let at = match a.at {
        Some(d) => d,
        None => match store.station_date_range()? {
            Some((_, last)) => last - Duration::days(1),
            None => bail!("give --at: the store holds no hourly data to date the evaluation"),
        },
    };
    let variant: ResultVariant = a.variant.into();
    let result = lantian_service::yuetan::yuetan(&store, &scope.cities, at, variant)?;
    let cols = ["city", "tier", "condition", "evidence"];
    let zh = ["城市", "约谈层级", "触发条件", "依据"];
    let mut rows = Vec::new();
    for c in &result {
        for t in &c.triggered {
            let condition = if a.format == Format::Table { t.condition.label_zh() } else { t.condition.code() };
            rows.push(vec![c.city.display().to_string(), t.tier.to_string(), condition, t.evidence.clone()]);
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.format == Format::Table {
        writeln!(out, "{} 约谈触发情况（截至 {at}；{}）", scope.name, lantian_core::yuetan::SOURCE)?;
    }
    crate::output::write_records(&cols, &zh, &rows, None, a.format, &mut out)?;
    if a.format == Format::Table && rows.is_empty() {
        writeln!(out, "无城市触发约谈条件 no city meets a trigger")?;
    }
    Ok(ExitCode::SUCCESS)
}
