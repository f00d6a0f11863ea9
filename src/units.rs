//! Units of the quantities oncodyn reports.
//!
//! Time is in days throughout; populations in cells (tumors may instead be in grams or mm³);
//! drug amounts in mg, volumes in L, concentrations in mg/L.

use crate::model::BurdenUnit;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The unit of a state or derived column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Number of cells.
    Cells,
    /// Grams (tumor weight).
    Grams,
    /// Cubic millimeters (tumor volume).
    CubicMillimeters,
    /// Milligrams (drug amount).
    Milligrams,
    /// Milligrams per liter (drug concentration).
    MilligramsPerLiter,
}

impl Unit {
    /// The short symbol used in CSV headers: `cells`, `g`, `mm3`, `mg`, `mg/L`.
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Cells => "cells",
            Unit::Grams => "g",
            Unit::CubicMillimeters => "mm3",
            Unit::Milligrams => "mg",
            Unit::MilligramsPerLiter => "mg/L",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl From<BurdenUnit> for Unit {
    fn from(unit: BurdenUnit) -> Self {
        match unit {
            BurdenUnit::Cells => Unit::Cells,
            BurdenUnit::Grams => Unit::Grams,
            BurdenUnit::CubicMillimeters => Unit::CubicMillimeters,
        }
    }
}
