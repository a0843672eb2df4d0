//! Accounts, roles, and who may read and write what (issue 5; issue 12 §1–4).
//!
//! Roles: the province administrator (`admin`: everything), a city user (`city`: the public part, and
//! its own city's restricted data; writes its own city's records), a department user (`department`: the
//! public part and its department's target tasks; writes only those, within its city when it is a
//! municipal department), a read-only viewer (`viewer`: the public part and the restricted datasets the
//! province grants it, read-only). What is public and what is restricted: [`Dataset`] and
//! `docs/formats.md` "Access policy". Writes are checked against the records sent **and** the records
//! already stored ([`may_import`]); a city's inputs to its own assessment are refused or kept as
//! proposals until the province approves them ([`WriteMode`]). Passwords are hashed with argon2id; API
//! tokens are random 256-bit values stored as their SHA-256, with scopes and an expiry ([`issue_token`],
//! [`check_token`]).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use lantian_ingest::accountability::TaskRecord;
use lantian_store::{Account, AccountStore, CityInfo, NewAccount, NewToken, Store, TokenInfo};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use crate::datasets::{OwnedBy, Owner};
use crate::import::Ready;
use crate::{Result, ServiceError};

/// The roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    City,
    Department,
    Viewer,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "city" => Some(Role::City),
            "department" => Some(Role::Department),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::City => "city",
            Role::Department => "department",
            Role::Viewer => "viewer",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "省级管理员",
            Role::City => "市州用户",
            Role::Department => "部门用户",
            Role::Viewer => "只读用户",
        }
    }
}

/// Hashes a password (argon2id, random salt, PHC string).
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Request(format!("cannot hash the password: {e}")))
}

/// Whether a password matches a stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// The SHA-256 of a token, hex (what the store keeps).
pub fn token_digest(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Restricted datasets (issue 12 §1). Everything else the platform shows — the published air-quality
/// numbers (hourly and daily AQI of stations and cities, the station list, rankings, assessments,
/// points, budgets) and the alerts in force with their level and period — is public. Administrators
/// read every dataset; a city user the rows of its own city; a department user the target tasks of its
/// department; a viewer the datasets the province grants it ([`may_read`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dataset {
    /// Emergency control lists: enterprises with their credit codes, production lines and measures.
    ControlLists,
    /// Compliance during responses: electricity use, CEMS, enforcement leads naming the company, the
    /// pairing duty with the officials' names.
    Compliance,
    /// Who decided each alert and on what evidence (names of officials), and the forecast evaluation
    /// before a decision is taken (pre-decisional).
    AlertDecisions,
    /// Target tasks and their progress reports (departments, descriptions, the people reporting).
    Tasks,
    /// Proposals of a city's own assessment inputs (bonus/penalty items, dust periods) and their decisions.
    Proposals,
    /// Inspection findings (督查检查) naming enterprises and sites, and their rectification
    /// (`crate::datasets::inspections`).
    Inspections,
}

impl Dataset {
    pub const ALL: [Dataset; 6] = [
        Dataset::ControlLists,
        Dataset::Compliance,
        Dataset::AlertDecisions,
        Dataset::Tasks,
        Dataset::Proposals,
        Dataset::Inspections,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Dataset::ControlLists => "control_lists",
            Dataset::Compliance => "compliance",
            Dataset::AlertDecisions => "alert_decisions",
            Dataset::Tasks => "tasks",
            Dataset::Proposals => "proposals",
            Dataset::Inspections => "inspections",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Dataset::ControlLists => "应急管控清单",
            Dataset::Compliance => "应急响应落实情况",
            Dataset::AlertDecisions => "预警决策与研判",
            Dataset::Tasks => "目标任务",
            Dataset::Proposals => "考核事项申报",
            Dataset::Inspections => "督查检查",
        }
    }
    pub fn parse(s: &str) -> Option<Dataset> {
        Dataset::ALL.into_iter().find(|d| d.code() == s.trim())
    }
}

/// How much of a restricted dataset an account reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadScope {
    /// Nothing (anonymous, or not the account's dataset).
    None,
    /// Every city's rows.
    All,
    /// The rows of one city (its id).
    City(i64),
    /// The rows of one department (target tasks).
    Department(String),
}

impl ReadScope {
    /// Whether the scope covers a city's rows.
    pub fn covers_city(&self, city_id: i64) -> bool {
        match self {
            ReadScope::All => true,
            ReadScope::City(c) => *c == city_id,
            _ => false,
        }
    }
    /// A stable key for caches: answers that depend on the reader are cached per scope.
    pub fn key(&self) -> String {
        match self {
            ReadScope::None => "none".into(),
            ReadScope::All => "all".into(),
            ReadScope::City(c) => format!("city:{c}"),
            ReadScope::Department(d) => format!("dept:{d}"),
        }
    }
}

/// What an account (or an anonymous caller, `None`) reads of a restricted dataset (issue 12 §1).
pub fn may_read(account: Option<&Account>, dataset: Dataset) -> ReadScope {
    let Some(a) = account.filter(|a| !a.disabled) else { return ReadScope::None };
    match Role::parse(&a.role) {
        Some(Role::Admin) => ReadScope::All,
        Some(Role::City) => match &a.city {
            Some(c) => ReadScope::City(c.id),
            None => ReadScope::None,
        },
        Some(Role::Department) => match (dataset, &a.department) {
            (Dataset::Tasks, Some(d)) => ReadScope::Department(d.clone()),
            _ => ReadScope::None,
        },
        Some(Role::Viewer) if a.grants.iter().any(|g| g == dataset.code()) => ReadScope::All,
        Some(Role::Viewer) | None => ReadScope::None,
    }
}

/// What a token may be used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `POST /api/v1/uploads`.
    Upload,
    /// Restricted reads within the account's rights.
    Read,
    /// Approving or rejecting proposals (administrators).
    Approve,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Upload, Scope::Read, Scope::Approve];
    pub fn code(self) -> &'static str {
        match self {
            Scope::Upload => "upload",
            Scope::Read => "read",
            Scope::Approve => "approve",
        }
    }
    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.code() == s.trim())
    }
    /// Parses a comma-separated list (`read,upload`); an unknown scope is an error naming it.
    pub fn parse_list(s: &str) -> Result<Vec<Scope>> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let scope = Scope::parse(part).ok_or_else(|| {
                ServiceError::Request(format!("token scope {part:?}: expected upload, read or approve"))
            })?;
            if !out.contains(&scope) {
                out.push(scope);
            }
        }
        if out.is_empty() {
            return Err(ServiceError::Request("a token needs at least one scope (upload, read, approve)".into()));
        }
        Ok(out)
    }
}

/// Days a token lives when `user token --days` is not given. ASVS 3.5: tokens expire; 90 days is the
/// rotation period of a scheduled uploader that a person renews each quarter.
pub const DEFAULT_TOKEN_DAYS: u32 = 90;
/// The longest a token may live (`--days`), one year.
pub const MAX_TOKEN_DAYS: u32 = 366;

/// Creates an account after checking the role's requirements (a city for city users, a department for
/// department users — with a city for a municipal department, none for a provincial one; grants only
/// for viewers); returns its id.
#[allow(clippy::too_many_arguments)]
pub fn add_account(
    store: &mut dyn Store,
    name: &str,
    password: &str,
    role: Role,
    city: Option<&str>,
    department: Option<&str>,
    grants: &[Dataset],
    at: &str,
) -> Result<i64> {
    if name.trim().is_empty() || name.len() > 64 {
        return Err(ServiceError::Request("an account name is 1–64 characters".into()));
    }
    if password.chars().count() < 10 {
        return Err(ServiceError::Request("a password has at least 10 characters".into()));
    }
    let city_id = match (role, city) {
        (Role::City | Role::Department, Some(c)) => {
            Some(store.resolve_city(c)?.ok_or_else(|| ServiceError::Request(format!("unknown city {c:?}")))?.id)
        }
        (Role::City, None) => return Err(ServiceError::Request("a city user needs --city".into())),
        (_, Some(_)) => {
            return Err(ServiceError::Request("only city and (municipal) department users have a city".into()))
        }
        (_, None) => None,
    };
    let department = match (role, department) {
        (Role::Department, Some(d)) if !d.trim().is_empty() => Some(d.trim().to_string()),
        (Role::Department, _) => return Err(ServiceError::Request("a department user needs --department".into())),
        (_, Some(_)) => return Err(ServiceError::Request("only department users have a department".into())),
        (_, None) => None,
    };
    if !grants.is_empty() && role != Role::Viewer {
        return Err(ServiceError::Request("only viewers are granted datasets (--grant)".into()));
    }
    Ok(store.add_account(&NewAccount {
        name: name.trim().to_string(),
        password_hash: hash_password(password)?,
        role: role.code().to_string(),
        city_id,
        department,
        created_at: at.to_string(),
        grants: grants.iter().map(|g| g.code().to_string()).collect(),
    })?)
}

/// Sets the datasets granted to a viewer (replacing the previous ones; empty: the public part only).
pub fn grant(store: &mut dyn AccountStore, account: &Account, grants: &[Dataset]) -> Result<()> {
    if Role::parse(&account.role) != Some(Role::Viewer) {
        return Err(ServiceError::Request(format!(
            "{} is a {} account: only viewers are granted datasets (the other roles read by their scope)",
            account.name, account.role
        )));
    }
    let codes: Vec<String> = grants.iter().map(|g| g.code().to_string()).collect();
    store.set_account_grants(&account.name, &codes)?;
    Ok(())
}

/// A random 256-bit value from the operating system, hex, with a prefix.
pub fn random_token(prefix: &str) -> String {
    let mut raw = [0u8; 32];
    OsRng.fill_bytes(&mut raw);
    format!("{prefix}{}", raw.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// Issues a new API token for an account with its scopes, living `days` days from `now_unix`; returns
/// the token (shown once; only its digest is stored). A disabled account gets none.
pub fn issue_token(
    store: &mut dyn AccountStore,
    account: &Account,
    label: &str,
    scopes: &[Scope],
    days: u32,
    at: &str,
    now_unix: i64,
) -> Result<String> {
    if account.disabled {
        return Err(ServiceError::Request(format!("{} is disabled: enable it before issuing a token", account.name)));
    }
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(ServiceError::Request(format!("a token lives 1–{MAX_TOKEN_DAYS} days, not {days}")));
    }
    if scopes.is_empty() {
        return Err(ServiceError::Request("a token needs at least one scope (upload, read, approve)".into()));
    }
    if scopes.contains(&Scope::Approve) && Role::parse(&account.role) != Some(Role::Admin) {
        return Err(ServiceError::Request("only administrators approve: the approve scope is theirs".into()));
    }
    let token = random_token("lt_");
    store.add_token(&NewToken {
        account_id: account.id,
        sha256: token_digest(&token),
        label: label.to_string(),
        scopes: scopes.iter().map(|s| s.code()).collect::<Vec<_>>().join(","),
        created_at: at.to_string(),
        expires_at: now_unix + i64::from(days) * 86_400,
    })?;
    Ok(token)
}

/// Why a token was refused: the HTTP status it maps to (401: not a usable credential; 403: a valid
/// token without the scope) and a message for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub forbidden: bool,
    pub message: String,
}

/// The account a token belongs to, if the token is known, not revoked, not expired at `now_unix`, its
/// account active, and `scope` among its scopes.
pub fn check_token(
    store: &dyn Store,
    token: &str,
    scope: Scope,
    now_unix: i64,
) -> Result<std::result::Result<(Account, TokenInfo), Refusal>> {
    let refuse = |m: &str| Ok(Err(Refusal { forbidden: false, message: m.to_string() }));
    let Some((account, info)) = store.token(&token_digest(token))? else {
        return refuse("unknown token");
    };
    if info.revoked_at.is_some() {
        return refuse("revoked token");
    }
    if info.expires_at.is_none_or(|e| e <= now_unix) {
        return refuse("expired token: issue a new one (lantian user token NAME)");
    }
    if account.disabled {
        return refuse("the token's account is disabled");
    }
    if !info.scopes.iter().any(|s| s == scope.code()) {
        return Ok(Err(Refusal {
            forbidden: true,
            message: format!(
                "this token's scopes ({}) do not include {}: issue one with --scope {}",
                info.scopes.join(","),
                scope.code(),
                scope.code()
            ),
        }));
    }
    Ok(Ok((account, info)))
}

/// The record an upload would change, with its owner, for the ownership errors: `enterprise
/// 91510600WG0K009WK3 (德阳锦江建材有限公司) belongs to 德阳`.
fn owned_by(what: &str, owner: &str, account: &Account) -> String {
    let own = match (&account.city, &account.department) {
        (_, Some(d)) => d.clone(),
        (Some(c), None) => c.display().to_string(),
        (None, None) => account.name.clone(),
    };
    format!("{what} belongs to {owner}; this account writes only {own}'s records, not another's")
}

/// Whether `account` may record a heavy-pollution alert decision (start, raise, lower, lift) of `city`
/// (`emergency.md` §3.2; issue 14 item 7): a province administrator for any city; a city user for its own
/// city — a city may start earlier or higher than the forecast requires, and decides its own response; a
/// municipal department user (it has a city) or a viewer never. `Err` says why not.
/// Whether the account reports the progress of a task of `department`: a province administrator, or
/// the department's own account ([`may_import`] applies this to every report of a file).
pub fn may_report_progress(account: &Account, department: &str) -> bool {
    match Role::parse(&account.role) {
        Some(Role::Admin) => true,
        Some(Role::Department) => account.department.as_deref() == Some(department),
        _ => false,
    }
}

pub fn may_decide_alert(account: &Account, city: &CityInfo) -> std::result::Result<(), String> {
    match Role::parse(&account.role) {
        Some(Role::Admin) => Ok(()),
        Some(Role::City) if account.city.as_ref().is_some_and(|c| c.id == city.id) => Ok(()),
        Some(Role::City) => Err(format!(
            "{} is the account of another city: a city records the alert decisions of its own city only ({})",
            account.name,
            city.display()
        )),
        _ => Err(format!(
            "{} may not record alert decisions: the province's administrators and each city's own account do",
            account.name
        )),
    }
}

/// Whether an account may import a file, and if not, why (issue 12 §2–3; issue 13 §5: one policy over
/// the owners the file's dataset module names, [`crate::datasets::Dataset::owners`]). Administrators may
/// import anything; viewers nothing. The records sent **and the records already stored under the same
/// key** must belong to the account: an enterprise registered in another city, a task of another city or
/// department is refused, naming the record and its owner. A city never sets the inputs of its own
/// score, ranking or targets: province-only kinds ([`OwnedBy::Province`]: daily city values, annual
/// targets, 168-city ranks, …) are refused with the kind's reason; its bonus/penalty items and dust
/// periods are accepted as proposals ([`WriteMode`], [`crate::datasets::Info::proposals`]); a stored
/// task's yardstick (target, baseline, kind, dates) is the province's to change, and new tasks are the
/// province's to create. Department users write only target tasks of their department (within their
/// city, when they have one) and progress reports of those tasks.
///
/// What each role writes, by owner: a city user its city's records ([`Owner::City`]), its registered
/// enterprises and their records ([`Owner::Registration`], [`Owner::Enterprise`]) and the tasks of its
/// city ([`Owner::Task`]); a department user the tasks of its department and their progress
/// ([`Owner::Task`], [`Owner::TaskProgress`]). The stored records are checked first, then the cities the
/// file names.
pub fn may_import(store: &dyn Store, account: &Account, ready: &Ready) -> Result<std::result::Result<(), String>> {
    let role = Role::parse(&account.role).unwrap_or(Role::Viewer);
    let kind = ready.kind_name();
    let info = ready.info();
    match role {
        Role::Admin => Ok(Ok(())),
        Role::Viewer => Ok(Err("a read-only account cannot import".into())),
        Role::City => {
            let Some(own) = &account.city else { return Ok(Err("the account has no city".into())) };
            let province_wide = || format!("{kind} files are province-wide: only an administrator imports them");
            match info.owned_by {
                OwnedBy::Province(Some(why)) => return Ok(Err(why.to_string())),
                OwnedBy::Province(None) => return Ok(Err(province_wide())),
                _ => {}
            }
            let owners = ready.owners();
            // Progress reports are their departments' (and the province's).
            if owners.iter().any(|o| matches!(o, Owner::TaskProgress(_))) {
                return Ok(Err(province_wide()));
            }
            // The records already stored under the same keys.
            let tasks: Vec<&TaskRecord> =
                owners.iter().filter_map(|o| if let Owner::Task(t) = o { Some(*t) } else { None }).collect();
            if !tasks.is_empty() {
                if let Some(why) = stored_tasks_refusal(store, account, &tasks)? {
                    return Ok(Err(why));
                }
            }
            if owners.iter().any(|o| matches!(o, Owner::Registration { .. } | Owner::Enterprise(_))) {
                let stored = store.enterprises(None)?;
                for o in &owners {
                    match *o {
                        // An enterprise stays in the city it is registered in.
                        Owner::Registration { credit_code, .. } => {
                            if let Some(s) = stored.iter().find(|s| s.credit_code == credit_code) {
                                if s.city_id != own.id {
                                    let owner = city_name(store, s.city_id)?;
                                    return Ok(Err(owned_by(
                                        &format!("enterprise {} ({})", s.credit_code, s.name),
                                        &owner,
                                        account,
                                    )));
                                }
                            }
                        }
                        // Records of enterprises: every enterprise must be registered in the account's city.
                        Owner::Enterprise(c) => match stored.iter().find(|e| e.credit_code == c) {
                            Some(e) if e.city_id == own.id => {}
                            Some(e) => {
                                let owner = city_name(store, e.city_id)?;
                                return Ok(Err(owned_by(&format!("enterprise {c} ({})", e.name), &owner, account)));
                            }
                            None => return Ok(Err(format!("enterprise {c} is not registered in {}", own.display()))),
                        },
                        _ => {}
                    }
                }
            }
            // The cities the records name.
            for o in &owners {
                let c = match o {
                    Owner::City(c) | Owner::Registration { city: c, .. } => *c,
                    Owner::Task(t) => t.city.as_str(),
                    Owner::Enterprise(_) | Owner::TaskProgress(_) => continue,
                };
                let other = store.resolve_city(c)?;
                if other.as_ref().map(|x| x.id) != Some(own.id) {
                    return Ok(Err(format!("the file has records of {c}; this account writes only {}", own.display())));
                }
            }
            Ok(Ok(()))
        }
        Role::Department => {
            let Some(dep) = &account.department else { return Ok(Err("the account has no department".into())) };
            let refusal =
                || format!("a department account imports only its target tasks and their progress, not {kind}");
            if info.owned_by != OwnedBy::Department {
                return Ok(Err(refusal()));
            }
            let owners = ready.owners();
            let mut tasks: Vec<&TaskRecord> = Vec::new();
            let mut reports: Vec<&str> = Vec::new();
            for o in &owners {
                match *o {
                    Owner::Task(t) => tasks.push(t),
                    Owner::TaskProgress(code) => reports.push(code),
                    _ => return Ok(Err(refusal())),
                }
            }
            if !tasks.is_empty() {
                if let Some(t) = tasks.iter().find(|t| &t.department != dep) {
                    return Ok(Err(format!(
                        "task {} names {} as its department; this account writes only {dep}'s tasks",
                        t.code, t.department
                    )));
                }
                if let Some(own) = &account.city {
                    for t in &tasks {
                        let city = store.resolve_city(&t.city)?;
                        if city.as_ref().map(|c| c.id) != Some(own.id) {
                            return Ok(Err(format!(
                                "task {} is for {}; {dep} is a department of {} and writes only its tasks there",
                                t.code,
                                t.city,
                                own.display()
                            )));
                        }
                    }
                }
                if let Some(why) = stored_tasks_refusal(store, account, &tasks)? {
                    return Ok(Err(why));
                }
            }
            if !reports.is_empty() {
                let stored = store.tasks(&store.cities()?.iter().map(|c| c.id).collect::<Vec<_>>())?;
                for code in reports {
                    match stored.iter().find(|t| t.code == code) {
                        Some(t) if may_report_progress(account, &t.department) => {}
                        Some(t) => {
                            return Ok(Err(owned_by(
                                &format!("task {} ({})", t.code, t.description),
                                &format!("{} of {}", t.department, t.city.display()),
                                account,
                            )))
                        }
                        None => return Ok(Err(format!("unknown task {code:?}"))),
                    }
                }
            }
            Ok(Ok(()))
        }
    }
}

fn city_name(store: &dyn Store, city_id: i64) -> Result<String> {
    Ok(store
        .cities()?
        .iter()
        .find(|c| c.id == city_id)
        .map_or_else(|| format!("city #{city_id}"), |c| c.display().to_string()))
}

/// For a city or department writer: a new task code is refused (tasks are assigned by the province:
/// their completion may score the city, issue 12 §3); a task code already stored must belong to the
/// writer (its city; its department), and its yardstick — kind, baseline, target, start, deadline — is the province's to
/// change (issue 12 §2–3: `deyang` set 成都's `cd-scrap` target to 1).
fn stored_tasks_refusal(store: &dyn Store, account: &Account, records: &[&TaskRecord]) -> Result<Option<String>> {
    let stored = store.tasks(&store.cities()?.iter().map(|c| c.id).collect::<Vec<_>>())?;
    for r in records {
        // A task's completion can score its city (a scheme's task-completion factor): the tasks, like the
        // targets, are assigned by the province; a city or department reports progress on its own.
        let Some(t) = stored.iter().find(|t| t.code == r.code) else {
            return Ok(Some(format!(
                "task {} ({}): target tasks are assigned by the province — an administrator imports new ones; \
                 {} may report progress on its own tasks",
                r.code, r.description, account.name
            )));
        };
        let what = format!("task {} ({})", t.code, t.description);
        let owner = format!("{} of {}", t.department, t.city.display());
        if let Some(c) = &account.city {
            if c.id != t.city.id {
                return Ok(Some(owned_by(&what, &owner, account)));
            }
        }
        if let Some(d) = &account.department {
            if *d != t.department {
                return Ok(Some(owned_by(&what, &owner, account)));
            }
        }
        let changed: Vec<String> = [
            ("kind", t.kind.as_str(), r.kind.code()),
            ("baseline", t.baseline.as_str(), r.baseline.as_str()),
            ("target", t.target.as_str(), r.target.as_str()),
            ("start", &t.start.to_string(), &r.start.to_string()),
            ("deadline", &t.deadline.to_string(), &r.deadline.to_string()),
        ]
        .iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, old, new)| format!("{field} {old} → {new}"))
        .collect();
        if !changed.is_empty() {
            return Ok(Some(format!(
                "{what}: its yardstick is set by the province; only an administrator changes it ({})",
                changed.join(", ")
            )));
        }
    }
    Ok(None)
}

/// How a writer's records enter the store: bonus/penalty items and dust periods of a city user are
/// proposals until an administrator approves them (issue 12 §3); everything else, and everything an
/// administrator or the store's operator (the CLI) imports, is written approved by that writer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteMode {
    /// Written, approved by this account (or `cli`).
    Approved { by: String },
    /// Kept as proposals by this account.
    Propose { by: String },
}

impl WriteMode {
    /// The store's operator on the command line.
    pub fn operator() -> WriteMode {
        WriteMode::Approved { by: "cli".into() }
    }
    /// An account of the platform.
    pub fn for_account(account: &Account) -> WriteMode {
        if Role::parse(&account.role) == Some(Role::Admin) {
            WriteMode::Approved { by: account.name.clone() }
        } else {
            WriteMode::Propose { by: account.name.clone() }
        }
    }
}

/// Decides a pending proposal (issue 12 §3): only an administrator (`by`; `cli` on the command line)
/// approves or rejects; an approved record enters its table with who approved and when, and the decision
/// is appended to the audit log in the same transaction.
pub fn decide_proposal(
    store: &mut dyn Store,
    decider: Option<&Account>,
    id: i64,
    approve: bool,
    note: &str,
    at: &str,
    remote: &str,
) -> Result<lantian_store::Proposal> {
    let by = match decider {
        None => "cli".to_string(),
        Some(a) if Role::parse(&a.role) == Some(Role::Admin) && !a.disabled => a.name.clone(),
        Some(a) => {
            return Err(ServiceError::Request(format!(
                "{} is not a province administrator: only the province approves a city's proposals",
                a.name
            )))
        }
    };
    Ok(store.decide_proposal(id, approve, &by, at, note, remote)?)
}

/// The proposals a reader may see (of its city, or all), optionally of one status.
pub fn proposals(store: &dyn Store, scope: &ReadScope, status: Option<&str>) -> Result<Vec<lantian_store::Proposal>> {
    if let Some(s) = status {
        if !["pending", "approved", "rejected"].contains(&s) {
            return Err(ServiceError::Request(format!("status {s:?}: expected pending, approved or rejected")));
        }
    }
    match scope {
        ReadScope::All => Ok(store.proposals(None, status)?),
        ReadScope::City(c) => Ok(store.proposals(Some(*c), status)?),
        ReadScope::None | ReadScope::Department(_) => Ok(Vec::new()),
    }
}

/// Whether an account may upload at all, from its role alone — checked before an upload's body is read
/// (issue 12 §5–6: a read-only account must not get a file decompressed and parsed). What it may write
/// is then decided per record by [`may_import`].
pub fn may_upload(account: &Account) -> std::result::Result<(), String> {
    match Role::parse(&account.role) {
        Some(Role::Viewer) | None => Err("a read-only account cannot import".into()),
        Some(_) => Ok(()),
    }
}
