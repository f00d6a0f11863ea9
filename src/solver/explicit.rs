//! Adapter driving ode_solvers' Dopri5 / Dop853 over one segment, in per-state scaled variables.

use super::events::{Watch, EVENT_TIME_TOLERANCE};
use super::options::{Method, SolverOptions, Stiffness};
use crate::error::SolveError;
use crate::model::Model;
use nalgebra::allocator::Allocator;
use nalgebra::{Const, DefaultAllocator, Dim, Dyn, OVector, U1};
use ode_solvers::dop_shared::{IntegrationError, OutputType, System};
use ode_solvers::{Dop853, Dopri5};
use std::cell::{Cell, RefCell};

/// Work counters of a simulation.
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
    /// Stage evaluations whose rates were not finite (a trial state outside the model's
    /// domain, such as a negative population under a fractional power): each rejects its step,
    /// which is retried five times shorter.
    pub non_finite_stages: u64,
}

/// The model's right-hand side in scaled variables `z = y/atol`: borrows the model, holds the
/// segment's inputs and a scratch vector, and counts non-finite rates (the last one's time and
/// state kept for the error if the step size then collapses).
struct Scaled<'a> {
    model: &'a Model,
    inputs: &'a [f64],
    atol: &'a [f64],
    inv_atol: &'a [f64],
    y: &'a RefCell<Vec<f64>>,
    non_finite: &'a Cell<(u64, Option<(f64, usize)>)>,
    /// Time is carried as one more state `τ` (`dτ/dt = 1`, last entry of `z`) and passed to the
    /// model instead of the method's stage time. Needed for Dop853 on models whose rates depend
    /// on time: ode_solvers 0.6.2's Dop853 tableau has `c12 = 0` where DOP853 has `c12 = 1`
    /// (`butcher_tableau.rs`), so its 12th stage sees the step's start time. A linear state is
    /// integrated exactly by any Runge–Kutta method, so `τ` is the exact stage time.
    clock: bool,
}

impl<D: Dim> System<f64, OVector<f64, D>> for Scaled<'_>
where
    DefaultAllocator: Allocator<D>,
{
    fn system(&self, t: f64, z: &OVector<f64, D>, dz: &mut OVector<f64, D>) {
        let mut y = self.y.borrow_mut();
        for ((yi, zi), a) in y.iter_mut().zip(z.as_slice()).zip(self.atol) {
            *yi = zi * a;
        }
        let n = y.len();
        let dz = dz.as_mut_slice();
        let t = if self.clock { z[n] } else { t };
        if self.clock {
            dz[n] = 1.0;
        }
        let dz = &mut dz[..n];
        self.model.rates_into(t, &y, self.inputs, dz);
        let mut finite = true;
        for (d, s) in dz.iter_mut().zip(self.inv_atol) {
            *d *= s;
            finite &= d.is_finite();
        }
        if !finite {
            // The non-finite rate makes the step's error estimate NaN, and ode_solvers'
            // controller rejects a step whose error is not ≤ 1, shrinking it by its smallest
            // factor (`min` and `max` pass over NaN): a non-finite trial stage is a rejected
            // step. Counted, and the last one kept for the error if the step size collapses.
            let i = dz.iter().position(|d| !d.is_finite()).unwrap_or(0);
            let (count, _) = self.non_finite.get();
            self.non_finite.set((count + 1, Some((t, i))));
        }
    }
}

/// How a watched integration ended.
pub(crate) enum Outcome {
    /// The end of the segment.
    Reached,
    /// These watches crossed at `t` (the earliest crossing, and every other watch that has
    /// crossed by then).
    Crossed { t: f64, watches: Vec<usize> },
}

/// Integrates one segment at a time for one simulation: borrows the model and options, owns
/// the scratch the right-hand side needs, so segments allocate only inside ode_solvers.
pub(crate) struct Integrator<'a> {
    pub model: &'a Model,
    pub options: &'a SolverOptions,
    pub atol: Vec<f64>,
    pub inv_atol: Vec<f64>,
    pub scratch: RefCell<Vec<f64>>,
    pub stats: SolverStats,
}

impl<'a> Integrator<'a> {
    pub(crate) fn new(model: &'a Model, options: &'a SolverOptions) -> Result<Self, SolveError> {
        let atol = options.state_tolerances(model)?;
        let inv_atol = atol.iter().map(|a| 1.0 / a).collect();
        Ok(Integrator {
            model,
            options,
            atol,
            inv_atol,
            scratch: RefCell::new(vec![0.0; model.n_states()]),
            stats: SolverStats::default(),
        })
    }

    /// Integrates `y` from `t0` to `t1 > t0` in place with constant `inputs`, restarting the
    /// method (no step-size history crosses `t0`).
    ///
    /// # Errors
    /// The method's failures mapped to [`SolveError`], each with its time; a non-finite rate
    /// with the name of its state.
    pub(crate) fn integrate(
        &mut self,
        t0: f64,
        t1: f64,
        y: &mut [f64],
        inputs: &[f64],
    ) -> Result<(), SolveError> {
        let (_, states) = self.run(t0, t1, y, inputs, false)?;
        let end = states.rchunks(y.len()).next().unwrap_or_default();
        self.unscale(end, t1, y)
    }

    /// Like [`integrate`](Self::integrate), but stops at the first crossing of an armed
    /// watch's event function (negative to non-negative), located to
    /// [`EVENT_TIME_TOLERANCE`]; `y` then holds the state just after the crossing.
    pub(crate) fn integrate_watched(
        &mut self,
        t0: f64,
        t1: f64,
        y: &mut [f64],
        inputs: &[f64],
        watches: &mut [Watch],
    ) -> Result<Outcome, SolveError> {
        let (times, states) = self.run(t0, t1, y, inputs, true)?;
        let mut previous = (t0, y.to_vec());
        let mut g_prev: Vec<f64> = watches.iter().map(|w| w.g(y)).collect();
        let mut point = vec![0.0; y.len()];
        for (&t, z) in times.iter().zip(states.chunks(y.len())) {
            self.unscale(z, t, &mut point)?;
            let mut first: Option<(f64, usize, Vec<f64>)> = None;
            for (k, w) in watches.iter().enumerate() {
                if w.armed && g_prev[k] < 0.0 && w.g(&point) >= 0.0 {
                    let (tk, yk) = self.locate(w, &previous, (t, &point), inputs)?;
                    if first.as_ref().is_none_or(|f| tk < f.0) {
                        first = Some((tk, k, yk));
                    }
                }
            }
            if let Some((tk, k, yk)) = first {
                let crossed = (0..watches.len())
                    .filter(|&j| {
                        j == k || (watches[j].armed && g_prev[j] < 0.0 && watches[j].g(&yk) >= 0.0)
                    })
                    .collect();
                y.copy_from_slice(&yk);
                return Ok(Outcome::Crossed {
                    t: tk,
                    watches: crossed,
                });
            }
            for (k, w) in watches.iter_mut().enumerate() {
                g_prev[k] = w.g(&point);
                w.observe(&point);
            }
            previous = (t, point.clone());
        }
        y.copy_from_slice(&previous.1);
        Ok(Outcome::Reached)
    }

    /// The crossing of `watch` in `(a, b]`, where its event function is negative at `a` and
    /// non-negative at `b`: Illinois regula falsi, each trial a fresh integration from `a`.
    fn locate(
        &mut self,
        watch: &Watch,
        a: &(f64, Vec<f64>),
        b: (f64, &[f64]),
        inputs: &[f64],
    ) -> Result<(f64, Vec<f64>), SolveError> {
        let (mut ta, mut ga) = (a.0, watch.g(&a.1));
        let (mut tb, mut gb, mut yb) = (b.0, watch.g(b.1), b.1.to_vec());
        let mut side = 0i8;
        let mut trial = vec![0.0; yb.len()];
        for _ in 0..200 {
            if tb - ta <= EVENT_TIME_TOLERANCE * tb.abs().max(1.0) {
                break;
            }
            let secant = (ta * gb - tb * ga) / (gb - ga);
            let tc = if secant > ta && secant < tb {
                secant
            } else {
                0.5 * (ta + tb)
            };
            trial.copy_from_slice(&a.1);
            self.integrate(a.0, tc, &mut trial, inputs)?;
            let gc = watch.g(&trial);
            if gc >= 0.0 {
                (tb, gb) = (tc, gc);
                yb.copy_from_slice(&trial);
                if side == 1 {
                    ga *= 0.5;
                }
                side = 1;
            } else {
                (ta, ga) = (tc, gc);
                if side == -1 {
                    gb *= 0.5;
                }
                side = -1;
            }
        }
        Ok((tb, yb))
    }

    /// `y = z·atol`, failing on a non-finite value (named by its state).
    fn unscale(&self, z: &[f64], t: f64, y: &mut [f64]) -> Result<(), SolveError> {
        for ((yi, zi), a) in y.iter_mut().zip(z.iter()).zip(&self.atol) {
            *yi = zi * a;
        }
        match y.iter().position(|v| !v.is_finite()) {
            Some(i) => Err(SolveError::NonFinite {
                t,
                state: self.model.states()[i].name.clone(),
            }),
            None => Ok(()),
        }
    }

    /// One restart of the method from `(t0, y)` to `t1`: the accepted step times and scaled
    /// states, row after row (only the last when `keep_steps` is false).
    ///
    /// ode_solvers clones the state at every stage; on a stack vector (`SVector<f64, N>`)
    /// that costs no allocation, on a heap `DVector` one per clone. So models of up to 12
    /// states (with the clock state, if any) run on a stack vector of their exact size, larger
    /// ones on a `DVector`.
    fn run(
        &mut self,
        t0: f64,
        t1: f64,
        y: &[f64],
        inputs: &[f64],
        keep_steps: bool,
    ) -> Result<(Vec<f64>, Vec<f64>), SolveError> {
        let clock = self.options.method == Method::Dop853 && self.model.depends_on_time();
        let total = y.len() + usize::from(clock);
        macro_rules! sized {
            ($($n:literal)*) => {
                match total {
                    $($n => self.run_in(Const::<$n>, t0, t1, y, inputs, keep_steps, clock),)*
                    _ => self.run_in(Dyn(total), t0, t1, y, inputs, keep_steps, clock),
                }
            };
        }
        sized!(1 2 3 4 5 6 7 8 9 10 11 12)
    }

    /// [`run`](Self::run) on a state vector of dimension `dim`.
    #[allow(clippy::too_many_arguments)]
    fn run_in<D: Dim>(
        &mut self,
        dim: D,
        t0: f64,
        t1: f64,
        y: &[f64],
        inputs: &[f64],
        keep_steps: bool,
        clock: bool,
    ) -> Result<(Vec<f64>, Vec<f64>), SolveError>
    where
        DefaultAllocator: Allocator<D>,
        OVector<f64, D>: std::ops::Mul<f64, Output = OVector<f64, D>>,
    {
        let n = y.len();
        let non_finite = Cell::new((0, None));
        let system = Scaled {
            model: self.model,
            inputs,
            atol: &self.atol,
            inv_atol: &self.inv_atol,
            y: &self.scratch,
            non_finite: &non_finite,
            clock,
        };
        let scaled = y.iter().zip(&self.inv_atol).map(|(v, s)| v * s);
        let z =
            OVector::<f64, D>::from_iterator_generic(dim, U1, scaled.chain(clock.then_some(t0)));
        let span = t1 - t0;
        let options = self.options;
        let order = match options.method {
            Method::Dopri5 => 5.0,
            Method::Dop853 => 8.0,
        };
        self.stats.rhs_evaluations += 2;
        let h = initial_step(&system, t0, &z, span, options.rtol, order).map_err(|i| {
            SolveError::NonFinite {
                t: t0,
                state: state_name(self.model, i),
            }
        })?;
        let max_steps = options.max_steps;
        let used = self.stats.accepted_steps + self.stats.rejected_steps;
        let n_max = u32::try_from(u64::from(max_steps).saturating_sub(used)).unwrap_or(u32::MAX);
        if n_max == 0 {
            return Err(SolveError::TooManySteps { t: t0, max_steps });
        }
        let n_stiff = match options.stiffness {
            Stiffness::Error => 1000,
            Stiffness::Ignore => u32::MAX,
        };
        let rtol = options.rtol;
        // The two methods share ode_solvers' `from_param` signature; each gets its own default
        // controller constants (its `new`): safety factor, PI beta, bounds on the step ratio.
        macro_rules! solve_with {
            ($method:ident, $beta:expr, $fac_min:expr, $fac_max:expr) => {{
                let mut s = $method::from_param(
                    system,
                    t0,
                    t1,
                    span,
                    z,
                    rtol,
                    1.0,
                    0.9,
                    $beta,
                    $fac_min,
                    $fac_max,
                    span,
                    h,
                    n_max,
                    n_stiff,
                    OutputType::Sparse,
                );
                let r = s.integrate();
                (r, steps(s.x_out(), s.y_out(), n, keep_steps))
            }};
        }
        let (result, steps) = match options.method {
            Method::Dopri5 => solve_with!(Dopri5, 0.04, 0.2, 10.0),
            Method::Dop853 => solve_with!(Dop853, 0.0, 0.333, 6.0),
        };
        let (non_finite_stages, last_non_finite) = non_finite.get();
        self.stats.non_finite_stages += non_finite_stages;
        // A step size that collapsed, or a budget spent, on non-finite stages: report the
        // state whose rate was not finite.
        let non_finite_error = |x: f64| {
            last_non_finite
                .filter(|(t, _)| (t - x).abs() <= 1e-6 * x.abs().max(1.0))
                .map(|(t, i)| SolveError::NonFinite {
                    t,
                    state: state_name(self.model, i),
                })
        };
        let st = match result {
            Ok(st) => st,
            Err(IntegrationError::MaxNumStepReached { x, .. }) => {
                return Err(
                    non_finite_error(x).unwrap_or(SolveError::TooManySteps { t: x, max_steps })
                )
            }
            Err(IntegrationError::StepSizeUnderflow { x }) => {
                return Err(non_finite_error(x).unwrap_or(SolveError::StepSizeTooSmall { t: x }))
            }
            Err(IntegrationError::StiffnessDetected { x }) => {
                return Err(SolveError::Stiff { t: x })
            }
        };
        self.stats.rhs_evaluations += u64::from(st.num_eval);
        self.stats.accepted_steps += u64::from(st.accepted_steps);
        self.stats.rejected_steps += u64::from(st.rejected_steps);
        self.stats.segments += 1;
        if steps.1.is_empty() {
            return Err(SolveError::StepSizeTooSmall { t: t0 });
        }
        Ok(steps)
    }
}

/// The step points ode_solvers stored (all but the segment's start, or only the last), as
/// times and the first `n` scaled states of each, row after row (the clock state dropped).
fn steps<D: Dim>(
    x: &[f64],
    z: &[OVector<f64, D>],
    n: usize,
    keep_steps: bool,
) -> (Vec<f64>, Vec<f64>)
where
    DefaultAllocator: Allocator<D>,
{
    let kept = if keep_steps {
        1
    } else {
        x.len().saturating_sub(1)
    };
    let times = x.iter().skip(kept).copied().collect();
    let states = z
        .iter()
        .skip(kept)
        .flat_map(|v| v.as_slice()[..n].iter().copied())
        .collect();
    (times, states)
}

/// The name of state `i` of `model`; past its states, the clock state that carries time.
fn state_name(model: &Model, i: usize) -> String {
    model
        .states()
        .get(i)
        .map_or("time", |s| s.name.as_str())
        .to_string()
}

/// Scaled RMS norm used by the step-size formulas (`atol = 1` in scaled variables).
fn rms(v: impl Iterator<Item = f64>, n: usize) -> f64 {
    (v.map(|x| x * x).sum::<f64>() / n as f64).sqrt()
}

/// Initial step size by Hairer, Nørsett & Wanner, Solving ODEs I, II.4 (algorithm of `hinit`),
/// in scaled variables, bounded to `[16·ε·max(1, |t0|), span]`. Computed here rather than by
/// ode_solvers, whose own guess collapses at restarts where states are exactly 0.
fn initial_step<D: Dim>(
    system: &Scaled<'_>,
    t0: f64,
    z0: &OVector<f64, D>,
    span: f64,
    rtol: f64,
    order: f64,
) -> Result<f64, usize>
where
    DefaultAllocator: Allocator<D>,
{
    let n = z0.len();
    let (rows, _) = z0.shape_generic();
    let mut f0 = OVector::<f64, D>::zeros_generic(rows, U1);
    system.system(t0, z0, &mut f0);
    // The rates at the segment's start, an accepted state, must be finite: no step can fix
    // them.
    if let Some(i) = f0.iter().position(|f| !f.is_finite()) {
        return Err(i);
    }
    let sc: Vec<f64> = z0.iter().map(|z| 1.0 + rtol * z.abs()).collect();
    let d0 = rms(z0.iter().zip(&sc).map(|(z, s)| z / s), n);
    let d1 = rms(f0.iter().zip(&sc).map(|(f, s)| f / s), n);
    let h0 = if d0 < 1e-5 || d1 < 1e-5 {
        1e-6
    } else {
        0.01 * d0 / d1
    }
    .min(span);
    let z1 = z0 + &f0 * h0;
    let mut f1 = OVector::<f64, D>::zeros_generic(rows, U1);
    system.system(t0 + h0, &z1, &mut f1);
    let d2 = rms(
        f1.iter()
            .zip(f0.iter())
            .zip(&sc)
            .map(|((a, b), s)| (a - b) / s),
        n,
    ) / h0;
    let h1 = if d1.max(d2) <= 1e-15 {
        (h0 * 1e-3).max(1e-6)
    } else {
        (0.01 / d1.max(d2)).powf(1.0 / order)
    };
    let floor = 16.0 * f64::EPSILON * t0.abs().max(1.0);
    Ok((100.0 * h0).min(h1).min(span).max(floor))
}
