//! [`FitProblem`]: a model, data and free parameters, checked; its constructors and what it
//! holds.

use super::data::first_dose;
use super::{
    check_observation, output_drug, Checked, Dosing, ErrorModel, FitError, FreeParameter, Observed,
    SubjectData,
};
use crate::dosing::Regimen;
use crate::model::{Model, Slot};
use crate::solver::{simulate, Method, SolverOptions};
use crate::trajectory::{LookupError, Observable};
use crate::Error;

/// A model, data and free parameters, checked and ready to fit (see the [module docs](super)).
#[derive(Clone, Debug)]
pub struct FitProblem {
    pub(super) model: Model,
    pub(super) output: Observable,
    pub(super) subjects: Vec<Checked>,
    pub(super) parameters: Vec<FreeParameter>,
    /// Each free parameter's path bound to the model, in order.
    pub(super) slots: Vec<Slot>,
    pub(super) error: ErrorModel,
    pub(super) solver: SolverOptions,
    /// Every observed value, subjects in order.
    pub(super) observed: Vec<f64>,
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
        let checked = subjects
            .into_iter()
            .map(|s| check_subject(model, drug.as_deref(), s, error))
            .collect::<Result<Vec<_>, _>>()?;
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
        let slots = bind_parameters(model, &parameters)?;
        let solver = FitProblem::default_solver();
        check_output(model, &output, &solver)?;
        if subjects.is_empty() {
            return Err(FitError::NoSubjects);
        }
        check_unique_subjects(&subjects)?;
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

/// One in-memory subject checked against `model` (its regimen resolves, its observations are
/// valid for `error`, and a drug output `drug` is not observed at or before the first dose
/// under an error model that needs positive values), with its sorted distinct times.
fn check_subject(
    model: &Model,
    drug: Option<&str>,
    s: SubjectData,
    error: ErrorModel,
) -> Result<Checked, FitError> {
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
    if let (Some(drug), true) = (drug, error.needs_positive_values()) {
        check_after_first_dose(model, &s, &observations, drug)?;
    }
    let mut times: Vec<f64> = observations.iter().map(|o| o.time).collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let time_index = observations
        .iter()
        .map(|o| times.partition_point(|&t| t < o.time))
        .collect();
    Ok(Checked {
        id: s.id,
        dosing: Dosing::Regimen {
            regimen: s.regimen,
            covariates: s.covariates,
            times,
            time_index,
        },
        observations,
    })
}

/// [`FitError::ObservationBeforeFirstDose`] for the first observation of `s` at or before
/// the first dose of `drug` (or any, if `drug` is never dosed).
fn check_after_first_dose(
    model: &Model,
    s: &SubjectData,
    observations: &[Observed],
    drug: &str,
) -> Result<(), FitError> {
    let first = first_dose(model, &s.regimen, drug);
    match observations
        .iter()
        .enumerate()
        .find(|(_, o)| first.is_none_or(|t| o.time <= t))
    {
        Some((index, o)) => Err(FitError::ObservationBeforeFirstDose {
            subject: s.id.clone(),
            line: None,
            index,
            time: o.time,
            drug: drug.to_string(),
            first_dose: first,
        }),
        None => Ok(()),
    }
}

/// Each free parameter checked and bound to `model`, in order; no two may share a name or a
/// path (in any spelling).
fn bind_parameters(model: &Model, parameters: &[FreeParameter]) -> Result<Vec<Slot>, FitError> {
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
    Ok(slots)
}

/// [`FitError::DuplicateSubject`] for the first subject ID seen twice.
fn check_unique_subjects(subjects: &[Checked]) -> Result<(), FitError> {
    for (k, s) in subjects.iter().enumerate() {
        if subjects[..k].iter().any(|t| t.id == s.id) {
            return Err(FitError::DuplicateSubject {
                subject: s.id.clone(),
            });
        }
    }
    Ok(())
}
