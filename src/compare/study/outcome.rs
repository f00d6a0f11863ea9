//! One patient in one arm: its endpoints or its failure, and every outcome of a run.

use crate::compare::endpoints::{Response, TimeToEvent};
use crate::compare::population::Population;
use crate::Error;
use serde::Serialize;

/// One drug's exposure in one patient.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Exposure {
    /// The drug.
    pub drug: String,
    /// AUC of the central concentration over the horizon (trapezoid over the output rows),
    /// mg·day/L.
    pub auc: f64,
    /// Largest concentration on the output rows, mg/L.
    pub cmax: f64,
    /// Concentration just before the last dose (or at the end of the last dosing interval),
    /// mg/L; `None` for an undosed drug.
    pub trough: Option<f64>,
}

/// The endpoints of one patient in one arm.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PatientEndpoints {
    /// Patient index.
    pub patient: usize,
    /// Arm index.
    pub arm: usize,
    /// Total tumor burden at the horizon, tumor units.
    pub final_burden: f64,
    /// Smallest total burden on the output grid.
    pub nadir: f64,
    /// Day of the nadir.
    pub nadir_time: f64,
    /// Best (most negative) percentage change of the burden from baseline, %.
    pub best_percent_change: f64,
    /// Area under the burden curve over the horizon (trapezoid), tumor units·day.
    pub tumor_auc: f64,
    /// Time to progression, censored at the horizon.
    pub time_to_progression: TimeToEvent,
    /// Best overall response (RECIST 1.1 thresholds on the diameter).
    pub response: Response,
    /// Exposure per reported drug.
    pub exposure: Vec<Exposure>,
    /// Worst value of the toxicity column and its grade, if asked.
    pub toxicity: Option<(f64, u8)>,
    /// Total tumor burden at each output time (for spaghetti plots and bands).
    #[serde(skip)]
    pub burden: Vec<f64>,
}

/// Serializes an error as its message.
fn serialize_message<S: serde::Serializer>(
    error: &Error,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(error)
}

/// A patient whose simulation failed in one arm: recorded, counted, never dropped.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Failure {
    /// Patient index.
    pub patient: usize,
    /// Arm index.
    pub arm: usize,
    /// Why it failed, typed (match on it, or print it); written as its message in CSV and
    /// serde output.
    #[serde(serialize_with = "serialize_message")]
    pub error: Error,
    /// The patient's values, in the population's name order.
    pub parameters: Vec<f64>,
}

/// One patient in one arm: endpoints or the failure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Outcome {
    /// Simulated.
    Done(PatientEndpoints),
    /// Failed.
    Failed(Failure),
}

/// Every patient's outcome of a run, without the summaries: what [`StudyError::ArmFailed`](crate::StudyError::ArmFailed)
/// carries when an arm has no successful patient (so it has no summary), so that the
/// per-patient rows, each failure with its error, can still be written.
///
/// ```
/// # use oncodyn::compare::StudyOutcomes;
/// # use oncodyn::{Error, StudyError};
/// # fn keep(err: &Error) -> Option<&StudyOutcomes> {
/// if let Error::Study(StudyError::ArmFailed { outcomes, .. }) = err {
///     let mut csv = Vec::new();
///     outcomes.write_per_patient_csv(&mut csv).ok()?; // one row per patient and arm
///     return Some(outcomes);
/// }
/// # None }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct StudyOutcomes {
    /// Arm names, in study order.
    pub arms: Vec<String>,
    /// Names of the patients' values.
    pub parameter_names: Vec<String>,
    /// The patients, in study order.
    pub population: Population,
    /// Output times, days.
    pub times: Vec<f64>,
    /// Patient-major outcomes: index `patient · arms + arm`.
    pub outcomes: Vec<Outcome>,
}

impl StudyOutcomes {
    /// The failed simulations.
    pub fn failures(&self) -> impl Iterator<Item = &Failure> {
        failures(&self.outcomes)
    }

    /// How many patients of `arm` failed.
    pub fn failed(&self, arm: usize) -> usize {
        self.failures().filter(|f| f.arm == arm).count()
    }
}

/// The failed simulations among `outcomes`.
pub(super) fn failures(outcomes: &[Outcome]) -> impl Iterator<Item = &Failure> {
    outcomes.iter().filter_map(|o| match o {
        Outcome::Failed(f) => Some(f),
        Outcome::Done(_) => None,
    })
}
