//! The starts of a fit: each one's record, the finished searches best first, the distinct
//! local optima, and the warnings about how the search went.

use super::{FitWarning, LocalOptimum, StartOutcome, StartRecord};
use crate::error::Error;
use crate::fit::lm::LmOutcome;
use crate::fit::FitError;

/// A finished start: its outcome and `−2LL`.
pub(super) struct Finished {
    pub(super) start: usize,
    pub(super) outcome: LmOutcome,
    pub(super) m2ll: f64,
}

/// What every start gave: its record, the finished searches best first, the failures.
pub(super) struct StartSummary {
    /// One record per start, in start order.
    pub(super) records: Vec<StartRecord>,
    /// The finished searches, best first (ties by start index); never empty.
    pub(super) finished: Vec<Finished>,
    /// How many starts could not be evaluated, and the first one's message.
    pub(super) failed: Option<(usize, String)>,
    /// Residual evaluations of all starts (a failed start counts one).
    pub(super) total_evaluations: usize,
}

impl StartSummary {
    /// Records each run with its `−2LL` (`m2ll` of its sum of squares) and end point on the
    /// natural scale (`natural`).
    ///
    /// # Errors
    /// [`FitError::NoStartEvaluated`] with the first failure when no search finished.
    pub(super) fn from_runs(
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
                    let (record, done) = finished_start(start, outcome, m2ll, natural);
                    finished.push(done);
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

/// The record of a start whose search finished, and the search with its `−2LL`.
fn finished_start(
    start: usize,
    outcome: LmOutcome,
    m2ll: &dyn Fn(f64) -> f64,
    natural: &dyn Fn(&[f64]) -> Vec<f64>,
) -> (StartOutcome, Finished) {
    let m2ll = m2ll(outcome.sum_of_squares);
    let record = StartOutcome::Finished {
        estimates: natural(&outcome.x),
        minus_two_log_likelihood: m2ll,
        termination: outcome.termination,
        iterations: outcome.iterations,
        evaluations: outcome.evaluations,
        failed_evaluations: outcome.failed_evaluations,
    };
    let finished = Finished {
        start,
        outcome,
        m2ll,
    };
    (record, finished)
}

/// Groups finished starts (sorted best first) into distinct optima.
pub(super) fn local_optima(
    finished: &[Finished],
    natural: &dyn Fn(&[f64]) -> Vec<f64>,
) -> Vec<LocalOptimum> {
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

/// How the search went: not converged, failed evaluations in the best search, failed starts.
pub(super) fn search_warnings(out: &LmOutcome, summary: &StartSummary) -> Vec<FitWarning> {
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
