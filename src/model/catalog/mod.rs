//! Published models as constructors, each citing its source.
//!
//! Use this module to start from a model the literature already describes. Each constructor
//! takes a plain parameter struct (units in its docs; the paper's values as named presets) and
//! either returns the built [`Model`](super::Model) with the handles of its parts, or — the
//! `add_*` forms — adds the model to a [`ModelBuilder`](crate::builder::ModelBuilder) the user
//! goes on extending ("Kuznetsov 1994 plus my mechanism"). Every model here is written on the
//! core's components, with no user code, and ships as a model file in `examples/models/` that
//! builds the same model (tested).
//!
//! | model | states | checked against |
//! |---|---|---|
//! | [`simeoni_2004`] | tumor (4 compartments, g), drug | PROBLEMS.md problem 2 |
//! | [`kuznetsov_1994`] | effector, tumor | immune.md §1: four equilibria and their types |
//! | [`kirschner_panetta_1998`] | effector, tumor, IL-2 | immune.md §3: ACT and IL-2 thresholds |

mod kirschner_panetta;
mod kuznetsov;
mod simeoni;

pub use kirschner_panetta::{
    add_kirschner_panetta_1998, kirschner_panetta_1998, KirschnerPanetta, KirschnerPanettaParams,
};
pub use kuznetsov::{add_kuznetsov_1994, kuznetsov_1994, Kuznetsov, KuznetsovParams};
pub use simeoni::{simeoni_2004, SimeoniModel, SimeoniParams};
