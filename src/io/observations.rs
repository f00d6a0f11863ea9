//! Tidy long-format observation tables: one row per observation, a subject column, a time
//! column and a value column, with names the caller gives.
//!
//! ```
//! use oncodyn::io::{ObservationColumns, ObservationSeries};
//! let text = "mouse,day,volume_mm3\n0,7,50.0\n0,11,309.5\n1,4,12.1\n";
//! let columns = ObservationColumns::new("mouse", "day", "volume_mm3");
//! let mice = ObservationSeries::from_csv_str(text, &columns)?;
//! assert_eq!(mice.len(), 2);
//! assert_eq!((mice[0].id.as_str(), mice[0].observations.clone()), ("0", vec![(7.0, 50.0), (11.0, 309.5)]));
//! let subject = mice[1].clone().untreated();              // a fit::SubjectData, no doses
//! assert_eq!(subject.observations, vec![(4.0, 12.1)]);
//! # Ok::<(), oncodyn::Error>(())
//! ```

use super::{csv_error, parse_number};
use crate::dosing::Regimen;
use crate::fit::SubjectData;
use crate::io::error::DataError;
use crate::io::error::IoError;
use crate::Error;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// Line of the header.
const HEADER_LINE: u64 = 1;

/// The names of the subject, time and value columns (matched exactly, after trimming).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservationColumns {
    /// The subject ID column.
    pub subject: String,
    /// The time column (days, or the unit the caller's model uses).
    pub time: String,
    /// The observed value column.
    pub value: String,
}

impl ObservationColumns {
    /// Columns `subject`, `time`, `value`.
    pub fn new(subject: &str, time: &str, value: &str) -> Self {
        ObservationColumns {
            subject: subject.to_string(),
            time: time.to_string(),
            value: value.to_string(),
        }
    }
}

/// One subject's observations, in file order (times never decreasing).
#[derive(Clone, Debug, PartialEq)]
pub struct ObservationSeries {
    /// The subject's ID, as written.
    pub id: String,
    /// `(time, value)` pairs.
    pub observations: Vec<(f64, f64)>,
}

impl ObservationSeries {
    /// This subject as fit data without doses (an empty regimen named `untreated`).
    pub fn untreated(self) -> SubjectData {
        SubjectData::new(self.id, Regimen::new("untreated"), self.observations)
    }

    /// Reads a CSV file (see [`from_reader`](Self::from_reader)).
    ///
    /// # Errors
    /// [`IoError::File`] when the file cannot be opened; otherwise as
    /// [`from_reader`](Self::from_reader).
    pub fn read(
        path: impl AsRef<Path>,
        columns: &ObservationColumns,
    ) -> Result<Vec<ObservationSeries>, Error> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|source| IoError::File {
            path: path.display().to_string(),
            source: source.into(),
        })?;
        Ok(ObservationSeries::from_reader(file, columns)?)
    }

    /// Reads CSV text (see [`from_reader`](Self::from_reader)).
    ///
    /// # Errors
    /// As [`from_reader`](Self::from_reader).
    pub fn from_csv_str(
        text: &str,
        columns: &ObservationColumns,
    ) -> Result<Vec<ObservationSeries>, DataError> {
        ObservationSeries::from_reader(text.as_bytes(), columns)
    }

    /// Reads CSV (a header, then one record per line; values trimmed; other columns ignored)
    /// into one series per subject, subjects in order of first appearance. A subject's rows
    /// need not be contiguous, but its times must not decrease from one row to the next.
    ///
    /// # Errors
    /// Each naming the line and column: [`DataError::Csv`] for malformed CSV;
    /// [`DataError::UnknownColumn`] for a column the header lacks;
    /// [`DataError::MissingValue`] for an empty subject, time or value;
    /// [`DataError::NotANumber`] for a time or value that is not a finite number;
    /// [`DataError::TimeBackwards`] for a time before the subject's previous one.
    pub fn from_reader<R: Read>(
        reader: R,
        columns: &ObservationColumns,
    ) -> Result<Vec<ObservationSeries>, DataError> {
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(reader);
        let header = csv.headers().map_err(csv_error)?.clone();
        let find = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| DataError::UnknownColumn {
                    line: HEADER_LINE,
                    column: name.to_string(),
                    available: header.iter().collect::<Vec<_>>().join(", "),
                })
        };
        let subject = find(&columns.subject)?;
        let time = find(&columns.time)?;
        let value = find(&columns.value)?;

        let mut series: Vec<ObservationSeries> = Vec::new();
        // Subject → (position in `series`, line of its last row).
        let mut seen: HashMap<String, (usize, u64)> = HashMap::new();
        for row in csv.records() {
            let row = row.map_err(csv_error)?;
            let line = row.position().map_or(0, csv::Position::line);
            let text = |k: usize, column: &str| -> Result<&str, DataError> {
                row.get(k)
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| DataError::MissingValue {
                        line,
                        column: column.to_string(),
                        reason: "every observation needs a subject, a time and a value",
                    })
            };
            let id = text(subject, &columns.subject)?;
            let t = parse_number(text(time, &columns.time)?, line, &columns.time)?;
            let y = parse_number(text(value, &columns.value)?, line, &columns.value)?;
            match seen.get_mut(id) {
                Some((k, previous_line)) => {
                    let s = &mut series[*k];
                    if let Some(&(previous, _)) = s.observations.last() {
                        if t < previous {
                            return Err(DataError::TimeBackwards {
                                line,
                                column: columns.time.clone(),
                                id: id.to_string(),
                                time: t,
                                previous,
                                previous_line: *previous_line,
                            });
                        }
                    }
                    s.observations.push((t, y));
                    *previous_line = line;
                }
                None => {
                    seen.insert(id.to_string(), (series.len(), line));
                    series.push(ObservationSeries {
                        id: id.to_string(),
                        observations: vec![(t, y)],
                    });
                }
            }
        }
        Ok(series)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> ObservationColumns {
        ObservationColumns::new("mouse", "day", "volume_mm3")
    }

    fn read(text: &str) -> Result<Vec<ObservationSeries>, DataError> {
        ObservationSeries::from_csv_str(text, &columns())
    }

    #[test]
    fn groups_by_subject_in_order_of_first_appearance() {
        let text = "day, mouse ,volume_mm3,note\n4,b,1.5,x\n5, a ,2,\n6,b,3e1,y\n6,b,31,\n";
        let series = read(text).unwrap();
        assert_eq!(
            series,
            vec![
                ObservationSeries {
                    id: "b".into(),
                    observations: vec![(4.0, 1.5), (6.0, 30.0), (6.0, 31.0)],
                },
                ObservationSeries {
                    id: "a".into(),
                    observations: vec![(5.0, 2.0)],
                },
            ]
        );
        let subject = series[1].clone().untreated();
        assert_eq!((subject.id.as_str(), subject.regimen.doses.len()), ("a", 0));
    }

    #[test]
    fn a_missing_column_names_it_and_the_header() {
        let err = read("mouse,time,volume_mm3\n0,1,2\n").unwrap_err();
        match err {
            DataError::UnknownColumn {
                line,
                ref column,
                ref available,
            } => {
                assert_eq!((line, column.as_str()), (1, "day"));
                assert_eq!(available, "mouse, time, volume_mm3");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_numbers_name_line_and_column() {
        for (text, line, column, found) in [
            ("mouse,day,volume_mm3\n0,1,2\n0,x,3\n", 3, "day", "x"),
            ("mouse,day,volume_mm3\n0,1,NaN\n", 2, "volume_mm3", "NaN"),
            (
                "mouse,day,volume_mm3\n0,1,2\n0,2,inf\n",
                3,
                "volume_mm3",
                "inf",
            ),
        ] {
            match read(text).unwrap_err() {
                DataError::NotANumber {
                    line: l,
                    column: c,
                    text: t,
                } => assert_eq!((l, c.as_str(), t.as_str()), (line, column, found)),
                other => panic!("{text}: {other:?}"),
            }
        }
        match read("mouse,day,volume_mm3\n0,1,\n").unwrap_err() {
            DataError::MissingValue { line, column, .. } => {
                assert_eq!((line, column.as_str()), (2, "volume_mm3"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn time_going_backwards_within_a_subject_names_both_lines() {
        // Another subject in between does not matter; going back within mouse 0 does.
        let text = "mouse,day,volume_mm3\n0,5,1\n1,1,1\n0,4,2\n";
        let err = read(text).unwrap_err();
        match &err {
            DataError::TimeBackwards {
                line,
                column,
                id,
                time,
                previous,
                previous_line,
            } => assert_eq!(
                (
                    *line,
                    column.as_str(),
                    id.as_str(),
                    *time,
                    *previous,
                    *previous_line
                ),
                (4, "day", "0", 4.0, 5.0, 2)
            ),
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().starts_with("line 4, column `day`"), "{err}");
    }

    #[test]
    fn malformed_csv_and_a_missing_file_are_errors() {
        let err = read("mouse,day,volume_mm3\n0,1,2\n0,2\n").unwrap_err();
        assert!(
            matches!(err, DataError::Csv { line: Some(3), .. }),
            "{err:?}"
        );
        let err = ObservationSeries::read("/nonexistent/x.csv", &columns()).unwrap_err();
        assert!(matches!(err, Error::Io(IoError::File { .. })), "{err:?}");
    }
}
