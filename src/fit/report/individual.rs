//! [`IndividualFits`]: one report per subject fitted alone, and the two-stage summary of
//! their estimates.

use super::FitReport;
use crate::fit::objective::ErrorModel;
use crate::fit::{FitError, FitProblem};
use serde::{Deserialize, Serialize};

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
        .map(|(j, q)| two_stage_summary(&q.name, fits.iter().map(|f| f.estimates[j].estimate)))
        .collect();
    if let ErrorModel::Combined { .. } = problem.error_model() {
        summary.push(two_stage_summary(
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
pub(super) fn two_stage_summary(name: &str, values: impl Iterator<Item = f64>) -> TwoStageSummary {
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
