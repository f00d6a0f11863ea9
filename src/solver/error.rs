//! Why an integration failed.

use thiserror::Error;

/// Integration failed, or could not start.
///
/// The failures met while integrating ([`StepSizeTooSmall`](Self::StepSizeTooSmall),
/// [`TooManySteps`](Self::TooManySteps), [`NonFinite`](Self::NonFinite),
/// [`Stiff`](Self::Stiff)) carry the time `t` (days) where they happened. The others are
/// refused before any step: a wrong slice length, an out-of-range option, a tolerance for an
/// unknown state, a steady state asked of a time-varying model, or Newton's failure to find one
/// (which carries its iterations and residual instead).
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
