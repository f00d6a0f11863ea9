//! How a [`FitReport`] and [`IndividualFits`] print (`println!("{report}")`), in the manner
//! of argmin's `OptimizationResult`: what was fitted, the estimates with their standard
//! error, 95% interval and relative standard error, the objective and the information
//! criteria, how the search ended, and the warnings.

use super::{FitReport, FitWarning, IndividualFits};
use std::fmt;

/// A number in a short, readable form: five decimals between 1e-3 and 1e5 (and for 0),
/// scientific with four otherwise.
fn number(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e5).contains(&a) {
        format!("{v:.4e}")
    } else {
        format!("{v:.5}")
    }
}

/// [`number`], or `-` for none.
fn optional(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), number)
}

/// A fraction as a percentage with one decimal, or `-` for none.
fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |r| format!("{:.1}", 100.0 * r))
}

/// `[lower, upper]`, or `-` for none.
fn interval(i: Option<crate::stats::Interval>) -> String {
    i.map_or_else(
        || "-".to_string(),
        |i| format!("[{}, {}]", number(i.lower), number(i.upper)),
    )
}

impl fmt::Display for FitWarning {
    /// One sentence with the warning's numbers, e.g. `k ended at its bound 1 (estimate
    /// 0.99999)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitWarning::NotConverged { termination } => {
                write!(f, "the best search did not converge: {termination}")
            }
            FitWarning::AtBound {
                parameter,
                estimate,
                bound,
            } => write!(
                f,
                "{parameter} ended at its bound {} (estimate {})",
                number(*bound),
                number(*estimate)
            ),
            FitWarning::SingularInformation { rank, parameters } => write!(
                f,
                "the information matrix is singular (rank {rank} of {parameters}): \
                 not every parameter is identifiable from these data"
            ),
            FitWarning::IllConditioned { condition_number } => write!(
                f,
                "the information matrix is ill-conditioned (condition number {condition_number:.3e})"
            ),
            FitWarning::HighCorrelation {
                first,
                second,
                correlation,
            } => write!(
                f,
                "{first} and {second} are strongly correlated (r = {correlation:.4})"
            ),
            FitWarning::FailedEvaluations { count, first } => write!(
                f,
                "{count} evaluation(s) failed in the best search (first: {first})"
            ),
            FitWarning::StartsFailed { count, first } => write!(
                f,
                "{count} start(s) could not be evaluated (first: {first})"
            ),
        }
    }
}

/// Width of the parameter column: the longest name, at least `parameter`'s 9.
fn name_width(report: &FitReport) -> usize {
    report
        .estimates
        .iter()
        .map(|e| e.name.len())
        .chain(report.error_parameters.iter().map(|e| e.name.len()))
        .max()
        .unwrap_or(0)
        .max(9)
}

impl FitReport {
    /// The table of estimates: a header, one row per free parameter, one per error-model
    /// parameter.
    fn fmt_estimates(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = name_width(self);
        let row = |f: &mut fmt::Formatter<'_>, cells: [&str; 5]| {
            writeln!(
                f,
                "{:<w$} {:>12} {:>12} {:>27} {:>8}",
                cells[0], cells[1], cells[2], cells[3], cells[4]
            )
        };
        row(f, ["parameter", "estimate", "SE", "95% CI", "RSE%"])?;
        for e in &self.estimates {
            let cells = [
                number(e.estimate),
                optional(e.standard_error),
                interval(e.interval),
                percent(e.relative_standard_error),
            ];
            row(f, [&e.name, &cells[0], &cells[1], &cells[2], &cells[3]])?;
        }
        for e in &self.error_parameters {
            let cells = [
                number(e.estimate),
                optional(e.standard_error),
                interval(e.interval),
            ];
            row(f, [&e.name, &cells[0], &cells[1], &cells[2], "-"])?;
        }
        Ok(())
    }

    /// The criteria line and how the search ended (termination, condition number).
    fn fmt_criteria_and_search(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let aicc = self
            .aicc
            .map_or_else(|| "-".to_string(), |a| format!("{a:.4}"));
        writeln!(
            f,
            "-2LL {:.4}   AIC {:.4}   AICc {aicc}   BIC {:.4}   (n = {}, df = {})",
            self.minus_two_log_likelihood,
            self.aic,
            self.bic,
            self.n_observations,
            self.degrees_of_freedom
        )?;
        writeln!(
            f,
            "termination {:?} after {} iterations, {} evaluations (best of {} starts: start {}, {} distinct optima)",
            self.termination,
            self.iterations,
            self.evaluations,
            self.starts.len(),
            self.best_start,
            self.optima.len()
        )?;
        if let Some(c) = self.condition_number {
            writeln!(f, "condition number {c:.3e}")?;
        }
        Ok(())
    }

    /// `warnings    none`, or one `warning     …` line per warning (no trailing newline).
    fn fmt_warnings(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.warnings.is_empty() {
            return write!(f, "warnings    none");
        }
        let lines: Vec<String> = self
            .warnings
            .iter()
            .map(|w| format!("warning     {w}"))
            .collect();
        write!(f, "{}", lines.join("\n"))
    }
}

impl fmt::Display for FitReport {
    /// What was fitted; one row per estimate (free, then error model): estimate, SE, 95%
    /// interval and RSE (%); `−2LL`, AIC, AICc and BIC; the termination, the condition
    /// number and the warnings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} observations of {} from {} subject(s), {} error",
            self.n_observations,
            self.output,
            self.subjects.len(),
            self.error_model.as_str()
        )?;
        self.fmt_estimates(f)?;
        writeln!(f)?;
        self.fmt_criteria_and_search(f)?;
        self.fmt_warnings(f)
    }
}

impl fmt::Display for IndividualFits {
    /// One row per subject fitted (each estimate with its RSE in %, `−2LL`, observations,
    /// termination) with its warnings; the failures and the subjects not converged; the
    /// two-stage summary (n, mean, SD, CV in %); the sum of `−2LL` over the fits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self
            .fits
            .first()
            .map(|r| r.estimates.iter().map(|e| e.name.as_str()).collect())
            .unwrap_or_default();
        write!(f, "{:<10}", "subject")?;
        for n in &names {
            write!(f, " {:>12} {:>6}", n, "RSE%")?;
        }
        writeln!(f, " {:>12} {:>5} {:<20}", "-2LL", "n", "termination")?;
        for r in &self.fits {
            write!(f, "{:<10}", r.subjects.join(","))?;
            for e in &r.estimates {
                let rse = percent(e.relative_standard_error);
                write!(f, " {:>12} {:>6}", number(e.estimate), rse)?;
            }
            writeln!(
                f,
                " {:>12.3} {:>5} {:<20}",
                r.minus_two_log_likelihood,
                r.n_observations,
                format!("{:?}", r.termination)
            )?;
            for w in &r.warnings {
                writeln!(f, "{:<10} warning {w}", "")?;
            }
        }
        for failure in &self.failures {
            writeln!(
                f,
                "failed     subject {}: {}",
                failure.subject, failure.message
            )?;
        }
        if !self.not_converged.is_empty() {
            writeln!(f, "not converged: {}", self.not_converged.join(", "))?;
        }
        writeln!(f, "\ntwo-stage summary")?;
        writeln!(
            f,
            "{:<10} {:>4} {:>12} {:>12} {:>8}",
            "parameter", "n", "mean", "SD", "CV%"
        )?;
        for s in &self.summary {
            writeln!(
                f,
                "{:<10} {:>4} {:>12} {:>12} {:>8}",
                s.parameter,
                s.n,
                number(s.mean),
                optional(s.sd),
                percent(s.cv)
            )?;
        }
        let total: f64 = self.fits.iter().map(|r| r.minus_two_log_likelihood).sum();
        write!(f, "\nsum of -2LL over {} fits: {total:.4}", self.fits.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_prints_its_estimates_criteria_and_warnings() {
        use crate::fit::{ErrorModel, FitOptions, FitProblem, FreeParameter, SubjectData};
        use crate::prelude::*;
        let mut b = ModelBuilder::new();
        b.tumor(TumorSpec::new("tumor", 100.0, Exponential { rate: 0.1 }))
            .unwrap();
        let model = b.build().unwrap();
        let scatter = [1.02, 0.97, 1.03, 0.99, 1.0, 0.98];
        let observations: Vec<(f64, f64)> = (0..6)
            .map(|d| {
                (
                    f64::from(d),
                    100.0 * (0.25 * f64::from(d)).exp() * scatter[d as usize],
                )
            })
            .collect();
        let mouse = SubjectData::new("m1", Regimen::new("untreated"), observations);
        let rate = FreeParameter::positive("rate", "tumors[tumor].growth.rate", 0.1).unwrap();
        let problem = FitProblem::new(
            &model,
            "tumor",
            vec![mouse],
            vec![rate],
            ErrorModel::LogNormal,
        )
        .unwrap();
        let options = FitOptions {
            starts: 1,
            ..FitOptions::default()
        };
        let report = problem.fit(&options).unwrap();
        let text = report.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "6 observations of tumor from 1 subject(s), log-normal error"
        );
        assert!(lines[1].starts_with("parameter") && lines[1].ends_with("RSE%"));
        let e = &report.estimates[0];
        assert!(lines[2].starts_with("rate") && lines[2].contains(&number(e.estimate)));
        assert!(lines[2].contains(&interval(e.interval)));
        assert!(lines[3].starts_with("sigma"));
        assert!(text.contains(&format!("AIC {:.4}", report.aic)));
        assert!(text.contains(&format!("BIC {:.4}", report.bic)));
        assert!(text.ends_with("warnings    none"), "{text}");

        let fits = problem.fit_individual(&options).unwrap();
        let text = fits.to_string();
        assert!(text.starts_with("subject"), "{text}");
        assert!(text.contains("\ntwo-stage summary\n"));
        assert!(text.contains("sum of -2LL over 1 fits: "), "{text}");
    }

    #[test]
    fn warnings_read_as_sentences_with_their_numbers() {
        let at = FitWarning::AtBound {
            parameter: "loss".to_string(),
            estimate: 1.2e-6,
            bound: 1e-6,
        };
        assert_eq!(
            at.to_string(),
            "loss ended at its bound 1.0000e-6 (estimate 1.2000e-6)"
        );
        let singular = FitWarning::SingularInformation {
            rank: 2,
            parameters: 3,
        };
        assert!(singular.to_string().contains("rank 2 of 3"));
        let correlated = FitWarning::HighCorrelation {
            first: "rate".to_string(),
            second: "capacity".to_string(),
            correlation: -0.98765,
        };
        assert_eq!(
            correlated.to_string(),
            "rate and capacity are strongly correlated (r = -0.9877)"
        );
        let ill = FitWarning::IllConditioned {
            condition_number: 2.5e9,
        };
        assert!(ill.to_string().ends_with("(condition number 2.500e9)"));
        let starts = FitWarning::StartsFailed {
            count: 2,
            first: "boom".to_string(),
        };
        assert_eq!(
            starts.to_string(),
            "2 start(s) could not be evaluated (first: boom)"
        );
    }

    #[test]
    fn numbers_are_fixed_in_the_middle_and_scientific_outside() {
        assert_eq!(number(0.0), "0.00000");
        assert_eq!(number(1.5), "1.50000");
        assert_eq!(number(-12345.678), "-12345.67800");
        assert_eq!(number(1e-4), "1.0000e-4");
        assert_eq!(number(2.5e5), "2.5000e5");
        assert_eq!(number(f64::INFINITY), "inf");
        assert_eq!(optional(None), "-");
        assert_eq!(percent(Some(0.1234)), "12.3");
        assert_eq!(
            interval(Some(crate::stats::Interval {
                lower: 1.0,
                upper: 2.0
            })),
            "[1.00000, 2.00000]"
        );
    }
}
