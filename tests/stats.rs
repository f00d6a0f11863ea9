//! Statistics against values computed independently of oncodyn.
//!
//! Reference tools (run in a throwaway virtualenv):
//!
//! ```text
//! python3 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install statsmodels lifelines scipy numpy
//! # versions used: statsmodels 0.15.0, scipy 1.17.1, lifelines 0.30.3
//! ```
//!
//! Each test gives the exact calls; the numbers are pasted as printed (`repr`, 17 digits).

use oncodyn::compare::{
    mean, paired_difference, quantile, summarize, wilson, Bootstrap, KaplanMeier, StatsError,
    TimeToEvent, Z_95,
};

/// The references are double-precision computations of the same closed forms by other code;
/// 1e-12 relative covers their different orders of operations.
const FORMULA: f64 = 1e-12;

fn close(got: f64, exact: f64, what: &str) {
    assert!(
        (got - exact).abs() <= FORMULA * exact.abs(),
        "{what}: {got} vs {exact}"
    );
}

#[test]
fn wilson_intervals_match_statsmodels_and_scipy() {
    // The (x, n) pairs are Newcombe's worked examples (Stat Med 1998;17:857): 81/263, 15/148,
    // 0/20, 1/29, plus two more. Reference:
    //   from statsmodels.stats.proportion import proportion_confint
    //   proportion_confint(x, n, alpha=0.05, method="wilson")
    // and identically (to 1e-15) scipy.stats.binomtest(x, n).proportion_ci(0.95, "wilson").
    // Rounded: 0.2553–0.3662, 0.0624–0.1605, 0–0.1611, 0.0061–0.1718.
    let cases = [
        (81, 263, 0.2552885198782742, 0.36620957698280004),
        (15, 148, 0.06238639953073628, 0.16048724172330803),
        (0, 20, 0.0, 0.1611251580528194),
        (1, 29, 0.006113214292762667, 0.17175521879320294),
        (29, 29, 0.8830302015002592, 1.0),
        (7, 10, 0.39677814746114537, 0.8922087325936989),
    ];
    for (x, n, lower, upper) in cases {
        let p = wilson(x, n).unwrap();
        assert_eq!(p.estimate, x as f64 / n as f64);
        close(p.interval.lower, lower, &format!("{x}/{n} lower"));
        close(p.interval.upper, upper, &format!("{x}/{n} upper"));
    }
    // The limits at x = 0 and x = n are exact.
    assert_eq!(wilson(0, 20).unwrap().interval.lower, 0.0);
    assert_eq!(wilson(29, 29).unwrap().interval.upper, 1.0);
}

#[test]
fn wilson_rejects_impossible_counts() {
    assert_eq!(
        wilson(0, 0).unwrap_err(),
        StatsError::Empty { what: "trials" }
    );
    assert_eq!(
        wilson(5, 4).unwrap_err(),
        StatsError::SuccessesExceedTotal {
            successes: 5,
            total: 4
        }
    );
}

fn obs(times: &[f64], events: &[u8]) -> Vec<TimeToEvent> {
    times
        .iter()
        .zip(events)
        .map(|(&time, &e)| TimeToEvent {
            time,
            censored: e == 0,
        })
        .collect()
}

/// Freireich et al., Blood 1963;21:699: remission durations (weeks) of 21 acute leukemia
/// patients on 6-mercaptopurine (0 = censored), as tabulated by Kleinbaum & Klein, *Survival
/// Analysis: A Self-Learning Text* (3rd ed., 2012), ch. 1–2, and in R as `MASS::gehan`.
const SIX_MP_TIMES: [f64; 21] = [
    6.0, 6.0, 6.0, 6.0, 7.0, 9.0, 10.0, 10.0, 11.0, 13.0, 16.0, 17.0, 19.0, 20.0, 22.0, 23.0, 25.0,
    32.0, 32.0, 34.0, 35.0,
];
const SIX_MP_EVENTS: [u8; 21] = [
    1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0,
];

/// The placebo arm of the same trial: 21 relapses, none censored.
const PLACEBO_TIMES: [f64; 21] = [
    1.0, 1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 5.0, 5.0, 8.0, 8.0, 8.0, 8.0, 11.0, 11.0, 12.0, 12.0, 15.0,
    17.0, 22.0, 23.0,
];

#[test]
fn kaplan_meier_of_the_6mp_arm_matches_lifelines_and_statsmodels() {
    // Reference (lifelines; its default interval is the log(−log) "exponential Greenwood" one):
    //   kmf = lifelines.KaplanMeierFitter().fit(t, e, alpha=0.05)
    //   kmf.survival_function_, kmf.confidence_interval_
    // Greenwood SE of S (statsmodels): sm.SurvfuncRight(t, e).surv_prob_se
    // Survival values as in Kleinbaum & Klein's table: 0.857, 0.807, 0.753, 0.690, 0.628,
    // 0.538, 0.448.
    let km = KaplanMeier::new(&obs(&SIX_MP_TIMES, &SIX_MP_EVENTS)).unwrap();
    let expected = [
        // time, at risk, events, censored, S, lower, upper, Greenwood SE
        (
            6.0,
            21,
            3,
            1,
            0.857142857142857,
            0.6197179552659838,
            0.9515517476469969,
            0.07636035483212125,
        ),
        (
            7.0,
            17,
            1,
            0,
            0.8067226890756299,
            0.5631465646222333,
            0.9228090192028802,
            0.0869352851800572,
        ),
        (
            10.0,
            15,
            1,
            1,
            0.7529411764705878,
            0.5031995107999564,
            0.8893618351692651,
            0.09634965299432052,
        ),
        (
            13.0,
            12,
            1,
            0,
            0.6901960784313722,
            0.4316102224861839,
            0.8490659633494505,
            0.10681470777500983,
        ),
        (
            16.0,
            11,
            1,
            0,
            0.6274509803921566,
            0.36751085598750194,
            0.8049121894718411,
            0.11405386525675254,
        ),
        (
            22.0,
            7,
            1,
            0,
            0.5378151260504199,
            0.26777893676713493,
            0.7467907176353943,
            0.12823375169303403,
        ),
        (
            23.0,
            6,
            1,
            0,
            0.44817927170868327,
            0.18805200595923233,
            0.6801426284952412,
            0.13459145675576048,
        ),
    ];
    let event_steps: Vec<_> = km.steps().iter().filter(|s| s.events > 0).collect();
    assert_eq!(event_steps.len(), expected.len());
    for (s, &(t, n, d, c, surv, lower, upper, se)) in event_steps.iter().zip(&expected) {
        assert_eq!((s.time, s.at_risk, s.events, s.censored), (t, n, d, c));
        close(s.survival, surv, &format!("S({t})"));
        let i = s.interval.unwrap();
        close(i.lower, lower, &format!("lower({t})"));
        close(i.upper, upper, &format!("upper({t})"));
        close(s.variance.unwrap().sqrt(), se, &format!("SE({t})"));
    }
    // Censor-only times are steps too, with S unchanged.
    let s9 = km.steps().iter().find(|s| s.time == 9.0).unwrap();
    assert_eq!((s9.events, s9.censored, s9.at_risk), (0, 1, 16));
    assert_eq!(km.survival_at(9.5), km.survival_at(7.0));
    assert_eq!(km.survival_at(5.9), 1.0);
    assert_eq!((km.subjects(), km.events()), (21, 9));

    // Median 23 weeks, 95% CI 13 to not reached:
    //   lifelines.utils.median_survival_times(kmf.confidence_interval_)  -> 13.0, inf
    //   sm.SurvfuncRight(t, e).quantile_ci(0.5, method="cloglog")       -> (13.0, inf)
    let m = km.median();
    assert_eq!(
        (m.estimate, m.lower, m.upper),
        (Some(23.0), Some(13.0), None)
    );
}

#[test]
fn kaplan_meier_of_the_placebo_arm_reaches_zero() {
    // lifelines: median 8.0, CI (4.0, 11.0); statsmodels quantile_ci(0.5, "cloglog") (4, 11).
    let km = KaplanMeier::new(&obs(&PLACEBO_TIMES, &[1; 21])).unwrap();
    let m = km.median();
    assert_eq!(
        (m.estimate, m.lower, m.upper),
        (Some(8.0), Some(4.0), Some(11.0))
    );
    let expected = [
        (
            1.0,
            0.9047619047619045,
            0.6700458822350337,
            0.9752941490381123,
        ),
        (
            8.0,
            0.3809523809523809,
            0.1830665488203943,
            0.5777886777458309,
        ),
        (
            22.0,
            0.047619047619047616,
            0.003324463042531178,
            0.1970449056989461,
        ),
    ];
    for (t, surv, lower, upper) in expected {
        let s = km.steps().iter().find(|s| s.time == t).unwrap();
        close(s.survival, surv, &format!("S({t})"));
        close(s.interval.unwrap().lower, lower, &format!("lower({t})"));
        close(s.interval.unwrap().upper, upper, &format!("upper({t})"));
    }
    // At 23 weeks the last patient relapses: S = 0, where neither Greenwood's variance nor the
    // log-log interval is defined.
    let last = km.steps().last().unwrap();
    assert_eq!(
        (last.survival, last.variance, last.interval),
        (0.0, None, None)
    );
}

#[test]
fn a_survival_curve_flat_at_one_half_has_the_midpoint_median() {
    // S = 3/4, 1/2, 1/4, 0 at 1, 2, 3, 4: S = 0.5 on [2, 3), so the median is 2.5 by R's
    // survival package rule (quantile.survfit: "the median of the flat"; hand-computed).
    // lifelines reports the start of the flat, 2.0, instead; its CI (1.0, 4.0) agrees.
    let km = KaplanMeier::new(&obs(&[1.0, 2.0, 3.0, 4.0], &[1, 1, 1, 1])).unwrap();
    let m = km.median();
    assert_eq!(
        (m.estimate, m.lower, m.upper),
        (Some(2.5), Some(1.0), Some(4.0))
    );
    // S never falls to one half (2/3 after one event in three): not reached, but the band's
    // lower curve, (2/3)^exp(z·√(1/6)/ln(3/2)) ≈ 0.054, does at t = 1. lifelines: inf, (1.0, inf).
    let km = KaplanMeier::new(&obs(&[1.0, 2.0, 3.0], &[1, 0, 0])).unwrap();
    let m = km.median();
    assert_eq!((m.estimate, m.lower, m.upper), (None, Some(1.0), None));
}

#[test]
fn kaplan_meier_rejects_empty_or_non_finite_input() {
    assert_eq!(
        KaplanMeier::new(&[]).unwrap_err(),
        StatsError::Empty {
            what: "observations"
        }
    );
    let err = KaplanMeier::new(&obs(&[1.0, f64::NAN], &[1, 1])).unwrap_err();
    assert!(matches!(
        err,
        StatsError::NonFinite {
            what: "time",
            index: 1,
            ..
        }
    ));
}

#[test]
fn quantiles_are_type_7_as_in_r() {
    // R: quantile(c(1, 2, 3, 4, 10)) -> 1 2 3 4 10; quantile(1:4, c(.1, .25, .5, .9))
    // -> 1.3 1.75 2.5 3.7 (h = (n − 1)p, linear between order statistics).
    let x = [4.0, 1.0, 3.0, 2.0];
    let got: Vec<f64> = [0.1, 0.25, 0.5, 0.9]
        .iter()
        .map(|&p| quantile(&x, p).unwrap())
        .collect();
    for (g, e) in got.iter().zip([1.3, 1.75, 2.5, 3.7]) {
        assert!((g - e).abs() < 1e-15, "{g} vs {e}");
    }
    assert_eq!(quantile(&x, 0.0).unwrap(), 1.0);
    assert_eq!(quantile(&x, 1.0).unwrap(), 4.0);
    assert_eq!(quantile(&[7.0], 0.3).unwrap(), 7.0);
    // numpy.percentile([2, 3, 5, 7, 11, 13, 17, 19, 23, 29], [5, 25, 50, 75, 95]) (linear,
    // numpy's default = type 7) -> 2.45, 5.5, 12.0, 18.5, 26.3.
    let primes = [2.0, 3.0, 5.0, 7.0, 11.0, 13.0, 17.0, 19.0, 23.0, 29.0];
    let s = summarize(&primes).unwrap();
    for (g, e) in [
        (s.q05, 2.45),
        (s.q25, 5.5),
        (s.median, 12.0),
        (s.q75, 18.5),
        (s.q95, 26.3),
    ] {
        assert!((g - e).abs() < 1e-12, "{g} vs {e}");
    }
    // mean 12.9, SD (n − 1) = sqrt(Σ(x − 12.9)²/9) = sqrt(732.9/9) (numpy.std(ddof=1): 9.0240).
    assert_eq!((s.n, s.min, s.max), (10, 2.0, 29.0));
    assert!((s.mean - 12.9).abs() < 1e-14);
    assert!((s.sd.unwrap() - (732.9f64 / 9.0).sqrt()).abs() < 1e-12);
    assert_eq!(summarize(&[3.0]).unwrap().sd, None);

    assert_eq!(mean(&[]).unwrap_err(), StatsError::Empty { what: "values" });
    assert!(matches!(
        quantile(&x, 1.5).unwrap_err(),
        StatsError::InvalidOption { option: "p", .. }
    ));
    assert!(matches!(
        summarize(&[1.0, f64::INFINITY]).unwrap_err(),
        StatsError::NonFinite { index: 1, .. }
    ));
}

#[test]
fn the_paired_bootstrap_interval_agrees_with_the_normal_theory_interval() {
    // Differences d_i = a_i − b_i built deterministically: d = 1 + 0.5·sin(i) (mean ≈ 1).
    // For a mean of n = 400 differences the percentile bootstrap interval approaches
    // mean ± z·s/√n; with 4000 resamples its limits carry Monte Carlo error of roughly
    // 2% of the half-width, so 10% is a test that fails for a wrong resampling scheme
    // (e.g. resampling a and b independently, which ignores the pairing and inflates it).
    let n = 400;
    let b: Vec<f64> = (0..n)
        .map(|i| 10.0 + (i as f64 * 0.37).cos() * 3.0)
        .collect();
    let a: Vec<f64> = b
        .iter()
        .enumerate()
        .map(|(i, x)| x + 1.0 + 0.5 * (i as f64).sin())
        .collect();
    let d: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x - y).collect();
    let m = d.iter().sum::<f64>() / n as f64;
    let s = (d.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1) as f64).sqrt();
    let half = Z_95 * s / (n as f64).sqrt();

    let opts = Bootstrap {
        resamples: 4000,
        seed: 7,
    };
    let got = paired_difference(&a, &b, &opts).unwrap();
    assert!((got.estimate - m).abs() < 1e-12);
    assert_eq!((got.pairs, got.resamples), (n, 4000));
    let (lo, hi) = (got.interval.lower, got.interval.upper);
    assert!(
        (m - lo - half).abs() < 0.1 * half,
        "lower {lo}: m − half = {}",
        m - half
    );
    assert!(
        (hi - m - half).abs() < 0.1 * half,
        "upper {hi}: m + half = {}",
        m + half
    );

    // Deterministic: same seed, same bits, on 1 or 2 threads; another seed differs.
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let again = pool.install(|| paired_difference(&a, &b, &opts).unwrap());
        assert_eq!(again.interval.lower.to_bits(), lo.to_bits());
        assert_eq!(again.interval.upper.to_bits(), hi.to_bits());
    }
    let other = paired_difference(&a, &b, &Bootstrap { seed: 8, ..opts }).unwrap();
    assert_ne!(other.interval.lower.to_bits(), lo.to_bits());
}

#[test]
fn the_paired_bootstrap_checks_its_input() {
    let opts = Bootstrap {
        resamples: 10,
        seed: 1,
    };
    assert_eq!(
        paired_difference(&[1.0], &[1.0, 2.0], &opts).unwrap_err(),
        StatsError::LengthMismatch {
            first: 1,
            second: 2
        }
    );
    assert_eq!(
        paired_difference(&[], &[], &opts).unwrap_err(),
        StatsError::Empty { what: "pairs" }
    );
    assert!(matches!(
        paired_difference(&[1.0, 2.0], &[1.0, f64::NAN], &opts).unwrap_err(),
        StatsError::NonFinite {
            what: "b",
            index: 1,
            ..
        }
    ));
    let zero = Bootstrap {
        resamples: 0,
        seed: 1,
    };
    assert!(matches!(
        paired_difference(&[1.0], &[1.0], &zero).unwrap_err(),
        StatsError::InvalidOption {
            option: "resamples",
            ..
        }
    ));
    // A constant difference has a degenerate interval at that difference.
    let same = paired_difference(&[3.0, 4.0, 5.0], &[1.0, 2.0, 3.0], &opts).unwrap();
    assert_eq!(
        (same.estimate, same.interval.lower, same.interval.upper),
        (2.0, 2.0, 2.0)
    );
}
