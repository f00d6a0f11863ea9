//! Errors: one enum per boundary, joined in [`Error`].
//!
//! Every variant carries the facts in fields (which component, which parameter, which dose,
//! which time), so callers and tests can match on what went wrong.

use crate::model::ComponentKind;
use thiserror::Error;

/// A model could not be built: the first problem found, or all of them.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The model has no state at all.
    #[error("the model is empty: add at least one tumor, immune population or drug")]
    EmptyModel,
    /// Two components (or generated state names) share a name.
    #[error("duplicate name `{name}`")]
    DuplicateName {
        /// The repeated name.
        name: String,
    },
    /// A component has an empty name.
    #[error("a {kind} has an empty name")]
    EmptyName {
        /// The kind of component.
        kind: ComponentKind,
    },
    /// A parameter is negative, zero or non-finite where that is not allowed.
    #[error("{component}: parameter `{param}` = {value} {reason}")]
    InvalidParameter {
        /// Name of the component (an interaction is named `by -> of`).
        component: String,
        /// The parameter's field name.
        param: &'static str,
        /// The offending value.
        value: f64,
        /// What the value must satisfy.
        reason: &'static str,
    },
    /// A name refers to no component of the expected kind.
    #[error("unknown {kind} `{name}` (available: {available})")]
    UnknownName {
        /// The name given.
        name: String,
        /// The kind of component expected.
        kind: ComponentKind,
        /// The names of that kind that exist, comma-separated.
        available: String,
    },
    /// A handle issued by another builder (a dangling handle).
    #[error("{component}: a {kind} handle from another ModelBuilder")]
    ForeignHandle {
        /// The component being added when the handle was passed.
        component: String,
        /// The kind of the handle.
        kind: ComponentKind,
    },
    /// A structural parameter is out of range (e.g. a transit chain of zero compartments).
    #[error("{component}: `{param}` {reason}")]
    InvalidStructure {
        /// Name of the component.
        component: String,
        /// The field name.
        param: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// Several problems, all found in one pass.
    #[error("{} problems: {}", .0.len(), join(.0))]
    Several(Vec<BuildError>),
}

fn join(errors: &[BuildError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl BuildError {
    /// Every individual problem (one for a single error, all of them for [`Several`](Self::Several)).
    pub fn problems(&self) -> Vec<&BuildError> {
        match self {
            BuildError::Several(v) => v.iter().collect(),
            e => vec![e],
        }
    }
}

/// A regimen or output grid is invalid. `dose` is the index of the dose in the regimen's list.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// A dose amount is negative or non-finite.
    #[error("dose {dose} ({target}): amount {amount} must be finite and non-negative")]
    InvalidAmount {
        /// Index of the dose.
        dose: usize,
        /// What it is given into.
        target: String,
        /// The amount.
        amount: f64,
    },
    /// A dose time is negative or non-finite.
    #[error("dose {dose} ({target}): time {time} must be finite and non-negative")]
    InvalidTime {
        /// Index of the dose.
        dose: usize,
        /// What it is given into.
        target: String,
        /// The time, days.
        time: f64,
    },
    /// A repeat interval is zero, negative or non-finite.
    #[error("dose {dose} ({target}): repeat interval {interval} must be finite and positive")]
    InvalidInterval {
        /// Index of the dose.
        dose: usize,
        /// What it is given into.
        target: String,
        /// The interval, days.
        interval: f64,
    },
    /// A dose is repeated zero times in all.
    #[error("dose {dose} ({target}): repeated zero times")]
    EmptyRepeat {
        /// Index of the dose.
        dose: usize,
        /// What it is given into.
        target: String,
    },
    /// An infusion duration is zero, negative or non-finite.
    #[error("dose {dose} ({target}): infusion duration {duration} must be finite and positive")]
    InvalidDuration {
        /// Index of the dose.
        dose: usize,
        /// What it is given into.
        target: String,
        /// The duration, days.
        duration: f64,
    },
    /// A dose names a drug or population the model lacks.
    #[error("dose {dose}: unknown {kind} `{name}` (available: {available})")]
    UnknownTarget {
        /// Index of the dose.
        dose: usize,
        /// The name given.
        name: String,
        /// What kind of target was expected.
        kind: &'static str,
        /// What exists.
        available: String,
    },
    /// A dose goes into a compartment its target does not have (a cell population has only
    /// its own state: the central one).
    #[error("dose {dose}: `{target}` has no {compartment} compartment")]
    MissingCompartment {
        /// Index of the dose.
        dose: usize,
        /// The drug or cell population.
        target: String,
        /// The compartment asked for.
        compartment: String,
    },
    /// A radiotherapy fraction has a negative or non-finite time or dose.
    #[error("radiotherapy fraction {fraction}: {field} {value} must be finite and non-negative")]
    InvalidFraction {
        /// Index of the fraction in the regimen.
        fraction: usize,
        /// `time` or `dose`.
        field: &'static str,
        /// The value (days or Gy).
        value: f64,
    },
    /// No output times were given.
    #[error("no output times")]
    NoOutputTimes,
    /// A regular output grid (`horizon`, `step`) is invalid: a negative, zero or non-finite
    /// value, or more points than can be simulated.
    #[error("output grid: `{param}` = {value} {reason}")]
    InvalidOutputGrid {
        /// `horizon` or `step`.
        param: &'static str,
        /// The value, days.
        value: f64,
        /// What it must satisfy.
        reason: &'static str,
    },
    /// An output time is negative, non-finite, or not after the one before it.
    #[error("output time {index} = {time} {reason}")]
    InvalidOutputTime {
        /// Index in the output times.
        index: usize,
        /// The time, days.
        time: f64,
        /// What is wrong.
        reason: &'static str,
    },
}

/// Integration failed. Every variant carries the time (days) where it happened.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum SolveError {
    /// The step size collapsed below what floating point can resolve at `t`.
    #[error("step size too small at t = {t} d")]
    StepSizeTooSmall {
        /// Time, days.
        t: f64,
    },
    /// The step budget ran out.
    #[error("more than {max_steps} steps needed; stopped at t = {t} d")]
    TooManySteps {
        /// Time, days.
        t: f64,
        /// The budget (SolverOptions::max_steps).
        max_steps: u32,
    },
    /// A state became NaN or infinite.
    #[error("state `{state}` became non-finite at t = {t} d")]
    NonFinite {
        /// Time, days.
        t: f64,
        /// Name of the state.
        state: String,
    },
    /// The explicit method detected stiffness; use a stiff method or disable detection.
    #[error(
        "the problem became stiff at t = {t} d: use a stiff method, or set stiffness = Ignore"
    )]
    Stiff {
        /// Time, days.
        t: f64,
    },
    /// A solver option is out of range.
    #[error("solver option `{option}` = {value} {reason}")]
    InvalidOption {
        /// The option's field name.
        option: &'static str,
        /// The value.
        value: f64,
        /// What it must satisfy.
        reason: &'static str,
    },
    /// A per-state tolerance names a state the model lacks.
    #[error("tolerance for unknown state `{name}` (available: {available})")]
    UnknownState {
        /// The name given.
        name: String,
        /// The states there are.
        available: String,
    },
}

/// Looking a column up in a trajectory failed.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum LookupError {
    /// The handle was issued by a builder other than the one of the simulated model.
    #[error("a {kind} handle from another model")]
    ForeignHandle {
        /// Kind of handle.
        kind: ComponentKind,
    },
    /// No column of that name.
    #[error("no column `{name}` (available: {available})")]
    UnknownColumn {
        /// The name asked for.
        name: String,
        /// The columns there are.
        available: String,
    },
    /// The time is not an output time of the trajectory.
    #[error("t = {t} d is not an output time")]
    NotAnOutputTime {
        /// The time asked for, days.
        t: f64,
    },
}

/// Reading or writing a file failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum IoError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    File {
        /// The path.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A TOML file is malformed (bad syntax, a missing or unknown field, a value of the wrong
    /// type, an unknown law `type`); the message names the field and its line.
    #[error("{path}: {message}")]
    Toml {
        /// The path (or `<string>`).
        path: String,
        /// Line of the offending key, value or table (1-based), when the parser gave a position.
        line: Option<usize>,
        /// Column of it (1-based, in characters), when the parser gave a position.
        column: Option<usize>,
        /// Dotted key path of the offending field, e.g. `model.tumors[0].growth.rate` (for a
        /// missing field, the path it should have), when it could be found.
        key: Option<String>,
        /// The whole message: position, key path, the parser's description and the source line.
        message: String,
    },
    /// A model file could not be written as TOML.
    #[error("cannot write TOML: {source}")]
    TomlWrite {
        /// The serializer's error.
        source: toml::ser::Error,
    },
    /// A CSV could not be written.
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    /// The model holds user [`Custom`](crate::model::Custom) terms, which are code and cannot be
    /// written to a file.
    #[error("model has custom terms that cannot be written to a file: {names}")]
    CustomTerms {
        /// Their names.
        names: String,
    },
}

/// Any oncodyn error.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// See [`BuildError`].
    #[error(transparent)]
    Build(#[from] BuildError),
    /// See [`ScheduleError`].
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// See [`SolveError`].
    #[error(transparent)]
    Solve(#[from] SolveError),
    /// See [`LookupError`].
    #[error(transparent)]
    Lookup(#[from] LookupError),
    /// See [`IoError`].
    #[error(transparent)]
    Io(#[from] IoError),
}
