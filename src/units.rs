//! Units of the quantities oncodyn reports.
//!
//! Time is in days throughout; populations in cells (tumors may instead be in grams or mm³);
//! drug amounts in mg, volumes in L, concentrations in mg/L. Species (cytokines, receptors,
//! complexes, virus) carry whatever unit their model uses: nM, pg/mL, IU, cells/µL,
//! dimensionless, or any other named unit ([`Unit::Other`]).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The unit of a state or derived column. An open set: the named units below, and
/// [`Unit::Other`] for any other (`"copies/mL"`, `"µM"`, `"AU"`).
///
/// In files a unit is one string: its name (`"nanomolar"`) or its symbol (`"nM"`); any other
/// non-empty text is [`Unit::Other`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
    /// Nanomoles per liter (receptors, ligands, complexes, antibodies).
    Nanomolar,
    /// Picograms per milliliter (cytokines: IL-2, IL-6, IFN-γ, TGF-β, VEGF).
    PicogramsPerMilliliter,
    /// International units (IL-2 doses and levels).
    InternationalUnits,
    /// Cells per microliter of blood (absolute neutrophil or lymphocyte counts).
    CellsPerMicroliter,
    /// A dimensionless quantity (a fraction, an expression level, a normalised signal).
    Dimensionless,
    /// Any other unit, by its symbol.
    Other(String),
}

/// Every named unit with its file name and symbol.
const NAMED: [(Unit, &str, &str); 10] = [
    (Unit::Cells, "cells", "cells"),
    (Unit::Grams, "grams", "g"),
    (Unit::CubicMillimeters, "cubic_millimeters", "mm3"),
    (Unit::Milligrams, "milligrams", "mg"),
    (Unit::MilligramsPerLiter, "milligrams_per_liter", "mg/L"),
    (Unit::Nanomolar, "nanomolar", "nM"),
    (
        Unit::PicogramsPerMilliliter,
        "picograms_per_milliliter",
        "pg/mL",
    ),
    (Unit::InternationalUnits, "international_units", "IU"),
    (Unit::CellsPerMicroliter, "cells_per_microliter", "cells/uL"),
    (Unit::Dimensionless, "dimensionless", "1"),
];

impl Unit {
    /// The short symbol used in CSV headers: `cells`, `g`, `mm3`, `mg`, `mg/L`, `nM`, `pg/mL`,
    /// `IU`, `cells/uL`, `1`, or an [`Other`](Unit::Other) unit's own text.
    pub fn symbol(&self) -> &str {
        match self {
            Unit::Other(symbol) => symbol,
            named => NAMED
                .iter()
                .find(|(u, _, _)| u == named)
                .map_or("", |(_, _, symbol)| symbol),
        }
    }

    /// The name a file uses for this unit (`nanomolar`; an [`Other`](Unit::Other) unit's text).
    pub fn name(&self) -> &str {
        match self {
            Unit::Other(symbol) => symbol,
            named => NAMED
                .iter()
                .find(|(u, _, _)| u == named)
                .map_or("", |(_, name, _)| name),
        }
    }

    /// The unit a file names by `text`: a name or symbol of a named unit, else
    /// [`Unit::Other`]; `None` for empty text.
    pub fn parse(text: &str) -> Option<Unit> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let named = NAMED
            .iter()
            .find(|(_, name, symbol)| *name == text || *symbol == text);
        Some(named.map_or_else(|| Unit::Other(text.to_string()), |(u, _, _)| u.clone()))
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl Serialize for Unit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Unit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Unit::parse(&text).ok_or_else(|| serde::de::Error::custom("a unit cannot be empty"))
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

/// The unit a tumor's burden is counted in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BurdenUnit {
    /// Number of cells (the default).
    #[default]
    Cells,
    /// Tumor weight in grams (xenograft models such as Simeoni 2004).
    Grams,
    /// Tumor volume in mm³ (caliper measurements).
    CubicMillimeters,
}

/// How tumor burden maps to a diameter (see [`Condition::Progression`](crate::solver::Condition::Progression)): cells at
/// `cells_per_mm3`, grams at 1 g/cm³, then the diameter of a sphere of that volume.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiameterMapping {
    /// Cell density, cells/mm³ (default 1e6).
    pub cells_per_mm3: f64,
}

impl Default for DiameterMapping {
    fn default() -> Self {
        DiameterMapping { cells_per_mm3: 1e6 }
    }
}

impl DiameterMapping {
    /// Volume in mm³ of a burden `w` counted in `unit`.
    pub fn volume_mm3(&self, w: f64, unit: BurdenUnit) -> f64 {
        match unit {
            BurdenUnit::Cells => w / self.cells_per_mm3,
            BurdenUnit::Grams => w * 1000.0,
            BurdenUnit::CubicMillimeters => w,
        }
    }

    /// Diameter in mm of a sphere of volume `v` mm³: `(6·v/π)^(1/3)` (0 for `v ≤ 0`).
    pub fn diameter_mm(v: f64) -> f64 {
        if v <= 0.0 {
            0.0
        } else {
            (6.0 * v / std::f64::consts::PI).cbrt()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_symbols_read_back_to_the_same_unit() {
        for (unit, name, symbol) in NAMED {
            assert_eq!(Unit::parse(name), Some(unit.clone()));
            assert_eq!(Unit::parse(symbol), Some(unit.clone()));
            assert_eq!(unit.name(), name);
            assert_eq!(unit.symbol(), symbol);
        }
        assert_eq!(
            Unit::parse("copies/mL"),
            Some(Unit::Other("copies/mL".into()))
        );
        assert_eq!(Unit::parse("  "), None);
    }
}
