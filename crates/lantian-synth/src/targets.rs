//! Annual air targets of the 21 demonstration cities (`targets.csv`, the format of
//! `docs/formats.md` §6), so that the demonstration scores and settles graded cities instead of
//! "no target".
//!
//! No official table of Sichuan's 2022 city targets was found (`management.md` §5: [U]); these are
//! **synthetic**, set the way a province sets them — a little below the level a city has been at —
//! against the levels of the synthetic province (seed 2022, year 2022: PM2.5 from 12 μg/m³ on the
//! plateau to 44 in 眉山, good-day rates 85–100 %). About half of the cities meet each target in that
//! year and half miss it by a little, so the points, budgets and incentives show every grade. The same
//! table is written for every year of a run.

use std::io::Write;
use std::path::Path;

/// Per city (GB/T 2260 code, short name): PM2.5 target (μg/m³), good-day-rate target (%, one
/// decimal) and the most heavy-pollution days allowed.
pub const TARGETS: [(u32, &str, u32, &str, u32); 21] = [
    (510100, "成都", 39, "85.0", 2),
    (510300, "自贡", 41, "87.0", 2),
    (510400, "攀枝花", 28, "98.0", 0),
    (510500, "泸州", 37, "92.0", 2),
    (510600, "德阳", 40, "87.5", 2),
    (510700, "绵阳", 37, "90.0", 1),
    (510800, "广元", 26, "98.5", 0),
    (510900, "遂宁", 33, "92.0", 1),
    (511000, "内江", 38, "90.0", 2),
    (511100, "乐山", 41, "86.0", 2),
    (511300, "南充", 37, "91.0", 1),
    (511400, "眉山", 41, "87.0", 2),
    (511500, "宜宾", 42, "89.0", 2),
    (511600, "广安", 35, "93.0", 1),
    (511700, "达州", 39, "90.0", 1),
    (511800, "雅安", 31, "95.0", 0),
    (511900, "巴中", 30, "97.0", 0),
    (512000, "资阳", 36, "90.0", 2),
    (513200, "阿坝州", 15, "98.0", 0),
    (513300, "甘孜州", 15, "98.0", 0),
    (513400, "凉山州", 23, "98.0", 0),
];

/// The `source` written with every target: says plainly that they are not official.
pub const SOURCE: &str = "合成演示目标（非官方，按合成数据水平设定）";

/// Writes `targets.csv`: every city's targets for each year of `years`. Returns the bytes written.
pub fn write_targets(path: &Path, years: std::ops::RangeInclusive<i32>) -> std::io::Result<u64> {
    let mut text = String::from("city,year,pm2_5,good_day_ratio,heavy_days,source\n");
    for year in years {
        for (_, city, pm, rate, heavy) in TARGETS {
            text.push_str(&format!("{city},{year},{pm},{rate},{heavy},{SOURCE}\n"));
        }
    }
    let mut f = std::fs::File::create(path)?;
    f.write_all(text.as_bytes())?;
    f.flush()?;
    Ok(text.len() as u64)
}
