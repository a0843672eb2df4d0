//! What a new user meets (issue 11 §3.5, §3.8): read-only commands never create a store, `targets` is
//! dated by the data, empty results say why, help lists every command and every file kind, period
//! errors say what is wrong, and the README keeps real data out of the demonstration store.

mod common;

use common::{lantian, ok, TempDir};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A command that only reads, pointed at a store that does not exist, fails with the path and how to
/// create one — and leaves no file behind. `import` creates it.
#[test]
fn read_only_commands_refuse_a_missing_store() {
    let dir = TempDir::new("missing-store");
    let path = dir.0.join("nothing-here.db");
    let db = format!("sqlite:{}", path.display());
    for args in [
        vec!["stations"],
        vec!["aqi", "--daily", "--from", "2022-01-01", "--to", "2022-01-02"],
        vec!["assess", "--period", "2022-05"],
        vec!["rank", "--period", "2022-05"],
        vec!["budget", "--all"],
        vec!["targets"],
        vec!["yuetan", "--at", "2022-12-31"],
        vec!["points", "--period", "2022-05"],
        vec!["alert", "status"],
        vec!["alert", "log"],
        vec!["compliance"],
        vec!["control-list", "--city", "成都", "--level", "yellow"],
        vec!["user", "list"],
    ] {
        let o = lantian(&db, &args);
        assert!(!o.status.success(), "{args:?} succeeded on a missing store");
        let e = stderr(&o);
        assert!(e.contains(&path.display().to_string()) && e.contains("lantian import"), "{args:?}: {e}");
        assert!(!path.exists(), "{args:?} created {}", path.display());
    }
    let f = dir.0.join("d.csv");
    std::fs::write(&f, "city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n成都,2022-05-01,50,5,20,0.5,40,20,80\n")
        .expect("write");
    ok(&db, &["import", &f.display().to_string()]);
    assert!(path.exists());
    ok(&db, &["stations"]);
}

/// `targets` without `--at` is dated by the last day with data (here imported daily values ending
/// 2016-06-30), as `yuetan` and `aqi` are — not by the machine's date; with no targets or tasks it
/// says so.
#[test]
fn targets_are_dated_by_the_data_and_say_when_none_are_imported() {
    let dir = TempDir::new("targets-at");
    let db = dir.db();
    let mut s = String::from("city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n");
    let start = chrono::NaiveDate::from_ymd_opt(2016, 1, 1).expect("date");
    for k in 0..182 {
        let d = start + chrono::Duration::days(k);
        s.push_str(&format!("成都,{d},60,10,30,0.8,70,40,90\n"));
    }
    std::fs::write(dir.0.join("d.csv"), s).expect("write");
    ok(&db, &["import", &dir.0.join("d.csv").display().to_string()]);

    // No targets yet: the tables say why they are empty.
    let out = ok(&db, &["targets"]);
    assert!(out.contains("截至 2016-06-30"), "{out}");
    assert!(out.contains("no annual targets imported for 2016"), "{out}");
    assert!(out.contains("no target tasks imported"), "{out}");
    let o = lantian(&db, &["targets", "--format", "csv"]);
    assert!(stderr(&o).contains("no annual targets imported"), "{}", stderr(&o));

    std::fs::write(dir.0.join("t.csv"), "city,year,pm2_5,good_day_ratio\n成都,2016,45,80\n").expect("write");
    ok(&db, &["import", &dir.0.join("t.csv").display().to_string()]);
    let by_default = ok(&db, &["targets", "--format", "csv"]);
    let explicit = ok(&db, &["targets", "--at", "2016-06-30", "--format", "csv"]);
    assert_eq!(by_default, explicit);
    // PM2.5 40 every day against a target of 45: on track; good days 182 of 182 = 100.0 % ≥ 80 %.
    assert!(by_default.contains("成都,2016,45,40,on_track,80.0,100.0,on_track"), "{by_default}");
}

/// `rank --three-year` without the three previous years says why its columns are empty.
#[test]
fn an_empty_three_year_baseline_says_why() {
    let dir = TempDir::new("three-year");
    let db = dir.db();
    let mut s = String::from("city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n");
    for year in [2015, 2016] {
        for d in 1..=31 {
            s.push_str(&format!("成都,{year}-05-{d:02},60,10,30,0.8,70,40,90\n"));
            s.push_str(&format!("德阳,{year}-05-{d:02},60,10,30,0.8,70,45,90\n"));
        }
    }
    std::fs::write(dir.0.join("d.csv"), s).expect("write");
    ok(&db, &["import", &dir.0.join("d.csv").display().to_string()]);
    let out = ok(&db, &["rank", "--period", "2016-05", "--scope", "成都,德阳", "--three-year"]);
    assert!(out.contains("no three-year baseline") && out.contains("2013-05, 2014-05, 2015-05"), "{out}");
    let o = lantian(&db, &["rank", "--period", "2016-05", "--scope", "成都,德阳", "--three-year", "--format", "csv"]);
    assert!(o.status.success() && stderr(&o).contains("no three-year baseline"), "{}", stderr(&o));
    // Without --three-year nothing is said.
    let out = ok(&db, &["rank", "--period", "2016-05", "--scope", "成都,德阳"]);
    assert!(!out.contains("three-year"), "{out}");
}

/// `import --help` names every kind the detector recognises (from the detector's own registry).
#[test]
fn import_help_names_every_kind() {
    let help = ok("sqlite:unused.db", &["import", "--help"]);
    assert!(lantian_service::datasets::REGISTRY.len() >= 19);
    for k in lantian_service::datasets::REGISTRY {
        let (name, signature) = (k.info().name, k.info().recognition.signature());
        assert!(help.contains(name) && help.contains(&signature), "{name} missing from:\n{help}");
    }
    assert!(!std::path::Path::new("unused.db").exists());
}

/// A period that is not one says what is wrong with it.
#[test]
fn period_errors_say_what_is_wrong() {
    let dir = TempDir::new("period-errors");
    let db = dir.db();
    for (period, why) in [
        ("2016-Q5", "the quarter must be Q1–Q4, found Q5"),
        ("2016-H3", "the half-year must be H1 or H2, found H3"),
        ("2016-13", "the month must be 01–12, found 13"),
        ("16-05", "the year must have four digits"),
    ] {
        let o = lantian(&db, &["assess", "--period", period]);
        assert!(!o.status.success());
        let e = stderr(&o);
        assert!(e.contains(why) && !e.contains("bad month"), "{period}: {e}");
    }
}

/// The README keeps the real national data out of the demonstration store: every `lantian import` of
/// the shared real data goes to another store.
#[test]
fn readme_imports_real_data_into_its_own_store() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).expect("README");
    let mut store = String::from("sqlite:lantian.db");
    let mut imports = 0;
    for line in readme.lines() {
        let l = line.trim();
        if let Some(v) = l.strip_prefix("export LANTIAN_DB=") {
            store = v.split_whitespace().next().unwrap_or("").to_string();
        }
        if l.starts_with("lantian") && l.contains(" import ") && l.contains("shared/data") {
            imports += 1;
            let target = l
                .split_whitespace()
                .skip_while(|w| *w != "--db")
                .nth(1)
                .map(str::to_string)
                .unwrap_or_else(|| store.clone());
            assert!(!target.contains("demo/"), "the README imports real data into the demo store: {l}");
            assert!(!l.contains("NewSiteList") && !l.contains("china_sites"), "national files: {l}");
        }
    }
    assert!(imports > 0, "the README shows how to import the real data");
}
