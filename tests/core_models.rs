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

/// The value of column `name` at time `t` of a shipped file's run.
fn value(file: &ModelFile, name: &str, t: f64) -> Result<f64, oncodyn::Error> {
    let (_, traj) = file.simulate()?;
    let column = traj.column_by_name(name)?;
    let row = traj
        .times()
        .iter()
        .rposition(|&time| time == t)
        .expect("an output row at that time");
    Ok(column.get(row).expect("a value"))
}

#[test]
fn nikolopoulou_checkpoint_model_gives_the_published_course() -> Result<(), oncodyn::Error> {
    // mechanisms.md §1a (computed there from the BioModels MODEL1908270001 export, LSODA rtol
    // 1e-10, 5 significant digits): F(Q) at the initial state 0.0082968 (the export's stored
    // value); no drug: C(50, 100, 200, 400) = 0.48619, 0.61020, 0.64054, 0.64146, T(400) =
    // 0.0019572; anti-PD-1 infused at γ_A = 1e-8: C(400) = 0.60101, T(400) = 0.0022999,
    // A(400) = 1.213e-8. Accepted: half a unit in the last published digit plus 1e-6 relative.
    let close = |got: f64, published: f64, digits: f64| {
        let bound = 0.5 * 10f64.powf(published.abs().log10().floor() - digits + 1.0)
            + 1e-6 * published.abs();
        assert!((got - published).abs() <= bound, "{got} vs {published}");
    };
    let mut file = shipped("nikolopoulou_2018.toml");
    close(value(&file, "activation_factor", 0.0)?, 0.0082968, 5.0);
    for (t, c) in [
        (50.0, 0.48619),
        (100.0, 0.61020),
        (200.0, 0.64054),
        (400.0, 0.64146),
    ] {
        close(value(&file, "C", t)?, c, 5.0);
    }
    close(value(&file, "T", 400.0)?, 0.0019572, 5.0);
    file.model.species[2].production = 1e-8;
    close(value(&file, "C", 400.0)?, 0.60101, 5.0);
    close(value(&file, "T", 400.0)?, 0.0022999, 5.0);
    close(value(&file, "A", 400.0)?, 1.213e-8, 4.0);
    Ok(())
}

/// The exhaustion model with exhaustion rate `rho` and anti-PD-L1 infused at `gamma0` from
/// day 10 to day 60.
fn exhaustion(rho: f64, gamma0: f64) -> ModelFile {
    let mut file = shipped("exhaustion_pd1.toml");
    if let Some(oncodyn::model::Process::Transition(t)) = file.model.processes.first_mut() {
        t.rate = rho;
    }
    if gamma0 > 0.0 {
        file.regimen = oncodyn::dosing::Regimen::new("anti-PD-L1").with(
            oncodyn::dosing::Dose::infusion(10.0, "anti_pdl1", gamma0 * 50.0, 50.0),
        );
    }
    file
}

#[test]
fn exhaustion_model_responds_to_anti_pdl1_as_published() -> Result<(), oncodyn::Error> {
    // immune.md §10a (computed there from the repository's code, LSODA rtol 1e-9, 4 digits):
    // E* = α0·T0/d_E = 6676.9 cells; with ρ = 0.1498, C(10) = 3.606e7 in every arm and
    // C(60) = 9.674e8, 5.034e8, 2.442e8 for γ0 = 0, 3.2e-6, 5.2e-6, and γ0 = 1e-5 gives
    // C(30) = 5.533e7, C(60) = 1.041e7; with ρ = 0.18, C(60) = 1.251e9, 8.777e8, 6.602e8,
    // 2.128e8 for γ0 = 0, 3.2e-6, 5.2e-6, 1e-5. Accepted: 1.5e-3 relative (4 digits and the
    // difference of two solvers at rtol 1e-9).
    let near = |got: f64, published: f64| {
        assert!(
            (got / published - 1.0).abs() < 1.5e-3,
            "{got} vs {published}"
        );
    };
    near(value(&exhaustion(0.1498, 0.0), "ctl", 60.0)?, 6676.9);
    let arms = [
        (0.1498, 0.0, 9.674e8),
        (0.1498, 3.2e-6, 5.034e8),
        (0.1498, 5.2e-6, 2.442e8),
        (0.1498, 1e-5, 1.041e7),
        (0.18, 0.0, 1.251e9),
        (0.18, 3.2e-6, 8.777e8),
        (0.18, 5.2e-6, 6.602e8),
        (0.18, 1e-5, 2.128e8),
    ];
    for (rho, gamma0, c60) in arms {
        let file = exhaustion(rho, gamma0);
        if rho == 0.1498 {
            near(value(&file, "tumor", 10.0)?, 3.606e7); // before the drug starts
        }
        near(value(&file, "tumor", 60.0)?, c60);
    }
    near(value(&exhaustion(0.1498, 1e-5), "tumor", 30.0)?, 5.533e7);
    Ok(())
}
