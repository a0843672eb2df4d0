//! Inspections (督查检查, issue 13: a dataset added as one module): imported like every kind, listed by
//! `lantian inspections` — restricted and city-scoped when read as a web account, overdue derived from
//! the day asked, Chinese words in the table and one lowercase code per value in CSV.

mod common;

use std::path::Path;

use common::{col, csv_rows, lantian, ok, user_add, TempDir};

fn sample() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../lantian-ingest/samples/inspections.csv").display().to_string()
}

#[test]
fn inspections_are_imported_and_listed_within_the_readers_scope() {
    let t = TempDir::new("inspections");
    let db = t.db();
    let out = ok(&db, &["import", &sample()]);
    assert!(out.contains("inspections"), "{out}");
    // The sample, by hand: 成都 has two findings, 德阳 two. On 2023-01-06 成都's 脱硫设施停运 (整改中,
    // deadline 2023-01-05) is overdue; 物料露天堆放 (待整改, 2023-01-10) not yet; 德阳's are reported done.
    let (h, rows) = csv_rows(&ok(&db, &["inspections", "--on", "2023-01-06", "--format", "csv"]));
    assert_eq!(
        h,
        [
            "city",
            "city_code",
            "date",
            "department",
            "target_kind",
            "target",
            "finding",
            "measure",
            "mode",
            "deadline",
            "status",
            "overdue"
        ]
    );
    let cells = |r: &Vec<String>, names: &[&str]| -> Vec<String> {
        names.iter().map(|n| r[h.iter().position(|x| x == n).expect("column")].clone()).collect()
    };
    let got: Vec<Vec<String>> =
        rows.iter().map(|r| cells(r, &["city", "target_kind", "mode", "status", "overdue"])).collect();
    let want = [
        ["成都", "enterprise", "unannounced", "rectifying", "true"],
        ["成都", "enterprise", "joint", "open", "false"],
        ["德阳", "site", "routine", "rectified", "false"],
        ["德阳", "site", "joint", "closed", "false"],
    ];
    assert_eq!(got, want.map(|r| r.map(String::from).to_vec()));

    // As 成都's city account: its own two findings only; 德阳's are refused.
    user_add(&db, &["chengdu", "--role", "city", "--city", "成都"]);
    let (_, own) = csv_rows(&ok(&db, &["inspections", "--account", "chengdu", "--format", "csv"]));
    assert_eq!(own.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["成都", "成都"]);
    let o = lantian(&db, &["inspections", "--account", "chengdu", "--city", "德阳"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("a city reads only its own"));
    // A viewer reads them only when granted.
    user_add(&db, &["auditor", "--role", "viewer"]);
    let o = lantian(&db, &["inspections", "--account", "auditor"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("inspections are restricted"));
    ok(&db, &["user", "grant", "auditor", "inspections"]);
    let (_, all) = csv_rows(&ok(&db, &["inspections", "--account", "auditor", "--format", "csv"]));
    assert_eq!(all.len(), 4);
    // Each read as an account is an audited export (who, scope, what, how many rows); the refused
    // reads and the operator's own reads are not.
    let (h, log) = csv_rows(&ok(&db, &["user", "audit", "--format", "csv"]));
    let exports: Vec<(String, String)> = log
        .iter()
        .filter(|r| r[col(&h, "action")] == "export")
        .map(|r| (r[col(&h, "actor")].clone(), r[col(&h, "detail")].clone()))
        .collect();
    let on = exports.first().and_then(|(_, d)| d.split("--on ").nth(1)).and_then(|r| r.split(':').next());
    let on = on.expect("the date read on").to_string();
    assert_eq!(
        exports,
        [
            ("auditor".to_string(), format!("inspections (all) lantian inspections --on {on}: 4 rows")),
            ("chengdu".to_string(), format!("inspections (city 成都) lantian inspections --on {on}: 2 rows")),
        ]
    );

    // The table speaks Chinese: labels, never codes.
    let table = ok(&db, &["inspections", "--on", "2023-01-06"]);
    for zh in ["暗查暗访", "整改中", "待整改", "已销号", "联合检查", "日常检查", "逾期"] {
        assert!(table.contains(zh), "{zh} missing:\n{table}");
    }
    for code in ["unannounced", "rectifying", "routine", "enterprise"] {
        assert!(!table.contains(code), "{code} in the table:\n{table}");
    }
    assert!(table.contains("共 4 条问题，2023-01-06 逾期 1 条"), "{table}");
}
