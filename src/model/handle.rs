//! Typed handles: what [`ModelBuilder`](crate::builder::ModelBuilder) hands back when a component
//! is added, and what the rest of the API takes to name it.
//!
//! A handle is `Copy` and carries the kind of component in its type, so a tumor handle cannot be
//! passed where an effector is expected (that fails to compile), and the id of the builder that
//! issued it, so a handle from another builder is a typed error instead of a silent mix-up.

use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

/// Identity of one [`ModelBuilder`](crate::builder::ModelBuilder); handles remember it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BuilderId(u64);

impl BuilderId {
    pub(crate) fn fresh() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        BuilderId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// Kind marker: a tumor cell population (one clone).
#[derive(Debug)]
pub enum Tumor {}
/// Kind marker: an effector cell population (CTLs, NK cells, CAR-T).
#[derive(Debug)]
pub enum Effector {}
/// Kind marker: a suppressor cell population (Tregs, MDSCs, TAMs).
#[derive(Debug)]
pub enum Suppressor {}
/// Kind marker: a species (cytokine, chemokine, receptor, ligand, complex, exosomes, virus).
#[derive(Debug)]
pub enum Species {}

/// Every kind of state a handle can name; implemented by [`Tumor`], [`Effector`],
/// [`Suppressor`] and [`Species`].
pub trait PopulationKind: sealed::Sealed {
    /// Which kind this is, as data.
    const KIND: ComponentKind;
}
impl PopulationKind for Tumor {
    const KIND: ComponentKind = ComponentKind::Tumor;
}
impl PopulationKind for Effector {
    const KIND: ComponentKind = ComponentKind::Effector;
}
impl PopulationKind for Suppressor {
    const KIND: ComponentKind = ComponentKind::Suppressor;
}
impl PopulationKind for Species {
    const KIND: ComponentKind = ComponentKind::Species;
}
/// The kinds of immune cell population ([`Effector`], [`Suppressor`]): they can be recruited by a
/// tumor, inactivated by it, and receive cell infusions.
pub trait ImmuneKind: PopulationKind {}
impl ImmuneKind for Effector {}
impl ImmuneKind for Suppressor {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Tumor {}
    impl Sealed for super::Effector {}
    impl Sealed for super::Suppressor {}
    impl Sealed for super::Species {}
}

/// The kinds of model component, as data (for errors and layouts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ComponentKind {
    /// A tumor population.
    Tumor,
    /// An effector cell population.
    Effector,
    /// A suppressor cell population.
    Suppressor,
    /// A species.
    Species,
    /// A drug (its PK compartments).
    Drug,
    /// A process (transition, production, binding).
    Process,
    /// An observable (a derived trajectory column).
    Observable,
    /// A user term ([`Custom`](super::Custom)).
    Custom,
}

impl fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ComponentKind::Tumor => "tumor",
            ComponentKind::Effector => "effector",
            ComponentKind::Suppressor => "suppressor",
            ComponentKind::Species => "species",
            ComponentKind::Drug => "drug",
            ComponentKind::Process => "process",
            ComponentKind::Observable => "observable",
            ComponentKind::Custom => "custom term",
        })
    }
}

/// Handle to a population of kind `K` (`StateId<Tumor>`, `StateId<Effector>`,
/// `StateId<Suppressor>`): the `ordinal`-th population of that kind added to its builder.
pub struct StateId<K> {
    pub(crate) ordinal: usize,
    pub(crate) builder: BuilderId,
    kind: PhantomData<fn() -> K>,
}

impl<K> StateId<K> {
    pub(crate) fn new(ordinal: usize, builder: BuilderId) -> Self {
        StateId {
            ordinal,
            builder,
            kind: PhantomData,
        }
    }
}

impl<K> Clone for StateId<K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K> Copy for StateId<K> {}
impl<K> PartialEq for StateId<K> {
    fn eq(&self, other: &Self) -> bool {
        self.ordinal == other.ordinal && self.builder == other.builder
    }
}
impl<K> Eq for StateId<K> {}
impl<K: PopulationKind> fmt::Debug for StateId<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StateId<{}>({})", K::KIND, self.ordinal)
    }
}

/// Handle to a drug: the `ordinal`-th drug added to its builder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DrugId {
    pub(crate) ordinal: usize,
    pub(crate) builder: BuilderId,
}

/// Handle to a state of any kind, for inputs and transitions that accept several kinds: made
/// from any `StateId<K>` with `.into()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateRef {
    pub(crate) kind: ComponentKind,
    pub(crate) ordinal: usize,
    pub(crate) builder: BuilderId,
}

impl<K: PopulationKind> From<StateId<K>> for StateRef {
    fn from(id: StateId<K>) -> Self {
        StateRef {
            kind: K::KIND,
            ordinal: id.ordinal,
            builder: id.builder,
        }
    }
}

/// Handle to a [process](super::Process): the `ordinal`-th process added to its builder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcessId {
    pub(crate) ordinal: usize,
    pub(crate) builder: BuilderId,
}
