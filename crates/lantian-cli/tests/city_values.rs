//! City values from stations (assessment.md §1.2) and from the publisher's city files, through the
//! real binary, on small hand-made files whose expected numbers are worked out by hand below.

mod common;

use common::*;

const STATIONS: &str = "监测点编码,监测点名称,城市,经度,纬度,对照点,省级行政区,地级行政区\n\
1431A,甲,成都,104.0,30.6,N,四川省,成都市\n\
1432A,乙,成都,104.1,30.7,N,四川省,成都市\n\
1433A,对照,成都,103.5,30.9,Y,四川省,成都市\n";

/// Label day 2023-01-21, hours 1–23, and hour 0 of 2023-01-22: a full natural day 2023-01-21.
fn site_file() -> String {
    let mut s = String::from("date,hour,type,1431A,1432A,1433A\n");
    for (date, hours) in [("20230121", 1..24), ("20230122", 0..1)] {
        for h in hours {
            // PM2.5: 1431A 40, 1432A 45 (mean 42.5 → half-even 42), control 5 (excluded).
            s.push_str(&format!("{date},{h},PM2.5,40,45,5\n"));
            // SO2: 10 and 13 → 11.5 → 12.
            s.push_str(&format!("{date},{h},SO2,10,13,1\n"));
        }
    }
    s
}

#[test]
fn city_hourly_is_the_aqi_of_the_station_means() {
    let t = TempDir::new("city-hourly");
    let db = t.db();
    std::fs::write(t.0.join("stations.csv"), STATIONS).expect("write");
    std::fs::write(t.0.join("china_sites_20230121.csv"), site_file()).expect("write");
    ok(
        &db,
        &[
            "import",
            &t.0.join("stations.csv").display().to_string(),
            &t.0.join("china_sites_20230121.csv").display().to_string(),
        ],
    );
    let out = ok(
        &db,
        &[
            "aqi",
            "--hourly",
            "--level",
            "city",
            "--city",
            "成都",
            "--from",
            "2023-01-21",
            "--to",
            "2023-01-21",
            "--format",
            "csv",
        ],
    );
    let (h, rows) = csv_rows(&out);
    assert_eq!(rows.len(), 24, "one row per hour of the natural day");
    let r = &rows[0];
    assert_eq!(r[col(&h, "time")], "2023-01-21T01:00:00+08:00");
    assert_eq!(r[col(&h, "pm2_5")], "42", "mean of 40 and 45 is 42.5, half-even 42; the control station is left out");
    assert_eq!(r[col(&h, "so2")], "12", "11.5 → 12");
    // PM2.5 42 on the 24-hour column: 50 + (42−35)·50/40 = 58.75 → 59.
    assert_eq!(r[col(&h, "aqi")], "59");
    assert_eq!(r[col(&h, "primary")], "pm2_5_1h");
    assert_eq!(r[col(&h, "source")], "stations:2");

    // A city file for hour 01:00 takes precedence: the publisher's own city value.
    let cities = "date,hour,type,成都\n20230121,1,AQI,77\n20230121,1,PM2.5,56\n";
    std::fs::write(t.0.join("china_cities_20230121.csv"), cities).expect("write");
    ok(&db, &["import", &t.0.join("china_cities_20230121.csv").display().to_string()]);
    let out = ok(
        &db,
        &[
            "aqi",
            "--hourly",
            "--level",
            "city",
            "--city",
            "510100",
            "--from",
            "2023-01-21",
            "--to",
            "2023-01-21",
            "--format",
            "csv",
        ],
    );
    let (h, rows) = csv_rows(&out);
    let r = &rows[0];
    assert_eq!(r[col(&h, "source")], "city-file");
    // PM2.5 56: 50 + 21·50/40 = 76.25 → 77, equal to the published 77.
    assert_eq!((r[col(&h, "aqi")].as_str(), r[col(&h, "published_aqi")].as_str()), ("77", "77"));
    assert_eq!(rows[1][col(&h, "source")], "stations:2");
}

#[test]
fn city_daily_is_the_mean_of_the_station_days() {
    let t = TempDir::new("city-daily");
    let db = t.db();
    std::fs::write(t.0.join("stations.csv"), STATIONS).expect("write");
    std::fs::write(t.0.join("china_sites_20230121.csv"), site_file()).expect("write");
    ok(
        &db,
        &[
            "import",
            &t.0.join("stations.csv").display().to_string(),
            &t.0.join("china_sites_20230121.csv").display().to_string(),
        ],
    );
    let out = ok(
        &db,
        &[
            "aqi",
            "--daily",
            "--level",
            "city",
            "--city",
            "成都",
            "--from",
            "2023-01-21",
            "--to",
            "2023-01-21",
            "--format",
            "csv",
        ],
    );
    let (h, rows) = csv_rows(&out);
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    // Station daily PM2.5 40 and 45 → city 42.5 → 42 (rounded once, GB/T 8170).
    assert_eq!(r[col(&h, "pm2_5")], "42");
    assert_eq!(r[col(&h, "aqi")], "59");
    assert_eq!(r[col(&h, "source")], "stations:2");
    // O3 and the other pollutants were not measured: empty, never zero.
    assert_eq!(r[col(&h, "o3_mda8")], "");
    assert_eq!(r[col(&h, "no2")], "");
}

/// worked-examples.md E25 through the binary: by 14:00 a city has 14 valid PM2.5 hours summing to
/// 1120 (two stations at 80 each hour, city mean 80); the remaining 10 hours may average at most
/// (75 × 24 − 1120) / 10 = 68 μg/m³ under HJ 633-2012.
#[test]
fn hour_to_day_budget_through_the_binary() {
    let t = TempDir::new("budget");
    let db = t.db();
    std::fs::write(t.0.join("stations.csv"), STATIONS).expect("write");
    let mut s = String::from("date,hour,type,1431A,1432A,1433A\n");
    for h in 1..=14 {
        s.push_str(&format!("20230121,{h},PM2.5,78,82,10\n"));
    }
    std::fs::write(t.0.join("china_sites_20230121.csv"), s).expect("write");
    std::fs::write(t.0.join("targets.csv"), "city,year,pm2_5,good_day_ratio\n成都,2023,40,89\n").expect("write");
    ok(
        &db,
        &[
            "import",
            &t.0.join("stations.csv").display().to_string(),
            &t.0.join("china_sites_20230121.csv").display().to_string(),
            &t.0.join("targets.csv").display().to_string(),
        ],
    );
    let out = ok(&db, &["budget", "--city", "成都", "--at", "2023-01-21T14:00", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["hours_elapsed"], 14);
    let pm = v["day"].as_array().expect("day").iter().find(|d| d["pollutant"] == "pm2_5").expect("PM2.5");
    assert_eq!(pm["budget"], "68");
    assert_eq!(pm["current"], "80");
    // The last hour (80) is above what the rest of the day may average (68): at risk, not "ok".
    assert_eq!(pm["status"], "day_at_risk");
    // January 2023, target 89 %: ⌈0.89 × 31⌉ = 28 good days needed, 3 non-good allowed (no full day yet).
    assert_eq!(v["month"]["required_good_days"], 28);
    assert_eq!(v["month"]["nongood_allowance"], 3);
    // The default moment is the latest hour with data.
    let out = ok(&db, &["budget", "--city", "510100", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["at"], "2023-01-21T14:00:00+08:00");
}

/// Issue 11 §3.3 and §3.9: the day status is decided once and every output says the same; `budget
/// --all` lists only the cities at risk, in Chinese in the table and by code in CSV.
///
/// 1–20 Jan 2023 (imported daily values, the same for 成都 and 德阳): 3 days of PM2.5 120 (IAQI
/// 150 + 5 × 50 / 35 = 157.1 → 158, not good), 17 days of PM2.5 30 with SO2 10, NO2 30, CO 0.8, PM10 50,
/// O3 100 (AQI 50, good). By 14:00 of 21 Jan, 成都's two stations read 78 and 82 (city mean 80) every
/// hour, 德阳's one station 20.
/// - 成都: the rest of the day may average (75 × 24 − 14 × 80) / 10 = 68 < 80 → the day is at risk.
///   Month, target 89 %: ⌈0.89 × 31⌉ = 28 good days needed, 31 − 28 − 3 = 0 non-good days left, and
///   today heads for a non-good day → at risk. Year, target 40: (40 × 365 − (3 × 120 + 17 × 30)) /
///   (365 − 20) = 13 730 / 345 = 39.8 < today's mean 80 → at risk.
/// - 德阳: (75 × 24 − 14 × 20) / 10 = 152 ≥ 20; month target 90 %: ⌈27.9⌉ = 28, 0 non-good days left,
///   but today is heading for a good day → on track (no slack is not yet a risk); no PM2.5 target.
/// - The other 19 cities have no data: nothing to risk.
#[test]
fn budget_status_is_decided_once_and_the_list_names_the_cities_at_risk() {
    let t = TempDir::new("budget-status");
    let db = t.db();
    let stations = format!("{STATIONS}1501A,丙,德阳,104.4,31.1,N,四川省,德阳市\n");
    std::fs::write(t.0.join("stations.csv"), stations).expect("write");
    let mut s = String::from("date,hour,type,1431A,1432A,1433A,1501A\n");
    for h in 1..=14 {
        s.push_str(&format!("20230121,{h},PM2.5,78,82,10,20\n"));
    }
    std::fs::write(t.0.join("china_sites_20230121.csv"), s).expect("write");
    let mut d = String::from("city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n");
    for day in 1..=20 {
        let pm = if day <= 3 { 120 } else { 30 };
        for city in ["成都", "德阳"] {
            d.push_str(&format!("{city},2023-01-{day:02},,10,30,0.8,50,{pm},100\n"));
        }
    }
    std::fs::write(t.0.join("daily.csv"), d).expect("write");
    std::fs::write(t.0.join("targets.csv"), "city,year,pm2_5,good_day_ratio\n成都,2023,40,89\n德阳,2023,,90\n")
        .expect("write");
    ok(&db, &["import", &t.0.display().to_string()]);
    let at = "2023-01-21T14:00";
    let json: serde_json::Value =
        serde_json::from_str(&ok(&db, &["budget", "--city", "成都", "--at", at, "--format", "json"])).expect("json");
    let pm = json["day"].as_array().expect("day").iter().find(|d| d["budget"] == "68").expect("PM2.5").clone();
    assert_eq!((pm["current"].as_str(), pm["status"].as_str()), (Some("80"), Some("day_at_risk")));
    assert_eq!(json["alerts"], serde_json::json!(["day_at_risk", "month_at_risk", "year_at_risk"]));
    assert_eq!(json["at_risk"], true);
    assert_eq!(json["month"]["nongood_allowance"], 0);
    assert_eq!(json["year_pm2_5_allowance"], "39.8");
    assert_eq!(json["year_status"], "remaining", "a code beside the number, never Chinese words in JSON");
    // The table says the same in Chinese, the API gives the same JSON.
    let table = ok(&db, &["budget", "--city", "成都", "--at", at]);
    let line = table.lines().find(|l| l.starts_with("PM2.5")).expect("PM2.5 line");
    assert!(line.contains("80") && line.contains("68") && line.contains("当前值超出预算"), "{table}");
    let server = Server::start(&db);
    let (code, api) = get(&server.base, &format!("/api/v1/budgets?city=510100&at={at}"));
    assert_eq!(code, 200, "{api}");
    assert_eq!(api[0], json);
    drop(server);
    // The province-wide list: 成都 only.
    let (h, rows) = csv_rows(&ok(&db, &["budget", "--all", "--at", at, "--format", "csv"]));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][col(&h, "city")], "成都");
    assert_eq!(rows[0][col(&h, "day_at_risk")].to_lowercase(), "pm2_5");
    assert_eq!(rows[0][col(&h, "alerts")], "day_at_risk,month_at_risk,year_at_risk");
    assert_eq!(
        (rows[0][col(&h, "year_pm2_5_allowance")].as_str(), rows[0][col(&h, "year_status")].as_str()),
        ("39.8", "remaining")
    );
    let table = ok(&db, &["budget", "--all", "--at", at]);
    assert!(table.contains("成都") && !table.contains("德阳"), "{table}");
    assert!(table.contains("今日优良有风险、本月优良天数目标有风险、全年PM2.5目标有风险"), "{table}");
    assert!(!table.contains("AtRisk") && !table.contains("at_risk"), "{table}");
    // The day before, at noon: no hourly data yet (no day can be valid, nothing to measure the year
    // against), and no month past its allowance: the table says that no city is at risk.
    let quiet = ok(&db, &["budget", "--all", "--at", "2023-01-20T12:00"]);
    assert!(quiet.contains("无风险城市"), "{quiet}");
}

/// Daily values are cached in the store; a later file that revises one hour of a past day (or the
/// hour 0 that closes it) must show in the daily values at once — no stale cache.
#[test]
fn a_revised_hour_changes_the_cached_daily_values() {
    let t = TempDir::new("cache");
    let db = t.db();
    std::fs::write(t.0.join("stations.csv"), STATIONS).expect("write");
    std::fs::write(t.0.join("china_sites_20230121.csv"), site_file()).expect("write");
    ok(
        &db,
        &[
            "import",
            &t.0.join("stations.csv").display().to_string(),
            &t.0.join("china_sites_20230121.csv").display().to_string(),
        ],
    );
    let q = [
        "aqi",
        "--daily",
        "--level",
        "station",
        "--station",
        "1431A",
        "--from",
        "2023-01-21",
        "--to",
        "2023-01-21",
        "--format",
        "csv",
    ];
    let first = ok(&db, &q);
    let again = ok(&db, &q);
    assert_eq!(first, again, "a cached evaluation equals the fresh one");
    let (h, rows) = csv_rows(&first);
    assert_eq!(rows[0][col(&h, "pm2_5")], "40");
    // Revise hour 0 of 2023-01-22 (closes the natural day 2023-01-21): 1431A PM2.5 40 → 280.
    // New mean: (23·40 + 280)/24 = 50.
    std::fs::write(t.0.join("rev.csv"), "date,hour,type,1431A\n20230122,0,PM2.5,280\n").expect("write");
    let out = ok(&db, &["import", &t.0.join("rev.csv").display().to_string()]);
    assert!(out.contains("1 updated"), "{out}");
    let (h, rows) = csv_rows(&ok(&db, &q));
    assert_eq!(rows[0][col(&h, "pm2_5")], "50");
    // And a revision inside the day: hour 5 of 2023-01-21, 40 → 88: (22·40 + 280 + 88)/24 = 52.
    std::fs::write(t.0.join("rev2.csv"), "date,hour,type,1431A\n20230121,5,PM2.5,88\n").expect("write");
    ok(&db, &["import", &t.0.join("rev2.csv").display().to_string()]);
    let (h, rows) = csv_rows(&ok(&db, &q));
    assert_eq!(rows[0][col(&h, "pm2_5")], "52");
    // City values follow too: stations 1431A (52) and 1432A (45) → 48.5 → 48.
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
            "2023-01-21",
            "--to",
            "2023-01-21",
            "--format",
            "csv",
        ],
    ));
    assert_eq!(rows[0][col(&h, "pm2_5")], "48");
}
