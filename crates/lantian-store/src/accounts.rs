//! Accounts and audit (issue 13 item 2): accounts, their grants and API tokens, and the append-only
//! audit log. One of the domain repositories of a [`Store`](crate::Store).

use crate::{Account, AuditEntry, NewAccount, NewToken, Result, TokenInfo};

/// The accounts-and-audit repository.
pub trait AccountStore {
    /// Adds an account; a taken name is an input error.
    fn add_account(&mut self, a: &NewAccount) -> Result<i64>;
    /// All accounts, by name.
    fn accounts(&self) -> Result<Vec<Account>>;
    /// An account by name.
    fn account(&self, name: &str) -> Result<Option<Account>>;
    /// Disables or enables an account; false when there is no such account. Disabling revokes every
    /// token of the account (at `at`) and raises its credential epoch (its sessions end), in one
    /// transaction; enabling revives neither.
    fn set_account_disabled(&mut self, name: &str, disabled: bool, at: &str) -> Result<bool>;
    /// Sets the datasets granted to an account (replacing the previous grants); false when there is no
    /// such account.
    fn set_account_grants(&mut self, name: &str, grants: &[String]) -> Result<bool>;
    /// Stores an API token (its SHA-256, hex) for an account.
    fn add_token(&mut self, token: &NewToken) -> Result<()>;
    /// The account and the token a token digest (SHA-256, hex) belongs to, whatever their state
    /// (the caller checks expiry, revocation and the account).
    fn token(&self, token_sha256: &str) -> Result<Option<(Account, TokenInfo)>>;
    /// The tokens of an account, oldest first.
    fn tokens(&self, account_id: i64) -> Result<Vec<TokenInfo>>;
    /// Revokes an account's live tokens (those with `label`, or all); returns how many.
    fn revoke_tokens(&mut self, account_id: i64, label: Option<&str>, at: &str) -> Result<usize>;
    /// Appends to the audit log.
    fn audit(&mut self, at: &str, actor: &str, action: &str, detail: &str, remote: &str) -> Result<()>;
    /// The latest `limit` audit entries, newest first.
    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>>;
}
