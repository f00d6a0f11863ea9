//! Errors: one enum per boundary, joined in [`Error`].
//!
//! Every variant carries the facts in fields (which component, which parameter, which dose,
//! which time), so callers and tests can match on what went wrong.

use crate::dosing::AmountUnit;
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
    /// A process, modifier or input names a state that does not exist.
    #[error("{component}: unknown state `{name}` (available: {available})")]
    UnknownState {
        /// The process or modifier.
        component: String,
        /// The name given.
        name: String,
        /// The model's states.
        available: String,
    },
    /// An expression names something the model does not have, or nests too deeply.
    #[error("{component}: {source}")]
    Expression {
        /// The process, modifier or observable the expression belongs to.
        component: String,
        /// What is wrong with it, with its position.
        #[source]
        source: crate::model::expr::ExprError,
    },
    /// A modifier names a rate the model does not have.
    #[error("modifier on {rate}: {reason}")]
    UnknownRate {
        /// The rate, as written.
        rate: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// [`Model::modified`](crate::model::Model::modified) changed the states (added, removed or
    /// renamed one), so handles and trajectories would no longer match.
    #[error("the change adds, removes or renames states")]
    LayoutChanged,
    /// A parameter [`Slot`](crate::model::Slot) was bound to a model of another structure
    /// (other components, laws or list elements): bind the path to this model.
    #[error("parameter slot {index} was bound to a model of another structure")]
    ForeignSlot {
        /// The slot's position in the model it was bound to.
        index: usize,
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
    /// A dose's `repeat.additional` exceeds [`MAX_REPEATS`](crate::dosing::MAX_REPEATS).
    #[error("dose {dose} ({target}): repeat.additional = {additional} exceeds the limit of {limit} repeats per dose")]
    TooManyRepeats {
        /// Index of the dose.
        dose: usize,
        /// What it is given into.
        target: String,
        /// The number of repeats asked for.
        additional: u32,
        /// The limit.
        limit: u32,
    },
    /// A radiotherapy course has more than
    /// [`MAX_FRACTIONS`](crate::dosing::radiotherapy::MAX_FRACTIONS) fractions.
    #[error("radiotherapy course: count = {count} fractions exceeds the limit of {limit}")]
    TooManyFractions {
        /// The number of fractions asked for.
        count: u32,
        /// The limit.
        limit: u32,
    },
    /// An infusion duration is zero, negative or non-finite, or so short that its end rounds to
    /// its start; for an infusion given by rate, `duration` is `amount/rate`.
    #[error("dose {dose} ({target}): infusion duration {duration} d must be finite and positive (and longer than the rounding of its start time)")]
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
    /// An amount per kg or per m² for a subject without the covariate it needs.
    #[error("dose {dose} ({target}): an amount {unit} needs the subject's {needs}")]
    MissingCovariate {
        /// Index of the dose.
        dose: usize,
        /// What it is given into.
        target: String,
        /// The dose's amount unit.
        unit: AmountUnit,
        /// What is missing: `weight`, or `bsa (or height and weight)`.
        needs: &'static str,
    },
    /// A subject's covariate is zero, negative or non-finite.
    #[error("subject: {field} {value} must be finite and positive")]
    InvalidSubject {
        /// `weight` (kg), `height` (cm) or `bsa` (m²).
        field: &'static str,
        /// The value.
        value: f64,
    },
    /// An infusion rate is zero, negative or non-finite.
    #[error("dose {dose} ({target}): infusion rate {rate} must be finite and positive")]
    InvalidRate {
        /// Index of the dose.
        dose: usize,
        /// What it is given into.
        target: String,
        /// The rate, the amount's unit per day.
        rate: f64,
    },
    /// An infusion is given both a rate and a duration.
    #[error("dose {dose} ({target}): give an infusion's rate ({rate}) or its duration ({duration}), not both")]
    RateAndDuration {
        /// Index of the dose.
        dose: usize,
        /// What it is given into.
        target: String,
        /// The rate given, the amount's unit per day.
        rate: f64,
        /// The duration given, days.
        duration: f64,
    },
    /// A reset time is negative or non-finite.
    #[error("reset {reset}: time {time} must be finite and non-negative")]
    InvalidReset {
        /// Index of the reset in the regimen.
        reset: usize,
        /// The time, days.
        time: f64,
    },
    /// A treatment cycle is invalid.
    #[error("cycle: `{param}` = {value} {reason}")]
    InvalidCycle {
        /// `length` (days), `cycles`, `days` (1-based day) or `repeat` (the template's ADDL).
        param: &'static str,
        /// The offending value.
        value: f64,
        /// What it must satisfy.
        reason: &'static str,
    },
    /// A portion of a split dose has an invalid offset or fraction.
    #[error("split: portion {portion}: {field} {value} {reason}")]
    InvalidPortion {
        /// Index of the portion.
        portion: usize,
        /// `offset` (days) or `fraction`.
        field: &'static str,
        /// The value.
        value: f64,
        /// What it must satisfy.
        reason: &'static str,
    },
    /// The fractions of a split dose do not add up to 1.
    #[error("split: the fractions add up to {sum}, not 1")]
    SplitNotWhole {
        /// Their sum.
        sum: f64,
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
    /// A model switch is at an invalid time or changes the states.
    #[error("model switch {index} at t = {time} d: {reason}")]
    InvalidModelSwitch {
        /// Index of the switch (in time order).
        index: usize,
        /// Its time, days.
        time: f64,
        /// What is wrong.
        reason: &'static str,
    },
    /// An event rule names a state, tumor or drug the model lacks.
    #[error("event rule `{rule}`: unknown {kind} `{name}` (available: {available})")]
    UnknownEventTarget {
        /// The rule's name.
        rule: String,
        /// What kind of name was expected.
        kind: &'static str,
        /// The name given.
        name: String,
        /// What exists.
        available: String,
    },
    /// An event rule's threshold (or diameter mapping) is non-finite or non-positive.
    #[error("event rule `{rule}`: threshold {value} is invalid")]
    InvalidEventThreshold {
        /// The rule's name.
        rule: String,
        /// The value.
        value: f64,
    },
    /// The initial state has the wrong length or a non-finite value.
    #[error("initial state: {reason} (the model has {expected} states)")]
    InvalidInitialState {
        /// The model's number of states.
        expected: usize,
        /// What is wrong.
        reason: String,
    },
    /// A dose or fraction falls before the start of the simulation.
    #[error("{what} at t = {time} d is before the start of the simulation (t = {start} d)")]
    BeforeStart {
        /// `dose N` or `fraction N`.
        what: String,
        /// Its time, days.
        time: f64,
        /// The start, days.
        start: f64,
    },
    /// A dose of a steady-state pattern falls outside its period (at or after `τ`, or a bolus
    /// with a constant-input steady state).
    #[error("{what} at t = {time} d lies outside the steady-state period {period} d")]
    DoseOutsidePeriod {
        /// `dose N` or `fraction N`.
        what: String,
        /// Its time (or an infusion's end), days.
        time: f64,
        /// The period, days (0 for a constant input).
        period: f64,
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
    /// A slice passed to [`Model::rhs_into`](crate::model::Model::rhs_into),
    /// [`Model::derivative`](crate::model::Model::derivative) or
    /// [`Model::jacobian_into`](crate::model::Model::jacobian_into) has the wrong length.
    #[error("`{argument}` has {got} values; the model needs {expected}")]
    WrongLength {
        /// Which argument.
        argument: &'static str,
        /// The length it must have.
        expected: usize,
        /// The length it has.
        got: usize,
    },
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
    /// A periodic steady state was asked of a model whose rates depend on time itself (a
    /// clearance that changes with time).
    #[error("no periodic steady state: the model's rates depend on time itself")]
    TimeVarying,
    /// Newton's method found no steady state (or met a singular Jacobian).
    #[error("no steady state after {iterations} Newton iterations (weighted residual {residual})")]
    NoSteadyState {
        /// Iterations taken.
        iterations: usize,
        /// Last weighted residual.
        residual: f64,
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
    /// A tumor volume or diameter was asked of a model without tumors.
    #[error("the model has no tumor to measure a volume or diameter of")]
    NoTumor,
    /// The cell density mapping cells to a volume is not finite and positive.
    #[error("cells_per_mm3 = {value}: must be finite and positive")]
    InvalidCellDensity {
        /// The density given, cells/mm³.
        value: f64,
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
    /// A model file (or a study file's model) is well-formed TOML but its model does not
    /// build: an unknown or duplicate name, an invalid parameter, an expression that does not
    /// parse. The message gives each problem with the line of the component or key it is
    /// about; the [`BuildError`] is the `source`.
    #[error("{path}: {message}")]
    Build {
        /// The path (or `<string>`).
        path: String,
        /// Line of the first problem's component or key (1-based), when it could be found.
        line: Option<usize>,
        /// Each problem with its line, and the source line of a single problem.
        message: String,
        /// What is wrong with the model.
        source: Box<BuildError>,
    },
    /// A model file could not be written as TOML.
    #[error("cannot write TOML: {source}")]
    TomlWrite {
        /// The serializer's error.
        source: toml::ser::Error,
    },
    /// A study's parameter map holds function bindings, which are code and cannot be written
    /// to a file.
    #[error("parameter map functions cannot be written to a file: {labels}")]
    ParameterFunctions {
        /// Their labels.
        labels: String,
    },
    /// A CSV could not be written.
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    /// A model file without a `[simulation]` table was asked to simulate.
    #[error("the model file has no [simulation] table: give output times (`times`, or `horizon` and `step`) to simulate it")]
    NoSimulation,
    /// The model holds user [`Custom`](crate::model::Custom) terms, which are code and cannot be
    /// written to a file.
    #[error("model has custom terms that cannot be written to a file: {names}")]
    CustomTerms {
        /// Their names.
        names: String,
    },
}

/// An event table (NONMEM-style data set) is malformed or does not fit the model.
///
/// Every variant about a record names its `line` in the file (1-based; the header is line 1)
/// and its `column` (the standard NONMEM name in capitals, e.g. `TIME`, or a covariate's name
/// as written in the header); see [`io::nonmem`](crate::io::nonmem).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DataError {
    /// The CSV itself is malformed (a record with the wrong number of fields, invalid UTF-8) or
    /// could not be read.
    #[error("malformed CSV: {source}")]
    Csv {
        /// Line of the offending record, when the reader gave a position.
        line: Option<u64>,
        /// The reader's error.
        source: csv::Error,
    },
    /// A required column is missing from the header.
    #[error("line {line}: missing column `{column}` ({reason}; columns: {available})")]
    MissingColumn {
        /// The header's line (1).
        line: u64,
        /// The missing column.
        column: &'static str,
        /// Why it is needed.
        reason: &'static str,
        /// The columns the header has, comma-separated.
        available: String,
    },
    /// A column the caller named is missing from the header.
    #[error("line {line}: no column `{column}` (columns: {available})")]
    UnknownColumn {
        /// The header's line (1).
        line: u64,
        /// The column asked for.
        column: String,
        /// The columns the header has, comma-separated.
        available: String,
    },
    /// Two columns of the header have the same name (compared without case).
    #[error("line {line}: column `{column}` appears twice")]
    DuplicateColumn {
        /// The header's line (1).
        line: u64,
        /// The repeated name, as written the second time.
        column: String,
    },
    /// A record has fewer covariate values than the table has covariate columns, or more.
    #[error("line {line}: {got} covariate values for {expected} covariate columns")]
    CovariateCount {
        /// Line of the record.
        line: u64,
        /// Number of covariate columns.
        expected: usize,
        /// Number of values the record has.
        got: usize,
    },
    /// A value that must be a finite number is not one.
    #[error("line {line}, column `{column}`: `{text}` is not a finite number")]
    NotANumber {
        /// Line of the record.
        line: u64,
        /// The column.
        column: String,
        /// The text found.
        text: String,
    },
    /// A value this record needs is missing (empty or `.`).
    #[error("line {line}, column `{column}`: missing value ({reason})")]
    MissingValue {
        /// Line of the record.
        line: u64,
        /// The column.
        column: String,
        /// Why the record needs it.
        reason: &'static str,
    },
    /// A time is negative.
    #[error("line {line}, column `{column}`: time {time} is negative")]
    NegativeTime {
        /// Line of the record.
        line: u64,
        /// The column (`TIME`).
        column: String,
        /// The time, days.
        time: f64,
    },
    /// A record's time is before the time of the record above it, for the same subject, and
    /// the record is not a reset (EVID 3 or 4, where time may start again).
    #[error("line {line}, column `{column}`: time {time} of subject `{id}` is before {previous} on line {previous_line}")]
    TimeBackwards {
        /// Line of the record.
        line: u64,
        /// The column (`TIME`).
        column: String,
        /// The subject's ID.
        id: String,
        /// The record's time, days.
        time: f64,
        /// The time of the record above, days.
        previous: f64,
        /// Line of the record above.
        previous_line: u64,
    },
    /// A CMT names (by number or by name) no state of the model.
    #[error(
        "line {line}, column `{column}`: unknown compartment `{name}` (available: {available})"
    )]
    UnknownCompartment {
        /// Line of the record.
        line: u64,
        /// The column (`CMT`).
        column: String,
        /// The CMT as written.
        name: String,
        /// The states a dose can go into (for a dose record) or every state (for another
        /// record), as `number = name`, comma-separated.
        available: String,
    },
    /// A dose's CMT is a state that cannot be dosed (a tumor or a tumor transit compartment).
    #[error(
        "line {line}, column `{column}`: state `{name}` cannot be dosed (dosable: {available})"
    )]
    NotDosable {
        /// Line of the record.
        line: u64,
        /// The column (`CMT`).
        column: String,
        /// The state's name.
        name: String,
        /// The states a dose can go into, as `number = name`, comma-separated.
        available: String,
    },
    /// An EVID other than 0 (observation), 1 (dose), 2 (other), 3 (reset), 4 (reset and dose).
    #[error("line {line}, column `{column}`: unknown EVID {value} (0 observation, 1 dose, 2 other, 3 reset, 4 reset and dose)")]
    UnknownEvid {
        /// Line of the record.
        line: u64,
        /// The column (`EVID`).
        column: String,
        /// The value found.
        value: f64,
    },
    /// An SS other than 0 (transient dose), 1 (steady state after a reset), 2 (steady state
    /// added to the current state).
    #[error("line {line}, column `{column}`: unknown SS {value} (0 transient dose, 1 steady state after a reset, 2 steady state added to the current state)")]
    UnknownSteadyState {
        /// Line of the record.
        line: u64,
        /// The column (`SS`).
        column: String,
        /// The value found.
        value: f64,
    },
    /// ADDL > 0 with an interdose interval II that is not positive.
    #[error("line {line}, column `{column}`: ADDL = {additional} additional doses need II > 0, got II = {interval}")]
    AdditionalWithoutInterval {
        /// Line of the record.
        line: u64,
        /// The column (`II`).
        column: String,
        /// ADDL.
        additional: u32,
        /// II, days.
        interval: f64,
    },
    /// A steady-state dose (SS = 1 or 2) with II = 0 that is not a constant infusion
    /// (AMT = 0 with RATE > 0 or RATE = −1): no period, so no steady state is defined.
    #[error("line {line}, column `{column}`: a steady-state dose needs II > 0 unless it is a constant infusion (AMT = 0, RATE > 0); got II = {interval}, AMT = {amount}, RATE = {rate}")]
    SteadyStateWithoutInterval {
        /// Line of the record.
        line: u64,
        /// The column (`II`).
        column: String,
        /// II, days.
        interval: f64,
        /// AMT.
        amount: f64,
        /// RATE.
        rate: f64,
    },
    /// A steady-state dose whose lag (the record's ALAG plus the drug's absorption lag for a
    /// depot) is not less than II: the lagged dose falls outside its dosing interval, and the
    /// steady state has no defined answer.
    #[error("line {line}, column `{column}`: lag {lag} d is not less than II = {interval} d, so the steady state is not defined")]
    LagNotBelowInterval {
        /// Line of the record.
        line: u64,
        /// The column (`ALAG`).
        column: String,
        /// The total lag, days.
        lag: f64,
        /// II, days.
        interval: f64,
    },
    /// A dose amount is negative.
    #[error("line {line}, column `{column}`: amount {amount} is negative")]
    NegativeAmount {
        /// Line of the record.
        line: u64,
        /// The column (`AMT`).
        column: String,
        /// The amount.
        amount: f64,
    },
    /// RATE = −2 (modelled duration) or −1 (modelled rate) for a state the settings give no
    /// modelled duration or rate for.
    #[error("line {line}, column `{column}`: RATE = {rate} needs a modelled infusion {what} for `{state}`, and none is given (see EventSettings::modelled)")]
    NoModelledInfusion {
        /// Line of the record.
        line: u64,
        /// The column (`RATE`).
        column: String,
        /// RATE (−1 or −2).
        rate: f64,
        /// The dosed state.
        state: String,
        /// `duration` or `rate`.
        what: &'static str,
    },
    /// A steady-state dose of a kind that cannot be computed exactly here.
    #[error("line {line}, column `{column}`: unsupported steady state: {reason}")]
    UnsupportedSteadyState {
        /// Line of the record.
        line: u64,
        /// The column the problem is in.
        column: String,
        /// What is not supported.
        reason: &'static str,
    },
    /// A value is out of its range (a negative II, a non-integer ADDL, a dose item on a record
    /// that is not a dose, …).
    #[error("line {line}, column `{column}`: {value} {reason}")]
    InvalidValue {
        /// Line of the record.
        line: u64,
        /// The column.
        column: String,
        /// The value.
        value: f64,
        /// What it must satisfy.
        reason: &'static str,
    },
    /// The settings name a state or covariate column that does not exist.
    #[error("settings: unknown {setting} `{name}` (available: {available})")]
    UnknownSetting {
        /// Which setting (`amount_per`, `modelled state`).
        setting: &'static str,
        /// The name given.
        name: String,
        /// What exists, comma-separated.
        available: String,
    },
    /// A setting's value is out of range.
    #[error("settings: {setting} of `{name}` = {value} {reason}")]
    InvalidSetting {
        /// Which setting (`modelled duration`, `modelled rate`).
        setting: &'static str,
        /// The state it is for.
        name: String,
        /// The value.
        value: f64,
        /// What it must satisfy.
        reason: &'static str,
    },
    /// Simulating one subject failed (a steady state without convergence, a solver error).
    #[error("subject `{id}` (records from line {line}): {source}")]
    Subject {
        /// The subject's ID.
        id: String,
        /// Line of the first record of the part being simulated.
        line: u64,
        /// What went wrong.
        source: Box<Error>,
    },
}

/// A study could not run (a failing patient is not an error: it is recorded in the result).
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum StudyError {
    /// The study has no arms.
    #[error("the study has no arms")]
    NoArms,
    /// The study has no patients.
    #[error("the study has no patients")]
    NoPatients,
    /// The model has no tumor, so there are no tumor endpoints.
    #[error("the model has no tumor: tumor endpoints need one")]
    NoTumor,
    /// Every patient of an arm failed, so the arm has no summary (the first such arm is named).
    /// Every patient's outcome, each failure with its error, is kept in `outcomes`, so that
    /// the per-patient rows can still be written
    /// ([`StudyOutcomes::write_per_patient_csv`](crate::compare::StudyOutcomes::write_per_patient_csv)).
    #[error("every patient failed in arm `{arm}` ({failed} patients); first causes: {}", .causes.join("; "))]
    ArmFailed {
        /// The arm's name.
        arm: String,
        /// How many patients failed.
        failed: usize,
        /// The first distinct error messages, in patient order (at most three).
        causes: Vec<String>,
        /// Every patient's outcome in every arm.
        outcomes: Box<crate::compare::StudyOutcomes>,
    },
    /// Two arms share a name, so their rows could not be told apart.
    #[error("arms {first} and {second} are both named `{name}`: arm names must be unique")]
    DuplicateArm {
        /// The shared name.
        name: String,
        /// Index of the first arm with it.
        first: usize,
        /// Index of the second.
        second: usize,
    },
    /// An arm's regimen does not fit the model (checked before any patient is simulated).
    #[error("arm `{arm}`: {source}")]
    InvalidArm {
        /// The arm's name.
        arm: String,
        /// What is wrong with it.
        source: ScheduleError,
    },
    /// `threads` is 0 or more than [`MAX_THREADS`](crate::compare::MAX_THREADS).
    #[error("threads = {threads}: must be between 1 and {limit}")]
    InvalidThreads {
        /// The number of threads asked for.
        threads: usize,
        /// The largest number accepted.
        limit: usize,
    },
    /// The output times end where they start (a horizon of 0, or a single time): no endpoint
    /// has a time to be measured over.
    #[error("the output times end at {horizon} d, where they start: a study needs a horizon after its first time (`[simulation] horizon`)")]
    NoHorizon {
        /// The last output time, days.
        horizon: f64,
    },
    /// The thread pool could not start.
    #[error("thread pool: {message}")]
    ThreadPool {
        /// rayon's message.
        message: String,
    },
}

/// Any oncodyn error.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// See [`StudyError`].
    #[error(transparent)]
    Study(#[from] StudyError),
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
    /// See [`DataError`].
    #[error(transparent)]
    Data(#[from] DataError),
    /// See [`PopulationError`].
    #[error(transparent)]
    Population(#[from] PopulationError),
    /// See [`EndpointError`].
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    /// See [`StatsError`].
    #[error(transparent)]
    Stats(#[from] StatsError),
    /// See [`FitError`].
    #[error(transparent)]
    Fit(#[from] FitError),
}

/// A virtual population could not be specified, drawn, read, written or applied to a model.
///
/// CSV variants name the `line` (1-based; the header is line 1) and the `column` (as written in
/// the header); see [`compare::population`](crate::compare::population).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PopulationError {
    /// A parameter or covariate has an empty name, or one reserved for the CSV's `id` column.
    #[error("invalid parameter name `{name}` ({reason})")]
    InvalidName {
        /// The name given.
        name: String,
        /// Why it cannot be used.
        reason: &'static str,
    },
    /// A patients CSV file's content is invalid: `source` names the line and column.
    #[error("{path}: {source}")]
    InFile {
        /// The file.
        path: String,
        /// What is wrong in it.
        source: Box<PopulationError>,
    },
    /// More patients were asked for than [`MAX_PATIENTS`](crate::compare::MAX_PATIENTS).
    #[error("patients = {count}: more than the limit of {limit} patients")]
    TooManyPatients {
        /// The number of patients asked for.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// Two parameters, covariates or columns share a name.
    #[error("duplicate name `{name}`")]
    DuplicateName {
        /// The repeated name.
        name: String,
    },
    /// A distribution's value is out of range (a non-positive typical value of a log-normal
    /// parameter, a negative ω, CV or SD, `low ≥ high`, a non-finite number, …).
    #[error("parameter `{parameter}`: `{field}` = {value} {reason}")]
    InvalidDistribution {
        /// The parameter's name.
        parameter: String,
        /// The field: `typical`, `omega`, `cv`, `sd`, `low` or `high`.
        field: &'static str,
        /// The offending value.
        value: f64,
        /// What the value must satisfy.
        reason: &'static str,
    },
    /// A name refers to no parameter or covariate of the population.
    #[error("unknown parameter `{name}` (available: {available})")]
    UnknownParameter {
        /// The name given.
        name: String,
        /// The names there are, comma-separated.
        available: String,
    },
    /// A parameter in the correlation block has no normal random effect (it is fixed or
    /// uniform), so there is nothing to correlate.
    #[error("parameter `{parameter}` is {distribution}: only log-normal and normal parameters can be correlated")]
    NotRandom {
        /// The parameter's name.
        parameter: String,
        /// Its distribution (`fixed` or `uniform`).
        distribution: &'static str,
    },
    /// The correlation or covariance matrix does not have one row and one column per listed
    /// parameter.
    #[error("matrix for {expected} parameters: {what} has {got} entries")]
    MatrixShape {
        /// Number of parameters listed.
        expected: usize,
        /// `rows`, or `row <i>` (0-based).
        what: String,
        /// Entries found.
        got: usize,
    },
    /// A matrix entry is non-finite, or a correlation matrix has a diagonal other than 1.
    #[error("matrix entry [{row}][{column}] = {value} {reason}")]
    InvalidMatrixEntry {
        /// Row, 0-based.
        row: usize,
        /// Column, 0-based.
        column: usize,
        /// The entry.
        value: f64,
        /// What it must satisfy.
        reason: &'static str,
    },
    /// The matrix is not symmetric.
    #[error(
        "matrix is not symmetric: [{row}][{column}] = {upper} but [{column}][{row}] = {lower}"
    )]
    NotSymmetric {
        /// Row of the upper entry, 0-based.
        row: usize,
        /// Column of the upper entry, 0-based.
        column: usize,
        /// The entry `[row][column]`.
        upper: f64,
        /// The entry `[column][row]`.
        lower: f64,
    },
    /// A covariance's diagonal disagrees with the variance of a parameter's own distribution
    /// (ω² or SD²): each variance must have one value.
    #[error("parameter `{parameter}`: covariance diagonal {matrix} differs from its distribution's variance {distribution}")]
    VarianceMismatch {
        /// The parameter's name.
        parameter: String,
        /// The diagonal entry.
        matrix: f64,
        /// ω² or SD² from the parameter's distribution.
        distribution: f64,
    },
    /// The covariance (or correlation) matrix is not positive definite: its Cholesky
    /// factorization failed.
    #[error("the covariance of {parameters} is not positive definite")]
    NotPositiveDefinite {
        /// The parameters of the block, comma-separated.
        parameters: String,
    },
    /// A drawn value is not finite (e.g. `exp(η)` overflowed for a huge ω).
    #[error("patient {patient}: parameter `{parameter}` drawn as {value}")]
    NonFiniteDraw {
        /// The patient's index.
        patient: usize,
        /// The parameter's name.
        parameter: String,
        /// The value drawn.
        value: f64,
    },
    /// A population's value is not finite.
    #[error("patient {patient}: `{parameter}` = {value} is not finite")]
    NonFiniteValue {
        /// The patient's index.
        patient: usize,
        /// The parameter's name.
        parameter: String,
        /// The value.
        value: f64,
    },
    /// A patient's row has a different number of values than the population has names.
    #[error("patient {patient}: {got} values for {expected} names")]
    RowLength {
        /// The patient's index.
        patient: usize,
        /// Number of names.
        expected: usize,
        /// Number of values.
        got: usize,
    },
    /// Two patients share an index.
    #[error("patient index {index} appears twice")]
    DuplicateIndex {
        /// The repeated index.
        index: usize,
    },
    /// Two populations joined side by side do not hold the same patients in the same order.
    #[error("patient at position {position}: index {left:?} on the left, {right:?} on the right")]
    PatientMismatch {
        /// Position (0-based) of the first patient that differs.
        position: usize,
        /// The left population's index there (`None` past its end).
        left: Option<usize>,
        /// The right population's index there (`None` past its end).
        right: Option<usize>,
    },
    /// The CSV is malformed (a record with the wrong number of fields, invalid UTF-8) or could
    /// not be read or written.
    #[error("malformed CSV: {source}")]
    Csv {
        /// Line of the offending record, when the reader gave a position.
        line: Option<u64>,
        /// The reader's or writer's error.
        source: csv::Error,
    },
    /// A file could not be opened or created.
    #[error("{path}: {source}")]
    File {
        /// The path.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A required column is missing from the header.
    #[error("line {line}: missing column `{column}` (columns: {available})")]
    MissingColumn {
        /// The header's line (1).
        line: u64,
        /// The missing column.
        column: String,
        /// The columns the header has, comma-separated.
        available: String,
    },
    /// A column of the header is not one the reader accepts.
    #[error("line {line}: unknown column `{column}` (expected: {expected})")]
    UnknownColumn {
        /// The header's line (1).
        line: u64,
        /// The column as written.
        column: String,
        /// The columns accepted, comma-separated.
        expected: String,
    },
    /// A value that must be a finite number is not one.
    #[error("line {line}, column `{column}`: `{text}` is not a finite number")]
    NotANumber {
        /// Line of the record.
        line: u64,
        /// The column.
        column: String,
        /// The text found.
        text: String,
    },
    /// An `id` that must be a patient index (an integer ≥ 0) is not one, or repeats one above.
    #[error("line {line}, column `id`: `{text}` {reason}")]
    InvalidId {
        /// Line of the record.
        line: u64,
        /// The text found.
        text: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A parameter path (`tumors[tumor].growth.rate`) is not well formed.
    #[error("parameter path `{path}`, at character {position}: {reason}")]
    InvalidPath {
        /// The path as written.
        path: String,
        /// Character offset (0-based) of the problem.
        position: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A parameter path names a field the model description lacks.
    #[error("parameter path `{path}`: `{at}` has no field `{field}` (available: {available})")]
    UnknownField {
        /// The path as written.
        path: String,
        /// The part of the path resolved so far.
        at: String,
        /// The field asked for.
        field: String,
        /// The fields there are, comma-separated.
        available: String,
    },
    /// A parameter path selects no element of a list (`tumors[name]`, `kills[ctl->tumor]`,
    /// `effects[0]`), or more than one.
    #[error("parameter path `{path}`: `{at}` has {matches} elements `[{selector}]` (available: {available})")]
    UnknownElement {
        /// The path as written.
        path: String,
        /// The part of the path resolved so far (the list).
        at: String,
        /// The selector as written.
        selector: String,
        /// How many elements matched (0, or more than 1).
        matches: usize,
        /// The elements there are, as `index (label)`, comma-separated.
        available: String,
    },
    /// A parameter path ends on something that is not a real-valued parameter.
    #[error("parameter path `{path}` ends on {found}, not a real number{}", fields_note(.available))]
    NotReal {
        /// The path as written.
        path: String,
        /// What it ends on: `an integer`, `a table`, `text`, …
        found: &'static str,
        /// For a table, its fields, comma-separated; else empty.
        available: String,
    },
    /// A [bound](crate::compare::ParamMap::bind) parameter map was applied to a model
    /// description of another structure than the one it was bound to.
    #[error("the parameter map was bound to a model of another structure: bind it to this one")]
    ForeignModel,
}

/// ` (fields: a, b)` after a [`PopulationError::NotReal`] that ends on a table, else nothing.
fn fields_note(available: &str) -> String {
    if available.is_empty() {
        String::new()
    } else {
        format!(" (fields: {available})")
    }
}

/// An endpoint could not be computed from a trajectory or series.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// A column lookup failed; see [`LookupError`].
    #[error(transparent)]
    Lookup(#[from] LookupError),
    /// A series has no rows.
    #[error("the series has no rows")]
    EmptySeries,
    /// A series' times and values differ in length.
    #[error("{times} times but {values} values")]
    LengthMismatch {
        /// Number of times.
        times: usize,
        /// Number of values.
        values: usize,
    },
    /// A time is not finite or goes backwards.
    #[error("row {row}: time {time} d {reason}")]
    InvalidTime {
        /// Row, 0-based.
        row: usize,
        /// The time, days.
        time: f64,
        /// What is wrong.
        reason: &'static str,
    },
    /// A value is not finite.
    #[error("row {row} (t = {time} d): value {value} is not finite")]
    NonFiniteValue {
        /// Row, 0-based.
        row: usize,
        /// Its time, days.
        time: f64,
        /// The value.
        value: f64,
    },
    /// No row lies in the time window.
    #[error("no row in [{from}, {to}] d")]
    NoRows {
        /// Window start, days.
        from: f64,
        /// Window end, days.
        to: f64,
    },
    /// A time window or option is invalid (non-finite, end before start, negative limit, …).
    #[error("`{option}` = {value} {reason}")]
    InvalidOption {
        /// The argument or field name.
        option: &'static str,
        /// The value.
        value: f64,
        /// What it must satisfy.
        reason: &'static str,
    },
    /// The time is not a row time of the series.
    #[error("t = {time} d is not a row time")]
    NotAnOutputTime {
        /// The time asked for, days.
        time: f64,
    },
    /// A percentage change from a baseline of 0.
    #[error("baseline at t = {time} d is 0: no percentage change is defined")]
    ZeroBaseline {
        /// The baseline time, days.
        time: f64,
    },
    /// The baseline diameter is not above the detection limit: the tumor is not measurable.
    #[error("baseline diameter {baseline_mm} mm is not above the detection limit {limit_mm} mm")]
    NotMeasurable {
        /// Baseline diameter, mm.
        baseline_mm: f64,
        /// Detection limit, mm.
        limit_mm: f64,
    },
    /// The model has no tumor.
    #[error("the model has no tumor")]
    NoTumor,
    /// A drug name the model lacks.
    #[error("unknown drug `{name}` (available: {available})")]
    UnknownDrug {
        /// The name given.
        name: String,
        /// The drugs there are, comma-separated.
        available: String,
    },
    /// Fewer than two distinct dose times, so there is no complete dosing interval.
    #[error(
        "drug `{drug}`: {doses} distinct dose times, at least 2 are needed for a dosing interval"
    )]
    TooFewDoses {
        /// The drug.
        drug: String,
        /// Distinct dose times given.
        doses: usize,
    },
    /// Grade thresholds are non-finite, not strictly monotone in the scale's direction, or
    /// more than 255.
    #[error("grade threshold {index} = {value} {reason}")]
    InvalidThreshold {
        /// Index of the threshold, 0-based (threshold `i` starts grade `i + 1`).
        index: usize,
        /// The threshold.
        value: f64,
        /// What it must satisfy.
        reason: &'static str,
    },
}

/// A summary statistic could not be computed.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum StatsError {
    /// No observations where at least one is needed.
    #[error("no {what}")]
    Empty {
        /// What is missing: `trials`, `values`, `observations`, `pairs`.
        what: &'static str,
    },
    /// More successes than trials.
    #[error("{successes} successes in {total} trials")]
    SuccessesExceedTotal {
        /// Successes.
        successes: usize,
        /// Trials.
        total: usize,
    },
    /// An observation is not finite.
    #[error("{what} {index} = {value} is not finite")]
    NonFinite {
        /// Which input: `value`, `time`, `a`, `b`.
        what: &'static str,
        /// Its index, 0-based.
        index: usize,
        /// The value.
        value: f64,
    },
    /// Two paired samples differ in length.
    #[error("paired samples of different lengths: {first} and {second}")]
    LengthMismatch {
        /// Length of the first.
        first: usize,
        /// Length of the second.
        second: usize,
    },
    /// An option or probability is out of range.
    #[error("`{option}` = {value} {reason}")]
    InvalidOption {
        /// The argument or field name.
        option: &'static str,
        /// The value.
        value: f64,
        /// What it must satisfy.
        reason: &'static str,
    },
}

/// A fit could not be set up or run (see [`fit`](crate::fit)). Why a search stopped is not an
/// error: it is [`FitReport::termination`](crate::fit::FitReport::termination).
///
/// Observations are named by `subject` (its ID), `index` (0-based position among the
/// subject's observations) and, for data read from an event table, `line` (1-based; the
/// header is line 1).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum FitError {
    /// A free parameter's path does not parse or does not lead to a real-valued parameter
    /// of the model.
    #[error("free parameter `{parameter}`: {source}")]
    Path {
        /// The free parameter's name.
        parameter: String,
        /// What is wrong with the path (boxed: it is large).
        source: Box<PopulationError>,
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
        source: Box<Error>,
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
        source: Box<Error>,
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
