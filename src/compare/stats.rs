//! Summary statistics of endpoints across patients, kept here under their old path: they live
//! in the crate-level [`crate::stats`] module, which [`fit`](crate::fit) uses too.
//!
//! Use [`crate::stats`] for the documentation; every name below is the same item.

pub use crate::stats::{
    check_resamples, mean, paired_difference, quantile, summarize, wilson, Bootstrap, Interval,
    KaplanMeier, KmStep, Median, PairedDifference, Proportion, Summary, BOOTSTRAP_STREAM_OFFSET,
    MAX_RESAMPLES, Z_95,
};
