//! Why a fit could not be set up or run.

use crate::model::PathError;
use crate::solver::SolveError;
use crate::trajectory::LookupError;
use thiserror::Error;

/// A fit could not be set up or run (see [`fit`](crate::fit)). Why a search stopped is not an
/// error: it is [`FitReport::termination`](crate::fit::FitReport::termination).
///
/// Observations are named by `subject` (its ID), `index` (0-based position among the
/// subject's observations) and, for data read from an event table, `line` (1-based; the
/// header is line 1).
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum FitError {
    /// A free parameter's path does not parse or does not lead to a real-valued parameter
    /// of the model.
    #[error("free parameter `{parameter}`: {source}")]
    Path {
        /// The free parameter's name.
        parameter: String,
        /// What is wrong with the path (boxed: it is large).
        source: Box<PathError>,
    },
    /// The problem has no free parameter.
    #[error("no free parameter: give at least one")]
    NoParameters,
    /// Two free parameters share a name, or a path.
    #[error("free parameter `{name}` is given twice (by name or by path)")]
    DuplicateParameter {
        /// The repeated name.
        name: String,
    },
    /// A logit transform's bounds are not finite with `lower < upper`.
    #[error(
        "free parameter `{parameter}`: bounds [{lower}, {upper}] must be finite with lower < upper"
    )]
    InvalidBounds {
        /// The free parameter's name.
        parameter: String,
        /// The lower bound.
        lower: f64,
        /// The upper bound.
        upper: f64,
    },
    /// A free parameter's initial value is not strictly inside its transform's domain.
    #[error(
        "free parameter `{parameter}`: initial value {initial} is not inside ({lower}, {upper})"
    )]
    InitialOutsideBounds {
        /// The free parameter's name.
        parameter: String,
        /// The initial value.
        initial: f64,
        /// Lower end of the domain (0 for a log transform, −∞ for identity).
        lower: f64,
        /// Upper end of the domain.
        upper: f64,
    },
    /// A multi-start range is not finite, not increasing, outside the domain, or (for a log
    /// transform) not positive.
    #[error("free parameter `{parameter}`: start range [{lower}, {upper}] must be finite, increasing and inside the parameter's domain")]
    InvalidStartRange {
        /// The free parameter's name.
        parameter: String,
        /// The range's lower end.
        lower: f64,
        /// The range's upper end.
        upper: f64,
    },
    /// The output is not a column of the model's trajectories.
    #[error("unknown output `{output}` (available: {available})")]
    UnknownOutput {
        /// The output name given.
        output: String,
        /// The columns there are and the derived quantities of the model, comma-separated.
        available: String,
    },
    /// A derived output cannot be read from the model's trajectories (a tumor volume or
    /// diameter of a model without tumors, or an invalid cell density).
    #[error("output `{output}`: {source}")]
    InvalidOutput {
        /// The output.
        output: String,
        /// Why.
        source: LookupError,
    },
    /// The problem has no subject.
    #[error("no subjects: give at least one")]
    NoSubjects,
    /// Two subjects share an ID.
    #[error("subject `{subject}` appears twice")]
    DuplicateSubject {
        /// The repeated ID.
        subject: String,
    },
    /// A subject ID the problem lacks.
    #[error("unknown subject `{subject}` (available: {available})")]
    UnknownSubject {
        /// The ID given.
        subject: String,
        /// The IDs there are, comma-separated.
        available: String,
    },
    /// An observation has a time or value the fit cannot use (non-finite, a negative time, or
    /// a value ≤ 0 under an error model that needs positive values).
    #[error("subject `{subject}`{}, observation {index} (t = {time}, value {value}): {reason}", line_note(.line))]
    InvalidObservation {
        /// The subject's ID.
        subject: String,
        /// Line in the event table, if the data came from one.
        line: Option<u64>,
        /// Position among the subject's observations, 0-based.
        index: usize,
        /// Its time, days.
        time: f64,
        /// Its value.
        value: f64,
        /// What is wrong.
        reason: &'static str,
    },
    /// An observation of a drug output (amount or concentration) at or before the drug's
    /// first dose, where the prediction is 0, under a proportional or log-normal error model,
    /// which needs it positive.
    #[error("subject `{subject}`{}, observation {index} at t = {time}: drug `{drug}` is 0 at or before its first dose{}, and proportional or log-normal error needs positive predictions", line_note(.line), dose_note(.first_dose))]
    ObservationBeforeFirstDose {
        /// The subject's ID.
        subject: String,
        /// Line in the event table, if the data came from one.
        line: Option<u64>,
        /// Position among the subject's observations, 0-based.
        index: usize,
        /// Its time, days.
        time: f64,
        /// The drug the output belongs to.
        drug: String,
        /// Time of the first dose of the drug, days (`None`: there is none).
        first_dose: Option<f64>,
    },
    /// Fewer observations than estimated parameters (free parameters plus the error model's).
    #[error("{}{observations} observations for {parameters} estimated parameters (free and error model)", subject_note(.subject))]
    TooFewObservations {
        /// The subject, for an individual fit; `None` for a pooled fit.
        subject: Option<String>,
        /// Number of observations.
        observations: usize,
        /// Number of estimated parameters.
        parameters: usize,
    },
    /// An error model's starting value is out of range.
    #[error("error model: `{param}` = {value} {reason}")]
    InvalidErrorModel {
        /// The field name.
        param: &'static str,
        /// The value.
        value: f64,
        /// What it must satisfy.
        reason: &'static str,
    },
    /// A fit or optimizer option is out of range.
    #[error("option `{option}` = {value} {reason}")]
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// The value.
        value: f64,
        /// What it must satisfy.
        reason: &'static str,
    },
    /// The solver options are invalid for the model (the solver's message, which names the
    /// option, without a prefix of its own).
    #[error(transparent)]
    InvalidSolver {
        /// What is wrong.
        source: SolveError,
    },
    /// A subject's data cannot be simulated (its regimen does not fit the model, or its
    /// simulation failed).
    #[error("subject `{subject}`: {source}")]
    Subject {
        /// The subject's ID.
        subject: String,
        /// What went wrong.
        source: Box<crate::Error>,
    },
    /// A prediction is ≤ 0 (or not finite) where the error model needs it positive: the
    /// evaluation fails and, during a search, the step is rejected.
    #[error("subject `{subject}`{}, observation {index} at t = {time}: prediction {prediction} is not positive, which the {error_model} error model needs", line_note(.line))]
    NonPositivePrediction {
        /// The subject's ID.
        subject: String,
        /// Line in the event table, if the data came from one.
        line: Option<u64>,
        /// Position among the subject's observations, 0-based.
        index: usize,
        /// Its time, days.
        time: f64,
        /// The prediction.
        prediction: f64,
        /// The error model's name.
        error_model: &'static str,
    },
    /// A residual is not finite.
    #[error("residual {index} = {value} is not finite")]
    NonFiniteResidual {
        /// Index of the residual, 0-based.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A residual function returned a different number of residuals than at the start.
    #[error("{got} residuals where the first evaluation gave {expected}")]
    ResidualLength {
        /// Number at the first evaluation.
        expected: usize,
        /// Number now.
        got: usize,
    },
    /// No start could be evaluated: every starting point failed at its first evaluation.
    #[error("none of the {starts} starts could be evaluated; at the initial values: {source}")]
    NoStartEvaluated {
        /// Number of starts tried.
        starts: usize,
        /// The failure at the first start (the initial values).
        source: Box<crate::Error>,
    },
}

/// ` (line N)` for data from an event table, else nothing.
fn line_note(line: &Option<u64>) -> String {
    line.map_or_else(String::new, |l| format!(" (line {l})"))
}

/// ` (at t = T)` for a first dose, else ` (there is none)`.
fn dose_note(first_dose: &Option<f64>) -> String {
    first_dose.map_or_else(
        || " (there is none)".to_string(),
        |t| format!(" at t = {t}"),
    )
}

/// `subject `ID`: ` for an individual fit, else nothing.
fn subject_note(subject: &Option<String>) -> String {
    subject
        .as_ref()
        .map_or_else(String::new, |s| format!("subject `{s}`: "))
}
