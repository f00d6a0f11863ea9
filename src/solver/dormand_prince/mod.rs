//! Dormand–Prince explicit Runge–Kutta pairs, 5(4) and 8(5,3), over slices with preallocated
//! stage buffers: after [`Workspace::new`] a segment allocates nothing, per step or per stage.
//!
//! The methods, their error estimates, the PI step-size controller, the stiffness test and the
//! step-size-underflow test are those of Hairer's `DOPRI5` and `DOP853` (Hairer, Nørsett &
//! Wanner, *Solving Ordinary Differential Equations I*, 2nd ed., II.4–II.5 and the Fortran
//! codes), as ode_solvers 0.6 implements them; the tests drive ode_solvers on the same problems
//! and compare. Differences from ode_solvers, each on purpose:
//! - time enters the right-hand side at every stage as `t + c_i·h` with DOP853's `c12 = 1`
//!   (ode_solvers' tableau has `c12 = 0`, so a time-dependent model needed a clock state);
//! - each state has its own absolute tolerance in the error norm,
//!   `sc_i = atol_i + rtol·max(|y_i|, |ŷ_i|)`, so no scaling pass runs per stage;
//! - the first stage of a segment reuses the rates of the initial-step guess (one evaluation
//!   fewer per restart);
//! - a step whose error estimate or new state is not finite (a trial state outside the model's
//!   domain) is rejected and retried `1/fac_min` times shorter, and counted; every rejected
//!   step is counted (ode_solvers, like the Fortran, skips rejections before the first
//!   acceptance);
//! - accepted steps are passed to a callback instead of being stored.

mod dop853;
mod dopri5;
#[cfg(test)]
mod tests;

use std::ops::ControlFlow;

pub(crate) use dop853::Dop853;
pub(crate) use dopri5::Dopri5;

/// One explicit embedded pair: its stage arithmetic; the driver does the rest.
pub(crate) trait Pair {
    /// Stage buffers the pair needs, each of the problem's dimension.
    const BUFFERS: usize;
    /// The node `c` of the stage whose derivative each buffer holds after an attempt (the
    /// time of its evaluation is `t + c·h`).
    const NODES: &'static [f64];
    /// Order of the propagated solution, for the initial step guess.
    const ORDER: f64;
    /// Exponent α and β of the PI controller `fac = err^α · err_old^(−β)`.
    const ALPHA: f64;
    /// See [`ALPHA`](Self::ALPHA).
    const BETA: f64;
    /// Smallest and largest step-size ratio.
    const FAC_MIN: f64;
    /// See [`FAC_MIN`](Self::FAC_MIN).
    const FAC_MAX: f64;
    /// Bound on `h·|λ|` beyond which a step counts as stiff.
    const STIFF_THRESHOLD: f64;
    /// Right-hand side evaluations of one attempted step (the first stage excluded).
    const STAGE_EVALUATIONS: u64;
    /// Evaluations after an accepted step (the next step's first stage, when not FSAL).
    const ACCEPT_EVALUATIONS: u64;

    /// Computes the step from `(t, y)` of size `h` into `ws.y_new`, with `ws.k[0] = f(t, y)`,
    /// and returns the error norm (≤ 1 to accept; NaN or ∞ when a stage was not finite).
    fn attempt<V: State, F: FnMut(f64, &[f64], &mut [f64])>(
        f: &mut F,
        t: f64,
        h: f64,
        ws: &mut Workspace<V>,
        rtol: f64,
    ) -> f64;

    /// After acceptance: puts `f(t + h, y_new)` into `ws.k[0]` (the next step's first stage)
    /// and returns `h·|λ|`, the stiffness estimate, when `stiffness` asks for it.
    fn accept<V: State, F: FnMut(f64, &[f64], &mut [f64])>(
        f: &mut F,
        t: f64,
        h: f64,
        ws: &mut Workspace<V>,
        stiffness: bool,
    ) -> f64;
}

/// Storage of one state vector: a stack array of the model's size (its loops then unroll and
/// drop their bounds checks), or a heap vector for larger models.
pub(crate) trait State: AsRef<[f64]> + AsMut<[f64]> + Clone {
    /// Zeros of dimension `n`.
    fn zeros(n: usize) -> Self;
}

impl<const N: usize> State for [f64; N] {
    fn zeros(n: usize) -> Self {
        debug_assert_eq!(n, N);
        [0.0; N]
    }
}

impl State for Vec<f64> {
    fn zeros(n: usize) -> Self {
        vec![0.0; n]
    }
}

/// Preallocated buffers of one problem size.
#[derive(Clone)]
pub(crate) struct Workspace<V> {
    /// The current state.
    pub y: V,
    /// The proposed next state.
    pub y_new: V,
    /// A stage's input state.
    pub stage: V,
    /// A second stage input.
    pub spare: V,
    /// The absolute tolerance of each state, as in the error test
    /// `|err_i| ≤ atol_i + rtol·max(|y_i|, |ŷ_i|)`.
    pub atol: V,
    /// Stage derivatives.
    pub k: Vec<V>,
}

impl<V: State> Workspace<V> {
    /// Buffers for the states whose absolute tolerances are `atol`, and a pair needing
    /// `buffers` stage derivatives.
    pub(crate) fn new(atol: &[f64], buffers: usize) -> Self {
        let n = atol.len();
        let mut a = V::zeros(n);
        a.as_mut().copy_from_slice(atol);
        Workspace {
            y: V::zeros(n),
            y_new: V::zeros(n),
            stage: V::zeros(n),
            spare: V::zeros(n),
            atol: a,
            k: vec![V::zeros(n); buffers],
        }
    }

    /// Dimension of the problem.
    pub(crate) fn len(&self) -> usize {
        self.y.as_ref().len()
    }
}

/// `out = y + h·Σ_j a_j·k_j`.
#[inline(always)]
pub(crate) fn combine<V: State, const M: usize>(
    out: &mut V,
    y: &V,
    h: f64,
    a: [f64; M],
    k: [&V; M],
) {
    let out = out.as_mut();
    let y = y.as_ref();
    let k = k.map(|k| k.as_ref());
    for (i, (o, yi)) in out.iter_mut().zip(y).enumerate() {
        *o = yi + h * dot(i, &a, &k);
    }
}

/// `Σ_j a_j·k_j[i]` at one index.
#[inline(always)]
pub(crate) fn dot<const M: usize>(i: usize, a: &[f64; M], k: &[&[f64]; M]) -> f64 {
    let mut s = 0.0;
    for j in 0..M {
        s += a[j] * k[j][i];
    }
    s
}

/// `|a − b|²` summed over the entries.
#[inline(always)]
pub(crate) fn distance_squared<V: State>(a: &V, b: &V) -> f64 {
    let (a, b) = (a.as_ref(), b.as_ref());
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Step controls of one segment.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    /// Relative tolerance.
    pub rtol: f64,
    /// Steps (accepted and rejected) this segment may take.
    pub max_steps: u64,
    /// Accepted steps between stiffness tests (`u64::MAX`: never).
    pub stiffness_interval: u64,
}

/// Work done by one segment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Work {
    /// Right-hand side evaluations.
    pub evaluations: u64,
    /// Accepted steps.
    pub accepted: u64,
    /// Rejected steps (for any reason).
    pub rejected: u64,
    /// Rejected steps whose error estimate or new state was not finite.
    pub non_finite: u64,
}

/// Why a segment stopped short.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Failure {
    /// The rates at the segment's start are not finite (state index).
    NonFiniteStart(usize),
    /// The step budget ran out at this time.
    TooManySteps(f64),
    /// The step size fell below the resolution of time at this time.
    StepSizeUnderflow(f64),
    /// The stiffness test fired repeatedly at this time.
    Stiff(f64),
}

/// How a segment ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum End<B> {
    /// At `t1`.
    Reached,
    /// At this accepted step's time (`t1` at the last step), because the callback asked, with
    /// what it said.
    Stopped(f64, B),
}

/// The last non-finite trial stage of a segment: its time and the first state whose derivative
/// or new value was not finite.
pub(crate) type NonFiniteStage = Option<(f64, usize)>;

// The controller's and the loop's constants, with their source: Hairer's DOPRI5 and DOP853
// (E. Hairer, S. P. Nørsett, G. Wanner, *Solving Ordinary Differential Equations I*, 2nd ed.,
// Springer 1993, §II.4 and the codes' defaults: `SAFE`, `FACOLD`, `UROUND` tests, `HINIT`).

/// Stiffness test: after this many positive tests in a row the segment fails (`NSTIFF`'s
/// count in DOPRI5 and DOP853).
const STIFF_FAILURES: u32 = 15;
/// Stiffness test: this many negative tests in a row reset the count.
const STIFF_RESET: u32 = 6;
/// Safety factor on the step-size proposal (`SAFE = 0.9`).
const SAFETY: f64 = 0.9;
/// Floor of the previous accepted error in the PI controller, and its value at a restart
/// (`FACOLD = 1e-4`).
const FAC_OLD_MIN: f64 = 1e-4;
/// The step has underflowed when `UNDERFLOW_RATIO·|h| ≤ ε·|t|` (`0.1*ABS(H) <= ABS(X)*UROUND`).
const UNDERFLOW_RATIO: f64 = 0.1;
/// A step that would end within `(LAST_STEP_STRETCH − 1)·h` before the segment's end is
/// stretched to land on it (`X + 1.01*H − XEND > 0`).
const LAST_STEP_STRETCH: f64 = 1.01;
/// `HINIT`: below this weighted norm of the state or of its derivative, the first trial step
/// is [`HINIT_SMALL_STEP`].
const HINIT_SMALL_NORM: f64 = 1e-5;
/// `HINIT`: the first trial step when the state or its derivative is near zero, days.
const HINIT_SMALL_STEP: f64 = 1e-6;
/// `HINIT`: the first trial step is this fraction of `‖y‖/‖f‖`, and the second guess
/// `h₁ = (HINIT_FRACTION / max(‖f‖, ‖f′‖))^(1/order)`.
const HINIT_FRACTION: f64 = 0.01;
/// `HINIT`: below this estimate of `max(‖f‖, ‖f′‖)` the second guess falls back to
/// `max(HINIT_SMALL_STEP, h₀·HINIT_SHRINK)`.
const HINIT_FLAT: f64 = 1e-15;
/// `HINIT`: see [`HINIT_FLAT`].
const HINIT_SHRINK: f64 = 1e-3;
/// `HINIT`: the initial step is at most this multiple of the first trial step.
const HINIT_GROWTH: f64 = 100.0;

/// Integrates `ws.y` from `t0` to `t1 > t0` with pair `P`, restarting the method (the initial
/// step is guessed afresh); `on_step(t, y)` sees every accepted step and may stop the segment.
///
/// Returns how the segment ended and its work, or the failure with the work done so far; both
/// with the last non-finite trial stage, if any.
pub(crate) fn integrate<P: Pair, V: State, F, S, B>(
    f: &mut F,
    t0: f64,
    t1: f64,
    ws: &mut Workspace<V>,
    settings: &Settings,
    mut on_step: S,
) -> (Result<End<B>, Failure>, Work, NonFiniteStage)
where
    F: FnMut(f64, &[f64], &mut [f64]),
    S: FnMut(f64, &[f64]) -> ControlFlow<B>,
{
    let mut work = Work::default();
    let mut last_non_finite = None;
    let span = t1 - t0;
    let rtol = settings.rtol;
    work.evaluations += 2;
    let mut h = match initial_step(f, t0, span, ws, rtol, P::ORDER) {
        Ok(h) => h,
        Err(i) => return (Err(Failure::NonFiniteStart(i)), work, None),
    };
    let mut controller = Controller::new::<P>();
    let mut stiffness = StiffnessTest::default();
    let mut rejected_last = false;
    let mut t = t0;
    loop {
        if work.accepted + work.rejected >= settings.max_steps {
            return (Err(Failure::TooManySteps(t)), work, last_non_finite);
        }
        if UNDERFLOW_RATIO * h.abs() <= f64::EPSILON * t.abs() {
            return (Err(Failure::StepSizeUnderflow(t)), work, last_non_finite);
        }
        let last = t + LAST_STEP_STRETCH * h - t1 > 0.0;
        if last {
            h = t1 - t;
        }
        let err = P::attempt(f, t, h, ws, rtol);
        work.evaluations += P::STAGE_EVALUATIONS;
        if !err.is_finite() {
            // A trial stage outside the model's domain: reject and retry much shorter.
            work.rejected += 1;
            work.non_finite += 1;
            last_non_finite = Some(first_non_finite::<P, V>(ws, t, h));
            rejected_last = true;
            h = controller.after_non_finite(h);
            continue;
        }
        if err > 1.0 {
            work.rejected += 1;
            rejected_last = true;
            h = controller.after_rejection(err, h);
            continue;
        }
        let mut h_new = controller.after_acceptance(err, h).min(span);
        if rejected_last {
            h_new = h_new.min(h);
        }
        rejected_last = false;
        work.accepted += 1;
        let test = stiffness.pending() || work.accepted.is_multiple_of(settings.stiffness_interval);
        let h_lambda = P::accept(f, t, h, ws, test);
        work.evaluations += P::ACCEPT_EVALUATIONS;
        if test && stiffness.record(h_lambda > P::STIFF_THRESHOLD) {
            return (Err(Failure::Stiff(t)), work, last_non_finite);
        }
        std::mem::swap(&mut ws.y, &mut ws.y_new);
        t = if last { t1 } else { t + h };
        if let ControlFlow::Break(b) = on_step(t, ws.y.as_ref()) {
            return (Ok(End::Stopped(t, b)), work, last_non_finite);
        }
        if last {
            return (Ok(End::Reached), work, last_non_finite);
        }
        h = h_new;
    }
}

/// Hairer's step-size controller: `fac = err^α · err_old^(−β) / SAFE`, the new step `h/fac`
/// with `fac` kept in `[1/FAC_MAX, 1/FAC_MIN]`.
struct Controller {
    alpha: f64,
    beta: f64,
    /// `1/FAC_MIN`: the largest shrink factor.
    shrink: f64,
    /// `1/FAC_MAX`: the largest growth factor, inverted.
    grow: f64,
    /// The error of the last accepted step (floored at [`FAC_OLD_MIN`]).
    err_old: f64,
}

impl Controller {
    fn new<P: Pair>() -> Self {
        Controller {
            alpha: P::ALPHA,
            beta: P::BETA,
            shrink: 1.0 / P::FAC_MIN,
            grow: 1.0 / P::FAC_MAX,
            err_old: FAC_OLD_MIN,
        }
    }

    /// The next step after an accepted step of size `h` with error norm `err ≤ 1`.
    #[inline]
    fn after_acceptance(&mut self, err: f64, h: f64) -> f64 {
        let fac = err.powf(self.alpha) * self.err_old.powf(-self.beta) / SAFETY;
        self.err_old = err.max(FAC_OLD_MIN);
        h / self.grow.max(self.shrink.min(fac))
    }

    /// The retry after a step with a non-finite stage: the largest shrink.
    #[inline]
    fn after_non_finite(&self, h: f64) -> f64 {
        h / self.shrink
    }

    /// The retry after a rejected step of size `h` with error norm `err > 1` (no PI term).
    #[inline]
    fn after_rejection(&self, err: f64, h: f64) -> f64 {
        h / self.shrink.min(err.powf(self.alpha) / SAFETY)
    }
}

/// Hairer's stiffness test, run on every `stiffness_interval`-th accepted step and on every
/// step while a stiff count is pending: [`STIFF_FAILURES`] positive tests in a row fail the
/// segment, [`STIFF_RESET`] negative ones in a row clear the count.
#[derive(Default)]
struct StiffnessTest {
    stiff: u32,
    non_stiff: u32,
}

impl StiffnessTest {
    /// Whether a positive test awaits confirmation (so the next step is tested too).
    #[inline]
    fn pending(&self) -> bool {
        self.stiff > 0
    }

    /// Records one test; true when the segment is to fail as stiff.
    #[inline]
    fn record(&mut self, stiff: bool) -> bool {
        if stiff {
            self.non_stiff = 0;
            self.stiff += 1;
            self.stiff == STIFF_FAILURES
        } else {
            self.non_stiff += 1;
            if self.non_stiff == STIFF_RESET {
                self.stiff = 0;
            }
            false
        }
    }
}

/// The time of the first stage of the step `(t, h)` whose derivative is not finite, and the
/// first state where; the end of the step and the first non-finite new state if every
/// derivative is finite.
fn first_non_finite<P: Pair, V: State>(ws: &Workspace<V>, t: f64, h: f64) -> (f64, usize) {
    let earliest = P::NODES
        .iter()
        .zip(&ws.k)
        .filter_map(|(c, k)| Some((*c, k.as_ref().iter().position(|v| !v.is_finite())?)))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    let (c, i) = earliest.unwrap_or_else(|| {
        let i = ws
            .y_new
            .as_ref()
            .iter()
            .position(|v| !v.is_finite())
            .unwrap_or(0);
        (1.0, i)
    });
    (t + c * h, i)
}

/// Root-mean-square norm.
fn rms(v: impl Iterator<Item = f64>, n: usize) -> f64 {
    (v.map(|x| x * x).sum::<f64>() / n as f64).sqrt()
}

/// Initial step size by Hairer, Nørsett & Wanner, Solving ODEs I, II.4 (algorithm of `hinit`),
/// bounded to `[16·ε·max(1, |t0|), span]`; leaves `f(t0, y0)` in `ws.k[0]`. The lower bound
/// keeps the guess from collapsing at restarts where states are exactly 0.
///
/// # Errors
/// The index of a state whose rate at `(t0, y0)` is not finite: an accepted state, so no step
/// can fix it.
fn initial_step<V: State, F: FnMut(f64, &[f64], &mut [f64])>(
    f: &mut F,
    t0: f64,
    span: f64,
    ws: &mut Workspace<V>,
    rtol: f64,
    order: f64,
) -> Result<f64, usize> {
    let n = ws.len();
    let Workspace {
        y,
        stage,
        spare,
        atol,
        k,
        ..
    } = ws;
    let (y, stage, spare) = (y.as_ref(), stage.as_mut(), spare.as_mut());
    let (f0, rest) = k.split_first_mut().expect("at least two stage buffers");
    let (f0, f1) = (f0.as_mut(), rest[0].as_mut());
    f(t0, y, f0);
    if let Some(i) = f0.iter().position(|v| !v.is_finite()) {
        return Err(i);
    }
    for ((s, yi), a) in spare.iter_mut().zip(y).zip(atol.as_ref()) {
        *s = a + rtol * yi.abs();
    }
    let d0 = rms(y.iter().zip(spare.iter()).map(|(v, s)| v / s), n);
    let d1 = rms(f0.iter().zip(spare.iter()).map(|(v, s)| v / s), n);
    let h0 = if d0 < HINIT_SMALL_NORM || d1 < HINIT_SMALL_NORM {
        HINIT_SMALL_STEP
    } else {
        HINIT_FRACTION * d0 / d1
    }
    .min(span);
    for ((s, yi), fi) in stage.iter_mut().zip(y).zip(f0.iter()) {
        *s = yi + h0 * fi;
    }
    f(t0 + h0, stage, f1);
    let d2 = rms(
        f1.iter()
            .zip(f0.iter())
            .zip(spare.iter())
            .map(|((a, b), s)| (a - b) / s),
        n,
    ) / h0;
    let h1 = if d1.max(d2) <= HINIT_FLAT {
        (h0 * HINIT_SHRINK).max(HINIT_SMALL_STEP)
    } else {
        (HINIT_FRACTION / d1.max(d2)).powf(1.0 / order)
    };
    // Not Hairer's: a floor so that the first step is resolvable at t0 (16 ulps).
    let floor = 16.0 * f64::EPSILON * t0.abs().max(1.0);
    Ok((HINIT_GROWTH * h0).min(h1).min(span).max(floor))
}
