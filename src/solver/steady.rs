//! Periodic steady state of a dosing pattern, as the fixed point of the one-period map.
//!
//! Never by simulating a fixed number of cycles: for a dose pattern repeated every `τ` days the
//! steady state is the state `y*` at the start of an interval that the interval maps back onto
//! itself, `Φ(y*) = y*`. For a linear model (first-order transfers and constant sources only)
//! `Φ` is affine, `Φ(y) = A·y + b`: `A` and `b` come from `n + 1` simulations and `y*` from one
//! linear solve. For a nonlinear model, Newton's method on `F(y) = Φ(y) − y` with a
//! forward-difference Jacobian. For a constant input (`Period::Constant`) the steady state is
//! the root of `f(y) + u = 0`, the same way.

use super::{simulate_from, SolverOptions};
use crate::dosing::Regimen;
use crate::dosing::ScheduleError;
use crate::model::Model;
use crate::solver::error::SolveError;
use crate::Error;
use nalgebra::{DMatrix, DVector};

/// The period of the dosing pattern.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Period {
    /// Doses within `[0, τ)` repeated every `τ` days.
    Interval(f64),
    /// Infusions running forever at their rates (their start and duration are ignored):
    /// NONMEM's SS with II = 0.
    Constant,
}

/// A converged steady state.
#[derive(Clone, Debug, PartialEq)]
pub struct SteadyState {
    /// The state at the start of an interval (before its doses), in state order.
    pub state: Vec<f64>,
    /// Newton iterations taken (1 for a linear model: one linear solve).
    pub iterations: usize,
    /// Final residual: for Newton `max_i |F_i|/(10·(atol_i + rtol·|y_i|))` (≤ 1 when
    /// converged); for a linear model `max_i |Φ(y*)_i − y*_i|` relative to the largest `|b_i|`.
    pub residual: f64,
}

/// The map whose fixed point is the steady state: a state to the state one period later.
type OnePeriod<'a> = dyn Fn(&[f64]) -> Result<Vec<f64>, Error> + 'a;

/// Newton iterations allowed before giving up.
const MAX_ITERATIONS: usize = 50;

/// The one-period map is known only to the integration tolerance, so Newton's residual and
/// step are accepted within this multiple of `atol_i + rtol·|y_i|`.
const NEWTON_SLACK: f64 = 10.0;

/// Relative forward-difference step for the Jacobian of the one-period map: about √ε scaled
/// to the integration error (the map is known to `rtol`, so a step far below √ε would
/// difference its noise).
const FD_RELATIVE_STEP: f64 = 1e-7;

/// The difference step is never below this multiple of the state's `atol`, so a state near
/// zero is still perturbed above the integration noise.
const FD_ATOL_MULTIPLE: f64 = 1e3;

/// The periodic steady state of `regimen` repeated with `period`, from the model's initial state
/// as first guess; converged when every component of the Newton step and of the residual is
/// within ten times the solver tolerances `atol_i + rtol·|y_i|` (the map itself is computed
/// to those tolerances).
///
/// ```
/// use oncodyn::prelude::*;
/// use oncodyn::solver::{steady_state, Period};
///
/// let mut b = ModelBuilder::new();
/// b.drug(DrugSpec::new("drug", OneCompartment { cl: 2.0, v: 10.0 }))?; // k = 0.2 1/day
/// let model = b.build()?;
/// let q12h = Regimen::new("q12h").with(Dose::bolus(0.0, "drug", 100.0));
/// let opts = SolverOptions { rtol: 1e-10, ..Default::default() };
/// let ss = steady_state(&model, &q12h, Period::Interval(0.5), &opts)?;
/// // Trough amount D·e^(−kτ)/(1 − e^(−kτ)).
/// let r = (-0.2f64 * 0.5).exp();
/// assert!((ss.state[0] - 100.0 * r / (1.0 - r)).abs() < 1e-6);
/// # Ok::<(), oncodyn::Error>(())
/// ```
///
/// # Errors
/// [`SolveError::TimeVarying`] for a model whose rates depend on time itself (the one-period
/// map would change from period to period), [`ScheduleError::DoseOutsidePeriod`] for a dose at
/// or after `τ` (or a bolus with
/// `Period::Constant`), [`SolveError::NoSteadyState`] when Newton does not converge (or the
/// Jacobian is singular), and any error of the simulations it runs.
pub fn steady_state(
    model: &Model,
    regimen: &Regimen,
    period: Period,
    options: &SolverOptions,
) -> Result<SteadyState, Error> {
    if model.is_time_varying() {
        return Err(SolveError::TimeVarying.into());
    }
    let atol = options.state_tolerances(model)?;
    let plan = regimen.resolve(model)?;
    let map: Box<OnePeriod> = match period {
        Period::Interval(tau) => {
            if !(tau.is_finite() && tau > 0.0) {
                return Err(SolveError::InvalidOption {
                    option: "period",
                    value: tau,
                    reason: "must be finite and positive",
                }
                .into());
            }
            // A jump at τ belongs to the next interval; an infusion may end at τ.
            let jumps = plan
                .jumps
                .iter()
                .map(|j| (j.kind.describe(), j.time, j.time >= tau));
            let infusions = plan
                .infusions
                .iter()
                .map(|i| (format!("dose {}", i.dose), i.end, i.end > tau));
            for (what, time, late) in jumps.chain(infusions) {
                if late {
                    return Err(ScheduleError::DoseOutsidePeriod {
                        what,
                        time,
                        period: tau,
                    }
                    .into());
                }
            }
            Box::new(move |y: &[f64]| {
                let traj = simulate_from(model, y, 0.0, regimen, &[tau], options)?;
                let last = traj.row(traj.n_rows() - 1).unwrap_or_default();
                Ok(last[..y.len()].to_vec())
            })
        }
        Period::Constant => {
            if let Some(j) = plan.jumps.first() {
                return Err(ScheduleError::DoseOutsidePeriod {
                    what: j.kind.describe(),
                    time: j.time,
                    period: 0.0,
                }
                .into());
            }
            let mut inputs = vec![0.0; model.n_states()];
            for inf in &plan.infusions {
                inputs[inf.state] += inf.rate;
            }
            // F(y) = f(y) + u; written as Φ(y) − y with Φ(y) = y + f(y) + u.
            Box::new(move |y: &[f64]| {
                let mut dy = vec![0.0; y.len()];
                model.rates_into(0.0, y, &inputs, &mut dy);
                Ok(y.iter().zip(&dy).map(|(a, b)| a + b).collect())
            })
        }
    };
    if model.is_linear() {
        affine_fixed_point(&*map, model.n_states())
    } else {
        newton(&*map, model.initial_state(), &atol, options.rtol)
    }
}

/// The fixed point of an affine map `Φ(y) = A·y + b`: `b = Φ(0)`, column `j` of `A` is
/// `Φ(e_j) − b` (exact for any step, so a unit one keeps rounding small), then one linear
/// solve of `(I − A)·y = b`.
fn affine_fixed_point(map: &OnePeriod, n: usize) -> Result<SteadyState, Error> {
    let zero = vec![0.0; n];
    let b = map(&zero)?;
    let scale = b.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    let mut system = DMatrix::identity(n, n);
    for j in 0..n {
        let mut e = zero.clone();
        e[j] = scale;
        let column = map(&e)?;
        for i in 0..n {
            system[(i, j)] -= (column[i] - b[i]) / scale;
        }
    }
    let rhs = DVector::from_vec(b);
    let Some(y) = system.lu().solve(&rhs) else {
        return Err(SolveError::NoSteadyState {
            iterations: 1,
            residual: f64::INFINITY,
        }
        .into());
    };
    let phi = map(y.as_slice())?;
    let residual = phi
        .iter()
        .zip(y.iter())
        .map(|(p, v)| (p - v).abs() / scale)
        .fold(0.0, f64::max);
    Ok(SteadyState {
        state: y.as_slice().to_vec(),
        iterations: 1,
        residual,
    })
}

/// Newton on `F(y) = Φ(y) − y` from `y0`.
fn newton(map: &OnePeriod, y0: &[f64], atol: &[f64], rtol: f64) -> Result<SteadyState, Error> {
    let n = y0.len();
    let mut y = y0.to_vec();
    let weight = |y: &[f64], i: usize| NEWTON_SLACK * (atol[i] + rtol * y[i].abs());
    let mut residual = f64::INFINITY;
    for iteration in 1..=MAX_ITERATIONS {
        let phi = map(&y)?;
        let f: Vec<f64> = phi.iter().zip(&y).map(|(p, v)| p - v).collect();
        residual = (0..n)
            .map(|i| f[i].abs() / weight(&y, i))
            .fold(0.0, f64::max);
        let mut jacobian = DMatrix::zeros(n, n);
        for j in 0..n {
            // Forward difference; any step is exact for an affine map.
            let h = FD_RELATIVE_STEP * y[j].abs().max(phi[j].abs()).max(FD_ATOL_MULTIPLE * atol[j]);
            let mut yh = y.clone();
            yh[j] += h;
            let phi_h = map(&yh)?;
            for i in 0..n {
                let identity = if i == j { 1.0 } else { 0.0 };
                jacobian[(i, j)] = (phi_h[i] - phi[i]) / h - identity;
            }
        }
        let rhs = DVector::from_iterator(n, f.iter().map(|v| -v));
        let Some(step) = jacobian.lu().solve(&rhs) else {
            return Err(SolveError::NoSteadyState {
                iterations: iteration,
                residual,
            }
            .into());
        };
        let step_size = (0..n)
            .map(|i| step[i].abs() / weight(&y, i))
            .fold(0.0, f64::max);
        for (v, s) in y.iter_mut().zip(step.iter()) {
            *v += s;
        }
        if step_size <= 1.0 && residual <= 1.0 {
            return Ok(SteadyState {
                state: y,
                iterations: iteration,
                residual,
            });
        }
    }
    Err(SolveError::NoSteadyState {
        iterations: MAX_ITERATIONS,
        residual,
    }
    .into())
}
