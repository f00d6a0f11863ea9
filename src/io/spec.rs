//! [`ModelFile`]: a model, its regimen and the simulation settings as one TOML document, with
//! error messages that name the offending field and its line.

use crate::dosing::{Regimen, Subject};
use crate::error::{BuildError, Error, IoError, ScheduleError};
use crate::model::{Model, ModelSpec};
use crate::solver::{EventRule, SolverOptions};
use crate::trajectory::Trajectory;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::Path;
use toml::de::{DeTable, DeValue};

/// Most points a regular output grid may have.
const MAX_GRID_POINTS: u32 = 10_000_000;

/// A model file: the model ([`ModelSpec`]), the regimen given ([`Regimen`]) and the
/// [`Simulation`] settings, as one TOML document. Unknown fields are errors, so a typo cannot
/// pass silently.
///
/// ```text
/// [[model.tumors]] / [[model.effectors]] / [[model.drugs]] / [[model.kills]] / …
///                     the ModelSpec: components by name, laws tagged by `type`
/// [regimen]           optional (no treatment when absent): `name`, [[regimen.doses]]
/// [simulation]        output times: `times = [...]`, or `horizon` and `step` (days)
/// [simulation.solver] optional SolverOptions (defaults when absent)
/// ```
///
/// A file reads back into the same `ModelFile` it was written from
/// ([`to_toml_string`](Self::to_toml_string), [`from_toml_str`](Self::from_toml_str)), and
/// [`from_model`](Self::from_model) takes any built [`Model`] without user
/// [`Custom`](crate::model::Custom) terms, so a model built in code round-trips through a file.
///
/// ```
/// use oncodyn::io::ModelFile;
///
/// let file = ModelFile::from_toml_str(
///     r#"
///     [[model.tumors]]
///     name = "tumor"
///     initial = 1e9                                                   # cells
///     growth = { type = "gompertz", rate = 0.05, capacity = 1e12 }    # 1/day, cells
///
///     [[model.drugs]]
///     name = "chemo"
///     cl = 2.0                                                        # L/day
///     v1 = 10.0                                                       # L
///
///     [[model.effects]]
///     drug = "chemo"
///     rate = "tumor_kill"
///     of = "tumor"
///     law = { type = "emax", emax = 1.5, ec50 = 2.0 }                 # 1/day, mg/L
///
///     [[regimen.doses]]
///     time = 0.0
///     target = "chemo"
///     amount = 100.0                                                  # mg
///     repeat = { interval = 7.0, additional = 3 }                     # 4 doses, weekly
///
///     [simulation]
///     horizon = 28.0                                                  # days
///     step = 1.0
///     "#,
/// )?;
/// let (model, trajectory) = file.simulate()?;
/// let tumor = model.tumor("tumor")?;
/// assert!(trajectory.value_at(28.0, tumor)? < 1e9); // treatment shrinks the tumor
/// assert_eq!(ModelFile::from_toml_str(&file.to_toml_string()?)?, file);
/// # Ok::<(), oncodyn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    /// The model.
    pub model: ModelSpec,
    /// The doses given (an empty regimen, no treatment, when the file has no `[regimen]`).
    #[serde(default, skip_serializing_if = "is_untreated")]
    pub regimen: Regimen,
    /// Output times and solver options.
    pub simulation: Simulation,
    /// State-triggered events (`[[events]]`: eradication, progression, thresholds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<EventRule>,
    /// The subject's body weight, height or surface area, for per-kg and per-m² doses.
    #[serde(default, skip_serializing_if = "is_anonymous")]
    pub subject: Subject,
}

fn is_anonymous(subject: &Subject) -> bool {
    *subject == Subject::default()
}

fn is_untreated(regimen: &Regimen) -> bool {
    *regimen == Regimen::default()
}

/// The `[simulation]` section: when to report, and how to integrate.
///
/// In a file the output times are either an explicit list or a regular grid, never both:
///
/// ```toml
/// [simulation]
/// times = [0, 7, 14, 21]      # days, strictly increasing
/// ```
///
/// ```toml
/// [simulation]
/// horizon = 40.0              # days: t = 0, 1, …, 40
/// step = 1.0                  # days
///
/// [simulation.solver]         # optional; any field left out keeps its default
/// rtol = 1e-10
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SimulationTable", into = "SimulationTable")]
pub struct Simulation {
    /// The output times.
    pub output: OutputTimes,
    /// How to integrate (written to a file only when it differs from the default).
    pub solver: SolverOptions,
}

/// Output times: an explicit list or a regular grid.
#[derive(Clone, Debug, PartialEq)]
pub enum OutputTimes {
    /// These times, days: finite, non-negative, strictly increasing (checked by
    /// [`simulate`](crate::solver::simulate)). In a file: `times = [...]`.
    Times(Vec<f64>),
    /// The times `k·step`, k = 0, 1, …, up to `horizon`, and `horizon` itself when `step`
    /// does not divide it (a grid point within 1e-9·step of the horizon is taken as the
    /// horizon, so `horizon = 0.3`, `step = 0.1` ends exactly on 0.3). In a file: `horizon` and
    /// `step`.
    Grid {
        /// Last output time, days (finite, ≥ 0).
        horizon: f64,
        /// Spacing, days (finite, > 0, at most 10,000,000 points).
        step: f64,
    },
}

impl OutputTimes {
    /// The output times, days.
    ///
    /// # Errors
    /// [`ScheduleError::InvalidOutputGrid`] for a grid whose horizon is negative or not finite,
    /// whose step is not finite and positive, or that has more than 10,000,000 points. An
    /// explicit list is returned as it is; [`simulate`](crate::solver::simulate) checks it.
    pub fn times(&self) -> Result<Vec<f64>, ScheduleError> {
        match *self {
            OutputTimes::Times(ref times) => Ok(times.clone()),
            OutputTimes::Grid { horizon, step } => grid(horizon, step),
        }
    }
}

fn grid(horizon: f64, step: f64) -> Result<Vec<f64>, ScheduleError> {
    let invalid = |param, value, reason| ScheduleError::InvalidOutputGrid {
        param,
        value,
        reason,
    };
    if !(horizon.is_finite() && horizon >= 0.0) {
        return Err(invalid(
            "horizon",
            horizon,
            "must be finite and non-negative",
        ));
    }
    if !(step.is_finite() && step > 0.0) {
        return Err(invalid("step", step, "must be finite and positive"));
    }
    // Finite and non-negative over positive: not NaN (+∞ if `step` is tiny).
    let ratio = horizon / step;
    if ratio >= f64::from(MAX_GRID_POINTS - 1) {
        return Err(invalid(
            "step",
            step,
            "gives more than 10,000,000 output times",
        ));
    }
    let tolerance = 1e-9 * step;
    // The largest k with k·step ≤ horizon, counting a point within `tolerance` as on it.
    // `ratio` is in [0, MAX_GRID_POINTS − 1), so the cast is exact.
    let mut n = ratio.floor() as u32;
    if f64::from(n + 1) * step <= horizon + tolerance {
        n += 1;
    }
    let mut times: Vec<f64> = (0..=n).map(|k| f64::from(k) * step).collect();
    match times.last_mut() {
        Some(last) if (horizon - *last).abs() <= tolerance => *last = horizon,
        _ => times.push(horizon),
    }
    Ok(times)
}

impl Simulation {
    /// Output on the grid `0, step, 2·step, …, horizon` (days) with default solver options.
    pub fn grid(horizon: f64, step: f64) -> Self {
        Simulation {
            output: OutputTimes::Grid { horizon, step },
            solver: SolverOptions::default(),
        }
    }

    /// Output at `times` (days) with default solver options.
    pub fn at_times(times: Vec<f64>) -> Self {
        Simulation {
            output: OutputTimes::Times(times),
            solver: SolverOptions::default(),
        }
    }

    /// The same settings with solver options `solver`.
    #[must_use]
    pub fn with_solver(mut self, solver: SolverOptions) -> Self {
        self.solver = solver;
        self
    }

    /// The output times, days.
    ///
    /// # Errors
    /// See [`OutputTimes::times`].
    pub fn output_times(&self) -> Result<Vec<f64>, ScheduleError> {
        self.output.times()
    }
}

/// `[simulation]` as written in a file; [`Simulation`] is its checked form.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SimulationTable {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    times: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    horizon: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    step: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    solver: Option<SolverOptions>,
}

impl TryFrom<SimulationTable> for Simulation {
    type Error = &'static str;

    fn try_from(table: SimulationTable) -> Result<Self, Self::Error> {
        let output = match (table.times, table.horizon, table.step) {
            (Some(times), None, None) => OutputTimes::Times(times),
            (None, Some(horizon), Some(step)) => OutputTimes::Grid { horizon, step },
            (Some(_), _, _) => {
                return Err(
                    "give the output times either as `times = [...]` or as `horizon` \
                            and `step`, not both",
                )
            }
            (None, Some(_), None) => {
                return Err("missing field `step` (a grid needs `horizon` and `step`, in days)")
            }
            (None, None, Some(_)) => {
                return Err("missing field `horizon` (a grid needs `horizon` and `step`, in days)")
            }
            (None, None, None) => {
                return Err(
                    "missing output times: give `times = [...]`, or `horizon` and \
                            `step` (days)",
                )
            }
        };
        Ok(Simulation {
            output,
            solver: table.solver.unwrap_or_default(),
        })
    }
}

impl From<Simulation> for SimulationTable {
    fn from(simulation: Simulation) -> Self {
        let (times, horizon, step) = match simulation.output {
            OutputTimes::Times(times) => (Some(times), None, None),
            OutputTimes::Grid { horizon, step } => (None, Some(horizon), Some(step)),
        };
        let solver = (simulation.solver != SolverOptions::default()).then_some(simulation.solver);
        SimulationTable {
            times,
            horizon,
            step,
            solver,
        }
    }
}

impl ModelFile {
    /// Parses a model file from TOML text.
    ///
    /// # Errors
    /// [`IoError::Toml`] for bad syntax, a missing or unknown field, a value of the wrong type
    /// or an unknown law `type`, with the line and column and the key path of the offending
    /// field (`model.tumors[0].growth.rate`). Parameter values are checked later, when the
    /// model is built ([`build`](Self::build)).
    pub fn from_toml_str(text: &str) -> Result<ModelFile, IoError> {
        parse(text, "<string>")
    }

    /// Reads a model file.
    ///
    /// # Errors
    /// [`IoError::File`] when the file cannot be read; [`IoError::Toml`] as in
    /// [`from_toml_str`](Self::from_toml_str), with the path.
    pub fn read(path: impl AsRef<Path>) -> Result<ModelFile, IoError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| IoError::File {
            path: path.display().to_string(),
            source,
        })?;
        parse(&text, &path.display().to_string())
    }

    /// The file as TOML text (read back by [`from_toml_str`](Self::from_toml_str) into an equal
    /// `ModelFile`; numbers are written in the shortest form that reads back to the same f64).
    ///
    /// # Errors
    /// [`IoError::TomlWrite`] if the serializer rejects a value (not expected for these types).
    pub fn to_toml_string(&self) -> Result<String, IoError> {
        toml::to_string(self).map_err(|source| IoError::TomlWrite { source })
    }

    /// Writes the file as TOML (see [`to_toml_string`](Self::to_toml_string)).
    ///
    /// # Errors
    /// [`IoError::TomlWrite`] as in `to_toml_string`; [`IoError::File`] when writing fails.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), IoError> {
        let path = path.as_ref();
        let text = self.to_toml_string()?;
        std::fs::write(path, text).map_err(|source| IoError::File {
            path: path.display().to_string(),
            source,
        })
    }

    /// The file of a built model: its [`spec`](Model::spec), `regimen` and `simulation`.
    ///
    /// # Errors
    /// [`IoError::CustomTerms`] naming the model's user [`Custom`](crate::model::Custom) terms,
    /// if it has any: they are code, and a file cannot hold them.
    pub fn from_model(
        model: &Model,
        regimen: Regimen,
        simulation: Simulation,
    ) -> Result<ModelFile, IoError> {
        let custom: Vec<&str> = model.custom_terms().collect();
        if !custom.is_empty() {
            return Err(IoError::CustomTerms {
                names: custom.join(", "),
            });
        }
        Ok(ModelFile {
            model: model.spec().clone(),
            regimen,
            simulation,
            events: Vec::new(),
            subject: Subject::default(),
        })
    }

    /// Checks the model and resolves it (see [`ModelSpec::build`]).
    ///
    /// # Errors
    /// Every problem found, each naming the component and parameter (e.g. `tumor: parameter
    /// `rate` = -0.1 must be non-negative`).
    pub fn build(&self) -> Result<Model, BuildError> {
        self.model.clone().build()
    }

    /// Builds the model and simulates it under the file's regimen, output times and solver
    /// options. The model is returned with the trajectory so that its handles
    /// ([`Model::tumor`] and the like) can look columns up.
    ///
    /// # Errors
    /// [`Error::Build`] for an invalid model; [`Error::Schedule`] for an invalid dose or output
    /// time or grid; [`Error::Solve`] when integration fails.
    pub fn simulate(&self) -> Result<(Model, Trajectory), Error> {
        let model = self.build()?;
        let times = self.simulation.output_times()?;
        let trajectory = crate::solver::Simulation::new(&model, &self.regimen, &times)
            .options(&self.simulation.solver)
            .events(&self.events)
            .subject(&self.subject)
            .run()?;
        Ok((model, trajectory))
    }
}

fn parse(text: &str, path: &str) -> Result<ModelFile, IoError> {
    toml::from_str(text).map_err(|error| toml_error(path, text, &error))
}

/// One step of a key path: a table key or an array index.
#[derive(Clone)]
enum Segment {
    Key(String),
    Index(usize),
}

/// `model.tumors[0].growth.rate` (keys that are not bare TOML keys are quoted).
fn render(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                let bare = !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if bare {
                    out.push_str(key);
                } else {
                    out.push_str(&format!("{key:?}"));
                }
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The innermost key or value of the document whose span holds `target`.
struct Located<'a, 'i> {
    path: Vec<Segment>,
    span: Range<usize>,
    value: &'a DeValue<'i>,
}

fn covers(span: &Range<usize>, target: &Range<usize>) -> bool {
    span.start <= target.start && target.end <= span.end
}

/// Walks the document, keeping the node with the smallest span holding `target` (the deeper
/// one on ties: a table header is the span of both the array of tables and its element).
fn visit<'a, 'i>(
    value: &'a DeValue<'i>,
    path: &mut Vec<Segment>,
    target: &Range<usize>,
    best: &mut Option<Located<'a, 'i>>,
) {
    match value {
        DeValue::Table(table) => {
            for (key, item) in table.iter() {
                path.push(Segment::Key(key.get_ref().to_string()));
                consider(path, key.span(), item.get_ref(), target, best);
                consider(path, item.span(), item.get_ref(), target, best);
                visit(item.get_ref(), path, target, best);
                path.pop();
            }
        }
        DeValue::Array(array) => {
            for (i, item) in array.iter().enumerate() {
                path.push(Segment::Index(i));
                consider(path, item.span(), item.get_ref(), target, best);
                visit(item.get_ref(), path, target, best);
                path.pop();
            }
        }
        _ => {}
    }
}

fn consider<'a, 'i>(
    path: &[Segment],
    span: Range<usize>,
    value: &'a DeValue<'i>,
    target: &Range<usize>,
    best: &mut Option<Located<'a, 'i>>,
) {
    if covers(&span, target) && best.as_ref().is_none_or(|b| span.len() <= b.span.len()) {
        *best = Some(Located {
            path: path.to_vec(),
            span,
            value,
        });
    }
}

/// The name in backticks right after `prefix` at the start of `message`.
fn field_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?.strip_prefix('`')?;
    rest.split('`').next()
}

/// How serde describes an unexpected value (`string "fast"`, `boolean `true``), to compare
/// with an `invalid type` message.
fn describes(value: &DeValue<'_>, unexpected: &str) -> bool {
    match value {
        DeValue::String(s) => unexpected == format!("string {s:?}"),
        DeValue::Boolean(b) => unexpected == format!("boolean `{b}`"),
        DeValue::Integer(_) => unexpected.starts_with("integer"),
        DeValue::Float(_) => unexpected.starts_with("floating point"),
        DeValue::Array(_) => unexpected == "sequence",
        DeValue::Table(_) => unexpected == "map",
        DeValue::Datetime(_) => false,
    }
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The source line holding `span`, with carets under the span.
fn snippet(text: &str, span: &Range<usize>, line: usize, column: usize) -> String {
    let content = text.lines().nth(line - 1).unwrap_or("");
    let width = content.chars().count().saturating_sub(column - 1);
    let carets = text
        .get(span.clone())
        .map_or(1, |s| s.chars().take_while(|&c| c != '\n').count())
        .clamp(1, width.max(1));
    let gutter = " ".repeat(line.to_string().len());
    format!(
        "{gutter} |\n{line} | {content}\n{gutter} | {}{}",
        " ".repeat(column - 1),
        "^".repeat(carets)
    )
}

/// An [`IoError::Toml`] naming the offending field's key path and line.
///
/// toml's own message has the line but not always the field: values of internally tagged enums
/// (the growth, kill and effect laws) are buffered before they are read, so an error inside one
/// points at its whole table, and a wrong type there does not say which key. The document is
/// parsed again with spans to find the key path at the error's position, and, inside such a
/// table, the unknown key or the value of the wrong type.
fn toml_error(path: &str, text: &str, error: &toml::de::Error) -> IoError {
    let description = error.message().trim_end().to_string();
    let mut span = error.span();
    let mut key: Option<Vec<Segment>> = None;
    let mut table_path: Option<String> = None;
    if let (Ok(document), Some(target)) = (DeTable::parse(text), span.clone()) {
        // An error about the document as a whole (a missing top-level section) has the empty
        // span of the root table: no line to show.
        let whole_document = target.is_empty() && target == document.span();
        if whole_document {
            span = None;
        }
        let root = DeValue::Table(document.into_inner());
        let mut best = None;
        if !whole_document {
            visit(&root, &mut Vec::new(), &target, &mut best);
        }
        let (mut located_path, located_value) = match best {
            Some(found) => (found.path, Some(found.value)),
            None => (Vec::new(), None),
        };
        let table = match located_value {
            Some(DeValue::Table(t)) => Some(t),
            None => match &root {
                DeValue::Table(t) => Some(t),
                _ => None,
            },
            _ => None,
        };
        if let Some(field) = field_after(&description, "missing field ") {
            table_path = Some(render(&located_path));
            located_path.push(Segment::Key(field.to_string()));
        } else if let Some(field) = field_after(&description, "unknown field ") {
            // Found at the key itself, or (inside a tagged law) at the table holding it.
            match located_path.split_last() {
                Some((Segment::Key(k), parent)) if k == field => {
                    table_path = Some(render(parent));
                }
                _ => {
                    table_path = Some(render(&located_path));
                    if let Some((k, _)) = table.and_then(|t| t.get_key_value(field)) {
                        span = Some(k.span());
                        located_path.push(Segment::Key(field.to_string()));
                    }
                }
            }
        } else if let Some(rest) = description.strip_prefix("invalid type: ") {
            let unexpected = rest.split(", expected").next().unwrap_or(rest);
            if let Some(t) = table {
                let mut matching = t.iter().filter(|(_, v)| describes(v.get_ref(), unexpected));
                if let (Some((k, v)), None) = (matching.next(), matching.next()) {
                    span = Some(v.span());
                    located_path.push(Segment::Key(k.get_ref().to_string()));
                }
            }
        }
        key = Some(located_path);
    }
    let key = key.map(|k| render(&k)).filter(|k| !k.is_empty());
    let place = match (&table_path, &key) {
        (Some(table), _) if !table.is_empty() => format!("in `{table}`"),
        (Some(_), _) => "at the top level".to_string(),
        (None, Some(key)) => format!("at `{key}`"),
        (None, None) => String::new(),
    };
    let (line, column, source_line) = match span {
        Some(span) => {
            let (line, column) = position(text, span.start);
            (Some(line), Some(column), snippet(text, &span, line, column))
        }
        None => (None, None, String::new()),
    };
    let mut message = match (line, column) {
        (Some(line), Some(column)) => format!("line {line}, column {column}"),
        _ => String::new(),
    };
    if !place.is_empty() {
        if !message.is_empty() {
            message.push_str(", ");
        }
        message.push_str(&place);
    }
    if !message.is_empty() {
        message.push_str(": ");
    }
    message.push_str(&description);
    if !source_line.is_empty() {
        message.push('\n');
        message.push_str(&source_line);
    }
    IoError::Toml {
        path: path.to_string(),
        line,
        column,
        key,
        message,
    }
}
