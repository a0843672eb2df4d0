//! The monthly circular workbook, read back: sheets, Chinese headers, numbers, colours. Every expected
//! number is worked out by hand below from the standards (HJ 633-2012 Table 1, HJ 663-2013,
//! `ranking.md` §2, the default points scheme), never taken from the code's own output.

use std::io::Read;

use calamine::{open_workbook_auto, Data, Reader};
use chrono::NaiveDate;
use lantian_core::accountability::ranking::composite_index;
use lantian_core::air::aqi::DailyInput;
use lantian_core::air::period::{period_stats, DayRecord, Period, ResultVariant};
use lantian_core::Conc;
use lantian_service::accountability::assess::RankingRow;
use lantian_store::CityInfo;

/// A day of 成都 in May 2022: SO2 9, NO2 32, CO 0.8, PM10 58, O3 1-hour max 150, O3 MDA8 120 every day;
/// PM2.5 as given. Its daily AQI, by hand from HJ 633-2012 Table 1 (IAQI = linear between the
/// breakpoints, rounded up):
/// - SO2 24 h 9 on 0–50 → 0–50: 9; NO2 24 h 32 on 0–40 → 0–50: 40; CO 0.8 on 0–2 → 0–50: 20;
///   PM10 58 on 50–150 → 50–100: 54; O3 1 h 150 on 0–160 → 0–50: 46.875 → 47;
///   O3 8 h 120 on 100–160 → 50–100: 50 + 20·50/60 = 66.67 → 67.
/// - PM2.5 37 on 35–75 → 50–100: 50 + 2·50/40 = 52.5 → 53: AQI 67 (O3 8 h), 良.
/// - PM2.5 200 on 150–250 → 200–300: 250: AQI 250, 重度污染, primary PM2.5.
fn day(date: NaiveDate, pm2_5: i64, aqi: u32) -> DayRecord {
    let values = DailyInput {
        so2: Some(Conc::units(9)),
        no2: Some(Conc::units(32)),
        co: Some(Conc(800)),
        pm10: Some(Conc::units(58)),
        pm2_5: Some(Conc::units(pm2_5)),
        o3_max_1h: Some(Conc::units(150)),
        o3_mda8: Some(Conc::units(120)),
    };
    let d = DayRecord::new(date, values);
    assert_eq!(d.aqi, Some(aqi), "{date} PM2.5 {pm2_5}: AQI worked out by hand");
    d
}

fn num(v: f64) -> Option<Data> {
    Some(Data::Float(v))
}

fn text(s: &str) -> Option<Data> {
    Some(Data::String(s.to_string()))
}

#[test]
fn circular_reads_back_with_chinese_headers_and_level_colours() {
    let period = Period::parse("2022-05").expect("period");
    // 成都: PM2.5 37 every day except one heavy day, 10 May (PM2.5 200 → AQI 250, level 5, purple).
    let days: Vec<DayRecord> = period
        .start
        .iter_days()
        .take(31)
        .map(|d| if d.format("%d").to_string() == "10" { day(d, 200, 250) } else { day(d, 37, 67) })
        .collect();
    let stats = period_stats(&period, &days);
    let index = composite_index(&stats);
    let city = CityInfo {
        id: 1,
        name: "成都市".into(),
        short_name: Some("成都".into()),
        code: Some(510100),
        province: "四川省".into(),
    };
    let rows = vec![RankingRow {
        city,
        stats,
        index,
        rank: Some(1),
        not_ranked: None,
        base_hundredths: Some(461),
        change_tenths: Some(-85),
        change_rank: Some(1),
        base_good_days: None,
        attained: None,
        change_excluded: None,
        three_year: None,
    }];
    let dir = std::env::temp_dir().join(format!("lantian-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("circular.xlsx");
    let scheme = lantian_core::accountability::points::PointsScheme::default_scheme().expect("scheme");
    let input = lantian_core::accountability::points::PointsInput {
        ranked: 1,
        rank: Some(1),
        change_ranked: 1,
        change_rank: Some(1),
        good_days: 30,
        good_days_last_year: Some(28),
        heavy_days: 1,
        severe_days: 0,
        pm2_5_ytd: None,
        pm2_5_target: None,
        good_rate_ytd: None,
        good_rate_target: None,
        adjustments: vec![],
        tasks: Vec::new(),
    };
    let sheet = lantian_report::PointsSheet {
        rows: vec![("成都".into(), lantian_core::accountability::points::score(&scheme, &input), Some(1))],
        scheme_id: scheme.id.clone(),
        scheme_version: scheme.version.clone(),
        scheme_source: scheme.source.clone(),
    };
    lantian_report::write_circular(
        &path,
        "四川省",
        &period,
        ResultVariant::DustExcluded,
        &rows,
        &[("成都".into(), days)],
        Some(&sheet),
    )
    .expect("write");

    let mut wb = open_workbook_auto(&path).expect("open");
    assert_eq!(wb.sheet_names(), vec!["排名", "统计", "逐日AQI", "积分", "说明"]);

    // 排名. Period statistics from the rounded daily values (HJ 663-2013): PM2.5 (30 × 37 + 200) / 31
    // = 42.26 → 42; PM10, SO2, NO2 the same every day: 58, 9, 32; CO 95th percentile 0.8; O3 90th
    // percentile of MDA8 120. Composite index (ranking.md §2.1, §2.4: rounded C_i over the annual
    // limits, CO and O3 over their daily limits): 9/60 + 32/40 + 58/70 + 42/35 + 0.8/4 + 120/160
    // = 0.15 + 0.8 + 0.828571 + 1.2 + 0.2 + 0.75 = 3.928571 → 3.93 (from the unrounded PM2.5 mean it
    // would be 3.94). Main pollutant: the largest single index, PM2.5 (1.2). Good days 30 of 31 →
    // 96.774 % → 96.8. Base index and change rate (4.61, −8.5 %) are the inputs given above.
    let r = wb.worksheet_range("排名").expect("ranking sheet");
    assert_eq!(r.get((0, 0)).cloned(), text("四川省2022年5月环境空气质量排名"));
    assert_eq!(r.get((1, 2)).cloned(), text("综合指数"));
    let want: [(usize, Option<Data>); 14] = [
        (0, num(1.0)),
        (1, text("成都")),
        (2, num(3.93)),
        (3, num(4.61)),
        (4, num(-8.5)),
        (5, num(1.0)),
        (6, num(96.8)),
        (7, text("细颗粒物")),
        (8, num(42.0)),
        (9, num(58.0)),
        (10, num(9.0)),
        (11, num(32.0)),
        (12, num(0.8)),
        (13, num(120.0)),
    ];
    for (c, v) in want {
        assert_eq!(r.get((2, c)).cloned(), v, "排名 column {c}");
    }

    // 统计: 31 days with data, 31 valid; 30 good (all 良: AQI 67), 1 重度污染 (AQI 250), which is also
    // the one heavy-pollution day (AQI > 200); primary pollutant PM2.5 on the heavy day, O3 (8 h) on
    // the 30 days of AQI 67 (> 50, so they have one); ≥ 27 valid days: 有效.
    let s = wb.worksheet_range("统计").expect("statistics sheet");
    let counts = [31.0, 31.0, 30.0, 0.0, 30.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 30.0];
    assert_eq!(s.get((2, 0)).cloned(), text("成都"));
    for (k, v) in counts.iter().enumerate() {
        assert_eq!(s.get((2, k + 1)).cloned(), num(*v), "统计 column {}", k + 1);
    }
    assert_eq!(s.get((2, 13)).cloned(), text("有效"));

    // 逐日AQI: 67 on every day but 10 May, 250 then.
    let d = wb.worksheet_range("逐日AQI").expect("daily sheet");
    assert_eq!(d.get((0, 10)).cloned(), text("05-10"));
    assert_eq!(d.get((1, 0)).cloned(), text("成都"));
    for k in 1..=31 {
        assert_eq!(d.get((1, k)).cloned(), num(if k == 10 { 250.0 } else { 67.0 }), "5-{k:02}");
    }

    // 积分 with the default scheme: C1 = 30 (the only city ranked), C2 = 20, C3 = clamp(10 + 1 × (30 −
    // 28), 0, 20) = 12, C4 = 10 − 5 × 1 = 5; no targets: C5a and C5b not assessed (不考核), so the
    // total is converted over the assessed maxima 30 + 20 + 20 + 10 = 80: (30 + 20 + 12 + 5) × 100 / 80
    // = 83.75, plus no adjustments → 83.75, 良好 (70 ≤ 83.75 < 90).
    let p = wb.worksheet_range("积分").expect("points sheet");
    assert_eq!(p.get((2, 1)).cloned(), text("成都"));
    assert_eq!(p.get((2, 2)).cloned(), num(83.75));
    assert_eq!(p.get((2, 3)).cloned(), text("良好"));
    let factors = [num(30.0), num(20.0), num(12.0), num(5.0), text("不考核"), text("不考核"), num(0.0)];
    for (k, v) in factors.into_iter().enumerate() {
        assert_eq!(p.get((2, 4 + k)).cloned(), v, "积分 column {}", 4 + k);
    }

    // The official colours are in the workbook's styles (green #00E400 and yellow #FFFF00 for the
    // legend and 优/良, purple #99004C for the heavy day).
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).expect("file")).expect("zip");
    let mut styles = String::new();
    zip.by_name("xl/styles.xml").expect("styles").read_to_string(&mut styles).expect("read");
    for hex in ["FF00E400", "FFFFFF00", "FF99004C"] {
        assert!(styles.contains(hex), "colour {hex} missing from styles.xml");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
