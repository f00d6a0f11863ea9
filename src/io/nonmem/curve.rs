//! A subject's predicted curve on a dense grid: its dose records with observation records
//! added between its first and last record.

use super::{EventSettings, EventTable, Evid, SubjectRecords};
use crate::io::DataError;
use crate::model::Model;
use crate::Error;

impl SubjectRecords<'_> {
    /// The subject's predicted output at `points + 1` evenly spaced times from its first to
    /// its last record's time (days): its dose records with an observation record (no DV,
    /// MDV = 1, copied from its first observation record, so its covariates) at each grid time,
    /// simulated as [`EventTable::simulate`] does. A grid time equal to a dose's sees the
    /// pre-dose state, as an observation record after a dose record at the same time does.
    /// Pairs `(time, value)`, non-finite values left out.
    ///
    /// # Errors
    /// [`DataError::NoCurve`] when the subject has no observation record, its records span no
    /// time, or they reset the state (EVID 3 or 4: the curve would cross the reset);
    /// [`DataError::InvalidSetting`] for `points = 0`; the errors of [`EventTable::simulate`].
    pub fn predicted_curve(
        &self,
        model: &Model,
        settings: &EventSettings,
        points: usize,
    ) -> Result<Vec<(f64, f64)>, Error> {
        let no_curve = |reason| DataError::NoCurve {
            id: self.id.to_string(),
            reason,
        };
        if points == 0 {
            return Err(DataError::InvalidSetting {
                setting: "curve points",
                name: self.id.to_string(),
                value: 0.0,
                reason: "must be at least 1",
            }
            .into());
        }
        if self.records.iter().any(|r| r.evid.is_reset()) {
            return Err(no_curve("its records reset the state (EVID 3 or 4)").into());
        }
        let Some(template) = self.records.iter().find(|r| r.evid == Evid::Observation) else {
            return Err(no_curve("it has no observation record").into());
        };
        let times = self.records.iter().map(|r| r.time);
        let t_start = times.clone().fold(f64::INFINITY, f64::min);
        let t_end = times.fold(f64::NEG_INFINITY, f64::max);
        if !t_start.is_finite() || t_end <= t_start {
            return Err(no_curve("its records span no time").into());
        }
        let mut dense: Vec<_> = self
            .records
            .iter()
            .filter(|r| r.evid != Evid::Observation)
            .cloned()
            .collect();
        for k in 0..=points {
            let mut r = template.clone();
            r.time = t_start + (t_end - t_start) * k as f64 / points as f64;
            r.dv = None;
            r.mdv = true;
            dense.push(r);
        }
        // A stable sort keeps each dose before the grid records at its time.
        dense.sort_by(|a, b| a.time.total_cmp(&b.time));
        let table = EventTable {
            covariates: self.covariates.to_vec(),
            records: dense,
        };
        Ok(table
            .simulate(model, settings)?
            .into_iter()
            .map(|p| (p.time, p.value))
            .filter(|(_, v)| v.is_finite())
            .collect())
    }
}
