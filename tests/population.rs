//! Virtual populations: distributions against their moments, correlations against their
//! targets, determinism across orders, chunks and threads, CSV round trips, and the errors.
//!
//! The sampling checks are statistical and can fail: each compares a sample statistic of 10⁴
//! draws with its exact target, allowing 3 standard errors. The seed is fixed, so a pass is
//! reproducible; a wrong formula moves the statistic by many standard errors (checked by
//! mutation: taking ω = CV for CV 0.8 moves the mean by 9 SE; a transposed Cholesky factor moves
//! Fisher's z of a 0.6 correlation by 70 SE).

use oncodyn::compare::{
    Correlations, Distribution, ParamMap, ParamPath, Parameter, Patient, Population,
    PopulationError, PopulationSpec, Sampler, Segment, Selector,
};
use oncodyn::model::PathError;
use oncodyn::prelude::*;
use oncodyn::{BuildError, Error};

const N: usize = 10_000;
const SEED: u64 = 20_240_617;

fn sampler(parameters: Vec<Parameter>) -> Sampler {
    PopulationSpec::new(parameters).sampler().unwrap()
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn sd(x: &[f64]) -> f64 {
    let m = mean(x);
    (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64).sqrt()
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let (mx, my) = (mean(x), mean(y));
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let syy: f64 = y.iter().map(|b| (b - my) * (b - my)).sum();
    sxy / (sxx * syy).sqrt()
}

/// `|got − target| ≤ 3·se`, with a message naming the statistic.
fn within_3_se(what: &str, got: f64, target: f64, se: f64) {
    assert!(
        (got - target).abs() <= 3.0 * se,
        "{what}: {got} vs {target} (3 SE = {})",
        3.0 * se
    );
}

/// Mean and SD of a log-normal `θ·exp(η)`, `η ~ N(0, ω²)`, against their exact values:
/// mean `θ·e^(ω²/2)`, SD `mean·√(e^(ω²) − 1)`. Standard errors: SD/√n for the mean; for the
/// SD, `SE(s) ≈ √(Var(s²))/(2σ)` with `Var(s²) ≈ σ⁴·(κ − 1)/n` and the log-normal kurtosis
/// `κ = e^(4ω²) + 2e^(3ω²) + 3e^(2ω²) − 3`.
fn check_log_normal(values: &[f64], typical: f64, omega: f64) {
    let w2 = omega * omega;
    let target_mean = typical * (w2 / 2.0).exp();
    let target_sd = target_mean * (w2.exp() - 1.0).sqrt();
    let n = values.len() as f64;
    let kurtosis = (4.0 * w2).exp() + 2.0 * (3.0 * w2).exp() + 3.0 * (2.0 * w2).exp() - 3.0;
    let se_sd = target_sd * ((kurtosis - 1.0) / n).sqrt() / 2.0;
    within_3_se(
        "log-normal mean",
        mean(values),
        target_mean,
        target_sd / n.sqrt(),
    );
    within_3_se("log-normal SD", sd(values), target_sd, se_sd);
    // On the log scale η is normal: mean ln θ (SE ω/√n), SD ω (SE ≈ ω/√(2(n−1))).
    let logs: Vec<f64> = values.iter().map(|v| v.ln()).collect();
    within_3_se("mean of ln P", mean(&logs), typical.ln(), omega / n.sqrt());
    within_3_se(
        "SD of ln P",
        sd(&logs),
        omega,
        omega / (2.0 * (n - 1.0)).sqrt(),
    );
}

#[test]
fn log_normal_draws_have_the_target_mean_and_sd_within_3_standard_errors() {
    let s = sampler(vec![Parameter::log_normal("cl", 2.0, 0.4)]);
    let values = s.draw(SEED, N).unwrap().column("cl").unwrap();
    check_log_normal(&values, 2.0, 0.4);
}

#[test]
fn log_normal_by_cv_has_that_cv_within_3_standard_errors() {
    // CV 0.8 means ω² = ln(1 + 0.64) (ω ≈ 0.703, not 0.8): the CV of P is then exactly 0.8.
    let s = sampler(vec![Parameter::log_normal_cv("v", 5.0, 0.8)]);
    let values = s.draw(SEED, N).unwrap().column("v").unwrap();
    let omega = (1.0f64 + 0.64).ln().sqrt();
    check_log_normal(&values, 5.0, omega);
    assert_eq!(Distribution::LogNormalCv { cv: 0.8 }.eta_sd(), Some(omega));
}

#[test]
fn normal_and_uniform_draws_have_their_moments_within_3_standard_errors() {
    let s = sampler(vec![
        Parameter::normal("weight", 70.0, 12.0),
        Parameter::uniform("start", 2.0, 8.0),
    ]);
    let p = s.draw(SEED, N).unwrap();
    let n = N as f64;
    let w = p.column("weight").unwrap();
    within_3_se("normal mean", mean(&w), 70.0, 12.0 / n.sqrt());
    within_3_se("normal SD", sd(&w), 12.0, 12.0 / (2.0 * (n - 1.0)).sqrt());
    let u = p.column("start").unwrap();
    // U[2, 8): mean 5, SD 6/√12; SD of the sample SD ≈ σ·√((9/5 − 1)/(4n)) (kurtosis 9/5).
    let sigma = 6.0 / 12f64.sqrt();
    within_3_se("uniform mean", mean(&u), 5.0, sigma / n.sqrt());
    within_3_se(
        "uniform SD",
        sd(&u),
        sigma,
        sigma * (0.8 / (4.0 * n)).sqrt(),
    );
    assert!(u.iter().all(|&v| (2.0..8.0).contains(&v)));
}

#[test]
fn fixed_parameters_are_the_typical_value_for_every_patient() {
    let s = sampler(vec![
        Parameter::fixed("capacity", 1e12),
        Parameter::log_normal("rate", 0.1, 0.0),
    ]);
    let p = s.draw(SEED, 50).unwrap();
    assert!(p.column("capacity").unwrap().iter().all(|&v| v == 1e12));
    assert!(p.column("rate").unwrap().iter().all(|&v| v == 0.1)); // ω = 0: exp(0) = 1
}

/// Fisher's z: `atanh(r)` is ≈ normal with mean `atanh(ρ)` and SD `1/√(n − 3)`.
fn check_correlation(x: &[f64], y: &[f64], rho: f64, what: &str) {
    let r = pearson(x, y);
    let se = 1.0 / ((x.len() - 3) as f64).sqrt();
    within_3_se(what, r.atanh(), rho.atanh(), se);
}

fn etas(p: &Population, name: &str, typical: f64, log: bool) -> Vec<f64> {
    p.column(name)
        .unwrap()
        .iter()
        .map(|&v| if log { (v / typical).ln() } else { v - typical })
        .collect()
}

#[test]
fn correlated_random_effects_reproduce_the_target_correlations() {
    let rho = [[1.0, 0.6, -0.3], [0.6, 1.0, 0.2], [-0.3, 0.2, 1.0]];
    let spec = PopulationSpec::new(vec![
        Parameter::log_normal("cl", 2.0, 0.3),
        Parameter::log_normal("v", 10.0, 0.2),
        Parameter::fixed("ka", 1.0),
    ])
    .with_covariates(vec![Parameter::normal("weight", 70.0, 12.0)])
    .with_correlations(Correlations::Correlation {
        parameters: vec!["cl".into(), "v".into(), "weight".into()],
        matrix: rho.iter().map(|r| r.to_vec()).collect(),
    });
    let p = spec.sampler().unwrap().draw(SEED, N).unwrap();
    let cl = etas(&p, "cl", 2.0, true);
    let v = etas(&p, "v", 10.0, true);
    let w = etas(&p, "weight", 70.0, false);
    check_correlation(&cl, &v, 0.6, "corr(cl, v)");
    check_correlation(&cl, &w, -0.3, "corr(cl, weight)");
    check_correlation(&v, &w, 0.2, "corr(v, weight)");
    // The marginal spreads stay the parameters' own.
    let n = N as f64;
    within_3_se("SD of η_cl", sd(&cl), 0.3, 0.3 / (2.0 * (n - 1.0)).sqrt());
    within_3_se("SD of η_v", sd(&v), 0.2, 0.2 / (2.0 * (n - 1.0)).sqrt());
    within_3_se(
        "SD of weight",
        sd(&w),
        12.0,
        12.0 / (2.0 * (n - 1.0)).sqrt(),
    );
}

#[test]
fn a_covariance_matrix_gives_the_draws_of_the_equivalent_correlation_matrix() {
    // Ω = D·R·D with D = diag(0.3, 0.2), R = [[1, 0.6], [0.6, 1]]: Ω12 = 0.036.
    let params = vec![
        Parameter::log_normal("cl", 2.0, 0.3),
        Parameter::log_normal("v", 10.0, 0.2),
    ];
    let by_cov = PopulationSpec::new(params.clone()).with_correlations(Correlations::Covariance {
        parameters: vec!["cl".into(), "v".into()],
        matrix: vec![vec![0.09, 0.036], vec![0.036, 0.04]],
    });
    let by_corr = PopulationSpec::new(params).with_correlations(Correlations::Correlation {
        parameters: vec!["cl".into(), "v".into()],
        matrix: vec![vec![1.0, 0.6], vec![0.6, 1.0]],
    });
    let a = by_cov.sampler().unwrap().draw(SEED, 100).unwrap();
    let b = by_corr.sampler().unwrap().draw(SEED, 100).unwrap();
    for (pa, pb) in a.patients().iter().zip(b.patients()) {
        for (x, y) in pa.values().iter().zip(pb.values()) {
            // Ω built two ways differs by rounding only (0.3·0.6·0.2 vs 0.036).
            assert!((x - y).abs() <= 1e-12 * x.abs(), "{x} vs {y}");
        }
    }
}

fn bits(patients: &[Patient]) -> Vec<(usize, Vec<u64>)> {
    patients
        .iter()
        .map(|p| (p.index(), p.values().iter().map(|v| v.to_bits()).collect()))
        .collect()
}

fn determinism_spec() -> Sampler {
    PopulationSpec::new(vec![
        Parameter::log_normal("cl", 2.0, 0.3),
        Parameter::log_normal_cv("v", 10.0, 0.25),
        Parameter::uniform("lag", 0.0, 1.0),
        Parameter::normal("baseline", 50.0, 5.0),
    ])
    .with_covariates(vec![Parameter::normal("weight", 70.0, 12.0)])
    .with_correlations(Correlations::Correlation {
        parameters: vec!["cl".into(), "v".into(), "weight".into()],
        matrix: vec![
            vec![1.0, 0.5, 0.3],
            vec![0.5, 1.0, 0.1],
            vec![0.3, 0.1, 1.0],
        ],
    })
    .sampler()
    .unwrap()
}

#[test]
fn draws_are_bit_identical_in_any_order_chunking_or_thread_count() {
    let s = determinism_spec();
    let n = 1000;
    let in_order: Vec<Patient> = (0..n).map(|i| s.patient(SEED, i).unwrap()).collect();

    let mut reversed: Vec<Patient> = (0..n).rev().map(|i| s.patient(SEED, i).unwrap()).collect();
    reversed.reverse();
    assert_eq!(bits(&in_order), bits(&reversed));

    // Two chunks drawn concurrently on two rayon threads.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let (first, second) = pool.join(
        || s.draw_range(SEED, 0..377).unwrap(),
        || s.draw_range(SEED, 377..n).unwrap(),
    );
    let chunked: Vec<Patient> = first
        .patients()
        .iter()
        .chain(second.patients())
        .cloned()
        .collect();
    assert_eq!(bits(&in_order), bits(&chunked));

    // The parallel draw on 1 and on 2 threads.
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let all = pool.install(|| s.draw(SEED, n).unwrap());
        assert_eq!(bits(&in_order), bits(all.patients()), "{threads} threads");
    }

    // Another seed gives other patients.
    assert_ne!(
        bits(&in_order[..1]),
        bits(&[s.patient(SEED + 1, 0).unwrap()])
    );
}

#[test]
fn patients_are_the_chacha8_stream_of_their_index() {
    // Patient i's first standard normal comes from ChaCha8Rng::seed_from_u64(seed) on stream
    // i (ECOSYSTEM.md); drawn here with rand_distr directly, independent of the sampler.
    use rand::{RngExt, SeedableRng};
    let s = sampler(vec![Parameter::normal("x", 0.0, 1.0)]);
    for i in [0usize, 1, 17, 999_999] {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(SEED);
        rng.set_stream(i as u64);
        let z: f64 = rng.sample(rand_distr::StandardNormal);
        assert_eq!(
            s.patient(SEED, i).unwrap().values()[0].to_bits(),
            z.to_bits()
        );
    }
}

#[test]
fn appending_a_covariate_leaves_the_earlier_parameters_unchanged() {
    let base = vec![
        Parameter::log_normal("cl", 2.0, 0.3),
        Parameter::normal("v", 10.0, 1.0),
    ];
    let a = PopulationSpec::new(base.clone()).sampler().unwrap();
    let b = PopulationSpec::new(base)
        .with_covariates(vec![Parameter::uniform("age", 40.0, 80.0)])
        .sampler()
        .unwrap();
    for i in 0..100 {
        let (pa, pb) = (a.patient(SEED, i).unwrap(), b.patient(SEED, i).unwrap());
        assert_eq!(pa.values(), &pb.values()[..2]);
    }
}

#[test]
fn a_covariance_that_is_not_positive_definite_is_rejected() {
    // det = 1 + 2·(0.9)(−0.9)(0.9) − 3·0.81 = −2.888 < 0.
    let spec = PopulationSpec::new(vec![
        Parameter::log_normal("a", 1.0, 0.2),
        Parameter::log_normal("b", 1.0, 0.2),
        Parameter::log_normal("c", 1.0, 0.2),
    ])
    .with_correlations(Correlations::Correlation {
        parameters: vec!["a".into(), "b".into(), "c".into()],
        matrix: vec![
            vec![1.0, 0.9, -0.9],
            vec![0.9, 1.0, 0.9],
            vec![-0.9, 0.9, 1.0],
        ],
    });
    let err = spec.sampler().unwrap_err();
    assert!(
        matches!(&err, PopulationError::NotPositiveDefinite { parameters } if parameters == "a, b, c"),
        "{err}"
    );
}

fn two(matrix: Vec<Vec<f64>>, covariance: bool) -> PopulationError {
    let parameters = vec!["a".to_string(), "b".to_string()];
    let c = if covariance {
        Correlations::Covariance { parameters, matrix }
    } else {
        Correlations::Correlation { parameters, matrix }
    };
    PopulationSpec::new(vec![
        Parameter::log_normal("a", 1.0, 0.2),
        Parameter::normal("b", 1.0, 0.5),
        Parameter::fixed("f", 1.0),
    ])
    .with_correlations(c)
    .sampler()
    .unwrap_err()
}

#[test]
fn bad_correlation_blocks_are_rejected_naming_the_problem() {
    let err = two(vec![vec![1.0, 0.5], vec![0.4, 1.0]], false);
    assert!(matches!(
        err,
        PopulationError::NotSymmetric { row: 0, column: 1, upper, lower } if upper == 0.5 && lower == 0.4
    ));
    let err = two(vec![vec![1.0, 0.5]], false);
    assert!(matches!(
        err,
        PopulationError::MatrixShape {
            expected: 2,
            got: 1,
            ..
        }
    ));
    let err = two(vec![vec![1.0, 0.5], vec![0.5]], false);
    assert!(matches!(&err, PopulationError::MatrixShape { what, got: 1, .. } if what == "row 1"));
    let err = two(vec![vec![0.9, 0.5], vec![0.5, 1.0]], false);
    assert!(matches!(
        err,
        PopulationError::InvalidMatrixEntry {
            row: 0,
            column: 0,
            ..
        }
    ));
    let err = two(vec![vec![1.0, f64::NAN], vec![f64::NAN, 1.0]], false);
    assert!(matches!(
        err,
        PopulationError::InvalidMatrixEntry {
            row: 0,
            column: 1,
            ..
        }
    ));
    // Covariance diagonal 0.05 vs ω² = 0.04.
    let err = two(vec![vec![0.05, 0.0], vec![0.0, 0.25]], true);
    assert!(
        matches!(&err, PopulationError::VarianceMismatch { parameter, matrix, distribution }
            if parameter == "a" && *matrix == 0.05 && (distribution - 0.04).abs() < 1e-15),
        "{err}"
    );

    let spec = |names: Vec<&str>| {
        PopulationSpec::new(vec![
            Parameter::log_normal("a", 1.0, 0.2),
            Parameter::fixed("f", 1.0),
            Parameter::uniform("u", 0.0, 1.0),
        ])
        .with_correlations(Correlations::Correlation {
            parameters: names.iter().map(|s| s.to_string()).collect(),
            matrix: vec![vec![1.0, 0.0], vec![0.0, 1.0]],
        })
        .sampler()
        .unwrap_err()
    };
    assert!(matches!(&spec(vec!["a", "f"]),
        PopulationError::NotRandom { parameter, distribution: "fixed" } if parameter == "f"));
    assert!(matches!(&spec(vec!["u", "a"]),
        PopulationError::NotRandom { parameter, distribution: "uniform" } if parameter == "u"));
    assert!(matches!(&spec(vec!["a", "zz"]),
        PopulationError::UnknownParameter { name, available } if name == "zz" && available == "a, f, u"));
    assert!(matches!(&spec(vec!["a", "a"]),
        PopulationError::DuplicateName { name } if name == "a"));
}

#[test]
fn bad_distributions_and_names_are_rejected_naming_the_parameter_and_field() {
    let err = |p: Parameter| PopulationSpec::new(vec![p]).sampler().unwrap_err();
    assert!(matches!(
        err(Parameter::log_normal("cl", 2.0, -0.1)),
        PopulationError::InvalidDistribution { field: "omega", .. }
    ));
    assert!(matches!(err(Parameter::log_normal("cl", 0.0, 0.1)),
        PopulationError::InvalidDistribution { field: "typical", value, .. } if value == 0.0));
    assert!(matches!(
        err(Parameter::log_normal_cv("cl", 1.0, f64::NAN)),
        PopulationError::InvalidDistribution { field: "cv", .. }
    ));
    assert!(matches!(
        err(Parameter::normal("w", 70.0, -1.0)),
        PopulationError::InvalidDistribution { field: "sd", .. }
    ));
    assert!(matches!(err(Parameter::uniform("u", 3.0, 3.0)),
        PopulationError::InvalidDistribution { field: "high", value, .. } if value == 3.0));
    assert!(matches!(
        err(Parameter::fixed("k", f64::INFINITY)),
        PopulationError::InvalidDistribution {
            field: "typical",
            ..
        }
    ));
    assert!(matches!(&err(Parameter::fixed("id", 1.0)),
        PopulationError::InvalidName { name, .. } if name == "id"));
    assert!(matches!(
        err(Parameter::fixed("", 1.0)),
        PopulationError::InvalidName { .. }
    ));
    let dup = PopulationSpec::new(vec![Parameter::fixed("k", 1.0)])
        .with_covariates(vec![Parameter::fixed("k", 2.0)])
        .sampler()
        .unwrap_err();
    assert!(matches!(&dup, PopulationError::DuplicateName { name } if name == "k"));
}

#[test]
fn an_overflowing_draw_is_an_error_naming_the_patient_and_parameter() {
    // θ·exp(η) with ω = 4000 overflows for η > ~710, i.e. z > 0.18: about 43% of patients.
    let s = sampler(vec![Parameter::log_normal("huge", 1.0, 4000.0)]);
    let err = (0..100).find_map(|i| s.patient(SEED, i).err()).unwrap();
    assert!(
        matches!(&err, PopulationError::NonFiniteDraw { parameter, .. } if parameter == "huge")
    );
}

#[test]
fn a_population_round_trips_through_csv_bit_for_bit() {
    // ω = 3 spreads values over ~20 orders of magnitude, exercising both number formats.
    let s = sampler(vec![
        Parameter::log_normal("wide", 1.0, 3.0),
        Parameter::normal("signed", 0.0, 1e-3),
        Parameter::uniform("unit", 0.0, 1.0),
    ]);
    let drawn = s.draw_range(SEED, 5..505).unwrap();
    let mut csv = Vec::new();
    drawn.write_csv(&mut csv).unwrap();
    let read = Population::read_csv(csv.as_slice()).unwrap();
    assert_eq!(read.names(), drawn.names());
    assert_eq!(bits(read.patients()), bits(drawn.patients()));
    assert_eq!(read.patients()[0].index(), 5);

    // Awkward values by hand: thirds, a subnormal, −0, extremes, integers.
    let awkward = vec![
        1.0 / 3.0,
        -2.0 / 3.0,
        5e-324,
        -0.0,
        f64::MAX,
        f64::MIN_POSITIVE,
        1e15,
        9.999_999_999_999_999e14,
        1e-4,
        0.000_099_999_999_999_999_99,
        123_456_789.0,
        0.1 + 0.2,
    ];
    let names: Vec<String> = (0..awkward.len()).map(|i| format!("p{i}")).collect();
    let pop = Population::new(names, vec![(42, awkward)]).unwrap();
    let mut csv = Vec::new();
    pop.write_csv(&mut csv).unwrap();
    let back = Population::read_csv(csv.as_slice()).unwrap();
    assert_eq!(bits(back.patients()), bits(pop.patients()));
    let text = String::from_utf8(csv).unwrap();
    assert!(text.starts_with("id,p0,p1,"), "{text}");
    assert!(text.contains("42,0.3333333333333333,"), "{text}");
}

#[test]
fn a_population_file_round_trips_through_a_path() {
    let s = sampler(vec![Parameter::log_normal("cl", 2.0, 0.3)]);
    let pop = s.draw(SEED, 20).unwrap();
    let dir = std::env::temp_dir().join(format!("oncodyn-population-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("population.csv");
    pop.write(&path).unwrap();
    let back = Population::read(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(bits(back.patients()), bits(pop.patients()));
    let missing = Population::read(dir.join("missing.csv")).unwrap_err();
    assert!(matches!(missing, PopulationError::File { .. }));
}

#[test]
fn csv_errors_name_the_line_and_column() {
    let read = |s: &str| Population::read_csv(s.as_bytes()).unwrap_err();
    let err = read("id,cl,v\n0,1.5,10\n1,abc,10\n");
    assert!(
        matches!(&err, PopulationError::NotANumber { line: 3, column, text } if column == "cl" && text == "abc"),
        "{err}"
    );
    let err = read("id,cl\n0,inf\n");
    assert!(
        matches!(&err, PopulationError::NotANumber { line: 2, .. }),
        "{err}"
    );
    let err = read("id,cl\n0,1\n-1,2\n");
    assert!(
        matches!(&err, PopulationError::InvalidId { line: 3, text, .. } if text == "-1"),
        "{err}"
    );
    let err = read("id,cl\n4,1\n4,2\n");
    assert!(
        matches!(&err, PopulationError::InvalidId { line: 3, .. }),
        "{err}"
    );
    let err = read("cl,id\n1,0\n");
    assert!(
        matches!(&err, PopulationError::MissingColumn { line: 1, column, .. } if column == "id")
    );
    let err = read("id,cl,cl\n0,1,2\n");
    assert!(matches!(&err, PopulationError::DuplicateName { name } if name == "cl"));
    let err = read("id,cl\n0,1,2\n");
    assert!(
        matches!(&err, PopulationError::Csv { line: Some(2), .. }),
        "{err}"
    );
}

#[test]
fn covariate_files_reject_unknown_and_missing_columns_by_name() {
    let read = |s: &str| Population::read_covariates_csv(s.as_bytes(), &["weight", "height"]);
    let err = read("weight,height,shoe_size\n70,170,42\n").unwrap_err();
    assert!(
        matches!(&err, PopulationError::UnknownColumn { line: 1, column, expected }
            if column == "shoe_size" && expected == "weight, height"),
        "{err}"
    );
    let err = read("weight\n70\n").unwrap_err();
    assert!(matches!(&err, PopulationError::MissingColumn { column, .. } if column == "height"));
    let err = read("height,weight\n170,70\n180,eighty\n").unwrap_err();
    assert!(
        matches!(&err, PopulationError::NotANumber { line: 3, column, text } if column == "weight" && text == "eighty"),
        "{err}"
    );

    // With an id column the ids are the indices; names come in `expected` order.
    let cov = read("height,id,weight\n170,3,70\n180,4,82.5\n").unwrap();
    assert_eq!(cov.names(), &["weight", "height"]);
    assert_eq!(cov.patients()[1].index(), 4);
    assert_eq!(cov.patients()[1].values(), &[82.5, 180.0]);
    assert_eq!(cov.patients()[1].subject().weight, Some(82.5));
    assert_eq!(cov.patients()[1].subject().bsa, None);
}

#[test]
fn drawn_parameters_join_covariates_read_from_a_file() {
    let s = sampler(vec![Parameter::log_normal("cl", 2.0, 0.3)]);
    let drawn = s.draw(SEED, 3).unwrap();
    let cov =
        Population::read_covariates_csv("weight\n60\n70\n80\n".as_bytes(), &["weight"]).unwrap();
    let joined = drawn.join(&cov).unwrap();
    assert_eq!(joined.names(), &["cl", "weight"]);
    assert_eq!(joined.column("weight").unwrap(), vec![60.0, 70.0, 80.0]);
    assert_eq!(joined.column("cl").unwrap(), drawn.column("cl").unwrap());

    let short =
        Population::read_covariates_csv("weight\n60\n70\n".as_bytes(), &["weight"]).unwrap();
    let err = drawn.join(&short).unwrap_err();
    assert!(matches!(
        err,
        PopulationError::PatientMismatch {
            position: 2,
            left: Some(2),
            right: None
        }
    ));
    let err = drawn.join(&drawn).unwrap_err();
    assert!(matches!(&err, PopulationError::DuplicateName { name } if name == "cl"));
}

#[test]
fn population_rows_are_checked() {
    let names = vec!["a".to_string(), "b".to_string()];
    let err = Population::new(names.clone(), vec![(0, vec![1.0])]).unwrap_err();
    assert!(matches!(
        err,
        PopulationError::RowLength {
            patient: 0,
            expected: 2,
            got: 1
        }
    ));
    let err = Population::new(names.clone(), vec![(0, vec![1.0, f64::NAN])]).unwrap_err();
    assert!(matches!(&err, PopulationError::NonFiniteValue { parameter, .. } if parameter == "b"));
    let err = Population::new(names, vec![(1, vec![1.0, 2.0]), (1, vec![1.0, 2.0])]).unwrap_err();
    assert!(matches!(err, PopulationError::DuplicateIndex { index: 1 }));
}

// ---------------------------------------------------------------------------------------------
// Parameter paths and maps
// ---------------------------------------------------------------------------------------------

fn immuno_model() -> Model {
    let mut b = ModelBuilder::new();
    let tumor = b
        .tumor(
            TumorSpec::new(
                "tumor",
                1e9,
                Gompertz {
                    rate: 0.05,
                    capacity: 1e12,
                },
            )
            .with_transit(3, 0.5),
        )
        .unwrap();
    let ctl = b
        .effector(CellSpec {
            name: "ctl".into(),
            initial: 1e6,
            source: 1e4,
            death: 0.04,
            ..Default::default()
        })
        .unwrap();
    let pd1 = b
        .drug(DrugSpec::new(
            "anti_pd1",
            OneCompartment { cl: 0.2, v: 3.0 },
        ))
        .unwrap();
    b.kill(ctl, tumor, MassAction { rate: 1e-7 }).unwrap();
    b.effect(
        pd1,
        oncodyn::builder::Target::EffectorKill(ctl),
        Emax {
            emax: 1.0,
            ec50: 10.0,
        },
    )
    .unwrap();
    b.effect(
        pd1,
        oncodyn::builder::Target::EffectorDeath(ctl),
        Linear { slope: 0.001 },
    )
    .unwrap();
    b.build().unwrap()
}

#[test]
fn parameter_paths_parse_into_fields_and_selectors() {
    let p: ParamPath = "kills[ctl -> tumor].law.rate".parse().unwrap();
    assert_eq!(
        p.segments(),
        &[
            Segment::Field("kills".into()),
            Segment::Element(Selector::Pair {
                source: "ctl".into(),
                target: "tumor".into()
            }),
            Segment::Field("law".into()),
            Segment::Field("rate".into()),
        ]
    );
    let p = ParamPath::parse("effects[1].law.slope").unwrap();
    assert_eq!(p.segments()[1], Segment::Element(Selector::Index(1)));
    assert_eq!(p.to_string(), "effects[1].law.slope");

    for (bad, position) in [
        ("", 0),
        ("tumors[tumor", 6),
        ("tumors[].rate", 7),
        ("tumors..rate", 7),
        ("tumors.rate.", 12),
        ("tumors[a->]", 7),
        ("tumors rate", 6),
    ] {
        let err = ParamPath::parse(bad).unwrap_err();
        assert!(
            matches!(&err, PathError::InvalidPath { position: p, .. } if *p == position),
            "{bad}: {err}"
        );
    }
}

#[test]
fn parameter_paths_read_and_write_every_kind_of_model_parameter() {
    let model = immuno_model();
    let mut spec = model.spec().clone();
    let cases = [
        ("tumors[tumor].growth.rate", 0.05),
        ("tumors[tumor].growth.capacity", 1e12),
        ("tumors[tumor].initial", 1e9),
        ("tumors[tumor].transit.rate", 0.5),
        ("effectors[ctl].death", 0.04),
        ("drugs[anti_pd1].cl", 0.2),
        ("kills[ctl->tumor].law.rate", 1e-7),
        ("effects[0].law.ec50", 10.0),
        ("effects[1].law.slope", 0.001),
    ];
    for (path, value) in cases {
        let p = ParamPath::parse(path).unwrap();
        assert_eq!(p.get(&spec).unwrap(), value, "{path}");
        p.set(&mut spec, value * 3.0).unwrap();
        assert_eq!(p.get(&spec).unwrap(), value * 3.0, "{path}");
    }
    assert_eq!(spec.tumors[0].initial, 3e9);
    assert_eq!(spec.drugs[0].cl, 0.6000000000000001);
    // Everything else is untouched: setting the old values back restores the model exactly.
    for (path, value) in cases {
        ParamPath::parse(path)
            .unwrap()
            .set(&mut spec, value)
            .unwrap();
    }
    assert_eq!(&spec, model.spec());

    // Dotted names and positions select list elements too.
    for (dotted, bracketed) in [
        ("tumors.tumor.growth.rate", "tumors[tumor].growth.rate"),
        ("effects.1.law.slope", "effects[1].law.slope"),
    ] {
        let a = ParamPath::parse(dotted).unwrap().get(&spec).unwrap();
        let b = ParamPath::parse(bracketed).unwrap().get(&spec).unwrap();
        assert_eq!(a, b, "{dotted}");
    }
}

#[test]
fn parameter_path_errors_list_what_exists() {
    let spec = immuno_model().spec().clone();
    let get = |p: &str| ParamPath::parse(p).unwrap().get(&spec).unwrap_err();

    let err = get("tumors[tumor].growth.rat");
    assert!(
        matches!(&err, PathError::UnknownField { at, field, available, .. }
            if at == "tumors[tumor].growth" && field == "rat" && available == "capacity, rate, type"),
        "{err}"
    );
    let err = get("tumors[tumour].initial");
    assert!(
        matches!(&err, PathError::UnknownElement { selector, matches: 0, available, .. }
            if selector == "tumour" && available == "0 (tumor)"),
        "{err}"
    );
    // Two effects of anti_pd1 on ctl: ambiguous, so the index is needed.
    let err = get("effects[anti_pd1->ctl].law.ec50");
    assert!(
        matches!(&err, PathError::UnknownElement { matches: 2, available, .. }
            if available == "0 (anti_pd1->ctl), 1 (anti_pd1->ctl)"),
        "{err}"
    );
    let err = get("effects[7].law.ec50");
    assert!(
        matches!(&err, PathError::UnknownElement { matches: 0, .. }),
        "{err}"
    );
    let err = get("tumors[tumor].transit.compartments");
    assert!(
        matches!(
            &err,
            PathError::NotReal {
                found: "an integer",
                ..
            }
        ),
        "{err}"
    );
    let err = get("tumors[tumor].growth");
    assert!(
        matches!(&err, PathError::NotReal { found: "a table", available, .. } if available == "capacity, rate, type"),
        "{err}"
    );
    let err = get("suppressors[treg].death");
    assert!(
        matches!(&err, PathError::UnknownField { field, available, .. }
            if field == "suppressors" && available.contains("effectors")),
        "{err}"
    );
}

#[test]
fn a_param_map_rebuilds_the_model_with_each_patients_values() {
    let model = immuno_model();
    let spec = PopulationSpec::new(vec![
        Parameter::log_normal("growth", 0.05, 0.3),
        Parameter::log_normal("kill", 1e-7, 0.5),
    ])
    .with_covariates(vec![Parameter::normal("weight", 70.0, 10.0)]);
    let pop = spec.sampler().unwrap().draw(SEED, 10).unwrap();
    let map = ParamMap::new()
        .path("growth", "tumors[tumor].growth.rate")
        .unwrap()
        .path("kill", "kills[ctl->tumor].law.rate")
        .unwrap()
        .function(
            "weight-scaled clearance",
            |p: &Patient, s: &mut ModelSpec| {
                s.drugs[0].cl = 0.2 * (p.get("weight")? / 70.0).powf(0.75);
                Ok(())
            },
        );
    map.check(model.spec(), pop.names()).unwrap();

    let tumor = model.tumor("tumor").unwrap();
    for patient in pop.patients() {
        let m = map.model_for(&model, patient).unwrap();
        let s = m.spec();
        assert_eq!(
            ParamPath::parse("tumors[tumor].growth.rate")
                .unwrap()
                .get(s)
                .unwrap(),
            patient.get("growth").unwrap()
        );
        assert_eq!(
            s.kills[0].law,
            oncodyn::model::KillLaw::MassAction(MassAction {
                rate: patient.get("kill").unwrap()
            })
        );
        assert_eq!(
            s.drugs[0].cl,
            0.2 * (patient.get("weight").unwrap() / 70.0).powf(0.75)
        );
        // The base model's handles read the patient's trajectory.
        let traj = simulate(
            &m,
            &Regimen::new("none"),
            &[0.0, 1.0],
            &SolverOptions::default(),
        )
        .unwrap();
        assert_eq!(traj.column(tumor).unwrap().get(0), Some(1e9));
    }
    // The base model is unchanged and applying twice gives the same model.
    assert_eq!(
        ParamPath::parse("tumors[tumor].growth.rate")
            .unwrap()
            .get(model.spec())
            .unwrap(),
        0.05
    );
    let p = &pop.patients()[3];
    assert_eq!(
        map.model_for(&model, p).unwrap().spec(),
        map.model_for(&model, p).unwrap().spec()
    );
}

#[test]
fn param_map_errors_name_the_missing_value_or_the_bad_parameter() {
    let model = immuno_model();
    let names = vec!["growth".to_string()];
    let map = ParamMap::new()
        .path("grwoth", "tumors[tumor].growth.rate")
        .unwrap();
    let err = map.check(model.spec(), &names).unwrap_err();
    assert!(
        matches!(&err, PopulationError::UnknownParameter { name, available }
        if name == "grwoth" && available == "growth")
    );
    let map = ParamMap::new()
        .path("growth", "tumors[tumor].growth.r")
        .unwrap();
    assert!(matches!(
        map.check(model.spec(), &names).unwrap_err(),
        PopulationError::Path(PathError::UnknownField { .. })
    ));

    // A negative capacity reaches the model's own checks, which name component and parameter.
    let pop = Population::new(names, vec![(0, vec![-5.0])]).unwrap();
    let map = ParamMap::new()
        .path("growth", "tumors[tumor].growth.capacity")
        .unwrap();
    let err = map.model_for(&model, &pop.patients()[0]).unwrap_err();
    let Error::Build(build) = err else {
        panic!("{err}")
    };
    assert!(
        build.problems().iter().any(|p| matches!(p,
        BuildError::InvalidParameter { component, param: "capacity", .. } if component == "tumor")),
        "{build}"
    );
}
