//! The work-item engine (督办 / 调度; `work.md` §1): an item issued by one organisation to another with
//! clocks, a state machine saying who may move each transition, delegation to lower levels with the
//! parent waiting for its children, returns counted, and an escalation ladder. Pure: the clock is an
//! argument (`now`), so that every rule is tested at exact instants; overdue is derived from the clock,
//! never stored.

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::calendar::{add_working_days, NotCovered};

/// An organisation that issues, receives or verifies items (`work.md` §0).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Org {
    /// 省污染防治攻坚战领导小组办公室 and the 工作专班.
    ProvinceOffice,
    /// A provincial department (by name).
    Dept(String),
    /// A city (市州) government or bureau, by GB/T 2260 code.
    City(u32),
    /// A county (区县), by GB/T 2260 code.
    County(u32),
    /// A discharging unit, by 统一社会信用代码.
    Enterprise(String),
}

/// What created an item (`work.md` §1 `origin`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// Check of a control measure during an alert (emergency-list enterprise, site, trucks).
    AlertMeasureCheck,
    /// A satellite fire point to be checked on the ground.
    FirePoint,
    /// A construction-site dust or road-dust alarm.
    DustAlarm,
    /// Review of a falsification or compliance lead.
    LeadReview,
    /// Rectification of an inspection or pairing-visit problem.
    Rectification,
    /// A clue transferred between departments.
    ClueTransfer,
    /// Anything else, by hand (a meeting's decision, a complaint).
    Manual,
}

impl Org {
    /// The one machine spelling of an organisation (the store's columns, the API): `province`,
    /// `dept:NAME`, `city:CODE`, `county:CODE`, `enterprise:CREDIT_CODE`.
    pub fn key(&self) -> String {
        match self {
            Org::ProvinceOffice => "province".to_string(),
            Org::Dept(d) => format!("dept:{d}"),
            Org::City(c) => format!("city:{c}"),
            Org::County(c) => format!("county:{c}"),
            Org::Enterprise(e) => format!("enterprise:{e}"),
        }
    }

    /// The organisation as people name it: the province's office, a Sichuan city by its name (in
    /// English on English pages), a department by its name, a county or an enterprise by its code.
    pub fn name(&self, english: bool) -> String {
        match (self, english) {
            (Org::ProvinceOffice, false) => "省专班".to_string(),
            (Org::ProvinceOffice, true) => "Province office".to_string(),
            (Org::City(c), _) => crate::regions::cities::SICHUAN_CITIES
                .iter()
                .find(|x| x.code == *c)
                .map_or_else(|| c.to_string(), |x| if english { x.name_en } else { x.short }.to_string()),
            (Org::County(c), false) => format!("区县 {c}"),
            (Org::County(c), true) => format!("county {c}"),
            (Org::Dept(d), _) => d.clone(),
            (Org::Enterprise(e), false) => format!("企业 {e}"),
            (Org::Enterprise(e), true) => format!("enterprise {e}"),
        }
    }

    /// The organisation of a key ([`Org::key`]).
    pub fn from_key(key: &str) -> Option<Org> {
        if key == "province" {
            return Some(Org::ProvinceOffice);
        }
        let (kind, id) = key.split_once(':')?;
        match kind {
            "dept" if !id.is_empty() => Some(Org::Dept(id.to_string())),
            "city" => id.parse().ok().map(Org::City),
            "county" => id.parse().ok().map(Org::County),
            "enterprise" if !id.is_empty() => Some(Org::Enterprise(id.to_string())),
            _ => None,
        }
    }
}

impl ItemKind {
    /// The kind as Chinese pages name it.
    pub fn label_zh(self) -> &'static str {
        match self {
            ItemKind::AlertMeasureCheck => "预警措施核查",
            ItemKind::FirePoint => "卫星火点核查",
            ItemKind::DustAlarm => "扬尘报警处置",
            ItemKind::LeadReview => "异常线索核查",
            ItemKind::Rectification => "问题整改",
            ItemKind::ClueTransfer => "线索移交",
            ItemKind::Manual => "其他督办",
        }
    }

    /// The kind as English pages name it.
    pub fn label_en(self) -> &'static str {
        match self {
            ItemKind::AlertMeasureCheck => "alert-measure check",
            ItemKind::FirePoint => "fire point",
            ItemKind::DustAlarm => "dust alarm",
            ItemKind::LeadReview => "lead review",
            ItemKind::Rectification => "rectification",
            ItemKind::ClueTransfer => "clue transfer",
            ItemKind::Manual => "other",
        }
    }

    /// Every kind.
    pub const ALL: [ItemKind; 7] = [
        ItemKind::AlertMeasureCheck,
        ItemKind::FirePoint,
        ItemKind::DustAlarm,
        ItemKind::LeadReview,
        ItemKind::Rectification,
        ItemKind::ClueTransfer,
        ItemKind::Manual,
    ];

    /// The kind of a code ([`ItemKind::code`]; `-` read as `_`).
    pub fn from_code(code: &str) -> Option<ItemKind> {
        let code = code.replace('-', "_");
        ItemKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The one machine spelling.
    pub fn code(self) -> &'static str {
        match self {
            ItemKind::AlertMeasureCheck => "alert_measure_check",
            ItemKind::FirePoint => "fire_point",
            ItemKind::DustAlarm => "dust_alarm",
            ItemKind::LeadReview => "lead_review",
            ItemKind::Rectification => "rectification",
            ItemKind::ClueTransfer => "clue_transfer",
            ItemKind::Manual => "manual",
        }
    }
}

/// Where an item comes from (`work.md` §1 `origin`), with the reference of its source record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "ref", rename_all = "snake_case")]
pub enum Origin {
    /// A heavy-pollution alert (its log scope and start).
    Alert(String),
    /// A compliance or falsification lead.
    Lead(String),
    FirePoint(String),
    DustAlarm(String),
    Inspection(String),
    PairingVisit(String),
    Complaint(String),
    Meeting(String),
    AssuranceEvent(String),
    Manual,
}

/// What an item is about (`work.md` §1 `subject`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "ref", rename_all = "snake_case")]
pub enum Subject {
    /// An enterprise by 统一社会信用代码.
    Enterprise(String),
    /// A construction or other site, by its registry id.
    Site(String),
    /// A vehicle by its plate.
    Vehicle(String),
    /// A point: longitude and latitude in millionths of a degree (exact).
    Point { lon_e6: i64, lat_e6: i64 },
    /// A city by GB/T 2260 code.
    City(u32),
}

/// How urgent (`work.md` §1 `priority`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Priority {
    P1,
    P2,
    P3,
}

/// A window: natural time, or whole working days (`calendar`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Window {
    Minutes(i64),
    WorkingDays(u32),
}

impl Window {
    /// The end of the window opened at `from`.
    pub fn end(self, from: NaiveDateTime) -> Result<NaiveDateTime, NotCovered> {
        match self {
            Window::Minutes(m) => Ok(from + Duration::minutes(m)),
            Window::WorkingDays(n) => add_working_days(from, n),
        }
    }
}

/// The clocks of a kind of item: sign within, feed back within.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkClock {
    pub kind: ItemKind,
    pub sign_within: Window,
    pub feedback_within: Window,
}

/// The default clocks (`work.md` §1 "Default clocks" [D], configuration; the fire point's 24-hour ground
/// check is [S]). Items of kinds not listed run on the `Manual` row.
pub const DEFAULT_CLOCKS: &[WorkClock] = &[
    WorkClock {
        kind: ItemKind::AlertMeasureCheck,
        sign_within: Window::Minutes(30),
        feedback_within: Window::Minutes(4 * 60),
    },
    WorkClock {
        kind: ItemKind::FirePoint,
        sign_within: Window::Minutes(60),
        feedback_within: Window::Minutes(24 * 60),
    },
    WorkClock { kind: ItemKind::DustAlarm, sign_within: Window::Minutes(30), feedback_within: Window::Minutes(2 * 60) },
    WorkClock {
        kind: ItemKind::LeadReview,
        sign_within: Window::WorkingDays(1),
        feedback_within: Window::WorkingDays(5),
    },
    WorkClock {
        kind: ItemKind::Rectification,
        sign_within: Window::WorkingDays(1),
        feedback_within: Window::WorkingDays(15),
    },
    WorkClock {
        kind: ItemKind::ClueTransfer,
        sign_within: Window::WorkingDays(3),
        feedback_within: Window::Minutes(30 * 24 * 60),
    },
    WorkClock { kind: ItemKind::Manual, sign_within: Window::WorkingDays(1), feedback_within: Window::WorkingDays(15) },
];

/// A major-event assurance period (重大会议、重要活动; `work.md` §6.3 [V duty; D model]): during it the
/// clocks of items issued run shorter, each window taking `percent` % of its usual length (at least a
/// minute, at least one working day).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssurancePeriod {
    pub name: String,
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    /// [D] 50: the windows are halved.
    pub percent: u32,
}

impl Window {
    /// The window at `percent` % of its length, rounded up, never shorter than its unit.
    pub fn scaled(self, percent: u32) -> Window {
        let p = i64::from(percent);
        match self {
            Window::Minutes(m) => Window::Minutes(((m * p + 99) / 100).max(1)),
            Window::WorkingDays(n) => {
                Window::WorkingDays(u32::try_from((i64::from(n) * p + 99) / 100).unwrap_or(n).max(1))
            }
        }
    }
}

/// The clock of an item of `kind` issued at `at`: the kind's row of `clocks`, tightened by the
/// assurance period in force then (the shortest, when several overlap).
pub fn clock_at(
    clocks: &[WorkClock],
    kind: ItemKind,
    at: NaiveDateTime,
    periods: &[AssurancePeriod],
) -> Option<WorkClock> {
    let base = *clock_of(clocks, kind)?;
    let percent = periods.iter().filter(|p| p.from <= at && at < p.to).map(|p| p.percent).min();
    Some(match percent {
        None => base,
        Some(p) => {
            WorkClock { kind, sign_within: base.sign_within.scaled(p), feedback_within: base.feedback_within.scaled(p) }
        }
    })
}

/// The clock of a kind in `clocks` (the `Manual` row when the kind has none).
pub fn clock_of(clocks: &[WorkClock], kind: ItemKind) -> Option<&WorkClock> {
    clocks.iter().find(|c| c.kind == kind).or_else(|| clocks.iter().find(|c| c.kind == ItemKind::Manual))
}

/// The states of an item (`work.md` §1). `Overdue` is not one: [`WorkItem::is_overdue`] derives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Draft,
    Issued,
    /// 签收.
    Signed,
    /// Handed to lower levels as child items; waits for all of them.
    Delegated,
    /// 已反馈.
    FedBack,
    Verified,
    /// 退回重办.
    Returned,
    Closed,
    /// Verified, and the verification found a violation: a case is opened (`work.md` §4).
    ClueOpened,
    Cancelled,
}

impl Escalation {
    /// The one machine spelling.
    pub fn code(self) -> &'static str {
        match self {
            Escalation::None => "none",
            Escalation::Reminder => "reminder",
            Escalation::SuperiorNotified => "superior_notified",
            Escalation::Listed => "listed",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Escalation::None => "",
            Escalation::Reminder => "已提醒",
            Escalation::SuperiorNotified => "超期，已告知上级",
            Escalation::Listed => "超期，列入周通报",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Escalation::None => "",
            Escalation::Reminder => "reminded",
            Escalation::SuperiorNotified => "overdue, superior told",
            Escalation::Listed => "overdue, in the weekly bulletin",
        }
    }
}

impl State {
    /// Every state.
    pub const ALL: [State; 10] = [
        State::Draft,
        State::Issued,
        State::Signed,
        State::Delegated,
        State::FedBack,
        State::Verified,
        State::Returned,
        State::Closed,
        State::ClueOpened,
        State::Cancelled,
    ];

    /// The one machine spelling.
    pub fn code(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Issued => "issued",
            State::Signed => "signed",
            State::Delegated => "delegated",
            State::FedBack => "fed_back",
            State::Verified => "verified",
            State::Returned => "returned",
            State::Closed => "closed",
            State::ClueOpened => "clue_opened",
            State::Cancelled => "cancelled",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            State::Draft => "草稿",
            State::Issued => "已下发",
            State::Signed => "已签收",
            State::Delegated => "已转办",
            State::FedBack => "已反馈",
            State::Verified => "已核实",
            State::Returned => "退回重办",
            State::Closed => "已办结",
            State::ClueOpened => "已立案查处",
            State::Cancelled => "已撤销",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Issued => "issued",
            State::Signed => "signed",
            State::Delegated => "delegated",
            State::FedBack => "fed back",
            State::Verified => "verified",
            State::Returned => "returned",
            State::Closed => "closed",
            State::ClueOpened => "case opened",
            State::Cancelled => "cancelled",
        }
    }

    /// Finished: nothing more is expected of anyone.
    pub fn is_final(self) -> bool {
        matches!(self, State::Closed | State::ClueOpened | State::Cancelled)
    }

    /// The assignee's part is done (fed back, or beyond).
    pub fn is_answered(self) -> bool {
        matches!(self, State::FedBack | State::Verified) || self.is_final()
    }
}

/// What an actor asks of an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Issue,
    Sign,
    /// Hand the item to lower levels (the children are created by the caller, then counted here).
    Delegate {
        children: usize,
    },
    /// Feed back: the text and the content hashes of the evidence (photo, video, document).
    FeedBack {
        text: String,
        evidence: Vec<String>,
    },
    /// Verification: the feedback is true and the site was checked, or not (then the item is returned).
    Verify {
        accepted: bool,
        opinion: String,
    },
    Close,
    OpenClue,
    Cancel {
        reason: String,
    },
}

impl Action {
    /// The one machine spelling.
    pub fn code(&self) -> &'static str {
        match self {
            Action::Issue => "issue",
            Action::Sign => "sign",
            Action::Delegate { .. } => "delegate",
            Action::FeedBack { .. } => "feed_back",
            Action::Verify { accepted: true, .. } => "verify",
            Action::Verify { accepted: false, .. } => "return",
            Action::Close => "close",
            Action::OpenClue => "open_clue",
            Action::Cancel { .. } => "cancel",
        }
    }
}

/// One move of an item: from, to, who, when, what was said, the evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub from: State,
    pub to: State,
    pub actor: Org,
    pub at: NaiveDateTime,
    pub comment: String,
    pub evidence: Vec<String>,
}

/// A work item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItem {
    pub kind: ItemKind,
    pub origin: Origin,
    pub subject: Option<Subject>,
    pub priority: Priority,
    pub title: String,
    pub issuer: Org,
    pub assignee: Org,
    pub co_assignees: Vec<Org>,
    /// Who verifies the feedback when not the issuer (a delegated verifier).
    pub verifier: Option<Org>,
    pub state: State,
    pub issued_at: Option<NaiveDateTime>,
    /// Set when issued, from the kind's clock.
    pub sign_due: Option<NaiveDateTime>,
    pub feedback_due: Option<NaiveDateTime>,
    /// Children still open (delegation): the parent feeds back only when none is.
    pub open_children: usize,
    /// Times the feedback was returned (退回重办).
    pub returns: u32,
    pub history: Vec<Transition>,
}

/// Why a transition was refused: what was asked, by whom, and the rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WorkError {
    #[error("{action} by {actor:?}: only {who} may {action} this item")]
    NotYours { action: &'static str, actor: Org, who: &'static str },
    #[error("{action}: not possible from {from} (the item is {from})")]
    WrongState { action: &'static str, from: &'static str },
    #[error("feed back: feedback needs its text and at least one piece of evidence (a photo, video or document)")]
    NoEvidence,
    #[error("feed back: {0} delegated items are still open; the item feeds back when all of them are closed")]
    ChildrenOpen(usize),
    #[error("{0}: a reason is required")]
    NoReason(&'static str),
    #[error("delegate: name at least one lower-level organisation")]
    NoChildren,
    #[error(transparent)]
    Calendar(#[from] NotCovered),
}

impl WorkItem {
    /// A draft item.
    pub fn draft(kind: ItemKind, title: &str, issuer: Org, assignee: Org) -> WorkItem {
        WorkItem {
            kind,
            origin: Origin::Manual,
            subject: None,
            priority: Priority::P2,
            title: title.to_string(),
            issuer,
            assignee,
            co_assignees: Vec::new(),
            verifier: None,
            state: State::Draft,
            issued_at: None,
            sign_due: None,
            feedback_due: None,
            open_children: 0,
            returns: 0,
            history: Vec::new(),
        }
    }

    /// The item after `actor` asks `action` at `at`, under `clocks` — or why not (`work.md` §1, the
    /// table of states and who moves them).
    pub fn apply(
        &self,
        action: &Action,
        actor: &Org,
        at: NaiveDateTime,
        clocks: &[WorkClock],
    ) -> Result<WorkItem, WorkError> {
        self.apply_during(action, actor, at, clocks, &[])
    }

    /// [`WorkItem::apply`] with the assurance periods that tighten the clocks of the items issued in them.
    pub fn apply_during(
        &self,
        action: &Action,
        actor: &Org,
        at: NaiveDateTime,
        clocks: &[WorkClock],
        periods: &[AssurancePeriod],
    ) -> Result<WorkItem, WorkError> {
        use State::*;
        let name = action.code();
        let is_issuer = *actor == self.issuer;
        let is_assignee = *actor == self.assignee;
        let is_verifier = self.verifier.as_ref().map_or(is_issuer, |v| v == actor);
        let need = |ok: bool, who: &'static str| {
            if ok {
                Ok(())
            } else {
                Err(WorkError::NotYours { action: name, actor: actor.clone(), who })
            }
        };
        let wrong = || WorkError::WrongState { action: name, from: self.state.code() };
        let mut next = self.clone();
        let (to, comment, evidence) = match action {
            Action::Issue => {
                need(is_issuer, "the issuer")?;
                if self.state != Draft {
                    return Err(wrong());
                }
                let clock = clock_at(clocks, self.kind, at, periods)
                    .or_else(|| clock_at(DEFAULT_CLOCKS, self.kind, at, periods))
                    .unwrap_or(DEFAULT_CLOCKS[DEFAULT_CLOCKS.len() - 1]);
                next.issued_at = Some(at);
                next.sign_due = Some(clock.sign_within.end(at)?);
                next.feedback_due = Some(clock.feedback_within.end(at)?);
                (Issued, String::new(), Vec::new())
            }
            Action::Sign => {
                need(is_assignee, "the assignee")?;
                if self.state != Issued {
                    return Err(wrong());
                }
                (Signed, String::new(), Vec::new())
            }
            Action::Delegate { children } => {
                need(is_assignee, "the assignee")?;
                if self.state != Signed {
                    return Err(wrong());
                }
                if *children == 0 {
                    return Err(WorkError::NoChildren);
                }
                next.open_children = *children;
                (Delegated, String::new(), Vec::new())
            }
            Action::FeedBack { text, evidence } => {
                need(is_assignee, "the assignee")?;
                if !matches!(self.state, Signed | Delegated | Returned) {
                    return Err(wrong());
                }
                if self.state == Delegated && self.open_children > 0 {
                    return Err(WorkError::ChildrenOpen(self.open_children));
                }
                if text.trim().is_empty() || evidence.is_empty() {
                    return Err(WorkError::NoEvidence);
                }
                (FedBack, text.clone(), evidence.clone())
            }
            Action::Verify { accepted, opinion } => {
                need(is_verifier, "the issuer or its delegated verifier")?;
                if self.state != FedBack {
                    return Err(wrong());
                }
                if *accepted {
                    (Verified, opinion.clone(), Vec::new())
                } else {
                    if opinion.trim().is_empty() {
                        return Err(WorkError::NoReason("return"));
                    }
                    next.returns += 1;
                    (Returned, opinion.clone(), Vec::new())
                }
            }
            Action::Close | Action::OpenClue => {
                need(is_issuer, "the issuer")?;
                if self.state != Verified {
                    return Err(wrong());
                }
                (if *action == Action::Close { Closed } else { ClueOpened }, String::new(), Vec::new())
            }
            Action::Cancel { reason } => {
                need(is_issuer, "the issuer")?;
                if self.state.is_final() {
                    return Err(wrong());
                }
                if reason.trim().is_empty() {
                    return Err(WorkError::NoReason("cancel"));
                }
                (Cancelled, reason.clone(), Vec::new())
            }
        };
        next.history.push(Transition { from: self.state, to, actor: actor.clone(), at, comment, evidence });
        next.state = to;
        Ok(next)
    }

    /// The moves `actor` may make from the item's state (their codes, as [`Action::code`]), whatever the
    /// input they need (a feedback's evidence, a reason): what a form offers.
    pub fn moves_for(&self, actor: &Org) -> Vec<&'static str> {
        use State::*;
        let issuer = *actor == self.issuer;
        let assignee = *actor == self.assignee;
        let verifier = self.verifier.as_ref().map_or(issuer, |v| v == actor);
        let mut out = Vec::new();
        match self.state {
            Draft if issuer => out.push("issue"),
            Issued if assignee => out.push("sign"),
            Signed if assignee => out.extend(["delegate", "feed_back"]),
            Delegated | Returned if assignee => out.push("feed_back"),
            FedBack if verifier => out.extend(["verify", "return"]),
            Verified if issuer => out.extend(["close", "open_clue"]),
            _ => {}
        }
        if issuer && !self.state.is_final() {
            out.push("cancel");
        }
        out
    }

    /// A child of a delegated item closed: one fewer to wait for.
    pub fn child_closed(&mut self) {
        self.open_children = self.open_children.saturating_sub(1);
    }

    /// Not signed by its sign-by time (and not yet signed) at `now`.
    pub fn is_sign_late(&self, now: NaiveDateTime) -> bool {
        self.state == State::Issued && self.sign_due.is_some_and(|d| now > d)
    }

    /// Overdue at `now`: past the feedback time and not answered (`work.md` §1: derived, never stored).
    pub fn is_overdue(&self, now: NaiveDateTime) -> bool {
        !self.state.is_answered() && self.state != State::Draft && self.feedback_due.is_some_and(|d| now > d)
    }

    /// The escalation ladder at `now` (`work.md` §1 [D]).
    pub fn escalation(&self, now: NaiveDateTime) -> Escalation {
        let (Some(from), Some(due)) = (self.issued_at, self.feedback_due) else { return Escalation::None };
        if self.state.is_answered() || self.state == State::Draft {
            return Escalation::None;
        }
        let window = (due - from).num_seconds().max(1);
        let elapsed = (now - from).num_seconds();
        // Exact: compare elapsed × 100 with the window × the percentage.
        if elapsed * 100 > window * 150 {
            Escalation::Listed
        } else if now > due {
            Escalation::SuperiorNotified
        } else if elapsed * 100 >= window * 75 {
            Escalation::Reminder
        } else {
            Escalation::None
        }
    }
}

/// The rung of the escalation ladder an item stands on (`work.md` §1 [D]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    None,
    /// 75 % of the feedback window gone: a reminder to the assignee.
    Reminder,
    /// Past due (overdue): the assignee's superior is notified.
    SuperiorNotified,
    /// Past due by half the window again: escalated one level and listed in the next weekly 通报.
    Listed,
}

/// The superior notified when an organisation's item is overdue (county → city → the province's office;
/// a department or an enterprise → the province's office; `work.md` §1 [D]). `city_of` gives a county's
/// city.
pub fn superior(org: &Org, city_of: impl Fn(u32) -> Option<u32>) -> Org {
    match org {
        Org::County(c) => city_of(*c).map_or(Org::ProvinceOffice, Org::City),
        _ => Org::ProvinceOffice,
    }
}

/// The organisations a month's 通报 lists (`work.md` §1 [D]): at least 3 items overdue at `now` or at
/// least 2 returns in the month, with their counts, in the order of [`Org`].
pub fn monthly_listing<'a>(
    items: impl IntoIterator<Item = &'a WorkItem>,
    month: (NaiveDateTime, NaiveDateTime),
    now: NaiveDateTime,
) -> Vec<(Org, u32, u32)> {
    let mut by: std::collections::BTreeMap<Org, (u32, u32)> = std::collections::BTreeMap::new();
    for it in items {
        let e = by.entry(it.assignee.clone()).or_default();
        if it.is_overdue(now) {
            e.0 += 1;
        }
        e.1 +=
            it.history.iter().filter(|t| t.to == State::Returned && t.at >= month.0 && t.at < month.1).count() as u32;
    }
    by.into_iter().filter(|(_, (o, r))| *o >= 3 || *r >= 2).map(|(org, (o, r))| (org, o, r)).collect()
}
