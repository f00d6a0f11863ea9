//! Unit tests of the report's steps.

use super::covariance::*;
use super::estimates::*;
use super::starts::*;
use super::*;
use crate::stats::student_t_quantile;
use approx::assert_relative_eq;
use nalgebra::DMatrix;

/// A finished search ending at `x` with sum of squares `s`.
fn outcome(x: Vec<f64>, s: f64, termination: Termination) -> LmOutcome {
    let p = x.len();
    LmOutcome {
        x,
        residuals: Vec::new(),
        jacobian: DMatrix::zeros(0, p),
        sum_of_squares: s,
        termination,
        iterations: 7,
        rejected_steps: 1,
        evaluations: 20,
        failed_evaluations: 0,
        first_failure: None,
    }
}

#[test]
fn start_summary_records_every_start_and_sorts_the_finished_best_first() {
    let starts = vec![(vec![1.0], vec![0.0]); 3];
    let runs = vec![
        Ok(outcome(vec![0.0], 4.0, Termination::ConvergedStep)),
        Err(FitError::NoParameters.into()),
        Ok(outcome(vec![1.0], 2.0, Termination::MaxIterations)),
    ];
    let m2ll = |s: f64| 10.0 * s;
    let natural = |phi: &[f64]| phi.iter().map(|x| x.exp()).collect::<Vec<f64>>();
    let summary = StartSummary::from_runs(&starts, runs, &m2ll, &natural).unwrap();
    assert_eq!(summary.records.len(), 3);
    assert!(matches!(
        summary.records[1].outcome,
        StartOutcome::Failed { .. }
    ));
    let StartOutcome::Finished {
        estimates,
        minus_two_log_likelihood,
        ..
    } = &summary.records[2].outcome
    else {
        panic!("start 2 finished");
    };
    assert_eq!(
        (estimates.as_slice(), *minus_two_log_likelihood),
        ([1f64.exp()].as_slice(), 20.0)
    );
    let order: Vec<usize> = summary.finished.iter().map(|f| f.start).collect();
    assert_eq!(order, [2, 0]);
    assert_eq!(summary.total_evaluations, 20 + 1 + 20);
    assert_eq!(summary.failed.as_ref().map(|(n, _)| *n), Some(1));

    let none = StartSummary::from_runs(
        &starts[..1],
        vec![Err(FitError::NoParameters.into())],
        &m2ll,
        &natural,
    );
    assert!(matches!(
        none,
        Err(FitError::NoStartEvaluated { starts: 1, .. })
    ));
}

#[test]
fn uncertainty_gives_standard_errors_correlations_and_their_warnings() {
    let names = ["a".to_string(), "b".to_string()];
    // y = a + b·t at t = 0..3, s² = 2: Cov = 2·[[0.7, −0.3], [−0.3, 0.2]].
    let x = DMatrix::from_row_slice(4, 2, &[1.0, 0.0, 1.0, 1.0, 1.0, 2.0, 1.0, 3.0]);
    let u = Uncertainty::at(&x, 2.0, 2, &names);
    assert_relative_eq!(u.se(0).unwrap(), 1.4f64.sqrt(), max_relative = 1e-14);
    assert_relative_eq!(u.se(1).unwrap(), 0.4f64.sqrt(), max_relative = 1e-14);
    let r = u.correlation.as_ref().unwrap()[0][1];
    assert_relative_eq!(r, -0.3 / (0.7f64 * 0.2).sqrt(), max_relative = 1e-13);
    assert_eq!(u.quantile, student_t_quantile(0.975, 2.0));
    assert!(u.warnings.is_empty());
    let i = u.interval(Transform::Identity, 1.0, 0).unwrap();
    assert_relative_eq!(
        i.upper - 1.0,
        u.quantile * 1.4f64.sqrt(),
        max_relative = 1e-14
    );

    // Nearly collinear columns: ill-conditioned and highly correlated.
    let near = DMatrix::from_row_slice(3, 2, &[1.0, 1.0, 1.0, 1.0 + 1e-5, 1.0, 1.0 - 1e-5]);
    let u = Uncertainty::at(&near, 1.0, 1, &names);
    assert!(matches!(u.warnings[0], FitWarning::IllConditioned { .. }));
    assert!(
        matches!(&u.warnings[1], FitWarning::HighCorrelation { first, second, .. } if first == "a" && second == "b")
    );

    let collinear = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 2.0, 4.0, 3.0, 6.0]);
    let u = Uncertainty::at(&collinear, 1.0, 1, &names);
    assert_eq!(
        u.warnings,
        [FitWarning::SingularInformation {
            rank: 1,
            parameters: 2
        }]
    );
    assert!(u.se(0).is_none() && u.interval(Transform::Log, 0.0, 0).is_none());
    assert!(u.correlation.is_none() && u.condition_number.is_none());
}

#[test]
fn error_parameters_are_sigma_or_the_combined_triple() {
    let names = ["k".to_string(), "a_over_b".to_string()];
    let j = DMatrix::from_row_slice(3, 2, &[1.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
    let u = Uncertainty::at(&j, 1.0, 1, &names);
    let sigma = error_parameters(ErrorModel::Additive, &[0.3], 1, 0.5, &u);
    assert_eq!(sigma.len(), 1);
    assert_eq!((sigma[0].name.as_str(), sigma[0].estimate), ("sigma", 0.5));
    assert!(sigma[0].standard_error.is_none());
    let combined = ErrorModel::Combined {
        additive: 1.0,
        proportional: 0.1,
    };
    let e = error_parameters(combined, &[0.3, 2f64.ln()], 1, 0.5, &u);
    let names: Vec<&str> = e.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "a_over_b"]);
    assert_relative_eq!(e[0].estimate, 1.0, max_relative = 1e-15);
    assert_eq!(e[1].estimate, 0.5);
    assert_relative_eq!(e[2].standard_error.unwrap(), 2.0 * u.se(1).unwrap());
    assert!(e[2].interval.is_some() && e[0].interval.is_none());
}

#[test]
fn search_warnings_come_in_order() {
    let mut out = outcome(vec![0.0], 1.0, Termination::MaxEvaluations);
    out.failed_evaluations = 2;
    out.first_failure = Some("boom".to_string());
    let summary = StartSummary {
        records: Vec::new(),
        finished: Vec::new(),
        failed: Some((3, "bad start".to_string())),
        total_evaluations: 0,
    };
    let w = search_warnings(&out, &summary);
    assert!(matches!(
        w[0],
        FitWarning::NotConverged {
            termination: Termination::MaxEvaluations
        }
    ));
    assert!(matches!(&w[1], FitWarning::FailedEvaluations { count: 2, first } if first == "boom"));
    assert!(matches!(&w[2], FitWarning::StartsFailed { count: 3, first } if first == "bad start"));
    let quiet = outcome(vec![0.0], 1.0, Termination::ConvergedGradient);
    let none = StartSummary {
        failed: None,
        ..summary
    };
    assert!(search_warnings(&quiet, &none).is_empty());
}

#[test]
fn criteria_follow_their_formulas() {
    let c = Criteria::new(100.0, 3, 20);
    assert_eq!(c.aic, 106.0);
    assert_relative_eq!(c.aicc.unwrap(), 106.0 + 24.0 / 16.0, max_relative = 1e-15);
    assert_relative_eq!(c.bic, 100.0 + 3.0 * 20f64.ln(), max_relative = 1e-15);
    assert_eq!(Criteria::new(1.0, 3, 4).aicc, None);
}

#[test]
fn at_bound_finds_the_bound_of_each_transform() {
    let logit = Transform::Logit {
        lower: 0.0,
        upper: 2.0,
    };
    assert_eq!(at_bound(logit, 1e-7, 1.0), Some(0.0));
    assert_eq!(at_bound(logit, 2.0 - 1e-7, 1.0), Some(2.0));
    assert_eq!(at_bound(logit, 1.0, 1.0), None);
    assert_eq!(at_bound(Transform::Log, 1e-9, 1.0), Some(0.0));
    assert_eq!(at_bound(Transform::Identity, 0.0, 1.0), None);
}

#[test]
fn the_covariance_of_a_linear_model_is_the_least_squares_one() {
    // J = X for y = a + b·t at t = 0, 1, 2, 3: (XᵀX)⁻¹ = [[0.7, −0.3], [−0.3, 0.2]].
    let x = DMatrix::from_row_slice(4, 2, &[1.0, 0.0, 1.0, 1.0, 1.0, 2.0, 1.0, 3.0]);
    let Covariance::Regular { matrix, condition } = covariance(&x, 2.0) else {
        panic!("X has full rank");
    };
    assert_relative_eq!(matrix[(0, 0)], 1.4, max_relative = 1e-14);
    assert_relative_eq!(matrix[(0, 1)], -0.6, max_relative = 1e-14);
    assert_relative_eq!(matrix[(1, 1)], 0.4, max_relative = 1e-14);
    assert!(condition > 1.0);
    let collinear = DMatrix::from_row_slice(3, 2, &[1.0, 2.0, 2.0, 4.0, 3.0, 6.0]);
    assert!(matches!(
        covariance(&collinear, 1.0),
        Covariance::Singular { rank: 1 }
    ));
}
