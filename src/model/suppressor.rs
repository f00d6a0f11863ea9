//! Suppressor cells' inhibition of effectors.
//!
//! Use this module to let a suppressor population (Tregs, MDSCs, M2 macrophages) damp what an
//! effector population does. The damping is a saturating factor multiplying the chosen rate:
//!
//! ```text
//! φ(S) = 1 − Imax·S/(S50 + S)        in (1 − Imax, 1]
//! ```
//!
//! A suppressor population itself is a [`CellSpec`](super::effector::CellSpec).

use super::param::Requirement;
use serde::{Deserialize, Serialize};

/// Saturating inhibition `φ(S) = 1 − Imax·S/(S50 + S)` by suppressor cells `S`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inhibition {
    /// Maximal inhibition `Imax`, dimensionless, in (0, 1].
    pub imax: f64,
    /// Suppressor cells for half-maximal inhibition `S50`, cells.
    pub s50: f64,
}

impl Inhibition {
    /// The inhibited fraction `Imax·S/(S50 + S)` (so the rate is multiplied by one minus it).
    #[inline]
    pub fn inhibited_fraction(&self, s: f64) -> f64 {
        self.imax * s / (self.s50 + s)
    }

    /// The derivative of [`inhibited_fraction`](Self::inhibited_fraction) at `s`.
    #[inline]
    pub fn inhibited_slope(&self, s: f64) -> f64 {
        self.imax * self.s50 / ((self.s50 + s) * (self.s50 + s))
    }

    pub(crate) fn parameters(&self) -> Vec<(&'static str, f64, Requirement)> {
        vec![
            ("imax", self.imax, Requirement::UnitInterval),
            ("s50", self.s50, Requirement::Positive),
        ]
    }
}

/// Which effector rate a suppressor damps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SuppressedRate {
    /// Every kill term of the effector.
    Kill,
    /// Every tumor-driven recruitment of the effector.
    Recruitment,
}
