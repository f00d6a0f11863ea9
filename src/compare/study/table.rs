//! The arms side by side, best first: [`StudyTable`].

use super::{PatientEndpoints, Rank, RankBy, StudyResult};
use crate::compare::endpoints::diameter_percent_change;
use crate::stats::{summarize, Interval, StatsError};

/// The number of columns of a [`StudyTable`].
pub const STUDY_TABLE_COLUMNS: usize = 10;

/// The arms of a [`StudyResult`] side by side, best first ([`StudyResult::table`]); prints
/// itself. The cells are plain strings, so a program may change a column before printing.
///
/// Columns: rank, arm, objective response and disease control rates (%, Wilson 95%), median
/// time to progression (days, log-log 95%; `NR` not reached), progression-free at the horizon
/// (%, Kaplan–Meier log-log 95%), best % change of the burden (mean / median), grade ≥ 3
/// toxicity (%, Wilson 95%; `–` without a toxicity endpoint), failed simulations, and ties
/// (the arm's interval overlaps the one above it).
#[derive(Clone, Debug, PartialEq)]
pub struct StudyTable {
    /// The endpoint the arms are ranked by.
    pub by: RankBy,
    /// Column titles.
    pub titles: [String; STUDY_TABLE_COLUMNS],
    /// Under each title, how its interval is computed (`[Wilson]`, `[log-log]`, …).
    pub methods: [String; STUDY_TABLE_COLUMNS],
    /// One row per arm, best first.
    pub rows: Vec<[String; STUDY_TABLE_COLUMNS]>,
}

impl std::fmt::Display for StudyTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Ranked by {}, best first; 95% intervals in brackets.",
            self.by
        )?;
        for c in [&self.titles, &self.methods].into_iter().chain(&self.rows) {
            writeln!(
                f,
                "{:>2}  {:<26} {:>19} {:>19} {:>15} {:>18} {:>14} {:>18} {:>6}  {}",
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9]
            )?;
        }
        Ok(())
    }
}

/// `estimate [lower, upper]` as percentages, one decimal.
fn percent_cell(estimate: f64, interval: Interval) -> String {
    format!(
        "{:.1} [{:.1}, {:.1}]",
        100.0 * estimate,
        100.0 * interval.lower,
        100.0 * interval.upper
    )
}

/// Days, rounded; `NR` (not reached) for none.
fn days_cell(v: Option<f64>) -> String {
    match v {
        Some(d) if d.is_finite() => format!("{d:.0}"),
        _ => "NR".to_string(),
    }
}

impl StudyResult {
    /// The per-arm table, best first (see [`StudyTable`]); `println!("{}", result.table()?)`
    /// or `print!("{result}")` prints it.
    ///
    /// # Errors
    /// [`StatsError`] for an arm without endpoints (every simulation failed).
    pub fn table(&self) -> Result<StudyTable, StatsError> {
        self.table_with("best Δ %", |e| e.best_percent_change)
    }

    /// The per-arm table with the best % change of the tumor's diameter
    /// ([`diameter_percent_change`] of the burden's, column `best Δdiam %`) instead of the
    /// burden's: how RECIST reads a change, for one spherical tumor.
    ///
    /// # Errors
    /// As [`table`](Self::table).
    pub fn diameter_table(&self) -> Result<StudyTable, StatsError> {
        self.table_with("best Δdiam %", |e| {
            diameter_percent_change(e.best_percent_change)
        })
    }

    /// The table, with `change_title` over the best-change column and `change` giving each
    /// patient's value in it.
    fn table_with(
        &self,
        change_title: &str,
        change: fn(&PatientEndpoints) -> f64,
    ) -> Result<StudyTable, StatsError> {
        let horizon = self.times.last().copied().unwrap_or(f64::NAN);
        let cells = |c: [&str; STUDY_TABLE_COLUMNS]| c.map(str::to_string);
        let titles = cells([
            "#",
            "arm",
            "ORR %",
            "DCR %",
            "median TTP d",
            &format!("PF at {horizon:.0} d %"),
            change_title,
            "grade ≥3 tox %",
            "failed",
            "tie",
        ]);
        let methods = cells([
            "",
            "",
            "[Wilson]",
            "[Wilson]",
            "[log-log]",
            "[log-log]",
            "mean / median",
            "[Wilson]",
            "",
            "",
        ]);
        let rows = (self.ranking.order.iter().enumerate())
            .map(|(k, rank)| self.table_row(k, rank, horizon, change))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(StudyTable {
            by: self.ranking.by,
            titles,
            methods,
            rows,
        })
    }

    /// Row `k` (0-based place) of the table: the arm of `rank`, its progression-free fraction
    /// at `horizon` (days) and the mean / median of `change` over its patients.
    fn table_row(
        &self,
        k: usize,
        rank: &Rank,
        horizon: f64,
        change: fn(&PatientEndpoints) -> f64,
    ) -> Result<[String; STUDY_TABLE_COLUMNS], StatsError> {
        let s = &self.summaries[rank.arm];
        let m = &s.median_ttp;
        let ttp = format!(
            "{} [{}, {}]",
            days_cell(m.estimate),
            days_cell(m.lower),
            days_cell(m.upper)
        );
        let km = self.kaplan_meier(rank.arm)?;
        let pf = km.survival_at(horizon);
        let last = km.steps().iter().rev().find(|s| s.time <= horizon);
        let pf = match last.and_then(|s| s.interval) {
            Some(ci) => percent_cell(pf, ci),
            None => format!("{:5.1}", 100.0 * pf),
        };
        let changes: Vec<f64> = self.endpoints(rank.arm).map(change).collect();
        let change = summarize(&changes)?;
        let tox = s
            .grade3_toxicity
            .map_or_else(|| "–".to_string(), |p| percent_cell(p.estimate, p.interval));
        Ok([
            (k + 1).to_string(),
            s.name.clone(),
            percent_cell(s.objective_response.estimate, s.objective_response.interval),
            percent_cell(s.disease_control.estimate, s.disease_control.interval),
            ttp,
            pf,
            format!("{:.1} / {:.1}", change.mean, change.median),
            tox,
            s.failed.to_string(),
            if rank.tied_with_previous {
                format!("tied with #{k}")
            } else {
                String::new()
            },
        ])
    }
}

impl std::fmt::Display for StudyResult {
    /// The per-arm table of [`StudyResult::table`]. A result whose table cannot be made (an
    /// arm without a successful patient, which [`Study::run`](super::Study::run) never
    /// returns) prints that error in place of the table.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.table() {
            Ok(table) => table.fmt(f),
            Err(e) => writeln!(f, "(no table: {e})"),
        }
    }
}
