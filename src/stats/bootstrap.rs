//! Paired differences between arms with a seeded percentile bootstrap.

use super::summary::{check_finite, quantile_sorted};
use super::Interval;
use super::StatsError;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Bootstrap resamples draw from streams `BOOTSTRAP_STREAM_OFFSET + r`, so with the seed of a
/// population they never share a stream with a patient (patients use streams `0..n`).
pub const BOOTSTRAP_STREAM_OFFSET: u64 = 1 << 63;

/// The most resamples a [`Bootstrap`] may ask for: a million, far beyond the ~2000 that give
/// stable 95% limits; each resample's mean is kept, so more would only fill memory.
pub const MAX_RESAMPLES: usize = 1_000_000;

/// Checks `bootstrap.resamples` is between 1 and [`MAX_RESAMPLES`].
///
/// # Errors
/// [`StatsError::InvalidOption`] naming `resamples` otherwise.
pub fn check_resamples(bootstrap: &Bootstrap) -> Result<(), StatsError> {
    let n = bootstrap.resamples;
    if n == 0 || n > MAX_RESAMPLES {
        return Err(StatsError::InvalidOption {
            option: "resamples",
            value: n as f64,
            reason: "must be between 1 and 1,000,000",
        });
    }
    Ok(())
}

/// Bootstrap settings: how many resamples, and the seed of their random streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bootstrap {
    /// Number of resamples, ≥ 1 (use ≥ 2000 for stable 95% percentile limits).
    pub resamples: usize,
    /// Seed: resample `r` draws from `ChaCha8Rng::seed_from_u64(seed)` on stream
    /// [`BOOTSTRAP_STREAM_OFFSET`]` + r`.
    pub seed: u64,
}

/// The mean paired difference between two arms with its bootstrap 95% interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairedDifference {
    /// Number of pairs (patients).
    pub pairs: usize,
    /// `mean(a_i − b_i)`: for 0/1 endpoints, the difference of the proportions.
    pub estimate: f64,
    /// Percentile 95% interval: type-7 2.5% and 97.5% quantiles of the resampled means.
    pub interval: Interval,
    /// Number of resamples.
    pub resamples: usize,
}

/// The mean of `a_i − b_i` over patients `i` given both arms (the same virtual patients, so
/// the comparison is paired), with a percentile bootstrap 95% interval (Efron & Tibshirani
/// 1993, ch. 13): each resample draws `n` patients with replacement and takes the mean of
/// their differences.
///
/// Resample `r` uses its own stream ([`Bootstrap::seed`]), so the result is the same on any
/// number of threads.
///
/// # Errors
/// [`StatsError::LengthMismatch`]; [`Empty`](StatsError::Empty);
/// [`NonFinite`](StatsError::NonFinite) naming `a` or `b` and the index;
/// [`InvalidOption`](StatsError::InvalidOption) for resamples outside 1..=[`MAX_RESAMPLES`].
pub fn paired_difference(
    a: &[f64],
    b: &[f64],
    bootstrap: &Bootstrap,
) -> Result<PairedDifference, StatsError> {
    if a.len() != b.len() {
        return Err(StatsError::LengthMismatch {
            first: a.len(),
            second: b.len(),
        });
    }
    if a.is_empty() {
        return Err(StatsError::Empty { what: "pairs" });
    }
    check_finite(a, "a")?;
    check_finite(b, "b")?;
    check_resamples(bootstrap)?;
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let n = d.len();
    let estimate = d.iter().sum::<f64>() / n as f64;
    let mut means: Vec<f64> = (0..bootstrap.resamples)
        .into_par_iter()
        .map(|r| {
            let mut rng = ChaCha8Rng::seed_from_u64(bootstrap.seed);
            rng.set_stream(BOOTSTRAP_STREAM_OFFSET.wrapping_add(r as u64));
            (0..n).map(|_| d[rng.random_range(0..n)]).sum::<f64>() / n as f64
        })
        .collect();
    means.sort_by(f64::total_cmp);
    Ok(PairedDifference {
        pairs: n,
        estimate,
        interval: Interval {
            lower: quantile_sorted(&means, 0.025),
            upper: quantile_sorted(&means, 0.975),
        },
        resamples: bootstrap.resamples,
    })
}
