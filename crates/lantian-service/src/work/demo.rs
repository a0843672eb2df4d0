//! The demonstration's work (issue 15 item 7, begun): around the demonstration's heavy-pollution
//! episode, the work a province runs — fire points checked on the ground, dust alarms handled within
//! hours, a pairing visit's problem rectified after a return, a county-level delegation, a clue handed
//! to the police, and items still open — so that `/work` and `lantian work list` have something true to
//! show. Every item goes through the engine and the store like any other (`issue_as`, `act_as`), its
//! moves audited under the demonstration's name.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use lantian_core::work::items::{Action, ItemKind, Org, Origin, Priority, Subject};
use lantian_store::Tx;

use super::items::{act_as, issue_as, NewItem};
use crate::Result;

/// Who acts in the demonstration's audit entries.
pub const DEMO_ACTOR: &str = "演示";

/// Issues an item from the province's office under the demonstration's name.
fn give(
    tx: &mut Tx<'_>,
    (kind, to, title): (ItemKind, Org, &str),
    origin: Origin,
    subject: Option<Subject>,
    when: NaiveDateTime,
    audit: (&str, &str),
) -> Result<i64> {
    let new = NewItem { kind, title: title.to_string(), assignee: to, origin, subject, priority: Priority::P2 };
    issue_as(tx, &Org::ProvinceOffice, DEMO_ACTOR, &new, when, &[], audit)
}

/// A feedback with its evidence: the demonstration's site record (a short text document), stored like
/// any evidence.
fn feedback(tx: &mut Tx<'_>, text: &str) -> Result<Action> {
    let record = format!("现场核查记录（演示）\n{text}\n");
    let reference = tx.work().put_evidence("text/plain; charset=utf-8", record.as_bytes())?;
    Ok(Action::FeedBack { text: text.to_string(), evidence: vec![reference] })
}

/// Records the demonstration's work, days before and after `around` (the episode's end); the ids made.
pub fn demo_work(tx: &mut Tx<'_>, around: NaiveDate, audit_at: &str) -> Result<Vec<i64>> {
    let at = |days: i64, h: u32| -> NaiveDateTime {
        (around + Duration::days(days)).and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN))
    };
    let audit = (audit_at, "demo");
    let p = Org::ProvinceOffice;
    let mut made = Vec::new();
    let step = |tx: &mut Tx<'_>, who: &Org, id: i64, a: Action, when: NaiveDateTime| {
        act_as(tx, who, DEMO_ACTOR, id, &a, &[], when, audit).map(|_| ())
    };
    // Satellite fire points: three checked and closed within the day, one signed and not answered.
    for (k, (city, place)) in
        [(511500, "宜宾市叙州区"), (510500, "泸州市合江县"), (511700, "达州市渠县"), (511300, "南充市营山县")]
            .iter()
            .enumerate()
    {
        let k = k as i64;
        let id = give(
            tx,
            (ItemKind::FirePoint, Org::City(*city), &format!("卫星火点核查：{place}")),
            Origin::FirePoint(format!("demo-fire-{k}")),
            None,
            at(-10 + k, 9),
            audit,
        )?;
        step(tx, &Org::City(*city), id, Action::Sign, at(-10 + k, 9) + Duration::minutes(40))?;
        if k < 3 {
            let a = feedback(tx, "现场核查为秸秆焚烧，已扑灭并立案")?;
            step(tx, &Org::City(*city), id, a, at(-10 + k, 18))?;
            step(tx, &p, id, Action::Verify { accepted: true, opinion: "属实".into() }, at(-9 + k, 9))?;
            step(tx, &p, id, Action::Close, at(-9 + k, 9) + Duration::minutes(5))?;
        }
        made.push(id);
    }
    // Dust alarms in the episode: handled within two hours.
    for (k, city) in [510100u32, 510600].iter().enumerate() {
        let k = k as i64;
        let id = give(
            tx,
            (ItemKind::DustAlarm, Org::City(*city), "工地扬尘在线监测报警"),
            Origin::DustAlarm(format!("demo-dust-{k}")),
            None,
            at(-3, 10 + k as u32),
            audit,
        )?;
        step(tx, &Org::City(*city), id, Action::Sign, at(-3, 10 + k as u32) + Duration::minutes(15))?;
        let a = feedback(tx, "已停工洒水，裸土苫盖")?;
        step(tx, &Org::City(*city), id, a, at(-3, 11 + k as u32))?;
        step(tx, &p, id, Action::Verify { accepted: true, opinion: "属实".into() }, at(-3, 12 + k as u32))?;
        step(tx, &p, id, Action::Close, at(-3, 12 + k as u32) + Duration::minutes(5))?;
        made.push(id);
    }
    // A pairing visit's problem in 自贡: fed back, returned once, fed back again, closed.
    let zigong = Org::City(510300);
    let id = give(
        tx,
        (ItemKind::Rectification, zigong.clone(), "结对帮扶发现问题：工业园区VOCs无组织排放整改"),
        Origin::PairingVisit("demo-visit".into()),
        None,
        at(-20, 9),
        audit,
    )?;
    step(tx, &zigong, id, Action::Sign, at(-20, 14))?;
    let a = feedback(tx, "已整改")?;
    step(tx, &zigong, id, a, at(-15, 10))?;
    step(tx, &p, id, Action::Verify { accepted: false, opinion: "缺少整改前后对比照片".into() }, at(-14, 10))?;
    let a = feedback(tx, "补充整改前后照片及监测报告")?;
    step(tx, &zigong, id, a, at(-12, 10))?;
    step(tx, &p, id, Action::Verify { accepted: true, opinion: "属实".into() }, at(-11, 10))?;
    step(tx, &p, id, Action::Close, at(-11, 11))?;
    made.push(id);
    // 成都 hands a rectification to two districts; the parent waits for them.
    let chengdu = Org::City(510100);
    let id = give(
        tx,
        (ItemKind::Rectification, chengdu.clone(), "重污染期间渣土车违规上路整治"),
        Origin::Manual,
        None,
        at(-6, 9),
        audit,
    )?;
    step(tx, &chengdu, id, Action::Sign, at(-6, 10))?;
    act_as(
        tx,
        &chengdu,
        DEMO_ACTOR,
        id,
        &Action::Delegate { children: 2 },
        &[Org::County(510104), Org::County(510105)],
        at(-6, 11),
        audit,
    )?;
    made.push(id);
    // A clue handed to the police, which opens a case.
    let police = Org::Dept("四川省公安厅".into());
    let id = give(
        tx,
        (ItemKind::ClueTransfer, police.clone(), "移送线索：机动车排放检验机构涉嫌出具虚假检验报告"),
        Origin::Manual,
        Some(Subject::Enterprise("91510100MA61DEMO0X".into())),
        at(-8, 9),
        audit,
    )?;
    step(tx, &police, id, Action::Sign, at(-7, 9))?;
    let a = feedback(tx, "已受理，立案侦查")?;
    step(tx, &police, id, a, at(-2, 9))?;
    step(tx, &p, id, Action::Verify { accepted: true, opinion: "转立案".into() }, at(-1, 9))?;
    step(tx, &p, id, Action::OpenClue, at(-1, 10))?;
    made.push(id);
    Ok(made)
}
