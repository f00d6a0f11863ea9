//! [`FitOptions`]: how many starts, their seed, the Levenberg–Marquardt settings and the
//! Jacobian's step.

use super::{FitError, LmOptions};
use serde::{Deserialize, Serialize};

/// The most starts one fit may have: ten thousand. Every start's record is kept in the
/// [`FitReport`](super::FitReport), and the starts run in parallel, so memory grows with the count; a larger
/// `starts` (`--starts 100000000`) is rejected by [`FitOptions::check`] before any work.
pub const MAX_STARTS: usize = 10_000;

/// Settings of [`FitProblem::fit`](super::FitProblem::fit).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FitOptions {
    /// Number of starts, 1 to [`MAX_STARTS`] (default 4): the initial values and `starts − 1` random points.
    pub starts: usize,
    /// Seed of the random starts (default 0).
    pub seed: u64,
    /// Levenberg–Marquardt settings; `relative_step` is replaced by `jacobian_step`.
    pub lm: LmOptions,
    /// Relative central-difference step `s` (`h_j = s·max(|φ_j|, 1)`); `None` (the default):
    /// `max(ε, rtol)^(1/3)` from the problem's solver tolerance.
    pub jacobian_step: Option<f64>,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            starts: 4,
            seed: 0,
            lm: LmOptions::default(),
            jacobian_step: None,
        }
    }
}

impl FitOptions {
    /// Checks every setting.
    ///
    /// # Errors
    /// [`FitError::InvalidOption`] naming the first setting out of range.
    pub fn check(&self) -> Result<(), FitError> {
        if self.starts == 0 || self.starts > MAX_STARTS {
            return Err(FitError::InvalidOption {
                option: "starts",
                value: self.starts as f64,
                reason: "must be between 1 and 10,000",
            });
        }
        if let Some(step) = self.jacobian_step {
            if !(step.is_finite() && step > 0.0 && step < 1.0) {
                return Err(FitError::InvalidOption {
                    option: "jacobian_step",
                    value: step,
                    reason: "must be in (0, 1)",
                });
            }
        }
        self.lm.check()
    }
}
