//! Per-arm summaries, paired comparisons with the reference arm, and the ranking.

use super::{arm_failed, Outcome, PatientEndpoints, RankBy, Study, StudyOutcomes, StudyResult};
use crate::compare::endpoints::{Response, TimeToEvent};
use crate::stats::{
    paired_difference, summarize, wilson, Bootstrap, Interval, KaplanMeier, Median,
    PairedDifference, Proportion, StatsError, Summary,
};
use crate::Error;
use serde::Serialize;

/// A per-patient endpoint that arms are compared on.
type Endpoint = fn(&PatientEndpoints) -> f64;

/// 1 for an objective responder (CR or PR), 0 otherwise.
fn responder(e: &PatientEndpoints) -> f64 {
    f64::from(u8::from(e.response.is_objective()))
}

/// The best percentage change from baseline.
fn best_percent_change(e: &PatientEndpoints) -> f64 {
    e.best_percent_change
}

/// The final tumor burden.
fn final_burden(e: &PatientEndpoints) -> f64 {
    e.final_burden
}

/// The endpoints of the paired comparisons with the reference arm, in output order.
const COMPARED: [(&str, Endpoint); 3] = [
    ("objective_response", responder),
    ("best_percent_change", best_percent_change),
    ("final_burden", final_burden),
];

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
        if let Some(arm) = (0..n_arms).find(|&arm| done(&outcomes, arm).next().is_none()) {
            let outcomes = self.outcomes(outcomes);
            return Err(arm_failed(&self.arms[arm].name, arm, outcomes).into());
        }
        let toxicity = self.endpoints.toxicity.is_some();
        let summaries = self
            .arms
            .iter()
            .enumerate()
            .map(|(arm, regimen)| {
                let ok: Vec<&PatientEndpoints> = done(&outcomes, arm).collect();
                arm_summary(&regimen.name, self.patients.len(), &ok, toxicity)
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let pairing = Pairing {
            outcomes: &outcomes,
            arms: n_arms,
            patients: self.patients.len(),
            bootstrap: &self.endpoints.bootstrap,
        };
        let comparisons = comparisons(&pairing)?;
        let ranking = rank(self.endpoints.rank_by, &summaries, &pairing)?;
        let StudyOutcomes {
            arms,
            parameter_names,
            population,
            times,
            outcomes,
        } = self.outcomes(outcomes);
        Ok(StudyResult {
            arms,
            parameter_names,
            population,
            times,
            outcomes,
            summaries,
            comparisons,
            ranking,
        })
    }

    /// The study's outcomes with its arm names, parameter names, population and times.
    fn outcomes(&self, outcomes: Vec<Outcome>) -> StudyOutcomes {
        StudyOutcomes {
            arms: self.arms.iter().map(|a| a.name.clone()).collect(),
            parameter_names: self.patients.names().to_vec(),
            population: self.patients.clone(),
            times: self.times.clone(),
            outcomes,
        }
    }
}

/// The successful simulations of arm `arm`, in patient order.
fn done(outcomes: &[Outcome], arm: usize) -> impl Iterator<Item = &PatientEndpoints> {
    outcomes.iter().filter_map(move |o| match o {
        Outcome::Done(e) if e.arm == arm => Some(e),
        _ => None,
    })
}

/// The summary of arm `name` from its successful patients `ok`, out of `patients` in all;
/// `toxicity`: whether a toxicity endpoint is set (then the grade ≥ 3 share is given).
fn arm_summary(
    name: &str,
    patients: usize,
    ok: &[&PatientEndpoints],
    toxicity: bool,
) -> Result<ArmSummary, Error> {
    let count = |f: fn(&Response) -> bool| ok.iter().filter(|e| f(&e.response)).count();
    let ttp: Vec<TimeToEvent> = ok.iter().map(|e| e.time_to_progression).collect();
    let values = |f: Endpoint| ok.iter().map(|e| f(e)).collect::<Vec<_>>();
    let grade3 = if toxicity {
        let n = ok
            .iter()
            .filter(|e| e.toxicity.is_some_and(|(_, g)| g >= 3))
            .count();
        Some(wilson(n, ok.len())?)
    } else {
        None
    };
    Ok(ArmSummary {
        name: name.to_string(),
        patients: ok.len(),
        failed: patients - ok.len(),
        objective_response: wilson(count(|r| r.is_objective()), ok.len())?,
        disease_control: wilson(count(|r| r.is_disease_control()), ok.len())?,
        median_ttp: KaplanMeier::new(&ttp)?.median(),
        best_percent_change: summarize(&values(best_percent_change))?,
        final_burden: summarize(&values(final_burden))?,
        grade3_toxicity: grade3,
    })
}

/// Paired comparisons of arms over the patients who completed both.
struct Pairing<'a> {
    /// Patient-major outcomes: index `patient · arms + arm`.
    outcomes: &'a [Outcome],
    /// Arms per patient.
    arms: usize,
    /// Patients.
    patients: usize,
    /// Resamples and seed of the bootstrap intervals.
    bootstrap: &'a Bootstrap,
}

impl Pairing<'_> {
    /// `f` of arm `arm` and of arm `other`, for each patient who completed both.
    fn values(&self, arm: usize, other: usize, f: Endpoint) -> (Vec<f64>, Vec<f64>) {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for p in 0..self.patients {
            if let (Outcome::Done(x), Outcome::Done(y)) = (
                &self.outcomes[p * self.arms + arm],
                &self.outcomes[p * self.arms + other],
            ) {
                a.push(f(x));
                b.push(f(y));
            }
        }
        (a, b)
    }

    /// `mean(arm − other)` of `f` with its bootstrap interval.
    fn difference(
        &self,
        arm: usize,
        other: usize,
        f: Endpoint,
    ) -> Result<PairedDifference, StatsError> {
        let (a, b) = self.values(arm, other, f);
        paired_difference(&a, &b, self.bootstrap)
    }
}

/// Every arm but the reference compared with it on each of [`COMPARED`].
fn comparisons(pairing: &Pairing) -> Result<Vec<Comparison>, Error> {
    let mut comparisons = Vec::new();
    for arm in 1..pairing.arms {
        for (endpoint, f) in COMPARED {
            comparisons.push(Comparison {
                arm,
                endpoint,
                difference: pairing.difference(arm, 0, f)?,
            });
        }
    }
    Ok(comparisons)
}

/// The arms ranked by `by`, best first, each marked tied with the one above or not.
fn rank(by: RankBy, summaries: &[ArmSummary], pairing: &Pairing) -> Result<Ranking, Error> {
    let mut order = ordered(by, summaries);
    for k in 1..order.len() {
        order[k].tied_with_previous = tied(by, &order[k], &order[k - 1], pairing)?;
    }
    Ok(Ranking { by, order })
}

/// The value ranked by `by` and its 95% interval, where one exists. A median time to
/// progression not reached counts as infinite (longer than anything observed), and so does
/// the missing upper end of its interval.
fn score(by: RankBy, s: &ArmSummary) -> (Option<f64>, Option<Interval>) {
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
            (Some(m.estimate.unwrap_or(f64::INFINITY)), interval)
        }
        RankBy::BestPercentChange => (Some(s.best_percent_change.mean), None),
        RankBy::FinalBurden => (Some(s.final_burden.mean), None),
    }
}

/// Whether a higher value of `by` is better (rates and times) or a lower one (tumor sizes).
fn higher_is_better(by: RankBy) -> bool {
    matches!(
        by,
        RankBy::ObjectiveResponse | RankBy::DiseaseControl | RankBy::MedianTimeToProgression
    )
}

/// The arms sorted by [`score`], best first (a stable sort: equal values keep arm order),
/// none yet marked tied.
fn ordered(by: RankBy, summaries: &[ArmSummary]) -> Vec<Rank> {
    let mut order: Vec<Rank> = summaries
        .iter()
        .enumerate()
        .map(|(arm, s)| {
            let (value, interval) = score(by, s);
            Rank {
                arm,
                value,
                interval,
                tied_with_previous: false,
            }
        })
        .collect();
    order.sort_by(|a, b| {
        let (x, y) = (a.value.unwrap_or(f64::NAN), b.value.unwrap_or(f64::NAN));
        let c = x.total_cmp(&y);
        if higher_is_better(by) {
            c.reverse()
        } else {
            c
        }
    });
    order
}

/// Whether two intervals overlap (touching counts).
fn overlap(a: Interval, b: Interval) -> bool {
    a.lower <= b.upper && b.lower <= a.upper
}

/// The per-patient endpoint whose paired difference tells neighbours apart when `by` has no
/// interval: the final burden, or else the best percentage change.
fn paired_endpoint(by: RankBy) -> Endpoint {
    match by {
        RankBy::FinalBurden => final_burden,
        _ => best_percent_change,
    }
}

/// Whether `rank` cannot be told apart from `above`, the arm ranked just above it: their
/// intervals overlap, or (without intervals) their values are equal or the paired bootstrap
/// interval of the difference contains 0.
fn tied(by: RankBy, rank: &Rank, above: &Rank, pairing: &Pairing) -> Result<bool, StatsError> {
    match (rank.interval, above.interval) {
        (Some(a), Some(b)) => Ok(overlap(a, b)),
        _ => {
            let d = pairing.difference(rank.arm, above.arm, paired_endpoint(by))?;
            let contains_zero = d.interval.lower <= 0.0 && d.interval.upper >= 0.0;
            Ok(rank.value == above.value || contains_zero)
        }
    }
}

#[cfg(test)]
mod tests;
