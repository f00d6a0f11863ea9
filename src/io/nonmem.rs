//! NONMEM-style event tables: read and write them, and simulate each subject's records to
//! predictions at its observation records.
//!
//! Use this module when doses and observations arrive as a NONMEM data set (one CSV record per
//! event) rather than as a [`Regimen`] built in code: to predict a data set's observations
//! under a model, to check a model against published PK data, or to hand a simulated design to
//! other tools.
//!
//! # Columns
//!
//! A header is required; names are matched without case. `ID` and `TIME` are required, `AMT`
//! when some record is a dose; every other column is optional, and an empty value or `.` is
//! missing (the default below). Columns that are not standard are covariates: numbers (or
//! missing), kept per record.
//!
//! | column | meaning | default |
//! |---|---|---|
//! | `ID` | subject; consecutive records with one ID are one subject (a later block with the same ID is another subject, as in NONMEM) | required |
//! | `TIME` | days, ≥ 0, not decreasing within a subject except at a reset (EVID 3 or 4) | required |
//! | `EVID` | 0 observation, 1 dose, 2 other, 3 reset, 4 reset and dose | 1 if AMT > 0, RATE ≠ 0 or SS ≠ 0; else 2 if MDV = 1; else 0 |
//! | `AMT` | dose amount in the dosed state's unit (mg, or cells for a cell population), or per unit of a covariate (see [`EventSettings::amount_per`]) | 0 |
//! | `RATE` | 0 bolus; > 0 infusion rate (amount per day, so duration = AMT/RATE); −1 modelled rate, −2 modelled duration ([`EventSettings::modelled`]) | 0 |
//! | `CMT` | the dosed state, by number (1-based, in the order of [`Model::states`]) or by name (`drug_depot`, `drug_central`, `car_t`) | for a model with one drug: its depot if it has one, else its central compartment |
//! | `DV` | observed value | missing |
//! | `MDV` | 1 when DV is missing or the record is not an observation | 0 for an observation with a DV, else 1 |
//! | `ADDL` | number of additional doses after this one | 0 |
//! | `II` | days between doses (ADDL, and the period of a steady-state dose) | 0 |
//! | `SS` | 0 transient dose; 1 steady state after a reset; 2 steady state added to the current state | 0 |
//! | `ALAG` | lag of this dose record, days: each of its doses arrives ALAG later (added to the drug's own absorption lag for a depot) | 0 |
//!
//! As in NONMEM, the dose items AMT, RATE, ADDL, II and SS must be 0 or missing on records that
//! are not doses (EVID 0, 2, 3); ALAG is ignored there, and for a constant infusion.
//!
//! # Conventions
//!
//! - **Same time.** An observation at the time a dose arrives sees the state just before the
//!   dose ([`Trajectory::value_at`](crate::trajectory::Trajectory::value_at) returns the `pre`
//!   row), whatever the order of the two records in the file: a trough sample is written at the
//!   dose time.
//! - **Resets and steady states act in file order.** A reset (EVID 3, EVID 4, SS = 1) or an
//!   SS = 2 record splits the subject's records into segments simulated in turn: an observation
//!   record above it (at the same time) sees the state before it, one below sees the state
//!   after it (for a steady-state dose, the steady-state trough, before this dose arrives).
//! - **A reset cancels what came before** (NONMEM's reset and SS = 1): every state returns to
//!   the model's initial state, running infusions stop and pending additional doses of earlier
//!   records are not given. Time may start again at EVID 3 and 4. SS = 2 cancels nothing.
//! - **Steady state** is the exact periodic fixed point ([`steady_state`]), never a number of
//!   simulated cycles: SS = 1 sets the state to the state at the start of a dosing interval of
//!   the dose repeated every II (lagged doses arriving within the interval, so lag < II);
//!   SS = 2 adds that state less the model's initial state to the current state
//!   (superposition: exact for linear kinetics, as in NONMEM). An infusion longer than II
//!   overlaps the next ones; the overlapping parts keep running after the steady-state dose.
//!   With II = 0, AMT = 0 and RATE > 0 (or −1) the dose is a constant infusion at steady state
//!   (`f(y) + u = 0`), which keeps running until a reset.
//! - **Covariates** enter only through [`EventSettings::amount_per`] (weight-based dosing):
//!   the value on the dose record itself, at its nominal time, scales every dose it implies
//!   (additional, steady-state, lagged): a lagged dose arriving after the covariate changed
//!   keeps its nominal amount.
//! - **Predictions** are one per EVID 0 record, in file order, of the output chosen in
//!   [`EventSettings::output`] (a state, `<drug>_conc`, `<tumor>_burden`, or the tumors'
//!   summed volume or diameter).
//!
//! See [`EventTable::simulate`] for an example.

use super::{csv_error, parse_number};
use crate::dosing::{Compartment, Dose, Regimen, Repeat};
use crate::error::{DataError, Error, IoError, LookupError};
use crate::model::{Model, StateRole};
use crate::solver::{simulate_from, steady_state, Period, SolverOptions};
use crate::trajectory::Observable;
use std::fmt;
use std::io::{Read, Write};
use std::path::Path;

/// The standard columns, in the order they are written.
const STANDARD: [&str; 12] = [
    "ID", "TIME", "EVID", "AMT", "RATE", "CMT", "DV", "MDV", "ADDL", "II", "SS", "ALAG",
];

// Indices into STANDARD.
const ID: usize = 0;
const TIME: usize = 1;
const EVID: usize = 2;
const AMT: usize = 3;
const RATE: usize = 4;
const CMT: usize = 5;
const DV: usize = 6;
const MDV: usize = 7;
const ADDL: usize = 8;
const II: usize = 9;
const SS: usize = 10;
const ALAG: usize = 11;

/// The header's line.
const HEADER_LINE: u64 = 1;

/// NONMEM's event identification (EVID).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Evid {
    /// 0: an observation; a prediction is made for it.
    #[default]
    Observation,
    /// 1: a dose.
    Dose,
    /// 2: another event (a covariate change); nothing is given or predicted.
    Other,
    /// 3: a reset: every state back to the model's initial state, infusions and pending doses
    /// cancelled.
    Reset,
    /// 4: a reset, then a dose.
    ResetAndDose,
}

impl Evid {
    /// The code written in the file (0–4).
    pub fn code(self) -> u8 {
        match self {
            Evid::Observation => 0,
            Evid::Dose => 1,
            Evid::Other => 2,
            Evid::Reset => 3,
            Evid::ResetAndDose => 4,
        }
    }

    /// Whether the record gives a dose (EVID 1 or 4).
    pub fn is_dose(self) -> bool {
        matches!(self, Evid::Dose | Evid::ResetAndDose)
    }

    /// Whether the record resets the system (EVID 3 or 4).
    pub fn is_reset(self) -> bool {
        matches!(self, Evid::Reset | Evid::ResetAndDose)
    }

    fn from_value(value: f64) -> Option<Evid> {
        [
            Evid::Observation,
            Evid::Dose,
            Evid::Other,
            Evid::Reset,
            Evid::ResetAndDose,
        ]
        .into_iter()
        .find(|e| f64::from(e.code()) == value)
    }
}

/// NONMEM's RATE item: how a dose is given.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Rate {
    /// 0: a bolus.
    #[default]
    Bolus,
    /// A positive RATE: a zero-order infusion at this rate, amount per day (of AMT's unit),
    /// lasting AMT/RATE days.
    Infusion(f64),
    /// −1: an infusion at the rate the settings give for the dosed state
    /// ([`ModelledInfusion::rate`]).
    ModelledRate,
    /// −2: an infusion over the duration the settings give for the dosed state
    /// ([`ModelledInfusion::duration`]).
    ModelledDuration,
}

impl Rate {
    /// The value written in the file (0, the rate, −1 or −2).
    pub fn value(self) -> f64 {
        match self {
            Rate::Bolus => 0.0,
            Rate::Infusion(rate) => rate,
            Rate::ModelledRate => -1.0,
            Rate::ModelledDuration => -2.0,
        }
    }

    /// Whether the dose is given at a rate (RATE > 0 or −1): with AMT = 0 and II = 0 at steady
    /// state, a constant infusion.
    fn has_rate(self) -> bool {
        matches!(self, Rate::Infusion(_) | Rate::ModelledRate)
    }
}

/// NONMEM's CMT item: a state of the model, by number or by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cmt {
    /// 1-based position in [`Model::states`].
    Number(usize),
    /// A state's name ([`StateInfo::name`](crate::model::StateInfo::name)).
    Name(String),
}

impl fmt::Display for Cmt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cmt::Number(n) => write!(f, "{n}"),
            Cmt::Name(name) => f.write_str(name),
        }
    }
}

/// NONMEM's SS item: whether a dose is at steady state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SteadyStateKind {
    /// 0: a transient (ordinary) dose.
    #[default]
    Transient,
    /// 1: reset, set every state to the periodic steady state of this dose repeated every II,
    /// then give the dose.
    Reset,
    /// 2: add that steady state (less the model's initial state) to the current state, then
    /// give the dose.
    Add,
}

impl SteadyStateKind {
    /// The code written in the file (0, 1, 2).
    pub fn code(self) -> u8 {
        match self {
            SteadyStateKind::Transient => 0,
            SteadyStateKind::Reset => 1,
            SteadyStateKind::Add => 2,
        }
    }

    fn from_value(value: f64) -> Option<SteadyStateKind> {
        [
            SteadyStateKind::Transient,
            SteadyStateKind::Reset,
            SteadyStateKind::Add,
        ]
        .into_iter()
        .find(|s| f64::from(s.code()) == value)
    }
}

/// One record (line) of an event table. Field names are NONMEM's data items.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventRecord {
    /// Line of the file it was read from (1-based; the header is line 1). Errors name it; for
    /// a record built in code, set it to the line it would have when written (its index + 2).
    pub line: u64,
    /// Subject identifier (ID), as written.
    pub id: String,
    /// Time (TIME), days.
    pub time: f64,
    /// Event identification (EVID).
    pub evid: Evid,
    /// Dose amount (AMT): in the dosed state's unit (mg, cells), or per unit of the covariate
    /// named in [`EventSettings::amount_per`]; 0 on records that are not doses.
    pub amt: f64,
    /// How the dose is given (RATE).
    pub rate: Rate,
    /// The state dosed (CMT); on other records it is checked but not used.
    pub cmt: Option<Cmt>,
    /// Observed value (DV).
    pub dv: Option<f64>,
    /// Missing dependent variable (MDV): `true` when DV is not an observation.
    pub mdv: bool,
    /// Number of additional doses (ADDL), every `ii` days after this one.
    pub addl: u32,
    /// Interdose interval (II), days.
    pub ii: f64,
    /// Steady state (SS).
    pub ss: SteadyStateKind,
    /// Lag of this record's doses (ALAG), days: each arrives `alag` after its nominal time
    /// (ignored on records that are not doses).
    pub alag: f64,
    /// Covariate values, one per [`EventTable::covariates`] column.
    pub covariates: Vec<Option<f64>>,
}

/// An event table: the covariate columns' names and the records, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventTable {
    /// Names of the covariate columns (every column that is not standard), as written.
    pub covariates: Vec<String>,
    /// The records, in file order.
    pub records: Vec<EventRecord>,
}

/// A modelled infusion for one state: NONMEM's `D_n` (RATE = −2) and `R_n` (RATE = −1), which
/// are model parameters there and settings here.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelledInfusion {
    /// Name of the dosed state (e.g. `drug_central`).
    pub state: String,
    /// Infusion duration for RATE = −2, days (finite, > 0).
    pub duration: Option<f64>,
    /// Infusion rate for RATE = −1, in the state's unit per day (finite, > 0; not scaled by
    /// [`EventSettings::amount_per`]).
    pub rate: Option<f64>,
}

/// How to simulate an event table: what to predict, how to integrate, and the quantities
/// NONMEM would take from the model's code.
#[derive(Clone, Debug, PartialEq)]
pub struct EventSettings {
    /// What is predicted at observation records: a trajectory column — a state
    /// (`drug_central`), a drug's concentration (`drug_conc`, mg/L), a tumor's burden
    /// (`tumor_burden`) — or a quantity derived from all tumors (`tumor_volume_mm3`,
    /// `tumor_diameter_mm`; see [`Observable`]).
    pub output: Observable,
    /// How to integrate (also used for the steady states' Newton tolerances).
    pub solver: SolverOptions,
    /// A covariate column AMT and RATE are counted per (e.g. `WT` for mg/kg, `BSA` for mg/m²):
    /// each dose is multiplied by the value on its own record. `None`: AMT is absolute.
    pub amount_per: Option<String>,
    /// Modelled infusion durations and rates (RATE = −2, −1), by state.
    pub modelled: Vec<ModelledInfusion>,
}

impl EventSettings {
    /// Predict `output`, with default solver options, absolute amounts and no modelled
    /// infusions.
    pub fn new(output: impl Into<Observable>) -> Self {
        EventSettings {
            output: output.into(),
            solver: SolverOptions::default(),
            amount_per: None,
            modelled: Vec::new(),
        }
    }

    /// The same settings with solver options `solver`.
    #[must_use]
    pub fn with_solver(mut self, solver: SolverOptions) -> Self {
        self.solver = solver;
        self
    }

    /// The same settings with AMT and RATE counted per unit of the covariate `column`.
    #[must_use]
    pub fn with_amount_per(mut self, column: impl Into<String>) -> Self {
        self.amount_per = Some(column.into());
        self
    }

    /// The same settings with a modelled infusion duration (RATE = −2) for doses into `state`.
    #[must_use]
    pub fn with_modelled_duration(mut self, state: impl Into<String>, duration: f64) -> Self {
        self.modelled.push(ModelledInfusion {
            state: state.into(),
            duration: Some(duration),
            rate: None,
        });
        self
    }

    /// The same settings with a modelled infusion rate (RATE = −1) for doses into `state`.
    #[must_use]
    pub fn with_modelled_rate(mut self, state: impl Into<String>, rate: f64) -> Self {
        self.modelled.push(ModelledInfusion {
            state: state.into(),
            duration: None,
            rate: Some(rate),
        });
        self
    }
}

/// The prediction at one observation record.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    /// Subject ID.
    pub id: String,
    /// Line of the observation record.
    pub line: u64,
    /// Time, days.
    pub time: f64,
    /// The predicted value of [`EventSettings::output`].
    pub value: f64,
    /// The observation (DV), `None` when missing or MDV = 1.
    pub dv: Option<f64>,
}

/// One subject's records: consecutive records with one ID.
#[derive(Clone, Copy, Debug)]
pub struct SubjectRecords<'a> {
    /// The subject's ID.
    pub id: &'a str,
    /// Its records, in file order.
    pub records: &'a [EventRecord],
    covariates: &'a [String],
}

/// The state a [`Segment`] starts from.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// The subject's first record: the model's initial state.
    Start {
        /// Line of the record.
        line: u64,
    },
    /// A reset (EVID 3, or EVID 4 without SS): the model's initial state.
    Reset {
        /// Line of the record.
        line: u64,
    },
    /// A steady-state dose after a reset (SS = 1, or SS = 2 with EVID 4): the periodic steady
    /// state of `pattern` (one dosing interval, doses within `[0, II)`) with `period`.
    SteadyState {
        /// Line of the record.
        line: u64,
        /// The dose pattern of one interval.
        pattern: Regimen,
        /// II, or a constant input.
        period: Period,
    },
    /// A steady-state dose added to the current state (SS = 2): the state the previous segment
    /// ends in, plus the steady state of `pattern` less the model's initial state.
    AddSteadyState {
        /// Line of the record.
        line: u64,
        /// The dose pattern of one interval.
        pattern: Regimen,
        /// II, or a constant input.
        period: Period,
    },
}

impl Entry {
    /// Line of the record the segment starts at.
    pub fn line(&self) -> u64 {
        match self {
            Entry::Start { line }
            | Entry::Reset { line }
            | Entry::SteadyState { line, .. }
            | Entry::AddSteadyState { line, .. } => *line,
        }
    }

    /// Whether the segment forgets what came before (every entry but SS = 2).
    fn cancels(&self) -> bool {
        !matches!(self, Entry::AddSteadyState { .. })
    }
}

/// A part of a subject's records simulated in one run: from one reset or steady-state record
/// to the next (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// The state it starts from.
    pub entry: Entry,
    /// Start, days: the time of its first record.
    pub start: f64,
    /// The doses given within it (times are the nominal times [`simulate_from`] takes; a
    /// depot dose arrives after the drug's absorption lag).
    pub regimen: Regimen,
    /// Output times, strictly increasing: its observation times and, when the next segment
    /// continues from it, that segment's start.
    pub times: Vec<f64>,
    /// For each observation record in it: (its index in the subject's records, the index of
    /// its time in `times`).
    pub observations: Vec<(usize, usize)>,
    /// Whether the next segment starts from the state at the last of `times` (an SS = 2
    /// record follows).
    pub continued: bool,
}

// =============================================================================================
// Reading
// =============================================================================================

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

    fn record(&self, row: &csv::StringRecord, line: u64) -> Result<EventRecord, DataError> {
        let missing = |k: usize, reason| DataError::MissingValue {
            line,
            column: STANDARD[k].to_string(),
            reason,
        };
        let invalid = |k: usize, value, reason| DataError::InvalidValue {
            line,
            column: STANDARD[k].to_string(),
            value,
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
        let rate = match self.number(row, RATE, line)? {
            None => Rate::Bolus,
            Some(0.0) => Rate::Bolus,
            Some(v) if v > 0.0 => Rate::Infusion(v),
            Some(-1.0) => Rate::ModelledRate,
            Some(-2.0) => Rate::ModelledDuration,
            Some(v) => {
                return Err(invalid(
                    RATE,
                    v,
                    "must be ≥ 0, −1 (modelled rate) or −2 (modelled duration)",
                ))
            }
        };
        let cmt = match self.text(row, CMT) {
            None => None,
            Some(t) => match t.parse::<f64>() {
                Ok(v) if v >= 1.0 && v.fract() == 0.0 && v <= u32::MAX as f64 => {
                    // A whole number in [1, u32::MAX]: the cast is exact.
                    Some(Cmt::Number(v as usize))
                }
                Ok(v) => {
                    return Err(invalid(
                        CMT,
                        v,
                        "must be a state number (1, 2, …) or a state name",
                    ))
                }
                Err(_) => Some(Cmt::Name(t.to_string())),
            },
        };
        let dv = self.number(row, DV, line)?;
        let mdv = match self.number(row, MDV, line)? {
            None => None,
            Some(0.0) => Some(false),
            Some(1.0) => Some(true),
            Some(v) => return Err(invalid(MDV, v, "must be 0 or 1")),
        };
        let addl = match self.number(row, ADDL, line)? {
            None => 0,
            Some(v) if v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX) => {
                // A whole number in [0, u32::MAX]: the cast is exact.
                v as u32
            }
            Some(v) => return Err(invalid(ADDL, v, "must be a whole number ≥ 0")),
        };
        let ii = self.number(row, II, line)?.unwrap_or(0.0);
        let ss = match self.number(row, SS, line)? {
            None => SteadyStateKind::Transient,
            Some(v) => SteadyStateKind::from_value(v).ok_or(DataError::UnknownSteadyState {
                line,
                column: STANDARD[SS].to_string(),
                value: v,
            })?,
        };
        let alag = self.number(row, ALAG, line)?.unwrap_or(0.0);
        let evid = match self.number(row, EVID, line)? {
            Some(v) => Evid::from_value(v).ok_or(DataError::UnknownEvid {
                line,
                column: STANDARD[EVID].to_string(),
                value: v,
            })?,
            // NM-TRAN's rule when there is no EVID: a dose if it has dose items, else an
            // observation unless MDV says otherwise.
            None if amt > 0.0 || rate != Rate::Bolus || ss != SteadyStateKind::Transient => {
                Evid::Dose
            }
            None if mdv == Some(true) => Evid::Other,
            None => Evid::Observation,
        };
        let mdv = mdv.unwrap_or(evid != Evid::Observation || dv.is_none());
        let covariates = self
            .covariates
            .iter()
            .map(|(i, name)| {
                row.get(*i)
                    .filter(|t| !is_missing(t))
                    .map(|t| parse_number(t, line, name))
                    .transpose()
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(EventRecord {
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
}

fn is_missing(text: &str) -> bool {
    text.is_empty() || text == "."
}

impl EventTable {
    /// Reads an event table from a CSV file (see the [module docs](self) for the columns).
    ///
    /// # Errors
    /// [`IoError::File`] when the file cannot be opened; otherwise as
    /// [`from_reader`](Self::from_reader).
    pub fn read(path: impl AsRef<Path>) -> Result<EventTable, Error> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|source| IoError::File {
            path: path.display().to_string(),
            source,
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
    /// records (EVID 0), one per record, in file order. See the [module docs](self) for the
    /// conventions (an observation at a dose time sees the state before the dose; resets and
    /// steady states act in file order).
    ///
    /// ```
    /// use oncodyn::io::nonmem::{EventSettings, EventTable};
    /// use oncodyn::prelude::*;
    ///
    /// let mut b = ModelBuilder::new();
    /// b.drug(DrugSpec::one_compartment("drug", 2.0, 10.0))?;      // CL 2 L/day, V 10 L
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

// =============================================================================================
// Writing
// =============================================================================================

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
            source,
        })?;
        self.write_csv(std::io::BufWriter::new(file))
    }
}

// =============================================================================================
// Checking records
// =============================================================================================

impl SubjectRecords<'_> {
    /// Checks the subject's records (see [`EventTable::validate`]).
    ///
    /// # Errors
    /// As [`EventTable::validate`], for these records.
    pub fn validate(&self) -> Result<(), DataError> {
        let mut previous: Option<&EventRecord> = None;
        for r in self.records {
            check_record(r, self.covariates.len())?;
            if let Some(p) = previous {
                if r.time < p.time && !r.evid.is_reset() {
                    return Err(DataError::TimeBackwards {
                        line: r.line,
                        column: STANDARD[TIME].to_string(),
                        id: r.id.clone(),
                        time: r.time,
                        previous: p.time,
                        previous_line: p.line,
                    });
                }
            }
            previous = Some(r);
        }
        Ok(())
    }
}

fn check_record(r: &EventRecord, covariates: usize) -> Result<(), DataError> {
    let line = r.line;
    let invalid = |k: usize, value: f64, reason| DataError::InvalidValue {
        line,
        column: STANDARD[k].to_string(),
        value,
        reason,
    };
    if r.covariates.len() != covariates {
        return Err(DataError::CovariateCount {
            line,
            expected: covariates,
            got: r.covariates.len(),
        });
    }
    if !r.time.is_finite() {
        return Err(invalid(TIME, r.time, "must be finite"));
    }
    if r.time < 0.0 {
        return Err(DataError::NegativeTime {
            line,
            column: STANDARD[TIME].to_string(),
            time: r.time,
        });
    }
    if !r.amt.is_finite() {
        return Err(invalid(AMT, r.amt, "must be finite"));
    }
    if r.amt < 0.0 {
        return Err(DataError::NegativeAmount {
            line,
            column: STANDARD[AMT].to_string(),
            amount: r.amt,
        });
    }
    if let Rate::Infusion(rate) = r.rate {
        if !(rate.is_finite() && rate > 0.0) {
            return Err(invalid(RATE, rate, "must be finite and positive"));
        }
    }
    if !(r.ii.is_finite() && r.ii >= 0.0) {
        return Err(invalid(II, r.ii, "must be finite and ≥ 0"));
    }
    if !(r.alag.is_finite() && r.alag >= 0.0) {
        return Err(invalid(ALAG, r.alag, "must be finite and ≥ 0"));
    }
    if !r.evid.is_dose() {
        let items = [
            (AMT, r.amt),
            (RATE, r.rate.value()),
            (ADDL, f64::from(r.addl)),
            (II, r.ii),
            (SS, f64::from(r.ss.code())),
        ];
        if let Some(&(k, value)) = items.iter().find(|(_, v)| *v != 0.0) {
            return Err(invalid(
                k,
                value,
                "must be 0 or missing on a record that is not a dose (EVID 0, 2 or 3)",
            ));
        }
        return Ok(());
    }
    if r.addl > 0 && r.ii <= 0.0 {
        return Err(DataError::AdditionalWithoutInterval {
            line,
            column: STANDARD[II].to_string(),
            additional: r.addl,
            interval: r.ii,
        });
    }
    let constant = r.amt == 0.0 && r.rate.has_rate();
    if r.ss == SteadyStateKind::Transient {
        if constant {
            return Err(invalid(
                AMT,
                r.amt,
                "must be > 0 for an infusion at a rate (AMT = 0 with RATE > 0 is a constant \
                 infusion, defined only at steady state: SS = 1 or 2 with II = 0)",
            ));
        }
        return Ok(());
    }
    if r.ii == 0.0 {
        if !constant {
            return Err(DataError::SteadyStateWithoutInterval {
                line,
                column: STANDARD[II].to_string(),
                interval: r.ii,
                amount: r.amt,
                rate: r.rate.value(),
            });
        }
    } else if constant {
        return Err(invalid(
            AMT,
            r.amt,
            "must be > 0 for a steady-state dose repeated every II (a constant infusion, \
             AMT = 0, has II = 0)",
        ));
    } else if r.alag >= r.ii {
        return Err(DataError::LagNotBelowInterval {
            line,
            column: STANDARD[ALAG].to_string(),
            lag: r.alag,
            interval: r.ii,
        });
    }
    Ok(())
}

// =============================================================================================
// From records to segments and regimens
// =============================================================================================

/// Whether `a` and `b` are one time: within a few ULPs, the tolerance within which the solver
/// merges event times into one cut (`21·k + 1/48` computed two ways).
fn same_time(a: f64, b: f64) -> bool {
    (b - a).abs() <= 8.0 * f64::EPSILON * a.abs().max(b.abs()).max(1.0)
}

/// `x ≥ s`, counting a time within a few ULPs of `s` as `s`.
fn at_or_after(x: f64, s: f64) -> bool {
    x >= s || same_time(x, s)
}

/// `x < e` by more than a few ULPs (`e` may be +∞, which every finite time is before).
fn before(x: f64, e: f64) -> bool {
    x < e && (e == f64::INFINITY || !same_time(x, e))
}

/// How a dose record's doses are given, amounts absolute (after `amount_per`).
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Boluses of `amount`.
    Bolus { amount: f64 },
    /// Infusions of `amount` over `duration` days; `by_rate` when RATE > 0 gave the duration.
    Infusion {
        amount: f64,
        duration: f64,
        by_rate: Option<f64>,
    },
    /// A constant infusion at `rate` per day (steady state with II = 0), running until a reset.
    Constant { rate: f64 },
}

/// A dose record resolved against the model and settings.
#[derive(Clone, Debug)]
struct Delivery {
    /// Index of the record in the subject.
    record: usize,
    /// Name of the drug or cell population.
    target: String,
    /// Compartment of the drug.
    compartment: Compartment,
    /// The drug's absorption lag for a depot (the solver adds it to every nominal time), days.
    depot_lag: f64,
    /// Nominal time of the first dose: TIME + ALAG, days.
    first: f64,
    /// II, days.
    interval: f64,
    /// ADDL.
    additional: u32,
    kind: Kind,
    /// Infusions of earlier implied steady-state doses still running at the record's time:
    /// (start, end) in arrival time, at the infusion's rate.
    tails: Vec<(f64, f64)>,
}

impl Delivery {
    fn dose(&self, time: f64, amount: f64) -> Dose {
        Dose::bolus(time, self.target.clone(), amount).into_compartment(self.compartment)
    }

    /// An infusion piece from `start` to `end` in arrival time at `rate`, as a dose at its
    /// nominal time; `None` when it rounds to nothing.
    fn piece(&self, start: f64, end: f64, rate: f64) -> Option<Dose> {
        if !before(start, end) {
            return None;
        }
        let duration = end - start;
        Some(Dose {
            duration: Some(duration),
            ..self.dose(start - self.depot_lag, rate * duration)
        })
    }

    /// One whole dose of `amount` at nominal time `time` (a bolus, or an infusion of
    /// `(duration, rate given)`), repeated `count` times every II.
    fn whole(
        &self,
        time: f64,
        count: u32,
        amount: f64,
        infusion: Option<(f64, Option<f64>)>,
    ) -> Dose {
        let dose = match infusion {
            None => self.dose(time, amount),
            Some((_, Some(rate))) => Dose {
                rate: Some(rate),
                ..self.dose(time, amount)
            },
            Some((duration, None)) => Dose {
                duration: Some(duration),
                ..self.dose(time, amount)
            },
        };
        if count > 1 {
            Dose {
                repeat: Some(Repeat {
                    interval: self.interval,
                    additional: count - 1,
                }),
                ..dose
            }
        } else {
            dose
        }
    }

    /// The doses of this record within the window `[start, end)` (arrival times), up to the
    /// horizon (the last output time).
    fn doses_within(&self, start: f64, end: f64, horizon: f64) -> Vec<Dose> {
        let mut doses = match self.kind {
            Kind::Constant { rate } => {
                let from = self.first.max(start);
                self.piece(from, end.min(horizon), rate)
                    .into_iter()
                    .collect()
            }
            Kind::Bolus { amount } => self.train(start, end, horizon, amount, None),
            Kind::Infusion {
                amount,
                duration,
                by_rate,
            } => self.train(start, end, horizon, amount, Some((duration, by_rate))),
        };
        if let Kind::Infusion {
            amount, duration, ..
        } = self.kind
        {
            for &(from, to) in &self.tails {
                doses.extend(self.piece(
                    from.max(start),
                    to.min(end).min(horizon),
                    amount / duration,
                ));
            }
        }
        doses
    }

    /// The record's dose and its additional doses (of `amount`, boluses or infusions of
    /// `(duration, rate given)`) within `[start, end)` up to `horizon`: runs of whole doses as
    /// repeated doses, the parts of infusions that straddle `start` or `end` as pieces.
    fn train(
        &self,
        start: f64,
        end: f64,
        horizon: f64,
        amount: f64,
        infusion: Option<(f64, Option<f64>)>,
    ) -> Vec<Dose> {
        let mut doses = Vec::new();
        let in_window = |a: f64| at_or_after(a, start) && before(a, end);
        // A run of consecutive whole doses: (first index, nominal time, count).
        let mut run: Option<(u32, f64, u32)> = None;
        for j in 0..=self.additional {
            let nominal = self.first + f64::from(j) * self.interval;
            let arrival = nominal + self.depot_lag;
            if !before(arrival, end) || !at_or_after(horizon, arrival) {
                break;
            }
            let whole = match infusion {
                None => in_window(arrival),
                Some((d, _)) => in_window(arrival) && !before(end, arrival + d),
            };
            if whole {
                run = match run {
                    Some((j0, t0, n)) if j0 + n == j => Some((j0, t0, n + 1)),
                    Some((_, t0, n)) => {
                        doses.push(self.whole(t0, n, amount, infusion));
                        Some((j, nominal, 1))
                    }
                    None => Some((j, nominal, 1)),
                };
            } else if let Some((d, _)) = infusion {
                // Straddles a window boundary: the part inside.
                let from = arrival.max(start);
                let to = (arrival + d).min(end);
                doses.extend(self.piece(from, to, amount / d));
            }
        }
        if let Some((_, t0, n)) = run {
            doses.push(self.whole(t0, n, amount, infusion));
        }
        doses
    }

    /// The dose pattern of one steady-state interval, in interval time `[0, II)`, and its
    /// period.
    fn pattern(&self, time: f64) -> (Regimen, Period) {
        let regimen = Regimen::new("steady state");
        let phase = self.first - time;
        match self.kind {
            Kind::Bolus { amount } => (
                regimen.with(self.dose(phase, amount)),
                Period::Interval(self.interval),
            ),
            Kind::Constant { rate } => (
                // One day at `rate`: Period::Constant takes infusions at their rates.
                regimen.with(Dose {
                    duration: Some(1.0),
                    ..self.dose(0.0, rate)
                }),
                Period::Constant,
            ),
            Kind::Infusion {
                amount, duration, ..
            } => {
                // Infusions of length D started at phase a every II cover each time of the
                // interval q = ⌊D/II⌋ times, and once more on [a, a + D − q·II) (mod II).
                let tau = self.interval;
                let rate = amount / duration;
                let q = (duration / tau).floor();
                let rest = duration - q * tau;
                let mut doses = Vec::new();
                if q >= 1.0 {
                    doses.extend(self.piece(0.0, tau, rate * q));
                }
                let end = phase + rest;
                if before(phase, end) {
                    if at_or_after(tau, end) {
                        doses.extend(self.piece(phase, end.min(tau), rate));
                    } else {
                        doses.extend(self.piece(phase, tau, rate));
                        doses.extend(self.piece(0.0, end - tau, rate));
                    }
                }
                (
                    regimen.with_doses(doses.into_iter().map(|d| fit_in(d, tau))),
                    Period::Interval(tau),
                )
            }
        }
    }
}

/// The same infusion shortened by the last bits its end may exceed `tau` by when computed as
/// start + duration (the solver's steady state rejects an infusion ending after `tau`).
fn fit_in(mut dose: Dose, tau: f64) -> Dose {
    if let Some(mut duration) = dose.duration {
        while dose.time + duration > tau && duration > 0.0 {
            duration = duration.next_down();
        }
        dose.duration = Some(duration);
    }
    dose
}

/// A dosable state: its 1-based number, name, target and compartment.
struct Dosable<'m> {
    number: usize,
    name: &'m str,
    target: &'m str,
    compartment: Compartment,
}

fn dosable(model: &Model) -> Vec<Dosable<'_>> {
    model
        .states()
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let compartment = match s.role {
                StateRole::Depot => Compartment::Depot,
                StateRole::Central
                | StateRole::Effector
                | StateRole::Suppressor
                | StateRole::Species => Compartment::Central,
                StateRole::Peripheral(n) => Compartment::Peripheral(n),
                StateRole::Tumor | StateRole::TumorTransit(_) => return None,
            };
            Some(Dosable {
                number: i + 1,
                name: &s.name,
                target: &s.component,
                compartment,
            })
        })
        .collect()
}

fn dosable_list(model: &Model) -> String {
    dosable(model)
        .iter()
        .map(|d| format!("{} = {}", d.number, d.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The state index a record's CMT names; an unknown one lists the dosable states for a dose
/// record, every state for another record.
fn resolve_cmt(model: &Model, r: &EventRecord, cmt: &Cmt) -> Result<usize, DataError> {
    let index = match cmt {
        Cmt::Number(n) => n.checked_sub(1).filter(|i| *i < model.n_states()),
        Cmt::Name(name) => model.state_index(name),
    };
    index.ok_or_else(|| DataError::UnknownCompartment {
        line: r.line,
        column: STANDARD[CMT].to_string(),
        name: cmt.to_string(),
        available: if r.evid.is_dose() {
            dosable_list(model)
        } else {
            model
                .states()
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{} = {}", i + 1, s.name))
                .collect::<Vec<_>>()
                .join(", ")
        },
    })
}

/// The settings checked against the table and model.
struct Resolved<'s> {
    amount_per: Option<(usize, &'s str)>,
}

fn check_settings<'s>(
    model: &Model,
    covariates: &'s [String],
    settings: &EventSettings,
) -> Result<Resolved<'s>, DataError> {
    let amount_per = match &settings.amount_per {
        None => None,
        Some(name) => {
            let upper = name.to_uppercase();
            let index = covariates
                .iter()
                .position(|c| c.to_uppercase() == upper)
                .ok_or_else(|| DataError::UnknownSetting {
                    setting: "amount_per covariate",
                    name: name.clone(),
                    available: covariates.join(", "),
                })?;
            Some((index, covariates[index].as_str()))
        }
    };
    for m in &settings.modelled {
        if model.state_index(&m.state).is_none() {
            return Err(DataError::UnknownSetting {
                setting: "modelled infusion state",
                name: m.state.clone(),
                available: dosable_list(model),
            });
        }
        for (setting, value) in [("modelled duration", m.duration), ("modelled rate", m.rate)] {
            if let Some(value) = value {
                if !(value.is_finite() && value > 0.0) {
                    return Err(DataError::InvalidSetting {
                        setting,
                        name: m.state.clone(),
                        value,
                        reason: "must be finite and positive",
                    });
                }
            }
        }
    }
    Ok(Resolved { amount_per })
}

impl SubjectRecords<'_> {
    /// Resolves dose record `index` against the model and settings.
    fn delivery(
        &self,
        model: &Model,
        settings: &EventSettings,
        resolved: &Resolved<'_>,
        index: usize,
    ) -> Result<Option<Delivery>, DataError> {
        let r = &self.records[index];
        let line = r.line;
        let column = |k: usize| STANDARD[k].to_string();
        let states = dosable(model);
        let state = match &r.cmt {
            Some(cmt) => resolve_cmt(model, r, cmt)?,
            None => {
                let drugs = &model.spec().drugs;
                let default = match drugs.as_slice() {
                    [drug] => states.iter().find(|d| d.target == drug.name),
                    _ => None,
                };
                match default {
                    Some(d) => d.number - 1,
                    None => {
                        return Err(DataError::MissingValue {
                            line,
                            column: column(CMT),
                            reason: "a dose needs CMT unless the model has exactly one drug",
                        })
                    }
                }
            }
        };
        let info = &model.states()[state];
        let Some(destination) = states.iter().find(|d| d.number == state + 1) else {
            return Err(DataError::NotDosable {
                line,
                column: column(CMT),
                name: info.name.clone(),
                available: dosable_list(model),
            });
        };
        let depot_lag = match destination.compartment {
            Compartment::Depot => model
                .spec()
                .drugs
                .iter()
                .find(|d| d.name == destination.target)
                .and_then(|d| d.absorption)
                .map_or(0.0, |a| a.lag),
            _ => 0.0,
        };
        let scale = match resolved.amount_per {
            None => 1.0,
            Some((i, name)) => match r.covariates.get(i).copied().flatten() {
                Some(v) if v > 0.0 => v,
                Some(v) => {
                    return Err(DataError::InvalidValue {
                        line,
                        column: name.to_string(),
                        value: v,
                        reason: "must be > 0: the dose amount is counted per this covariate",
                    })
                }
                None => return Err(DataError::MissingValue {
                    line,
                    column: name.to_string(),
                    reason:
                        "the dose amount is counted per this covariate: EventSettings::amount_per",
                }),
            },
        };
        let modelled = |what: &'static str| {
            let found = settings
                .modelled
                .iter()
                .filter(|m| m.state == info.name)
                .find_map(|m| {
                    if what == "duration" {
                        m.duration
                    } else {
                        m.rate
                    }
                });
            found.ok_or_else(|| DataError::NoModelledInfusion {
                line,
                column: column(RATE),
                rate: r.rate.value(),
                state: info.name.clone(),
                what,
            })
        };
        let amount = r.amt * scale;
        let steady = r.ss != SteadyStateKind::Transient;
        let kind = if steady && r.ii == 0.0 {
            // check_record let only constant infusions through.
            let rate = match r.rate {
                Rate::Infusion(rate) => rate * scale,
                _ => modelled("rate")?,
            };
            Kind::Constant { rate }
        } else {
            match r.rate {
                Rate::Bolus => Kind::Bolus { amount },
                Rate::Infusion(rate) => Kind::Infusion {
                    amount,
                    duration: r.amt / rate,
                    by_rate: Some(rate * scale),
                },
                Rate::ModelledDuration => Kind::Infusion {
                    amount,
                    duration: modelled("duration")?,
                    by_rate: None,
                },
                Rate::ModelledRate => {
                    let rate = modelled("rate")?;
                    if amount == 0.0 {
                        return Ok(None);
                    }
                    Kind::Infusion {
                        amount,
                        duration: amount / rate,
                        by_rate: None,
                    }
                }
            }
        };
        let lag = r.alag + depot_lag;
        if steady && r.ii > 0.0 && lag >= r.ii {
            return Err(DataError::LagNotBelowInterval {
                line,
                column: column(ALAG),
                lag,
                interval: r.ii,
            });
        }
        let infusion = matches!(kind, Kind::Infusion { .. } | Kind::Constant { .. });
        if steady && infusion && depot_lag > 0.0 {
            return Err(DataError::UnsupportedSteadyState {
                line,
                column: column(CMT),
                reason: "a steady-state infusion into the depot of a drug with an absorption \
                         lag (its doses would start before the dosing interval)",
            });
        }
        let mut tails = Vec::new();
        if let (true, Kind::Infusion { duration, .. }) = (steady, kind) {
            // Implied earlier infusions still running at the record's time.
            let mut k = 1.0;
            loop {
                let end = r.time + r.alag + duration - k * r.ii;
                if !before(r.time, end) {
                    break;
                }
                tails.push((r.time, end));
                k += 1.0;
            }
        }
        Ok(Some(Delivery {
            record: index,
            target: destination.target.to_string(),
            compartment: destination.compartment,
            depot_lag,
            // A constant infusion has been running forever: a lag does not move it.
            first: if matches!(kind, Kind::Constant { .. }) {
                r.time
            } else {
                r.time + r.alag
            },
            interval: r.ii,
            additional: r.addl,
            kind,
            tails,
        }))
    }

    /// The subject's records as segments, each with its regimen and output times (see the
    /// [module docs](self) for the conventions).
    ///
    /// # Errors
    /// As [`EventTable::simulate`], for the errors found before simulating.
    pub fn segments(
        &self,
        model: &Model,
        settings: &EventSettings,
    ) -> Result<Vec<Segment>, DataError> {
        self.validate()?;
        let resolved = check_settings(model, self.covariates, settings)?;
        let records = self.records;
        let mut deliveries = Vec::new();
        for (i, r) in records.iter().enumerate() {
            if r.evid.is_dose() {
                deliveries.extend(self.delivery(model, settings, &resolved, i)?);
            } else if let Some(cmt) = &r.cmt {
                resolve_cmt(model, r, cmt)?;
            }
        }
        // Segment boundaries: the first record and every reset or steady-state record.
        let mut bounds: Vec<(usize, Entry)> = Vec::new();
        for (i, r) in records.iter().enumerate() {
            let line = r.line;
            let pattern = || {
                let d = deliveries.iter().find(|d| d.record == i);
                d.map(|d| d.pattern(r.time))
                    .unwrap_or_else(|| (Regimen::new("steady state"), Period::Constant))
            };
            let entry = match (r.evid, r.ss) {
                (Evid::Reset, _) | (Evid::ResetAndDose, SteadyStateKind::Transient) => {
                    Entry::Reset { line }
                }
                (Evid::Dose | Evid::ResetAndDose, SteadyStateKind::Reset)
                | (Evid::ResetAndDose, SteadyStateKind::Add) => {
                    let (pattern, period) = pattern();
                    Entry::SteadyState {
                        line,
                        pattern,
                        period,
                    }
                }
                (Evid::Dose, SteadyStateKind::Add) => {
                    let (pattern, period) = pattern();
                    Entry::AddSteadyState {
                        line,
                        pattern,
                        period,
                    }
                }
                _ if i == 0 => Entry::Start { line },
                _ => continue,
            };
            bounds.push((i, entry));
        }
        let mut segments: Vec<Segment> = Vec::new();
        // Index (into `bounds`) of the latest segment that cancelled what came before.
        let mut alive_from = 0;
        for (k, (first, entry)) in bounds.iter().enumerate() {
            if entry.cancels() {
                alive_from = k;
            }
            let last = bounds.get(k + 1).map_or(records.len(), |(next, _)| *next);
            let start = records[*first].time;
            let next = bounds.get(k + 1);
            let continued = next.is_some_and(|(_, e)| !e.cancels());
            let mut times: Vec<f64> = Vec::new();
            let mut observations = Vec::new();
            for (i, r) in records.iter().enumerate().take(last).skip(*first) {
                if r.evid == Evid::Observation {
                    if times.last() != Some(&r.time) {
                        times.push(r.time);
                    }
                    observations.push((i, times.len() - 1));
                }
            }
            let end = match next {
                Some((n, _)) if continued => {
                    let t = records[*n].time;
                    if times.last() != Some(&t) {
                        times.push(t);
                    }
                    t
                }
                _ => f64::INFINITY,
            };
            let mut regimen = Regimen::new(self.id);
            if let Some(&horizon) = times.last() {
                let alive = bounds[alive_from].0;
                for d in deliveries
                    .iter()
                    .filter(|d| d.record >= alive && d.record < last)
                {
                    regimen.doses.extend(d.doses_within(start, end, horizon));
                }
            }
            segments.push(Segment {
                entry: entry.clone(),
                start,
                regimen,
                times,
                observations,
                continued,
            });
        }
        Ok(segments)
    }

    /// Simulates the subject and returns the predictions at its observation records, in file
    /// order (see [`EventTable::simulate`]).
    ///
    /// # Errors
    /// As [`EventTable::simulate`].
    pub fn simulate(
        &self,
        model: &Model,
        settings: &EventSettings,
    ) -> Result<Vec<Prediction>, Error> {
        let segments = self.segments(model, settings)?;
        let n = model.n_states();
        let initial = model.initial_state();
        let mut predictions = Vec::new();
        let mut carried: Option<Vec<f64>> = None;
        for segment in &segments {
            let subject_error = |source: Error| -> Error {
                DataError::Subject {
                    id: self.id.to_string(),
                    line: segment.entry.line(),
                    source: Box::new(source),
                }
                .into()
            };
            let steady = |pattern: &Regimen, period: Period| {
                steady_state(model, pattern, period, &settings.solver)
                    .map(|s| s.state)
                    .map_err(subject_error)
            };
            let state = match &segment.entry {
                Entry::Start { .. } | Entry::Reset { .. } => initial.to_vec(),
                Entry::SteadyState {
                    pattern, period, ..
                } => steady(pattern, *period)?,
                Entry::AddSteadyState {
                    pattern, period, ..
                } => {
                    let steady = steady(pattern, *period)?;
                    let current = carried.take().unwrap_or_else(|| initial.to_vec());
                    debug_assert_eq!(current.len(), n, "a continued segment passes its state");
                    current
                        .iter()
                        .zip(&steady)
                        .zip(initial)
                        .map(|((y, s), y0)| y + (s - y0))
                        .collect()
                }
            };
            carried = None;
            if segment.times.is_empty() {
                continue;
            }
            let trajectory = simulate_from(
                model,
                &state,
                segment.start,
                &segment.regimen,
                &segment.times,
                &settings.solver,
            )
            .map_err(subject_error)?;
            let column = trajectory.observe(&settings.output)?;
            for &(i, ti) in &segment.observations {
                let r = &self.records[i];
                let t = segment.times[ti];
                // The first row at `t`: the `pre` row when a dose arrives then.
                let value = trajectory
                    .times()
                    .iter()
                    .position(|&x| x == t)
                    .and_then(|row| column.get(row).copied())
                    .ok_or(LookupError::NotAnOutputTime { t })?;
                predictions.push((
                    i,
                    Prediction {
                        id: r.id.clone(),
                        line: r.line,
                        time: r.time,
                        value,
                        dv: if r.mdv { None } else { r.dv },
                    },
                ));
            }
            if segment.continued {
                let last = trajectory
                    .row(trajectory.n_rows().saturating_sub(1))
                    .and_then(|row| row.get(..n))
                    .ok_or(LookupError::NotAnOutputTime {
                        t: segment.times[segment.times.len() - 1],
                    })?;
                carried = Some(last.to_vec());
            }
        }
        predictions.sort_by_key(|(i, _)| *i);
        Ok(predictions.into_iter().map(|(_, p)| p).collect())
    }
}
