//! Why a summary statistic could not be computed.

use thiserror::Error;

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
