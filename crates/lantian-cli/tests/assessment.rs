//! Period assessment and ranking through the real binary, on small documented CSV inputs whose
//! expected figures are worked out by hand in the comments.

mod common;

use chrono::Datelike;
use common::*;

/// March 2021 for 阿坝州: every day SO2 10, NO2 20, CO 0.5, PM10 40, PM2.5 20, O3 MDA8 80 (AQI 40, 优),
/// except 15 March, a dust day: PM10 400 (IAQI 100 + (400−350)·100/70 … on the 24-h column:
/// 350 → 200, 420 → 300: 200 + 50·100/70 = 271.4 → 272, 重度污染).
fn aba_march(revised_day: Option<(u32, u32)>) -> String {
    let mut s = String::from("city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n");
    for d in 1..=31 {
        let pm10 = if d == 15 { 400 } else { 40 };
        let pm2_5 = match revised_day {
            Some((day, v)) if day == d => v,
            _ => 20,
        };
        s.push_str(&format!("阿坝州,2021-03-{d:02},,10,20,0.5,{pm10},{pm2_5},80\n"));
    }
    s
}

fn stats(db: &str, extra: &[&str]) -> (Vec<String>, Vec<String>) {
    let mut args = vec!["assess", "--period", "2021-03", "--scope", "阿坝州", "--format", "csv"];
    args.extend_from_slice(extra);
    let (h, rows) = csv_rows(&ok(db, &args));
    assert_eq!(rows.len(), 1);
    (h, rows.into_iter().next().expect("row"))
}

#[test]
fn dust_days_are_deducted_for_assessment_and_kept_for_the_raw_variant() {
    let t = TempDir::new("dust");
    let db = t.db();
    std::fs::write(t.0.join("daily.csv"), aba_march(None)).expect("write");
    std::fs::write(t.0.join("dust.csv"), "city,start,end,source\n阿坝州,2021-03-15,2021-03-15,总站沙尘过程判定\n")
        .expect("write");
    ok(&db, &["import", &t.0.join("daily.csv").display().to_string(), &t.0.join("dust.csv").display().to_string()]);

    let (h, raw) = stats(&db, &["--variant", "raw"]);
    assert_eq!(raw[col(&h, "valid_days")], "31");
    assert_eq!(raw[col(&h, "good_days")], "30");
    assert_eq!(raw[col(&h, "good_day_ratio")], "96.8", "30/31");
    assert_eq!(raw[col(&h, "heavy_days")], "1");
    // PM10 mean (30·40 + 400)/31 = 51.6 → 52.
    assert_eq!(raw[col(&h, "pm10")], "52");

    let (h, ded) = stats(&db, &[]);
    assert_eq!(ded[col(&h, "valid_days")], "30", "the dust exceedance day leaves the denominator");
    assert_eq!(ded[col(&h, "good_day_ratio")], "100.0");
    assert_eq!(ded[col(&h, "heavy_days")], "0");
    assert_eq!(ded[col(&h, "pm10")], "40", "the dust day's PM10 is removed");
    assert_eq!(ded[col(&h, "so2")], "10", "other pollutants are unaffected");
    // The variant and the validity by code in CSV, in Chinese in the table (issue 11 §3.2).
    assert_eq!((ded[col(&h, "variant")].as_str(), raw[col(&h, "variant")].as_str()), ("dust_excluded", "raw"));
    assert_eq!(ded[col(&h, "meets_minimum")], "ok");
    let table = ok(&db, &["assess", "--period", "2021-03", "--scope", "阿坝州"]);
    let row = table.lines().find(|l| l.starts_with("阿坝州")).expect("阿坝州 row");
    assert!(row.contains("满足") && row.contains("扣除沙尘影响"), "{table}");
    assert!(!table.contains("DustExcluded") && !table.contains("dust_excluded") && !table.contains("ok"), "{table}");
}

#[test]
fn results_follow_a_revision_of_past_data() {
    let t = TempDir::new("revise");
    let db = t.db();
    std::fs::write(t.0.join("daily.csv"), aba_march(None)).expect("write");
    ok(&db, &["import", &t.0.join("daily.csv").display().to_string()]);
    let (h, before) = stats(&db, &["--variant", "raw"]);
    assert_eq!(before[col(&h, "pm2_5")], "20");
    // The publisher revises 2 March: PM2.5 20 → 330 (AQI 200 + 80·100/100 … 250 → 300, 330 → 380 → 六级).
    std::fs::write(t.0.join("revised.csv"), aba_march(Some((2, 330)))).expect("write");
    let out = ok(&db, &["import", &t.0.join("revised.csv").display().to_string()]);
    assert!(out.contains("0 inserted, 1 updated"), "{out}");
    let (h, after) = stats(&db, &["--variant", "raw"]);
    // PM2.5 mean (30·20 + 330)/31 = 30.0 → 30; the revised day is severe.
    assert_eq!(after[col(&h, "pm2_5")], "30");
    assert_eq!(after[col(&h, "severe_days")], "1");
    assert_eq!(after[col(&h, "good_days")], "29");
}

#[test]
fn a_month_without_enough_valid_days_is_listed_but_not_ranked() {
    let t = TempDir::new("short");
    let db = t.db();
    // 成都: 26 days of data in March (the minimum is 27); 德阳: the whole month.
    let mut s = String::from("city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n");
    for d in 1..=31 {
        if d <= 26 {
            s.push_str(&format!("成都,2021-03-{d:02},,10,30,0.8,60,40,90\n"));
        }
        s.push_str(&format!("德阳,2021-03-{d:02},,10,30,0.8,60,45,90\n"));
    }
    std::fs::write(t.0.join("d.csv"), s).expect("write");
    ok(&db, &["import", &t.0.join("d.csv").display().to_string()]);
    let (h, rows) = csv_rows(&ok(&db, &["rank", "--period", "2021-03", "--scope", "成都,德阳", "--format", "csv"]));
    let cd = rows.iter().find(|r| r[col(&h, "city")] == "成都").expect("成都");
    let dy = rows.iter().find(|r| r[col(&h, "city")] == "德阳").expect("德阳");
    assert_eq!(cd[col(&h, "rank")], "", "not ranked");
    assert!(cd[col(&h, "not_ranked")].contains("valid days below the minimum"), "{cd:?}");
    assert!(cd[col(&h, "pm2_5")].ends_with('*'), "marked as below the minimum: {}", cd[col(&h, "pm2_5")]);
    assert_eq!(dy[col(&h, "rank")], "1");
    // 德阳: 10/60 + 30/40 + 60/70 + 45/35 + 0.8/4 + 90/160 = 3.82 (3.8178…).
    assert_eq!(dy[col(&h, "composite_index")], "3.82");
}

#[test]
fn bad_periods_and_scopes_are_clear_errors() {
    let t = TempDir::new("bad-period");
    let db = t.db();
    // A store with data of another period (a missing store is an error of its own).
    std::fs::write(
        t.0.join("d.csv"),
        "city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n成都,2022-05-01,50,5,20,0.5,40,20,80\n",
    )
    .expect("write");
    ok(&db, &["import", &t.0.join("d.csv").display().to_string()]);
    let o = lantian(&db, &["rank", "--period", "2021-13"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a period"), "{}", String::from_utf8_lossy(&o.stderr));
    let o = lantian(&db, &["rank", "--period", "2021-03", "--scope", "火星市"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("火星市"));
    let o = lantian(&db, &["rank", "--period", "2021-03"]);
    assert_eq!(o.status.code(), Some(2), "no data for the period is an error, not an empty table");
}

#[test]
fn targets_import_and_reimport_is_a_no_op() {
    let t = TempDir::new("targets");
    let db = t.db();
    std::fs::write(
        t.0.join("t.csv"),
        "city,year,pm2_5,good_day_ratio,heavy_days,source\n成都,2022,38,80.5,3,省级下达\n510300,2022,40,85,2,\n",
    )
    .expect("write");
    let out = ok(&db, &["import", &t.0.join("t.csv").display().to_string()]);
    assert!(out.contains("2 inserted"), "{out}");
    let out = ok(&db, &["import", &t.0.join("t.csv").display().to_string()]);
    assert!(out.contains("0 inserted, 0 updated"), "{out}");
    std::fs::write(t.0.join("bad.csv"), "city,year,pm2_5\n成都,2022,38\n火星,2022,30\n").expect("write");
    let o = lantian(&db, &["import", &t.0.join("bad.csv").display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stdout).contains("unknown city \"火星\""));
}

/// 约谈 scenarios through the binary: heavy-pollution days in the year 2 / 3 / 4 → tiers 1 / 2 / 3; a
/// 168-city rank that fell below 100th in the first half → tier 1.
#[test]
fn yuetan_tiers_from_heavy_days_and_ranks() {
    let t = TempDir::new("yuetan");
    let db = t.db();
    // 2022 H1 for 成都 (2 heavy days), 德阳 (3), 绵阳 (4), 遂宁 (0): PM2.5 200 (AQI 250) on heavy days.
    let mut s = String::from("city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n");
    for (city, heavy) in [("成都", 2), ("德阳", 3), ("绵阳", 4), ("遂宁", 0)] {
        for d in 1..=31 {
            let pm = if d <= heavy { 200 } else { 30 };
            s.push_str(&format!("{city},2022-01-{d:02},,10,30,0.8,60,{pm},90\n"));
        }
    }
    std::fs::write(t.0.join("d.csv"), s).expect("write");
    std::fs::write(t.0.join("r.csv"), "city,period,rank168\n遂宁,2022-H1,120\n遂宁,2021-H1,90\n").expect("write");
    ok(&db, &["import", &t.0.join("d.csv").display().to_string(), &t.0.join("r.csv").display().to_string()]);
    let (h, rows) =
        csv_rows(&ok(&db, &["yuetan", "--at", "2022-07-01", "--scope", "成都,德阳,绵阳,遂宁", "--format", "csv"]));
    // One row per city, at the highest tier it meets (issue 11 §3.9); the lower tiers are evidence.
    let tiers = |city: &str| -> Vec<String> {
        rows.iter().filter(|r| r[col(&h, "city")] == city).map(|r| r[col(&h, "tier")].clone()).collect()
    };
    assert_eq!(tiers("成都"), vec!["1"]);
    assert_eq!(tiers("德阳"), vec!["2"]);
    assert_eq!(tiers("绵阳"), vec!["3"]);
    assert_eq!(tiers("遂宁"), vec!["1"]);
    assert_eq!(rows.len(), 4);
    let mianyang = rows.iter().find(|r| r[col(&h, "city")] == "绵阳").expect("绵阳");
    assert_eq!(mianyang[col(&h, "who")], "省长约谈市（州）政府主要负责同志");
    assert_eq!(mianyang[col(&h, "conditions")], "heavy_days>=4");
    assert_eq!(
        mianyang[col(&h, "evidence")],
        "第3档：年内重污染天数 4 天 ≥ 4；第2档：年内重污染天数 4 天 ≥ 3；第1档：年内重污染天数 4 天 ≥ 2"
    );
    let suining = rows.iter().find(|r| r[col(&h, "city")] == "遂宁").expect("遂宁");
    assert_eq!(suining[col(&h, "conditions")], "rank168_fell:half_year>100");
    assert!(suining[col(&h, "evidence")].contains("120"), "{suining:?}");
    // The table names each city once, in Chinese.
    let table = ok(&db, &["yuetan", "--at", "2022-07-01", "--scope", "成都,德阳,绵阳,遂宁"]);
    assert_eq!(table.lines().filter(|l| l.starts_with("绵阳")).count(), 1, "{table}");
    assert!(table.contains("年内重污染天数4天及以上"), "{table}");
    let o = lantian(
        &db,
        &["yuetan", "--at", "2022-07-01", "--scope", "成都,德阳,绵阳,遂宁", "--publish", "--format", "csv"],
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("published as #1"));
    assert!(ok(&db, &["yuetan", "--reproduce", "1"]).contains("reproduced: identical"));
}

/// Target tasks with owner departments and progress reports (Notice §6: 成都 80,000 old vehicles
/// eliminated, new-energy stock to 300,000 by the end of 2022); completion below the share of time
/// elapsed is at risk.
#[test]
fn target_tasks_progress_and_risk() {
    let t = TempDir::new("tasks");
    let db = t.db();
    std::fs::write(
        t.0.join("tasks.csv"),
        "task,city,department,description,unit,kind,baseline,target,start,deadline\n\
         cd-scrap,成都,成都市公安局交通管理局,淘汰国III及以下排放标准汽车,辆,cumulative,0,80000,2022-01-01,2022-12-31\n\
         cd-nev,成都,成都市经济和信息化局,新能源汽车保有量提高到30万辆,辆,level,200000,300000,2022-01-01,2022-12-31\n",
    )
    .expect("write");
    std::fs::write(
        t.0.join("reports.csv"),
        "task,date,value,source\ncd-scrap,2022-06-30,36000,月报\ncd-nev,2022-06-30,262000,月报\n",
    )
    .expect("write");
    ok(&db, &["import", &t.0.join("tasks.csv").display().to_string(), &t.0.join("reports.csv").display().to_string()]);
    let out = ok(&db, &["targets", "--city", "成都", "--at", "2022-07-01", "--format", "csv"]);
    // The task section is the second CSV block.
    let tasks = out.split("city,task,").nth(1).map(|s| format!("city,task,{s}")).expect("task section");
    let (h, rows) = csv_rows(&tasks);
    let row = |code: &str| rows.iter().find(|r| r[col(&h, "task")] == code).expect("task").clone();
    // 36,000 / 80,000 = 45 % against 181/364 = 49.7 % of the time: at risk.
    let scrap = row("cd-scrap");
    assert_eq!((scrap[col(&h, "completion_pct")].as_str(), scrap[col(&h, "status")].as_str()), ("45", "at_risk"));
    assert_eq!(scrap[col(&h, "time_elapsed_pct")], "49.7");
    // (262,000 − 200,000) / 100,000 = 62 %: on track.
    let nev = row("cd-nev");
    assert_eq!((nev[col(&h, "completion_pct")].as_str(), nev[col(&h, "status")].as_str()), ("62", "on_track"));
    // Completion feeds the target factor of a scheme with C5c (6 of C5a/C5b's 20 points moved to it).
    // At the end of June (180 of 364 days = 0.4945): cd-scrap 0.45 / 0.4945 = 0.91, cd-nev 0.62 ≥ 0.4945 → 1;
    // C5c = 6 × (0.91 + 1) / 2 = 5.73. 德阳 has no tasks → 6. Same air quality, so the factors differ by
    // 0.27: 60 + 5.73 and 60 + 6. Neither city has PM2.5 or good-day-rate targets, so C5a and C5b (7 + 7)
    // are not assessed and the totals are converted over the other 86 points: 65.73 × 100 / 86 = 76.43
    // and 66 × 100 / 86 = 76.74.
    let scheme = lantian_core::accountability::points::DEFAULT_SCHEME_TOML
        .replace("[factors.pm2_5_target]\nmax = 10", "[factors.pm2_5_target]\nmax = 7")
        .replace("[factors.good_rate_target]\nmax = 10", "[factors.good_rate_target]\nmax = 7")
        .replace("# 加减分", "[factors.task_completion]\nmax = 6\n\n# 加减分");
    std::fs::write(t.0.join("scheme.toml"), scheme).expect("write");
    let mut d = String::from("city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n");
    for day in 1..=30 {
        for city in ["成都", "德阳"] {
            d.push_str(&format!("{city},2022-06-{day:02},,10,30,0.8,50,30,100\n"));
        }
    }
    std::fs::write(t.0.join("june.csv"), d).expect("write");
    ok(&db, &["import", &t.0.join("june.csv").display().to_string()]);
    let scheme_path = t.0.join("scheme.toml").display().to_string();
    let args = ["points", "--period", "2022-06", "--scope", "成都,德阳", "--scheme", &scheme_path, "--format", "csv"];
    let (h, rows) = csv_rows(&ok(&db, &args));
    let get = |city: &str, c: &str| rows.iter().find(|r| r[col(&h, "city")] == city).expect("city")[col(&h, c)].clone();
    assert_eq!((get("成都", "C5c"), get("德阳", "C5c")), ("5.73".to_string(), "6".to_string()));
    assert_eq!((get("成都", "total"), get("德阳", "total")), ("76.43".to_string(), "76.74".to_string()));
    assert_eq!(get("成都", "ADJ"), "0");
    // --xlsx writes the circular whose points sheet carries the same numbers, C5c column included.
    let book = t.0.join("circular.xlsx");
    let mut xargs = args.to_vec();
    let book_s = book.display().to_string();
    xargs.extend(["--xlsx", &book_s]);
    ok(&db, &xargs);
    {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&book).expect("workbook");
        let sheet = wb.worksheet_range("积分").expect("points sheet");
        let cells: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        let head = &cells[1];
        let k = head.iter().position(|h| h == "任务完成分").expect("C5c header");
        let cd = cells.iter().find(|r| r.get(1).is_some_and(|c| c.starts_with("成都"))).expect("成都 row");
        assert_eq!(cd[k], "5.73");
        assert_eq!(cd[head.iter().position(|h| h == "加减分").expect("ADJ")], "0");
    }
    // The default scheme has no C5c column.
    let (h, _) = csv_rows(&ok(&db, &["points", "--period", "2022-06", "--scope", "成都,德阳", "--format", "csv"]));
    assert!(!h.iter().any(|c| c == "C5c"));
    // A report for an unknown task rejects the file.
    std::fs::write(t.0.join("bad.csv"), "task,date,value\ncd-unknown,2022-06-30,1\n").expect("write");
    let o = lantian(&db, &["import", &t.0.join("bad.csv").display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stdout).contains("unknown task \"cd-unknown\""));
}

/// Incentive settlement through the binary (the default configuration: 1.5 亿, 70/30, 21 cities → 5,000,000
/// 元 target fund per city; tiers by PM2.5 overshoot and good-day-rate shortfall; improvement fund by
/// composite-index improvement rate).
#[test]
fn incentives_settle_target_and_improvement_funds() {
    let t = TempDir::new("incentives");
    let db = t.db();
    // Two years of one month each is not a year: use whole years of identical days for 2021 and 2022.
    let mut s = String::from("city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n");
    for (year, cd_pm, dy_pm) in [(2021, 40, 40), (2022, 32, 42)] {
        let mut d = chrono::NaiveDate::from_ymd_opt(year, 1, 1).expect("date");
        while d.year() == year {
            s.push_str(&format!("成都,{d},,10,30,0.8,60,{cd_pm},90\n"));
            s.push_str(&format!("德阳,{d},,10,30,0.8,60,{dy_pm},90\n"));
            d = d.succ_opt().expect("next");
        }
    }
    std::fs::write(t.0.join("d.csv"), s).expect("write");
    std::fs::write(t.0.join("t.csv"), "city,year,pm2_5,good_day_ratio\n成都,2022,35,90\n德阳,2022,35,90\n")
        .expect("write");
    ok(&db, &["import", &t.0.join("d.csv").display().to_string(), &t.0.join("t.csv").display().to_string()]);
    let (h, rows) = csv_rows(&ok(&db, &["incentives", "--year", "2022", "--scope", "成都,德阳", "--format", "csv"]));
    let row = |c: &str| rows.iter().find(|r| r[col(&h, "city")] == c).expect("city").clone();
    // 成都: PM2.5 32 ≤ 35 and 100 % good days ≥ 90 → kept in full; its index improved (PM2.5 40 → 32),
    // 德阳's did not (40 → 42) → the whole improvement pool (4,500 万) goes to 成都.
    let cd = row("成都");
    assert_eq!(cd[col(&h, "target_kept")], "5000000.00");
    assert_eq!(cd[col(&h, "improvement")], "45000000.00");
    // 德阳: PM2.5 42 vs 35 = 20 % over → tier 0 for the PM2.5 half; the good-day half is kept.
    let dy = row("德阳");
    assert_eq!(dy[col(&h, "target_kept")], "2500000.00");
    assert_eq!(dy[col(&h, "clawed_back")], "2500000.00");
    assert_eq!(dy[col(&h, "local_deduction")], "2500000.00");
    assert_eq!(dy[col(&h, "net")], "0.00");
    // Published with its configuration and inputs, it reproduces.
    let o = lantian(&db, &["incentives", "--year", "2022", "--scope", "成都,德阳", "--publish", "--format", "csv"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("published as #1"));
    assert!(ok(&db, &["incentives", "--reproduce", "1"]).contains("reproduced: identical"));
}

/// The daily values of `a_month_scored_by_hand_for_three_cities` (May 2022 and May 2021 of 成都, 德阳,
/// 绵阳) written to `d.csv` in the test's folder.
fn write_three_city_may(t: &TempDir) {
    let mut s = String::from("city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n");
    for d in 1..=31 {
        for (city, pm_2022) in [("成都", 30), ("德阳", 45), ("绵阳", if d <= 2 { 200 } else { 40 })] {
            s.push_str(&format!("{city},2022-05-{d:02},,10,30,0.8,50,{pm_2022},100\n"));
            s.push_str(&format!("{city},2021-05-{d:02},,10,30,0.8,50,40,100\n"));
        }
    }
    std::fs::write(t.0.join("d.csv"), s).expect("write");
}

/// A month scored by hand for three cities (May 2022, scope 成都, 德阳, 绵阳; default scheme).
///
/// Every day SO2 10, NO2 30, CO 0.8, PM10 50, O3 MDA8 100; PM2.5 成都 30, 德阳 45, 绵阳 40 except two days
/// at 200 (AQI 250, heavy). May 2021: PM2.5 40 everywhere. Targets 2022: PM2.5 40, good-day rate 90 %.
/// - Composite: 10/60 + 30/40 + 50/70 + C/35 + 0.8/4 + 100/160 = 2.4560 + C/35 → 成都 3.31, 德阳 3.74,
///   绵阳 (PM2.5 mean 1560/31 = 50.3 → 50) 3.88; May 2021: 3.60 for all.
/// - C1 = 30 × (3 − r)/2: 30, 15, 0. Change −8.1 %, +3.9 %, +7.8 % → C2 = 20 × (3 − r)/2: 20, 10, 0.
/// - C3 = 10 + (g − 31): 10, 10, 8 (绵阳 29 good days). C4 = 10 − 5 h: 10, 10, 0.
/// - C5a (year to date = May): 30 ≤ 40 → 10; 45 and 50 ≥ 10 % over → 0, 0. C5b: 100 %, 100 %, 93.5 % ≥ 90 → 10.
/// - Totals 90 (优秀), 55 (不合格), 18 (不合格).
#[test]
fn a_month_scored_by_hand_for_three_cities() {
    let t = TempDir::new("points3");
    let db = t.db();
    write_three_city_may(&t);
    std::fs::write(
        t.0.join("t.csv"),
        "city,year,pm2_5,good_day_ratio\n成都,2022,40,90\n德阳,2022,40,90\n绵阳,2022,40,90\n",
    )
    .expect("write");
    ok(&db, &["import", &t.0.join("d.csv").display().to_string(), &t.0.join("t.csv").display().to_string()]);
    let (h, rows) =
        csv_rows(&ok(&db, &["points", "--period", "2022-05", "--scope", "成都,德阳,绵阳", "--format", "csv"]));
    let got: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            ["city", "total", "grade", "C1", "C2", "C3", "C4", "C5a", "C5b", "ADJ"]
                .iter()
                .map(|c| r[col(&h, c)].clone())
                .collect()
        })
        .collect();
    let want: Vec<Vec<&str>> = vec![
        vec!["成都", "90.00", "优秀", "30", "20", "10", "10", "10", "10", "0"],
        vec!["德阳", "55.00", "不合格", "15", "10", "10", "10", "0", "10", "0"],
        vec!["绵阳", "18.00", "不合格", "0", "0", "8", "0", "0", "10", "0"],
    ];
    assert_eq!(got, want);
    let (rh, ranks) =
        csv_rows(&ok(&db, &["rank", "--period", "2022-05", "--scope", "成都,德阳,绵阳", "--format", "csv"]));
    let idx: Vec<(String, String, String)> = ranks
        .iter()
        .map(|r| {
            (r[col(&rh, "city")].clone(), r[col(&rh, "composite_index")].clone(), r[col(&rh, "change_rate")].clone())
        })
        .collect();
    assert_eq!(
        idx,
        vec![
            ("成都".into(), "3.31".into(), "-8.1".into()),
            ("德阳".into(), "3.74".into(), "3.9".into()),
            ("绵阳".into(), "3.88".into(), "7.8".into())
        ]
    );
}

/// Issue 11 §3.4: a city without targets is not assessed on them, in `points` and in `incentives`,
/// and both warn naming it. The month of `a_month_scored_by_hand_for_three_cities`, with targets for
/// 成都 and 德阳 only: their totals stay 90 and 55; 绵阳 scores C1 0, C2 0, C3 8, C4 0 and no target
/// factor, so its total is (0 + 0 + 8 + 0) × 100 / (30 + 20 + 20 + 10) = 10.00 (it scored 18 with
/// targets, 8 when a missing target scored 0).
#[test]
fn a_city_without_targets_is_not_assessed_on_them() {
    let t = TempDir::new("no-targets");
    let db = t.db();
    write_three_city_may(&t);
    std::fs::write(t.0.join("t.csv"), "city,year,pm2_5,good_day_ratio\n成都,2022,40,90\n德阳,2022,40,90\n")
        .expect("write");
    ok(&db, &["import", &t.0.join("d.csv").display().to_string(), &t.0.join("t.csv").display().to_string()]);
    let scope = "成都,德阳,绵阳";
    let o = lantian(&db, &["points", "--period", "2022-05", "--scope", scope, "--format", "csv"]);
    assert!(o.status.success());
    let warning = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        warning.contains("1 个城市未下达 2022 年目标") && warning.contains("绵阳（PM2.5、优良天数率）"),
        "{warning}"
    );
    assert!(!warning.contains("成都") && !warning.contains("德阳"), "{warning}");
    let (h, rows) = csv_rows(&String::from_utf8_lossy(&o.stdout));
    let got: Vec<Vec<String>> = rows
        .iter()
        .map(|r| ["city", "total", "grade", "C3", "C5a", "C5b"].iter().map(|c| r[col(&h, c)].clone()).collect())
        .collect();
    let want: Vec<Vec<&str>> = vec![
        vec!["成都", "90.00", "优秀", "10", "10", "10"],
        vec!["德阳", "55.00", "不合格", "10", "0", "10"],
        vec!["绵阳", "10.00", "不合格", "8", "", ""],
    ];
    assert_eq!(got, want);
    // The table and the explanation say 不考核, and how the total was converted.
    let table = ok(&db, &["points", "--period", "2022-05", "--scope", scope]);
    let line = table.lines().find(|l| l.split_whitespace().nth(1) == Some("绵阳")).expect("绵阳 line");
    assert_eq!(line.matches("不考核").count(), 2, "{table}");
    let explain = ok(&db, &["points", "--period", "2022-05", "--scope", scope, "--explain", "绵阳"]);
    assert!(explain.contains("未下达目标，不考核；总分按考核项折算"), "{explain}");
    assert!(explain.contains("(8) × 100 / 80 = 10"), "{explain}");
    // JSON: the rows and the same warning.
    let v: serde_json::Value =
        serde_json::from_str(&ok(&db, &["points", "--period", "2022-05", "--scope", scope, "--format", "json"]))
            .expect("json");
    assert_eq!(v["warnings"].as_array().map(Vec::len), Some(1));
    assert!(v["warnings"][0].as_str().is_some_and(|w| w.contains("绵阳")), "{v}");
    assert_eq!(v["rows"][2]["C5a"], serde_json::Value::Null);
    // The API: the same warning, the factor marked not assessed.
    let server = Server::start(&db);
    let enc: String = scope.bytes().map(|b| format!("%{b:02X}")).collect();
    let (code, api) = get(&server.base, &format!("/api/v1/points?period=2022-05&scope={enc}"));
    assert_eq!(code, 200, "{api}");
    assert!(api["warnings"][0].as_str().is_some_and(|w| w.contains("绵阳")), "{api}");
    let my = api["rows"].as_array().and_then(|r| r.iter().find(|x| x["city"] == "绵阳")).expect("绵阳").clone();
    let c5a = my["factors"].as_array().and_then(|f| f.iter().find(|x| x["code"] == "C5a")).cloned();
    assert_eq!(c5a.map(|f| f["assessed"].clone()), Some(serde_json::Value::Bool(false)));
    assert_eq!(my["total"], "10.00");
    drop(server);
    // Incentives: the same policy (全额兑现) and the same warning.
    let o = lantian(&db, &["incentives", "--year", "2022", "--scope", scope, "--format", "json"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("绵阳（PM2.5、优良天数率）"));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(v["warnings"][0].as_str().is_some_and(|w| w.contains("绵阳") && !w.contains("成都")), "{v}");
    let my = v["rows"].as_array().and_then(|r| r.iter().find(|x| x["city"] == "绵阳")).expect("绵阳").clone();
    assert!(my["reasons"].as_str().is_some_and(|r| r.contains("未设目标：不考核")), "{my}");
}

/// Attaining cities in the change ranking (`ranking.md` §4). May 2022 against May 2021, PM2.5 only
/// differs (other pollutants SO2 10, NO2 30, PM10 50, CO 0.8, O3 100: composite part 2.4560):
/// - 成都 PM2.5 30 (2021: 25): attains grade II (30 ≤ 35 and the rest within the limits), index 3.31 vs
///   3.17 → +4.4 % (deteriorated);
/// - 德阳 PM2.5 30 (2021: 34): attains, 3.31 vs 3.43 → −3.5 % (improved);
/// - 绵阳 PM2.5 45 (2021: 40): does not attain, 3.74 vs 3.60 → +3.9 %.
///
/// include: change ranks 德阳 1, 绵阳 2, 成都 3; exclude-worsening: 成都 unranked (attaining and worse),
/// 德阳 1, 绵阳 2; exclude: 成都 and 德阳 unranked, 绵阳 1.
#[test]
fn attaining_cities_and_the_change_ranking() {
    let t = TempDir::new("attained");
    let db = t.db();
    let mut s = String::from("city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n");
    for d in 1..=31 {
        for (city, now, before) in [("成都", 30, 25), ("德阳", 30, 34), ("绵阳", 45, 40)] {
            s.push_str(&format!("{city},2022-05-{d:02},,10,30,0.8,50,{now},100\n"));
            s.push_str(&format!("{city},2021-05-{d:02},,10,30,0.8,50,{before},100\n"));
        }
    }
    std::fs::write(t.0.join("d.csv"), s).expect("write");
    ok(&db, &["import", &t.0.join("d.csv").display().to_string()]);
    let run = |policy: &str| -> Vec<(String, String, String, String, String)> {
        let (h, rows) = csv_rows(&ok(
            &db,
            &["rank", "--period", "2022-05", "--scope", "成都,德阳,绵阳", "--attained", policy, "--format", "csv"],
        ));
        rows.iter()
            .map(|r| {
                (
                    r[col(&h, "city")].clone(),
                    r[col(&h, "change_rate")].clone(),
                    r[col(&h, "change_rank")].clone(),
                    r[col(&h, "attained")].clone(),
                    r[col(&h, "change_not_ranked")].chars().take(4).collect(),
                )
            })
            .collect()
    };
    let row = |c: &str, rate: &str, rank: &str, att: &str, why: &str| {
        (c.to_string(), rate.to_string(), rank.to_string(), att.to_string(), why.to_string())
    };
    assert_eq!(
        run("include"),
        vec![
            row("成都", "4.4", "3", "yes", ""),
            row("德阳", "-3.5", "1", "yes", ""),
            row("绵阳", "3.9", "2", "no", "")
        ]
    );
    assert_eq!(
        run("exclude-worsening"),
        vec![
            row("成都", "4.4", "", "yes", "达标城市"),
            row("德阳", "-3.5", "1", "yes", ""),
            row("绵阳", "3.9", "2", "no", "")
        ]
    );
    assert_eq!(
        run("exclude"),
        vec![
            row("成都", "4.4", "", "yes", "达标城市"),
            row("德阳", "-3.5", "", "yes", "达标城市"),
            row("绵阳", "3.9", "1", "no", "")
        ]
    );
    let o = lantian(&db, &["rank", "--period", "2022-05", "--attained", "sometimes"]);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("exclude-worsening"));
}

/// The three-year-mean baseline (三年均值, `ranking.md` §4) of PM2.5 and the good-day ratio, May 2022:
/// - 成都 May 2019: PM2.5 40 on 28 days and 80 (IAQI 107, light pollution) on 3 → mean 1360/31 = 43.9 →
///   44, good days 28/31 = 90.3 %; May 2020: 38, 100.0 %; May 2021: 36, 100.0 %.
///   Baseline PM2.5 (44 + 38 + 36)/3 = 39.33 (shown 39); May 2022 PM2.5 30 → (30 − 39.33)/39.33 = −23.7 %.
///   Good-day ratio baseline (90.3 + 100 + 100)/3 = 96.77 → 96.8 %; change 100.0 − 96.77 = +3.2 points.
/// - 德阳 has no May 2019: no baseline (no mean of two years).
#[test]
fn three_year_mean_baseline() {
    let t = TempDir::new("three-year");
    let db = t.db();
    let mut s = String::from("city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n");
    for d in 1..=31 {
        let pm2019 = if d <= 3 { 80 } else { 40 };
        for (year, pm) in [(2019, pm2019), (2020, 38), (2021, 36), (2022, 30)] {
            s.push_str(&format!("成都,{year}-05-{d:02},,10,30,0.8,50,{pm},100\n"));
            if year != 2019 {
                s.push_str(&format!("德阳,{year}-05-{d:02},,10,30,0.8,50,{pm},100\n"));
            }
        }
    }
    std::fs::write(t.0.join("d.csv"), s).expect("write");
    ok(&db, &["import", &t.0.join("d.csv").display().to_string()]);
    let (h, rows) =
        csv_rows(&ok(&db, &["rank", "--period", "2022-05", "--scope", "成都,德阳", "--three-year", "--format", "csv"]));
    let get = |r: &Vec<String>, c: &str| r[col(&h, c)].clone();
    let cd = rows.iter().find(|r| get(r, "city") == "成都").expect("成都");
    assert_eq!(
        ["pm2_5_base3", "pm2_5_change3", "good_day_ratio_base3", "good_day_ratio_change3"].map(|c| get(cd, c)),
        ["39", "-23.7", "96.8", "3.2"].map(str::to_string)
    );
    let dy = rows.iter().find(|r| get(r, "city") == "德阳").expect("德阳");
    assert_eq!(get(dy, "pm2_5_base3"), "");
    assert_eq!(get(dy, "good_day_ratio_change3"), "");
    // Without the flag the columns stay empty (three more periods are not assessed).
    let (h2, plain) = csv_rows(&ok(&db, &["rank", "--period", "2022-05", "--scope", "成都", "--format", "csv"]));
    assert_eq!(plain[0][col(&h2, "pm2_5_base3")], "");
}

/// The composite index sums the pollutants a city has data for, and only indices of the same basis
/// are compared. March 2021, every day SO2 10, NO2 30, CO 0.8, PM10 60, PM2.5 45; 成都 with O3 MDA8 90,
/// 德阳 without any O3 value (like the aqistudy files):
/// - 成都 10/60 + 30/40 + 60/70 + 45/35 + 0.8/4 + 90/160 = 3.82; 德阳 the same without the O3 term:
///   1/6 + 3/4 + 6/7 + 9/7 + 1/5 = 1369/420 = 3.2595… → 3.26.
/// - Together: 成都 ranked 1, 德阳 listed, not ranked (its index lacks O3, which 成都's has).
/// - 德阳 alone: ranked 1 on five pollutants. Against March 2020 with O3 (six pollutants) no change
///   rate is computed: the bases differ.
#[test]
fn indices_of_different_bases_are_not_ranked_together() {
    let t = TempDir::new("basis");
    let db = t.db();
    let mut s = String::from("city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n");
    for d in 1..=31 {
        s.push_str(&format!("成都,2021-03-{d:02},,10,30,0.8,60,45,90\n"));
        s.push_str(&format!("德阳,2021-03-{d:02},,10,30,0.8,60,45,\n"));
        s.push_str(&format!("德阳,2020-03-{d:02},,10,30,0.8,60,45,90\n"));
    }
    std::fs::write(t.0.join("d.csv"), s).expect("write");
    ok(&db, &["import", &t.0.join("d.csv").display().to_string()]);
    let (h, rows) = csv_rows(&ok(&db, &["rank", "--period", "2021-03", "--scope", "成都,德阳", "--format", "csv"]));
    let cd = rows.iter().find(|r| r[col(&h, "city")] == "成都").expect("成都");
    let dy = rows.iter().find(|r| r[col(&h, "city")] == "德阳").expect("德阳");
    assert_eq!((cd[col(&h, "rank")].as_str(), cd[col(&h, "composite_index")].as_str()), ("1", "3.82"));
    assert_eq!(cd[col(&h, "index_pollutants")].to_ascii_lowercase(), "so2,no2,pm10,pm2_5,co,o3");
    assert_eq!((dy[col(&h, "rank")].as_str(), dy[col(&h, "composite_index")].as_str()), ("", "3.26"));
    assert_eq!(dy[col(&h, "index_pollutants")].to_ascii_lowercase(), "so2,no2,pm10,pm2_5,co");
    assert!(dy[col(&h, "not_ranked")].contains("lacks O3"), "{dy:?}");
    assert_eq!(dy[col(&h, "change_rank")], "");
    let table = ok(&db, &["rank", "--period", "2021-03", "--scope", "成都,德阳"]);
    assert!(table.contains("注：综合指数不含臭氧（数据源无臭氧日最大8小时值）"), "{table}");
    assert!(table.contains("不含臭氧") && !table.contains("SO2,NO2"), "Chinese words, not codes: {table}");

    let (h, rows) = csv_rows(&ok(&db, &["rank", "--period", "2021-03", "--scope", "德阳", "--format", "csv"]));
    let dy = &rows[0];
    assert_eq!((dy[col(&h, "rank")].as_str(), dy[col(&h, "not_ranked")].as_str()), ("1", ""));
    assert_eq!(dy[col(&h, "base_composite_index")], "3.82", "last year's six-pollutant index is shown");
    assert_eq!(dy[col(&h, "change_rate")], "", "but not compared with this year's five-pollutant one");
    assert!(dy[col(&h, "change_not_ranked")].contains("本期不含臭氧"), "{dy:?}");
    assert!(dy[col(&h, "change_not_ranked")].contains("index bases differ (this period lacks O3)"), "{dy:?}");
    // The assessment marks the basis too; a pollutant without data is not "below the minimum".
    let (h, rows) = csv_rows(&ok(&db, &["assess", "--period", "2021-03", "--scope", "德阳", "--format", "csv"]));
    assert_eq!(rows[0][col(&h, "meets_minimum")], "ok");
    assert_eq!(rows[0][col(&h, "composite_index")], "3.26");
}

/// A daily city CSV with published AQIs: the published AQI decides each day, and the import reports
/// the days where lantian's AQI of the values disagrees. Values SO2 12, NO2 45, CO 1.1, PM10 98,
/// PM2.5 68, O3 MDA8 150: IAQIs 12, 50 + 5 × 50 / 40 = 56.25 → 57, 27.5 → 28, 50 + 48 × 50 / 100 = 74,
/// 50 + 33 × 50 / 40 = 91.25 → 92, 50 + 50 × 50 / 60 = 91.7 → 92: computed 92 (良) every day. Published
/// 92 (agrees), 105 (轻度污染: another level), 95 (良: the value only).
#[test]
fn a_published_daily_aqi_decides_the_day_and_disagreements_are_reported() {
    let t = TempDir::new("published");
    let db = t.db();
    let text = "city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n\
                成都,2022-01-01,92,12,45,1.1,98,68,150\n\
                成都,2022-01-02,105,12,45,1.1,98,68,150\n\
                成都,2022-01-03,95,12,45,1.1,98,68,150\n";
    std::fs::write(t.0.join("d.csv"), text).expect("write");
    let out = ok(&db, &["import", &t.0.join("d.csv").display().to_string()]);
    assert!(out.contains("3 city-days; 2 disagree with the computed AQI (1 in level, 1 in value only)"), "{out}");
    assert!(out.contains("d.csv:3 成都 2022-01-02 published 105 (轻度污染) computed 92 (良)"), "{out}");
    assert!(out.contains("d.csv:4 成都 2022-01-03 published 95 (良) computed 92 (良)"), "{out}");
    let (h, rows) = csv_rows(&ok(
        &db,
        &["assess", "--period", "2022-01-01..2022-01-03", "--scope", "成都", "--format", "csv", "--variant", "raw"],
    ));
    let r = &rows[0];
    assert_eq!(
        ["valid_days", "good_days", "good_only_days", "light_days"].map(|c| r[col(&h, c)].clone()),
        ["3", "2", "2", "1"].map(str::to_string),
        "counted from the published AQI (computed: 3 good days)"
    );
    let (h, rows) = csv_rows(&ok(
        &db,
        &[
            "aqi",
            "--daily",
            "--level",
            "city",
            "--city",
            "成都",
            "--from",
            "2022-01-01",
            "--to",
            "2022-01-03",
            "--disagreements",
            "--format",
            "csv",
        ],
    ));
    let got: Vec<[String; 4]> =
        rows.iter().map(|r| ["date", "aqi", "category", "computed_aqi"].map(|c| r[col(&h, c)].clone())).collect();
    assert_eq!(
        got,
        vec![
            ["2022-01-02", "105", "light", "92"].map(str::to_string),
            ["2022-01-03", "95", "good", "92"].map(str::to_string)
        ]
    );
    assert_eq!(rows[0][col(&h, "primary")].to_ascii_lowercase(), "o3_8h,pm2_5_24h", "the largest IAQIs (92, tied)");
}

/// Issue 11 §3.10: every kind of published result and every period form reproduces byte for byte
/// from what was stored with it, on a synthetic year (with its targets). The year is scored as the
/// mean of its twelve months: all twelve months' inputs must be stored, not one.
#[test]
fn every_published_kind_and_period_reproduces() {
    let t = TempDir::new("reproduce");
    let db = t.db();
    let data = t.0.join("data").display().to_string();
    ok(&db, &["synth", "--out", &data, "--days", "365", "--start", "2022-01-01"]);
    ok(&db, &["import", &data]);
    let publish = |args: &[&str]| -> String {
        let o = lantian(&db, args);
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(o.status.success(), "{args:?}: {err}");
        err.split("published as #")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| panic!("{args:?}: no id in {err}"))
            .to_string()
    };
    let reproduce = |kind: &str, id: &str, what: &str| {
        let o = lantian(&db, &[kind, "--reproduce", id]);
        let out = String::from_utf8_lossy(&o.stdout).to_string();
        assert_eq!(o.status.code(), Some(0), "{what}: {out}");
        assert!(out.contains("reproduced: identical"), "{what}: {out}");
        assert!(!out.contains("DustExcluded") && !out.contains("dust_excluded"), "{what}: {out}");
        out
    };
    for period in ["2022-05", "2022-Q2", "2022-H1", "2022", "2022-01..2022-05", "2022-05-01..2022-05-20"] {
        let id = publish(&["points", "--period", period, "--publish", "--format", "csv"]);
        let out = reproduce("points", &id, period);
        assert!(out.contains(&format!("points {period} 四川省 扣除沙尘影响")), "{out}");
    }
    let id = publish(&["points", "--period", "2022-Q3", "--variant", "raw", "--publish", "--format", "csv"]);
    assert!(reproduce("points", &id, "raw").contains("实况（未扣沙）"));
    let id = publish(&["yuetan", "--at", "2022-12-31", "--publish", "--format", "csv"]);
    reproduce("yuetan", &id, "yuetan");
    let id = publish(&["incentives", "--year", "2022", "--publish", "--format", "csv"]);
    reproduce("incentives", &id, "incentives");
}
