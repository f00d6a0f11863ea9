//! Properties over random parameters and regimens (proptest, 32–48 cases each so the suite stays
//! fast in debug builds).
//!
//! Expected values: invariants of the equations, not numbers from the code under test —
//! populations of a positive system stay non-negative; without elimination the drug amount in
//! the body equals the amount dosed; a linear system's response scales with the dose; a repeat
//! is the list of its doses.

mod common;

use common::{assert_identical, dose_included, grid, rel_diff};
use oncodyn::model::StateRole;
use oncodyn::prelude::*;
use oncodyn::solver::AbsoluteTolerance;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// `cases` cases per property; failing seeds are kept in `tests/proptest-regressions/` (to be
/// committed, so everyone reruns them first).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/proptest-regressions/properties.txt",
        ))),
        ..ProptestConfig::default()
    }
}

/// A log-uniform value in `[lo, hi]`.
fn log_uniform(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    (lo.ln()..=hi.ln()).prop_map(f64::exp)
}

// =============================================================================================
// Populations stay above −atol
// =============================================================================================

#[derive(Debug, Clone)]
struct ImmuneParams {
    tumor0: f64,
    growth: f64,
    capacity: f64,
    ctl0: f64,
    source: f64,
    death: f64,
    kill: f64,
    recruit: f64,
    half_saturation: f64,
    inactivation: f64,
    treg0: f64,
    imax: f64,
    s50: f64,
    cl: f64,
    v: f64,
    dose: f64,
    interval: f64,
    doses: u32,
    emax_tumor: f64,
    ec50: f64,
    emax_ctl: f64,
}

fn immune_params() -> impl Strategy<Value = ImmuneParams> {
    (
        (
            log_uniform(1e5, 1e9),    // tumor0, cells
            log_uniform(0.01, 0.5),   // growth, 1/day
            log_uniform(1e10, 1e12),  // capacity, cells
            log_uniform(1e3, 1e7),    // ctl0, cells
            log_uniform(1e2, 1e5),    // source, cells/day
            log_uniform(0.01, 0.5),   // death, 1/day
            log_uniform(1e-10, 1e-7), // kill, 1/(cell·day)
        ),
        (
            0.0..0.5f64,              // recruit, 1/day
            log_uniform(1e6, 1e10),   // half_saturation, cells
            log_uniform(1e-13, 1e-9), // inactivation, 1/(cell·day)
            log_uniform(1e3, 1e6),    // treg0, cells
            0.05..1.0f64,             // imax
            log_uniform(1e3, 1e6),    // s50, cells
        ),
        (
            log_uniform(0.1, 5.0),    // cl, L/day
            log_uniform(1.0, 10.0),   // v, L
            log_uniform(10.0, 500.0), // dose, mg
            log_uniform(3.0, 21.0),   // interval, days
            1u32..5,                  // doses
            0.0..3.0f64,              // emax_tumor, 1/day
            log_uniform(0.1, 100.0),  // ec50, mg/L
            0.0..1.0f64,              // emax_ctl, 1/day
        ),
    )
        .prop_map(|(a, b, c)| ImmuneParams {
            tumor0: a.0,
            growth: a.1,
            capacity: a.2,
            ctl0: a.3,
            source: a.4,
            death: a.5,
            kill: a.6,
            recruit: b.0,
            half_saturation: b.1,
            inactivation: b.2,
            treg0: b.3,
            imax: b.4,
            s50: b.5,
            cl: c.0,
            v: c.1,
            dose: c.2,
            interval: c.3,
            doses: c.4,
            emax_tumor: c.5,
            ec50: c.6,
            emax_ctl: c.7,
        })
}

/// Tumor (Gompertz) killed by CTLs (mass action, boosted by the drug, damped by Tregs), CTLs
/// recruited and inactivated by the tumor and killed by the drug, drug killing the tumor.
fn immune_model(p: &ImmuneParams) -> Model {
    let mut b = ModelBuilder::new();
    // Gompertz: its per-capita rate ln(K/w) diverges at w = 0, so this also checks that a tumor
    // killed down to the atol level is simulated, not a NonFinite failure.
    let growth = Gompertz {
        rate: p.growth,
        capacity: p.capacity,
    };
    let tumor = b.tumor(TumorSpec::new("tumor", p.tumor0, growth)).unwrap();
    let ctl = b
        .effector(CellSpec {
            name: "ctl".into(),
            initial: p.ctl0,
            source: p.source,
            death: p.death,
            ..Default::default()
        })
        .unwrap();
    let treg = b
        .suppressor(CellSpec {
            name: "treg".into(),
            initial: p.treg0,
            source: p.source / 10.0,
            death: p.death,
            ..Default::default()
        })
        .unwrap();
    let drug = b
        .drug(DrugSpec::new("drug", OneCompartment { cl: p.cl, v: p.v }))
        .unwrap();
    b.kill(ctl, tumor, MassAction { rate: p.kill }).unwrap();
    b.recruit(
        tumor,
        ctl,
        Recruitment::expansion(p.recruit, p.half_saturation),
    )
    .unwrap();
    b.inactivate(tumor, ctl, p.inactivation).unwrap();
    let inhibition = Inhibition {
        imax: p.imax,
        s50: p.s50,
    };
    b.suppress(treg, ctl, SuppressedRate::Kill, inhibition)
        .unwrap();
    let emax = Emax {
        emax: p.emax_tumor,
        ec50: p.ec50,
    };
    b.effect(drug, Target::TumorKill(tumor), emax).unwrap();
    let toxicity = Emax {
        emax: p.emax_ctl,
        ec50: p.ec50,
    };
    b.effect(drug, Target::EffectorDeath(ctl), toxicity)
        .unwrap();
    b.effect(
        drug,
        Target::EffectorKill(ctl),
        Emax {
            emax: 1.0,
            ec50: p.ec50,
        },
    )
    .unwrap();
    b.build().unwrap()
}

proptest! {
    #![proptest_config(config(48))]

    /// Every population (tumor, effector, suppressor) and drug amount stays above −atol of its
    /// unit: each loss term vanishes with its population, so the exact solution is non-negative,
    /// and the error control bounds the numerical undershoot by about atol.
    #[test]
    fn populations_stay_above_minus_atol(p in immune_params()) {
        let model = immune_model(&p);
        let regimen = Regimen::new("arm")
            .with(Dose::bolus(1.0, "drug", p.dose).repeated(p.interval, p.doses))
            .with(Dose::infusion(2.0, "ctl", 1e7, 1.0));
        let opts = SolverOptions::default();
        let times = grid(60, 1.0);
        let traj = simulate(&model, &regimen, &times, &opts);
        prop_assert!(traj.is_ok(), "{:?}", traj.err());
        let traj = traj.unwrap();
        for state in model.states() {
            let atol = match state.role {
                StateRole::Tumor | StateRole::Effector | StateRole::Suppressor => opts.atol.cells,
                _ => opts.atol.milligrams,
            };
            let column = traj.column_by_name(&state.name).unwrap();
            for (row, value) in column.iter().enumerate() {
                prop_assert!(
                    value >= -atol,
                    "{} = {value:e} < −{atol:e} at t = {}",
                    state.name,
                    traj.times()[row]
                );
            }
        }
    }
}

/// A tumor of 1000 cells under a constant drug kill of 5/day (no elimination), daily outputs
/// for 30 days: the exact solution decays towards Gompertz's equilibrium K·e^(−kill/r)
/// (≈ 2e-12 cells here) or towards 0, and stays positive; numerically it reaches the atol level
/// (1e-3 cells) by day 3, where undershoots of order atol are within tolerance.
fn eradicated_tumor(law: impl Into<oncodyn::model::GrowthLaw>) -> Result<Vec<f64>, Error> {
    let mut b = ModelBuilder::new();
    let tumor = b.tumor(TumorSpec::new("tumor", 1e3, law)).unwrap();
    let drug = b
        .drug(DrugSpec::new("drug", OneCompartment { cl: 0.0, v: 1.0 }))
        .unwrap();
    b.effect(drug, Target::TumorKill(tumor), Linear { slope: 0.05 })
        .unwrap();
    let model = b.build().unwrap();
    let regimen = Regimen::new("kill").with(Dose::bolus(0.0, "drug", 100.0));
    let traj = simulate(&model, &regimen, &grid(30, 1.0), &SolverOptions::default())?;
    let column = traj.column(tumor).unwrap().to_vec();
    Ok(column)
}

#[test]
fn logistic_tumor_killed_to_the_atol_level_stays_above_minus_atol() {
    let tumor = eradicated_tumor(Logistic {
        rate: 0.1,
        capacity: 1e10,
    })
    .unwrap();
    let atol = SolverOptions::default().atol.cells;
    assert!(
        tumor.last().unwrap().abs() < atol,
        "the tumor is eradicated"
    );
    assert!(tumor.iter().all(|&v| v >= -atol), "{tumor:?}");
}

#[test]
fn gompertz_tumor_killed_to_the_atol_level_is_simulated() {
    let tumor = eradicated_tumor(Gompertz {
        rate: 0.1,
        capacity: 1e10,
    });
    let atol = SolverOptions::default().atol.cells;
    let tumor = tumor.expect("an eradicated tumor is a result, not a solver failure");
    assert!(tumor.iter().all(|&v| v >= -atol), "{tumor:?}");
}

#[test]
fn power_law_tumor_killed_to_the_atol_level_is_simulated() {
    let tumor = eradicated_tumor(PowerLaw {
        coefficient: 1.0,
        exponent: 0.7,
    });
    let atol = SolverOptions::default().atol.cells;
    let tumor = tumor.expect("an eradicated tumor is a result, not a solver failure");
    assert!(tumor.iter().all(|&v| v >= -atol), "{tumor:?}");
}

// =============================================================================================
// PK without elimination conserves the amount dosed
// =============================================================================================

#[derive(Debug, Clone)]
struct ClosedPk {
    v1: f64,
    q1: f64,
    v2: f64,
    q2: f64,
    v3: f64,
    ka: f64,
    f: f64,
    /// (time, amount, kind): 0 = depot bolus, 1 = central bolus, 2 = central infusion.
    doses: Vec<(f64, f64, u8, f64)>,
}

fn closed_pk() -> impl Strategy<Value = ClosedPk> {
    (
        log_uniform(1.0, 10.0),
        log_uniform(0.1, 10.0),
        log_uniform(1.0, 50.0),
        log_uniform(0.01, 1.0),
        log_uniform(1.0, 100.0),
        log_uniform(0.1, 10.0),
        0.1..=1.0f64,
        prop::collection::vec(
            (0.0..20.0f64, log_uniform(1.0, 1000.0), 0u8..3, 0.01..3.0f64),
            1..6,
        ),
    )
        .prop_map(|(v1, q1, v2, q2, v3, ka, f, doses)| ClosedPk {
            v1,
            q1,
            v2,
            q2,
            v3,
            ka,
            f,
            doses,
        })
}

proptest! {
    #![proptest_config(config(48))]

    /// With CL = 0 and no saturable elimination, depot + central + peripherals holds exactly
    /// what was dosed (F·amount for the depot). Runge–Kutta methods preserve linear invariants
    /// exactly, and oncodyn scales every mg state by the same atol, so only rounding separates
    /// the sum from the dose: 1e-10 relative (solved at rtol 1e-6) leaves a wide margin over
    /// rounding yet fails any leak of the size of the error control.
    #[test]
    fn pk_without_elimination_conserves_the_dose(p in closed_pk()) {
        let mut b = ModelBuilder::new();
        let mut spec = DrugSpec::new("drug", TwoCompartment { cl: 0.0, v1: p.v1, q: p.q1, v2: p.v2 })
            .with_absorption(p.ka, p.f);
        spec.peripherals.push(oncodyn::model::Peripheral { q: p.q2, v: p.v3 });
        b.drug(spec).unwrap();
        let model = b.build().unwrap();
        let mut regimen = Regimen::new("arm");
        for &(time, amount, kind, duration) in &p.doses {
            regimen = regimen.with(match kind {
                0 => Dose::bolus(time, "drug", amount).into_compartment(Compartment::Depot),
                1 => Dose::bolus(time, "drug", amount),
                _ => Dose::infusion(time, "drug", amount, duration),
            });
        }
        let times = grid(96, 4.0); // 0 … 24 d
        let traj = simulate(&model, &regimen, &times, &SolverOptions::default());
        prop_assert!(traj.is_ok(), "{:?}", traj.err());
        let traj = traj.unwrap();
        let n = model.n_states();
        prop_assert_eq!(n, 4);
        let total: f64 = p.doses.iter().map(|d| d.1).sum();
        for i in 0..traj.n_rows() {
            let (t, side) = (traj.times()[i], traj.sides()[i]);
            let in_body: f64 = traj.row(i).unwrap()[..n].iter().sum();
            let dosed: f64 = p
                .doses
                .iter()
                .map(|&(time, amount, kind, duration)| match kind {
                    0 if dose_included(time, t, side) => p.f * amount,
                    1 if dose_included(time, t, side) => amount,
                    2 => amount / duration * (t.min(time + duration) - time).max(0.0),
                    _ => 0.0,
                })
                .sum();
            // Relative to the total dosed: an amount still arriving is no scale.
            let err = (in_body - dosed).abs() / total;
            prop_assert!(
                err <= 1e-10,
                "t = {t} ({}): in body {in_body} mg, dosed {dosed} mg",
                side.as_str()
            );
        }
    }
}

// =============================================================================================
// Linear PK scales with the dose
// =============================================================================================

proptest! {
    #![proptest_config(config(32))]

    /// Linear two-compartment PK with a depot: every amount and concentration scales with the
    /// dose. Solved at rtol 1e-10 with atol 1e-20 mg (so the error control is relative and
    /// nearly scale-free), each solution is within ~1e-9 of the exact one, so of each other:
    /// 1e-8 relative. Floor 1e-7 mg (1e-9 of the 100 mg dose): a depot emptied over many
    /// e-folds accumulates a larger relative error (1.6e-8 measured at 3.5e-11 mg) that says
    /// nothing about linearity.
    #[test]
    fn linear_pk_scales_with_dose(
        cl in log_uniform(0.1, 5.0),
        v1 in log_uniform(1.0, 10.0),
        q in log_uniform(0.1, 5.0),
        v2 in log_uniform(1.0, 50.0),
        ka in log_uniform(0.2, 5.0),
        scale in log_uniform(1e-3, 1e3),
        interval in log_uniform(0.5, 7.0),
    ) {
        let mut b = ModelBuilder::new();
        b.drug(DrugSpec::new("drug", TwoCompartment { cl, v1, q, v2 }).with_absorption(ka, 0.7))
            .unwrap();
        let model = b.build().unwrap();
        let regimen = |s: f64| {
            Regimen::new("arm")
                .with(
                    Dose::bolus(0.5, "drug", 100.0 * s)
                        .into_compartment(Compartment::Depot)
                        .repeated(interval, 3),
                )
                .with(Dose::infusion(1.0, "drug", 40.0 * s, 0.25))
        };
        let opts = SolverOptions {
            rtol: 1e-10,
            atol: AbsoluteTolerance {
                milligrams: 1e-20,
                ..Default::default()
            },
            ..Default::default()
        };
        let times = grid(60, 2.0); // 0 … 30 d
        let base = simulate(&model, &regimen(1.0), &times, &opts).unwrap();
        let scaled = simulate(&model, &regimen(scale), &times, &opts).unwrap();
        prop_assert_eq!(base.times(), scaled.times());
        prop_assert_eq!(base.sides(), scaled.sides());
        for i in 0..base.n_rows() {
            let (a, b) = (base.row(i).unwrap(), scaled.row(i).unwrap());
            for (c, (x, y)) in a.iter().zip(b).enumerate() {
                let d = rel_diff(y / scale, *x, 1e-7);
                prop_assert!(
                    d <= 1e-8,
                    "row {i}, column `{}`: {y:e}/{scale} vs {x:e} ({d:e})",
                    base.columns()[c].name
                );
            }
        }
    }
}

// =============================================================================================
// A repeat is its list of doses
// =============================================================================================

proptest! {
    #![proptest_config(config(32))]

    /// `dose.repeated(interval, n)` gives the same trajectory, bit for bit, as the n doses at
    /// `start + k·interval` written out (listed in reverse order), and `expand()` lists exactly
    /// those doses.
    #[test]
    fn expanded_repeat_equals_explicit_doses(
        start in 0.0..10.0f64,
        interval in log_uniform(0.1, 10.0),
        n in 1u32..8,
        amount in log_uniform(1.0, 500.0),
        kind in 0u8..4,
        duration in log_uniform(0.01, 5.0),
    ) {
        let mut b = ModelBuilder::new();
        let tumor = b
            .tumor(TumorSpec::new("tumor", 1e8, Gompertz { rate: 0.05, capacity: 1e11 }))
            .unwrap();
        let ctl = b.effector(CellSpec { name: "ctl".into(), initial: 1e6, source: 1e4, death: 0.05, ..Default::default() }).unwrap();
        let drug = b
            .drug(DrugSpec::new("drug", TwoCompartment { cl: 0.5, v1: 3.0, q: 0.8, v2: 4.0 }).with_absorption(1.2, 0.8))
            .unwrap();
        b.kill(ctl, tumor, MassAction { rate: 1e-9 }).unwrap();
        b.effect(drug, Target::TumorKill(tumor), Emax { emax: 0.5, ec50: 10.0 })
            .unwrap();
        let model = b.build().unwrap();

        let single = |time: f64| match kind {
            0 => Dose::bolus(time, "drug", amount),
            1 => Dose::bolus(time, "drug", amount).into_compartment(Compartment::Depot),
            2 => Dose::infusion(time, "drug", amount, duration),
            _ => Dose::bolus(time, "ctl", amount * 1e5),
        };
        let repeat = single(start).repeated(interval, n);
        let explicit: Vec<Dose> = (0..n).map(|k| single(start + f64::from(k) * interval)).collect();
        prop_assert_eq!(repeat.expand(), explicit.clone());

        let repeated = Regimen::new("repeated").with(repeat);
        let listed = explicit.into_iter().rev().fold(Regimen::new("listed"), Regimen::with);
        let times = grid(80, 2.0); // 0 … 40 d: some doses may fall after the window
        let opts = SolverOptions::default();
        let a = simulate(&model, &repeated, &times, &opts).unwrap();
        let b = simulate(&model, &listed, &times, &opts).unwrap();
        assert_identical(&a, &b);
        prop_assert_eq!(a.doses().len(), b.doses().len());
    }
}
