//! Processes: the typed fluxes between states that are not tied to one kind of component —
//! transitions between populations, production of a species by cells, and receptor–ligand
//! binding.
//!
//! Use this module when a model moves cells from one state to another (active → exhausted T
//! cells, M1 ↔ M2 macrophages, immature → mature dendritic cells, stem ↔ differentiated tumor
//! cells, antigen-positive → antigen-negative clones, uninfected → infected tumor cells), makes a
//! species from cells (IL-2 by helper T cells, exosomes by the tumor, VEGF by hypoxic cells), or
//! binds two species into a complex (PD-1:PD-L1, antibody–target, TMDD).
//!
//! Each process has a name, unique in the model; [modifiers](super::ModifierSpec) refer to it to
//! multiply its rate by factors of any state, concentration, burden or ratio.
//!
//! ```text
//! transition  A → B     flux = k·A·Π(modifiers)              dA −= flux, dB += flux
//! production  P ⇒ S     flux = k·P·Π(modifiers)              dS += flux (S any state)
//! binding     L + R ⇌ C flux = kon·L·R − koff·C              dL −= flux, dR −= flux, dC += flux
//! flux        f(t, y)   flux = expression·Π(modifiers)       dS_k += c_k·flux for each change
//! ```

use super::param::{law_variants, Requirement};
use serde::{Deserialize, Serialize};

/// First-order transition from state `from` to state `to` (or out of the model when `to` is
/// `None`): flux `rate·from·Π(modifiers)`, in `from`'s unit per day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// Unique process name.
    pub name: String,
    /// Name of the state cells (or amounts) leave.
    pub from: String,
    /// Name of the state they enter; none for a loss.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Rate constant `k`, 1/day.
    pub rate: f64,
}

/// Production of state `of` by state `by`: flux `rate·by·Π(modifiers)`, in `of`'s unit per
/// day. Usually a species made by cells (IL-2 by helper T cells, PD-L1 by tumor cells); with
/// `of` a cell population it is stimulated proliferation or recruitment (`c·T·E` as production
/// of `E` by `E` with a linear factor of `T`, or `c·T` as production of `E` by `T`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Production {
    /// Unique process name.
    pub name: String,
    /// Name of the producing state.
    pub by: String,
    /// Name of the state produced (a species, or a cell population).
    pub of: String,
    /// Production per unit of the producer, species unit/(producer unit·day).
    pub rate: f64,
}

/// Reversible mass-action binding `ligand + receptor ⇌ complex`: net flux
/// `kon·ligand·receptor − koff·complex` (all three species in one concentration unit, e.g. nM).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Binding {
    /// Unique process name.
    pub name: String,
    /// Name of the ligand species (an antibody, PD-L1, a drug).
    pub ligand: String,
    /// Name of the receptor species (PD-1, a target).
    pub receptor: String,
    /// Name of the complex species.
    pub complex: String,
    /// Association rate constant `kon`, 1/(unit·day) (e.g. 1/(nM·day)).
    pub kon: f64,
    /// Dissociation rate constant `koff`, 1/day (`KD = koff/kon`).
    pub koff: f64,
}

/// One state a [`Flux`] changes, and by how much per unit of flux.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// Name of the state.
    pub state: String,
    /// Its stoichiometric coefficient: `+1` gains the flux, `−1` loses it.
    pub coefficient: f64,
}

/// A flux given as an expression (see [`expr`](super::expr)) over state names, the model's
/// parameters and `t`: `d state/dt += coefficient·rate·Π(modifiers)` for each change. For terms
/// no built-in law covers (de Pillis' CD8⁺ recruitment, a PD-1–PD-L1 inhibition factor).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flux {
    /// Unique process name.
    pub name: String,
    /// The rate, in the changed states' unit per day.
    pub rate: super::expr::Expression,
    /// The states it changes.
    pub changes: Vec<Change>,
}

/// A process of the model; see the [module docs](self).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Process {
    /// First-order transition between states, or loss.
    Transition(Transition),
    /// Production of a species by a state.
    Production(Production),
    /// Mass-action binding of two species into a complex.
    Binding(Binding),
    /// A flux given as an expression.
    Flux(Flux),
}

law_variants!(Process: Transition, Production, Binding, Flux);

impl Process {
    /// The process's name.
    pub fn name(&self) -> &str {
        match self {
            Process::Transition(p) => &p.name,
            Process::Production(p) => &p.name,
            Process::Binding(p) => &p.name,
            Process::Flux(p) => &p.name,
        }
    }

    /// Its parameters with what each must satisfy.
    pub(crate) fn parameters(&self) -> Vec<(&'static str, f64, Requirement)> {
        use Requirement::NonNegative;
        match self {
            Process::Transition(p) => vec![("rate", p.rate, NonNegative)],
            Process::Production(p) => vec![("rate", p.rate, NonNegative)],
            Process::Binding(p) => vec![("kon", p.kon, NonNegative), ("koff", p.koff, NonNegative)],
            Process::Flux(p) => p
                .changes
                .iter()
                .map(|c| ("coefficient", c.coefficient, Requirement::Finite))
                .collect(),
        }
    }

    /// Whether modifiers may multiply its rate (a binding's net flux is not one rate).
    pub(crate) fn is_modifiable(&self) -> bool {
        !matches!(self, Process::Binding(_))
    }
}
