//! Statistics shared by [`compare`](crate::compare) and [`fit`](crate::fit): proportions with
//! Wilson intervals, Kaplan–Meier curves with Greenwood variance and log-log intervals, medians
//! of survival, means and quantiles, paired differences between arms with a seeded bootstrap,
//! and the special functions behind Student's t.
//!
//! Use this module when per-patient endpoints must become per-arm numbers with honest
//! uncertainty: an objective response rate with its 95% interval, a median time to progression
//! with its interval (or the statement that the upper limit was not reached), the quantiles of
//! a continuous endpoint, the difference between two arms given to the same patients.
//! Everything here is also re-exported from [`compare`](crate::compare).
//!
//! Every interval is a two-sided 95% interval, with `z = Φ⁻¹(0.975) =` [`Z_95`].
//!
//! One file per job: [`Interval`] and the constants here; proportions ([`wilson`]), survival
//! ([`KaplanMeier`]), summaries ([`summarize`], [`quantile`]), the bootstrap
//! ([`paired_difference`]) and the special functions (`ln Γ`, the incomplete beta, Student's t)
//! in their own files.

mod bootstrap;
mod error;
mod proportion;
pub(crate) mod special;
mod summary;
mod survival;

pub use bootstrap::{
    check_resamples, paired_difference, Bootstrap, PairedDifference, BOOTSTRAP_STREAM_OFFSET,
    MAX_RESAMPLES,
};
pub use error::StatsError;
pub use proportion::{wilson, Proportion};
pub(crate) use special::student_t_quantile;
pub use summary::{mean, quantile, summarize, Summary};
pub use survival::{KaplanMeier, KmStep, Median, TimeToEvent};

use serde::{Deserialize, Serialize};

/// `Φ⁻¹(0.975)`, the standard normal quantile of a two-sided 95% interval, to the precision of
/// an `f64` (scipy's `norm.ppf(0.975)` gives 1.959963984540054).
pub const Z_95: f64 = 1.959_963_984_540_054;

/// A two-sided interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}
