//! Fitting models to data: maximum-likelihood estimates, their uncertainty, and model
//! selection criteria.
//!
//! Use this module when a model's parameters must come from observations: tumor volumes of
//! mice, drug concentrations of patients, any trajectory column observed over time. A
//! [`FitProblem`] joins a [`Model`](crate::model::Model), the observed output (an [`Observable`](crate::trajectory::Observable): a column of its
//! trajectories — a state, a concentration `<drug>_conc`, a burden `<tumor>_burden` — or the
//! summed volume or sphere diameter of all its tumors, what calipers or CT scans of a
//! several-clone tumor measure), each subject's doses and
//! observations ([`SubjectData`], or a NONMEM-style [`EventTable`](super::io::nonmem::EventTable)), the [`FreeParameter`]s
//! (every other parameter stays at the model's value) and an [`ErrorModel`]. [`FitProblem::fit`]
//! returns a [`FitReport`].
//!
//! **Estimation.** Maximum likelihood with Gaussian residuals under the error model, with the
//! scale `σ` profiled out, which turns the problem exactly into least squares (see
//! [`objective`]); Levenberg–Marquardt ([`lm`]) searches the transformed parameters
//! ([`transform`]: log, logit or identity, so bounds hold without constraints). The Jacobian
//! is by central differences on the transformed scale with step
//! `h_j = η^(1/3)·max(|φ_j|, 1)`, `η = max(ε, rtol)` the relative accuracy of the predictions
//! (the solver's relative tolerance): this balances the difference's truncation error `O(h²)`
//! against the solver's error `O(η/h)`. (For an identity-transformed parameter, which keeps its
//! unit, the 1 is the half-width of its start range instead.) Fits therefore solve the model tightly by default
//! ([`FitProblem::default_solver`]: Dop853, rtol 1e-10).
//!
//! **Multi-start.** Start 0 is the initial values; start `k ≥ 1` draws each parameter from its
//! start range ([`FreeParameter::start_range`]) with `ChaCha8Rng::seed_from_u64(seed)` on
//! stream `k`, so a start's point depends only on `(seed, k)`. Starts run in parallel (rayon);
//! the report keeps every start and every distinct local optimum, and reports the best.
//!
//! **Uncertainty** (see [`report`]): the observed Fisher information in the Gauss–Newton
//! approximation `JᵀJ/s²` of the concentrated objective at the optimum (`J` the Jacobian of
//! the scaled residuals on the transformed scale, `s² = S/(n − p)`), inverted for the
//! covariance; standard errors reach the natural scale by the delta method; 95% intervals use
//! Student's `t(n − p)` on the transformed scale, mapped back.
//!
//! **Several subjects.** [`FitProblem::fit`] pools every subject's observations under one set
//! of parameters (naive pooling); [`FitProblem::fit_individual`] fits each subject alone, in
//! parallel, and summarizes the individual estimates (two-stage: mean, SD, CV). Population
//! methods (FOCE, SAEM) are not implemented; they would be further methods on a
//! `FitProblem`, with their own report.
//!
//! ```
//! use oncodyn::fit::{ErrorModel, FitOptions, FitProblem, FreeParameter, SubjectData};
//! use oncodyn::prelude::*;
//!
//! // Exponential tumor growth from 100 mm³; volumes measured on days 0..10 with ±3% scatter.
//! let mut b = ModelBuilder::new();
//! b.tumor(TumorSpec::new("tumor", 100.0, Exponential { rate: 0.1 }).in_unit(BurdenUnit::CubicMillimeters))?;
//! let model = b.build()?;
//! let scatter = [1.02, 0.97, 1.03, 0.99, 1.0, 0.98, 1.01, 1.03, 0.97, 1.0, 1.02];
//! let observations: Vec<(f64, f64)> = (0..=10)
//!     .map(|d| (f64::from(d), 100.0 * (0.25 * f64::from(d)).exp() * scatter[d as usize]))
//!     .collect();
//! let mouse = SubjectData::new("mouse 1", Regimen::new("untreated"), observations);
//! let rate = FreeParameter::positive("rate", "tumors[tumor].growth.rate", 0.1)?;   // 1/day
//! let problem = FitProblem::new(&model, "tumor", vec![mouse], vec![rate], ErrorModel::LogNormal)?;
//! let report = problem.fit(&FitOptions::default())?;
//!
//! assert!(report.termination.is_converged());
//! let rate = &report.estimates[0];
//! assert!((rate.estimate - 0.25).abs() < 0.01);
//! let ci = rate.interval.expect("an identifiable rate has an interval");
//! assert!(ci.lower < 0.25 && 0.25 < ci.upper);
//! # Ok::<(), oncodyn::Error>(())
//! ```

mod data;
mod error;
pub mod lm;
pub mod log_scale;
pub mod objective;
mod options;
mod problem;
pub mod report;
mod search;
pub mod selection;
pub mod transform;

pub use data::SubjectData;
pub(crate) use data::{check_observation, output_drug, Checked, Dosing, Observed, RecordedDosing};
pub use error::FitError;
pub use lm::{LmOptions, Termination};
pub use log_scale::{OralLogScale, OralNames};
pub use objective::ErrorModel;
pub use options::{FitOptions, MAX_STARTS};
pub use problem::FitProblem;
pub use report::{
    ErrorEstimate, Estimate, FitReport, FitWarning, IndividualFits, JacobianMethod, LocalOptimum,
    ObservationFit, StartOutcome, StartRecord, SubjectFailure, TwoStageSummary,
};
pub use selection::{groups, select_by_aicc, AicTable};
pub use transform::{FreeParameter, Transform};
