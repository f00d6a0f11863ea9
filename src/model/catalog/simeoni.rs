//! Simeoni et al. 2004: tumor growth inhibition with a transit chain of damaged cells.

use crate::builder::{ModelBuilder, Target};
use crate::model::error::BuildError;
use crate::model::BurdenUnit;
use crate::model::{
    DrugId, DrugSpec, Linear, Model, OneCompartment, Simeoni, StateId, Tumor, TumorSpec,
};
use serde::{Deserialize, Serialize};

/// Parameters of the Simeoni tumor-growth-inhibition model with one-compartment IV-bolus PK.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimeoniParams {
    /// Exponential growth rate `λ0`, 1/day.
    pub lambda0: f64,
    /// Linear growth rate `λ1`, g/day.
    pub lambda1: f64,
    /// Switch sharpness `ψ` (the paper fixes 20).
    pub psi: f64,
    /// Transit rate of damaged cells `k1`, 1/day.
    pub k1: f64,
    /// Drug potency `k2`, L/(mg·day).
    pub k2: f64,
    /// Drug volume `V`, L.
    pub volume: f64,
    /// Drug elimination rate constant `k`, 1/day (clearance `k·V`).
    pub elimination: f64,
    /// Tumor weight at t = 0, g.
    pub w0: f64,
}

/// The Simeoni model with its handles.
#[derive(Clone, Debug)]
pub struct SimeoniModel {
    /// The model: states `tumor` (x1), `tumor_transit_1..3` (x2..x4), `drug_central`.
    pub model: Model,
    /// The tumor (its column is the total weight `w = x1 + x2 + x3 + x4`, g).
    pub tumor: StateId<Tumor>,
    /// The drug (its column is the concentration, mg/L).
    pub drug: DrugId,
}

/// Simeoni et al., "Predictive pharmacokinetic-pharmacodynamic modeling of tumor growth
/// kinetics in xenograft models after administration of anticancer agents", Cancer Research
/// 2004;64:1094–1101:
///
/// ```text
/// dA/dt  = −k·A                                    C = A/V
/// dx1/dt = λ0·x1/[1 + (λ0/λ1·w)^ψ]^(1/ψ) − k2·C·x1
/// dx2/dt = k2·C·x1 − k1·x2
/// dx3/dt = k1·(x2 − x3)
/// dx4/dt = k1·(x3 − x4)                            w = x1 + x2 + x3 + x4 (g)
/// ```
///
/// # Errors
/// [`BuildError::InvalidParameter`] naming the offending parameter.
pub fn simeoni_2004(p: &SimeoniParams) -> Result<SimeoniModel, BuildError> {
    let mut b = ModelBuilder::new();
    let growth = Simeoni {
        lambda0: p.lambda0,
        lambda1: p.lambda1,
        psi: p.psi,
    };
    let tumor = b.tumor(
        TumorSpec::new("tumor", p.w0, growth)
            .in_unit(BurdenUnit::Grams)
            .with_transit(3, p.k1),
    )?;
    let drug = b.drug(DrugSpec::new(
        "drug",
        OneCompartment {
            cl: p.elimination * p.volume,
            v: p.volume,
        },
    ))?;
    b.effect(drug, Target::TumorKill(tumor), Linear { slope: p.k2 })?;
    Ok(SimeoniModel {
        model: b.build()?,
        tumor,
        drug,
    })
}
