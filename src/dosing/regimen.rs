//! [`Regimen`]: a named combination of doses (one arm of a comparison), and its resolution
//! against a model into the sorted event list the solver integrates across.

use super::dose::{Compartment, Dose};
use super::radiotherapy::Fraction;
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
    /// Radiotherapy fractions, in any order (see [`radiotherapy`](super::radiotherapy) for
    /// standard courses).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub radiotherapy: Vec<Fraction>,
}

impl Regimen {
    /// An empty regimen (no treatment) called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Regimen {
            name: name.into(),
            doses: Vec::new(),
            radiotherapy: Vec::new(),
        }
    }

    /// The same regimen with one more dose.
    #[must_use]
    pub fn with(mut self, dose: Dose) -> Self {
        self.doses.push(dose);
        self
    }

    /// The same regimen with radiotherapy `fractions` added.
    #[must_use]
    pub fn with_radiotherapy(mut self, fractions: impl IntoIterator<Item = Fraction>) -> Self {
        self.radiotherapy.extend(fractions);
        self
    }

    /// The same regimen with every dose and fraction shifted by `offset` days.
    #[must_use]
    pub fn shifted(mut self, offset: f64) -> Self {
        for d in &mut self.doses {
            d.time += offset;
        }
        for f in &mut self.radiotherapy {
            f.time += offset;
        }
        self
    }

    /// The same regimen with the doses and fractions of `other` added (the name is kept).
    #[must_use]
    pub fn merged(mut self, other: &Regimen) -> Self {
        self.doses.extend(other.doses.iter().cloned());
        self.radiotherapy.extend(other.radiotherapy.iter().copied());
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
                    None => plan.jumps.push(Jump {
                        time: d.time,
                        kind: JumpKind::Add {
                            state,
                            amount,
                            dose: index,
                        },
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
        // Stable: at equal times radiation comes before doses (JumpKind's order), then the order
        // given.
        plan.jumps.sort_by(|a, b| {
            a.time
                .total_cmp(&b.time)
                .then(a.kind.rank().cmp(&b.kind.rank()))
        });
        plan.infusions.sort_by(|a, b| a.start.total_cmp(&b.start));
        Ok(plan)
    }
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
