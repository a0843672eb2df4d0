//! The monthly circular workbook, read back: sheets, Chinese headers, numbers, colours.

use std::io::Read;

use calamine::{open_workbook_auto, Data, Reader};
use chrono::NaiveDate;
use lantian_core::aqi::{daily_aqi, DailyInput};
use lantian_core::period::{period_stats, DayRecord, Period, ResultVariant};
use lantian_core::ranking::composite_index;
use lantian_core::{Conc, StandardSet};
use lantian_service::assess::RankingRow;
use lantian_store::CityInfo;

fn day(date: NaiveDate, pm2_5: i64) -> DayRecord {
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
    assert_eq!(d.aqi, daily_aqi(StandardSet::for_date(date), &values).aqi);
    d
}

#[test]
fn circular_reads_back_with_chinese_headers_and_level_colours() {
    let period = Period::parse("2022-05").expect("period");
    // 成都: PM2.5 37 every day except one heavy day (PM2.5 200 → AQI 250, level 5, purple).
    let days: Vec<DayRecord> = period
        .start
        .iter_days()
        .take(31)
        .map(|d| if d.format("%d").to_string() == "10" { day(d, 200) } else { day(d, 37) })
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
    let scheme = lantian_core::points::PointsScheme::default_scheme().expect("scheme");
    let input = lantian_core::points::PointsInput {
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
        rows: vec![("成都".into(), lantian_core::points::score(&scheme, &input), Some(1))],
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
    let p = wb.worksheet_range("积分").expect("points sheet");
    // 30 + 20 + clamp(10 + 2) + (10 − 5) + 0 + 0 + 0 = 67.
    assert_eq!(p.get((2, 1)), Some(&Data::String("成都".into())));
    assert_eq!(p.get((2, 2)), Some(&Data::Float(67.0)));
    assert_eq!(p.get((2, 3)), Some(&Data::String("合格".into())));
    let r = wb.worksheet_range("排名").expect("ranking sheet");
    assert_eq!(r.get((0, 0)), Some(&Data::String("四川省2022年5月环境空气质量排名".into())));
    assert_eq!(r.get((1, 2)), Some(&Data::String("综合指数".into())));
    assert_eq!(r.get((2, 1)), Some(&Data::String("成都".into())));
    assert_eq!(r.get((2, 0)), Some(&Data::Float(1.0)));
    assert_eq!(r.get((2, 4)), Some(&Data::Float(-8.5)));
    // PM2.5 mean: (30 × 37 + 200) / 31 = 42.26 → 42.
    assert_eq!(r.get((2, 8)), Some(&Data::Float(42.0)));
    let d = wb.worksheet_range("逐日AQI").expect("daily sheet");
    assert_eq!(d.get((0, 10)), Some(&Data::String("05-10".into())));
    assert_eq!(d.get((1, 10)), Some(&Data::Float(250.0)));

    // The official colours are in the workbook's styles (purple #99004C for the heavy day).
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).expect("file")).expect("zip");
    let mut styles = String::new();
    zip.by_name("xl/styles.xml").expect("styles").read_to_string(&mut styles).expect("read");
    for hex in ["FF00E400", "FFFFFF00", "FF99004C"] {
        assert!(styles.contains(hex), "colour {hex} missing from styles.xml");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
