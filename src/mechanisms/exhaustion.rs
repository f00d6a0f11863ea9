//! T-cell exhaustion: functional effectors become exhausted under persistent antigen, and
//! checkpoint blockade brings a fraction of them back.
//!
//! **Biology.** Effector T cells that keep meeting their antigen acquire high PD-1 and lose
//! proliferation and cytotoxicity; anti-PD-1/PD-L1 antibodies re-invigorate part of that pool
//! (the progenitor-like cells), not all of it.
//!
//! **Equations** (proposed form; the exhaustion transition and the exhausted pool follow the
//! PD-1-low → PD-1-high model of `examples/models/exhaustion_pd1.toml`, shared/models/immune.md
//! §10a, with its constant conversion rate made antigen-dependent). For a functional population
//! `E` that kills a tumor of burden `w`, the module adds the exhausted population `X`:
//!
//! ```text
//! dE/dt = … − ρ·w/(K + w)·E + r·B(u)·X
//! dX/dt =     ρ·w/(K + w)·E − r·B(u)·X − d_X·X,        X kills the tumor with its own law
//! B(u)  = u/(u50 + u)                                  blockade occupancy of the signal u
//! ```
//!
//! | parameter | symbol | unit | typical magnitude |
//! |---|---|---|---|
//! | [`rate`](ExhaustionParams::rate) | ρ | 1/day | 0.15 (ρ of immune.md §10a) |
//! | [`half_antigen`](ExhaustionParams::half_antigen) | K | tumor unit (cells) | 1e7 |
//! | [`death`](ExhaustionParams::death) | d_X | 1/day | 0.72 (d2 of immune.md §10a) |
//! | [`kill`](ExhaustionParams::kill) | — | kill law | a small fraction of `E`'s |
//! | [`Blockade::rate`] | r | 1/day | proposed; sets the re-invigorated fraction |
//! | [`Blockade::half_occupancy`] | u50 | unit of the signal (mg/L for a concentration) | the antibody's EC50 |
//!
//! With the burden held at `w`, the exhausted share of the pool tends to
//! `X/(E + X) = ρ_w/(ρ_w + r·B + d_X)`, `ρ_w = ρ·w/(K + w)`: most cells are exhausted when
//! `ρ_w ≫ d_X`, and blockade lowers the share without abolishing it.

use crate::builder::{ModelBuilder, Rate, Signal};
use crate::model::BuildError;
use crate::model::{
    CellSpec, Effector, Emax, Factor, KillLaw, ProcessId, StateId, StateRef, Tumor,
};

/// The exhaustion module's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct ExhaustionParams {
    /// Name of the exhausted population (a new effector population).
    pub name: String,
    /// Maximal exhaustion rate `ρ`, 1/day.
    pub rate: f64,
    /// Tumor burden at which exhaustion runs at half its maximal rate, `K`, in the tumor's unit.
    pub half_antigen: f64,
    /// Death rate of exhausted cells `d_X`, 1/day.
    pub death: f64,
    /// How exhausted cells still kill the tumor.
    pub kill: KillLaw,
}

/// Checkpoint blockade that re-invigorates exhausted cells: `r·u/(u50 + u)` per day.
#[derive(Clone, Debug, PartialEq)]
pub struct Blockade {
    /// What the occupancy reads: a drug's concentration, or a species (an occupancy state).
    pub signal: Signal,
    /// Maximal re-invigoration rate `r`, 1/day.
    pub rate: f64,
    /// Signal at half occupancy `u50`, in the signal's unit (mg/L for a drug concentration).
    pub half_occupancy: f64,
}

/// Handles to what [`add_exhaustion`] added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exhaustion {
    /// The exhausted population `X`.
    pub exhausted: StateId<Effector>,
    /// The transition `E → X`.
    pub exhaustion: ProcessId,
    /// The transition `X → E` under blockade, if a blockade was given.
    pub reinvigoration: Option<ProcessId>,
}

/// Adds exhaustion of `functional` (which meets its antigen on `tumor`) to `b`; see the
/// [module docs](self).
///
/// ```
/// use oncodyn::prelude::*;
/// use oncodyn::mechanisms::{add_exhaustion, ExhaustionParams};
///
/// let mut b = ModelBuilder::new();
/// let tumor = b.tumor(TumorSpec::new("tumor", 1e9, Exponential { rate: 0.0 }))?;
/// let ctl = b.effector(CellSpec { name: "ctl".into(), initial: 1e6, source: 1e5, death: 0.1, ..Default::default() })?;
/// b.kill(ctl, tumor, MassAction { rate: 1e-12 })?;
/// let params = ExhaustionParams {
///     name: "ctl_exhausted".into(),
///     rate: 0.5,
///     half_antigen: 1e7,
///     death: 0.1,
///     kill: MassAction { rate: 1e-13 }.into(),
/// };
/// let added = add_exhaustion(&mut b, ctl, tumor, &params, None)?;
/// let model = b.build()?;
/// let traj = simulate(&model, &Regimen::new("none"), &[0.0, 100.0], &SolverOptions::default())?;
/// // Most of the pool is exhausted: ρ_w/(ρ_w + d_X) = 0.83 at steady state.
/// let (e, x) = (traj.value_at(100.0, ctl)?, traj.value_at(100.0, added.exhausted)?);
/// assert!(x / (e + x) > 0.8);
/// # Ok::<(), oncodyn::Error>(())
/// ```
///
/// # Errors
/// A duplicate name, a foreign handle, or an invalid parameter (negative or non-finite rates,
/// a non-positive half-saturation), each naming the component.
pub fn add_exhaustion(
    b: &mut ModelBuilder,
    functional: StateId<Effector>,
    tumor: StateId<Tumor>,
    params: &ExhaustionParams,
    blockade: Option<&Blockade>,
) -> Result<Exhaustion, BuildError> {
    let exhausted = b.effector(CellSpec {
        name: params.name.clone(),
        initial: 0.0,
        source: 0.0,
        death: params.death,
        ..Default::default()
    })?;
    b.kill(exhausted, tumor, params.kill)?;
    let exhaustion = b.transition(
        &format!("{}_exhaustion", params.name),
        functional,
        exhausted,
        params.rate,
    )?;
    b.modify(
        Rate::Process(exhaustion),
        Signal::Burden(tumor),
        saturation(params.half_antigen),
    )?;
    let reinvigoration = match blockade {
        None => None,
        Some(blockade) => {
            let back = b.transition(
                &format!("{}_reinvigoration", params.name),
                exhausted,
                StateRef::from(functional),
                blockade.rate,
            )?;
            b.modify(
                Rate::Process(back),
                blockade.signal.clone(),
                saturation(blockade.half_occupancy),
            )?;
            Some(back)
        }
    };
    Ok(Exhaustion {
        exhausted,
        exhaustion,
        reinvigoration,
    })
}

/// `x/(half + x)`.
fn saturation(half: f64) -> Factor {
    Factor::Effect(
        Emax {
            emax: 1.0,
            ec50: half,
        }
        .into(),
    )
}
