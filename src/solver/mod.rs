//! Simulation: [`simulate`] runs a [`Model`] under a [`Regimen`] to a [`Trajectory`].
//!
//! Use this module to choose *how* to integrate ([`SolverOptions`]: method, tolerances, step
//! budget) and to run a simulation.
//!
//! Integration is piecewise: time is cut at every bolus, infusion start and end, and output
//! time; boluses are applied as jumps between segments; the method restarts at every cut with a
//! freshly computed first step, so no step-size history crosses a discontinuity. Times closer
//! than a few ULPs are one cut. Outputs land exactly on the requested times (a segment ends
//! there), and each bolus time gives two rows, before (`pre`) and after (`post`) the jump.

mod explicit;
mod options;

pub use explicit::SolverStats;
pub use options::{AbsoluteTolerance, Method, SolverOptions, StateTolerance, Stiffness};

use crate::dosing::{Plan, Regimen};
use crate::error::{Error, ScheduleError};
use crate::model::Model;
use crate::trajectory::{DoseRecord, Side, Trajectory};
use explicit::Integrator;

/// What happens at one cut of the time axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// Output time `i`.
    Output(usize),
    /// Infusion `i` of the plan ends.
    InfusionEnd(usize),
    /// Infusion `i` starts.
    InfusionStart(usize),
    /// Jump `i` of the plan (bolus or radiotherapy fraction).
    Jump(usize),
}

/// Whether `b` is the same time as `a` (within a few ULPs: 21·k + 1/48 computed two ways).
fn same_time(a: f64, b: f64) -> bool {
    (b - a).abs() <= 8.0 * f64::EPSILON * a.abs().max(b.abs()).max(1.0)
}

/// Checks output times: at least one, finite, non-negative, strictly increasing.
fn check_times(times: &[f64]) -> Result<(), ScheduleError> {
    if times.is_empty() {
        return Err(ScheduleError::NoOutputTimes);
    }
    let mut previous = f64::NEG_INFINITY;
    for (index, &time) in times.iter().enumerate() {
        let reason = if !time.is_finite() {
            "is not finite"
        } else if time < 0.0 {
            "is negative"
        } else if time <= previous {
            "is not after the one before it"
        } else {
            previous = time;
            continue;
        };
        return Err(ScheduleError::InvalidOutputTime {
            index,
            time,
            reason,
        });
    }
    Ok(())
}

/// The cuts of `[0, t_end]`: sorted, with events at (nearly) the same time grouped.
fn cuts(plan: &Plan, times: &[f64], t_end: f64) -> Vec<(f64, Vec<Event>)> {
    let mut events: Vec<(f64, Event)> = times
        .iter()
        .enumerate()
        .map(|(i, &t)| (t, Event::Output(i)))
        .collect();
    for (i, j) in plan.jumps.iter().enumerate() {
        events.push((j.time, Event::Jump(i)));
    }
    for (i, inf) in plan.infusions.iter().enumerate() {
        events.push((inf.start, Event::InfusionStart(i)));
        events.push((inf.end, Event::InfusionEnd(i)));
    }
    events.retain(|(t, _)| *t <= t_end || same_time(t_end, *t));
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut groups: Vec<(f64, Vec<Event>)> = Vec::new();
    for (t, e) in events {
        match groups.last_mut() {
            Some((t0, group)) if same_time(*t0, t) => group.push(e),
            _ => groups.push((t, vec![e])),
        }
    }
    for (_, group) in &mut groups {
        group.sort();
    }
    groups
}

/// Simulates `model` under `regimen` from t = 0 (the model's initial state) to the last of
/// `times` (days), with output rows at each of `times` and at every dose.
///
/// Doses after the last output time lie outside the simulated window and are not given
/// ([`Trajectory::doses`] lists those that were).
///
/// ```
/// use oncodyn::prelude::*;
///
/// let mut b = ModelBuilder::new();
/// let drug = b.drug(DrugSpec::one_compartment("drug", 2.0, 10.0))?; // k = 0.2 1/day
/// let model = b.build()?;
/// let regimen = Regimen::new("single").with(Dose::bolus(0.0, "drug", 100.0));
/// let opts = SolverOptions { rtol: 1e-10, ..Default::default() };
/// let traj = simulate(&model, &regimen, &[0.0, 5.0], &opts)?;
/// let c5 = traj.value_at(5.0, drug)?;                   // mg/L
/// assert!((c5 - 10.0 * (-1.0f64).exp()).abs() < 1e-8);
/// # Ok::<(), oncodyn::Error>(())
/// ```
///
/// # Errors
/// [`ScheduleError`] for invalid output times or doses (named by index);
/// [`SolveError`](crate::SolveError) when integration fails, with the time (and state).
pub fn simulate(
    model: &Model,
    regimen: &Regimen,
    times: &[f64],
    options: &SolverOptions,
) -> Result<Trajectory, Error> {
    check_times(times)?;
    let plan = regimen.resolve(model)?;
    let t_end = times[times.len() - 1];
    let mut integrator = Integrator::new(model, options)?;
    let mut trajectory = Trajectory::new(model);
    let n = model.n_states();
    let mut y = model.initial_state().to_vec();
    let mut inputs = vec![0.0; n];
    let mut active = vec![false; plan.infusions.len()];
    let mut t = 0.0;
    for (tc, events) in cuts(&plan, times, t_end) {
        if tc > t {
            integrator.integrate(t, tc, &mut y, &inputs)?;
            t = tc;
        }
        // Rows carry the requested output time when one falls in this cut (it may differ from
        // a dose time in the last bits), so `value_at` finds every requested time.
        let row_time = events
            .iter()
            .find_map(|e| match e {
                Event::Output(i) => Some(times[*i]),
                _ => None,
            })
            .unwrap_or(tc);
        let jumps: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::Jump(i) => Some(plan.jumps[*i]),
                _ => None,
            })
            .collect();
        if jumps.is_empty() {
            trajectory.push(row_time, Side::At, &y);
        } else {
            trajectory.push(row_time, Side::Pre, &y);
            for j in &jumps {
                j.kind.apply(&mut y, model.initial_state());
                trajectory.record_jump(model, tc, &j.kind);
            }
            trajectory.push(row_time, Side::Post, &y);
        }
        let mut rates_changed = false;
        for e in &events {
            match *e {
                Event::InfusionStart(i) => {
                    active[i] = true;
                    rates_changed = true;
                    let inf = plan.infusions[i];
                    trajectory.record_dose(DoseRecord {
                        time: tc,
                        state: model.states()[inf.state].name.clone(),
                        amount: inf.rate * (inf.end - inf.start),
                        duration: Some(inf.end - inf.start),
                        dose: inf.dose,
                    });
                }
                Event::InfusionEnd(i) => {
                    active[i] = false;
                    rates_changed = true;
                }
                Event::Output(_) | Event::Jump(_) => {}
            }
        }
        if rates_changed {
            // Summed afresh from the active set, so an input returns exactly to zero.
            inputs.fill(0.0);
            for (inf, _) in plan.infusions.iter().zip(&active).filter(|(_, a)| **a) {
                inputs[inf.state] += inf.rate;
            }
        }
    }
    trajectory.set_stats(integrator.stats);
    Ok(trajectory)
}
