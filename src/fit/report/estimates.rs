//! The estimates at the optimum: the free parameters' with their uncertainty, the error
//! model's, the fit at each observation, the information criteria and the bounds reached.

use super::covariance::Uncertainty;
use super::{ErrorEstimate, Estimate, FitWarning, ObservationFit, AT_BOUND};
use crate::fit::objective::{ErrorModel, Evaluation};
use crate::fit::transform::Transform;
use crate::fit::FitProblem;

/// The free parameters' estimates at the search point `x`, with SEs by the delta method.
pub(super) fn estimates(problem: &FitProblem, x: &[f64], u: &Uncertainty) -> Vec<Estimate> {
    problem
        .parameters()
        .iter()
        .enumerate()
        .map(|(j, q)| {
            let phi = x[j];
            let estimate = q.transform.to_natural(phi);
            let se_natural = u.se(j).map(|se| q.transform.derivative(phi).abs() * se);
            Estimate {
                name: q.name.clone(),
                path: q.path.to_string(),
                transform: q.transform,
                initial: q.initial,
                estimate,
                standard_error: se_natural,
                relative_standard_error: se_natural.map(|se| se / estimate.abs()),
                interval: u.interval(q.transform, phi, j),
            }
        })
        .collect()
}

/// A warning for each estimate at a bound of its transform (see [`AT_BOUND`]).
pub(super) fn at_bound_warnings(problem: &FitProblem, estimates: &[Estimate]) -> Vec<FitWarning> {
    estimates
        .iter()
        .zip(problem.parameters())
        .filter_map(|(e, q)| {
            at_bound(q.transform, e.estimate, q.initial).map(|bound| FitWarning::AtBound {
                parameter: e.name.clone(),
                estimate: e.estimate,
                bound,
            })
        })
        .collect()
}

/// The error model's estimates: `σ̂`, or for a combined model `a`, `b` and `a/b`, whose
/// search value `ln(a/b)` is `x[j]`, searched parameter `j`.
pub(super) fn error_parameters(
    error: ErrorModel,
    x: &[f64],
    j: usize,
    sigma_ml: f64,
    u: &Uncertainty,
) -> Vec<ErrorEstimate> {
    let profiled = |name: &str, estimate: f64| ErrorEstimate {
        name: name.to_string(),
        estimate,
        standard_error: None,
        interval: None,
    };
    match error {
        ErrorModel::Combined { .. } => {
            let ratio = x[j].exp();
            vec![
                profiled("a", sigma_ml * ratio),
                profiled("b", sigma_ml),
                ErrorEstimate {
                    name: "a_over_b".to_string(),
                    estimate: ratio,
                    standard_error: u.se(j).map(|se| ratio * se),
                    interval: u.interval(Transform::Log, x[j], j),
                },
            ]
        }
        _ => vec![profiled("sigma", sigma_ml)],
    }
}

/// Predictions and residuals at each observation, weighted by `σ̂·√w`.
pub(super) fn observation_fits(
    problem: &FitProblem,
    evaluation: &Evaluation,
    sigma_ml: f64,
) -> Vec<ObservationFit> {
    problem
        .observations()
        .zip(&evaluation.predictions)
        .zip(evaluation.errors.iter().zip(&evaluation.weights))
        .map(|(((subject, o), &predicted), (e, w))| ObservationFit {
            subject: subject.to_string(),
            line: o.line,
            time: o.time,
            observed: o.value,
            predicted,
            residual: o.value - predicted,
            weighted_residual: e / (sigma_ml * w.sqrt()),
        })
        .collect()
}

/// `−2LL` and the information criteria of `k` estimated parameters and `n` observations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Criteria {
    pub(super) minus_two_log_likelihood: f64,
    pub(super) aic: f64,
    pub(super) aicc: Option<f64>,
    pub(super) bic: f64,
}

impl Criteria {
    /// `AIC = −2LL + 2k`, `AICc = AIC + 2k(k + 1)/(n − k − 1)` for `n > k + 1`,
    /// `BIC = −2LL + k·ln n`.
    pub(super) fn new(m2ll: f64, k: usize, n: usize) -> Self {
        let (k, nf) = (k as f64, n as f64);
        Criteria {
            minus_two_log_likelihood: m2ll,
            aic: m2ll + 2.0 * k,
            aicc: (nf > k + 1.0).then(|| m2ll + 2.0 * k + 2.0 * k * (k + 1.0) / (nf - k - 1.0)),
            bic: m2ll + k * nf.ln(),
        }
    }
}

/// `1/√ḡ`: the scaled residuals are `e·√(ḡ/w)`, so `√(S/(n−p))/√ḡ` is the df-corrected σ.
pub(super) fn scale_of_scaled_residuals(weights: &[f64]) -> f64 {
    let n = weights.len().max(1) as f64;
    (-0.5 * weights.iter().map(|w| w.ln()).sum::<f64>() / n).exp()
}

/// The bound a parameter sits at, if any (see [`AT_BOUND`]).
pub(super) fn at_bound(transform: Transform, estimate: f64, initial: f64) -> Option<f64> {
    match transform {
        Transform::Identity => None,
        Transform::Log => (estimate < AT_BOUND * initial).then_some(0.0),
        Transform::Logit { lower, upper } => {
            let fraction = (estimate - lower) / (upper - lower);
            if fraction <= AT_BOUND {
                Some(lower)
            } else if fraction >= 1.0 - AT_BOUND {
                Some(upper)
            } else {
                None
            }
        }
    }
}
