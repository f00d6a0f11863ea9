//! From records to segments and regimens: dose records resolved against a model and
//! settings, the subject's segments, and their simulation.

#[cfg(doc)]
use super::EventTable;
use super::{
    Cmt, DataRecord, Entry, EventSettings, Evid, Prediction, RateItem, SteadyStateKind,
    SubjectRecords, SubjectSegment, ALAG, CMT, RATE, STANDARD,
};
use crate::dosing::{same_time, Compartment, Dose, Regimen, Repeat};
use crate::error::Error;
use crate::io::DataError;
use crate::model::{Model, StateRole};
use crate::solver::{simulate_from, steady_state, Period};
use crate::trajectory::LookupError;

/// `x ≥ s`, counting a time within a few ULPs of `s` as `s`.
fn at_or_after(x: f64, s: f64) -> bool {
    x >= s || same_time(x, s)
}

/// `x < e` by more than a few ULPs (`e` may be +∞, which every finite time is before).
fn before(x: f64, e: f64) -> bool {
    x < e && (e == f64::INFINITY || !same_time(x, e))
}

/// How a dose record's doses are given, amounts absolute (after `amount_per`).
#[derive(Clone, Copy, Debug)]
enum Kind {
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
struct Delivery {
    /// Index of the record in the subject.
    record: usize,
    /// Name of the drug or cell population.
    target: String,
    /// Compartment of the drug.
    compartment: Compartment,
    /// The drug's absorption lag for a depot (the solver adds it to every nominal time), days.
    depot_lag: f64,
    /// Nominal time of the first dose: TIME + ALAG, days.
    first: f64,
    /// II, days.
    interval: f64,
    /// ADDL.
    additional: u32,
    kind: Kind,
    /// Infusions of earlier implied steady-state doses still running at the record's time:
    /// (start, end) in arrival time, at the infusion's rate.
    tails: Vec<(f64, f64)>,
}

impl Delivery {
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
    fn doses_within(&self, start: f64, end: f64, horizon: f64) -> Vec<Dose> {
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
    fn pattern(&self, time: f64) -> (Regimen, Period) {
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

/// A dosable state: its 1-based number, name, target and compartment.
struct Dosable<'m> {
    number: usize,
    name: &'m str,
    target: &'m str,
    compartment: Compartment,
}

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

fn dosable_list(model: &Model) -> String {
    dosable(model)
        .iter()
        .map(|d| format!("{} = {}", d.number, d.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The state index a record's CMT names; an unknown one lists the dosable states for a dose
/// record, every state for another record.
fn resolve_cmt(model: &Model, r: &DataRecord, cmt: &Cmt) -> Result<usize, DataError> {
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
struct Resolved<'s> {
    amount_per: Option<(usize, &'s str)>,
}

fn check_settings<'s>(
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
    /// Resolves dose record `index` against the model and settings.
    fn delivery(
        &self,
        model: &Model,
        settings: &EventSettings,
        resolved: &Resolved<'_>,
        index: usize,
    ) -> Result<Option<Delivery>, DataError> {
        let r = &self.records[index];
        let line = r.line;
        let column = |k: usize| STANDARD[k].to_string();
        let states = dosable(model);
        let state = match &r.cmt {
            Some(cmt) => resolve_cmt(model, r, cmt)?,
            None => {
                let drugs = &model.spec().drugs;
                let default = match drugs.as_slice() {
                    [drug] => states.iter().find(|d| d.target == drug.name),
                    _ => None,
                };
                match default {
                    Some(d) => d.number - 1,
                    None => {
                        return Err(DataError::MissingValue {
                            line,
                            column: column(CMT),
                            reason: "a dose needs CMT unless the model has exactly one drug",
                        })
                    }
                }
            }
        };
        let info = &model.states()[state];
        let Some(destination) = states.iter().find(|d| d.number == state + 1) else {
            return Err(DataError::NotDosable {
                line,
                column: column(CMT),
                name: info.name.clone(),
                available: dosable_list(model),
            });
        };
        let depot_lag = match destination.compartment {
            Compartment::Depot => model
                .spec()
                .drugs
                .iter()
                .find(|d| d.name == destination.target)
                .and_then(|d| d.absorption)
                .map_or(0.0, |a| a.lag),
            _ => 0.0,
        };
        let scale = match resolved.amount_per {
            None => 1.0,
            Some((i, name)) => match r.covariates.get(i).copied().flatten() {
                Some(v) if v > 0.0 => v,
                Some(v) => {
                    return Err(DataError::InvalidValue {
                        line,
                        column: name.to_string(),
                        value: v,
                        reason: "must be > 0: the dose amount is counted per this covariate",
                    })
                }
                None => return Err(DataError::MissingValue {
                    line,
                    column: name.to_string(),
                    reason:
                        "the dose amount is counted per this covariate: EventSettings::amount_per",
                }),
            },
        };
        let modelled = |what: &'static str| {
            let found = settings
                .modelled
                .iter()
                .filter(|m| m.state == info.name)
                .find_map(|m| {
                    if what == "duration" {
                        m.duration
                    } else {
                        m.rate
                    }
                });
            found.ok_or_else(|| DataError::NoModelledInfusion {
                line,
                column: column(RATE),
                rate: r.rate.value(),
                state: info.name.clone(),
                what,
            })
        };
        let amount = r.amt * scale;
        let steady = r.ss != SteadyStateKind::Transient;
        let kind = if steady && r.ii == 0.0 {
            // check_record let only constant infusions through.
            let rate = match r.rate {
                RateItem::Infusion(rate) => rate * scale,
                _ => modelled("rate")?,
            };
            Kind::Constant { rate }
        } else {
            match r.rate {
                RateItem::Bolus => Kind::Bolus { amount },
                RateItem::Infusion(rate) => Kind::Infusion {
                    amount,
                    duration: r.amt / rate,
                    by_rate: Some(rate * scale),
                },
                RateItem::ModelledDuration => Kind::Infusion {
                    amount,
                    duration: modelled("duration")?,
                    by_rate: None,
                },
                RateItem::ModelledRate => {
                    let rate = modelled("rate")?;
                    if amount == 0.0 {
                        return Ok(None);
                    }
                    Kind::Infusion {
                        amount,
                        duration: amount / rate,
                        by_rate: None,
                    }
                }
            }
        };
        let lag = r.alag + depot_lag;
        if steady && r.ii > 0.0 && lag >= r.ii {
            return Err(DataError::LagNotBelowInterval {
                line,
                column: column(ALAG),
                lag,
                interval: r.ii,
            });
        }
        let infusion = matches!(kind, Kind::Infusion { .. } | Kind::Constant { .. });
        if steady && infusion && depot_lag > 0.0 {
            return Err(DataError::UnsupportedSteadyState {
                line,
                column: column(CMT),
                reason: "a steady-state infusion into the depot of a drug with an absorption \
                         lag (its doses would start before the dosing interval)",
            });
        }
        let mut tails = Vec::new();
        if let (true, Kind::Infusion { duration, .. }) = (steady, kind) {
            // Implied earlier infusions still running at the record's time.
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
            tails,
        }))
    }

    /// The subject's records as segments, each with its regimen and output times (see the
    /// [module docs](super) for the conventions).
    ///
    /// # Errors
    /// As [`EventTable::simulate`], for the errors found before simulating.
    pub fn segments(
        &self,
        model: &Model,
        settings: &EventSettings,
    ) -> Result<Vec<SubjectSegment>, DataError> {
        self.validate()?;
        let resolved = check_settings(model, self.covariates, settings)?;
        let records = self.records;
        let mut deliveries = Vec::new();
        for (i, r) in records.iter().enumerate() {
            if r.evid.is_dose() {
                deliveries.extend(self.delivery(model, settings, &resolved, i)?);
            } else if let Some(cmt) = &r.cmt {
                resolve_cmt(model, r, cmt)?;
            }
        }
        // SubjectSegment boundaries: the first record and every reset or steady-state record.
        let mut bounds: Vec<(usize, Entry)> = Vec::new();
        for (i, r) in records.iter().enumerate() {
            let line = r.line;
            let pattern = || {
                let d = deliveries.iter().find(|d| d.record == i);
                d.map(|d| d.pattern(r.time))
                    .unwrap_or_else(|| (Regimen::new("steady state"), Period::Constant))
            };
            let entry = match (r.evid, r.ss) {
                (Evid::Reset, _) | (Evid::ResetAndDose, SteadyStateKind::Transient) => {
                    Entry::Reset { line }
                }
                (Evid::Dose | Evid::ResetAndDose, SteadyStateKind::Reset)
                | (Evid::ResetAndDose, SteadyStateKind::Add) => {
                    let (pattern, period) = pattern();
                    Entry::SteadyState {
                        line,
                        pattern,
                        period,
                    }
                }
                (Evid::Dose, SteadyStateKind::Add) => {
                    let (pattern, period) = pattern();
                    Entry::AddSteadyState {
                        line,
                        pattern,
                        period,
                    }
                }
                _ if i == 0 => Entry::Start { line },
                _ => continue,
            };
            bounds.push((i, entry));
        }
        let mut segments: Vec<SubjectSegment> = Vec::new();
        // Index (into `bounds`) of the latest segment that cancelled what came before.
        let mut alive_from = 0;
        for (k, (first, entry)) in bounds.iter().enumerate() {
            if entry.cancels() {
                alive_from = k;
            }
            let last = bounds.get(k + 1).map_or(records.len(), |(next, _)| *next);
            let start = records[*first].time;
            let next = bounds.get(k + 1);
            let continued = next.is_some_and(|(_, e)| !e.cancels());
            let mut times: Vec<f64> = Vec::new();
            let mut observations = Vec::new();
            for (i, r) in records.iter().enumerate().take(last).skip(*first) {
                if r.evid == Evid::Observation {
                    if times.last() != Some(&r.time) {
                        times.push(r.time);
                    }
                    observations.push((i, times.len() - 1));
                }
            }
            let end = match next {
                Some((n, _)) if continued => {
                    let t = records[*n].time;
                    if times.last() != Some(&t) {
                        times.push(t);
                    }
                    t
                }
                _ => f64::INFINITY,
            };
            let mut regimen = Regimen::new(self.id);
            if let Some(&horizon) = times.last() {
                let alive = bounds[alive_from].0;
                for d in deliveries
                    .iter()
                    .filter(|d| d.record >= alive && d.record < last)
                {
                    regimen.doses.extend(d.doses_within(start, end, horizon));
                }
            }
            segments.push(SubjectSegment {
                entry: entry.clone(),
                start,
                regimen,
                times,
                observations,
                continued,
            });
        }
        Ok(segments)
    }

    /// Simulates the subject and returns the predictions at its observation records, in file
    /// order (see [`EventTable::simulate`]).
    ///
    /// # Errors
    /// As [`EventTable::simulate`].
    pub fn simulate(
        &self,
        model: &Model,
        settings: &EventSettings,
    ) -> Result<Vec<Prediction>, Error> {
        let segments = self.segments(model, settings)?;
        let n = model.n_states();
        let initial = model.initial_state();
        let mut predictions = Vec::new();
        let mut carried: Option<Vec<f64>> = None;
        for segment in &segments {
            let subject_error = |source: Error| -> Error {
                DataError::Subject {
                    id: self.id.to_string(),
                    line: segment.entry.line(),
                    source: Box::new(source),
                }
                .into()
            };
            let steady = |pattern: &Regimen, period: Period| {
                steady_state(model, pattern, period, &settings.solver)
                    .map(|s| s.state)
                    .map_err(subject_error)
            };
            let state = match &segment.entry {
                Entry::Start { .. } | Entry::Reset { .. } => initial.to_vec(),
                Entry::SteadyState {
                    pattern, period, ..
                } => steady(pattern, *period)?,
                Entry::AddSteadyState {
                    pattern, period, ..
                } => {
                    let steady = steady(pattern, *period)?;
                    let current = carried.take().unwrap_or_else(|| initial.to_vec());
                    debug_assert_eq!(current.len(), n, "a continued segment passes its state");
                    current
                        .iter()
                        .zip(&steady)
                        .zip(initial)
                        .map(|((y, s), y0)| y + (s - y0))
                        .collect()
                }
            };
            carried = None;
            if segment.times.is_empty() {
                continue;
            }
            let trajectory = simulate_from(
                model,
                &state,
                segment.start,
                &segment.regimen,
                &segment.times,
                &settings.solver,
            )
            .map_err(subject_error)?;
            let column = trajectory.observe(&settings.output)?;
            for &(i, ti) in &segment.observations {
                let r = &self.records[i];
                let t = segment.times[ti];
                // The first row at `t`: the `pre` row when a dose arrives then.
                let value = trajectory
                    .times()
                    .iter()
                    .position(|&x| x == t)
                    .and_then(|row| column.get(row).copied())
                    .ok_or(LookupError::NotAnOutputTime { t })?;
                predictions.push((
                    i,
                    Prediction {
                        id: r.id.clone(),
                        line: r.line,
                        time: r.time,
                        value,
                        dv: if r.mdv { None } else { r.dv },
                    },
                ));
            }
            if segment.continued {
                let last = trajectory
                    .row(trajectory.n_rows().saturating_sub(1))
                    .and_then(|row| row.get(..n))
                    .ok_or(LookupError::NotAnOutputTime {
                        t: segment.times[segment.times.len() - 1],
                    })?;
                carried = Some(last.to_vec());
            }
        }
        predictions.sort_by_key(|(i, _)| *i);
        Ok(predictions.into_iter().map(|(_, p)| p).collect())
    }
}
