//! [`Trajectory`]: simulated states at the output times, with derived columns, the doses given
//! and the solver's work counters.
//!
//! Use this module to read a simulation's results: by typed handle
//! (`traj.column(tumor)`), by column name, at an output time, or as CSV.
//!
//! Storage is flat: `times`, one row-major `values` with one row per time, and a shared list of
//! columns (states, then derived columns: each drug's concentration `<drug>_conc` in mg/L, and
//! each tumor's total burden `<tumor>_burden` when it has a transit chain).

use crate::dosing::JumpKind;
use crate::model::{
    BuilderId, BurdenUnit, ComponentKind, DrugId, Effector, Model, Species, StateId, StateRole,
    Suppressor, Tumor,
};
use crate::units::{DiameterMapping, Unit};
use serde::Serialize;
use std::io::Write;

mod error;
mod observable;
mod records;

pub use error::LookupError;
pub use observable::Observable;
pub use records::{DoseRecord, EventRecord, FractionRecord, SolverStats};

/// Which side of a dose a row is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// An ordinary row (output time, infusion start or end).
    At,
    /// Just before the bolus doses at this time (the left limit).
    Pre,
    /// Just after them.
    Post,
}

impl Side {
    /// `at`, `pre` or `post`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::At => "at",
            Side::Pre => "pre",
            Side::Post => "post",
        }
    }
}

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ColumnSource {
    /// State `i` of the model.
    State(usize),
    /// Central concentration of a drug (its central amount over V1).
    Concentration,
    /// A tumor's total burden: proliferating plus transit compartments.
    Burden,
    /// An observable of the model (see [`ObservableSpec`](crate::model::ObservableSpec)).
    Observable,
}

/// A column's name, unit and source.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Column {
    /// Unique name.
    pub name: String,
    /// Unit.
    pub unit: Unit,
    /// What it holds.
    pub source: ColumnSource,
}

/// Column indices of each handle's natural column.
#[derive(Clone, Debug, Default)]
struct HandleColumns {
    tumors: Vec<usize>,
    effectors: Vec<usize>,
    suppressors: Vec<usize>,
    species: Vec<usize>,
    concentrations: Vec<usize>,
    central: Vec<usize>,
}

/// Simulated states at the output times; see the [module docs](self).
#[derive(Clone, Debug, Serialize)]
pub struct Trajectory {
    columns: Vec<Column>,
    times: Vec<f64>,
    sides: Vec<Side>,
    values: Vec<f64>,
    doses: Vec<DoseRecord>,
    fractions: Vec<FractionRecord>,
    resets: Vec<f64>,
    events: Vec<EventRecord>,
    stats: SolverStats,
    #[serde(skip)]
    builder: BuilderId,
    #[serde(skip)]
    handles: HandleColumns,
    #[serde(skip)]
    derived: Vec<(usize, f64, std::ops::Range<usize>)>,
    /// The model's observables, in column order after the other derived columns.
    #[serde(skip)]
    observables: Vec<crate::model::Observable>,
}

/// A read-only view of one column: a strided walk over the row-major values.
#[derive(Clone, Copy, Debug)]
pub struct ColumnView<'a> {
    values: &'a [f64],
    stride: usize,
    offset: usize,
}

impl<'a> ColumnView<'a> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.values.len() / self.stride
    }

    /// Whether the trajectory has no rows.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Value in row `row`, if it exists.
    pub fn get(&self, row: usize) -> Option<f64> {
        self.values.get(row * self.stride + self.offset).copied()
    }

    /// The values, row by row.
    pub fn iter(&self) -> impl Iterator<Item = f64> + 'a {
        self.values
            .iter()
            .skip(self.offset)
            .step_by(self.stride)
            .copied()
    }

    /// The values as a new vector.
    pub fn to_vec(&self) -> Vec<f64> {
        self.iter().collect()
    }
}

/// A handle that names a trajectory column: a tumor (its total burden), an effector or
/// suppressor (its cells), a drug (its central concentration, mg/L).
pub trait ColumnHandle: Copy {
    /// The column's index in `trajectory`.
    ///
    /// # Errors
    /// [`LookupError::ForeignHandle`] for a handle of another model.
    fn column_in(self, trajectory: &Trajectory) -> Result<usize, LookupError>;
}

fn pick(
    columns: &[usize],
    ordinal: usize,
    builder: BuilderId,
    t: &Trajectory,
    kind: ComponentKind,
) -> Result<usize, LookupError> {
    match columns.get(ordinal) {
        Some(&c) if builder == t.builder => Ok(c),
        _ => Err(LookupError::ForeignHandle { kind }),
    }
}

impl ColumnHandle for StateId<Tumor> {
    fn column_in(self, t: &Trajectory) -> Result<usize, LookupError> {
        pick(
            &t.handles.tumors,
            self.ordinal,
            self.builder,
            t,
            ComponentKind::Tumor,
        )
    }
}
impl ColumnHandle for StateId<Effector> {
    fn column_in(self, t: &Trajectory) -> Result<usize, LookupError> {
        pick(
            &t.handles.effectors,
            self.ordinal,
            self.builder,
            t,
            ComponentKind::Effector,
        )
    }
}
impl ColumnHandle for StateId<Suppressor> {
    fn column_in(self, t: &Trajectory) -> Result<usize, LookupError> {
        let cols = &t.handles.suppressors;
        pick(
            cols,
            self.ordinal,
            self.builder,
            t,
            ComponentKind::Suppressor,
        )
    }
}
impl ColumnHandle for StateId<Species> {
    fn column_in(self, t: &Trajectory) -> Result<usize, LookupError> {
        let cols = &t.handles.species;
        pick(cols, self.ordinal, self.builder, t, ComponentKind::Species)
    }
}
impl ColumnHandle for DrugId {
    fn column_in(self, t: &Trajectory) -> Result<usize, LookupError> {
        let cols = &t.handles.concentrations;
        pick(cols, self.ordinal, self.builder, t, ComponentKind::Drug)
    }
}

impl Trajectory {
    /// An empty trajectory with the columns of `model`.
    pub(crate) fn new(model: &Model) -> Self {
        let n = model.n_states();
        let mut columns: Vec<Column> = model
            .states()
            .iter()
            .enumerate()
            .map(|(i, s)| Column {
                name: s.name.clone(),
                unit: s.unit.clone(),
                source: ColumnSource::State(i),
            })
            .collect();
        let mut handles = HandleColumns::default();
        let mut derived = Vec::new();
        for (spec, range) in model.spec.tumors.iter().zip(&model.layout.tumors) {
            if range.len() > 1 {
                derived.push((columns.len(), 1.0, range.clone()));
                handles.tumors.push(columns.len());
                columns.push(Column {
                    name: format!("{}_burden", spec.name),
                    unit: spec.unit.into(),
                    source: ColumnSource::Burden,
                });
            } else {
                handles.tumors.push(range.start);
            }
        }
        for (spec, d) in model.spec.drugs.iter().zip(&model.layout.drugs) {
            derived.push((columns.len(), d.inv_v1, d.central..d.central + 1));
            handles.concentrations.push(columns.len());
            handles.central.push(d.central);
            columns.push(Column {
                name: format!("{}_conc", spec.name),
                unit: Unit::MilligramsPerLiter,
                source: ColumnSource::Concentration,
            });
        }
        for o in &model.observables {
            columns.push(Column {
                name: o.name.clone(),
                unit: o.unit.clone(),
                source: ColumnSource::Observable,
            });
        }
        for (i, s) in model.states().iter().enumerate().take(n) {
            match s.role {
                StateRole::Effector => handles.effectors.push(i),
                StateRole::Suppressor => handles.suppressors.push(i),
                StateRole::Species => handles.species.push(i),
                _ => {}
            }
        }
        Trajectory {
            columns,
            times: Vec::new(),
            sides: Vec::new(),
            values: Vec::new(),
            doses: Vec::new(),
            fractions: Vec::new(),
            resets: Vec::new(),
            events: Vec::new(),
            stats: SolverStats::default(),
            builder: model.builder,
            handles,
            derived,
            observables: model.observables.clone(),
        }
    }

    /// Derived columns from now on use `model`'s volumes (a model switch; same states).
    pub(crate) fn rebind(&mut self, model: &Model) {
        self.observables.clone_from(&model.observables);
        let conc = self
            .derived
            .iter_mut()
            .filter(|(_, _, range)| model.layout.drugs.iter().any(|d| d.central == range.start));
        for (_, factor, range) in conc {
            if let Some(d) = model.layout.drugs.iter().find(|d| d.central == range.start) {
                *factor = d.inv_v1;
            }
        }
    }

    /// Appends a row for state `y` at `t`.
    pub(crate) fn push(&mut self, t: f64, side: Side, y: &[f64]) {
        self.times.push(t);
        self.sides.push(side);
        self.values.extend_from_slice(y);
        for (_, factor, range) in &self.derived {
            self.values
                .push(factor * y[range.clone()].iter().sum::<f64>());
        }
        for o in &self.observables {
            self.values.push(o.value(t, y));
        }
    }

    pub(crate) fn record_dose(&mut self, dose: DoseRecord) {
        self.doses.push(dose);
    }

    /// Records a bolus, a fraction or a reset applied at `time`.
    pub(crate) fn record_jump(&mut self, model: &Model, time: f64, jump: &JumpKind) {
        match *jump {
            JumpKind::Reset => self.resets.push(time),
            JumpKind::Add {
                state,
                amount,
                dose,
            } => self.doses.push(DoseRecord {
                time,
                state: model.states()[state].name.clone(),
                amount,
                duration: None,
                dose,
            }),
            JumpKind::Scale {
                state,
                factor,
                fraction,
                ..
            } => self.fractions.push(FractionRecord {
                time,
                fraction,
                state: model.states()[state].name.clone(),
                surviving_fraction: factor,
            }),
        }
    }

    pub(crate) fn set_stats(&mut self, stats: SolverStats) {
        self.stats = stats;
    }

    /// The columns, in row order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Row times, days (a dose time appears twice: `pre` and `post`).
    pub fn times(&self) -> &[f64] {
        &self.times
    }

    /// Which side of a dose each row is on.
    pub fn sides(&self) -> &[Side] {
        &self.sides
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.times.len()
    }

    /// Row `i`: one value per column.
    pub fn row(&self, i: usize) -> Option<&[f64]> {
        let n = self.columns.len();
        self.values.get(i * n..(i + 1) * n)
    }

    /// The doses given, in time order.
    pub fn doses(&self) -> &[DoseRecord] {
        &self.doses
    }

    /// The radiotherapy fractions given, one record per irradiated state, in time order.
    pub fn fractions(&self) -> &[FractionRecord] {
        &self.fractions
    }

    /// State-triggered events that fired, in time order.
    pub fn events(&self) -> &[EventRecord] {
        &self.events
    }

    pub(crate) fn record_event(&mut self, event: EventRecord) {
        self.events.push(event);
    }

    /// Times (days) at which the state was reset to the model's initial state.
    pub fn resets(&self) -> &[f64] {
        &self.resets
    }

    /// Work counters of the solver.
    pub fn stats(&self) -> SolverStats {
        self.stats
    }

    fn view(&self, offset: usize) -> ColumnView<'_> {
        ColumnView {
            values: &self.values,
            stride: self.columns.len(),
            offset,
        }
    }

    /// The column of a handle: a tumor's total burden, an effector's or suppressor's cells, a
    /// drug's central concentration (mg/L).
    ///
    /// # Errors
    /// [`LookupError::ForeignHandle`] for a handle of another model.
    pub fn column(&self, handle: impl ColumnHandle) -> Result<ColumnView<'_>, LookupError> {
        Ok(self.view(handle.column_in(self)?))
    }

    /// A drug's central amount, mg.
    ///
    /// # Errors
    /// [`LookupError::ForeignHandle`] for a handle of another model.
    pub fn amount(&self, drug: DrugId) -> Result<ColumnView<'_>, LookupError> {
        let c = pick(
            &self.handles.central,
            drug.ordinal,
            drug.builder,
            self,
            ComponentKind::Drug,
        )?;
        Ok(self.view(c))
    }

    /// The values of `observable`, row by row.
    ///
    /// # Errors
    /// [`LookupError::UnknownColumn`] listing the columns there are; for a derived quantity,
    /// [`LookupError::NoTumor`] or [`LookupError::InvalidCellDensity`].
    pub fn observe(&self, observable: &Observable) -> Result<Vec<f64>, LookupError> {
        let mapping = match observable {
            Observable::Column(name) => return Ok(self.column_by_name(name)?.iter().collect()),
            Observable::TumorVolume(m) | Observable::TumorDiameter(m) => m,
        };
        let density = mapping.cells_per_mm3;
        if !(density.is_finite() && density > 0.0) {
            return Err(LookupError::InvalidCellDensity { value: density });
        }
        if self.handles.tumors.is_empty() {
            return Err(LookupError::NoTumor);
        }
        let mut volume = vec![0.0; self.n_rows()];
        for &c in &self.handles.tumors {
            let unit = match self.columns[c].unit {
                Unit::Grams => BurdenUnit::Grams,
                Unit::CubicMillimeters => BurdenUnit::CubicMillimeters,
                _ => BurdenUnit::Cells,
            };
            for (v, w) in volume.iter_mut().zip(self.view(c).iter()) {
                *v += mapping.volume_mm3(w, unit);
            }
        }
        if let Observable::TumorDiameter(_) = observable {
            for v in &mut volume {
                *v = DiameterMapping::diameter_mm(*v);
            }
        }
        Ok(volume)
    }

    /// The column named `name`.
    ///
    /// # Errors
    /// [`LookupError::UnknownColumn`] listing the columns there are.
    pub fn column_by_name(&self, name: &str) -> Result<ColumnView<'_>, LookupError> {
        match self.columns.iter().position(|c| c.name == name) {
            Some(i) => Ok(self.view(i)),
            None => Err(LookupError::UnknownColumn {
                name: name.to_string(),
                available: self
                    .columns
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// The value of `handle`'s column at output time `t` (exact match). At a dose time this is
    /// the `pre` row: an observation at a dose time sees the state before the dose.
    ///
    /// # Errors
    /// [`LookupError::NotAnOutputTime`], or [`LookupError::ForeignHandle`].
    pub fn value_at(&self, t: f64, handle: impl ColumnHandle) -> Result<f64, LookupError> {
        let column = self.column(handle)?;
        let row = self
            .times
            .iter()
            .position(|&x| x == t)
            .ok_or(LookupError::NotAnOutputTime { t })?;
        column.get(row).ok_or(LookupError::NotAnOutputTime { t })
    }

    /// The rows of `handle`'s column whose time lies in `[t0, t1]` (both included), as
    /// `(time, value)` pairs in row order; both sides of a dose at `t0` or `t1` are included.
    /// At least `needed` rows, in a finite interval with `t0 ≤ t1`.
    fn rows_between(
        &self,
        handle: impl ColumnHandle,
        t0: f64,
        t1: f64,
        needed: usize,
    ) -> Result<Vec<(f64, f64)>, LookupError> {
        let invalid = |reason| LookupError::InvalidInterval { t0, t1, reason };
        if !(t0.is_finite() && t1.is_finite() && t0 <= t1) {
            return Err(invalid("bounds must be finite, with t0 ≤ t1"));
        }
        let column = self.column(handle)?;
        let rows: Vec<(f64, f64)> = self
            .times
            .iter()
            .zip(column.iter())
            .filter(|(t, _)| **t >= t0 && **t <= t1)
            .map(|(t, v)| (*t, v))
            .collect();
        if rows.len() < needed {
            return Err(invalid(if needed == 1 {
                "no output row in it"
            } else {
                "fewer than two output rows in it"
            }));
        }
        Ok(rows)
    }

    /// The area under `handle`'s column over `[t0, t1]` by the trapezoid rule on the output
    /// rows in that interval, `Σ ½·(t_{i+1} − t_i)·(y_i + y_{i+1})`, in the column's unit × day
    /// (mg·day/L for a drug's concentration). A dose's two rows share a time and add nothing;
    /// the bounds are not interpolated, so put `t0` and `t1` on the output grid.
    ///
    /// # Errors
    /// [`LookupError::ForeignHandle`] for a handle of another model;
    /// [`LookupError::InvalidInterval`] for bounds that are not finite and ordered, or fewer
    /// than two output rows between them.
    pub fn area_between(
        &self,
        handle: impl ColumnHandle,
        t0: f64,
        t1: f64,
    ) -> Result<f64, LookupError> {
        Ok(self
            .rows_between(handle, t0, t1, 2)?
            .windows(2)
            .map(|w| 0.5 * (w[1].0 - w[0].0) * (w[0].1 + w[1].1))
            .sum())
    }

    /// The largest value of `handle`'s column on the output rows in `[t0, t1]` (a drug's Cmax
    /// over a cycle, mg/L).
    ///
    /// # Errors
    /// [`LookupError::ForeignHandle`] for a handle of another model;
    /// [`LookupError::InvalidInterval`] for bounds that are not finite and ordered, or no output
    /// row between them.
    pub fn peak_between(
        &self,
        handle: impl ColumnHandle,
        t0: f64,
        t1: f64,
    ) -> Result<f64, LookupError> {
        Ok(self
            .rows_between(handle, t0, t1, 1)?
            .iter()
            .map(|r| r.1)
            .fold(f64::NEG_INFINITY, f64::max))
    }

    /// Writes the trajectory as CSV: a header `time[d],side,<column>[<unit>],…`, then one line
    /// per row, numbers in the shortest form that reads back to the same f64.
    ///
    /// # Errors
    /// [`IoError::Csv`](crate::IoError::Csv) when writing fails.
    pub fn write_csv<W: Write>(&self, writer: W) -> Result<(), crate::IoError> {
        let mut w = csv::Writer::from_writer(writer);
        let mut header = vec!["time[d]".to_string(), "side".to_string()];
        header.extend(
            self.columns
                .iter()
                .map(|c| format!("{}[{}]", c.name, c.unit)),
        );
        w.write_record(&header)?;
        let n = self.columns.len();
        for (i, (&t, side)) in self.times.iter().zip(&self.sides).enumerate() {
            let mut record = vec![format!("{t:e}"), side.as_str().to_string()];
            record.extend(
                self.values[i * n..(i + 1) * n]
                    .iter()
                    .map(|v| format!("{v:e}")),
            );
            w.write_record(&record)?;
        }
        w.flush().map_err(csv::Error::from)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
