//! `lantian work` (issue 15 item 1): an item's life through the store on either backend — issued by the
//! province, refused to another city, signed, fed back with evidence stored once, returned, answered
//! again, verified and closed; delegated to counties with the parent waiting for them; the clock derived
//! at exact instants (`--at`); every move audited. (Two moves from one read cannot both win: the store's
//! own test, `lantian-store/src/work.rs`.)

mod common;

use std::process::Command;

use common::{lantian, ok, TempDir};

const PASSWORD: &str = "correct horse battery";

fn user_add(db: &str, args: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_lantian"))
        .args(["--db", db, "user", "add"])
        .args(args)
        .env("LANTIAN_PASSWORD", PASSWORD)
        .output()
        .expect("run");
    assert!(o.status.success(), "user add {args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

fn refused(db: &str, args: &[&str]) -> String {
    let o = lantian(db, args);
    assert!(!o.status.success(), "lantian {args:?} should be refused: {}", String::from_utf8_lossy(&o.stdout));
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// The list as CSV rows keyed by column.
fn list(db: &str, at: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let text = ok(db, &["work", "list", "--at", at, "--format", "csv"]);
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().expect("header").split(',').map(str::to_string).collect();
    lines.map(|l| header.iter().cloned().zip(l.split(',').map(str::to_string)).collect()).collect()
}

#[test]
fn a_work_item_lives_through_the_store() {
    let t = TempDir::new("work");
    let db = t.db();
    user_add(&db, &["admin1", "--role", "admin"]);
    user_add(&db, &["chengdu", "--role", "city", "--city", "成都"]);
    user_add(&db, &["deyang", "--role", "city", "--city", "德阳"]);
    user_add(&db, &["viewer1", "--role", "viewer"]);
    let out = ok(
        &db,
        &[
            "work",
            "issue",
            "--by",
            "admin1",
            "--kind",
            "fire-point",
            "--to",
            "city:510100",
            "--title",
            "火点核查 2022-11-28",
            "--at",
            "2022-11-28T10:00",
        ],
    );
    assert!(out.contains("issued item 1 to city:510100"), "{out}");
    // Not 德阳's to sign; a viewer issues nothing; a city gives no work to another city.
    assert!(refused(&db, &["work", "act", "1", "--by", "deyang", "--action", "sign"]).contains("only the assignee"));
    assert!(refused(
        &db,
        &["work", "issue", "--by", "viewer1", "--kind", "manual", "--to", "city:510100", "--title", "x"]
    )
    .contains("does not issue work items"));
    assert!(refused(
        &db,
        &["work", "issue", "--by", "chengdu", "--kind", "manual", "--to", "city:510600", "--title", "x"]
    )
    .contains("does not give work to city:510600"));
    ok(&db, &["work", "act", "1", "--by", "chengdu", "--action", "sign", "--at", "2022-11-28T10:30"]);
    // The clock: due 24 hours after issue; overdue one minute later, unless answered.
    let rows = list(&db, "2022-11-29T10:00");
    assert_eq!((rows[0]["state"].as_str(), rows[0]["overdue"].as_str()), ("signed", "false"));
    assert_eq!(rows[0]["feedback_due"], "2022-11-29T10:00:00+08:00");
    assert_eq!(rows[0]["escalation"], "reminder");
    let rows = list(&db, "2022-11-29T10:01");
    assert_eq!((rows[0]["overdue"].as_str(), rows[0]["escalation"].as_str()), ("true", "superior_notified"));
    // Feedback needs evidence; the photo is stored once whatever times it is sent.
    assert!(refused(&db, &["work", "act", "1", "--by", "chengdu", "--action", "feed-back", "--text", "已核查"])
        .contains("evidence"));
    let photo = t.0.join("site.jpg");
    std::fs::write(&photo, b"\xff\xd8\xff\xe0 burnt straw, extinguished").expect("write");
    let photo = photo.display().to_string();
    ok(
        &db,
        &[
            "work",
            "act",
            "1",
            "--by",
            "chengdu",
            "--action",
            "feed-back",
            "--text",
            "已核查，系秸秆焚烧，已扑灭",
            "--evidence",
            &photo,
            "--at",
            "2022-11-28T16:00",
        ],
    );
    // Returned by the province with its reason, answered again, verified and closed.
    ok(
        &db,
        &[
            "work",
            "act",
            "1",
            "--by",
            "admin1",
            "--action",
            "return",
            "--text",
            "缺少处罚情况",
            "--at",
            "2022-11-28T17:00",
        ],
    );
    let rows = list(&db, "2022-11-29T10:01");
    assert_eq!(
        (rows[0]["state"].as_str(), rows[0]["returns"].as_str(), rows[0]["overdue"].as_str()),
        ("returned", "1", "true")
    );
    ok(
        &db,
        &[
            "work",
            "act",
            "1",
            "--by",
            "chengdu",
            "--action",
            "feed-back",
            "--text",
            "已立案处罚",
            "--evidence",
            &photo,
            "--at",
            "2022-11-29T11:00",
        ],
    );
    ok(
        &db,
        &["work", "act", "1", "--by", "admin1", "--action", "verify", "--text", "属实", "--at", "2022-11-29T12:00"],
    );
    ok(&db, &["work", "act", "1", "--by", "admin1", "--action", "close", "--at", "2022-11-29T12:05"]);
    let json: serde_json::Value =
        serde_json::from_str(&ok(&db, &["work", "list", "--at", "2022-12-01T00:00", "--format", "json"]))
            .expect("json");
    let history: Vec<&str> =
        json[0]["history"].as_array().expect("history").iter().filter_map(|h| h["to"].as_str()).collect();
    assert_eq!(history, ["issued", "signed", "fed_back", "returned", "fed_back", "verified", "closed"]);
    let evidence: Vec<&str> =
        json[0]["history"].as_array().expect("history").iter().filter_map(|h| h["evidence"][0].as_str()).collect();
    assert!(evidence.len() == 2 && evidence[0] == evidence[1] && evidence[0].starts_with("blake3:"), "{evidence:?}");
    // Every move audited, by who made it.
    let audit = ok(&db, &["user", "audit", "--format", "csv"]);
    for (who, what) in [
        ("admin1", "work.issue"),
        ("chengdu", "work.sign"),
        ("chengdu", "work.feed_back"),
        ("admin1", "work.return"),
        ("admin1", "work.verify"),
        ("admin1", "work.close"),
    ] {
        assert!(audit.lines().any(|l| l.contains(&format!(",{who},{what},"))), "{who} {what}: {audit}");
    }
    // Finished: cancelling it is refused.
    assert!(refused(&db, &["work", "act", "1", "--by", "admin1", "--action", "cancel", "--text", "重复"])
        .contains("closed"));
}

#[test]
fn a_delegated_item_waits_for_the_counties() {
    let t = TempDir::new("work-delegate");
    let db = t.db();
    user_add(&db, &["admin1", "--role", "admin"]);
    user_add(&db, &["chengdu", "--role", "city", "--city", "成都"]);
    ok(
        &db,
        &[
            "work",
            "issue",
            "--by",
            "admin1",
            "--kind",
            "rectification",
            "--to",
            "city:510100",
            "--title",
            "工地扬尘整改",
            "--at",
            "2022-11-01T09:00",
        ],
    );
    ok(&db, &["work", "act", "1", "--by", "chengdu", "--action", "sign", "--at", "2022-11-01T10:00"]);
    assert!(
        refused(&db, &["work", "act", "1", "--by", "chengdu", "--action", "delegate", "--child", "county:510600"])
            .contains("does not hand work down to county:510600"),
        "德阳's county is not 成都's"
    );
    ok(
        &db,
        &[
            "work",
            "act",
            "1",
            "--by",
            "chengdu",
            "--action",
            "delegate",
            "--child",
            "county:510104",
            "--child",
            "county:510105",
            "--at",
            "2022-11-01T11:00",
        ],
    );
    let rows = list(&db, "2022-11-02T00:00");
    assert_eq!(rows.len(), 3);
    let children: Vec<&str> = rows.iter().filter(|r| r["parent_id"] == "1").map(|r| r["assignee"].as_str()).collect();
    assert_eq!(children, ["county:510104", "county:510105"]);
    let photo = t.0.join("p.jpg");
    std::fs::write(&photo, b"photo").expect("write");
    let photo = photo.display().to_string();
    // The parent feeds back only when both children are finished (here the city, their issuer, cancels
    // both: the work went back to the city's bureau).
    let e = refused(
        &db,
        &["work", "act", "1", "--by", "chengdu", "--action", "feed-back", "--text", "x", "--evidence", &photo],
    );
    assert!(e.contains("2 delegated items are still open"), "{e}");
    ok(
        &db,
        &[
            "work",
            "act",
            "2",
            "--by",
            "chengdu",
            "--action",
            "cancel",
            "--text",
            "已并入3号",
            "--at",
            "2022-11-02T09:00",
        ],
    );
    ok(
        &db,
        &[
            "work",
            "act",
            "3",
            "--by",
            "chengdu",
            "--action",
            "cancel",
            "--text",
            "由市局直接办理",
            "--at",
            "2022-11-02T09:00",
        ],
    );
    ok(
        &db,
        &[
            "work",
            "act",
            "1",
            "--by",
            "chengdu",
            "--action",
            "feed-back",
            "--text",
            "已整改",
            "--evidence",
            &photo,
            "--at",
            "2022-11-03T09:00",
        ],
    );
    assert_eq!(
        list(&db, "2022-11-04T00:00").iter().find(|r| r["id"] == "1").map(|r| r["state"].clone()),
        Some("fed_back".into())
    );
}
