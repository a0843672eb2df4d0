//! Accounts, roles and what each may write (issue 5): province administrator, city user (sees everything,
//! writes only its city's data), department user (writes only its own datasets: its target tasks and their
//! progress), read-only viewer. Passwords are hashed with argon2id; API tokens are random 256-bit values
//! stored as their SHA-256.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use lantian_ingest::Parsed;
use lantian_store::{Account, NewAccount, Store};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

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

/// Creates an account after checking the role's requirements (a city for city users, a department for
/// department users); returns its id.
pub fn add_account(
    store: &mut dyn Store,
    name: &str,
    password: &str,
    role: Role,
    city: Option<&str>,
    department: Option<&str>,
    at: &str,
) -> Result<i64> {
    if name.trim().is_empty() || name.len() > 64 {
        return Err(ServiceError::Request("an account name is 1–64 characters".into()));
    }
    if password.chars().count() < 10 {
        return Err(ServiceError::Request("a password has at least 10 characters".into()));
    }
    let city_id = match (role, city) {
        (Role::City, Some(c)) => {
            Some(store.resolve_city(c)?.ok_or_else(|| ServiceError::Request(format!("unknown city {c:?}")))?.id)
        }
        (Role::City, None) => return Err(ServiceError::Request("a city user needs --city".into())),
        (_, Some(_)) => return Err(ServiceError::Request("only city users have a city".into())),
        (_, None) => None,
    };
    let department = match (role, department) {
        (Role::Department, Some(d)) if !d.trim().is_empty() => Some(d.trim().to_string()),
        (Role::Department, _) => return Err(ServiceError::Request("a department user needs --department".into())),
        (_, Some(_)) => return Err(ServiceError::Request("only department users have a department".into())),
        (_, None) => None,
    };
    Ok(store.add_account(&NewAccount {
        name: name.trim().to_string(),
        password_hash: hash_password(password)?,
        role: role.code().to_string(),
        city_id,
        department,
        created_at: at.to_string(),
    })?)
}

/// A random 256-bit value from the operating system, hex, with a prefix.
pub fn random_token(prefix: &str) -> String {
    let mut raw = [0u8; 32];
    OsRng.fill_bytes(&mut raw);
    format!("{prefix}{}", raw.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// Issues a new API token for an account; returns the token (shown once; only its digest is stored).
pub fn issue_token(store: &mut dyn Store, account: &Account, label: &str, at: &str) -> Result<String> {
    let token = random_token("lt_");
    store.add_token(account.id, &token_digest(&token), label, at)?;
    Ok(token)
}

/// The active account a token belongs to.
pub fn account_for_token(store: &dyn Store, token: &str) -> Result<Option<Account>> {
    Ok(store.account_by_token(&token_digest(token))?.filter(|a| !a.disabled))
}

/// Whether an account may import a file, and if not, why. Administrators may import anything; city
/// users only records of their own city (daily city values, dust events, targets, adjustments, tasks);
/// department users only target tasks of their department and progress reports of those tasks;
/// viewers nothing.
pub fn may_import(store: &dyn Store, account: &Account, ready: &Ready) -> Result<std::result::Result<(), String>> {
    let role = Role::parse(&account.role).unwrap_or(Role::Viewer);
    let kind = ready.kind_name();
    match role {
        Role::Admin => Ok(Ok(())),
        Role::Viewer => Ok(Err("a read-only account cannot import".into())),
        Role::City => {
            let Some(own) = &account.city else { return Ok(Err("the account has no city".into())) };
            let cities: Vec<&str> = match ready {
                Ready::Other(Parsed::CityDaily { records, .. }) => records.iter().map(|r| r.city.as_str()).collect(),
                Ready::Other(Parsed::Dust(r)) => r.iter().map(|x| x.city.as_str()).collect(),
                Ready::Other(Parsed::Targets(r)) => r.iter().map(|x| x.city.as_str()).collect(),
                Ready::Other(Parsed::Adjustments(r)) => r.iter().map(|x| x.city.as_str()).collect(),
                Ready::Other(Parsed::Tasks(r)) => r.iter().map(|x| x.city.as_str()).collect(),
                Ready::Other(Parsed::Forecasts(r)) => r.iter().map(|x| x.city.as_str()).collect(),
                Ready::Other(Parsed::Enterprises(r)) => r.iter().map(|x| x.city.as_str()).collect(),
                Ready::Other(Parsed::Inventory(r)) => r.iter().map(|x| x.city.as_str()).collect(),
                Ready::Other(Parsed::CityMeasures(r)) => r.iter().map(|x| x.city.as_str()).collect(),
                Ready::Other(Parsed::Measures(_) | Parsed::Power(_) | Parsed::Cems(_)) => {
                    // Records of enterprises: every enterprise must be registered in the account's city.
                    let codes: Vec<&str> = match ready {
                        Ready::Other(Parsed::Measures(r)) => r.iter().map(|x| x.credit_code.as_str()).collect(),
                        Ready::Other(Parsed::Power(r)) => r.iter().map(|x| x.credit_code.as_str()).collect(),
                        Ready::Other(Parsed::Cems(r)) => r.iter().map(|x| x.credit_code.as_str()).collect(),
                        _ => Vec::new(),
                    };
                    let own_enterprises = store.enterprises(Some(own.id))?;
                    if let Some(c) = codes.iter().find(|c| !own_enterprises.iter().any(|e| e.credit_code == **c)) {
                        return Ok(Err(format!("enterprise {c} is not registered in {}", own.display())));
                    }
                    Vec::new()
                }
                _ => return Ok(Err(format!("{kind} files are province-wide: only an administrator imports them"))),
            };
            for c in cities {
                let other = store.resolve_city(c)?;
                if other.as_ref().map(|x| x.id) != Some(own.id) {
                    return Ok(Err(format!("the file has records of {c}; this account writes only {}", own.display())));
                }
            }
            Ok(Ok(()))
        }
        Role::Department => {
            let Some(dep) = &account.department else { return Ok(Err("the account has no department".into())) };
            match ready {
                Ready::Other(Parsed::Tasks(r)) => Ok(match r.iter().find(|t| &t.department != dep) {
                    Some(t) => {
                        Err(format!("task {} belongs to {}; this account writes only {dep}", t.code, t.department))
                    }
                    None => Ok(()),
                }),
                Ready::Other(Parsed::TaskReports(r)) => {
                    let tasks = store.tasks(&store.cities()?.iter().map(|c| c.id).collect::<Vec<_>>())?;
                    for rep in r {
                        match tasks.iter().find(|t| t.code == rep.task) {
                            Some(t) if &t.department == dep => {}
                            Some(t) => {
                                return Ok(Err(format!(
                                    "task {} belongs to {}; this account writes only {dep}",
                                    t.code, t.department
                                )))
                            }
                            None => return Ok(Err(format!("unknown task {:?}", rep.task))),
                        }
                    }
                    Ok(Ok(()))
                }
                _ => Ok(Err(format!(
                    "a department account imports only its target tasks and their progress, not {kind}"
                ))),
            }
        }
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
