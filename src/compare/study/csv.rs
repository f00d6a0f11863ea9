//! The study's CSV files: one row per patient and arm, one row per arm.

use super::{Failure, Outcome, PatientEndpoints, StudyOutcomes, StudyResult};
use crate::compare::population::Population;
use crate::Error;

impl StudyResult {
    /// Writes one line per patient and arm: `patient,arm,<parameters>,status,<endpoints>,error`.
    ///
    /// # Errors
    /// [`IoError::Csv`](crate::IoError::Csv) when writing fails.
    pub fn write_per_patient_csv<W: std::io::Write>(&self, writer: W) -> Result<(), Error> {
        write_per_patient(
            &self.arms,
            &self.parameter_names,
            &self.population,
            &self.outcomes,
            writer,
        )
    }

    /// Writes one line per arm with its summary and intervals.
    ///
    /// # Errors
    /// [`IoError::Csv`](crate::IoError::Csv) when writing fails.
    pub fn write_summary_csv<W: std::io::Write>(&self, writer: W) -> Result<(), Error> {
        let mut w = csv::Writer::from_writer(writer);
        w.write_record(SUMMARY_HEADER)
            .map_err(crate::IoError::from)?;
        let number = crate::compare::population::format_number;
        let opt = |v: Option<f64>| v.map(number).unwrap_or_default();
        for (arm, s) in self.summaries.iter().enumerate() {
            let rank = self.ranking.order.iter().position(|r| r.arm == arm);
            let tied = rank.is_some_and(|k| self.ranking.order[k].tied_with_previous);
            w.write_record([
                s.name.clone(),
                s.patients.to_string(),
                s.failed.to_string(),
                number(s.objective_response.estimate),
                number(s.objective_response.interval.lower),
                number(s.objective_response.interval.upper),
                number(s.disease_control.estimate),
                number(s.disease_control.interval.lower),
                number(s.disease_control.interval.upper),
                opt(s.median_ttp.estimate),
                opt(s.median_ttp.lower),
                opt(s.median_ttp.upper),
                number(s.best_percent_change.mean),
                number(s.best_percent_change.median),
                number(s.final_burden.mean),
                number(s.final_burden.median),
                opt(s.grade3_toxicity.as_ref().map(|p| p.estimate)),
                rank.map(|k| (k + 1).to_string()).unwrap_or_default(),
                tied.to_string(),
            ])
            .map_err(crate::IoError::from)?;
        }
        finish(w)
    }
}

impl StudyOutcomes {
    /// Writes one line per patient and arm, as [`StudyResult::write_per_patient_csv`]: a
    /// failed simulation has status `failed` and its message in the `error` column.
    ///
    /// # Errors
    /// [`IoError::Csv`](crate::IoError::Csv) when writing fails.
    pub fn write_per_patient_csv<W: std::io::Write>(&self, writer: W) -> Result<(), Error> {
        write_per_patient(
            &self.arms,
            &self.parameter_names,
            &self.population,
            &self.outcomes,
            writer,
        )
    }

    /// Writes one line per arm with the columns of [`StudyResult::write_summary_csv`]: the
    /// counts of successful and failed patients are filled in, the statistics (which a
    /// failed arm does not have) are left empty.
    ///
    /// # Errors
    /// [`IoError::Csv`](crate::IoError::Csv) when writing fails.
    pub fn write_summary_csv<W: std::io::Write>(&self, writer: W) -> Result<(), Error> {
        let mut w = csv::Writer::from_writer(writer);
        w.write_record(SUMMARY_HEADER)
            .map_err(crate::IoError::from)?;
        for (arm, name) in self.arms.iter().enumerate() {
            let failed = self.failed(arm);
            let mut row = vec![
                name.clone(),
                (self.population.len() - failed).to_string(),
                failed.to_string(),
            ];
            row.resize(SUMMARY_HEADER.len(), String::new());
            w.write_record(&row).map_err(crate::IoError::from)?;
        }
        finish(w)
    }
}

/// The columns of summary.csv.
const SUMMARY_HEADER: [&str; 19] = [
    "arm",
    "patients",
    "failed",
    "orr",
    "orr_lower",
    "orr_upper",
    "dcr",
    "dcr_lower",
    "dcr_upper",
    "median_ttp_d",
    "median_ttp_lower_d",
    "median_ttp_upper_d",
    "best_percent_change_mean",
    "best_percent_change_median",
    "final_burden_mean",
    "final_burden_median",
    "grade3_toxicity",
    "rank",
    "tied_with_previous",
];

/// Writes one line per patient and arm: `patient,arm,<parameters>,status,<endpoints>,error`.
fn write_per_patient<W: std::io::Write>(
    arms: &[String],
    parameter_names: &[String],
    population: &Population,
    outcomes: &[Outcome],
    writer: W,
) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(writer);
    let header = per_patient_header(parameter_names, &exposure_drugs(outcomes));
    w.write_record(&header).map_err(crate::IoError::from)?;
    let n_arms = arms.len();
    for (k, o) in outcomes.iter().enumerate() {
        let row = match o {
            Outcome::Done(e) => {
                let values = population.patients()[k / n_arms].values();
                done_row(e, &arms[e.arm], values)
            }
            Outcome::Failed(f) => failed_row(f, &arms[f.arm], header.len()),
        };
        w.write_record(&row).map_err(crate::IoError::from)?;
    }
    finish(w)
}

/// Flushes a CSV writer.
fn finish<W: std::io::Write>(mut w: csv::Writer<W>) -> Result<(), Error> {
    w.flush()
        .map_err(|e| crate::IoError::from(csv::Error::from(e)))?;
    Ok(())
}

/// The endpoint columns of per_patient.csv, between `status` and the exposure columns.
const ENDPOINT_COLUMNS: [&str; 10] = [
    "final_burden",
    "nadir",
    "nadir_time_d",
    "best_percent_change",
    "tumor_auc",
    "ttp_d",
    "ttp_censored",
    "best_response",
    "toxicity_worst",
    "toxicity_grade",
];

/// The drugs with exposure columns: those of the first successful simulation (none if every
/// simulation failed).
fn exposure_drugs(outcomes: &[Outcome]) -> Vec<String> {
    outcomes
        .iter()
        .find_map(|o| match o {
            Outcome::Done(e) => Some(e.exposure.iter().map(|x| x.drug.clone()).collect()),
            Outcome::Failed(_) => None,
        })
        .unwrap_or_default()
}

/// The columns of per_patient.csv: `patient,arm,<parameters>,status,<endpoints>`, AUC, Cmax
/// and trough of each drug, `error`.
fn per_patient_header(parameter_names: &[String], drugs: &[String]) -> Vec<String> {
    let mut header: Vec<String> = vec!["patient".into(), "arm".into()];
    header.extend(parameter_names.iter().cloned());
    header.push("status".into());
    header.extend(ENDPOINT_COLUMNS.map(String::from));
    for d in drugs {
        header.push(format!("{d}_auc_mg_day_per_L"));
        header.push(format!("{d}_cmax_mg_per_L"));
        header.push(format!("{d}_trough_mg_per_L"));
    }
    header.push("error".into());
    header
}

/// The row of a successful simulation in arm `arm` of the patient with parameter `values`;
/// an absent toxicity or trough is an empty field, and so is the error.
fn done_row(e: &PatientEndpoints, arm: &str, values: &[f64]) -> Vec<String> {
    let number = crate::compare::population::format_number;
    let mut row = vec![e.patient.to_string(), arm.to_string()];
    row.extend(values.iter().map(|v| number(*v)));
    row.push("ok".into());
    for v in [
        e.final_burden,
        e.nadir,
        e.nadir_time,
        e.best_percent_change,
        e.tumor_auc,
        e.time_to_progression.time,
    ] {
        row.push(number(v));
    }
    row.push(e.time_to_progression.censored.to_string());
    row.push(e.response.abbreviation().to_string());
    match e.toxicity {
        Some((worst, grade)) => row.extend([number(worst), grade.to_string()]),
        None => row.extend([String::new(), String::new()]),
    }
    for x in &e.exposure {
        row.extend([number(x.auc), number(x.cmax)]);
        row.push(x.trough.map(number).unwrap_or_default());
    }
    row.push(String::new());
    row
}

/// The row of a failed simulation in arm `arm`, `width` fields: its parameters, status
/// `failed`, empty endpoints and its error message last.
fn failed_row(f: &Failure, arm: &str, width: usize) -> Vec<String> {
    let number = crate::compare::population::format_number;
    let mut row = vec![f.patient.to_string(), arm.to_string()];
    row.extend(f.parameters.iter().map(|v| number(*v)));
    row.push("failed".into());
    row.resize(width - 1, String::new());
    row.push(f.error.to_string());
    row
}

#[cfg(test)]
mod tests;
