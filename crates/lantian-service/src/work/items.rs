//! Work items through the store (issue 15 item 1): who an account acts as, issuing an item, moving it
//! (the engine decides who may; the store refuses a change made from a stale read), delegation
//! creating the children and a closed child releasing its parent, every move audited in the same
//! transaction; and the inbox with what the clock derives (overdue, the escalation rung). One code
//! path for the CLI and, next, the web.

use chrono::NaiveDateTime;
use lantian_core::work::items::{
    Action, AssurancePeriod, Escalation, ItemKind, Org, Origin, Priority, Subject, WorkItem, DEFAULT_CLOCKS,
};
use lantian_store::{Account, ItemFilter, Store, StoredItem, Tx};

use crate::accounts::Role;
use crate::{Result, ServiceError};

/// The organisation an account acts as (`work.md` §0): an administrator the province's office, a city
/// user its city, a department user its department; a viewer none (it does not act on items).
pub fn org_of(account: &Account) -> Option<Org> {
    match Role::parse(&account.role)? {
        Role::Admin => Some(Org::ProvinceOffice),
        Role::City => account.city.as_ref().and_then(|c| c.code).map(Org::City),
        Role::Department => account.department.clone().map(Org::Dept),
        Role::Viewer => None,
    }
}

fn refused(m: String) -> ServiceError {
    ServiceError::Request(m)
}

fn forbidden(m: String) -> ServiceError {
    ServiceError::Forbidden(m)
}

/// The engine's refusal: not the actor's move is forbidden, the rest a bad request.
fn engine(e: lantian_core::work::items::WorkError) -> ServiceError {
    match e {
        lantian_core::work::items::WorkError::NotYours { .. } => forbidden(e.to_string()),
        other => refused(other.to_string()),
    }
}

/// Whether `issuer` may give work to `assignee` (`work.md` §0 [D]): the province's office to anyone; a
/// department to cities, counties and enterprises; a city to its own counties and to enterprises.
pub fn may_issue_to(issuer: &Org, assignee: &Org) -> bool {
    match (issuer, assignee) {
        (Org::ProvinceOffice, _) => true,
        (Org::Dept(_), Org::City(_) | Org::County(_) | Org::Enterprise(_)) => true,
        (Org::City(c), Org::County(k)) => k / 100 == c / 100,
        (Org::City(_), Org::Enterprise(_)) => true,
        _ => false,
    }
}

/// A new item as asked.
#[derive(Clone, Debug)]
pub struct NewItem {
    pub kind: ItemKind,
    pub title: String,
    pub assignee: Org,
    pub origin: Origin,
    pub subject: Option<Subject>,
    pub priority: Priority,
}

/// Issues an item from the account's organisation at `at` (the clocks of its kind, tightened in an
/// assurance period); audited as `work.issue`. Its id.
pub fn issue(
    tx: &mut Tx<'_>,
    account: &Account,
    new: &NewItem,
    at: NaiveDateTime,
    periods: &[AssurancePeriod],
    audit: (&str, &str),
) -> Result<i64> {
    let issuer = org_of(account).ok_or_else(|| forbidden(format!("{} does not issue work items", account.name)))?;
    issue_as(tx, &issuer, &account.name, new, at, periods, audit)
}

/// [`issue`] by an organisation, `actor` named in the audit log (the demonstration, automatic items).
pub fn issue_as(
    tx: &mut Tx<'_>,
    issuer: &Org,
    actor: &str,
    new: &NewItem,
    at: NaiveDateTime,
    periods: &[AssurancePeriod],
    audit: (&str, &str),
) -> Result<i64> {
    let issuer = issuer.clone();
    if !may_issue_to(&issuer, &new.assignee) {
        return Err(forbidden(format!("{actor} ({}) does not give work to {}", issuer.key(), new.assignee.key())));
    }
    if new.title.trim().is_empty() {
        return Err(refused("an item needs its title".into()));
    }
    let mut draft = WorkItem::draft(new.kind, new.title.trim(), issuer.clone(), new.assignee.clone());
    draft.origin = new.origin.clone();
    draft.subject = new.subject.clone();
    draft.priority = new.priority;
    let item =
        draft.apply_during(&Action::Issue, &issuer, at, DEFAULT_CLOCKS, periods).map_err(|e| refused(e.to_string()))?;
    let id = tx.work().insert_item(None, &item)?;
    let detail = format!("item {id} {} to {}: {}", item.kind.code(), item.assignee.key(), item.title);
    tx.accounts().audit(audit.0, actor, "work.issue", &detail, audit.1)?;
    Ok(id)
}

/// Moves item `id` as the account asks at `at` (`children`: the lower-level organisations of a
/// delegation, each given a child item with the parent's kind and title); audited as `work.ACTION`.
/// The item as stored after it.
pub fn act(
    tx: &mut Tx<'_>,
    account: &Account,
    id: i64,
    action: &Action,
    children: &[Org],
    at: NaiveDateTime,
    audit: (&str, &str),
) -> Result<StoredItem> {
    let actor = org_of(account).ok_or_else(|| forbidden(format!("{} does not act on work items", account.name)))?;
    act_as(tx, &actor, &account.name, id, action, children, at, audit)
}

/// [`act`] by an organisation, `name` in the audit log (the demonstration, automatic moves).
#[allow(clippy::too_many_arguments)]
pub fn act_as(
    tx: &mut Tx<'_>,
    actor: &Org,
    name: &str,
    id: i64,
    action: &Action,
    children: &[Org],
    at: NaiveDateTime,
    audit: (&str, &str),
) -> Result<StoredItem> {
    let actor = actor.clone();
    let stored = tx.work().item(id)?.ok_or_else(|| refused(format!("no work item {id}")))?;
    let action = match action {
        Action::Delegate { .. } => Action::Delegate { children: children.len() },
        other => other.clone(),
    };
    let next = stored.item.apply(&action, &actor, at, DEFAULT_CLOCKS).map_err(engine)?;
    tx.work().update_item(id, stored.version, &next)?;
    if let Action::Delegate { .. } = action {
        for org in children {
            if !may_issue_to(&actor, org) {
                return Err(forbidden(format!("{} does not hand work down to {}", actor.key(), org.key())));
            }
            let mut child = WorkItem::draft(next.kind, &next.title, actor.clone(), org.clone());
            child.origin = next.origin.clone();
            child.subject = next.subject.clone();
            child.priority = next.priority;
            let child = child.apply(&Action::Issue, &actor, at, DEFAULT_CLOCKS).map_err(engine)?;
            tx.work().insert_item(Some(id), &child)?;
        }
    }
    // A child finished: its parent waits for one fewer.
    if next.state.is_final() {
        if let Some(pid) = stored.parent_id {
            if let Some(parent) = tx.work().item(pid)? {
                let mut p = parent.item.clone();
                p.child_closed();
                tx.work().update_item(pid, parent.version, &p)?;
            }
        }
    }
    let detail = format!("item {id} {} → {}", stored.item.state.code(), next.state.code());
    tx.accounts().audit(audit.0, name, &format!("work.{}", action.code()), &detail, audit.1)?;
    tx.work().item(id)?.ok_or_else(|| refused(format!("no work item {id}")))
}

/// One row of an inbox: the item and what the clock says at `now`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub item: WorkItem,
    pub overdue: bool,
    pub sign_late: bool,
    pub escalation: Escalation,
}

/// The items issued to or by `org` (every item when `None`), open ones only when asked, at `now`:
/// overdue first, then by feedback time.
pub fn inbox(store: &dyn Store, org: Option<&Org>, open_only: bool, now: NaiveDateTime) -> Result<Vec<InboxRow>> {
    let filter = ItemFilter { orgs: org.cloned().into_iter().collect(), open_only, parent_id: None };
    let mut rows: Vec<InboxRow> = store
        .items(&filter)?
        .into_iter()
        .map(|s| InboxRow {
            id: s.id,
            parent_id: s.parent_id,
            overdue: s.item.is_overdue(now),
            sign_late: s.item.is_sign_late(now),
            escalation: s.item.escalation(now),
            item: s.item,
        })
        .collect();
    rows.sort_by_key(|a| (!a.overdue, a.item.feedback_due, a.id));
    Ok(rows)
}

/// One organisation of a month's 通报 (`work.md` §1 [D]): its items overdue at the month's end (or at
/// `now`, if earlier) and the returns it got in the month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub org: Org,
    pub overdue: u32,
    pub returns: u32,
}

/// The organisations a month's 通报 lists — at least 3 items overdue or at least 2 returns — with their
/// counts, judged at the month's end or at `now` when the month is not over (`lantian work bulletin`).
pub fn monthly_bulletin(
    store: &dyn Store,
    month: (NaiveDateTime, NaiveDateTime),
    now: NaiveDateTime,
) -> Result<Vec<Listed>> {
    let items: Vec<WorkItem> = store.items(&ItemFilter::default())?.into_iter().map(|s| s.item).collect();
    let at = if now < month.1 { now } else { month.1 };
    Ok(lantian_core::work::items::monthly_listing(&items, month, at)
        .into_iter()
        .map(|(org, overdue, returns)| Listed { org, overdue, returns })
        .collect())
}
