//! Radiosensitivity of a population: the linear-quadratic model.
//!
//! Use this module to make a tumor or an immune population respond to radiotherapy fractions
//! (see [`dosing::radiotherapy`](crate::dosing::radiotherapy)): a fraction of `d` Gy multiplies
//! the population by `S(d) = exp(−α·d − β·d²)`.

use super::param::Requirement;
use serde::{Deserialize, Serialize};

/// Linear-quadratic radiosensitivity of a population.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Radiosensitivity {
    /// Linear coefficient `α`, 1/Gy.
    pub alpha: f64,
    /// Quadratic coefficient `β`, 1/Gy².
    pub beta: f64,
}

impl Radiosensitivity {
    /// Surviving fraction `exp(−α·d − β·d²)` after one fraction of `dose` Gy.
    pub fn surviving_fraction(&self, dose: f64) -> f64 {
        (-self.alpha * dose - self.beta * dose * dose).exp()
    }

    /// The ratio `α/β`, Gy.
    pub fn alpha_beta(&self) -> f64 {
        self.alpha / self.beta
    }

    pub(crate) fn parameters(&self) -> Vec<(&'static str, f64, Requirement)> {
        vec![
            ("alpha", self.alpha, Requirement::NonNegative),
            ("beta", self.beta, Requirement::NonNegative),
        ]
    }
}
