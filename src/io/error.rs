//! Why a file could not be read or written, and why an event table does not fit a model.

use crate::model::BuildError;
use crate::shared_error::SharedError;
use thiserror::Error;

/// Reading or writing a file failed.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum IoError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    File {
        /// The path.
        path: String,
        /// The OS error (shared, so the error can be cloned).
        source: SharedError<std::io::Error>,
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
    Csv(#[source] SharedError<csv::Error>),
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
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum DataError {
    /// The CSV itself is malformed (a record with the wrong number of fields, invalid UTF-8) or
    /// could not be read.
    #[error("malformed CSV: {source}")]
    Csv {
        /// Line of the offending record, when the reader gave a position.
        line: Option<u64>,
        /// The reader's error (shared, so the error can be cloned).
        source: SharedError<csv::Error>,
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
    /// A subject's predicted curve cannot be drawn from its records.
    #[error("subject `{id}`: no predicted curve: {reason}")]
    NoCurve {
        /// The subject's ID.
        id: String,
        /// Why: no observation record, no time span, a reset of the state.
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
        source: Box<crate::Error>,
    },
}

impl From<csv::Error> for IoError {
    fn from(source: csv::Error) -> Self {
        IoError::Csv(source.into())
    }
}
