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

use crate::dosing::Regimen;
use crate::io::DataError;
#[cfg(doc)]
use crate::model::Model;
#[cfg(doc)]
use crate::solver::{simulate_from, steady_state};
use crate::solver::{Period, SolverOptions};
use crate::trajectory::Observable;
use std::fmt;

mod check;
mod curve;
mod delivery;
mod fit;
mod read;
mod resolve;
mod segments;
mod write;

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

/// [`DataError::InvalidValue`] for standard column `k` of the record on `line`.
fn invalid_value(line: u64, k: usize, value: f64, reason: &'static str) -> DataError {
    DataError::InvalidValue {
        line,
        column: STANDARD[k].to_string(),
        value,
        reason,
    }
}

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
pub enum RateItem {
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

impl RateItem {
    /// The value written in the file (0, the rate, −1 or −2).
    pub fn value(self) -> f64 {
        match self {
            RateItem::Bolus => 0.0,
            RateItem::Infusion(rate) => rate,
            RateItem::ModelledRate => -1.0,
            RateItem::ModelledDuration => -2.0,
        }
    }

    /// Whether the dose is given at a rate (RATE > 0 or −1): with AMT = 0 and II = 0 at steady
    /// state, a constant infusion.
    fn has_rate(self) -> bool {
        matches!(self, RateItem::Infusion(_) | RateItem::ModelledRate)
    }
}

/// The former name of [`RateItem`] (it collided with [`builder::Rate`](crate::builder::Rate)).
#[deprecated(since = "0.2.0", note = "renamed to RateItem")]
pub type Rate = RateItem;

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
pub struct DataRecord {
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
    pub rate: RateItem,
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

/// The former name of [`DataRecord`] (it collided with the solver's fired-event
/// [`trajectory::EventRecord`](crate::trajectory::EventRecord)).
#[deprecated(since = "0.2.0", note = "renamed to DataRecord")]
pub type EventRecord = DataRecord;

/// An event table: the covariate columns' names and the records, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventTable {
    /// Names of the covariate columns (every column that is not standard), as written.
    pub covariates: Vec<String>,
    /// The records, in file order.
    pub records: Vec<DataRecord>,
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
    pub records: &'a [DataRecord],
    covariates: &'a [String],
}

/// The state a [`SubjectSegment`] starts from.
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
pub struct SubjectSegment {
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

/// The former name of [`SubjectSegment`] (it collided with
/// [`compare::Segment`](crate::compare::Segment)).
#[deprecated(since = "0.2.0", note = "renamed to SubjectSegment")]
pub type Segment = SubjectSegment;
