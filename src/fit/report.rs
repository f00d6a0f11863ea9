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

use super::lm::{LmOptions, LmOutcome, Termination};
use super::objective::{minus_two_log_likelihood, ErrorModel, Evaluation};
use super::transform::Transform;
use super::FitProblem;
use crate::error::Error;
use crate::fit::FitError;
use crate::stats::{student_t_quantile, Interval};
use nalgebra::{DMatrix, SVD};
use serde::{Deserialize, Serialize};

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

/// A subject whose individual fit could not run.
#[derive(Debug, Serialize)]
pub struct SubjectFailure {
    /// The subject's ID.
    pub subject: String,
    /// The error's message.
    pub message: String,
    /// The error.
    #[serde(skip)]
    pub error: FitError,
}

/// Mean, SD and CV of one parameter's individual estimates across subjects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TwoStageSummary {
    /// The parameter's name.
    pub parameter: String,
    /// Number of subjects fitted.
    pub n: usize,
    /// Mean of the estimates.
    pub mean: f64,
    /// Sample SD (divisor `n − 1`); `None` for one subject.
    pub sd: Option<f64>,
    /// `SD/|mean|`, a fraction.
    pub cv: Option<f64>,
}

/// Individual fits of every subject, and the two-stage summary of their estimates.
#[derive(Debug, Serialize)]
pub struct IndividualFits {
    /// One report per subject fitted, in subject order.
    pub fits: Vec<FitReport>,
    /// Subjects that could not be fitted.
    pub failures: Vec<SubjectFailure>,
    /// Subjects fitted whose best search did not converge (included in the summary).
    pub not_converged: Vec<String>,
    /// Per parameter (free, then `a_over_b` for combined error): mean, SD and CV of the
    /// individual estimates (empty when no subject could be fitted).
    pub summary: Vec<TwoStageSummary>,
}

/// A finished start: its outcome and `−2LL`.
struct Finished {
    start: usize,
    outcome: LmOutcome,
    m2ll: f64,
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
    let (n, error) = (observed.len(), problem.error_model());
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
    warnings.extend(search_warnings(out, &summary));
    let criteria = Criteria::new(best.m2ll, problem.n_estimated(), n);
    Ok(FitReport {
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
        observations: observation_fits(problem, &evaluation, sigma_ml),
        termination: out.termination,
        iterations: out.iterations,
        rejected_steps: out.rejected_steps,
        evaluations: out.evaluations,
        failed_evaluations: out.failed_evaluations,
        first_failure: out.first_failure.clone(),
        total_evaluations: summary.total_evaluations,
        jacobian: JacobianMethod::CentralDifferences {
            relative_step: options.relative_step,
            scales,
        },
        interval_quantile: u.quantile,
        best_start: best.start,
        starts: summary.records,
        optima,
        warnings,
    })
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

/// What every start gave: its record, the finished searches best first, the failures.
struct StartSummary {
    /// One record per start, in start order.
    records: Vec<StartRecord>,
    /// The finished searches, best first (ties by start index); never empty.
    finished: Vec<Finished>,
    /// How many starts could not be evaluated, and the first one's message.
    failed: Option<(usize, String)>,
    /// Residual evaluations of all starts (a failed start counts one).
    total_evaluations: usize,
}

impl StartSummary {
    /// Records each run with its `−2LL` (`m2ll` of its sum of squares) and end point on the
    /// natural scale (`natural`).
    ///
    /// # Errors
    /// [`FitError::NoStartEvaluated`] with the first failure when no search finished.
    fn from_runs(
        starts: &[(Vec<f64>, Vec<f64>)],
        runs: Vec<Result<LmOutcome, Error>>,
        m2ll: &dyn Fn(f64) -> f64,
        natural: &dyn Fn(&[f64]) -> Vec<f64>,
    ) -> Result<Self, FitError> {
        let mut records = Vec::with_capacity(runs.len());
        let mut finished: Vec<Finished> = Vec::new();
        let mut failures: Vec<Error> = Vec::new();
        let mut total_evaluations = 0;
        for (start, run) in runs.into_iter().enumerate() {
            let initial = starts.get(start).map_or_else(Vec::new, |(v, _)| v.clone());
            let outcome = match run {
                Ok(outcome) => {
                    total_evaluations += outcome.evaluations;
                    let m2ll = m2ll(outcome.sum_of_squares);
                    let record = StartOutcome::Finished {
                        estimates: natural(&outcome.x),
                        minus_two_log_likelihood: m2ll,
                        termination: outcome.termination,
                        iterations: outcome.iterations,
                        evaluations: outcome.evaluations,
                        failed_evaluations: outcome.failed_evaluations,
                    };
                    finished.push(Finished {
                        start,
                        outcome,
                        m2ll,
                    });
                    record
                }
                Err(e) => {
                    total_evaluations += 1;
                    let outcome = StartOutcome::Failed {
                        reason: e.to_string(),
                        error: Some(Box::new(e.clone())),
                    };
                    failures.push(e);
                    outcome
                }
            };
            records.push(StartRecord {
                start,
                initial,
                outcome,
            });
        }
        // Best first; ties by start index (the sort is stable).
        finished.sort_by(|a, b| a.m2ll.total_cmp(&b.m2ll));
        if finished.is_empty() {
            let source = failures
                .into_iter()
                .next()
                .unwrap_or_else(|| FitError::NoParameters.into());
            return Err(FitError::NoStartEvaluated {
                starts: starts.len(),
                source: Box::new(source),
            });
        }
        let failed = failures.first().map(|e| (failures.len(), e.to_string()));
        Ok(StartSummary {
            records,
            finished,
            failed,
            total_evaluations,
        })
    }
}

/// The uncertainty of the searched parameters at the optimum (see the [module docs](self)).
#[derive(Debug)]
struct Uncertainty {
    /// Standard errors on the searched scale; `None` when the information is singular.
    standard_errors: Option<Vec<f64>>,
    /// Their correlation matrix.
    correlation: Option<Vec<Vec<f64>>>,
    /// The condition number of the information matrix with unit diagonal.
    condition_number: Option<f64>,
    /// The t quantile of the 95% intervals.
    quantile: f64,
    /// Ill-conditioned, singular or highly correlated information.
    warnings: Vec<FitWarning>,
}

impl Uncertainty {
    /// Standard errors and correlations from `s²·(JᵀJ)⁻¹` for the searched parameters `names`
    /// (one per column of `jacobian`), with `df` degrees of freedom for the intervals.
    fn at(jacobian: &DMatrix<f64>, s2: f64, df: usize, names: &[String]) -> Self {
        let p = names.len();
        let quantile = student_t_quantile(0.975, df as f64);
        let mut warnings = Vec::new();
        let (matrix, condition) = match covariance(jacobian, s2) {
            Covariance::Regular { matrix, condition } => (matrix, condition),
            Covariance::Singular { rank } => {
                warnings.push(FitWarning::SingularInformation {
                    rank,
                    parameters: p,
                });
                return Uncertainty {
                    standard_errors: None,
                    correlation: None,
                    condition_number: None,
                    quantile,
                    warnings,
                };
            }
        };
        if condition > ILL_CONDITIONED {
            warnings.push(FitWarning::IllConditioned {
                condition_number: condition,
            });
        }
        let se: Vec<f64> = (0..p).map(|j| matrix[(j, j)].sqrt()).collect();
        let corr: Vec<Vec<f64>> = (0..p)
            .map(|i| (0..p).map(|j| matrix[(i, j)] / (se[i] * se[j])).collect())
            .collect();
        for i in 0..p {
            for j in i + 1..p {
                if corr[i][j].abs() > HIGH_CORRELATION {
                    warnings.push(FitWarning::HighCorrelation {
                        first: names[i].clone(),
                        second: names[j].clone(),
                        correlation: corr[i][j],
                    });
                }
            }
        }
        Uncertainty {
            standard_errors: Some(se),
            correlation: Some(corr),
            condition_number: Some(condition),
            quantile,
            warnings,
        }
    }

    /// The standard error of searched parameter `j`.
    fn se(&self, j: usize) -> Option<f64> {
        self.standard_errors.as_ref().map(|se| se[j])
    }

    /// `φ̂ ± t·SE(φ)` of searched parameter `j` at `phi`, mapped back through `transform`.
    fn interval(&self, transform: Transform, phi: f64, j: usize) -> Option<Interval> {
        self.se(j).map(|se| Interval {
            lower: transform.to_natural(phi - self.quantile * se),
            upper: transform.to_natural(phi + self.quantile * se),
        })
    }
}

/// The free parameters' estimates at the search point `x`, with SEs by the delta method.
fn estimates(problem: &FitProblem, x: &[f64], u: &Uncertainty) -> Vec<Estimate> {
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
fn at_bound_warnings(problem: &FitProblem, estimates: &[Estimate]) -> Vec<FitWarning> {
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
fn error_parameters(
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
fn observation_fits(
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

/// How the search went: not converged, failed evaluations in the best search, failed starts.
fn search_warnings(out: &LmOutcome, summary: &StartSummary) -> Vec<FitWarning> {
    let mut warnings = Vec::new();
    if !out.termination.is_converged() {
        warnings.push(FitWarning::NotConverged {
            termination: out.termination,
        });
    }
    if let Some(first) = &out.first_failure {
        warnings.push(FitWarning::FailedEvaluations {
            count: out.failed_evaluations,
            first: first.clone(),
        });
    }
    if let Some((count, first)) = &summary.failed {
        warnings.push(FitWarning::StartsFailed {
            count: *count,
            first: first.clone(),
        });
    }
    warnings
}

/// `−2LL` and the information criteria of `k` estimated parameters and `n` observations.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Criteria {
    minus_two_log_likelihood: f64,
    aic: f64,
    aicc: Option<f64>,
    bic: f64,
}

impl Criteria {
    /// `AIC = −2LL + 2k`, `AICc = AIC + 2k(k + 1)/(n − k − 1)` for `n > k + 1`,
    /// `BIC = −2LL + k·ln n`.
    fn new(m2ll: f64, k: usize, n: usize) -> Self {
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
fn scale_of_scaled_residuals(weights: &[f64]) -> f64 {
    let n = weights.len().max(1) as f64;
    (-0.5 * weights.iter().map(|w| w.ln()).sum::<f64>() / n).exp()
}

/// The bound a parameter sits at, if any (see [`AT_BOUND`]).
fn at_bound(transform: Transform, estimate: f64, initial: f64) -> Option<f64> {
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

/// Groups finished starts (sorted best first) into distinct optima.
fn local_optima(finished: &[Finished], natural: &dyn Fn(&[f64]) -> Vec<f64>) -> Vec<LocalOptimum> {
    let mut groups: Vec<(usize, LocalOptimum)> = Vec::new();
    for (i, f) in finished.iter().enumerate() {
        let same = groups.iter_mut().find(|(rep, _)| {
            let r = &finished[*rep];
            (r.m2ll - f.m2ll).abs() <= 1e-6 * r.m2ll.abs().max(1.0)
                && r.outcome
                    .x
                    .iter()
                    .zip(&f.outcome.x)
                    .all(|(a, b)| (a - b).abs() <= 1e-3 * a.abs().max(1.0))
        });
        let converged = f.outcome.termination.is_converged();
        match same {
            Some((_, group)) => {
                group.starts.push(f.start);
                group.converged |= converged;
            }
            None => groups.push((
                i,
                LocalOptimum {
                    minus_two_log_likelihood: f.m2ll,
                    estimates: natural(&f.outcome.x),
                    starts: vec![f.start],
                    converged,
                },
            )),
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

/// The covariance of the searched parameters, or the rank of a singular information matrix.
enum Covariance {
    Regular {
        matrix: DMatrix<f64>,
        condition: f64,
    },
    Singular {
        rank: usize,
    },
}

/// `s²·(JᵀJ)⁻¹` through the SVD of `J` with unit-norm columns (see the [module docs](self)).
fn covariance(jacobian: &DMatrix<f64>, s2: f64) -> Covariance {
    let p = jacobian.ncols();
    let norms: Vec<f64> = jacobian.column_iter().map(|c| c.norm()).collect();
    let zero_columns = norms
        .iter()
        .filter(|&&d| !(d > 0.0 && d.is_finite()))
        .count();
    if zero_columns > 0 || p == 0 {
        return Covariance::Singular {
            rank: p - zero_columns,
        };
    }
    let mut scaled = jacobian.clone();
    for (j, d) in norms.iter().enumerate() {
        scaled.column_mut(j).unscale_mut(*d);
    }
    let svd = SVD::new(scaled, false, true);
    let values = &svd.singular_values;
    let largest = values.max();
    let rank = values
        .iter()
        .filter(|&&s| s > largest * SINGULAR_RATIO)
        .count();
    let Some(v_t) = svd.v_t.as_ref().filter(|_| rank == p) else {
        return Covariance::Singular { rank };
    };
    let smallest = values.min();
    // (JᵀJ)⁻¹ = D⁻¹·V·S⁻²·Vᵀ·D⁻¹ for J = U·S·Vᵀ·D.
    let mut inverse = DMatrix::zeros(p, p);
    for i in 0..p {
        for j in 0..p {
            let sum: f64 = (0..p)
                .map(|k| v_t[(k, i)] * v_t[(k, j)] / (values[k] * values[k]))
                .sum();
            inverse[(i, j)] = s2 * sum / (norms[i] * norms[j]);
        }
    }
    Covariance::Regular {
        matrix: inverse,
        condition: (largest / smallest).powi(2),
    }
}

/// Builds [`IndividualFits`] from each subject's outcome.
pub(crate) fn individual(
    problem: &FitProblem,
    outcomes: Vec<(String, Result<FitReport, FitError>)>,
) -> IndividualFits {
    let mut fits = Vec::new();
    let mut failures = Vec::new();
    for (subject, result) in outcomes {
        match result {
            Ok(report) => fits.push(report),
            Err(error) => failures.push(SubjectFailure {
                subject,
                message: error.to_string(),
                error,
            }),
        }
    }
    let not_converged = fits
        .iter()
        .filter(|f| !f.termination.is_converged())
        .flat_map(|f| f.subjects.clone())
        .collect();
    if fits.is_empty() {
        return IndividualFits {
            fits,
            failures,
            not_converged,
            summary: Vec::new(),
        };
    }
    let mut summary: Vec<TwoStageSummary> = problem
        .parameters()
        .iter()
        .enumerate()
        .map(|(j, q)| summarize(&q.name, fits.iter().map(|f| f.estimates[j].estimate)))
        .collect();
    if let ErrorModel::Combined { .. } = problem.error_model() {
        summary.push(summarize(
            "a_over_b",
            fits.iter()
                .filter_map(|f| f.error_parameter("a_over_b").map(|e| e.estimate)),
        ));
    }
    IndividualFits {
        fits,
        failures,
        not_converged,
        summary,
    }
}

/// Mean, SD (divisor n − 1) and CV of `values` (at least one).
fn summarize(name: &str, values: impl Iterator<Item = f64>) -> TwoStageSummary {
    let values: Vec<f64> = values.collect();
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n.max(1) as f64;
    let sd = (n > 1).then(|| {
        let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        (ss / (n - 1) as f64).sqrt()
    });
    TwoStageSummary {
        parameter: name.to_string(),
        n,
        mean,
        sd,
        cv: sd.map(|sd| sd / mean.abs()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

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
        assert!(
            matches!(&w[1], FitWarning::FailedEvaluations { count: 2, first } if first == "boom")
        );
        assert!(
            matches!(&w[2], FitWarning::StartsFailed { count: 3, first } if first == "bad start")
        );
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
}
