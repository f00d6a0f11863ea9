//! [`StudyFile`]: a whole population study — model, arms, virtual patients, output times,
//! events and endpoints — as one TOML document that round-trips with
//! [`compare::Study`](crate::compare::Study).
//!
//! Use this module when a comparison of schedules should live in a file: to rerun a study from
//! the command line (`cargo run --release --example compare_schedules -- --arms STUDY.toml`),
//! to ship a study with the sources of its parameters as comments, or to save a study built in
//! code. `examples/studies/default.toml` is the README main command's study.

use super::spec::SimulationSection;
use super::toml_error::{at_key, parse, Segment};
use crate::compare::PopulationError;
use crate::compare::{EndpointSpec, ParamMap, ParamPath, Population, PopulationSpec, Study};
use crate::dosing::Regimen;
use crate::io::error::IoError;
use crate::model::ModelSpec;
use crate::solver::EventRule;
use crate::Error;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Where a study's patients come from.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum PatientSource {
    /// Patients `0..count` drawn from `population` with `seed`: patient `i`'s values depend only
    /// on `seed` and `i` (see [`compare::population`](crate::compare::population)). In a file:
    /// a `[population]` table (a [`PopulationSpec`]) and the top-level `patients` and `seed`.
    Drawn {
        /// Parameter and covariate distributions.
        population: PopulationSpec,
        /// Number of patients.
        count: usize,
        /// Seed of the patients' random streams.
        seed: u64,
    },
    /// The patients of a population CSV (`id,<name>,…`, see
    /// [`Population::read_csv`]). In a file: `patients_csv = "PATH"`; [`StudyFile::read`]
    /// takes a relative path from the study file's directory.
    Csv {
        /// The CSV file.
        path: PathBuf,
    },
}

/// One `[[parameters]]` entry: the patient's value `name` sets the model parameter at `path`
/// (a [`ParamPath`] such as `tumors[tumor].growth.rate`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterBinding {
    /// Name of a population parameter or covariate.
    pub name: String,
    /// Key path of a real-valued model parameter, as in the `[model]` section.
    pub path: String,
}

impl ParameterBinding {
    /// Binds the population value `name` to the model parameter at `path`.
    pub fn new(name: impl Into<String>, path: impl Into<String>) -> Self {
        ParameterBinding {
            name: name.into(),
            path: path.into(),
        }
    }
}

/// A study file: everything a [`Study`] needs, as one TOML document. Unknown fields are
/// errors, so a typo cannot pass silently.
///
/// ```text
/// patients = 1000 / seed = 7   number of patients and seed of a drawn population
/// [[model.tumors]] / …         the ModelSpec, as in a model file (io::ModelFile)
/// [[arms]]                     one Regimen per arm: `name`, [[arms.doses]], arms.radiotherapy
/// [population]                 the PopulationSpec: [[population.parameters]], covariates,
///                              correlations (or, instead of it and `patients`/`seed`,
///                              `patients_csv = "PATH"`)
/// [[parameters]]               `name` (a population value) → `path` (a model parameter)
/// [simulation]                 output times: `times = [...]`, or `horizon` and `step` (days);
/// [simulation.solver]          optional SolverOptions
/// [[events]]                   optional EventRules (a `progression` rule is added if none)
/// [endpoints]                  optional EndpointSpec: rank_by, toxicity, recist, bootstrap
/// ```
///
/// A file reads back into the same `StudyFile` it was written from
/// ([`to_toml_string`](Self::to_toml_string), [`from_toml_str`](Self::from_toml_str)), and
/// [`to_study`](Self::to_study) gives the [`Study`] it describes, so a study built in code
/// ([`from_study`](Self::from_study)) runs identically from its file.
///
/// ```
/// use oncodyn::io::StudyFile;
///
/// let file = StudyFile::from_toml_str(
///     r#"
///     patients = 20
///     seed = 7
///
///     [[model.tumors]]
///     name = "tumor"
///     initial = 1e9                                               # cells
///     growth = { type = "exponential", rate = 0.03 }              # 1/day
///
///     [[model.drugs]]
///     name = "chemo"
///     cl = 13.5                                                   # L/day
///     v1 = 15.0                                                   # L
///
///     [[model.effects]]
///     drug = "chemo"
///     rate = "tumor_kill"
///     of = "tumor"
///     law = { type = "emax", emax = 1.0, ec50 = 2.0 }             # 1/day, mg/L
///
///     [[arms]]
///     name = "none"
///
///     [[arms]]
///     name = "q21d"
///     doses = [{ time = 0.0, target = "chemo", amount = 60.0, repeat = { interval = 21.0, additional = 3 } }]
///
///     [[population.parameters]]
///     name = "growth"
///     typical = 0.03                                              # 1/day
///     distribution = { type = "log_normal_cv", cv = 0.3 }
///
///     [[parameters]]
///     name = "growth"
///     path = "tumors[tumor].growth.rate"
///
///     [simulation]
///     horizon = 84.0                                              # days
///     step = 1.0
///     "#,
/// )?;
/// let result = file.to_study()?.run(Some(1), &|_| {})?;
/// assert_eq!(result.arms, ["none", "q21d"]);
/// assert_eq!(result.failures().count(), 0);
/// assert_eq!(StudyFile::from_toml_str(&file.to_toml_string()?)?, file);
/// # Ok::<(), oncodyn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "StudyTable", into = "StudyTable")]
pub struct StudyFile {
    /// The base model; each patient's model is rebuilt from it through `parameters`.
    pub model: ModelSpec,
    /// The arms; the first is the reference of the paired comparisons.
    pub arms: Vec<Regimen>,
    /// Where the patients come from.
    pub patients: PatientSource,
    /// How the patients' values set the model's parameters.
    pub parameters: Vec<ParameterBinding>,
    /// Output times (the last is the horizon, where TTP is censored) and solver options.
    pub simulation: SimulationSection,
    /// State-triggered events; the study adds a `progression` rule when none is named so.
    pub events: Vec<EventRule>,
    /// Endpoints and ranking.
    pub endpoints: EndpointSpec,
}

/// A study file as written: [`StudyFile`] is its checked form.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StudyTable {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    patients: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    patients_csv: Option<PathBuf>,
    model: ModelSpec,
    arms: Vec<Regimen>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    population: Option<PopulationSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    parameters: Vec<ParameterBinding>,
    simulation: SimulationSection,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    events: Vec<EventRule>,
    #[serde(default)]
    endpoints: EndpointSpec,
}

/// A field of a parsed table that is not accepted, and why.
struct Rejected {
    key: Vec<Segment>,
    reason: String,
}

fn key(steps: &[&str]) -> Vec<Segment> {
    steps
        .iter()
        .map(|s| Segment::Key((*s).to_string()))
        .collect()
}

fn rejected(steps: &[&str], reason: impl Into<String>) -> Rejected {
    Rejected {
        key: key(steps),
        reason: reason.into(),
    }
}

/// A drawn population that cannot be sampled, at the key of the offending value: for a
/// distribution's value, `population.parameters[i].typical` or
/// `population.parameters[i].distribution.<field>` (or `covariates`), else `population`.
fn population_key(population: &PopulationSpec, error: PopulationError) -> Rejected {
    let reason = error.to_string();
    if let PopulationError::InvalidDistribution {
        parameter, field, ..
    } = &error
    {
        for (list, entries) in [
            ("parameters", &population.parameters),
            ("covariates", &population.covariates),
        ] {
            if let Some(i) = entries.iter().position(|p| &p.name == parameter) {
                let mut key = vec![
                    Segment::Key("population".to_string()),
                    Segment::Key(list.to_string()),
                    Segment::Index(i),
                ];
                if *field != "typical" {
                    key.push(Segment::Key("distribution".to_string()));
                }
                key.push(Segment::Key((*field).to_string()));
                return Rejected { key, reason };
            }
        }
    }
    rejected(&["population"], reason)
}

/// Checks what serde cannot: where the patients come from, the parameter bindings against the
/// population and the model, unique arm names, the drawn population's distributions, the
/// diameter mapping's density, the bootstrap's resamples, and the toxicity grade scale.
fn check(table: StudyTable) -> Result<StudyFile, Rejected> {
    let StudyTable {
        patients,
        seed,
        patients_csv,
        model,
        arms,
        population,
        parameters,
        simulation,
        events,
        endpoints,
    } = table;
    let patients = patient_source(population, patients_csv, patients, seed)?;
    check_bindings(&parameters, population_names(&patients).as_deref(), &model)?;
    check_arm_names(&arms)?;
    if let PatientSource::Drawn { population, .. } = &patients {
        if let Err(e) = population.sampler() {
            return Err(population_key(population, e));
        }
    }
    check_endpoints(&endpoints)?;
    Ok(StudyFile {
        model,
        arms,
        patients,
        parameters,
        simulation,
        events,
        endpoints,
    })
}

/// Where the patients come from: a drawn `population` (with `count` and `seed`) or the CSV
/// at `csv`, exactly one of them.
fn patient_source(
    population: Option<PopulationSpec>,
    csv: Option<PathBuf>,
    count: Option<usize>,
    seed: Option<u64>,
) -> Result<PatientSource, Rejected> {
    match (population, csv) {
        (Some(_), Some(_)) => Err(rejected(
            &["patients_csv"],
            "give either a drawn `[population]` (with `patients` and `seed`) or \
             `patients_csv`, not both",
        )),
        (Some(population), None) => drawn(population, count, seed),
        (None, Some(path)) => {
            for (field, given) in [("patients", count.is_some()), ("seed", seed.is_some())] {
                if given {
                    return Err(rejected(
                        &[field],
                        format!(
                            "`{field}` is for a drawn `[population]`; with `patients_csv` the \
                             CSV's rows are the patients"
                        ),
                    ));
                }
            }
            Ok(PatientSource::Csv { path })
        }
        (None, None) => {
            let reason = "no patients: give a `[population]` with `patients` and `seed`, or \
                          `patients_csv`";
            Err(match (count, seed) {
                (Some(_), _) => rejected(&["patients"], reason),
                (None, Some(_)) => rejected(&["seed"], reason),
                (None, None) => rejected(&[], reason),
            })
        }
    }
}

/// A drawn population needs both `patients` (how many) and `seed` at the top level.
fn drawn(
    population: PopulationSpec,
    count: Option<usize>,
    seed: Option<u64>,
) -> Result<PatientSource, Rejected> {
    match (count, seed) {
        (Some(count), Some(seed)) => Ok(PatientSource::Drawn {
            population,
            count,
            seed,
        }),
        (None, _) => Err(rejected(
            &["population"],
            "missing field `patients` (a drawn population needs `patients`, how many, \
             and `seed` at the top level)",
        )),
        (Some(_), None) => Err(rejected(
            &["population"],
            "missing field `seed` (a drawn population needs `patients`, how many, and \
             `seed` at the top level)",
        )),
    }
}

/// The names a drawn population gives its patients (parameters, then covariates); `None` for
/// a CSV, whose columns are known only when it is read.
fn population_names(patients: &PatientSource) -> Option<Vec<&str>> {
    match patients {
        PatientSource::Drawn { population, .. } => Some(
            population
                .parameters
                .iter()
                .chain(&population.covariates)
                .map(|p| p.name.as_str())
                .collect(),
        ),
        PatientSource::Csv { .. } => None,
    }
}

/// Each binding names a value of the population (when its `names` are known) and a real
/// parameter of `model`.
fn check_bindings(
    parameters: &[ParameterBinding],
    names: Option<&[&str]>,
    model: &ModelSpec,
) -> Result<(), Rejected> {
    for (i, binding) in parameters.iter().enumerate() {
        let at = |field: &str| {
            vec![
                Segment::Key("parameters".to_string()),
                Segment::Index(i),
                Segment::Key(field.to_string()),
            ]
        };
        if let Some(names) = names {
            if !names.contains(&binding.name.as_str()) {
                return Err(Rejected {
                    key: at("name"),
                    reason: format!(
                        "`{}` is not a parameter of the population (available: {})",
                        binding.name,
                        names.join(", ")
                    ),
                });
            }
        }
        if let Err(e) = ParamPath::parse(&binding.path).and_then(|p| p.get(model)) {
            return Err(Rejected {
                key: at("path"),
                reason: e.to_string(),
            });
        }
    }
    Ok(())
}

/// No two arms share a name: the second is rejected, naming the first.
fn check_arm_names(arms: &[Regimen]) -> Result<(), Rejected> {
    for (second, arm) in arms.iter().enumerate() {
        if let Some(first) = arms[..second].iter().position(|a| a.name == arm.name) {
            return Err(Rejected {
                key: vec![
                    Segment::Key("arms".to_string()),
                    Segment::Index(second),
                    Segment::Key("name".to_string()),
                ],
                reason: format!(
                    "arm name `{}` is already used by arm {first}: arm names must be unique",
                    arm.name
                ),
            });
        }
    }
    Ok(())
}

/// The diameter mapping's density and the bootstrap's resamples.
fn check_endpoints(endpoints: &EndpointSpec) -> Result<(), Rejected> {
    if let Err(e) = crate::compare::check_density(&endpoints.recist.mapping) {
        return Err(rejected(
            &["endpoints", "recist", "mapping", "cells_per_mm3"],
            e.to_string(),
        ));
    }
    if let Err(e) = crate::compare::check_resamples(&endpoints.bootstrap) {
        return Err(rejected(
            &["endpoints", "bootstrap", "resamples"],
            e.to_string(),
        ));
    }
    Ok(())
}

impl TryFrom<StudyTable> for StudyFile {
    type Error = String;

    fn try_from(table: StudyTable) -> Result<Self, Self::Error> {
        check(table).map_err(|r| {
            let mut at = String::new();
            for segment in &r.key {
                match segment {
                    Segment::Key(k) if at.is_empty() => at.push_str(k),
                    Segment::Key(k) => {
                        at.push('.');
                        at.push_str(k);
                    }
                    Segment::Index(i) => at.push_str(&format!("[{i}]")),
                }
            }
            if at.is_empty() {
                r.reason
            } else {
                format!("`{at}`: {}", r.reason)
            }
        })
    }
}

impl From<StudyFile> for StudyTable {
    fn from(file: StudyFile) -> Self {
        let (population, patients, seed, patients_csv) = match file.patients {
            PatientSource::Drawn {
                population,
                count,
                seed,
            } => (Some(population), Some(count), Some(seed), None),
            PatientSource::Csv { path } => (None, None, None, Some(path)),
        };
        StudyTable {
            patients,
            seed,
            patients_csv,
            model: file.model,
            arms: file.arms,
            population,
            parameters: file.parameters,
            simulation: file.simulation,
            events: file.events,
            endpoints: file.endpoints,
        }
    }
}

impl StudyFile {
    /// Parses a study file from TOML text.
    ///
    /// # Errors
    /// [`IoError::Toml`] with the line and column and the key path of the offending field
    /// (`arms[2].doses[0].amount`, `population.parameters[1].distribution`) for bad syntax, a
    /// missing or unknown field, a value of the wrong type or an unknown `type` tag; for both
    /// `[population]` and `patients_csv`, or a drawn population without `patients` or `seed`;
    /// for a `[[parameters]]` name the drawn population lacks, or a path that does not parse or
    /// lead to a real-valued parameter of the model; for grade thresholds out of order; for a
    /// drawn population's value out of range (a negative `omega`), a non-positive
    /// `cells_per_mm3`, bootstrap resamples out of range or a toxicity column the model does
    /// not have, at their key.
    /// [`IoError::Build`] for a model that does not build (an unknown or duplicate name, an
    /// invalid parameter value), each problem with the line of its component. Doses are
    /// checked by [`to_study`](Self::to_study).
    pub fn from_toml_str(text: &str) -> Result<StudyFile, IoError> {
        from_text(text, "<string>")
    }

    /// Reads a study file; a relative `patients_csv` is taken from the file's directory.
    ///
    /// # Errors
    /// [`IoError::File`] when the file cannot be read; [`IoError::Toml`] and
    /// [`IoError::Build`] as in [`from_toml_str`](Self::from_toml_str), with the path.
    pub fn read(path: impl AsRef<Path>) -> Result<StudyFile, IoError> {
        let path = path.as_ref();
        let text = super::read_text(path)?;
        let mut file = from_text(&text, &path.display().to_string())?;
        if let PatientSource::Csv { path: csv } = &mut file.patients {
            if csv.is_relative() {
                if let Some(dir) = path.parent() {
                    *csv = dir.join(&*csv);
                }
            }
        }
        Ok(file)
    }

    /// The file as TOML text (read back by [`from_toml_str`](Self::from_toml_str) into an equal
    /// `StudyFile`; numbers are written in the shortest form that reads back to the same f64).
    ///
    /// # Errors
    /// [`IoError::TomlWrite`] if the serializer rejects a value (a seed above `i64::MAX`, which
    /// TOML integers cannot hold; a path that is not UTF-8).
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

    /// The file of a study built in code. A [`Study`] holds its patients' values, not how they
    /// were made, so `patients` says it: the file reproduces `study` when `patients` gives the
    /// study's patients (the population and seed they were drawn with, or the CSV they were
    /// read from). The output times are written as a list, the events and endpoints as they
    /// are.
    ///
    /// # Errors
    /// [`IoError::CustomTerms`] when the model has user [`Custom`](crate::model::Custom) terms,
    /// [`IoError::ParameterFunctions`] when the [`ParamMap`] has
    /// [function](ParamMap::function) bindings: both are code, and a file cannot hold them.
    pub fn from_study(study: &Study, patients: PatientSource) -> Result<StudyFile, IoError> {
        let custom: Vec<&str> = study.model.custom_terms().collect();
        if !custom.is_empty() {
            return Err(IoError::CustomTerms {
                names: custom.join(", "),
            });
        }
        let functions: Vec<&str> = study.parameters.functions().collect();
        if !functions.is_empty() {
            return Err(IoError::ParameterFunctions {
                labels: functions.join(", "),
            });
        }
        let parameters = study
            .parameters
            .paths()
            .map(|(name, path)| ParameterBinding::new(name, path.as_str()))
            .collect();
        Ok(StudyFile {
            model: study.model.spec().clone(),
            arms: study.arms.clone(),
            patients,
            parameters,
            simulation: SimulationSection::at_times(study.times.clone())
                .with_solver(study.options.clone()),
            events: study.events.clone(),
            endpoints: study.endpoints.clone(),
        })
    }

    /// The study the file describes: the model built, the patients drawn with the seed (or
    /// read from the CSV), the parameter paths bound, the output times laid out.
    ///
    /// # Errors
    /// [`Error::Build`] for an invalid model; [`Error::Population`] for an invalid population
    /// (naming the parameter and field), an unreadable CSV (naming line and column) or a
    /// parameter path that does not parse; [`Error::Schedule`] for an invalid output grid. (Grade
    /// thresholds are checked when the file is read.) Doses and paths are checked against the
    /// model when the study runs ([`Study::run`]).
    pub fn to_study(&self) -> Result<Study, Error> {
        let model = self.model.clone().build()?;
        let patients = match &self.patients {
            PatientSource::Drawn {
                population,
                count,
                seed,
            } => population.sampler()?.draw(*seed, *count)?,
            PatientSource::Csv { path } => Population::read(path)?,
        };
        let mut parameters = ParamMap::new();
        for binding in &self.parameters {
            parameters = parameters.path(binding.name.clone(), &binding.path)?;
        }
        let times = self.simulation.output_times()?;
        let mut study = Study::new(model, self.arms.clone(), patients, parameters, times);
        study.events = self.events.clone();
        study.endpoints = self.endpoints.clone();
        study.options = self.simulation.solver.clone();
        Ok(study)
    }
}

fn from_text(text: &str, path: &str) -> Result<StudyFile, IoError> {
    let table: StudyTable = parse(text, path)?;
    let file = check(table).map_err(|r| at_key(path, text, &r.key, &r.reason))?;
    let model = match file.model.clone().build() {
        Ok(model) => model,
        Err(error) => return Err(super::build_error::build_error(path, text, error)),
    };
    if let Some(toxicity) = &file.endpoints.toxicity {
        // An empty trajectory has the columns every simulation of the model will have.
        if let Err(e) = crate::trajectory::Trajectory::new(&model).column_by_name(&toxicity.column)
        {
            let key = key(&["endpoints", "toxicity", "column"]);
            return Err(at_key(path, text, &key, &e.to_string()));
        }
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Parameter;

    fn population() -> PopulationSpec {
        PopulationSpec::new(vec![Parameter::fixed("kg", 0.1)])
    }

    fn key_of(result: Result<impl std::fmt::Debug, Rejected>) -> Vec<Segment> {
        match result {
            Ok(v) => panic!("accepted: {v:?}"),
            Err(r) => r.key,
        }
    }

    #[test]
    fn the_patients_come_from_exactly_one_source() {
        let csv = || Some(PathBuf::from("p.csv"));
        assert_eq!(
            key_of(patient_source(Some(population()), csv(), None, None)),
            key(&["patients_csv"])
        );
        assert!(matches!(
            patient_source(Some(population()), None, Some(3), Some(7)),
            Ok(PatientSource::Drawn {
                count: 3,
                seed: 7,
                ..
            })
        ));
        assert!(matches!(
            patient_source(None, csv(), None, None),
            Ok(PatientSource::Csv { .. })
        ));
        assert_eq!(
            key_of(patient_source(None, csv(), None, Some(7))),
            key(&["seed"])
        );
        assert_eq!(
            key_of(patient_source(None, None, Some(3), Some(7))),
            key(&["patients"])
        );
        assert_eq!(key_of(patient_source(None, None, None, None)), key(&[]));
    }

    #[test]
    fn a_drawn_population_needs_a_count_and_a_seed() {
        let reason = |count, seed| match drawn(population(), count, seed) {
            Err(r) => (r.key, r.reason),
            Ok(_) => panic!("accepted"),
        };
        let (at, why) = reason(None, Some(1));
        assert_eq!(at, key(&["population"]));
        assert!(why.starts_with("missing field `patients`"), "{why}");
        let (_, why) = reason(Some(2), None);
        assert!(why.starts_with("missing field `seed`"), "{why}");
    }

    #[test]
    fn bindings_name_a_population_value_and_a_model_parameter() {
        let drawn = drawn(population(), Some(1), Some(1)).unwrap_or_else(|_| panic!());
        let names = population_names(&drawn);
        assert_eq!(names.as_deref(), Some(&["kg"][..]));
        let csv = PatientSource::Csv {
            path: PathBuf::from("p.csv"),
        };
        assert_eq!(population_names(&csv), None);
        let binding = |name: &str| vec![ParameterBinding::new(name, "no.such.path")];
        let model = ModelSpec::default();
        let at = |i: usize, field: &str| {
            vec![
                Segment::Key("parameters".into()),
                Segment::Index(i),
                Segment::Key(field.into()),
            ]
        };
        assert_eq!(
            key_of(check_bindings(&binding("kd"), names.as_deref(), &model)),
            at(0, "name")
        );
        assert_eq!(
            key_of(check_bindings(&binding("kg"), names.as_deref(), &model)),
            at(0, "path")
        );
        assert!(check_bindings(&[], names.as_deref(), &model).is_ok());
    }

    #[test]
    fn arm_names_are_unique() {
        let arms = [Regimen::new("a"), Regimen::new("b"), Regimen::new("a")];
        assert!(check_arm_names(&arms[..2]).is_ok());
        match check_arm_names(&arms) {
            Err(r) => {
                assert_eq!(
                    r.key,
                    [
                        Segment::Key("arms".into()),
                        Segment::Index(2),
                        Segment::Key("name".into())
                    ]
                );
                assert!(r.reason.contains("already used by arm 0"), "{}", r.reason);
            }
            Ok(()) => panic!("accepted"),
        }
    }

    #[test]
    fn default_endpoints_are_accepted() {
        assert!(check_endpoints(&EndpointSpec::default()).is_ok());
    }
}
