//! Event endpoints: the first event a rule recorded, or censoring at the horizon.

use super::{ERADICATION_RULE, PROGRESSION_RULE};
use crate::compare::error::EndpointError;
use crate::stats::TimeToEvent;
use crate::trajectory::Trajectory;

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
