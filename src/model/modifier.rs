//! Modifiers: factors that multiply a rate, reading any state or derived quantity.
//!
//! Use this module to make a rate depend on something other than the states it moves: kill
//! inhibited by PD-L1 engagement, exhaustion driven by antigen, proliferation stimulated by
//! IL-2, recruitment lowered by TGF-β, infiltration lowered by stroma. A modifier names the rate
//! ([`RateRef`]), the quantity it reads ([`Input`], value `x`) and its law ([`Factor`]); every
//! modifier on a rate multiplies it, so several mechanisms acting on one rate compose as a
//! product:
//!
//! ```text
//! rate = base rate · Π_m factor_m(x_m)
//! Effect(E)      factor = E(x)          e.g. x/(K + x): production saturating in the tumor
//! Activation(E)  factor = 1 + E(x)      e.g. IL-2 stimulating proliferation
//! Inhibition(E)  factor = 1 − E(x)      e.g. PD-L1 inhibiting kill (E ≤ 1)
//! Exponential    factor = exp(−k·x)     e.g. de Pillis' chemotherapy kill 1 − exp(−M) as its complement
//! ```
//!
//! `E` is any [`EffectLaw`]: linear `s·x`, Emax `Emax·x/(EC50 + x)`, Hill (sigmoid Emax)
//! `Emax·x^n/(EC50^n + x^n)` or `Emax·(1 − exp(−k·x))`. Drug effects on kill and growth
//! ([`EffectSpec`](super::EffectSpec)) are the case `Input::Concentration`.

use super::param::Requirement;
use super::EffectLaw;
use serde::{Deserialize, Serialize};

/// The rate a modifier multiplies, by the names of its components.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RateRef {
    /// A named [process](super::Process) (transition or production).
    Process(String),
    /// Every kill of tumor `on` by effector `by`.
    Kill {
        /// Name of the effector.
        by: String,
        /// Name of the tumor.
        on: String,
    },
    /// The growth of a tumor.
    Growth(String),
    /// The recruitment of population `of` by tumor `by`.
    Recruitment {
        /// Name of the tumor.
        by: String,
        /// Name of the recruited population.
        of: String,
    },
    /// The constant source of a cell population or the production of a species.
    Source(String),
}

/// The quantity `x` a modifier reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Input {
    /// A state, by name, in its unit (a species, a population, a drug compartment's amount).
    State(String),
    /// A drug's central concentration, mg/L.
    Concentration(String),
    /// A tumor's total burden (proliferating plus transit), in its unit.
    Burden(String),
    /// The summed burden of every tumor clone.
    TotalBurden,
    /// The ratio of two states, dimensionless when they share a unit (Treg : CD8, E : T).
    Ratio {
        /// Name of the numerator state.
        numerator: String,
        /// Name of the denominator state.
        denominator: String,
    },
    /// The fraction `part / Σ among` (`part` usually among them): a free-receptor fraction
    /// `PD1/(PD1 + PD1:antibody)`, an exhausted fraction `T2/(T1 + T2)`; 0 when the sum is 0.
    Fraction {
        /// Name of the state on top.
        part: String,
        /// Names of the states summed below.
        among: Vec<String>,
    },
    /// An expression over state names, the model's parameters and `t` (see
    /// [`expr`](super::expr)).
    Expression(super::expr::Expression),
}

/// How a modifier turns its input `x` into a factor; see the [module docs](self).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Factor {
    /// `E(x)`.
    Effect(EffectLaw),
    /// `1 + E(x)`.
    Activation(EffectLaw),
    /// `1 − E(x)`; the law's maximal effect must be at most 1.
    Inhibition(EffectLaw),
    /// `exp(−rate·x)`.
    Exponential {
        /// Rate `k`, 1/(input unit).
        rate: f64,
    },
}

impl Factor {
    /// The factor at input `x`.
    #[inline]
    pub fn value(&self, x: f64) -> f64 {
        match self {
            Factor::Effect(law) => law.effect(x),
            Factor::Activation(law) => 1.0 + law.effect(x),
            Factor::Inhibition(law) => 1.0 - law.effect(x),
            Factor::Exponential { rate } => (-rate * x).exp(),
        }
    }

    /// `d factor/dx` at `x`.
    #[inline]
    pub fn slope(&self, x: f64) -> f64 {
        match self {
            Factor::Effect(law) | Factor::Activation(law) => law.slope(x),
            Factor::Inhibition(law) => -law.slope(x),
            Factor::Exponential { rate } => -rate * (-rate * x).exp(),
        }
    }

    pub(crate) fn parameters(&self) -> Vec<(&'static str, f64, Requirement)> {
        match self {
            Factor::Effect(law) | Factor::Activation(law) | Factor::Inhibition(law) => {
                law.parameters()
            }
            Factor::Exponential { rate } => vec![("rate", *rate, Requirement::NonNegative)],
        }
    }
}

/// An observable (biomarker): a named quantity derived from the state — PD-L1 expression,
/// exhausted fraction, Treg : CD8 ratio, total tumor burden — reported as a trajectory column
/// in its unit, so that fits can take it as an output and studies as an endpoint input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservableSpec {
    /// Unique column name.
    pub name: String,
    /// Its unit.
    pub unit: crate::units::Unit,
    /// What it reads.
    pub input: Input,
}

/// Modifier: rate `on` multiplied by `factor` of `input`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModifierSpec {
    /// The rate it multiplies.
    pub on: RateRef,
    /// What it reads.
    pub input: Input,
    /// Its law.
    pub factor: Factor,
}
