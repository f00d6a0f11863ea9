//! Virtual patient populations: parameter distributions, correlated random effects, random
//! numbers that depend only on (seed, patient index), populations as CSV, and the mapping of a
//! patient's values onto a model.
//!
//! Use this module when a study needs many patients rather than one: describe each parameter's
//! typical value and between-patient variability in a [`PopulationSpec`], check it once into a
//! [`Sampler`], draw a [`Population`], and rebuild the model per patient with a [`ParamMap`].
//!
//! **Distributions** (`θ` the typical value, `η` a patient's random effect):
//!
//! ```text
//! fixed          P = θ
//! log-normal     P = θ·exp(η),  η ~ N(0, ω²)     (θ is the median; by CV: ω² = ln(1 + CV²))
//! normal         P = θ + η,     η ~ N(0, SD²)
//! uniform        P ~ U[low, high)                 (θ, the midpoint, is only reported)
//! ```
//!
//! **Correlations**: the random effects of log-normal and normal parameters may be correlated
//! through one covariance matrix `Ω` (or a correlation matrix `R`, with `Ω = D·R·D` and `D` the
//! parameters' own ω or SD), factored once as `Ω = L·Lᵀ` by nalgebra's Cholesky; then
//! `η = L·z` with `z` independent standard normals. A matrix that is not positive definite is
//! an error ([`PopulationError::NotPositiveDefinite`]).
//!
//! **Random numbers**: patient `i` of a study seeded `seed` draws from its own stream,
//! `ChaCha8Rng::seed_from_u64(seed)` with `set_stream(i)`, in a fixed order: one number per
//! non-fixed parameter (a standard normal for log-normal and normal, a uniform in [0, 1) for
//! uniform), parameters first and covariates after, in the order listed. So patient `i`'s values
//! never depend on which other patients are drawn, in which order, on how many threads or on
//! which machine of a sharded run.
//!
//! **Populations as CSV**: a header `id,<name>,…`, one row per patient, numbers written in the
//! shortest form that reads back to the same `f64`, so a population round-trips bit for bit.
//!
//! **Patients to models**: a [`ParamMap`] binds population names to model parameters by
//! [`ParamPath`] (`tumors[tumor].growth.rate`: the key path of a TOML model file) or by a
//! closure, and [`ParamMap::model_for`] rebuilds the model for one patient, keeping the base
//! model's handles valid. There is no hidden state: the same patient and base model give the
//! same model.
//!
//! ```
//! use oncodyn::compare::{ParamMap, ParamPath, Parameter, PopulationSpec};
//! use oncodyn::prelude::*;
//!
//! let spec = PopulationSpec::new(vec![
//!     Parameter::log_normal_cv("growth", 0.05, 0.3), // 1/day, 30% CV
//!     Parameter::fixed("capacity", 1e12),            // cells
//! ]);
//! let sampler = spec.sampler()?;
//! let population = sampler.draw(42, 100)?;            // seed 42, patients 0..100
//! assert_eq!(population.len(), 100);
//!
//! let mut b = ModelBuilder::new();
//! let tumor = b.tumor(TumorSpec::new("tumor", 1e9, Gompertz { rate: 0.05, capacity: 1e12 }))?;
//! let model = b.build()?;
//! let map = ParamMap::new()
//!     .path("growth", "tumors[tumor].growth.rate")?
//!     .path("capacity", "tumors[tumor].growth.capacity")?;
//! map.check(model.spec(), population.names())?;
//!
//! let patient = &population.patients()[7];
//! let patient_model = map.model_for(&model, patient)?;
//! let rate = ParamPath::parse("tumors[tumor].growth.rate")?.get(patient_model.spec())?;
//! assert_eq!(rate, patient.get("growth")?);
//! let traj = simulate(&patient_model, &Regimen::new("none"), &[0.0, 10.0], &SolverOptions::default())?;
//! assert_eq!(traj.value_at(0.0, tumor)?, 1e9); // the base model's handle reads it
//! # Ok::<(), oncodyn::Error>(())
//! ```

use crate::dosing::Subject;
use crate::error::{Error, PopulationError};
pub use crate::model::path::{ParamPath, Segment, Selector};
use crate::model::{Model, ModelSpec, Slot};
use nalgebra::{Cholesky, DMatrix};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The most patients one [`Sampler::draw`] may produce: ten million, a few GB of values for a
/// handful of parameters. A larger count (`--patients 100000000000`) is rejected with
/// [`PopulationError::TooManyPatients`] before anything is drawn, rather than aborting when
/// memory runs out; draw a larger population in shards with [`Sampler::draw_range`].
pub const MAX_PATIENTS: usize = 10_000_000;
use std::io::{Read, Write};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

/// The name of the patient-index column of a population CSV; no parameter may use it.
pub const ID_COLUMN: &str = "id";

/// How much a covariance diagonal may differ (relatively) from the variance of the parameter's
/// own distribution: room for the rounding of `ω·ω` against a typed `ω²`, no more.
const VARIANCE_AGREEMENT: f64 = 1e-9;

/// Between-patient distribution of one parameter; see the [module docs](self) for the formulas.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Distribution {
    /// Every patient has the typical value.
    Fixed,
    /// `P = θ·exp(η)`, `η ~ N(0, ω²)`; `θ > 0` is the median.
    LogNormal {
        /// `ω`, the SD of `η` (≈ the CV for small ω), dimensionless, ≥ 0.
        omega: f64,
    },
    /// Log-normal given by the coefficient of variation of `P`: `ω² = ln(1 + CV²)`.
    LogNormalCv {
        /// CV of `P` (0.3 for 30%), dimensionless, ≥ 0.
        cv: f64,
    },
    /// `P = θ + η`, `η ~ N(0, SD²)`.
    Normal {
        /// SD of `P`, in the parameter's unit, ≥ 0.
        sd: f64,
    },
    /// `P ~ U[low, high)`.
    Uniform {
        /// Lower bound, in the parameter's unit.
        low: f64,
        /// Upper bound (> low), in the parameter's unit.
        high: f64,
    },
}

impl Distribution {
    /// The SD of the normal random effect `η` (ω for log-normal, SD for normal); `None` for
    /// fixed and uniform parameters, which have none.
    pub fn eta_sd(&self) -> Option<f64> {
        match *self {
            Distribution::LogNormal { omega } => Some(omega),
            Distribution::LogNormalCv { cv } => Some(cv.mul_add(cv, 1.0).ln().sqrt()),
            Distribution::Normal { sd } => Some(sd),
            Distribution::Fixed | Distribution::Uniform { .. } => None,
        }
    }

    /// `fixed`, `log_normal`, `log_normal_cv`, `normal` or `uniform`.
    pub fn kind(&self) -> &'static str {
        match self {
            Distribution::Fixed => "fixed",
            Distribution::LogNormal { .. } => "log_normal",
            Distribution::LogNormalCv { .. } => "log_normal_cv",
            Distribution::Normal { .. } => "normal",
            Distribution::Uniform { .. } => "uniform",
        }
    }
}

/// One parameter (or covariate) of a population: its name, typical value and distribution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// Name, unique in the population (`id` is reserved for the CSV's index column).
    pub name: String,
    /// Typical value `θ`, in the parameter's unit (the median of a log-normal parameter).
    pub typical: f64,
    /// Between-patient distribution.
    pub distribution: Distribution,
}

impl Parameter {
    /// A parameter every patient shares.
    pub fn fixed(name: impl Into<String>, value: f64) -> Self {
        Parameter {
            name: name.into(),
            typical: value,
            distribution: Distribution::Fixed,
        }
    }

    /// Log-normal with median `typical` and `η ~ N(0, omega²)`.
    pub fn log_normal(name: impl Into<String>, typical: f64, omega: f64) -> Self {
        Parameter {
            name: name.into(),
            typical,
            distribution: Distribution::LogNormal { omega },
        }
    }

    /// Log-normal with median `typical` and coefficient of variation `cv` (0.3 for 30%).
    pub fn log_normal_cv(name: impl Into<String>, typical: f64, cv: f64) -> Self {
        Parameter {
            name: name.into(),
            typical,
            distribution: Distribution::LogNormalCv { cv },
        }
    }

    /// Normal with mean `typical` and standard deviation `sd`.
    pub fn normal(name: impl Into<String>, typical: f64, sd: f64) -> Self {
        Parameter {
            name: name.into(),
            typical,
            distribution: Distribution::Normal { sd },
        }
    }

    /// Uniform on `[low, high)`; the typical value is the midpoint.
    pub fn uniform(name: impl Into<String>, low: f64, high: f64) -> Self {
        Parameter {
            name: name.into(),
            typical: 0.5 * (low + high),
            distribution: Distribution::Uniform { low, high },
        }
    }
}

/// Correlations between random effects, as one block over the listed parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Correlations {
    /// `Ω`, the covariance of the `η`s (log scale for log-normal parameters). Its diagonal must
    /// equal each parameter's own ω² or SD² (to 1e-9 relative), so each variance has one value.
    Covariance {
        /// The parameters, in the matrix's row order.
        parameters: Vec<String>,
        /// Symmetric, positive definite, row by row.
        matrix: Vec<Vec<f64>>,
    },
    /// `R`, the correlation of the `η`s; the SDs are the parameters' own ω or SD.
    Correlation {
        /// The parameters, in the matrix's row order.
        parameters: Vec<String>,
        /// Symmetric, unit diagonal, positive definite, row by row.
        matrix: Vec<Vec<f64>>,
    },
}

/// A virtual population's description: plain data, checked by [`sampler`](Self::sampler).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationSpec {
    /// Model parameters, drawn first, in this order.
    pub parameters: Vec<Parameter>,
    /// Covariates (weight, height, …), drawn after the parameters, in this order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub covariates: Vec<Parameter>,
    /// Optional correlations between random effects of parameters or covariates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlations: Option<Correlations>,
}

impl PopulationSpec {
    /// A population of `parameters`, without covariates or correlations.
    pub fn new(parameters: Vec<Parameter>) -> Self {
        PopulationSpec {
            parameters,
            covariates: Vec::new(),
            correlations: None,
        }
    }

    /// The same population with drawn `covariates`.
    #[must_use]
    pub fn with_covariates(mut self, covariates: Vec<Parameter>) -> Self {
        self.covariates = covariates;
        self
    }

    /// The same population with `correlations`.
    #[must_use]
    pub fn with_correlations(mut self, correlations: Correlations) -> Self {
        self.correlations = Some(correlations);
        self
    }

    /// Checks the description and factors the covariance once.
    ///
    /// # Errors
    /// [`PopulationError::InvalidName`], [`DuplicateName`](PopulationError::DuplicateName),
    /// [`InvalidDistribution`](PopulationError::InvalidDistribution) naming the parameter and
    /// field; for the correlations [`UnknownParameter`](PopulationError::UnknownParameter),
    /// [`NotRandom`](PopulationError::NotRandom), [`MatrixShape`](PopulationError::MatrixShape),
    /// [`InvalidMatrixEntry`](PopulationError::InvalidMatrixEntry),
    /// [`NotSymmetric`](PopulationError::NotSymmetric),
    /// [`VarianceMismatch`](PopulationError::VarianceMismatch) and
    /// [`NotPositiveDefinite`](PopulationError::NotPositiveDefinite).
    pub fn sampler(&self) -> Result<Sampler, PopulationError> {
        let all: Vec<&Parameter> = self.parameters.iter().chain(&self.covariates).collect();
        let mut names: Vec<String> = Vec::with_capacity(all.len());
        let mut entries = Vec::with_capacity(all.len());
        for p in &all {
            check_name(&p.name, &names)?;
            names.push(p.name.clone());
            entries.push(entry(p)?);
        }
        let block = match &self.correlations {
            None => None,
            Some(c) => Some(block(c, &all, &names)?),
        };
        Ok(Sampler {
            names: names.into(),
            entries,
            block,
        })
    }
}

/// Checks `name` is usable and not among `taken`.
fn check_name(name: &str, taken: &[String]) -> Result<(), PopulationError> {
    let reason = if name.is_empty() {
        "empty"
    } else if name == ID_COLUMN {
        "reserved for the patient index column"
    } else if name.contains([',', '"', '\n', '\r']) {
        "contains a comma, quote or line break"
    } else if taken.iter().any(|t| t == name) {
        return Err(PopulationError::DuplicateName {
            name: name.to_string(),
        });
    } else {
        return Ok(());
    };
    Err(PopulationError::InvalidName {
        name: name.to_string(),
        reason,
    })
}

/// How one entry is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Fixed,
    LogNormal { sd: f64 },
    Normal { sd: f64 },
    Uniform { low: f64, high: f64 },
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Entry {
    typical: f64,
    kind: Kind,
}

fn entry(p: &Parameter) -> Result<Entry, PopulationError> {
    let invalid = |field: &'static str, value: f64, reason: &'static str| {
        PopulationError::InvalidDistribution {
            parameter: p.name.clone(),
            field,
            value,
            reason,
        }
    };
    let bad = |field, value, reason| Err(invalid(field, value, reason));
    let typical = p.typical;
    if !typical.is_finite() {
        return bad("typical", typical, "must be finite");
    }
    let spread = |field: &'static str, value: f64| {
        if value.is_finite() && value >= 0.0 {
            Ok(value)
        } else {
            Err(invalid(field, value, "must be finite and non-negative"))
        }
    };
    let kind = match p.distribution {
        Distribution::Fixed => Kind::Fixed,
        Distribution::LogNormal { omega } => {
            spread("omega", omega)?;
            if typical <= 0.0 {
                return bad(
                    "typical",
                    typical,
                    "must be positive for a log-normal parameter",
                );
            }
            Kind::LogNormal { sd: omega }
        }
        Distribution::LogNormalCv { cv } => {
            spread("cv", cv)?;
            if typical <= 0.0 {
                return bad(
                    "typical",
                    typical,
                    "must be positive for a log-normal parameter",
                );
            }
            Kind::LogNormal {
                sd: cv.mul_add(cv, 1.0).ln().sqrt(),
            }
        }
        Distribution::Normal { sd } => Kind::Normal {
            sd: spread("sd", sd)?,
        },
        Distribution::Uniform { low, high } => {
            if !low.is_finite() {
                return bad("low", low, "must be finite");
            }
            if !(high.is_finite() && high > low) {
                return bad("high", high, "must be finite and greater than low");
            }
            if !(low..=high).contains(&typical) {
                return bad("typical", typical, "must lie between low and high");
            }
            Kind::Uniform { low, high }
        }
    };
    Ok(Entry { typical, kind })
}

/// A correlated block: the entries it covers and the lower Cholesky factor of their covariance.
#[derive(Clone, Debug, PartialEq)]
struct Block {
    members: Vec<usize>,
    lower: DMatrix<f64>,
}

fn block(c: &Correlations, all: &[&Parameter], names: &[String]) -> Result<Block, PopulationError> {
    let (listed, matrix, is_covariance) = match c {
        Correlations::Covariance { parameters, matrix } => (parameters, matrix, true),
        Correlations::Correlation { parameters, matrix } => (parameters, matrix, false),
    };
    let k = listed.len();
    let mut members = Vec::with_capacity(k);
    let mut sds = Vec::with_capacity(k);
    for name in listed {
        let Some(i) = names.iter().position(|n| n == name) else {
            return Err(PopulationError::UnknownParameter {
                name: name.clone(),
                available: names.join(", "),
            });
        };
        if members.contains(&i) {
            return Err(PopulationError::DuplicateName { name: name.clone() });
        }
        let Some(sd) = all[i].distribution.eta_sd() else {
            return Err(PopulationError::NotRandom {
                parameter: name.clone(),
                distribution: all[i].distribution.kind(),
            });
        };
        members.push(i);
        sds.push(sd);
    }
    if matrix.len() != k {
        return Err(PopulationError::MatrixShape {
            expected: k,
            what: "rows".to_string(),
            got: matrix.len(),
        });
    }
    for (r, row) in matrix.iter().enumerate() {
        if row.len() != k {
            return Err(PopulationError::MatrixShape {
                expected: k,
                what: format!("row {r}"),
                got: row.len(),
            });
        }
        for (col, &value) in row.iter().enumerate() {
            if !value.is_finite() {
                return Err(PopulationError::InvalidMatrixEntry {
                    row: r,
                    column: col,
                    value,
                    reason: "must be finite",
                });
            }
        }
    }
    for (r, row) in matrix.iter().enumerate() {
        for (col, other) in matrix.iter().enumerate().skip(r + 1) {
            if row[col] != other[r] {
                return Err(PopulationError::NotSymmetric {
                    row: r,
                    column: col,
                    upper: row[col],
                    lower: other[r],
                });
            }
        }
    }
    let omega = if is_covariance {
        for r in 0..k {
            let variance = sds[r] * sds[r];
            let given = matrix[r][r];
            if (given - variance).abs() > VARIANCE_AGREEMENT * given.abs().max(variance) {
                return Err(PopulationError::VarianceMismatch {
                    parameter: listed[r].clone(),
                    matrix: given,
                    distribution: variance,
                });
            }
        }
        DMatrix::from_fn(k, k, |r, col| matrix[r][col])
    } else {
        for (r, row) in matrix.iter().enumerate() {
            if row[r] != 1.0 {
                return Err(PopulationError::InvalidMatrixEntry {
                    row: r,
                    column: r,
                    value: row[r],
                    reason: "must be 1 on the diagonal of a correlation matrix",
                });
            }
        }
        DMatrix::from_fn(k, k, |r, col| sds[r] * matrix[r][col] * sds[col])
    };
    match Cholesky::new(omega) {
        Some(chol) => Ok(Block {
            members,
            lower: chol.l(),
        }),
        None => Err(PopulationError::NotPositiveDefinite {
            parameters: listed.join(", "),
        }),
    }
}

/// A checked [`PopulationSpec`] with its covariance factored: draws patients.
///
/// Cheap to share across threads (`Send + Sync`); drawing never changes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    names: Arc<[String]>,
    entries: Vec<Entry>,
    block: Option<Block>,
}

impl Sampler {
    /// Names of the values each patient gets: parameters, then covariates.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The typical values, in [`names`](Self::names) order.
    pub fn typical(&self) -> Vec<f64> {
        self.entries.iter().map(|e| e.typical).collect()
    }

    /// Patient `index` of a study seeded `seed`: its values depend on nothing else (see the
    /// [module docs](self) for the stream and the order of draws).
    ///
    /// # Errors
    /// [`PopulationError::NonFiniteDraw`] if a value overflows (e.g. `exp(η)` for a huge ω).
    pub fn patient(&self, seed: u64, index: usize) -> Result<Patient, PopulationError> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(index as u64);
        // One number per non-fixed entry, in order: a standard normal or a uniform in [0, 1).
        let mut z = vec![0.0; self.entries.len()];
        for (zi, e) in z.iter_mut().zip(&self.entries) {
            *zi = match e.kind {
                Kind::Fixed => 0.0,
                Kind::LogNormal { .. } | Kind::Normal { .. } => rng.sample(StandardNormal),
                Kind::Uniform { .. } => rng.random::<f64>(),
            };
        }
        // Random effects: sd·z for independent entries, L·z over the correlated block.
        let mut eta: Vec<f64> = z
            .iter()
            .zip(&self.entries)
            .map(|(&zi, e)| match e.kind {
                Kind::LogNormal { sd } | Kind::Normal { sd } => sd * zi,
                Kind::Fixed | Kind::Uniform { .. } => zi,
            })
            .collect();
        if let Some(b) = &self.block {
            for (a, &ia) in b.members.iter().enumerate() {
                eta[ia] = b
                    .members
                    .iter()
                    .take(a + 1)
                    .enumerate()
                    .map(|(c, &ic)| b.lower[(a, c)] * z[ic])
                    .sum();
            }
        }
        let mut values = Vec::with_capacity(self.entries.len());
        for ((e, &h), name) in self.entries.iter().zip(&eta).zip(self.names.iter()) {
            let value = match e.kind {
                Kind::Fixed => e.typical,
                Kind::LogNormal { .. } => e.typical * h.exp(),
                Kind::Normal { .. } => e.typical + h,
                Kind::Uniform { low, high } => (high - low).mul_add(h, low),
            };
            if !value.is_finite() {
                return Err(PopulationError::NonFiniteDraw {
                    patient: index,
                    parameter: name.clone(),
                    value,
                });
            }
            values.push(value);
        }
        Ok(Patient {
            index,
            names: Arc::clone(&self.names),
            values,
        })
    }

    /// Patients `0..n`, drawn in parallel (rayon) and collected in index order: the result is
    /// the same on any number of threads.
    ///
    /// # Errors
    /// As [`draw_range`](Self::draw_range).
    pub fn draw(&self, seed: u64, n: usize) -> Result<Population, PopulationError> {
        self.draw_range(seed, 0..n)
    }

    /// Patients `range` (a shard of a larger population), drawn in parallel and collected in
    /// index order; equal, patient by patient, to the same indices of any other range.
    ///
    /// # Errors
    /// [`PopulationError::TooManyPatients`] for a range longer than [`MAX_PATIENTS`], before
    /// any patient is drawn; otherwise as [`patient`](Self::patient) (the first failing
    /// patient by index).
    pub fn draw_range(
        &self,
        seed: u64,
        range: Range<usize>,
    ) -> Result<Population, PopulationError> {
        if range.len() > MAX_PATIENTS {
            return Err(PopulationError::TooManyPatients {
                count: range.len(),
                limit: MAX_PATIENTS,
            });
        }
        let patients = range
            .into_par_iter()
            .map(|i| self.patient(seed, i))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Population {
            names: Arc::clone(&self.names),
            patients,
        })
    }
}

/// One virtual patient: its index (which seeds its random numbers) and its values by name.
#[derive(Clone, Debug, PartialEq)]
pub struct Patient {
    index: usize,
    names: Arc<[String]>,
    values: Vec<f64>,
}

impl Patient {
    /// The patient's index in the study.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Names of the values.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The values, in [`names`](Self::names) order.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// `(name, value)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.values.iter().copied())
    }

    /// The value named `name`.
    ///
    /// # Errors
    /// [`PopulationError::UnknownParameter`] listing the names there are.
    pub fn get(&self, name: &str) -> Result<f64, PopulationError> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| self.values[i])
            .ok_or_else(|| PopulationError::UnknownParameter {
                name: name.to_string(),
                available: self.names.join(", "),
            })
    }

    /// The body-size covariates for per-kg and per-m² doses: the values named `weight` (kg),
    /// `height` (cm) and `bsa` (m²), where present.
    pub fn subject(&self) -> Subject {
        Subject {
            weight: self.get("weight").ok(),
            height: self.get("height").ok(),
            bsa: self.get("bsa").ok(),
        }
    }
}

/// Patients sharing one list of names; reads and writes CSV (`id,<name>,…`) that round-trips
/// bit for bit.
#[derive(Clone, Debug, PartialEq)]
pub struct Population {
    names: Arc<[String]>,
    patients: Vec<Patient>,
}

impl Population {
    /// A population from `(index, values)` rows, the values in `names` order.
    ///
    /// # Errors
    /// [`PopulationError::InvalidName`], [`DuplicateName`](PopulationError::DuplicateName),
    /// [`RowLength`](PopulationError::RowLength),
    /// [`NonFiniteValue`](PopulationError::NonFiniteValue),
    /// [`DuplicateIndex`](PopulationError::DuplicateIndex).
    pub fn new(names: Vec<String>, rows: Vec<(usize, Vec<f64>)>) -> Result<Self, PopulationError> {
        let mut checked: Vec<String> = Vec::with_capacity(names.len());
        for name in names {
            check_name(&name, &checked)?;
            checked.push(name);
        }
        let names: Arc<[String]> = checked.into();
        let mut seen = std::collections::HashSet::with_capacity(rows.len());
        let mut patients = Vec::with_capacity(rows.len());
        for (index, values) in rows {
            if values.len() != names.len() {
                return Err(PopulationError::RowLength {
                    patient: index,
                    expected: names.len(),
                    got: values.len(),
                });
            }
            if let Some((name, &value)) = names.iter().zip(&values).find(|(_, v)| !v.is_finite()) {
                return Err(PopulationError::NonFiniteValue {
                    patient: index,
                    parameter: name.clone(),
                    value,
                });
            }
            if !seen.insert(index) {
                return Err(PopulationError::DuplicateIndex { index });
            }
            patients.push(Patient {
                index,
                names: Arc::clone(&names),
                values,
            });
        }
        Ok(Population { names, patients })
    }

    /// Names of the values, in column order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The patients, in row order.
    pub fn patients(&self) -> &[Patient] {
        &self.patients
    }

    /// Number of patients.
    pub fn len(&self) -> usize {
        self.patients.len()
    }

    /// Whether there are no patients.
    pub fn is_empty(&self) -> bool {
        self.patients.is_empty()
    }

    /// Every patient's value of `name`, in row order.
    ///
    /// # Errors
    /// [`PopulationError::UnknownParameter`] listing the names there are.
    pub fn column(&self, name: &str) -> Result<Vec<f64>, PopulationError> {
        let i = self.names.iter().position(|n| n == name).ok_or_else(|| {
            PopulationError::UnknownParameter {
                name: name.to_string(),
                available: self.names.join(", "),
            }
        })?;
        Ok(self.patients.iter().map(|p| p.values[i]).collect())
    }

    /// This population's values side by side with `other`'s (e.g. drawn parameters with
    /// covariates read from a CSV): both must hold the same patient indices in the same order.
    ///
    /// # Errors
    /// [`PopulationError::PatientMismatch`] at the first differing position;
    /// [`DuplicateName`](PopulationError::DuplicateName) for a name in both.
    pub fn join(&self, other: &Population) -> Result<Population, PopulationError> {
        let n = self.len().max(other.len());
        for position in 0..n {
            let left = self.patients.get(position).map(Patient::index);
            let right = other.patients.get(position).map(Patient::index);
            if left != right {
                return Err(PopulationError::PatientMismatch {
                    position,
                    left,
                    right,
                });
            }
        }
        let names: Vec<String> = self
            .names
            .iter()
            .chain(other.names.iter())
            .cloned()
            .collect();
        let rows = self
            .patients
            .iter()
            .zip(&other.patients)
            .map(|(a, b)| (a.index, [a.values.as_slice(), &b.values].concat()))
            .collect();
        Population::new(names, rows)
    }

    /// Writes `id,<name>,…` and one row per patient; numbers in the shortest form that reads
    /// back to the same `f64` (see [`format_number`]).
    ///
    /// # Errors
    /// [`PopulationError::Csv`] when writing fails.
    pub fn write_csv<W: Write>(&self, writer: W) -> Result<(), PopulationError> {
        let csv_error = |source: csv::Error| PopulationError::Csv { line: None, source };
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
            source,
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
            source,
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
            source,
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
            source,
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
/// round-trip).
pub fn format_number(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || (1e-4..1e15).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// A user function setting model parameters from a patient.
type SetFn = dyn Fn(&Patient, &mut ModelSpec) -> Result<(), PopulationError> + Send + Sync;

#[derive(Clone)]
enum Binding {
    Path { name: String, path: ParamPath },
    Function { label: String, apply: Arc<SetFn> },
}

/// Binds a population's values to a model's parameters: by [`ParamPath`], or by a function for
/// anything else (a covariate model such as `CL = θ·(WT/70)^0.75`, one value driving several
/// parameters).
///
/// [`apply`](Self::apply) sets every path binding, then runs the functions in the order they
/// were added; [`model_for`](Self::model_for) rebuilds the model for one patient. Nothing is
/// cached: the same patient and base model always give the same model. For many patients,
/// [`bind`](Self::bind) resolves the paths once (a [`BoundParamMap`], as a
/// [`Study`](super::Study) does) and each patient's values are then written straight into the
/// bound parameters.
#[derive(Clone, Default)]
pub struct ParamMap {
    bindings: Vec<Binding>,
}

impl fmt::Debug for ParamMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for b in &self.bindings {
            match b {
                Binding::Path { name, path } => list.entry(&format_args!("{name} -> {path}")),
                Binding::Function { label, .. } => list.entry(&format_args!("fn {label}")),
            };
        }
        list.finish()
    }
}

impl ParamMap {
    /// An empty map: the base model unchanged.
    pub fn new() -> Self {
        ParamMap::default()
    }

    /// Sets the model parameter at `path` to the patient's value `name`.
    ///
    /// # Errors
    /// [`PopulationError::InvalidPath`] when `path` does not parse.
    pub fn path(mut self, name: impl Into<String>, path: &str) -> Result<Self, PopulationError> {
        self.bindings.push(Binding::Path {
            name: name.into(),
            path: ParamPath::parse(path)?,
        });
        Ok(self)
    }

    /// Runs `apply` on each patient's model description, after the path bindings; `label`
    /// names it in debug output.
    ///
    /// ```
    /// use oncodyn::compare::{ParamMap, Patient};
    /// use oncodyn::prelude::*;
    /// // Clearance scaled allometrically by weight (kg): CL = 2·(WT/70)^0.75 L/day.
    /// let map = ParamMap::new().function("allometric cl", |patient: &Patient, spec: &mut ModelSpec| {
    ///     let weight = patient.get("weight")?;
    ///     for drug in &mut spec.drugs {
    ///         drug.cl = 2.0 * (weight / 70.0).powf(0.75);
    ///     }
    ///     Ok(())
    /// });
    /// # let _ = map;
    /// ```
    #[must_use]
    pub fn function<F>(mut self, label: impl Into<String>, apply: F) -> Self
    where
        F: Fn(&Patient, &mut ModelSpec) -> Result<(), PopulationError> + Send + Sync + 'static,
    {
        self.bindings.push(Binding::Function {
            label: label.into(),
            apply: Arc::new(apply),
        });
        self
    }

    /// The path bindings: `(population name, path)`.
    pub fn paths(&self) -> impl Iterator<Item = (&str, &ParamPath)> {
        self.bindings.iter().filter_map(|b| match b {
            Binding::Path { name, path } => Some((name.as_str(), path)),
            Binding::Function { .. } => None,
        })
    }

    /// The labels of the function bindings, in the order they run (they are code: a file
    /// cannot hold them).
    pub fn functions(&self) -> impl Iterator<Item = &str> {
        self.bindings.iter().filter_map(|b| match b {
            Binding::Function { label, .. } => Some(label.as_str()),
            Binding::Path { .. } => None,
        })
    }

    /// Checks, before a run, that every path binding's name is among `names` and its path
    /// leads to a real-valued parameter of `base` (functions can only be checked by running).
    ///
    /// # Errors
    /// [`PopulationError::UnknownParameter`], or a path error as [`ParamPath::bind`].
    pub fn check(&self, base: &ModelSpec, names: &[String]) -> Result<(), PopulationError> {
        for (name, path) in self.paths() {
            if !names.iter().any(|n| n == name) {
                return Err(PopulationError::UnknownParameter {
                    name: name.to_string(),
                    available: names.join(", "),
                });
            }
            path.bind(base)?;
        }
        Ok(())
    }

    /// Binds every path to `base` once ([`ParamPath::bind`]), for applying the map to many
    /// patients of models with `base`'s structure.
    ///
    /// # Errors
    /// A path error as [`ParamPath::bind`].
    pub fn bind(&self, base: &ModelSpec) -> Result<BoundParamMap, PopulationError> {
        let slots = crate::model::path::bind_all(base, self.paths().map(|(_, p)| p))?;
        let mut slots = slots.into_iter();
        let bindings = self
            .bindings
            .iter()
            .map(|b| match b {
                Binding::Path { name, .. } => BoundBinding::Slot {
                    name: name.clone(),
                    // One slot per path binding, in order.
                    slot: slots.next().expect("a slot per path"),
                },
                Binding::Function { apply, .. } => BoundBinding::Function(Arc::clone(apply)),
            })
            .collect();
        Ok(BoundParamMap { bindings })
    }

    /// Sets `patient`'s values into `spec`: every path binding, then the functions in order.
    ///
    /// # Errors
    /// [`PopulationError::UnknownParameter`] for a name the patient lacks; path errors as
    /// [`ParamPath::set`]; whatever a function returns.
    pub fn apply(&self, spec: &mut ModelSpec, patient: &Patient) -> Result<(), PopulationError> {
        self.bind(spec)?.apply(spec, patient)
    }

    /// `base` rebuilt with `patient`'s values ([`Model::modified`]): the same states, handles
    /// and user terms, so the base model's handles read the patient's trajectory. For many
    /// patients, [`bind`](Self::bind) once and use [`BoundParamMap::model_for`].
    ///
    /// # Errors
    /// [`Error::Population`] as [`apply`](Self::apply); [`Error::Build`] when a value is out of
    /// its parameter's range (naming the component and parameter) or changes the states.
    pub fn model_for(&self, base: &Model, patient: &Patient) -> Result<Model, Error> {
        self.bind(base.spec())?.model_for(base, patient)
    }
}

#[derive(Clone)]
enum BoundBinding {
    Slot { name: String, slot: Slot },
    Function(Arc<SetFn>),
}

/// A [`ParamMap`] with its paths bound to a model ([`ParamMap::bind`]): applying it to a
/// patient writes the patient's values straight into the bound parameters, then runs the
/// functions in the order they were added.
#[derive(Clone)]
pub struct BoundParamMap {
    bindings: Vec<BoundBinding>,
}

impl fmt::Debug for BoundParamMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for b in &self.bindings {
            match b {
                BoundBinding::Slot { name, slot } => {
                    list.entry(&format_args!("{name} -> slot {}", slot.index()))
                }
                BoundBinding::Function(_) => list.entry(&format_args!("fn")),
            };
        }
        list.finish()
    }
}

impl BoundParamMap {
    /// The patient's values for the path bindings, with their slots.
    fn values(&self, patient: &Patient) -> Result<Vec<(Slot, f64)>, PopulationError> {
        self.bindings
            .iter()
            .filter_map(|b| match b {
                BoundBinding::Slot { name, slot } => Some(patient.get(name).map(|v| (*slot, v))),
                BoundBinding::Function(_) => None,
            })
            .collect()
    }

    fn has_functions(&self) -> bool {
        self.bindings
            .iter()
            .any(|b| matches!(b, BoundBinding::Function(_)))
    }

    fn run_functions(
        &self,
        spec: &mut ModelSpec,
        patient: &Patient,
    ) -> Result<(), PopulationError> {
        for b in &self.bindings {
            if let BoundBinding::Function(apply) = b {
                apply(patient, spec)?;
            }
        }
        Ok(())
    }

    /// Sets `patient`'s values into `spec` (of the structure the map was bound to): every
    /// path binding, then the functions in order.
    ///
    /// # Errors
    /// [`PopulationError::UnknownParameter`] for a name the patient lacks;
    /// [`PopulationError::ForeignModel`] for a `spec` of another structure; whatever a
    /// function returns.
    pub fn apply(&self, spec: &mut ModelSpec, patient: &Patient) -> Result<(), PopulationError> {
        spec.set_all(&self.values(patient)?)
            .map_err(|_| PopulationError::ForeignModel)?;
        self.run_functions(spec, patient)
    }

    /// `base` (of the structure the map was bound to) rebuilt with `patient`'s values; see
    /// [`ParamMap::model_for`].
    ///
    /// # Errors
    /// As [`ParamMap::model_for`]; [`BuildError::ForeignSlot`](crate::BuildError::ForeignSlot)
    /// for a `base` of another structure.
    pub fn model_for(&self, base: &Model, patient: &Patient) -> Result<Model, Error> {
        let values = self.values(patient)?;
        if !self.has_functions() {
            return Ok(base.with(&values)?);
        }
        let mut spec = base.spec().clone();
        spec.set_all(&values)?;
        self.run_functions(&mut spec, patient)?;
        Ok(base.rebuilt(spec)?)
    }
}
