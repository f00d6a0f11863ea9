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
//! let chemo = b.drug(DrugSpec::one_compartment("chemo", 2.0, 10.0))?;
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

use crate::compare::error::EndpointError;

use crate::model::Model;
use crate::solver::DiameterMapping;
pub use crate::stats::TimeToEvent;
use crate::trajectory::LookupError;
use crate::trajectory::{ColumnHandle, ColumnView, Observable, Trajectory};
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

/// Values at non-decreasing times: one trajectory column, the tumors' diameter, or hand-built.
/// Rows may share a time (before and after a dose).
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    times: Vec<f64>,
    values: Vec<f64>,
}

/// Checks a diameter mapping's cell density is finite and positive.
///
/// # Errors
/// [`EndpointError::InvalidOption`] naming `cells_per_mm3` otherwise.
pub fn check_density(mapping: &DiameterMapping) -> Result<(), EndpointError> {
    let density = mapping.cells_per_mm3;
    if !(density.is_finite() && density > 0.0) {
        return Err(EndpointError::InvalidOption {
            option: "cells_per_mm3",
            value: density,
            reason: "must be finite and positive",
        });
    }
    Ok(())
}

impl Series {
    /// A series from its rows.
    ///
    /// # Errors
    /// [`EndpointError::EmptySeries`], [`LengthMismatch`](EndpointError::LengthMismatch),
    /// [`InvalidTime`](EndpointError::InvalidTime) (non-finite or decreasing),
    /// [`NonFiniteValue`](EndpointError::NonFiniteValue).
    pub fn new(times: Vec<f64>, values: Vec<f64>) -> Result<Self, EndpointError> {
        if times.len() != values.len() {
            return Err(EndpointError::LengthMismatch {
                times: times.len(),
                values: values.len(),
            });
        }
        if times.is_empty() {
            return Err(EndpointError::EmptySeries);
        }
        let mut previous = f64::NEG_INFINITY;
        for (row, (&time, &value)) in times.iter().zip(&values).enumerate() {
            let reason = if !time.is_finite() {
                "is not finite"
            } else if time < previous {
                "is before the row above"
            } else if !value.is_finite() {
                return Err(EndpointError::NonFiniteValue { row, time, value });
            } else {
                previous = time;
                continue;
            };
            return Err(EndpointError::InvalidTime { row, time, reason });
        }
        Ok(Series { times, values })
    }

    /// One column of `trajectory`, with its row times.
    ///
    /// # Errors
    /// [`EndpointError::Lookup`] for an unknown column; as [`new`](Self::new) for an empty
    /// trajectory.
    pub fn column(trajectory: &Trajectory, column: impl ColumnKey) -> Result<Self, EndpointError> {
        let view = column.view(trajectory)?;
        Series::new(trajectory.times().to_vec(), view.to_vec())
    }

    /// The diameter (mm) of a sphere holding every tumor's total burden, row by row — the
    /// mapping [`Condition::Progression`](crate::solver::Condition::Progression) uses: each
    /// tumor's burden to a volume by its unit ([`DiameterMapping::volume_mm3`]), the volumes
    /// summed, `D = (6·V/π)^(1/3)` ([`DiameterMapping::diameter_mm`]); the values of
    /// [`Observable::TumorDiameter`] ([`Trajectory::observe`]). `trajectory` is a simulation
    /// of `model`.
    ///
    /// # Errors
    /// [`EndpointError::NoTumor`]; [`InvalidOption`](EndpointError::InvalidOption) for a cell
    /// density that is not finite and positive.
    pub fn tumor_diameter(
        trajectory: &Trajectory,
        model: &Model,
        mapping: &DiameterMapping,
    ) -> Result<Self, EndpointError> {
        check_density(mapping)?;
        if model.spec().tumors.is_empty() {
            return Err(EndpointError::NoTumor);
        }
        let diameters = trajectory.observe(&Observable::TumorDiameter(*mapping))?;
        Series::new(trajectory.times().to_vec(), diameters)
    }

    /// Row times, days.
    pub fn times(&self) -> &[f64] {
        &self.times
    }

    /// Row values.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Number of rows (at least 1).
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Always `false`: a series has at least one row.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// The rows at `times` (each the first row at that time: before a dose there), as a new
    /// series, e.g. the scan times of a trial's assessments.
    ///
    /// # Errors
    /// [`EndpointError::NotAnOutputTime`] for a time that is no row's; as [`new`](Self::new).
    pub fn at_times(&self, times: &[f64]) -> Result<Series, EndpointError> {
        let values = times
            .iter()
            .map(|&t| self.value_at(t))
            .collect::<Result<Vec<_>, _>>()?;
        Series::new(times.to_vec(), values)
    }

    /// The last row: the final burden of a tumor column.
    pub fn final_value(&self) -> Point {
        let i = self.times.len() - 1;
        Point {
            time: self.times[i],
            value: self.values[i],
        }
    }

    /// The value of the first row at time `t` (at a dose time: the row before the dose).
    ///
    /// # Errors
    /// [`EndpointError::NotAnOutputTime`] when no row has time `t`.
    pub fn value_at(&self, t: f64) -> Result<f64, EndpointError> {
        self.first_row_at(t).map(|i| self.values[i])
    }

    fn first_row_at(&self, t: f64) -> Result<usize, EndpointError> {
        let i = self.times.partition_point(|&x| x < t);
        match self.times.get(i) {
            Some(&x) if x == t => Ok(i),
            _ => Err(EndpointError::NotAnOutputTime { time: t }),
        }
    }

    /// Rows `i` with `from ≤ t_i ≤ to`.
    fn window(&self, from: f64, to: f64) -> Result<std::ops::Range<usize>, EndpointError> {
        if from.is_nan() {
            return Err(EndpointError::InvalidOption {
                option: "from",
                value: from,
                reason: "must be a number",
            });
        }
        if to.is_nan() || to < from {
            return Err(EndpointError::InvalidOption {
                option: "to",
                value: to,
                reason: "must not be before `from`",
            });
        }
        let start = self.times.partition_point(|&x| x < from);
        let end = self.times.partition_point(|&x| x <= to);
        if start >= end {
            return Err(EndpointError::NoRows { from, to });
        }
        Ok(start..end)
    }

    fn extremum(
        &self,
        from: f64,
        better: impl Fn(f64, f64) -> bool,
    ) -> Result<Point, EndpointError> {
        let rows = self.window(from, f64::INFINITY)?;
        let mut best = rows.start;
        for i in rows {
            if better(self.values[i], self.values[best]) {
                best = i;
            }
        }
        Ok(Point {
            time: self.times[best],
            value: self.values[best],
        })
    }

    /// Nadir: the smallest value among the rows at or after `from` (e.g. the first dose), and
    /// the earliest time it is reached. Also the "minimum of a column" of a toxicity endpoint
    /// (neutrophil nadir).
    ///
    /// # Errors
    /// [`EndpointError::NoRows`] when no row is at or after `from`.
    pub fn nadir(&self, from: f64) -> Result<Point, EndpointError> {
        self.extremum(from, |a, b| a < b)
    }

    /// Peak: the largest value among the rows at or after `from`, and the earliest time it is
    /// reached: Cmax and Tmax of a concentration column, the peak of a cytokine.
    ///
    /// # Errors
    /// [`EndpointError::NoRows`] when no row is at or after `from`.
    pub fn peak(&self, from: f64) -> Result<Point, EndpointError> {
        self.extremum(from, |a, b| a > b)
    }

    /// Best percentage change from baseline: `100·(min w − w0)/w0`, `w0` the value of the first
    /// row at `baseline` and the minimum over every later row (negative for shrinkage; the
    /// smallest growth if the series never shrinks), with the time of that minimum.
    ///
    /// Apply it to a tumor column for the change in burden, or to
    /// [`tumor_diameter`](Self::tumor_diameter) for the change in diameter that a waterfall
    /// plot of RECIST measurements shows.
    ///
    /// # Errors
    /// [`EndpointError::NotAnOutputTime`] when `baseline` is no row's time;
    /// [`ZeroBaseline`](EndpointError::ZeroBaseline); [`NoRows`](EndpointError::NoRows) when
    /// the baseline row is the last.
    pub fn best_percent_change(&self, baseline: f64) -> Result<Point, EndpointError> {
        let b = self.first_row_at(baseline)?;
        let w0 = self.values[b];
        if w0 == 0.0 {
            return Err(EndpointError::ZeroBaseline { time: baseline });
        }
        let mut best: Option<usize> = None;
        for i in b + 1..self.values.len() {
            if best.is_none_or(|j| self.values[i] < self.values[j]) {
                best = Some(i);
            }
        }
        let Some(i) = best else {
            return Err(EndpointError::NoRows {
                from: baseline,
                to: baseline,
            });
        };
        Ok(Point {
            time: self.times[i],
            value: 100.0 * (self.values[i] - w0) / w0,
        })
    }

    /// Area under the curve over `[from, to]` by the linear trapezoid rule over the rows in the
    /// window: `Σ (t_{k+1} − t_k)·(v_k + v_{k+1})/2`, in value·days (cell·days for a tumor,
    /// mg·day/L for a concentration).
    ///
    /// The window is clipped to its rows: put `from` and `to` on the output grid for the exact
    /// window. The trapezoid overestimates a convex curve (a concentration decaying after a
    /// dose) by about `h²/12·|v''|` per unit time for row spacing `h`; for an exact drug AUC, add
    /// a state that integrates the concentration to the model.
    ///
    /// # Errors
    /// [`EndpointError::NoRows`] for an empty window;
    /// [`InvalidOption`](EndpointError::InvalidOption) when `to < from`.
    pub fn area_under_curve(&self, from: f64, to: f64) -> Result<f64, EndpointError> {
        let rows = self.window(from, to)?;
        let t = &self.times[rows.clone()];
        let v = &self.values[rows];
        Ok(t.windows(2)
            .zip(v.windows(2))
            .map(|(t, v)| (t[1] - t[0]) * 0.5 * (v[0] + v[1]))
            .sum())
    }

    /// The time of the first row at or after `from` whose value is at or below `threshold`
    /// (`None` if there is none): a crossing on the output grid, e.g. a tumor below one cell.
    /// For a crossing located between rows, use an event rule instead.
    pub fn first_time_at_or_below(&self, threshold: f64, from: f64) -> Option<f64> {
        let start = self.times.partition_point(|&x| x < from);
        (start..self.times.len())
            .find(|&i| self.values[i] <= threshold)
            .map(|i| self.times[i])
    }

    /// Exposure over the dosing interval `[start, end]` (days): both must be row times. The
    /// interval begins after any dose at `start` (its last row at `start`) and ends before any
    /// dose at `end` (its first row at `end`); see [`IntervalExposure`].
    ///
    /// # Errors
    /// [`EndpointError::NotAnOutputTime`] for a bound that is no row's time;
    /// [`InvalidOption`](EndpointError::InvalidOption) when `end ≤ start`.
    pub fn interval(&self, start: f64, end: f64) -> Result<IntervalExposure, EndpointError> {
        if end.is_nan() || end <= start {
            return Err(EndpointError::InvalidOption {
                option: "end",
                value: end,
                reason: "must be after `start`",
            });
        }
        let first = self.first_row_at(start)?;
        let last_at_start = self.times.partition_point(|&x| x <= start) - 1;
        debug_assert!(last_at_start >= first);
        let last = self.first_row_at(end)?;
        let rows = last_at_start..last + 1;
        let sub = Series {
            times: self.times[rows.clone()].to_vec(),
            values: self.values[rows].to_vec(),
        };
        Ok(IntervalExposure {
            start,
            end,
            minimum: sub.nadir(start)?,
            maximum: sub.peak(start)?,
            trough: self.values[last],
            area: sub.area_under_curve(start, end)?,
        })
    }
}

/// Exposure over one dosing interval `[start, end]`, from the row just after the dose at
/// `start` to the row just before the dose at `end`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct IntervalExposure {
    /// Interval start (a dose time), days.
    pub start: f64,
    /// Interval end (the next dose time), days.
    pub end: f64,
    /// Cmin: the smallest value in the interval and when.
    pub minimum: Point,
    /// Cmax: the largest value in the interval and when.
    pub maximum: Point,
    /// Ctrough: the value just before the dose at `end` (the pre-dose row).
    pub trough: f64,
    /// Trapezoid AUC over the interval (see [`Series::area_under_curve`]), value·days.
    pub area: f64,
}

/// The last complete dosing interval of `drug`: from its second-to-last to its last distinct
/// dose time among the doses given ([`Trajectory::doses`], into any of the drug's states).
/// The interval after the last dose is open-ended and not used.
///
/// # Errors
/// [`EndpointError::UnknownDrug`] listing the drugs;
/// [`TooFewDoses`](EndpointError::TooFewDoses) for fewer than two distinct dose times.
pub fn last_dosing_interval(
    trajectory: &Trajectory,
    model: &Model,
    drug: &str,
) -> Result<(f64, f64), EndpointError> {
    check_drug(model, drug)?;
    let states: Vec<&str> = model
        .states()
        .iter()
        .filter(|s| s.component == drug)
        .map(|s| s.name.as_str())
        .collect();
    let mut times: Vec<f64> = trajectory
        .doses()
        .iter()
        .filter(|d| states.contains(&d.state.as_str()))
        .map(|d| d.time)
        .collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    match times[..] {
        [.., start, end] => Ok((start, end)),
        _ => Err(EndpointError::TooFewDoses {
            drug: drug.to_string(),
            doses: times.len(),
        }),
    }
}

fn check_drug(model: &Model, drug: &str) -> Result<(), EndpointError> {
    let names = model.spec().names(crate::model::ComponentKind::Drug);
    if names.contains(&drug) {
        Ok(())
    } else {
        Err(EndpointError::UnknownDrug {
            name: drug.to_string(),
            available: names.join(", "),
        })
    }
}

/// Cmin, Cmax, trough and AUC of `drug`'s central concentration (mg/L) over its last complete
/// dosing interval ([`last_dosing_interval`]).
///
/// # Errors
/// As [`last_dosing_interval`]; [`EndpointError::NotAnOutputTime`] if a dose time has no row
/// (a dose after the last output time is not given, so this does not happen for doses given).
pub fn trough(
    trajectory: &Trajectory,
    model: &Model,
    drug: &str,
) -> Result<IntervalExposure, EndpointError> {
    let (start, end) = last_dosing_interval(trajectory, model, drug)?;
    let id = model.drug(drug).map_err(|_| EndpointError::UnknownDrug {
        name: drug.to_string(),
        available: model
            .spec()
            .names(crate::model::ComponentKind::Drug)
            .join(", "),
    })?;
    Series::column(trajectory, id)?.interval(start, end)
}

/// The first event recorded by rule `rule` ([`Trajectory::events`]), or censoring at the last
/// row's time (the horizon, or where an event stopped the simulation).
///
/// # Errors
/// [`EndpointError::EmptySeries`] for a trajectory without rows.
pub fn time_to_event(trajectory: &Trajectory, rule: &str) -> Result<TimeToEvent, EndpointError> {
    if let Some(e) = trajectory.events().iter().find(|e| e.rule == rule) {
        return Ok(TimeToEvent {
            time: e.time,
            censored: false,
        });
    }
    match trajectory.times().last() {
        Some(&time) => Ok(TimeToEvent {
            time,
            censored: true,
        }),
        None => Err(EndpointError::EmptySeries),
    }
}

/// Time to progression: the first event of the rule named [`PROGRESSION_RULE`] (RECIST-like:
/// the tumors' diameter ≥ 1.2 × and ≥ 5 mm above its nadir, see
/// [`Condition::Progression`](crate::solver::Condition::Progression)), censored at the horizon.
///
/// # Errors
/// As [`time_to_event`].
pub fn time_to_progression(trajectory: &Trajectory) -> Result<TimeToEvent, EndpointError> {
    time_to_event(trajectory, PROGRESSION_RULE)
}

/// Eradication time: the first event of the rule named [`ERADICATION_RULE`] (burden below its
/// threshold, then set to 0), censored at the horizon.
///
/// # Errors
/// As [`time_to_event`].
pub fn eradication_time(trajectory: &Trajectory) -> Result<TimeToEvent, EndpointError> {
    time_to_event(trajectory, ERADICATION_RULE)
}

/// A RECIST 1.1 response category (Eisenhauer et al., Eur J Cancer 2009;45:228), ordered from
/// best to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Response {
    /// CR: the tumor has disappeared (diameter at or below the detection limit).
    Complete,
    /// PR: diameter at least 30% below baseline.
    Partial,
    /// SD: neither PR nor PD.
    Stable,
    /// PD: diameter at least 20% and at least 5 mm above the nadir.
    Progressive,
    /// NE: no assessment qualified (SD seen only before the minimum duration, no PD).
    NotEvaluable,
}

impl Response {
    /// `CR`, `PR`, `SD`, `PD`, `NE`.
    pub fn abbreviation(self) -> &'static str {
        match self {
            Response::Complete => "CR",
            Response::Partial => "PR",
            Response::Stable => "SD",
            Response::Progressive => "PD",
            Response::NotEvaluable => "NE",
        }
    }

    /// CR or PR: counts toward the objective response rate.
    pub fn is_objective(self) -> bool {
        matches!(self, Response::Complete | Response::Partial)
    }

    /// CR, PR or SD: counts toward the disease control rate.
    pub fn is_disease_control(self) -> bool {
        matches!(
            self,
            Response::Complete | Response::Partial | Response::Stable
        )
    }
}

/// RECIST 1.1 thresholds applied to a model's tumor diameter.
///
/// At each assessment after baseline, with `D` the diameter, `D0` the baseline and `Dn` the
/// smallest diameter at baseline or any earlier assessment:
///
/// ```text
/// CR  D ≤ detection_limit_mm
/// PD  D ≥ 1.2·Dn  and  D ≥ Dn + 5 mm                (checked before PR)
/// PR  D ≤ 0.7·D0
/// SD  otherwise; it counts only at t ≥ baseline + min_stable_days
/// ```
///
/// The best overall response is the best category (CR > PR > SD > PD) among the assessments up
/// to and including the first PD; PD if the first qualifying assessment is PD; NE if none
/// qualifies. Responses are not confirmed by a second scan (RECIST 1.1 requires confirmation
/// only in non-randomized trials with response as primary endpoint).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Recist {
    /// How burden maps to a diameter (default 1e6 cells/mm³, the progression event's).
    pub mapping: DiameterMapping,
    /// Diameter at or below which the tumor counts as gone, mm (default 0: only an eradicated
    /// tumor is a CR; e.g. 1e6 cells ≈ 1 mm³ ≈ 1.24 mm).
    pub detection_limit_mm: f64,
    /// Time of the baseline assessment, days (default 0).
    pub baseline_time: f64,
    /// Minimum time after baseline for SD to count, days (default 42: RECIST 1.1 leaves it to
    /// the protocol, "in general not less than 6–8 weeks").
    pub min_stable_days: f64,
}

impl Default for Recist {
    fn default() -> Self {
        Recist {
            mapping: DiameterMapping::default(),
            detection_limit_mm: 0.0,
            baseline_time: 0.0,
            min_stable_days: 42.0,
        }
    }
}

/// The result of [`Recist::best_response`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BestResponse {
    /// The best overall response.
    pub response: Response,
    /// When it was first assessed, days (`None` for NE).
    pub time: Option<f64>,
    /// Baseline diameter, mm.
    pub baseline_mm: f64,
    /// Smallest assessed diameter (baseline included) up to the first PD, mm.
    pub nadir_mm: f64,
    /// Time of the first PD assessment, days (`None` if there is none).
    pub progression_time: Option<f64>,
}

impl Recist {
    /// The category of one assessment of diameter `d` (mm), given the baseline `baseline` and
    /// the nadir `nadir` before it (mm); see the thresholds in the [type docs](Self).
    pub fn classify(&self, d: f64, baseline: f64, nadir: f64) -> Response {
        if d <= self.detection_limit_mm {
            Response::Complete
        } else if d >= 1.2 * nadir && d >= nadir + 5.0 {
            Response::Progressive
        } else if d <= 0.7 * baseline {
            Response::Partial
        } else {
            Response::Stable
        }
    }

    /// Best overall response of the diameters (mm) in `diameters`: baseline is the first row at
    /// `baseline_time`; every later row is an assessment (select scan times first with
    /// [`Series::at_times`] to mimic a trial's schedule).
    ///
    /// # Errors
    /// [`EndpointError::InvalidOption`] for a negative or non-finite limit or duration;
    /// [`NotAnOutputTime`](EndpointError::NotAnOutputTime) when `baseline_time` is no row's;
    /// [`NotMeasurable`](EndpointError::NotMeasurable) when the baseline is not above the
    /// detection limit.
    pub fn best_response(&self, diameters: &Series) -> Result<BestResponse, EndpointError> {
        for (option, value) in [
            ("detection_limit_mm", self.detection_limit_mm),
            ("min_stable_days", self.min_stable_days),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(EndpointError::InvalidOption {
                    option,
                    value,
                    reason: "must be finite and non-negative",
                });
            }
        }
        let b = diameters.first_row_at(self.baseline_time)?;
        let baseline = diameters.values[b];
        if baseline <= self.detection_limit_mm {
            return Err(EndpointError::NotMeasurable {
                baseline_mm: baseline,
                limit_mm: self.detection_limit_mm,
            });
        }
        let mut nadir = baseline;
        let mut best: Option<(Response, f64)> = None;
        let mut progression_time = None;
        for i in b + 1..diameters.len() {
            let (t, d) = (diameters.times[i], diameters.values[i]);
            let response = self.classify(d, baseline, nadir);
            let counts =
                response != Response::Stable || t - self.baseline_time >= self.min_stable_days;
            if counts && best.is_none_or(|(r, _)| response < r) {
                best = Some((response, t));
            }
            if response == Response::Progressive {
                progression_time = Some(t);
                break;
            }
            nadir = nadir.min(d);
        }
        Ok(BestResponse {
            response: best.map_or(Response::NotEvaluable, |(r, _)| r),
            time: best.map(|(_, t)| t),
            baseline_mm: baseline,
            nadir_mm: nadir,
            progression_time,
        })
    }

    /// Best overall response of a simulated patient: [`Series::tumor_diameter`] with this
    /// mapping, then [`best_response`](Self::best_response).
    ///
    /// # Errors
    /// As [`Series::tumor_diameter`] and [`best_response`](Self::best_response).
    pub fn assess(
        &self,
        trajectory: &Trajectory,
        model: &Model,
    ) -> Result<BestResponse, EndpointError> {
        self.best_response(&Series::tumor_diameter(trajectory, model, &self.mapping)?)
    }
}

/// Which side of a grade scale is worse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Worse {
    /// Lower values are worse (neutrophils, platelets): thresholds descending.
    Below,
    /// Higher values are worse (a cytokine, a liver enzyme): thresholds ascending.
    Above,
}

/// Toxicity grades by thresholds: grade `k` (1-based) when the value is strictly beyond
/// threshold `k` (below it for [`Worse::Below`], above for [`Worse::Above`]) but not beyond
/// threshold `k + 1`; grade 0 when beyond none.
///
/// ```
/// use oncodyn::compare::GradeScale;
/// // Neutrophil count (×10⁹/L), CTCAE v5.0 "neutrophil count decreased" with LLN 2.0:
/// // grade 1 < LLN, grade 2 < 1.5, grade 3 < 1.0, grade 4 < 0.5.
/// let anc = GradeScale::below(vec![2.0, 1.5, 1.0, 0.5])?;
/// assert_eq!(anc.grade(2.5), 0);
/// assert_eq!(anc.grade(1.5), 1); // 1.5 is not below 1.5
/// assert_eq!(anc.grade(0.2), 4);
/// # Ok::<(), oncodyn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "GradeScaleData")]
pub struct GradeScale {
    worse: Worse,
    thresholds: Vec<f64>,
}

/// A [`GradeScale`] as read, before [`GradeScale::new`] checks it: deserializing cannot build an
/// unchecked scale.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GradeScaleData {
    worse: Worse,
    thresholds: Vec<f64>,
}

impl TryFrom<GradeScaleData> for GradeScale {
    type Error = EndpointError;

    fn try_from(data: GradeScaleData) -> Result<Self, Self::Error> {
        GradeScale::new(data.worse, data.thresholds)
    }
}

impl GradeScale {
    /// A scale where lower is worse; `thresholds` strictly descending (grade 1 first).
    ///
    /// # Errors
    /// [`EndpointError::InvalidThreshold`] for a non-finite or out-of-order threshold, or more
    /// than 255.
    pub fn below(thresholds: Vec<f64>) -> Result<Self, EndpointError> {
        GradeScale::new(Worse::Below, thresholds)
    }

    /// A scale where higher is worse; `thresholds` strictly ascending (grade 1 first).
    ///
    /// # Errors
    /// As [`below`](Self::below).
    pub fn above(thresholds: Vec<f64>) -> Result<Self, EndpointError> {
        GradeScale::new(Worse::Above, thresholds)
    }

    /// A scale in direction `worse`.
    ///
    /// # Errors
    /// As [`below`](Self::below).
    pub fn new(worse: Worse, thresholds: Vec<f64>) -> Result<Self, EndpointError> {
        for (index, &value) in thresholds.iter().enumerate() {
            let reason = if !value.is_finite() {
                "must be finite"
            } else if index >= usize::from(u8::MAX) {
                "is past the 255th"
            } else if index > 0 && worse == Worse::Below && value >= thresholds[index - 1] {
                "must be below the one before (lower is worse)"
            } else if index > 0 && worse == Worse::Above && value <= thresholds[index - 1] {
                "must be above the one before (higher is worse)"
            } else {
                continue;
            };
            return Err(EndpointError::InvalidThreshold {
                index,
                value,
                reason,
            });
        }
        Ok(GradeScale { worse, thresholds })
    }

    /// The direction.
    pub fn worse(&self) -> Worse {
        self.worse
    }

    /// The thresholds, grade 1 first.
    pub fn thresholds(&self) -> &[f64] {
        &self.thresholds
    }

    /// The grade of `value` (0 = none).
    pub fn grade(&self, value: f64) -> u8 {
        let beyond = |t: f64| match self.worse {
            Worse::Below => value < t,
            Worse::Above => value > t,
        };
        let n = self.thresholds.iter().take_while(|&&t| beyond(t)).count();
        u8::try_from(n).unwrap_or(u8::MAX)
    }
}
