//! `lantian user add|list|disable|enable|grant|token|tokens|audit`: accounts of the web platform, their
//! API tokens (scopes, expiry, revocation) and the datasets the province grants a viewer.

use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use lantian_ingest::text::escape_control;
use lantian_service::accounts::{add_account, grant, issue_token, Dataset, Role, Scope, DEFAULT_TOKEN_DAYS};
use lantian_store::Store;

use crate::Format;

#[derive(Args, Debug)]
pub struct UserArgs {
    #[command(subcommand)]
    pub action: UserAction,
}

#[derive(Subcommand, Debug)]
pub enum UserAction {
    /// Add an account. The password comes from $LANTIAN_PASSWORD (never from the command line).
    Add {
        /// The account name (sign-in name).
        name: String,
        /// admin (province), city, department, viewer.
        #[arg(long)]
        role: String,
        /// A city user's city; a municipal department's city (a department without one is provincial).
        #[arg(long)]
        city: Option<String>,
        /// A department user's department (as written in task files, e.g. 成都市经济和信息化局).
        #[arg(long)]
        department: Option<String>,
        /// Restricted datasets a viewer may read, comma-separated: control_lists, compliance,
        /// alert_decisions, tasks, proposals, inspections (default: none, the public part only).
        #[arg(long, value_delimiter = ',')]
        grant: Vec<String>,
    },
    /// Set the restricted datasets a viewer may read (replaces its grants; none: the public part only).
    Grant {
        /// The account name.
        name: String,
        /// Datasets, comma-separated: control_lists, compliance, alert_decisions, tasks, proposals, inspections.
        #[arg(value_delimiter = ',')]
        datasets: Vec<String>,
    },
    /// The API tokens of an account (never the tokens themselves): label, scopes, issued, expiry, state.
    Tokens {
        /// The account name.
        name: String,
        /// Output format: table, csv or json.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// List the accounts.
    List {
        /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes,
        /// ISO 8601 times with +08:00).
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Disable an account: its tokens are revoked and its sessions end (enabling it again revives neither).
    Disable {
        /// The account name.
        name: String,
    },
    /// Enable a disabled account.
    Enable {
        /// The account name.
        name: String,
    },
    /// The audit log: every write (who, what, when, from where), newest first.
    Audit {
        /// How many entries to show (the newest).
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes,
        /// ISO 8601 times with +08:00).
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Issue an API token for an account (printed once), or revoke its tokens (`--revoke LABEL|all`).
    Token {
        /// The account name.
        name: String,
        /// A label to tell the account's tokens apart (shown in the audit log and `user tokens`).
        #[arg(long, default_value = "api")]
        label: String,
        /// What the token may do, comma-separated: upload (POST /api/v1/uploads), read (restricted
        /// reads within the account's rights), approve (administrators: proposals).
        #[arg(long, default_value = "upload")]
        scope: String,
        /// Days until the token expires (1–366).
        #[arg(long, default_value_t = DEFAULT_TOKEN_DAYS)]
        days: u32,
        /// Revoke the account's live tokens with this label (`all`: every one) instead of issuing one.
        #[arg(long, value_name = "LABEL")]
        revoke: Option<String>,
    },
}

fn now() -> String {
    crate::now_text()
}

pub fn run(db: &str, a: UserArgs) -> Result<ExitCode> {
    // Adding the first account may create the store (a platform set up before its data); the other
    // actions need an existing one.
    let mut store = match a.action {
        UserAction::Add { .. } => crate::create_store(db)?,
        _ => crate::open_store(db)?,
    };
    match a.action {
        UserAction::Add { name, role, city, department, grant } => {
            let Some(role) = Role::parse(&role) else {
                bail!("role {role:?}: expected admin, city, department or viewer")
            };
            let Ok(password) = std::env::var("LANTIAN_PASSWORD") else {
                bail!("set the password in the environment variable LANTIAN_PASSWORD")
            };
            let grants = datasets(&grant)?;
            // The account and its audit entry: one transaction (issue 13 item 5).
            let id = audited(&mut *store, |tx| {
                let id = add_account(
                    tx.store(),
                    &name,
                    &password,
                    role,
                    city.as_deref(),
                    department.as_deref(),
                    &grants,
                    &now(),
                )?;
                tx.accounts().audit(&now(), "cli", "user.add", &format!("{name} ({})", role.code()), "local")?;
                Ok(id)
            })?;
            println!("已添加 added account {name} (#{id}, {} {})", role.code(), role.label_zh());
        }
        UserAction::List { format } => {
            let rows: Vec<Vec<String>> = store
                .accounts()?
                .iter()
                .map(|a| {
                    vec![
                        a.name.clone(),
                        a.role.clone(),
                        a.city.as_ref().map(|c| c.display().to_string()).unwrap_or_default(),
                        a.department.clone().unwrap_or_default(),
                        if a.disabled { "disabled".into() } else { "active".into() },
                        a.grants.join(","),
                        a.created_at.clone(),
                    ]
                })
                .collect();
            let cols = ["name", "role", "city", "department", "status", "grants", "created_at"];
            let zh = ["账号", "角色", "城市", "部门", "状态", "授权数据", "创建时间"];
            crate::output::write_records(&cols, &zh, &rows, None, format, &mut std::io::stdout().lock())?;
        }
        UserAction::Disable { name } | UserAction::Enable { name } if store.account(&name)?.is_none() => {
            bail!("no account named {name:?}")
        }
        UserAction::Disable { name } => {
            audited(&mut *store, |tx| {
                tx.accounts().set_account_disabled(&name, true, &now())?;
                tx.accounts().audit(
                    &now(),
                    "cli",
                    "user.disable",
                    &format!("{name} (tokens revoked, sessions ended)"),
                    "local",
                )?;
                Ok(())
            })?;
            println!("已停用 disabled {name}: its tokens are revoked and its sessions ended");
        }
        UserAction::Enable { name } => {
            audited(&mut *store, |tx| {
                tx.accounts().set_account_disabled(&name, false, &now())?;
                tx.accounts().audit(&now(), "cli", "user.enable", &name, "local")?;
                Ok(())
            })?;
            println!("已启用 enabled {name} (its old tokens and sessions stay revoked: issue a new token)");
        }
        UserAction::Grant { name, datasets: names } => {
            let Some(account) = store.account(&name)? else { bail!("no account named {name:?}") };
            let grants = datasets(&names)?;
            let list = grants.iter().map(|g| g.code()).collect::<Vec<_>>().join(",");
            audited(&mut *store, |tx| {
                grant(tx.accounts(), &account, &grants)?;
                tx.accounts().audit(&now(), "cli", "user.grant", &format!("{name}: {list}"), "local")?;
                Ok(())
            })?;
            println!("已授权 {name} reads: {}", if list.is_empty() { "the public part only" } else { &list });
        }
        UserAction::Tokens { name, format } => {
            let Some(account) = store.account(&name)? else { bail!("no account named {name:?}") };
            let now_unix = chrono::Utc::now().timestamp();
            let rows: Vec<Vec<String>> = store
                .tokens(account.id)?
                .into_iter()
                .map(|t| {
                    let state = if t.revoked_at.is_some() {
                        "revoked"
                    } else if t.expires_at.is_none_or(|e| e <= now_unix) {
                        "expired"
                    } else {
                        "active"
                    };
                    let expires = t
                        .expires_at
                        .and_then(|e| chrono::DateTime::from_timestamp(e, 0))
                        .map(|d| {
                            d.with_timezone(&lantian_core::beijing_time::offset())
                                .format("%Y-%m-%dT%H:%M:%S%:z")
                                .to_string()
                        })
                        .unwrap_or_default();
                    let state = if format == Format::Table {
                        match state {
                            "revoked" => "已吊销",
                            "expired" => "已过期",
                            _ => "有效",
                        }
                    } else {
                        state
                    };
                    vec![
                        t.label,
                        t.scopes.join(","),
                        t.created_at,
                        expires,
                        state.to_string(),
                        t.revoked_at.unwrap_or_default(),
                    ]
                })
                .collect();
            let cols = ["label", "scopes", "created_at", "expires_at", "status", "revoked_at"];
            let zh = ["标签", "权限范围", "签发时间", "到期时间", "状态", "吊销时间"];
            crate::output::write_records(&cols, &zh, &rows, None, format, &mut std::io::stdout().lock())?;
        }
        UserAction::Audit { limit, format } => {
            let rows: Vec<Vec<String>> = store
                .audit_log(limit)?
                .into_iter()
                // Every field escaped: a name or file name sent with CR/LF or other control characters
                // cannot forge or hide lines (issue 12 §14), in tables, CSV and JSON alike.
                .map(|e| [e.at, e.actor, e.action, e.detail, e.remote].iter().map(|f| escape_control(f)).collect())
                .collect();
            let cols = ["at", "actor", "action", "detail", "remote"];
            let zh = ["时间", "账号", "操作", "内容", "来源"];
            crate::output::write_records(&cols, &zh, &rows, None, format, &mut std::io::stdout().lock())?;
        }
        UserAction::Token { name, label, scope, days, revoke } => {
            let Some(account) = store.account(&name)? else { bail!("no account named {name:?}") };
            if let Some(which) = revoke {
                let label = (which != "all").then_some(which.as_str());
                let n = audited(&mut *store, |tx| {
                    let n = tx.accounts().revoke_tokens(account.id, label, &now())?;
                    tx.accounts().audit(
                        &now(),
                        "cli",
                        "token.revoke",
                        &format!("{name} ({which}): {n} revoked"),
                        "local",
                    )?;
                    Ok(n)
                })?;
                println!("已吊销 revoked {n} token(s) of {name} ({which})");
                return Ok(ExitCode::SUCCESS);
            }
            let scopes = Scope::parse_list(&scope)?;
            let list = scopes.iter().map(|s| s.code()).collect::<Vec<_>>().join(",");
            let token = audited(&mut *store, |tx| {
                let token = issue_token(
                    tx.accounts(),
                    &account,
                    &label,
                    &scopes,
                    days,
                    &now(),
                    chrono::Utc::now().timestamp(),
                )?;
                tx.accounts().audit(
                    &now(),
                    "cli",
                    "token.issue",
                    &format!("{name} ({label}; {list}; {days} days)"),
                    "local",
                )?;
                Ok(token)
            })?;
            println!("{token}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a change and the audit entry that records it as one transaction (issue 13 item 5): both are
/// stored, or — if either fails — neither. Waits for another writer (the web server's uploads, an
/// import) instead of failing, as long as `LANTIAN_WRITE_WAIT_SECS` allows (issue 13 item 4).
fn audited<T>(store: &mut dyn Store, mut f: impl FnMut(&mut lantian_store::Tx<'_>) -> Result<T>) -> Result<T> {
    let wait = lantian_store::WriteWait::from_env()?;
    let (r, waited) =
        lantian_store::retry_busy(&wait, crate::is_busy, || lantian_store::atomically(&mut *store, &mut f));
    crate::report_wait(waited);
    r
}

/// Dataset codes to datasets; an unknown code is an error listing the known ones.
fn datasets(names: &[String]) -> Result<Vec<Dataset>> {
    let mut out = Vec::new();
    for n in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let Some(d) = Dataset::parse(n) else {
            bail!("dataset {n:?}: expected {}", Dataset::ALL.iter().map(|d| d.code()).collect::<Vec<_>>().join(", "))
        };
        if !out.contains(&d) {
            out.push(d);
        }
    }
    Ok(out)
}
