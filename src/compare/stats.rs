//! Summary statistics of endpoints across patients: proportions with Wilson intervals,
//! Kaplan–Meier curves with Greenwood variance and log-log intervals, medians of survival,
//! means and quantiles, and paired differences between arms with a seeded bootstrap.
//!
//! Use this module when per-patient endpoints must become per-arm numbers with honest
//! uncertainty: an objective response rate with its 95% interval, a median time to progression
//! with its interval (or the statement that the upper limit was not reached), the quantiles of
//! a continuous endpoint, the difference between two arms given to the same patients.
//!
//! Every interval is a two-sided 95% interval, with `z = Φ⁻¹(0.975) =` [`Z_95`].

use super::endpoints::TimeToEvent;
use crate::error::StatsError;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// `Φ⁻¹(0.975)`, the standard normal quantile of a two-sided 95% interval, to the precision of
/// an `f64` (scipy's `norm.ppf(0.975)` gives 1.959963984540054).
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Tolerance for "the survival curve equals 0.5" in [`KaplanMeier::median`]:
/// `sqrt(f64::EPSILON)`, as R's survival package uses.
const HALF_TOLERANCE: f64 = 1.490_116_119_384_765_6e-8;

/// Bootstrap resamples draw from streams `BOOTSTRAP_STREAM_OFFSET + r`, so with the seed of a
/// population they never share a stream with a patient (patients use streams `0..n`).
pub const BOOTSTRAP_STREAM_OFFSET: u64 = 1 << 63;

/// A two-sided interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

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

/// One distinct time of a Kaplan–Meier curve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct KmStep {
    /// Time, days (an event or censoring time).
    pub time: f64,
    /// Subjects at risk just before `time` (those censored at `time` are at risk at it).
    pub at_risk: usize,
    /// Events at `time`.
    pub events: usize,
    /// Censorings at `time`.
    pub censored: usize,
    /// `S(time)`: the product over event times `t_i ≤ time` of `(1 − d_i/n_i)`.
    pub survival: f64,
    /// Greenwood's variance `S²·Σ d_i/(n_i(n_i − d_i))`; `None` once `S = 0`.
    pub variance: Option<f64>,
    /// Log-log 95% interval: `S^exp(±z·se)`, `se = √Σ d_i/(n_i(n_i − d_i)) / |ln S|` (R's
    /// `conf.type = "log-log"`); `None` where `S` is 1 or 0, where it is not defined.
    pub interval: Option<Interval>,
}

/// A median (or other quantile) of survival with its 95% interval; `None` where the curve (or
/// its confidence band) does not fall to 0.5 during follow-up ("not reached").
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Median {
    /// The estimate, days.
    pub estimate: Option<f64>,
    /// Lower 95% limit, days.
    pub lower: Option<f64>,
    /// Upper 95% limit, days.
    pub upper: Option<f64>,
}

/// The Kaplan–Meier estimate of a survival curve (Kaplan & Meier, J Am Stat Assoc 1958;53:457)
/// from right-censored times, with Greenwood's variance (Greenwood 1926) and log-log 95%
/// intervals (Kalbfleisch & Prentice 1980).
///
/// ```
/// use oncodyn::compare::{KaplanMeier, TimeToEvent};
/// let obs = |time, censored| TimeToEvent { time, censored };
/// let km = KaplanMeier::new(&[obs(1.0, false), obs(2.0, true), obs(3.0, false), obs(4.0, false)])?;
/// assert_eq!(km.survival_at(1.0), 0.75);
/// assert_eq!(km.survival_at(3.0), 0.375); // 0.75 · (1 − 1/2)
/// assert_eq!(km.median().estimate, Some(3.0));
/// # Ok::<(), oncodyn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KaplanMeier {
    steps: Vec<KmStep>,
    subjects: usize,
}

impl KaplanMeier {
    /// The curve of `observations` (time, censored); at a tie, events come before censorings.
    ///
    /// # Errors
    /// [`StatsError::Empty`] without observations; [`NonFinite`](StatsError::NonFinite) for a
    /// time that is not finite.
    pub fn new(observations: &[TimeToEvent]) -> Result<Self, StatsError> {
        if observations.is_empty() {
            return Err(StatsError::Empty {
                what: "observations",
            });
        }
        if let Some((index, o)) = observations
            .iter()
            .enumerate()
            .find(|(_, o)| !o.time.is_finite())
        {
            return Err(StatsError::NonFinite {
                what: "time",
                index,
                value: o.time,
            });
        }
        let mut sorted: Vec<&TimeToEvent> = observations.iter().collect();
        sorted.sort_by(|a, b| a.time.total_cmp(&b.time));
        let mut steps = Vec::new();
        let mut at_risk = sorted.len();
        let mut survival = 1.0;
        let mut greenwood_sum = 0.0;
        let mut i = 0;
        while i < sorted.len() {
            let time = sorted[i].time;
            let same = sorted[i..].iter().take_while(|o| o.time == time).count();
            let events = sorted[i..i + same].iter().filter(|o| !o.censored).count();
            let censored = same - events;
            if events > 0 {
                let (n, d) = (at_risk as f64, events as f64);
                survival *= 1.0 - d / n;
                greenwood_sum += if events < at_risk {
                    d / (n * (n - d))
                } else {
                    f64::INFINITY
                };
            }
            let (variance, interval) = if survival == 0.0 {
                (None, None)
            } else {
                let variance = survival * survival * greenwood_sum;
                let interval = (survival < 1.0).then(|| {
                    let se = greenwood_sum.sqrt() / survival.ln().abs();
                    Interval {
                        lower: survival.powf((Z_95 * se).exp()),
                        upper: survival.powf((-Z_95 * se).exp()),
                    }
                });
                (Some(variance), interval)
            };
            steps.push(KmStep {
                time,
                at_risk,
                events,
                censored,
                survival,
                variance,
                interval,
            });
            at_risk -= same;
            i += same;
        }
        Ok(KaplanMeier {
            steps,
            subjects: observations.len(),
        })
    }

    /// The distinct times, in order.
    pub fn steps(&self) -> &[KmStep] {
        &self.steps
    }

    /// Number of subjects.
    pub fn subjects(&self) -> usize {
        self.subjects
    }

    /// Number of events.
    pub fn events(&self) -> usize {
        self.steps.iter().map(|s| s.events).sum()
    }

    /// `S(t)`, right-continuous: 1 before the first event, constant after the last time.
    pub fn survival_at(&self, t: f64) -> f64 {
        let k = self.steps.partition_point(|s| s.time <= t);
        if k == 0 {
            1.0
        } else {
            self.steps[k - 1].survival
        }
    }

    /// The median with its 95% interval, by R's survival package rules (Brookmeyer & Crowley,
    /// Biometrics 1982;38:29, with the pointwise band): the estimate is the first time the
    /// curve is at or below 0.5; the lower limit the first time the band's lower curve is, the
    /// upper limit the first time its upper curve is. Where a curve equals 0.5 (within
    /// `sqrt(ε)`) over an interval, the midpoint between its start and the next drop is taken.
    /// Where the band is undefined (`S` = 1 or 0) it is taken as `S`.
    pub fn median(&self) -> Median {
        let times: Vec<f64> = self.steps.iter().map(|s| s.time).collect();
        let curve =
            |pick: fn(&KmStep) -> f64| -> Vec<f64> { self.steps.iter().map(pick).collect() };
        Median {
            estimate: first_at_or_below_half(&times, &curve(|s| s.survival)),
            lower: first_at_or_below_half(
                &times,
                &curve(|s| s.interval.map_or(s.survival, |i| i.lower)),
            ),
            upper: first_at_or_below_half(
                &times,
                &curve(|s| s.interval.map_or(s.survival, |i| i.upper)),
            ),
        }
    }
}

/// The first `times[k]` with `ys[k] ≤ 0.5` (to [`HALF_TOLERANCE`]); the midpoint to the next
/// lower value when `ys[k]` is 0.5.
fn first_at_or_below_half(times: &[f64], ys: &[f64]) -> Option<f64> {
    let k = ys.iter().position(|&y| y < 0.5 + HALF_TOLERANCE)?;
    if (ys[k] - 0.5).abs() < HALF_TOLERANCE {
        if let Some(j) = (k + 1..ys.len()).find(|&j| ys[j] < ys[k]) {
            return Some(0.5 * (times[k] + times[j]));
        }
    }
    Some(times[k])
}

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

fn check_finite(values: &[f64], what: &'static str) -> Result<(), StatsError> {
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
fn quantile_sorted(x: &[f64], p: f64) -> f64 {
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
