//! Antigen loss and immunoediting: an antigen-low variant of a tumor clone that adaptive
//! effectors cannot see, competing with its parent.
//!
//! **Biology.** Immune pressure on the antigens a tumor presents selects clones that present
//! fewer of them (or lose MHC): invisible to the T cells primed against the parent, such a
//! variant escapes when it grows fast enough, even though it may grow more slowly and is still
//! exposed to innate (NK-like) killing.
//!
//! **Equations** (Alvarez, Barbuto & Venegeroles 2019, BIOMD0000000790, as verified in
//! shared/models/mechanisms.md §5a). For a logistic parent `T1` (rate `a`, capacity `1/b`) the
//! module adds the variant `T2`:
//!
//! ```text
//! dT1/dt = a·T1·(1 − b·T1) − ν·T1·T2 − (kills of T1) − m·T1
//! dT2/dt = a·p·T2·(1 − b·T2) − r·ν·T1·T2 − Σ_innate q·(kill law of T1)·T2 + m·T1
//! ```
//!
//! written on the core as a logistic clone of rate `a·p` and the parent's capacity, the
//! competition as Lotka–Volterra coefficients on the shared capacity
//! (`α12 = ν/(a·b)` for the parent, `α21 = r·ν/(a·p·b)` for the variant), the innate kills as
//! mass-action kills of relative efficiency `q`, and an optional switching `m` (a transition
//! `T1 → T2`, 0 in the paper). Adaptive effectors are given no kill of `T2`.
//!
//! | parameter | symbol | unit | value in the paper |
//! |---|---|---|---|
//! | [`relative_growth`](AntigenLossParams::relative_growth) | p | — | 0.35 |
//! | [`competition`](AntigenLossParams::competition) | ν | 1/(cell·day) | 1.101e-9 |
//! | [`competition_ratio`](AntigenLossParams::competition_ratio) | r | — | 1.5 |
//! | [`innate`](AntigenLossParams::innate) | μ·q | 1/(cell·day) per innate population | 1.101e-7 (q = 1) |
//! | [`switching`](AntigenLossParams::switching) | m | 1/day | 0 |
//! | [`initial`](AntigenLossParams::initial) | T2(0) | cells | 2e7 |

use crate::builder::ModelBuilder;
use crate::model::BuildError;
use crate::model::{
    Effector, GrowthLaw, Logistic, MassAction, ProcessId, StateId, Tumor, TumorSpec,
};

/// The antigen-loss module's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct AntigenLossParams {
    /// Name of the variant clone.
    pub name: String,
    /// Variant cells at t = 0, cells.
    pub initial: f64,
    /// The variant's growth rate relative to its parent's, `p` (dimensionless, > 0).
    pub relative_growth: f64,
    /// Mass-action competition of the variant on the parent, `ν`, 1/(cell·day).
    pub competition: f64,
    /// The parent's competition on the variant relative to `ν`, `r` (dimensionless).
    pub competition_ratio: f64,
    /// Innate populations that still kill the variant, each with its mass-action rate `μ·q`,
    /// 1/(cell·day).
    pub innate: Vec<(StateId<Effector>, f64)>,
    /// Switching of parent cells to the variant phenotype `m`, 1/day (0: none).
    pub switching: f64,
}

/// Handles to what [`add_antigen_loss`] added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AntigenLoss {
    /// The antigen-low variant `T2`.
    pub variant: StateId<Tumor>,
    /// The switching `T1 → T2`, if its rate is not 0.
    pub switching: Option<ProcessId>,
}

/// Adds an antigen-low variant of `parent` (whose spec `parent_spec` gives its logistic
/// growth) to `b`; see the [module docs](self).
///
/// # Errors
/// [`BuildError::InvalidStructure`] if the parent does not grow logistically; otherwise a
/// duplicate name, a foreign handle or an invalid parameter, each naming the component.
pub fn add_antigen_loss(
    b: &mut ModelBuilder,
    parent: StateId<Tumor>,
    parent_spec: &TumorSpec,
    params: &AntigenLossParams,
) -> Result<AntigenLoss, BuildError> {
    let GrowthLaw::Logistic(Logistic { rate, capacity }) = parent_spec.growth else {
        return Err(BuildError::InvalidStructure {
            component: params.name.clone(),
            param: "parent",
            reason: "antigen loss needs a logistically growing parent (its rate and capacity)",
        });
    };
    let growth = Logistic {
        rate: rate * params.relative_growth,
        capacity,
    };
    let variant = b.tumor(TumorSpec::new(&params.name, params.initial, growth))?;
    // a·T·(1 − (T + α·T')/K) has the cross term a·α/K·T·T' = ν·T·T'.
    b.compete(parent, variant, params.competition * capacity / rate)?;
    b.compete(
        variant,
        parent,
        params.competition_ratio * params.competition * capacity / growth.rate,
    )?;
    for &(effector, kill) in &params.innate {
        b.kill(effector, variant, MassAction { rate: kill })?;
    }
    let switching = if params.switching == 0.0 {
        None
    } else {
        let name = format!("{}_switching", params.name);
        Some(b.transition(&name, parent, variant, params.switching)?)
    };
    Ok(AntigenLoss { variant, switching })
}
