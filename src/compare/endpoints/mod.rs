//! Endpoints: one number (or a time, or a category) summarizing a trajectory, each defined
//! exactly here.
//!
//! Use this module when a simulated patient must be reduced to what a trial reports: tumor
//! burden at the end, its nadir, the best percentage change, the area under the tumor curve,
//! time to progression, best overall response (RECIST 1.1), eradication; drug exposure (AUC,
//! Cmax, trough); toxicity (a column's nadir and its grade, a column's peak).
//!
//! Most endpoints are methods of a [`Series`]: one column of a trajectory (by handle or name),
//! the tumors' equivalent diameter ([`Series::tumor_diameter`]), or any hand-built series. They
//! are computed **on the output rows**: a nadir is the smallest value among the rows, an area is
//! a trapezoid sum over the rows, so their accuracy is that of the output grid. Put the times
//! that matter on the grid (doses give two rows, before and after, on their own). A jump at a
//! dose or radiotherapy fraction is two rows at one time, so it adds nothing to an area and both
//! sides count for a nadir or peak.
//!
//! Event endpoints ([`time_to_progression`], [`eradication_time`]) read the events the solver
//! recorded ([`Trajectory::events`]), located to 1e-10 d rather than to the grid; they need the
//! corresponding rule ([`EventRule::progression`](crate::solver::EventRule::progression),
//! [`EventRule::eradication`](crate::solver::EventRule::eradication)) in the simulation, since a
//! trajectory does not record which rules watched it: without the rule, every patient is
//! censored.
//!
//! ```
//! use oncodyn::compare::Series;
//! use oncodyn::prelude::*;
//!
//! let mut b = ModelBuilder::new();
//! let tumor = b.tumor(TumorSpec::new("tumor", 1e9, Exponential { rate: 0.1 }))?;
//! let chemo = b.drug(DrugSpec::new("chemo", OneCompartment { cl: 2.0, v: 10.0 }))?;
//! b.effect(chemo, Target::TumorKill(tumor), Linear { slope: 0.04 })?; // L/(mg·day)
//! let model = b.build()?;
//! let regimen = Regimen::new("single").with(Dose::bolus(0.0, "chemo", 100.0));
//! let times: Vec<f64> = (0..=60).map(f64::from).collect();
//! let traj = simulate(&model, &regimen, &times, &SolverOptions::default())?;
//!
//! let burden = Series::column(&traj, tumor)?;
//! let nadir = burden.nadir(0.0)?;                 // cells, and when (days)
//! assert!(nadir.value < 1e9 && nadir.time > 0.0);
//! let change = burden.best_percent_change(0.0)?;  // %, negative for shrinkage
//! assert!(change.value < 0.0);
//! let exposure = Series::column(&traj, chemo)?.area_under_curve(0.0, 60.0)?; // mg·day/L
//! // dose/CL = 50 exactly; the trapezoid over daily rows overestimates it by ≈ (h·k)²/12 = 0.33%
//! assert!((exposure / 50.0 - 1.0).abs() < 0.004);
//! # Ok::<(), oncodyn::Error>(())
//! ```

mod events;
mod exposure;
mod grade;
mod recist;
mod series;

pub use events::{eradication_time, time_to_event, time_to_progression};
pub use exposure::{last_dosing_interval, trough, IntervalExposure};
pub use grade::{GradeScale, Worse};
pub use recist::{diameter_percent_change, BestResponse, Recist, Response};
pub use series::{check_density, Series};

pub use crate::stats::TimeToEvent;
use crate::trajectory::LookupError;
use crate::trajectory::{ColumnHandle, ColumnView, Trajectory};
use serde::{Deserialize, Serialize};

/// Name of the rule [`EventRule::progression`](crate::solver::EventRule::progression) records.
pub const PROGRESSION_RULE: &str = "progression";

/// Name of the rule [`EventRule::eradication`](crate::solver::EventRule::eradication) records.
pub const ERADICATION_RULE: &str = "eradication";

/// A trajectory column, named by a handle (a tumor's total burden, an immune population's
/// cells, a drug's concentration) or by its column name (`"ctl"`, `"chemo_central"`).
pub trait ColumnKey {
    /// The column in `trajectory`.
    ///
    /// # Errors
    /// [`LookupError`] for a foreign handle or an unknown name (listing the columns).
    fn view<'t>(&self, trajectory: &'t Trajectory) -> Result<ColumnView<'t>, LookupError>;
}

impl<H: ColumnHandle> ColumnKey for H {
    fn view<'t>(&self, trajectory: &'t Trajectory) -> Result<ColumnView<'t>, LookupError> {
        trajectory.column(*self)
    }
}

impl ColumnKey for &str {
    fn view<'t>(&self, trajectory: &'t Trajectory) -> Result<ColumnView<'t>, LookupError> {
        trajectory.column_by_name(self)
    }
}

impl ColumnKey for &String {
    fn view<'t>(&self, trajectory: &'t Trajectory) -> Result<ColumnView<'t>, LookupError> {
        trajectory.column_by_name(self)
    }
}

/// A value and the time it occurs, days.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Time, days.
    pub time: f64,
    /// Value, in the series' unit (or % for a percentage change).
    pub value: f64,
}
