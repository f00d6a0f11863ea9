//! State-triggered events: threshold crossings of a state or a derived quantity, located in
//! time by root finding, and what happens then.
//!
//! Use this module to stop a simulation at eradication, to record or act on progression, or to
//! dose or switch regimens when a quantity crosses a threshold. An [`EventRule`] pairs a
//! [`Condition`] with an [`Action`]; [`simulate_with_events`](super::simulate_with_events) runs
//! them. Crossings are detected at every accepted step (and across every dose jump) and located
//! by Illinois regula falsi on fresh integrations from the last step before the crossing, to
//! [`EVENT_TIME_TOLERANCE`] days.
//!
//! **Diameter mapping** (for [`Condition::Progression`]): a tumor's burden is turned into a
//! volume — cells at [`DiameterMapping::cells_per_mm3`] (default 1e6 cells/mm³, i.e. 1e9 cells
//! per cm³), grams at density 1 g/cm³ (1 g = 1000 mm³), mm³ as is — and the volume into the
//! diameter of a sphere, `D = (6·V/π)^(1/3)` mm. Several clones are summed into one volume.
//! Progression (RECIST 1.1-like, Eisenhauer et al., Eur J Cancer 2009;45:228): `D ≥ 1.2·D_nadir`
//! and `D ≥ D_nadir + 5 mm`, with `D_nadir` the smallest diameter so far (baseline included).

use crate::dosing::ScheduleError;
use crate::dosing::{Dose, Regimen};
use crate::model::Model;
use crate::units::DiameterMapping;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Event times are located to within this many days (absolute, or relative for |t| > 1).
pub const EVENT_TIME_TOLERANCE: f64 = 1e-10;

/// A quantity a condition watches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Quantity {
    /// One state, by name (see [`Model::states`]).
    State {
        /// The state's name.
        name: String,
    },
    /// A tumor's total burden (proliferating plus transit), in its unit.
    Burden {
        /// The tumor's name.
        tumor: String,
    },
    /// The sum of every tumor's total burden (all tumors must share a unit).
    TotalTumor,
    /// A drug's central concentration, mg/L.
    Concentration {
        /// The drug's name.
        drug: String,
    },
}

/// When a rule fires.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Condition {
    /// The quantity falls to or below `value` (from above).
    Below {
        /// What is watched.
        quantity: Quantity,
        /// The threshold, in the quantity's unit.
        value: f64,
    },
    /// The quantity rises to or above `value` (from below).
    Above {
        /// What is watched.
        quantity: Quantity,
        /// The threshold, in the quantity's unit.
        value: f64,
    },
    /// RECIST-like progression of the tumors' summed diameter from its nadir (module docs).
    Progression {
        /// How burden maps to a diameter.
        #[serde(default)]
        mapping: DiameterMapping,
    },
}

/// What happens when a rule fires. Every firing is recorded in the trajectory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Action {
    /// Only record the event.
    Record,
    /// End the simulation at the event (the trajectory ends there).
    Stop,
    /// Set every state of the tumor (proliferating and transit) to 0: eradication. With no
    /// cells left the tumor cannot grow back.
    Eradicate {
        /// The tumor's name.
        tumor: String,
    },
    /// Give a dose, its `time` counted in days after the event.
    Dose {
        /// The dose (time relative to the event).
        dose: Dose,
    },
    /// Cancel every dose and fraction not yet given, and stop running infusions.
    StopDosing,
    /// Cancel what is not yet given and start `regimen`, its times counted from the event.
    SwitchRegimen {
        /// The new regimen.
        regimen: Regimen,
    },
}

/// A named condition and its action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRule {
    /// Name, used in the recorded events.
    pub name: String,
    /// When it fires.
    pub when: Condition,
    /// What then happens.
    pub action: Action,
    /// Fire at every crossing (`true`) or only the first (`false`, the default).
    #[serde(default)]
    pub repeat: bool,
}

impl EventRule {
    /// A rule firing once.
    pub fn new(name: impl Into<String>, when: Condition, action: Action) -> Self {
        EventRule {
            name: name.into(),
            when,
            action,
            repeat: false,
        }
    }

    /// Stop at eradication: the tumor's burden falls below `threshold` (its unit, e.g. 1 cell),
    /// its states are set to 0, and the simulation goes on.
    pub fn eradication(tumor: &str, threshold: f64) -> Self {
        EventRule::new(
            "eradication",
            Condition::Below {
                quantity: Quantity::Burden {
                    tumor: tumor.to_string(),
                },
                value: threshold,
            },
            Action::Eradicate {
                tumor: tumor.to_string(),
            },
        )
    }

    /// Record progression with the default diameter mapping.
    pub fn progression() -> Self {
        EventRule::new(
            "progression",
            Condition::Progression {
                mapping: DiameterMapping::default(),
            },
            Action::Record,
        )
    }
}

/// A quantity resolved to `scale·Σ y[range]` terms.
#[derive(Clone, Debug)]
pub(crate) struct Probe {
    parts: Vec<(Range<usize>, f64)>,
}

impl Probe {
    fn value(&self, y: &[f64]) -> f64 {
        self.parts
            .iter()
            .map(|(r, scale)| scale * y[r.clone()].iter().sum::<f64>())
            .sum()
    }
}

/// A rule with its quantity resolved to state indices.
#[derive(Clone, Debug)]
pub(crate) struct Watch {
    pub rule: EventRule,
    probe: Probe,
    kind: WatchKind,
    /// Whether it may still fire.
    pub armed: bool,
}

#[derive(Clone, Copy, Debug)]
enum WatchKind {
    Below(f64),
    Above(f64),
    Progression { nadir: f64 },
}

impl Watch {
    /// The event function: it changes sign from negative to non-negative at the crossing.
    pub(crate) fn g(&self, y: &[f64]) -> f64 {
        let q = self.probe.value(y);
        match self.kind {
            WatchKind::Below(v) => v - q,
            WatchKind::Above(v) => q - v,
            WatchKind::Progression { nadir } => {
                let d = DiameterMapping::diameter_mm(q);
                (d - 1.2 * nadir).min(d - nadir - 5.0)
            }
        }
    }

    /// Takes over `old`'s progress (armed, nadir) after a model switch.
    pub(crate) fn carry_over(&mut self, old: &Watch) {
        self.armed = old.armed;
        if let (WatchKind::Progression { nadir }, WatchKind::Progression { nadir: previous }) =
            (&mut self.kind, old.kind)
        {
            *nadir = previous;
        }
    }

    /// Moves a progression nadir down to the state `y` (a no-op for thresholds).
    pub(crate) fn observe(&mut self, y: &[f64]) {
        if let WatchKind::Progression { nadir } = &mut self.kind {
            *nadir = nadir.min(DiameterMapping::diameter_mm(self.probe.value(y)));
        }
    }
}

fn unknown(rule: &str, what: &'static str, name: &str, available: Vec<&str>) -> ScheduleError {
    ScheduleError::UnknownEventTarget {
        rule: rule.to_string(),
        kind: what,
        name: name.to_string(),
        available: available.join(", "),
    }
}

/// Resolves `quantity` (named in `rule`) against `model`.
fn probe(model: &Model, rule: &str, quantity: &Quantity) -> Result<Probe, ScheduleError> {
    let spec = model.spec();
    let tumor = |name: &str| {
        spec.tumors
            .iter()
            .position(|t| t.name == name)
            .map(|i| model.layout.tumors[i].clone())
            .ok_or_else(|| {
                unknown(
                    rule,
                    "tumor",
                    name,
                    spec.names(crate::model::ComponentKind::Tumor),
                )
            })
    };
    let parts = match quantity {
        Quantity::State { name } => {
            let i = model.state_index(name).ok_or_else(|| {
                unknown(
                    rule,
                    "state",
                    name,
                    model.states().iter().map(|s| s.name.as_str()).collect(),
                )
            })?;
            vec![(i..i + 1, 1.0)]
        }
        Quantity::Burden { tumor: name } => vec![(tumor(name)?, 1.0)],
        Quantity::TotalTumor => model
            .layout
            .tumors
            .iter()
            .map(|r| (r.clone(), 1.0))
            .collect(),
        Quantity::Concentration { drug } => {
            let d = spec
                .drugs
                .iter()
                .position(|d| &d.name == drug)
                .ok_or_else(|| {
                    unknown(
                        rule,
                        "drug",
                        drug,
                        spec.names(crate::model::ComponentKind::Drug),
                    )
                })?;
            let l = &model.layout.drugs[d];
            vec![(l.central..l.central + 1, l.inv_v1)]
        }
    };
    Ok(Probe { parts })
}

/// Resolves every rule against `model`, checking thresholds, names and actions.
pub(crate) fn resolve(model: &Model, rules: &[EventRule]) -> Result<Vec<Watch>, ScheduleError> {
    rules
        .iter()
        .map(|rule| {
            let name = rule.name.as_str();
            let (probe, kind) = match &rule.when {
                Condition::Below { quantity, value } | Condition::Above { quantity, value } => {
                    if !value.is_finite() {
                        return Err(ScheduleError::InvalidEventThreshold {
                            rule: name.to_string(),
                            value: *value,
                        });
                    }
                    let kind = match rule.when {
                        Condition::Below { .. } => WatchKind::Below(*value),
                        _ => WatchKind::Above(*value),
                    };
                    (probe(model, name, quantity)?, kind)
                }
                Condition::Progression { mapping } => {
                    if !(mapping.cells_per_mm3.is_finite() && mapping.cells_per_mm3 > 0.0) {
                        return Err(ScheduleError::InvalidEventThreshold {
                            rule: name.to_string(),
                            value: mapping.cells_per_mm3,
                        });
                    }
                    let spec = model.spec();
                    let parts = spec
                        .tumors
                        .iter()
                        .zip(&model.layout.tumors)
                        .map(|(t, r)| (r.clone(), mapping.volume_mm3(1.0, t.unit)))
                        .collect();
                    (
                        Probe { parts },
                        WatchKind::Progression {
                            nadir: f64::INFINITY,
                        },
                    )
                }
            };
            if let Action::Eradicate { tumor } = &rule.action {
                if !model.spec().tumors.iter().any(|t| &t.name == tumor) {
                    let names = model.spec().names(crate::model::ComponentKind::Tumor);
                    return Err(unknown(name, "tumor", tumor, names));
                }
            }
            Ok(Watch {
                rule: rule.clone(),
                probe,
                kind,
                armed: true,
            })
        })
        .collect()
}
