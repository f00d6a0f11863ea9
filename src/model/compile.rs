//! Compiling a validated [`ModelSpec`] to the flat term list of a [`Model`]: every name becomes a
//! state index here, once, so the right-hand side never looks anything up.

use super::expr::{Expression, Operand};
use super::term::Compiled;
use super::validate::{state_names, validate};
use crate::model::error::BuildError;
use crate::model::ComponentKind;
use crate::model::{
    BuilderId, CustomTerm, DrugEffect, DrugLayout, Factor, Input, Layout, Model, ModelSpec,
    Modifier, Observable, Process, RateRef, Signal, Sparsity, StateInfo, StateRole, SuppressedRate,
    TargetRate, Term,
};
use crate::units::Unit;
use std::ops::Range;

/// Validates `spec` and compiles it, with `custom` terms appended after the built-ins.
pub(crate) fn compile(
    spec: ModelSpec,
    custom: Vec<CustomTerm>,
    builder: BuilderId,
) -> Result<Model, BuildError> {
    validate(&spec)?;
    let names = state_names(&spec);
    let mut states = Vec::with_capacity(names.len());
    let mut initial = Vec::with_capacity(names.len());
    let mut layout = Layout::default();
    let mut push = |role: StateRole, unit: Unit, component: &str, value: f64| {
        let index = states.len();
        states.push(StateInfo {
            name: names[index].clone(),
            unit,
            role,
            component: component.to_string(),
        });
        initial.push(value);
        index
    };

    for t in &spec.tumors {
        let unit = Unit::from(t.unit);
        let start = push(StateRole::Tumor, unit.clone(), &t.name, t.initial);
        for i in 1..=t.transit.map_or(0, |tr| tr.compartments) {
            push(StateRole::TumorTransit(i), unit.clone(), &t.name, 0.0);
        }
        layout
            .tumors
            .push(start..start + 1 + t.transit.map_or(0, |tr| tr.compartments));
    }
    for c in &spec.effectors {
        layout
            .effectors
            .push(push(StateRole::Effector, Unit::Cells, &c.name, c.initial));
    }
    for c in &spec.suppressors {
        layout
            .suppressors
            .push(push(StateRole::Suppressor, Unit::Cells, &c.name, c.initial));
    }
    for s in &spec.species {
        layout
            .species
            .push(push(StateRole::Species, s.unit.clone(), &s.name, s.initial));
    }
    for d in &spec.drugs {
        let depot = d
            .absorption
            .map(|_| push(StateRole::Depot, Unit::Milligrams, &d.name, 0.0));
        let central = push(StateRole::Central, Unit::Milligrams, &d.name, 0.0);
        for i in 1..=d.peripherals.len() {
            push(StateRole::Peripheral(i), Unit::Milligrams, &d.name, 0.0);
        }
        layout.drugs.push(DrugLayout {
            depot,
            central,
            peripherals: central + 1..central + 1 + d.peripherals.len(),
            inv_v1: 1.0 / d.v1,
            bioavailability: d.absorption.map_or(1.0, |a| a.bioavailability),
        });
    }

    let index = Index {
        spec: &spec,
        layout: &layout,
        names: &names,
    };
    let terms = index.terms()?;
    let observables = spec
        .observables
        .iter()
        .map(|o| {
            Ok(Observable {
                name: o.name.clone(),
                unit: o.unit.clone(),
                signal: index.signal(&o.input)?,
            })
        })
        .collect::<Result<_, BuildError>>()?;
    let sparsity = Sparsity::of(&terms, states.len(), !custom.is_empty());
    let model = Model {
        sparsity,
        observables,
        builder,
        states,
        initial,
        terms,
        custom,
        layout,
        spec,
    };
    match model.foreign_custom_term() {
        Some(name) => Err(BuildError::ForeignHandle {
            component: name.to_string(),
            kind: crate::model::ComponentKind::Custom,
        }),
        None => Ok(model),
    }
}

/// Name → index resolution over a spec whose names were validated.
struct Index<'a> {
    spec: &'a ModelSpec,
    layout: &'a Layout,
    names: &'a [String],
}

/// What a name in an expression means in `spec` with states `names`: a parameter's value, a
/// state, or time (`t`), in that order.
pub(crate) fn operand(spec: &ModelSpec, names: &[String], name: &str) -> Option<Operand> {
    if let Some(value) = spec.parameters.get(name) {
        return Some(Operand::Const(*value));
    }
    if let Some(i) = names.iter().position(|n| n == name) {
        return Some(Operand::State(i));
    }
    (name == "t").then_some(Operand::Time)
}

/// The position of the item named `name` in `items`, or the typed error naming what exists.
/// Validation has already reported every unknown name with its component, so this error is
/// the backstop of a lowering that would otherwise index out of range.
fn position<T>(
    items: &[T],
    name: &str,
    kind: ComponentKind,
    get: impl Fn(&T) -> &str,
) -> Result<usize, BuildError> {
    items
        .iter()
        .position(|c| get(c) == name)
        .ok_or_else(|| BuildError::UnknownName {
            name: name.to_string(),
            kind,
            available: items.iter().map(&get).collect::<Vec<_>>().join(", "),
        })
}

impl Index<'_> {
    fn tumor(&self, name: &str) -> Result<Range<usize>, BuildError> {
        let i = position(&self.spec.tumors, name, ComponentKind::Tumor, |c| &c.name)?;
        Ok(self.layout.tumors[i].clone())
    }

    /// The state of the effector or suppressor named `name`.
    fn cells(&self, name: &str) -> Result<usize, BuildError> {
        match self.spec.effectors.iter().position(|c| c.name == name) {
            Some(i) => Ok(self.layout.effectors[i]),
            None => {
                let kind = ComponentKind::Suppressor;
                let i = position(&self.spec.suppressors, name, kind, |c| &c.name)?;
                Ok(self.layout.suppressors[i])
            }
        }
    }

    /// The state named `name` (any kind; a tumor's proliferating cells, a drug's `_central`).
    fn state(&self, name: &str) -> Result<usize, BuildError> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| BuildError::UnknownState {
                component: "model".to_string(),
                name: name.to_string(),
                available: self.names.join(", "),
            })
    }

    fn species(&self, name: &str) -> Result<usize, BuildError> {
        let i = position(&self.spec.species, name, ComponentKind::Species, |c| {
            &c.name
        })?;
        Ok(self.layout.species[i])
    }

    fn drug(&self, name: &str) -> Result<&DrugLayout, BuildError> {
        let i = position(&self.spec.drugs, name, ComponentKind::Drug, |c| &c.name)?;
        Ok(&self.layout.drugs[i])
    }

    fn signal(&self, input: &Input) -> Result<Signal, BuildError> {
        Ok(match input {
            Input::State(name) => Signal::State(self.state(name)?),
            Input::Concentration(drug) => {
                let d = self.drug(drug)?;
                Signal::Scaled {
                    state: d.central,
                    factor: d.inv_v1,
                }
            }
            Input::Burden(tumor) => Signal::Sum(self.tumor(tumor)?),
            Input::TotalBurden => Signal::Sum(0..self.layout.tumors.last().map_or(0, |r| r.end)),
            Input::Ratio {
                numerator,
                denominator,
            } => Signal::Ratio {
                numerator: self.state(numerator)?,
                denominator: self.state(denominator)?,
            },
            Input::Fraction { part, among } => Signal::Fraction {
                part: self.state(part)?,
                among: among
                    .iter()
                    .map(|s| self.state(s))
                    .collect::<Result<_, _>>()?,
            },
            Input::Expression(e) => Signal::Expression(Box::new(self.expression(e)?)),
        })
    }

    /// `e` compiled with its partial derivatives.
    fn expression(&self, e: &Expression) -> Result<Compiled, BuildError> {
        let program = e
            .compile(|name| operand(self.spec, self.names, name))
            .map_err(|source| BuildError::Expression {
                component: e.source().to_string(),
                source,
            })?;
        Ok(Compiled::new(program))
    }

    /// The modifiers the spec puts on `rate`.
    fn modifiers(&self, rate: &RateRef) -> Result<Vec<Modifier>, BuildError> {
        self.spec
            .modifiers
            .iter()
            .filter(|m| m.on == *rate)
            .map(|m| {
                Ok(Modifier::Factor {
                    input: self.signal(&m.input)?,
                    factor: m.factor,
                })
            })
            .collect()
    }

    fn drug_effect(
        &self,
        drug: &str,
        law: crate::model::EffectLaw,
    ) -> Result<DrugEffect, BuildError> {
        let d = self.drug(drug)?;
        Ok(DrugEffect {
            central: d.central,
            inv_v1: d.inv_v1,
            law,
        })
    }

    /// Drug effects of `rate` on the population named `of`.
    fn effects(&self, rate: TargetRate, of: &str) -> Result<Vec<DrugEffect>, BuildError> {
        self.spec
            .effects
            .iter()
            .filter(|e| e.rate == rate && e.of == of)
            .map(|e| self.drug_effect(&e.drug, e.law))
            .collect()
    }

    /// Suppressions of `rate` of effector `of`, each relieved by the drugs acting on its
    /// suppressor.
    fn suppressions(&self, rate: SuppressedRate, of: &str) -> Result<Vec<Modifier>, BuildError> {
        self.spec
            .suppressions
            .iter()
            .filter(|s| s.rate == rate && s.of == of)
            .map(|s| {
                Ok(Modifier::Suppress {
                    state: self.cells(&s.by)?,
                    inhibition: s.inhibition,
                    relief: self.effects(TargetRate::Suppression, &s.by)?.into(),
                })
            })
            .collect()
    }

    fn terms(&self) -> Result<Vec<Term>, BuildError> {
        let spec = self.spec;
        let mut terms = Vec::new();
        let first_order = |from, to, rate: f64, terms: &mut Vec<Term>| {
            if rate != 0.0 {
                terms.push(Term::FirstOrder { from, to, rate });
            }
        };
        for (t, range) in spec.tumors.iter().zip(&self.layout.tumors) {
            let mods = self
                .effects(TargetRate::GrowthInhibition, &t.name)?
                .into_iter()
                .map(|e| Modifier::drug(e, Factor::Inhibition))
                .chain(self.modifiers(&RateRef::Growth(t.name.clone()))?)
                .collect();
            let competitors = t
                .competitors
                .iter()
                .map(|c| Ok((self.tumor(&c.tumor)?, c.coefficient)))
                .collect::<Result<_, BuildError>>()?;
            terms.push(Term::Growth {
                x: range.start,
                burden: range.clone(),
                competitors,
                law: t.growth,
                mods,
            });
            if let Some(tr) = t.transit {
                for i in range.start + 1..range.end {
                    let to = (i + 1 < range.end).then_some(i + 1);
                    first_order(i, to, tr.rate, &mut terms);
                }
            }
            for effect in self.effects(TargetRate::TumorKill, &t.name)? {
                terms.push(Term::DrugLoss {
                    on: range.start,
                    to: transit_entry(range),
                    effect,
                });
            }
        }
        let cells = spec.effectors.iter().chain(&spec.suppressors);
        for c in cells {
            let state = self.cells(&c.name)?;
            if c.source != 0.0 {
                terms.push(Term::Source {
                    to: state,
                    rate: c.source,
                    mods: self.modifiers(&RateRef::Source(c.name.clone()))?.into(),
                });
            }
            first_order(state, None, c.death, &mut terms);
            for rate in [TargetRate::EffectorDeath, TargetRate::SuppressorDeath] {
                for effect in self.effects(rate, &c.name)? {
                    terms.push(Term::DrugLoss {
                        on: state,
                        to: None,
                        effect,
                    });
                }
            }
        }
        for (s, &state) in spec.species.iter().zip(&self.layout.species) {
            if s.production != 0.0 {
                terms.push(Term::Source {
                    to: state,
                    rate: s.production,
                    mods: self.modifiers(&RateRef::Source(s.name.clone()))?.into(),
                });
            }
            first_order(state, None, s.decay, &mut terms);
        }
        for (d, l) in spec.drugs.iter().zip(&self.layout.drugs) {
            if let (Some(depot), Some(a)) = (l.depot, d.absorption) {
                first_order(depot, Some(l.central), a.ka, &mut terms);
            }
            match d.clearance_change {
                Some(change) if d.cl != 0.0 => terms.push(Term::TimeVaryingLoss {
                    from: l.central,
                    rate: d.cl * l.inv_v1,
                    change,
                }),
                _ => first_order(l.central, None, d.cl * l.inv_v1, &mut terms),
            }
            for (p, state) in d.peripherals.iter().zip(l.peripherals.clone()) {
                first_order(l.central, Some(state), p.q * l.inv_v1, &mut terms);
                first_order(state, Some(l.central), p.q / p.v, &mut terms);
            }
            if let Some(m) = d.saturable {
                terms.push(Term::Saturable {
                    central: l.central,
                    inv_v1: l.inv_v1,
                    vmax: m.vmax,
                    km: m.km,
                });
            }
        }
        for k in &spec.kills {
            let range = self.tumor(&k.on)?;
            let mut mods: Vec<Modifier> = self
                .effects(TargetRate::EffectorKill, &k.by)?
                .into_iter()
                .map(|e| Modifier::drug(e, Factor::Activation))
                .collect();
            mods.extend(self.suppressions(SuppressedRate::Kill, &k.by)?);
            mods.extend(self.modifiers(&RateRef::Kill {
                by: k.by.clone(),
                on: k.on.clone(),
            })?);
            terms.push(Term::Kill {
                by: self.cells(&k.by)?,
                on: range.start,
                to: transit_entry(&range),
                law: k.law,
                mods: mods.into(),
            });
        }
        for r in &spec.recruitments {
            terms.push(Term::Recruit {
                burden: self.tumor(&r.by)?,
                of: self.cells(&r.of)?,
                law: r.law,
                mods: self
                    .suppressions(SuppressedRate::Recruitment, &r.of)?
                    .into_iter()
                    .chain(self.modifiers(&RateRef::Recruitment {
                        by: r.by.clone(),
                        of: r.of.clone(),
                    })?)
                    .collect(),
            });
        }
        for i in &spec.inactivations {
            terms.push(Term::Inactivate {
                burden: self.tumor(&i.by)?,
                of: self.cells(&i.of)?,
                rate: i.rate,
            });
        }
        for p in &spec.processes {
            let mods: Box<[Modifier]> = self
                .modifiers(&RateRef::Process(p.name().to_string()))?
                .into();
            terms.push(match p {
                Process::Transition(p) => Term::Transition {
                    from: self.state(&p.from)?,
                    to: p.to.as_deref().map(|to| self.state(to)).transpose()?,
                    rate: p.rate,
                    mods,
                },
                Process::Production(p) => Term::Production {
                    by: self.state(&p.by)?,
                    of: self.state(&p.of)?,
                    rate: p.rate,
                    mods,
                },
                Process::Binding(p) => Term::Binding {
                    ligand: self.species(&p.ligand)?,
                    receptor: self.species(&p.receptor)?,
                    complex: self.species(&p.complex)?,
                    kon: p.kon,
                    koff: p.koff,
                },
                Process::Flux(p) => Term::Flux {
                    rate: Box::new(self.expression(&p.rate)?),
                    rows: p
                        .changes
                        .iter()
                        .map(|c| Ok((self.state(&c.state)?, c.coefficient)))
                        .collect::<Result<_, BuildError>>()?,
                    mods,
                },
            });
        }
        Ok(terms)
    }
}

/// The first transit compartment of a tumor occupying `range`, if it has a chain.
fn transit_entry(range: &Range<usize>) -> Option<usize> {
    (range.len() > 1).then_some(range.start + 1)
}

#[cfg(test)]
mod tests {
    use super::position;
    use crate::model::error::BuildError;
    use crate::model::ComponentKind;

    /// A name lowering cannot find is a typed error naming what exists, not an index past the
    /// end (validation reports it first, with its component; this is the backstop).
    #[test]
    fn an_unknown_name_in_lowering_is_a_typed_error() {
        let names = ["tumor", "clone_b"];
        assert_eq!(
            position(&names, "clone_b", ComponentKind::Tumor, |n| n),
            Ok(1)
        );
        let err = position(&names, "ghost", ComponentKind::Tumor, |n| n);
        assert!(
            matches!(&err, Err(BuildError::UnknownName { name, kind: ComponentKind::Tumor, available })
                if name == "ghost" && available == "tumor, clone_b"),
            "{err:?}"
        );
    }
}
