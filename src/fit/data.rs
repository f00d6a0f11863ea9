//! A subject's data: [`SubjectData`] in memory, and the checked form a problem keeps, with
//! the checks of observations against the model and the error model.

use super::{ErrorModel, FitError};
use crate::dosing::{Compartment, Regimen, Subject};
use crate::model::{Model, StateRole};
use crate::solver::SolverOptions;
use crate::trajectory::Observable;
use crate::Error;
use std::sync::Arc;

/// One subject's doses and observations, in memory.
///
/// `observations` are `(time, value)` pairs: time in days from the start of the simulation
/// (≥ 0, any order, repeats allowed), value in the output's unit. An observation at a dose
/// time sees the state just before the dose.
#[derive(Clone, Debug, PartialEq)]
pub struct SubjectData {
    /// The subject's ID, unique within a problem.
    pub id: String,
    /// The doses the subject received (an empty regimen for untreated growth).
    pub regimen: Regimen,
    /// Body-size covariates for doses per kg or per m² (none by default).
    pub covariates: Subject,
    /// `(time, value)` observations of the problem's output.
    pub observations: Vec<(f64, f64)>,
}

impl SubjectData {
    /// A subject without covariates.
    pub fn new(id: impl Into<String>, regimen: Regimen, observations: Vec<(f64, f64)>) -> Self {
        SubjectData {
            id: id.into(),
            regimen,
            covariates: Subject::new(),
            observations,
        }
    }

    /// The same subject with body-size covariates `covariates`.
    #[must_use]
    pub fn with_covariates(mut self, covariates: Subject) -> Self {
        self.covariates = covariates;
        self
    }
}

/// One observation, with where it came from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Observed {
    pub time: f64,
    pub value: f64,
    /// Line in the event table, if any.
    pub line: Option<u64>,
}

/// How a subject is simulated.
#[derive(Clone, Debug)]
pub(crate) enum Dosing {
    /// A regimen, simulated at the distinct observation times `times`; observation `i` reads
    /// row `time_index[i]` of them.
    Regimen {
        regimen: Regimen,
        covariates: Subject,
        times: Vec<f64>,
        time_index: Vec<usize>,
    },
    /// One subject's records of a data file, simulated by the file's reader; observations
    /// are the records' observations, in file order.
    Records(Arc<dyn RecordedDosing>),
}

/// A subject's doses kept as the records of a data file (a NONMEM-style event table), which
/// the file's reader simulates: the fit module names no file format.
pub(crate) trait RecordedDosing: std::fmt::Debug + Send + Sync {
    /// The predictions at the subject's observations, in file order, for `model` solved with
    /// `solver`.
    fn predict(&self, model: &Model, solver: &SolverOptions) -> Result<Vec<f64>, Error>;
}

/// A checked subject.
#[derive(Clone, Debug)]
pub(crate) struct Checked {
    pub id: String,
    pub dosing: Dosing,
    pub observations: Vec<Observed>,
}

/// The drug whose amount or concentration `output` is, when every state of that drug starts
/// at 0 (so its prediction is 0 before the first dose).
pub(crate) fn output_drug(model: &Model, output: &Observable) -> Option<String> {
    let output = output.column_name()?;
    let drug = model
        .spec()
        .drugs
        .iter()
        .find(|d| output == format!("{}_conc", d.name))
        .map(|d| d.name.clone())
        .or_else(|| {
            model
                .states()
                .iter()
                .find(|s| {
                    s.name == output
                        && matches!(
                            s.role,
                            StateRole::Depot | StateRole::Central | StateRole::Peripheral(_)
                        )
                })
                .map(|s| s.component.clone())
        })?;
    let starts_empty = model
        .states()
        .iter()
        .zip(model.initial_state())
        .filter(|(s, _)| s.component == drug)
        .all(|(_, &y0)| y0 == 0.0);
    starts_empty.then_some(drug)
}

/// The time the first dose of `drug` in `regimen` arrives (after the absorption lag for a
/// depot dose), if any.
pub(super) fn first_dose(model: &Model, regimen: &Regimen, drug: &str) -> Option<f64> {
    let lag = model
        .spec()
        .drugs
        .iter()
        .find(|d| d.name == drug)
        .and_then(|d| d.absorption)
        .map_or(0.0, |a| a.lag);
    regimen
        .doses
        .iter()
        .filter(|d| d.target == drug)
        .map(|d| {
            if d.compartment == Compartment::Depot {
                d.time + lag
            } else {
                d.time
            }
        })
        .min_by(f64::total_cmp)
}

/// Checks one observation's time and value against the error model.
pub(crate) fn check_observation(
    subject: &str,
    index: usize,
    o: &Observed,
    error: ErrorModel,
) -> Result<(), FitError> {
    let reason = if !(o.time.is_finite() && o.time >= 0.0) {
        "the time must be finite and non-negative"
    } else if !o.value.is_finite() {
        "the value must be finite"
    } else if error.needs_positive_values() && o.value <= 0.0 {
        "the value must be positive under a proportional or log-normal error model"
    } else {
        return Ok(());
    };
    Err(FitError::InvalidObservation {
        subject: subject.to_string(),
        line: o.line,
        index,
        time: o.time,
        value: o.value,
        reason,
    })
}
