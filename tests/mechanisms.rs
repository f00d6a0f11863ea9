//! Mechanism modules (src/mechanisms/): each reproduces the behaviour its documentation states.

use oncodyn::builder::Signal;
use oncodyn::mechanisms::{add_exhaustion, Blockade, ExhaustionParams};
use oncodyn::model::{Effector, SpeciesSpec, StateId, StateRef, Tumor};
use oncodyn::prelude::*;
use oncodyn::units::Unit;

const RHO: f64 = 0.5;
const K: f64 = 1e7;
const D_X: f64 = 0.1;
const BURDEN: f64 = 1e9;
const R: f64 = 0.4;
const U50: f64 = 1.0;

/// A tumor held at 1e9 cells (no growth; kills of 1e-30 per cell-day change it by < 1e-12
/// cells over the run), effectors with a constant source, exhaustion, and optionally a
/// blockade read from a constant occupancy driver `u`.
fn exhausted_share(u: Option<f64>) -> Result<(f64, f64), oncodyn::Error> {
    let mut b = ModelBuilder::new();
    let tumor = b.tumor(TumorSpec::new("tumor", BURDEN, Exponential { rate: 0.0 }))?;
    let ctl = b.effector(CellSpec {
        name: "ctl".into(),
        initial: 1e6,
        source: 1e5,
        death: 0.1,
        ..Default::default()
    })?;
    b.kill(ctl, tumor, MassAction { rate: 1e-30 })?;
    let blockade = match u {
        Some(u) => {
            let drive = b.species(SpeciesSpec::new("anti_pd1", Unit::Dimensionless, u))?;
            Some(Blockade {
                signal: Signal::State(StateRef::from(drive)),
                rate: R,
                half_occupancy: U50,
            })
        }
        None => None,
    };
    let params = ExhaustionParams {
        name: "ctl_exhausted".into(),
        rate: RHO,
        half_antigen: K,
        death: D_X,
        kill: MassAction { rate: 1e-30 }.into(),
    };
    let added = add_exhaustion(&mut b, ctl, tumor, &params, blockade.as_ref())?;
    let model = b.build()?;
    let traj = simulate(
        &model,
        &Regimen::new("none"),
        &[0.0, 400.0],
        &SolverOptions::default(),
    )?;
    let e = traj.value_at(400.0, ctl)?;
    let x = traj.value_at(400.0, added.exhausted)?;
    let rho_w = RHO * BURDEN / (K + BURDEN);
    let occupancy = u.map_or(0.0, |u| u / (U50 + u));
    let expected = rho_w / (rho_w + R * occupancy + D_X);
    Ok((x / (e + x), expected))
}

/// Under a large persistent tumor most of the pool is exhausted: the share at day 400 is the
/// steady state ρ_w/(ρ_w + d_X) = 0.831 of the module's documentation.
#[test]
fn a_persistent_tumor_exhausts_most_of_the_pool() -> Result<(), oncodyn::Error> {
    let (share, expected) = exhausted_share(None)?;
    assert!((share - expected).abs() < 1e-6, "{share} vs {expected}");
    assert!(share > 0.8, "{share}");
    Ok(())
}

/// Blockade at 3× its half occupancy (B = 0.75) lowers the exhausted share to
/// ρ_w/(ρ_w + r·B + d_X) = 0.553, and a saturating one (B → 1) only to 0.498: a fraction is
/// re-invigorated, not the pool.
#[test]
fn blockade_reinvigorates_only_a_fraction() -> Result<(), oncodyn::Error> {
    let (without, _) = exhausted_share(None)?;
    let (with, expected) = exhausted_share(Some(3.0))?;
    assert!((with - expected).abs() < 1e-6, "{with} vs {expected}");
    let (saturated, _) = exhausted_share(Some(1e6))?;
    assert!(
        with < without && saturated < with,
        "{without} {with} {saturated}"
    );
    assert!(saturated > 0.45, "{saturated}");
    Ok(())
}

/// Alvarez, Barbuto & Venegeroles 2019 (BIOMD0000000790; shared/models/mechanisms.md §5a): a
/// tumor `t1` with innate and adaptive effectors, plus the antigen-loss module's variant `t2`.
/// `beta` is the adaptive kill rate (1.101e-10 in the paper).
/// The trajectory, with the handles of T1, T2 and E2.
type Alvarez = (
    Trajectory,
    StateId<Tumor>,
    StateId<Tumor>,
    StateId<Effector>,
);

fn alvarez_2019(beta: f64) -> Result<Alvarez, oncodyn::Error> {
    use oncodyn::builder::Rate;
    use oncodyn::mechanisms::{add_antigen_loss, AntigenLossParams};
    use oncodyn::model::{Emax, Factor, Linear, Logistic};
    let mut b = ModelBuilder::new();
    let parent = TumorSpec::new(
        "t1",
        8e7,
        Logistic {
            rate: 0.514,
            capacity: 1.0 / 2e-9,
        },
    );
    let t1 = b.tumor(parent.clone())?;
    let innate = b.effector(CellSpec {
        name: "innate".into(),
        initial: 1.05e7,
        source: 1.3e4,
        death: 0.0412,
        ..Default::default()
    })?;
    let adaptive = b.effector(CellSpec {
        name: "adaptive".into(),
        initial: 0.0,
        source: 0.0,
        death: 0.02,
        ..Default::default()
    })?;
    b.kill(innate, t1, MassAction { rate: 1.101e-7 })?;
    b.kill(adaptive, t1, MassAction { rate: beta })?;
    let params = AntigenLossParams {
        name: "t2".into(),
        initial: 2e7,
        relative_growth: 0.35,
        competition: 1.101e-9,
        competition_ratio: 1.5,
        innate: vec![(innate, 1.101e-7)],
        switching: 0.0,
    };
    let t2 = add_antigen_loss(&mut b, t1, &parent, &params)?.variant;
    // E1: inactivated by both clones (c3), recruited by the total burden (c4, c5; s = 1).
    b.inactivate(t1, innate, 3.422e-10)?;
    b.inactivate(t2, innate, 3.422e-10)?;
    let recruitment = b.production("innate_recruitment", innate, innate, 0.1245)?;
    let saturation = Factor::Effect(
        Emax {
            emax: 1.0,
            ec50: 2.0193e7,
        }
        .into(),
    );
    b.modify(Rate::Process(recruitment), Signal::TotalBurden, saturation)?;
    // E2: primed by E1 on T1 only (d1), inactivated by T1 (d2), dies at d3.
    let priming = b.production("priming", innate, adaptive, 1.1e-7)?;
    let by_t1 = Factor::Effect(Linear { slope: 1.0 }.into());
    b.modify(Rate::Process(priming), Signal::Burden(t1), by_t1)?;
    b.inactivate(t1, adaptive, 3.42e-10)?;
    let model = b.build()?;
    let options = SolverOptions {
        rtol: 1e-10,
        stiffness: Stiffness::Ignore,
        ..Default::default()
    };
    let times = [0.0, 10.0, 50.0, 100.0, 200.0, 400.0];
    let traj = simulate(&model, &Regimen::new("none"), &times, &options)?;
    Ok((traj, t1, t2, adaptive))
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

/// The checkable numbers of mechanisms.md §5a (LSODA, rtol 1e-10, quoted to 4 digits): T1 at
/// 10, 50, 100, 200 and 400 days; the edited clone T2 extinct by day 50 (2.47e-3 cells); the
/// adaptive pool at day 400; and without the adaptive kill T1(400) = 4.841e8, ≈ 64-fold more.
#[test]
fn antigen_loss_reproduces_alvarez_2019() -> Result<(), oncodyn::Error> {
    let (traj, t1, t2, adaptive) = alvarez_2019(1.101e-10)?;
    for (t, expected) in [
        (10.0, 1.101e5),
        (50.0, 1.213e5),
        (100.0, 2.100e8),
        (200.0, 2.638e7),
        (400.0, 7.597e6),
    ] {
        let got = traj.value_at(t, t1)?;
        assert!(
            rel(got, expected) < 1e-3,
            "T1({t}) = {got:e}, published {expected:e}"
        );
    }
    let t2 = traj.value_at(50.0, t2)?;
    assert!(rel(t2, 2.47e-3) < 1e-2, "T2(50) = {t2:e}");
    let e2 = traj.value_at(400.0, adaptive)?;
    assert!(rel(e2, 2.142e8) < 1e-3, "E2(400) = {e2:e}");
    let (without, t1, _, _) = alvarez_2019(0.0)?;
    let t1 = without.value_at(400.0, t1)?;
    assert!(
        rel(t1, 4.841e8) < 1e-3,
        "T1(400) without adaptive kill = {t1:e}"
    );
    Ok(())
}
