//! Levenberg–Marquardt for nonlinear least squares: minimize `S(x) = ‖r(x)‖²` over `x ∈ ℝⁿ`.
//!
//! Use this module directly for a least-squares problem of your own;
//! [`FitProblem::fit`](super::FitProblem::fit) uses it on the transformed parameters of a
//! model fit.
//!
//! **Step.** At `x`, with the residuals `r`, their Jacobian `J` and the gradient `g = Jᵀr`,
//! the step `h` solves
//!
//! ```text
//! (JᵀJ + μ·D)·h = −g,      D = diag(max over the iterations so far of diag(JᵀJ))
//! ```
//!
//! (Marquardt's scaling, kept non-decreasing as MINPACK does, so the damping is invariant to
//! the units of `x`). The gain ratio `ρ = (S(x) − S(x + h)) / (S(x) − ‖r + J·h‖²)` compares the
//! actual with the predicted decrease. A step with `ρ > 0` is accepted and the damping relaxed,
//! `μ ← μ·max(1/3, 1 − (2ρ − 1)³)`, `ν ← 2`; otherwise it is rejected and `μ ← μ·ν`,
//! `ν ← 2ν` (Nielsen's update: Nielsen HB, *Damping parameter in Marquardt's method*, IMM-REP
//! 1999-05, DTU; Madsen K, Nielsen HB, Tingleff O, *Methods for non-linear least squares
//! problems*, 2nd ed. 2004, Algorithm 3.16). `μ` starts at [`LmOptions::initial_damping`].
//!
//! **Failed evaluations.** A residual evaluation that fails (the model cannot be solved there,
//! a prediction that must be positive is not, a non-finite residual) rejects the step exactly
//! like a step that increases `S`: it is counted in [`LmOutcome::failed_evaluations`], its
//! reason kept in [`LmOutcome::first_failure`], and never turned into a large number.
//!
//! **Jacobian** by central differences, column `j` with step `h_j = s·max(|x_j|, x̄_j)`
//! ([`LmOptions::relative_step`] `= s`; `x̄_j` the parameter's typical magnitude, 1 for
//! [`minimize`], given to [`minimize_scaled`]), the step rounded so `x_j ± h_j` is exact; where
//! one side fails, the one-sided difference from the other; where both fail, the search stops
//! ([`Termination::JacobianFailed`]).
//!
//! **Stopping**, checked in this order each iteration (MINPACK's tests, Moré, Garbow & Hillstrom
//! 1980):
//!
//! ```text
//! gradient    max_j |J_jᵀ r| / (‖J_j‖·‖r‖) ≤ gradient_tolerance     (r orthogonal to J; or r = 0)
//! step        ‖h‖ ≤ step_tolerance·(‖x‖ + step_tolerance)
//! objective   an accepted step with actual and predicted decrease ≤ objective_tolerance·S
//! budgets     max_iterations step attempts, max_evaluations residual evaluations
//! ```
//!
//! ```
//! use oncodyn::fit::lm::{minimize, LmOptions, Termination};
//! // Rosenbrock's function as least squares: r = (10·(x₂ − x₁²), 1 − x₁), minimum at (1, 1).
//! let rosenbrock = |x: &[f64]| -> Result<Vec<f64>, oncodyn::Error> {
//!     Ok(vec![10.0 * (x[1] - x[0] * x[0]), 1.0 - x[0]])
//! };
//! let out = minimize(rosenbrock, &[-1.2, 1.0], &LmOptions::default())?;
//! assert!(out.termination.is_converged());
//! assert!((out.x[0] - 1.0).abs() < 1e-8 && (out.x[1] - 1.0).abs() < 1e-8);
//! # Ok::<(), oncodyn::Error>(())
//! ```

use crate::fit::error::FitError;
use nalgebra::{DMatrix, DVector};
use search::{check_scales, first_evaluation, Search};
use serde::{Deserialize, Serialize};
use std::fmt::Display;

mod search;
#[cfg(test)]
mod tests;

/// The damping above which no step can make progress (the step is then far below any step
/// tolerance; this only guards against a loop when every evaluation fails).
const MAX_DAMPING: f64 = 1e50;

/// Settings of [`minimize`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LmOptions {
    /// Step attempts (accepted or rejected), at most (default 500).
    pub max_iterations: usize,
    /// Residual evaluations, including those for Jacobians, at most (default 20,000).
    pub max_evaluations: usize,
    /// Gradient test: the largest cosine between `r` and a column of `J` (default 1e-10).
    pub gradient_tolerance: f64,
    /// Step test, relative to `‖x‖` (default 1e-10).
    pub step_tolerance: f64,
    /// Objective test: relative actual and predicted decrease of an accepted step (default
    /// 1e-12).
    pub objective_tolerance: f64,
    /// Initial damping `μ₀`, relative to the scaled `diag(JᵀJ)` (default 1e-3).
    pub initial_damping: f64,
    /// Relative central-difference step `s`: `h_j = s·max(|x_j|, x̄_j)` (default `ε^(1/3)`
    /// ≈ 6.06e-6, which balances truncation `O(h²)` against rounding `O(ε/h)` for residuals
    /// accurate to machine precision; use `η^(1/3)` for residuals accurate to `η`).
    pub relative_step: f64,
}

impl Default for LmOptions {
    fn default() -> Self {
        LmOptions {
            max_iterations: 500,
            max_evaluations: 20_000,
            gradient_tolerance: 1e-10,
            step_tolerance: 1e-10,
            objective_tolerance: 1e-12,
            initial_damping: 1e-3,
            relative_step: f64::EPSILON.cbrt(),
        }
    }
}

impl LmOptions {
    /// Checks every setting.
    ///
    /// # Errors
    /// [`FitError::InvalidOption`] naming the first setting that is out of range.
    pub fn check(&self) -> Result<(), FitError> {
        let bad = |option: &'static str, value: f64, reason: &'static str| {
            Err(FitError::InvalidOption {
                option,
                value,
                reason,
            })
        };
        if self.max_iterations == 0 {
            return bad("max_iterations", 0.0, "must be at least 1");
        }
        if self.max_evaluations == 0 {
            return bad("max_evaluations", 0.0, "must be at least 1");
        }
        for (option, value) in [
            ("gradient_tolerance", self.gradient_tolerance),
            ("step_tolerance", self.step_tolerance),
            ("objective_tolerance", self.objective_tolerance),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return bad(option, value, "must be finite and non-negative");
            }
        }
        for (option, value) in [
            ("initial_damping", self.initial_damping),
            ("relative_step", self.relative_step),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return bad(option, value, "must be finite and positive");
            }
        }
        Ok(())
    }
}

/// Why the search stopped: data, not an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Termination {
    /// The residuals are orthogonal to every column of the Jacobian (or zero): a stationary
    /// point.
    ConvergedGradient,
    /// The step became negligible relative to the parameters.
    ConvergedStep,
    /// An accepted step changed the objective by a negligible relative amount, as predicted.
    ConvergedObjective,
    /// The step-attempt budget ran out.
    MaxIterations,
    /// The evaluation budget ran out.
    MaxEvaluations,
    /// Neither side of the central difference of parameter `parameter` (0-based) could be
    /// evaluated, so there is no Jacobian.
    JacobianFailed {
        /// Index of the parameter.
        parameter: usize,
    },
    /// The damping grew without bound: no step decreased the objective.
    NoProgress,
}

impl std::fmt::Display for Termination {
    /// How the search ended, in words: `converged (gradient)`, `the step-attempt budget ran
    /// out`, `no Jacobian: neither side of parameter 2's difference could be evaluated`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Termination::ConvergedGradient => f.write_str("converged (gradient)"),
            Termination::ConvergedStep => f.write_str("converged (step)"),
            Termination::ConvergedObjective => f.write_str("converged (objective)"),
            Termination::MaxIterations => f.write_str("the step-attempt budget ran out"),
            Termination::MaxEvaluations => f.write_str("the evaluation budget ran out"),
            Termination::JacobianFailed { parameter } => write!(
                f,
                "no Jacobian: neither side of parameter {parameter}'s difference could be evaluated"
            ),
            Termination::NoProgress => f.write_str("no step decreased the objective"),
        }
    }
}

impl Termination {
    /// Whether a convergence test was met (the first three variants).
    pub fn is_converged(self) -> bool {
        matches!(
            self,
            Termination::ConvergedGradient
                | Termination::ConvergedStep
                | Termination::ConvergedObjective
        )
    }
}

/// The result of [`minimize`].
#[derive(Clone, Debug, PartialEq)]
pub struct LmOutcome {
    /// The best point found.
    pub x: Vec<f64>,
    /// The residuals at `x`.
    pub residuals: Vec<f64>,
    /// The central-difference Jacobian at `x` (`residuals × parameters`).
    pub jacobian: DMatrix<f64>,
    /// `S(x) = ‖r(x)‖²`.
    pub sum_of_squares: f64,
    /// Why the search stopped.
    pub termination: Termination,
    /// Step attempts (accepted and rejected).
    pub iterations: usize,
    /// Rejected step attempts (objective not decreased, or evaluation failed).
    pub rejected_steps: usize,
    /// Residual evaluations, including those for Jacobians.
    pub evaluations: usize,
    /// Residual evaluations that failed.
    pub failed_evaluations: usize,
    /// The first failure's message, if any evaluation failed.
    pub first_failure: Option<String>,
}

/// Counts evaluations and failures around the user's residual function.
struct Counted<F> {
    f: F,
    m: usize,
    evaluations: usize,
    failed: usize,
    first_failure: Option<String>,
}

impl<F> Counted<F> {
    /// `r(x)` as a vector, or `None` (counted, with the reason kept) when it fails, is not
    /// finite or has the wrong length.
    fn eval<E>(&mut self, x: &[f64]) -> Option<DVector<f64>>
    where
        F: FnMut(&[f64]) -> Result<Vec<f64>, E>,
        E: Display,
    {
        self.evaluations += 1;
        let outcome = (self.f)(x).map_err(|e| e.to_string()).and_then(|r| {
            if r.len() != self.m {
                Err(FitError::ResidualLength {
                    expected: self.m,
                    got: r.len(),
                }
                .to_string())
            } else if let Some((index, &value)) = r.iter().enumerate().find(|(_, v)| !v.is_finite())
            {
                Err(FitError::NonFiniteResidual { index, value }.to_string())
            } else {
                Ok(DVector::from_vec(r))
            }
        });
        match outcome {
            Ok(r) => Some(r),
            Err(message) => {
                self.failed += 1;
                self.first_failure.get_or_insert(message);
                None
            }
        }
    }

    /// Central-difference Jacobian at `x` (residuals `r` there); `Err(j)` when neither side
    /// of column `j` evaluates.
    fn jacobian<E>(
        &mut self,
        x: &[f64],
        r: &DVector<f64>,
        relative_step: f64,
        scales: &[f64],
    ) -> Result<DMatrix<f64>, usize>
    where
        F: FnMut(&[f64]) -> Result<Vec<f64>, E>,
        E: Display,
    {
        let n = x.len();
        let mut jac = DMatrix::zeros(self.m, n);
        let mut probe = x.to_vec();
        for j in 0..n {
            let h = relative_step * x[j].abs().max(scales[j]);
            probe[j] = x[j] + h;
            let up_step = probe[j] - x[j];
            let up = self.eval(&probe);
            probe[j] = x[j] - h;
            let down_step = x[j] - probe[j];
            let down = self.eval(&probe);
            probe[j] = x[j];
            let column = match (up, down) {
                (Some(u), Some(d)) => (u - d) / (up_step + down_step),
                (Some(u), None) => (u - r) / up_step,
                (None, Some(d)) => (r - d) / down_step,
                (None, None) => return Err(j),
            };
            jac.set_column(j, &column);
        }
        Ok(jac)
    }
}

/// Minimizes `‖r(x)‖²` from `x0` (see the [module docs](self) for the method), with typical
/// magnitudes 1: central-difference steps `h_j = s·max(|x_j|, 1)`.
///
/// `residuals` returns the same number of residuals at every point; an `Err`, a non-finite
/// residual or another length is a failed evaluation (the step is rejected and counted).
///
/// # Errors
/// The error of `residuals` at `x0`, or [`FitError::NonFiniteResidual`] when a residual
/// there is not finite: without a first point there is nothing to improve.
/// [`FitError::InvalidOption`] for invalid `options`.
pub fn minimize<F, E>(residuals: F, x0: &[f64], options: &LmOptions) -> Result<LmOutcome, E>
where
    F: FnMut(&[f64]) -> Result<Vec<f64>, E>,
    E: Display + From<FitError>,
{
    minimize_scaled(residuals, x0, &vec![1.0; x0.len()], options)
}

/// As [`minimize`], with the typical magnitude `scales[j]` of each parameter: the
/// central-difference step is `h_j = s·max(|x_j|, scales[j])`, so a parameter of order 1e-4
/// gets a step of order `s·1e-4`, not `s`.
///
/// # Errors
/// As [`minimize`]; [`FitError::InvalidOption`] when `scales` has another length than `x0`
/// or an entry that is not finite and positive.
pub fn minimize_scaled<F, E>(
    residuals: F,
    x0: &[f64],
    scales: &[f64],
    options: &LmOptions,
) -> Result<LmOutcome, E>
where
    F: FnMut(&[f64]) -> Result<Vec<f64>, E>,
    E: Display + From<FitError>,
{
    options.check()?;
    check_scales(x0, scales)?;
    let (counted, r) = first_evaluation(residuals, x0)?;
    let mut search = Search::new(counted, x0, r, scales, options);
    let termination = match search.first_jacobian() {
        Ok(()) => search.run(),
        Err(termination) => termination,
    };
    Ok(search.finish(termination))
}
