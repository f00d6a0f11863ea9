//! The flat list of terms the right-hand side walks, and the [`Custom`] trait for user terms.
//!
//! Built-in terms are enum variants over resolved state indices and plain parameter structs:
//! the right-hand side is one `match` per term, with no allocation, no name lookup and no dynamic
//! dispatch. A user's own terms implement [`Custom`] and run after the built-ins, so they cost
//! the built-ins nothing.

use super::handle::{BuilderId, ComponentKind, DrugId, PopulationKind, StateId};
use super::{EffectLaw, GrowthLaw, Inhibition, KillLaw, Recruitment, RecruitmentMode};
use std::cell::Cell;
use std::ops::{Index, IndexMut, Range};

/// A drug's concentration read from its central amount: `C = A1/V1`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DrugEffect {
    pub central: usize,
    pub inv_v1: f64,
    pub law: EffectLaw,
}

impl DrugEffect {
    #[inline]
    fn effect(&self, y: &[f64]) -> f64 {
        self.law.effect(y[self.central] * self.inv_v1)
    }
}

/// A factor multiplying a rate.
#[derive(Clone, Debug)]
pub(crate) enum Modifier {
    /// `1 + E(C)`.
    Stimulate(DrugEffect),
    /// `1 − E(C)`.
    Inhibit(DrugEffect),
    /// `1 − Imax·S/(S50 + S)·Π(1 − E_j(C_j))`: suppression, relieved by drugs.
    Suppress {
        state: usize,
        inhibition: Inhibition,
        relief: Box<[DrugEffect]>,
    },
}

#[inline]
fn factor(mods: &[Modifier], y: &[f64]) -> f64 {
    let mut f = 1.0;
    for m in mods {
        f *= match m {
            Modifier::Stimulate(e) => 1.0 + e.effect(y),
            Modifier::Inhibit(e) => 1.0 - e.effect(y),
            Modifier::Suppress {
                state,
                inhibition,
                relief,
            } => {
                let mut strength = inhibition.inhibited_fraction(y[*state]);
                for e in relief.iter() {
                    strength *= 1.0 - e.effect(y);
                }
                1.0 - strength
            }
        };
    }
    f
}

/// One built-in term of the right-hand side. Each moves a flux (units/day) out of one state and,
/// for transfers, into another.
#[derive(Clone, Debug)]
pub(crate) enum Term {
    /// Constant influx `rate` into `to`.
    Source { to: usize, rate: f64 },
    /// First-order flux `rate·y[from]` out of `from`, into `to` if any (PK transfers,
    /// elimination, natural death, transit).
    FirstOrder {
        from: usize,
        to: Option<usize>,
        rate: f64,
    },
    /// First-order loss `rate·f(t)·y[from]` with a time-varying factor (a clearance that
    /// changes with time).
    TimeVaryingLoss {
        from: usize,
        rate: f64,
        change: super::ClearanceChange,
    },
    /// Saturable elimination `Vmax·C/(Km + C)` from a central compartment.
    Saturable {
        central: usize,
        inv_v1: f64,
        vmax: f64,
        km: f64,
    },
    /// Tumor growth `g(w)·x·Π modifiers`, `w` the sum over `burden`.
    Growth {
        x: usize,
        burden: Range<usize>,
        law: GrowthLaw,
        mods: Box<[Modifier]>,
    },
    /// Effector kill of tumor cells, moved to `to` (transit) if any.
    Kill {
        by: usize,
        on: usize,
        to: Option<usize>,
        law: KillLaw,
        mods: Box<[Modifier]>,
    },
    /// Drug-induced loss `E(C)·y[on]`, moved to `to` (transit) if any.
    DrugLoss {
        on: usize,
        to: Option<usize>,
        effect: DrugEffect,
    },
    /// Tumor-driven recruitment of population `of`.
    Recruit {
        burden: Range<usize>,
        of: usize,
        law: Recruitment,
        mods: Box<[Modifier]>,
    },
    /// Inactivation `rate·E·w` of population `of` by a tumor of burden `w`.
    Inactivate {
        burden: Range<usize>,
        of: usize,
        rate: f64,
    },
}

#[inline]
fn transfer(dy: &mut [f64], from: usize, to: Option<usize>, flux: f64) {
    dy[from] -= flux;
    if let Some(to) = to {
        dy[to] += flux;
    }
}

impl Term {
    /// Adds this term's contribution to `dy`.
    #[inline]
    pub(crate) fn apply(&self, t: f64, y: &[f64], dy: &mut [f64]) {
        match self {
            Term::TimeVaryingLoss { from, rate, change } => {
                dy[*from] -= rate * change.factor(t) * y[*from];
            }
            Term::Source { to, rate } => dy[*to] += rate,
            Term::FirstOrder { from, to, rate } => transfer(dy, *from, *to, rate * y[*from]),
            Term::Saturable {
                central,
                inv_v1,
                vmax,
                km,
            } => {
                let c = y[*central] * inv_v1;
                dy[*central] -= vmax * c / (km + c);
            }
            Term::Growth {
                x,
                burden,
                law,
                mods,
            } => {
                let w: f64 = y[burden.clone()].iter().sum();
                dy[*x] += law.flux(y[*x], w) * factor(mods, y);
            }
            Term::Kill {
                by,
                on,
                to,
                law,
                mods,
            } => {
                let flux = law.flux(y[*by], y[*on]) * factor(mods, y);
                transfer(dy, *on, *to, flux);
            }
            Term::DrugLoss { on, to, effect } => {
                transfer(dy, *on, *to, effect.effect(y) * y[*on]);
            }
            Term::Recruit {
                burden,
                of,
                law,
                mods,
            } => {
                let w: f64 = y[burden.clone()].iter().sum();
                let per = law.rate * law.saturation(w) * factor(mods, y);
                dy[*of] += match law.mode {
                    RecruitmentMode::Expansion => per * y[*of],
                    RecruitmentMode::Influx => per,
                };
            }
            Term::Inactivate { burden, of, rate } => {
                let w: f64 = y[burden.clone()].iter().sum();
                dy[*of] -= rate * y[*of] * w;
            }
        }
    }
}

/// Where each component's states sit in the state vector.
#[derive(Clone, Debug, Default)]
pub(crate) struct Layout {
    pub tumors: Vec<Range<usize>>,
    pub effectors: Vec<usize>,
    pub suppressors: Vec<usize>,
    pub drugs: Vec<DrugLayout>,
}

impl Layout {
    /// State index of the `ordinal`-th population of `kind` (a tumor's proliferating cells),
    /// or of a drug's central compartment.
    pub(crate) fn population(&self, kind: ComponentKind, ordinal: usize) -> Option<usize> {
        match kind {
            ComponentKind::Tumor => self.tumors.get(ordinal).map(|r| r.start),
            ComponentKind::Effector => self.effectors.get(ordinal).copied(),
            ComponentKind::Suppressor => self.suppressors.get(ordinal).copied(),
            ComponentKind::Drug => self.drugs.get(ordinal).map(|d| d.central),
            ComponentKind::Custom => None,
        }
    }
}

/// Where one drug's states sit, and what turns its central amount into a concentration.
#[derive(Clone, Debug)]
pub(crate) struct DrugLayout {
    pub depot: Option<usize>,
    pub central: usize,
    pub peripherals: Range<usize>,
    pub inv_v1: f64,
    pub bioavailability: f64,
}

/// Read access to the state vector by handle, for [`Custom`] terms.
///
/// A handle from another builder reads NaN (and `build()` reports it as
/// [`BuildError::ForeignHandle`](crate::BuildError::ForeignHandle) when it probes each term).
#[derive(Clone, Copy)]
pub struct States<'a> {
    pub(crate) y: &'a [f64],
    pub(crate) access: Access<'a>,
}

/// What `States` and `Rates` need to resolve handles, and the flag a foreign handle raises.
#[derive(Clone, Copy)]
pub(crate) struct Access<'a> {
    pub layout: &'a Layout,
    pub builder: BuilderId,
    pub foreign: &'a Cell<bool>,
}

impl Access<'_> {
    fn index(&self, kind: ComponentKind, ordinal: usize, builder: BuilderId) -> Option<usize> {
        let index = self
            .layout
            .population(kind, ordinal)
            .filter(|_| builder == self.builder);
        if index.is_none() {
            self.foreign.set(true);
        }
        index
    }
}

impl States<'_> {
    /// The raw state vector, in the order of [`Model::states`](super::Model::states).
    pub fn as_slice(&self) -> &[f64] {
        self.y
    }

    /// Central amount of `drug`, mg.
    pub fn amount(&self, drug: DrugId) -> f64 {
        self.access
            .index(ComponentKind::Drug, drug.ordinal, drug.builder)
            .map_or(f64::NAN, |i| self.y[i])
    }

    /// Central concentration of `drug`, mg/L.
    pub fn concentration(&self, drug: DrugId) -> f64 {
        let inv_v1 = self
            .access
            .layout
            .drugs
            .get(drug.ordinal)
            .map_or(f64::NAN, |d| d.inv_v1);
        self.amount(drug) * inv_v1
    }
}

/// Write access to the rates by handle, for [`Custom`] terms. A write through a handle from
/// another builder goes nowhere and makes every rate NaN, so the solve stops with
/// [`SolveError::NonFinite`](crate::SolveError::NonFinite).
pub struct Rates<'a> {
    pub(crate) dy: &'a mut [f64],
    pub(crate) access: Access<'a>,
    pub(crate) sink: f64,
}

impl Rates<'_> {
    /// The raw rate vector, in the order of [`Model::states`](super::Model::states).
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        self.dy
    }

    /// Adds `rate` (mg/day) to the central amount of `drug`.
    pub fn add_to_central(&mut self, drug: DrugId, rate: f64) {
        if let Some(i) = self
            .access
            .index(ComponentKind::Drug, drug.ordinal, drug.builder)
        {
            self.dy[i] += rate;
        }
    }
}

impl<K> Index<StateId<K>> for States<'_>
where
    K: PopulationKind,
{
    type Output = f64;
    fn index(&self, id: StateId<K>) -> &f64 {
        match self.access.index(K::KIND, id.ordinal, id.builder) {
            Some(i) => &self.y[i],
            None => &f64::NAN,
        }
    }
}

impl<K> Index<StateId<K>> for Rates<'_>
where
    K: PopulationKind,
{
    type Output = f64;
    fn index(&self, id: StateId<K>) -> &f64 {
        match self.access.index(K::KIND, id.ordinal, id.builder) {
            Some(i) => &self.dy[i],
            None => &f64::NAN,
        }
    }
}

impl<K> IndexMut<StateId<K>> for Rates<'_>
where
    K: PopulationKind,
{
    fn index_mut(&mut self, id: StateId<K>) -> &mut f64 {
        match self.access.index(K::KIND, id.ordinal, id.builder) {
            Some(i) => &mut self.dy[i],
            None => &mut self.sink,
        }
    }
}

/// A term the library lacks, written by the user: it adds its rates to `dy`.
///
/// It runs after every built-in term, through one dynamic call per evaluation, so built-in terms
/// are as fast with it as without. It must not allocate if the model is to stay fast. Handles it
/// holds must come from the builder the model is built from.
///
/// ```
/// use oncodyn::prelude::*;
///
/// /// Extra tumor death under hypoxia: `dT/dt −= k·T`, k in 1/day.
/// #[derive(Debug)]
/// struct Hypoxia { tumor: StateId<Tumor>, k: f64 }
/// impl Custom for Hypoxia {
///     fn add_rates(&self, _t: f64, y: &States, dy: &mut Rates) {
///         dy[self.tumor] -= self.k * y[self.tumor];
///     }
/// }
///
/// let mut b = ModelBuilder::new();
/// let tumor = b.tumor(TumorSpec::new("tumor", 1e6, Exponential { rate: 0.2 }))?;
/// b.custom("hypoxia", Hypoxia { tumor, k: 0.05 })?;
/// let model = b.build()?;
/// let dy = model.derivative(0.0, model.initial_state());
/// assert!((dy[0] - 0.15e6).abs() < 1e-6);
/// # Ok::<(), oncodyn::Error>(())
/// ```
pub trait Custom: Send + Sync + std::fmt::Debug {
    /// Adds this term's rates at time `t` (days) to `dy`, reading states from `y`.
    fn add_rates(&self, t: f64, y: &States<'_>, dy: &mut Rates<'_>);
}
