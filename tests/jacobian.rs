//! The analytic Jacobian `Model::jacobian_into` against central differences of the right-hand
//! side, on every shipped model file (examples/models/) and on a model using every built-in
//! term, process and modifier (tests/data/models/every_term.toml), at states along their own
//! trajectories. Also: entries outside `Model::sparsity` are exactly zero.
//!
//! Expected values: central differences `(f(y + h·e_j) − f(y − h·e_j))/(2h)` with
//! `h = 1e-6·max(|y_j|, floor)` (second-order forward differences where `0 ≤ y_j < h`: states
//! are non-negative and the laws' right derivatives apply there), independent of the analytic
//! code; each entry is judged at the best of the floors 1e-3, 1e-6, 1e-9, 1e-12 (states range
//! from 1e-8 to 1e10 in their units). Accepted: per entry,
//! `|J − J_fd| ≤ 1e-5·|J| + 1e-6·s_i/max(|y_j|, floor)` with `s_i = |f_i| + Σ_k |J_ik·y_k|` the
//! row's scale: the first term allows the O(h²) truncation error, the second the rounding
//! error `ε·|f_i|/h` of a difference quotient (≈ 2e-10·s_i/|y_j|), with margin.

use oncodyn::io::ModelFile;
use oncodyn::model::Model;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every model file the tests check: the shipped ones and the every-term model.
fn model_files() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("examples/models"))
        .expect("examples/models is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths.push(root().join("tests/data/models/every_term.toml"));
    paths
}

/// Absolute step floors tried for each state: states live on scales from 1e-8 (a drug in
/// scaled units) to 1e10 cells, and a difference quotient is only accurate on the state's own
/// scale, so each entry is judged at the floor that suits it best.
const FLOORS: [f64; 4] = [1e-3, 1e-6, 1e-9, 1e-12];

/// The difference quotient of column `j` with absolute step floor `floor`:
/// `h = 1e-6·max(|y_j|, floor)`, central, or second-order forward
/// `(−3f(y) + 4f(y + h) − f(y + 2h))/(2h)` where `0 ≤ y_j < h` (states are non-negative and the
/// laws' right derivatives apply at 0).
fn differences(rates: &dyn Fn(&[f64]) -> Vec<f64>, y: &[f64], j: usize, floor: f64) -> Vec<f64> {
    let h = 1e-6 * y[j].abs().max(floor);
    let shifted = |by: f64| {
        let mut p = y.to_vec();
        p[j] += by;
        rates(&p)
    };
    let up = shifted(h);
    if y[j] >= 0.0 && y[j] < h {
        let (here, twice) = (rates(y), shifted(2.0 * h));
        (0..y.len())
            .map(|i| (-3.0 * here[i] + 4.0 * up[i] - twice[i]) / (2.0 * h))
            .collect()
    } else {
        let down = shifted(-h);
        (0..y.len())
            .map(|i| (up[i] - down[i]) / (2.0 * h))
            .collect()
    }
}

/// The largest violation of the accepted bound (≤ 1 passes), and where.
fn check_at(model: &Model, t: f64, y: &[f64]) -> (f64, String) {
    let n = y.len();
    let mut jac = vec![0.0; n * n];
    model
        .jacobian_into(t, y, &mut jac)
        .expect("the state has one value per state");
    let rates = |y: &[f64]| model.derivative(t, y).expect("one value per state");
    let f = rates(y);
    let mut worst = (0.0, String::new());
    for j in 0..n {
        let quotients: Vec<(f64, Vec<f64>)> = FLOORS
            .iter()
            .map(|&floor| (floor, differences(&rates, y, j, floor)))
            .collect();
        for i in 0..n {
            let a = jac[i * n + j];
            let scale: f64 =
                f[i].abs() + (0..n).map(|k| (jac[i * n + k] * y[k]).abs()).sum::<f64>();
            let (ratio, fd_ij) = quotients
                .iter()
                .map(|(floor, fd)| {
                    let bound = 1e-5 * a.abs() + 1e-6 * scale / y[j].abs().max(*floor);
                    ((a - fd[i]).abs() / bound.max(f64::MIN_POSITIVE), fd[i])
                })
                .fold((f64::INFINITY, f64::NAN), |best, c| {
                    if c.0 < best.0 {
                        c
                    } else {
                        best
                    }
                });
            if ratio > worst.0 {
                worst = (
                    ratio,
                    format!("t = {t}, ∂f[{i}]/∂y[{j}]: analytic {a:e}, differences {fd_ij:e}"),
                );
            }
            if !model.sparsity().contains(i, j) {
                assert_eq!(a, 0.0, "t = {t}: entry ({i}, {j}) is outside the sparsity");
            }
        }
    }
    worst
}

#[test]
fn analytic_jacobians_match_central_differences_on_every_model_file() {
    let files = model_files();
    assert!(files.len() >= 5, "{files:?}");
    for path in &files {
        let file = ModelFile::read(path).expect("the model file reads");
        let (model, traj) = file.simulate().expect("the model file simulates");
        let mut worst = (0.0, String::new());
        let step = (traj.n_rows() / 12).max(1);
        for r in (0..traj.n_rows()).step_by(step) {
            let y = &traj.row(r).expect("row")[..model.n_states()];
            let here = check_at(&model, traj.times()[r], y);
            if here.0 > worst.0 {
                worst = here;
            }
        }
        eprintln!(
            "{}: worst ratio to bound {:.3e} ({})",
            path.display(),
            worst.0,
            worst.1
        );
        assert!(worst.0 <= 1.0, "{}: {}", path.display(), worst.1);
    }
}

#[test]
fn the_every_term_model_round_trips_and_its_sparsity_is_not_dense() {
    let path = root().join("tests/data/models/every_term.toml");
    let file = ModelFile::read(&path).expect("reads");
    let back =
        ModelFile::from_toml_str(&file.to_toml_string().expect("writes")).expect("reads back");
    assert_eq!(back, file);
    let model = file.build().expect("builds");
    let n = model.n_states();
    let entries = model.sparsity().entries().len();
    // 26 states; the drugs' compartments do not depend on cells, nor cells on unrelated species.
    assert!(entries < n * n / 3, "{entries} of {}", n * n);
    assert!(model.sparsity().contains(0, 0));
}
