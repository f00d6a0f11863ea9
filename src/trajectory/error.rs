//! Why a lookup in a trajectory failed.

use crate::model::ComponentKind;
use thiserror::Error;

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
    /// An interval `[t0, t1]` that is not finite and ordered, or holds fewer output rows than
    /// the summary needs (two for an area, one for a peak).
    #[error("interval [{t0}, {t1}] d: {reason}")]
    InvalidInterval {
        /// Start, days.
        t0: f64,
        /// End, days.
        t1: f64,
        /// What is wrong with it.
        reason: &'static str,
    },
}
