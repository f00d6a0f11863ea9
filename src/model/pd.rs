//! Drug effect laws: how a concentration `C` (mg/L) becomes an effect `E(C)`.
//!
//! Use this module to choose the shape of a drug's effect; [`Target`](crate::builder::Target) chooses the
//! rate it acts on, and that decides the unit of `E`: a rate in 1/day for an added kill or death,
//! a dimensionless fraction for a stimulation `(1 + E)` or inhibition `(1 − E)`.
//!
//! ```text
//! Linear:        E = slope·C
//! Emax:          E = Emax·C/(EC50 + C)
//! SigmoidEmax:   E = Emax·C^h/(EC50^h + C^h)
//! ExpKill:       E = Emax·(1 − exp(−k·C))       (chemotherapy kill; de Pillis et al. 2006)
//! ```

use super::math::pow;
use super::param::{law_variants, Requirement};
use serde::{Deserialize, Serialize};

/// Linear effect `E = slope·C`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Linear {
    /// Slope, effect unit per mg/L (e.g. L/(mg·day) for a kill: Simeoni's `k2`).
    pub slope: f64,
}

/// Hyperbolic Emax effect `E = Emax·C/(EC50 + C)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Emax {
    /// Maximal effect `Emax` (1/day for a kill or death; dimensionless otherwise).
    pub emax: f64,
    /// Concentration for half-maximal effect `EC50`, mg/L.
    pub ec50: f64,
}

/// Sigmoid Emax (Hill) effect `E = Emax·C^h/(EC50^h + C^h)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigmoidEmax {
    /// Maximal effect `Emax` (1/day for a kill or death; dimensionless otherwise).
    pub emax: f64,
    /// Concentration for half-maximal effect `EC50`, mg/L.
    pub ec50: f64,
    /// Hill coefficient `h`, dimensionless.
    pub hill: f64,
}

/// Saturating exponential kill `E = Emax·(1 − exp(−k·C))` (de Pillis, Gu & Radunskaya,
/// J Theor Biol 2006;238:841, chemotherapy terms `K·(1 − e^(−M))`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpKill {
    /// Maximal effect `Emax` (1/day for a kill or death; dimensionless otherwise).
    pub emax: f64,
    /// Steepness `k`, L/mg.
    pub k: f64,
}

/// A drug effect law.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EffectLaw {
    /// See [`Linear`].
    Linear(Linear),
    /// See [`Emax`].
    Emax(Emax),
    /// See [`SigmoidEmax`].
    SigmoidEmax(SigmoidEmax),
    /// See [`ExpKill`].
    ExpKill(ExpKill),
}

law_variants!(EffectLaw: Linear, Emax, SigmoidEmax, ExpKill);

impl EffectLaw {
    /// The effect `E(C)` at concentration `c` (mg/L); 0 for `c ≤ 0` (a concentration dips
    /// below 0 only by integration error, and `C^h` is undefined there).
    #[inline]
    pub fn effect(&self, c: f64) -> f64 {
        if c <= 0.0 {
            return 0.0;
        }
        match *self {
            EffectLaw::Linear(Linear { slope }) => slope * c,
            EffectLaw::Emax(Emax { emax, ec50 }) => emax * c / (ec50 + c),
            EffectLaw::SigmoidEmax(SigmoidEmax { emax, ec50, hill }) => {
                let ch = pow(c, hill);
                emax * ch / (pow(ec50, hill) + ch)
            }
            EffectLaw::ExpKill(ExpKill { emax, k }) => emax * -(-k * c).exp_m1(),
        }
    }

    /// The derivative `dE/dC` at `c`, for Jacobians: 0 for `c < 0` (where the effect is 0),
    /// the right derivative at `c = 0` (concentrations are non-negative; for a sigmoid law with
    /// Hill coefficient below 1 it is unbounded there, and 0 is returned).
    #[inline]
    pub fn slope(&self, c: f64) -> f64 {
        if c < 0.0 {
            return 0.0;
        }
        match *self {
            EffectLaw::Linear(Linear { slope }) => slope,
            EffectLaw::Emax(Emax { emax, ec50 }) => emax * ec50 / ((ec50 + c) * (ec50 + c)),
            EffectLaw::SigmoidEmax(SigmoidEmax { emax, ec50, hill }) if c == 0.0 => {
                if hill == 1.0 {
                    emax / ec50
                } else {
                    0.0
                }
            }
            EffectLaw::SigmoidEmax(SigmoidEmax { emax, ec50, hill }) => {
                let (ch, eh) = (pow(c, hill), pow(ec50, hill));
                emax * hill * ch / c * eh / ((eh + ch) * (eh + ch))
            }
            EffectLaw::ExpKill(ExpKill { emax, k }) => emax * k * (-k * c).exp(),
        }
    }

    /// The supremum of `E(C)` over all concentrations (infinite for the linear law).
    pub fn max_effect(&self) -> f64 {
        match *self {
            EffectLaw::Linear(Linear { slope: 0.0 }) => 0.0,
            EffectLaw::Linear(_) => f64::INFINITY,
            EffectLaw::Emax(Emax { emax, .. })
            | EffectLaw::SigmoidEmax(SigmoidEmax { emax, .. })
            | EffectLaw::ExpKill(ExpKill { emax, .. }) => emax,
        }
    }

    pub(crate) fn parameters(&self) -> Vec<(&'static str, f64, Requirement)> {
        use Requirement::*;
        match *self {
            EffectLaw::Linear(p) => vec![("slope", p.slope, NonNegative)],
            EffectLaw::Emax(p) => vec![("emax", p.emax, NonNegative), ("ec50", p.ec50, Positive)],
            EffectLaw::SigmoidEmax(p) => vec![
                ("emax", p.emax, NonNegative),
                ("ec50", p.ec50, Positive),
                ("hill", p.hill, Positive),
            ],
            EffectLaw::ExpKill(p) => vec![("emax", p.emax, NonNegative), ("k", p.k, Positive)],
        }
    }
}
