//! `lantian stations [--city NAME]`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::output::opt;
use crate::Format;

#[derive(Args, Debug)]
pub struct StationsArgs {
    /// City name, alias or code (repeatable).
    #[arg(long = "city")]
    pub cities: Vec<String>,
    /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes, ISO 8601
    /// times with +08:00).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(db: &str, a: StationsArgs) -> Result<ExitCode> {
    let store = crate::open_store(db)?;
    let cities = a
        .cities
        .iter()
        .map(|n| store.resolve_city(n)?.ok_or_else(|| anyhow::anyhow!("unknown city {n:?}")))
        .collect::<Result<Vec<_>>>()?;
    let stations = crate::air::aqi_cmd::select_stations(&*store, &[], &cities)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let header = ["station", "name", "city", "city_code", "province", "lon", "lat", "control", "stopped", "listed"];
    // Flags: Y/N in CSV (as the station lists write them), booleans in JSON, 是/否 in tables.
    let flag = |b: bool| match (a.format, b) {
        (Format::Table, true) => "是",
        (Format::Table, false) => "否",
        (_, true) => "Y",
        (_, false) => "N",
    };
    let rows: Vec<Vec<String>> = stations
        .iter()
        .map(|s| {
            vec![
                s.code.clone(),
                s.name.clone().unwrap_or_default(),
                s.city.as_ref().map(|c| c.display().to_string()).unwrap_or_default(),
                opt(s.city.as_ref().and_then(|c| c.code)),
                s.city.as_ref().map(|c| c.province.clone()).unwrap_or_default(),
                opt(s.lon),
                opt(s.lat),
                flag(s.is_control).to_string(),
                flag(s.is_stopped).to_string(),
                flag(s.listed).to_string(),
            ]
        })
        .collect();
    let zh = ["站点", "名称", "城市", "代码", "省份", "经度", "纬度", "对照点", "停运", "已登记"];
    crate::output::write_records(&header, &zh, &rows, None, a.format, &mut out)?;
    if a.format == Format::Table {
        writeln!(out, "共 {} 个站点 stations", stations.len())?;
    }
    Ok(ExitCode::SUCCESS)
}
