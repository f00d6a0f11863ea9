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
//! let chemo = b.drug(DrugSpec::one_compartment("chemo", 2.0, 10.0))?; // CL L/day, V L
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
pub mod solver;
pub mod trajectory;
pub mod units;

pub use error::{
    BuildError, DataError, Error, FitError, IoError, LookupError, ScheduleError, SolveError,
    StudyError,
};

/// The names most programs need, in one import.
pub mod prelude {
    pub use crate::builder::{ModelBuilder, Target};
    pub use crate::dosing::{AmountUnit, Compartment, Cycle, Dose, Regimen, Subject};
    pub use crate::model::{
        BurdenUnit, CellSpec, Custom, DrugId, DrugSpec, Effector, Emax, ExpKill, Exponential,
        Gompertz, Inhibition, Linear, Logistic, MassAction, Model, ModelSpec, PowerLaw, Rates,
        RatioDependent, Recruitment, Saturating, SigmoidEmax, Simeoni, StateId, States,
        SuppressedRate, Suppressor, Tumor, TumorSpec, VonBertalanffy,
    };
    pub use crate::solver::{simulate, EventRule, Method, Simulation, SolverOptions, Stiffness};
    pub use crate::trajectory::Trajectory;
    pub use crate::Error;
}

/// The README's code blocks, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
