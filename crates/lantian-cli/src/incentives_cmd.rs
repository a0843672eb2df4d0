//! `lantian incentives --year Y [--config FILE]`: each city's target fund and improvement fund.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use lantian_core::conc::Ratio;
use lantian_core::incentives::{fmt_yuan, settle, IncentiveConfig, SettlementInput};
use lantian_core::period::{Period, ResultVariant};
use lantian_core::ranking::composite_index;
use lantian_core::Pollutant;
use lantian_service::assess::{assess_cities, resolve_scope};
use lantian_store::Store;

use crate::Format;

#[derive(Args, Debug)]
pub struct IncentivesArgs {
    /// The year to settle.
    #[arg(long)]
    pub year: i32,
    /// Incentive configuration (TOML); default: crates/lantian-core/schemes/incentives-default-2020.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[arg(long)]
    pub scope: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(db: &str, a: IncentivesArgs) -> Result<ExitCode> {
    let config = match &a.config {
        Some(p) => {
            IncentiveConfig::parse(&std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?)
                .with_context(|| p.display().to_string())?
        }
        None => IncentiveConfig::default_config()?,
    };
    let store = crate::open_store(db)?;
    let scope = resolve_scope(&store, a.scope.as_deref())?;
    let year = Period::parse(&a.year.to_string()).map_err(|e| anyhow::anyhow!(e))?;
    let last = year.same_period_last_year();
    let now = assess_cities(&store, &scope.cities, &year, ResultVariant::DustExcluded)?;
    let before = assess_cities(&store, &scope.cities, &last, ResultVariant::DustExcluded)?;
    let mut inputs = Vec::new();
    for ((c, s), b) in scope.cities.iter().zip(&now).zip(&before) {
        let t = store.target(c.id, a.year)?;
        inputs.push(SettlementInput {
            pm2_5_annual: s.stat(Pollutant::Pm2_5).value,
            pm2_5_target: t.as_ref().and_then(|t| t.pm2_5),
            good_rate: s.good_day_ratio_tenths().map(|v| Ratio::new(i128::from(v), 10)),
            good_rate_target: t.as_ref().and_then(|t| t.good_day_ratio_tenths).map(|v| Ratio::new(i128::from(v), 10)),
            index: composite_index(s).map(|i| i.hundredths),
            index_last_year: composite_index(b).map(|i| i.hundredths),
        });
    }
    let settled = settle(&config, &inputs);
    let rows: Vec<Vec<String>> = scope
        .cities
        .iter()
        .zip(&settled)
        .map(|(c, s)| {
            vec![
                c.display().to_string(),
                fmt_yuan(s.pre_allocated),
                fmt_yuan(s.target_kept),
                fmt_yuan(s.clawed_back),
                fmt_yuan(s.local_deduction),
                fmt_yuan(s.improvement),
                fmt_yuan(s.net),
                s.reasons.join("；"),
            ]
        })
        .collect();
    let cols =
        ["city", "pre_allocated", "target_kept", "clawed_back", "local_deduction", "improvement", "net", "reasons"];
    let zh = ["城市", "目标资金预分(元)", "兑现(元)", "扣收(元)", "等额扣罚(元)", "改善资金(元)", "净额(元)", "依据"];
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if a.format == Format::Table {
        writeln!(
            out,
            "{} {} 年度激励约束资金清算（{} {}；{}）",
            scope.name, a.year, config.id, config.version, config.source
        )?;
    }
    crate::output::write_records(&cols, &zh, &rows, None, a.format, &mut out)?;
    Ok(ExitCode::SUCCESS)
}
