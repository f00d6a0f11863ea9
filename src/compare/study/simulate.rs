//! One patient in one arm: the simulation and its endpoints.

use super::{Exposure, PatientEndpoints, Study};
use crate::compare::endpoints::{time_to_progression, Series};
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

    fn endpoints_of(
        &self,
        patient: usize,
        arm: usize,
        model: &Model,
        trajectory: &Trajectory,
    ) -> Result<PatientEndpoints, Error> {
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
        let series = Series::new(self.times.clone(), burden.clone())?;
        let start = self.times[0];
        let end = self.times[self.times.len() - 1];
        let nadir = series.nadir(start)?;
        let drugs: Vec<String> = match &self.endpoints.drugs {
            Some(d) => d.clone(),
            None => model
                .spec()
                .names(ComponentKind::Drug)
                .into_iter()
                .map(String::from)
                .collect(),
        };
        let exposure = drugs
            .iter()
            .map(|drug| {
                let c = Series::column(trajectory, model.drug(drug)?)?;
                let trough = crate::compare::endpoints::trough(trajectory, model, drug)
                    .ok()
                    .map(|e| e.trough);
                Ok(Exposure {
                    drug: drug.clone(),
                    auc: c.area_under_curve(start, end)?,
                    cmax: c.peak(start)?.value,
                    trough,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let toxicity = match &self.endpoints.toxicity {
            None => None,
            Some(t) => {
                let column = Series::column(trajectory, t.column.as_str())?;
                let worst = match t.scale.worse() {
                    crate::compare::endpoints::Worse::Below => column.nadir(start)?.value,
                    crate::compare::endpoints::Worse::Above => column.peak(start)?.value,
                };
                Some((worst, t.scale.grade(worst)))
            }
        };
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
}
