//! Unit tests of Levenberg–Marquardt and its steps.

use super::search::*;
use super::*;
use crate::Error;
use approx::assert_relative_eq;
use nalgebra::{DMatrix, DVector};

#[test]
fn rosenbrock_as_least_squares_converges_to_one_one() {
    // r = (10(x2 − x1²), 1 − x1): zero residual at (1, 1), from the classic (−1.2, 1).
    let r = |x: &[f64]| -> Result<Vec<f64>, Error> {
        Ok(vec![10.0 * (x[1] - x[0] * x[0]), 1.0 - x[0]])
    };
    let out = minimize(r, &[-1.2, 1.0], &LmOptions::default()).unwrap();
    assert!(out.termination.is_converged(), "{:?}", out.termination);
    // Zero-residual problem: the minimizer is exact; 1e-9 leaves room for the
    // central-difference Jacobian (relative error ~ε^(2/3)) in the last steps.
    assert_relative_eq!(out.x[0], 1.0, epsilon = 1e-9);
    assert_relative_eq!(out.x[1], 1.0, epsilon = 1e-9);
    assert!(out.sum_of_squares < 1e-20);
    assert_eq!(out.failed_evaluations, 0);
    // Work: each accepted step costs one Jacobian (4 evaluations) plus the step itself.
    assert!(out.iterations < 60, "{} iterations", out.iterations);
}

/// NIST StRD nonlinear regression problem Misra1a (lower difficulty): y = b1·(1 − exp(−b2·x)),
/// 14 observations; certified values from https://www.itl.nist.gov/div898/strd/nls/data/misra1a.shtml
/// (b1 = 2.3894212918E+02, b2 = 5.5015643181E-04, residual sum of squares 1.2455138894E-01),
/// from NIST's start 1 (b1 = 500, b2 = 1e-4).
#[test]
fn exponential_rise_matches_nist_misra1a_certified_values() {
    let data = [
        (10.07, 77.6),
        (14.73, 114.9),
        (17.94, 141.1),
        (23.93, 190.8),
        (29.61, 239.9),
        (35.18, 289.0),
        (40.02, 332.8),
        (44.82, 378.4),
        (50.76, 434.8),
        (55.05, 477.3),
        (61.01, 536.8),
        (66.40, 593.1),
        (75.47, 689.1),
        (81.78, 760.0),
    ];
    let r = |b: &[f64]| -> Result<Vec<f64>, Error> {
        Ok(data
            .iter()
            .map(|&(y, x)| y - b[0] * (1.0 - (-b[1] * x).exp()))
            .collect())
    };
    // Typical magnitudes from the start, so b2 ~ 1e-4 gets a step ~ ε^(1/3)·1e-4.
    let out = minimize_scaled(r, &[500.0, 1e-4], &[500.0, 1e-4], &LmOptions::default()).unwrap();
    assert!(out.termination.is_converged(), "{:?}", out.termination);
    // NIST certifies 11 significant digits; 1e-8 relative allows for the difference
    // Jacobian and the stopping tests (NIST asks for 4–6 agreeing digits).
    assert_relative_eq!(out.x[0], 2.389_421_291_8e2, max_relative = 1e-8);
    assert_relative_eq!(out.x[1], 5.501_564_318_1e-4, max_relative = 1e-8);
    assert_relative_eq!(out.sum_of_squares, 1.245_513_889_4e-1, max_relative = 1e-9);
}

#[test]
fn an_exponential_decay_with_exact_data_is_recovered_exactly() {
    // y = 5·exp(−0.3·t) at t = 0..10: zero-residual problem from a start 2× off.
    let t: Vec<f64> = (0..=10).map(f64::from).collect();
    let y: Vec<f64> = t.iter().map(|t| 5.0 * (-0.3 * t).exp()).collect();
    let r = |p: &[f64]| -> Result<Vec<f64>, Error> {
        Ok(t.iter()
            .zip(&y)
            .map(|(t, y)| y - p[0] * (-p[1] * t).exp())
            .collect())
    };
    let out = minimize(r, &[10.0, 0.6], &LmOptions::default()).unwrap();
    assert!(out.termination.is_converged(), "{:?}", out.termination);
    assert_relative_eq!(out.x[0], 5.0, max_relative = 1e-10);
    assert_relative_eq!(out.x[1], 0.3, max_relative = 1e-10);
}

#[test]
fn a_failed_evaluation_rejects_the_step_and_is_counted() {
    // r = x² − 4 from x = 0.1: the Gauss–Newton step jumps to x ≈ 20, where the function
    // fails (x > 5); the step is rejected, the damping raised, and the search reaches 2.
    let r = |x: &[f64]| -> Result<Vec<f64>, Error> {
        if x[0] > 5.0 {
            Err(FitError::NonFiniteResidual {
                index: 0,
                value: f64::NAN,
            }
            .into())
        } else {
            Ok(vec![x[0] * x[0] - 4.0])
        }
    };
    let options = LmOptions {
        initial_damping: 1e-9,
        ..LmOptions::default()
    };
    let out = minimize(r, &[0.1], &options).unwrap();
    assert!(out.termination.is_converged(), "{:?}", out.termination);
    assert_relative_eq!(out.x[0], 2.0, max_relative = 1e-10);
    assert!(out.failed_evaluations >= 1);
    assert!(out.rejected_steps >= out.failed_evaluations);
    assert!(out.first_failure.is_some());
}

#[test]
fn a_failure_at_the_start_is_an_error_and_budgets_stop_the_search() {
    let fails = |_: &[f64]| -> Result<Vec<f64>, Error> {
        Err(FitError::NonFiniteResidual {
            index: 3,
            value: f64::INFINITY,
        }
        .into())
    };
    let err = minimize(fails, &[1.0], &LmOptions::default()).unwrap_err();
    assert!(matches!(
        err,
        Error::Fit(FitError::NonFiniteResidual { index: 3, .. })
    ));

    let r = |x: &[f64]| -> Result<Vec<f64>, Error> {
        Ok(vec![10.0 * (x[1] - x[0] * x[0]), 1.0 - x[0]])
    };
    let options = LmOptions {
        max_iterations: 3,
        ..LmOptions::default()
    };
    let out = minimize(r, &[-1.2, 1.0], &options).unwrap();
    assert_eq!(out.termination, Termination::MaxIterations);
    assert_eq!(out.iterations, 3);

    let bad = LmOptions {
        relative_step: 0.0,
        ..LmOptions::default()
    };
    let err = minimize(r, &[-1.2, 1.0], &bad).unwrap_err();
    assert!(matches!(
        err,
        Error::Fit(FitError::InvalidOption {
            option: "relative_step",
            ..
        })
    ));
}

#[test]
fn scales_need_one_finite_positive_entry_per_parameter() {
    assert!(check_scales(&[1.0, 2.0], &[1.0, 0.5]).is_ok());
    let short = check_scales(&[1.0, 2.0], &[1.0]);
    assert!(
        matches!(short, Err(FitError::InvalidOption { option: "scales", value, .. }) if value == 1.0)
    );
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let e = check_scales(&[1.0], &[bad]);
        assert!(
            matches!(
                e,
                Err(FitError::InvalidOption {
                    option: "scales",
                    ..
                })
            ),
            "{bad}"
        );
    }
}

#[test]
fn the_first_evaluation_must_succeed_and_be_finite() {
    let ok = |x: &[f64]| -> Result<Vec<f64>, Error> { Ok(vec![x[0], 2.0]) };
    let (counted, r) = first_evaluation(ok, &[3.0]).unwrap();
    assert_eq!((counted.m, counted.evaluations, counted.failed), (2, 1, 0));
    assert_eq!(r.as_slice(), [3.0, 2.0]);
    let nan = |_: &[f64]| -> Result<Vec<f64>, Error> { Ok(vec![1.0, f64::NAN]) };
    let e = first_evaluation(nan, &[0.0]).err().unwrap();
    assert!(
        matches!(e, Error::Fit(FitError::NonFiniteResidual { index: 1, .. })),
        "{e}"
    );
}

#[test]
fn gradient_cosine_is_the_largest_cosine_over_nonzero_columns() {
    // Columns (1, 0), (1, 1) and a zero column; r = (1, 0).
    let jac = DMatrix::from_row_slice(2, 3, &[1.0, 1.0, 0.0, 0.0, 1.0, 0.0]);
    let r = DVector::from_vec(vec![1.0, 0.0]);
    let g = jac.tr_mul(&r);
    assert_relative_eq!(gradient_cosine(&jac, &g, r.norm()), 1.0);
    // r orthogonal to every column.
    let jac = DMatrix::from_row_slice(2, 1, &[1.0, 0.0]);
    let r = DVector::from_vec(vec![0.0, 2.0]);
    assert_eq!(gradient_cosine(&jac, &jac.tr_mul(&r), r.norm()), 0.0);
}

#[test]
fn damped_normal_matrix_adds_mu_times_the_floored_scaling() {
    let jac = DMatrix::from_row_slice(2, 2, &[1.0, 0.0, 1.0, 0.0]);
    let scale = DVector::from_vec(vec![2.0, 0.0]);
    let a = damped_normal_matrix(&jac, &scale, 0.5);
    assert_eq!(a[(0, 0)], 2.0 + 0.5 * 2.0);
    assert_eq!(a[(1, 1)], 0.5 * 2.0 * f64::EPSILON);
    assert_eq!((a[(0, 1)], a[(1, 0)]), (0.0, 0.0));
    let none = damped_normal_matrix(&DMatrix::zeros(1, 1), &DVector::zeros(1), 0.25);
    assert_eq!(none[(0, 0)], 0.25);
}

#[test]
fn relaxation_follows_nielsen() {
    assert_relative_eq!(relaxation(1.0), 1.0 / 3.0);
    assert_relative_eq!(relaxation(0.5), 1.0);
    assert_relative_eq!(relaxation(0.0), 2.0);
    assert_relative_eq!(relaxation(0.75), 1.0 - 0.125);
}

#[test]
fn a_termination_reads_as_words() {
    assert_eq!(
        Termination::MaxIterations.to_string(),
        "the step-attempt budget ran out"
    );
    assert_eq!(
        Termination::JacobianFailed { parameter: 2 }.to_string(),
        "no Jacobian: neither side of parameter 2's difference could be evaluated"
    );
    assert!(Termination::ConvergedStep
        .to_string()
        .starts_with("converged"));
}
