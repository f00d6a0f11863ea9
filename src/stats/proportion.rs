//! Proportions with their Wilson score 95% interval.

use super::StatsError;
use super::{Interval, Z_95};
use serde::{Deserialize, Serialize};

/// A proportion with its Wilson score 95% interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Proportion {
    /// Number of successes (e.g. responders).
    pub successes: usize,
    /// Number of trials (patients).
    pub total: usize,
    /// `successes / total`.
    pub estimate: f64,
    /// Wilson score 95% interval.
    pub interval: Interval,
}

/// The proportion `successes / total` with the Wilson score interval (Wilson, J Am Stat Assoc
/// 1927;22:209; Newcombe, Stat Med 1998;17:857, method 3), no continuity correction:
///
/// ```text
/// (2x + z² ∓ z·√(z² + 4x(n − x)/n)) / (2(n + z²)),   z = Z_95
/// ```
///
/// which is 0 exactly for `x = 0` and 1 exactly for `x = n` (set so, not computed with
/// rounding). It stays inside [0, 1] and behaves well for small `n` and rare events, where the
/// Wald interval `p ± z·√(p(1−p)/n)` fails.
///
/// ```
/// use oncodyn::compare::wilson;
/// let orr = wilson(81, 263)?;
/// assert!((orr.interval.lower - 0.2553).abs() < 5e-5 && (orr.interval.upper - 0.3662).abs() < 5e-5);
/// # Ok::<(), oncodyn::Error>(())
/// ```
///
/// # Errors
/// [`StatsError::Empty`] for `total = 0`; [`SuccessesExceedTotal`](StatsError::SuccessesExceedTotal).
pub fn wilson(successes: usize, total: usize) -> Result<Proportion, StatsError> {
    if total == 0 {
        return Err(StatsError::Empty { what: "trials" });
    }
    if successes > total {
        return Err(StatsError::SuccessesExceedTotal { successes, total });
    }
    let (x, n) = (successes as f64, total as f64);
    let z2 = Z_95 * Z_95;
    let root = Z_95 * (z2 + 4.0 * x * (n - x) / n).sqrt();
    let denominator = 2.0 * (n + z2);
    let lower = if successes == 0 {
        0.0
    } else {
        (2.0 * x + z2 - root) / denominator
    };
    let upper = if successes == total {
        1.0
    } else {
        (2.0 * x + z2 + root) / denominator
    };
    Ok(Proportion {
        successes,
        total,
        estimate: x / n,
        interval: Interval { lower, upper },
    })
}
