//! The uncertainty at the optimum: `s²·(JᵀJ)⁻¹` by the SVD of the column-normalized
//! Jacobian, its standard errors, correlations and condition number, and their warnings (see
//! the [report docs](super)).

use super::{FitWarning, HIGH_CORRELATION, ILL_CONDITIONED, SINGULAR_RATIO};
use crate::fit::transform::Transform;
use crate::stats::{student_t_quantile, Interval};
use nalgebra::{DMatrix, SVD};

/// The uncertainty of the searched parameters at the optimum (see the [report docs](super)).
#[derive(Debug)]
pub(super) struct Uncertainty {
    /// Standard errors on the searched scale; `None` when the information is singular.
    pub(super) standard_errors: Option<Vec<f64>>,
    /// Their correlation matrix.
    pub(super) correlation: Option<Vec<Vec<f64>>>,
    /// The condition number of the information matrix with unit diagonal.
    pub(super) condition_number: Option<f64>,
    /// The t quantile of the 95% intervals.
    pub(super) quantile: f64,
    /// Ill-conditioned, singular or highly correlated information.
    pub(super) warnings: Vec<FitWarning>,
}

impl Uncertainty {
    /// Standard errors and correlations from `s²·(JᵀJ)⁻¹` for the searched parameters `names`
    /// (one per column of `jacobian`), with `df` degrees of freedom for the intervals.
    pub(super) fn at(jacobian: &DMatrix<f64>, s2: f64, df: usize, names: &[String]) -> Self {
        let p = names.len();
        let quantile = student_t_quantile(0.975, df as f64);
        let mut warnings = Vec::new();
        let (matrix, condition) = match covariance(jacobian, s2) {
            Covariance::Regular { matrix, condition } => (matrix, condition),
            Covariance::Singular { rank } => {
                warnings.push(FitWarning::SingularInformation {
                    rank,
                    parameters: p,
                });
                return Uncertainty {
                    standard_errors: None,
                    correlation: None,
                    condition_number: None,
                    quantile,
                    warnings,
                };
            }
        };
        if condition > ILL_CONDITIONED {
            warnings.push(FitWarning::IllConditioned {
                condition_number: condition,
            });
        }
        let se: Vec<f64> = (0..p).map(|j| matrix[(j, j)].sqrt()).collect();
        let corr: Vec<Vec<f64>> = (0..p)
            .map(|i| (0..p).map(|j| matrix[(i, j)] / (se[i] * se[j])).collect())
            .collect();
        for i in 0..p {
            for j in i + 1..p {
                if corr[i][j].abs() > HIGH_CORRELATION {
                    warnings.push(FitWarning::HighCorrelation {
                        first: names[i].clone(),
                        second: names[j].clone(),
                        correlation: corr[i][j],
                    });
                }
            }
        }
        Uncertainty {
            standard_errors: Some(se),
            correlation: Some(corr),
            condition_number: Some(condition),
            quantile,
            warnings,
        }
    }

    /// The standard error of searched parameter `j`.
    pub(super) fn se(&self, j: usize) -> Option<f64> {
        self.standard_errors.as_ref().map(|se| se[j])
    }

    /// `φ̂ ± t·SE(φ)` of searched parameter `j` at `phi`, mapped back through `transform`.
    pub(super) fn interval(&self, transform: Transform, phi: f64, j: usize) -> Option<Interval> {
        self.se(j).map(|se| Interval {
            lower: transform.to_natural(phi - self.quantile * se),
            upper: transform.to_natural(phi + self.quantile * se),
        })
    }
}

/// The covariance of the searched parameters, or the rank of a singular information matrix.
pub(super) enum Covariance {
    Regular {
        matrix: DMatrix<f64>,
        condition: f64,
    },
    Singular {
        rank: usize,
    },
}

/// `s²·(JᵀJ)⁻¹` through the SVD of `J` with unit-norm columns (see the [report docs](super)).
pub(super) fn covariance(jacobian: &DMatrix<f64>, s2: f64) -> Covariance {
    let p = jacobian.ncols();
    let norms: Vec<f64> = jacobian.column_iter().map(|c| c.norm()).collect();
    let zero_columns = norms
        .iter()
        .filter(|&&d| !(d > 0.0 && d.is_finite()))
        .count();
    if zero_columns > 0 || p == 0 {
        return Covariance::Singular {
            rank: p - zero_columns,
        };
    }
    let mut scaled = jacobian.clone();
    for (j, d) in norms.iter().enumerate() {
        scaled.column_mut(j).unscale_mut(*d);
    }
    let svd = SVD::new(scaled, false, true);
    let values = &svd.singular_values;
    let largest = values.max();
    let rank = values
        .iter()
        .filter(|&&s| s > largest * SINGULAR_RATIO)
        .count();
    let Some(v_t) = svd.v_t.as_ref().filter(|_| rank == p) else {
        return Covariance::Singular { rank };
    };
    let smallest = values.min();
    // (JᵀJ)⁻¹ = D⁻¹·V·S⁻²·Vᵀ·D⁻¹ for J = U·S·Vᵀ·D.
    let mut inverse = DMatrix::zeros(p, p);
    for i in 0..p {
        for j in 0..p {
            let sum: f64 = (0..p)
                .map(|k| v_t[(k, i)] * v_t[(k, j)] / (values[k] * values[k]))
                .sum();
            inverse[(i, j)] = s2 * sum / (norms[i] * norms[j]);
        }
    }
    Covariance::Regular {
        matrix: inverse,
        condition: (largest / smallest).powi(2),
    }
}
