//! Kuznetsov, Makalkin, Taylor & Perelson 1994: effector cells against an immunogenic tumor.

use crate::builder::ModelBuilder;
use crate::model::error::BuildError;
use crate::model::{
    CellSpec, Effector, Logistic, MassAction, Model, Recruitment, StateId, Tumor, TumorSpec,
};
use serde::{Deserialize, Serialize};

/// Parameters of the Kuznetsov 1994 model, dimensional (cells, days).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KuznetsovParams {
    /// Tumor-independent influx of effectors `s`, cells/day.
    pub s: f64,
    /// Maximal tumor-stimulated effector proliferation `p`, 1/day.
    pub p: f64,
    /// Half-saturation tumor size of the stimulation `g`, cells.
    pub g: f64,
    /// Effector inactivation by tumor cells `m`, 1/(cell·day).
    pub m: f64,
    /// Effector death rate `d`, 1/day.
    pub d: f64,
    /// Maximal tumor growth rate `a`, 1/day.
    pub a: f64,
    /// Carrying capacity `1/b`, cells (the paper writes the inverse, `b` in 1/cell).
    pub capacity: f64,
    /// Tumor kill by effectors `n`, 1/(cell·day).
    pub n: f64,
    /// Effectors at t = 0, cells.
    pub e0: f64,
    /// Tumor cells at t = 0, cells.
    pub t0: f64,
}

impl KuznetsovParams {
    /// BCL1 lymphoma in the spleen of chimeric mice, as exported in BioModels BIOMD0000000762
    /// (shared/models/immune.md §1), with the export's initial state E(0) = 3.2e5, T(0) = 5e6
    /// cells (a curator's choice, below the escape threshold).
    pub const BIOMODELS: KuznetsovParams = KuznetsovParams {
        s: 1.3e4,
        p: 0.1245,
        g: 2.019e7,
        m: 3.422e-10,
        d: 0.0412,
        a: 0.18,
        capacity: 5e8,
        n: 1.101e-7,
        e0: 3.2e5,
        t0: 5e6,
    };
}

/// Handles to the parts of a Kuznetsov 1994 model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kuznetsov {
    /// The effector (CTL) population `E`.
    pub effector: StateId<Effector>,
    /// The tumor `T`.
    pub tumor: StateId<Tumor>,
}

/// Adds Kuznetsov VA, Makalkin IA, Taylor MA & Perelson AS, "Nonlinear dynamics of
/// immunogenic tumors: parameter estimation and global bifurcation analysis", Bull Math Biol
/// 1994;56:295–321 (the reduced two-state system) to `builder`, as `effector` and `tumor`:
///
/// ```text
/// dE/dt = s + p·E·T/(g + T) − m·E·T − d·E
/// dT/dt = a·T·(1 − b·T) − n·E·T
/// ```
///
/// On the core: an effector with source `s` and death `d`, expansion recruitment `p·T/(g + T)`
/// (Hill 1), inactivation `m·E·T`, logistic growth with capacity `1/b`, mass-action kill `n`.
/// Nothing is changed from the paper's reduced form.
///
/// ```
/// use oncodyn::model::catalog::{kuznetsov_1994, KuznetsovParams};
///
/// let (model, _) = kuznetsov_1994(&KuznetsovParams::BIOMODELS)?;
/// println!("{}", model.equations());
/// // dtumor/dt = 0.18·tumor·(1 − tumor/5e8) − 1.101e-7·effector·tumor
/// # Ok::<(), oncodyn::Error>(())
/// ```
///
/// # Errors
/// [`BuildError`] for an invalid parameter (named) or a name already taken in `builder`.
pub fn add_kuznetsov_1994(
    builder: &mut ModelBuilder,
    p: &KuznetsovParams,
) -> Result<Kuznetsov, BuildError> {
    let tumor = builder.tumor(TumorSpec::new(
        "tumor",
        p.t0,
        Logistic {
            rate: p.a,
            capacity: p.capacity,
        },
    ))?;
    let effector = builder.effector(CellSpec {
        name: "effector".into(),
        initial: p.e0,
        source: p.s,
        death: p.d,
        ..Default::default()
    })?;
    builder.kill(effector, tumor, MassAction { rate: p.n })?;
    builder.recruit(tumor, effector, Recruitment::expansion(p.p, p.g))?;
    builder.inactivate(tumor, effector, p.m)?;
    Ok(Kuznetsov { effector, tumor })
}

/// The Kuznetsov 1994 model alone, built; see [`add_kuznetsov_1994`].
///
/// # Errors
/// As [`add_kuznetsov_1994`].
pub fn kuznetsov_1994(p: &KuznetsovParams) -> Result<(Model, Kuznetsov), BuildError> {
    let mut b = ModelBuilder::new();
    let handles = add_kuznetsov_1994(&mut b, p)?;
    Ok((b.build()?, handles))
}
