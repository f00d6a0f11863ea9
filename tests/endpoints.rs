//! Endpoint definitions against hand-computed cases: hand-built series with values chosen so
//! every endpoint is exact arithmetic, and simulated trajectories of models with closed forms
//! (exponential growth; a tumor killed by a decaying drug and regrowing, whose nadir time and
//! threshold crossings are known analytically).

use oncodyn::compare::{
    eradication_time, last_dosing_interval, time_to_event, time_to_progression, trough,
    EndpointError, GradeScale, Point, Recist, Response, Series, TimeToEvent, Worse,
};
use oncodyn::prelude::*;
use oncodyn::solver::{simulate_with_events, DiameterMapping, EventRule};

/// Tight options: the closed forms then test the endpoints, not the integrator (relative
/// error ≲ 1e-8 on these runs; 1e-7 relative leaves a factor of ten).
fn tight() -> SolverOptions {
    let mut opts = SolverOptions {
        rtol: 1e-10,
        ..Default::default()
    };
    opts.atol.cells = 1e-6;
    opts.atol.milligrams = 1e-12;
    opts
}

const REL: f64 = 1e-7;

fn close(got: f64, exact: f64, what: &str) {
    assert!(
        (got - exact).abs() <= REL * exact.abs().max(1e-300),
        "{what}: {got} vs {exact}"
    );
}

fn series(times: &[f64], values: &[f64]) -> Series {
    Series::new(times.to_vec(), values.to_vec()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Hand-built series: exact arithmetic
// ---------------------------------------------------------------------------------------------

#[test]
fn series_rows_are_checked() {
    let err = Series::new(vec![0.0, 1.0], vec![1.0]).unwrap_err();
    assert_eq!(
        err,
        EndpointError::LengthMismatch {
            times: 2,
            values: 1
        }
    );
    assert_eq!(
        Series::new(vec![], vec![]).unwrap_err(),
        EndpointError::EmptySeries
    );
    let err = Series::new(vec![0.0, 2.0, 1.0], vec![1.0; 3]).unwrap_err();
    assert!(matches!(err, EndpointError::InvalidTime { row: 2, time, .. } if time == 1.0));
    let err = Series::new(vec![0.0, f64::NAN], vec![1.0; 2]).unwrap_err();
    assert!(matches!(err, EndpointError::InvalidTime { row: 1, .. }));
    let err = Series::new(vec![0.0, 1.0], vec![1.0, f64::INFINITY]).unwrap_err();
    assert!(matches!(err, EndpointError::NonFiniteValue { row: 1, .. }));
}

#[test]
fn nadir_and_peak_are_the_earliest_extreme_rows_from_the_start_time() {
    let s = series(
        &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
        &[5.0, 3.0, 1.0, 1.0, 7.0, 7.0],
    );
    assert_eq!(
        s.nadir(0.0).unwrap(),
        Point {
            time: 2.0,
            value: 1.0
        }
    );
    assert_eq!(
        s.peak(0.0).unwrap(),
        Point {
            time: 4.0,
            value: 7.0
        }
    );
    // From t = 2.5 the rows are 3, 4, 5.
    assert_eq!(
        s.nadir(2.5).unwrap(),
        Point {
            time: 3.0,
            value: 1.0
        }
    );
    assert_eq!(
        s.final_value(),
        Point {
            time: 5.0,
            value: 7.0
        }
    );
    assert_eq!(
        s.nadir(6.0).unwrap_err(),
        EndpointError::NoRows {
            from: 6.0,
            to: f64::INFINITY
        }
    );
}

#[test]
fn a_dose_time_has_two_rows_and_value_at_reads_the_one_before() {
    // A jump at t = 1 (e.g. a radiotherapy fraction): rows (1, pre) = 4 and (1, post) = 1.
    let s = series(&[0.0, 1.0, 1.0, 3.0], &[2.0, 4.0, 1.0, 1.0]);
    assert_eq!(s.value_at(1.0).unwrap(), 4.0);
    assert_eq!(
        s.value_at(0.5).unwrap_err(),
        EndpointError::NotAnOutputTime { time: 0.5 }
    );
    // Trapezoids: [0,1] (2+4)/2 = 3, the jump adds 0, [1,3] 2·(1+1)/2 = 2.
    assert_eq!(s.area_under_curve(0.0, 3.0).unwrap(), 5.0);
    // The window is clipped to its rows: [0.5, 3] holds the rows at 1, 1, 3.
    assert_eq!(s.area_under_curve(0.5, 3.0).unwrap(), 2.0);
    assert_eq!(
        s.nadir(0.0).unwrap(),
        Point {
            time: 1.0,
            value: 1.0
        }
    );
    let err = s.area_under_curve(2.0, 1.0).unwrap_err();
    assert!(matches!(
        err,
        EndpointError::InvalidOption { option: "to", .. }
    ));
    assert_eq!(
        s.at_times(&[0.0, 1.0, 3.0]).unwrap().values(),
        &[2.0, 4.0, 1.0]
    );
}

#[test]
fn best_percent_change_is_the_smallest_later_value_against_the_baseline_row() {
    // Baseline: the first row at t = 0 (100); later rows include the post-dose row at 0.
    let s = series(&[0.0, 0.0, 1.0, 2.0], &[100.0, 50.0, 80.0, 120.0]);
    assert_eq!(
        s.best_percent_change(0.0).unwrap(),
        Point {
            time: 0.0,
            value: -50.0
        }
    );
    // A series that only grows: the smallest growth.
    let g = series(&[0.0, 1.0, 2.0], &[10.0, 12.5, 15.0]);
    assert_eq!(
        g.best_percent_change(0.0).unwrap(),
        Point {
            time: 1.0,
            value: 25.0
        }
    );
    let z = series(&[0.0, 1.0], &[0.0, 1.0]);
    assert_eq!(
        z.best_percent_change(0.0).unwrap_err(),
        EndpointError::ZeroBaseline { time: 0.0 }
    );
    assert!(matches!(
        g.best_percent_change(2.0).unwrap_err(),
        EndpointError::NoRows { .. }
    ));
}

#[test]
fn interval_exposure_runs_from_after_one_dose_to_before_the_next() {
    // Doses at 0 and 2 (pre/post rows), halving per day in between.
    let s = series(
        &[0.0, 0.0, 1.0, 2.0, 2.0, 3.0],
        &[0.0, 10.0, 5.0, 2.5, 12.5, 6.25],
    );
    let e = s.interval(0.0, 2.0).unwrap();
    assert_eq!(
        e.maximum,
        Point {
            time: 0.0,
            value: 10.0
        }
    );
    assert_eq!(
        e.minimum,
        Point {
            time: 2.0,
            value: 2.5
        }
    );
    assert_eq!(e.trough, 2.5);
    assert_eq!(e.area, 0.5 * (10.0 + 5.0) + 0.5 * (5.0 + 2.5));
    assert_eq!(
        s.interval(0.0, 2.5).unwrap_err(),
        EndpointError::NotAnOutputTime { time: 2.5 }
    );
    assert!(matches!(
        s.interval(2.0, 2.0).unwrap_err(),
        EndpointError::InvalidOption { .. }
    ));
}

#[test]
fn first_time_at_or_below_is_the_first_such_row() {
    let s = series(&[0.0, 1.0, 2.0, 3.0], &[5.0, 1.0, 0.5, 2.0]);
    assert_eq!(s.first_time_at_or_below(1.0, 0.0), Some(1.0));
    assert_eq!(s.first_time_at_or_below(0.9, 0.0), Some(2.0));
    assert_eq!(s.first_time_at_or_below(1.0, 2.5), None);
}

#[test]
fn grades_count_the_thresholds_strictly_passed() {
    // CTCAE v5.0 neutrophil count decreased (×10⁹/L), LLN taken as 2.0.
    let anc = GradeScale::below(vec![2.0, 1.5, 1.0, 0.5]).unwrap();
    let grades: Vec<u8> = [3.0, 2.0, 1.99, 1.5, 1.2, 0.99, 0.5, 0.49, 0.0]
        .iter()
        .map(|&v| anc.grade(v))
        .collect();
    assert_eq!(grades, [0, 0, 1, 1, 2, 3, 3, 4, 4]);
    let il6 = GradeScale::above(vec![10.0, 100.0]).unwrap();
    assert_eq!(
        [il6.grade(10.0), il6.grade(10.5), il6.grade(1e3)],
        [0, 1, 2]
    );
    assert_eq!(il6.worse(), Worse::Above);

    // A neutrophil nadir and its grade from a series.
    let counts = series(&[0.0, 7.0, 14.0, 21.0], &[4.0, 1.1, 0.8, 2.5]);
    let nadir = counts.nadir(0.0).unwrap();
    assert_eq!((nadir.time, anc.grade(nadir.value)), (14.0, 3));

    let err = GradeScale::below(vec![2.0, 2.5]).unwrap_err();
    assert!(matches!(
        err,
        EndpointError::InvalidThreshold { index: 1, .. }
    ));
    let err = GradeScale::above(vec![1.0, f64::NAN]).unwrap_err();
    assert!(matches!(
        err,
        EndpointError::InvalidThreshold {
            index: 1,
            reason: "must be finite",
            ..
        }
    ));
}

#[test]
fn recist_thresholds_classify_each_assessment() {
    let r = Recist::default();
    // Baseline 50 mm, nadir 30 mm.
    assert_eq!(r.classify(0.0, 50.0, 30.0), Response::Complete);
    assert_eq!(r.classify(35.0, 50.0, 30.0), Response::Partial); // ≤ 0.7·50, < 1.2·30
    assert_eq!(r.classify(36.0, 50.0, 30.0), Response::Progressive); // 1.2·30 and +6 mm
    assert_eq!(r.classify(36.0, 50.0, 31.0), Response::Stable); // +5 mm but 36 < 1.2·31
                                                                // A small nadir: 20% is 1 mm, the 5 mm floor decides.
    assert_eq!(r.classify(9.9, 50.0, 5.0), Response::Partial);
    assert_eq!(r.classify(10.0, 50.0, 5.0), Response::Progressive);
    let limit = Recist {
        detection_limit_mm: 2.0,
        ..Recist::default()
    };
    assert_eq!(limit.classify(2.0, 50.0, 30.0), Response::Complete);
    assert_eq!(
        [
            Response::Complete,
            Response::Partial,
            Response::Stable,
            Response::Progressive
        ]
        .map(|r| (r.abbreviation(), r.is_objective(), r.is_disease_control())),
        [
            ("CR", true, true),
            ("PR", true, true),
            ("SD", false, true),
            ("PD", false, false)
        ]
    );
}

#[test]
fn best_overall_response_is_the_best_assessment_up_to_the_first_progression() {
    let r = Recist {
        min_stable_days: 0.0,
        ..Recist::default()
    };
    // PR at 2, then PD at 4 (from nadir 30: 36 ≥ 1.2·30 and ≥ 35): PR stands.
    let d = series(
        &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
        &[50.0, 45.0, 30.0, 33.0, 36.0, 1.0],
    );
    let best = r.best_response(&d).unwrap();
    assert_eq!(best.response, Response::Partial);
    assert_eq!(best.time, Some(2.0));
    assert_eq!(best.progression_time, Some(4.0));
    assert_eq!((best.baseline_mm, best.nadir_mm), (50.0, 30.0));
    // The later shrinkage to 1 mm (a CR with a 2 mm limit) comes after PD and does not count.
    let limit = Recist {
        detection_limit_mm: 2.0,
        ..r
    };
    assert_eq!(limit.best_response(&d).unwrap().response, Response::Partial);

    // SD counts only from min_stable_days after baseline.
    let sd = series(&[0.0, 20.0, 40.0, 60.0], &[50.0, 52.0, 54.0, 70.0]);
    let strict = Recist::default(); // 42 days
    let best = strict.best_response(&sd).unwrap();
    assert_eq!(
        (best.response, best.time),
        (Response::Progressive, Some(60.0))
    );
    let best = r.best_response(&sd).unwrap();
    assert_eq!((best.response, best.time), (Response::Stable, Some(20.0)));
    // Only early SD and no PD: not evaluable.
    let early = series(&[0.0, 20.0], &[50.0, 52.0]);
    let best = strict.best_response(&early).unwrap();
    assert_eq!((best.response, best.time), (Response::NotEvaluable, None));

    let tiny = series(&[0.0, 1.0], &[1.0, 1.0]);
    let err = limit.best_response(&tiny).unwrap_err();
    assert_eq!(
        err,
        EndpointError::NotMeasurable {
            baseline_mm: 1.0,
            limit_mm: 2.0
        }
    );
    let bad = Recist {
        min_stable_days: -1.0,
        ..r
    };
    assert!(matches!(
        bad.best_response(&d).unwrap_err(),
        EndpointError::InvalidOption {
            option: "min_stable_days",
            ..
        }
    ));
}

// ---------------------------------------------------------------------------------------------
// Simulated trajectories with closed forms
// ---------------------------------------------------------------------------------------------

/// Diameter (mm) of a sphere of `cells` at 1e6 cells/mm³: `(6·V/π)^(1/3)`, written out here
/// independently of the library's mapping.
fn diameter(cells: f64) -> f64 {
    (6.0 * (cells / 1e6) / std::f64::consts::PI).cbrt()
}

/// The root of `f` in `[a, b]` (f(a) < 0 ≤ f(b)) by bisection to 1e-13 d.
fn bisect(f: impl Fn(f64) -> f64, mut a: f64, mut b: f64) -> f64 {
    assert!(f(a) < 0.0 && f(b) >= 0.0);
    while b - a > 1e-13 {
        let m = 0.5 * (a + b);
        if f(m) < 0.0 {
            a = m;
        } else {
            b = m;
        }
    }
    0.5 * (a + b)
}

const T0: f64 = 1e11; // cells: 1e5 mm³, a 57.6 mm sphere
const R: f64 = 0.1; // 1/day

fn grid(end: f64, step: f64) -> Vec<f64> {
    (0..=((end / step).round() as usize))
        .map(|i| i as f64 * step)
        .collect()
}

#[test]
fn untreated_exponential_growth_final_burden_auc_and_progression() {
    // T(t) = T0·e^(rt): final burden, the trapezoid area over the daily rows, and
    // progression when the diameter reaches 1.2·D0 (20% ≈ 11.5 mm > 5 mm): T = 1.728·T0,
    // t = ln(1.728)/r.
    let mut b = ModelBuilder::new();
    let tumor = b
        .tumor(TumorSpec::new("tumor", T0, Exponential { rate: R }))
        .unwrap();
    let model = b.build().unwrap();
    let times = grid(60.0, 1.0);
    let traj = simulate(&model, &Regimen::new("none"), &times, &tight()).unwrap();
    let burden = Series::column(&traj, tumor).unwrap();
    let exact = |t: f64| T0 * (R * t).exp();

    let last = burden.final_value();
    assert_eq!(last.time, 60.0);
    close(last.value, exact(60.0), "final burden");
    assert_eq!(
        burden.nadir(0.0).unwrap(),
        Point {
            time: 0.0,
            value: T0
        }
    );
    let trapezoid: f64 = times
        .windows(2)
        .map(|w| (w[1] - w[0]) * 0.5 * (exact(w[0]) + exact(w[1])))
        .sum();
    close(
        burden.area_under_curve(0.0, 60.0).unwrap(),
        trapezoid,
        "tumor AUC",
    );
    // Against the integral T0·(e^(60r) − 1)/r the trapezoid is high by ≈ (h·r)²/12 = 0.083%.
    let integral = T0 * ((60.0 * R).exp() - 1.0) / R;
    let excess = burden.area_under_curve(0.0, 60.0).unwrap() / integral - 1.0;
    assert!((excess - (R * R) / 12.0).abs() < 1e-5, "{excess}");

    // Same column by name.
    assert_eq!(Series::column(&traj, "tumor").unwrap(), burden);
    assert!(matches!(
        Series::column(&traj, "tumour").unwrap_err(),
        EndpointError::Lookup(_)
    ));

    // Diameter series: the library's mapping equals the formula written out above.
    let d = Series::tumor_diameter(&traj, &model, &DiameterMapping::default()).unwrap();
    for (&t, &got) in d.times().iter().zip(d.values()) {
        close(got, diameter(exact(t)), "diameter");
    }

    let progression = 1.728f64.ln() / R;
    let with_events = simulate_with_events(
        &model,
        &Regimen::new("none"),
        &[EventRule::progression()],
        &times,
        &tight(),
    )
    .unwrap();
    let ttp = time_to_progression(&with_events).unwrap();
    assert!(!ttp.censored);
    assert!(
        (ttp.time - progression).abs() < 1e-6,
        "{} vs {progression}",
        ttp.time
    );

    // Best overall response on the daily rows: PD at the first row past t = 5.47.
    let best = Recist::default().assess(&traj, &model).unwrap();
    assert_eq!(
        (best.response, best.time, best.progression_time),
        (Response::Progressive, Some(6.0), Some(6.0))
    );
    close(best.baseline_mm, diameter(T0), "baseline diameter");
    let no_minimum = Recist {
        min_stable_days: 0.0,
        ..Recist::default()
    };
    let best = no_minimum.assess(&traj, &model).unwrap();
    assert_eq!((best.response, best.time), (Response::Stable, Some(1.0)));
}

#[test]
fn a_shrinking_tumor_is_censored_at_the_horizon() {
    let mut b = ModelBuilder::new();
    b.tumor(TumorSpec::new("tumor", T0, Exponential { rate: -0.05 }))
        .unwrap();
    let model = b.build().unwrap();
    let traj = simulate_with_events(
        &model,
        &Regimen::new("none"),
        &[EventRule::progression()],
        &grid(60.0, 1.0),
        &tight(),
    )
    .unwrap();
    assert_eq!(
        time_to_progression(&traj).unwrap(),
        TimeToEvent {
            time: 60.0,
            censored: true
        }
    );
    assert_eq!(
        eradication_time(&traj).unwrap(),
        TimeToEvent {
            time: 60.0,
            censored: true
        }
    );
    assert!(time_to_event(&traj, "anything").unwrap().censored);
}

#[test]
fn eradication_time_is_the_recorded_crossing_of_the_threshold() {
    // T(t) = 1e3·e^(−t/2) reaches 1 cell at t = 2·ln(1000).
    let mut b = ModelBuilder::new();
    let tumor = b
        .tumor(TumorSpec::new("tumor", 1e3, Exponential { rate: -0.5 }))
        .unwrap();
    let model = b.build().unwrap();
    let mut opts = tight();
    opts.atol.cells = 1e-12;
    let exact = 2.0 * 1000f64.ln();
    let traj = simulate_with_events(
        &model,
        &Regimen::new("none"),
        &[EventRule::eradication("tumor", 1.0)],
        &grid(30.0, 1.0),
        &opts,
    )
    .unwrap();
    let e = eradication_time(&traj).unwrap();
    assert!(!e.censored);
    assert!((e.time - exact).abs() < 1e-8, "{} vs {exact}", e.time);
    assert_eq!(
        Series::column(&traj, tumor).unwrap().final_value().value,
        0.0
    );

    // Without the rule, the first daily row at or below one cell.
    let plain = simulate(&model, &Regimen::new("none"), &grid(30.0, 1.0), &opts).unwrap();
    let s = Series::column(&plain, tumor).unwrap();
    assert_eq!(s.first_time_at_or_below(1.0, 0.0), Some(exact.ceil()));
}

/// Tumor `dT/dt = (r − s·C)·T` with `C = C0·e^(−kt)` after one bolus at t = 0:
/// `T(t) = T0·exp(r·t − (s·C0/k)·(1 − e^(−kt)))`, with its minimum where `s·C(t) = r`:
/// `t* = ln(s·C0/r)/k`. With `k = ln 2` and `s·C0 = m·r`, `t* = log2(m)`.
struct KilledTumor {
    model: Model,
    tumor: StateId<Tumor>,
    /// s·C0, 1/day.
    kill: f64,
}

const K: f64 = std::f64::consts::LN_2; // 1/day: CL = 10·ln 2 L/day, V = 10 L
const C0: f64 = 10.0; // mg/L: 100 mg into 10 L

impl KilledTumor {
    fn new(m: f64) -> Self {
        let slope = m * R / C0; // L/(mg·day)
        let mut b = ModelBuilder::new();
        let tumor = b
            .tumor(TumorSpec::new("tumor", T0, Exponential { rate: R }))
            .unwrap();
        let drug = b
            .drug(DrugSpec::new(
                "chemo",
                OneCompartment {
                    cl: 10.0 * K,
                    v: 10.0,
                },
            ))
            .unwrap();
        b.effect(
            drug,
            oncodyn::builder::Target::TumorKill(tumor),
            Linear { slope },
        )
        .unwrap();
        KilledTumor {
            model: b.build().unwrap(),
            tumor,
            kill: m * R,
        }
    }

    fn ln_ratio(&self, t: f64) -> f64 {
        R * t - self.kill / K * (1.0 - (-K * t).exp())
    }

    fn burden(&self, t: f64) -> f64 {
        T0 * self.ln_ratio(t).exp()
    }

    fn regimen() -> Regimen {
        Regimen::new("one dose").with(Dose::bolus(0.0, "chemo", 100.0))
    }
}

#[test]
fn a_killed_then_regrowing_tumor_has_its_nadir_at_the_analytic_time() {
    // m = 4: nadir at t* = 2 d, on the 0.25 d grid.
    let k = KilledTumor::new(4.0);
    let times = grid(60.0, 0.25);
    let traj = simulate(&k.model, &KilledTumor::regimen(), &times, &tight()).unwrap();
    let burden = Series::column(&traj, k.tumor).unwrap();
    let nadir = burden.nadir(0.0).unwrap();
    assert_eq!(nadir.time, 2.0);
    close(nadir.value, k.burden(2.0), "nadir");
    let change = burden.best_percent_change(0.0).unwrap();
    assert_eq!(change.time, 2.0);
    close(
        change.value,
        100.0 * (k.burden(2.0) / T0 - 1.0),
        "best % change",
    );
    // Burden AUC: the trapezoid of the closed form over the rows (the dose at t = 0 gives two
    // rows there with the same tumor value, adding nothing).
    let trapezoid: f64 = times
        .windows(2)
        .map(|w| (w[1] - w[0]) * 0.5 * (k.burden(w[0]) + k.burden(w[1])))
        .sum();
    close(
        burden.area_under_curve(0.0, 60.0).unwrap(),
        trapezoid,
        "tumor AUC",
    );

    // Progression: the diameter's nadir is D(t*) (t* is an output time, where the event
    // watcher also looks), and 20% of it (≈ 10.6 mm) exceeds 5 mm, so progression is at
    // D = 1.2·D(t*), i.e. ln T/T0 = ln T(t*)/T0 + 3·ln 1.2, after t*.
    let target = k.ln_ratio(2.0) + 3.0 * 1.2f64.ln();
    let exact = bisect(|t| k.ln_ratio(t) - target, 2.0, 60.0);
    let with_events = simulate_with_events(
        &k.model,
        &KilledTumor::regimen(),
        &[EventRule::progression()],
        &times,
        &tight(),
    )
    .unwrap();
    let ttp = time_to_progression(&with_events).unwrap();
    assert!(!ttp.censored);
    assert!((ttp.time - exact).abs() < 1e-6, "{} vs {exact}", ttp.time);
}

#[test]
fn a_deep_response_is_a_partial_or_complete_response_until_progression() {
    // m = 32: nadir at t* = 5 d, T(5)/T0 = exp(0.5 − 3.1/ln 2) ≈ 0.0188, diameter ratio ≈ 0.266
    // (≈ 15.3 mm from 57.6 mm): below 0.7·D0, so PR. 20% of the nadir is ≈ 3.1 mm < 5 mm:
    // progression comes at D = D(t*) + 5 mm.
    let k = KilledTumor::new(32.0);
    let step = 0.25;
    let times = grid(60.0, step);
    let traj = simulate(&k.model, &KilledTumor::regimen(), &times, &tight()).unwrap();
    let d0 = diameter(T0);
    let d_nadir = diameter(k.burden(5.0));
    assert!(d_nadir < 0.7 * d0 && 0.2 * d_nadir < 5.0);

    // Crossing times by bisection on the closed form, then the first grid row at or after each.
    let ln_d = |t: f64| diameter(k.burden(t)).ln();
    let pr_cross = bisect(|t| (0.7 * d0).ln() - ln_d(t), 0.0, 5.0);
    let pd_cross = bisect(|t| ln_d(t) - (d_nadir + 5.0).ln(), 5.0, 60.0);
    let row_after = |t: f64| (t / step).ceil() * step;
    let cr_cross = bisect(|t| 16f64.ln() - ln_d(t), 0.0, 5.0);
    for t in [pr_cross, pd_cross, cr_cross] {
        // The crossing is not within solver error of a row, so the row is unambiguous.
        assert!((t / step - (t / step).round()).abs() > 1e-4, "{t}");
    }
    let best = Recist::default().assess(&traj, &k.model).unwrap();
    assert_eq!(best.response, Response::Partial);
    assert_eq!(best.time, Some(row_after(pr_cross)));
    assert_eq!(best.progression_time, Some(row_after(pd_cross)));
    close(best.nadir_mm, d_nadir, "nadir diameter");

    // With a 16 mm detection limit the nadir (15.3 mm) is a CR, first seen when D ≤ 16 mm.
    let limit = Recist {
        detection_limit_mm: 16.0,
        ..Recist::default()
    };
    let best = limit.assess(&traj, &k.model).unwrap();
    assert_eq!(best.response, Response::Complete);
    assert_eq!(best.time, Some(row_after(cr_cross)));

    // Scans at baseline and 6 weeks only: D(42)/D0 = exp(ln T(42)/T0 / 3) ≈ exp(−0.417/3) ≈ 0.87,
    // neither ≤ 0.7 nor ≥ 1.2: SD. The PR the daily rows show is missed by such sparse scans.
    let scans = Series::tumor_diameter(&traj, &k.model, &DiameterMapping::default())
        .unwrap()
        .at_times(&[0.0, 42.0])
        .unwrap();
    let best = Recist::default().best_response(&scans).unwrap();
    let ratio = diameter(k.burden(42.0)) / d0;
    assert!((ratio - (-0.4166 / 3.0f64).exp()).abs() < 1e-3, "{ratio}");
    assert_eq!((best.response, best.time), (Response::Stable, Some(42.0)));
}

#[test]
fn drug_exposure_over_the_last_dosing_interval_matches_superposed_boluses() {
    // 100 mg every 7 days ×4 into V = 10 L, CL = 2 L/day (k = 0.2/day):
    // C(t) = 10·Σ_{doses ≤ t} e^(−k(t − t_d)) mg/L.
    let mut b = ModelBuilder::new();
    let drug = b
        .drug(DrugSpec::new("chemo", OneCompartment { cl: 2.0, v: 10.0 }))
        .unwrap();
    let model = b.build().unwrap();
    let regimen = Regimen::new("q7d").with(Dose::bolus(0.0, "chemo", 100.0).repeated(7.0, 4));
    let times = grid(28.0, 1.0);
    let traj = simulate(&model, &regimen, &times, &tight()).unwrap();
    let c = |t: f64, doses_up_to: f64| -> f64 {
        (0..4)
            .map(|j| 7.0 * j as f64)
            .filter(|&td| td <= doses_up_to && td <= t)
            .map(|td| 10.0 * (-0.2 * (t - td)).exp())
            .sum()
    };

    assert_eq!(
        last_dosing_interval(&traj, &model, "chemo").unwrap(),
        (14.0, 21.0)
    );
    let e = trough(&traj, &model, "chemo").unwrap();
    assert_eq!((e.start, e.end), (14.0, 21.0));
    assert_eq!(e.maximum.time, 14.0);
    close(
        e.maximum.value,
        c(14.0, 14.0),
        "Cmax of the interval (post-dose at 14)",
    );
    assert_eq!(e.minimum.time, 21.0);
    close(e.minimum.value, c(21.0, 14.0), "Cmin of the interval");
    close(e.trough, c(21.0, 14.0), "trough (pre-dose at 21)");
    // The interval's rows: 14 (post), 15, …, 20, 21 (pre).
    let trapezoid: f64 = (14..21)
        .map(f64::from)
        .map(|t| 0.5 * (c(t, 14.0) + c(t + 1.0, 14.0)))
        .sum();
    close(e.area, trapezoid, "interval AUC (trapezoid)");
    let integral = c(14.0, 14.0) / 0.2 * (1.0 - (-1.4f64).exp());
    assert!((e.area / integral - 1.0).abs() < 0.2 * 0.2 / 12.0 * 1.01);

    // Cmax over the whole run: just after the last dose.
    let conc = Series::column(&traj, drug).unwrap();
    let peak = conc.peak(0.0).unwrap();
    assert_eq!(peak.time, 21.0);
    close(peak.value, c(21.0, 21.0), "Cmax");

    let err = last_dosing_interval(&traj, &model, "chemo2").unwrap_err();
    assert!(
        matches!(&err, EndpointError::UnknownDrug { name, available } if name == "chemo2" && available == "chemo")
    );
    let once = simulate(
        &model,
        &Regimen::new("once").with(Dose::bolus(0.0, "chemo", 100.0)),
        &times,
        &tight(),
    )
    .unwrap();
    let err = trough(&once, &model, "chemo").unwrap_err();
    assert!(matches!(&err, EndpointError::TooFewDoses { doses: 1, .. }));
}

#[test]
fn diameters_need_a_tumor_and_a_valid_density() {
    let mut b = ModelBuilder::new();
    b.drug(DrugSpec::new("chemo", OneCompartment { cl: 2.0, v: 10.0 }))
        .unwrap();
    let model = b.build().unwrap();
    let traj = simulate(&model, &Regimen::new("none"), &[0.0, 1.0], &tight()).unwrap();
    let err = Series::tumor_diameter(&traj, &model, &DiameterMapping::default()).unwrap_err();
    assert_eq!(err, EndpointError::NoTumor);
    let bad = DiameterMapping { cells_per_mm3: 0.0 };
    let err = Series::tumor_diameter(&traj, &model, &bad).unwrap_err();
    assert!(matches!(
        err,
        EndpointError::InvalidOption {
            option: "cells_per_mm3",
            ..
        }
    ));
}
