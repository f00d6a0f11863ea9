//! Kill laws: how effector cells `E` kill tumor cells `T`.
//!
//! Use this module to choose the shape of an effector–tumor kill term (a flux in tumor units/day):
//!
//! ```text
//! MassAction:      k·E·T                                   (Kuznetsov et al. 1994)
//! Saturating:      k·E·T/(h + T)                           (saturating in tumor)
//! RatioDependent:  d·(E/T)^l/(s + (E/T)^l)·T               (de Pillis et al., Cancer Res 2005;65:7950)
//! ```

use super::math::pow;
use super::param::{law_variants, Requirement};
use serde::{Deserialize, Serialize};

/// Mass-action kill `k·E·T`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MassAction {
    /// Kill rate `k`, 1/(cell·day).
    pub rate: f64,
}

/// Kill saturating in tumor burden `k·E·T/(h + T)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Saturating {
    /// Maximal kill per effector `k`, tumor units/(cell·day).
    pub rate: f64,
    /// Tumor burden at half-maximal kill `h`, tumor units.
    pub half_saturation: f64,
}

/// Ratio-dependent kill `d·(E/T)^l/(s + (E/T)^l)·T` (de Pillis et al. 2005).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatioDependent {
    /// Maximal fractional kill `d`, 1/day.
    pub d: f64,
    /// Exponent `l`, dimensionless.
    pub l: f64,
    /// Steepness `s`, dimensionless (value of `(E/T)^l` at half-maximal kill).
    pub s: f64,
}

/// An effector–tumor kill law.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum KillLaw {
    /// See [`MassAction`].
    MassAction(MassAction),
    /// See [`Saturating`].
    Saturating(Saturating),
    /// See [`RatioDependent`].
    RatioDependent(RatioDependent),
}

law_variants!(KillLaw: MassAction, Saturating, RatioDependent);

impl KillLaw {
    /// Kill flux (tumor units/day) by `e` effectors on `t` tumor cells. For the ratio-dependent
    /// law `t ≤ 0` or `e ≤ 0` returns 0 (the limit; the ratio `E/T` and its fractional power
    /// are undefined there, and populations dip below 0 only by integration error).
    #[inline]
    pub fn flux(&self, e: f64, t: f64) -> f64 {
        match *self {
            KillLaw::MassAction(MassAction { rate }) => rate * e * t,
            KillLaw::Saturating(Saturating {
                rate,
                half_saturation,
            }) => rate * e * t / (half_saturation + t),
            KillLaw::RatioDependent(RatioDependent { d, l, s }) => {
                if t <= 0.0 || e <= 0.0 {
                    return 0.0;
                }
                let ratio = pow(e / t, l);
                d * ratio / (s + ratio) * t
            }
        }
    }

    /// The partial derivatives `(∂flux/∂E, ∂flux/∂T)` at `(e, t)`, for Jacobians.
    #[inline]
    pub fn partials(&self, e: f64, t: f64) -> (f64, f64) {
        match *self {
            KillLaw::MassAction(MassAction { rate }) => (rate * t, rate * e),
            KillLaw::Saturating(Saturating {
                rate,
                half_saturation: h,
            }) => (rate * t / (h + t), rate * e * h / ((h + t) * (h + t))),
            KillLaw::RatioDependent(RatioDependent { d, l, s }) => {
                if t <= 0.0 || e <= 0.0 {
                    return (0.0, 0.0);
                }
                let r = pow(e / t, l);
                let g = r / (s + r);
                let dg = s / ((s + r) * (s + r));
                (d * t * dg * l * r / e, d * (g - dg * l * r))
            }
        }
    }

    pub(crate) fn parameters(&self) -> Vec<(&'static str, f64, Requirement)> {
        use Requirement::*;
        match *self {
            KillLaw::MassAction(p) => vec![("rate", p.rate, NonNegative)],
            KillLaw::Saturating(p) => vec![
                ("rate", p.rate, NonNegative),
                ("half_saturation", p.half_saturation, Positive),
            ],
            KillLaw::RatioDependent(p) => vec![
                ("d", p.d, NonNegative),
                ("l", p.l, Positive),
                ("s", p.s, Positive),
            ],
        }
    }
}
