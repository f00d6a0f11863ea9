//! A dose record resolved against a model and settings ([`Delivery`]), and the doses it
//! gives: within a segment's window, or as one steady-state interval's pattern.

use crate::dosing::{same_time, Compartment, Dose, Regimen, Repeat};
use crate::solver::Period;

/// `x ≥ s`, counting a time within a few ULPs of `s` as `s`.
pub(super) fn at_or_after(x: f64, s: f64) -> bool {
    x >= s || same_time(x, s)
}

/// `x < e` by more than a few ULPs (`e` may be +∞, which every finite time is before).
pub(super) fn before(x: f64, e: f64) -> bool {
    x < e && (e == f64::INFINITY || !same_time(x, e))
}

/// How a dose record's doses are given, amounts absolute (after `amount_per`).
#[derive(Clone, Copy, Debug)]
pub(super) enum Kind {
    /// Boluses of `amount`.
    Bolus { amount: f64 },
    /// Infusions of `amount` over `duration` days; `by_rate` when RATE > 0 gave the duration.
    Infusion {
        amount: f64,
        duration: f64,
        by_rate: Option<f64>,
    },
    /// A constant infusion at `rate` per day (steady state with II = 0), running until a reset.
    Constant { rate: f64 },
}

/// A dose record resolved against the model and settings.
#[derive(Clone, Debug)]
pub(super) struct Delivery {
    /// Index of the record in the subject.
    pub(super) record: usize,
    /// Name of the drug or cell population.
    pub(super) target: String,
    /// Compartment of the drug.
    pub(super) compartment: Compartment,
    /// The drug's absorption lag for a depot (the solver adds it to every nominal time), days.
    pub(super) depot_lag: f64,
    /// Nominal time of the first dose: TIME + ALAG, days.
    pub(super) first: f64,
    /// II, days.
    pub(super) interval: f64,
    /// ADDL.
    pub(super) additional: u32,
    /// How its doses are given.
    pub(super) kind: Kind,
    /// Infusions of earlier implied steady-state doses still running at the record's time:
    /// (start, end) in arrival time, at the infusion's rate.
    pub(super) tails: Vec<(f64, f64)>,
}

impl Delivery {
    /// A bolus of `amount` at nominal time `time` into the record's drug and compartment.
    fn dose(&self, time: f64, amount: f64) -> Dose {
        Dose::bolus(time, self.target.clone(), amount).into_compartment(self.compartment)
    }

    /// An infusion piece from `start` to `end` in arrival time at `rate`, as a dose at its
    /// nominal time; `None` when it rounds to nothing.
    fn piece(&self, start: f64, end: f64, rate: f64) -> Option<Dose> {
        if !before(start, end) {
            return None;
        }
        let duration = end - start;
        Some(Dose {
            duration: Some(duration),
            ..self.dose(start - self.depot_lag, rate * duration)
        })
    }

    /// One whole dose of `amount` at nominal time `time` (a bolus, or an infusion of
    /// `(duration, rate given)`), repeated `count` times every II.
    fn whole(
        &self,
        time: f64,
        count: u32,
        amount: f64,
        infusion: Option<(f64, Option<f64>)>,
    ) -> Dose {
        let dose = match infusion {
            None => self.dose(time, amount),
            Some((_, Some(rate))) => Dose {
                rate: Some(rate),
                ..self.dose(time, amount)
            },
            Some((duration, None)) => Dose {
                duration: Some(duration),
                ..self.dose(time, amount)
            },
        };
        if count > 1 {
            Dose {
                repeat: Some(Repeat {
                    interval: self.interval,
                    additional: count - 1,
                }),
                ..dose
            }
        } else {
            dose
        }
    }

    /// The doses of this record within the window `[start, end)` (arrival times), up to the
    /// horizon (the last output time).
    pub(super) fn doses_within(&self, start: f64, end: f64, horizon: f64) -> Vec<Dose> {
        let mut doses = match self.kind {
            Kind::Constant { rate } => {
                let from = self.first.max(start);
                self.piece(from, end.min(horizon), rate)
                    .into_iter()
                    .collect()
            }
            Kind::Bolus { amount } => self.train(start, end, horizon, amount, None),
            Kind::Infusion {
                amount,
                duration,
                by_rate,
            } => self.train(start, end, horizon, amount, Some((duration, by_rate))),
        };
        if let Kind::Infusion {
            amount, duration, ..
        } = self.kind
        {
            for &(from, to) in &self.tails {
                doses.extend(self.piece(
                    from.max(start),
                    to.min(end).min(horizon),
                    amount / duration,
                ));
            }
        }
        doses
    }

    /// The record's dose and its additional doses (of `amount`, boluses or infusions of
    /// `(duration, rate given)`) within `[start, end)` up to `horizon`: runs of whole doses as
    /// repeated doses, the parts of infusions that straddle `start` or `end` as pieces.
    fn train(
        &self,
        start: f64,
        end: f64,
        horizon: f64,
        amount: f64,
        infusion: Option<(f64, Option<f64>)>,
    ) -> Vec<Dose> {
        let mut doses = Vec::new();
        let in_window = |a: f64| at_or_after(a, start) && before(a, end);
        // A run of consecutive whole doses: (first index, nominal time, count).
        let mut run: Option<(u32, f64, u32)> = None;
        for j in 0..=self.additional {
            let nominal = self.first + f64::from(j) * self.interval;
            let arrival = nominal + self.depot_lag;
            if !before(arrival, end) || !at_or_after(horizon, arrival) {
                break;
            }
            let whole = match infusion {
                None => in_window(arrival),
                Some((d, _)) => in_window(arrival) && !before(end, arrival + d),
            };
            if whole {
                run = match run {
                    Some((j0, t0, n)) if j0 + n == j => Some((j0, t0, n + 1)),
                    Some((_, t0, n)) => {
                        doses.push(self.whole(t0, n, amount, infusion));
                        Some((j, nominal, 1))
                    }
                    None => Some((j, nominal, 1)),
                };
            } else if let Some((d, _)) = infusion {
                // Straddles a window boundary: the part inside.
                let from = arrival.max(start);
                let to = (arrival + d).min(end);
                doses.extend(self.piece(from, to, amount / d));
            }
        }
        if let Some((_, t0, n)) = run {
            doses.push(self.whole(t0, n, amount, infusion));
        }
        doses
    }

    /// The dose pattern of one steady-state interval, in interval time `[0, II)`, and its
    /// period.
    pub(super) fn pattern(&self, time: f64) -> (Regimen, Period) {
        let regimen = Regimen::new("steady state");
        let phase = self.first - time;
        match self.kind {
            Kind::Bolus { amount } => (
                regimen.with(self.dose(phase, amount)),
                Period::Interval(self.interval),
            ),
            Kind::Constant { rate } => (
                // One day at `rate`: Period::Constant takes infusions at their rates.
                regimen.with(Dose {
                    duration: Some(1.0),
                    ..self.dose(0.0, rate)
                }),
                Period::Constant,
            ),
            Kind::Infusion {
                amount, duration, ..
            } => {
                // Infusions of length D started at phase a every II cover each time of the
                // interval q = ⌊D/II⌋ times, and once more on [a, a + D − q·II) (mod II).
                let tau = self.interval;
                let rate = amount / duration;
                let q = (duration / tau).floor();
                let rest = duration - q * tau;
                let mut doses = Vec::new();
                if q >= 1.0 {
                    doses.extend(self.piece(0.0, tau, rate * q));
                }
                let end = phase + rest;
                if before(phase, end) {
                    if at_or_after(tau, end) {
                        doses.extend(self.piece(phase, end.min(tau), rate));
                    } else {
                        doses.extend(self.piece(phase, tau, rate));
                        doses.extend(self.piece(0.0, end - tau, rate));
                    }
                }
                (
                    regimen.with_doses(doses.into_iter().map(|d| fit_in(d, tau))),
                    Period::Interval(tau),
                )
            }
        }
    }
}

/// The same infusion shortened by the last bits its end may exceed `tau` by when computed as
/// start + duration (the solver's steady state rejects an infusion ending after `tau`).
fn fit_in(mut dose: Dose, tau: f64) -> Dose {
    if let Some(mut duration) = dose.duration {
        while dose.time + duration > tau && duration > 0.0 {
            duration = duration.next_down();
        }
        dose.duration = Some(duration);
    }
    dose
}
