//! Right-censored times to an event and their Kaplan–Meier curve, with Greenwood's variance,
//! log-log intervals and the median of survival.

use super::StatsError;
use super::{Interval, Z_95};
use serde::{Deserialize, Serialize};

/// Tolerance for "the survival curve equals 0.5" in [`KaplanMeier::median`]:
/// `sqrt(f64::EPSILON)`, as R's survival package uses.
const HALF_TOLERANCE: f64 = 1.490_116_119_384_765_6e-8;

/// A time to an event, or to the end of follow-up if it did not happen.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeToEvent {
    /// Days from t = 0 to the event, or to the last row (the horizon) if censored.
    pub time: f64,
    /// Whether the event did not happen by `time` (right-censored).
    pub censored: bool,
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

    /// The curve as the corners of its step plot from `(0, 1)` to `(until, S(last))`: at each
    /// step time two points, the survival before and after the drop, so that straight lines
    /// through them draw the right-continuous steps.
    ///
    /// ```
    /// use oncodyn::stats::{KaplanMeier, TimeToEvent};
    /// let obs = |time, censored| TimeToEvent { time, censored };
    /// let km = KaplanMeier::new(&[obs(1.0, false), obs(2.0, false)])?;
    /// assert_eq!(
    ///     km.step_curve(3.0),
    ///     [(0.0, 1.0), (1.0, 1.0), (1.0, 0.5), (2.0, 0.5), (2.0, 0.0), (3.0, 0.0)]
    /// );
    /// # Ok::<(), oncodyn::Error>(())
    /// ```
    pub fn step_curve(&self, until: f64) -> Vec<(f64, f64)> {
        let mut points = Vec::with_capacity(2 * self.steps.len() + 2);
        points.push((0.0, 1.0));
        let mut survival = 1.0;
        for step in &self.steps {
            points.push((step.time, survival));
            survival = step.survival;
            points.push((step.time, survival));
        }
        points.push((until, survival));
        points
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

#[cfg(test)]
mod tests {
    use super::{KaplanMeier, TimeToEvent};

    #[test]
    fn step_curve_drops_at_events_and_holds_through_censorings() {
        let obs = |time, censored| TimeToEvent { time, censored };
        let km = KaplanMeier::new(&[obs(1.0, false), obs(2.0, true), obs(3.0, false)]).unwrap();
        let curve = km.step_curve(5.0);
        let s = 1.0 - 1.0 / 3.0; // one event among three at risk
        let expected = [
            (0.0, 1.0),
            (1.0, 1.0),
            (1.0, s),
            (2.0, s),
            (2.0, s),
            (3.0, s),
            (3.0, 0.0),
            (5.0, 0.0),
        ];
        assert_eq!(curve, expected);
    }
}
