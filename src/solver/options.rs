//! How to integrate: method, tolerances, budgets.

use crate::model::Model;
use crate::solver::error::SolveError;
use crate::units::Unit;
use serde::{Deserialize, Serialize};

/// The integration method.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Method {
    /// Dormand–Prince 5(4) (Hairer's `DOPRI5`): the default, efficient at moderate accuracy.
    #[default]
    Dopri5,
    /// Dormand–Prince 8(5,3) (Hairer's `DOP853`): fewer steps at tight tolerances.
    Dop853,
}

/// What to do when the explicit method detects stiffness (Hairer's test of `h·|λ|`, every 1000
/// accepted steps).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Stiffness {
    /// Stop with [`SolveError::Stiff`](crate::SolveError::Stiff) (the default): the explicit
    /// method would crawl; use a stiff method.
    #[default]
    Error,
    /// Carry on (the step budget still applies): for mildly stiff problems that must be solved
    /// explicitly.
    Ignore,
}

/// Absolute tolerances by unit: the default `atol` of every state in that unit.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AbsoluteTolerance {
    /// Cells (default 1e-3: a thousandth of a cell).
    pub cells: f64,
    /// Grams (default 1e-12 g, about a thousandth of a cell).
    pub grams: f64,
    /// Cubic millimeters (default 1e-9 mm³, about a thousandth of a cell).
    pub cubic_millimeters: f64,
    /// Milligrams of drug (default 1e-9 mg).
    pub milligrams: f64,
    /// Every other unit: species in nM, pg/mL, IU, cells/µL, dimensionless or any other unit
    /// (default 1e-12 in the state's own unit).
    pub other: f64,
}

impl Default for AbsoluteTolerance {
    fn default() -> Self {
        AbsoluteTolerance {
            cells: 1e-3,
            grams: 1e-12,
            cubic_millimeters: 1e-9,
            milligrams: 1e-9,
            other: 1e-12,
        }
    }
}

impl AbsoluteTolerance {
    fn for_unit(&self, unit: &Unit) -> f64 {
        match unit {
            Unit::Cells => self.cells,
            Unit::Grams => self.grams,
            Unit::CubicMillimeters => self.cubic_millimeters,
            Unit::Milligrams | Unit::MilligramsPerLiter => self.milligrams,
            _ => self.other,
        }
    }
}

/// An absolute tolerance for one state, by name, overriding its unit's default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateTolerance {
    /// Name of the state (see [`Model::states`](crate::model::Model::states)).
    pub state: String,
    /// Its absolute tolerance, in the state's unit.
    pub atol: f64,
}

/// How to integrate. Build with struct update syntax:
/// `SolverOptions { rtol: 1e-8, ..Default::default() }`.
///
/// Each step's local error estimate of state `i` is held to
/// `|err_i| ≤ atol_i + rtol·max(|y_i|, |ŷ_i|)` (`y` the state before the step, `ŷ` after it),
/// in the root-mean-square norm over the states, as in Hairer's codes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SolverOptions {
    /// The method.
    pub method: Method,
    /// Relative tolerance, in (0, 1) (default 1e-6).
    pub rtol: f64,
    /// Absolute tolerances by unit.
    pub atol: AbsoluteTolerance,
    /// Absolute tolerances of single states, overriding `atol`.
    pub state_atol: Vec<StateTolerance>,
    /// Step budget over the whole simulation, accepted plus rejected (default 1,000,000).
    pub max_steps: u32,
    /// What to do on detected stiffness.
    pub stiffness: Stiffness,
}

impl Default for SolverOptions {
    fn default() -> Self {
        SolverOptions {
            method: Method::Dopri5,
            rtol: 1e-6,
            atol: AbsoluteTolerance::default(),
            state_atol: Vec::new(),
            max_steps: 1_000_000,
            stiffness: Stiffness::Error,
        }
    }
}

impl SolverOptions {
    /// Checks the options and returns each state's absolute tolerance.
    pub(crate) fn state_tolerances(&self, model: &Model) -> Result<Vec<f64>, SolveError> {
        let bad = |option: &'static str, value: f64, reason: &'static str| {
            Err(SolveError::InvalidOption {
                option,
                value,
                reason,
            })
        };
        if !(self.rtol > 0.0 && self.rtol < 1.0) {
            return bad("rtol", self.rtol, "must be in (0, 1)");
        }
        let a = self.atol;
        for (name, v) in [
            ("atol.cells", a.cells),
            ("atol.grams", a.grams),
            ("atol.cubic_millimeters", a.cubic_millimeters),
            ("atol.milligrams", a.milligrams),
            ("atol.other", a.other),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return bad(name, v, "must be finite and positive");
            }
        }
        if self.max_steps == 0 {
            return bad("max_steps", 0.0, "must be at least 1");
        }
        let mut atol: Vec<f64> = model.states().iter().map(|s| a.for_unit(&s.unit)).collect();
        for st in &self.state_atol {
            let Some(i) = model.state_index(&st.state) else {
                let names: Vec<&str> = model.states().iter().map(|s| s.name.as_str()).collect();
                return Err(SolveError::UnknownState {
                    name: st.state.clone(),
                    available: names.join(", "),
                });
            };
            if !(st.atol.is_finite() && st.atol > 0.0) {
                return bad("state_atol", st.atol, "must be finite and positive");
            }
            atol[i] = st.atol;
        }
        Ok(atol)
    }
}
