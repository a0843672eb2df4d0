//! `lantian incentives --year Y [--config FILE]`: each city's target fund and improvement fund.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use lantian_core::accountability::incentives::{fmt_yuan, settle, IncentiveConfig, SettlementInput};
use lantian_core::accountability::ranking::composite_index;
use lantian_core::air::conc::Ratio;
use lantian_core::air::period::{Period, ResultVariant};
use lantian_core::Pollutant;
use lantian_service::accountability::assess::{assess_cities, resolve_scope};

use crate::Format;

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["year", "reproduce"])))]
pub struct IncentivesArgs {
    /// The year to settle.
    #[arg(long)]
    pub year: Option<i32>,
    /// Store the settlement with the configuration's text and every input.
    #[arg(long)]
    pub publish: bool,
    /// Recompute a published settlement from what was stored with it and check it is identical.
    #[arg(long, value_name = "ID")]
    pub reproduce: Option<i64>,
    /// Incentive configuration (TOML); default: crates/lantian-core/schemes/incentives-default-2020.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Cities: 四川 (default), a region (成都平原, 川南, 川东北, 攀西, 川西北), all, or a list.
    #[arg(long)]
    pub scope: Option<String>,
    /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes, ISO 8601
    /// times with +08:00).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

fn reproduce(db: &str, id: i64) -> Result<ExitCode> {
    let store = crate::open_store(db)?;
    let rec = store.published(id)?.ok_or_else(|| anyhow::anyhow!("no published result #{id}"))?;
    let config =
        IncentiveConfig::parse(&rec.scheme_text).with_context(|| format!("the configuration stored with #{id}"))?;
    let inputs: Vec<(String, SettlementInput)> = serde_json::from_str(&rec.inputs_json)?;
    let units: Vec<SettlementInput> = inputs.iter().map(|(_, x)| x.clone()).collect();
    let again = settle(&config, &units);
    let results: Vec<(String, &lantian_core::accountability::incentives::Settlement)> =
        inputs.iter().map(|(c, _)| c.clone()).zip(again.iter()).collect();
    println!("#{id} {} {} — {} {}，发布于 {}", rec.kind, rec.key, rec.scheme_id, rec.scheme_version, rec.published_at);
    if serde_json::to_string(&results)? == rec.results_json {
        println!("复现一致 reproduced: identical to the published settlement");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("复现不一致 NOT identical to the published settlement");
        Ok(ExitCode::from(3))
    }
}

pub fn run(db: &str, a: IncentivesArgs) -> Result<ExitCode> {
    if let Some(id) = a.reproduce {
        return reproduce(db, id);
    }
    let Some(year_number) = a.year else { anyhow::bail!("give --year or --reproduce") };
    let config = match &a.config {
        Some(p) => {
            IncentiveConfig::parse(&std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?)
                .with_context(|| p.display().to_string())?
        }
        None => IncentiveConfig::default_config()?,
    };
    let store = crate::open_store(db)?;
    let scope = resolve_scope(&*store, a.scope.as_deref())?;
    let year = Period::parse(&year_number.to_string()).map_err(|e| anyhow::anyhow!(e))?;
    let last = year.same_period_last_year();
    let now = assess_cities(&*store, &scope.cities, &year, ResultVariant::DustExcluded)?;
    let before = assess_cities(&*store, &scope.cities, &last, ResultVariant::DustExcluded)?;
    let mut inputs = Vec::new();
    for ((c, s), b) in scope.cities.iter().zip(&now).zip(&before) {
        let t = store.target(c.id, year_number)?;
        // The improvement rate compares only indices of the same basis (the same pollutants summed).
        let index = composite_index(s);
        let index_last_year = composite_index(b).filter(|b| index.as_ref().is_none_or(|i| i.basis == b.basis));
        inputs.push(SettlementInput {
            pm2_5_annual: s.stat(Pollutant::Pm2_5).value,
            pm2_5_target: t.as_ref().and_then(|t| t.pm2_5),
            good_rate: s.good_day_ratio_tenths().map(|v| Ratio::new(i128::from(v), 10)),
            good_rate_target: t.as_ref().and_then(|t| t.good_day_ratio_tenths).map(|v| Ratio::new(i128::from(v), 10)),
            index: index.as_ref().map(|i| i.hundredths),
            index_last_year: index_last_year.map(|i| i.hundredths),
        });
    }
    let settled = settle(&config, &inputs);
    // Cities without targets: not assessed (全额兑现), said on stderr and in JSON as `points` does.
    let missing = lantian_service::accountability::targets::missing_targets(&*store, &scope.cities, year_number)?;
    let warnings: Vec<String> =
        lantian_service::accountability::targets::missing_targets_warning(year_number, &missing, true)
            .into_iter()
            .collect();
    for w in &warnings {
        eprintln!("警告 warning: {w}");
    }
    if a.publish {
        let names: Vec<String> = scope.cities.iter().map(|c| c.display().to_string()).collect();
        let ins: Vec<(String, &SettlementInput)> = names.iter().cloned().zip(inputs.iter()).collect();
        let res: Vec<(String, &lantian_core::accountability::incentives::Settlement)> =
            names.iter().cloned().zip(settled.iter()).collect();
        let mut store = store;
        let id = store.publish(&lantian_store::PublishedRecord {
            id: 0,
            kind: "incentives".into(),
            key: format!("{year_number} {}", scope.name),
            scheme_id: config.id.clone(),
            scheme_version: config.version.clone(),
            scheme_text: config.text.clone(),
            inputs_json: serde_json::to_string(&ins)?,
            results_json: serde_json::to_string(&res)?,
            published_at: chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        })?;
        eprintln!("已发布 published as #{id} (lantian incentives --reproduce {id})");
    }
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
            scope.name, year_number, config.id, config.version, config.source
        )?;
    }
    // JSON: the rows and the warnings, as `/api/v1/points` gives them.
    crate::output::write_records_with_warnings(&cols, &zh, &rows, &warnings, a.format, &mut out)?;
    Ok(ExitCode::SUCCESS)
}
