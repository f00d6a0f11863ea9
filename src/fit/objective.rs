//! Error models, and the residuals whose sum of squares is the concentrated −2 log-likelihood.
//!
//! Use this module to choose how observations scatter around the model's predictions. For
//! observation `y_i` and prediction `f_i`, each error model is Gaussian in a residual `e_i`
//! with variance `σ²·w_i`:
//!
//! ```text
//! additive       e = y − f              w = 1                 SD = σ            (σ in the output's unit)
//! proportional   e = y − f              w = f²                SD = σ·f          (σ a fraction, the CV)
//! combined       e = y − f              w = c² + f²           SD = √(a² + b²f²) (b = σ, a = σ·c)
//! log-normal     e = ln y − ln f        w = 1                 SD of ln y = σ
//! ```
//!
//! **Estimation by maximum likelihood with σ profiled out.** For fixed structural parameters
//! `θ` (and `c`), the likelihood is maximal at `σ̂² = (1/n)·Σ e_i²/w_i`; putting it back gives the
//! concentrated (profile) likelihood
//!
//! ```text
//! −2LL(θ) = n·ln(2π) + n + n·ln(S(θ)/n) + J,      S(θ) = Σ r_i²,   r_i = e_i·√(ḡ/w_i)
//! ```
//!
//! with `ḡ = exp(mean ln w_i)` the geometric mean of the weights and `J = 2·Σ ln y_i` for the
//! log-normal model (the Jacobian of `y ↦ ln y`, so −2LL is the density of `y` itself and can
//! be compared across error models), else 0. Minimizing `−2LL` is therefore exactly the least
//! squares problem `min Σ r_i²`, solved by Levenberg–Marquardt. For additive and log-normal
//! error this is ordinary least squares; for proportional and combined error the factor
//! `√(ḡ/w_i)` makes it the exact maximum-likelihood problem (not iteratively reweighted least
//! squares, which ignores the information in the variance).

use serde::{Deserialize, Serialize};

/// How observations scatter around predictions (see the [module docs](self)). The scale
/// `σ` is estimated by profiling; the combined model also estimates the ratio `c = a/b`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorModel {
    /// `y = f + σ·ε`: constant SD in the output's unit.
    Additive,
    /// `y = f·(1 + σ·ε)`: SD proportional to the prediction (σ is the CV). Needs `y > 0` and
    /// `f > 0`.
    Proportional,
    /// `SD = √(a² + b²·f²)`: additive at low predictions, proportional at high ones. The
    /// values given start the search for `c = a/b`; `a` and `b` are both estimated.
    Combined {
        /// Starting additive SD `a`, output unit (finite, > 0).
        additive: f64,
        /// Starting proportional SD `b`, fraction (finite, > 0).
        proportional: f64,
    },
    /// `ln y = ln f + σ·ε` (additive on the log scale). Needs `y > 0` and `f > 0`.
    LogNormal,
}

impl ErrorModel {
    /// `additive`, `proportional`, `combined` or `log-normal`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorModel::Additive => "additive",
            ErrorModel::Proportional => "proportional",
            ErrorModel::Combined { .. } => "combined",
            ErrorModel::LogNormal => "log-normal",
        }
    }

    /// Whether observations and predictions must be positive (proportional and log-normal).
    pub fn needs_positive_values(self) -> bool {
        matches!(self, ErrorModel::Proportional | ErrorModel::LogNormal)
    }

    /// Number of error-model parameters estimated: σ, and for the combined model also `c`.
    pub fn n_parameters(self) -> usize {
        1 + self.n_searched()
    }

    /// Number of error-model parameters searched by the optimizer (`ln c` for combined).
    pub(crate) fn n_searched(self) -> usize {
        usize::from(matches!(self, ErrorModel::Combined { .. }))
    }

    /// Checks the starting values.
    pub(crate) fn check(self) -> Result<(), crate::fit::error::FitError> {
        if let ErrorModel::Combined {
            additive,
            proportional,
        } = self
        {
            for (param, value) in [("additive", additive), ("proportional", proportional)] {
                if !(value.is_finite() && value > 0.0) {
                    return Err(crate::fit::error::FitError::InvalidErrorModel {
                        param,
                        value,
                        reason: "must be finite and positive",
                    });
                }
            }
        }
        Ok(())
    }

    /// The starting search values of the error model's own parameters (`ln(a/b)` for combined).
    pub(crate) fn initial_search(self) -> Vec<f64> {
        match self {
            ErrorModel::Combined {
                additive,
                proportional,
            } => vec![(additive / proportional).ln()],
            _ => Vec::new(),
        }
    }

    /// The residual `e` and weight `w` of one observation, given `c` for the combined model
    /// (values must be positive for the log-normal model: checked by the caller).
    pub(crate) fn residual(self, observed: f64, predicted: f64, ratio: f64) -> (f64, f64) {
        match self {
            ErrorModel::Additive => (observed - predicted, 1.0),
            ErrorModel::Proportional => (observed - predicted, predicted * predicted),
            ErrorModel::Combined { .. } => {
                (observed - predicted, ratio * ratio + predicted * predicted)
            }
            ErrorModel::LogNormal => (observed.ln() - predicted.ln(), 1.0),
        }
    }
}

/// Residuals and weights at one point, with the scaled residuals the optimizer sees.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Evaluation {
    /// Predictions `f_i`, one per observation.
    pub predictions: Vec<f64>,
    /// Residuals `e_i` on the error model's scale.
    pub errors: Vec<f64>,
    /// Weights `w_i` (variance `σ²·w_i`).
    pub weights: Vec<f64>,
    /// `r_i = e_i·√(ḡ/w_i)`: `Σ r_i²` is the concentrated objective.
    pub scaled: Vec<f64>,
}

impl Evaluation {
    /// The evaluation of `predictions` against `observed` under `model`, with `ratio = c` for
    /// the combined model (ignored otherwise). Predictions are checked positive by the caller
    /// where the model needs it.
    pub(crate) fn new(
        model: ErrorModel,
        observed: &[f64],
        predictions: Vec<f64>,
        ratio: f64,
    ) -> Self {
        let (errors, weights): (Vec<f64>, Vec<f64>) = observed
            .iter()
            .zip(&predictions)
            .map(|(&y, &f)| model.residual(y, f, ratio))
            .unzip();
        let n = weights.len().max(1) as f64;
        let mean_log_weight = weights.iter().map(|w| w.ln()).sum::<f64>() / n;
        let scaled = errors
            .iter()
            .zip(&weights)
            .map(|(e, w)| e * (0.5 * (mean_log_weight - w.ln())).exp())
            .collect();
        Evaluation {
            predictions,
            errors,
            weights,
            scaled,
        }
    }

    /// `Σ e_i²/w_i`.
    pub(crate) fn weighted_sum_of_squares(&self) -> f64 {
        self.errors
            .iter()
            .zip(&self.weights)
            .map(|(e, w)| e * e / w)
            .sum()
    }
}

/// The concentrated −2 log-likelihood `n·ln(2π) + n + n·ln(S/n) + J` of the scaled sum of
/// squares `S = Σ r_i²` (see the [module docs](self)): the value at the profiled
/// `σ̂² = (1/n)·Σ e²/w`.
pub(crate) fn minus_two_log_likelihood(
    model: ErrorModel,
    observed: &[f64],
    sum_of_squares: f64,
) -> f64 {
    let n = observed.len() as f64;
    let jacobian = if model == ErrorModel::LogNormal {
        2.0 * observed.iter().map(|y| y.ln()).sum::<f64>()
    } else {
        0.0
    };
    n * (2.0 * std::f64::consts::PI).ln() + n + n * (sum_of_squares / n).ln() + jacobian
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// −2LL written out directly, Σ [ln(2π σ² w_i) + e_i²/(σ² w_i)] (+ 2 Σ ln y for log-normal).
    fn direct(model: ErrorModel, y: &[f64], f: &[f64], sigma: f64, ratio: f64) -> f64 {
        y.iter()
            .zip(f)
            .map(|(&y, &f)| {
                let (e, w) = model.residual(y, f, ratio);
                let v = sigma * sigma * w;
                let jac = if model == ErrorModel::LogNormal {
                    2.0 * y.ln()
                } else {
                    0.0
                };
                (2.0 * std::f64::consts::PI * v).ln() + e * e / v + jac
            })
            .sum()
    }

    #[test]
    fn the_concentrated_objective_equals_the_likelihood_at_the_profiled_sigma() {
        let y = [1.2, 2.9, 4.1, 7.7, 9.0];
        let f = [1.0, 3.0, 4.5, 7.0, 9.5];
        let combined = ErrorModel::Combined {
            additive: 0.3,
            proportional: 0.1,
        };
        for model in [
            ErrorModel::Additive,
            ErrorModel::Proportional,
            combined,
            ErrorModel::LogNormal,
        ] {
            let ratio = 3.0;
            let ev = Evaluation::new(model, &y, f.to_vec(), ratio);
            let n = y.len() as f64;
            let sigma = (ev.weighted_sum_of_squares() / n).sqrt();
            // The concentrated value of the scaled sum of squares, n ln(S/n) + n ln 2π + n + J,
            // is the likelihood at σ̂.
            let s: f64 = ev.scaled.iter().map(|r| r * r).sum();
            let m2ll = minus_two_log_likelihood(model, &y, s);
            assert_relative_eq!(
                m2ll,
                direct(model, &y, &f, sigma, ratio),
                max_relative = 1e-13
            );
            // And σ̂ maximizes the likelihood: ±1% in σ both increase −2LL.
            assert!(direct(model, &y, &f, sigma * 1.01, ratio) > m2ll);
            assert!(direct(model, &y, &f, sigma * 0.99, ratio) > m2ll);
        }
    }
}
