//! Populations as CSV (`id,<name>,…`), written in the shortest form that reads back bit for
//! bit, and read back with every bad cell named by line and column.

use super::{Population, ID_COLUMN};
use crate::compare::PopulationError;
use std::io::{Read, Write};
use std::path::Path;

impl Population {
    /// Writes `id,<name>,…` and one row per patient; numbers in the shortest form that reads
    /// back to the same `f64` (see [`format_number`]).
    ///
    /// # Errors
    /// [`PopulationError::Csv`] when writing fails.
    pub fn write_csv<W: Write>(&self, writer: W) -> Result<(), PopulationError> {
        let csv_error = |source: csv::Error| PopulationError::Csv {
            line: None,
            source: source.into(),
        };
        let mut w = csv::Writer::from_writer(writer);
        let header = std::iter::once(ID_COLUMN).chain(self.names.iter().map(String::as_str));
        w.write_record(header).map_err(csv_error)?;
        for p in &self.patients {
            let record = std::iter::once(p.index.to_string())
                .chain(p.values.iter().map(|&v| format_number(v)));
            w.write_record(record).map_err(csv_error)?;
        }
        w.flush().map_err(|e| csv_error(csv::Error::from(e)))?;
        Ok(())
    }

    /// Writes the CSV to the file at `path` (created or truncated).
    ///
    /// # Errors
    /// [`PopulationError::File`] if it cannot be created; as [`write_csv`](Self::write_csv).
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), PopulationError> {
        let path = path.as_ref();
        let file = std::fs::File::create(path).map_err(|source| PopulationError::File {
            path: path.display().to_string(),
            source: source.into(),
        })?;
        self.write_csv(std::io::BufWriter::new(file))
    }

    /// Reads a population written by [`write_csv`](Self::write_csv): an `id` column first
    /// (patient indices, integers ≥ 0, each once), then one column per name.
    ///
    /// # Errors
    /// [`PopulationError::MissingColumn`] when the first column is not `id`;
    /// [`DuplicateName`](PopulationError::DuplicateName) or
    /// [`InvalidName`](PopulationError::InvalidName) for a bad header;
    /// [`InvalidId`](PopulationError::InvalidId) and [`NotANumber`](PopulationError::NotANumber)
    /// naming the line and column; [`Csv`](PopulationError::Csv) for a malformed file.
    pub fn read_csv<R: Read>(reader: R) -> Result<Population, PopulationError> {
        let mut r = csv::ReaderBuilder::new().from_reader(reader);
        let header = headers(&mut r)?;
        if header.first().map(String::as_str) != Some(ID_COLUMN) {
            return Err(PopulationError::MissingColumn {
                line: 1,
                column: ID_COLUMN.to_string(),
                available: header.join(", "),
            });
        }
        let names: Vec<String> = header[1..].to_vec();
        let columns: Vec<usize> = (1..header.len()).collect();
        let rows = records(&mut r, &header, Some(0), &columns)?;
        Population::new(names, rows)
    }

    /// Reads the CSV file at `path`; see [`read_csv`](Self::read_csv).
    ///
    /// # Errors
    /// [`PopulationError::File`] if it cannot be opened; [`PopulationError::InFile`] naming
    /// the file around the errors of [`read_csv`](Self::read_csv).
    pub fn read(path: impl AsRef<Path>) -> Result<Population, PopulationError> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|source| PopulationError::File {
            path: path.display().to_string(),
            source: source.into(),
        })?;
        Population::read_csv(std::io::BufReader::new(file)).map_err(|source| {
            PopulationError::InFile {
                path: path.display().to_string(),
                source: Box::new(source),
            }
        })
    }

    /// Reads covariates, one row per patient, with exactly the columns `expected` (in any
    /// order) and optionally `id`: a column not in `expected` is rejected by name, a missing one
    /// too. With an `id` column its values are the patient indices; without, row `k` (0-based,
    /// after the header) is patient `k`. The result's names are in `expected` order; join it to
    /// drawn parameters with [`join`](Self::join).
    ///
    /// ```
    /// use oncodyn::compare::Population;
    /// let csv = "weight,height\n70.5,172\n82,180\n";
    /// let covariates = Population::read_covariates_csv(csv.as_bytes(), &["height", "weight"])?;
    /// assert_eq!(covariates.column("weight")?, vec![70.5, 82.0]);
    /// assert_eq!(covariates.patients()[1].index(), 1);
    /// # Ok::<(), oncodyn::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`PopulationError::UnknownColumn`] and [`MissingColumn`](PopulationError::MissingColumn)
    /// naming the column; as [`read_csv`](Self::read_csv) for values.
    pub fn read_covariates_csv<R: Read>(
        reader: R,
        expected: &[&str],
    ) -> Result<Population, PopulationError> {
        let mut r = csv::ReaderBuilder::new().from_reader(reader);
        let header = headers(&mut r)?;
        for column in &header {
            if column != ID_COLUMN && !expected.contains(&column.as_str()) {
                return Err(PopulationError::UnknownColumn {
                    line: 1,
                    column: column.clone(),
                    expected: expected.join(", "),
                });
            }
        }
        let mut columns = Vec::with_capacity(expected.len());
        for name in expected {
            match header.iter().position(|h| h == name) {
                Some(c) => columns.push(c),
                None => {
                    return Err(PopulationError::MissingColumn {
                        line: 1,
                        column: (*name).to_string(),
                        available: header.join(", "),
                    })
                }
            }
        }
        let id = header.iter().position(|h| h == ID_COLUMN);
        let rows = records(&mut r, &header, id, &columns)?;
        Population::new(expected.iter().map(|s| (*s).to_string()).collect(), rows)
    }
}

/// The header's fields, checked for duplicates.
fn headers<R: Read>(r: &mut csv::Reader<R>) -> Result<Vec<String>, PopulationError> {
    let header: Vec<String> = r
        .headers()
        .map_err(|source| PopulationError::Csv {
            line: source.position().map(csv::Position::line),
            source: source.into(),
        })?
        .iter()
        .map(str::to_string)
        .collect();
    for (i, h) in header.iter().enumerate() {
        if header[..i].contains(h) {
            return Err(PopulationError::DuplicateName { name: h.clone() });
        }
    }
    Ok(header)
}

/// Reads every record: the patient index from column `id` (or the row's position), the values
/// from `columns`.
fn records<R: Read>(
    r: &mut csv::Reader<R>,
    header: &[String],
    id: Option<usize>,
    columns: &[usize],
) -> Result<Vec<(usize, Vec<f64>)>, PopulationError> {
    let mut rows = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (position, record) in r.records().enumerate() {
        let record = record.map_err(|source| PopulationError::Csv {
            line: source.position().map(csv::Position::line),
            source: source.into(),
        })?;
        let line = record
            .position()
            .map_or(position as u64 + 2, csv::Position::line);
        let index = match id {
            None => position,
            Some(c) => {
                let text = record.get(c).unwrap_or_default();
                let index =
                    text.trim()
                        .parse::<usize>()
                        .map_err(|_| PopulationError::InvalidId {
                            line,
                            text: text.to_string(),
                            reason: "is not a patient index (an integer ≥ 0)",
                        })?;
                if seen.insert(index, line).is_some() {
                    return Err(PopulationError::InvalidId {
                        line,
                        text: text.to_string(),
                        reason: "repeats the index of a line above",
                    });
                }
                index
            }
        };
        let mut values = Vec::with_capacity(columns.len());
        for &c in columns {
            let text = record.get(c).unwrap_or_default();
            match text.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => values.push(v),
                _ => {
                    return Err(PopulationError::NotANumber {
                        line,
                        column: header[c].clone(),
                        text: text.to_string(),
                    })
                }
            }
        }
        rows.push((index, values));
    }
    Ok(rows)
}

/// `v` in the shortest decimal form that parses back to the same `f64`: plain notation for
/// `1e-4 ≤ |v| < 1e15` and 0, scientific otherwise (both of Rust's formatters are shortest
/// round-trip). The crate's CSV writers share this one format.
///
/// ```
/// use oncodyn::compare::format_number;
/// assert_eq!(format_number(0.1), "0.1");
/// assert_eq!(format_number(2.5e-7), "2.5e-7");
/// ```
pub fn format_number(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || (1e-4..1e15).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}
