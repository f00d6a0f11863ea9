//! Drug pharmacokinetics: linear compartments, optional depot, optional saturable elimination.
//!
//! Use this module to describe how a drug's amount moves after a dose. States are amounts (mg);
//! the concentration that drives effects is `C = A1/V1` (mg/L):
//!
//! ```text
//! dAd/dt = −ka·Ad                                                       (depot, if any)
//! dA1/dt = ka·Ad − (CL/V1)·A1 − Vmax·C/(Km + C) − Σ_i (Q_i/V1·A1 − Q_i/V_i·A_i)
//! dA_i/dt = Q_i/V1·A1 − Q_i/V_i·A_i                                     (peripherals)
//! ```
//!
//! A dose into the depot enters as `F·amount` (bioavailability `F`), `lag` days after its
//! nominal time (absorption lag, NONMEM's ALAG).

use super::math::pow;
use super::param::Requirement;
use serde::{Deserialize, Serialize};

/// A peripheral compartment exchanging with the central one.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Peripheral {
    /// Intercompartmental clearance `Q`, L/day.
    pub q: f64,
    /// Peripheral volume `V`, L.
    pub v: f64,
}

/// First-order absorption from a depot (oral, subcutaneous), after an optional lag.
///
/// A dose of `D` into the depot at nominal time `t0` enters it as `F·D` at `t0 + lag`, so the
/// central amount of a one-compartment drug is the Bateman function of `t − t0 − lag`
/// (zero before). An infusion into the depot starts `lag` later. Covariates that scale the
/// amount (weight for mg/kg) are taken at the nominal time `t0`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Absorption {
    /// Absorption rate constant `ka`, 1/day.
    pub ka: f64,
    /// Bioavailability `F`, fraction in (0, 1].
    #[serde(default = "full")]
    pub bioavailability: f64,
    /// Absorption lag `tlag`, days (finite, ≥ 0; 0 by default).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub lag: f64,
}

fn full() -> f64 {
    1.0
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// Saturable (Michaelis–Menten) elimination from the central compartment: `Vmax·C/(Km + C)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MichaelisMenten {
    /// Maximal elimination rate `Vmax`, mg/day.
    pub vmax: f64,
    /// Concentration at half-maximal elimination `Km`, mg/L.
    pub km: f64,
}

/// A drug: its name and PK. Plain data, checked when the model is built.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrugSpec {
    /// Unique name within the model.
    pub name: String,
    /// Linear clearance `CL` from the central compartment, L/day.
    pub cl: f64,
    /// Central volume `V1`, L.
    pub v1: f64,
    /// Peripheral compartments, in order (none for a one-compartment model).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub peripherals: Vec<Peripheral>,
    /// Depot with first-order absorption, if doses may go there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absorption: Option<Absorption>,
    /// Saturable elimination in addition to `CL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saturable: Option<MichaelisMenten>,
    /// Time course of the linear clearance, if it changes with time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clearance_change: Option<ClearanceChange>,
}

/// A clearance that changes smoothly with time, as reported for checkpoint antibodies
/// (nivolumab: Bajaj et al., CPT Pharmacometrics Syst Pharmacol 2017;6:58):
///
/// ```text
/// CL(t) = CL·exp(Emax·t^γ/(T50^γ + t^γ))        t = days since the start of the simulation
/// ```
///
/// `Emax < 0` for a clearance that falls (Bajaj 2017: −0.295, T50 = 58.75 d, γ = 3.15).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearanceChange {
    /// Maximal log-change `Emax` of the clearance, dimensionless (any sign).
    pub emax: f64,
    /// Time to half the change `T50`, days.
    pub t50: f64,
    /// Hill coefficient `γ`, dimensionless.
    pub hill: f64,
}

impl ClearanceChange {
    /// The factor `exp(Emax·t^γ/(T50^γ + t^γ))` multiplying the clearance at `t` days (1 for
    /// `t ≤ 0`).
    #[inline]
    pub fn factor(&self, t: f64) -> f64 {
        if t <= 0.0 {
            return 1.0;
        }
        let th = pow(t, self.hill);
        (self.emax * th / (pow(self.t50, self.hill) + th)).exp()
    }

    pub(crate) fn parameters(&self) -> Vec<(&'static str, f64, Requirement)> {
        vec![
            ("emax", self.emax, Requirement::Finite),
            ("t50", self.t50, Requirement::Positive),
            ("hill", self.hill, Requirement::Positive),
        ]
    }
}

/// The linear disposition of a drug: its central compartment and peripherals, named field by
/// field for [`DrugSpec::new`].
///
/// ```
/// use oncodyn::model::{DrugSpec, TwoCompartment};
/// // Pembrolizumab (Ahamadi et al., CPT Pharmacometrics Syst Pharmacol 2017;6:49).
/// let pembro = DrugSpec::new("pembrolizumab", TwoCompartment { cl: 0.22, v1: 3.48, q: 0.795, v2: 4.06 });
/// assert_eq!(pembro.n_states(), 2);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Disposition {
    /// Linear clearance `CL` from the central compartment, L/day.
    pub cl: f64,
    /// Central volume `V1`, L.
    pub v1: f64,
    /// Peripheral compartments, in order.
    pub peripherals: Vec<Peripheral>,
}

/// One compartment: `dA/dt = −(CL/V)·A`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OneCompartment {
    /// Clearance `CL`, L/day.
    pub cl: f64,
    /// Volume `V`, L.
    pub v: f64,
}

/// A central and one peripheral compartment (see the module equations).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TwoCompartment {
    /// Clearance `CL` from the central compartment, L/day.
    pub cl: f64,
    /// Central volume `V1`, L.
    pub v1: f64,
    /// Intercompartmental clearance `Q`, L/day.
    pub q: f64,
    /// Peripheral volume `V2`, L.
    pub v2: f64,
}

/// A central and two peripheral compartments (see the module equations).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThreeCompartment {
    /// Clearance `CL` from the central compartment, L/day.
    pub cl: f64,
    /// Central volume `V1`, L.
    pub v1: f64,
    /// Intercompartmental clearance `Q2` to the first peripheral, L/day.
    pub q2: f64,
    /// First peripheral volume `V2`, L.
    pub v2: f64,
    /// Intercompartmental clearance `Q3` to the second peripheral, L/day.
    pub q3: f64,
    /// Second peripheral volume `V3`, L.
    pub v3: f64,
}

impl From<OneCompartment> for Disposition {
    fn from(d: OneCompartment) -> Self {
        Disposition {
            cl: d.cl,
            v1: d.v,
            peripherals: Vec::new(),
        }
    }
}

impl From<TwoCompartment> for Disposition {
    fn from(d: TwoCompartment) -> Self {
        Disposition {
            cl: d.cl,
            v1: d.v1,
            peripherals: vec![Peripheral { q: d.q, v: d.v2 }],
        }
    }
}

impl From<ThreeCompartment> for Disposition {
    fn from(d: ThreeCompartment) -> Self {
        Disposition {
            cl: d.cl,
            v1: d.v1,
            peripherals: vec![
                Peripheral { q: d.q2, v: d.v2 },
                Peripheral { q: d.q3, v: d.v3 },
            ],
        }
    }
}

impl DrugSpec {
    /// A drug with linear `disposition` ([`OneCompartment`], [`TwoCompartment`],
    /// [`ThreeCompartment`] or a [`Disposition`] with any number of peripherals), no depot, no
    /// saturable elimination, constant clearance.
    ///
    /// ```
    /// use oncodyn::model::{DrugSpec, OneCompartment};
    /// let drug = DrugSpec::new("chemo", OneCompartment { cl: 12.0, v: 20.0 });
    /// assert_eq!((drug.cl, drug.v1), (12.0, 20.0));
    /// ```
    pub fn new(name: impl Into<String>, disposition: impl Into<Disposition>) -> Self {
        let Disposition {
            cl,
            v1,
            peripherals,
        } = disposition.into();
        DrugSpec {
            name: name.into(),
            cl,
            v1,
            peripherals,
            absorption: None,
            saturable: None,
            clearance_change: None,
        }
    }

    /// One-compartment drug with clearance `cl` (L/day) and volume `v` (L).
    #[deprecated(
        since = "0.2.0",
        note = "two numbers of the same type side by side: use `DrugSpec::new(name, OneCompartment { cl, v })`"
    )]
    pub fn one_compartment(name: impl Into<String>, cl: f64, v: f64) -> Self {
        DrugSpec::new(name, OneCompartment { cl, v })
    }

    /// The same drug with a clearance changing with time (see [`ClearanceChange`]).
    #[must_use]
    pub fn with_clearance_change(mut self, emax: f64, t50: f64, hill: f64) -> Self {
        self.clearance_change = Some(ClearanceChange { emax, t50, hill });
        self
    }

    /// Two-compartment drug: `cl` (L/day), `v1` (L), `q` (L/day), `v2` (L).
    #[deprecated(
        since = "0.2.0",
        note = "four numbers of the same type side by side: use `DrugSpec::new(name, TwoCompartment { cl, v1, q, v2 })`"
    )]
    pub fn two_compartment(name: impl Into<String>, cl: f64, v1: f64, q: f64, v2: f64) -> Self {
        DrugSpec::new(name, TwoCompartment { cl, v1, q, v2 })
    }

    /// The same drug with a depot: absorption rate `ka` (1/day), bioavailability `f` (fraction),
    /// no lag.
    #[must_use]
    pub fn with_absorption(mut self, ka: f64, f: f64) -> Self {
        self.absorption = Some(Absorption {
            ka,
            bioavailability: f,
            lag: 0.0,
        });
        self
    }

    /// The same drug with a depot whose doses arrive `lag` days after their nominal time:
    /// absorption rate `ka` (1/day), bioavailability `f` (fraction), lag (days).
    ///
    /// ```
    /// use oncodyn::model::DrugSpec;
    /// let oral = DrugSpec::one_compartment("oral", 5.0, 10.0).with_lagged_absorption(1.5, 0.8, 0.25);
    /// assert_eq!(oral.absorption.map(|a| a.lag), Some(0.25));
    /// ```
    #[must_use]
    pub fn with_lagged_absorption(mut self, ka: f64, f: f64, lag: f64) -> Self {
        self.absorption = Some(Absorption {
            ka,
            bioavailability: f,
            lag,
        });
        self
    }

    /// The same drug with saturable elimination `vmax` (mg/day), `km` (mg/L).
    #[must_use]
    pub fn with_saturable_elimination(mut self, vmax: f64, km: f64) -> Self {
        self.saturable = Some(MichaelisMenten { vmax, km });
        self
    }

    /// Number of states (amounts) this drug adds to the model.
    pub fn n_states(&self) -> usize {
        1 + self.peripherals.len() + usize::from(self.absorption.is_some())
    }

    pub(crate) fn parameters(&self) -> Vec<(&'static str, f64, Requirement)> {
        use Requirement::*;
        let mut p = vec![("cl", self.cl, NonNegative), ("v1", self.v1, Positive)];
        for per in &self.peripherals {
            p.push(("q", per.q, NonNegative));
            p.push(("v", per.v, Positive));
        }
        if let Some(a) = self.absorption {
            p.push(("ka", a.ka, Positive));
            p.push(("bioavailability", a.bioavailability, UnitInterval));
            p.push(("lag", a.lag, NonNegative));
        }
        if let Some(m) = self.saturable {
            p.push(("vmax", m.vmax, NonNegative));
            p.push(("km", m.km, Positive));
        }
        if let Some(c) = self.clearance_change {
            p.extend(c.parameters());
        }
        p
    }
}

/// Closed-form solutions of linear PK, for checking simulations (amounts in mg, time in days).
pub mod closed_form {
    /// One compartment, IV bolus `dose` at t = 0: `A(t) = dose·exp(−k·t)`, `k = CL/V`.
    pub fn bolus_1cpt(dose: f64, k: f64, t: f64) -> f64 {
        dose * (-k * t).exp()
    }

    /// One compartment, zero-order infusion of `dose` over `duration` from t = 0:
    /// `A(t) = R/k·(1 − e^(−k·t))` during it, then decaying from its end value (`R = dose/duration`).
    pub fn infusion_1cpt(dose: f64, duration: f64, k: f64, t: f64) -> f64 {
        let rate = dose / duration;
        if t <= duration {
            rate / k * (1.0 - (-k * t).exp())
        } else {
            rate / k * (1.0 - (-k * duration).exp()) * (-k * (t - duration)).exp()
        }
    }

    /// One compartment with first-order absorption (Bateman 1910), oral `dose` at t = 0 with
    /// bioavailability `f`: central amount
    /// `A(t) = F·dose·ka/(ka − k)·(e^(−k·t) − e^(−ka·t))`, evaluated as
    /// `F·dose·ka·e^(−k·t)·(1 − e^(−(ka−k)·t))/(ka − k)` with `expm1`, which stays accurate as
    /// `ka → k`; at `ka = k` exactly (the removable singularity) it is `F·dose·k·t·e^(−k·t)`.
    pub fn bateman(dose: f64, f: f64, ka: f64, k: f64, t: f64) -> f64 {
        let delta = ka - k;
        let spread = if delta == 0.0 {
            t
        } else {
            -(-delta * t).exp_m1() / delta
        };
        f * dose * ka * (-k * t).exp() * spread
    }

    /// Two compartments, IV bolus `dose` into the central one at t = 0 (Gibaldi & Perrier,
    /// Pharmacokinetics, 2nd ed., ch. 2): with `α, β` the roots of
    /// `s² − (k10 + k12 + k21)·s + k10·k21`,
    /// `A1(t) = dose·[(α − k21)e^(−αt) + (k21 − β)e^(−βt)]/(α − β)` and
    /// `A2(t) = dose·k12·(e^(−βt) − e^(−αt))/(α − β)`. Returns `(A1, A2)`.
    pub fn bolus_2cpt(dose: f64, k10: f64, k12: f64, k21: f64, t: f64) -> (f64, f64) {
        let sum = k10 + k12 + k21;
        let disc = (sum * sum - 4.0 * k10 * k21).sqrt();
        let alpha = 0.5 * (sum + disc);
        let beta = 0.5 * (sum - disc);
        let (ea, eb) = ((-alpha * t).exp(), (-beta * t).exp());
        let a1 = dose * ((alpha - k21) * ea + (k21 - beta) * eb) / (alpha - beta);
        let a2 = dose * k12 * (eb - ea) / (alpha - beta);
        (a1, a2)
    }
}
