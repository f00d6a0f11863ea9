//! [`Regimen`]: a named combination of doses, radiotherapy fractions and resets (one arm of a
//! comparison), and its resolution against a model into the sorted event list the solver
//! integrates across.

use super::dose::{AmountUnit, Compartment, Dose};
use super::radiotherapy::Fraction;
use super::subject::Subject;
use crate::dosing::error::ScheduleError;
use crate::model::Model;
use serde::{Deserialize, Serialize};

/// A named set of doses of one or more drugs and cell products, radiotherapy fractions and
/// resets.
///
/// Doses, fractions and resets may be listed in any order: [`resolve`](Self::resolve) sorts
/// them. Infusions into the same compartment may overlap; their rates add.
///
/// ```
/// use oncodyn::dosing::{Dose, Regimen};
/// let arm = Regimen::new("concurrent")
///     .with(Dose::infusion(0.0, "anti_pd1", 200.0, 1.0 / 48.0).repeated(21.0, 4))
///     .with(Dose::bolus(0.0, "chemo", 100.0).repeated(21.0, 4));
/// assert_eq!(arm.doses.len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regimen {
    /// Name of the arm.
    #[serde(default)]
    pub name: String,
    /// The doses, in any order.
    #[serde(default)]
    pub doses: Vec<Dose>,
    /// Radiotherapy fractions, in any order (see [`radiotherapy`](super::radiotherapy) for
    /// standard courses).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub radiotherapy: Vec<Fraction>,
    /// Times, days, at which every state returns to the model's initial state (NONMEM EVID 3),
    /// in any order (finite, ≥ 0). An infusion running at a reset is cut there: the rest of it
    /// is not given, as in NONMEM. Doses at a reset's time are given after it (EVID 4).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resets: Vec<f64>,
}

impl Regimen {
    /// An empty regimen (no treatment) called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Regimen {
            name: name.into(),
            doses: Vec::new(),
            radiotherapy: Vec::new(),
            resets: Vec::new(),
        }
    }

    /// The same regimen with one more dose.
    #[must_use]
    pub fn with(mut self, dose: Dose) -> Self {
        self.doses.push(dose);
        self
    }

    /// The same regimen with `doses` added (e.g. those of a [`Cycle`](super::Cycle) or a
    /// [`split`](Dose::split)).
    #[must_use]
    pub fn with_doses(mut self, doses: impl IntoIterator<Item = Dose>) -> Self {
        self.doses.extend(doses);
        self
    }

    /// The same regimen with radiotherapy `fractions` added.
    #[must_use]
    pub fn with_radiotherapy(mut self, fractions: impl IntoIterator<Item = Fraction>) -> Self {
        self.radiotherapy.extend(fractions);
        self
    }

    /// The same regimen with a reset to the initial state at `time` (days).
    #[must_use]
    pub fn with_reset(mut self, time: f64) -> Self {
        self.resets.push(time);
        self
    }

    /// The same regimen with every dose, fraction and reset shifted by `offset` days.
    #[must_use]
    pub fn shifted(mut self, offset: f64) -> Self {
        for d in &mut self.doses {
            d.time += offset;
        }
        for f in &mut self.radiotherapy {
            f.time += offset;
        }
        for r in &mut self.resets {
            *r += offset;
        }
        self
    }

    /// The same regimen with the doses, fractions and resets of `other` added (the name is
    /// kept; `other`'s doses are numbered after this regimen's).
    #[must_use]
    pub fn merged(mut self, other: &Regimen) -> Self {
        self.doses.extend(other.doses.iter().cloned());
        self.radiotherapy.extend(other.radiotherapy.iter().copied());
        self.resets.extend(other.resets.iter().copied());
        self
    }

    /// The regimen for `subject`: every amount per kg or per m² multiplied by the subject's
    /// weight or body-surface area, so that every dose is absolute (mg or cells). A scaled
    /// infusion given by rate becomes one given by its duration, `amount/rate`. Doses keep
    /// their order (and so their indices), and
    /// `regimen.for_subject(s)?.resolve(model) == regimen.resolve_for(model, s)`.
    ///
    /// ```
    /// use oncodyn::dosing::{AmountUnit, Dose, Regimen, Subject};
    /// let arm = Regimen::new("weight-based")
    ///     .with(Dose::bolus(0.0, "drug", 2.0).in_unit(AmountUnit::PerKg));   // 2 mg/kg
    /// let mine = arm.for_subject(&Subject::new().with_weight(70.0))?;
    /// assert_eq!(mine.doses[0].amount, 140.0);                                // mg
    /// # Ok::<(), oncodyn::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ScheduleError::InvalidSubject`] for a covariate that is not finite and positive; for
    /// each dose, the errors of [`resolve`](Self::resolve) that need no model (amount, time,
    /// duration, rate, repeat); [`ScheduleError::MissingCovariate`] for an amount per kg or
    /// per m² the subject lacks the covariate for.
    pub fn for_subject(&self, subject: &Subject) -> Result<Regimen, ScheduleError> {
        subject.check()?;
        let mut out = self.clone();
        for (index, dose) in out.doses.iter_mut().enumerate() {
            let duration = check_dose(index, dose)?;
            if dose.unit.is_absolute() {
                continue;
            }
            let factor = covariate(index, dose, subject)?;
            dose.amount *= factor;
            dose.unit = AmountUnit::Absolute;
            if dose.rate.is_some() {
                dose.duration = duration;
                dose.rate = None;
            }
        }
        Ok(out)
    }

    /// Checks every dose, fraction and reset against `model` and expands them into the sorted
    /// event list, for absolute amounts only (mg, cells). Use
    /// [`resolve_for`](Self::resolve_for) for amounts per kg or per m².
    ///
    /// # Errors
    /// As [`resolve_for`](Self::resolve_for); an amount per kg or per m² is
    /// [`ScheduleError::MissingCovariate`], as there is no subject.
    pub fn resolve(&self, model: &Model) -> Result<Plan, ScheduleError> {
        self.resolve_for(model, &Subject::new())
    }

    /// Checks every dose, fraction and reset against `model` and expands them for `subject`
    /// into the sorted event list.
    ///
    /// - Repeats are expanded (ADDL/II); amounts per kg or per m² are multiplied by the
    ///   subject's weight or body-surface area, taken at the nominal dose time.
    /// - A dose into a depot enters as `F·amount` at `time + lag`
    ///   ([`Absorption`](crate::model::Absorption)); an infusion into a depot starts `lag` later.
    /// - An infusion given by rate lasts `amount/rate` days (the nominal amount), so it is the
    ///   same plan as the infusion given by that duration.
    /// - Each reset becomes a [`JumpKind::Reset`] and cuts every infusion running at it (start
    ///   before the reset, end after): the rest is not given. An infusion starting at a reset
    ///   is not cut.
    /// - Jumps are sorted by time, and at one time: resets, then radiotherapy fractions, then
    ///   doses in the order listed; infusions by start time.
    ///
    /// # Errors
    /// The first problem found, naming the dose by its index in [`doses`](Self::doses) (or the
    /// fraction, reset or covariate): [`ScheduleError::InvalidSubject`];
    /// [`ScheduleError::InvalidReset`] for a reset time that is negative or not finite;
    /// for a dose, [`InvalidAmount`](ScheduleError::InvalidAmount) (negative or non-finite),
    /// [`InvalidTime`](ScheduleError::InvalidTime) (negative or non-finite),
    /// [`InvalidDuration`](ScheduleError::InvalidDuration) (not finite and positive, or shorter
    /// than the rounding of its start time; for an infusion by rate, `amount/rate`),
    /// [`InvalidRate`](ScheduleError::InvalidRate) (not finite and positive),
    /// [`RateAndDuration`](ScheduleError::RateAndDuration) (both given),
    /// [`EmptyRepeat`](ScheduleError::EmptyRepeat),
    /// [`TooManyRepeats`](ScheduleError::TooManyRepeats) (more than [`MAX_REPEATS`]),
    /// [`InvalidInterval`](ScheduleError::InvalidInterval) (not finite and positive),
    /// [`UnknownTarget`](ScheduleError::UnknownTarget),
    /// [`MissingCompartment`](ScheduleError::MissingCompartment),
    /// [`MissingCovariate`](ScheduleError::MissingCovariate) (per kg without a weight, per m²
    /// without a body-surface area or height and weight); for a fraction,
    /// [`InvalidFraction`](ScheduleError::InvalidFraction).
    pub fn resolve_for(&self, model: &Model, subject: &Subject) -> Result<Plan, ScheduleError> {
        subject.check()?;
        for (reset, &time) in self.resets.iter().enumerate() {
            if !(time.is_finite() && time >= 0.0) {
                return Err(ScheduleError::InvalidReset { reset, time });
            }
        }
        let mut plan = Plan::default();
        for (index, dose) in self.doses.iter().enumerate() {
            let duration = check_dose(index, dose)?;
            let target = locate(model, index, dose)?;
            let factor = covariate(index, dose, subject)?;
            for d in dose.expand() {
                let amount = d.amount * factor * target.bioavailability;
                let start = d.time + target.lag;
                match duration {
                    None => plan.jumps.push(Jump {
                        time: start,
                        kind: JumpKind::Add {
                            state: target.state,
                            amount,
                            dose: index,
                        },
                    }),
                    Some(duration) => {
                        let end = start + duration;
                        if same_time(start, end) {
                            return Err(ScheduleError::InvalidDuration {
                                dose: index,
                                target: dose.target.clone(),
                                duration,
                            });
                        }
                        plan.infusions.push(Infusion {
                            start,
                            end,
                            state: target.state,
                            rate: amount / duration,
                            dose: index,
                        })
                    }
                }
            }
        }
        for (index, f) in self.radiotherapy.iter().enumerate() {
            for (value, field) in [(f.time, "time"), (f.dose, "dose")] {
                if !(value.is_finite() && value >= 0.0) {
                    return Err(ScheduleError::InvalidFraction {
                        fraction: index,
                        field,
                        value,
                    });
                }
            }
            plan.jumps.extend(irradiate(model, f, index));
        }
        for &time in &self.resets {
            plan.jumps.push(Jump {
                time,
                kind: JumpKind::Reset,
            });
            for inf in &mut plan.infusions {
                if time > inf.start && time < inf.end && !same_time(inf.start, time) {
                    inf.end = time;
                }
            }
        }
        sort_jumps(&mut plan.jumps);
        plan.infusions.sort_by(|a, b| a.start.total_cmp(&b.start));
        Ok(plan)
    }
}

/// The largest `repeat.additional` a dose may have: a million administrations, daily dosing
/// for 2700 years. [`Regimen::resolve`] expands every repeat into the plan, so a larger count
/// (a typo, `2000000000`) would allocate gigabytes before the first step; it is rejected with
/// [`ScheduleError::TooManyRepeats`] instead.
pub const MAX_REPEATS: u32 = 1_000_000;

/// Sorts `jumps` into the order they are applied: by time, and at one time resets first, then
/// radiotherapy fractions (which act on the cells present before doses given at that time
/// arrive), then doses; stable, so jumps of one kind at one time keep their order.
pub fn sort_jumps(jumps: &mut [Jump]) {
    jumps.sort_by(|a, b| {
        a.time
            .total_cmp(&b.time)
            .then(a.kind.rank().cmp(&b.kind.rank()))
    });
}

/// Whether `a` and `b` are one time (within a few ULPs: `21·k + 1/48` computed two ways), the
/// tolerance within which the solver merges event times into one cut.
pub(crate) fn same_time(a: f64, b: f64) -> bool {
    (b - a).abs() <= 8.0 * f64::EPSILON * a.abs().max(b.abs()).max(1.0)
}

/// Checks what can be checked of dose `index` without a model or subject; returns its infusion
/// duration (days), `None` for a bolus.
fn check_dose(index: usize, dose: &Dose) -> Result<Option<f64>, ScheduleError> {
    let target = || dose.target.clone();
    if !(dose.amount.is_finite() && dose.amount >= 0.0) {
        return Err(ScheduleError::InvalidAmount {
            dose: index,
            target: target(),
            amount: dose.amount,
        });
    }
    if !(dose.time.is_finite() && dose.time >= 0.0) {
        return Err(ScheduleError::InvalidTime {
            dose: index,
            target: target(),
            time: dose.time,
        });
    }
    if let Some(rate) = dose.rate {
        if !(rate.is_finite() && rate > 0.0) {
            return Err(ScheduleError::InvalidRate {
                dose: index,
                target: target(),
                rate,
            });
        }
        if let Some(duration) = dose.duration {
            return Err(ScheduleError::RateAndDuration {
                dose: index,
                target: target(),
                rate,
                duration,
            });
        }
    }
    let duration = dose.infusion_duration();
    if let Some(duration) = duration {
        if !(duration.is_finite() && duration > 0.0) {
            return Err(ScheduleError::InvalidDuration {
                dose: index,
                target: target(),
                duration,
            });
        }
    }
    if let Some(r) = dose.repeat {
        if r.additional == u32::MAX {
            return Err(ScheduleError::EmptyRepeat {
                dose: index,
                target: target(),
            });
        }
        if r.additional > MAX_REPEATS {
            return Err(ScheduleError::TooManyRepeats {
                dose: index,
                target: target(),
                additional: r.additional,
                limit: MAX_REPEATS,
            });
        }
        if !(r.interval.is_finite() && r.interval > 0.0) {
            return Err(ScheduleError::InvalidInterval {
                dose: index,
                target: target(),
                interval: r.interval,
            });
        }
    }
    Ok(duration)
}

/// The factor on dose `index`'s amount for `subject` (1, the weight or the body-surface area).
fn covariate(index: usize, dose: &Dose, subject: &Subject) -> Result<f64, ScheduleError> {
    subject
        .factor(dose.unit)
        .ok_or_else(|| ScheduleError::MissingCovariate {
            dose: index,
            target: dose.target.clone(),
            unit: dose.unit,
            needs: Subject::needs(dose.unit),
        })
}

/// The jumps one fraction causes: each irradiated population scaled by its surviving fraction,
/// a tumor's killed cells moved into its transit chain if it has one.
fn irradiate(model: &Model, f: &Fraction, index: usize) -> Vec<Jump> {
    let spec = model.spec();
    let layout = &model.layout;
    let tumors = spec
        .tumors
        .iter()
        .zip(&layout.tumors)
        .filter_map(|(t, range)| {
            let to = (range.len() > 1).then_some(range.start + 1);
            t.radiosensitivity.map(|r| (r, range.start, to))
        });
    let cells = spec
        .effectors
        .iter()
        .zip(&layout.effectors)
        .chain(spec.suppressors.iter().zip(&layout.suppressors))
        .filter_map(|(c, &state)| c.radiosensitivity.map(|r| (r, state, None)));
    tumors
        .chain(cells)
        .map(|(r, state, to)| Jump {
            time: f.time,
            kind: JumpKind::Scale {
                state,
                factor: r.surviving_fraction(f.dose),
                to,
                fraction: index,
            },
        })
        .collect()
}

/// Where a dose goes: its state, the factor on its amount and the delay of its arrival.
struct Destination {
    /// State index.
    state: usize,
    /// Bioavailability `F` for a depot, else 1.
    bioavailability: f64,
    /// Absorption lag for a depot, days, else 0.
    lag: f64,
}

/// The state dose `index` goes into, with bioavailability and lag for a depot.
fn locate(model: &Model, index: usize, dose: &Dose) -> Result<Destination, ScheduleError> {
    let spec = model.spec();
    let plain = |state| Destination {
        state,
        bioavailability: 1.0,
        lag: 0.0,
    };
    let drug = spec
        .drugs
        .iter()
        .zip(&model.layout.drugs)
        .find(|(d, _)| d.name == dose.target);
    if let Some((drug, layout)) = drug {
        let missing = || ScheduleError::MissingCompartment {
            dose: index,
            target: dose.target.clone(),
            compartment: dose.compartment.to_string(),
        };
        return match dose.compartment {
            Compartment::Central => Ok(plain(layout.central)),
            Compartment::Depot => match (layout.depot, drug.absorption) {
                (Some(state), Some(absorption)) => Ok(Destination {
                    state,
                    bioavailability: layout.bioavailability,
                    lag: absorption.lag,
                }),
                _ => Err(missing()),
            },
            Compartment::Peripheral(n) => n
                .checked_sub(1)
                .map(|i| layout.peripherals.start + i)
                .filter(|s| layout.peripherals.contains(s))
                .map(plain)
                .ok_or_else(missing),
        };
    }
    let cells = spec.effectors.iter().chain(&spec.suppressors);
    let species = spec.species.iter().zip(&model.layout.species);
    if let Some((_, &state)) = species.clone().find(|(s, _)| s.name == dose.target) {
        if dose.compartment != Compartment::Central {
            return Err(ScheduleError::MissingCompartment {
                dose: index,
                target: dose.target.clone(),
                compartment: dose.compartment.to_string(),
            });
        }
        return Ok(plain(state));
    }
    if let Some(c) = cells.clone().position(|c| c.name == dose.target) {
        if dose.compartment != Compartment::Central {
            return Err(ScheduleError::MissingCompartment {
                dose: index,
                target: dose.target.clone(),
                compartment: dose.compartment.to_string(),
            });
        }
        let mut states = model
            .layout
            .effectors
            .iter()
            .chain(&model.layout.suppressors);
        if let Some(&state) = states.nth(c) {
            return Ok(plain(state));
        }
    }
    let available: Vec<&str> = spec
        .drugs
        .iter()
        .map(|d| d.name.as_str())
        .chain(cells.map(|c| c.name.as_str()))
        .chain(species.map(|(s, _)| s.name.as_str()))
        .collect();
    Err(ScheduleError::UnknownTarget {
        dose: index,
        name: dose.target.clone(),
        kind: "drug, cell population or species",
        available: available.join(", "),
    })
}

/// An instantaneous change of the state at `time`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Jump {
    /// Time, days.
    pub time: f64,
    /// What changes.
    pub kind: JumpKind,
}

/// What a [`Jump`] does.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum JumpKind {
    /// Every state back to the model's initial state (NONMEM EVID 3; running infusions are
    /// cut at this time when the plan is made).
    Reset,
    /// Multiply `state` by `factor` (a radiotherapy surviving fraction), moving what is lost
    /// into `to` if any.
    Scale {
        /// State index.
        state: usize,
        /// Surviving fraction in [0, 1].
        factor: f64,
        /// Where the lost part goes (a tumor's first transit compartment), if anywhere.
        to: Option<usize>,
        /// Index of the regimen's fraction it comes from.
        fraction: usize,
    },
    /// Add `amount` to `state` (a bolus of drug or cells).
    Add {
        /// State index.
        state: usize,
        /// Amount added (after bioavailability), state units.
        amount: f64,
        /// Index of the regimen dose it comes from.
        dose: usize,
    },
}

impl JumpKind {
    /// Order among jumps at the same time: a reset first (EVID 4 = reset, then dose), then
    /// radiation, which acts on the cells present before doses given at the same time arrive.
    fn rank(&self) -> u8 {
        match self {
            JumpKind::Reset => 0,
            JumpKind::Scale { .. } => 1,
            JumpKind::Add { .. } => 2,
        }
    }

    /// `reset`, `fraction N` or `dose N`, for messages.
    pub fn describe(&self) -> String {
        match self {
            JumpKind::Reset => "reset".to_string(),
            JumpKind::Scale { fraction, .. } => format!("fraction {fraction}"),
            JumpKind::Add { dose, .. } => format!("dose {dose}"),
        }
    }

    /// Applies the jump to `y`; `initial` is the model's initial state (for a reset).
    pub fn apply(&self, y: &mut [f64], initial: &[f64]) {
        match *self {
            JumpKind::Reset => y.copy_from_slice(initial),
            JumpKind::Scale {
                state, factor, to, ..
            } => {
                let lost = y[state] * (1.0 - factor);
                y[state] -= lost;
                if let Some(to) = to {
                    y[to] += lost;
                }
            }
            JumpKind::Add { state, amount, .. } => y[state] += amount,
        }
    }
}

/// A zero-order input on `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Infusion {
    /// Start, days.
    pub start: f64,
    /// End, days.
    pub end: f64,
    /// State index.
    pub state: usize,
    /// Input rate, state units per day.
    pub rate: f64,
    /// Index of the regimen dose it comes from.
    pub dose: usize,
}

/// A regimen resolved against a model: single doses and fractions as state indices, sorted by
/// time. One source of truth for event times: the solver cuts time at exactly these.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// Jumps (boluses of drug and cells, radiotherapy fractions), by time.
    pub jumps: Vec<Jump>,
    /// Infusions, by start time.
    pub infusions: Vec<Infusion>,
}

impl Regimen {
    /// One line describing the regimen, for a listing of arms: per drug (in order of first
    /// appearance) the number of doses and the amount when all are equal (`chemo 75 ×4`, else
    /// `N doses`) with the first and last day; then the radiotherapy's total dose (Gy), number
    /// of fractions and first and last day; `no treatment` for an empty regimen.
    ///
    /// ```
    /// use oncodyn::prelude::*;
    /// let r = Regimen::new("q21d").with(Dose::bolus(0.0, "chemo", 75.0).repeated(21.0, 4));
    /// assert_eq!(r.describe(), "chemo 75 ×4, days 0–63");
    /// assert_eq!(Regimen::new("none").describe(), "no treatment");
    /// ```
    pub fn describe(&self) -> String {
        let mut targets: Vec<&str> = Vec::new();
        for d in &self.doses {
            if !targets.contains(&d.target.as_str()) {
                targets.push(&d.target);
            }
        }
        let mut parts: Vec<String> = targets
            .into_iter()
            .filter_map(|target| self.describe_drug(target))
            .collect();
        parts.extend(self.describe_radiotherapy());
        if parts.is_empty() {
            "no treatment".to_string()
        } else {
            parts.join("; ")
        }
    }

    /// `target N ×amount, days first–last` over the expanded doses of `target` (`N doses`
    /// when the amounts differ); `None` without a dose.
    fn describe_drug(&self, target: &str) -> Option<String> {
        let mut days: Vec<(f64, f64)> = self
            .doses
            .iter()
            .filter(|d| d.target == target)
            .flat_map(|d| d.expand())
            .map(|d| (d.time, d.amount))
            .collect();
        days.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (first, last) = (days.first()?, days.last()?);
        let amount = if days.iter().all(|d| d.1 == first.1) {
            format!("{} ×{}", first.1, days.len())
        } else {
            format!("{} doses", days.len())
        };
        Some(format!("{target} {amount}, days {}–{}", first.0, last.0))
    }

    /// `RT total Gy in N fractions, days first–last`; `None` without radiotherapy.
    fn describe_radiotherapy(&self) -> Option<String> {
        let times = || self.radiotherapy.iter().map(|f| f.time);
        let (first, last) = (times().reduce(f64::min)?, times().reduce(f64::max)?);
        let gy: f64 = self.radiotherapy.iter().map(|f| f.dose).sum();
        Some(format!(
            "RT {gy} Gy in {} fractions, days {first}–{last}",
            self.radiotherapy.len()
        ))
    }
}

impl Infusion {
    /// The amount the infusion delivers, `rate · (end − start)`, in the state's unit (mg for a
    /// drug).
    pub fn amount(&self) -> f64 {
        self.rate * (self.end - self.start)
    }

    /// How long the infusion runs, `end − start`, days.
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_lists_each_drug_then_radiotherapy() {
        let r = Regimen::new("mixed")
            .with(Dose::bolus(0.0, "chemo", 75.0).repeated(21.0, 2))
            .with(Dose::bolus(7.0, "pd1", 200.0))
            .with(Dose::bolus(14.0, "pd1", 100.0))
            .with_radiotherapy(vec![
                Fraction {
                    time: 1.0,
                    dose: 2.0,
                },
                Fraction {
                    time: 0.0,
                    dose: 2.0,
                },
            ]);
        assert_eq!(
            r.describe(),
            "chemo 75 ×2, days 0–21; pd1 2 doses, days 7–14; RT 4 Gy in 2 fractions, days 0–1"
        );
    }

    #[test]
    fn infusion_amount_is_rate_times_duration() {
        let inf = Infusion {
            start: 1.0,
            end: 1.5,
            state: 0,
            rate: 40.0,
            dose: 0,
        };
        assert_eq!(inf.duration(), 0.5);
        assert_eq!(inf.amount(), 20.0);
    }
}
