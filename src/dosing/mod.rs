//! Dosing: doses, repeats and regimens.
//!
//! Use this module to say *when* and *how much*: a [`Dose`] is one administration (bolus or
//! zero-order infusion, of a drug in mg or of cells), optionally repeated; a [`Regimen`] is a
//! named arm combining doses of several drugs. [`Regimen::resolve`] checks it against a model and
//! expands it into a [`Plan`], the sorted event list the solver integrates across.

mod dose;
pub mod radiotherapy;
mod regimen;

pub use dose::{Compartment, Dose, Repeat};
pub use regimen::{Infusion, Jump, JumpKind, Plan, Regimen};
