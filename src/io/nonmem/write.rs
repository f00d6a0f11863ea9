//! Writing: an event table as CSV.

use super::{EventTable, STANDARD};
use crate::io::IoError;
use std::io::Write;
use std::path::Path;

/// A number in the shortest form that reads back to the same f64.
fn format_number(v: f64) -> String {
    format!("{v}")
}

fn format_option(v: Option<f64>) -> String {
    v.map_or_else(|| ".".to_string(), format_number)
}

impl EventTable {
    /// Writes the table as CSV: the header
    /// `ID,TIME,EVID,AMT,RATE,CMT,DV,MDV,ADDL,II,SS,ALAG` and the covariates, then one line
    /// per record; missing values as `.`, numbers in the shortest form that reads back to the
    /// same f64. [`from_reader`](Self::from_reader) reads it back into an equal table (the
    /// lines are the written ones).
    ///
    /// # Errors
    /// [`IoError::Csv`] when writing fails.
    pub fn write_csv<W: Write>(&self, writer: W) -> Result<(), IoError> {
        let mut w = csv::Writer::from_writer(writer);
        let mut header: Vec<&str> = STANDARD.to_vec();
        header.extend(self.covariates.iter().map(String::as_str));
        w.write_record(&header)?;
        for r in &self.records {
            let mut fields = vec![
                r.id.clone(),
                format_number(r.time),
                r.evid.code().to_string(),
                format_number(r.amt),
                format_number(r.rate.value()),
                r.cmt
                    .as_ref()
                    .map_or_else(|| ".".to_string(), ToString::to_string),
                format_option(r.dv),
                u8::from(r.mdv).to_string(),
                r.addl.to_string(),
                format_number(r.ii),
                r.ss.code().to_string(),
                format_number(r.alag),
            ];
            fields.extend(r.covariates.iter().map(|c| format_option(*c)));
            w.write_record(&fields)?;
        }
        w.flush().map_err(csv::Error::from)?;
        Ok(())
    }

    /// The table as CSV text (see [`write_csv`](Self::write_csv)).
    ///
    /// # Errors
    /// [`IoError::Csv`] when writing fails (not expected for an in-memory buffer).
    pub fn to_csv_string(&self) -> Result<String, IoError> {
        let mut bytes = Vec::new();
        self.write_csv(&mut bytes)?;
        // Every field is a Rust string or a formatted number: valid UTF-8.
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Writes the table to a CSV file (see [`write_csv`](Self::write_csv)).
    ///
    /// # Errors
    /// [`IoError::File`] when the file cannot be created; [`IoError::Csv`] when writing fails.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), IoError> {
        let path = path.as_ref();
        let file = std::fs::File::create(path).map_err(|source| IoError::File {
            path: path.display().to_string(),
            source: source.into(),
        })?;
        self.write_csv(std::io::BufWriter::new(file))
    }
}
