//! [`Cycle`]: treatment cycles, "days 1 and 8 of every 21-day cycle, 6 cycles".

use super::dose::{Dose, Repeat};
use crate::dosing::error::ScheduleError;
use serde::{Deserialize, Serialize};

/// A cycle pattern: `cycles` cycles of `length` days, treating on the given `days` of each.
///
/// Days are counted as in oncology protocols: day 1 is the cycle's first day, given at the
/// template dose's time (offset 0); day 8 is 7 days later. [`doses`](Self::doses) turns a
/// template dose into one repeated dose per treatment day (NONMEM-style ADDL/II, with
/// `interval = length`), so the regimen stays short and plain data.
///
/// ```
/// use oncodyn::dosing::{AmountUnit, Cycle, Dose, Regimen};
/// // 1000 mg/m² over 30 minutes on days 1 and 8 of every 21-day cycle, 6 cycles.
/// let chemo = Dose::infusion(0.0, "chemo", 1000.0, 1.0 / 48.0).in_unit(AmountUnit::PerM2);
/// let doses = Cycle::new(21.0, 6).on_days(&[1, 8]).doses(&chemo)?;
/// let days: Vec<f64> = doses.iter().flat_map(|d| d.expand()).map(|d| d.time).collect();
/// assert_eq!(days, [0.0, 21.0, 42.0, 63.0, 84.0, 105.0, 7.0, 28.0, 49.0, 70.0, 91.0, 112.0]);
/// let arm = Regimen::new("gem d1,8 q21d").with_doses(doses);
/// # Ok::<(), oncodyn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cycle {
    /// Cycle length, days (finite, > 0).
    pub length: f64,
    /// Number of cycles (≥ 1).
    pub cycles: u32,
    /// Treatment days within a cycle, 1-based (day 1 = the cycle's first day), each at most
    /// `length` days into the cycle and none repeated; any order (they are sorted).
    pub days: Vec<u32>,
}

impl Cycle {
    /// `cycles` cycles of `length` days, treating on day 1 only (change with
    /// [`on_days`](Self::on_days)).
    pub fn new(length: f64, cycles: u32) -> Self {
        Cycle {
            length,
            cycles,
            days: vec![1],
        }
    }

    /// The same cycles, treating on `days` (1-based) of each.
    #[must_use]
    pub fn on_days(mut self, days: &[u32]) -> Self {
        self.days = days.to_vec();
        self
    }

    /// Offsets of the treatment days from a cycle's start, days, sorted.
    ///
    /// # Errors
    /// [`ScheduleError::InvalidCycle`] naming the parameter: a length that is not finite and
    /// positive (`length`), zero cycles (`cycles`), no day, day 0, a day past the cycle's end,
    /// or a day given twice (`days`).
    pub fn offsets(&self) -> Result<Vec<f64>, ScheduleError> {
        let invalid = |param, value, reason| ScheduleError::InvalidCycle {
            param,
            value,
            reason,
        };
        if !(self.length.is_finite() && self.length > 0.0) {
            return Err(invalid(
                "length",
                self.length,
                "must be finite and positive",
            ));
        }
        if self.cycles == 0 {
            return Err(invalid("cycles", 0.0, "must be at least 1"));
        }
        if self.days.is_empty() {
            return Err(invalid("days", 0.0, "must list at least one day"));
        }
        let mut days = self.days.clone();
        days.sort_unstable();
        for pair in days.windows(2) {
            if pair[0] == pair[1] {
                return Err(invalid("days", f64::from(pair[0]), "is given twice"));
            }
        }
        days.iter()
            .map(|&day| {
                let offset = f64::from(day) - 1.0;
                if day == 0 {
                    Err(invalid(
                        "days",
                        0.0,
                        "must be at least 1 (day 1 is the first)",
                    ))
                } else if offset >= self.length {
                    Err(invalid(
                        "days",
                        f64::from(day),
                        "falls after the end of the cycle",
                    ))
                } else {
                    Ok(offset)
                }
            })
            .collect()
    }

    /// The template dose given on each treatment day of each cycle: one dose per treatment
    /// day, at `template.time + (day − 1)`, repeated every `length` days `cycles` times. The
    /// template's amount, unit, compartment and infusion are kept; cell doses work alike.
    ///
    /// # Errors
    /// As [`offsets`](Self::offsets); and [`ScheduleError::InvalidCycle`] with `param` =
    /// `"repeat"` when the template already has a repeat (a cycle repeats the dose itself).
    pub fn doses(&self, template: &Dose) -> Result<Vec<Dose>, ScheduleError> {
        if let Some(r) = template.repeat {
            return Err(ScheduleError::InvalidCycle {
                param: "repeat",
                value: f64::from(r.additional),
                reason: "must be absent from the template dose (the cycle repeats it)",
            });
        }
        let offsets = self.offsets()?;
        let repeat = (self.cycles > 1).then(|| Repeat {
            interval: self.length,
            additional: self.cycles - 1,
        });
        Ok(offsets
            .into_iter()
            .map(|offset| Dose {
                time: template.time + offset,
                repeat,
                ..template.clone()
            })
            .collect())
    }

    /// Start of cycle `n` (1-based), days after the first cycle's start: `(n − 1)·length`.
    pub fn start_of(&self, n: u32) -> f64 {
        f64::from(n.saturating_sub(1)) * self.length
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsorted_days_are_sorted() -> Result<(), ScheduleError> {
        let c = Cycle::new(28.0, 1).on_days(&[15, 1, 8]);
        assert_eq!(c.offsets()?, [0.0, 7.0, 14.0]);
        Ok(())
    }

    #[test]
    fn the_last_day_of_a_cycle_is_allowed() -> Result<(), ScheduleError> {
        assert_eq!(Cycle::new(21.0, 2).on_days(&[21]).offsets()?, [20.0]);
        Ok(())
    }

    #[test]
    fn one_cycle_has_no_repeat() -> Result<(), ScheduleError> {
        let doses = Cycle::new(21.0, 1).doses(&Dose::bolus(3.0, "x", 1.0))?;
        assert_eq!(doses, [Dose::bolus(3.0, "x", 1.0)]);
        Ok(())
    }
}
