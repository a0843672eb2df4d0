//! `lantian approve`: the province decides a city's proposed inputs to its own assessment (issue 12 §3)
//! — bonus/penalty items and dust periods uploaded by a city user are proposals that change no score
//! until approved here (or through `POST /api/v1/proposals/{id}/approve`). An approved record enters the
//! data with who approved it and when (`points --explain` shows it); every decision is audited.

use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Args;
use lantian_service::accounts::{self, ReadScope};

use crate::Format;

#[derive(Args, Debug)]
pub struct ApproveArgs {
    /// The proposals to decide (ids from `lantian approve --list`).
    pub ids: Vec<i64>,
    /// List the proposals instead (with --status).
    #[arg(long)]
    pub list: bool,
    /// With --list: pending (default), approved, rejected or all.
    #[arg(long, default_value = "pending")]
    pub status: String,
    /// Reject instead of approving.
    #[arg(long)]
    pub reject: bool,
    /// Who decides (the official or office, stored with the decision and in the audit log).
    #[arg(long)]
    pub by: Option<String>,
    /// Why (kept with the decision).
    #[arg(long, default_value = "")]
    pub note: String,
    /// Output format of --list: table, csv or json.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(db: &str, a: ApproveArgs) -> Result<ExitCode> {
    let mut store = crate::open_store(db)?;
    if a.list {
        let status = (a.status != "all").then_some(a.status.as_str());
        let rows: Vec<Vec<String>> = accounts::proposals(&*store, &ReadScope::All, status)?
            .into_iter()
            .map(|p| {
                let (kind, status) = if a.format == Format::Table {
                    (
                        if p.kind == "dust" { "沙尘过程" } else { "加减分事项" }.to_string(),
                        match p.status.as_str() {
                            "approved" => "已批准",
                            "rejected" => "已驳回",
                            _ => "待审批",
                        }
                        .to_string(),
                    )
                } else {
                    (p.kind.clone(), p.status.clone())
                };
                vec![
                    p.id.to_string(),
                    kind,
                    p.city,
                    p.summary,
                    p.proposed_by,
                    lantian_core::beijing_time::normalize(&p.proposed_at),
                    status,
                    p.decided_by.unwrap_or_default(),
                    p.decided_at.map(|t| lantian_core::beijing_time::normalize(&t)).unwrap_or_default(),
                    p.note,
                ]
            })
            .collect();
        let cols = [
            "id",
            "kind",
            "city",
            "summary",
            "proposed_by",
            "proposed_at",
            "status",
            "decided_by",
            "decided_at",
            "note",
        ];
        let zh = ["编号", "类别", "城市", "内容", "申报账号", "申报时间", "状态", "审批人", "审批时间", "说明"];
        crate::output::write_records(&cols, &zh, &rows, None, a.format, &mut std::io::stdout().lock())?;
        return Ok(ExitCode::SUCCESS);
    }
    if a.ids.is_empty() {
        bail!("name the proposals to decide (lantian approve --list shows them)");
    }
    let Some(by) = a.by.as_deref().map(str::trim).filter(|b| !b.is_empty()) else {
        bail!("say who decides: --by NAME (stored with the decision and audited)")
    };
    for id in a.ids {
        // The CLI is the store's operator: the decision is recorded under the name given.
        let p = store.decide_proposal(id, !a.reject, by, &crate::now_text(), &a.note, "local")?;
        println!(
            "{} #{id} {} {} {} — {by}",
            if a.reject { "已驳回 rejected" } else { "已批准 approved" },
            p.city,
            if p.kind == "dust" { "沙尘过程" } else { "加减分事项" },
            p.summary
        );
    }
    Ok(ExitCode::SUCCESS)
}
