//! Browser sign-in: `POST /api/v1/session` with name and password sets a session cookie (HttpOnly,
//! SameSite=Strict, Secure behind TLS) and returns a CSRF token that every cookie-authenticated write
//! must echo in `X-CSRF-Token`; `GET` tells who is signed in; `DELETE` signs out. Sessions live in the
//! server's memory and end after an idle time (default 30 minutes) or an absolute lifetime (default 8
//! hours) — OWASP ASVS 3.3.2 at level 2 — at sign-out, at restart, or when the account is disabled (its
//! credential epoch rises: re-enabling it does not revive them); at most 16 per account (a new one ends
//! the oldest).
//!
//! Failed sign-ins are throttled (issue 12 §7; OWASP ASVS 2.2.1, "Blocking Brute Force Attacks") by
//! [`Throttle`], in two bounded, expiring tables:
//!
//! * per **(name, address)**: the first 4 failures are free; the 5th locks that pair for 1 minute, each
//!   further one doubles the lock (2, 4, 8 … minutes, at most 1 hour). A pair is forgotten 15 minutes
//!   after its last failure or lock ends, and on a successful sign-in. Only that name from that address
//!   is locked: the account's owner signing in from elsewhere is not (an attacker cannot lock others
//!   out), and a user behind the same proxy with another name is not either;
//! * per **address**: at most 100 failures in a 15-minute window, over all names (password spraying);
//!   beyond it sign-ins from that address wait for the window to end — except for names that have
//!   signed in successfully from that address in the last 30 days (OWASP's "device cookie" idea, keyed
//!   by address): an attacker behind a shared proxy cannot lock out its known users, and still gets no
//!   more guesses at their passwords (their pair's back-off applies as always). A typing user never
//!   gets near the budget.
//!
//! An attempt is counted as a failure in the same step as it is checked, and a success takes it back,
//! so that parallel guesses cannot all slip through before the first is counted.
//!
//! Names are kept as keyed 64-bit hashes, never as sent (a 4 kB name costs 8 bytes); each table holds
//! at most 10,000 entries — expired ones are dropped first, then the least recently used. Refusals
//! answer 429 with `Retry-After`. A sign-in takes the same time whether the name exists or not: the
//! argon2 verification always runs, against a dummy hash for unknown or disabled names, and runs on a
//! blocking thread without holding a store connection.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use lantian_service::accounts::{hash_password, random_token, verify_password};
use lantian_store::{Account, Store};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::blocking;
use crate::error::ErrorBody;
use crate::{now, ApiError, AppState};

/// The session cookie's name.
pub const COOKIE: &str = "lantian_session";
/// A session ends after this long without a request (`serve --session-idle-secs`,
/// `LANTIAN_SESSION_IDLE_SECS`).
pub const DEFAULT_SESSION_IDLE: Duration = Duration::from_secs(30 * 60);
/// A session ends this long after sign-in whatever its use (`serve --session-max-secs`,
/// `LANTIAN_SESSION_MAX_SECS`).
pub const DEFAULT_SESSION_MAX: Duration = Duration::from_secs(8 * 3600);
const SESSIONS_PER_ACCOUNT: usize = 16;

/// Failures of a (name, address) pair before it is locked.
pub const FREE_FAILURES: u32 = 4;
/// The first lock of a pair; each further failure doubles it.
pub const FIRST_LOCK: Duration = Duration::from_secs(60);
/// The longest lock of a pair.
pub const MAX_LOCK: Duration = Duration::from_secs(3600);
/// How long a pair or an address is remembered after its last failure or lock.
pub const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// Failures an address may have in [`FORGET_AFTER`] over all names.
pub const ADDRESS_BUDGET: u32 = 100;
/// Entries per table.
pub const MAX_ENTRIES: usize = 10_000;
/// How long a successful sign-in of a name from an address exempts that pair from the address budget.
pub const TRUST_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

struct Pair {
    failures: u32,
    /// The last failure, or the end of the lock when later.
    until: Instant,
    locked_until: Option<Instant>,
}

struct Address {
    window_start: Instant,
    failures: u32,
}

/// Sign-in throttling: bounded, expiring tables keyed by (name hash, address) and by address.
pub struct Throttle {
    keys: RandomState,
    tables: Mutex<Tables>,
}

/// Failures per (name hash, address) and per address; the pairs that signed in successfully.
#[derive(Default)]
struct Tables {
    pairs: HashMap<(u64, IpAddr), Pair>,
    addresses: HashMap<IpAddr, Address>,
    /// When each pair last signed in successfully.
    trusted: HashMap<(u64, IpAddr), Instant>,
}

impl Default for Throttle {
    fn default() -> Throttle {
        Throttle { keys: RandomState::new(), tables: Mutex::new(Tables::default()) }
    }
}

/// Makes room in a full table: drops the expired entries, and if that is not enough the least recently
/// failed tenth (so that a flood costs one sort per thousand failures, not a scan per failure).
fn make_room<K: Clone + Eq + std::hash::Hash, V>(
    map: &mut HashMap<K, V>,
    expired: impl Fn(&V) -> bool,
    age: impl Fn(&V) -> Instant,
) {
    if map.len() < MAX_ENTRIES {
        return;
    }
    map.retain(|_, v| !expired(v));
    if map.len() >= MAX_ENTRIES {
        let mut by_age: Vec<(Instant, K)> = map.iter().map(|(k, v)| (age(v), k.clone())).collect();
        by_age.sort_unstable_by_key(|(t, _)| *t);
        for (_, k) in by_age.iter().take(map.len() - MAX_ENTRIES * 9 / 10) {
            map.remove(k);
        }
    }
}

fn refused_in(t: &Tables, key: (u64, IpAddr), now: Instant) -> Option<Duration> {
    let trusted = t.trusted.get(&key).is_some_and(|at| *at + TRUST_FOR > now);
    let address = t
        .addresses
        .get(&key.1)
        .filter(|a| a.failures >= ADDRESS_BUDGET && !trusted)
        .map(|a| a.window_start + FORGET_AFTER);
    let pair = t.pairs.get(&key).and_then(|p| p.locked_until);
    address.into_iter().chain(pair).filter(|end| *end > now).max().map(|end| end - now)
}

fn fail_in(t: &mut Tables, key: (u64, IpAddr), now: Instant) {
    let Tables { pairs, addresses, .. } = t;
    if !pairs.contains_key(&key) {
        make_room(pairs, |p| p.until + FORGET_AFTER <= now, |p| p.until);
    }
    let p = pairs.entry(key).or_insert(Pair { failures: 0, until: now, locked_until: None });
    if p.until + FORGET_AFTER <= now {
        *p = Pair { failures: 0, until: now, locked_until: None };
    }
    p.failures = p.failures.saturating_add(1);
    p.until = p.until.max(now);
    if p.failures > FREE_FAILURES {
        let doublings = (p.failures - FREE_FAILURES - 1).min(16);
        let lock = FIRST_LOCK.saturating_mul(1 << doublings).min(MAX_LOCK);
        p.locked_until = Some(now + lock);
        p.until = now + lock;
    }
    let ip = key.1;
    if !addresses.contains_key(&ip) {
        make_room(addresses, |a| a.window_start + FORGET_AFTER <= now, |a| a.window_start);
    }
    let a = addresses.entry(ip).or_insert(Address { window_start: now, failures: 0 });
    if a.window_start + FORGET_AFTER <= now {
        *a = Address { window_start: now, failures: 0 };
    }
    a.failures = a.failures.saturating_add(1);
}

impl Throttle {
    fn key(&self, name: &str, ip: IpAddr) -> (u64, IpAddr) {
        (self.keys.hash_one(name), ip)
    }

    /// How long a sign-in of `name` from `ip` must wait, if it is refused now.
    pub fn refused(&self, name: &str, ip: IpAddr, now: Instant) -> Option<Duration> {
        let key = self.key(name, ip);
        let t = self.tables.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        refused_in(&t, key, now)
    }

    /// Starts a sign-in: refused (how long to wait), or counted as a failure until [`Throttle::succeed`]
    /// takes it back — in one step, so that parallel guesses cannot all pass the check before any of
    /// them is counted.
    pub fn attempt(&self, name: &str, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let key = self.key(name, ip);
        let mut t = self.tables.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(wait) = refused_in(&t, key, now) {
            return Err(wait);
        }
        fail_in(&mut t, key, now);
        Ok(())
    }

    /// Records a failed sign-in.
    pub fn fail(&self, name: &str, ip: IpAddr, now: Instant) {
        let key = self.key(name, ip);
        fail_in(&mut self.tables.lock().unwrap_or_else(std::sync::PoisonError::into_inner), key, now);
    }

    /// A successful sign-in (after [`Throttle::attempt`]): forgets the failures of `name` from `ip`,
    /// takes the attempt back from the address's count, and trusts the pair.
    pub fn succeed(&self, name: &str, ip: IpAddr, now: Instant) {
        let key = self.key(name, ip);
        let mut t = self.tables.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        t.pairs.remove(&key);
        if let Some(a) = t.addresses.get_mut(&ip) {
            a.failures = a.failures.saturating_sub(1);
        }
        if !t.trusted.contains_key(&key) {
            make_room(&mut t.trusted, |at| *at + TRUST_FOR <= now, |at| *at);
        }
        t.trusted.insert(key, now);
    }

    /// Entries held: (name, address) pairs with failures and addresses with failures.
    pub fn len(&self) -> (usize, usize) {
        let t = self.tables.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        (t.pairs.len(), t.addresses.len())
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == (0, 0)
    }
}

struct Session {
    account: String,
    /// The account's credential epoch at sign-in (disabling the account raises it).
    epoch: i64,
    csrf: String,
    started: Instant,
    last_seen: Instant,
}

/// Sessions and sign-in throttling, in memory.
pub struct Sessions {
    sessions: Mutex<HashMap<String, Session>>,
    pub throttle: Throttle,
    idle: Duration,
    max: Duration,
}

impl Default for Sessions {
    fn default() -> Sessions {
        Sessions::with_limits(DEFAULT_SESSION_IDLE, DEFAULT_SESSION_MAX)
    }
}

/// The hash an unknown or disabled name is verified against, so that it takes as long as a known one.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password(&random_token("dummy_")).unwrap_or_else(|_| String::new()));

impl Sessions {
    /// Prepares what the first sign-in would otherwise compute (the dummy hash).
    pub fn warm_up(&self) {
        LazyLock::force(&DUMMY_HASH);
    }
    /// Sessions that end after `idle` without a request or `max` after sign-in.
    pub fn with_limits(idle: Duration, max: Duration) -> Sessions {
        Sessions { sessions: Mutex::default(), throttle: Throttle::default(), idle, max }
    }
    fn live(&self, x: &Session, now: Instant) -> bool {
        now.duration_since(x.started) < self.max && now.duration_since(x.last_seen) < self.idle
    }
    fn start(&self, account: &Account) -> (String, String) {
        let (id, csrf) = (random_token("s_"), random_token("c_"));
        let mut s = self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        s.retain(|_, x| self.live(x, now));
        let mut own: Vec<(Instant, String)> =
            s.iter().filter(|(_, x)| x.account == account.name).map(|(k, x)| (x.started, k.clone())).collect();
        if own.len() >= SESSIONS_PER_ACCOUNT {
            own.sort();
            for (_, k) in own.iter().take(own.len() + 1 - SESSIONS_PER_ACCOUNT) {
                s.remove(k);
            }
        }
        s.insert(
            id.clone(),
            Session {
                account: account.name.clone(),
                epoch: account.credential_epoch,
                csrf: csrf.clone(),
                started: now,
                last_seen: now,
            },
        );
        (id, csrf)
    }
    /// `(account name, credential epoch, csrf token)` of a live session; the request renews its idle time.
    fn get(&self, id: &str) -> Option<(String, i64, String)> {
        let mut s = self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        let live = s.get(id).is_some_and(|x| self.live(x, now));
        if !live {
            s.remove(id);
            return None;
        }
        let x = s.get_mut(id)?;
        x.last_seen = now;
        Some((x.account.clone(), x.epoch, x.csrf.clone()))
    }
    fn end(&self, id: &str) {
        self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(id);
    }
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == COOKIE).then(|| v.to_string())
    })
}

/// `(account name, CSRF token)` of the request's live session, if any (for pages that write).
pub fn signed_in(state: &AppState, headers: &HeaderMap) -> Option<(String, String)> {
    cookie_value(headers).and_then(|id| state.sessions.get(&id)).map(|(name, _, csrf)| (name, csrf))
}

/// The account of a cookie session, checking the CSRF header when `write` is set.
pub fn session_account(
    state: &AppState,
    store: &dyn Store,
    headers: &HeaderMap,
    write: bool,
) -> Result<Option<Account>, ApiError> {
    let Some(id) = cookie_value(headers) else { return Ok(None) };
    let Some((name, epoch, csrf)) = state.sessions.get(&id) else { return Ok(None) };
    if write {
        let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
        if sent != csrf {
            return Err(ApiError {
                status: StatusCode::FORBIDDEN,
                code: "csrf",
                message: "missing or wrong X-CSRF-Token for a signed-in write".into(),
            });
        }
    }
    // A disabled account, or one disabled since the sign-in (re-enabled or not), has no session.
    let account = store.account(&name)?.filter(|a| !a.disabled && a.credential_epoch == epoch);
    if account.is_none() {
        state.sessions.end(&id);
    }
    Ok(account)
}

/// Sign-in request.
#[derive(Deserialize, ToSchema)]
pub struct SignIn {
    pub name: String,
    pub password: String,
}

/// Who is signed in.
#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    pub name: String,
    pub role: String,
    pub city: Option<String>,
    pub department: Option<String>,
    /// Echo in `X-CSRF-Token` on every write made with the session cookie.
    pub csrf_token: String,
}

fn info(a: &Account, csrf: String) -> SessionInfo {
    SessionInfo {
        name: a.name.clone(),
        role: a.role.clone(),
        city: a.city.as_ref().map(|c| c.display().to_string()),
        department: a.department.clone(),
        csrf_token: csrf,
    }
}

/// Sign in with name and password.
#[utoipa::path(post, path = "/api/v1/session", tag = "accounts", request_body = SignIn,
    responses((status = 200, body = SessionInfo, description = "Signed in; sets the session cookie"),
              (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn sign_in(
    State(state): State<Arc<AppState>>,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<SignIn>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let ip = remote.ip();
    if let Err(wait) = state.sessions.throttle.attempt(&req.name, ip, Instant::now()) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        let mut resp = ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "throttled",
            message: format!("too many failed sign-ins: try again in {minutes} minutes"),
        }
        .into_response();
        resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait.as_secs().max(1)));
        return Ok(resp);
    }
    // The account (a read), then argon2 on a blocking thread without a connection: against the
    // account's hash, or the dummy hash when there is none to check (same time either way).
    let name = req.name.clone();
    let account = blocking(state.clone(), move |store| Ok(store.account(&name)?)).await?;
    let ok = tokio::task::spawn_blocking(move || {
        let usable = account.filter(|a| !a.disabled);
        let hash = usable.as_ref().map_or(DUMMY_HASH.as_str(), |a| a.password_hash.as_str());
        let matches = verify_password(&req.password, hash);
        (matches && usable.is_some()).then_some(usable).flatten()
    })
    .await
    .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?;
    // The attempt was counted as a failure before the check; a success takes it back.
    if ok.is_some() {
        state.sessions.throttle.succeed(&req.name, ip, Instant::now());
    }
    // The name as sent, cut to the longest possible account name (64 bytes; `user audit` escapes it).
    let mut actor = req.name.clone();
    if actor.len() > 64 {
        let mut end = 64;
        while !actor.is_char_boundary(end) {
            end -= 1;
        }
        actor.truncate(end);
        actor.push('…');
    }
    let (st, action, addr) = (state.clone(), if ok.is_some() { "sign-in" } else { "sign-in.failed" }, ip.to_string());
    tokio::task::spawn_blocking(move || {
        st.stores.write(&st.config.write_wait, |tx| tx.accounts().audit(&now(), &actor, action, "", &addr))
    })
    .await
    .map_err(|e| ApiError::internal(format!("worker failed: {e}")))??;
    let Some(account) = ok else {
        return Err(ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: "wrong name or password, or the account is disabled".into(),
        });
    };
    let (id, csrf) = state.sessions.start(&account);
    let secure = headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes() == b"https");
    let cookie = format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        state.sessions.max.as_secs(),
        if secure { "; Secure" } else { "" }
    );
    let mut resp = Json(info(&account, csrf)).into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| ApiError::internal(e.to_string()))?);
    Ok(resp)
}

/// Who is signed in with this cookie.
#[utoipa::path(get, path = "/api/v1/session", tag = "accounts",
    responses((status = 200, body = SessionInfo), (status = 401, body = ErrorBody)))]
pub async fn current(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Json<SessionInfo>, ApiError> {
    let id = cookie_value(&headers).unwrap_or_default();
    let csrf = state.sessions.get(&id).map(|(_, _, c)| c).unwrap_or_default();
    let st = state.clone();
    let account = blocking(state, move |store| session_account(&st, store, &headers, false)).await?;
    account.map(|a| Json(info(&a, csrf))).ok_or_else(|| ApiError {
        status: StatusCode::UNAUTHORIZED,
        code: "unauthorized",
        message: "not signed in".into(),
    })
}

/// Sign out (needs the CSRF header).
#[utoipa::path(delete, path = "/api/v1/session", tag = "accounts",
    responses((status = 200, description = "Signed out"), (status = 403, body = ErrorBody)))]
pub async fn sign_out(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, ApiError> {
    let st = state.clone();
    let h = headers.clone();
    blocking(state.clone(), move |store| session_account(&st, store, &h, true)).await?;
    if let Some(id) = cookie_value(&headers) {
        state.sessions.end(&id);
    }
    let mut resp = Json(serde_json::json!({"signed_out": true})).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("lantian_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    fn ip(n: u32) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n))
    }

    /// Issue 12 §7: 20,000 failures with 4 kB names — from 20,000 addresses, and from one — keep both
    /// tables within their bound; a name costs its 8-byte hash, whatever its length.
    #[test]
    fn twenty_thousand_failures_with_4kb_names_keep_the_tables_bounded() {
        let now = Instant::now();
        let t = Throttle::default();
        for k in 0..20_000 {
            t.fail(&format!("{k:04096}"), ip(k), now);
        }
        let (pairs, addresses) = t.len();
        assert!(pairs <= MAX_ENTRIES && addresses <= MAX_ENTRIES, "{pairs} {addresses}");
        assert!(pairs >= MAX_ENTRIES * 9 / 10, "{pairs}: the recent failures are kept");
        let t = Throttle::default();
        for k in 0..20_000 {
            t.fail(&format!("{k:04096}"), ip(1), now);
        }
        assert!(t.len().0 <= MAX_ENTRIES);
        assert_eq!(t.len().1, 1);
        // The latest failures are the ones kept: the last name is still counted.
        let last = t.key(&format!("{:04096}", 19_999), ip(1));
        assert_eq!(t.tables.lock().ok().and_then(|x| x.pairs.get(&last).map(|p| p.failures)), Some(1));
        // About 1 MB a table at most: an entry is a fixed-size key and value.
        assert!(std::mem::size_of::<(u64, IpAddr)>() + std::mem::size_of::<Pair>() <= 100);
    }

    /// Four free failures, then a lock of 1 minute that doubles with each failure up to an hour; a
    /// success forgets the pair; another address is never affected.
    #[test]
    fn a_pair_backs_off_exponentially() {
        let t0 = Instant::now();
        let t = Throttle::default();
        for _ in 0..FREE_FAILURES {
            t.fail("victim", ip(1), t0);
        }
        assert_eq!(t.refused("victim", ip(1), t0), None);
        t.fail("victim", ip(1), t0);
        assert_eq!(t.refused("victim", ip(1), t0), Some(Duration::from_secs(60)));
        assert_eq!(t.refused("victim", ip(2), t0), None, "the owner elsewhere");
        assert_eq!(t.refused("other", ip(1), t0), None, "another name from the same address");
        let mut at = t0;
        for want in [120, 240, 480, 960, 1920, 3600, 3600] {
            at += t.refused("victim", ip(1), at).unwrap_or_default() + Duration::from_secs(1);
            assert_eq!(t.refused("victim", ip(1), at), None);
            t.fail("victim", ip(1), at);
            assert_eq!(t.refused("victim", ip(1), at), Some(Duration::from_secs(want)));
        }
        t.succeed("victim", ip(1), at);
        assert_eq!(t.refused("victim", ip(1), at), None);
    }

    /// Attempts are counted when they start: of ten parallel guesses on a pair, only the free four
    /// and the one that locks pass; a success takes its attempt back.
    #[test]
    fn parallel_attempts_are_counted_before_they_are_checked() {
        let t0 = Instant::now();
        let t = Throttle::default();
        let passed = (0..10).filter(|_| t.attempt("victim", ip(1), t0).is_ok()).count();
        assert_eq!(passed, FREE_FAILURES as usize + 1);
        let t = Throttle::default();
        for _ in 0..3 {
            assert!(t.attempt("user", ip(2), t0).is_ok());
            t.succeed("user", ip(2), t0);
        }
        assert_eq!(t.len(), (0, 1));
        assert_eq!(t.tables.lock().ok().and_then(|x| x.addresses.get(&ip(2)).map(|a| a.failures)), Some(0));
    }

    /// A pair is forgotten 15 minutes after its lock ends: its count starts again.
    #[test]
    fn failures_expire() {
        let t0 = Instant::now();
        let t = Throttle::default();
        for _ in 0..=FREE_FAILURES {
            t.fail("a", ip(1), t0);
        }
        let later = t0 + FIRST_LOCK + FORGET_AFTER + Duration::from_secs(1);
        t.fail("a", ip(1), later);
        assert_eq!(t.refused("a", ip(1), later), None, "a fresh count: one failure");
        // Expired entries are the first to go when the table is full.
        let t = Throttle::default();
        for k in 0..(MAX_ENTRIES as u32) {
            t.fail("x", ip(k), t0);
        }
        t.fail("x", ip(1_000_000), t0 + FORGET_AFTER + Duration::from_secs(1));
        assert_eq!(t.len(), (1, 1));
    }

    /// 100 failures from one address over many names stop that address for the rest of its 15-minute
    /// window, and no other.
    #[test]
    fn an_address_has_a_budget() {
        let t0 = Instant::now();
        let t = Throttle::default();
        for k in 0..ADDRESS_BUDGET {
            assert_eq!(t.refused(&format!("n{k}"), ip(7), t0), None);
            t.fail(&format!("n{k}"), ip(7), t0);
        }
        let at = t0 + Duration::from_secs(60);
        assert_eq!(t.refused("victim", ip(7), at), Some(FORGET_AFTER - Duration::from_secs(60)));
        assert_eq!(t.refused("victim", ip(8), at), None);
        assert_eq!(t.refused("victim", ip(7), t0 + FORGET_AFTER), None);
        // A name that signed in from that address before is not stopped by the spraying of others, but
        // its own failures still lock it.
        let t = Throttle::default();
        t.succeed("known", ip(7), t0);
        for k in 0..ADDRESS_BUDGET {
            t.fail(&format!("n{k}"), ip(7), t0);
        }
        assert!(t.refused("new", ip(7), at).is_some());
        assert_eq!(t.refused("known", ip(7), at), None);
        for _ in 0..=FREE_FAILURES {
            t.fail("known", ip(7), at);
        }
        assert_eq!(t.refused("known", ip(7), at), Some(FIRST_LOCK));
    }
}
