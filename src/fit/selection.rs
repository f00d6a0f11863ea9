//! Comparing fits: the model the small-sample AIC selects, a table of AIC by subject and
//! model (wins, medians), grouping subjects for per-group tables, and how often estimates
//! ended at a bound.

use super::{FitReport, FitWarning, IndividualFits};

impl FitReport {
    /// Whether the best search met a convergence test.
    pub fn is_converged(&self) -> bool {
        self.termination.is_converged()
    }

    /// The AICc if the search converged and the AICc is defined (`n > k + 1`).
    pub fn converged_aicc(&self) -> Option<f64> {
        self.aicc.filter(|_| self.is_converged())
    }
}

impl IndividualFits {
    /// The report of `subject` fitted alone (`None`: not fitted, or it failed).
    pub fn report(&self, subject: &str) -> Option<&FitReport> {
        self.fits
            .iter()
            .find(|r| r.subjects.first().map(String::as_str) == Some(subject))
    }

    /// The AIC of `subject`'s fit if it converged.
    pub fn converged_aic(&self, subject: &str) -> Option<f64> {
        self.report(subject)
            .filter(|r| r.is_converged())
            .map(|r| r.aic)
    }

    /// The free parameters that ended at a search bound ([`FitWarning::AtBound`]) and the
    /// number of subjects for which each did, in order of first appearance.
    pub fn at_bound_counts(&self) -> Vec<(String, usize)> {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for w in self.fits.iter().flat_map(|r| &r.warnings) {
            if let FitWarning::AtBound { parameter, .. } = w {
                match counts.iter_mut().find(|(p, _)| p == parameter) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((parameter.clone(), 1)),
                }
            }
        }
        counts
    }
}

/// The index of the candidate with the lowest [`converged_aicc`](FitReport::converged_aicc)
/// (ties: the first), `None` when none has one. A candidate is `None` when it was not
/// fitted or its fit failed.
pub fn select_by_aicc(candidates: &[Option<&FitReport>]) -> Option<usize> {
    candidates
        .iter()
        .enumerate()
        .filter_map(|(k, r)| r.and_then(FitReport::converged_aicc).map(|a| (k, a)))
        .fold(None, |best: Option<(usize, f64)>, (k, a)| match best {
            Some((_, b)) if b <= a => best,
            _ => Some((k, a)),
        })
        .map(|(k, _)| k)
}

/// The distinct keys of `items` in ascending order, each with its items in their order.
pub fn groups<T, K: Ord + Copy>(items: &[T], key: impl Fn(&T) -> K) -> Vec<(K, Vec<&T>)> {
    let mut keys: Vec<K> = items.iter().map(&key).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .map(|k| (k, items.iter().filter(|t| key(t) == k).collect()))
        .collect()
}

/// AIC by subject (rows) and model (columns) for the per-subject fits of several models to
/// the same subjects; a cell is `None` when that fit failed or did not converge.
#[derive(Clone, Debug, PartialEq)]
pub struct AicTable {
    /// The subjects, one per row.
    pub subjects: Vec<String>,
    /// `aic[i][m]`: subject `i` under model `m`.
    pub aic: Vec<Vec<Option<f64>>>,
}

impl AicTable {
    /// The table of `subjects` under each of `models` (in that order).
    pub fn new<'a>(subjects: impl IntoIterator<Item = &'a str>, models: &[IndividualFits]) -> Self {
        let subjects: Vec<String> = subjects.into_iter().map(str::to_string).collect();
        let aic = subjects
            .iter()
            .map(|s| models.iter().map(|m| m.converged_aic(s)).collect())
            .collect();
        AicTable { subjects, aic }
    }

    /// Number of models (columns).
    pub fn models(&self) -> usize {
        self.aic.first().map_or(0, Vec::len)
    }

    /// The model with the lowest AIC for subject row `i` (ties: the first; `None`: no fit
    /// converged).
    pub fn best(&self, i: usize) -> Option<usize> {
        self.aic[i]
            .iter()
            .enumerate()
            .filter_map(|(k, a)| a.map(|a| (k, a)))
            .min_by(|x, y| x.1.total_cmp(&y.1))
            .map(|(k, _)| k)
    }

    /// For each model, the number of subjects for which it has the lowest AIC.
    pub fn wins(&self) -> Vec<usize> {
        let mut wins = vec![0; self.models()];
        for i in 0..self.aic.len() {
            if let Some(k) = self.best(i) {
                wins[k] += 1;
            }
        }
        wins
    }

    /// The converged AICs of model `m`, in subject order.
    pub fn column(&self, m: usize) -> Vec<f64> {
        self.aic.iter().filter_map(|row| row[m]).collect()
    }

    /// The median AIC of model `m` over its converged fits (the type-7 quantile at ½ of
    /// [`stats::quantile`](crate::stats::quantile): the mean of the middle two for an even
    /// count; `None`: none converged).
    pub fn median(&self, m: usize) -> Option<f64> {
        crate::stats::quantile(&self.column(m), 0.5).ok()
    }

    /// The number of subjects whose fit of model `m` failed or did not converge.
    pub fn not_converged(&self, m: usize) -> usize {
        self.aic.len() - self.column(m).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::{ErrorModel, FitOptions, FitProblem, FreeParameter, SubjectData};
    use crate::prelude::*;

    /// Exponential growth `V(t) = 100·e^(0.25·t)` with a little scatter, one mouse.
    fn mice() -> Vec<SubjectData> {
        let scatter = [1.02, 0.97, 1.03, 0.99, 1.0, 0.98, 1.01];
        (0..2)
            .map(|m| {
                let obs = (0..7)
                    .map(|d| {
                        let t = f64::from(d);
                        let s = scatter[(d as usize + m) % 7];
                        (t, 100.0 * (0.25 * t).exp() * s)
                    })
                    .collect();
                SubjectData::new(format!("m{m}"), Regimen::new("untreated"), obs)
            })
            .collect()
    }

    /// Per-mouse fits of exponential growth with the rate free, the initial volume free too
    /// when `initial`.
    fn fits(initial: bool) -> IndividualFits {
        let mut b = ModelBuilder::new();
        b.tumor(TumorSpec::new("tumor", 100.0, Exponential { rate: 0.1 }))
            .unwrap();
        let model = b.build().unwrap();
        let mut free =
            vec![FreeParameter::positive("rate", "tumors[tumor].growth.rate", 0.1).unwrap()];
        if initial {
            free.push(FreeParameter::positive("v0", "tumors[tumor].initial", 100.0).unwrap());
        }
        let problem =
            FitProblem::new(&model, "tumor", mice(), free, ErrorModel::LogNormal).unwrap();
        let options = FitOptions {
            starts: 1,
            ..FitOptions::default()
        };
        problem.fit_individual(&options).unwrap()
    }

    #[test]
    fn the_aic_table_counts_wins_medians_and_failures() {
        let models = [fits(false), fits(true)];
        let table = AicTable::new(["m0", "m1", "absent"], &models);
        assert_eq!(table.models(), 2);
        for (i, s) in ["m0", "m1"].into_iter().enumerate() {
            for (m, fits) in models.iter().enumerate() {
                assert_eq!(table.aic[i][m], Some(fits.report(s).unwrap().aic));
            }
        }
        assert_eq!(table.aic[2], vec![None, None]);
        assert_eq!(table.best(2), None);
        // The extra free V(0) is true here (100), so it costs 2 AIC units for nothing.
        assert_eq!(table.wins(), vec![2, 0]);
        assert_eq!(table.not_converged(0), 1);
        let (a, b) = (table.aic[0][1].unwrap(), table.aic[1][1].unwrap());
        let median = table.median(1).unwrap();
        assert!((median - 0.5 * (a + b)).abs() <= 1e-12 * median.abs());
    }

    #[test]
    fn selection_takes_the_lowest_converged_aicc() {
        let (one, two) = (fits(false), fits(true));
        let (a, b) = (one.report("m0").unwrap(), two.report("m0").unwrap());
        assert!(a.converged_aicc().unwrap() < b.converged_aicc().unwrap());
        assert_eq!(select_by_aicc(&[Some(a), Some(b)]), Some(0));
        assert_eq!(select_by_aicc(&[Some(b), Some(a)]), Some(1));
        assert_eq!(select_by_aicc(&[None, Some(b)]), Some(1));
        assert_eq!(select_by_aicc(&[Some(a), Some(a)]), Some(0));
        assert_eq!(select_by_aicc(&[None, None]), None);
        let mut stopped = a.clone();
        stopped.termination = crate::fit::Termination::MaxIterations;
        assert_eq!(stopped.converged_aicc(), None);
        assert_eq!(select_by_aicc(&[Some(&stopped), Some(b)]), Some(1));
    }

    #[test]
    fn at_bound_counts_count_subjects_per_parameter_in_order() {
        let mut fits = fits(false);
        let at = |p: &str| FitWarning::AtBound {
            parameter: p.to_string(),
            estimate: 1e-6,
            bound: 1e-6,
        };
        assert!(fits.at_bound_counts().is_empty());
        fits.fits[0].warnings = vec![at("loss"), at("rate")];
        fits.fits[1].warnings = vec![at("loss")];
        assert_eq!(
            fits.at_bound_counts(),
            vec![("loss".to_string(), 2), ("rate".to_string(), 1)]
        );
    }

    #[test]
    fn groups_keep_their_items_in_order() {
        let items = [(2, 'a'), (1, 'b'), (2, 'c')];
        let g = groups(&items, |t| t.0);
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].0, g[0].1.clone()), (1, vec![&(1, 'b')]));
        assert_eq!(g[1].1, vec![&(2, 'a'), &(2, 'c')]);
    }
}
