//! One patient in one arm: the simulation and its endpoints.

use super::{Exposure, PatientEndpoints, Study, Toxicity};
use crate::compare::endpoints::{time_to_progression, trough, Series, Worse};
use crate::compare::error::StudyError;
use crate::compare::population::{BoundParamMap, Patient};
use crate::model::{ComponentKind, Model};
use crate::solver::{EventRule, Simulation};
use crate::trajectory::Trajectory;
use crate::Error;

impl Study {
    /// One patient in one arm.
    pub(super) fn simulate(
        &self,
        parameters: &BoundParamMap,
        patient: &Patient,
        arm: usize,
        events: &[EventRule],
    ) -> Result<PatientEndpoints, Error> {
        let model = parameters.model_for(&self.model, patient)?;
        let subject = patient.subject();
        let trajectory = Simulation::new(&model, &self.arms[arm], &self.times)
            .options(&self.options)
            .events(events)
            .subject(&subject)
            .run()?;
        self.endpoints_of(patient.index(), arm, &model, &trajectory)
    }

    /// The endpoints of `patient` in `arm` from its simulated `trajectory` of `model`.
    fn endpoints_of(
        &self,
        patient: usize,
        arm: usize,
        model: &Model,
        trajectory: &Trajectory,
    ) -> Result<PatientEndpoints, Error> {
        let burden = self.total_burden(model, trajectory)?;
        let series = Series::new(self.times.clone(), burden.clone())?;
        let start = self.times[0];
        let end = self.times[self.times.len() - 1];
        let nadir = series.nadir(start)?;
        let exposure = self
            .reported_drugs(model)
            .iter()
            .map(|drug| exposure(trajectory, model, drug, start, end))
            .collect::<Result<Vec<_>, Error>>()?;
        let toxicity = self
            .endpoints
            .toxicity
            .as_ref()
            .map(|t| worst_toxicity(t, trajectory, start))
            .transpose()?;
        Ok(PatientEndpoints {
            patient,
            arm,
            final_burden: series.final_value().value,
            nadir: nadir.value,
            nadir_time: nadir.time,
            best_percent_change: series.best_percent_change(start)?.value,
            tumor_auc: series.area_under_curve(start, end)?,
            time_to_progression: time_to_progression(trajectory)?,
            response: self.endpoints.recist.assess(trajectory, model)?.response,
            exposure,
            toxicity,
            burden,
        })
    }

    /// The sum of every tumor of `model` at each output time.
    ///
    /// # Errors
    /// [`StudyError::NoTumor`] when the model has no tumor.
    fn total_burden(&self, model: &Model, trajectory: &Trajectory) -> Result<Vec<f64>, Error> {
        let tumors = model.spec().names(ComponentKind::Tumor);
        if tumors.is_empty() {
            return Err(StudyError::NoTumor.into());
        }
        let mut burden = vec![0.0; self.times.len()];
        for name in &tumors {
            let handle = model.tumor(name)?;
            let series = Series::column(trajectory, handle)?.at_times(&self.times)?;
            for (b, v) in burden.iter_mut().zip(series.values()) {
                *b += v;
            }
        }
        Ok(burden)
    }

    /// The drugs whose exposure is reported: those named by the endpoints, or else every drug
    /// of `model`.
    fn reported_drugs(&self, model: &Model) -> Vec<String> {
        match &self.endpoints.drugs {
            Some(d) => d.clone(),
            None => model
                .spec()
                .names(ComponentKind::Drug)
                .into_iter()
                .map(String::from)
                .collect(),
        }
    }
}

/// The exposure to `drug` over `[start, end]`: AUC and Cmax of its central concentration, and
/// its last-interval trough (`None` when that cannot be computed, e.g. an undosed drug).
fn exposure(
    trajectory: &Trajectory,
    model: &Model,
    drug: &str,
    start: f64,
    end: f64,
) -> Result<Exposure, Error> {
    let c = Series::column(trajectory, model.drug(drug)?)?;
    let trough = trough(trajectory, model, drug).ok().map(|e| e.trough);
    Ok(Exposure {
        drug: drug.to_string(),
        auc: c.area_under_curve(start, end)?,
        cmax: c.peak(start)?.value,
        trough,
    })
}

/// The worst value of the toxicity column from `start` on (its nadir or its peak, as the
/// scale says) and its grade.
fn worst_toxicity(t: &Toxicity, trajectory: &Trajectory, start: f64) -> Result<(f64, u8), Error> {
    let column = Series::column(trajectory, t.column.as_str())?;
    let worst = match t.scale.worse() {
        Worse::Below => column.nadir(start)?.value,
        Worse::Above => column.peak(start)?.value,
    };
    Ok((worst, t.scale.grade(worst)))
}

#[cfg(test)]
mod tests;
