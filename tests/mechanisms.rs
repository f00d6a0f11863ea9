//! Mechanism modules (src/mechanisms/): each reproduces the behaviour its documentation states.

use oncodyn::builder::Signal;
use oncodyn::mechanisms::{add_exhaustion, Blockade, ExhaustionParams};
use oncodyn::model::{SpeciesSpec, StateRef};
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
    let ctl = b.effector(CellSpec::new("ctl", 1e6, 1e5, 0.1))?;
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
