//! Kirschner & Panetta 1998: effector cells, tumor and IL-2, with adoptive cell therapy and
//! IL-2 therapy.

use crate::builder::{ModelBuilder, Rate, Signal};
use crate::model::error::BuildError;
use crate::model::{
    CellSpec, Effector, Emax, Factor, Logistic, Model, Saturating, Species, SpeciesSpec, StateId,
    Tumor, TumorSpec,
};
use crate::units::Unit;
use serde::{Deserialize, Serialize};

/// Parameters of the Kirschner–Panetta model (cells, days; IL-2 in the paper's concentration
/// units).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KirschnerPanettaParams {
    /// Tumor antigenicity `c` (recruitment of effectors by the tumor), 1/day.
    pub c: f64,
    /// Effector death `μ2`, 1/day.
    pub mu2: f64,
    /// IL-2-driven effector proliferation `p1`, 1/day.
    pub p1: f64,
    /// Half-saturation of `p1` in IL-2 `g1`, IL-2 units.
    pub g1: f64,
    /// Adoptive cell therapy, an effector source `s1`, cells/day.
    pub s1: f64,
    /// Tumor growth `r2`, 1/day.
    pub r2: f64,
    /// Carrying capacity `1/b`, cells (the paper writes the inverse, `b` in 1/cell).
    pub capacity: f64,
    /// Tumor clearance by effectors `a`, 1/day.
    pub a: f64,
    /// Half-saturation of the kill in tumor `g2`, cells.
    pub g2: f64,
    /// IL-2 production per effector `p2`, IL-2 units/(cell·day).
    pub p2: f64,
    /// Half-saturation of IL-2 production in tumor `g3`, cells.
    pub g3: f64,
    /// IL-2 decay `μ3`, 1/day.
    pub mu3: f64,
    /// IL-2 therapy, an IL-2 source `s2`, IL-2 units/day.
    pub s2: f64,
    /// Effectors at t = 0, cells.
    pub e0: f64,
    /// Tumor cells at t = 0, cells.
    pub t0: f64,
    /// IL-2 at t = 0, IL-2 units.
    pub il0: f64,
}

impl KirschnerPanettaParams {
    /// BioModels BIOMD0000000732 (shared/models/immune.md §3): c = 0.035 (the export's
    /// antigenicity), no therapy (s1 = s2 = 0), initial state (E, T, IL) = (1, 1, 1).
    pub const BIOMODELS: KirschnerPanettaParams = KirschnerPanettaParams {
        c: 0.035,
        mu2: 0.03,
        p1: 0.1245,
        g1: 2e7,
        s1: 0.0,
        r2: 0.18,
        capacity: 1e9,
        a: 1.0,
        g2: 1e5,
        p2: 5.0,
        g3: 1e3,
        mu3: 10.0,
        s2: 0.0,
        e0: 1.0,
        t0: 1.0,
        il0: 1.0,
    };
}

/// Handles to the parts of a Kirschner–Panetta model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KirschnerPanetta {
    /// Activated effector cells `E`.
    pub effector: StateId<Effector>,
    /// The tumor `T`.
    pub tumor: StateId<Tumor>,
    /// IL-2 `I_L`, a species in the paper's concentration units.
    pub il2: StateId<Species>,
}

/// Adds Kirschner D & Panetta JC, "Modeling immunotherapy of the tumor–immune interaction",
/// J Math Biol 1998;37:235–252 to `builder`, as `effector`, `tumor` and `il2`:
///
/// ```text
/// dE/dt  = c·T − μ2·E + p1·E·I_L/(g1 + I_L) + s1
/// dT/dt  = r2·T·(1 − b·T) − a·E·T/(g2 + T)
/// dI_L/dt = p2·E·T/(g3 + T) − μ3·I_L + s2
/// ```
///
/// On the core: IL-2 is a species (unit `IL-2 units`); `c·T` is production of effectors by the
/// tumor; `p1·E·I_L/(g1 + I_L)` is production of effectors by effectors with an Emax factor of
/// IL-2; `p2·E·T/(g3 + T)` is production of IL-2 by effectors with an Emax factor of the tumor
/// burden; the kill is saturating. Changed from the BioModels export: its IL-2 proliferation
/// term reads `p1·E·I_L/g1` (the `+ I_L` is lost in the export); the published Michaelis–Menten
/// form is used (immune.md §3).
///
/// # Errors
/// [`BuildError`] for an invalid parameter (named) or a name already taken in `builder`.
pub fn add_kirschner_panetta_1998(
    builder: &mut ModelBuilder,
    p: &KirschnerPanettaParams,
) -> Result<KirschnerPanetta, BuildError> {
    let tumor = builder.tumor(TumorSpec::new(
        "tumor",
        p.t0,
        Logistic {
            rate: p.r2,
            capacity: p.capacity,
        },
    ))?;
    let effector = builder.effector(CellSpec {
        name: "effector".into(),
        initial: p.e0,
        source: p.s1,
        death: p.mu2,
        ..Default::default()
    })?;
    let unit = Unit::Other("IL-2 units".to_string());
    let il2 = builder.species(
        SpeciesSpec::new("il2", unit, p.il0)
            .with_production(p.s2)
            .with_decay(p.mu3),
    )?;
    builder.kill(
        effector,
        tumor,
        Saturating {
            rate: p.a,
            half_saturation: p.g2,
        },
    )?;
    builder.production("antigenicity", tumor, effector, p.c)?;
    let proliferation = builder.production("il2_proliferation", effector, effector, p.p1)?;
    let saturating = |ec50| Factor::Effect(Emax { emax: 1.0, ec50 }.into());
    builder.modify(
        Rate::Process(proliferation),
        Signal::State(il2.into()),
        saturating(p.g1),
    )?;
    let secretion = builder.production("il2_secretion", effector, il2, p.p2)?;
    builder.modify(
        Rate::Process(secretion),
        Signal::Burden(tumor),
        saturating(p.g3),
    )?;
    Ok(KirschnerPanetta {
        effector,
        tumor,
        il2,
    })
}

/// The Kirschner–Panetta model alone, built; see [`add_kirschner_panetta_1998`].
///
/// ```
/// use oncodyn::model::catalog::{kirschner_panetta_1998, KirschnerPanettaParams};
///
/// // Adoptive cell therapy above the 540 cells/day threshold (immune.md §3).
/// let act = KirschnerPanettaParams { s1: 550.0, ..KirschnerPanettaParams::BIOMODELS };
/// let (model, kp) = kirschner_panetta_1998(&act)?;
/// assert_eq!(model.n_states(), 3);
/// # Ok::<(), oncodyn::Error>(())
/// ```
///
/// # Errors
/// As [`add_kirschner_panetta_1998`].
pub fn kirschner_panetta_1998(
    p: &KirschnerPanettaParams,
) -> Result<(Model, KirschnerPanetta), BuildError> {
    let mut b = ModelBuilder::new();
    let handles = add_kirschner_panetta_1998(&mut b, p)?;
    Ok((b.build()?, handles))
}
