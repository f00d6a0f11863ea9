//! One administration: when, how much (and per what), into what, and how.

use crate::dosing::error::ScheduleError;
use serde::{Deserialize, Serialize};

/// Which compartment of a drug a dose goes into.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compartment {
    /// The central compartment (IV).
    #[default]
    Central,
    /// The depot (oral, subcutaneous): enters as `F·amount` after the absorption lag and is
    /// absorbed at rate `ka` (see [`Absorption`](crate::model::Absorption)).
    Depot,
    /// Peripheral compartment `n` (1-based).
    Peripheral(usize),
}

/// What a dose's [`amount`](Dose::amount) is counted per.
///
/// The base unit is the target's: mg for a drug, cells for a cell population. A per-kg or
/// per-m² amount is multiplied by the [`Subject`](super::Subject)'s body weight or body-surface
/// area when the regimen is resolved ([`Regimen::resolve_for`](super::Regimen::resolve_for)).
/// In a file: `unit = "per_kg"` (absent means absolute).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AmountUnit {
    /// mg (drug) or cells (cell population): given as written.
    #[default]
    Absolute,
    /// mg/kg or cells/kg of body weight.
    PerKg,
    /// mg/m² or cells/m² of body-surface area.
    PerM2,
}

impl AmountUnit {
    /// Whether the amount is given as written (no covariate needed).
    pub fn is_absolute(&self) -> bool {
        *self == AmountUnit::Absolute
    }

    /// The unit's suffix after the base unit: `""`, `"/kg"` or `"/m²"`.
    pub fn suffix(self) -> &'static str {
        match self {
            AmountUnit::Absolute => "",
            AmountUnit::PerKg => "/kg",
            AmountUnit::PerM2 => "/m²",
        }
    }
}

impl std::fmt::Display for AmountUnit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AmountUnit::Absolute => f.write_str("absolute"),
            AmountUnit::PerKg => f.write_str("per kg"),
            AmountUnit::PerM2 => f.write_str("per m²"),
        }
    }
}

/// Repetition of a dose: `additional` more doses every `interval` days after the first
/// (NONMEM's ADDL and II).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repeat {
    /// Days between consecutive doses (II), > 0.
    pub interval: f64,
    /// Number of doses after the first (ADDL).
    pub additional: u32,
}

/// One part of a dose split over several days (see [`Dose::split`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Portion {
    /// Days after the dose's time at which this part is given, finite and ≥ 0.
    pub offset: f64,
    /// Fraction of the amount given then, in (0, 1]; the fractions of a split add up to 1.
    pub fraction: f64,
}

impl Portion {
    /// `fraction` of the amount, `offset` days after the dose's time.
    pub fn new(offset: f64, fraction: f64) -> Self {
        Portion { offset, fraction }
    }
}

/// Largest distance of the sum of a split's fractions from 1: fractions written with a few
/// decimals (0.1 + 0.3 + 0.6) add up to 1 within a few ULPs; 1e-9 also passes fractions
/// computed in other programs and printed with ten digits, and still rejects a typo.
const SPLIT_SUM_TOLERANCE: f64 = 1e-9;

/// One administration, possibly repeated.
///
/// `target` names a drug (amount in mg, into `compartment`) or an immune cell population
/// (amount in cells: adoptive transfer, CAR-T), per [`unit`](Self::unit). Without `duration` or
/// `rate` the dose is a bolus (an instantaneous jump); with either, a zero-order infusion of
/// `amount` spread evenly over `[time, time + duration)`, where an infusion given by rate lasts
/// `duration = amount/rate`. Infusions into the same compartment may overlap: their rates add.
///
/// ```
/// use oncodyn::dosing::Dose;
/// // 200 mg over 30 minutes, every 21 days, 6 infusions in all.
/// let dose = Dose::infusion(0.0, "anti_pd1", 200.0, 1.0 / 48.0).repeated(21.0, 6);
/// assert_eq!(dose.expand().len(), 6);
/// // The same infusion given at 9600 mg/day.
/// let by_rate = Dose::infusion_at_rate(0.0, "anti_pd1", 200.0, 9600.0);
/// assert_eq!(by_rate.infusion_duration(), Some(1.0 / 48.0));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dose {
    /// Time of the (first) administration, days from the start of the simulation (the nominal
    /// time: a dose into a depot with an absorption lag arrives `lag` days later).
    pub time: f64,
    /// Name of the drug or cell population.
    pub target: String,
    /// Amount, in the target's unit (mg for a drug, cells for a cell population) per
    /// [`unit`](Self::unit).
    pub amount: f64,
    /// What the amount is counted per (absolute by default).
    #[serde(default, skip_serializing_if = "AmountUnit::is_absolute")]
    pub unit: AmountUnit,
    /// Compartment of a drug (central by default; must be central for cells).
    #[serde(default, skip_serializing_if = "is_central")]
    pub compartment: Compartment,
    /// Infusion duration, days (finite, > 0); `None` for a bolus or an infusion given by rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    /// Infusion rate, in the amount's unit per day (mg/day, or mg/kg/day for an amount per kg;
    /// finite, > 0); `None` for a bolus or an infusion given by duration. At most one of
    /// `duration` and `rate` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// Repetition, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<Repeat>,
}

impl std::fmt::Display for Compartment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Compartment::Central => f.write_str("central"),
            Compartment::Depot => f.write_str("depot"),
            Compartment::Peripheral(n) => write!(f, "peripheral {n}"),
        }
    }
}

fn is_central(c: &Compartment) -> bool {
    *c == Compartment::Central
}

impl Dose {
    /// A bolus of `amount` (mg or cells) into `target` at `time` (days).
    pub fn bolus(time: f64, target: impl Into<String>, amount: f64) -> Self {
        Dose {
            time,
            target: target.into(),
            amount,
            unit: AmountUnit::Absolute,
            compartment: Compartment::Central,
            duration: None,
            rate: None,
            repeat: None,
        }
    }

    /// A zero-order infusion of `amount` into `target` over `duration` days from `time`.
    pub fn infusion(time: f64, target: impl Into<String>, amount: f64, duration: f64) -> Self {
        Dose {
            duration: Some(duration),
            ..Dose::bolus(time, target, amount)
        }
    }

    /// A zero-order infusion of `amount` into `target` at `rate` (the amount's unit per day)
    /// from `time`, lasting `amount/rate` days (NONMEM's RATE > 0).
    pub fn infusion_at_rate(time: f64, target: impl Into<String>, amount: f64, rate: f64) -> Self {
        Dose {
            rate: Some(rate),
            ..Dose::bolus(time, target, amount)
        }
    }

    /// The same dose into `compartment`.
    #[must_use]
    pub fn into_compartment(mut self, compartment: Compartment) -> Self {
        self.compartment = compartment;
        self
    }

    /// The same dose with its amount counted per `unit` (per kg of body weight, per m² of
    /// body-surface area).
    ///
    /// ```
    /// use oncodyn::dosing::{AmountUnit, Dose};
    /// let dose = Dose::infusion(0.0, "chemo", 75.0, 1.0 / 24.0).in_unit(AmountUnit::PerM2);
    /// assert_eq!(dose.unit, AmountUnit::PerM2); // 75 mg/m² over one hour
    /// ```
    #[must_use]
    pub fn in_unit(mut self, unit: AmountUnit) -> Self {
        self.unit = unit;
        self
    }

    /// The same dose given `times` times in all, every `interval` days (`times` = 0 is kept as
    /// asked and rejected when the regimen is checked).
    #[must_use]
    pub fn repeated(mut self, interval: f64, times: u32) -> Self {
        self.repeat = Some(Repeat {
            interval,
            additional: times.wrapping_sub(1),
        });
        self
    }

    /// The same dose shifted by `offset` days.
    #[must_use]
    pub fn shifted(mut self, offset: f64) -> Self {
        self.time += offset;
        self
    }

    /// Whether the dose is an infusion (given by duration or by rate).
    pub fn is_infusion(&self) -> bool {
        self.duration.is_some() || self.rate.is_some()
    }

    /// The infusion's duration, days: `duration` as given, or `amount/rate` for an infusion
    /// given by rate (the nominal amount, so the same for every subject); `None` for a bolus.
    /// When both are given (which [`Regimen::resolve`](super::Regimen::resolve) rejects) this is
    /// `duration`.
    pub fn infusion_duration(&self) -> Option<f64> {
        self.duration.or_else(|| self.rate.map(|r| self.amount / r))
    }

    /// The dose split into parts given `portion.offset` days after its time, each
    /// `portion.fraction` of its amount, in the order given (e.g. a CAR-T product given as
    /// 10 %, 30 % and 60 % on three consecutive days). Every other field, a repeat included, is
    /// kept by each part.
    ///
    /// ```
    /// use oncodyn::dosing::{Dose, Portion};
    /// let car_t = Dose::bolus(0.0, "car_t", 1e8)                     // cells
    ///     .split(&[Portion::new(0.0, 0.1), Portion::new(1.0, 0.3), Portion::new(2.0, 0.6)])?;
    /// let cells: Vec<f64> = car_t.iter().map(|d| d.amount).collect();
    /// assert_eq!(cells, [1e7, 3e7, 6e7]);
    /// assert_eq!(car_t[2].time, 2.0);
    /// # Ok::<(), oncodyn::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ScheduleError::InvalidPortion`] for an offset that is negative or not finite, or a
    /// fraction outside (0, 1], naming the portion; [`ScheduleError::SplitNotWhole`] when the
    /// fractions do not add up to 1 (within 1e-9), or no portion is given.
    pub fn split(&self, portions: &[Portion]) -> Result<Vec<Dose>, ScheduleError> {
        let mut sum = 0.0;
        for (portion, p) in portions.iter().enumerate() {
            if !(p.offset.is_finite() && p.offset >= 0.0) {
                return Err(ScheduleError::InvalidPortion {
                    portion,
                    field: "offset",
                    value: p.offset,
                    reason: "must be finite and non-negative",
                });
            }
            if !(p.fraction > 0.0 && p.fraction <= 1.0) {
                return Err(ScheduleError::InvalidPortion {
                    portion,
                    field: "fraction",
                    value: p.fraction,
                    reason: "must be in (0, 1]",
                });
            }
            sum += p.fraction;
        }
        // Every fraction is in (0, 1], so the sum is finite.
        if (sum - 1.0).abs() > SPLIT_SUM_TOLERANCE {
            return Err(ScheduleError::SplitNotWhole { sum });
        }
        Ok(portions
            .iter()
            .map(|p| Dose {
                time: self.time + p.offset,
                amount: self.amount * p.fraction,
                ..self.clone()
            })
            .collect())
    }

    /// Every administration this dose stands for, as single doses in time order (none for a
    /// dose repeated zero times, which [`Regimen::resolve`](super::Regimen::resolve) rejects).
    /// The list has `repeat.additional + 1` entries: `resolve` rejects more than
    /// [`MAX_REPEATS`](super::MAX_REPEATS) repeats before expanding, and so should a caller
    /// expanding a dose read from user input.
    pub fn expand(&self) -> Vec<Dose> {
        let single = Dose {
            repeat: None,
            ..self.clone()
        };
        match self.repeat {
            None => vec![single],
            Some(r) if r.additional == u32::MAX => Vec::new(),
            Some(r) => (0..=r.additional)
                .map(|k| Dose {
                    time: self.time + f64::from(k) * r.interval,
                    ..single.clone()
                })
                .collect(),
        }
    }
}
