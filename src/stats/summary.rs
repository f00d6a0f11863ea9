//! Means, type-7 quantiles and the summary of a continuous endpoint.

use super::StatsError;
use serde::{Deserialize, Serialize};

/// Mean, spread and quantiles of a continuous endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (divisor `n − 1`); `None` for one value.
    pub sd: Option<f64>,
    /// Smallest value.
    pub min: f64,
    /// 5th percentile (type 7).
    pub q05: f64,
    /// First quartile (type 7).
    pub q25: f64,
    /// Median.
    pub median: f64,
    /// Third quartile (type 7).
    pub q75: f64,
    /// 95th percentile (type 7).
    pub q95: f64,
    /// Largest value.
    pub max: f64,
}

/// Checks `values` is non-empty and finite, naming `what` and the index of the first bad value.
pub(super) fn check_finite(values: &[f64], what: &'static str) -> Result<(), StatsError> {
    if values.is_empty() {
        return Err(StatsError::Empty { what: "values" });
    }
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(StatsError::NonFinite {
            what,
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

fn check_probability(p: f64) -> Result<(), StatsError> {
    if (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(StatsError::InvalidOption {
            option: "p",
            value: p,
            reason: "must be in [0, 1]",
        })
    }
}

/// Type-7 quantile of sorted, non-empty `x`.
pub(super) fn quantile_sorted(x: &[f64], p: f64) -> f64 {
    let h = (x.len() - 1) as f64 * p;
    let lo = h.floor();
    let k = lo as usize;
    match x.get(k + 1) {
        Some(&next) => x[k] + (h - lo) * (next - x[k]),
        None => x[k],
    }
}

/// The arithmetic mean.
///
/// # Errors
/// [`StatsError::Empty`]; [`NonFinite`](StatsError::NonFinite).
pub fn mean(values: &[f64]) -> Result<f64, StatsError> {
    check_finite(values, "value")?;
    Ok(values.iter().sum::<f64>() / values.len() as f64)
}

/// The `p`-quantile by R's default definition (Hyndman & Fan, Am Stat 1996;50:361, type 7):
/// with `x` sorted and `h = (n − 1)·p`, `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])` (0-based).
///
/// ```
/// use oncodyn::compare::quantile;
/// assert_eq!(quantile(&[4.0, 1.0, 3.0, 2.0], 0.25)?, 1.75); // R: quantile(1:4, 0.25)
/// # Ok::<(), oncodyn::Error>(())
/// ```
///
/// # Errors
/// [`StatsError::Empty`]; [`NonFinite`](StatsError::NonFinite);
/// [`InvalidOption`](StatsError::InvalidOption) for `p` outside [0, 1].
pub fn quantile(values: &[f64], p: f64) -> Result<f64, StatsError> {
    check_finite(values, "value")?;
    check_probability(p)?;
    let mut x = values.to_vec();
    x.sort_by(f64::total_cmp);
    Ok(quantile_sorted(&x, p))
}

/// Mean, SD, and type-7 quantiles (5, 25, 50, 75, 95%) with min and max.
///
/// # Errors
/// [`StatsError::Empty`]; [`NonFinite`](StatsError::NonFinite).
pub fn summarize(values: &[f64]) -> Result<Summary, StatsError> {
    let m = mean(values)?;
    let mut x = values.to_vec();
    x.sort_by(f64::total_cmp);
    let n = x.len();
    let sd = (n > 1).then(|| {
        let ss: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
        (ss / (n - 1) as f64).sqrt()
    });
    Ok(Summary {
        n,
        mean: m,
        sd,
        min: x[0],
        q05: quantile_sorted(&x, 0.05),
        q25: quantile_sorted(&x, 0.25),
        median: quantile_sorted(&x, 0.5),
        q75: quantile_sorted(&x, 0.75),
        q95: quantile_sorted(&x, 0.95),
        max: x[n - 1],
    })
}
