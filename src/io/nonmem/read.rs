//! Reading: an event table from CSV, its checks without a model, and its subjects.

use super::{
    invalid_value, Cmt, DataRecord, EventSettings, EventTable, Evid, Prediction, RateItem,
    SteadyStateKind, SubjectRecords, ADDL, ALAG, AMT, CMT, DV, EVID, HEADER_LINE, ID, II, MDV,
    RATE, SS, STANDARD, TIME,
};
use crate::error::Error;
use crate::io::{csv_error, parse_number};
use crate::io::{DataError, IoError};
use crate::model::Model;
#[cfg(doc)]
use crate::trajectory::LookupError;
use std::io::Read;
use std::path::Path;

/// Where each column is in the file.
struct Layout {
    standard: [Option<usize>; 12],
    covariates: Vec<(usize, String)>,
}

impl Layout {
    fn from_header(header: &csv::StringRecord) -> Result<Layout, DataError> {
        let mut standard = [None; 12];
        let mut covariates: Vec<(usize, String)> = Vec::new();
        for (i, name) in header.iter().enumerate() {
            let upper = name.to_uppercase();
            let duplicate = || DataError::DuplicateColumn {
                line: HEADER_LINE,
                column: name.to_string(),
            };
            match STANDARD.iter().position(|s| *s == upper) {
                Some(k) => {
                    if standard[k].is_some() {
                        return Err(duplicate());
                    }
                    standard[k] = Some(i);
                }
                None => {
                    if covariates.iter().any(|(_, c)| c.to_uppercase() == upper) {
                        return Err(duplicate());
                    }
                    covariates.push((i, name.to_string()));
                }
            }
        }
        let available = || header.iter().collect::<Vec<_>>().join(", ");
        for k in [ID, TIME] {
            if standard[k].is_none() {
                return Err(DataError::MissingColumn {
                    line: HEADER_LINE,
                    column: STANDARD[k],
                    reason: "every record needs it",
                    available: available(),
                });
            }
        }
        Ok(Layout {
            standard,
            covariates,
        })
    }

    /// The text of standard column `k`, `None` when the column is absent or the value missing.
    fn text<'r>(&self, row: &'r csv::StringRecord, k: usize) -> Option<&'r str> {
        self.standard[k]
            .and_then(|i| row.get(i))
            .filter(|t| !is_missing(t))
    }

    fn number(
        &self,
        row: &csv::StringRecord,
        k: usize,
        line: u64,
    ) -> Result<Option<f64>, DataError> {
        self.text(row, k)
            .map(|t| parse_number(t, line, STANDARD[k]))
            .transpose()
    }

    /// The record on `row`, read field by field in column order (so the first bad field is
    /// the one reported), with NM-TRAN's defaults for EVID and MDV.
    fn record(&self, row: &csv::StringRecord, line: u64) -> Result<DataRecord, DataError> {
        let missing = |k: usize, reason| DataError::MissingValue {
            line,
            column: STANDARD[k].to_string(),
            reason,
        };
        let id = self
            .text(row, ID)
            .ok_or_else(|| missing(ID, "every record needs a subject ID"))?
            .to_string();
        let time = self
            .number(row, TIME, line)?
            .ok_or_else(|| missing(TIME, "every record needs a time"))?;
        let amt = self.number(row, AMT, line)?.unwrap_or(0.0);
        let rate = self.rate(row, line)?;
        let cmt = self.cmt(row, line)?;
        let dv = self.number(row, DV, line)?;
        let mdv = self.mdv(row, line)?;
        let addl = self.addl(row, line)?;
        let ii = self.number(row, II, line)?.unwrap_or(0.0);
        let ss = self.ss(row, line)?;
        let alag = self.number(row, ALAG, line)?.unwrap_or(0.0);
        let evid = match self.number(row, EVID, line)? {
            Some(v) => Evid::from_value(v).ok_or(DataError::UnknownEvid {
                line,
                column: STANDARD[EVID].to_string(),
                value: v,
            })?,
            None => default_evid(amt, rate, ss, mdv),
        };
        let mdv = mdv.unwrap_or(evid != Evid::Observation || dv.is_none());
        let covariates = self.covariate_values(row, line)?;
        Ok(DataRecord {
            line,
            id,
            time,
            evid,
            amt,
            rate,
            cmt,
            dv,
            mdv,
            addl,
            ii,
            ss,
            alag,
            covariates,
        })
    }

    /// RATE: missing or 0 a bolus, > 0 an infusion, −1 and −2 modelled.
    fn rate(&self, row: &csv::StringRecord, line: u64) -> Result<RateItem, DataError> {
        Ok(match self.number(row, RATE, line)? {
            None => RateItem::Bolus,
            Some(0.0) => RateItem::Bolus,
            Some(v) if v > 0.0 => RateItem::Infusion(v),
            Some(-1.0) => RateItem::ModelledRate,
            Some(-2.0) => RateItem::ModelledDuration,
            Some(v) => {
                return Err(invalid_value(
                    line,
                    RATE,
                    v,
                    "must be ≥ 0, −1 (modelled rate) or −2 (modelled duration)",
                ))
            }
        })
    }

    /// CMT: a state number (a whole number ≥ 1) or, when it is not a number, a state name.
    fn cmt(&self, row: &csv::StringRecord, line: u64) -> Result<Option<Cmt>, DataError> {
        let Some(t) = self.text(row, CMT) else {
            return Ok(None);
        };
        match t.parse::<f64>() {
            Ok(v) if v >= 1.0 && v.fract() == 0.0 && v <= u32::MAX as f64 => {
                // A whole number in [1, u32::MAX]: the cast is exact.
                Ok(Some(Cmt::Number(v as usize)))
            }
            Ok(v) => Err(invalid_value(
                line,
                CMT,
                v,
                "must be a state number (1, 2, …) or a state name",
            )),
            Err(_) => Ok(Some(Cmt::Name(t.to_string()))),
        }
    }

    /// MDV as written: `None` when missing.
    fn mdv(&self, row: &csv::StringRecord, line: u64) -> Result<Option<bool>, DataError> {
        match self.number(row, MDV, line)? {
            None => Ok(None),
            Some(0.0) => Ok(Some(false)),
            Some(1.0) => Ok(Some(true)),
            Some(v) => Err(invalid_value(line, MDV, v, "must be 0 or 1")),
        }
    }

    /// ADDL: a whole number ≥ 0, 0 when missing.
    fn addl(&self, row: &csv::StringRecord, line: u64) -> Result<u32, DataError> {
        match self.number(row, ADDL, line)? {
            None => Ok(0),
            Some(v) if v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) => {
                // A whole number in [0, u32::MAX]: the cast is exact.
                Ok(v as u32)
            }
            Some(v) => Err(invalid_value(line, ADDL, v, "must be a whole number ≥ 0")),
        }
    }

    /// SS: 0, 1 or 2, transient when missing.
    fn ss(&self, row: &csv::StringRecord, line: u64) -> Result<SteadyStateKind, DataError> {
        match self.number(row, SS, line)? {
            None => Ok(SteadyStateKind::Transient),
            Some(v) => SteadyStateKind::from_value(v).ok_or(DataError::UnknownSteadyState {
                line,
                column: STANDARD[SS].to_string(),
                value: v,
            }),
        }
    }

    /// The covariate columns' values on `row`, `None` where missing.
    fn covariate_values(
        &self,
        row: &csv::StringRecord,
        line: u64,
    ) -> Result<Vec<Option<f64>>, DataError> {
        self.covariates
            .iter()
            .map(|(i, name)| {
                row.get(*i)
                    .filter(|t| !is_missing(t))
                    .map(|t| parse_number(t, line, name))
                    .transpose()
            })
            .collect()
    }
}

/// NM-TRAN's rule when there is no EVID: a dose if the record has dose items, else an
/// observation unless MDV says otherwise.
fn default_evid(amt: f64, rate: RateItem, ss: SteadyStateKind, mdv: Option<bool>) -> Evid {
    if amt > 0.0 || rate != RateItem::Bolus || ss != SteadyStateKind::Transient {
        Evid::Dose
    } else if mdv == Some(true) {
        Evid::Other
    } else {
        Evid::Observation
    }
}

fn is_missing(text: &str) -> bool {
    text.is_empty() || text == "."
}

impl EventTable {
    /// Reads an event table from a CSV file (see the [module docs](super) for the columns).
    ///
    /// # Errors
    /// [`IoError::File`] when the file cannot be opened; otherwise as
    /// [`from_reader`](Self::from_reader).
    pub fn read(path: impl AsRef<Path>) -> Result<EventTable, Error> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|source| IoError::File {
            path: path.display().to_string(),
            source: source.into(),
        })?;
        Ok(EventTable::from_reader(file)?)
    }

    /// Reads an event table from CSV text.
    ///
    /// # Errors
    /// As [`from_reader`](Self::from_reader).
    pub fn from_csv_str(text: &str) -> Result<EventTable, DataError> {
        EventTable::from_reader(text.as_bytes())
    }

    /// Reads an event table from CSV (a header, then one record per line; values trimmed) and
    /// checks it ([`validate`](Self::validate)).
    ///
    /// # Errors
    /// Each naming the line and column: [`DataError::Csv`] for malformed CSV;
    /// [`DataError::MissingColumn`] without `ID` or `TIME` (or `AMT` with dose records);
    /// [`DataError::DuplicateColumn`]; [`DataError::NotANumber`]; [`DataError::MissingValue`]
    /// for a record without ID or TIME; [`DataError::UnknownEvid`];
    /// [`DataError::UnknownSteadyState`]; [`DataError::InvalidValue`] for a RATE below 0 other
    /// than −1 and −2, a CMT number below 1, an MDV other than 0 and 1, an ADDL that is not a
    /// whole number ≥ 0; and every error of [`validate`](Self::validate).
    pub fn from_reader<R: Read>(reader: R) -> Result<EventTable, DataError> {
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(reader);
        let header = csv.headers().map_err(csv_error)?.clone();
        let layout = Layout::from_header(&header)?;
        let mut records = Vec::new();
        for row in csv.records() {
            let row = row.map_err(csv_error)?;
            let line = row.position().map_or(0, csv::Position::line);
            records.push(layout.record(&row, line)?);
        }
        if layout.standard[AMT].is_none() {
            if let Some(dose) = records.iter().find(|r| r.evid.is_dose()) {
                return Err(DataError::MissingColumn {
                    line: HEADER_LINE,
                    column: STANDARD[AMT],
                    reason: if dose.evid == Evid::Dose {
                        "dose records (EVID 1) need it"
                    } else {
                        "dose records (EVID 4) need it"
                    },
                    available: header.iter().collect::<Vec<_>>().join(", "),
                });
            }
        }
        let table = EventTable {
            covariates: layout.covariates.into_iter().map(|(_, n)| n).collect(),
            records,
        };
        table.validate()?;
        Ok(table)
    }

    /// Checks what can be checked without a model: covariate names, and every record (values
    /// in range, dose items only on dose records, ADDL with II, steady-state doses with a
    /// period and a lag inside it, time order within each subject). Reading calls it;
    /// [`simulate`](Self::simulate) calls it again, for tables built in code.
    ///
    /// # Errors
    /// [`DataError::DuplicateColumn`] for a covariate named like a standard column or another
    /// covariate; [`DataError::CovariateCount`]; [`DataError::NegativeTime`];
    /// [`DataError::NegativeAmount`]; [`DataError::InvalidValue`] for a non-finite value, a
    /// negative II or ALAG, a RATE that is not finite and positive, a dose item (AMT, RATE,
    /// ADDL, II, SS) on a record that is not a dose, or an infusion by RATE with AMT = 0 that
    /// is not a constant steady-state infusion;
    /// [`DataError::AdditionalWithoutInterval`]; [`DataError::SteadyStateWithoutInterval`];
    /// [`DataError::LagNotBelowInterval`]; [`DataError::TimeBackwards`].
    pub fn validate(&self) -> Result<(), DataError> {
        let mut seen: Vec<String> = STANDARD.iter().map(|s| s.to_string()).collect();
        for name in &self.covariates {
            let upper = name.to_uppercase();
            if seen.contains(&upper) {
                return Err(DataError::DuplicateColumn {
                    line: HEADER_LINE,
                    column: name.clone(),
                });
            }
            seen.push(upper);
        }
        for subject in self.subjects() {
            subject.validate()?;
        }
        Ok(())
    }

    /// The subjects: runs of consecutive records with one ID, in file order.
    pub fn subjects(&self) -> Vec<SubjectRecords<'_>> {
        let mut subjects = Vec::new();
        let mut start = 0;
        for i in 1..=self.records.len() {
            if i == self.records.len() || self.records[i].id != self.records[start].id {
                subjects.push(SubjectRecords {
                    id: &self.records[start].id,
                    records: &self.records[start..i],
                    covariates: &self.covariates,
                });
                start = i;
            }
        }
        subjects
    }

    /// Simulates every subject under `model` and returns the predictions at the observation
    /// records (EVID 0), one per record, in file order. See the [module docs](super) for the
    /// conventions (an observation at a dose time sees the state before the dose; resets and
    /// steady states act in file order).
    ///
    /// ```
    /// use oncodyn::io::nonmem::{EventSettings, EventTable};
    /// use oncodyn::prelude::*;
    ///
    /// let mut b = ModelBuilder::new();
    /// b.drug(DrugSpec::new("drug", OneCompartment { cl: 2.0, v: 10.0 }))?;      // CL 2 L/day, V 10 L
    /// let model = b.build()?;
    /// let table = EventTable::from_csv_str(
    ///     "ID,TIME,EVID,AMT,CMT,DV\n\
    ///      1,0,1,100,drug_central,.\n\
    ///      1,1,0,.,.,8.3\n\
    ///      1,2,0,.,.,6.6\n",
    /// )?;
    /// let solver = SolverOptions { rtol: 1e-10, ..Default::default() };
    /// let predictions = table.simulate(&model, &EventSettings::new("drug_conc").with_solver(solver))?;
    /// let exact = 10.0 * (-0.2f64).exp();                           // (D/V)·e^(−k·t), k = CL/V
    /// assert!((predictions[0].value - exact).abs() < 1e-8);
    /// assert_eq!(predictions[1].dv, Some(6.6));
    /// # Ok::<(), oncodyn::Error>(())
    /// ```
    ///
    /// # Errors
    /// The errors of [`validate`](Self::validate); [`DataError::UnknownSetting`] or
    /// [`DataError::InvalidSetting`] for settings that do not fit the table or the model;
    /// for a record, [`DataError::UnknownCompartment`], [`DataError::NotDosable`],
    /// [`DataError::MissingValue`] (a dose without CMT when the model has not exactly one
    /// drug, or without the covariate of `amount_per`), [`DataError::InvalidValue`] (that
    /// covariate ≤ 0), [`DataError::NoModelledInfusion`] (RATE = −1 or −2 for a state without
    /// a modelled rate or duration), [`DataError::LagNotBelowInterval`] (with the drug's
    /// absorption lag), [`DataError::UnsupportedSteadyState`]; [`LookupError::UnknownColumn`]
    /// for an output column the model lacks; [`DataError::Subject`] naming the subject when a
    /// steady state or a simulation fails.
    pub fn simulate(
        &self,
        model: &Model,
        settings: &EventSettings,
    ) -> Result<Vec<Prediction>, Error> {
        self.validate()?;
        let mut predictions = Vec::new();
        for subject in self.subjects() {
            predictions.extend(subject.simulate(model, settings)?);
        }
        Ok(predictions)
    }
}
