use super::*;
use crate::compare::error::StudyError;
use crate::compare::study::Failure;

/// Patient `patient` in arm `arm` with the given response, best % change, final burden and
/// toxicity grade; time to progression censored at day 100 + `patient`.
fn endpoints(
    patient: usize,
    arm: usize,
    response: Response,
    best: f64,
    burden: f64,
    grade: Option<u8>,
) -> PatientEndpoints {
    PatientEndpoints {
        patient,
        arm,
        final_burden: burden,
        nadir: burden / 2.0,
        nadir_time: 10.0,
        best_percent_change: best,
        tumor_auc: 1.0,
        time_to_progression: TimeToEvent {
            time: 100.0 + patient as f64,
            censored: true,
        },
        response,
        exposure: Vec::new(),
        toxicity: grade.map(|g| (0.5, g)),
        burden: Vec::new(),
    }
}

fn failed(patient: usize, arm: usize) -> Outcome {
    Outcome::Failed(Failure {
        patient,
        arm,
        error: StudyError::NoTumor.into(),
        parameters: vec![1.0],
    })
}

const BOOTSTRAP: Bootstrap = Bootstrap {
    resamples: 200,
    seed: 3,
};

fn pairing(outcomes: &[Outcome], arms: usize) -> Pairing<'_> {
    Pairing {
        outcomes,
        arms,
        patients: outcomes.len() / arms,
        bootstrap: &BOOTSTRAP,
    }
}

/// A summary of three patients (CR, SD, PD; grades 3, 1, none) out of four.
fn summary(toxicity: bool) -> ArmSummary {
    let ok = [
        endpoints(0, 0, Response::Complete, -100.0, 0.0, Some(3)),
        endpoints(1, 0, Response::Stable, -10.0, 3.0, Some(1)),
        endpoints(3, 0, Response::Progressive, 20.0, 6.0, None),
    ];
    let ok: Vec<&PatientEndpoints> = ok.iter().collect();
    arm_summary("arm", 4, &ok, toxicity).unwrap()
}

#[test]
fn arm_summary_counts_responses_failures_and_grade_3() {
    let s = summary(true);
    assert_eq!((s.name.as_str(), s.patients, s.failed), ("arm", 3, 1));
    assert_eq!(s.objective_response.successes, 1);
    assert_eq!(s.disease_control.successes, 2);
    assert_eq!(s.objective_response.total, 3);
    let grade3 = s.grade3_toxicity.unwrap();
    assert_eq!((grade3.successes, grade3.total), (1, 3));
    assert!((s.best_percent_change.mean - (-30.0)).abs() < 1e-12);
    assert!((s.final_burden.mean - 3.0).abs() < 1e-12);
    assert_eq!(s.median_ttp.estimate, None, "every TTP is censored");
    assert_eq!(summary(false).grade3_toxicity, None);
}

#[test]
fn done_keeps_one_arms_successes_in_patient_order() {
    let outcomes = [
        Outcome::Done(endpoints(0, 0, Response::Stable, 0.0, 1.0, None)),
        Outcome::Done(endpoints(0, 1, Response::Stable, 0.0, 2.0, None)),
        failed(1, 0),
        Outcome::Done(endpoints(1, 1, Response::Stable, 0.0, 4.0, None)),
    ];
    let burden = |arm| {
        done(&outcomes, arm)
            .map(|e| e.final_burden)
            .collect::<Vec<_>>()
    };
    assert_eq!(burden(0), [1.0]);
    assert_eq!(burden(1), [2.0, 4.0]);
}

#[test]
fn pairing_skips_patients_failed_in_either_arm() {
    let outcomes = [
        Outcome::Done(endpoints(0, 0, Response::Partial, -40.0, 1.0, None)),
        Outcome::Done(endpoints(0, 1, Response::Stable, -10.0, 2.0, None)),
        Outcome::Done(endpoints(1, 0, Response::Stable, 0.0, 3.0, None)),
        failed(1, 1),
        Outcome::Done(endpoints(2, 0, Response::Stable, 5.0, 5.0, None)),
        Outcome::Done(endpoints(2, 1, Response::Complete, -100.0, 6.0, None)),
    ];
    let p = pairing(&outcomes, 2);
    assert_eq!(
        p.values(1, 0, final_burden),
        (vec![2.0, 6.0], vec![1.0, 5.0])
    );
    assert_eq!(p.values(0, 1, responder), (vec![1.0, 0.0], vec![0.0, 1.0]));
    let d = p.difference(1, 0, final_burden).unwrap();
    assert_eq!((d.pairs, d.estimate), (2, 1.0));
}

#[test]
fn comparisons_give_each_endpoint_for_each_non_reference_arm() {
    let outcomes: Vec<Outcome> = (0..3)
        .flat_map(|p| {
            (0..3).map(move |a| {
                let x = (p * 3 + a) as f64;
                Outcome::Done(endpoints(p, a, Response::Stable, -x, x, None))
            })
        })
        .collect();
    let c = comparisons(&pairing(&outcomes, 3)).unwrap();
    let got: Vec<(usize, &str)> = c.iter().map(|c| (c.arm, c.endpoint)).collect();
    let names = ["objective_response", "best_percent_change", "final_burden"];
    let want: Vec<(usize, &str)> = [1, 2]
        .into_iter()
        .flat_map(|a| names.map(|n| (a, n)))
        .collect();
    assert_eq!(got, want);
    // arm 2 − arm 0: final burden +2 and best change −2 in every patient; ORR equal.
    assert_eq!(c[3].difference.estimate, 0.0);
    assert_eq!(c[4].difference.estimate, -2.0);
    assert_eq!(c[5].difference.estimate, 2.0);
}

#[test]
fn score_counts_a_median_not_reached_as_infinite() {
    let mut s = summary(false);
    let (value, interval) = score(RankBy::MedianTimeToProgression, &s);
    assert_eq!((value, interval), (Some(f64::INFINITY), None));
    s.median_ttp = Median {
        estimate: None,
        lower: Some(40.0),
        upper: None,
    };
    let (_, interval) = score(RankBy::MedianTimeToProgression, &s);
    assert_eq!(
        interval,
        Some(Interval {
            lower: 40.0,
            upper: f64::INFINITY
        })
    );
    let orr = score(RankBy::ObjectiveResponse, &s);
    assert_eq!(orr, (Some(1.0 / 3.0), Some(s.objective_response.interval)));
    assert_eq!(score(RankBy::FinalBurden, &s), (Some(3.0), None));
    assert_eq!(score(RankBy::BestPercentChange, &s), (Some(-30.0), None));
}

#[test]
fn ordered_puts_the_best_first_and_keeps_arm_order_on_equal_values() {
    let base = summary(false);
    let summaries: Vec<ArmSummary> = [2.0, 1.0, 2.0]
        .into_iter()
        .map(|mean| {
            let mut s = base.clone();
            s.final_burden.mean = mean;
            s.disease_control.estimate = mean;
            s
        })
        .collect();
    let arms = |by| {
        ordered(by, &summaries)
            .iter()
            .map(|r| r.arm)
            .collect::<Vec<_>>()
    };
    assert_eq!(arms(RankBy::FinalBurden), [1, 0, 2], "lower is better");
    assert_eq!(arms(RankBy::DiseaseControl), [0, 2, 1], "higher is better");
    assert!(ordered(RankBy::FinalBurden, &summaries)
        .iter()
        .all(|r| !r.tied_with_previous));
    assert!(higher_is_better(RankBy::MedianTimeToProgression));
    assert!(!higher_is_better(RankBy::BestPercentChange));
}

#[test]
fn overlap_counts_touching_intervals() {
    let i = |lower, upper| Interval { lower, upper };
    assert!(overlap(i(0.0, 1.0), i(1.0, 2.0)));
    assert!(overlap(i(0.0, 3.0), i(1.0, 2.0)));
    assert!(!overlap(i(0.0, 1.0), i(1.5, 2.0)));
    assert!(!overlap(i(1.5, 2.0), i(0.0, 1.0)));
}

#[test]
fn tied_compares_intervals_or_else_the_paired_difference() {
    // Arm 1 is 10 units lower than arm 0 in every patient, give or take 1.
    let outcomes: Vec<Outcome> = (0..6)
        .flat_map(|p| {
            let jitter = [0.5, -0.5, 1.0, -1.0, 0.0, 0.2][p];
            [
                Outcome::Done(endpoints(p, 0, Response::Stable, 0.0, 20.0, None)),
                Outcome::Done(endpoints(p, 1, Response::Stable, 0.0, 10.0 + jitter, None)),
            ]
        })
        .collect();
    let p = pairing(&outcomes, 2);
    let rank = |arm, value, interval| Rank {
        arm,
        value: Some(value),
        interval,
        tied_with_previous: false,
    };
    let i = |lower, upper| Some(Interval { lower, upper });
    let by = RankBy::FinalBurden;
    let tie = |a: &Rank, b: &Rank| tied(by, a, b, &p).unwrap();
    assert!(tie(&rank(0, 0.5, i(0.4, 0.6)), &rank(1, 0.6, i(0.5, 0.7))));
    assert!(!tie(&rank(0, 0.5, i(0.4, 0.6)), &rank(1, 0.8, i(0.7, 0.9))));
    assert!(!tie(&rank(0, 20.0, None), &rank(1, 10.0, None)));
    assert!(
        tie(&rank(0, 20.0, None), &rank(1, 20.0, None)),
        "equal values"
    );
    // On the best % change (equal in both arms) the difference's interval is [0, 0].
    assert!(tied(
        RankBy::BestPercentChange,
        &rank(0, 20.0, None),
        &rank(1, 10.0, None),
        &p
    )
    .unwrap());
    let e = endpoints(0, 0, Response::Stable, -5.0, 7.0, None);
    assert_eq!(paired_endpoint(by)(&e), 7.0);
    assert_eq!(paired_endpoint(RankBy::ObjectiveResponse)(&e), -5.0);
}
