//! `ModelSpec`: the plain-data description every [`Model`](super::Model) is compiled from.
//!
//! Use this module to write or read a model as data (TOML model files, programmatic generation).
//! Components refer to each other by name; [`ModelSpec::build`] checks everything and resolves
//! the names to state indices. [`ModelBuilder`](crate::builder::ModelBuilder) is the typed front
//! end that writes a `ModelSpec` for you, and [`Model::spec`](super::Model::spec) gives it back,
//! so a model round-trips through a file.

use super::{
    CellSpec, DrugSpec, EffectLaw, Inhibition, KillLaw, ModifierSpec, ObservableSpec, Process,
    Recruitment, SpeciesSpec, SuppressedRate, TumorSpec,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole model as plain data; names tie the parts together.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Tumor clones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tumors: Vec<TumorSpec>,
    /// Effector cell populations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effectors: Vec<CellSpec>,
    /// Suppressor cell populations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressors: Vec<CellSpec>,
    /// Species: cytokines, receptors, complexes, virus, any named quantity.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub species: Vec<SpeciesSpec>,
    /// Drugs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drugs: Vec<DrugSpec>,
    /// Effector kills of tumor cells.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kills: Vec<KillSpec>,
    /// Tumor-driven recruitment of immune cells.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recruitments: Vec<RecruitmentSpec>,
    /// Inactivation of immune cells by tumor contact.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inactivations: Vec<InactivationSpec>,
    /// Suppression of effector rates by suppressor cells.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<SuppressionSpec>,
    /// Drug effects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<EffectSpec>,
    /// Processes: transitions, productions, bindings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<Process>,
    /// Modifiers multiplying rates by factors of states, concentrations, burdens or ratios.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modifiers: Vec<ModifierSpec>,
    /// Observables (biomarkers): named derived quantities reported as trajectory columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observables: Vec<ObservableSpec>,
    /// Named constants that expressions read (in whatever unit their expressions use them).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, f64>,
}

impl ModelSpec {
    /// Checks this description and resolves it to a [`Model`](super::Model).
    ///
    /// # Errors
    /// [`BuildError::EmptyModel`](crate::BuildError::EmptyModel), or every problem found
    /// (unknown or duplicate names, invalid parameters), each naming the component and parameter.
    pub fn build(self) -> Result<super::Model, crate::BuildError> {
        super::compile(self, Vec::new(), super::BuilderId::fresh())
    }

    /// Names of the components of `kind`, in order (none for custom terms, which are code).
    pub fn names(&self, kind: crate::model::ComponentKind) -> Vec<&str> {
        use crate::model::ComponentKind::*;
        match kind {
            Tumor => self.tumors.iter().map(|c| c.name.as_str()).collect(),
            Effector => self.effectors.iter().map(|c| c.name.as_str()).collect(),
            Suppressor => self.suppressors.iter().map(|c| c.name.as_str()).collect(),
            Species => self.species.iter().map(|c| c.name.as_str()).collect(),
            Drug => self.drugs.iter().map(|c| c.name.as_str()).collect(),
            Process => self.processes.iter().map(|p| p.name()).collect(),
            Observable => self.observables.iter().map(|o| o.name.as_str()).collect(),
            Custom => Vec::new(),
        }
    }
}

/// Effector `by` kills tumor `on` with `law` (killed cells enter the tumor's transit chain, if
/// it has one, and are otherwise removed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KillSpec {
    /// Name of the effector population.
    pub by: String,
    /// Name of the tumor.
    pub on: String,
    /// The kill law.
    pub law: KillLaw,
}

/// Tumor `by` recruits immune population `of` (an effector or a suppressor).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecruitmentSpec {
    /// Name of the tumor whose total burden drives recruitment.
    pub by: String,
    /// Name of the recruited effector or suppressor population.
    pub of: String,
    /// The recruitment law.
    pub law: Recruitment,
}

/// Tumor `by` inactivates immune population `of` on contact: flux `rate·E·w` (cells/day),
/// `w` the tumor's total burden (Kuznetsov et al. 1994; de Pillis et al. 2005's `p·N·T`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InactivationSpec {
    /// Name of the tumor.
    pub by: String,
    /// Name of the inactivated effector or suppressor population.
    pub of: String,
    /// Inactivation rate, 1/(tumor unit·day).
    pub rate: f64,
}

/// Suppressor `by` damps rate `rate` of effector `of` by the factor `1 − Imax·S/(S50 + S)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressionSpec {
    /// Name of the suppressor population.
    pub by: String,
    /// Name of the effector population.
    pub of: String,
    /// Which of the effector's rates is damped.
    pub rate: SuppressedRate,
    /// The inhibition law.
    pub inhibition: Inhibition,
}

/// The rate a drug acts on, and how `E(C)` enters it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TargetRate {
    /// Added tumor kill `E(C)·T` (E in 1/day); killed cells enter the transit chain if any.
    TumorKill,
    /// Tumor growth multiplied by `(1 − E(C))` (E dimensionless).
    GrowthInhibition,
    /// Every kill by the effector multiplied by `(1 + E(C))` (E dimensionless), e.g. a
    /// checkpoint inhibitor restoring cytotoxicity.
    EffectorKill,
    /// Added effector death `E(C)·E` (E in 1/day), e.g. chemotherapy lymphotoxicity.
    EffectorDeath,
    /// Added suppressor death `E(C)·S` (E in 1/day), e.g. Treg depletion by anti-CTLA-4.
    SuppressorDeath,
    /// Every suppression by the suppressor multiplied by `(1 − E(C))` (E dimensionless).
    Suppression,
}

impl TargetRate {
    /// The kind of population the target names.
    pub fn target_kind(self) -> crate::model::ComponentKind {
        use crate::model::ComponentKind::*;
        match self {
            TargetRate::TumorKill | TargetRate::GrowthInhibition => Tumor,
            TargetRate::EffectorKill | TargetRate::EffectorDeath => Effector,
            TargetRate::SuppressorDeath | TargetRate::Suppression => Suppressor,
        }
    }
}

/// Drug `drug` acts on `rate` of population `of` with effect law `law` of its central
/// concentration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectSpec {
    /// Name of the drug.
    pub drug: String,
    /// The rate it acts on.
    pub rate: TargetRate,
    /// Name of the population whose rate it is.
    pub of: String,
    /// The effect law.
    pub law: EffectLaw,
}
