//! Cross-checks against ode_solvers 0.6 (the same methods and controller, Hairer's codes
//! ported): from the same first step, both take the same accepted steps and agree to rounding.

use super::*;
use nalgebra::SVector;
use ode_solvers::dop_shared::{OutputType, System};

const RTOL: f64 = 1e-9;
const ATOL: f64 = 1e-12;

/// A Lotka–Volterra predator–prey pair with logistic prey (autonomous, so ode_solvers'
/// `c12 = 0` in its DOP853 tableau does not matter).
fn rates(y: &[f64], dy: &mut [f64]) {
    dy[0] = 1.1 * y[0] * (1.0 - y[0] / 50.0) - 0.4 * y[0] * y[1];
    dy[1] = 0.1 * y[0] * y[1] - 0.4 * y[1];
}

struct Reference;

impl System<f64, SVector<f64, 2>> for Reference {
    fn system(&self, _t: f64, y: &SVector<f64, 2>, dy: &mut SVector<f64, 2>) {
        rates(y.as_slice(), dy.as_mut_slice());
    }
}

const Y0: [f64; 2] = [10.0, 5.0];
const T1: f64 = 30.0;

/// Our solve of the pair: final state, work, and the first step it took.
fn ours<P: Pair>() -> ([f64; 2], Work, f64) {
    let mut ws = Workspace::<[f64; 2]>::new(&[ATOL; 2], P::BUFFERS);
    ws.y = Y0;
    let mut f = |_t: f64, y: &[f64], dy: &mut [f64]| rates(y, dy);
    let h0 = initial_step(&mut f, 0.0, T1, &mut ws, RTOL, P::ORDER).expect("finite rates");
    ws.y = Y0;
    let settings = Settings {
        rtol: RTOL,
        max_steps: 100_000,
        stiffness_interval: 1000,
    };
    let (end, work, non_finite) =
        integrate::<P, _, _, _, ()>(&mut f, 0.0, T1, &mut ws, &settings, |_, _| {
            ControlFlow::Continue(())
        });
    assert_eq!(end, Ok(End::Reached));
    assert_eq!(non_finite, None);
    ([ws.y[0], ws.y[1]], work, h0)
}

/// ode_solvers' `$method` on the problem, with the controller constants of our pair of the
/// same name and first step `$h0`.
macro_rules! reference {
    ($method:ident, $h0:expr) => {
        ode_solvers::$method::from_param(
            Reference,
            0.0,
            T1,
            T1,
            SVector::from(Y0),
            RTOL,
            ATOL,
            0.9,
            $method::BETA,
            $method::FAC_MIN,
            $method::FAC_MAX,
            T1,
            $h0,
            100_000,
            1000,
            OutputType::Sparse,
        )
    };
}

fn assert_agree(ours: [f64; 2], theirs: &SVector<f64, 2>) {
    for i in 0..2 {
        let gap = (ours[i] - theirs[i]).abs() / theirs[i].abs();
        assert!(
            gap < 1e-11,
            "state {i}: {} vs {} ({gap:e})",
            ours[i],
            theirs[i]
        );
    }
}

#[test]
fn dopri5_takes_the_steps_of_ode_solvers() {
    let (y, work, h0) = ours::<Dopri5>();
    let mut s = reference!(Dopri5, h0);
    let stats = s.integrate().expect("ode_solvers solves");
    assert_eq!(work.accepted, u64::from(stats.accepted_steps));
    assert!(work.accepted > 100, "{work:?}");
    // ode_solvers evaluates the first stage again after its initial-step guess.
    assert_eq!(work.evaluations + 1, u64::from(stats.num_eval) + 2);
    assert_agree(y, s.y_out().last().expect("a last step"));
}

#[test]
fn dop853_takes_the_steps_of_ode_solvers() {
    let (y, work, h0) = ours::<Dop853>();
    let mut s = reference!(Dop853, h0);
    let stats = s.integrate().expect("ode_solvers solves");
    assert_eq!(work.accepted, u64::from(stats.accepted_steps));
    assert!(work.accepted > 30, "{work:?}");
    assert_agree(y, s.y_out().last().expect("a last step"));
}

/// A trial stage outside the domain (a square root of a negative state, reached only by a
/// step that is too long) rejects the step and is counted; the solve goes on.
#[test]
fn a_non_finite_stage_rejects_the_step() {
    // y' = −√y from y = 1: y = (1 − t/2)², zero at t = 2; solved to t = 1.9.
    let mut f = |_t: f64, y: &[f64], dy: &mut [f64]| dy[0] = -y[0].sqrt();
    let mut ws = Workspace::<Vec<f64>>::new(&[1e-3], Dopri5::BUFFERS);
    ws.y[0] = 1.0;
    let settings = Settings {
        rtol: 1e-3,
        max_steps: 10_000,
        stiffness_interval: u64::MAX,
    };
    let (end, work, non_finite) =
        integrate::<Dopri5, _, _, _, ()>(&mut f, 0.0, 1.9, &mut ws, &settings, |_, _| {
            ControlFlow::Continue(())
        });
    assert_eq!(end, Ok(End::Reached));
    let exact = (1.0f64 - 1.9 / 2.0).powi(2);
    assert!((ws.y[0] - exact).abs() < 1e-3, "{} vs {exact}", ws.y[0]);
    assert!(work.non_finite > 0, "{work:?}");
    assert_eq!(non_finite.map(|(_, i)| i), Some(0));
}

/// Rates that are never finite after the start collapse the step size: a typed failure, not
/// a loop.
#[test]
fn rates_that_stay_non_finite_collapse_the_step() {
    let mut f = |t: f64, _y: &[f64], dy: &mut [f64]| {
        dy[0] = if t > 1.0 { f64::NAN } else { 1.0 };
    };
    let mut ws = Workspace::<[f64; 1]>::new(&[1e-6], Dopri5::BUFFERS);
    let settings = Settings {
        rtol: 1e-6,
        max_steps: 100_000,
        stiffness_interval: u64::MAX,
    };
    let (end, work, non_finite) =
        integrate::<Dopri5, _, _, _, ()>(&mut f, 0.0, 2.0, &mut ws, &settings, |_, _| {
            ControlFlow::Continue(())
        });
    assert!(matches!(end, Err(Failure::StepSizeUnderflow(t)) if (t - 1.0).abs() < 1e-12));
    assert!(work.non_finite > 10);
    assert!(non_finite.is_some());
}
