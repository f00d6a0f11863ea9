//! Per-arm summaries, paired comparisons with the reference arm, and the ranking.

use super::{arm_failed, Outcome, PatientEndpoints, RankBy, Study, StudyOutcomes, StudyResult};
use crate::compare::endpoints::{Response, TimeToEvent};
use crate::stats::{
    paired_difference, summarize, wilson, Interval, KaplanMeier, Median, PairedDifference,
    Proportion, Summary,
};
use crate::Error;
use serde::Serialize;

/// A paired comparison of two arms (by index) on one per-patient endpoint.
type Paired<'a> = dyn Fn(
        usize,
        usize,
        fn(&PatientEndpoints) -> f64,
    ) -> Result<PairedDifference, crate::stats::StatsError>
    + 'a;

/// Per-arm summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArmSummary {
    /// Arm name.
    pub name: String,
    /// Patients simulated successfully.
    pub patients: usize,
    /// Patients whose simulation failed.
    pub failed: usize,
    /// Objective response rate (CR + PR) with its Wilson interval.
    pub objective_response: Proportion,
    /// Disease control rate (CR + PR + SD) with its Wilson interval.
    pub disease_control: Proportion,
    /// Kaplan–Meier median time to progression with its log-log interval.
    pub median_ttp: Median,
    /// Best percentage change from baseline.
    pub best_percent_change: Summary,
    /// Final tumor burden.
    pub final_burden: Summary,
    /// Share of patients with a toxicity grade ≥ 3, if a toxicity endpoint is set.
    pub grade3_toxicity: Option<Proportion>,
}

/// A paired comparison of one arm with the reference arm (the first), over the patients who
/// completed both.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// The arm.
    pub arm: usize,
    /// `objective_response` (difference of proportions), `best_percent_change` or
    /// `final_burden`.
    pub endpoint: &'static str,
    /// `mean(arm − reference)` with its bootstrap 95% interval.
    pub difference: PairedDifference,
}

/// One place in the ranking.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rank {
    /// Arm index.
    pub arm: usize,
    /// The ranked value (`None`: not estimable, e.g. median TTP not reached counts last-known).
    pub value: Option<f64>,
    /// Its 95% interval, where one exists.
    pub interval: Option<Interval>,
    /// Whether this arm cannot be told apart from the one ranked just above it (intervals
    /// overlap, or the paired bootstrap interval of the difference contains 0).
    pub tied_with_previous: bool,
}

/// Arms ranked by one endpoint, best first, with ties reported.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ranking {
    /// The endpoint.
    pub by: RankBy,
    /// Best first.
    pub order: Vec<Rank>,
}

impl Study {
    /// Per-arm summaries, comparisons with the reference arm and the ranking.
    pub(super) fn result_from_outcomes(
        &self,
        outcomes: Vec<Outcome>,
    ) -> Result<StudyResult, Error> {
        let n_arms = self.arms.len();
        let done = |arm: usize| {
            outcomes.iter().filter_map(move |o| match o {
                Outcome::Done(e) if e.arm == arm => Some(e),
                _ => None,
            })
        };
        if let Some(arm) = (0..n_arms).find(|&arm| done(arm).next().is_none()) {
            let outcomes = StudyOutcomes {
                arms: self.arms.iter().map(|a| a.name.clone()).collect(),
                parameter_names: self.patients.names().to_vec(),
                population: self.patients.clone(),
                times: self.times.clone(),
                outcomes,
            };
            return Err(arm_failed(&self.arms[arm].name, arm, outcomes).into());
        }
        let mut summaries = Vec::with_capacity(n_arms);
        for (arm, regimen) in self.arms.iter().enumerate() {
            let ok: Vec<&PatientEndpoints> = done(arm).collect();
            let count = |f: fn(&Response) -> bool| ok.iter().filter(|e| f(&e.response)).count();
            let ttp: Vec<TimeToEvent> = ok.iter().map(|e| e.time_to_progression).collect();
            let values =
                |f: fn(&PatientEndpoints) -> f64| ok.iter().map(|e| f(e)).collect::<Vec<_>>();
            let grade3 = match self.endpoints.toxicity {
                None => None,
                Some(_) => {
                    let n = ok
                        .iter()
                        .filter(|e| e.toxicity.is_some_and(|(_, g)| g >= 3))
                        .count();
                    Some(wilson(n, ok.len())?)
                }
            };
            summaries.push(ArmSummary {
                name: regimen.name.clone(),
                patients: ok.len(),
                failed: self.patients.len() - ok.len(),
                objective_response: wilson(count(|r| r.is_objective()), ok.len())?,
                disease_control: wilson(count(|r| r.is_disease_control()), ok.len())?,
                median_ttp: KaplanMeier::new(&ttp)?.median(),
                best_percent_change: summarize(&values(|e| e.best_percent_change))?,
                final_burden: summarize(&values(|e| e.final_burden))?,
                grade3_toxicity: grade3,
            });
        }
        let paired = |arm: usize, other: usize, f: fn(&PatientEndpoints) -> f64| {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for p in 0..self.patients.len() {
                if let (Outcome::Done(x), Outcome::Done(y)) =
                    (&outcomes[p * n_arms + arm], &outcomes[p * n_arms + other])
                {
                    a.push(f(x));
                    b.push(f(y));
                }
            }
            paired_difference(&a, &b, &self.endpoints.bootstrap)
        };
        let responder = |e: &PatientEndpoints| f64::from(u8::from(e.response.is_objective()));
        let mut comparisons = Vec::new();
        for arm in 1..n_arms {
            for (endpoint, f) in [
                (
                    "objective_response",
                    responder as fn(&PatientEndpoints) -> f64,
                ),
                ("best_percent_change", |e: &PatientEndpoints| {
                    e.best_percent_change
                }),
                ("final_burden", |e: &PatientEndpoints| e.final_burden),
            ] {
                comparisons.push(Comparison {
                    arm,
                    endpoint,
                    difference: paired(arm, 0, f)?,
                });
            }
        }
        let ranking = self.rank(&summaries, &paired)?;
        Ok(StudyResult {
            arms: self.arms.iter().map(|a| a.name.clone()).collect(),
            parameter_names: self.patients.names().to_vec(),
            population: self.patients.clone(),
            times: self.times.clone(),
            outcomes,
            summaries,
            comparisons,
            ranking,
        })
    }

    fn rank(&self, summaries: &[ArmSummary], paired: &Paired) -> Result<Ranking, Error> {
        let by = self.endpoints.rank_by;
        // (value, interval, higher is better)
        let score = |s: &ArmSummary| -> (Option<f64>, Option<Interval>) {
            match by {
                RankBy::ObjectiveResponse => (
                    Some(s.objective_response.estimate),
                    Some(s.objective_response.interval),
                ),
                RankBy::DiseaseControl => (
                    Some(s.disease_control.estimate),
                    Some(s.disease_control.interval),
                ),
                RankBy::MedianTimeToProgression => {
                    let m = &s.median_ttp;
                    let interval = m.lower.map(|lower| Interval {
                        lower,
                        upper: m.upper.unwrap_or(f64::INFINITY),
                    });
                    // Not reached: longer than anything observed.
                    (Some(m.estimate.unwrap_or(f64::INFINITY)), interval)
                }
                RankBy::BestPercentChange => (Some(s.best_percent_change.mean), None),
                RankBy::FinalBurden => (Some(s.final_burden.mean), None),
            }
        };
        let higher_better = matches!(
            by,
            RankBy::ObjectiveResponse | RankBy::DiseaseControl | RankBy::MedianTimeToProgression
        );
        let mut order: Vec<(usize, Option<f64>, Option<Interval>)> = summaries
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (v, ci) = score(s);
                (i, v, ci)
            })
            .collect();
        order.sort_by(|a, b| {
            let (x, y) = (a.1.unwrap_or(f64::NAN), b.1.unwrap_or(f64::NAN));
            let c = x.total_cmp(&y);
            if higher_better {
                c.reverse()
            } else {
                c
            }
        });
        let mut ranks = Vec::with_capacity(order.len());
        for (k, &(arm, value, interval)) in order.iter().enumerate() {
            let tied = match k.checked_sub(1).map(|j| order[j]) {
                None => false,
                Some((above, above_value, above_ci)) => match (interval, above_ci) {
                    (Some(a), Some(b)) => a.lower <= b.upper && b.lower <= a.upper,
                    _ => {
                        let f: fn(&PatientEndpoints) -> f64 = match by {
                            RankBy::FinalBurden => |e| e.final_burden,
                            _ => |e| e.best_percent_change,
                        };
                        let d = paired(arm, above, f)?;
                        value == above_value || (d.interval.lower <= 0.0 && d.interval.upper >= 0.0)
                    }
                },
            };
            ranks.push(Rank {
                arm,
                value,
                interval,
                tied_with_previous: tied,
            });
        }
        Ok(Ranking { by, order: ranks })
    }
}
