//! The generic fit command line (`examples/fit.rs`), driven in-process: arguments parsed by
//! clap as on the command line, then `run`. The data are written by the tests from closed-form
//! solutions with known parameters, so the truth the estimates are checked against is the
//! simulation's, not an earlier fit's.

use clap::Parser;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use std::fs;
use std::path::{Path, PathBuf};

#[allow(dead_code)] // the example's `main` and helpers this test does not call
#[path = "../examples/fit.rs"]
mod example;

use example::{run, Args};

/// The drug of the PK model files.
const DRUG: &str = "testdrug";

/// IV bolus doses: amount (mg) and times (days).
const DOSE: f64 = 100.0;
const DOSE_TIMES: [f64; 3] = [0.0, 7.0, 14.0];

/// Sampling times (days); 7 and 14 are troughs, sampled at the dose time (before the dose).
const SAMPLE_TIMES: [f64; 8] = [0.25, 1.0, 3.0, 7.0, 8.0, 14.0, 15.5, 21.0];

/// Subjects in the PK data sets.
const SUBJECTS: usize = 6;

/// The true clearance (L/day) and central volume (L) of the pooled data.
const CL: f64 = 0.5;
const V1: f64 = 5.0;

/// SD of the log-normal multiplicative scatter of the simulated observations.
const SCATTER_SD: f64 = 0.04;

/// Seeded multiplicative scatter: `exp(SCATTER_SD·z)`, `z` standard normal, independent
/// draws.
struct Scatter(ChaCha8Rng);

impl Scatter {
    fn new() -> Self {
        Scatter(ChaCha8Rng::seed_from_u64(20_261_125))
    }

    fn factor(&mut self) -> f64 {
        let z: f64 = self.0.sample(StandardNormal);
        (SCATTER_SD * z).exp()
    }
}

/// One-compartment model with IV bolus doses; initial values 2× from the truth.
const PK_MODEL: &str = r#"
[[model.drugs]]
name = "testdrug"
cl = 1.0
v1 = 10.0

[simulation]
horizon = 21.0
step = 1.0
"#;

/// A model with a central volume `v1` and a peripheral volume `v`: `--free v` is ambiguous.
const PK2_MODEL: &str = r#"
[[model.drugs]]
name = "testdrug"
cl = 1.0
v1 = 10.0

[[model.drugs.peripherals]]
q = 0.5
v = 4.0

[simulation]
horizon = 21.0
step = 1.0
"#;

/// A fresh directory for one test's files, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("oncodyn-fit-cli-{}-{test}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// Writes `text` to the file `name` in the directory and returns its path.
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The closed-form concentration (mg/L) of the one-compartment IV bolus model at `t`:
/// `Σ DOSE/V·exp(−CL/V·(t − t_d))` over the doses given before `t` (a sample at a dose time
/// sees the state before that dose).
fn concentration(cl: f64, v: f64, t: f64) -> f64 {
    DOSE_TIMES
        .iter()
        .filter(|&&td| td < t)
        .map(|&td| DOSE / v * (-cl / v * (t - td)).exp())
        .sum()
}

/// A NONMEM-style data set: one subject per `(CL, V1)`, the doses and samples above, each
/// concentration times a scatter factor. A trough sample comes before its dose's record.
fn pk_data(subjects: &[(f64, f64)]) -> String {
    let mut csv = String::from("ID,TIME,EVID,AMT,CMT,DV\n");
    let mut scatter = Scatter::new();
    for (i, &(cl, v)) in subjects.iter().enumerate() {
        let id = i + 1;
        let mut rows: Vec<(f64, u8, String)> = Vec::new();
        for &t in &DOSE_TIMES {
            rows.push((t, 1, format!("{id},{t},1,{DOSE},{DRUG}_central,.")));
        }
        for &t in &SAMPLE_TIMES {
            let dv = concentration(cl, v, t) * scatter.factor();
            rows.push((t, 0, format!("{id},{t},0,0,.,{dv}")));
        }
        rows.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (_, _, row) in rows {
            csv.push_str(&row);
            csv.push('\n');
        }
    }
    csv
}

/// Every subject with the pooled truth.
fn pooled_subjects() -> Vec<(f64, f64)> {
    vec![(CL, V1); SUBJECTS]
}

/// Subjects whose clearances span 0.3–1.2 L/day (and volumes 4–6.5 L).
fn distinct_subjects() -> Vec<(f64, f64)> {
    vec![
        (0.3, 4.0),
        (0.45, 5.5),
        (0.6, 4.5),
        (0.8, 6.5),
        (1.0, 5.0),
        (1.2, 6.0),
    ]
}

/// Runs the command line `fit --model MODEL --data DATA ARGS…`.
fn run_cli(model: &Path, data: &Path, args: &[&str]) -> Result<(), String> {
    let mut argv: Vec<String> = vec![
        "fit".into(),
        "--model".into(),
        model.display().to_string(),
        "--data".into(),
        data.display().to_string(),
    ];
    argv.extend(args.iter().map(|a| a.to_string()));
    let args = Args::try_parse_from(argv).map_err(|e| e.to_string())?;
    run(&args).map_err(|e| e.to_string())
}

/// Runs the command line with `--out DIR/out --starts 2 --seed 1` and returns the report it
/// wrote, with the output directory.
fn fit(dir: &TempDir, model: &Path, data: &Path, args: &[&str]) -> (toml::Value, PathBuf) {
    let out = dir.0.join("out");
    let out_str = out.display().to_string();
    let mut all = vec!["--out", &out_str, "--starts", "2", "--seed", "1"];
    all.extend_from_slice(args);
    if let Err(e) = run_cli(model, data, &all) {
        panic!("fit {all:?} failed: {e}");
    }
    let text = fs::read_to_string(out.join("report.toml")).unwrap();
    (toml::from_str(&text).unwrap(), out)
}

fn float(v: &toml::Value) -> f64 {
    v.as_float()
        .or_else(|| v.as_integer().map(|i| i as f64))
        .unwrap()
}

/// The estimate of `name` in a `FitReport` table, with its 95% interval.
fn estimate(report: &toml::Value, name: &str) -> (f64, f64, f64) {
    let e = report["estimates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no estimate `{name}` in {report}"));
    let interval = &e["interval"];
    (
        float(&e["estimate"]),
        float(&interval["lower"]),
        float(&interval["upper"]),
    )
}

/// Whether the best search of a `FitReport` table met a convergence test.
fn converged(report: &toml::Value) -> bool {
    report["termination"]["reason"]
        .as_str()
        .is_some_and(|t| t.starts_with("converged"))
}

/// Checks that an estimate is within `tolerance` (relative) of `truth` and that its 95%
/// interval covers the truth.
fn check_near(name: &str, (est, lower, upper): (f64, f64, f64), truth: f64, tolerance: f64) {
    assert!(
        (est - truth).abs() <= tolerance * truth,
        "{name} = {est}, truth {truth}"
    );
    assert!(
        lower <= truth && truth <= upper,
        "{name}: 95% interval [{lower}, {upper}] misses the truth {truth}"
    );
}

/// Checks an SVG plot: an SVG document with a line and one circle per observation.
fn check_svg(path: &Path, n_observations: usize) {
    let svg = fs::read_to_string(path).unwrap();
    assert!(svg.trim_start().starts_with("<svg"), "{}", path.display());
    assert!(svg.contains("<polyline"), "{}: no line", path.display());
    assert_eq!(
        svg.matches("<circle").count(),
        n_observations,
        "{}: one point per observation",
        path.display()
    );
}

/// Pooled fit of a data set simulated from the closed-form one-compartment IV bolus model
/// with known CL and V1 (6 subjects, 3 doses, 8 samples each, 4% log-normal scatter): the
/// estimates are within 3% of the truth and their 95% intervals cover it, the proportional SD
/// is close to the scatter's, and the report and both plots are written (one point per
/// observation).
#[test]
fn pooled_fit_recovers_simulated_clearance_and_volume() {
    let dir = TempDir::new("pooled");
    let model = dir.write("model.toml", PK_MODEL);
    let data = dir.write("data.csv", &pk_data(&pooled_subjects()));
    let (report, out) = fit(
        &dir,
        &model,
        &data,
        &["--free", "cl,v1", "--error", "proportional"],
    );
    let n = SUBJECTS * SAMPLE_TIMES.len();
    assert_eq!(report["n_observations"].as_integer(), Some(n as i64));
    assert!(converged(&report), "{}", report["termination"]);
    check_near("cl", estimate(&report, "cl"), CL, 0.03);
    check_near("v1", estimate(&report, "v1"), V1, 0.03);

    // The proportional SD: near the scatter's (its estimate from 48 observations has a
    // relative SD of about 1/√96 ≈ 10%).
    let sigma = report["error_parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"].as_str() == Some("sigma"))
        .map(|e| float(&e["estimate"]))
        .unwrap();
    assert!(
        (0.7 * SCATTER_SD..1.3 * SCATTER_SD).contains(&sigma),
        "sigma {sigma}, scatter SD {SCATTER_SD}"
    );

    check_svg(&out.join("fit.svg"), n);
    check_svg(&out.join("gof.svg"), n);
}

/// Per-subject fits of subjects with different simulated CL and V1: every subject is fitted
/// and converged, and each estimate is within 8% of that subject's own truth (8 samples: RSEs up to
/// about 4%); the report's
/// two-stage mean of CL is the mean of the individual estimates.
#[test]
fn per_subject_fits_recover_each_subjects_parameters() {
    let dir = TempDir::new("per-subject");
    let model = dir.write("model.toml", PK_MODEL);
    let truth = distinct_subjects();
    let data = dir.write("data.csv", &pk_data(&truth));
    let (report, out) = fit(&dir, &model, &data, &["--free", "cl,v1", "--per-subject"]);
    assert!(report["failures"].as_array().unwrap().is_empty());
    assert!(report["not_converged"].as_array().unwrap().is_empty());
    let fits = report["fits"].as_array().unwrap();
    assert_eq!(fits.len(), truth.len());
    let mut sum_cl = 0.0;
    for (i, (f, &(cl, v))) in fits.iter().zip(&truth).enumerate() {
        let id = (i + 1).to_string();
        assert_eq!(f["subjects"].as_array().unwrap()[0].as_str(), Some(&*id));
        assert!(converged(f), "subject {id}: {}", f["termination"]);
        let (cl_hat, _, _) = estimate(f, "cl");
        let (v_hat, _, _) = estimate(f, "v1");
        assert!(
            (cl_hat - cl).abs() <= 0.08 * cl,
            "subject {id}: CL {cl_hat}, truth {cl}"
        );
        assert!(
            (v_hat - v).abs() <= 0.08 * v,
            "subject {id}: V1 {v_hat}, truth {v}"
        );
        sum_cl += cl_hat;
    }
    let summary = report["summary"].as_array().unwrap();
    let cl_summary = summary
        .iter()
        .find(|s| s["parameter"].as_str() == Some("cl"))
        .unwrap();
    let mean = float(&cl_summary["mean"]);
    assert!((mean - sum_cl / truth.len() as f64).abs() <= 1e-9 * mean);
    check_svg(&out.join("fit.svg"), SUBJECTS * SAMPLE_TIMES.len());
}

/// Full parameter paths and short names (`v` for `v1`) resolve to the same parameters: the
/// two fits have the same paths, estimates and −2LL.
#[test]
fn full_paths_and_short_names_give_the_same_fit() {
    let dir = TempDir::new("paths");
    let model = dir.write("model.toml", PK_MODEL);
    let data = dir.write("data.csv", &pk_data(&pooled_subjects()));
    let full = format!("drugs[{DRUG}].cl,drugs[{DRUG}].v1");
    let (by_path, _) = fit(&dir, &model, &data, &["--free", &full]);
    let (by_name, _) = fit(&dir, &model, &data, &["--free", "cl,v"]);
    let paths = |r: &toml::Value| -> Vec<String> {
        r["estimates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        paths(&by_path),
        [format!("drugs[{DRUG}].cl"), format!("drugs[{DRUG}].v1")]
    );
    assert_eq!(paths(&by_path), paths(&by_name));
    for (a, b) in [("cl", "cl"), ("v1", "v")] {
        let (x, _, _) = estimate(&by_path, a);
        let (y, _, _) = estimate(&by_name, b);
        assert!((x - y).abs() <= 1e-9 * x, "{a}: {x} by path, {y} by name");
    }
    let m2ll = |r: &toml::Value| float(&r["minus_two_log_likelihood"]);
    assert!((m2ll(&by_path) - m2ll(&by_name)).abs() <= 1e-9 * m2ll(&by_path).abs().max(1.0));
}

/// Bad input is an error naming what is wrong, never a panic: unknown and ambiguous short
/// names (listing the model's parameters or the candidates), a non-numeric DV (its line and
/// column, and the file), an unknown error model (the valid ones), a missing model file (its
/// path).
#[test]
fn bad_input_gives_errors_that_name_the_problem() {
    let dir = TempDir::new("errors");
    let model = dir.write("model.toml", PK_MODEL);
    let csv = pk_data(&pooled_subjects());
    let data = dir.write("data.csv", &csv);
    let err = |model: &Path, data: &Path, args: &[&str]| -> String {
        match run_cli(model, data, args) {
            Ok(()) => panic!("{args:?} succeeded"),
            Err(e) => e,
        }
    };
    let has = |message: &str, parts: &[&str]| {
        for p in parts {
            assert!(message.contains(p), "`{p}` not in: {message}");
        }
    };

    let e = err(&model, &data, &["--free", "foo"]);
    has(
        &e,
        &[
            "no numeric field of the model is called `foo`",
            "drugs[testdrug].cl",
            "drugs[testdrug].v1",
        ],
    );

    let two_compartment = dir.write("model2.toml", PK2_MODEL);
    let e = err(&two_compartment, &data, &["--free", "cl,v"]);
    has(
        &e,
        &[
            "--free v is ambiguous",
            "drugs[testdrug].v1",
            "drugs[testdrug].peripherals[0].v",
        ],
    );

    // Line 5 of the file (the header is line 1) is an observation: its DV becomes text.
    let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
    let (head, dv) = lines[4].rsplit_once(',').unwrap();
    assert_ne!(dv, ".", "line 5 should be an observation");
    lines[4] = format!("{head},abc");
    let bad = dir.write("bad.csv", &(lines.join("\n") + "\n"));
    let e = err(&model, &bad, &["--free", "cl"]);
    has(&e, &["line 5", "`DV`", "`abc`", &bad.display().to_string()]);

    let e = err(&model, &data, &["--free", "cl", "--error", "exponential"]);
    has(
        &e,
        &[
            "exponential",
            "additive, proportional, combined or lognormal",
        ],
    );

    let missing = dir.0.join("no_such_model.toml");
    let e = err(&missing, &data, &["--free", "cl"]);
    has(&e, &[&missing.display().to_string()]);
}

/// `--output` names an observed column other than a concentration: an untreated tumor
/// growing exponentially, `V(t) = V0·exp(r·t)` with known `V0` and `r`, sampled in 3 animals
/// with scatter; the fitted growth rate and initial volume are within 3% of the truth and
/// their intervals cover it.
#[test]
fn tumor_growth_rate_is_fitted_through_output() {
    const V0: f64 = 80.0;
    const RATE: f64 = 0.12;
    let dir = TempDir::new("tumor");
    let model = dir.write(
        "tumor.toml",
        r#"
[[model.tumors]]
name = "tumor"
initial = 50.0
growth = { type = "exponential", rate = 0.05 }

[simulation]
horizon = 21.0
step = 1.0
"#,
    );
    let mut csv = String::from("ID,TIME,DV\n");
    let mut scatter = Scatter::new();
    let mut n = 0;
    for id in 1..=3 {
        for t in [0.0, 3.0, 7.0, 10.0, 14.0, 17.0, 21.0] {
            let v = V0 * (RATE * t).exp() * scatter.factor();
            n += 1;
            csv.push_str(&format!("{id},{t},{v}\n"));
        }
    }
    let data = dir.write("tumor.csv", &csv);
    let (report, out) = fit(
        &dir,
        &model,
        &data,
        &[
            "--free",
            "tumors[tumor].growth.rate,initial",
            "--output",
            "tumor",
        ],
    );
    assert_eq!(report["output"].as_str(), Some("tumor"));
    assert!(converged(&report), "{}", report["termination"]);
    check_near("rate", estimate(&report, "rate"), RATE, 0.03);
    check_near("initial", estimate(&report, "initial"), V0, 0.03);
    check_svg(&out.join("gof.svg"), n);
}
