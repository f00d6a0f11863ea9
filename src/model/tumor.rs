//! Tumor populations and their growth laws.
//!
//! Use this module to describe a tumor clone: its initial burden, its unit (cells, grams or mm³),
//! its growth law and, optionally, the transit chain that drug- or immune-damaged cells pass
//! through before they die (Simeoni et al. 2004).
//!
//! Every growth law is written as a per-capita rate `g(w)` of the clone's total burden `w`
//! (proliferating cells plus damaged cells still in transit), acting on the proliferating cells `x`:
//!
//! ```text
//! dx/dt = g(w)·x − (kills)          w = x + Σ transit compartments
//! ```
//!
//! Without a transit chain `w = x` and each law is its textbook ODE.

use super::math::pow;
use super::param::{law_variants, Requirement};
use super::Radiosensitivity;
pub use crate::units::BurdenUnit;
use serde::{Deserialize, Serialize};

/// Exponential growth: `dT/dt = r·T`, so `T(t) = T0·exp(r·t)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exponential {
    /// Growth rate `r`, 1/day.
    pub rate: f64,
}

/// Logistic growth (Verhulst 1838): `dT/dt = r·T·(1 − T/K)`,
/// so `T(t) = K / (1 + (K/T0 − 1)·exp(−r·t))`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Logistic {
    /// Growth rate `r`, 1/day.
    pub rate: f64,
    /// Carrying capacity `K`, in the tumor's unit (cells, g or mm³).
    pub capacity: f64,
}

/// Gompertz growth (Gompertz 1825): `dT/dt = r·T·ln(K/T)`, so `T(t) = K·(T0/K)^exp(−r·t)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gompertz {
    /// Growth rate `r`, 1/day.
    pub rate: f64,
    /// Carrying capacity `K`, in the tumor's unit.
    pub capacity: f64,
}

/// von Bertalanffy growth (von Bertalanffy 1957): `dT/dt = a·T^(2/3) − b·T`,
/// so `T(t)^(1/3) = a/b + (T0^(1/3) − a/b)·exp(−b·t/3)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VonBertalanffy {
    /// Growth coefficient `a`, unit^(1/3)/day (cells^(1/3)/day for a tumor in cells).
    pub growth: f64,
    /// Loss rate `b`, 1/day.
    pub loss: f64,
}

/// Simeoni exponential-then-linear growth (Simeoni et al., Cancer Res 2004;64:1094):
/// `dT/dt = λ0·T / [1 + (λ0·w/λ1)^ψ]^(1/ψ)`: exponential at rate λ0 while small, linear at
/// rate λ1 once large, with a switch whose sharpness is ψ (the paper fixes ψ = 20).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Simeoni {
    /// Exponential growth rate `λ0`, 1/day.
    pub lambda0: f64,
    /// Linear growth rate `λ1`, tumor unit per day (g/day for a tumor in grams).
    pub lambda1: f64,
    /// Switch sharpness `ψ`, dimensionless (> 0).
    pub psi: f64,
}

/// Power-law growth (Hart et al. 1998; Benzekry et al. 2014): `dT/dt = a·T^γ`,
/// so `T(t) = (T0^(1−γ) + (1−γ)·a·t)^(1/(1−γ))` for `γ ≠ 1`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PowerLaw {
    /// Coefficient `a`, unit^(1−γ)/day.
    pub coefficient: f64,
    /// Exponent `γ`, dimensionless, in (0, 1].
    pub exponent: f64,
}

/// A tumor growth law; each variant wraps the plain parameter struct of that law.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum GrowthLaw {
    /// See [`Exponential`].
    Exponential(Exponential),
    /// See [`Logistic`].
    Logistic(Logistic),
    /// See [`Gompertz`].
    Gompertz(Gompertz),
    /// See [`VonBertalanffy`].
    VonBertalanffy(VonBertalanffy),
    /// See [`Simeoni`].
    Simeoni(Simeoni),
    /// See [`PowerLaw`].
    PowerLaw(PowerLaw),
}

law_variants!(GrowthLaw: Exponential, Logistic, Gompertz, VonBertalanffy, Simeoni, PowerLaw);

impl GrowthLaw {
    /// Growth flux `g(w)·x` of proliferating cells `x` in a clone of total burden `w`, unit/day.
    ///
    /// `w ≤ 0` returns 0: the limit of every law at `w = 0`, written out because Gompertz,
    /// von Bertalanffy and the power law have a per-capita rate that diverges there (a log or a
    /// fractional power of 0). A burden can dip below 0 only by integration error (within the
    /// absolute tolerance); an eradicated tumor does not grow back from such noise.
    #[inline]
    pub fn flux(&self, x: f64, w: f64) -> f64 {
        if w <= 0.0 {
            return 0.0;
        }
        match *self {
            GrowthLaw::Exponential(Exponential { rate }) => rate * x,
            GrowthLaw::Logistic(Logistic { rate, capacity }) => rate * x * (1.0 - w / capacity),
            GrowthLaw::Gompertz(Gompertz { rate, capacity }) => rate * x * (capacity / w).ln(),
            GrowthLaw::VonBertalanffy(VonBertalanffy { growth, loss }) => {
                x * (growth / w.cbrt() - loss)
            }
            GrowthLaw::Simeoni(Simeoni {
                lambda0,
                lambda1,
                psi,
            }) => lambda0 * x / (1.0 + pow(lambda0 / lambda1 * w, psi)).powf(1.0 / psi),
            GrowthLaw::PowerLaw(PowerLaw {
                coefficient,
                exponent,
            }) => coefficient * x * w.powf(exponent - 1.0),
        }
    }

    /// The partial derivatives `(∂flux/∂x, ∂flux/∂w)` of [`flux`](Self::flux) at `(x, w)`,
    /// for Jacobians: 0 for `w < 0`; at `w = 0` (no tumor) the right derivative where it is
    /// finite — the initial per-capita rate of the exponential, logistic and Simeoni laws, which
    /// decides whether a tumor-free state is stable — and 0 where it is unbounded (Gompertz, von
    /// Bertalanffy, power law with exponent below 1).
    pub fn partials(&self, x: f64, w: f64) -> (f64, f64) {
        if w < 0.0 {
            return (0.0, 0.0);
        }
        if w == 0.0 {
            let initial = match *self {
                GrowthLaw::Exponential(Exponential { rate })
                | GrowthLaw::Logistic(Logistic { rate, .. }) => rate,
                GrowthLaw::Simeoni(Simeoni { lambda0, .. }) => lambda0,
                GrowthLaw::PowerLaw(PowerLaw {
                    coefficient,
                    exponent: 1.0,
                }) => coefficient,
                _ => 0.0,
            };
            return (initial, 0.0);
        }
        match *self {
            GrowthLaw::Exponential(Exponential { rate }) => (rate, 0.0),
            GrowthLaw::Logistic(Logistic { rate, capacity }) => {
                (rate * (1.0 - w / capacity), -rate * x / capacity)
            }
            GrowthLaw::Gompertz(Gompertz { rate, capacity }) => {
                (rate * (capacity / w).ln(), -rate * x / w)
            }
            GrowthLaw::VonBertalanffy(VonBertalanffy { growth, loss }) => {
                let c = w.cbrt();
                (growth / c - loss, -growth * x / (3.0 * c * w))
            }
            GrowthLaw::Simeoni(Simeoni {
                lambda0,
                lambda1,
                psi,
            }) => {
                let u = pow(lambda0 / lambda1 * w, psi);
                let per = lambda0 * (1.0 + u).powf(-1.0 / psi);
                (per, -per * x * u / ((1.0 + u) * w))
            }
            GrowthLaw::PowerLaw(PowerLaw {
                coefficient,
                exponent,
            }) => (
                coefficient * w.powf(exponent - 1.0),
                coefficient * x * (exponent - 1.0) * w.powf(exponent - 2.0),
            ),
        }
    }

    /// The closed-form solution `T(t)` from `T(0) = t0` without treatment or transit, where one
    /// exists (every law but [`Simeoni`]); used by tests and as documentation of each law.
    pub fn closed_form(&self, t0: f64, t: f64) -> Option<f64> {
        Some(match *self {
            GrowthLaw::Exponential(Exponential { rate }) => t0 * (rate * t).exp(),
            GrowthLaw::Logistic(Logistic { rate, capacity }) => {
                capacity / (1.0 + (capacity / t0 - 1.0) * (-rate * t).exp())
            }
            GrowthLaw::Gompertz(Gompertz { rate, capacity }) => {
                capacity * (t0 / capacity).powf((-rate * t).exp())
            }
            GrowthLaw::VonBertalanffy(VonBertalanffy { growth, loss }) => {
                let limit = growth / loss;
                (limit + (t0.cbrt() - limit) * (-loss * t / 3.0).exp()).powi(3)
            }
            GrowthLaw::PowerLaw(PowerLaw {
                coefficient,
                exponent,
            }) => {
                if exponent == 1.0 {
                    t0 * (coefficient * t).exp()
                } else {
                    let one_minus = 1.0 - exponent;
                    (t0.powf(one_minus) + one_minus * coefficient * t).powf(1.0 / one_minus)
                }
            }
            GrowthLaw::Simeoni(_) => return None,
        })
    }

    /// Every parameter as `(name, value, requirement)`, for validation.
    pub(crate) fn parameters(&self) -> Vec<(&'static str, f64, Requirement)> {
        use Requirement::*;
        match *self {
            GrowthLaw::Exponential(p) => vec![("rate", p.rate, Finite)],
            GrowthLaw::Logistic(p) => {
                vec![("rate", p.rate, Finite), ("capacity", p.capacity, Positive)]
            }
            GrowthLaw::Gompertz(p) => vec![
                ("rate", p.rate, NonNegative),
                ("capacity", p.capacity, Positive),
            ],
            GrowthLaw::VonBertalanffy(p) => {
                vec![
                    ("growth", p.growth, NonNegative),
                    ("loss", p.loss, Positive),
                ]
            }
            GrowthLaw::Simeoni(p) => vec![
                ("lambda0", p.lambda0, Positive),
                ("lambda1", p.lambda1, Positive),
                ("psi", p.psi, Positive),
            ],
            GrowthLaw::PowerLaw(p) => vec![
                ("coefficient", p.coefficient, NonNegative),
                ("exponent", p.exponent, UnitInterval),
            ],
        }
    }
}

/// Damaged cells' transit before death (Simeoni et al. 2004): cells killed by a drug or by
/// effectors leave the proliferating pool into compartment 1 and pass through `compartments`
/// compartments at rate `rate`, dying as they leave the last one:
///
/// ```text
/// dx_1/dt = kill − k·x_1,   dx_i/dt = k·(x_{i−1} − x_i),   i = 2..n
/// ```
///
/// They still count in the burden `w` that limits growth and that is reported.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transit {
    /// Number of transit compartments `n` (Simeoni: 3), at least 1.
    pub compartments: usize,
    /// Transit rate `k` (Simeoni's `k1`), 1/day.
    pub rate: f64,
}

/// A tumor clone: plain data, checked when the model is built.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TumorSpec {
    /// Unique name within the model.
    pub name: String,
    /// Burden at t = 0, in `unit`.
    pub initial: f64,
    /// The unit of the burden (cells by default).
    #[serde(default)]
    pub unit: BurdenUnit,
    /// The growth law.
    pub growth: GrowthLaw,
    /// Optional damaged-cell transit chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit: Option<Transit>,
    /// Response to radiotherapy, if irradiated: a fraction moves `(1 − S(d))·x` of the
    /// proliferating cells into the transit chain if any (delayed death), else removes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radiosensitivity: Option<Radiosensitivity>,
    /// Clones sharing this clone's capacity (Lotka–Volterra competition): the burden its
    /// growth law sees is `w = w_own + Σ α_j·w_j`, so two logistic clones of capacity `K` with
    /// `α = 1` grow to `K` together, not `2K`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub competitors: Vec<Competitor>,
}

/// A clone competing for a tumor's capacity, with its competition coefficient.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Competitor {
    /// Name of the competing tumor clone.
    pub tumor: String,
    /// Competition coefficient `α_j`, dimensionless: how much one unit of it counts against
    /// this clone's capacity (1 for a shared capacity).
    pub coefficient: f64,
}

impl TumorSpec {
    /// The same tumor, competing for its capacity with `tumor` at coefficient `coefficient`
    /// (see [`competitors`](Self::competitors)).
    #[must_use]
    pub fn competing_with(mut self, tumor: impl Into<String>, coefficient: f64) -> Self {
        self.competitors.push(Competitor {
            tumor: tumor.into(),
            coefficient,
        });
        self
    }

    /// A tumor in cells with no transit chain.
    pub fn new(name: impl Into<String>, initial: f64, growth: impl Into<GrowthLaw>) -> Self {
        TumorSpec {
            name: name.into(),
            initial,
            unit: BurdenUnit::Cells,
            growth: growth.into(),
            transit: None,
            radiosensitivity: None,
            competitors: Vec::new(),
        }
    }

    /// The same tumor, irradiated with linear-quadratic coefficients `alpha` (1/Gy) and
    /// `beta` (1/Gy²).
    #[must_use]
    pub fn with_radiosensitivity(mut self, alpha: f64, beta: f64) -> Self {
        self.radiosensitivity = Some(Radiosensitivity { alpha, beta });
        self
    }

    /// The same tumor counted in `unit`.
    #[must_use]
    pub fn in_unit(mut self, unit: BurdenUnit) -> Self {
        self.unit = unit;
        self
    }

    /// The same tumor with a damaged-cell transit chain of `compartments` compartments at
    /// `rate` 1/day.
    #[must_use]
    pub fn with_transit(mut self, compartments: usize, rate: f64) -> Self {
        self.transit = Some(Transit { compartments, rate });
        self
    }
}
