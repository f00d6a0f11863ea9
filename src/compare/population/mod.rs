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

mod csv;
mod distribution;
mod map;
mod sampler;

pub use crate::model::path::{ParamPath, Segment, Selector};
pub use csv::format_number;
pub use distribution::{Correlations, Distribution, Parameter, PopulationSpec};
pub use map::{BoundParamMap, ParamMap};
pub use sampler::{Sampler, MAX_PATIENTS};

use crate::compare::PopulationError;
use crate::dosing::Subject;
use std::sync::Arc;

/// The name of the patient-index column of a population CSV; no parameter may use it.
pub const ID_COLUMN: &str = "id";

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
}
