//! Quantities read from a trajectory row by row: a column, or the volume or diameter of all
//! its tumors.

use crate::units::DiameterMapping;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A quantity read from a trajectory row by row: one of its columns, or a quantity derived
/// from all of its tumors (what a caliper or a CT scan measures of a model with several
/// clones).
///
/// As text ([`FromStr`], [`Display`](fmt::Display)): `tumor_volume_mm3` and
/// `tumor_diameter_mm` name the derived quantities at the default [`DiameterMapping`]; any
/// other text names a column.
///
/// ```
/// use oncodyn::prelude::*;
/// use oncodyn::trajectory::Observable;
///
/// // Two clones in mm³: 100 mm³ shrinking at 0.05/day, 5 mm³ growing at 0.02/day.
/// let mut b = ModelBuilder::new();
/// b.tumor(TumorSpec::new("sensitive", 100.0, Exponential { rate: -0.05 }).in_unit(BurdenUnit::CubicMillimeters))?;
/// b.tumor(TumorSpec::new("resistant", 5.0, Exponential { rate: 0.02 }).in_unit(BurdenUnit::CubicMillimeters))?;
/// let model = b.build()?;
/// let traj = simulate(&model, &Regimen::new("none"), &[0.0, 30.0], &SolverOptions::default())?;
/// let volume = traj.observe(&Observable::from("tumor_volume_mm3"))?;
/// let diameter = traj.observe(&Observable::TumorDiameter(Default::default()))?;
/// assert!((volume[0] - 105.0).abs() < 1e-9);
/// let v30 = 100.0 * (-1.5f64).exp() + 5.0 * 0.6f64.exp();
/// assert!((diameter[1] - (6.0 * v30 / std::f64::consts::PI).cbrt()).abs() < 1e-6);
/// # Ok::<(), oncodyn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Observable {
    /// The column of this name: a state, `<drug>_conc` (mg/L), `<tumor>_burden`.
    Column(String),
    /// The summed volume of every tumor, mm³: each tumor's total burden converted by its unit
    /// ([`DiameterMapping::volume_mm3`]: cells at the mapping's density, grams at 1 g/cm³).
    TumorVolume(DiameterMapping),
    /// The diameter of a sphere of that summed volume, mm: `D = (6·V/π)^(1/3)`
    /// ([`DiameterMapping::diameter_mm`]), the mapping RECIST-like progression uses
    /// ([`Condition::Progression`](crate::solver::Condition::Progression)).
    TumorDiameter(DiameterMapping),
}

impl Observable {
    /// Text of [`Observable::TumorVolume`] at the default mapping.
    pub const TUMOR_VOLUME: &'static str = "tumor_volume_mm3";
    /// Text of [`Observable::TumorDiameter`] at the default mapping.
    pub const TUMOR_DIAMETER: &'static str = "tumor_diameter_mm";

    /// The column's name, if this is a column.
    pub fn column_name(&self) -> Option<&str> {
        match self {
            Observable::Column(name) => Some(name),
            _ => None,
        }
    }
}

impl From<&str> for Observable {
    /// As [`FromStr`]: the two derived names, otherwise a column.
    fn from(name: &str) -> Self {
        match name {
            Observable::TUMOR_VOLUME => Observable::TumorVolume(DiameterMapping::default()),
            Observable::TUMOR_DIAMETER => Observable::TumorDiameter(DiameterMapping::default()),
            _ => Observable::Column(name.to_string()),
        }
    }
}

impl From<String> for Observable {
    fn from(name: String) -> Self {
        Observable::from(name.as_str())
    }
}

impl From<&String> for Observable {
    fn from(name: &String) -> Self {
        Observable::from(name.as_str())
    }
}

impl FromStr for Observable {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Observable::from(s))
    }
}

impl fmt::Display for Observable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, mapping) = match self {
            Observable::Column(name) => return f.write_str(name),
            Observable::TumorVolume(m) => (Observable::TUMOR_VOLUME, m),
            Observable::TumorDiameter(m) => (Observable::TUMOR_DIAMETER, m),
        };
        f.write_str(name)?;
        if *mapping != DiameterMapping::default() {
            write!(f, " ({} cells/mm³)", mapping.cells_per_mm3)?;
        }
        Ok(())
    }
}
