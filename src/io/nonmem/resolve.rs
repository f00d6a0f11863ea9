//! Resolving dose records against a model and settings: the dosed state, the amount's scale,
//! how the doses are given, and the checks that need the model.

use super::delivery::{before, Delivery, Kind};
use super::{
    Cmt, DataRecord, EventSettings, ModelledInfusion, RateItem, SteadyStateKind, SubjectRecords,
    ALAG, CMT, RATE, STANDARD,
};
use crate::dosing::Compartment;
use crate::io::DataError;
use crate::model::{Model, StateRole};

/// A dosable state: its 1-based number, name, target and compartment.
struct Dosable<'m> {
    number: usize,
    name: &'m str,
    target: &'m str,
    compartment: Compartment,
}

/// The states a dose may go into, in the order of [`Model::states`].
fn dosable(model: &Model) -> Vec<Dosable<'_>> {
    model
        .states()
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let compartment = match s.role {
                StateRole::Depot => Compartment::Depot,
                StateRole::Central
                | StateRole::Effector
                | StateRole::Suppressor
                | StateRole::Species => Compartment::Central,
                StateRole::Peripheral(n) => Compartment::Peripheral(n),
                StateRole::Tumor | StateRole::TumorTransit(_) => return None,
            };
            Some(Dosable {
                number: i + 1,
                name: &s.name,
                target: &s.component,
                compartment,
            })
        })
        .collect()
}

/// The dosable states as `number = name`, for error messages.
fn dosable_list(model: &Model) -> String {
    dosable(model)
        .iter()
        .map(|d| format!("{} = {}", d.number, d.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The state index a record's CMT names; an unknown one lists the dosable states for a dose
/// record, every state for another record.
pub(super) fn resolve_cmt(model: &Model, r: &DataRecord, cmt: &Cmt) -> Result<usize, DataError> {
    let index = match cmt {
        Cmt::Number(n) => n.checked_sub(1).filter(|i| *i < model.n_states()),
        Cmt::Name(name) => model.state_index(name),
    };
    index.ok_or_else(|| DataError::UnknownCompartment {
        line: r.line,
        column: STANDARD[CMT].to_string(),
        name: cmt.to_string(),
        available: if r.evid.is_dose() {
            dosable_list(model)
        } else {
            model
                .states()
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{} = {}", i + 1, s.name))
                .collect::<Vec<_>>()
                .join(", ")
        },
    })
}

/// The settings checked against the table and model.
pub(super) struct Resolved<'s> {
    /// The covariate AMT and RATE are counted per: its index among the covariates, its name.
    amount_per: Option<(usize, &'s str)>,
}

/// Checks the settings against the covariate columns and the model: the `amount_per`
/// covariate exists, and every modelled infusion names a state and has finite, positive values.
pub(super) fn check_settings<'s>(
    model: &Model,
    covariates: &'s [String],
    settings: &EventSettings,
) -> Result<Resolved<'s>, DataError> {
    let amount_per = match &settings.amount_per {
        None => None,
        Some(name) => {
            let upper = name.to_uppercase();
            let index = covariates
                .iter()
                .position(|c| c.to_uppercase() == upper)
                .ok_or_else(|| DataError::UnknownSetting {
                    setting: "amount_per covariate",
                    name: name.clone(),
                    available: covariates.join(", "),
                })?;
            Some((index, covariates[index].as_str()))
        }
    };
    for m in &settings.modelled {
        if model.state_index(&m.state).is_none() {
            return Err(DataError::UnknownSetting {
                setting: "modelled infusion state",
                name: m.state.clone(),
                available: dosable_list(model),
            });
        }
        for (setting, value) in [("modelled duration", m.duration), ("modelled rate", m.rate)] {
            if let Some(value) = value {
                if !(value.is_finite() && value > 0.0) {
                    return Err(DataError::InvalidSetting {
                        setting,
                        name: m.state.clone(),
                        value,
                        reason: "must be finite and positive",
                    });
                }
            }
        }
    }
    Ok(Resolved { amount_per })
}

impl SubjectRecords<'_> {
    /// Resolves dose record `index` against the model and settings; `None` for a record that
    /// gives nothing (AMT = 0 at a modelled rate, not at steady state).
    pub(super) fn delivery(
        &self,
        model: &Model,
        settings: &EventSettings,
        resolved: &Resolved<'_>,
        index: usize,
    ) -> Result<Option<Delivery>, DataError> {
        let r = &self.records[index];
        let states = dosable(model);
        let destination = destination(model, r, &states)?;
        let depot_lag = depot_lag(model, destination);
        let scale = amount_scale(r, resolved)?;
        let Some(kind) = kind(r, settings, destination.name, scale)? else {
            return Ok(None);
        };
        check_lag(r, kind, depot_lag)?;
        Ok(Some(Delivery {
            record: index,
            target: destination.target.to_string(),
            compartment: destination.compartment,
            depot_lag,
            // A constant infusion has been running forever: a lag does not move it.
            first: if matches!(kind, Kind::Constant { .. }) {
                r.time
            } else {
                r.time + r.alag
            },
            interval: r.ii,
            additional: r.addl,
            kind,
            tails: tails(r, kind),
        }))
    }
}

/// The dosable state a dose record goes into: its CMT, or without one the single drug's
/// default state (its depot if it has one, else its central compartment).
fn destination<'d, 'm>(
    model: &Model,
    r: &DataRecord,
    states: &'d [Dosable<'m>],
) -> Result<&'d Dosable<'m>, DataError> {
    let state = match &r.cmt {
        Some(cmt) => resolve_cmt(model, r, cmt)?,
        None => default_state(model, states).ok_or_else(|| DataError::MissingValue {
            line: r.line,
            column: STANDARD[CMT].to_string(),
            reason: "a dose needs CMT unless the model has exactly one drug",
        })?,
    };
    states
        .iter()
        .find(|d| d.number == state + 1)
        .ok_or_else(|| DataError::NotDosable {
            line: r.line,
            column: STANDARD[CMT].to_string(),
            name: model.states()[state].name.clone(),
            available: dosable_list(model),
        })
}

/// The state index a dose without CMT goes into: for a model with exactly one drug, its first
/// dosable state (the depot if it has one, else the central compartment).
fn default_state(model: &Model, states: &[Dosable<'_>]) -> Option<usize> {
    match model.spec().drugs.as_slice() {
        [drug] => states
            .iter()
            .find(|d| d.target == drug.name)
            .map(|d| d.number - 1),
        _ => None,
    }
}

/// The drug's absorption lag for a dose into its depot, days; 0 for any other state.
fn depot_lag(model: &Model, destination: &Dosable<'_>) -> f64 {
    match destination.compartment {
        Compartment::Depot => model
            .spec()
            .drugs
            .iter()
            .find(|d| d.name == destination.target)
            .and_then(|d| d.absorption)
            .map_or(0.0, |a| a.lag),
        _ => 0.0,
    }
}

/// What AMT (and RATE) are multiplied by: the record's `amount_per` covariate (> 0), or 1.
fn amount_scale(r: &DataRecord, resolved: &Resolved<'_>) -> Result<f64, DataError> {
    let Some((i, name)) = resolved.amount_per else {
        return Ok(1.0);
    };
    match r.covariates.get(i).copied().flatten() {
        Some(v) if v > 0.0 => Ok(v),
        Some(v) => Err(DataError::InvalidValue {
            line: r.line,
            column: name.to_string(),
            value: v,
            reason: "must be > 0: the dose amount is counted per this covariate",
        }),
        None => Err(DataError::MissingValue {
            line: r.line,
            column: name.to_string(),
            reason: "the dose amount is counted per this covariate: EventSettings::amount_per",
        }),
    }
}

/// Which value of a [`ModelledInfusion`] a RATE of −1 or −2 takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Modelled {
    /// RATE = −2: the infusion's duration.
    Duration,
    /// RATE = −1: the infusion's rate.
    Rate,
}

impl Modelled {
    /// Its name in [`DataError::NoModelledInfusion`].
    fn what(self) -> &'static str {
        match self {
            Modelled::Duration => "duration",
            Modelled::Rate => "rate",
        }
    }

    /// Its value in `m`, if given.
    fn of(self, m: &ModelledInfusion) -> Option<f64> {
        match self {
            Modelled::Duration => m.duration,
            Modelled::Rate => m.rate,
        }
    }
}

/// The modelled duration or rate the settings give for doses into `state`, the first given.
fn modelled(
    settings: &EventSettings,
    r: &DataRecord,
    state: &str,
    item: Modelled,
) -> Result<f64, DataError> {
    let found = settings
        .modelled
        .iter()
        .filter(|m| m.state == state)
        .find_map(|m| item.of(m));
    found.ok_or_else(|| DataError::NoModelledInfusion {
        line: r.line,
        column: STANDARD[RATE].to_string(),
        rate: r.rate.value(),
        state: state.to_string(),
        what: item.what(),
    })
}

/// How the record's doses into `state` are given, amounts multiplied by `scale`; `None` for
/// an AMT of 0 at a modelled rate (nothing given).
fn kind(
    r: &DataRecord,
    settings: &EventSettings,
    state: &str,
    scale: f64,
) -> Result<Option<Kind>, DataError> {
    let modelled = |item| modelled(settings, r, state, item);
    let amount = r.amt * scale;
    if r.ss != SteadyStateKind::Transient && r.ii == 0.0 {
        // check_record let only constant infusions through.
        let rate = match r.rate {
            RateItem::Infusion(rate) => rate * scale,
            _ => modelled(Modelled::Rate)?,
        };
        return Ok(Some(Kind::Constant { rate }));
    }
    let kind = match r.rate {
        RateItem::Bolus => Kind::Bolus { amount },
        RateItem::Infusion(rate) => Kind::Infusion {
            amount,
            duration: r.amt / rate,
            by_rate: Some(rate * scale),
        },
        RateItem::ModelledDuration => Kind::Infusion {
            amount,
            duration: modelled(Modelled::Duration)?,
            by_rate: None,
        },
        RateItem::ModelledRate => {
            let rate = modelled(Modelled::Rate)?;
            if amount == 0.0 {
                return Ok(None);
            }
            Kind::Infusion {
                amount,
                duration: amount / rate,
                by_rate: None,
            }
        }
    };
    Ok(Some(kind))
}

/// A steady-state dose's lag (ALAG plus the depot's absorption lag) must be below II, and a
/// steady-state infusion cannot go into a lagged depot.
fn check_lag(r: &DataRecord, kind: Kind, depot_lag: f64) -> Result<(), DataError> {
    let steady = r.ss != SteadyStateKind::Transient;
    let lag = r.alag + depot_lag;
    if steady && r.ii > 0.0 && lag >= r.ii {
        return Err(DataError::LagNotBelowInterval {
            line: r.line,
            column: STANDARD[ALAG].to_string(),
            lag,
            interval: r.ii,
        });
    }
    let infusion = matches!(kind, Kind::Infusion { .. } | Kind::Constant { .. });
    if steady && infusion && depot_lag > 0.0 {
        return Err(DataError::UnsupportedSteadyState {
            line: r.line,
            column: STANDARD[CMT].to_string(),
            reason: "a steady-state infusion into the depot of a drug with an absorption \
                     lag (its doses would start before the dosing interval)",
        });
    }
    Ok(())
}

/// For a steady-state infusion, the implied earlier infusions (started k·II before the
/// record's dose, k ≥ 1) still running at the record's time: (record's time, their end).
fn tails(r: &DataRecord, kind: Kind) -> Vec<(f64, f64)> {
    let mut tails = Vec::new();
    if let (true, Kind::Infusion { duration, .. }) = (r.ss != SteadyStateKind::Transient, kind) {
        let mut k = 1.0;
        loop {
            let end = r.time + r.alag + duration - k * r.ii;
            if !before(r.time, end) {
                break;
            }
            tails.push((r.time, end));
            k += 1.0;
        }
    }
    tails
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::nonmem::Evid;
    use crate::prelude::{DrugSpec, ModelBuilder, OneCompartment};

    /// One oral drug with a 0.25-day absorption lag: 1 = `drug_depot`, 2 = `drug_central`.
    fn oral_model() -> Model {
        let mut b = ModelBuilder::new();
        b.drug(
            DrugSpec::new("drug", OneCompartment { cl: 5.0, v: 10.0 })
                .with_lagged_absorption(1.5, 1.0, 0.25),
        )
        .unwrap();
        b.build().unwrap()
    }

    fn dose(amt: f64, rate: RateItem) -> DataRecord {
        DataRecord {
            line: 3,
            evid: Evid::Dose,
            amt,
            rate,
            ..DataRecord::default()
        }
    }

    #[test]
    fn a_dose_without_cmt_goes_into_the_single_drugs_depot() {
        let model = oral_model();
        let states = dosable(&model);
        let d = destination(&model, &dose(1.0, RateItem::Bolus), &states).unwrap();
        assert_eq!(
            (d.number, d.name, d.compartment),
            (1, "drug_depot", Compartment::Depot)
        );
        assert_eq!(depot_lag(&model, d), 0.25);
        let central = DataRecord {
            cmt: Some(Cmt::Name("drug_central".into())),
            ..dose(1.0, RateItem::Bolus)
        };
        let d = destination(&model, &central, &states).unwrap();
        assert_eq!((d.number, d.compartment), (2, Compartment::Central));
        assert_eq!(depot_lag(&model, d), 0.0);
        assert_eq!(dosable_list(&model), "1 = drug_depot, 2 = drug_central");
    }

    #[test]
    fn an_unknown_cmt_lists_the_dosable_states() {
        let model = oral_model();
        let r = DataRecord {
            cmt: Some(Cmt::Number(3)),
            ..dose(1.0, RateItem::Bolus)
        };
        assert!(matches!(
            destination(&model, &r, &dosable(&model)),
            Err(DataError::UnknownCompartment { line: 3, ref available, .. })
                if available == "1 = drug_depot, 2 = drug_central"
        ));
    }

    #[test]
    fn the_amount_is_scaled_by_its_covariate() {
        let r = DataRecord {
            covariates: vec![Some(70.0), Some(0.0), None],
            ..dose(1.0, RateItem::Bolus)
        };
        let per = |i| Resolved {
            amount_per: Some((i, "WT")),
        };
        assert_eq!(amount_scale(&r, &Resolved { amount_per: None }), Ok(1.0));
        assert_eq!(amount_scale(&r, &per(0)), Ok(70.0));
        assert!(matches!(
            amount_scale(&r, &per(1)),
            Err(DataError::InvalidValue { value, .. }) if value == 0.0
        ));
        assert!(matches!(
            amount_scale(&r, &per(2)),
            Err(DataError::MissingValue { ref column, .. }) if column == "WT"
        ));
    }

    #[test]
    fn modelled_values_are_found_by_state_and_item() {
        let settings = EventSettings::new("drug_conc")
            .with_modelled_rate("drug_central", 4.0)
            .with_modelled_duration("drug_central", 0.5);
        let r = dose(2.0, RateItem::ModelledDuration);
        let found = |state, item| modelled(&settings, &r, state, item);
        assert_eq!(found("drug_central", Modelled::Duration), Ok(0.5));
        assert_eq!(found("drug_central", Modelled::Rate), Ok(4.0));
        assert!(matches!(
            found("drug_depot", Modelled::Rate),
            Err(DataError::NoModelledInfusion { what: "rate", rate, .. }) if rate == -2.0
        ));
        assert_eq!(Modelled::Duration.what(), "duration");
    }

    #[test]
    fn the_kind_follows_rate_and_steady_state() {
        let settings = EventSettings::new("drug_conc").with_modelled_rate("drug_central", 4.0);
        let kind = |r: &DataRecord, scale| kind(r, &settings, "drug_central", scale).unwrap();
        assert!(matches!(
            kind(&dose(10.0, RateItem::Bolus), 2.0),
            Some(Kind::Bolus { amount }) if amount == 20.0
        ));
        assert!(matches!(
            kind(&dose(10.0, RateItem::Infusion(5.0)), 2.0),
            Some(Kind::Infusion { amount, duration, by_rate: Some(rate) })
                if amount == 20.0 && duration == 2.0 && rate == 10.0
        ));
        assert!(matches!(
            kind(&dose(8.0, RateItem::ModelledRate), 1.0),
            Some(Kind::Infusion { duration, by_rate: None, .. }) if duration == 2.0
        ));
        assert!(kind(&dose(0.0, RateItem::ModelledRate), 1.0).is_none());
        let constant = DataRecord {
            ss: SteadyStateKind::Reset,
            ..dose(0.0, RateItem::Infusion(3.0))
        };
        assert!(matches!(
            kind(&constant, 2.0),
            Some(Kind::Constant { rate }) if rate == 6.0
        ));
    }

    #[test]
    fn a_steady_state_lag_must_stay_below_the_interval() {
        let steady = DataRecord {
            ss: SteadyStateKind::Reset,
            ii: 1.0,
            alag: 0.5,
            ..dose(10.0, RateItem::Bolus)
        };
        let bolus = Kind::Bolus { amount: 10.0 };
        assert_eq!(check_lag(&steady, bolus, 0.25), Ok(()));
        assert!(matches!(
            check_lag(&steady, bolus, 0.5),
            Err(DataError::LagNotBelowInterval { lag, .. }) if lag == 1.0
        ));
        let infusion = Kind::Infusion {
            amount: 10.0,
            duration: 0.1,
            by_rate: None,
        };
        assert!(matches!(
            check_lag(&steady, infusion, 0.25),
            Err(DataError::UnsupportedSteadyState { .. })
        ));
        let transient = DataRecord {
            ss: SteadyStateKind::Transient,
            ..steady
        };
        assert_eq!(check_lag(&transient, infusion, 0.75), Ok(()));
    }

    #[test]
    fn a_long_steady_state_infusion_leaves_earlier_ones_running() {
        let r = DataRecord {
            time: 4.0,
            ss: SteadyStateKind::Reset,
            ii: 1.0,
            ..dose(10.0, RateItem::Infusion(4.0))
        };
        let infusion = Kind::Infusion {
            amount: 10.0,
            duration: 2.5,
            by_rate: Some(4.0),
        };
        assert_eq!(tails(&r, infusion), [(4.0, 5.5), (4.0, 4.5)]);
        assert!(tails(&r, Kind::Bolus { amount: 10.0 }).is_empty());
        let transient = DataRecord {
            ss: SteadyStateKind::Transient,
            ..r
        };
        assert!(tails(&transient, infusion).is_empty());
    }
}
