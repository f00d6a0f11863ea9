//! One simulation's integrator: drives the Dormand–Prince pairs over the segments of a
//! piecewise integration, with event location, and keeps the work counters.

use super::dormand_prince::{self, Dop853, Dopri5, End, Failure, Pair, Settings, State, Workspace};
use super::events::{Watch, EVENT_TIME_TOLERANCE};
use super::options::{Method, SolverOptions, Stiffness};
use crate::model::Model;
use crate::solver::error::SolveError;
use crate::trajectory::SolverStats;
use std::ops::ControlFlow;

/// A failure (a collapsed step, a spent budget) is blamed on the last non-finite trial stage
/// when that stage lies within this relative distance of the failure's time: the stage is then
/// what drove the step size down.
const NEAR_FAILURE: f64 = 1e-6;

/// Trials of the Illinois regula falsi that locates an event (Dowell & Jarratt 1971, BIT 11:
/// 168–174; superlinear, order ≈ 1.44): it reaches [`EVENT_TIME_TOLERANCE`] in tens of trials,
/// so the bound is a guard against a pathological event function, not a tolerance.
const MAX_LOCATE_ITERATIONS: usize = 200;

/// How a watched integration ended.
pub(crate) enum Outcome {
    /// The end of the segment.
    Reached,
    /// These watches crossed at `t` (the earliest crossing, and every other watch that has
    /// crossed by then).
    Crossed { t: f64, watches: Vec<usize> },
}

/// Integrates one segment at a time for one simulation: borrows the model and options, owns
/// the stage buffers (sized once, so segments allocate nothing) and the work counters.
pub(crate) struct Integrator<'a> {
    pub model: &'a Model,
    pub options: &'a SolverOptions,
    pub stats: SolverStats,
    workspace: Buffers,
    /// The last accepted step of a watched segment.
    previous: Vec<f64>,
}

/// Models of up to 12 states are integrated on stack arrays of their exact size: the stage
/// arithmetic then unrolls and checks no bounds (`cargo bench --bench solve`, same run, against
/// heap vectors: pk2cpt_q3w 327 → 256 µs, tmdd_stiff 33.2 → 23.9 ms). Larger models use heap
/// vectors.
macro_rules! sized_buffers {
    ($($n:literal => $variant:ident),*) => {
        /// The stage buffers, by model size.
        enum Buffers {
            $($variant(Workspace<[f64; $n]>),)*
            Heap(Workspace<Vec<f64>>),
        }

        impl Buffers {
            fn new(atol: &[f64], buffers: usize) -> Self {
                match atol.len() {
                    $($n => Buffers::$variant(Workspace::new(atol, buffers)),)*
                    _ => Buffers::Heap(Workspace::new(atol, buffers)),
                }
            }

            /// The current state.
            fn y(&mut self) -> &mut [f64] {
                match self {
                    $(Buffers::$variant(ws) => ws.y.as_mut(),)*
                    Buffers::Heap(ws) => ws.y.as_mut(),
                }
            }
        }

        /// Runs `$body` with `$ws` bound to the workspace of the model's size.
        macro_rules! with_buffers {
            ($buffers:expr, $ws:ident => $body:expr) => {
                match $buffers {
                    $(Buffers::$variant($ws) => $body,)*
                    Buffers::Heap($ws) => $body,
                }
            };
        }
    };
}

sized_buffers!(1 => S1, 2 => S2, 3 => S3, 4 => S4, 5 => S5, 6 => S6, 7 => S7, 8 => S8,
    9 => S9, 10 => S10, 11 => S11, 12 => S12);

impl<'a> Integrator<'a> {
    pub(crate) fn new(model: &'a Model, options: &'a SolverOptions) -> Result<Self, SolveError> {
        let atol = options.state_tolerances(model)?;
        let n = model.n_states();
        let buffers = match options.method {
            Method::Dopri5 => Dopri5::BUFFERS,
            Method::Dop853 => Dop853::BUFFERS,
        };
        Ok(Integrator {
            model,
            options,
            stats: SolverStats::default(),
            workspace: Buffers::new(&atol, buffers),
            previous: vec![0.0; n],
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
        self.workspace.y().copy_from_slice(y);
        self.run(t0, t1, inputs, |_, _| ControlFlow::<()>::Continue(()))?;
        y.copy_from_slice(self.workspace.y());
        Ok(())
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
        // The watches that cross between the states where their event functions are
        // `g_prev` and `point`.
        let crossing = |watches: &[Watch], g_prev: &[f64], point: &[f64], j: usize| {
            watches[j].armed && g_prev[j] < 0.0 && watches[j].g(point) >= 0.0
        };
        let mut g_prev: Vec<f64> = watches.iter().map(|w| w.g(y)).collect();
        self.workspace.y().copy_from_slice(y);
        // Each accepted step is checked for a crossing; the first one stops the segment with
        // the crossing watch, the step before it kept in `previous` (at `t_previous`).
        let mut previous = std::mem::take(&mut self.previous);
        previous.copy_from_slice(y);
        let mut t_previous = t0;
        let end = self.run(t0, t1, inputs, |t, point| {
            if let Some(k) = (0..watches.len()).find(|&j| crossing(watches, &g_prev, point, j)) {
                return ControlFlow::Break(k);
            }
            for (w, g) in watches.iter_mut().zip(g_prev.iter_mut()) {
                *g = w.g(point);
                w.observe(point);
            }
            t_previous = t;
            previous.copy_from_slice(point);
            ControlFlow::Continue(())
        });
        self.previous = previous;
        let (t, k) = match end? {
            End::Stopped(t, k) => (t, k),
            End::Reached => {
                y.copy_from_slice(self.workspace.y());
                return Ok(Outcome::Reached);
            }
        };
        // The earliest crossing among the watches that crossed in this step.
        let point = self.workspace.y().to_vec();
        let a = (t_previous, self.previous.clone());
        let (mut tk, mut yk) = self.locate(&watches[k], &a, (t, &point), inputs)?;
        let mut first = k;
        for j in k + 1..watches.len() {
            if crossing(watches, &g_prev, &point, j) {
                let (tj, yj) = self.locate(&watches[j], &a, (t, &point), inputs)?;
                if tj < tk {
                    (tk, yk, first) = (tj, yj, j);
                }
            }
        }
        let crossed = (0..watches.len())
            .filter(|&j| j == first || crossing(watches, &g_prev, &yk, j))
            .collect();
        y.copy_from_slice(&yk);
        Ok(Outcome::Crossed {
            t: tk,
            watches: crossed,
        })
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
        for _ in 0..MAX_LOCATE_ITERATIONS {
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

    /// One restart of the method from `(t0, workspace.y)` to `t1` with constant `inputs`,
    /// `on_step` seeing every accepted step; the work is added to the counters.
    fn run<B, S: FnMut(f64, &[f64]) -> ControlFlow<B>>(
        &mut self,
        t0: f64,
        t1: f64,
        inputs: &[f64],
        on_step: S,
    ) -> Result<End<B>, SolveError> {
        let options = self.options;
        let max_steps = options.max_steps;
        let used = self.stats.accepted_steps + self.stats.rejected_steps;
        let budget = u64::from(max_steps).saturating_sub(used);
        if budget == 0 {
            return Err(SolveError::TooManySteps { t: t0, max_steps });
        }
        let settings = Settings {
            rtol: options.rtol,
            max_steps: budget,
            stiffness_interval: match options.stiffness {
                Stiffness::Error => 1000,
                Stiffness::Ignore => u64::MAX,
            },
        };
        let model = self.model;
        let mut f = |t: f64, y: &[f64], dy: &mut [f64]| model.rates_into(t, y, inputs, dy);
        let (result, work, last_non_finite) = with_buffers!(&mut self.workspace, ws => {
            run_pair(options.method, &mut f, t0, t1, ws, &settings, on_step)
        });
        self.stats.rhs_evaluations += work.evaluations;
        self.stats.accepted_steps += work.accepted;
        self.stats.rejected_steps += work.rejected;
        self.stats.non_finite_stages += work.non_finite;
        // A step size that collapsed, or a budget spent, on non-finite stages: report the
        // state whose rate was not finite.
        let non_finite = |x: f64| {
            last_non_finite
                .filter(|(t, _)| (t - x).abs() <= NEAR_FAILURE * x.abs().max(1.0))
                .map(|(t, i)| SolveError::NonFinite {
                    t,
                    state: state_name(model, i),
                })
        };
        match result {
            Ok(end) => {
                self.stats.segments += 1;
                Ok(end)
            }
            Err(Failure::NonFiniteStart(i)) => Err(SolveError::NonFinite {
                t: t0,
                state: state_name(model, i),
            }),
            Err(Failure::TooManySteps(x)) => {
                Err(non_finite(x).unwrap_or(SolveError::TooManySteps { t: x, max_steps }))
            }
            Err(Failure::StepSizeUnderflow(x)) => {
                Err(non_finite(x).unwrap_or(SolveError::StepSizeTooSmall { t: x }))
            }
            Err(Failure::Stiff(x)) => Err(SolveError::Stiff { t: x }),
        }
    }
}

/// [`dormand_prince::integrate`] with the pair of `method`.
fn run_pair<V: State, F, S, B>(
    method: Method,
    f: &mut F,
    t0: f64,
    t1: f64,
    ws: &mut Workspace<V>,
    settings: &Settings,
    on_step: S,
) -> (
    Result<End<B>, Failure>,
    dormand_prince::Work,
    dormand_prince::NonFiniteStage,
)
where
    F: FnMut(f64, &[f64], &mut [f64]),
    S: FnMut(f64, &[f64]) -> ControlFlow<B>,
{
    match method {
        Method::Dopri5 => {
            dormand_prince::integrate::<Dopri5, V, _, _, _>(f, t0, t1, ws, settings, on_step)
        }
        Method::Dop853 => {
            dormand_prince::integrate::<Dop853, V, _, _, _>(f, t0, t1, ws, settings, on_step)
        }
    }
}

/// The name of state `i` of `model`.
fn state_name(model: &Model, i: usize) -> String {
    model
        .states()
        .get(i)
        .map_or_else(String::new, |s| s.name.clone())
}
