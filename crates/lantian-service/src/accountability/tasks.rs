//! Target tasks and their progress at a date (Notice §6; `management.md` §6): the one place where stored
//! tasks and reports become [`lantian_core::accountability::tasks::TaskProgress`], shared by `lantian targets` and the
//! points factor C5c.

use chrono::{Datelike, NaiveDate};
use lantian_core::accountability::points::TaskScoreInput;
use lantian_core::accountability::tasks::{progress, Task, TaskKind, TaskProgress};
use lantian_core::air::conc::{parse_decimal, Ratio};
use lantian_store::{Store, TaskInfo};

use crate::Result;

/// A stored task with its progress at a date.
#[derive(Clone, Debug)]
pub struct TaskStanding {
    pub info: TaskInfo,
    pub task: Task,
    pub progress: TaskProgress,
}

/// The tasks of the cities with their progress at `at` (reports after `at` are not seen). A task whose
/// numbers do not parse is left out (the import validates them, so this does not happen for stored data).
pub fn task_standings(store: &dyn Store, city_ids: &[i64], at: NaiveDate) -> Result<Vec<TaskStanding>> {
    let mut out = Vec::new();
    for info in store.tasks(city_ids)? {
        let kind = TaskKind::parse(&info.kind).unwrap_or(TaskKind::Cumulative);
        let (Some(baseline), Some(target)) = (parse_decimal(&info.baseline), parse_decimal(&info.target)) else {
            continue;
        };
        let task = Task { code: info.code.clone(), kind, baseline, target, start: info.start, deadline: info.deadline };
        let reports: Vec<(NaiveDate, Ratio)> =
            info.reports.iter().filter_map(|(d, v, _)| parse_decimal(v).map(|v| (*d, v))).collect();
        let p = progress(&task, &reports, at);
        out.push(TaskStanding { info, task, progress: p });
    }
    Ok(out)
}

/// What C5c scores for a city at the end of a period: the tasks that have started by `at` and whose
/// deadline falls in `at`'s year or later (the year's tasks), each with its completion and time elapsed.
pub fn task_score_inputs(store: &dyn Store, city_id: i64, at: NaiveDate) -> Result<Vec<TaskScoreInput>> {
    Ok(task_standings(store, &[city_id], at)?
        .into_iter()
        .filter(|t| t.task.start <= at && t.task.deadline.year() >= at.year())
        .map(|t| TaskScoreInput {
            code: t.task.code.clone(),
            completion: t.progress.completion,
            elapsed: t.progress.elapsed,
        })
        .collect())
}
