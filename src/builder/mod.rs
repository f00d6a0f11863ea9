//! [`ModelBuilder`]: add components, receive typed handles, `build()` a [`Model`].
//!
//! Use this module to assemble a model in code. Each method checks what it can alone (name,
//! parameter values, that handles come from this builder) and returns a typed handle; `build()`
//! runs the whole-model checks and resolves everything to state indices.
//!
//! ```
//! use oncodyn::prelude::*;
//!
//! let mut b = ModelBuilder::new();
//! let tumor = b.tumor(TumorSpec::new("tumor", 1e9, Gompertz { rate: 0.1, capacity: 1e12 }))?;
//! let ctl = b.effector(CellSpec { name: "ctl".into(), initial: 1e6, source: 1e4, death: 0.04, ..Default::default() })?;
//! let pd1 = b.drug(DrugSpec::new("anti_pd1", TwoCompartment { cl: 0.2, v1: 3.0, q: 0.8, v2: 4.0 }))?;
//! b.kill(ctl, tumor, MassAction { rate: 1e-10 })?;   // (by, on): swapped arguments do not compile
//! b.effect(pd1, Target::EffectorKill(ctl), Emax { emax: 1.0, ec50: 10.0 })?;
//! let model = b.build()?;
//! assert_eq!(model.n_states(), 4); // tumor, ctl, anti_pd1 central and peripheral
//! # Ok::<(), oncodyn::Error>(())
//! ```

use crate::model::validate;
use crate::model::BuildError;
use crate::model::{
    compile, Binding, BuilderId, CellSpec, ComponentKind, Custom, CustomTerm, DrugId, DrugSpec,
    EffectLaw, EffectSpec, Effector, Factor, ImmuneKind, InactivationSpec, Inhibition, Input,
    KillLaw, KillSpec, Model, ModelSpec, ModifierSpec, Process, ProcessId, Production, RateRef,
    Recruitment, RecruitmentSpec, Requirement, Species, SpeciesSpec, StateId, StateRef,
    SuppressedRate, SuppressionSpec, Suppressor, TargetRate, Transition, Tumor, TumorSpec,
};
use std::sync::Arc;

/// The rate a drug acts on, with the handle of the population it belongs to. See
/// [`TargetRate`] for how the effect `E(C)` enters each rate and in which unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// Added kill `E(C)·T` of a tumor (E in 1/day).
    TumorKill(StateId<Tumor>),
    /// Growth of a tumor multiplied by `1 − E(C)`.
    GrowthInhibition(StateId<Tumor>),
    /// Every kill by an effector multiplied by `1 + E(C)`.
    EffectorKill(StateId<Effector>),
    /// Added death `E(C)·E` of an effector (E in 1/day).
    EffectorDeath(StateId<Effector>),
    /// Added death `E(C)·S` of a suppressor (E in 1/day).
    SuppressorDeath(StateId<Suppressor>),
    /// Every suppression by a suppressor multiplied by `1 − E(C)`.
    Suppression(StateId<Suppressor>),
}

/// A rate a modifier multiplies, by handle: the typed form of [`RateRef`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rate {
    /// A process added with [`ModelBuilder::transition`] or [`ModelBuilder::production`].
    Process(ProcessId),
    /// Every kill of a tumor by an effector.
    Kill(StateId<Effector>, StateId<Tumor>),
    /// The growth of a tumor.
    Growth(StateId<Tumor>),
    /// The recruitment of a population by a tumor.
    Recruitment(StateId<Tumor>, StateRef),
    /// The constant source of a cell population or the production of a species.
    Source(StateRef),
}

/// The quantity a modifier reads, by handle: the typed form of [`Input`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signal {
    /// A state (a species, a cell population, a tumor's proliferating cells).
    State(StateRef),
    /// A drug's central concentration, mg/L.
    Concentration(DrugId),
    /// A tumor's total burden.
    Burden(StateId<Tumor>),
    /// The summed burden of every tumor.
    TotalBurden,
    /// The ratio of two states.
    Ratio(StateRef, StateRef),
    /// The fraction of the first state in the sum of the others (see [`Input::Fraction`]).
    Fraction(StateRef, Vec<StateRef>),
}

/// Builds a [`Model`] from components; see the [module docs](self).
#[derive(Debug)]
pub struct ModelBuilder {
    id: BuilderId,
    spec: ModelSpec,
    custom: Vec<CustomTerm>,
}

impl Default for ModelBuilder {
    fn default() -> Self {
        ModelBuilder::new()
    }
}

impl ModelBuilder {
    /// An empty builder with a fresh identity (its handles work only with it).
    pub fn new() -> Self {
        ModelBuilder {
            id: BuilderId::fresh(),
            spec: ModelSpec::default(),
            custom: Vec::new(),
        }
    }

    fn check_name(&self, name: &str, kind: ComponentKind) -> Result<(), BuildError> {
        if name.is_empty() {
            return Err(BuildError::EmptyName { kind });
        }
        let s = &self.spec;
        let taken = s.tumors.iter().any(|c| c.name == name)
            || s.effectors
                .iter()
                .chain(&s.suppressors)
                .any(|c| c.name == name)
            || s.drugs.iter().any(|c| c.name == name)
            || s.species.iter().any(|c| c.name == name)
            || s.processes.iter().any(|p| p.name() == name)
            || self.custom.iter().any(|c| c.name == name);
        if taken {
            return Err(BuildError::DuplicateName {
                name: name.to_string(),
            });
        }
        Ok(())
    }

    fn name_of<K: crate::model::PopulationKind>(
        &self,
        id: StateId<K>,
        component: &str,
    ) -> Result<String, BuildError> {
        self.state_name(id.into(), component)
    }

    fn state_name(&self, id: StateRef, component: &str) -> Result<String, BuildError> {
        let foreign = || BuildError::ForeignHandle {
            component: component.to_string(),
            kind: id.kind,
        };
        if id.builder != self.id {
            return Err(foreign());
        }
        let s = &self.spec;
        let name = match id.kind {
            ComponentKind::Tumor => s.tumors.get(id.ordinal).map(|c| &c.name),
            ComponentKind::Effector => s.effectors.get(id.ordinal).map(|c| &c.name),
            ComponentKind::Suppressor => s.suppressors.get(id.ordinal).map(|c| &c.name),
            ComponentKind::Species => s.species.get(id.ordinal).map(|c| &c.name),
            ComponentKind::Drug
            | ComponentKind::Custom
            | ComponentKind::Process
            | ComponentKind::Observable => None,
        };
        name.cloned().ok_or_else(foreign)
    }

    fn drug_name(&self, id: DrugId, component: &str) -> Result<String, BuildError> {
        match self.spec.drugs.get(id.ordinal) {
            Some(d) if id.builder == self.id => Ok(d.name.clone()),
            _ => Err(BuildError::ForeignHandle {
                component: component.to_string(),
                kind: ComponentKind::Drug,
            }),
        }
    }

    /// Adds a tumor clone.
    ///
    /// # Errors
    /// An empty or duplicate name, or an invalid parameter (named in the error).
    pub fn tumor(&mut self, tumor: TumorSpec) -> Result<StateId<Tumor>, BuildError> {
        self.check_name(&tumor.name, ComponentKind::Tumor)?;
        let mut problems = Vec::new();
        validate::check_tumor(&tumor, &mut problems);
        validate::verdict(problems)?;
        self.spec.tumors.push(tumor);
        Ok(StateId::new(self.spec.tumors.len() - 1, self.id))
    }

    /// Makes tumor clone `tumor` compete with clone `with` (Lotka–Volterra): one unit of `with`
    /// counts `coefficient` units (dimensionless, ≥ 0) against `tumor`'s capacity; see
    /// [`TumorSpec::competing_with`](crate::model::TumorSpec::competing_with), here for clones
    /// already added (a mechanism adding a variant of an existing clone).
    ///
    /// # Errors
    /// A foreign handle, a clone competing with itself, or a negative or non-finite coefficient
    /// (reported by [`build`](Self::build) with the tumor's name).
    pub fn compete(
        &mut self,
        tumor: StateId<Tumor>,
        with: StateId<Tumor>,
        coefficient: f64,
    ) -> Result<(), BuildError> {
        let with = self.name_of(with, "competition")?;
        let name = self.name_of(tumor, "competition")?;
        let spec = self.spec.tumors.iter_mut().find(|t| t.name == name).ok_or(
            BuildError::ForeignHandle {
                component: "competition".to_string(),
                kind: ComponentKind::Tumor,
            },
        )?;
        spec.competitors.push(crate::model::Competitor {
            tumor: with,
            coefficient,
        });
        Ok(())
    }

    /// Adds an effector population.
    ///
    /// # Errors
    /// An empty or duplicate name, or an invalid parameter.
    pub fn effector(&mut self, cells: CellSpec) -> Result<StateId<Effector>, BuildError> {
        self.check_name(&cells.name, ComponentKind::Effector)?;
        let mut problems = Vec::new();
        validate::check_cells(&cells, &mut problems);
        validate::verdict(problems)?;
        self.spec.effectors.push(cells);
        Ok(StateId::new(self.spec.effectors.len() - 1, self.id))
    }

    /// Adds a suppressor population.
    ///
    /// # Errors
    /// An empty or duplicate name, or an invalid parameter.
    pub fn suppressor(&mut self, cells: CellSpec) -> Result<StateId<Suppressor>, BuildError> {
        self.check_name(&cells.name, ComponentKind::Suppressor)?;
        let mut problems = Vec::new();
        validate::check_cells(&cells, &mut problems);
        validate::verdict(problems)?;
        self.spec.suppressors.push(cells);
        Ok(StateId::new(self.spec.suppressors.len() - 1, self.id))
    }

    /// Adds a species (cytokine, receptor, complex, virus, any named quantity) in its own unit.
    ///
    /// ```
    /// use oncodyn::prelude::*;
    /// use oncodyn::model::SpeciesSpec;
    /// use oncodyn::units::Unit;
    ///
    /// // Target-mediated drug disposition (PROBLEMS.md problem 4): L + R ⇌ P, all in nM.
    /// let mut b = ModelBuilder::new();
    /// let drug = b.species(SpeciesSpec::new("free_drug", Unit::Nanomolar, 0.0).with_decay(0.2))?;
    /// let target = b.species(
    ///     SpeciesSpec::new("free_target", Unit::Nanomolar, 10.0).with_production(1.0).with_decay(0.1),
    /// )?;
    /// let complex = b.species(SpeciesSpec::new("complex", Unit::Nanomolar, 0.0).with_decay(0.5))?;
    /// b.binding("binding", drug, target, complex, 1000.0, 1.0)?;   // 1/(nM·day), 1/day
    /// let model = b.build()?;
    /// let dy = model.derivative(0.0, &[10.0, 10.0, 0.0])?;
    /// assert_eq!(dy[2], 1000.0 * 10.0 * 10.0);                      // complex forms at kon·L·R
    /// # Ok::<(), oncodyn::Error>(())
    /// ```
    ///
    /// # Errors
    /// An empty or duplicate name, or an invalid parameter.
    pub fn species(&mut self, species: SpeciesSpec) -> Result<StateId<Species>, BuildError> {
        self.check_name(&species.name, ComponentKind::Species)?;
        let mut problems = Vec::new();
        validate::check_params(&species.name, species.parameters(), &mut problems);
        validate::verdict(problems)?;
        self.spec.species.push(species);
        Ok(StateId::new(self.spec.species.len() - 1, self.id))
    }

    /// Adds a named constant that expressions read (see [`flux`](Self::flux)); its unit is
    /// whatever its expressions use it in.
    ///
    /// # Errors
    /// An empty name, a name already taken by a parameter, or a non-finite value (a name that
    /// shadows a state is reported by [`build`](Self::build)).
    pub fn parameter(&mut self, name: &str, value: f64) -> Result<(), BuildError> {
        if name.is_empty() {
            return Err(BuildError::InvalidStructure {
                component: "parameters".to_string(),
                param: "name",
                reason: "a parameter needs a name",
            });
        }
        if self.spec.parameters.contains_key(name) {
            return Err(BuildError::DuplicateName {
                name: name.to_string(),
            });
        }
        if !value.is_finite() {
            return Err(BuildError::InvalidParameter {
                component: "parameters".to_string(),
                param: "value",
                value,
                reason: "must be finite",
            });
        }
        self.spec.parameters.insert(name.to_string(), value);
        Ok(())
    }

    /// Adds a flux given as an expression over state names, parameters and `t` (see
    /// [`expr`](crate::model::expr)): `d state/dt += coefficient·rate` for each of `changes`.
    /// The expression is parsed here and resolved when the model is built; modifiers apply
    /// to it through [`Rate::Process`].
    ///
    /// ```
    /// use oncodyn::prelude::*;
    /// use oncodyn::model::SpeciesSpec;
    /// use oncodyn::units::Unit;
    ///
    /// // IL-2 produced by effectors in proportion to tumor contact, k·E·T/(g + T).
    /// let mut b = ModelBuilder::new();
    /// let tumor = b.tumor(TumorSpec::new("tumor", 1e6, Exponential { rate: 0.1 }))?;
    /// let ctl = b.effector(CellSpec { name: "ctl".into(), initial: 1e5, source: 0.0, death: 0.1, ..Default::default() })?;
    /// let il2 = b.species(SpeciesSpec::new("il2", Unit::PicogramsPerMilliliter, 0.0))?;
    /// b.parameter("k", 5e-5)?;
    /// b.parameter("g", 1e5)?;
    /// b.flux("il2_production", "k * ctl * tumor / (g + tumor)", &[(il2.into(), 1.0)])?;
    /// let model = b.build()?;
    /// let dy = model.derivative(0.0, model.initial_state())?;
    /// let expected = 5e-5 * 1e5 * 1e6 / (1e5 + 1e6);
    /// assert!((dy[model.states().len() - 1] - expected).abs() < 1e-9);
    /// # let _ = (tumor, ctl);
    /// # Ok::<(), oncodyn::Error>(())
    /// ```
    ///
    /// # Errors
    /// An empty or duplicate name, a foreign handle, a non-finite coefficient, or an
    /// expression that does not parse ([`BuildError::Expression`], with the position); an
    /// empty list of changes and an expression naming nothing are reported by
    /// [`build`](Self::build).
    pub fn flux(
        &mut self,
        name: &str,
        rate: &str,
        changes: &[(StateRef, f64)],
    ) -> Result<ProcessId, BuildError> {
        let rate = crate::model::expr::Expression::parse(rate).map_err(|source| {
            BuildError::Expression {
                component: name.to_string(),
                source,
            }
        })?;
        let changes = changes
            .iter()
            .map(|(state, coefficient)| {
                Ok(crate::model::Change {
                    state: self.state_name(*state, name)?,
                    coefficient: *coefficient,
                })
            })
            .collect::<Result<Vec<_>, BuildError>>()?;
        self.process(Process::Flux(crate::model::Flux {
            name: name.to_string(),
            rate,
            changes,
        }))
    }

    fn process(&mut self, process: Process) -> Result<ProcessId, BuildError> {
        self.check_name(process.name(), ComponentKind::Process)?;
        let mut problems = Vec::new();
        validate::check_params(process.name(), process.parameters(), &mut problems);
        validate::verdict(problems)?;
        self.spec.processes.push(process);
        Ok(ProcessId {
            ordinal: self.spec.processes.len() - 1,
            builder: self.id,
        })
    }

    /// Adds a first-order transition `from → to` at `rate` (1/day): active → exhausted T
    /// cells, M1 → M2 macrophages, stem → differentiated tumor cells. Its rate can be
    /// modulated with [`modify`](Self::modify) and [`Rate::Process`].
    ///
    /// # Errors
    /// An empty or duplicate name, a foreign handle, or a negative or non-finite rate.
    pub fn transition(
        &mut self,
        name: &str,
        from: impl Into<StateRef>,
        to: impl Into<StateRef>,
        rate: f64,
    ) -> Result<ProcessId, BuildError> {
        let from = self.state_name(from.into(), name)?;
        let to = Some(self.state_name(to.into(), name)?);
        self.process(Process::Transition(Transition {
            name: name.to_string(),
            from,
            to,
            rate,
        }))
    }

    /// Adds a first-order loss out of `from` at `rate` (1/day), to be modulated by modifiers
    /// (a death rate raised by a cytokine, for example).
    ///
    /// # Errors
    /// As [`transition`](Self::transition).
    pub fn loss(
        &mut self,
        name: &str,
        from: impl Into<StateRef>,
        rate: f64,
    ) -> Result<ProcessId, BuildError> {
        let from = self.state_name(from.into(), name)?;
        self.process(Process::Transition(Transition {
            name: name.to_string(),
            from,
            to: None,
            rate,
        }))
    }

    /// Adds production of `of` (a species, or a cell population for stimulated proliferation
    /// or recruitment) by state `by` at `rate` per unit of `by` (unit of `of`/(unit of
    /// `by`·day)); saturation in another quantity is a modifier with [`Factor::Effect`].
    ///
    /// # Errors
    /// As [`transition`](Self::transition).
    pub fn production(
        &mut self,
        name: &str,
        by: impl Into<StateRef>,
        of: impl Into<StateRef>,
        rate: f64,
    ) -> Result<ProcessId, BuildError> {
        let by = self.state_name(by.into(), name)?;
        let of = self.state_name(of.into(), name)?;
        self.process(Process::Production(Production {
            name: name.to_string(),
            by,
            of,
            rate,
        }))
    }

    /// Adds mass-action binding `ligand + receptor ⇌ complex` with `kon` (1/(unit·day)) and
    /// `koff` (1/day).
    ///
    /// # Errors
    /// As [`transition`](Self::transition).
    pub fn binding(
        &mut self,
        name: &str,
        ligand: StateId<Species>,
        receptor: StateId<Species>,
        complex: StateId<Species>,
        kon: f64,
        koff: f64,
    ) -> Result<ProcessId, BuildError> {
        let ligand = self.name_of(ligand, name)?;
        let receptor = self.name_of(receptor, name)?;
        let complex = self.name_of(complex, name)?;
        self.process(Process::Binding(Binding {
            name: name.to_string(),
            ligand,
            receptor,
            complex,
            kon,
            koff,
        }))
    }

    /// Multiplies `rate` by `factor` of `input` (see [`ModifierSpec`]): several modifiers on
    /// one rate multiply.
    ///
    /// ```
    /// use oncodyn::prelude::*;
    /// use oncodyn::builder::{Rate, Signal};
    /// use oncodyn::model::{Factor, SpeciesSpec};
    /// use oncodyn::units::Unit;
    ///
    /// // PD-L1 (dimensionless expression) inhibits kill by up to 90%, half at 0.5.
    /// let mut b = ModelBuilder::new();
    /// let tumor = b.tumor(TumorSpec::new("tumor", 1e8, Exponential { rate: 0.1 }))?;
    /// let ctl = b.effector(CellSpec { name: "ctl".into(), initial: 1e6, source: 0.0, death: 0.0, ..Default::default() })?;
    /// let pdl1 = b.species(SpeciesSpec::new("pdl1", Unit::Dimensionless, 0.5))?;
    /// b.kill(ctl, tumor, MassAction { rate: 1e-7 })?;
    /// b.modify(
    ///     Rate::Kill(ctl, tumor),
    ///     Signal::State(pdl1.into()),
    ///     Factor::Inhibition(Emax { emax: 0.9, ec50: 0.5 }.into()),
    /// )?;
    /// let model = b.build()?;
    /// let dy = model.derivative(0.0, model.initial_state())?;
    /// let kill = 1e-7 * 1e6 * 1e8 * (1.0 - 0.45);
    /// assert!((dy[0] - (0.1 * 1e8 - kill)).abs() < 1e-3);
    /// # Ok::<(), oncodyn::Error>(())
    /// ```
    ///
    /// # Errors
    /// A foreign handle, an invalid parameter of `factor`, or an unbounded inhibition; a rate
    /// that the model does not have is reported by [`build`](Self::build).
    pub fn modify(&mut self, rate: Rate, input: Signal, factor: Factor) -> Result<(), BuildError> {
        const MODIFIER: &str = "modifier";
        let on = match rate {
            Rate::Process(id) => match self.spec.processes.get(id.ordinal) {
                Some(p) if id.builder == self.id => RateRef::Process(p.name().to_string()),
                _ => {
                    return Err(BuildError::ForeignHandle {
                        component: MODIFIER.to_string(),
                        kind: ComponentKind::Process,
                    })
                }
            },
            Rate::Kill(by, on) => RateRef::Kill {
                by: self.name_of(by, MODIFIER)?,
                on: self.name_of(on, MODIFIER)?,
            },
            Rate::Growth(t) => RateRef::Growth(self.name_of(t, MODIFIER)?),
            Rate::Recruitment(by, of) => RateRef::Recruitment {
                by: self.name_of(by, MODIFIER)?,
                of: self.state_name(of, MODIFIER)?,
            },
            Rate::Source(of) => RateRef::Source(self.state_name(of, MODIFIER)?),
        };
        let input = match input {
            Signal::State(s) => Input::State(self.state_name(s, MODIFIER)?),
            Signal::Concentration(d) => Input::Concentration(self.drug_name(d, MODIFIER)?),
            Signal::Burden(t) => Input::Burden(self.name_of(t, MODIFIER)?),
            Signal::TotalBurden => Input::TotalBurden,
            Signal::Ratio(a, b) => Input::Ratio {
                numerator: self.state_name(a, MODIFIER)?,
                denominator: self.state_name(b, MODIFIER)?,
            },
            Signal::Fraction(part, among) => Input::Fraction {
                part: self.state_name(part, MODIFIER)?,
                among: among
                    .into_iter()
                    .map(|s| self.state_name(s, MODIFIER))
                    .collect::<Result<_, _>>()?,
            },
        };
        let modifier = ModifierSpec { on, input, factor };
        let mut problems = Vec::new();
        validate::check_modifier_law(&modifier, &mut problems);
        validate::verdict(problems)?;
        self.spec.modifiers.push(modifier);
        Ok(())
    }

    /// Adds a drug.
    ///
    /// # Errors
    /// An empty or duplicate name, or an invalid PK parameter.
    pub fn drug(&mut self, drug: DrugSpec) -> Result<DrugId, BuildError> {
        self.check_name(&drug.name, ComponentKind::Drug)?;
        let mut problems = Vec::new();
        validate::check_drug(&drug, &mut problems);
        validate::verdict(problems)?;
        self.spec.drugs.push(drug);
        Ok(DrugId {
            ordinal: self.spec.drugs.len() - 1,
            builder: self.id,
        })
    }

    /// Effector `by` kills tumor `on` with `law`.
    ///
    /// # Errors
    /// A foreign handle or an invalid parameter of `law`.
    pub fn kill(
        &mut self,
        by: StateId<Effector>,
        on: StateId<Tumor>,
        law: impl Into<KillLaw>,
    ) -> Result<(), BuildError> {
        let law = law.into();
        let by = self.name_of(by, "kill")?;
        let on = self.name_of(on, "kill")?;
        let mut problems = Vec::new();
        validate::check_params(&format!("{by} -> {on}"), law.parameters(), &mut problems);
        validate::verdict(problems)?;
        self.spec.kills.push(KillSpec { by, on, law });
        Ok(())
    }

    /// Tumor `by` recruits immune population `of` with `law`.
    ///
    /// # Errors
    /// A foreign handle or an invalid parameter of `law`.
    pub fn recruit<K: ImmuneKind>(
        &mut self,
        by: StateId<Tumor>,
        of: StateId<K>,
        law: Recruitment,
    ) -> Result<(), BuildError> {
        let by = self.name_of(by, "recruitment")?;
        let of = self.name_of(of, "recruitment")?;
        let mut problems = Vec::new();
        validate::check_params(&format!("{by} -> {of}"), law.parameters(), &mut problems);
        validate::verdict(problems)?;
        self.spec.recruitments.push(RecruitmentSpec { by, of, law });
        Ok(())
    }

    /// Tumor `by` inactivates immune population `of` on contact: `−rate·E·w`, `rate` in
    /// 1/(tumor unit·day).
    ///
    /// # Errors
    /// A foreign handle, or a negative or non-finite rate.
    pub fn inactivate<K: ImmuneKind>(
        &mut self,
        by: StateId<Tumor>,
        of: StateId<K>,
        rate: f64,
    ) -> Result<(), BuildError> {
        let by = self.name_of(by, "inactivation")?;
        let of = self.name_of(of, "inactivation")?;
        let mut problems = Vec::new();
        let params = vec![("rate", rate, Requirement::NonNegative)];
        validate::check_params(&format!("{by} -> {of}"), params, &mut problems);
        validate::verdict(problems)?;
        self.spec
            .inactivations
            .push(InactivationSpec { by, of, rate });
        Ok(())
    }

    /// Suppressor `by` damps `rate` of effector `of` by `1 − Imax·S/(S50 + S)`.
    ///
    /// # Errors
    /// A foreign handle or an invalid parameter of `inhibition`.
    pub fn suppress(
        &mut self,
        by: StateId<Suppressor>,
        of: StateId<Effector>,
        rate: SuppressedRate,
        inhibition: Inhibition,
    ) -> Result<(), BuildError> {
        let by = self.name_of(by, "suppression")?;
        let of = self.name_of(of, "suppression")?;
        let mut problems = Vec::new();
        validate::check_params(
            &format!("{by} -> {of}"),
            inhibition.parameters(),
            &mut problems,
        );
        validate::verdict(problems)?;
        self.spec.suppressions.push(SuppressionSpec {
            by,
            of,
            rate,
            inhibition,
        });
        Ok(())
    }

    /// Drug `drug` acts on `target` with effect law `law` of its central concentration.
    ///
    /// # Errors
    /// A foreign handle, an invalid parameter of `law`, or an unbounded law on an inhibition.
    pub fn effect(
        &mut self,
        drug: DrugId,
        target: Target,
        law: impl Into<EffectLaw>,
    ) -> Result<(), BuildError> {
        let law = law.into();
        let drug = self.drug_name(drug, "effect")?;
        let (rate, of) = match target {
            Target::TumorKill(t) => (TargetRate::TumorKill, self.name_of(t, "effect")?),
            Target::GrowthInhibition(t) => {
                (TargetRate::GrowthInhibition, self.name_of(t, "effect")?)
            }
            Target::EffectorKill(e) => (TargetRate::EffectorKill, self.name_of(e, "effect")?),
            Target::EffectorDeath(e) => (TargetRate::EffectorDeath, self.name_of(e, "effect")?),
            Target::SuppressorDeath(s) => (TargetRate::SuppressorDeath, self.name_of(s, "effect")?),
            Target::Suppression(s) => (TargetRate::Suppression, self.name_of(s, "effect")?),
        };
        let effect = EffectSpec {
            drug,
            rate,
            of,
            law,
        };
        let mut problems = Vec::new();
        validate::check_effect(&effect, &mut problems);
        validate::verdict(problems)?;
        self.spec.effects.push(effect);
        Ok(())
    }

    /// Adds a user term (see [`Custom`]) that runs after the built-in terms.
    ///
    /// # Errors
    /// An empty or duplicate name (names are shared with components). A handle from another
    /// builder inside the term is reported by [`build`](Self::build).
    pub fn custom(&mut self, name: &str, term: impl Custom + 'static) -> Result<(), BuildError> {
        self.check_name(name, ComponentKind::Custom)?;
        self.custom.push(CustomTerm {
            name: name.to_string(),
            term: Arc::new(term),
        });
        Ok(())
    }

    /// The plain-data description so far.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// Checks the whole model and resolves it to state indices.
    ///
    /// # Errors
    /// [`BuildError::EmptyModel`], or every problem found (see [`BuildError::problems`]).
    pub fn build(self) -> Result<Model, BuildError> {
        compile(self.spec, self.custom, self.id)
    }
}
