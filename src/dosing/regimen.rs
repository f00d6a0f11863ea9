//! [`Regimen`]: a named combination of doses (one arm of a comparison), and its resolution
//! against a model into the sorted event list the solver integrates across.

use super::dose::{Compartment, Dose};
use crate::error::ScheduleError;
use crate::model::Model;
use serde::{Deserialize, Serialize};

/// A named set of doses of one or more drugs and cell products.
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
}

impl Regimen {
    /// An empty regimen (no treatment) called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Regimen {
            name: name.into(),
            doses: Vec::new(),
        }
    }

    /// The same regimen with one more dose.
    #[must_use]
    pub fn with(mut self, dose: Dose) -> Self {
        self.doses.push(dose);
        self
    }

    /// The same regimen with every dose shifted by `offset` days.
    #[must_use]
    pub fn shifted(mut self, offset: f64) -> Self {
        for d in &mut self.doses {
            d.time += offset;
        }
        self
    }

    /// The same regimen with the doses of `other` added (the name is kept).
    #[must_use]
    pub fn merged(mut self, other: &Regimen) -> Self {
        self.doses.extend(other.doses.iter().cloned());
        self
    }

    /// Checks every dose against `model` and expands repeats into the sorted event list.
    ///
    /// # Errors
    /// The first invalid dose, by its index in [`doses`](Self::doses): a negative or non-finite
    /// time or amount, a non-positive interval or duration, a repeat of zero doses, an unknown
    /// target or a compartment the drug lacks.
    pub fn resolve(&self, model: &Model) -> Result<Plan, ScheduleError> {
        let mut plan = Plan::default();
        for (index, dose) in self.doses.iter().enumerate() {
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
            if let Some(duration) = dose.duration {
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
                if !(r.interval.is_finite() && r.interval > 0.0) {
                    return Err(ScheduleError::InvalidInterval {
                        dose: index,
                        target: target(),
                        interval: r.interval,
                    });
                }
            }
            let (state, scale) = locate(model, index, dose)?;
            for d in dose.expand() {
                let amount = d.amount * scale;
                match d.duration {
                    None => plan.boluses.push(Bolus {
                        time: d.time,
                        state,
                        amount,
                        dose: index,
                    }),
                    Some(duration) => plan.infusions.push(Infusion {
                        start: d.time,
                        end: d.time + duration,
                        state,
                        rate: amount / duration,
                        dose: index,
                    }),
                }
            }
        }
        plan.boluses.sort_by(|a, b| a.time.total_cmp(&b.time));
        plan.infusions.sort_by(|a, b| a.start.total_cmp(&b.start));
        Ok(plan)
    }
}

/// The state a dose goes into and the factor on its amount (bioavailability for a depot).
fn locate(model: &Model, index: usize, dose: &Dose) -> Result<(usize, f64), ScheduleError> {
    let spec = model.spec();
    if let Some(d) = spec.drugs.iter().position(|d| d.name == dose.target) {
        let layout = &model.layout.drugs[d];
        let missing = |what: String| ScheduleError::MissingCompartment {
            dose: index,
            target: dose.target.clone(),
            compartment: what,
        };
        return match dose.compartment {
            Compartment::Central => Ok((layout.central, 1.0)),
            Compartment::Depot => layout
                .depot
                .map(|s| (s, layout.bioavailability))
                .ok_or_else(|| missing(dose.compartment.to_string())),
            Compartment::Peripheral(n) => n
                .checked_sub(1)
                .map(|i| layout.peripherals.start + i)
                .filter(|s| layout.peripherals.contains(s))
                .map(|s| (s, 1.0))
                .ok_or_else(|| missing(dose.compartment.to_string())),
        };
    }
    let cells = spec.effectors.iter().chain(&spec.suppressors);
    if let Some(c) = cells.clone().position(|c| c.name == dose.target) {
        if dose.compartment != Compartment::Central {
            return Err(ScheduleError::MissingCompartment {
                dose: index,
                target: dose.target.clone(),
                compartment: dose.compartment.to_string(),
            });
        }
        let n_eff = spec.effectors.len();
        let state = if c < n_eff {
            model.layout.effectors[c]
        } else {
            model.layout.suppressors[c - n_eff]
        };
        return Ok((state, 1.0));
    }
    let available: Vec<&str> = spec
        .drugs
        .iter()
        .map(|d| d.name.as_str())
        .chain(cells.map(|c| c.name.as_str()))
        .collect();
    Err(ScheduleError::UnknownTarget {
        dose: index,
        name: dose.target.clone(),
        kind: "drug or cell population",
        available: available.join(", "),
    })
}

/// An instantaneous dose into a state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bolus {
    /// Time, days.
    pub time: f64,
    /// State index.
    pub state: usize,
    /// Amount added (after bioavailability), state units.
    pub amount: f64,
    /// Index of the regimen dose it comes from.
    pub dose: usize,
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

/// A regimen resolved against a model: single doses as state indices, sorted by time.
/// One source of truth for event times: the solver cuts time at exactly these.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// Boluses (drug and cell), by time.
    pub boluses: Vec<Bolus>,
    /// Infusions, by start time.
    pub infusions: Vec<Infusion>,
}
