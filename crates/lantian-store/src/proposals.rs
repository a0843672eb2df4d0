//! The decision on a city's proposal (a bonus/penalty item or a dust period), the same on every backend:
//! who may decide it when, what an approval stores, and what the audit log says. The backends only read
//! the proposal, store what [`approved_record`] returns and write the row and the audit entry.

use chrono::NaiveDate;

use crate::{Proposal, Result, StoreError};

/// What an approved proposal stores.
pub(crate) enum Approved {
    Adjustment { date: NaiveDate, item: String, evidence: String, approver: String },
    Dust { start: NaiveDate, end: NaiveDate, source: String },
}

/// Refuses a proposal already decided; when approving, reads back the record it proposed (`None` when
/// rejecting).
pub(crate) fn approved_record(p: &Proposal, approve: bool) -> Result<Option<Approved>> {
    let id = p.id;
    if p.status != "pending" {
        return Err(StoreError::Input(format!(
            "proposal #{id} was already {} by {} at {}",
            p.status,
            p.decided_by.as_deref().unwrap_or("?"),
            p.decided_at.as_deref().unwrap_or("?")
        )));
    }
    if !approve {
        return Ok(None);
    }
    let v: serde_json::Value = serde_json::from_str(&p.record)
        .map_err(|e| StoreError::Input(format!("proposal #{id}: unreadable record ({e})")))?;
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    let date =
        |k: &str| text(k).parse::<NaiveDate>().map_err(|e| StoreError::Input(format!("proposal #{id}: {k}: {e}")));
    match p.kind.as_str() {
        "adjustment" => Ok(Some(Approved::Adjustment {
            date: date("date")?,
            item: text("item"),
            evidence: text("evidence"),
            approver: text("approver"),
        })),
        "dust" => Ok(Some(Approved::Dust { start: date("start")?, end: date("end")?, source: text("source") })),
        other => Err(StoreError::Input(format!("proposal #{id}: unknown kind {other:?}"))),
    }
}

/// The status a decision gives.
pub(crate) fn status(approve: bool) -> &'static str {
    if approve {
        "approved"
    } else {
        "rejected"
    }
}

/// The audit entry of a decision: action and detail.
pub(crate) fn audit_entry(p: &Proposal, approve: bool, note: &str) -> (&'static str, String) {
    (
        if approve { "proposal.approve" } else { "proposal.reject" },
        format!(
            "#{} {} {} {} (proposed by {}){}",
            p.id,
            p.kind,
            p.city,
            p.summary,
            p.proposed_by,
            if note.is_empty() { String::new() } else { format!(": {note}") }
        ),
    )
}

/// The proposal as decided.
pub(crate) fn decided(p: Proposal, approve: bool, by: &str, at: &str, note: &str) -> Proposal {
    Proposal {
        status: status(approve).to_string(),
        decided_by: Some(by.to_string()),
        decided_at: Some(at.to_string()),
        note: note.to_string(),
        ..p
    }
}
