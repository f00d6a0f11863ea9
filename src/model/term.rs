//! The flat list of terms the right-hand side walks, and the [`Custom`] trait for user terms.
//!
//! Built-in terms are enum variants over resolved state indices and plain parameter structs:
//! the right-hand side is one `match` per term, with no allocation, no name lookup and no dynamic
//! dispatch. A user's own terms implement [`Custom`] and run after the built-ins, so they cost
//! the built-ins nothing.

use super::expr::Program;
use super::handle::{BuilderId, ComponentKind, DrugId, PopulationKind, StateId};
use super::{EffectLaw, Factor, GrowthLaw, Inhibition, KillLaw, Recruitment, RecruitmentMode};
use std::cell::Cell;
use std::ops::{Index, IndexMut, Range};

/// A quantity `x` read from the state: what modifiers take as input.
#[derive(Clone, Debug)]
pub(crate) enum Signal {
    /// One state.
    State(usize),
    /// One state times a constant (a drug's concentration `A/V`).
    Scaled { state: usize, factor: f64 },
    /// The sum of contiguous states (a tumor's burden, or every tumor's).
    Sum(Range<usize>),
    /// The ratio of two states.
    Ratio {
        numerator: usize,
        denominator: usize,
    },
    /// `y[part] / Σ y[among]`, 0 when the sum is 0.
    Fraction { part: usize, among: Box<[usize]> },
    /// An expression of the state and time.
    Expression(Box<Compiled>),
}

impl Signal {
    #[inline]
    pub(crate) fn value(&self, t: f64, y: &[f64]) -> f64 {
        match self {
            Signal::Expression(e) => e.value.eval(t, y),
            Signal::State(i) => y[*i],
            Signal::Scaled { state, factor } => y[*state] * factor,
            Signal::Sum(range) => y[range.clone()].iter().sum(),
            Signal::Ratio {
                numerator,
                denominator,
            } => y[*numerator] / y[*denominator],
            Signal::Fraction { part, among } => {
                let total: f64 = among.iter().map(|&j| y[j]).sum();
                if total == 0.0 {
                    0.0
                } else {
                    y[*part] / total
                }
            }
        }
    }

    /// Emits `(j, ∂x/∂y_j)` for every state `j` the signal reads.
    fn gradient(&self, t: f64, y: &[f64], emit: &mut impl FnMut(usize, f64)) {
        match self {
            Signal::Expression(e) => {
                for (j, d) in e.partials.iter() {
                    emit(*j, d.eval(t, y));
                }
            }
            Signal::State(i) => emit(*i, 1.0),
            Signal::Scaled { state, factor } => emit(*state, *factor),
            Signal::Sum(range) => range.clone().for_each(|j| emit(j, 1.0)),
            Signal::Ratio {
                numerator,
                denominator,
            } => {
                let d = y[*denominator];
                emit(*numerator, 1.0 / d);
                emit(*denominator, -y[*numerator] / (d * d));
            }
            Signal::Fraction { part, among } => {
                let total: f64 = among.iter().map(|&j| y[j]).sum();
                if total != 0.0 {
                    emit(*part, 1.0 / total);
                    let d = -y[*part] / (total * total);
                    among.iter().for_each(|&j| emit(j, d));
                }
            }
        }
    }

    fn reads(&self, emit: &mut impl FnMut(usize)) {
        match self {
            Signal::Expression(e) => e.value.states().iter().for_each(|&j| emit(j)),
            Signal::State(i) | Signal::Scaled { state: i, .. } => emit(*i),
            Signal::Sum(range) => range.clone().for_each(emit),
            Signal::Ratio {
                numerator,
                denominator,
            } => {
                emit(*numerator);
                emit(*denominator);
            }
            Signal::Fraction { part, among } => {
                emit(*part);
                among.iter().for_each(|&j| emit(j));
            }
        }
    }
}

/// A drug's concentration read from its central amount: `C = A1/V1`, and its effect law.
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

    /// `∂E/∂A1`.
    #[inline]
    fn slope(&self, y: &[f64]) -> f64 {
        self.law.slope(y[self.central] * self.inv_v1) * self.inv_v1
    }
}

/// A factor multiplying a rate.
#[derive(Clone, Debug)]
pub(crate) enum Modifier {
    /// `factor(x)` of a signal `x` (drug effects: `1 ± E(C)`; any state, burden or ratio).
    Factor { input: Signal, factor: Factor },
    /// `1 − Imax·S/(S50 + S)·Π(1 − E_j(C_j))`: suppression, relieved by drugs.
    Suppress {
        state: usize,
        inhibition: Inhibition,
        relief: Box<[DrugEffect]>,
    },
}

impl Modifier {
    /// A drug's concentration through `factor`.
    pub(crate) fn drug(effect: DrugEffect, factor: fn(EffectLaw) -> Factor) -> Modifier {
        Modifier::Factor {
            input: Signal::Scaled {
                state: effect.central,
                factor: effect.inv_v1,
            },
            factor: factor(effect.law),
        }
    }

    #[inline]
    fn value(&self, t: f64, y: &[f64]) -> f64 {
        match self {
            Modifier::Factor { input, factor } => factor.value(input.value(t, y)),
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
        }
    }

    /// Emits `(j, scale·∂m/∂y_j)`.
    fn gradient(&self, t: f64, y: &[f64], scale: f64, emit: &mut impl FnMut(usize, f64)) {
        match self {
            Modifier::Factor { input, factor } => {
                let slope = scale * factor.slope(input.value(t, y));
                input.gradient(t, y, &mut |j, d| emit(j, slope * d));
            }
            Modifier::Suppress {
                state,
                inhibition,
                relief,
            } => {
                let kept: f64 = relief.iter().map(|e| 1.0 - e.effect(y)).product();
                emit(
                    *state,
                    -scale * inhibition.inhibited_slope(y[*state]) * kept,
                );
                let strength = inhibition.inhibited_fraction(y[*state]);
                for (k, e) in relief.iter().enumerate() {
                    let others: f64 = relief
                        .iter()
                        .enumerate()
                        .filter(|(l, _)| *l != k)
                        .map(|(_, o)| 1.0 - o.effect(y))
                        .product();
                    emit(e.central, scale * strength * e.slope(y) * others);
                }
            }
        }
    }

    fn reads(&self, emit: &mut impl FnMut(usize)) {
        match self {
            Modifier::Factor { input, .. } => input.reads(emit),
            Modifier::Suppress { state, relief, .. } => {
                emit(*state);
                relief.iter().for_each(|e| emit(e.central));
            }
        }
    }
}

#[inline]
fn factor(mods: &[Modifier], t: f64, y: &[f64]) -> f64 {
    let mut f = 1.0;
    for m in mods {
        f *= m.value(t, y);
    }
    f
}

/// Emits `(j, base·∂(Π m)/∂y_j)` over the modifiers of a rate.
fn product_gradient(
    mods: &[Modifier],
    t: f64,
    y: &[f64],
    base: f64,
    emit: &mut impl FnMut(usize, f64),
) {
    for (k, m) in mods.iter().enumerate() {
        let others: f64 = mods
            .iter()
            .enumerate()
            .filter(|(l, _)| *l != k)
            .map(|(_, o)| o.value(t, y))
            .product();
        m.gradient(t, y, base * others, emit);
    }
}

/// One built-in term of the right-hand side. Each moves a flux (units/day) out of one state and,
/// for transfers, into another.
#[derive(Clone, Debug)]
pub(crate) enum Term {
    /// Constant influx `rate·Π modifiers` into `to`.
    Source {
        to: usize,
        rate: f64,
        mods: Box<[Modifier]>,
    },
    /// First-order flux `rate·y[from]` out of `from`, into `to` if any (PK transfers,
    /// elimination, natural death, transit).
    FirstOrder {
        from: usize,
        to: Option<usize>,
        rate: f64,
    },
    /// First-order flux `rate·y[from]·Π modifiers` out of `from`, into `to` if any (a
    /// [`Transition`](super::Transition) process).
    Transition {
        from: usize,
        to: Option<usize>,
        rate: f64,
        mods: Box<[Modifier]>,
    },
    /// Production `rate·y[by]·Π modifiers` of `of`.
    Production {
        by: usize,
        of: usize,
        rate: f64,
        mods: Box<[Modifier]>,
    },
    /// Binding `kon·L·R − koff·C` out of `ligand` and `receptor`, into `complex`.
    Binding {
        ligand: usize,
        receptor: usize,
        complex: usize,
        kon: f64,
        koff: f64,
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
    /// Tumor growth `g(w)·x·Π modifiers`, `w` the sum over `burden` plus each competitor's
    /// burden times its coefficient.
    Growth {
        x: usize,
        burden: Range<usize>,
        competitors: Box<[(Range<usize>, f64)]>,
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
    /// An expression flux `f(t, y)·Π modifiers`, added to each state of `rows` times its
    /// coefficient.
    Flux {
        rate: Box<Compiled>,
        rows: Box<[(usize, f64)]>,
        mods: Box<[Modifier]>,
    },
}

/// A clone's own burden plus its competitors' burdens, each times its coefficient.
#[inline]
fn competed_burden(y: &[f64], own: &Range<usize>, competitors: &[(Range<usize>, f64)]) -> f64 {
    let mut w: f64 = y[own.clone()].iter().sum();
    for (range, alpha) in competitors {
        w += alpha * y[range.clone()].iter().sum::<f64>();
    }
    w
}

#[inline]
fn transfer(dy: &mut [f64], from: usize, to: Option<usize>, flux: f64) {
    dy[from] -= flux;
    if let Some(to) = to {
        dy[to] += flux;
    }
}

/// Where a term's flux goes: `(state, coefficient)` pairs — at most three for the built-in
/// terms, any number for an expression flux.
#[derive(Clone, Copy)]
pub(crate) enum Stoichiometry<'a> {
    Inline([(usize, f64); 3], usize),
    Listed(&'a [(usize, f64)]),
}

impl Stoichiometry<'_> {
    fn gain(to: usize) -> Self {
        Stoichiometry::Inline([(to, 1.0), (0, 0.0), (0, 0.0)], 1)
    }

    fn transfer(from: usize, to: Option<usize>) -> Self {
        match to {
            Some(to) => Stoichiometry::Inline([(from, -1.0), (to, 1.0), (0, 0.0)], 2),
            None => Stoichiometry::Inline([(from, -1.0), (0, 0.0), (0, 0.0)], 1),
        }
    }

    pub(crate) fn rows(&self) -> &[(usize, f64)] {
        match self {
            Stoichiometry::Inline(rows, len) => &rows[..*len],
            Stoichiometry::Listed(rows) => rows,
        }
    }
}

/// A compiled expression with its partial derivatives, one per state it reads.
#[derive(Clone, Debug)]
pub(crate) struct Compiled {
    pub value: Program,
    pub partials: Box<[(usize, Program)]>,
}

impl Compiled {
    pub(crate) fn new(value: Program) -> Compiled {
        let partials = value
            .states()
            .iter()
            .map(|&j| (j, value.derivative(j)))
            .collect();
        Compiled { value, partials }
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
            Term::Source { to, rate, mods } => dy[*to] += rate * factor(mods, t, y),
            Term::FirstOrder { from, to, rate } => transfer(dy, *from, *to, rate * y[*from]),
            Term::Transition {
                from,
                to,
                rate,
                mods,
            } => transfer(dy, *from, *to, rate * y[*from] * factor(mods, t, y)),
            Term::Production { by, of, rate, mods } => {
                dy[*of] += rate * y[*by] * factor(mods, t, y)
            }
            Term::Binding {
                ligand,
                receptor,
                complex,
                kon,
                koff,
            } => {
                let flux = kon * y[*ligand] * y[*receptor] - koff * y[*complex];
                dy[*ligand] -= flux;
                dy[*receptor] -= flux;
                dy[*complex] += flux;
            }
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
                competitors,
                law,
                mods,
            } => {
                let w = competed_burden(y, burden, competitors);
                dy[*x] += law.flux(y[*x], w) * factor(mods, t, y);
            }
            Term::Kill {
                by,
                on,
                to,
                law,
                mods,
            } => {
                let flux = law.flux(y[*by], y[*on]) * factor(mods, t, y);
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
                let per = law.rate * law.saturation(w) * factor(mods, t, y);
                dy[*of] += match law.mode {
                    RecruitmentMode::Expansion => per * y[*of],
                    RecruitmentMode::Influx => per,
                };
            }
            Term::Inactivate { burden, of, rate } => {
                let w: f64 = y[burden.clone()].iter().sum();
                dy[*of] -= rate * y[*of] * w;
            }
            Term::Flux { rate, rows, mods } => {
                let flux = rate.value.eval(t, y) * factor(mods, t, y);
                for &(i, c) in rows.iter() {
                    dy[i] += c * flux;
                }
            }
        }
    }

    /// Where this term's flux goes.
    pub(crate) fn stoichiometry(&self) -> Stoichiometry<'_> {
        match self {
            Term::Source { to, .. } => Stoichiometry::gain(*to),
            Term::FirstOrder { from, to, .. } | Term::Transition { from, to, .. } => {
                Stoichiometry::transfer(*from, *to)
            }
            Term::Production { of, .. } => Stoichiometry::gain(*of),
            Term::Binding {
                ligand,
                receptor,
                complex,
                ..
            } => Stoichiometry::Inline([(*ligand, -1.0), (*receptor, -1.0), (*complex, 1.0)], 3),
            Term::Flux { rows, .. } => Stoichiometry::Listed(rows),
            Term::TimeVaryingLoss { from, .. } => Stoichiometry::transfer(*from, None),
            Term::Saturable { central, .. } => Stoichiometry::transfer(*central, None),
            Term::Growth { x, .. } => Stoichiometry::gain(*x),
            Term::Kill { on, to, .. } | Term::DrugLoss { on, to, .. } => {
                Stoichiometry::transfer(*on, *to)
            }
            Term::Recruit { of, .. } => Stoichiometry::gain(*of),
            Term::Inactivate { of, .. } => Stoichiometry::transfer(*of, None),
        }
    }

    /// Whether the term reads time itself.
    pub(crate) fn uses_time(&self) -> bool {
        let expression = matches!(self, Term::Flux { rate, .. } if rate.value.uses_time());
        let modifier = self.modifiers().iter().any(|m| {
            matches!(m, Modifier::Factor { input: Signal::Expression(e), .. } if e.value.uses_time())
        });
        matches!(self, Term::TimeVaryingLoss { .. }) || expression || modifier
    }

    /// The modifiers multiplying this term's flux.
    pub(crate) fn modifiers(&self) -> &[Modifier] {
        match self {
            Term::Source { mods, .. }
            | Term::Transition { mods, .. }
            | Term::Production { mods, .. }
            | Term::Growth { mods, .. }
            | Term::Kill { mods, .. }
            | Term::Recruit { mods, .. }
            | Term::Flux { mods, .. } => mods,
            _ => &[],
        }
    }

    /// The flux before modifiers, and emits `(j, ∂flux/∂y_j)` of it.
    fn base_flux(&self, t: f64, y: &[f64], emit: &mut impl FnMut(usize, f64)) -> f64 {
        match self {
            Term::Source { rate, .. } => *rate,
            Term::FirstOrder { from, rate, .. } | Term::Transition { from, rate, .. } => {
                emit(*from, *rate);
                rate * y[*from]
            }
            Term::Production { by, rate, .. } => {
                emit(*by, *rate);
                rate * y[*by]
            }
            Term::Binding {
                ligand,
                receptor,
                complex,
                kon,
                koff,
            } => {
                emit(*ligand, kon * y[*receptor]);
                emit(*receptor, kon * y[*ligand]);
                emit(*complex, -koff);
                kon * y[*ligand] * y[*receptor] - koff * y[*complex]
            }
            Term::TimeVaryingLoss { from, rate, change } => {
                let k = rate * change.factor(t);
                emit(*from, k);
                k * y[*from]
            }
            Term::Saturable {
                central,
                inv_v1,
                vmax,
                km,
            } => {
                let c = y[*central] * inv_v1;
                emit(*central, vmax * km / ((km + c) * (km + c)) * inv_v1);
                vmax * c / (km + c)
            }
            Term::Growth {
                x,
                burden,
                competitors,
                law,
                ..
            } => {
                let w = competed_burden(y, burden, competitors);
                let (dx, dw) = law.partials(y[*x], w);
                emit(*x, dx);
                burden.clone().for_each(|j| emit(j, dw));
                for (range, alpha) in competitors.iter() {
                    range.clone().for_each(|j| emit(j, dw * alpha));
                }
                law.flux(y[*x], w)
            }
            Term::Kill { by, on, law, .. } => {
                let (de, dt) = law.partials(y[*by], y[*on]);
                emit(*by, de);
                emit(*on, dt);
                law.flux(y[*by], y[*on])
            }
            Term::DrugLoss { on, effect, .. } => {
                emit(*on, effect.effect(y));
                emit(effect.central, effect.slope(y) * y[*on]);
                effect.effect(y) * y[*on]
            }
            Term::Recruit {
                burden, of, law, ..
            } => {
                let w: f64 = y[burden.clone()].iter().sum();
                let (sat, dsat) = (
                    law.rate * law.saturation(w),
                    law.rate * law.saturation_slope(w),
                );
                match law.mode {
                    RecruitmentMode::Expansion => {
                        emit(*of, sat);
                        burden.clone().for_each(|j| emit(j, dsat * y[*of]));
                        sat * y[*of]
                    }
                    RecruitmentMode::Influx => {
                        burden.clone().for_each(|j| emit(j, dsat));
                        sat
                    }
                }
            }
            Term::Inactivate { burden, of, rate } => {
                let w: f64 = y[burden.clone()].iter().sum();
                emit(*of, rate * w);
                burden.clone().for_each(|j| emit(j, rate * y[*of]));
                rate * y[*of] * w
            }
            Term::Flux { rate, .. } => {
                for (j, d) in rate.partials.iter() {
                    emit(*j, d.eval(t, y));
                }
                rate.value.eval(t, y)
            }
        }
    }

    /// Adds this term's partial derivatives to the row-major `n × n` Jacobian `jac`.
    pub(crate) fn jacobian(&self, t: f64, y: &[f64], jac: &mut [f64]) {
        let n = y.len();
        let stoichiometry = self.stoichiometry();
        let rows = stoichiometry.rows();
        let mods = self.modifiers();
        let m = factor(mods, t, y);
        let mut add = |j: usize, d: f64| {
            for &(i, s) in rows {
                jac[i * n + j] += s * d;
            }
        };
        let base = self.base_flux(t, y, &mut |j, d| add(j, d * m));
        product_gradient(mods, t, y, base, &mut add);
    }

    /// Emits every `(row, column)` where this term may make the Jacobian non-zero.
    pub(crate) fn pattern(&self, emit: &mut impl FnMut(usize, usize)) {
        let stoichiometry = self.stoichiometry();
        let mut columns = Vec::new();
        // Structure only: the state is not needed, but laws read their inputs' values; ones
        // keep every read finite.
        let ones = vec![1.0; self.max_index() + 1];
        self.base_flux(0.0, &ones, &mut |j, _| columns.push(j));
        for m in self.modifiers() {
            m.reads(&mut |j| columns.push(j));
        }
        for &(i, _) in stoichiometry.rows() {
            for &j in &columns {
                emit(i, j);
            }
        }
    }

    /// The largest state index the term touches.
    fn max_index(&self) -> usize {
        let mut max = 0;
        let mut see = |j: usize| max = max.max(j);
        for &(i, _) in self.stoichiometry().rows() {
            see(i);
        }
        match self {
            Term::Growth {
                burden,
                competitors,
                ..
            } => {
                see(burden.end.saturating_sub(1));
                for (range, _) in competitors.iter() {
                    see(range.end.saturating_sub(1));
                }
            }
            Term::Recruit { burden, .. } | Term::Inactivate { burden, .. } => {
                see(burden.end.saturating_sub(1))
            }
            Term::Kill { by, .. } => see(*by),
            Term::Production { by, .. } => see(*by),
            Term::DrugLoss { effect, .. } => see(effect.central),
            Term::Flux { rate, .. } => rate.value.states().iter().for_each(|&j| see(j)),
            _ => {}
        }
        for m in self.modifiers() {
            m.reads(&mut see);
        }
        max
    }
}

/// Where each component's states sit in the state vector.
#[derive(Clone, Debug, Default)]
pub(crate) struct Layout {
    pub tumors: Vec<Range<usize>>,
    pub effectors: Vec<usize>,
    pub suppressors: Vec<usize>,
    pub species: Vec<usize>,
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
            ComponentKind::Species => self.species.get(ordinal).copied(),
            ComponentKind::Drug => self.drugs.get(ordinal).map(|d| d.central),
            ComponentKind::Custom | ComponentKind::Process | ComponentKind::Observable => None,
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
/// let dy = model.derivative(0.0, model.initial_state())?;
/// assert!((dy[0] - 0.15e6).abs() < 1e-6);
/// # Ok::<(), oncodyn::Error>(())
/// ```
pub trait Custom: Send + Sync + std::fmt::Debug {
    /// Adds this term's rates at time `t` (days) to `dy`, reading states from `y`.
    fn add_rates(&self, t: f64, y: &States<'_>, dy: &mut Rates<'_>);
}
