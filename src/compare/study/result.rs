//! Everything a study produced, and its per-arm views.

use super::outcome::failures;
use super::{ArmSummary, Comparison, Failure, Outcome, PatientEndpoints, Ranking};
use crate::compare::endpoints::{diameter_percent_change, Response, TimeToEvent};
use crate::compare::population::Population;
use crate::stats::{KaplanMeier, StatsError};
use crate::Error;
use serde::Serialize;

/// Everything a study produced.
#[derive(Clone, Debug, Serialize)]
pub struct StudyResult {
    /// Arm names, in study order.
    pub arms: Vec<String>,
    /// Names of the patients' values.
    pub parameter_names: Vec<String>,
    /// The patients, in study order.
    #[serde(skip)]
    pub population: Population,
    /// Output times, days.
    pub times: Vec<f64>,
    /// Patient-major outcomes: index `patient · arms + arm`.
    pub outcomes: Vec<Outcome>,
    /// Per-arm summaries.
    pub summaries: Vec<ArmSummary>,
    /// Each arm against the reference arm.
    pub comparisons: Vec<Comparison>,
    /// The ranking.
    pub ranking: Ranking,
}

impl StudyResult {
    /// The failed simulations.
    pub fn failures(&self) -> impl Iterator<Item = &Failure> {
        failures(&self.outcomes)
    }

    /// The successful simulations of `arm`.
    pub fn endpoints(&self, arm: usize) -> impl Iterator<Item = &PatientEndpoints> {
        self.outcomes.iter().filter_map(move |o| match o {
            Outcome::Done(e) if e.arm == arm => Some(e),
            _ => None,
        })
    }

    /// Per output time, the `q`-quantiles (type 7) of the tumor burden of `arm`'s patients (e.g.
    /// `[0.05, 0.5, 0.95]` for a median and a 5–95% band): one row per time, one value per `q`.
    ///
    /// # Errors
    /// [`StatsError`](crate::stats::StatsError) for an arm with no successful patient or a `q`
    /// outside [0, 1].
    pub fn burden_quantiles(&self, arm: usize, q: &[f64]) -> Result<Vec<Vec<f64>>, Error> {
        let series: Vec<&Vec<f64>> = self.endpoints(arm).map(|e| &e.burden).collect();
        (0..self.times.len())
            .map(|i| {
                let column: Vec<f64> = series.iter().map(|s| s[i]).collect();
                q.iter()
                    .map(|&p| crate::stats::quantile(&column, p).map_err(Error::from))
                    .collect()
            })
            .collect()
    }

    /// The times to progression of `arm`'s successful patients, in patient order.
    pub fn times_to_progression(&self, arm: usize) -> Vec<TimeToEvent> {
        self.endpoints(arm).map(|e| e.time_to_progression).collect()
    }

    /// The Kaplan–Meier curve of `arm`'s times to progression.
    ///
    /// # Errors
    /// [`StatsError`] for an arm with no successful patient.
    pub fn kaplan_meier(&self, arm: usize) -> Result<KaplanMeier, StatsError> {
        KaplanMeier::new(&self.times_to_progression(arm))
    }

    /// The best % change of each of `arm`'s successful patients as the change of the tumor's
    /// diameter ([`diameter_percent_change`] of the burden's best change, %), in patient order.
    pub fn best_diameter_changes(&self, arm: usize) -> Vec<f64> {
        self.endpoints(arm)
            .map(|e| diameter_percent_change(e.best_percent_change))
            .collect()
    }

    /// The bars of a waterfall plot for `arm`: each successful patient's best % change of the
    /// diameter (as [`best_diameter_changes`](Self::best_diameter_changes)) with the patient's
    /// best overall response, sorted from the largest growth to the deepest shrinkage.
    pub fn diameter_waterfall(&self, arm: usize) -> Vec<(f64, Response)> {
        let mut bars: Vec<(f64, Response)> = self
            .endpoints(arm)
            .map(|e| (diameter_percent_change(e.best_percent_change), e.response))
            .collect();
        bars.sort_by(|a, b| b.0.total_cmp(&a.0));
        bars
    }
}
