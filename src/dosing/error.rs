//! Why a dose, regimen, schedule or course is invalid.

use crate::dosing::AmountUnit;
use thiserror::Error;

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
