//! Inspections (督查检查) and the rectification of what they find: the Notice §2 asks for routine
//! unannounced "四不两直" inspections (暗查暗访) and §7 for joint, regional and cross inspections
//! (`notice-2022.md`); the record kinds and their states follow the work side of the spec
//! (`work.md` §3.1 `Inspection{mode, …, findings[]}`, §1 the work-item states Issued → FedBack →
//! Verified → Closed, "`Overdue` is derived, never a stored state"). Pure: the date that decides
//! whether a finding is overdue is an argument.

use chrono::NaiveDate;

use crate::enterprises::credit_code::{CreditCode, CreditCodeError};

/// How an inspection was carried out (`work.md` §3.1; glossary: 四不两直 / 暗查暗访 →
/// `InspectionKind::Unannounced`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InspectionMode {
    /// 暗查暗访 ("四不两直": unannounced, no escort, straight to the site) — Notice §2.
    Unannounced,
    /// 日常检查.
    Routine,
    /// 联合检查 (several departments, e.g. 生态环境 + 公安 diesel-truck checks) — Notice §7.
    Joint,
    /// 区域检查 (a regional joint-control group) — Notice §7.
    Regional,
    /// 交叉检查 (a team from another city or county than the target) — Notice §7.
    Cross,
}

crate::serde_as_code!(InspectionMode);

impl InspectionMode {
    pub const ALL: [InspectionMode; 5] = [
        InspectionMode::Unannounced,
        InspectionMode::Routine,
        InspectionMode::Joint,
        InspectionMode::Regional,
        InspectionMode::Cross,
    ];

    /// The one machine spelling (CSV, JSON, the store).
    pub fn code(self) -> &'static str {
        match self {
            InspectionMode::Unannounced => "unannounced",
            InspectionMode::Routine => "routine",
            InspectionMode::Joint => "joint",
            InspectionMode::Regional => "regional",
            InspectionMode::Cross => "cross",
        }
    }

    /// The Chinese label (tables, pages).
    pub fn label_zh(self) -> &'static str {
        match self {
            InspectionMode::Unannounced => "暗查暗访",
            InspectionMode::Routine => "日常检查",
            InspectionMode::Joint => "联合检查",
            InspectionMode::Regional => "区域检查",
            InspectionMode::Cross => "交叉检查",
        }
    }

    /// The code or the Chinese label (`四不两直` too), case and surrounding spaces ignored.
    pub fn parse(text: &str) -> Option<InspectionMode> {
        let t = text.trim();
        if t == "四不两直" {
            return Some(InspectionMode::Unannounced);
        }
        InspectionMode::ALL.into_iter().find(|m| m.code().eq_ignore_ascii_case(t) || m.label_zh() == t)
    }
}

/// Where a finding stands (`work.md` §1: the rectification of a finding is a work item that is fed back,
/// verified and closed). Overdue is not a status: it is derived from the deadline
/// ([`Finding::overdue_on`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RectificationStatus {
    /// 待整改: found, nothing reported yet.
    Open,
    /// 整改中: rectification under way.
    Rectifying,
    /// 已整改: reported done, awaiting verification.
    Rectified,
    /// 已销号: verified and closed.
    Closed,
}

crate::serde_as_code!(RectificationStatus);

impl RectificationStatus {
    pub const ALL: [RectificationStatus; 4] = [
        RectificationStatus::Open,
        RectificationStatus::Rectifying,
        RectificationStatus::Rectified,
        RectificationStatus::Closed,
    ];

    /// The one machine spelling.
    pub fn code(self) -> &'static str {
        match self {
            RectificationStatus::Open => "open",
            RectificationStatus::Rectifying => "rectifying",
            RectificationStatus::Rectified => "rectified",
            RectificationStatus::Closed => "closed",
        }
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            RectificationStatus::Open => "待整改",
            RectificationStatus::Rectifying => "整改中",
            RectificationStatus::Rectified => "已整改",
            RectificationStatus::Closed => "已销号",
        }
    }

    /// The code or the Chinese label, case and surrounding spaces ignored.
    pub fn parse(text: &str) -> Option<RectificationStatus> {
        let t = text.trim();
        RectificationStatus::ALL.into_iter().find(|s| s.code().eq_ignore_ascii_case(t) || s.label_zh() == t)
    }

    /// Whether the rectification is still owed (neither reported done nor closed).
    pub fn is_pending(self) -> bool {
        matches!(self, RectificationStatus::Open | RectificationStatus::Rectifying)
    }
}

/// What was inspected (`work.md` §1 `SubjectRef`): an enterprise by its unified social credit code, or
/// a site (a construction site, a road, a yard) by its name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InspectionTarget {
    Enterprise(CreditCode),
    Site(String),
}

impl InspectionTarget {
    /// A target as written: 18 ASCII letters and digits are a credit code and must be a valid one (a
    /// mistyped code is an error, never a site); anything else non-empty is a site.
    pub fn parse(text: &str) -> Result<InspectionTarget, CreditCodeError> {
        let t = text.trim();
        if t.len() == 18 && t.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return CreditCode::parse(t).map(InspectionTarget::Enterprise);
        }
        Ok(InspectionTarget::Site(t.to_string()))
    }

    /// `enterprise` or `site`.
    pub fn kind_code(&self) -> &'static str {
        match self {
            InspectionTarget::Enterprise(_) => "enterprise",
            InspectionTarget::Site(_) => "site",
        }
    }

    /// The Chinese label of the kind.
    pub fn kind_label_zh(&self) -> &'static str {
        match self {
            InspectionTarget::Enterprise(_) => "企业",
            InspectionTarget::Site(_) => "点位",
        }
    }

    /// The credit code or the site's name.
    pub fn as_str(&self) -> &str {
        match self {
            InspectionTarget::Enterprise(c) => c.as_str(),
            InspectionTarget::Site(s) => s,
        }
    }
}

/// The parts of a finding that decide whether it is overdue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Finding {
    pub deadline: NaiveDate,
    pub status: RectificationStatus,
}

impl Finding {
    /// Overdue on `day` (`work.md` §1: past its deadline and not yet fed back): the rectification is
    /// still owed and `day` is after the deadline (the deadline day itself is in time).
    pub fn overdue_on(&self, day: NaiveDate) -> bool {
        self.status.is_pending() && day > self.deadline
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn codes_and_labels_parse_back() {
        for m in InspectionMode::ALL {
            assert_eq!(InspectionMode::parse(m.code()), Some(m));
            assert_eq!(InspectionMode::parse(m.label_zh()), Some(m));
        }
        assert_eq!(InspectionMode::parse(" 四不两直 "), Some(InspectionMode::Unannounced));
        assert_eq!(InspectionMode::parse("surprise"), None);
        for s in RectificationStatus::ALL {
            assert_eq!(RectificationStatus::parse(s.code()), Some(s));
            assert_eq!(RectificationStatus::parse(s.label_zh()), Some(s));
        }
        assert_eq!(RectificationStatus::parse("OPEN"), Some(RectificationStatus::Open));
        assert_eq!(RectificationStatus::parse("逾期"), None, "overdue is derived, not a status");
    }

    #[test]
    fn a_target_of_eighteen_letters_and_digits_is_a_checked_credit_code() {
        // 91512081MA62K0260E: the hand-checked example of `credit_code.rs` (check character E).
        assert_eq!(InspectionTarget::parse(" 91512081MA62K0260E ").map(|t| t.kind_code()), Ok("enterprise"));
        assert_eq!(
            InspectionTarget::parse("91512081MA62K0260F"),
            Err(CreditCodeError::BadCheck { expected: 'E', found: 'F' })
        );
        assert_eq!(
            InspectionTarget::parse("天府大道北段工地").map(|t| t.as_str().to_string()),
            Ok("天府大道北段工地".to_string())
        );
    }

    #[test]
    fn overdue_is_after_the_deadline_while_the_rectification_is_owed() {
        let f = Finding { deadline: d("2022-12-31"), status: RectificationStatus::Rectifying };
        assert!(!f.overdue_on(d("2022-12-31")), "the deadline day is in time");
        assert!(f.overdue_on(d("2023-01-01")));
        let done = Finding { status: RectificationStatus::Rectified, ..f };
        assert!(!done.overdue_on(d("2023-01-01")), "reported done is not overdue");
    }
}
