//! From records to segments and their simulation: the subject's dose records resolved, split
//! at resets and steady states into [`SubjectSegment`]s, each simulated from its entry state
//! to predictions at its observation records.

use super::delivery::Delivery;
use super::resolve::{check_settings, resolve_cmt, Resolved};
#[cfg(doc)]
use super::EventTable;
use super::{
    DataRecord, Entry, EventSettings, Evid, Prediction, SteadyStateKind, SubjectRecords,
    SubjectSegment,
};
use crate::dosing::Regimen;
use crate::error::Error;
use crate::io::DataError;
use crate::model::Model;
use crate::solver::{simulate_from, steady_state, Period};
use crate::trajectory::{LookupError, Observable, Trajectory};

impl SubjectRecords<'_> {
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
        let deliveries = self.deliveries(model, settings, &resolved)?;
        // Segment boundaries: the first record and every reset or steady-state record.
        let bounds: Vec<(usize, Entry)> = self
            .records
            .iter()
            .enumerate()
            .filter_map(|(i, r)| entry(i, r, &deliveries).map(|e| (i, e)))
            .collect();
        let mut segments = Vec::new();
        // The first record of the latest segment that cancelled what came before.
        let mut alive = 0;
        for (k, (first, entry)) in bounds.iter().enumerate() {
            if entry.cancels() {
                alive = *first;
            }
            segments.push(self.segment(&bounds, k, alive, &deliveries));
        }
        Ok(segments)
    }

    /// The dose records resolved, in file order; the CMT of the other records checked.
    fn deliveries(
        &self,
        model: &Model,
        settings: &EventSettings,
        resolved: &Resolved<'_>,
    ) -> Result<Vec<Delivery>, DataError> {
        let mut deliveries = Vec::new();
        for (i, r) in self.records.iter().enumerate() {
            if r.evid.is_dose() {
                deliveries.extend(self.delivery(model, settings, resolved, i)?);
            } else if let Some(cmt) = &r.cmt {
                resolve_cmt(model, r, cmt)?;
            }
        }
        Ok(deliveries)
    }

    /// Segment `k` of `bounds`, given the doses of the records from `alive` on.
    fn segment(
        &self,
        bounds: &[(usize, Entry)],
        k: usize,
        alive: usize,
        deliveries: &[Delivery],
    ) -> SubjectSegment {
        let records = self.records;
        let (first, entry) = &bounds[k];
        let next = bounds.get(k + 1);
        let last = next.map_or(records.len(), |(next, _)| *next);
        let start = records[*first].time;
        let continued = next.is_some_and(|(_, e)| !e.cancels());
        let (mut times, observations) = observation_times(records, *first, last);
        let end = match next {
            Some((n, _)) if continued => {
                let t = records[*n].time;
                push_time(&mut times, t);
                t
            }
            _ => f64::INFINITY,
        };
        let mut regimen = Regimen::new(self.id);
        if let Some(&horizon) = times.last() {
            for d in deliveries
                .iter()
                .filter(|d| d.record >= alive && d.record < last)
            {
                regimen.doses.extend(d.doses_within(start, end, horizon));
            }
        }
        SubjectSegment {
            entry: entry.clone(),
            start,
            regimen,
            times,
            observations,
            continued,
        }
    }
}

/// The entry of a segment starting at record `i` (`r`), `None` when the record does not start
/// one: a reset or steady-state record, or the first record.
fn entry(i: usize, r: &DataRecord, deliveries: &[Delivery]) -> Option<Entry> {
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
        _ => return None,
    };
    Some(entry)
}

/// `t` appended to `times` unless it is already the last.
fn push_time(times: &mut Vec<f64>, t: f64) {
    if times.last() != Some(&t) {
        times.push(t);
    }
}

/// The distinct observation times of records `first..last`, in order, and for each
/// observation record (its index, the index of its time).
fn observation_times(
    records: &[DataRecord],
    first: usize,
    last: usize,
) -> (Vec<f64>, Vec<(usize, usize)>) {
    let mut times: Vec<f64> = Vec::new();
    let mut observations = Vec::new();
    for (i, r) in records.iter().enumerate().take(last).skip(first) {
        if r.evid == Evid::Observation {
            push_time(&mut times, r.time);
            observations.push((i, times.len() - 1));
        }
    }
    (times, observations)
}

impl SubjectRecords<'_> {
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
        let mut predictions = Vec::new();
        let mut carried: Option<Vec<f64>> = None;
        for segment in &segments {
            let state = self.entry_state(model, settings, segment, carried.take())?;
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
            .map_err(|source| self.subject_error(segment, source))?;
            predictions.extend(self.predictions(segment, &trajectory, &settings.output)?);
            if segment.continued {
                carried = Some(end_state(segment, &trajectory, model.n_states())?);
            }
        }
        predictions.sort_by_key(|(i, _)| *i);
        Ok(predictions.into_iter().map(|(_, p)| p).collect())
    }

    /// [`DataError::Subject`]: `source`, naming the subject and the segment's first line.
    fn subject_error(&self, segment: &SubjectSegment, source: Error) -> Error {
        DataError::Subject {
            id: self.id.to_string(),
            line: segment.entry.line(),
            source: Box::new(source),
        }
        .into()
    }

    /// The state `segment` starts from; `carried` is the state the previous segment ended in
    /// when it continues into this one.
    fn entry_state(
        &self,
        model: &Model,
        settings: &EventSettings,
        segment: &SubjectSegment,
        carried: Option<Vec<f64>>,
    ) -> Result<Vec<f64>, Error> {
        let initial = model.initial_state();
        let steady = |pattern: &Regimen, period: Period| {
            steady_state(model, pattern, period, &settings.solver)
                .map(|s| s.state)
                .map_err(|source| self.subject_error(segment, source))
        };
        Ok(match &segment.entry {
            Entry::Start { .. } | Entry::Reset { .. } => initial.to_vec(),
            Entry::SteadyState {
                pattern, period, ..
            } => steady(pattern, *period)?,
            Entry::AddSteadyState {
                pattern, period, ..
            } => {
                let steady = steady(pattern, *period)?;
                let current = carried.unwrap_or_else(|| initial.to_vec());
                debug_assert_eq!(
                    current.len(),
                    model.n_states(),
                    "a continued segment passes its state"
                );
                add_steady_state(&current, &steady, initial)
            }
        })
    }

    /// The predictions at the segment's observation records, each with its index in the
    /// subject's records: `output` at the first row of the record's time (the `pre` row when
    /// a dose arrives then).
    fn predictions(
        &self,
        segment: &SubjectSegment,
        trajectory: &Trajectory,
        output: &Observable,
    ) -> Result<Vec<(usize, Prediction)>, Error> {
        let column = trajectory.observe(output)?;
        let mut predictions = Vec::new();
        for &(i, ti) in &segment.observations {
            let r = &self.records[i];
            let t = segment.times[ti];
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
        Ok(predictions)
    }
}

/// `current` plus the steady state less the initial state (superposition, SS = 2).
fn add_steady_state(current: &[f64], steady: &[f64], initial: &[f64]) -> Vec<f64> {
    current
        .iter()
        .zip(steady)
        .zip(initial)
        .map(|((y, s), y0)| y + (s - y0))
        .collect()
}

/// The `n` states at the last row of the segment's trajectory: where the next segment starts.
fn end_state(
    segment: &SubjectSegment,
    trajectory: &Trajectory,
    n: usize,
) -> Result<Vec<f64>, LookupError> {
    trajectory
        .row(trajectory.n_rows().saturating_sub(1))
        .and_then(|row| row.get(..n))
        .map(<[f64]>::to_vec)
        .ok_or(LookupError::NotAnOutputTime {
            t: segment.times[segment.times.len() - 1],
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(time: f64, evid: Evid) -> DataRecord {
        DataRecord {
            time,
            evid,
            ..DataRecord::default()
        }
    }

    #[test]
    fn observation_times_are_distinct_and_indexed() {
        let records = [
            record(0.0, Evid::Dose),
            record(1.0, Evid::Observation),
            record(1.0, Evid::Observation),
            record(1.5, Evid::Other),
            record(2.0, Evid::Observation),
            record(3.0, Evid::Observation),
        ];
        let (times, observations) = observation_times(&records, 0, 5);
        assert_eq!(times, [1.0, 2.0]);
        assert_eq!(observations, [(1, 0), (2, 0), (4, 1)]);
        let (times, observations) = observation_times(&records, 4, 6);
        assert_eq!(
            (times, observations),
            (vec![2.0, 3.0], vec![(4, 0), (5, 1)])
        );
        let mut times = vec![1.0];
        push_time(&mut times, 1.0);
        push_time(&mut times, 2.0);
        assert_eq!(times, [1.0, 2.0]);
    }

    #[test]
    fn segments_start_at_the_first_record_resets_and_steady_states() {
        let at = |i, evid, ss| {
            let r = DataRecord {
                line: 7,
                ss,
                ..record(1.0, evid)
            };
            entry(i, &r, &[])
        };
        let transient = SteadyStateKind::Transient;
        assert_eq!(at(0, Evid::Dose, transient), Some(Entry::Start { line: 7 }));
        assert_eq!(at(3, Evid::Dose, transient), None);
        assert_eq!(at(3, Evid::Observation, transient), None);
        assert_eq!(
            at(0, Evid::Reset, transient),
            Some(Entry::Reset { line: 7 })
        );
        assert_eq!(
            at(3, Evid::ResetAndDose, transient),
            Some(Entry::Reset { line: 7 })
        );
        assert!(matches!(
            at(3, Evid::Dose, SteadyStateKind::Reset),
            Some(Entry::SteadyState {
                line: 7,
                period: Period::Constant,
                ..
            })
        ));
        assert!(matches!(
            at(3, Evid::ResetAndDose, SteadyStateKind::Add),
            Some(Entry::SteadyState { .. })
        ));
        assert!(matches!(
            at(3, Evid::Dose, SteadyStateKind::Add),
            Some(Entry::AddSteadyState { .. })
        ));
    }

    #[test]
    fn an_added_steady_state_is_superposed() {
        let added = add_steady_state(&[1.0, 2.0], &[5.0, 3.0], &[0.5, 1.0]);
        assert_eq!(added, [5.5, 4.0]);
    }
}
