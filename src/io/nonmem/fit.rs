//! [`FitProblem::from_event_table`]: a fit problem whose subjects are the records of an event
//! table. It lives with the event table, so the fit module needs nothing of `io`: a subject's
//! records reach the fit as a [`RecordedDosing`], which this module implements.

use super::{DataRecord, EventSettings, EventTable, Evid, SteadyStateKind};
use crate::error::Error;
use crate::fit::{
    check_observation, output_drug, Checked, Dosing, ErrorModel, FitError, FitProblem,
    FreeParameter, Observed, RecordedDosing,
};
use crate::model::Model;
use crate::solver::SolverOptions;
use std::sync::Arc;

/// One subject's records of an event table, with the settings to simulate them.
#[derive(Debug)]
struct Records {
    table: EventTable,
    settings: EventSettings,
}

impl RecordedDosing for Records {
    /// The predictions at the records with a DV, simulated as [`EventTable::simulate`] does
    /// with `solver` in place of the settings' solver.
    fn predict(&self, model: &Model, solver: &SolverOptions) -> Result<Vec<f64>, Error> {
        let settings = EventSettings {
            solver: solver.clone(),
            ..self.settings.clone()
        };
        let all = self.table.simulate(model, &settings)?;
        Ok(all
            .iter()
            .filter(|p| p.dv.is_some())
            .map(|p| p.value)
            .collect())
    }
}

impl FitProblem {
    /// A problem with the subjects of a NONMEM-style event table: its observations are the
    /// EVID 0 records with a DV (MDV = 0), its doses those of the records, simulated as
    /// [`EventTable::simulate`] does. `settings.output` is the observed output;
    /// `settings.solver` is replaced by the problem's solver ([`with_solver`](FitProblem::with_solver)).
    ///
    /// An observation record before the first dose record in file order, or at its time (for
    /// a transient dose), counts as before the first dose for a drug output.
    ///
    /// # Errors
    /// The table's [`DataError`](crate::DataError)s (as [`EventTable::validate`], and for
    /// settings or compartments that do not fit the model), and the errors of
    /// [`new`](FitProblem::new), naming the record's `line`.
    pub fn from_event_table(
        model: &Model,
        table: &EventTable,
        settings: &EventSettings,
        parameters: Vec<FreeParameter>,
        error: ErrorModel,
    ) -> Result<FitProblem, Error> {
        table.validate()?;
        let output = settings.output.clone();
        let drug = output_drug(model, &output);
        let settings = EventSettings {
            solver: FitProblem::default_solver(),
            ..settings.clone()
        };
        let mut checked = Vec::new();
        for subject in table.subjects() {
            subject.segments(model, &settings)?;
            let records = subject.records;
            let observations = observations(subject.id, records, drug.as_deref(), error)?;
            checked.push(Checked {
                id: subject.id.to_string(),
                dosing: Dosing::Records(Arc::new(Records {
                    table: EventTable {
                        covariates: table.covariates.clone(),
                        records: records.to_vec(),
                    },
                    settings: settings.clone(),
                })),
                observations,
            });
        }
        Ok(FitProblem::assemble(
            model, output, checked, parameters, error,
        )?)
    }
}

/// The observations of one subject's `records` (EVID 0 with a DV), each checked for `error`;
/// for a drug output `drug` under an error model that needs positive values, none may come
/// before the first dose record in file order, or at its time for a transient dose.
fn observations(
    id: &str,
    records: &[DataRecord],
    drug: Option<&str>,
    error: ErrorModel,
) -> Result<Vec<Observed>, FitError> {
    let first = records.iter().position(|r| r.evid.is_dose());
    let mut observations = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let Some(dv) = r.dv.filter(|_| r.evid == Evid::Observation && !r.mdv) else {
            continue;
        };
        let o = Observed {
            time: r.time,
            value: dv,
            line: Some(r.line),
        };
        let index = observations.len();
        check_observation(id, index, &o, error)?;
        if let (Some(drug), true) = (drug, error.needs_positive_values()) {
            let before = first.is_none_or(|f| {
                i < f || (r.time == records[f].time && records[f].ss == SteadyStateKind::Transient)
            });
            if before {
                return Err(FitError::ObservationBeforeFirstDose {
                    subject: id.to_string(),
                    line: Some(r.line),
                    index,
                    time: r.time,
                    drug: drug.to_string(),
                    first_dose: first.map(|f| records[f].time),
                });
            }
        }
        observations.push(o);
    }
    Ok(observations)
}
