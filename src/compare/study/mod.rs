//! [`Study`]: one model, named arms, a virtual population and the endpoints to compute;
//! [`Study::run`] gives a [`StudyResult`] with per-patient endpoints, per-arm summaries, paired
//! comparisons and a ranking. Nothing is printed: progress goes through a callback.
//!
//! Every patient goes through every arm (a paired comparison). Patients × arms run in parallel
//! with rayon on a pool of the requested size and are collected in index order, and each
//! patient's values depend only on the study seed and the patient's index, so a result is
//! bit-identical for any number of threads. A patient whose simulation fails is recorded with
//! its error and parameters and counted; it never aborts the study.
//!
//! The parts: an [`EndpointSpec`] says what to compute and how to rank; each patient in each
//! arm gives an [`Outcome`]; the [`ArmSummary`]s, [`Comparison`]s and [`Ranking`] make a
//! [`StudyResult`], which writes CSV and prints itself as a [`StudyTable`].

mod csv;
mod outcome;
mod result;
mod simulate;
mod spec;
mod summary;
mod table;

pub use outcome::{Exposure, Failure, Outcome, PatientEndpoints, StudyOutcomes};
pub use result::StudyResult;
pub use spec::{EndpointSpec, RankBy, Toxicity};
pub use summary::{ArmSummary, Comparison, Rank, Ranking};
pub use table::{StudyTable, STUDY_TABLE_COLUMNS};

use super::endpoints::check_density;
use super::population::{ParamMap, Population};
use super::stats::check_resamples;
use crate::compare::error::StudyError;
use crate::dosing::Regimen;
use crate::model::Model;
use crate::solver::{EventRule, SolverOptions};
use crate::trajectory::Trajectory;
use crate::Error;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The most worker threads [`Study::run`] starts: 256, well above the cores of one machine.
/// Each thread costs a stack and a start-up; a thousand of them made a 20-patient study take
/// 20 times longer, so a larger `threads` is rejected ([`StudyError::InvalidThreads`]).
pub const MAX_THREADS: usize = 256;

/// One comparison of schedules; see the [module docs](self).
///
/// ```
/// use oncodyn::compare::{ParamMap, Parameter, PopulationSpec, Study};
/// use oncodyn::prelude::*;
///
/// let mut b = ModelBuilder::new();
/// let tumor = b.tumor(TumorSpec::new("tumor", 1e9, Exponential { rate: 0.03 }))?;
/// let chemo = b.drug(DrugSpec::new("chemo", OneCompartment { cl: 13.5, v: 15.0 }))?;
/// b.effect(chemo, Target::TumorKill(tumor), Emax { emax: 1.0, ec50: 2.0 })?;
/// let model = b.build()?;
/// let spec = PopulationSpec::new(vec![Parameter::log_normal_cv("growth", 0.03, 0.3)]);
/// let patients = spec.sampler()?.draw(7, 20)?;
/// let parameters = ParamMap::new().path("growth", "tumors[tumor].growth.rate")?;
/// let arms = vec![
///     Regimen::new("none"),
///     Regimen::new("q21d").with(Dose::bolus(0.0, "chemo", 60.0).repeated(21.0, 4)),
/// ];
/// let times: Vec<f64> = (0..=84).map(f64::from).collect();
/// let study = Study::new(model, arms, patients, parameters, times);
/// let result = study.run(Some(1), &|_| {})?;
/// assert_eq!(result.summaries.len(), 2);
/// assert_eq!(result.failures().count(), 0);
/// # Ok::<(), oncodyn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Study {
    /// The base model; each patient's model is rebuilt from it through `parameters`.
    pub model: Model,
    /// The arms, each a named regimen; the first is the reference of the comparisons.
    pub arms: Vec<Regimen>,
    /// The patients (drawn by a [`Sampler`](super::Sampler) or read from CSV).
    pub patients: Population,
    /// How a patient's values set the model's parameters.
    pub parameters: ParamMap,
    /// Output times, days; the last is the horizon (TTP is censored there).
    pub times: Vec<f64>,
    /// Event rules; a progression rule is added when none is named `progression`.
    pub events: Vec<EventRule>,
    /// Endpoints and ranking.
    pub endpoints: EndpointSpec,
    /// Solver options.
    pub options: SolverOptions,
}

/// Distinct failure messages reported by [`StudyError::ArmFailed`].
const REPORTED_CAUSES: usize = 3;

/// [`StudyError::ArmFailed`] for arm `arm` (named `name`): how many patients failed and the
/// first distinct causes, in patient order, with every patient's outcome in `outcomes`.
pub(super) fn arm_failed(name: &str, arm: usize, outcomes: StudyOutcomes) -> StudyError {
    let mut causes: Vec<Error> = Vec::new();
    let mut failed = 0;
    for f in outcomes.failures().filter(|f| f.arm == arm) {
        failed += 1;
        if causes.len() < REPORTED_CAUSES && !causes.contains(&f.error) {
            causes.push(f.error.clone());
        }
    }
    StudyError::ArmFailed {
        arm: name.to_string(),
        failed,
        causes,
        outcomes: Box::new(outcomes),
    }
}

/// How far a study has got: `done` of `total` patient × arm simulations. Worker threads report
/// concurrently, so calls may arrive slightly out of order: keep the largest `done` seen (or
/// count calls).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Simulations finished (succeeded or failed).
    pub done: usize,
    /// Simulations in all.
    pub total: usize,
}

impl Study {
    /// A study with default endpoints (ranked by objective response), a progression rule and
    /// default solver options.
    pub fn new(
        model: Model,
        arms: Vec<Regimen>,
        patients: Population,
        parameters: ParamMap,
        times: Vec<f64>,
    ) -> Self {
        Study {
            model,
            arms,
            patients,
            parameters,
            times,
            events: Vec::new(),
            endpoints: EndpointSpec::default(),
            options: SolverOptions::default(),
        }
    }

    /// Runs every patient through every arm on `threads` threads (`None`: rayon's default, one
    /// per core), calling `progress` after each simulation (from the worker threads).
    ///
    /// `threads` must be between 1 and [`MAX_THREADS`]; the pool never has more workers than
    /// there are simulations, as the extra ones would only be started and stopped.
    ///
    /// # Errors
    /// [`StudyError::InvalidThreads`] for `threads` = 0 or above [`MAX_THREADS`], checked
    /// first; [`StudyError`] for a study that cannot run (no arms, no patients, a parameter map that
    /// does not fit the model, a thread pool that cannot start); [`StudyError::ArmFailed`] when
    /// an arm has no successful patient, naming the first distinct causes and carrying every
    /// patient's outcome ([`StudyOutcomes`]) so that the per-patient rows can still be written.
    /// A failing patient is not an error otherwise (see [`StudyResult::failures`]).
    pub fn run(
        &self,
        threads: Option<usize>,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<StudyResult, Error> {
        self.check(threads)?;
        let parameters = self.parameters.bind(self.model.spec())?;
        let mut events = self.events.clone();
        if !events.iter().any(|e| e.name == "progression") {
            events.push(EventRule::progression());
        }
        let n_arms = self.arms.len();
        let total = self.patients.len() * n_arms;
        let done = AtomicUsize::new(0);
        let task = |k: usize| {
            let patient = &self.patients.patients()[k / n_arms];
            let arm = k % n_arms;
            let outcome = match self.simulate(&parameters, patient, arm, &events) {
                Ok(e) => Outcome::Done(e),
                Err(error) => Outcome::Failed(Failure {
                    patient: patient.index(),
                    arm,
                    error,
                    parameters: patient.values().to_vec(),
                }),
            };
            let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(Progress {
                done: finished,
                total,
            });
            outcome
        };
        let mut builder = rayon::ThreadPoolBuilder::new();
        if let Some(n) = threads {
            builder = builder.num_threads(n.min(total));
        }
        let pool = builder.build().map_err(|e| StudyError::ThreadPool {
            message: e.to_string(),
        })?;
        // The summaries' bootstrap runs on the same pool: `threads` bounds the whole study.
        pool.install(|| {
            let outcomes: Vec<Outcome> = (0..total).into_par_iter().map(task).collect();
            self.result_from_outcomes(outcomes)
        })
    }

    /// Every check that needs no simulation, so that a study that cannot succeed fails before
    /// its first patient: the thread count, arms and patients present, the parameter map,
    /// unique arm names, each arm's regimen against the model (for the first patient's
    /// covariates), a horizon after the first output time, the bootstrap's resamples, the
    /// diameter mapping's cell density, the toxicity column and the exposure drugs.
    fn check(&self, threads: Option<usize>) -> Result<(), Error> {
        if let Some(n) = threads {
            if n == 0 || n > MAX_THREADS {
                return Err(StudyError::InvalidThreads {
                    threads: n,
                    limit: MAX_THREADS,
                }
                .into());
            }
        }
        if self.arms.is_empty() {
            return Err(StudyError::NoArms.into());
        }
        let Some(first) = self.patients.patients().first() else {
            return Err(StudyError::NoPatients.into());
        };
        self.parameters
            .check(self.model.spec(), self.patients.names())?;
        for (second, arm) in self.arms.iter().enumerate() {
            if let Some(first) = self.arms[..second].iter().position(|a| a.name == arm.name) {
                return Err(StudyError::DuplicateArm {
                    name: arm.name.clone(),
                    first,
                    second,
                }
                .into());
            }
            arm.resolve_for(&self.model, &first.subject())
                .map_err(|source| StudyError::InvalidArm {
                    arm: arm.name.clone(),
                    source,
                })?;
        }
        match (self.times.first(), self.times.last()) {
            (Some(first), Some(&last)) if last > *first => {}
            (_, last) => {
                return Err(StudyError::NoHorizon {
                    horizon: last.copied().unwrap_or(f64::NAN),
                }
                .into())
            }
        }
        check_resamples(&self.endpoints.bootstrap)?;
        check_density(&self.endpoints.recist.mapping)?;
        if let Some(toxicity) = &self.endpoints.toxicity {
            // An empty trajectory has the columns every simulation of the model will have.
            Trajectory::new(&self.model).column_by_name(&toxicity.column)?;
        }
        for drug in self.endpoints.drugs.iter().flatten() {
            self.model.drug(drug)?;
        }
        Ok(())
    }
}
