//! Errors: one enum per boundary, joined in [`Error`].
//!
//! Every variant carries the facts in fields (which component, which parameter, which dose,
//! which time), so callers and tests can match on what went wrong.
//!
//! Each enum lives beside the code that raises it; this module joins them in [`Error`] and
//! re-exports them, so `oncodyn::error::SolveError` and `oncodyn::solver::SolveError` name the
//! same type.

pub use crate::compare::{EndpointError, PopulationError, StudyError};
pub use crate::dosing::ScheduleError;
pub use crate::fit::FitError;
pub use crate::io::{DataError, IoError};
pub use crate::model::{BuildError, PathError};
pub use crate::solver::SolveError;
pub use crate::stats::StatsError;
pub use crate::trajectory::LookupError;
use thiserror::Error;

/// Any oncodyn error.
#[derive(Debug, Clone, PartialEq, Error)]
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

/// A path error on its own (from [`ParamPath`](crate::model::ParamPath)) is a population error,
/// as it is when it comes through a [`ParamMap`](crate::compare::ParamMap): one place to match.
impl From<PathError> for Error {
    fn from(error: PathError) -> Self {
        Error::Population(PopulationError::Path(error))
    }
}
