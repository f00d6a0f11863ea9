//! Between-patient distributions of parameters and covariates, their correlations, and the
//! [`PopulationSpec`] that lists them.

use super::check_name;
use super::sampler::{block, entry, Sampler};
use crate::compare::PopulationError;
use serde::{Deserialize, Serialize};

/// Between-patient distribution of one parameter; see the [module docs](super) for the formulas.
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
