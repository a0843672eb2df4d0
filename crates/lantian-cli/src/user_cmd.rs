//! `lantian user add|list|disable|enable|token` and `lantian audit`: accounts of the web platform.

use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use lantian_ingest::text::escape_control;
use lantian_service::accounts::{add_account, issue_token, Role};
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
        /// A city user's city.
        #[arg(long)]
        city: Option<String>,
        /// A department user's department (as written in task files, e.g. 成都市经济和信息化局).
        #[arg(long)]
        department: Option<String>,
    },
    /// List the accounts.
    List {
        /// Output format: table (Chinese, for reading), csv or json (machine formats: lowercase codes,
        /// ISO 8601 times with +08:00).
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Disable an account (its sessions and tokens stop working).
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
    /// Issue an API token for an account (printed once).
    Token {
        /// The account name.
        name: String,
        /// A label to tell the account's tokens apart (shown in the audit log).
        #[arg(long, default_value = "api")]
        label: String,
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
        UserAction::Add { name, role, city, department } => {
            let Some(role) = Role::parse(&role) else {
                bail!("role {role:?}: expected admin, city, department or viewer")
            };
            let Ok(password) = std::env::var("LANTIAN_PASSWORD") else {
                bail!("set the password in the environment variable LANTIAN_PASSWORD")
            };
            let id = add_account(&mut store, &name, &password, role, city.as_deref(), department.as_deref(), &now())?;
            store.audit(&now(), "cli", "user.add", &format!("{name} ({})", role.code()), "local")?;
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
                        a.created_at.clone(),
                    ]
                })
                .collect();
            let cols = ["name", "role", "city", "department", "status", "created_at"];
            let zh = ["账号", "角色", "城市", "部门", "状态", "创建时间"];
            crate::output::write_records(&cols, &zh, &rows, None, format, &mut std::io::stdout().lock())?;
        }
        UserAction::Disable { name } | UserAction::Enable { name } if store.account(&name)?.is_none() => {
            bail!("no account named {name:?}")
        }
        UserAction::Disable { name } => {
            store.set_account_disabled(&name, true)?;
            store.audit(&now(), "cli", "user.disable", &name, "local")?;
            println!("已停用 disabled {name}");
        }
        UserAction::Enable { name } => {
            store.set_account_disabled(&name, false)?;
            store.audit(&now(), "cli", "user.enable", &name, "local")?;
            println!("已启用 enabled {name}");
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
        UserAction::Token { name, label } => {
            let Some(account) = store.account(&name)? else { bail!("no account named {name:?}") };
            let token = issue_token(&mut store, &account, &label, &now())?;
            store.audit(&now(), "cli", "token.issue", &format!("{name} ({label})"), "local")?;
            println!("{token}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
