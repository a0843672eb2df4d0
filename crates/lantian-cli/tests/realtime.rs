//! The CNEMC real-time release layout (`timepoint,stationcode,…`) through the real binary: the real
//! rows of `shared/data/cnemc/realtime-2026` around the switch to HJ 633-2026 (every published AQI and
//! primary pollutant reproduced, the unpublished rows as the dated rules say), the edition of the hour
//! stamped 2026-03-01T00, bad rows, and the import summary.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use common::*;

const FEB: &str = "cnemc/realtime-2026/cnemc_realtime_2026-02-28T23.subset.csv.gz";
const MAR: &str = "cnemc/realtime-2026/cnemc_realtime_2026-03-01T01.part0.csv.gz";

const HEADER: &str = "timepoint,stationcode,longitude,latitude,area,positionname,primarypollutant,aqi,pm10,\
                      pm10_24h,pm2_5,pm2_5_24h,o3,o3_24h,o3_8h,o3_8h_24h,no2,no2_24h,so2,so2_24h,co,co_24h";

/// A fixture row as the publisher wrote it, read independently of the project's reader.
struct Published {
    /// `2026-03-01T01:00:00+08:00` (the end of the hour, as the CLI writes it).
    time: String,
    station: String,
    aqi: Option<u32>,
    /// Primary pollutants as lowercase indicator codes of the real-time report.
    primary: BTreeSet<String>,
    /// Pollutants whose 1-hour value is `NA`, empty or `/`, as lowercase 1-hour indicator codes.
    missing: BTreeSet<String>,
}

fn published_rows(data: &Path, file: &str) -> Vec<Published> {
    let text = read_text(&data.join(file));
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h: Vec<String> = r.headers().expect("header").iter().map(str::to_string).collect();
    let at = |name: &str| h.iter().position(|x| x == name).unwrap_or_else(|| panic!("{name}"));
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.expect("row");
        let tp = &rec[at("timepoint")];
        // `2026-03-01T0100` → `2026-03-01T01:00:00+08:00`.
        let time = format!("{}:{}:00+08:00", &tp[..13], &tp[13..15]);
        let aqi = match &rec[at("aqi")] {
            "" | "NA" => None,
            v => Some(v.parse().expect("integer AQI")),
        };
        let primary = rec[at("primarypollutant")]
            .split(',')
            .filter(|l| !l.is_empty() && *l != "NA")
            .map(|l| {
                match l {
                    "细颗粒物(PM2.5)" => "pm2_5_1h",
                    "颗粒物(PM10)" => "pm10_1h",
                    "臭氧1小时" => "o3_1h",
                    "臭氧8小时" => "o3_8h",
                    "二氧化氮" => "no2_1h",
                    "二氧化硫" => "so2_1h",
                    "一氧化碳" => "co_1h",
                    other => panic!("label {other}"),
                }
                .to_string()
            })
            .collect();
        let missing = ["so2", "no2", "co", "o3", "pm10", "pm2_5"]
            .iter()
            .filter(|p| matches!(&rec[at(p)], "" | "NA" | "/"))
            .map(|p| format!("{p}_1h"))
            .collect();
        out.push(Published { time, station: rec[at("stationcode")].to_string(), aqi, primary, missing });
    }
    out
}

/// The value cells of both files that hold a number (not empty, `NA` or `/`).
fn value_cells(data: &Path) -> usize {
    let mut n = 0;
    for f in [FEB, MAR] {
        let text = read_text(&data.join(f));
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let h: Vec<String> = r.headers().expect("header").iter().map(str::to_string).collect();
        let aqi = h.iter().position(|x| x == "aqi").expect("aqi");
        for rec in r.records() {
            let rec = rec.expect("row");
            n += rec.iter().skip(aqi).filter(|c| !matches!(*c, "" | "NA" | "/")).count();
        }
    }
    n
}

/// A CSV cell of indicator codes as a set, compared in lowercase (one spelling per code, whatever
/// case the shared formatting function gives).
fn codes(cell: &str) -> BTreeSet<String> {
    cell.split(',').filter(|c| !c.is_empty()).map(str::to_ascii_lowercase).collect()
}

/// Every row of both files: each published AQI and primary pollutant equals the computed one (29 rows
/// of 28 February under HJ 633-2012, 152 of 1 March under HJ 633-2026), `published_aqi` and
/// `published_primary` carry the publisher's, `missing` names exactly the pollutants the row lacks,
/// and the rows the publisher did not rate come out as `publisher::PUBLISHER` states — with and
/// without the station list imported first.
#[test]
fn release_rows_reproduce_every_published_aqi_and_primary() {
    let Some(data) = shared_data() else { return };
    let feb = published_rows(&data, FEB);
    let mar = published_rows(&data, MAR);
    assert_eq!((feb.len(), mar.len()), (31, 153), "the README's row counts");
    for with_list in [true, false] {
        let t = TempDir::new("realtime");
        let db = t.db();
        if with_list {
            ok(&db, &["import", &data.join("cnemc/stations/NewSiteList.gb18030.csv").display().to_string()]);
        }
        let summary =
            ok(&db, &["import", &data.join(FEB).display().to_string(), &data.join(MAR).display().to_string()]);
        assert!(summary.contains("cnemc-realtime 2"), "{summary}");
        assert!(summary.contains("行 rows           184"), "{summary}");
        // Values: the non-empty cells of the 15 value columns, counted from the files (the release
        // facts are no value); station-hours: rows with any value (all 184, 2311A has 24-hour means).
        assert!(summary.contains(&format!("数值 values       {}", value_cells(&data))), "{summary}");
        assert!(summary.contains("站时 station-hours 184"), "{summary}");
        // 19 codes of the two files are not in the national list (counted from the files by hand:
        // 5 on 28 February, 14 more on 1 March); without the list all 155 distinct stations are new.
        let created = if with_list { 19 } else { 155 };
        assert!(
            summary.contains(&format!("{created} stations created from release rows: "))
                && summary.contains("4201A 兴盛南路290号 (鞍山市)")
                && summary.contains("3994A 马尔康中学西区 (阿坝藏族羌族自治州)"),
            "{summary}"
        );
        assert!(summary.contains(&format!("; {created} stations created, 0 stations updated")), "{summary}");
        // A Sichuan station created from a row lands in the seeded Sichuan city.
        let aba = ok(&db, &["stations", "--city", "阿坝", "--format", "csv"]);
        assert!(aba.contains("3994A,马尔康中学西区"), "{aba}");

        let out = ok(&db, &["aqi", "--hourly", "--from", "2026-02-28", "--to", "2026-03-01", "--format", "csv"]);
        let (h, rows) = csv_rows(&out);
        let [ist, itime, iaqi, iprim, ipub, ipubp, imiss, ipm10, ico] =
            ["station", "time", "aqi", "primary", "published_aqi", "published_primary", "missing", "pm10", "co"]
                .map(|k| col(&h, k));
        let by_key: HashMap<(String, String), &Vec<String>> =
            rows.iter().map(|r| ((r[ist].clone(), r[itime].clone()), r)).collect();
        assert_eq!(by_key.len(), rows.len(), "one row per station-hour");
        let (mut compared, mut unpublished) = (0usize, Vec::new());
        for p in feb.iter().chain(&mar) {
            let key = (p.station.clone(), p.time.clone());
            let Some(r) = by_key.get(&key) else {
                unpublished.push(p.station.clone());
                continue;
            };
            assert_eq!(codes(&r[imiss]), p.missing, "missing of {key:?}");
            match p.aqi {
                Some(a) => {
                    compared += 1;
                    assert_eq!(r[iaqi], a.to_string(), "AQI of {key:?}");
                    assert_eq!(r[ipub], a.to_string(), "published_aqi of {key:?}");
                    assert_eq!(codes(&r[iprim]), p.primary, "primary of {key:?}");
                    assert_eq!(codes(&r[ipubp]), p.primary, "published_primary of {key:?}");
                }
                None => {
                    unpublished.push(p.station.clone());
                    assert_eq!((r[ipub].as_str(), r[ipubp].as_str()), ("", ""), "{key:?}");
                    assert!(!r[imiss].is_empty(), "a computed AQI without a published one names what is missing");
                }
            }
        }
        assert_eq!(compared, 29 + 152, "every published AQI compared");
        assert_eq!(rows.len(), 31 + 153 - 1, "every row but 2311A's (no pollutant at all) is in the output");
        unpublished.sort();
        assert_eq!(unpublished, ["2311A", "2594A", "3568A"]);
        let row = |st: &str, time: &str| by_key[&(st.to_string(), time.to_string())];
        let feb23 = "2026-02-28T23:00:00+08:00";
        // 2594A, 28 Feb (HJ 633-2012 tables), CO missing, not published: PM2.5 42 → 50 + 7 × 50 / 40 =
        // 58.75 → 59, PM10 56 → 53, O3 119 → 37.19 → 38, NO2 8 → 4, SO2 3 → 1: computed 59.
        let r = row("2594A", feb23);
        assert_eq!((r[iaqi].as_str(), r[ico].as_str(), codes(&r[imiss])), ("59", "", codes("co_1h")));
        // 3568A: only PM10 90 → 50 + 40 × 50 / 100 = 70.
        let r = row("3568A", feb23);
        assert_eq!((r[iaqi].as_str(), r[ipm10].as_str()), ("70", "90"));
        assert_eq!(codes(&r[imiss]), codes("so2_1h,no2_1h,co_1h,o3_1h,pm2_5_1h"));

        // The literal HJ 633-2026 reading (non-default): 5.3.1 makes the AQI NA where PM10 is missing
        // and the AQI ≤ 100 (2644A, 10 published); `/` is exempt (4263A, CO `/`, 50 published); above
        // 100 it stands (2312A, 145).
        let lit = ok(
            &db,
            &[
                "aqi",
                "--hourly",
                "--convention",
                "literal",
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-01",
                "--station",
                "2644A",
                "--station",
                "4263A",
                "--station",
                "2312A",
                "--format",
                "csv",
            ],
        );
        let (lh, lrows) = csv_rows(&lit);
        let aqi_of = |st: &str| {
            lrows
                .iter()
                .find(|r| r[col(&lh, "station")] == st && r[col(&lh, "time")] == "2026-03-01T01:00:00+08:00")
                .map(|r| r[col(&lh, "aqi")].clone())
        };
        assert_eq!(
            (aqi_of("2644A"), aqi_of("4263A"), aqi_of("2312A")),
            (Some(String::new()), Some("50".into()), Some("145".into()))
        );
    }
}

/// The hour stamped 2026-03-01T00 is 23:00–24:00 of 28 February: rated with HJ 633-2012 (the public
/// archive's 4117A at that hour: PM2.5 60 → 50 + 25 × 50 / 40 = 81.25 → 82), while the same values an
/// hour later are rated with HJ 633-2026 (PM2.5 60 → IAQI 100). The other pollutants stay low: O3 30
/// (9.4 → 10), NO2 20 (10), SO2 1 (1), CO 0.6 (6).
#[test]
fn the_hour_stamped_t00_is_rated_with_the_2012_tables() {
    let t = TempDir::new("realtime-t00");
    let db = t.db();
    let row = |tp: &str, aqi: &str| {
        format!("{tp},4117A,114.2918,36.0769,安阳市,钢三路198号,细颗粒物(PM2.5),{aqi},NA,52,60,60,30,30,NA,NA,20,20,1,2,0.6,0.6")
    };
    let f = t.0.join("t00.csv");
    std::fs::write(&f, format!("{HEADER}\n{}\n{}\n", row("2026-03-01T0000", "82"), row("2026-03-01T0100", "100")))
        .expect("write");
    ok(&db, &["import", &f.display().to_string()]);
    let out = ok(&db, &["aqi", "--hourly", "--from", "2026-02-28", "--to", "2026-03-01", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let rows = v.as_array().expect("rows");
    assert_eq!(rows.len(), 2, "{out}");
    let get = |time: &str| rows.iter().find(|r| r["time"] == time).unwrap_or_else(|| panic!("{time} in {out}"));
    let t00 = get("2026-03-01T00:00:00+08:00");
    assert_eq!((t00["aqi"].as_u64(), t00["published_aqi"].as_u64()), (Some(82), Some(82)));
    assert_eq!(t00["standard"], "y2012");
    let t01 = get("2026-03-01T01:00:00+08:00");
    assert_eq!((t01["aqi"].as_u64(), t01["published_aqi"].as_u64()), (Some(100), Some(100)));
    assert_eq!(t01["standard"], "y2026");
    for r in [t00, t01] {
        let lower = |k: &str| -> Vec<String> {
            r[k].as_array().expect(k).iter().map(|c| c.as_str().unwrap_or("").to_ascii_lowercase()).collect()
        };
        assert_eq!(lower("primary"), ["pm2_5_1h"]);
        assert_eq!(lower("published_primary"), ["pm2_5_1h"]);
        assert_eq!(lower("missing"), ["pm10_1h"]);
    }
    // The station was created from the row, in a city named by the row.
    let st = ok(&db, &["stations", "--format", "csv"]);
    assert!(st.contains("4117A,钢三路198号,安阳市"), "{st}");
    // The station page shows the published primary pollutant beside the computed one, and what is
    // missing: the 01:00 row of 1 March (the 00:00 hour belongs to 28 February's page).
    let server = Server::start(&db);
    let mut r = agent().get(&format!("{}/stations/4117A?date=2026-03-01", server.base)).call().expect("page");
    assert_eq!(r.status().as_u16(), 200);
    let html = r.body_mut().read_to_string().expect("body");
    let row = html.split("<tr").find(|r| r.contains("<td>01:00</td>")).unwrap_or_else(|| panic!("01:00 in {html}"));
    let cells: Vec<&str> = row
        .split("<td")
        .skip(1)
        .map(|c| c.split_once('>').map_or("", |(_, t)| t.split("</td>").next().unwrap_or("")))
        .collect();
    // 时间, AQI, 发布AQI, 类别, 首要污染物, 发布首要污染物, 缺项, …
    assert_eq!(&cells[..7], ["01:00", "100", "100", "良", "PM2.5", "PM2.5", "PM10"], "{row}");
}

/// What one run of the binary printed, with its exit code.
fn run(db: &str, args: &[&str]) -> (Option<i32>, String) {
    let o = lantian(db, args);
    let all = format!("{}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(!all.contains("panicked"), "{args:?} panicked\n{all}");
    (o.status.code(), all)
}

/// The store as the CLI shows it (hourly rows and stations).
fn dump(db: &str) -> (String, String) {
    (
        ok(db, &["aqi", "--hourly", "--from", "2026-02-27", "--to", "2026-03-02", "--format", "csv"]),
        ok(db, &["stations", "--format", "csv"]),
    )
}

const GOOD_ROWS: &str = "2026-03-01T0100,1001A,116.3611,39.8786,北京市,万寿西宫,细颗粒物(PM2.5),80,72,71,50,52,41,41,NA,NA,20,22,2,3,0.8,0.8
2026-03-01T0100,1957A,86.1971,41.7166,巴音郭楞蒙古自治州,棉纺厂,颗粒物(PM10),119,167,153,38,42,11,11,NA,NA,64,26,/,/,/,/
";

/// Each kind of bad row rejects the file naming file, line, column and field, and changes nothing
/// (neither values nor stations: the bad files' first lines would create station 9001A); importing
/// the good file again changes nothing either.
#[test]
fn bad_release_rows_are_rejected_and_change_nothing() {
    let t = TempDir::new("realtime-bad");
    let db = t.db();
    let good = t.0.join("good.csv");
    std::fs::write(&good, format!("{HEADER}\n{GOOD_ROWS}")).expect("write");
    ok(&db, &["import", &good.display().to_string()]);
    let before = dump(&db);
    assert!(before.0.contains("1957A") && before.1.contains("1001A"), "{before:?}");
    let new_station = "2026-03-01T0100,9001A,104.0,30.6,成都市,新站,NA,20,20,20,10,10,30,30,NA,NA,10,10,2,2,0.3,0.3";
    let ok_row = GOOD_ROWS.lines().next().unwrap_or_default();
    let cases: [(&str, String, &str, &str); 6] = [
        ("short.csv", "2026-03-01T0100,1003A,116.4,39.9,北京市,东四,NA,40,30".into(), ":3:10", "pm10_24h"),
        ("time.csv", ok_row.replace("T0100", "T2400"), ":3:1", "timepoint"),
        ("number.csv", ok_row.replace(",72,71,", ",7 2,71,"), ":3:9", "pm10"),
        ("label.csv", ok_row.replace("细颗粒物(PM2.5)", "PM2.5"), ":3:7", "primarypollutant"),
        ("duplicate.csv", format!("{ok_row}\n{ok_row}"), ":4:2", "stationcode"),
        ("long.csv", format!("{ok_row},5"), ":3:23", "(beyond header)"),
    ];
    for (name, bad, at, field) in cases {
        let p = t.0.join(name);
        std::fs::write(&p, format!("{HEADER}\n{new_station}\n{bad}\n")).expect("write");
        let (code, all) = run(&db, &["import", &p.display().to_string()]);
        assert_eq!(code, Some(2), "{name}: rejected\n{all}");
        assert!(all.contains(&format!("{}{at}", p.display())), "{name}: names file, line, column\n{all}");
        assert!(all.contains(&format!("(field {field})")), "{name}: names the field\n{all}");
        assert_eq!(dump(&db), before, "{name}: the store changed");
    }
    let again = ok(&db, &["import", &good.display().to_string()]);
    assert!(again.contains("0 inserted, 0 updated") && again.contains("0 stations created"), "{again}");
    assert_eq!(dump(&db), before, "re-importing changed the store");
}

/// A quotsoft file that covers an hour's AQI also replaces that hour's published primary pollutant
/// (both belong to the published AQI); rows it does not have leave the release facts alone.
#[test]
fn a_quotsoft_aqi_row_replaces_the_release_facts_of_its_hour() {
    let t = TempDir::new("realtime-quotsoft");
    let db = t.db();
    let good = t.0.join("good.csv");
    std::fs::write(&good, format!("{HEADER}\n{GOOD_ROWS}")).expect("write");
    ok(&db, &["import", &good.display().to_string()]);
    let published_primary = |st: &str| {
        let (h, rows) = csv_rows(&dump(&db).0);
        rows.iter()
            .find(|r| r[col(&h, "station")] == st && r[col(&h, "time")] == "2026-03-01T01:00:00+08:00")
            .map(|r| (r[col(&h, "published_aqi")].clone(), r[col(&h, "published_primary")].to_ascii_lowercase()))
    };
    assert_eq!(published_primary("1001A"), Some(("80".into(), "pm2_5_1h".into())));
    // A revision of PM2.5 only: the release facts stay.
    let pm = t.0.join("china_sites_20260301.csv");
    std::fs::write(&pm, "date,hour,type,1001A\n20260301,1,PM2.5,51\n").expect("write");
    ok(&db, &["import", &pm.display().to_string()]);
    assert_eq!(published_primary("1001A"), Some(("80".into(), "pm2_5_1h".into())));
    // The hour's AQI row: the publisher's AQI of the quotsoft file, no primary pollutant from it.
    let aqi = t.0.join("china_sites_20260301b.csv");
    std::fs::write(&aqi, "date,hour,type,1001A\n20260301,1,AQI,81\n").expect("write");
    ok(&db, &["import", &aqi.display().to_string()]);
    assert_eq!(published_primary("1001A"), Some(("81".into(), String::new())));
    assert_eq!(published_primary("1957A"), Some(("119".into(), "pm10_1h".into())), "other stations untouched");
}

/// The station list's summary counts the stations it created (the national list: 2,026), and a second
/// import creates and updates none.
#[test]
fn a_station_list_import_reports_the_stations_it_created() {
    let Some(data) = shared_data() else { return };
    let t = TempDir::new("realtime-list");
    let db = t.db();
    let list = data.join("cnemc/stations/NewSiteList.gb18030.csv").display().to_string();
    let first = ok(&db, &["import", &list]);
    assert!(first.contains("; 2026 stations created, 0 stations updated"), "{first}");
    let again = ok(&db, &["import", &list]);
    assert!(again.contains("; 0 stations created, 0 stations updated"), "{again}");
    // A station known only from a data file's header is described (updated) by the list.
    let t2 = TempDir::new("realtime-list2");
    let db2 = t2.db();
    let f = t2.0.join("china_sites_20230120.csv");
    std::fs::write(&f, "date,hour,type,1001A,9999Z\n20230120,1,PM2.5,35,1\n").expect("write");
    let header_only = ok(&db2, &["import", &f.display().to_string()]);
    assert!(header_only.contains("; 2 stations created"), "{header_only}");
    let listed = ok(&db2, &["import", &list]);
    assert!(listed.contains("; 2025 stations created, 1 stations updated"), "{listed}");
}

/// Release rows first, the station list after: the cities the rows created (no province) become the
/// list's cities instead of twins, so a city's stations from both sources stay together. A station known
/// only from a quotsoft header takes the row's description; a listed one keeps its own, with a warning
/// where the row names it otherwise.
#[test]
fn release_rows_and_the_station_list_describe_the_same_stations_and_cities() {
    let Some(data) = shared_data() else { return };
    let t = TempDir::new("realtime-cities");
    let db = t.db();
    let header_only = t.0.join("china_sites_20260228.csv");
    std::fs::write(&header_only, "date,hour,type,4201A\n20260228,22,PM2.5,100\n").expect("write");
    ok(&db, &["import", &header_only.display().to_string()]);
    let rows = ok(&db, &["import", &data.join(FEB).display().to_string()]);
    // 4201A existed (code only): described, not created; the other 30 stations are created.
    assert!(rows.contains("; 30 stations created, 1 stations updated"), "{rows}");
    assert!(!rows.contains("4201A 兴盛南路290号 (鞍山市)"), "4201A was not created by the rows\n{rows}");
    let list = ok(&db, &["import", &data.join("cnemc/stations/NewSiteList.gb18030.csv").display().to_string()]);
    assert!(list.contains("警告 warnings     10"), "only the list's own ten warnings\n{list}");
    let anshan = ok(&db, &["stations", "--city", "鞍山", "--format", "csv"]);
    assert!(anshan.contains("1748A,深沟寺") && anshan.contains("4201A,兴盛南路290号"), "{anshan}");
    let cities = ok(&db, &["stations", "--format", "csv"]);
    let (h, st) = csv_rows(&cities);
    let city_of = |code: &str| st.iter().find(|r| r[0] == code).map(|r| r[col(&h, "province")].clone());
    assert_eq!(city_of("4201A"), Some("辽宁省".to_string()), "the row's city took the list's province");
    // A listed station named otherwise by a row keeps its name, with a warning.
    let renamed = t.0.join("renamed.csv");
    std::fs::write(
        &renamed,
        format!("{HEADER}\n2026-03-01T0100,1001A,116.3611,39.8786,北京市,万寿西宫新址,NA,40,40,40,20,20,40,40,NA,NA,20,20,2,2,0.5,0.5\n"),
    )
    .expect("write");
    let r = ok(&db, &["import", &renamed.display().to_string()]);
    assert!(
        r.contains("station 1001A: the release row (line 2) names it 万寿西宫新址 (北京市); the store keeps 万寿西宫"),
        "{r}"
    );
    assert!(ok(&db, &["stations", "--format", "csv"]).contains("1001A,万寿西宫,"));
}
