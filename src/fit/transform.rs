//! Transforms between a free parameter's natural scale `θ` and the unconstrained search
//! variable `φ` the optimizer moves, so a bounded parameter can never leave its bounds.
//!
//! Use this module to choose how a [`FreeParameter`] is searched:
//!
//! ```text
//! identity   θ = φ                                        θ ∈ ℝ
//! log        θ = exp(φ)                                   θ ∈ (0, ∞)
//! logit      θ = lower + (upper − lower)/(1 + exp(−φ))    θ ∈ (lower, upper)
//! ```
//!
//! Standard errors found on the `φ` scale reach the natural scale by the delta method,
//! `SE(θ) = |dθ/dφ|·SE(φ)`; 95% intervals are built on the `φ` scale and mapped back, so they
//! stay inside the bounds (and are asymmetric on the natural scale for log and logit).

use crate::fit::error::FitError;
use crate::model::ParamPath;
use serde::{Deserialize, Serialize};

/// How a free parameter's natural value `θ` is mapped to the optimizer's variable `φ`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Transform {
    /// `θ = φ`: any real value (a net growth rate that may be negative).
    Identity,
    /// `θ = exp(φ)`: a positive value (rates, clearances, volumes, capacities).
    Log,
    /// `θ = lower + (upper − lower)/(1 + exp(−φ))`: a value strictly between two finite
    /// bounds (a bioavailability in (0, 1), an exponent in (0, 1)).
    Logit {
        /// Lower bound, in the parameter's unit (finite, < `upper`).
        lower: f64,
        /// Upper bound, in the parameter's unit (finite, > `lower`).
        upper: f64,
    },
}

impl Transform {
    /// The natural value `θ` of the search variable `φ`.
    pub fn to_natural(self, phi: f64) -> f64 {
        match self {
            Transform::Identity => phi,
            Transform::Log => phi.exp(),
            Transform::Logit { lower, upper } => lower + (upper - lower) * logistic(phi),
        }
    }

    /// The search variable `φ` of a natural value `θ` (not finite outside the domain).
    pub fn to_search(self, theta: f64) -> f64 {
        match self {
            Transform::Identity => theta,
            Transform::Log => theta.ln(),
            Transform::Logit { lower, upper } => ((theta - lower) / (upper - theta)).ln(),
        }
    }

    /// `dθ/dφ` at `φ`, for the delta method.
    pub fn derivative(self, phi: f64) -> f64 {
        match self {
            Transform::Identity => 1.0,
            Transform::Log => phi.exp(),
            Transform::Logit { lower, upper } => {
                let p = logistic(phi);
                (upper - lower) * p * (1.0 - p)
            }
        }
    }

    /// The domain `(lower, upper)` of `θ` (infinite ends where unbounded).
    pub fn bounds(self) -> (f64, f64) {
        match self {
            Transform::Identity => (f64::NEG_INFINITY, f64::INFINITY),
            Transform::Log => (0.0, f64::INFINITY),
            Transform::Logit { lower, upper } => (lower, upper),
        }
    }

    /// Whether `θ` lies strictly inside the domain.
    pub fn contains(self, theta: f64) -> bool {
        let (lower, upper) = self.bounds();
        theta.is_finite() && theta > lower && theta < upper
    }

    /// `identity`, `log` or `logit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Transform::Identity => "identity",
            Transform::Log => "log",
            Transform::Logit { .. } => "logit",
        }
    }
}

/// `1/(1 + e^(−x))` without overflow for large `|x|`.
fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// A model parameter the fit estimates: its name in reports, where it sits in the model
/// ([`ParamPath`], the key path of a TOML model file), its starting value and its transform.
///
/// Every parameter of the model that is not free stays at the model's value (fixed).
///
/// ```
/// use oncodyn::fit::{FreeParameter, Transform};
/// let ka = FreeParameter::positive("ka", "drugs[drug].absorption.ka", 2.0)?;       // 1/day
/// let f = FreeParameter::bounded("F", "drugs[drug].absorption.bioavailability", 0.8, 0.0, 1.0)?;
/// assert_eq!(ka.transform, Transform::Log);
/// assert_eq!(f.transform, Transform::Logit { lower: 0.0, upper: 1.0 });
/// # Ok::<(), oncodyn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct FreeParameter {
    /// Name in reports (unique within a problem).
    pub name: String,
    /// Where the parameter sits in the model description.
    pub path: ParamPath,
    /// Starting value of the first start, natural scale (strictly inside the transform's
    /// domain).
    pub initial: f64,
    /// How the optimizer searches it.
    pub transform: Transform,
    /// Range the multi-start draws further starting values from, natural scale; `None` for the
    /// default: the bounds for [`Transform::Logit`], `[initial/10, initial·10]` for
    /// [`Transform::Log`], `initial ± max(|initial|, 1)` for [`Transform::Identity`].
    pub start_range: Option<(f64, f64)>,
}

impl FreeParameter {
    /// A free parameter at `path` searched with `transform`.
    ///
    /// # Errors
    /// [`FitError::Path`] when `path` does not parse.
    pub fn new(
        name: impl Into<String>,
        path: &str,
        initial: f64,
        transform: Transform,
    ) -> Result<Self, FitError> {
        let name = name.into();
        let path = ParamPath::parse(path).map_err(|source| FitError::Path {
            parameter: name.clone(),
            source: Box::new(source),
        })?;
        Ok(FreeParameter {
            name,
            path,
            initial,
            transform,
            start_range: None,
        })
    }

    /// A positive parameter, searched on the log scale.
    ///
    /// # Errors
    /// [`FitError::Path`] when `path` does not parse.
    pub fn positive(name: impl Into<String>, path: &str, initial: f64) -> Result<Self, FitError> {
        FreeParameter::new(name, path, initial, Transform::Log)
    }

    /// A parameter strictly between `lower` and `upper`, searched on the logit scale.
    ///
    /// # Errors
    /// [`FitError::Path`] when `path` does not parse (the bounds are checked by
    /// [`FitProblem::new`](super::FitProblem::new)).
    pub fn bounded(
        name: impl Into<String>,
        path: &str,
        initial: f64,
        lower: f64,
        upper: f64,
    ) -> Result<Self, FitError> {
        FreeParameter::new(name, path, initial, Transform::Logit { lower, upper })
    }

    /// An unbounded parameter, searched as it is.
    ///
    /// # Errors
    /// [`FitError::Path`] when `path` does not parse.
    pub fn unbounded(name: impl Into<String>, path: &str, initial: f64) -> Result<Self, FitError> {
        FreeParameter::new(name, path, initial, Transform::Identity)
    }

    /// The same parameter with multi-start values drawn from `[lower, upper]` (natural scale,
    /// inside the transform's domain).
    #[must_use]
    pub fn with_start_range(mut self, lower: f64, upper: f64) -> Self {
        self.start_range = Some((lower, upper));
        self
    }

    /// Checks the transform's bounds, the initial value and the start range.
    pub(crate) fn check(&self) -> Result<(), FitError> {
        let (lower, upper) = self.transform.bounds();
        if let Transform::Logit { .. } = self.transform {
            if !(lower.is_finite() && upper.is_finite() && lower < upper) {
                return Err(FitError::InvalidBounds {
                    parameter: self.name.clone(),
                    lower,
                    upper,
                });
            }
        }
        if !self.transform.contains(self.initial) {
            return Err(FitError::InitialOutsideBounds {
                parameter: self.name.clone(),
                initial: self.initial,
                lower,
                upper,
            });
        }
        let (lo, hi) = self.start_range();
        let inside = |x: f64| x.is_finite() && x >= lower && x <= upper;
        if !(inside(lo) && inside(hi) && lo < hi) {
            return Err(FitError::InvalidStartRange {
                parameter: self.name.clone(),
                lower: lo,
                upper: hi,
            });
        }
        // A log-uniform draw needs a positive lower end.
        if self.transform == Transform::Log && lo <= 0.0 {
            return Err(FitError::InvalidStartRange {
                parameter: self.name.clone(),
                lower: lo,
                upper: hi,
            });
        }
        Ok(())
    }

    /// The range multi-start values are drawn from (see [`start_range`](Self::start_range)).
    pub fn start_range(&self) -> (f64, f64) {
        if let Some(range) = self.start_range {
            return range;
        }
        match self.transform {
            Transform::Identity => {
                let half = self.initial.abs().max(1.0);
                (self.initial - half, self.initial + half)
            }
            Transform::Log => (self.initial / 10.0, self.initial * 10.0),
            Transform::Logit { lower, upper } => (lower, upper),
        }
    }

    /// A starting value from the uniform number `u` in [0, 1): log-uniform over the start
    /// range for a log parameter, uniform otherwise; kept strictly inside the domain.
    pub(crate) fn draw(&self, u: f64) -> f64 {
        let (lo, hi) = self.start_range();
        let value = match self.transform {
            Transform::Log => (lo.ln() + u * (hi.ln() - lo.ln())).exp(),
            _ => lo + u * (hi - lo),
        };
        if self.transform.contains(value) {
            value
        } else {
            // u = 0 on a range ending at a logit bound: step just inside.
            let (lower, upper) = self.transform.bounds();
            let span = (upper - lower).abs();
            if value <= lower {
                lower + 1e-6 * span
            } else {
                upper - 1e-6 * span
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn transforms_round_trip_and_have_the_right_derivative() {
        let transforms = [
            (Transform::Identity, -3.5),
            (Transform::Log, 0.02),
            (
                Transform::Logit {
                    lower: 0.1,
                    upper: 2.0,
                },
                1.7,
            ),
        ];
        for (t, theta) in transforms {
            let phi = t.to_search(theta);
            // round trip: one exp/ln pair loses a few ULPs.
            assert_relative_eq!(t.to_natural(phi), theta, max_relative = 1e-14);
            // derivative against a central difference (truncation ~h², h = 1e-5).
            let h = 1e-5;
            let fd = (t.to_natural(phi + h) - t.to_natural(phi - h)) / (2.0 * h);
            assert_relative_eq!(t.derivative(phi), fd, max_relative = 1e-8);
        }
    }

    #[test]
    fn logit_stays_inside_its_bounds_for_large_arguments() {
        let t = Transform::Logit {
            lower: -1.0,
            upper: 1.0,
        };
        assert_eq!(t.to_natural(-800.0), -1.0);
        assert_eq!(t.to_natural(800.0), 1.0);
        assert!(t.to_natural(-30.0) > -1.0);
    }

    #[test]
    fn draws_cover_the_start_range() {
        let p = FreeParameter::positive("k", "tumors[t].growth.rate", 1.0).unwrap();
        assert_relative_eq!(p.draw(0.0), 0.1, max_relative = 1e-14);
        assert_relative_eq!(p.draw(0.5), 1.0, max_relative = 1e-14);
        let b = FreeParameter {
            transform: Transform::Logit {
                lower: 0.0,
                upper: 1.0,
            },
            initial: 0.5,
            ..p
        };
        let low = b.draw(0.0);
        assert!(low > 0.0 && low < 1e-5);
    }
}
