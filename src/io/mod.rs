//! Files: TOML model files (model + regimen + simulation settings) that round-trip with the
//! builder, and NONMEM-style event tables.
//!
//! Use this module when a model should live in a file rather than in code: to ship a published
//! model with its parameters and their sources as comments, to rerun a simulation from the
//! command line (`cargo run --example simulate -- MODEL.toml --out TRAJ.csv`), or to save a
//! model built in code. A [`ModelFile`] holds a [`ModelSpec`](crate::model::ModelSpec), a
//! [`Regimen`](crate::dosing::Regimen) and a [`SimulationSection`]; see [`ModelFile`] for the
//! layout of a file, and `examples/models/` for documented files.
//!
//! Use [`nonmem`] when doses and observations come as a NONMEM data set: an [`EventTable`]
//! reads and writes one, and simulates each subject to predictions at its observation records.
//!
//! Use [`observations`] when the data are a tidy table of one observed output per subject
//! over time (subject, time and value columns, e.g. tumor volumes of mice): it reads them into
//! [`ObservationSeries`], ready to become [`fit::SubjectData`](crate::fit::SubjectData).
//!
//! Use [`study`] when a whole population study (model, arms, virtual patients, endpoints)
//! should live in a file: a [`StudyFile`] round-trips with
//! [`compare::Study`](crate::compare::Study); `examples/studies/` holds the README main
//! command's study.

mod build_error;
mod error;
pub mod nonmem;
pub mod observations;
mod spec;
pub mod study;
mod toml_error;

pub use error::{DataError, IoError};
pub use nonmem::{EventSettings, EventTable, Prediction};
pub use observations::{ObservationColumns, ObservationSeries};
#[allow(deprecated)]
pub use spec::Simulation;
pub use spec::{ModelFile, OutputTimes, SimulationSection};
pub use study::{ParameterBinding, PatientSource, StudyFile};

/// The text of the file at `path`.
pub(crate) fn read_text(path: &std::path::Path) -> Result<String, crate::IoError> {
    std::fs::read_to_string(path).map_err(|source| crate::IoError::File {
        path: path.display().to_string(),
        source: source.into(),
    })
}

/// Writes `text` to the file at `path`.
pub(crate) fn write_text(path: &std::path::Path, text: &str) -> Result<(), crate::IoError> {
    std::fs::write(path, text).map_err(|source| crate::IoError::File {
        path: path.display().to_string(),
        source: source.into(),
    })
}

/// A finite number from a data cell, or [`DataError::NotANumber`] naming its line and column.
pub(crate) fn parse_number(text: &str, line: u64, column: &str) -> Result<f64, DataError> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(DataError::NotANumber {
            line,
            column: column.to_string(),
            text: text.to_string(),
        }),
    }
}

/// A CSV reader's error, with the line where it happened.
pub(crate) fn csv_error(source: csv::Error) -> DataError {
    DataError::Csv {
        line: source.position().map(csv::Position::line),
        source: source.into(),
    }
}
