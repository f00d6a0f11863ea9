//! Hand-written baseline for `pk_tgi_simeoni` (PROBLEMS.md problem 2): the Simeoni 2004 equations
//! as one allocation-free right-hand side, driven by ode_solvers' `Dopri5` directly.
//!
//! It does the work oncodyn does, no less: it restarts the method at every output time and every
//! bolus, and computes each restart's first step with the same formula (Hairer, Nørsett & Wanner,
//! Solving ODEs I, II.4, as `initial_step` in `src/solver/explicit.rs`, here in unscaled variables
//! with ode_solvers' scalar `atol`), passing ode_solvers the same controller constants. With a
//! uniform per-state `atol` both take the same steps, so their rhs evaluation counts match.
//!
//! [`solve`] holds the state in a heap `DVector` (as oncodyn does), [`solve_static`] in a stack
//! `SVector<f64, 5>`: ode_solvers clones the state at every stage, and only the latter clones
//! without allocating.

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, Dyn, OVector, U1, U5};
use ode_solvers::dop_shared::{OutputType, System};
use ode_solvers::Dopri5;
use std::ops::Mul;

/// Number of states: `x1, x2, x3, x4` (g), then the drug amount `A` (mg) — oncodyn's order.
pub const N: usize = 5;

/// Parameters of problem 2.
#[derive(Clone, Copy, Debug)]
pub struct Params {
    /// λ0, 1/d.
    pub lambda0: f64,
    /// λ1, g/d.
    pub lambda1: f64,
    /// ψ.
    pub psi: f64,
    /// k1, 1/d.
    pub k1: f64,
    /// k2, L/(mg·d).
    pub k2: f64,
    /// V, L.
    pub volume: f64,
    /// Drug elimination k, 1/d.
    pub elimination: f64,
    /// x1(0), g.
    pub w0: f64,
}

/// Problem 2's parameter values.
pub const PARAMS: Params = Params {
    lambda0: 0.273,
    lambda1: 0.814,
    psi: 20.0,
    k1: 0.5,
    k2: 0.01,
    volume: 1.0,
    elimination: 2.0,
    w0: 0.1,
};

/// A run: parameters, output times, boluses into `A`, tolerances.
#[derive(Clone, Debug)]
pub struct Problem {
    /// Model parameters.
    pub params: Params,
    /// Output times (days), strictly increasing from 0.
    pub times: Vec<f64>,
    /// Boluses `(time d, amount mg)` into the drug amount, in time order.
    pub doses: Vec<(f64, f64)>,
    /// Relative tolerance.
    pub rtol: f64,
    /// Absolute tolerance of every state (g and mg alike).
    pub atol: f64,
}

/// Rows (time, state; `pre` and `post` rows at dose times) and work counters.
#[derive(Clone, Debug, Default)]
pub struct Solution {
    /// `(t, [x1, x2, x3, x4, A])` per output row.
    pub rows: Vec<(f64, [f64; N])>,
    /// Right-hand side evaluations, the initial-step formula's two per segment included.
    pub rhs_evaluations: u64,
    /// Accepted steps.
    pub accepted_steps: u64,
    /// Rejected steps.
    pub rejected_steps: u64,
    /// Integrator restarts.
    pub segments: u64,
}

/// The right-hand side with its constants folded.
#[derive(Clone, Copy, Debug)]
pub struct Rhs {
    lambda0: f64,
    lambda0_over_lambda1: f64,
    psi: f64,
    inv_psi: f64,
    k1: f64,
    k2_over_v: f64,
    k: f64,
}

impl Rhs {
    /// The right-hand side of problem 2 with parameters `p`.
    pub fn new(p: &Params) -> Self {
        Rhs {
            lambda0: p.lambda0,
            lambda0_over_lambda1: p.lambda0 / p.lambda1,
            psi: p.psi,
            inv_psi: 1.0 / p.psi,
            k1: p.k1,
            k2_over_v: p.k2 / p.volume,
            k: p.elimination,
        }
    }

    /// `dy = f(y)`, states in oncodyn's order.
    #[inline(always)]
    pub fn eval(&self, y: &[f64], dy: &mut [f64]) {
        let (x1, x2, x3, x4, a) = (y[0], y[1], y[2], y[3], y[4]);
        let w = x1 + x2 + x3 + x4;
        let growth = self.lambda0 * x1
            / (1.0 + (self.lambda0_over_lambda1 * w).powf(self.psi)).powf(self.inv_psi);
        let kill = self.k2_over_v * a * x1;
        dy[0] = growth - kill;
        dy[1] = kill - self.k1 * x2;
        dy[2] = self.k1 * (x2 - x3);
        dy[3] = self.k1 * (x3 - x4);
        dy[4] = -self.k * a;
    }
}

impl<D: Dim> System<f64, OVector<f64, D>> for Rhs
where
    DefaultAllocator: Allocator<D>,
{
    #[inline]
    fn system(&self, _t: f64, y: &OVector<f64, D>, dy: &mut OVector<f64, D>) {
        self.eval(y.as_slice(), dy.as_mut_slice());
    }
}

/// Scaled RMS norm `sqrt(mean((v_i/sc_i)²))`.
fn rms(v: &[f64; N], sc: &[f64; N]) -> f64 {
    (v.iter().zip(sc).map(|(a, s)| (a / s).powi(2)).sum::<f64>() / N as f64).sqrt()
}

/// oncodyn's initial step (Hairer's `hinit`, order 5) in unscaled variables: with
/// `sc_i = atol + rtol·|y_i|` it is the same number as oncodyn's in `z = y/atol`.
fn initial_step(rhs: &Rhs, t0: f64, y0: &[f64; N], span: f64, rtol: f64, atol: f64) -> f64 {
    let sc = y0.map(|y| atol + rtol * y.abs());
    let mut f0 = [0.0; N];
    rhs.eval(y0, &mut f0);
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
    rhs.eval(&y1, &mut f1);
    let df: [f64; N] = std::array::from_fn(|i| f1[i] - f0[i]);
    let d2 = rms(&df, &sc) / h0;
    let h1 = if d1.max(d2) <= 1e-15 {
        (h0 * 1e-3).max(1e-6)
    } else {
        (0.01 / d1.max(d2)).powf(1.0 / 5.0)
    };
    let floor = 16.0 * f64::EPSILON * t0.abs().max(1.0);
    (100.0 * h0).min(h1).min(span).max(floor)
}

/// Solves `problem` with the state in a heap `DVector` (what oncodyn uses).
///
/// # Errors
/// ode_solvers' failure, as text.
pub fn solve(problem: &Problem) -> Result<Solution, String> {
    solve_in(problem, Dyn(N))
}

/// Solves `problem` with the state in a stack `SVector<f64, 5>`.
///
/// # Errors
/// ode_solvers' failure, as text.
pub fn solve_static(problem: &Problem) -> Result<Solution, String> {
    solve_in(problem, U5)
}

fn solve_in<D: Dim>(problem: &Problem, dim: D) -> Result<Solution, String>
where
    DefaultAllocator: Allocator<D>,
    OVector<f64, D>: Mul<f64, Output = OVector<f64, D>>,
{
    let p = &problem.params;
    let rhs = Rhs::new(p);
    let (rtol, atol) = (problem.rtol, problem.atol);
    let mut y = [p.w0, 0.0, 0.0, 0.0, 0.0];
    let mut out = Solution {
        rows: Vec::with_capacity(problem.times.len() + 2 * problem.doses.len()),
        ..Solution::default()
    };
    let (mut i_out, mut i_dose) = (0, 0);
    let mut t = 0.0;
    loop {
        // The next cut: the earlier of the next output time and the next dose.
        let next_out = problem.times.get(i_out).copied();
        let next_dose = problem.doses.get(i_dose).map(|d| d.0);
        let tc = match (next_out, next_dose) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) => a,
            (None, _) => break,
        };
        if tc > t {
            let span = tc - t;
            let h = initial_step(&rhs, t, &y, span, rtol, atol);
            let y0 = OVector::<f64, D>::from_iterator_generic(dim, U1, y.iter().copied());
            let mut stepper = Dopri5::from_param(
                rhs,
                t,
                tc,
                span,
                y0,
                rtol,
                atol,
                0.9,
                0.04,
                0.2,
                10.0,
                span,
                h,
                1_000_000,
                1000,
                OutputType::Sparse,
            );
            let stats = stepper
                .integrate()
                .map_err(|e| format!("baseline failed on [{t}, {tc}] d: {e:?}"))?;
            let end = stepper
                .y_out()
                .last()
                .ok_or_else(|| format!("baseline produced no output on [{t}, {tc}] d"))?;
            y.copy_from_slice(end.as_slice());
            out.rhs_evaluations += 2 + u64::from(stats.num_eval);
            out.accepted_steps += u64::from(stats.accepted_steps);
            out.rejected_steps += u64::from(stats.rejected_steps);
            out.segments += 1;
            t = tc;
        }
        let output = next_out == Some(tc);
        let dose = next_dose == Some(tc);
        if output || dose {
            out.rows.push((tc, y));
        }
        if dose {
            y[4] += problem.doses[i_dose].1;
            out.rows.push((tc, y));
            i_dose += 1;
        }
        if output {
            i_out += 1;
        }
    }
    Ok(out)
}
