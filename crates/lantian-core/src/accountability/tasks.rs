//! Target tasks (目标任务) of cities with owner departments and progress over time (Notice §6, e.g.
//! 成都: 80,000 National-III-or-below vehicles eliminated by the end of 2022; new-energy vehicle stock
//! raised to 300,000), and what is at risk (`management.md` §6).

use chrono::NaiveDate;
use serde::Serialize;

use crate::air::conc::Ratio;

/// How progress is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TaskKind {
    /// A count achieved toward the target (vehicles eliminated): completion = value / target.
    Cumulative,
    /// A level to reach from a baseline (NEV stock from 200,000 to 300,000):
    /// completion = (value − baseline) / (target − baseline).
    Level,
}

impl TaskKind {
    pub fn parse(s: &str) -> Option<TaskKind> {
        match s.trim() {
            "cumulative" | "累计" => Some(TaskKind::Cumulative),
            "level" | "达到" => Some(TaskKind::Level),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            TaskKind::Cumulative => "cumulative",
            TaskKind::Level => "level",
        }
    }
}

/// A task as defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    pub code: String,
    pub kind: TaskKind,
    pub baseline: Ratio,
    pub target: Ratio,
    /// When the task counts from (the start of its year by default).
    pub start: NaiveDate,
    pub deadline: NaiveDate,
}

/// Where a task stands at a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TaskStatus {
    Done,
    OnTrack,
    /// Completion behind the share of the time elapsed ([D]: linear schedule).
    AtRisk,
    /// Past the deadline and not done.
    Overdue,
    /// No progress reported yet.
    NoReport,
}

impl TaskStatus {
    /// The machine spelling (`done`, `on_track`, `at_risk`, `overdue`, `no_report`).
    pub fn code(self) -> &'static str {
        match self {
            TaskStatus::Done => "done",
            TaskStatus::OnTrack => "on_track",
            TaskStatus::AtRisk => "at_risk",
            TaskStatus::Overdue => "overdue",
            TaskStatus::NoReport => "no_report",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            TaskStatus::Done => "已完成",
            TaskStatus::OnTrack => "进度正常",
            TaskStatus::AtRisk => "进度滞后",
            TaskStatus::Overdue => "逾期未完成",
            TaskStatus::NoReport => "未报送进度",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            TaskStatus::Done => "done",
            TaskStatus::OnTrack => "on track",
            TaskStatus::AtRisk => "behind schedule",
            TaskStatus::Overdue => "overdue",
            TaskStatus::NoReport => "no report yet",
        }
    }

    /// The status of a code ([`TaskStatus::code`]).
    pub fn from_code(code: &str) -> Option<TaskStatus> {
        [TaskStatus::Done, TaskStatus::OnTrack, TaskStatus::AtRisk, TaskStatus::Overdue, TaskStatus::NoReport]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// Whether the task needs attention (behind, overdue or unreported).
    pub fn needs_attention(self) -> bool {
        matches!(self, TaskStatus::AtRisk | TaskStatus::Overdue | TaskStatus::NoReport)
    }
}

/// A task's progress at a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskProgress {
    /// Completion 0–1 (clamped), from the latest report on or before the date.
    pub completion: Option<Ratio>,
    /// Share of the time from start to deadline elapsed at the date, 0–1.
    pub elapsed: Ratio,
    pub status: TaskStatus,
}

fn clamp01(r: Ratio) -> Ratio {
    let (zero, one) = (Ratio::new(0, 1), Ratio::new(1, 1));
    if r < zero {
        zero
    } else if r > one {
        one
    } else {
        r
    }
}

/// A share 0–1 as the percentage tables show it, one decimal (`lantian targets`, `/tasks`, the API).
pub fn percent_text(r: Ratio) -> String {
    crate::accountability::points::fmt_ratio(Ratio::new(r.num * 100, r.den), 1)
}

/// The completion of a reported value.
pub fn completion(task: &Task, value: Ratio) -> Option<Ratio> {
    let (num, den) = match task.kind {
        TaskKind::Cumulative => (value, task.target),
        TaskKind::Level => (value - task.baseline, task.target - task.baseline),
    };
    (den.num != 0).then(|| clamp01(Ratio::new(num.num * den.den, num.den * den.num).reduced()))
}

/// Progress at `at` from the reports `(date, value)` (any order).
pub fn progress(task: &Task, reports: &[(NaiveDate, Ratio)], at: NaiveDate) -> TaskProgress {
    let total = (task.deadline - task.start).num_days().max(1);
    let gone = (at - task.start).num_days().clamp(0, total);
    let elapsed = Ratio::new(i128::from(gone), i128::from(total));
    let latest = reports.iter().filter(|(d, _)| *d <= at).max_by_key(|(d, _)| *d);
    let completion = latest.and_then(|(_, v)| completion(task, *v));
    let status = match completion {
        Some(c) if c >= Ratio::new(1, 1) => TaskStatus::Done,
        _ if at > task.deadline => TaskStatus::Overdue,
        None => TaskStatus::NoReport,
        Some(c) if c < elapsed => TaskStatus::AtRisk,
        Some(_) => TaskStatus::OnTrack,
    };
    TaskProgress { completion, elapsed, status }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).expect("date")
    }

    #[test]
    fn chengdu_vehicle_tasks() {
        // 80,000 National-III-or-below vehicles eliminated by the end of 2022.
        let scrap = Task {
            code: "cd-scrap".into(),
            kind: TaskKind::Cumulative,
            baseline: Ratio::new(0, 1),
            target: Ratio::new(80_000, 1),
            start: d(1, 1),
            deadline: d(12, 31),
        };
        // By 1 July (181 of 364 days) 36,000 done: 45 % < 49.7 % elapsed → at risk.
        let p = progress(&scrap, &[(d(6, 30), Ratio::new(36_000, 1))], d(7, 1));
        assert_eq!(p.completion, Some(Ratio::new(9, 20)));
        assert_eq!(p.elapsed, Ratio::new(181, 364));
        assert_eq!(p.status, TaskStatus::AtRisk);
        let p = progress(&scrap, &[(d(6, 30), Ratio::new(42_000, 1))], d(7, 1));
        assert_eq!(p.status, TaskStatus::OnTrack);
        let p = progress(&scrap, &[(d(12, 1), Ratio::new(80_500, 1))], d(12, 2));
        assert_eq!((p.completion, p.status), (Some(Ratio::new(1, 1)), TaskStatus::Done));
        let p = progress(&scrap, &[], d(3, 1));
        assert_eq!(p.status, TaskStatus::NoReport);
        // NEV stock raised from 200,000 to 300,000: 260,000 → 60 %.
        let nev =
            Task { kind: TaskKind::Level, baseline: Ratio::new(200_000, 1), target: Ratio::new(300_000, 1), ..scrap };
        assert_eq!(completion(&nev, Ratio::new(260_000, 1)), Some(Ratio::new(3, 5)));
        let p = progress(&nev, &[(d(12, 31), Ratio::new(290_000, 1))], NaiveDate::from_ymd_opt(2023, 1, 2).expect("d"));
        assert_eq!(p.status, TaskStatus::Overdue);
    }
}
