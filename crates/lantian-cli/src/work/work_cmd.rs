//! `lantian work issue|act|list`: work items (督办 / 调度; issue 15, `work.md` §1) — issued by an
//! account's organisation, moved by those the engine allows, each move audited; the list with what the
//! clock derives (overdue, the escalation rung). Times are Beijing time; the clock is `--at` (default:
//! now), so that a scenario can be replayed at exact instants.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use chrono::NaiveDateTime;
use clap::{Args, Subcommand, ValueEnum};
use lantian_core::work::items::{Action, Escalation, ItemKind, Org, Origin, Priority};
use lantian_service::work::items::{act, inbox, issue, NewItem};

use crate::output::{JsonArray, Table};
use crate::Format;

#[derive(Args, Debug)]
pub struct WorkArgs {
    #[command(subcommand)]
    pub command: WorkCommand,
}

#[derive(Subcommand, Debug)]
pub enum WorkCommand {
    /// Issue an item from an account's organisation to another.
    Issue(IssueArgs),
    /// Move an item: sign, delegate, feed back, verify, return, close, open a case, cancel.
    Act(ActArgs),
    /// The items issued to or by an organisation (all by default), overdue first.
    List(ListArgs),
    /// Issue a lead review to its city for every enterprise suspected during a response (`lantian
    /// compliance`) that has none yet.
    FromLeads(FromLeadsArgs),
    /// The month's 通报: the organisations with at least 3 items overdue or 2 returns in the month.
    Bulletin(BulletinArgs),
}

#[derive(Args, Debug)]
pub struct BulletinArgs {
    /// The month (YYYY-MM).
    #[arg(long)]
    pub month: String,
    /// The clock when the month is not over (YYYY-MM-DDTHH:MM, Beijing time; default now).
    #[arg(long, value_parser = parse_time)]
    pub at: Option<NaiveDateTime>,
    /// Output format: table (Chinese, for reading), csv or json (machine formats: organisation keys).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct FromLeadsArgs {
    /// The responses up to this time (YYYY-MM-DDTHH:MM; default: the latest alert decision).
    #[arg(long, value_parser = parse_time)]
    pub until: Option<NaiveDateTime>,
    /// When the items are issued (YYYY-MM-DDTHH:MM, Beijing time; default now).
    #[arg(long, value_parser = parse_time)]
    pub at: Option<NaiveDateTime>,
}

#[derive(Args, Debug)]
pub struct IssueArgs {
    /// The account that issues (its organisation is the issuer).
    #[arg(long)]
    pub by: String,
    /// alert-measure-check, fire-point, dust-alarm, lead-review, rectification, clue-transfer or manual.
    #[arg(long, value_parser = parse_kind)]
    pub kind: ItemKind,
    /// The assignee: province, dept:NAME, city:CODE, county:CODE or enterprise:CREDIT_CODE.
    #[arg(long, value_parser = parse_org)]
    pub to: Org,
    /// What is to be done (shown in the inboxes and the audit log).
    #[arg(long)]
    pub title: String,
    /// When it is issued (YYYY-MM-DDTHH:MM, Beijing time; default now).
    #[arg(long, value_parser = parse_time)]
    pub at: Option<NaiveDateTime>,
}

/// Moves, as `--action` takes them.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ActionArg {
    Sign,
    Delegate,
    FeedBack,
    Verify,
    Return,
    Close,
    OpenClue,
    Cancel,
}

#[derive(Args, Debug)]
pub struct ActArgs {
    /// The item's id.
    pub id: i64,
    /// The account that acts.
    #[arg(long)]
    pub by: String,
    /// The move: the assignee signs, delegates (--child), feeds back (--text, --evidence); the issuer
    /// verifies, returns (--text), closes, opens a case, cancels (--text).
    #[arg(long, value_enum)]
    pub action: ActionArg,
    /// The feedback, the verification's opinion, or the reason of a return or a cancellation.
    #[arg(long, default_value = "")]
    pub text: String,
    /// Evidence files of a feedback (photos, videos, documents), stored once by content.
    #[arg(long)]
    pub evidence: Vec<std::path::PathBuf>,
    /// Lower-level organisations a delegation hands the item to.
    #[arg(long = "child", value_parser = parse_org)]
    pub children: Vec<Org>,
    /// When (YYYY-MM-DDTHH:MM, Beijing time; default now).
    #[arg(long, value_parser = parse_time)]
    pub at: Option<NaiveDateTime>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only the items issued to or by this organisation.
    #[arg(long, value_parser = parse_org)]
    pub org: Option<Org>,
    /// Only open items.
    #[arg(long)]
    pub open: bool,
    /// The clock (YYYY-MM-DDTHH:MM, Beijing time; default now).
    #[arg(long, value_parser = parse_time)]
    pub at: Option<NaiveDateTime>,
    /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes, times
    /// with +08:00).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

fn parse_kind(s: &str) -> Result<ItemKind, String> {
    ItemKind::from_code(s).ok_or_else(|| {
        let all: Vec<String> = ItemKind::ALL.iter().map(|k| k.code().replace('_', "-")).collect();
        format!("not a kind of item: {s:?} (one of {})", all.join(", "))
    })
}

fn parse_org(s: &str) -> Result<Org, String> {
    Org::from_key(s).ok_or_else(|| {
        format!("not an organisation: {s:?} (province, dept:NAME, city:CODE, county:CODE or enterprise:CREDIT_CODE)")
    })
}

fn parse_time(s: &str) -> Result<NaiveDateTime, String> {
    lantian_ingest::emergency::parse_datetime(s).ok_or_else(|| format!("not a time (YYYY-MM-DDTHH:MM): {s:?}"))
}

fn busy(e: &lantian_service::ServiceError) -> bool {
    matches!(e, lantian_service::ServiceError::Store(s) if s.is_busy())
}

fn now() -> NaiveDateTime {
    chrono::Utc::now().with_timezone(&lantian_core::beijing_time::offset()).naive_local()
}

/// The largest evidence file read.
const MAX_EVIDENCE: u64 = lantian_store::work::MAX_EVIDENCE_BYTES as u64;

fn media_type(path: &std::path::Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("mp4") => "video/mp4",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

pub fn run(db: &str, a: WorkArgs) -> Result<ExitCode> {
    let mut store = crate::open_store(db)?;
    let wait = lantian_store::WriteWait::from_env()?;
    let audit_at = crate::now_text();
    match a.command {
        WorkCommand::Issue(i) => {
            let account = store.account(&i.by)?.ok_or_else(|| anyhow!("no account {:?}", i.by))?;
            let new = NewItem {
                kind: i.kind,
                title: i.title.clone(),
                assignee: i.to.clone(),
                origin: Origin::Manual,
                subject: None,
                priority: Priority::P2,
            };
            let at = i.at.unwrap_or_else(now);
            let (r, waited) = lantian_store::retry_busy(&wait, busy, || {
                lantian_store::atomically(&mut *store, |tx| issue(tx, &account, &new, at, &[], (&audit_at, "local")))
            });
            crate::report_wait(waited);
            let id = r?;
            println!("已下发 issued item {id} to {}", new.assignee.key());
        }
        WorkCommand::Act(x) => {
            let account = store.account(&x.by)?.ok_or_else(|| anyhow!("no account {:?}", x.by))?;
            let mut evidence = Vec::new();
            for path in &x.evidence {
                let size = std::fs::metadata(path).with_context(|| format!("{}", path.display()))?.len();
                if size > MAX_EVIDENCE {
                    bail!("{}: {size} bytes, more than the {MAX_EVIDENCE} bytes evidence may have", path.display());
                }
                let bytes = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
                evidence.push((media_type(path), bytes));
            }
            let at = x.at.unwrap_or_else(now);
            let (r, waited) = lantian_store::retry_busy(&wait, busy, || {
                lantian_store::atomically(&mut *store, |tx| {
                    let mut refs = Vec::new();
                    for (kind, bytes) in &evidence {
                        refs.push(tx.work().put_evidence(kind, bytes)?);
                    }
                    let action = match x.action {
                        ActionArg::Sign => Action::Sign,
                        ActionArg::Delegate => Action::Delegate { children: x.children.len() },
                        ActionArg::FeedBack => Action::FeedBack { text: x.text.clone(), evidence: refs },
                        ActionArg::Verify => Action::Verify { accepted: true, opinion: x.text.clone() },
                        ActionArg::Return => Action::Verify { accepted: false, opinion: x.text.clone() },
                        ActionArg::Close => Action::Close,
                        ActionArg::OpenClue => Action::OpenClue,
                        ActionArg::Cancel => Action::Cancel { reason: x.text.clone() },
                    };
                    act(tx, &account, x.id, &action, &x.children, at, (&audit_at, "local"))
                })
            });
            crate::report_wait(waited);
            let s = r?;
            println!("item {} → {} {}", s.id, s.item.state.code(), s.item.state.label_zh());
        }
        WorkCommand::FromLeads(f) => {
            let until = match f.until {
                Some(t) => t,
                None => match lantian_service::emergency::alerts::latest_decision(&*store)? {
                    Some(t) => t,
                    None => bail!("the alert log is empty: there are no responses to take leads from"),
                },
            };
            let at = f.at.unwrap_or_else(now);
            let (r, waited) = lantian_store::retry_busy(&wait, busy, || {
                lantian_store::atomically(&mut *store, |tx| {
                    lantian_service::work::leads::items_from_leads(
                        tx,
                        until,
                        at,
                        "lantian work from-leads",
                        (&audit_at, "local"),
                    )
                })
            });
            crate::report_wait(waited);
            let made = r?;
            println!(
                "已下发 issued {} lead reviews from the compliance leads up to {}",
                made.len(),
                until.format("%Y-%m-%d %H:%M")
            );
        }
        WorkCommand::Bulletin(b) => {
            let first = chrono::NaiveDate::parse_from_str(&format!("{}-01", b.month), "%Y-%m-%d")
                .map_err(|_| anyhow!("--month {:?}: expected YYYY-MM", b.month))?;
            let next =
                first.checked_add_months(chrono::Months::new(1)).ok_or_else(|| anyhow!("--month out of range"))?;
            let month = (first.and_time(chrono::NaiveTime::MIN), next.and_time(chrono::NaiveTime::MIN));
            let listed = lantian_service::work::items::monthly_bulletin(&*store, month, b.at.unwrap_or_else(now))?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            match b.format {
                Format::Table => {
                    writeln!(
                        out,
                        "{}年{}月督办通报：超期3件以上或退回2次以上的单位 {} 个",
                        first.format("%Y"),
                        first.format("%-m"),
                        listed.len()
                    )?;
                    let mut t = Table::new(&["单位", "超期事项", "退回次数"], &[false, true, true]);
                    for l in &listed {
                        t.push(vec![l.org.name(false), l.overdue.to_string(), l.returns.to_string()]);
                    }
                    t.write(&mut out)?;
                }
                Format::Csv => {
                    let mut w = csv::Writer::from_writer(&mut out);
                    w.write_record(["org", "overdue", "returns"])?;
                    for l in &listed {
                        w.write_record([l.org.key(), l.overdue.to_string(), l.returns.to_string()])?;
                    }
                    w.flush()?;
                }
                Format::Json => {
                    let mut arr = JsonArray::new(&mut out)?;
                    for l in &listed {
                        arr.push(&serde_json::json!({"org": l.org.key(), "overdue": l.overdue, "returns": l.returns}))?;
                    }
                    arr.finish()?;
                }
            }
        }
        WorkCommand::List(l) => {
            let at = l.at.unwrap_or_else(now);
            let rows = inbox(&*store, l.org.as_ref(), l.open, at)?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let cols = [
                "id",
                "parent_id",
                "kind",
                "title",
                "issuer",
                "assignee",
                "state",
                "feedback_due",
                "overdue",
                "escalation",
                "returns",
            ];
            let esc = |e: Escalation| e.code();
            let due = |r: &lantian_service::work::items::InboxRow| {
                r.item.feedback_due.map_or(String::new(), lantian_core::beijing_time::format)
            };
            match l.format {
                Format::Json => {
                    let mut arr = JsonArray::new(&mut out)?;
                    for r in &rows {
                        arr.push(&serde_json::json!({
                            "id": r.id, "parent_id": r.parent_id, "kind": r.item.kind.code(), "title": r.item.title,
                            "issuer": r.item.issuer.key(), "assignee": r.item.assignee.key(), "state": r.item.state.code(),
                            "feedback_due": due(r), "overdue": r.overdue, "escalation": esc(r.escalation),
                            "returns": r.item.returns, "history": r.item.history,
                        }))?;
                    }
                    arr.finish()?;
                }
                Format::Csv => {
                    let mut w = csv::Writer::from_writer(&mut out);
                    w.write_record(cols)?;
                    for r in &rows {
                        w.write_record([
                            r.id.to_string(),
                            r.parent_id.map_or(String::new(), |p| p.to_string()),
                            r.item.kind.code().to_string(),
                            r.item.title.clone(),
                            r.item.issuer.key(),
                            r.item.assignee.key(),
                            r.item.state.code().to_string(),
                            due(r),
                            r.overdue.to_string(),
                            esc(r.escalation).to_string(),
                            r.item.returns.to_string(),
                        ])?;
                    }
                    w.flush()?;
                }
                Format::Table => {
                    writeln!(out, "督办事项 work items at {}: {}", at.format("%Y-%m-%d %H:%M"), rows.len())?;
                    let mut t = Table::new(
                        &["编号", "事项", "下发单位", "承办单位", "状态", "反馈时限", "超期", "退回"],
                        &[true, false, false, false, false, false, false, true],
                    );
                    for r in &rows {
                        // A long title (a lead's own words) is cut for the table; CSV and JSON keep it.
                        let title: String = if r.item.title.chars().count() > 32 {
                            r.item.title.chars().take(31).chain(['…']).collect()
                        } else {
                            r.item.title.clone()
                        };
                        t.push(vec![
                            r.id.to_string(),
                            title,
                            r.item.issuer.name(false),
                            r.item.assignee.name(false),
                            r.item.state.label_zh().to_string(),
                            r.item.feedback_due.map_or(String::new(), |d| d.format("%m-%d %H:%M").to_string()),
                            if r.overdue { "超期".into() } else { String::new() },
                            r.item.returns.to_string(),
                        ]);
                    }
                    t.write(&mut out)?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
