//! Models: the general core every component is written on — states of any kind, the terms
//! and processes between them, the modifiers on their rates, observables — and the validated,
//! index-resolved [`Model`] whose right-hand side and Jacobian the solver calls.
//!
//! Use this module for the parameter structs of each law (plain data with documented units)
//! and for [`Model`], which [`ModelBuilder::build`](crate::builder::ModelBuilder::build) or
//! [`ModelSpec::build`] produces. A `Model` is immutable and cannot be invalid.
//!
//! **States** are tumor clones ([`tumor`]: growth laws, transit chains, competition for a
//! shared capacity), cell populations ([`effector`], [`suppressor`]: source, death,
//! tumor-driven recruitment), drug compartments ([`pk`]) and species ([`species`]: cytokines,
//! receptors, complexes, virus — any named quantity in its own [`Unit`]).
//!
//! **Fluxes** between them are the components' own terms (growth, [`interaction`] kill laws,
//! recruitment, inactivation, PK, drug effects from [`pd`]) and the [`process`]es: transitions
//! between any two states, production of one state by another, and mass-action binding.
//!
//! **Modifiers** ([`modifier`]) multiply any named rate by a factor of any state,
//! concentration, burden, ratio or fraction; drug effects on kill and growth and suppression by
//! suppressor cells are cases of them. **Observables** are named derived columns.
//!
//! The assembled system, for tumor clones `x` (burden `w`), cell populations `E`, species `S`
//! and drug amounts `A`:
//!
//! ```text
//! dx/dt = g(w)·x·Π(growth modifiers) − Σ kill(E, x)·Π(kill modifiers) − Σ E_d(C)·x ± transitions
//! dE/dt = σ·Π(m) − δ·E + Σ ρ·sat(w)·E·Π(m) − Σ m·E·w − Σ E_d(C)·E ± transitions + productions
//! dS/dt = σ·Π(m) − δ·S + Σ k·P·Π(m) ± bindings ± transitions
//! dA/dt = linear PK (+ saturable elimination) + inputs
//! ```
//!
//! [`Model::equations`] prints a built model's system with its values; [`Model::jacobian_into`]
//! gives its analytic Jacobian, with the pattern [`Model::sparsity`].

pub mod catalog;
mod compile;
pub mod effector;
pub mod equations;
mod error;
pub mod expr;
mod handle;
pub mod interaction;
pub mod jacobian;
mod math;
pub mod modifier;
mod param;
pub mod path;
pub mod pd;
pub mod pk;
pub mod process;
pub mod radiation;
pub mod spec;
pub mod species;
pub mod suppressor;
mod term;
pub mod tumor;
pub(crate) mod validate;

pub use effector::{CellSpec, Recruitment, RecruitmentMode};
pub use equations::{Equation, Equations};
pub use error::BuildError;
pub use handle::{
    BuilderId, ComponentKind, DrugId, Effector, ImmuneKind, PopulationKind, ProcessId, Species,
    StateId, StateRef, Suppressor, Tumor,
};
pub use interaction::{KillLaw, MassAction, RatioDependent, Saturating};
pub use jacobian::Sparsity;
pub use modifier::{Factor, Input, ModifierSpec, ObservableSpec, RateRef};
pub use path::{ParamPath, PathEntry, PathError, Segment, Selector, Slot};
pub use pd::{EffectLaw, Emax, ExpKill, Linear, SigmoidEmax};
pub use pk::{
    closed_form, Absorption, ClearanceChange, Disposition, DrugSpec, MichaelisMenten,
    OneCompartment, Peripheral, ThreeCompartment, TwoCompartment,
};
pub use process::{Binding, Change, Flux, Process, Production, Transition};
pub use radiation::Radiosensitivity;
pub use spec::{
    EffectSpec, InactivationSpec, KillSpec, ModelSpec, RecruitmentSpec, SuppressionSpec, TargetRate,
};
pub use species::SpeciesSpec;
pub use suppressor::{Inhibition, SuppressedRate};
pub use term::{Custom, Rates, States};
pub use tumor::{
    BurdenUnit, Competitor, Exponential, Gompertz, GrowthLaw, Logistic, PowerLaw, Simeoni, Transit,
    TumorSpec, VonBertalanffy,
};

pub(crate) use compile::compile;
pub(crate) use param::Requirement;
pub(crate) use term::{DrugEffect, DrugLayout, Layout, Modifier, Signal, Term};

use crate::units::Unit;
use serde::Serialize;
use std::cell::Cell;
use std::sync::Arc;

/// What a state is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StateRole {
    /// Proliferating tumor cells.
    Tumor,
    /// Damaged tumor cells in transit compartment `n` (1-based).
    TumorTransit(usize),
    /// Effector cells.
    Effector,
    /// Suppressor cells.
    Suppressor,
    /// A species (cytokine, receptor, complex, virus, …).
    Species,
    /// A drug's depot amount.
    Depot,
    /// A drug's central amount.
    Central,
    /// A drug's peripheral amount `n` (1-based).
    Peripheral(usize),
}

/// Name, unit and role of one state.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StateInfo {
    /// Unique name: the component's name, suffixed for secondary compartments
    /// (`tumor_transit_1`, `drug_central`, `drug_depot`, `drug_peripheral_1`).
    pub name: String,
    /// Unit of the state.
    pub unit: Unit,
    /// What the state is.
    pub role: StateRole,
    /// Name of the component it belongs to.
    pub component: String,
}

/// A user term with the name it was added under.
#[derive(Clone, Debug)]
pub(crate) struct CustomTerm {
    pub name: String,
    pub term: Arc<dyn Custom>,
}

/// A validated model with every name resolved to a state index. Immutable; cheap to share
/// across threads (`Model: Send + Sync`).
#[derive(Clone, Debug)]
pub struct Model {
    pub(crate) spec: ModelSpec,
    pub(crate) builder: BuilderId,
    pub(crate) states: Vec<StateInfo>,
    pub(crate) initial: Vec<f64>,
    pub(crate) layout: Layout,
    pub(crate) terms: Vec<Term>,
    pub(crate) custom: Vec<CustomTerm>,
    pub(crate) sparsity: Sparsity,
    pub(crate) observables: Vec<Observable>,
}

/// A compiled observable: its column name, unit and the signal it reads.
#[derive(Clone, Debug)]
pub(crate) struct Observable {
    pub name: String,
    pub unit: Unit,
    pub signal: Signal,
}

impl Observable {
    /// Its value at time `t` and state `y`.
    pub(crate) fn value(&self, t: f64, y: &[f64]) -> f64 {
        self.signal.value(t, y)
    }
}

impl Model {
    /// The right-hand side `dy = f(t, y) + inputs`, written into `dy` (no allocation).
    ///
    /// `y` and `dy` have [`n_states`](Self::n_states) entries in the order of
    /// [`states`](Self::states); `inputs` holds zero-order input rates (infusions) per state,
    /// in state units per day.
    ///
    /// # Errors
    /// [`SolveError::WrongLength`](crate::SolveError::WrongLength) when a slice does not have
    /// one entry per state.
    #[inline]
    pub fn rhs_into(
        &self,
        t: f64,
        y: &[f64],
        inputs: &[f64],
        dy: &mut [f64],
    ) -> Result<(), crate::SolveError> {
        self.check_length("y", y.len())?;
        self.check_length("inputs", inputs.len())?;
        self.check_length("dy", dy.len())?;
        self.rates_into(t, y, inputs, dy);
        Ok(())
    }

    /// Checks that a slice has one entry per state.
    fn check_length(&self, argument: &'static str, got: usize) -> Result<(), crate::SolveError> {
        let expected = self.n_states();
        if got == expected {
            Ok(())
        } else {
            Err(crate::SolveError::WrongLength {
                argument,
                expected,
                got,
            })
        }
    }

    /// [`rhs_into`](Self::rhs_into) for slices the caller has sized: the solver's hot path.
    #[inline]
    pub(crate) fn rates_into(&self, t: f64, y: &[f64], inputs: &[f64], dy: &mut [f64]) {
        debug_assert_eq!(y.len(), self.states.len());
        dy.copy_from_slice(inputs);
        for term in &self.terms {
            term.apply(t, y, dy);
        }
        if !self.custom.is_empty() {
            let foreign = Cell::new(false);
            self.run_custom(t, y, dy, &foreign, self.custom.iter());
            if foreign.get() {
                dy.fill(f64::NAN);
            }
        }
    }

    /// Runs `terms` (user terms) on `y` into `dy`, flagging a foreign handle in `foreign`.
    fn run_custom<'a>(
        &self,
        t: f64,
        y: &[f64],
        dy: &mut [f64],
        foreign: &Cell<bool>,
        terms: impl Iterator<Item = &'a CustomTerm>,
    ) {
        let access = term::Access {
            layout: &self.layout,
            builder: self.builder,
            foreign,
        };
        let states = States { y, access };
        let mut rates = Rates {
            dy,
            access,
            sink: 0.0,
        };
        for c in terms {
            c.term.add_rates(t, &states, &mut rates);
        }
    }

    /// The first user term that touches a handle of another builder, found by running each
    /// term once on the initial state.
    pub(crate) fn foreign_custom_term(&self) -> Option<&str> {
        let mut dy = vec![0.0; self.n_states()];
        self.custom.iter().find_map(|c| {
            let foreign = Cell::new(false);
            self.run_custom(0.0, &self.initial, &mut dy, &foreign, std::iter::once(c));
            foreign.get().then_some(c.name.as_str())
        })
    }

    /// The right-hand side without inputs, as a new vector. Allocates: use
    /// [`rhs_into`](Self::rhs_into) in loops.
    ///
    /// # Errors
    /// [`SolveError::WrongLength`](crate::SolveError::WrongLength) when `y` does not have one
    /// entry per state.
    pub fn derivative(&self, t: f64, y: &[f64]) -> Result<Vec<f64>, crate::SolveError> {
        self.check_length("y", y.len())?;
        let mut dy = vec![0.0; y.len()];
        let zeros = vec![0.0; y.len()];
        self.rates_into(t, y, &zeros, &mut dy);
        Ok(dy)
    }

    /// The Jacobian `J[i][j] = ∂f_i/∂y_j` of the right-hand side at `(t, y)`, written row-major
    /// into `jac` (`n × n` entries, `n` = [`n_states`](Self::n_states)). Inputs (infusion rates)
    /// do not depend on the state and do not enter it.
    ///
    /// Built-in terms are differentiated analytically, with no allocation; only entries in
    /// [`sparsity`](Self::sparsity) can be non-zero. User [`Custom`] terms are differentiated by
    /// central differences (step `√ε·max(|y_j|, 1)`), which allocates.
    ///
    /// ```
    /// use oncodyn::prelude::*;
    ///
    /// let mut b = ModelBuilder::new();
    /// b.tumor(TumorSpec::new("tumor", 1e6, Logistic { rate: 0.2, capacity: 1e9 }))?;
    /// let model = b.build()?;
    /// let mut jac = [0.0];
    /// model.jacobian_into(0.0, &[5e8], &mut jac)?;
    /// assert!((jac[0] - 0.2 * (1.0 - 2.0 * 0.5)).abs() < 1e-15); // r·(1 − 2T/K)
    /// # Ok::<(), oncodyn::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`SolveError::WrongLength`](crate::SolveError::WrongLength) when `y` does not have one
    /// entry per state or `jac` not `n²`.
    pub fn jacobian_into(
        &self,
        t: f64,
        y: &[f64],
        jac: &mut [f64],
    ) -> Result<(), crate::SolveError> {
        let n = self.n_states();
        self.check_length("y", y.len())?;
        if jac.len() != n * n {
            return Err(crate::SolveError::WrongLength {
                argument: "jac",
                expected: n * n,
                got: jac.len(),
            });
        }
        jac.fill(0.0);
        for term in &self.terms {
            term.jacobian(t, y, jac);
        }
        if !self.custom.is_empty() {
            self.custom_jacobian(t, y, jac);
        }
        Ok(())
    }

    /// The Jacobian at `(t, y)` as a new matrix. Allocates: use
    /// [`jacobian_into`](Self::jacobian_into) in loops.
    ///
    /// # Errors
    /// As [`jacobian_into`](Self::jacobian_into).
    pub fn jacobian(&self, t: f64, y: &[f64]) -> Result<nalgebra::DMatrix<f64>, crate::SolveError> {
        let n = self.n_states();
        let mut jac = vec![0.0; n * n];
        self.jacobian_into(t, y, &mut jac)?;
        Ok(nalgebra::DMatrix::from_row_slice(n, n, &jac))
    }

    /// The assembled system as text, one equation per state with parameter values; user
    /// [`Custom`] terms are code and are listed by name only (see
    /// [`custom_terms`](Self::custom_terms)).
    ///
    /// ```
    /// use oncodyn::prelude::*;
    ///
    /// let mut b = ModelBuilder::new();
    /// let tumor = b.tumor(TumorSpec::new("tumor", 1e9, Gompertz { rate: 0.05, capacity: 1e12 }))?;
    /// let ctl = b.effector(CellSpec { name: "ctl".into(), initial: 1e6, source: 1e4, death: 0.04, ..Default::default() })?;
    /// b.kill(ctl, tumor, MassAction { rate: 1e-7 })?;
    /// let text = b.build()?.equations().to_string();
    /// assert!(text.contains("dtumor/dt = 0.05·tumor·ln(1e12/tumor) − 1e-7·ctl·tumor"));
    /// assert!(text.contains("dctl/dt = 1e4 − 0.04·ctl"));
    /// # Ok::<(), oncodyn::Error>(())
    /// ```
    pub fn equations(&self) -> Equations {
        let names: Vec<String> = self.states.iter().map(|s| s.name.clone()).collect();
        let units: Vec<Unit> = self.states.iter().map(|s| s.unit.clone()).collect();
        Equations::of(&self.terms, &names, &units)
    }

    /// Where the Jacobian may be non-zero, known when the model was built.
    pub fn sparsity(&self) -> &Sparsity {
        &self.sparsity
    }

    /// Adds the user terms' part of the Jacobian by central differences.
    fn custom_jacobian(&self, t: f64, y: &[f64], jac: &mut [f64]) {
        let n = y.len();
        let (mut up, mut down) = (vec![0.0; n], vec![0.0; n]);
        let mut point = y.to_vec();
        let foreign = Cell::new(false);
        for j in 0..n {
            let h = f64::EPSILON.sqrt() * y[j].abs().max(1.0);
            point[j] = y[j] + h;
            up.fill(0.0);
            self.run_custom(t, &point, &mut up, &foreign, self.custom.iter());
            point[j] = y[j] - h;
            down.fill(0.0);
            self.run_custom(t, &point, &mut down, &foreign, self.custom.iter());
            point[j] = y[j];
            for i in 0..n {
                jac[i * n + j] += (up[i] - down[i]) / (2.0 * h);
            }
        }
    }

    /// Whether the right-hand side is linear (affine) in the state: only constant sources and
    /// first-order transfers, no user terms. Linear models get exact shortcuts (steady state by
    /// one linear solve).
    pub fn is_linear(&self) -> bool {
        self.custom.is_empty()
            && self.terms.iter().all(|t| match t {
                Term::Source { mods, .. } => mods.is_empty(),
                Term::FirstOrder { .. } => true,
                Term::Transition { mods, .. } | Term::Production { mods, .. } => mods.is_empty(),
                _ => false,
            })
    }

    /// The same model with `change` applied to its description, rebuilt (and re-checked) with
    /// the same handles and user terms: for piecewise-constant parameters (see
    /// [`Simulation::switch_model`](crate::solver::Simulation::switch_model)) and per-patient
    /// parameters.
    ///
    /// # Errors
    /// Any [`BuildError`] of the changed description, and
    /// [`BuildError::LayoutChanged`] if the change adds,
    /// removes or renames states.
    pub fn modified(
        &self,
        change: impl FnOnce(&mut ModelSpec),
    ) -> Result<Model, crate::BuildError> {
        let mut spec = self.spec.clone();
        change(&mut spec);
        self.rebuilt(spec)
    }

    /// `spec`, a changed copy of this model's description, built with the same handles and
    /// user terms; see [`modified`](Self::modified).
    pub(crate) fn rebuilt(&self, spec: ModelSpec) -> Result<Model, crate::BuildError> {
        // A change of layout is reported as such, before the names it breaks.
        let names = validate::state_names(&spec);
        let same_names = names.len() == self.states.len()
            && names.iter().zip(&self.states).all(|(a, b)| *a == b.name);
        if !same_names {
            return Err(crate::BuildError::LayoutChanged);
        }
        let model = compile::compile(spec, self.custom.clone(), self.builder)?;
        let same = model.states.len() == self.states.len()
            && model.states.iter().zip(&self.states).all(|(a, b)| a == b);
        if same {
            Ok(model)
        } else {
            Err(crate::BuildError::LayoutChanged)
        }
    }

    /// Whether a built-in rate depends on time itself (a clearance that changes with time, an
    /// expression reading `t`): a periodic steady state is then not defined. User terms are
    /// taken to be autonomous.
    pub fn is_time_varying(&self) -> bool {
        self.terms.iter().any(Term::uses_time)
    }

    /// Whether the rates may depend on time itself: a time-varying built-in rate, or a user
    /// term (which receives `t`).
    pub fn depends_on_time(&self) -> bool {
        self.is_time_varying() || !self.custom.is_empty()
    }

    /// Number of states.
    pub fn n_states(&self) -> usize {
        self.states.len()
    }

    /// Every state, in state-vector order.
    pub fn states(&self) -> &[StateInfo] {
        &self.states
    }

    /// The state at t = 0.
    pub fn initial_state(&self) -> &[f64] {
        &self.initial
    }

    /// The plain-data description this model was built from (user [`Custom`] terms are code,
    /// not data, and are not part of it: see [`custom_terms`](Self::custom_terms)).
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// Names of the user [`Custom`] terms, in the order they run.
    pub fn custom_terms(&self) -> impl Iterator<Item = &str> {
        self.custom.iter().map(|c| c.name.as_str())
    }

    /// Index of the state named `name`, if any.
    pub fn state_index(&self, name: &str) -> Option<usize> {
        self.states.iter().position(|s| s.name == name)
    }

    /// Handle of the tumor named `name` (for models read from files).
    ///
    /// # Errors
    /// [`BuildError::UnknownName`] listing the tumors there are.
    pub fn tumor(&self, name: &str) -> Result<StateId<Tumor>, crate::BuildError> {
        self.find(ComponentKind::Tumor, name)
            .map(|i| StateId::new(i, self.builder))
    }

    /// Handle of the effector population named `name`.
    ///
    /// # Errors
    /// [`BuildError::UnknownName`] listing the effectors.
    pub fn effector(&self, name: &str) -> Result<StateId<Effector>, crate::BuildError> {
        self.find(ComponentKind::Effector, name)
            .map(|i| StateId::new(i, self.builder))
    }

    /// Handle of the suppressor population named `name`.
    ///
    /// # Errors
    /// [`BuildError::UnknownName`] listing the suppressors.
    pub fn suppressor(&self, name: &str) -> Result<StateId<Suppressor>, crate::BuildError> {
        self.find(ComponentKind::Suppressor, name)
            .map(|i| StateId::new(i, self.builder))
    }

    /// Handle of the species named `name`.
    ///
    /// # Errors
    /// [`BuildError::UnknownName`] listing the species.
    pub fn species(&self, name: &str) -> Result<StateId<Species>, crate::BuildError> {
        self.find(ComponentKind::Species, name)
            .map(|i| StateId::new(i, self.builder))
    }

    /// Handle of the drug named `name`.
    ///
    /// # Errors
    /// [`BuildError::UnknownName`] listing the drugs.
    pub fn drug(&self, name: &str) -> Result<DrugId, crate::BuildError> {
        self.find(ComponentKind::Drug, name).map(|ordinal| DrugId {
            ordinal,
            builder: self.builder,
        })
    }

    fn find(&self, kind: ComponentKind, name: &str) -> Result<usize, crate::BuildError> {
        let names = self.spec.names(kind);
        names
            .iter()
            .position(|n| *n == name)
            .ok_or_else(|| crate::BuildError::UnknownName {
                name: name.to_string(),
                kind,
                available: names.join(", "),
            })
    }
}
