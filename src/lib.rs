//! # oncodyn
//!
//! ODE pharmacodynamic models of cancer immunotherapy and its resistance: tumor burden,
//! effector and suppressor cells and drug concentrations, assembled through a typed builder and
//! solved with adaptive integrators across doses.
//!
//! ## Start here
//!
//! - [`builder::ModelBuilder`]: add tumors, immune populations, drugs, kills and drug effects;
//!   get typed handles back; `build()` a [`model::Model`].
//! - [`dosing`]: doses (bolus, infusion by duration or rate, oral with lag, cells; mg, mg/kg,
//!   mg/m²), repeats, treatment cycles, radiotherapy courses, and [`dosing::Regimen`]s.
//! - [`solver::simulate`] with [`solver::SolverOptions`]: integrate piecewise across doses;
//!   [`solver::Simulation`] adds state-triggered events ([`solver::EventRule`]: eradication,
//!   progression, thresholds), a starting state, a subject and model switches;
//!   [`solver::steady_state`] finds periodic steady states exactly.
//! - [`trajectory::Trajectory`]: results by handle, by name, at a time, as CSV, with the doses,
//!   fractions and events that happened.
//! - [`io`]: TOML model and study files that round-trip with the API; NONMEM-style event tables.
//! - [`compare`]: virtual populations, endpoints, statistics and [`compare::Study`], which runs
//!   every patient through every arm in parallel and ranks the arms — the main job.
//! - [`stats`]: proportions with Wilson intervals, Kaplan–Meier curves, quantiles and
//!   summaries, paired bootstrap differences and Student's t, shared by `compare` and `fit`.
//! - [`fit`]: maximum-likelihood fits of free parameters to data (Levenberg–Marquardt,
//!   multi-start, standard errors, AIC/BIC), per subject or pooled.
//!
//! Data flows one way: builder → model → solver with a regimen → trajectory → endpoints,
//! studies and fits.
//!
//! ## Quick start
//!
//! ```
//! use oncodyn::prelude::*;
//!
//! let mut b = ModelBuilder::new();
//! let tumor = b.tumor(TumorSpec::new("tumor", 1e9, Gompertz { rate: 0.05, capacity: 1e12 }))?;
//! let chemo = b.drug(DrugSpec::new("chemo", OneCompartment { cl: 2.0, v: 10.0 }))?; // CL L/day, V L
//! b.effect(chemo, Target::TumorKill(tumor), Emax { emax: 1.5, ec50: 2.0 })?; // 1/day, mg/L
//! let model = b.build()?;
//!
//! let regimen = Regimen::new("q7d").with(Dose::bolus(0.0, "chemo", 100.0).repeated(7.0, 4));
//! let times: Vec<f64> = (0..=28).map(f64::from).collect();
//! let traj = simulate(&model, &regimen, &times, &SolverOptions::default())?;
//! let burden = traj.column(tumor)?;
//! assert!(burden.get(burden.len() - 1).unwrap() < 1e9); // treatment shrinks the tumor
//! # Ok::<(), oncodyn::Error>(())
//! ```
//!
//! Units: time in days, populations in cells (tumors may be in g or mm³), drug amounts in mg,
//! volumes in L, concentrations in mg/L.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod builder;
pub mod compare;
pub mod dosing;
mod error;
pub mod fit;
pub mod io;
pub mod mechanisms;
pub mod model;
mod shared_error;
pub mod solver;
pub mod stats;
pub mod trajectory;
pub mod units;

pub use error::{
    BuildError, DataError, Error, FitError, IoError, LookupError, ScheduleError, SolveError,
    StudyError,
};
pub use shared_error::SharedError;

/// The names most programs need, in one import.
pub mod prelude {
    pub use crate::builder::{ModelBuilder, Target};
    pub use crate::dosing::{AmountUnit, Compartment, Cycle, Dose, Regimen, Subject};
    pub use crate::model::{
        BurdenUnit, CellSpec, Custom, DrugId, DrugSpec, Effector, Emax, ExpKill, Exponential,
        Gompertz, Inhibition, Linear, Logistic, MassAction, Model, ModelSpec, OneCompartment,
        PowerLaw, Rates, RatioDependent, Recruitment, Saturating, SigmoidEmax, Simeoni, StateId,
        States, SuppressedRate, Suppressor, ThreeCompartment, Tumor, TumorSpec, TwoCompartment,
        VonBertalanffy,
    };
    pub use crate::solver::{simulate, EventRule, Method, Simulation, SolverOptions, Stiffness};
    pub use crate::trajectory::Trajectory;
    pub use crate::Error;
}

/// The README's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The public enums that will grow are `#[non_exhaustive]`: a `match` outside the crate needs a
/// wildcard arm, so a new variant is not a breaking change. Each block below lists every
/// variant of one enum and must fail to compile for want of that arm (checked by `cargo test
/// --doc`). Not marked: the error enums already were; the uninhabited state markers
/// ([`Tumor`](model::Tumor) and the like); closed choices (`RecruitmentMode`, `Period`,
/// `Segment`, `Side`, `Weekday`).
///
/// ```compile_fail,E0004
/// use oncodyn::model::EffectLaw;
/// fn f(x: &EffectLaw) -> u8 {
///     match x {
///         EffectLaw::Linear { .. } | EffectLaw::Emax { .. } | EffectLaw::SigmoidEmax { .. } | EffectLaw::ExpKill { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::model::GrowthLaw;
/// fn f(x: &GrowthLaw) -> u8 {
///     match x {
///         GrowthLaw::Exponential { .. } | GrowthLaw::Logistic { .. } | GrowthLaw::Gompertz { .. } | GrowthLaw::VonBertalanffy { .. } | GrowthLaw::Simeoni { .. } | GrowthLaw::PowerLaw { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::model::BurdenUnit;
/// fn f(x: &BurdenUnit) -> u8 {
///     match x {
///         BurdenUnit::Cells { .. } | BurdenUnit::Grams { .. } | BurdenUnit::CubicMillimeters { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::model::KillLaw;
/// fn f(x: &KillLaw) -> u8 {
///     match x {
///         KillLaw::MassAction { .. } | KillLaw::Saturating { .. } | KillLaw::RatioDependent { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::model::TargetRate;
/// fn f(x: &TargetRate) -> u8 {
///     match x {
///         TargetRate::TumorKill { .. } | TargetRate::GrowthInhibition { .. } | TargetRate::EffectorKill { .. } | TargetRate::EffectorDeath { .. } | TargetRate::SuppressorDeath { .. } | TargetRate::Suppression { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::model::SuppressedRate;
/// fn f(x: &SuppressedRate) -> u8 {
///     match x {
///         SuppressedRate::Kill { .. } | SuppressedRate::Recruitment { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::model::StateRole;
/// fn f(x: &StateRole) -> u8 {
///     match x {
///         StateRole::Tumor { .. } | StateRole::TumorTransit { .. } | StateRole::Effector { .. } | StateRole::Suppressor { .. } | StateRole::Species { .. } | StateRole::Depot { .. } | StateRole::Central { .. } | StateRole::Peripheral { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::model::ComponentKind;
/// fn f(x: &ComponentKind) -> u8 {
///     match x {
///         ComponentKind::Tumor { .. } | ComponentKind::Effector { .. } | ComponentKind::Suppressor { .. } | ComponentKind::Species { .. } | ComponentKind::Drug { .. } | ComponentKind::Process { .. } | ComponentKind::Observable { .. } | ComponentKind::Custom { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::model::Selector;
/// fn f(x: &Selector) -> u8 {
///     match x {
///         Selector::Name { .. } | Selector::Pair { .. } | Selector::Index { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::builder::Target;
/// fn f(x: &Target) -> u8 {
///     match x {
///         Target::TumorKill { .. } | Target::GrowthInhibition { .. } | Target::EffectorKill { .. } | Target::EffectorDeath { .. } | Target::SuppressorDeath { .. } | Target::Suppression { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::solver::Quantity;
/// fn f(x: &Quantity) -> u8 {
///     match x {
///         Quantity::State { .. } | Quantity::Burden { .. } | Quantity::TotalTumor { .. } | Quantity::Concentration { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::solver::Condition;
/// fn f(x: &Condition) -> u8 {
///     match x {
///         Condition::Below { .. } | Condition::Above { .. } | Condition::Progression { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::solver::Action;
/// fn f(x: &Action) -> u8 {
///     match x {
///         Action::Record { .. } | Action::Stop { .. } | Action::Eradicate { .. } | Action::Dose { .. } | Action::StopDosing { .. } | Action::SwitchRegimen { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::solver::Method;
/// fn f(x: &Method) -> u8 {
///     match x {
///         Method::Dopri5 { .. } | Method::Dop853 { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::solver::Stiffness;
/// fn f(x: &Stiffness) -> u8 {
///     match x {
///         Stiffness::Error { .. } | Stiffness::Ignore { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::model::Process;
/// fn f(x: &Process) -> u8 {
///     match x {
///         Process::Transition { .. } | Process::Production { .. } | Process::Binding { .. } | Process::Flux { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::model::RateRef;
/// fn f(x: &RateRef) -> u8 {
///     match x {
///         RateRef::Process { .. } | RateRef::Kill { .. } | RateRef::Growth { .. } | RateRef::Recruitment { .. } | RateRef::Source { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::model::Input;
/// fn f(x: &Input) -> u8 {
///     match x {
///         Input::State { .. } | Input::Concentration { .. } | Input::Burden { .. } | Input::TotalBurden { .. } | Input::Ratio { .. } | Input::Fraction { .. } | Input::Expression { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::model::Factor;
/// fn f(x: &Factor) -> u8 {
///     match x {
///         Factor::Effect { .. } | Factor::Activation { .. } | Factor::Inhibition { .. } | Factor::Exponential { .. } => 0,
///     }
/// }
/// ```
///
/// ```compile_fail,E0004
/// use oncodyn::units::Unit;
/// fn f(x: &Unit) -> u8 {
///     match x {
///         Unit::Cells { .. } | Unit::Grams { .. } | Unit::CubicMillimeters { .. } | Unit::Milligrams { .. } | Unit::MilligramsPerLiter { .. } | Unit::Nanomolar { .. } | Unit::PicogramsPerMilliliter { .. } | Unit::InternationalUnits { .. } | Unit::CellsPerMicroliter { .. } | Unit::Dimensionless { .. } | Unit::Other { .. } => 0,
///     }
/// }
/// ```
#[cfg(doctest)]
mod non_exhaustive_enums {}
