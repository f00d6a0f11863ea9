//! Species: soluble or receptor quantities that are not cells — cytokines (IL-2, IL-12, IFN-γ,
//! TGF-β, IL-10, IL-6), growth factors (VEGF), chemokines (CXCL12), receptors and ligands (PD-1,
//! PD-L1), antibody–target complexes, tumor-derived exosomes, an oncolytic virus.
//!
//! Use this module to add such a quantity as a state in its own unit (nM, pg/mL, IU,
//! dimensionless, …). On its own a species has a constant production and a first-order decay:
//!
//! ```text
//! dS/dt = σ − δ·S + Σ production by populations + Σ binding fluxes + …
//! ```
//!
//! Production by cells, binding to other species and transitions are
//! [processes](super::Process); rates of those processes can be modulated by a species through
//! [modifiers](super::ModifierSpec).

use super::param::Requirement;
use crate::units::Unit;
use serde::{Deserialize, Serialize};

/// A species: name, unit, initial value, constant production and first-order decay.
///
/// ```
/// use oncodyn::model::SpeciesSpec;
/// use oncodyn::units::Unit;
///
/// // IL-2 (Kirschner & Panetta 1998): cleared at μ3 = 10 1/day, no constant source.
/// let il2 = SpeciesSpec::new("il2", Unit::Dimensionless, 0.0).with_decay(10.0);
/// assert_eq!(il2.decay, 10.0);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeciesSpec {
    /// Unique name within the model.
    pub name: String,
    /// Unit of the state (and of `initial`).
    pub unit: Unit,
    /// Value at t = 0, in `unit`.
    pub initial: f64,
    /// Constant production `σ`, unit/day (e.g. a receptor's synthesis `ksyn`).
    #[serde(default)]
    pub production: f64,
    /// First-order decay rate `δ`, 1/day (clearance, degradation).
    #[serde(default)]
    pub decay: f64,
}

impl SpeciesSpec {
    /// A species with value `initial` (in `unit`) at t = 0, no production and no decay.
    pub fn new(name: impl Into<String>, unit: Unit, initial: f64) -> Self {
        SpeciesSpec {
            name: name.into(),
            unit,
            initial,
            production: 0.0,
            decay: 0.0,
        }
    }

    /// With a constant production `σ`, unit/day.
    #[must_use]
    pub fn with_production(mut self, production: f64) -> Self {
        self.production = production;
        self
    }

    /// With a first-order decay rate `δ`, 1/day.
    #[must_use]
    pub fn with_decay(mut self, decay: f64) -> Self {
        self.decay = decay;
        self
    }

    pub(crate) fn parameters(&self) -> Vec<(&'static str, f64, Requirement)> {
        vec![
            ("initial", self.initial, Requirement::NonNegative),
            ("production", self.production, Requirement::NonNegative),
            ("decay", self.decay, Requirement::NonNegative),
        ]
    }
}
