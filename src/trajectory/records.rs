//! What happened during a simulation besides the states: the doses given, the radiotherapy
//! fractions, the events that fired, and the solver's work.

use serde::Serialize;

/// Work counters of a simulation (filled by the solver; see [`Trajectory::stats`](super::Trajectory::stats)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SolverStats {
    /// Right-hand side evaluations.
    pub rhs_evaluations: u64,
    /// Accepted steps.
    pub accepted_steps: u64,
    /// Rejected steps.
    pub rejected_steps: u64,
    /// Integrator restarts (segments between discontinuities and output times).
    pub segments: u64,
    /// Steps rejected because a trial stage's rates or the new state were not finite (a trial
    /// state outside the model's domain, such as a negative population under a fractional
    /// power): each is retried `1/fac_min` times shorter (5× with Dopri5, 3× with Dop853).
    pub non_finite_stages: u64,
}

/// One dose as given during the simulation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DoseRecord {
    /// Time, days.
    pub time: f64,
    /// Name of the state it went into.
    pub state: String,
    /// Amount (after bioavailability), state units.
    pub amount: f64,
    /// Infusion duration, days (`None` for a bolus).
    pub duration: Option<f64>,
    /// Index of the regimen dose it comes from.
    pub dose: usize,
}

/// One radiotherapy fraction as given during the simulation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FractionRecord {
    /// Time, days.
    pub time: f64,
    /// Index of the regimen's fraction.
    pub fraction: usize,
    /// Name of the irradiated state.
    pub state: String,
    /// Its surviving fraction.
    pub surviving_fraction: f64,
}

/// A state-triggered event that fired (see [`EventRule`](crate::solver::EventRule)).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventRecord {
    /// Time, days, located to within [`EVENT_TIME_TOLERANCE`](crate::solver::EVENT_TIME_TOLERANCE).
    pub time: f64,
    /// Name of the rule.
    pub rule: String,
    /// The action taken: `record`, `stop`, `eradicate`, `dose`, `stop_dosing`, `switch_regimen`.
    pub action: &'static str,
    /// The state when it fired (before the action), in state order.
    pub state: Vec<f64>,
}
