//! One administration: when, how much, into what, and how.

use serde::{Deserialize, Serialize};

/// Which compartment of a drug a dose goes into.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compartment {
    /// The central compartment (IV).
    #[default]
    Central,
    /// The depot (oral, subcutaneous): enters as `F·amount` and is absorbed at rate `ka`.
    Depot,
    /// Peripheral compartment `n` (1-based).
    Peripheral(usize),
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

/// One administration, possibly repeated.
///
/// `target` names a drug (amount in mg, into `compartment`) or an immune cell population
/// (amount in cells: adoptive transfer, CAR-T). Without `duration` the dose is a bolus (an
/// instantaneous jump); with it, a zero-order infusion of `amount` spread evenly over
/// `[time, time + duration)`.
///
/// ```
/// use oncodyn::dosing::Dose;
/// // 200 mg over 30 minutes, every 21 days, 6 infusions in all.
/// let dose = Dose::infusion(0.0, "anti_pd1", 200.0, 1.0 / 48.0).repeated(21.0, 6);
/// assert_eq!(dose.expand().len(), 6);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dose {
    /// Time of the (first) administration, days from the start of the simulation.
    pub time: f64,
    /// Name of the drug or cell population.
    pub target: String,
    /// Amount: mg for a drug, cells for a cell population.
    pub amount: f64,
    /// Compartment of a drug (central by default; must be central for cells).
    #[serde(default, skip_serializing_if = "is_central")]
    pub compartment: Compartment,
    /// Infusion duration, days; `None` for a bolus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
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
            compartment: Compartment::Central,
            duration: None,
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

    /// The same dose into `compartment`.
    #[must_use]
    pub fn into_compartment(mut self, compartment: Compartment) -> Self {
        self.compartment = compartment;
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

    /// Every administration this dose stands for, as single doses in time order (none for a
    /// dose repeated zero times, which [`Regimen::resolve`](super::Regimen::resolve) rejects).
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
