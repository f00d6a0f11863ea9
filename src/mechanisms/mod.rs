//! Resistance mechanisms as components of any model.
//!
//! Each mechanism is one file in this module. It adds its states and processes to a model
//! **through the [`ModelBuilder`](crate::builder::ModelBuilder)** — species, cell populations,
//! transitions, productions, bindings and modifiers of the model core, never user code — and
//! returns typed handles to what it added, so that therapies, endpoints and fits can refer to
//! them. Because everything a mechanism adds is ordinary model data, a model with mechanisms
//! is saved to and read from a model file like any other, its equations appear in
//! [`Model::equations`](crate::model::Model::equations), and every number it adds is a
//! parameter path that studies vary and fits estimate.
//!
//! Every module's documentation gives the biology in two sentences, the equations, a parameter
//! table with units, and its source — or, where no published ODE model exists, says
//! "proposed form" and which observations the form encodes.
//!
//! | module | mechanism | form |
//! |---|---|---|
//! | [`antigen_loss`] | an antigen-low variant invisible to adaptive effectors, competing with its parent | Alvarez, Barbuto & Venegeroles 2019 (BIOMD0000000790) |
//! | [`exhaustion`] | T-cell exhaustion under persistent antigen, partly reversed by checkpoint blockade | proposed form after the PD-1-low/PD-1-high model of `examples/models/exhaustion_pd1.toml` |

pub mod antigen_loss;
pub mod exhaustion;

pub use antigen_loss::{add_antigen_loss, AntigenLoss, AntigenLossParams};
pub use exhaustion::{add_exhaustion, Blockade, Exhaustion, ExhaustionParams};
