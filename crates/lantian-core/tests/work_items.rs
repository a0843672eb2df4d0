//! The work-item engine (`work.md` §1) at exact instants: every transition and who may make it, the
//! clocks on natural and working days (holidays and adjusted weekends), overdue derived from the clock,
//! the escalation ladder, delegation, returns, and the monthly listing.

use chrono::{NaiveDate, NaiveDateTime};
use lantian_core::work::items::*;

fn t(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, 0)).expect("time")
}

const PROVINCE: Org = Org::ProvinceOffice;

fn chengdu() -> Org {
    Org::City(510100)
}

fn issued(kind: ItemKind, at: NaiveDateTime) -> WorkItem {
    WorkItem::draft(kind, "核查", PROVINCE, chengdu())
        .apply(&Action::Issue, &PROVINCE, at, DEFAULT_CLOCKS)
        .expect("issued")
}

fn feedback() -> Action {
    Action::FeedBack { text: "已现场核查".into(), evidence: vec!["sha256:ab12".into()] }
}

#[test]
fn a_fire_point_runs_on_natural_hours_and_climbs_the_ladder() {
    let it = issued(ItemKind::FirePoint, t(2022, 11, 28, 10, 0));
    assert_eq!((it.sign_due, it.feedback_due), (Some(t(2022, 11, 28, 11, 0)), Some(t(2022, 11, 29, 10, 0))));
    assert!(!it.is_sign_late(t(2022, 11, 28, 11, 0)) && it.is_sign_late(t(2022, 11, 28, 11, 1)));
    assert!(!it.is_overdue(t(2022, 11, 29, 10, 0)), "at the due instant it is not yet overdue");
    assert!(it.is_overdue(t(2022, 11, 29, 10, 1)));
    // The ladder: 75 % of 24 h is 18 h; due; due + 50 % of the window (36 h).
    assert_eq!(it.escalation(t(2022, 11, 29, 3, 59)), Escalation::None);
    assert_eq!(it.escalation(t(2022, 11, 29, 4, 0)), Escalation::Reminder);
    assert_eq!(it.escalation(t(2022, 11, 29, 10, 0)), Escalation::Reminder);
    assert_eq!(it.escalation(t(2022, 11, 29, 10, 1)), Escalation::SuperiorNotified);
    assert_eq!(it.escalation(t(2022, 11, 29, 22, 0)), Escalation::SuperiorNotified);
    assert_eq!(it.escalation(t(2022, 11, 29, 22, 1)), Escalation::Listed);
    // Answered late: no longer overdue, off the ladder (the lateness stays in its history).
    let signed = it.apply(&Action::Sign, &chengdu(), t(2022, 11, 29, 11, 0), DEFAULT_CLOCKS).expect("sign");
    let fed = signed.apply(&feedback(), &chengdu(), t(2022, 11, 29, 23, 0), DEFAULT_CLOCKS).expect("feedback");
    assert!(!fed.is_overdue(t(2022, 12, 1, 0, 0)));
    assert_eq!(fed.escalation(t(2022, 12, 1, 0, 0)), Escalation::None);
    assert!(fed.history.last().is_some_and(|h| h.at > t(2022, 11, 29, 10, 0)));
}

#[test]
fn a_lead_review_runs_on_working_days_across_the_national_day_holiday() {
    // Thursday 28 September 2023, 16:00: 29 Sep – 6 Oct is the holiday, Saturday 7 and Sunday 8 October
    // are working days. Sign within 1 working day, feed back within 5.
    let it = issued(ItemKind::LeadReview, t(2023, 9, 28, 16, 0));
    assert_eq!(it.sign_due, Some(t(2023, 10, 8, 0, 0)));
    assert_eq!(it.feedback_due, Some(t(2023, 10, 12, 0, 0)));
    assert!(!it.is_overdue(t(2023, 10, 12, 0, 0)) && it.is_overdue(t(2023, 10, 12, 0, 1)));
    // A rectification of 15 working days issued before the 2026 Spring Festival.
    let it = issued(ItemKind::Rectification, t(2026, 2, 13, 9, 0));
    assert_eq!(it.sign_due, Some(t(2026, 2, 15, 0, 0)), "Saturday 14 February is a working day");
    // 14 Feb, then 24–28 Feb (Saturday 28 February a working day too), then 2–6 and 9–12 March.
    assert_eq!(it.feedback_due, Some(t(2026, 3, 13, 0, 0)));
    // Into a year the calendar has no notice for: refused, naming the year.
    let err = WorkItem::draft(ItemKind::LeadReview, "x", PROVINCE, chengdu())
        .apply(&Action::Issue, &PROVINCE, t(2026, 12, 30, 9, 0), DEFAULT_CLOCKS)
        .expect_err("no 2027 notice");
    assert!(err.to_string().contains("no holiday notice for 2027"), "{err}");
}

#[test]
fn the_whole_life_of_an_item_with_a_return() {
    let c = DEFAULT_CLOCKS;
    let it = issued(ItemKind::Rectification, t(2022, 11, 1, 9, 0));
    let it = it.apply(&Action::Sign, &chengdu(), t(2022, 11, 1, 10, 0), c).expect("sign");
    let no_evidence = Action::FeedBack { text: "已整改".into(), evidence: vec![] };
    assert_eq!(it.apply(&no_evidence, &chengdu(), t(2022, 11, 2, 9, 0), c), Err(WorkError::NoEvidence));
    let it = it.apply(&feedback(), &chengdu(), t(2022, 11, 2, 9, 0), c).expect("feedback");
    let back = Action::Verify { accepted: false, opinion: "现场仍有裸土未苫盖".into() };
    let it = it.apply(&back, &PROVINCE, t(2022, 11, 3, 9, 0), c).expect("returned");
    assert_eq!((it.state, it.returns), (State::Returned, 1));
    assert!(!it.is_overdue(t(2022, 11, 4, 0, 0)));
    let it = it.apply(&feedback(), &chengdu(), t(2022, 11, 4, 9, 0), c).expect("feedback again");
    let ok = Action::Verify { accepted: true, opinion: "属实".into() };
    let it = it.apply(&ok, &PROVINCE, t(2022, 11, 5, 9, 0), c).expect("verified");
    let it = it.apply(&Action::Close, &PROVINCE, t(2022, 11, 5, 10, 0), c).expect("closed");
    let path: Vec<&str> = it.history.iter().map(|h| h.to.code()).collect();
    assert_eq!(path, ["issued", "signed", "fed_back", "returned", "fed_back", "verified", "closed"]);
    assert_eq!(it.history[2].evidence, ["sha256:ab12"]);
    assert_eq!(it.history[3].comment, "现场仍有裸土未苫盖");
    // Finished: nothing more, not even a cancellation.
    let cancel = Action::Cancel { reason: "重复".into() };
    assert!(matches!(it.apply(&cancel, &PROVINCE, t(2022, 11, 6, 9, 0), c), Err(WorkError::WrongState { .. })));
}

#[test]
fn who_may_move_each_transition() {
    let c = DEFAULT_CLOCKS;
    let verifier = Org::Dept("省生态环境厅执法局".into());
    let other = Org::City(510600);
    let at = t(2022, 11, 1, 9, 0);
    let mut draft = WorkItem::draft(ItemKind::Rectification, "x", PROVINCE, chengdu());
    draft.verifier = Some(verifier.clone());
    let issued = draft.apply(&Action::Issue, &PROVINCE, at, c).expect("issue");
    let signed = issued.apply(&Action::Sign, &chengdu(), at, c).expect("sign");
    let fed = signed.apply(&feedback(), &chengdu(), at, c).expect("feedback");
    let verified =
        fed.apply(&Action::Verify { accepted: true, opinion: String::new() }, &verifier, at, c).expect("verify");
    // (item in its state, action, the one actor allowed); every other actor is refused as not theirs.
    let cases: Vec<(&WorkItem, Action, Org)> = vec![
        (&draft, Action::Issue, PROVINCE),
        (&issued, Action::Sign, chengdu()),
        (&signed, Action::Delegate { children: 2 }, chengdu()),
        (&signed, feedback(), chengdu()),
        (&fed, Action::Verify { accepted: true, opinion: String::new() }, verifier.clone()),
        (&fed, Action::Verify { accepted: false, opinion: "不实".into() }, verifier.clone()),
        (&verified, Action::Close, PROVINCE),
        (&verified, Action::OpenClue, PROVINCE),
        (&issued, Action::Cancel { reason: "重复下发".into() }, PROVINCE),
    ];
    for (item, action, allowed) in &cases {
        for actor in [PROVINCE, chengdu(), verifier.clone(), other.clone()] {
            let r = item.apply(action, &actor, at, c);
            if actor == *allowed {
                assert!(r.is_ok(), "{} by {actor:?}: {r:?}", action.code());
            } else {
                assert!(matches!(r, Err(WorkError::NotYours { .. })), "{} by {actor:?}: {r:?}", action.code());
            }
        }
    }
    // The issuer verifies when no verifier is named.
    let plain = WorkItem::draft(ItemKind::Rectification, "x", PROVINCE, chengdu())
        .apply(&Action::Issue, &PROVINCE, at, c)
        .and_then(|i| i.apply(&Action::Sign, &chengdu(), at, c))
        .and_then(|i| i.apply(&feedback(), &chengdu(), at, c))
        .expect("fed back");
    assert!(plain.apply(&Action::Verify { accepted: true, opinion: String::new() }, &PROVINCE, at, c).is_ok());
    // Out of order: refused, naming the state.
    let e = issued.apply(&feedback(), &chengdu(), at, c).expect_err("not signed");
    assert_eq!(e.to_string(), "feed_back: not possible from issued (the item is issued)");
    // A return and a cancellation need their reasons.
    assert_eq!(
        fed.apply(&Action::Verify { accepted: false, opinion: " ".into() }, &verifier, at, c),
        Err(WorkError::NoReason("return"))
    );
    assert_eq!(
        issued.apply(&Action::Cancel { reason: String::new() }, &PROVINCE, at, c),
        Err(WorkError::NoReason("cancel"))
    );
}

#[test]
fn a_delegated_item_waits_for_its_children() {
    let c = DEFAULT_CLOCKS;
    let at = t(2022, 11, 1, 9, 0);
    let it = issued(ItemKind::Rectification, at).apply(&Action::Sign, &chengdu(), at, c).expect("sign");
    assert_eq!(it.apply(&Action::Delegate { children: 0 }, &chengdu(), at, c), Err(WorkError::NoChildren));
    let mut it = it.apply(&Action::Delegate { children: 2 }, &chengdu(), at, c).expect("delegated");
    assert_eq!(it.apply(&feedback(), &chengdu(), at, c), Err(WorkError::ChildrenOpen(2)));
    it.child_closed();
    assert_eq!(it.apply(&feedback(), &chengdu(), at, c), Err(WorkError::ChildrenOpen(1)));
    it.child_closed();
    assert_eq!(it.apply(&feedback(), &chengdu(), at, c).map(|i| i.state), Ok(State::FedBack));
}

#[test]
fn the_month_lists_the_late_and_the_returned() {
    let c = DEFAULT_CLOCKS;
    let at = t(2022, 11, 1, 9, 0);
    let month = (t(2022, 11, 1, 0, 0), t(2022, 12, 1, 0, 0));
    let now = t(2022, 11, 30, 12, 0);
    // 成都: three fire points never answered (overdue); 德阳: one item returned twice.
    let mut items: Vec<WorkItem> = (0..3).map(|_| issued(ItemKind::FirePoint, at)).collect();
    let deyang = Org::City(510600);
    let back = Action::Verify { accepted: false, opinion: "不实".into() };
    let mut it = WorkItem::draft(ItemKind::Rectification, "x", PROVINCE, deyang.clone())
        .apply(&Action::Issue, &PROVINCE, at, c)
        .and_then(|i| i.apply(&Action::Sign, &deyang, at, c))
        .expect("signed");
    for _ in 0..2 {
        it = it.apply(&feedback(), &deyang, at, c).and_then(|i| i.apply(&back, &PROVINCE, at, c)).expect("returned");
    }
    items.push(it);
    // 自贡: one overdue item only — not listed.
    items.push(WorkItem { assignee: Org::City(510300), ..issued(ItemKind::FirePoint, at) });
    // 德阳's returned item is open again and, past its 15 working days, overdue too.
    assert_eq!(monthly_listing(&items, month, now), [(chengdu(), 3, 0), (deyang, 1, 2)]);
}

#[test]
fn an_overdue_county_is_reported_to_its_city() {
    let city_of = |county: u32| (county / 100 * 100 != county).then_some(county / 100 * 100);
    assert_eq!(superior(&Org::County(510104), city_of), Org::City(510100));
    assert_eq!(superior(&Org::City(510100), city_of), Org::ProvinceOffice);
    assert_eq!(superior(&Org::Dept("省公安厅".into()), city_of), Org::ProvinceOffice);
}

#[test]
fn an_assurance_period_tightens_the_clocks_of_items_issued_in_it() {
    let period =
        AssurancePeriod {
            name: "成都大运会".into(), from: t(2023, 7, 28, 0, 0), to: t(2023, 8, 9, 0, 0), percent: 50
        };
    let during = |at| {
        WorkItem::draft(ItemKind::DustAlarm, "工地扬尘", PROVINCE, chengdu())
            .apply_during(&Action::Issue, &PROVINCE, at, DEFAULT_CLOCKS, std::slice::from_ref(&period))
            .expect("issued")
    };
    // A dust alarm: 30 min / 2 h, halved to 15 min / 1 h during the period, not before it nor from its end.
    let it = during(t(2023, 7, 28, 10, 0));
    assert_eq!((it.sign_due, it.feedback_due), (Some(t(2023, 7, 28, 10, 15)), Some(t(2023, 7, 28, 11, 0))));
    let it = during(t(2023, 7, 27, 23, 59));
    assert_eq!(it.feedback_due, Some(t(2023, 7, 28, 1, 59)));
    let it = during(t(2023, 8, 9, 0, 0));
    assert_eq!(it.feedback_due, Some(t(2023, 8, 9, 2, 0)));
    // Working days round up and never vanish: 15 → 8, 1 → 1.
    assert_eq!(Window::WorkingDays(15).scaled(50), Window::WorkingDays(8));
    assert_eq!(Window::WorkingDays(1).scaled(50), Window::WorkingDays(1));
    assert_eq!(Window::Minutes(45).scaled(50), Window::Minutes(23));
}

#[test]
fn organisations_and_kinds_have_one_spelling() {
    for org in
        [PROVINCE, chengdu(), Org::County(510104), Org::Dept("省公安厅".into()), Org::Enterprise("91510100MA6C".into())]
    {
        assert_eq!(Org::from_key(&org.key()), Some(org.clone()), "{}", org.key());
    }
    assert_eq!(chengdu().key(), "city:510100");
    for bad in ["", "city:", "city:成都", "dept:", "mayor:1", "provinces"] {
        assert_eq!(Org::from_key(bad), None, "{bad:?}");
    }
    for k in ItemKind::ALL {
        assert_eq!(ItemKind::from_code(k.code()), Some(k));
    }
    assert_eq!(ItemKind::from_code("fire-point"), Some(ItemKind::FirePoint));
    assert_eq!(ItemKind::from_code("fire"), None);
}

/// What a form offers (`moves_for`) is exactly what the engine then accepts, in every state, for the
/// issuer, the assignee and anyone else.
#[test]
fn the_moves_offered_are_the_moves_accepted() {
    let c = DEFAULT_CLOCKS;
    let at = t(2022, 11, 1, 9, 0);
    let issued = issued(ItemKind::Rectification, at);
    let signed = issued.apply(&Action::Sign, &chengdu(), at, c).expect("sign");
    let fed = signed.apply(&feedback(), &chengdu(), at, c).expect("feedback");
    let returned =
        fed.apply(&Action::Verify { accepted: false, opinion: "不实".into() }, &PROVINCE, at, c).expect("return");
    let verified =
        fed.apply(&Action::Verify { accepted: true, opinion: String::new() }, &PROVINCE, at, c).expect("verify");
    let closed = verified.apply(&Action::Close, &PROVINCE, at, c).expect("close");
    let candidates = |code: &str| -> Action {
        match code {
            "sign" => Action::Sign,
            "delegate" => Action::Delegate { children: 1 },
            "feed_back" => feedback(),
            "verify" => Action::Verify { accepted: true, opinion: String::new() },
            "return" => Action::Verify { accepted: false, opinion: "不实".into() },
            "close" => Action::Close,
            "open_clue" => Action::OpenClue,
            _ => Action::Cancel { reason: "重复".into() },
        }
    };
    let codes = ["sign", "delegate", "feed_back", "verify", "return", "close", "open_clue", "cancel"];
    for item in [&issued, &signed, &fed, &returned, &verified, &closed] {
        for actor in [PROVINCE, chengdu(), Org::City(510600)] {
            let offered = item.moves_for(&actor);
            let accepted: Vec<&str> =
                codes.iter().copied().filter(|code| item.apply(&candidates(code), &actor, at, c).is_ok()).collect();
            assert_eq!(offered, accepted, "{} for {actor:?}", item.state.code());
        }
    }
}
