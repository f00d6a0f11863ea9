//! Hand-written baselines for benches/solve.rs (and the right-hand side of benches/rhs.rs):
//! each reference problem of PROBLEMS.md as one allocation-free right-hand side over a stack
//! `[f64; N]`, driven by ode_solvers' `Dopri5` or `Dop853` on an `SVector<f64, N>` directly.
//!
//! They do the work oncodyn does, no less ([`driver`]): restarts at every output time, bolus
//! and infusion start and end, each restart's first step from the same formula (Hairer's
//! `hinit`), the same controller constants, one uniform absolute tolerance (ode_solvers takes a
//! scalar). With the same tolerances both take the same steps, so their rhs evaluation counts
//! match up to the restarts (oncodyn reuses the initial-step guess's first evaluation as the
//! first stage: one evaluation fewer per segment).
//!
//! One file per problem, each with its equations and constants folded as one would write them
//! by hand: [`pk2cpt`] (problem 1), [`simeoni`] (2), [`depillis`] (3), [`tmdd`] (4).

pub mod depillis;
pub mod driver;
pub mod pk2cpt;
pub mod simeoni;
pub mod tmdd;

pub use driver::{solve, Bolus, Infusion, Method, Problem, Rates};
