//! `lantian work` (issue 15 item 1): an item's life through the store on either backend — issued by the
//! province, refused to another city, signed, fed back with evidence stored once, returned, answered
//! again, verified and closed; delegated to counties with the parent waiting for them; the clock derived
//! at exact instants (`--at`); every move audited. (Two moves from one read cannot both win: the store's
//! own test, `lantian-store/src/work.rs`.)

mod common;

use common::{lantian, ok, user_add, TempDir, PASSWORD};

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

fn send(base: &str, path: &str, token: Option<&str>, content_type: &str, body: &[u8]) -> (u16, serde_json::Value) {
    let mut req = common::agent().post(&format!("{base}{path}")).header("Content-Type", content_type);
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    let mut r = req.send(body).expect("request");
    let status = r.status().as_u16();
    (status, serde_json::from_str(&r.body_mut().read_to_string().expect("body")).unwrap_or_default())
}

fn read(base: &str, path: &str, token: Option<&str>) -> (u16, serde_json::Value) {
    let mut req = common::agent().get(&format!("{base}{path}"));
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    let mut r = req.call().expect("request");
    let status = r.status().as_u16();
    (status, serde_json::from_str(&r.body_mut().read_to_string().expect("body")).unwrap_or_default())
}

/// The same life on the API (`/api/v1/work/…`): who may, evidence uploaded then named, the inbox of each
/// organisation, and the same answers as the CLI's list.
#[test]
fn work_items_on_the_api() {
    let t = TempDir::new("work-api");
    let db = t.db();
    for a in [
        &["admin1", "--role", "admin"][..],
        &["chengdu", "--role", "city", "--city", "成都"],
        &["deyang", "--role", "city", "--city", "德阳"],
        &["viewer1", "--role", "viewer"],
    ] {
        user_add(&db, a);
    }
    let token = |name: &str| ok(&db, &["user", "token", name, "--scope", "upload,read"]).trim().to_string();
    let (admin, cd, dy, viewer) = (token("admin1"), token("chengdu"), token("deyang"), token("viewer1"));
    let mut server = common::Server::start(&db);
    let base = server.base.clone();
    let json = "application/json";
    let issue = r#"{"kind":"dust_alarm","to":"city:510100","title":"工地扬尘报警","at":"2022-11-28T10:00"}"#.as_bytes();
    assert_eq!(send(&base, "/api/v1/work/items", None, json, issue).0, 401);
    assert_eq!(send(&base, "/api/v1/work/items", Some(&viewer), json, issue).0, 403);
    assert_eq!(send(&base, "/api/v1/work/items", Some(&dy), json, issue).0, 403, "a city gives no work to another");
    let (s, v) = send(&base, "/api/v1/work/items", Some(&admin), json, issue);
    assert_eq!((s, v["id"].as_i64(), v["state"].as_str()), (200, Some(1), Some("issued")), "{v}");
    let (s, v) =
        send(&base, "/api/v1/work/items", Some(&admin), json, br#"{"kind":"x","to":"city:510100","title":"t"}"#);
    assert!(s == 400 && v["error"]["message"].as_str().unwrap_or("").contains("kind"), "{v}");
    // The inboxes: 成都 sees it, 德阳 does not, the province sees everything; a viewer holds no items.
    let (_, mine) = read(&base, "/api/v1/work/items?at=2022-11-28T11:31", Some(&cd));
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    assert_eq!(
        (mine[0]["feedback_due"].as_str(), mine[0]["overdue"].as_bool()),
        (Some("2022-11-28T12:00:00+08:00"), Some(false))
    );
    assert_eq!(mine[0]["escalation"], "reminder", "75 % of the 2-hour window gone");
    assert_eq!(read(&base, "/api/v1/work/items", Some(&dy)).1.as_array().map(Vec::len), Some(0));
    assert_eq!(read(&base, "/api/v1/work/items", Some(&admin)).1.as_array().map(Vec::len), Some(1));
    assert_eq!(read(&base, "/api/v1/work/items", Some(&viewer)).0, 403);
    // 德阳 may not sign 成都's item; 成都 signs; evidence first, then the feedback naming it.
    let act = |who: &str, body: &str| send(&base, "/api/v1/work/items/1/actions", Some(who), json, body.as_bytes());
    assert_eq!(act(&dy, r#"{"action":"sign","at":"2022-11-28T10:10"}"#).0, 403);
    let (s, v) = act(&cd, r#"{"action":"sign","at":"2022-11-28T10:10"}"#);
    assert_eq!((s, v["state"].as_str(), v["version"].as_i64()), (200, Some("signed"), Some(2)), "{v}");
    let (s, e) = send(&base, "/api/v1/work/evidence", Some(&cd), "image/jpeg", b"\xff\xd8 covered");
    let reference = e["reference"].as_str().unwrap_or_default().to_string();
    assert!(s == 200 && reference.starts_with("blake3:"), "{e}");
    let unknown = r#"{"action":"feed_back","text":"已苫盖","evidence":["blake3:00"],"at":"2022-11-28T11:00"}"#;
    assert_eq!(act(&cd, unknown).0, 400, "evidence must be uploaded first");
    let fed = format!(r#"{{"action":"feed_back","text":"已苫盖","evidence":["{reference}"],"at":"2022-11-28T11:00"}}"#);
    assert_eq!(act(&cd, &fed).1["state"], "fed_back");
    assert_eq!(act(&cd, r#"{"action":"close"}"#).0, 403, "the issuer closes");
    assert_eq!(act(&admin, r#"{"action":"close"}"#).0, 400, "not verified yet");
    assert_eq!(act(&admin, r#"{"action":"verify","text":"属实","at":"2022-11-28T12:30"}"#).1["state"], "verified");
    assert_eq!(act(&admin, r#"{"action":"close","at":"2022-11-28T12:31"}"#).1["state"], "closed");
    // The CLI lists what the API did.
    let cli = ok(&db, &["work", "list", "--at", "2022-11-29T00:00", "--format", "json"]);
    let cli: serde_json::Value = serde_json::from_str(&cli).expect("json");
    let (_, api) = read(&base, "/api/v1/work/items?at=2022-11-29T00:00", Some(&admin));
    assert_eq!(cli[0]["history"], api[0]["history"]);
    assert_eq!((cli[0]["state"].as_str(), api[0]["state"].as_str()), (Some("closed"), Some("closed")));
    assert!(server.stop().success());
}

/// Signs in; returns the session cookie.
fn sign_in(base: &str, name: &str) -> String {
    let mut r = common::agent()
        .post(&format!("{base}/api/v1/session"))
        .header("Content-Type", "application/json")
        .send(format!(r#"{{"name":"{name}","password":"{PASSWORD}"}}"#))
        .expect("sign in");
    assert_eq!(r.status().as_u16(), 200);
    let cookie = r.headers().get("set-cookie").and_then(|v| v.to_str().ok()).and_then(|c| c.split(';').next());
    let cookie = cookie.expect("cookie").to_string();
    let _ = r.body_mut().read_to_string();
    cookie
}

fn page(base: &str, path: &str, cookie: &str) -> String {
    let mut r = common::agent().get(&format!("{base}{path}")).header("Cookie", cookie).call().expect("page");
    assert_eq!(r.status().as_u16(), 200, "{path}");
    r.body_mut().read_to_string().expect("body")
}

/// The inbox page (`/work`): each organisation sees its items, overdue marked, with the moves the engine
/// allows it — and only those — in both languages.
#[test]
fn the_work_page_offers_each_organisation_its_moves() {
    let t = TempDir::new("work-page");
    let db = t.db();
    user_add(&db, &["admin1", "--role", "admin"]);
    user_add(&db, &["chengdu", "--role", "city", "--city", "成都"]);
    user_add(&db, &["viewer1", "--role", "viewer"]);
    // Issued long ago: overdue now.
    ok(
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
            "火点核查 <b>",
            "--at",
            "2022-11-28T10:00",
        ],
    );
    let mut server = common::Server::start(&db);
    let base = server.base.clone();
    let cd = sign_in(&base, "chengdu");
    let html = page(&base, "/work", &cd);
    let row = html.split("<tr class=\"worst\">").nth(1).expect("the overdue row");
    assert!(
        row.contains("<td>卫星火点核查</td>") && row.contains("<td>省专班</td>") && row.contains("<td>成都</td>"),
        "{row}"
    );
    assert!(row.contains("火点核查 &#60;b&#62;"), "the title escaped: {row}");
    assert!(row.contains("超期，列入周通报"), "{row}");
    let moves: Vec<&str> = row.split("<option value=\"").skip(1).map(|o| o.split('"').next().unwrap_or("")).collect();
    assert_eq!(moves, ["sign"], "成都 signs, nothing else");
    let admin = sign_in(&base, "admin1");
    let html = page(&base, "/work?lang=en", &admin);
    let row = html.split("<tr class=\"worst\">").nth(1).expect("the overdue row");
    let moves: Vec<&str> = row.split("<option value=\"").skip(1).map(|o| o.split('"').next().unwrap_or("")).collect();
    assert_eq!(moves, ["cancel"], "the issuer may only cancel an item not yet answered");
    assert!(
        row.contains("<td>fire point</td>")
            && row.contains("<td>Province office</td>")
            && row.contains("<td>Chengdu</td>")
    );
    assert!(html.contains("id=\"issue\""), "the province issues");
    let viewer = sign_in(&base, "viewer1");
    let html = page(&base, "/work", &viewer);
    assert!(html.contains("本账号不承办督办事项") && !html.contains("id=\"items\""), "{html:.1500}");
    assert!(server.stop().success());
}

/// The compliance leads of the demonstration's response become lead reviews of their cities (issue 15
/// item 2): exactly the enterprises `lantian compliance` suspects, one item per enterprise and response,
/// none again on a second run.
#[test]
fn compliance_leads_become_work_items() {
    let t = TempDir::new("work-leads");
    let db = t.db();
    let data = t.0.join("data").display().to_string();
    ok(&db, &["synth", "--out", &data, "--days", "92", "--start", "2022-10-01"]);
    ok(&db, &["import", &data]);
    ok(&db, &["alert", "evaluate", "--at", "2022-12-30T00:00", "--record", "--by", "test"]);
    let c: serde_json::Value = serde_json::from_str(&ok(&db, &["compliance", "--format", "json"])).expect("json");
    let suspected: Vec<(String, String)> = c["enterprises"]
        .as_array()
        .expect("enterprises")
        .iter()
        .filter(|e| e["reports"].as_array().is_some_and(|r| r.iter().any(|x| !x["lead"].is_null())))
        .map(|e| (e["credit_code"].as_str().unwrap_or("").to_string(), e["city"].as_str().unwrap_or("").to_string()))
        .collect();
    assert!(!suspected.is_empty(), "the demonstration has a suspected enterprise");
    let out = ok(&db, &["work", "from-leads", "--at", "2022-12-30T09:00"]);
    assert!(out.contains(&format!("issued {} lead reviews", suspected.len())), "{out}");
    let again = ok(&db, &["work", "from-leads", "--at", "2022-12-30T10:00"]);
    assert!(again.contains("issued 0 lead reviews"), "{again}");
    let items: serde_json::Value =
        serde_json::from_str(&ok(&db, &["work", "list", "--at", "2022-12-30T09:00", "--format", "json"]))
            .expect("json");
    let items = items.as_array().expect("items");
    assert_eq!(items.len(), suspected.len());
    for item in items {
        assert_eq!(
            (item["kind"].as_str(), item["issuer"].as_str(), item["state"].as_str()),
            (Some("lead_review"), Some("province"), Some("issued"))
        );
        assert!(item["assignee"].as_str().is_some_and(|a| a.starts_with("city:51")), "{item}");
    }
    // Five working days to feed back from Friday 30 December 2022: 3, 4, 5, 6, 9 January 2023.
    assert_eq!(items[0]["feedback_due"], "2023-01-10T00:00:00+08:00");
}

/// An item's page (`/work/items/ID`): its history with each move's note and evidence, the evidence
/// downloadable by those who see the item — and by no one else, and only what the item names.
#[test]
fn an_item_page_shows_its_history_and_evidence() {
    let t = TempDir::new("work-item-page");
    let db = t.db();
    user_add(&db, &["admin1", "--role", "admin"]);
    user_add(&db, &["chengdu", "--role", "city", "--city", "成都"]);
    user_add(&db, &["deyang", "--role", "city", "--city", "德阳"]);
    ok(
        &db,
        &[
            "work",
            "issue",
            "--by",
            "admin1",
            "--kind",
            "dust-alarm",
            "--to",
            "city:510100",
            "--title",
            "工地扬尘",
            "--at",
            "2022-11-28T10:00",
        ],
    );
    ok(&db, &["work", "act", "1", "--by", "chengdu", "--action", "sign", "--at", "2022-11-28T10:10"]);
    let photo = t.0.join("site.jpg");
    std::fs::write(&photo, b"\xff\xd8 covered with netting").expect("write");
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
            "已苫盖 <script>",
            "--evidence",
            &photo.display().to_string(),
            "--at",
            "2022-11-28T11:00",
        ],
    );
    let mut server = common::Server::start(&db);
    let base = server.base.clone();
    let cd = sign_in(&base, "chengdu");
    let html = page(&base, "/work/items/1", &cd);
    let history = html.split("id=\"history\"").nth(1).expect("history");
    assert_eq!(history.matches("<tr>").count(), 4, "a header and three moves: {history:.2000}");
    assert!(history.contains("已苫盖 &#60;script&#62;") && !history.contains("<script>"), "the note escaped");
    let link =
        history.split("href=\"").nth(1).and_then(|h| h.split('"').next()).expect("evidence link").replace("&amp;", "&");
    assert!(link.starts_with("/work/evidence/blake3%3A") && link.ends_with("?item=1"), "{link}");
    let mut r = common::agent().get(&format!("{base}{link}")).header("Cookie", &cd).call().expect("evidence");
    assert_eq!(r.status().as_u16(), 200);
    let disposition = r.headers().get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(disposition.starts_with("attachment;") && disposition.ends_with(".jpg\""), "{disposition}");
    assert_eq!(r.body_mut().read_to_vec().expect("bytes"), b"\xff\xd8 covered with netting");
    // 德阳 sees neither the item nor its evidence; an item names only its own evidence.
    let dy = sign_in(&base, "deyang");
    for path in ["/work/items/1".to_string(), link.clone()] {
        let r = common::agent().get(&format!("{base}{path}")).header("Cookie", &dy).call().expect("refused");
        assert_eq!(r.status().as_u16(), 403, "{path}");
    }
    let other = link.replace("?item=1", "?item=2");
    let r = common::agent().get(&format!("{base}{other}")).header("Cookie", &cd).call().expect("missing");
    assert_eq!(r.status().as_u16(), 404);
    assert!(server.stop().success());
}

/// The month's 通报 (`lantian work bulletin`): an organisation with three items overdue at the month's end
/// is listed, one with a single overdue item is not; the table names organisations in words.
#[test]
fn the_monthly_bulletin_lists_the_late() {
    let t = TempDir::new("work-bulletin");
    let db = t.db();
    user_add(&db, &["admin1", "--role", "admin"]);
    for (city, n) in [("city:510100", 3), ("city:510600", 1)] {
        for k in 0..n {
            let title = format!("火点核查 {k}");
            ok(
                &db,
                &[
                    "work",
                    "issue",
                    "--by",
                    "admin1",
                    "--kind",
                    "fire-point",
                    "--to",
                    city,
                    "--title",
                    &title,
                    "--at",
                    "2022-11-10T10:00",
                ],
            );
        }
    }
    let csv = ok(&db, &["work", "bulletin", "--month", "2022-11", "--format", "csv"]);
    assert_eq!(csv, "org,overdue,returns\ncity:510100,3,0\n");
    // Judged when the month is not over: on 11 November at 09:00 nothing is overdue yet.
    let early = ok(&db, &["work", "bulletin", "--month", "2022-11", "--at", "2022-11-11T09:00", "--format", "csv"]);
    assert_eq!(early, "org,overdue,returns\n");
    let table = ok(&db, &["work", "bulletin", "--month", "2022-11"]);
    assert!(table.contains("2022年11月督办通报") && table.contains("成都") && !table.contains("city:"), "{table}");
    assert!(lantian(&db, &["work", "bulletin", "--month", "2022-13"]).status.code() != Some(0));
}
