//! The generic driver: any hand-written right-hand side of `N` states on a stack
//! `SVector<f64, N>`, integrated by ode_solvers' `Dopri5` or `Dop853` piecewise, exactly as
//! oncodyn cuts time.
//!
//! Cuts fall at every output time, every bolus, and every infusion start and end; cuts closer
//! than 8 ULPs (oncodyn's `same_time`) are one cut, at the earliest of them, and its row takes
//! the output time when there is one. Every cut gives one row (`At`), or two around a bolus
//! (`Pre`, then `Post` with the amount added). Between cuts the method restarts with a first
//! step computed by [`initial_step`] (Hairer's `hinit`, as oncodyn's), and the right-hand side
//! sees the constant input rates of the infusions running on that segment.

use nalgebra::SVector;
use ode_solvers::dop_shared::{OutputType, System};
use ode_solvers::{Dop853, Dopri5};
use oncodyn::trajectory::Side;

/// A hand-written right-hand side of `N` states.
pub trait Rates<const N: usize>: Copy {
    /// `dy = f(y)` plus the zero-order inputs `inputs` (one rate per state, constant on the
    /// segment; a model adds those of the states it can be infused into).
    fn rates(&self, y: &[f64; N], inputs: &[f64; N], dy: &mut [f64; N]);
}

/// The integration method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// ode_solvers' `Dopri5` (order 5, safety 0.9, β 0.04, step ratio in [0.2, 10]).
    Dopri5,
    /// ode_solvers' `Dop853` (order 8, safety 0.9, β 0, step ratio in [0.333, 6]).
    Dop853,
}

/// A bolus: `amount` added to state `state` at `time`.
#[derive(Clone, Copy, Debug)]
pub struct Bolus {
    /// Time, d.
    pub time: f64,
    /// Index of the dosed state.
    pub state: usize,
    /// Amount, in the state's unit.
    pub amount: f64,
}

/// A zero-order infusion: `rate` added to state `state`'s rate on `[start, end)`.
#[derive(Clone, Copy, Debug)]
pub struct Infusion {
    /// Start, d.
    pub start: f64,
    /// End, d.
    pub end: f64,
    /// Index of the infused state.
    pub state: usize,
    /// Rate, the state's unit per day.
    pub rate: f64,
}

/// A run: initial state, output times, doses, method and tolerances.
#[derive(Clone, Debug)]
pub struct Problem<const N: usize> {
    /// State at t = 0.
    pub y0: [f64; N],
    /// Output times (days), strictly increasing from 0.
    pub times: Vec<f64>,
    /// Boluses.
    pub boluses: Vec<Bolus>,
    /// Infusions.
    pub infusions: Vec<Infusion>,
    /// Method.
    pub method: Method,
    /// Relative tolerance.
    pub rtol: f64,
    /// Absolute tolerance of every state.
    pub atol: f64,
    /// Hairer's stiffness test every 1000 accepted steps (`false`: never, ode_solvers' `n_stiff
    /// = u32::MAX`; oncodyn's `Stiffness::Ignore`).
    pub stiffness_test: bool,
}

/// Rows and work counters.
#[derive(Clone, Debug, Default)]
pub struct Solution<const N: usize> {
    /// `(t, side, y)` per row.
    pub rows: Vec<(f64, Side, [f64; N])>,
    /// Right-hand side evaluations, the initial-step formula's two per segment included.
    pub rhs_evaluations: u64,
    /// Accepted steps.
    pub accepted_steps: u64,
    /// Rejected steps (ode_solvers does not count those before a segment's first acceptance).
    pub rejected_steps: u64,
    /// Integrator restarts.
    pub segments: u64,
}

/// oncodyn's `same_time`: within 8 ULPs of the larger magnitude (at least 1).
fn same_time(a: f64, b: f64) -> bool {
    (b - a).abs() <= 8.0 * f64::EPSILON * a.abs().max(b.abs()).max(1.0)
}

/// The right-hand side of one segment: the model with its constant inputs.
#[derive(Clone, Copy)]
struct Segment<R, const N: usize> {
    rhs: R,
    inputs: [f64; N],
}

impl<R: Rates<N>, const N: usize> System<f64, SVector<f64, N>> for Segment<R, N> {
    #[inline(always)]
    fn system(&self, _t: f64, y: &SVector<f64, N>, dy: &mut SVector<f64, N>) {
        self.rhs
            .rates(&y.data.0[0], &self.inputs, &mut dy.data.0[0]);
    }
}

/// Scaled RMS norm `sqrt(mean((v_i/sc_i)²))`.
fn rms<const N: usize>(v: &[f64; N], sc: &[f64; N]) -> f64 {
    (v.iter().zip(sc).map(|(a, s)| (a / s).powi(2)).sum::<f64>() / N as f64).sqrt()
}

/// oncodyn's initial step (Hairer, Nørsett & Wanner, Solving ODEs I, II.4, `hinit`) for a
/// method of order `order`, with `sc_i = atol + rtol·|y_i|`, bounded to
/// `[16·ε·max(1, |t0|), span]`: two right-hand side evaluations.
fn initial_step<R: Rates<N>, const N: usize>(
    f: &Segment<R, N>,
    t0: f64,
    y0: &[f64; N],
    span: f64,
    problem: &Problem<N>,
    order: f64,
) -> f64 {
    let (rtol, atol) = (problem.rtol, problem.atol);
    let sc = y0.map(|y| atol + rtol * y.abs());
    let mut f0 = [0.0; N];
    f.rhs.rates(y0, &f.inputs, &mut f0);
    let d0 = rms(y0, &sc);
    let d1 = rms(&f0, &sc);
    let h0 = if d0 < 1e-5 || d1 < 1e-5 {
        1e-6
    } else {
        0.01 * d0 / d1
    }
    .min(span);
    let y1: [f64; N] = std::array::from_fn(|i| y0[i] + h0 * f0[i]);
    let mut f1 = [0.0; N];
    f.rhs.rates(&y1, &f.inputs, &mut f1);
    let df: [f64; N] = std::array::from_fn(|i| f1[i] - f0[i]);
    let d2 = rms(&df, &sc) / h0;
    let h1 = if d1.max(d2) <= 1e-15 {
        (h0 * 1e-3).max(1e-6)
    } else {
        (0.01 / d1.max(d2)).powf(1.0 / order)
    };
    let floor = 16.0 * f64::EPSILON * t0.abs().max(1.0);
    (100.0 * h0).min(h1).min(span).max(floor)
}

/// What happens at a cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Output(usize),
    InfusionEnd(usize),
    InfusionStart(usize),
    Bolus(usize),
}

/// Integrates `y` from `t0` to `t1` with one restart of the method; adds the work to `out`.
fn segment<R: Rates<N>, const N: usize>(
    f: Segment<R, N>,
    t0: f64,
    t1: f64,
    y: &mut [f64; N],
    problem: &Problem<N>,
    out: &mut Solution<N>,
) -> Result<(), String> {
    let span = t1 - t0;
    let y0 = SVector::<f64, N>::from(*y);
    let (rtol, atol) = (problem.rtol, problem.atol);
    let n_stiff = if problem.stiffness_test {
        1000
    } else {
        u32::MAX
    };
    let fail = |e| format!("ode_solvers failed on [{t0}, {t1}] d: {e:?}");
    // The two methods share ode_solvers' `from_param` signature; each gets its own default
    // controller constants (safety factor, PI beta, bounds on the step ratio).
    macro_rules! solve_with {
        ($method:ident, $order:expr, $beta:expr, $fac_min:expr, $fac_max:expr) => {{
            let h = initial_step(&f, t0, y, span, problem, $order);
            let mut s = $method::from_param(
                f,
                t0,
                t1,
                span,
                y0,
                rtol,
                atol,
                0.9,
                $beta,
                $fac_min,
                $fac_max,
                span,
                h,
                u32::MAX,
                n_stiff,
                OutputType::Sparse,
            );
            let stats = s.integrate().map_err(fail)?;
            (stats, s.y_out().last().copied())
        }};
    }
    let (stats, end) = match problem.method {
        Method::Dopri5 => solve_with!(Dopri5, 5.0, 0.04, 0.2, 10.0),
        Method::Dop853 => solve_with!(Dop853, 8.0, 0.0, 0.333, 6.0),
    };
    let end = end.ok_or_else(|| format!("ode_solvers produced no output on [{t0}, {t1}] d"))?;
    *y = end.data.0[0];
    out.rhs_evaluations += 2 + u64::from(stats.num_eval);
    out.accepted_steps += u64::from(stats.accepted_steps);
    out.rejected_steps += u64::from(stats.rejected_steps);
    out.segments += 1;
    Ok(())
}

/// Solves `problem` with right-hand side `rhs`.
///
/// # Errors
/// ode_solvers' failure, as text.
pub fn solve<R: Rates<N>, const N: usize>(
    rhs: R,
    problem: &Problem<N>,
) -> Result<Solution<N>, String> {
    let t_end = *problem.times.last().ok_or("no output times")?;
    // Every event in time order; those after the last output time are not reached.
    let mut events: Vec<(f64, Event)> = Vec::with_capacity(
        problem.times.len() + problem.boluses.len() + 2 * problem.infusions.len(),
    );
    events.extend(
        problem
            .times
            .iter()
            .enumerate()
            .map(|(i, &t)| (t, Event::Output(i))),
    );
    events.extend(
        problem
            .boluses
            .iter()
            .enumerate()
            .map(|(i, b)| (b.time, Event::Bolus(i))),
    );
    for (i, inf) in problem.infusions.iter().enumerate() {
        events.push((inf.start, Event::InfusionStart(i)));
        events.push((inf.end, Event::InfusionEnd(i)));
    }
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    events.retain(|&(t, _)| t <= t_end || same_time(t_end, t));

    let mut out = Solution {
        rows: Vec::with_capacity(events.len() + problem.boluses.len()),
        ..Solution::default()
    };
    let mut f = Segment {
        rhs,
        inputs: [0.0; N],
    };
    let mut running = vec![false; problem.infusions.len()];
    let mut y = problem.y0;
    let mut t = 0.0;
    let mut i = 0;
    while i < events.len() {
        // The cut: the earliest pending event and every one at the same time.
        let tc = events[i].0;
        let mut j = i + 1;
        while j < events.len() && same_time(tc, events[j].0) {
            j += 1;
        }
        let cut = &events[i..j];
        i = j;
        if tc > t {
            segment(f, t, tc, &mut y, problem, &mut out)?;
            t = tc;
        }
        let row_time = cut
            .iter()
            .find_map(|&(time, e)| matches!(e, Event::Output(_)).then_some(time))
            .unwrap_or(tc);
        let boluses = cut.iter().filter_map(|&(_, e)| match e {
            Event::Bolus(b) => Some(problem.boluses[b]),
            _ => None,
        });
        if cut.iter().any(|&(_, e)| matches!(e, Event::Bolus(_))) {
            out.rows.push((row_time, Side::Pre, y));
            for b in boluses {
                y[b.state] += b.amount;
            }
            out.rows.push((row_time, Side::Post, y));
        } else {
            out.rows.push((row_time, Side::At, y));
        }
        let mut changed = false;
        for &(_, e) in cut {
            match e {
                Event::InfusionStart(k) => (running[k], changed) = (true, true),
                Event::InfusionEnd(k) => (running[k], changed) = (false, true),
                Event::Output(_) | Event::Bolus(_) => {}
            }
        }
        if changed {
            // Summed afresh, so that an input returns exactly to 0.
            f.inputs = [0.0; N];
            for (inf, _) in problem.infusions.iter().zip(&running).filter(|(_, r)| **r) {
                f.inputs[inf.state] += inf.rate;
            }
        }
    }
    Ok(out)
}
