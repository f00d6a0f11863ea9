//! Why a study, a virtual population, an endpoint or a statistic could not be computed.

use crate::dosing::ScheduleError;
use crate::model::PathError;
use crate::shared_error::SharedError;
use crate::trajectory::LookupError;
use thiserror::Error;

/// The errors' messages, joined by `; `.
fn join_messages(errors: &[crate::Error]) -> String {
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    messages.join("; ")
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
    #[error("every patient failed in arm `{arm}` ({failed} patients); first causes: {}", join_messages(.causes))]
    ArmFailed {
        /// The arm's name.
        arm: String,
        /// How many patients failed.
        failed: usize,
        /// The first distinct errors, in patient order (at most three).
        causes: Vec<crate::Error>,
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

/// A virtual population could not be specified, drawn, read, written or applied to a model.
///
/// CSV variants name the `line` (1-based; the header is line 1) and the `column` (as written in
/// the header); see [`compare::population`](crate::compare::population).
#[derive(Debug, Clone, PartialEq, Error)]
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
        /// The reader's or writer's error (shared, so the error can be cloned).
        source: SharedError<csv::Error>,
    },
    /// A file could not be opened or created.
    #[error("{path}: {source}")]
    File {
        /// The path.
        path: String,
        /// The OS error (shared, so the error can be cloned).
        source: SharedError<std::io::Error>,
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
    /// A parameter path does not parse or does not resolve on the model description.
    #[error(transparent)]
    Path(#[from] PathError),
    /// A [bound](crate::compare::ParamMap::bind) parameter map was applied to a model
    /// description of another structure than the one it was bound to.
    #[error("the parameter map was bound to a model of another structure: bind it to this one")]
    ForeignModel,
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
