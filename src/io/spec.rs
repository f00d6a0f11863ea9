//! [`ModelFile`]: a model, its regimen and the simulation settings as one TOML document, with
//! error messages that name the offending field and its line.

use super::build_error::build_error;
use super::toml_error::parse;
use crate::dosing::ScheduleError;
use crate::dosing::{Regimen, Subject};
use crate::io::error::IoError;
use crate::model::BuildError;
use crate::model::{Model, ModelSpec};
use crate::solver::{EventRule, SolverOptions};
use crate::trajectory::Trajectory;
use crate::Error;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Most points a regular output grid may have.
const MAX_GRID_POINTS: u32 = 10_000_000;

/// A model file: the model ([`ModelSpec`]), the regimen given ([`Regimen`]) and the
/// [`SimulationSection`] settings, as one TOML document. Unknown fields are errors, so a typo cannot
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
    /// Output times and solver options; `None` for a model-only file (one read by a fit,
    /// which takes its times from the data), which cannot [`simulate`](Self::simulate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub simulation: Option<SimulationSection>,
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
pub struct SimulationSection {
    /// The output times.
    pub output: OutputTimes,
    /// How to integrate (written to a file only when it differs from the default).
    pub solver: SolverOptions,
}

/// The former name of [`SimulationSection`] (it collided with
/// [`solver::Simulation`](crate::solver::Simulation)).
#[deprecated(since = "0.2.0", note = "renamed to SimulationSection")]
pub type Simulation = SimulationSection;

/// Output times: an explicit list or a regular grid.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
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

impl SimulationSection {
    /// Output on the grid `0, step, 2·step, …, horizon` (days) with default solver options.
    pub fn grid(horizon: f64, step: f64) -> Self {
        SimulationSection {
            output: OutputTimes::Grid { horizon, step },
            solver: SolverOptions::default(),
        }
    }

    /// Output at `times` (days) with default solver options.
    pub fn at_times(times: Vec<f64>) -> Self {
        SimulationSection {
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

/// `[simulation]` as written in a file; [`SimulationSection`] is its checked form.
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

impl TryFrom<SimulationTable> for SimulationSection {
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
        Ok(SimulationSection {
            output,
            solver: table.solver.unwrap_or_default(),
        })
    }
}

impl From<SimulationSection> for SimulationTable {
    fn from(simulation: SimulationSection) -> Self {
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

/// Parses `text` (read from `path`) and builds its model once, so that a build error names the
/// line of the component at fault.
fn from_text(text: &str, path: &str) -> Result<ModelFile, IoError> {
    let file: ModelFile = parse(text, path)?;
    match file.model.clone().build() {
        Ok(_) => Ok(file),
        Err(error) => Err(build_error(path, text, error)),
    }
}

impl ModelFile {
    /// Parses a model file from TOML text and checks that its model builds.
    ///
    /// # Errors
    /// [`IoError::Toml`] for bad syntax, a missing or unknown field, a value of the wrong type
    /// or an unknown law `type`, with the line and column and the key path of the offending
    /// field (`model.tumors[0].growth.rate`); [`IoError::Build`] for a model that does not
    /// build (an unknown or duplicate name, an invalid parameter value), each problem with the
    /// line of its component or key, the [`BuildError`] as its source.
    pub fn from_toml_str(text: &str) -> Result<ModelFile, IoError> {
        from_text(text, "<string>")
    }

    /// Parses a model file from TOML text without building its model: for a file whose
    /// values are not meant to build (a round trip of any value, NaN and negative rates
    /// included). A model that does not build fails later, in [`build`](Self::build), without
    /// a line.
    ///
    /// # Errors
    /// [`IoError::Toml`] as in [`from_toml_str`](Self::from_toml_str).
    pub fn from_toml_str_unchecked(text: &str) -> Result<ModelFile, IoError> {
        parse(text, "<string>")
    }

    /// Reads a model file and checks that its model builds.
    ///
    /// # Errors
    /// [`IoError::File`] when the file cannot be read; [`IoError::Toml`] and
    /// [`IoError::Build`] as in [`from_toml_str`](Self::from_toml_str), with the path.
    pub fn read(path: impl AsRef<Path>) -> Result<ModelFile, IoError> {
        let path = path.as_ref();
        let text = super::read_text(path)?;
        from_text(&text, &path.display().to_string())
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
        super::write_text(path.as_ref(), &self.to_toml_string()?)
    }

    /// The file of a built model: its [`spec`](Model::spec), `regimen` and `simulation`.
    ///
    /// # Errors
    /// [`IoError::CustomTerms`] naming the model's user [`Custom`](crate::model::Custom) terms,
    /// if it has any: they are code, and a file cannot hold them.
    pub fn from_model(
        model: &Model,
        regimen: Regimen,
        simulation: SimulationSection,
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
            simulation: Some(simulation),
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
    /// [`IoError::NoSimulation`] for a file without `[simulation]`; [`Error::Build`] for an
    /// invalid model; [`Error::Schedule`] for an invalid dose or output time or grid;
    /// [`Error::Solve`] when integration fails.
    pub fn simulate(&self) -> Result<(Model, Trajectory), Error> {
        let simulation = self.simulation.as_ref().ok_or(IoError::NoSimulation)?;
        let model = self.build()?;
        let times = simulation.output_times()?;
        let trajectory = crate::solver::Simulation::new(&model, &self.regimen, &times)
            .options(&simulation.solver)
            .events(&self.events)
            .subject(&self.subject)
            .run()?;
        Ok((model, trajectory))
    }
}
