//! Drug exposure over a dosing interval: the last interval of a drug and its trough.

use super::Point;
use super::Series;
use crate::compare::error::EndpointError;
use crate::model::Model;
use crate::trajectory::Trajectory;
use serde::{Deserialize, Serialize};

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
