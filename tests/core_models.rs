//! Published models written as model files on the general core, without user code, checked
//! against the numbers shared/models/ gives for them (each cited where it is used).

use nalgebra::DMatrix;
use oncodyn::io::ModelFile;

fn shipped(name: &str) -> ModelFile {
    let path = format!("{}/examples/models/{name}", env!("CARGO_MANIFEST_DIR"));
    ModelFile::read(path).expect("the shipped model file reads")
}

/// The largest real part of the eigenvalues of a square matrix.
fn max_real_eigenvalue(m: DMatrix<f64>) -> f64 {
    m.complex_eigenvalues()
        .iter()
        .map(|l| l.re)
        .fold(f64::NEG_INFINITY, f64::max)
}

/// Kirschner & Panetta 1998 with its therapies set: ACT source `s1` (cells/day) and IL-2
/// source `s2` (units/day).
fn kirschner(s1: f64, s2: f64) -> ModelFile {
    let mut file = shipped("kirschner_panetta_1998.toml");
    file.model.effectors[0].source = s1;
    file.model.species[0].production = s2;
    file
}

#[test]
fn kirschner_panetta_persists_in_the_published_oscillation_band_at_c_0_035(
) -> Result<(), oncodyn::Error> {
    // immune.md §3, simulated table (scipy BDF/Radau, rtol 1e-8): c = 0.035, s1 = s2 = 0,
    // (E, T, IL)(0) = (1, 1, 1): "damped/small oscillation, T ∈ [1.13e4, 2.64e4]" over the last
    // part of a 2000-day run. Accepted: the band's ends within 2% (the table gives 3 digits).
    let (_, traj) = shipped("kirschner_panetta_1998.toml").simulate()?;
    let tumor = traj.column_by_name("tumor")?;
    let late: Vec<f64> = traj
        .times()
        .iter()
        .zip(tumor.iter())
        .filter(|(t, _)| **t >= 1200.0)
        .map(|(_, v)| v)
        .collect();
    let (lo, hi) = late
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
    assert!((lo / 1.13e4 - 1.0).abs() < 0.02, "minimum {lo}");
    assert!((hi / 2.64e4 - 1.0).abs() < 0.02, "maximum {hi}");
    Ok(())
}

#[test]
fn kirschner_panetta_act_threshold_is_540_cells_per_day() -> Result<(), oncodyn::Error> {
    // immune.md §3 (analytic): with s2 = 0 the tumor-free state E* = s1/μ2, T = 0, IL = 0 is
    // stable iff s1 > μ2·r2·g2/a = 0.03·0.18·1e5/1 = 540 cells/day (the eigenvalue in the tumor
    // direction is r2 − a·E*/g2). Checked on the model's analytic Jacobian on either side.
    for (s1, stable) in [(530.0, false), (550.0, true)] {
        let model = kirschner(s1, 0.0).build()?;
        let equilibrium = [0.0, s1 / 0.03, 0.0]; // tumor, effector, il2
        let dy = model.derivative(0.0, &equilibrium)?;
        assert!(dy.iter().all(|d| d.abs() < 1e-9), "an equilibrium: {dy:?}");
        let lambda = max_real_eigenvalue(model.jacobian(0.0, &equilibrium)?);
        assert_eq!(
            lambda < 0.0,
            stable,
            "s1 = {s1}: largest eigenvalue {lambda}"
        );
        let tumor_direction = 0.18 - 1.0 * (s1 / 0.03) / 1e5;
        assert!((model.jacobian(0.0, &equilibrium)?[(0, 0)] - tumor_direction).abs() < 1e-12);
    }
    // And in simulation: s1 = 550 from T(0) = 1e5 clears the tumor; E → s1/μ2 = 1.833e4
    // (immune.md §3 table).
    let mut file = kirschner(550.0, 0.0);
    file.model.tumors[0].initial = 1e5;
    let (_, traj) = file.simulate()?;
    let end = traj.n_rows() - 1;
    let row = traj.row(end).expect("last row");
    assert!(row[0] < 1e-3, "tumor at day 2000: {}", row[0]);
    assert!(
        (row[1] / (550.0 / 0.03) - 1.0).abs() < 1e-3,
        "effector {}",
        row[1]
    );
    Ok(())
}

#[test]
fn kirschner_panetta_il2_alone_diverges_past_6_349e7() -> Result<(), oncodyn::Error> {
    // immune.md §3 (analytic): E grows without bound when p1·IL/(g1 + IL) > μ2, i.e. IL >
    // μ2·g1/(p1 − μ2) = 6.349e6, i.e. s2 > μ3·6.349e6 = 6.349e7 units/day at IL* = s2/μ3. The
    // eigenvalue in the effector direction at the tumor-free state changes sign there.
    let threshold: f64 = 10.0 * 0.03 * 2e7 / (0.1245 - 0.03);
    assert!((threshold / 6.349e7 - 1.0).abs() < 1e-3);
    for (s2, grows) in [(0.99 * threshold, false), (1.01 * threshold, true)] {
        let model = kirschner(0.0, s2).build()?;
        let state = [0.0, 0.0, s2 / 10.0];
        let effector_direction = model.jacobian(0.0, &state)?[(1, 1)];
        assert_eq!(
            effector_direction > 0.0,
            grows,
            "s2 = {s2}: {effector_direction}"
        );
    }
    // Below it, IL-2 alone does not clear the tumor (immune.md §3: s2 = 1e7, "not cleared").
    let (_, traj) = kirschner(0.0, 1e7).simulate()?;
    let tumor = traj.column_by_name("tumor")?;
    let late_min = tumor
        .iter()
        .skip(traj.n_rows() / 2)
        .fold(f64::INFINITY, f64::min);
    assert!(late_min > 1e3, "late minimum {late_min}");
    Ok(())
}
