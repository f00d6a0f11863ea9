//! Throughput of a population study: `vpop_1000` (PROBLEMS.md problem 5) through `Study::run`
//! on 1 and on 2 threads, in the same run and group (STYLE.md §6), so the speed-up is a ratio
//! measured under the same conditions.
//!
//! Group `vpop_1000`: the 1000 patients of `tests/data/vpop_1000_params.csv` (λ0, λ1, k2, w0
//! and k per patient) in `catalog::simeoni_2004`, one arm of 20 mg boluses at 9, 11, 13 d, daily
//! outputs 0..40 d, Dopri5 at the tolerances of `tests/study.rs` (rtol 1e-10, atol 1e-18 g and
//! 1e-12 mg), default endpoints:
//!
//! - `threads_1`: `Study::run(Some(1), …)`;
//! - `threads_2`: `Study::run(Some(2), …)`.
//!
//! `Throughput::Elements(1000)`: criterion reports patients per second. The setup checks once
//! that both give every patient's day-40 weight of `tests/data/vpop_1000_final.csv` to 1e-6
//! relative, and that they agree bit for bit. CI-sized: `sample_size(10)`.

use criterion::{Criterion, Throughput};
use oncodyn::compare::{Outcome, ParamMap, Population, Study, StudyResult};
use oncodyn::dosing::{Dose, Regimen};
use oncodyn::model::catalog::{simeoni_2004, SimeoniParams};
use oncodyn::solver::{AbsoluteTolerance, SolverOptions};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

/// Patients of `vpop_1000`.
const PATIENTS: usize = 1000;
/// Agreement required with the reference (PROBLEMS.md problem 5).
const REL_TOL: f64 = 1e-6;

fn data(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
        .join(file)
}

/// The study, built and checked once.
fn setup() -> Result<Study, String> {
    let model = simeoni_2004(&SimeoniParams {
        lambda0: 0.273,
        lambda1: 0.814,
        psi: 20.0,
        k1: 0.5,
        k2: 0.3,
        volume: 1.0,
        elimination: 2.0,
        w0: 0.1,
    })
    .map_err(|e| format!("building simeoni_2004: {e}"))?
    .model;
    let patients = Population::read(data("vpop_1000_params.csv"))
        .map_err(|e| format!("reading the population: {e}"))?;
    if patients.len() != PATIENTS {
        return Err(format!("{} patients, not {PATIENTS}", patients.len()));
    }
    // cl = k·V with V = 1 L: the column is the clearance exactly.
    let parameters = [
        ("lambda0_per_d", "tumors[tumor].growth.lambda0"),
        ("lambda1_g_per_d", "tumors[tumor].growth.lambda1"),
        ("k2_L_per_mg_per_d", "effects[drug->tumor].law.slope"),
        ("w0_g", "tumors[tumor].initial"),
        ("drug_k_per_d", "drugs[drug].cl"),
    ]
    .iter()
    .try_fold(ParamMap::new(), |m, (name, path)| m.path(*name, path))
    .map_err(|e| format!("parameter map: {e}"))?;
    let arm =
        Regimen::new("20 mg d9, d11, d13").with(Dose::bolus(9.0, "drug", 20.0).repeated(2.0, 3));
    let times: Vec<f64> = (0..=40).map(f64::from).collect();
    let mut study = Study::new(model, vec![arm], patients, parameters, times);
    study.options = SolverOptions {
        rtol: 1e-10,
        atol: AbsoluteTolerance {
            grams: 1e-18,
            milligrams: 1e-12,
            ..AbsoluteTolerance::default()
        },
        ..SolverOptions::default()
    };
    check(&study)?;
    Ok(study)
}

fn final_weights(result: &StudyResult) -> Result<Vec<(usize, f64)>, String> {
    result
        .outcomes
        .iter()
        .map(|o| match o {
            Outcome::Done(e) => Ok((e.patient, e.final_burden)),
            Outcome::Failed(f) => Err(format!("patient {} failed: {}", f.patient, f.error)),
        })
        .collect()
}

/// Both thread counts against the reference day-40 weights, and against each other.
fn check(study: &Study) -> Result<(), String> {
    let mut reference = csv::Reader::from_path(data("vpop_1000_final.csv"))
        .map_err(|e| format!("reading the reference: {e}"))?;
    let mut expected = Vec::with_capacity(PATIENTS);
    for record in reference.records() {
        let record = record.map_err(|e| format!("reference: {e}"))?;
        let field = |i: usize| record.get(i).unwrap_or_default();
        let id: usize = field(0).parse().map_err(|e| format!("reference id: {e}"))?;
        let w: f64 = field(1)
            .parse()
            .map_err(|e| format!("reference weight: {e}"))?;
        expected.push((id, w));
    }
    let mut runs = Vec::new();
    for threads in [1, 2] {
        let result = study
            .run(Some(threads), &|_| {})
            .map_err(|e| format!("{threads} threads: {e}"))?;
        let got = final_weights(&result)?;
        if got.len() != expected.len() {
            return Err(format!("{threads} threads: {} patients", got.len()));
        }
        let mut worst = 0.0f64;
        for (&(id, w), &(ref_id, ref_w)) in got.iter().zip(&expected) {
            if id != ref_id {
                return Err(format!(
                    "{threads} threads: patient {id} where {ref_id} was expected"
                ));
            }
            let gap = (w - ref_w).abs() / w.abs().max(ref_w.abs());
            if gap.is_nan() || gap > REL_TOL {
                return Err(format!(
                    "{threads} threads, patient {id}: w(40) = {w} g is {gap:.2e} relative from \
                     the reference {ref_w} g"
                ));
            }
            worst = worst.max(gap);
        }
        eprintln!("vpop_1000 threads_{threads}: max relative error of w(40) {worst:.2e}");
        runs.push(got);
    }
    let bits = |r: &[(usize, f64)]| r.iter().map(|(_, w)| w.to_bits()).collect::<Vec<_>>();
    if bits(&runs[0]) != bits(&runs[1]) {
        return Err("1 and 2 threads differ".to_string());
    }
    Ok(())
}

fn bench_vpop_1000(c: &mut Criterion, study: &Study) {
    let mut g = c.benchmark_group("vpop_1000");
    g.throughput(Throughput::Elements(PATIENTS as u64));
    for threads in [1, 2] {
        g.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| black_box(study).run(Some(threads), &|_| {}))
        });
    }
    g.finish();
}

fn main() {
    let study = match setup() {
        Ok(study) => study,
        Err(message) => {
            eprintln!("vpop_1000 setup failed: {message}");
            std::process::exit(1);
        }
    };
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    bench_vpop_1000(&mut c, &study);
    c.final_summary();
}
