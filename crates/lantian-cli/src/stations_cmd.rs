//! `lantian stations [--city NAME]`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use lantian_store::Store;
use serde_json::json;

use crate::output::{opt, Table};
use crate::Format;

#[derive(Args, Debug)]
pub struct StationsArgs {
    /// City name, alias or code (repeatable).
    #[arg(long = "city")]
    pub cities: Vec<String>,
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
    let stations = crate::aqi_cmd::select_stations(&store, &[], &cities)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let header = ["station", "name", "city", "city_code", "province", "lon", "lat", "control", "stopped", "listed"];
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
                if s.is_control { "Y" } else { "N" }.to_string(),
                if s.is_stopped { "Y" } else { "N" }.to_string(),
                if s.listed { "Y" } else { "N" }.to_string(),
            ]
        })
        .collect();
    match a.format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(header)?;
            for r in &rows {
                w.write_record(r)?;
            }
            w.flush()?;
        }
        Format::Json => {
            let v: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    let mut m = serde_json::Map::new();
                    for (k, v) in header.iter().zip(r) {
                        m.insert(k.to_string(), if v.is_empty() { serde_json::Value::Null } else { json!(v) });
                    }
                    serde_json::Value::Object(m)
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &v)?;
            writeln!(out)?;
        }
        Format::Table => {
            let mut t = Table::new(
                &["站点", "名称", "城市", "代码", "省份", "经度", "纬度", "对照点", "停运", "已登记"],
                &[false, false, false, true, false, true, true, false, false, false],
            );
            for r in rows {
                t.push(r);
            }
            t.write(&mut out)?;
            writeln!(out, "共 {} 个站点 stations", stations.len())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
