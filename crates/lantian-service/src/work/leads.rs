//! The compliance leads of the emergency response become work items (issue 15 item 2: "the compliance
//! leads of the emergency response become items automatically"; `work.md` §1, origin `Lead`): each
//! enterprise suspected of not applying its measures during a response (`emergency::control::
//! compliance`) is an item of kind `LeadReview` from the province's office to its city — the subject the
//! enterprise, the title the lead's own words — on the lead review's clocks (1 working day to sign, 5 to
//! feed back). One item per enterprise and response, ever: running again creates nothing new.

use chrono::NaiveDateTime;
use lantian_core::work::items::{Action, ItemKind, Org, Origin, Priority, Subject, WorkItem, DEFAULT_CLOCKS};
use lantian_store::{ItemFilter, Tx};

use crate::emergency::control;
use crate::{Result, ServiceError};

/// The reference of a lead: the enterprise, the start of the response and its level.
fn lead_ref(credit_code: &str, from: NaiveDateTime, level: &str) -> String {
    format!("{credit_code}@{}@{level}", from.format("%Y-%m-%dT%H:%M"))
}

/// Issues an item for every lead of the responses up to `until` that has none yet, at `at`; audited
/// as `work.issue` by `actor`. The ids of the items created.
pub fn items_from_leads(
    tx: &mut Tx<'_>,
    until: NaiveDateTime,
    at: NaiveDateTime,
    actor: &str,
    audit: (&str, &str),
) -> Result<Vec<i64>> {
    let (wanted, existing) = {
        let store = tx.reader();
        let responses = control::responses(store, &[], until)?;
        let results = control::compliance(store, &responses)?;
        let existing: Vec<String> = store
            .items(&ItemFilter { orgs: vec![Org::ProvinceOffice], ..Default::default() })?
            .into_iter()
            .filter_map(|s| match s.item.origin {
                Origin::Lead(r) => Some(r),
                _ => None,
            })
            .collect();
        (results, existing)
    };
    let mut made = Vec::new();
    for e in wanted.iter().filter(|e| e.suspected()) {
        let r = lead_ref(&e.credit_code, e.response.from, e.response.level.code());
        if existing.contains(&r) {
            continue;
        }
        let summary = e.reports.iter().find_map(|x| x.lead.as_ref()).map_or(String::new(), |l| l.summary_zh.clone());
        let mut item = WorkItem::draft(
            ItemKind::LeadReview,
            &format!("{}（{}）：{summary}", e.name, e.response.level.name_zh()),
            Org::ProvinceOffice,
            Org::City(e.response.city_code),
        );
        item.origin = Origin::Lead(r);
        item.subject = Some(Subject::Enterprise(e.credit_code.clone()));
        item.priority = Priority::P1;
        let item = item
            .apply(&Action::Issue, &Org::ProvinceOffice, at, DEFAULT_CLOCKS)
            .map_err(|err| ServiceError::Request(err.to_string()))?;
        let id = tx.work().insert_item(None, &item)?;
        let detail =
            format!("item {id} lead_review to {} from a compliance lead: {}", item.assignee.key(), e.credit_code);
        tx.accounts().audit(audit.0, actor, "work.issue", &detail, audit.1)?;
        made.push(id);
    }
    Ok(made)
}
