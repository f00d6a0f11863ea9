//! Fitting models to data: maximum-likelihood estimates, their uncertainty, and model
//! selection criteria.
//!
//! Use this module when a model's parameters must come from observations: tumor volumes of
//! mice, drug concentrations of patients, any trajectory column observed over time. A
//! [`FitProblem`] joins a [`Model`], the observed output (an [`Observable`]: a column of its
//! trajectories — a state, a concentration `<drug>_conc`, a burden `<tumor>_burden` — or the
//! summed volume or sphere diameter of all its tumors, what calipers or CT scans of a
//! several-clone tumor measure), each subject's doses and
//! observations ([`SubjectData`], or a NONMEM-style [`EventTable`](super::io::nonmem::EventTable)), the [`FreeParameter`]s
//! (every other parameter stays at the model's value) and an [`ErrorModel`]. [`FitProblem::fit`]
//! returns a [`FitReport`].
//!
//! **Estimation.** Maximum likelihood with Gaussian residuals under the error model, with the
//! scale `σ` profiled out, which turns the problem exactly into least squares (see
//! [`objective`]); Levenberg–Marquardt ([`lm`]) searches the transformed parameters
//! ([`transform`]: log, logit or identity, so bounds hold without constraints). The Jacobian
//! is by central differences on the transformed scale with step
//! `h_j = η^(1/3)·max(|φ_j|, 1)`, `η = max(ε, rtol)` the relative accuracy of the predictions
//! (the solver's relative tolerance): this balances the difference's truncation error `O(h²)`
//! against the solver's error `O(η/h)`. (For an identity-transformed parameter, which keeps its
//! unit, the 1 is the half-width of its start range instead.) Fits therefore solve the model tightly by default
//! ([`FitProblem::default_solver`]: Dop853, rtol 1e-10).
//!
//! **Multi-start.** Start 0 is the initial values; start `k ≥ 1` draws each parameter from its
//! start range ([`FreeParameter::start_range`]) with `ChaCha8Rng::seed_from_u64(seed)` on
//! stream `k`, so a start's point depends only on `(seed, k)`. Starts run in parallel (rayon);
//! the report keeps every start and every distinct local optimum, and reports the best.
//!
//! **Uncertainty** (see [`report`]): the observed Fisher information in the Gauss–Newton
//! approximation `JᵀJ/s²` of the concentrated objective at the optimum (`J` the Jacobian of
//! the scaled residuals on the transformed scale, `s² = S/(n − p)`), inverted for the
//! covariance; standard errors reach the natural scale by the delta method; 95% intervals use
//! Student's `t(n − p)` on the transformed scale, mapped back.
//!
//! **Several subjects.** [`FitProblem::fit`] pools every subject's observations under one set
//! of parameters (naive pooling); [`FitProblem::fit_individual`] fits each subject alone, in
//! parallel, and summarizes the individual estimates (two-stage: mean, SD, CV). Population
//! methods (FOCE, SAEM) are not implemented; they would be further methods on a
//! `FitProblem`, with their own report.
//!
//! ```
//! use oncodyn::fit::{ErrorModel, FitOptions, FitProblem, FreeParameter, SubjectData};
//! use oncodyn::prelude::*;
//!
//! // Exponential tumor growth from 100 mm³; volumes measured on days 0..10 with ±3% scatter.
//! let mut b = ModelBuilder::new();
//! b.tumor(TumorSpec::new("tumor", 100.0, Exponential { rate: 0.1 }).in_unit(BurdenUnit::CubicMillimeters))?;
//! let model = b.build()?;
//! let scatter = [1.02, 0.97, 1.03, 0.99, 1.0, 0.98, 1.01, 1.03, 0.97, 1.0, 1.02];
//! let observations: Vec<(f64, f64)> = (0..=10)
//!     .map(|d| (f64::from(d), 100.0 * (0.25 * f64::from(d)).exp() * scatter[d as usize]))
//!     .collect();
//! let mouse = SubjectData::new("mouse 1", Regimen::new("untreated"), observations);
//! let rate = FreeParameter::positive("rate", "tumors[tumor].growth.rate", 0.1)?;   // 1/day
//! let problem = FitProblem::new(&model, "tumor", vec![mouse], vec![rate], ErrorModel::LogNormal)?;
//! let report = problem.fit(&FitOptions::default())?;
//!
//! assert!(report.termination.is_converged());
//! let rate = &report.estimates[0];
//! assert!((rate.estimate - 0.25).abs() < 0.01);
//! let ci = rate.interval.expect("an identifiable rate has an interval");
//! assert!(ci.lower < 0.25 && 0.25 < ci.upper);
//! # Ok::<(), oncodyn::Error>(())
//! ```

mod error;
pub mod lm;
pub mod objective;
pub mod report;
pub mod transform;

pub use error::FitError;
pub use lm::{LmOptions, Termination};
pub use objective::ErrorModel;
pub use report::{
    ErrorEstimate, Estimate, FitReport, FitWarning, IndividualFits, JacobianMethod, LocalOptimum,
    ObservationFit, StartOutcome, StartRecord, SubjectFailure, TwoStageSummary,
};
pub use transform::{FreeParameter, Transform};

use crate::dosing::{Compartment, Regimen, Subject};
use crate::model::{Model, Slot, StateRole};
use crate::solver::{simulate, Method, Simulation, SolverOptions};
use crate::trajectory::LookupError;
use crate::trajectory::{Observable, Trajectory};
use crate::Error;
use lm::LmOutcome;
use objective::Evaluation;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
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

/// The most starts one fit may have: ten thousand. Every start's record is kept in the
/// [`FitReport`], and the starts run in parallel, so memory grows with the count; a larger
/// `starts` (`--starts 100000000`) is rejected by [`FitOptions::check`] before any work.
pub const MAX_STARTS: usize = 10_000;

/// Settings of [`FitProblem::fit`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FitOptions {
    /// Number of starts, 1 to [`MAX_STARTS`] (default 4): the initial values and `starts − 1` random points.
    pub starts: usize,
    /// Seed of the random starts (default 0).
    pub seed: u64,
    /// Levenberg–Marquardt settings; `relative_step` is replaced by `jacobian_step`.
    pub lm: LmOptions,
    /// Relative central-difference step `s` (`h_j = s·max(|φ_j|, 1)`); `None` (the default):
    /// `max(ε, rtol)^(1/3)` from the problem's solver tolerance.
    pub jacobian_step: Option<f64>,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            starts: 4,
            seed: 0,
            lm: LmOptions::default(),
            jacobian_step: None,
        }
    }
}

impl FitOptions {
    /// Checks every setting.
    ///
    /// # Errors
    /// [`FitError::InvalidOption`] naming the first setting out of range.
    pub fn check(&self) -> Result<(), FitError> {
        if self.starts == 0 || self.starts > MAX_STARTS {
            return Err(FitError::InvalidOption {
                option: "starts",
                value: self.starts as f64,
                reason: "must be between 1 and 10,000",
            });
        }
        if let Some(step) = self.jacobian_step {
            if !(step.is_finite() && step > 0.0 && step < 1.0) {
                return Err(FitError::InvalidOption {
                    option: "jacobian_step",
                    value: step,
                    reason: "must be in (0, 1)",
                });
            }
        }
        self.lm.check()
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

/// A model, data and free parameters, checked and ready to fit (see the [module docs](self)).
#[derive(Clone, Debug)]
pub struct FitProblem {
    model: Model,
    output: Observable,
    subjects: Vec<Checked>,
    parameters: Vec<FreeParameter>,
    /// Each free parameter's path bound to the model, in order.
    slots: Vec<Slot>,
    error: ErrorModel,
    solver: SolverOptions,
    /// Every observed value, subjects in order.
    observed: Vec<f64>,
}

impl FitProblem {
    /// The solver options fits use unless told otherwise: Dop853 at `rtol = 1e-10`, so the
    /// central-difference Jacobian is accurate to about `1e-10^(2/3) ≈ 2e-7` relative.
    pub fn default_solver() -> SolverOptions {
        SolverOptions {
            method: Method::Dop853,
            rtol: 1e-10,
            ..SolverOptions::default()
        }
    }

    /// A problem with in-memory subjects.
    ///
    /// # Errors
    /// - [`FitError::NoParameters`], [`DuplicateParameter`](FitError::DuplicateParameter),
    ///   [`Path`](FitError::Path) (a path the model lacks, naming what exists),
    ///   [`InvalidBounds`](FitError::InvalidBounds) (logit bounds not finite with
    ///   lower < upper), [`InitialOutsideBounds`](FitError::InitialOutsideBounds),
    ///   [`InvalidStartRange`](FitError::InvalidStartRange);
    /// - [`FitError::InvalidErrorModel`];
    /// - [`FitError::UnknownOutput`] listing the trajectory's columns;
    /// - [`FitError::NoSubjects`], [`DuplicateSubject`](FitError::DuplicateSubject),
    ///   [`Subject`](FitError::Subject) (a regimen that does not fit the model);
    /// - [`FitError::InvalidObservation`] (non-finite, negative time, or a value ≤ 0 under
    ///   proportional or log-normal error), [`ObservationBeforeFirstDose`](FitError::ObservationBeforeFirstDose)
    ///   (a drug output, all of whose states start at 0, observed at or before the drug's
    ///   first dose, under an error model that needs positive predictions);
    /// - [`FitError::TooFewObservations`]: fewer observations in all than free plus
    ///   error-model parameters.
    pub fn new(
        model: &Model,
        output: impl Into<Observable>,
        subjects: Vec<SubjectData>,
        parameters: Vec<FreeParameter>,
        error: ErrorModel,
    ) -> Result<FitProblem, FitError> {
        let output = output.into();
        let drug = output_drug(model, &output);
        let mut checked = Vec::with_capacity(subjects.len());
        for s in subjects {
            s.regimen
                .resolve_for(model, &s.covariates)
                .map_err(|e| FitError::Subject {
                    subject: s.id.clone(),
                    source: Box::new(e.into()),
                })?;
            let observations: Vec<Observed> = s
                .observations
                .iter()
                .map(|&(time, value)| Observed {
                    time,
                    value,
                    line: None,
                })
                .collect();
            for (index, o) in observations.iter().enumerate() {
                check_observation(&s.id, index, o, error)?;
            }
            if let (Some(drug), true) = (&drug, error.needs_positive_values()) {
                let first = first_dose(model, &s.regimen, drug);
                if let Some((index, o)) = observations
                    .iter()
                    .enumerate()
                    .find(|(_, o)| first.is_none_or(|t| o.time <= t))
                {
                    return Err(FitError::ObservationBeforeFirstDose {
                        subject: s.id.clone(),
                        line: None,
                        index,
                        time: o.time,
                        drug: drug.clone(),
                        first_dose: first,
                    });
                }
            }
            let mut times: Vec<f64> = observations.iter().map(|o| o.time).collect();
            times.sort_by(f64::total_cmp);
            times.dedup();
            let time_index = observations
                .iter()
                .map(|o| times.partition_point(|&t| t < o.time))
                .collect();
            checked.push(Checked {
                id: s.id,
                dosing: Dosing::Regimen {
                    regimen: s.regimen,
                    covariates: s.covariates,
                    times,
                    time_index,
                },
                observations,
            });
        }
        FitProblem::assemble(model, output, checked, parameters, error)
    }

    /// The checks common to both constructors.
    pub(crate) fn assemble(
        model: &Model,
        output: Observable,
        subjects: Vec<Checked>,
        parameters: Vec<FreeParameter>,
        error: ErrorModel,
    ) -> Result<FitProblem, FitError> {
        error.check()?;
        if parameters.is_empty() {
            return Err(FitError::NoParameters);
        }
        let mut slots = Vec::with_capacity(parameters.len());
        for (k, p) in parameters.iter().enumerate() {
            let repeated = parameters[..k]
                .iter()
                .any(|q| q.name == p.name || q.path == p.path);
            if repeated {
                return Err(FitError::DuplicateParameter {
                    name: p.name.clone(),
                });
            }
            p.check()?;
            let slot = p.path.bind(model.spec()).map_err(|source| FitError::Path {
                parameter: p.name.clone(),
                source: Box::new(source),
            })?;
            // Two spellings of one parameter (`tumors.tumor.initial`, `tumors[tumor].initial`).
            if slots.contains(&slot) {
                return Err(FitError::DuplicateParameter {
                    name: p.name.clone(),
                });
            }
            slots.push(slot);
        }
        let solver = FitProblem::default_solver();
        check_output(model, &output, &solver)?;
        if subjects.is_empty() {
            return Err(FitError::NoSubjects);
        }
        for (k, s) in subjects.iter().enumerate() {
            if subjects[..k].iter().any(|t| t.id == s.id) {
                return Err(FitError::DuplicateSubject {
                    subject: s.id.clone(),
                });
            }
        }
        let observed: Vec<f64> = subjects
            .iter()
            .flat_map(|s| s.observations.iter().map(|o| o.value))
            .collect();
        let problem = FitProblem {
            model: model.clone(),
            output,
            subjects,
            parameters,
            slots,
            error,
            solver,
            observed,
        };
        problem.check_size(None)?;
        Ok(problem)
    }

    /// The same problem solved with `solver` (for every subject, event-table ones included).
    ///
    /// # Errors
    /// [`FitError::InvalidSolver`] for options invalid for the model.
    pub fn with_solver(mut self, solver: SolverOptions) -> Result<FitProblem, FitError> {
        solver
            .state_tolerances(&self.model)
            .map_err(|source| FitError::InvalidSolver { source })?;
        self.solver = solver;
        Ok(self)
    }

    /// The problem restricted to the subject `id`.
    ///
    /// # Errors
    /// [`FitError::UnknownSubject`] listing the IDs there are;
    /// [`FitError::TooFewObservations`] naming the subject when it alone has too few.
    pub fn for_subject(&self, id: &str) -> Result<FitProblem, FitError> {
        let Some(subject) = self.subjects.iter().find(|s| s.id == id) else {
            return Err(FitError::UnknownSubject {
                subject: id.to_string(),
                available: self.subject_ids().collect::<Vec<_>>().join(", "),
            });
        };
        let problem = FitProblem {
            model: self.model.clone(),
            output: self.output.clone(),
            subjects: vec![subject.clone()],
            parameters: self.parameters.clone(),
            slots: self.slots.clone(),
            error: self.error,
            solver: self.solver.clone(),
            observed: subject.observations.iter().map(|o| o.value).collect(),
        };
        problem.check_size(Some(id))?;
        Ok(problem)
    }

    fn check_size(&self, subject: Option<&str>) -> Result<(), FitError> {
        let parameters = self.n_estimated();
        if self.observed.len() < parameters {
            return Err(FitError::TooFewObservations {
                subject: subject.map(str::to_string),
                observations: self.observed.len(),
                parameters,
            });
        }
        Ok(())
    }

    /// The model, with the fixed parameters' values.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The observed output.
    pub fn output(&self) -> &Observable {
        &self.output
    }

    /// The free parameters, in order.
    pub fn parameters(&self) -> &[FreeParameter] {
        &self.parameters
    }

    /// The error model.
    pub fn error_model(&self) -> ErrorModel {
        self.error
    }

    /// The solver options.
    pub fn solver(&self) -> &SolverOptions {
        &self.solver
    }

    /// The subjects' IDs, in order.
    pub fn subject_ids(&self) -> impl Iterator<Item = &str> {
        self.subjects.iter().map(|s| s.id.as_str())
    }

    /// Number of observations, all subjects.
    pub fn n_observations(&self) -> usize {
        self.observed.len()
    }

    /// Number of estimated parameters: free parameters plus the error model's.
    pub fn n_estimated(&self) -> usize {
        self.parameters.len() + self.error.n_parameters()
    }

    /// Every observation `(subject, observation)`, subjects in order.
    pub(crate) fn observations(&self) -> impl Iterator<Item = (&str, &Observed)> {
        self.subjects
            .iter()
            .flat_map(|s| s.observations.iter().map(move |o| (s.id.as_str(), o)))
    }

    pub(crate) fn observed(&self) -> &[f64] {
        &self.observed
    }

    /// The model with the free parameters set to `values` (natural scale, in order).
    ///
    /// # Errors
    /// [`FitError::InvalidOption`] for a wrong number of values; a
    /// [`BuildError`](crate::BuildError) for a value out of its parameter's range.
    pub fn model_with(&self, values: &[f64]) -> Result<Model, Error> {
        if values.len() != self.parameters.len() {
            return Err(FitError::InvalidOption {
                option: "values",
                value: values.len() as f64,
                reason: "must have one value per free parameter",
            }
            .into());
        }
        let values: Vec<(Slot, f64)> = self
            .slots
            .iter()
            .copied()
            .zip(values.iter().copied())
            .collect();
        Ok(self.model.with(&values)?)
    }

    /// The predictions at every observation (subjects in order, each subject's observations
    /// in the order given) with the free parameters at `values` (natural scale).
    ///
    /// # Errors
    /// As [`model_with`](Self::model_with); [`FitError::Subject`] naming the subject whose
    /// simulation failed.
    pub fn predict(&self, values: &[f64]) -> Result<Vec<f64>, Error> {
        let model = self.model_with(values)?;
        let mut predictions = Vec::with_capacity(self.observed.len());
        for s in &self.subjects {
            let subject_error = |source: Error| -> Error {
                FitError::Subject {
                    subject: s.id.clone(),
                    source: Box::new(source),
                }
                .into()
            };
            match &s.dosing {
                Dosing::Regimen {
                    regimen,
                    covariates,
                    times,
                    time_index,
                } => {
                    let trajectory = Simulation::new(&model, regimen, times)
                        .options(&self.solver)
                        .subject(covariates)
                        .run()
                        .map_err(subject_error)?;
                    let values =
                        values_at(&trajectory, &self.output, times).map_err(subject_error)?;
                    predictions.extend(time_index.iter().map(|&k| values[k]));
                }
                Dosing::Records(records) => {
                    let values = records
                        .predict(&model, &self.solver)
                        .map_err(subject_error)?;
                    predictions.extend(values);
                }
            }
        }
        Ok(predictions)
    }

    /// Natural-scale values of the free parameters at search point `phi`.
    pub(crate) fn natural(&self, phi: &[f64]) -> Vec<f64> {
        self.parameters
            .iter()
            .zip(phi)
            .map(|(p, &x)| p.transform.to_natural(x))
            .collect()
    }

    /// The combined model's `c = a/b` at search point `phi` (1 for other models).
    pub(crate) fn ratio(&self, phi: &[f64]) -> f64 {
        phi.get(self.parameters.len()).map_or(1.0, |x| x.exp())
    }

    /// Predictions, residuals and weights at search point `phi`.
    pub(crate) fn evaluate(&self, phi: &[f64]) -> Result<Evaluation, Error> {
        let predictions = self.predict(&self.natural(phi))?;
        if predictions.len() != self.observed.len() {
            return Err(FitError::ResidualLength {
                expected: self.observed.len(),
                got: predictions.len(),
            }
            .into());
        }
        if self.error.needs_positive_values() {
            let bad = predictions
                .iter()
                .zip(self.observations())
                .enumerate()
                .find(|(_, (f, _))| !(**f > 0.0 && f.is_finite()));
            if let Some((flat, (&prediction, (subject, o)))) = bad {
                let index = self.index_within_subject(flat);
                return Err(FitError::NonPositivePrediction {
                    subject: subject.to_string(),
                    line: o.line,
                    index,
                    time: o.time,
                    prediction,
                    error_model: self.error.as_str(),
                }
                .into());
            }
        }
        Ok(Evaluation::new(
            self.error,
            &self.observed,
            predictions,
            self.ratio(phi),
        ))
    }

    /// Position within its subject of observation `flat` (all subjects in order).
    fn index_within_subject(&self, flat: usize) -> usize {
        let mut rest = flat;
        for s in &self.subjects {
            if rest < s.observations.len() {
                return rest;
            }
            rest -= s.observations.len();
        }
        rest
    }

    /// The scaled residuals the optimizer minimizes (see [`objective`]).
    pub(crate) fn residuals(&self, phi: &[f64]) -> Result<Vec<f64>, Error> {
        self.evaluate(phi).map(|e| e.scaled)
    }

    /// The search point of the initial values.
    fn initial_search(&self) -> Vec<f64> {
        let mut phi: Vec<f64> = self
            .parameters
            .iter()
            .map(|p| p.transform.to_search(p.initial))
            .collect();
        phi.extend(self.error.initial_search());
        phi
    }

    /// Start `k` (start 0: the initial values) as `(natural values, search point)`: the free
    /// parameters, then `a/b` for a combined error model.
    fn start(&self, seed: u64, k: usize) -> (Vec<f64>, Vec<f64>) {
        let mut natural: Vec<f64> = self.parameters.iter().map(|p| p.initial).collect();
        let mut phi = self.initial_search();
        if k > 0 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(k as u64);
            for ((x, value), p) in phi.iter_mut().zip(&mut natural).zip(&self.parameters) {
                *value = p.draw(rng.random::<f64>());
                *x = p.transform.to_search(*value);
            }
            // The combined model's ln(a/b): uniform within a factor 10 of its starting value.
            for x in phi.iter_mut().skip(self.parameters.len()) {
                *x += std::f64::consts::LN_10 * (2.0 * rng.random::<f64>() - 1.0);
            }
        }
        natural.extend(phi.iter().skip(self.parameters.len()).map(|x| x.exp()));
        (natural, phi)
    }

    /// The typical magnitude of each searched parameter, for the central-difference steps
    /// `h_j = s·max(|φ_j|, φ̄_j)`: 1 on the log and logit scales (and for `ln(a/b)`), which
    /// are unit-free; the half-width of the start range for an identity parameter, which
    /// keeps its unit (`max(|initial|, 1)` by default).
    fn difference_scales(&self) -> Vec<f64> {
        let mut scales: Vec<f64> = self
            .parameters
            .iter()
            .map(|p| match p.transform {
                Transform::Identity => {
                    let (lo, hi) = p.start_range();
                    0.5 * (hi - lo)
                }
                Transform::Log | Transform::Logit { .. } => 1.0,
            })
            .collect();
        scales.resize(scales.len() + self.error.n_searched(), 1.0);
        scales
    }

    /// The relative central-difference step for `options`.
    fn jacobian_step(&self, options: &FitOptions) -> f64 {
        options
            .jacobian_step
            .unwrap_or_else(|| self.solver.rtol.max(f64::EPSILON).cbrt())
    }

    /// Fits every subject's observations with one set of parameters (naive pooling, or a
    /// single subject's fit), from `options.starts` starting points in parallel.
    ///
    /// A start that cannot be evaluated at its starting point is recorded in the report
    /// ([`StartOutcome::Failed`]); an evaluation that fails during a search rejects the step
    /// and is counted.
    ///
    /// ```
    /// use oncodyn::fit::{ErrorModel, FitOptions, FitProblem, FreeParameter, SubjectData};
    /// use oncodyn::prelude::*;
    ///
    /// // 100 mg oral; a drug with ka = 2 /day (fixed), CL and V to estimate (truth 1 L/day, 10 L).
    /// let mut b = ModelBuilder::new();
    /// b.drug(DrugSpec::one_compartment("drug", 1.0, 10.0).with_absorption(2.0, 1.0))?;
    /// let model = b.build()?;
    /// let oral = Dose::bolus(0.0, "drug", 100.0).into_compartment(Compartment::Depot);
    /// let concentrations = vec![(0.5, 6.3), (1.0, 7.9), (2.0, 8.6), (4.0, 6.9), (8.0, 4.8), (16.0, 2.1)];
    /// let patient = SubjectData::new("1", Regimen::new("oral").with(oral), concentrations);
    /// let free = vec![
    ///     FreeParameter::positive("cl", "drugs[drug].cl", 2.0)?,  // L/day
    ///     FreeParameter::positive("v", "drugs[drug].v1", 5.0)?,   // L
    /// ];
    /// let problem = FitProblem::new(&model, "drug_conc", vec![patient], free, ErrorModel::Proportional)?;
    /// let report = problem.fit(&FitOptions { starts: 4, seed: 1, ..FitOptions::default() })?;
    ///
    /// assert_eq!(report.starts.len(), 4);                   // every start is kept
    /// let cl = report.estimate("cl").unwrap();
    /// assert!((cl.estimate - 1.0).abs() < 0.1);
    /// let ci = cl.interval.unwrap();                        // 95%, t with n − p = 4 df
    /// assert!(ci.lower < cl.estimate && cl.estimate < ci.upper);
    /// assert!(report.aic > report.minus_two_log_likelihood);
    /// # Ok::<(), oncodyn::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`FitError::InvalidOption`] for invalid options; [`FitError::NoStartEvaluated`] when no
    /// start could be evaluated at all (carrying the failure at the initial values).
    pub fn fit(&self, options: &FitOptions) -> Result<FitReport, FitError> {
        options.check()?;
        let lm_options = LmOptions {
            relative_step: self.jacobian_step(options),
            ..options.lm
        };
        let starts: Vec<(Vec<f64>, Vec<f64>)> = (0..options.starts)
            .map(|k| self.start(options.seed, k))
            .collect();
        let scales = self.difference_scales();
        let runs: Vec<Result<LmOutcome, Error>> = starts
            .par_iter()
            .map(|(_, x0)| {
                let residuals = |phi: &[f64]| self.residuals(phi);
                lm::minimize_scaled(residuals, x0, &scales, &lm_options)
            })
            .collect();
        report::build(self, &starts, runs, &lm_options, scales)
    }

    /// Fits each subject alone (in parallel), with the same options, and summarizes the
    /// individual estimates (two-stage: mean, SD and CV across subjects). A subject that
    /// cannot be fitted (too few observations, no start evaluated) is recorded in
    /// [`IndividualFits::failures`] and left out of the summary.
    ///
    /// # Errors
    /// [`FitError::InvalidOption`] for invalid options.
    pub fn fit_individual(&self, options: &FitOptions) -> Result<IndividualFits, FitError> {
        options.check()?;
        let outcomes: Vec<(String, Result<FitReport, FitError>)> = self
            .subjects
            .par_iter()
            .map(|s| {
                let result = self.for_subject(&s.id).and_then(|p| p.fit(options));
                (s.id.clone(), result)
            })
            .collect();
        Ok(report::individual(self, outcomes))
    }
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
fn first_dose(model: &Model, regimen: &Regimen, drug: &str) -> Option<f64> {
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

/// Checks that `output` is a column of the model's trajectories.
fn check_output(
    model: &Model,
    output: &Observable,
    solver: &SolverOptions,
) -> Result<(), FitError> {
    let probe =
        simulate(model, &Regimen::new("output check"), &[0.0], solver).map_err(|e| match e {
            Error::Solve(source) => FitError::InvalidSolver { source },
            other => FitError::Subject {
                subject: "(output check)".to_string(),
                source: Box::new(other),
            },
        })?;
    match probe.observe(output) {
        Ok(_) => Ok(()),
        Err(LookupError::UnknownColumn { .. }) => {
            let mut available: Vec<&str> =
                probe.columns().iter().map(|c| c.name.as_str()).collect();
            if !model.spec().tumors.is_empty() {
                available.extend([Observable::TUMOR_VOLUME, Observable::TUMOR_DIAMETER]);
            }
            Err(FitError::UnknownOutput {
                output: output.to_string(),
                available: available.join(", "),
            })
        }
        Err(source) => Err(FitError::InvalidOutput {
            output: output.to_string(),
            source,
        }),
    }
}

/// The values of column `output` at each of `times` (strictly increasing output times of
/// `trajectory`), from the first row at each time: the `pre` row at a dose time.
fn values_at(
    trajectory: &Trajectory,
    output: &Observable,
    times: &[f64],
) -> Result<Vec<f64>, Error> {
    let column = trajectory.observe(output)?;
    let rows = trajectory.times();
    let mut values = Vec::with_capacity(times.len());
    let mut row = 0;
    for &t in times {
        while row < rows.len() && rows[row] != t {
            row += 1;
        }
        let value = column
            .get(row)
            .copied()
            .ok_or(LookupError::NotAnOutputTime { t })?;
        values.push(value);
    }
    Ok(values)
}
