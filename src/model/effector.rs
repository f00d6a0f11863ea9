//! Immune cell populations (effectors and suppressors share these intrinsic dynamics) and their
//! tumor-driven recruitment.
//!
//! Use this module to describe a population of effector cells (CTLs, NK cells, CAR-T) or
//! suppressor cells (Tregs, MDSCs, TAMs):
//!
//! ```text
//! dE/dt = σ − δ·E + recruitment − inactivation − (drug-induced death)
//! ```

use super::math::pow;
use super::param::Requirement;
use super::Radiosensitivity;
use serde::{Deserialize, Serialize};

/// An immune cell population: constant source `σ` and first-order death `δ`
/// (`dE/dt = σ − δ·E`, steady state `σ/δ` without tumor).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellSpec {
    /// Unique name within the model.
    pub name: String,
    /// Cells at t = 0.
    pub initial: f64,
    /// Constant source `σ`, cells/day.
    #[serde(default)]
    pub source: f64,
    /// Natural death rate `δ`, 1/day.
    #[serde(default)]
    pub death: f64,
    /// Response to radiotherapy (e.g. lymphocytes in the field), if irradiated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radiosensitivity: Option<Radiosensitivity>,
}

/// An unnamed population of no cells, no source, no death: the base of a struct literal, which
/// names each number.
///
/// ```
/// use oncodyn::model::CellSpec;
/// // Kuznetsov et al. 1994 (Bull Math Biol 56:295), Table 2's effector cells.
/// let ctl = CellSpec { name: "ctl".into(), initial: 3.2e5, source: 1.3e4, death: 0.0412, ..Default::default() };
/// assert_eq!(ctl.source / ctl.death, 1.3e4 / 0.0412);
/// ```
///
/// The name must be set: building a model with an empty name fails with a typed error.
impl Default for CellSpec {
    fn default() -> Self {
        CellSpec {
            name: String::new(),
            initial: 0.0,
            source: 0.0,
            death: 0.0,
            radiosensitivity: None,
        }
    }
}

impl CellSpec {
    /// A population of `initial` cells with source `σ` (cells/day) and death rate `δ` (1/day).
    #[deprecated(
        since = "0.2.0",
        note = "three numbers of the same type side by side: use the struct literal `CellSpec { name, initial, source, death, ..Default::default() }`"
    )]
    pub fn new(name: impl Into<String>, initial: f64, source: f64, death: f64) -> Self {
        CellSpec {
            name: name.into(),
            initial,
            source,
            death,
            radiosensitivity: None,
        }
    }

    /// The same population, irradiated with linear-quadratic coefficients `alpha` (1/Gy) and
    /// `beta` (1/Gy²).
    #[must_use]
    pub fn with_radiosensitivity(mut self, alpha: f64, beta: f64) -> Self {
        self.radiosensitivity = Some(Radiosensitivity { alpha, beta });
        self
    }

    pub(crate) fn parameters(&self) -> Vec<(&'static str, f64, Requirement)> {
        let mut p = vec![
            ("initial", self.initial, Requirement::NonNegative),
            ("source", self.source, Requirement::NonNegative),
            ("death", self.death, Requirement::NonNegative),
        ];
        p.extend(self.radiosensitivity.iter().flat_map(|r| r.parameters()));
        p
    }
}

/// How recruited cells arrive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecruitmentMode {
    /// Proliferation of the population itself (Kuznetsov et al. 1994): the flux is multiplied by
    /// the population `E`, so `rate` is in 1/day.
    #[default]
    Expansion,
    /// Influx from outside (e.g. MDSCs recruited from the bone marrow): the flux does not depend
    /// on the population, so `rate` is in cells/day.
    Influx,
}

/// Tumor-stimulated recruitment, saturating (Michaelis–Menten, or Hill with `hill` ≠ 1) in the
/// tumor's total burden `w`:
///
/// ```text
/// Expansion:  ρ·w^h/(k^h + w^h)·E      (ρ in 1/day)      Kuznetsov et al., Bull Math Biol 1994
/// Influx:     ρ·w^h/(k^h + w^h)        (ρ in cells/day)
/// ```
///
/// de Pillis et al. 2005's NK recruitment `g·T²/(h + T²)·N` is `Expansion` with `hill = 2` and
/// `half_saturation = √h`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recruitment {
    /// Maximal recruitment `ρ`: 1/day for expansion, cells/day for influx.
    pub rate: f64,
    /// Half-saturation burden `k`, in the tumor's unit.
    pub half_saturation: f64,
    /// Hill exponent `h`, dimensionless (1 = Michaelis–Menten).
    #[serde(default = "one")]
    pub hill: f64,
    /// Expansion of the population or influx from outside.
    #[serde(default)]
    pub mode: RecruitmentMode,
}

fn one() -> f64 {
    1.0
}

impl Recruitment {
    /// Michaelis–Menten expansion: `ρ·w/(k + w)·E`.
    pub fn expansion(rate: f64, half_saturation: f64) -> Self {
        Recruitment {
            rate,
            half_saturation,
            hill: 1.0,
            mode: RecruitmentMode::Expansion,
        }
    }

    /// Michaelis–Menten influx: `ρ·w/(k + w)` cells/day.
    pub fn influx(rate: f64, half_saturation: f64) -> Self {
        Recruitment {
            mode: RecruitmentMode::Influx,
            ..Recruitment::expansion(rate, half_saturation)
        }
    }

    /// The saturating factor `w^h/(k^h + w^h)` in [0, 1); 0 for `w ≤ 0` (a burden below 0 is
    /// integration noise, and `w^h` is undefined there for fractional `h`).
    #[inline]
    pub fn saturation(&self, w: f64) -> f64 {
        if w <= 0.0 {
            0.0
        } else if self.hill == 1.0 {
            w / (self.half_saturation + w)
        } else {
            let wh = pow(w, self.hill);
            wh / (pow(self.half_saturation, self.hill) + wh)
        }
    }

    /// The derivative of [`saturation`](Self::saturation) at `w`, for Jacobians (the right
    /// derivative at `w = 0`; 0 there for a Hill coefficient other than 1).
    #[inline]
    pub fn saturation_slope(&self, w: f64) -> f64 {
        if w < 0.0 || (w == 0.0 && self.hill != 1.0) {
            0.0
        } else if self.hill == 1.0 {
            let h = self.half_saturation;
            h / ((h + w) * (h + w))
        } else {
            let (wh, kh) = (pow(w, self.hill), pow(self.half_saturation, self.hill));
            self.hill * wh / w * kh / ((kh + wh) * (kh + wh))
        }
    }

    pub(crate) fn parameters(&self) -> Vec<(&'static str, f64, Requirement)> {
        vec![
            ("rate", self.rate, Requirement::NonNegative),
            (
                "half_saturation",
                self.half_saturation,
                Requirement::Positive,
            ),
            ("hill", self.hill, Requirement::Positive),
        ]
    }
}
