//! lantian-report: documents for officials. The monthly circular (月度通报) workbook: the ranking with
//! composite index, change and good-day ratio; per-city statistics; the daily AQI of every city, cells
//! coloured with the official AQI level colours (HJ 633 Table 2); Chinese headers.
//!
//! Every number comes from `lantian-service` (the same code path as the CLI, web and API).

pub mod emergency;

use std::path::Path;

use lantian_core::accountability::points::PointsResult;
use lantian_core::accountability::ranking::{fmt_hundredths, fmt_tenths};
use lantian_core::air::aqi::{rate, AqiCategory, Rated};
use lantian_core::air::period::{DayRecord, Period, PeriodStats, ResultVariant};
use lantian_core::air::standards::StandardSet;
use lantian_core::{Conc, Indicator, Pollutant};
use lantian_service::accountability::assess::RankingRow;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// The points sheet of the circular: per city (name, result, rank), and the scheme that made it.
pub struct PointsSheet {
    pub rows: Vec<(String, PointsResult, Option<u32>)>,
    pub scheme_id: String,
    pub scheme_version: String,
    pub scheme_source: String,
}

/// A report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("xlsx: {0}")]
    Xlsx(#[from] XlsxError),
}

fn rgb((r, g, b): (u8, u8, u8)) -> Color {
    Color::RGB((u32::from(r) << 16) | (u32::from(g) << 8) | u32::from(b))
}

/// The cell format of an AQI category: its official colour, white text on the dark ones.
pub fn category_format(c: AqiCategory) -> Format {
    let text = if matches!(c, AqiCategory::Heavy | AqiCategory::Severe | AqiCategory::Moderate) {
        Color::White
    } else {
        Color::Black
    };
    Format::new()
        .set_background_color(rgb(c.color().rgb))
        .set_font_color(text)
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin)
}

/// The category a period statistic would have as a daily value (its IAQI on the daily column):
/// used to colour the statistics cells.
pub fn stat_category(p: Pollutant, c: Conc, end: chrono::NaiveDate) -> Option<AqiCategory> {
    let rules = StandardSet::for_date(end).aqi_rules();
    let ind = match p {
        Pollutant::So2 => Indicator::So2_24h,
        Pollutant::No2 => Indicator::No2_24h,
        Pollutant::Co => Indicator::Co_24h,
        Pollutant::O3 => Indicator::O3_8h,
        Pollutant::Pm10 => Indicator::Pm10_24h,
        Pollutant::Pm2_5 => Indicator::Pm2_5_24h,
    };
    match rate(rules.column(ind), c) {
        Rated::Value(v) => Some(AqiCategory::of(v)),
        Rated::AboveTable => Some(AqiCategory::Severe),
        Rated::Invalid => None,
    }
}

const RANK_HEADERS: [&str; 14] = [
    "排名",
    "城市",
    "综合指数",
    "同期综合指数",
    "变化率(%)",
    "变化排名",
    "优良天数比例(%)",
    "主要污染物",
    "PM2.5(μg/m³)",
    "PM10(μg/m³)",
    "SO2(μg/m³)",
    "NO2(μg/m³)",
    "CO(mg/m³)",
    "O3(μg/m³)",
];

const STAT_HEADERS: [&str; 14] = [
    "城市",
    "有数据天数",
    "有效天数",
    "优良天数",
    "优",
    "良",
    "轻度污染",
    "中度污染",
    "重度污染",
    "严重污染",
    "重污染天数",
    "PM2.5首要天数",
    "O3首要天数",
    "数据有效性",
];

fn stat_pollutants() -> [(Pollutant, usize); 6] {
    [
        (Pollutant::Pm2_5, 8),
        (Pollutant::Pm10, 9),
        (Pollutant::So2, 10),
        (Pollutant::No2, 11),
        (Pollutant::Co, 12),
        (Pollutant::O3, 13),
    ]
}

fn num(s: &str) -> Option<f64> {
    s.parse::<f64>().ok()
}

/// Writes the monthly circular workbook.
///
/// Sheets: `排名` (ranking: rank, composite index, same period last year, change rate and rank,
/// good-day ratio, main pollutants, the six statistics coloured by their level), `统计` (per-city day
/// counts), `逐日AQI` (each city's daily AQI, coloured), `说明` (the rules used).
pub fn write_circular(
    path: &Path,
    scope: &str,
    period: &Period,
    variant: ResultVariant,
    rows: &[RankingRow],
    daily: &[(String, Vec<DayRecord>)],
    points: Option<&PointsSheet>,
) -> Result<(), ReportError> {
    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Center);
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_align(FormatAlign::Center)
        .set_text_wrap()
        .set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin).set_align(FormatAlign::Center);
    let index_fmt = cell.clone().set_num_format("0.00");
    let tenth_fmt = cell.clone().set_num_format("0.0");

    // Sheet 1: ranking.
    let ws = wb.add_worksheet();
    ws.set_name("排名")?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.merge_range(
        0,
        0,
        0,
        (RANK_HEADERS.len() - 1) as u16,
        &format!("{scope}{}环境空气质量排名", period.label_zh()),
        &title,
    )?;
    for (c, h) in RANK_HEADERS.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &head)?;
        ws.set_column_width(c as u16, if c == 7 { 22 } else { 11 })?;
    }
    ws.set_row_height(1, 32)?;
    for (i, r) in rows.iter().enumerate() {
        let row = (i + 2) as u32;
        match r.rank {
            Some(k) => ws.write_number_with_format(row, 0, f64::from(k), &cell)?,
            None => ws.write_string_with_format(row, 0, "不参与", &cell)?,
        };
        ws.write_string_with_format(row, 1, r.city.display(), &cell)?;
        let opt_num = |v: Option<String>| v.and_then(|s| num(&s));
        match opt_num(r.index.as_ref().map(|i| fmt_hundredths(i.hundredths))) {
            Some(v) => ws.write_number_with_format(row, 2, v, &index_fmt)?,
            None => ws.write_string_with_format(row, 2, "—", &cell)?,
        };
        match opt_num(r.base_hundredths.map(fmt_hundredths)) {
            Some(v) => ws.write_number_with_format(row, 3, v, &index_fmt)?,
            None => ws.write_string_with_format(row, 3, "—", &cell)?,
        };
        match opt_num(r.change_tenths.map(fmt_tenths)) {
            Some(v) => ws.write_number_with_format(row, 4, v, &tenth_fmt)?,
            None => ws.write_string_with_format(row, 4, "—", &cell)?,
        };
        match r.change_rank {
            Some(k) => ws.write_number_with_format(row, 5, f64::from(k), &cell)?,
            None => ws.write_string_with_format(row, 5, "—", &cell)?,
        };
        match opt_num(r.stats.good_day_ratio_tenths().map(fmt_tenths)) {
            Some(v) => ws.write_number_with_format(row, 6, v, &tenth_fmt)?,
            None => ws.write_string_with_format(row, 6, "—", &cell)?,
        };
        let main = r
            .index
            .as_ref()
            .map(|i| i.main_pollutants.iter().map(|p| p.name_zh()).collect::<Vec<_>>().join("、"))
            .unwrap_or_default();
        ws.write_string_with_format(row, 7, &main, &cell)?;
        for (p, col) in stat_pollutants() {
            write_stat(ws, row, col as u16, &r.stats, p, period, &cell)?;
        }
        if let Some(why) = &r.not_ranked {
            ws.write_string(row, RANK_HEADERS.len() as u16, why)?;
        }
    }
    let note_row = (rows.len() + 3) as u32;
    ws.write_string(
        note_row,
        0,
        "注：综合指数越小空气质量越好；并列同名次；变化率为与上年同期相比；污染物浓度按日均值评价等级着色；PM2.5、PM10、SO2、NO2 为平均浓度，CO 为日均值第95百分位数，O3 为日最大8小时平均第90百分位数。",
    )?;
    // Indices that sum fewer than six pollutants say so (only indices of the same basis are ranked
    // together, lantian_core::accountability::ranking::rankable).
    let mut basis_notes: Vec<String> = Vec::new();
    for n in rows.iter().filter_map(|r| r.index.as_ref().and_then(|i| i.basis_note_zh())) {
        if !basis_notes.contains(&n) {
            basis_notes.push(n);
        }
    }
    for (k, n) in basis_notes.iter().enumerate() {
        ws.write_string(note_row + 1 + k as u32, 0, format!("注：{n}；只比较口径相同的综合指数。"))?;
    }

    // Sheet 2: statistics.
    let ws = wb.add_worksheet();
    ws.set_name("统计")?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.merge_range(
        0,
        0,
        0,
        (STAT_HEADERS.len() - 1) as u16,
        &format!("{scope}{}各市（州）空气质量统计", period.label_zh()),
        &title,
    )?;
    for (c, h) in STAT_HEADERS.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &head)?;
        ws.set_column_width(c as u16, 11)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = (i + 2) as u32;
        let s = &r.stats;
        ws.write_string_with_format(row, 0, r.city.display(), &cell)?;
        let counts = [
            s.days_with_data,
            s.valid_days,
            s.good_days,
            s.level_days[0],
            s.level_days[1],
            s.level_days[2],
            s.level_days[3],
            s.level_days[4],
            s.level_days[5],
            s.heavy_days,
            s.primary_days[Pollutant::Pm2_5 as usize],
            s.primary_days[Pollutant::O3 as usize],
        ];
        for (k, v) in counts.iter().enumerate() {
            let f = if (3..=8).contains(&k) { category_format(AqiCategory::ALL[k - 3]) } else { cell.clone() };
            ws.write_number_with_format(row, (k + 1) as u16, f64::from(*v), &f)?;
        }
        ws.write_string_with_format(row, 13, if s.meets_minimum { "有效" } else { "有效天数不足" }, &cell)?;
    }

    // Sheet 3: daily AQI.
    let ws = wb.add_worksheet();
    ws.set_name("逐日AQI")?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.write_string_with_format(0, 0, "城市", &head)?;
    ws.set_column_width(0, 9)?;
    let mut d = period.start;
    let mut col = 1u16;
    let mut dates = Vec::new();
    while d <= period.end {
        ws.write_string_with_format(0, col, d.format("%m-%d").to_string(), &head)?;
        ws.set_column_width(col, 6)?;
        dates.push(d);
        col += 1;
        d = match d.succ_opt() {
            Some(n) => n,
            None => break,
        };
    }
    for (i, (name, days)) in daily.iter().enumerate() {
        let row = (i + 1) as u32;
        ws.write_string_with_format(row, 0, name, &cell)?;
        for day in days {
            let Some(k) = dates.iter().position(|x| *x == day.date) else { continue };
            match day.aqi {
                Some(a) => ws.write_number_with_format(
                    row,
                    (k + 1) as u16,
                    f64::from(a),
                    &category_format(AqiCategory::of(a)),
                )?,
                None => ws.write_string_with_format(row, (k + 1) as u16, "—", &cell)?,
            };
        }
    }
    let legend_row = (daily.len() + 2) as u32;
    for (k, c) in AqiCategory::ALL.iter().enumerate() {
        ws.write_string_with_format(legend_row, (k * 2 + 1) as u16, c.name_zh(), &category_format(*c))?;
    }

    // Sheet 4: points (积分).
    if let Some(p) = points {
        let ws = wb.add_worksheet();
        ws.set_name("积分")?;
        ws.set_landscape();
        ws.set_print_fit_to_pages(1, 0);
        let codes: Vec<&str> = p.rows.first().map_or_else(
            || {
                lantian_core::accountability::points::FACTOR_HEADERS
                    .iter()
                    .map(|(c, _)| *c)
                    .filter(|c| *c != "C5c")
                    .collect()
            },
            |(_, r, _)| r.factors.iter().map(|f| f.code).collect(),
        );
        let headers: Vec<&str> = ["名次", "城市", "总分", "等级"]
            .into_iter()
            .chain(codes.iter().map(|c| lantian_core::accountability::points::factor_header_zh(c)))
            .collect();
        ws.merge_range(
            0,
            0,
            0,
            (headers.len() - 1) as u16,
            &format!("{scope}{}环境空气质量积分（百分制）", period.label_zh()),
            &title,
        )?;
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(1, c as u16, *h, &head)?;
            ws.set_column_width(c as u16, 11)?;
        }
        let total_fmt = cell.clone().set_num_format("0.00");
        for (i, (city, result, rank)) in p.rows.iter().enumerate() {
            let row = (i + 2) as u32;
            match rank {
                Some(k) => ws.write_number_with_format(row, 0, f64::from(*k), &cell)?,
                None => ws.write_string_with_format(row, 0, "—", &cell)?,
            };
            ws.write_string_with_format(row, 1, city, &cell)?;
            ws.write_number_with_format(row, 2, result.total_hundredths as f64 / 100.0, &total_fmt)?;
            ws.write_string_with_format(row, 3, &result.grade, &cell)?;
            for (k, f) in result.factors.iter().enumerate() {
                if !f.assessed {
                    // A target the city was not given (未下达目标，不考核).
                    ws.write_string_with_format(row, (4 + k) as u16, "不考核", &cell)?;
                    continue;
                }
                // Rounded exactly (GB/T 8170) to two decimals first; the cell holds that decimal.
                let v: f64 = lantian_core::accountability::points::fmt_ratio(f.points, 2).parse().unwrap_or(f64::NAN);
                ws.write_number_with_format(row, (4 + k) as u16, v, &total_fmt)?;
            }
        }
        ws.write_string(
            (p.rows.len() + 3) as u32,
            0,
            format!(
                "积分方案：{} {}（{}）；各项计算见 lantian points --explain",
                p.scheme_id, p.scheme_version, p.scheme_source
            ),
        )?;
    }

    // Sheet 5: rules.
    let ws = wb.add_worksheet();
    ws.set_name("说明")?;
    let set = StandardSet::for_date(period.end);
    let lines = [
        format!("时段：{}（{} 至 {}）", period.label_zh(), period.start, period.end),
        format!("标准：{}；{}", set.aqi_rules().name, lantian_core::air::standards::Limits::for_date(period.end).name),
        format!("数据：{}（沙尘天气过程影响的颗粒物数据按环办监测〔2016〕120号扣除，2017年起适用）", variant.label_zh()),
        "综合指数：SO2、NO2、PM10、PM2.5 年均值二级标准，CO 日均值标准 4 mg/m³，O3 日最大8小时标准 160 μg/m³；保留两位小数（GB/T 8170 修约）。".to_string(),
        "变化率：与上年同期综合指数相比，保留一位小数；排名按变化率从小到大。".to_string(),
        "数据有效性：每月有效日均值不少于 27 天（二月 25 天），否则不参与排名。".to_string(),
        "生成：lantian（蓝天）".to_string(),
    ];
    for (i, l) in lines.iter().enumerate() {
        ws.write_string(i as u32, 0, l)?;
    }
    ws.set_column_width(0, 100)?;

    wb.save(path)?;
    Ok(())
}

fn write_stat(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    s: &PeriodStats,
    p: Pollutant,
    period: &Period,
    cell: &Format,
) -> Result<(), XlsxError> {
    let st = s.stat(p);
    match st.value {
        Some(v) => {
            let f = stat_category(p, v, period.end).map(category_format).unwrap_or_else(|| cell.clone());
            let f = if p == Pollutant::Co { f.set_num_format("0.0") } else { f.set_num_format("0") };
            ws.write_number_with_format(row, col, v.milli() as f64 / 1000.0, &f)?;
        }
        None => {
            ws.write_string_with_format(row, col, "—", cell)?;
        }
    }
    Ok(())
}
