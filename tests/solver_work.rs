//! Solver work on a fixed problem, asserted as counts so that a change that doubles the work
//! fails without any timing (the pattern of diffsol's snapshot tests).

mod common;

use oncodyn::model::catalog::simeoni_2004;
use oncodyn::prelude::*;

/// Problem `pk_tgi_simeoni` (shared/reference/PROBLEMS.md, problem 2).
fn simeoni_stats(method: Method) -> oncodyn::solver::SolverStats {
    let p = common::simeoni_problem_2();
    let m = simeoni_2004(&p).expect("valid parameters");
    let regimen = Regimen::new("paclitaxel").with(Dose::bolus(9.0, "drug", 20.0).repeated(2.0, 3));
    let times: Vec<f64> = (0..=40).map(f64::from).collect();
    let mut opts = SolverOptions {
        method,
        rtol: 1e-8,
        ..Default::default()
    };
    opts.atol.grams = 1e-10;
    opts.atol.milligrams = 1e-10;
    simulate(&m.model, &regimen, &times, &opts)
        .expect("solves")
        .stats()
}

/// Counts measured when this test was written; 10% slack absorbs small controller changes,
/// not a doubling.
fn assert_near(what: &str, got: u64, expected: u64) {
    let slack = expected / 10;
    assert!(
        got.abs_diff(expected) <= slack,
        "{what}: {got}, expected {expected} ± {slack}"
    );
}

#[test]
fn dopri5_work_on_simeoni_is_stable() {
    let s = simeoni_stats(Method::Dopri5);
    // 41 output times and 3 doses: 40 segments between distinct cut times.
    assert_eq!(s.segments, 40);
    // Per segment: 2 evaluations for the initial step (the first also serves as the first
    // stage), 6 per step.
    assert_eq!(
        s.rhs_evaluations,
        6 * (s.accepted_steps + s.rejected_steps) + 2 * 40
    );
    assert_near("accepted steps", s.accepted_steps, 376);
}

#[test]
fn dop853_work_on_simeoni_is_stable() {
    let s = simeoni_stats(Method::Dop853);
    assert_eq!(s.segments, 40);
    assert_near("rhs evaluations", s.rhs_evaluations, 1776);
    assert_near("accepted steps", s.accepted_steps, 138);
}
