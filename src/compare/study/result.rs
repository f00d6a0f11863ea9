//! Everything a study produced, and its per-arm views.

use super::outcome::failures;
use super::{ArmSummary, Comparison, Failure, Outcome, PatientEndpoints, Ranking};
use crate::compare::population::Population;
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
}
