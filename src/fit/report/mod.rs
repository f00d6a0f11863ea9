//! [`FitReport`]: estimates with their uncertainty, goodness of fit, how the search went, and
//! warnings; [`IndividualFits`]: one report per subject and the two-stage summary.
//!
//! Use this module to read a fit's results. Everything is data and serializes (serde), so a
//! report can be written as JSON or TOML next to the figures made from it; a [`FitReport`]
//! also reads back (it round-trips exactly). [`IndividualFits`] only writes: its failures
//! carry the typed [`FitError`], which is not data.
//!
//! **Covariance.** At the optimum, with `J` the Jacobian (`n × p`) of the scaled residuals
//! `r` of the concentrated objective `S = Σ r_i²` with respect to the searched parameters `φ`
//! (the transformed free parameters, and `ln(a/b)` for a combined error model), the observed
//! Fisher information of the profile likelihood in the Gauss–Newton approximation is `JᵀJ/σ̃²`
//! (the neglected term is `Σ r_i·∇²r_i`, small near the optimum), so
//!
//! ```text
//! Cov(φ) = s²·(JᵀJ)⁻¹,     s² = S/(n − p)
//! ```
//!
//! with `s²` corrected for the `p` estimated parameters as R's `nls` and scipy's `curve_fit`
//! do. For additive error this is exactly the least-squares `σ̂²·(XᵀX)⁻¹`. Standard errors on
//! the natural scale follow by the delta method, `SE(θ_j) = |dθ_j/dφ_j|·SE(φ_j)`; the
//! correlation matrix is the same on both scales. 95% intervals are `φ̂ ± t·SE(φ)` mapped back
//! through the transform, `t` the 97.5% quantile of Student's t with `n − p` degrees of
//! freedom. `(JᵀJ)⁻¹` is computed by the SVD of `J` with unit-norm columns, whose singular
//! values also give the (scale-free) condition number of the information matrix.
//!
//! **Criteria.** `−2LL` is the concentrated value of [`objective`](super::objective);
//! `AIC = −2LL + 2k`, `BIC = −2LL + k·ln n`, with `k` the free plus error-model parameters.

mod covariance;
mod display;
mod estimates;
mod individual;
mod starts;
#[cfg(test)]
mod tests;

pub(crate) use individual::individual;
pub use individual::{IndividualFits, SubjectFailure, TwoStageSummary};

use super::lm::{LmOptions, LmOutcome, Termination};
use super::objective::{minus_two_log_likelihood, ErrorModel, Evaluation};
use super::transform::Transform;
use super::FitProblem;
use crate::error::Error;
use crate::fit::FitError;
use crate::stats::Interval;
use covariance::Uncertainty;
use estimates::{
    at_bound_warnings, error_parameters, estimates, observation_fits, scale_of_scaled_residuals,
    Criteria,
};
use serde::{Deserialize, Serialize};
use starts::{local_optima, search_warnings, Finished, StartSummary};

/// Correlations whose absolute value exceeds this are reported ([`FitWarning::HighCorrelation`]).
pub const HIGH_CORRELATION: f64 = 0.95;

/// A condition number of the (unit-diagonal) information matrix above this is reported
/// ([`FitWarning::IllConditioned`]): some combination of parameters is determined about
/// `10⁴` times less precisely than the parameters one at a time.
pub const ILL_CONDITIONED: f64 = 1e8;

/// A singular value of the column-normalized Jacobian below this fraction of the largest
/// counts as zero ([`FitWarning::SingularInformation`]): the central-difference Jacobian is
/// accurate to about `1e-7` relative, so smaller singular values are indistinguishable from 0.
pub const SINGULAR_RATIO: f64 = 1e-7;

/// A logit parameter within this fraction of its range from a bound, or a log parameter
/// below this fraction of its initial value (drifting to 0), is reported at its bound
/// ([`FitWarning::AtBound`]).
pub const AT_BOUND: f64 = 1e-6;

/// One estimated free parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The free parameter's name.
    pub name: String,
    /// Its path in the model.
    pub path: String,
    /// How it was searched.
    pub transform: Transform,
    /// The initial value (start 0).
    pub initial: f64,
    /// The maximum-likelihood estimate, natural scale.
    pub estimate: f64,
    /// Standard error, natural scale (delta method); `None` when the information matrix is
    /// singular.
    pub standard_error: Option<f64>,
    /// `SE/|estimate|`, a fraction (×100 for the usual %RSE).
    pub relative_standard_error: Option<f64>,
    /// 95% interval (see the [module docs](self)).
    pub interval: Option<Interval>,
}

/// One estimated error-model parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorEstimate {
    /// `sigma` (additive: output unit; proportional: fraction; log-normal: log scale), or for
    /// the combined model `a` (output unit), `b` (fraction) and `a_over_b` (output unit).
    pub name: String,
    /// The maximum-likelihood estimate (`σ̂² = Σ e²/w / n`).
    pub estimate: f64,
    /// Standard error, only for `a_over_b` (searched with the structural parameters); `σ` is
    /// profiled out and gets none.
    pub standard_error: Option<f64>,
    /// 95% interval, as for [`Estimate::interval`].
    pub interval: Option<Interval>,
}

/// The fit at one observation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObservationFit {
    /// The subject's ID.
    pub subject: String,
    /// Line in the event table, if the data came from one.
    pub line: Option<u64>,
    /// Time, days.
    pub time: f64,
    /// The observed value.
    pub observed: f64,
    /// The prediction.
    pub predicted: f64,
    /// `observed − predicted`.
    pub residual: f64,
    /// The residual on the error model's scale over its SD, `e/(σ̂·√w)`: standard normal if
    /// the model and error model are right.
    pub weighted_residual: f64,
}

/// How the Jacobian was computed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
#[non_exhaustive]
pub enum JacobianMethod {
    /// Central differences on the transformed scale, `h_j = relative_step·max(|φ_j|, scales_j)`
    /// (one-sided where one side could not be evaluated).
    CentralDifferences {
        /// The relative step `s`.
        relative_step: f64,
        /// The typical magnitude of each searched parameter (1 on log and logit scales).
        scales: Vec<f64>,
    },
}

/// What one start gave.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum StartOutcome {
    /// The starting point could not be evaluated.
    Failed {
        /// Why, as text (what a report file keeps).
        reason: String,
        /// Why, typed: `Some` in a report from [`FitProblem::fit`], `None` in one read back
        /// from a file (errors are not data; `reason` is their message).
        #[serde(skip)]
        error: Option<Box<Error>>,
    },
    /// The search ran.
    Finished {
        /// The end point, natural scale (free parameters, then `a/b` for a combined model).
        estimates: Vec<f64>,
        /// `−2LL` there.
        minus_two_log_likelihood: f64,
        /// Why the search stopped.
        termination: Termination,
        /// Step attempts.
        iterations: usize,
        /// Residual evaluations.
        evaluations: usize,
        /// Failed evaluations.
        failed_evaluations: usize,
    },
}

/// One start of the multi-start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StartRecord {
    /// Index of the start (0: the initial values).
    pub start: usize,
    /// Its starting point, natural scale.
    pub initial: Vec<f64>,
    /// What it gave.
    pub outcome: StartOutcome,
}

/// A distinct local optimum: starts that ended at the same point (−2LL within 1e-6
/// relative, every transformed parameter within 1e-3·max(|φ|, 1)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalOptimum {
    /// `−2LL` at the optimum.
    pub minus_two_log_likelihood: f64,
    /// The point, natural scale (free parameters, then `a/b` for a combined model), from the
    /// best of its starts.
    pub estimates: Vec<f64>,
    /// The starts that ended there.
    pub starts: Vec<usize>,
    /// Whether any of them met a convergence test.
    pub converged: bool,
}

/// Something the reader of a report should know.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "warning", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FitWarning {
    /// The best search stopped without meeting a convergence test.
    NotConverged {
        /// Why it stopped.
        termination: Termination,
    },
    /// A parameter ended at (or drifted to) a bound of its transform: the optimum may lie
    /// outside the bounds, and its interval means little.
    AtBound {
        /// The parameter's name.
        parameter: String,
        /// Its estimate.
        estimate: f64,
        /// The bound.
        bound: f64,
    },
    /// The information matrix is singular: some parameters are not identifiable from these
    /// data (standard errors, intervals and correlations are not reported).
    SingularInformation {
        /// Its numerical rank.
        rank: usize,
        /// Its size (searched parameters).
        parameters: usize,
    },
    /// The information matrix is ill-conditioned (see [`ILL_CONDITIONED`]).
    IllConditioned {
        /// Its condition number, with unit diagonal.
        condition_number: f64,
    },
    /// Two estimates are strongly correlated (see [`HIGH_CORRELATION`]).
    HighCorrelation {
        /// One parameter.
        first: String,
        /// The other.
        second: String,
        /// Their correlation.
        correlation: f64,
    },
    /// Evaluations failed during the best search (steps rejected).
    FailedEvaluations {
        /// How many.
        count: usize,
        /// The first failure's message.
        first: String,
    },
    /// Starts could not be evaluated at their starting point.
    StartsFailed {
        /// How many.
        count: usize,
        /// The first failure's message.
        first: String,
    },
}

/// The result of a fit (see the [module docs](self) for how each number is computed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// The subjects fitted.
    pub subjects: Vec<String>,
    /// The observed output.
    pub output: String,
    /// The error model.
    pub error_model: ErrorModel,
    /// Number of observations `n`.
    pub n_observations: usize,
    /// Number of estimated parameters `k` (free and error model).
    pub n_estimated: usize,
    /// `n − p`, `p` the parameters searched (free, and `a/b` for combined error).
    pub degrees_of_freedom: usize,
    /// The free parameters' estimates.
    pub estimates: Vec<Estimate>,
    /// The error model's estimates.
    pub error_parameters: Vec<ErrorEstimate>,
    /// `s = √(S/(n − p))` in the error model's terms: the degrees-of-freedom-corrected σ (R's
    /// "residual standard error" for additive error).
    pub residual_scale: f64,
    /// Names of the rows and columns of `correlation`: the free parameters, then `a_over_b`.
    pub correlation_names: Vec<String>,
    /// Correlation matrix of the estimates; `None` when the information is singular.
    pub correlation: Option<Vec<Vec<f64>>>,
    /// Condition number of the information matrix with unit diagonal (`None`: singular).
    pub condition_number: Option<f64>,
    /// `−2·ln L` at the estimates.
    pub minus_two_log_likelihood: f64,
    /// `−2LL + 2k`.
    pub aic: f64,
    /// The small-sample AIC (Hurvich & Tsai 1989; Burnham & Anderson 2002, eq. 2.2):
    /// `AIC + 2k(k + 1)/(n − k − 1)`, for comparing models fitted to few observations
    /// (`None` when `n ≤ k + 1`, where it is undefined).
    pub aicc: Option<f64>,
    /// `−2LL + k·ln n`.
    pub bic: f64,
    /// Predictions and residuals at each observation, subjects in order.
    pub observations: Vec<ObservationFit>,
    /// Why the best search stopped.
    pub termination: Termination,
    /// Step attempts of the best search.
    pub iterations: usize,
    /// Rejected steps of the best search.
    pub rejected_steps: usize,
    /// Residual evaluations of the best search (each one a simulation of every subject).
    pub evaluations: usize,
    /// Failed evaluations of the best search.
    pub failed_evaluations: usize,
    /// The first failure's message in the best search.
    pub first_failure: Option<String>,
    /// Residual evaluations of all starts together.
    pub total_evaluations: usize,
    /// How the Jacobian was computed.
    pub jacobian: JacobianMethod,
    /// The t quantile of the 95% intervals.
    pub interval_quantile: f64,
    /// Index of the best start.
    pub best_start: usize,
    /// Every start.
    pub starts: Vec<StartRecord>,
    /// The distinct local optima, best first.
    pub optima: Vec<LocalOptimum>,
    /// Warnings.
    pub warnings: Vec<FitWarning>,
}

impl FitReport {
    /// The estimate of the free parameter `name`.
    pub fn estimate(&self, name: &str) -> Option<&Estimate> {
        self.estimates.iter().find(|e| e.name == name)
    }

    /// The error-model estimate `name` (`sigma`, `a`, `b`, `a_over_b`).
    pub fn error_parameter(&self, name: &str) -> Option<&ErrorEstimate> {
        self.error_parameters.iter().find(|e| e.name == name)
    }
}

/// Builds the report of [`FitProblem::fit`] from the starts (natural values, search point)
/// and their searches, one named step at a time.
pub(crate) fn build(
    problem: &FitProblem,
    starts: &[(Vec<f64>, Vec<f64>)],
    runs: Vec<Result<LmOutcome, Error>>,
    options: &LmOptions,
    scales: Vec<f64>,
) -> Result<FitReport, FitError> {
    let observed = problem.observed();
    let error = problem.error_model();
    let m2ll = |s: f64| minus_two_log_likelihood(error, observed, s);
    let natural = |phi: &[f64]| natural_point(problem, phi);
    let summary = StartSummary::from_runs(starts, runs, &m2ll, &natural)?;
    let optima = local_optima(&summary.finished, &natural);
    let best = &summary.finished[0];
    let out = &best.outcome;
    let evaluation = problem
        .evaluate(&out.x)
        .map_err(|e| FitError::NoStartEvaluated {
            starts: starts.len(),
            source: Box::new(e),
        })?;
    let mut report = fitted(problem, best, &evaluation, options, scales);
    report.warnings.extend(search_warnings(out, &summary));
    report.total_evaluations = summary.total_evaluations;
    report.starts = summary.records;
    report.optima = optima;
    Ok(report)
}

/// The report of the best search `best`, its residuals evaluated (`evaluation`): estimates,
/// uncertainty, criteria and the warnings about them. The multi-start fields (`starts`,
/// `optima`, `total_evaluations`) are left empty for [`build`] to fill.
fn fitted(
    problem: &FitProblem,
    best: &Finished,
    evaluation: &Evaluation,
    options: &LmOptions,
    scales: Vec<f64>,
) -> FitReport {
    let (n, error, out) = (
        problem.observed().len(),
        problem.error_model(),
        &best.outcome,
    );
    let df = n.saturating_sub(out.x.len()).max(1);
    let s2 = out.sum_of_squares / df as f64;
    let sigma_ml = (evaluation.weighted_sum_of_squares() / n as f64).sqrt();
    let names = searched_names(problem, out.x.len());
    let u = Uncertainty::at(&out.jacobian, s2, df, &names);
    let estimates = estimates(problem, &out.x, &u);
    let error_parameters =
        error_parameters(error, &out.x, problem.parameters().len(), sigma_ml, &u);
    let mut warnings = u.warnings.clone();
    warnings.extend(at_bound_warnings(problem, &estimates));
    let criteria = Criteria::new(best.m2ll, problem.n_estimated(), n);
    FitReport {
        subjects: problem.subject_ids().map(str::to_string).collect(),
        output: problem.output().to_string(),
        error_model: error,
        n_observations: n,
        n_estimated: problem.n_estimated(),
        degrees_of_freedom: df,
        estimates,
        error_parameters,
        residual_scale: s2.sqrt() * scale_of_scaled_residuals(&evaluation.weights),
        correlation_names: names,
        correlation: u.correlation,
        condition_number: u.condition_number,
        minus_two_log_likelihood: criteria.minus_two_log_likelihood,
        aic: criteria.aic,
        aicc: criteria.aicc,
        bic: criteria.bic,
        observations: observation_fits(problem, evaluation, sigma_ml),
        termination: out.termination,
        iterations: out.iterations,
        rejected_steps: out.rejected_steps,
        evaluations: out.evaluations,
        failed_evaluations: out.failed_evaluations,
        first_failure: out.first_failure.clone(),
        total_evaluations: 0,
        jacobian: JacobianMethod::CentralDifferences {
            relative_step: options.relative_step,
            scales,
        },
        interval_quantile: u.quantile,
        best_start: best.start,
        starts: Vec::new(),
        optima: Vec::new(),
        warnings,
    }
}

/// A search point on the natural scale: the free parameters, then `a/b` for a combined
/// error model (searched as `ln(a/b)`).
fn natural_point(problem: &FitProblem, phi: &[f64]) -> Vec<f64> {
    let mut v = problem.natural(phi);
    v.extend(phi.iter().skip(problem.parameters().len()).map(|x| x.exp()));
    v
}

/// The names of the `p` searched parameters: the free parameters, then `a_over_b`.
fn searched_names(problem: &FitProblem, p: usize) -> Vec<String> {
    problem
        .parameters()
        .iter()
        .map(|q| q.name.clone())
        .chain((p > problem.parameters().len()).then(|| "a_over_b".to_string()))
        .collect()
}
