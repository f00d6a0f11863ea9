//! Catalog models (`oncodyn::model::catalog`) against the numbers shared/models/immune.md
//! gives for them, each cited where it is used; and each constructor against its shipped model
//! file in examples/models/ (so the file tests of tests/core_models.rs, Kirschner & Panetta's
//! thresholds, hold for the constructor too).

use nalgebra::DMatrix;
use oncodyn::io::ModelFile;
use oncodyn::model::catalog::{
    kirschner_panetta_1998, kuznetsov_1994, KirschnerPanettaParams, KuznetsovParams,
};
use oncodyn::prelude::*;

fn shipped(name: &str) -> ModelFile {
    let path = format!("{}/examples/models/{name}", env!("CARGO_MANIFEST_DIR"));
    ModelFile::read(path).expect("the shipped model file reads")
}

fn eigenvalues(m: DMatrix<f64>) -> Vec<(f64, f64)> {
    let mut l: Vec<(f64, f64)> = m
        .complex_eigenvalues()
        .iter()
        .map(|z| (z.re, z.im))
        .collect();
    l.sort_by(|a, b| a.0.total_cmp(&b.0));
    l
}

#[test]
fn catalog_constructors_build_the_models_of_their_shipped_files() -> Result<(), oncodyn::Error> {
    let (kuznetsov, _) = kuznetsov_1994(&KuznetsovParams::BIOMODELS)?;
    assert_eq!(kuznetsov.spec(), &shipped("kuznetsov_1994.toml").model);
    let (kp, _) = kirschner_panetta_1998(&KirschnerPanettaParams::BIOMODELS)?;
    assert_eq!(kp.spec(), &shipped("kirschner_panetta_1998.toml").model);
    Ok(())
}

/// The tumor sizes of Kuznetsov's non-trivial equilibria, found independently of the model:
/// `dT/dt = 0` with `T ≠ 0` gives `E = a·(1 − b·T)/n`; substituted in `dE/dt = 0` it leaves
/// one equation in `T`, whose roots in `(0, 1/b)` are bracketed on a log grid and bisected.
fn kuznetsov_equilibria(p: &KuznetsovParams) -> Vec<(f64, f64)> {
    let b = 1.0 / p.capacity;
    let effector = |t: f64| p.a * (1.0 - b * t) / p.n;
    let f = |t: f64| p.s + effector(t) * (p.p * t / (p.g + t) - p.m * t - p.d);
    let grid: Vec<f64> = (0..=4000)
        .map(|i| 10f64.powf(i as f64 * 8.7 / 4000.0))
        .collect();
    let mut roots = Vec::new();
    for w in grid.windows(2) {
        let (mut lo, mut hi) = (w[0], w[1]);
        if hi >= p.capacity || f(lo).signum() == f(hi).signum() {
            continue;
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if f(lo).signum() == f(mid).signum() {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let t = 0.5 * (lo + hi);
        roots.push((effector(t), t));
    }
    roots
}

#[test]
fn kuznetsov_has_the_four_published_equilibria_with_their_stability() -> Result<(), oncodyn::Error>
{
    // immune.md §1 (computed there from the dimensional BIOMD0000000762 values, 4 digits):
    // tumor-free (3.155e5, 0) saddle; dormant (1.608e6, 8.186e6) stable focus; separatrix
    // (7.585e5, 2.680e8) saddle; escape (1.732e5, 4.470e8) stable node (E, T in cells).
    // Eigenvalues there are in τ = n·T0·t units (T0 = 1e6 cells): ×n·T0 = 0.1101 per day.
    // Accepted: equilibria within 1e-3 relative (the table's 4 digits), the model's rates at
    // them below 1e-8 of the flux scale, eigenvalues within 1% (the table used rounded
    // non-dimensional parameters), and the stability type exactly.
    let p = KuznetsovParams::BIOMODELS;
    let (model, _) = kuznetsov_1994(&p)?;
    let mut found = vec![(p.s / p.d, 0.0)];
    found.extend(kuznetsov_equilibria(&p));
    let published = [
        ((3.155e5, 0.0), [(-0.3743, 0.0), (1.32048, 0.0)]),
        (
            (1.608e6, 8.186e6),
            [(-0.05009, -0.5763), (-0.05009, 0.5763)],
        ),
        ((7.585e5, 2.680e8), [(-1.35646, 0.0), (0.32478, 0.0)]),
        ((1.732e5, 4.470e8), [(-1.69310, 0.0), (-0.45268, 0.0)]),
    ];
    assert_eq!(found.len(), 4, "{found:?}");
    let tau = p.n * 1e6;
    for ((e, t), ((e_pub, t_pub), lambda_pub)) in found.iter().zip(published) {
        assert!((e / e_pub - 1.0).abs() < 1e-3, "E* {e} vs {e_pub}");
        if t_pub > 0.0 {
            assert!((t / t_pub - 1.0).abs() < 1e-3, "T* {t} vs {t_pub}");
        }
        let y = [*t, *e]; // the model's order: tumor, effector
        let rates = model.derivative(0.0, &y)?;
        let scale = p.s + p.a * t + p.d * e;
        assert!(
            rates.iter().all(|r| r.abs() < 1e-8 * scale),
            "{rates:?} at {y:?}"
        );
        let mut lambda = eigenvalues(model.jacobian(0.0, &y)?);
        let mut expected: Vec<(f64, f64)> = lambda_pub
            .iter()
            .map(|(re, im)| (re * tau, im * tau))
            .collect();
        lambda.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        expected.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        for (got, want) in lambda.iter().zip(&expected) {
            let size = want.0.hypot(want.1);
            assert!(
                (got.0 - want.0).hypot(got.1 - want.1) < 0.01 * size,
                "eigenvalue {got:?} vs {want:?} at {y:?}"
            );
            assert_eq!(got.0 < 0.0, want.0 < 0.0);
        }
    }
    Ok(())
}

/// Where the tumor of Kuznetsov 1994 settles from E(0) = s/d and T(0) = `t0`, cells.
fn kuznetsov_outcome(t0: f64) -> Result<f64, oncodyn::Error> {
    let p = KuznetsovParams {
        e0: KuznetsovParams::BIOMODELS.s / KuznetsovParams::BIOMODELS.d,
        t0,
        ..KuznetsovParams::BIOMODELS
    };
    let (model, k) = kuznetsov_1994(&p)?;
    let opts = SolverOptions {
        rtol: 1e-9,
        ..Default::default()
    };
    let traj = simulate(&model, &Regimen::new("none"), &[0.0, 4000.0], &opts)?;
    Ok(traj.value_at(4000.0, k.tumor)?)
}

#[test]
fn kuznetsov_escape_threshold_separates_dormancy_from_escape() -> Result<(), oncodyn::Error> {
    // immune.md §1 (computed there, LSODA rtol 1e-10): from E(0) = s/d, T(0) ≤ 3e7 cells goes to
    // the dormant focus (T → 8.186e6) and T(0) ≥ 1e8 escapes (T → 4.470e8); the threshold is
    // y(0) ≈ 63.7, i.e. about 6.4e7 cells.
    for (t0, settles) in [
        (3e7, 8.186e6),
        (6.0e7, 8.186e6),
        (6.8e7, 4.470e8),
        (1e8, 4.470e8),
    ] {
        let end = kuznetsov_outcome(t0)?;
        assert!(
            (end / settles - 1.0).abs() < 2e-3,
            "T(0) = {t0}: T(4000 d) = {end}"
        );
    }
    Ok(())
}
