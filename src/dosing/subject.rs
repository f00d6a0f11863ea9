//! [`Subject`]: the body-size covariates that turn per-kg and per-m² amounts into mg or cells.

use super::dose::AmountUnit;
use crate::dosing::error::ScheduleError;
use serde::{Deserialize, Serialize};

/// Body-surface area by Mosteller's formula (Mosteller RD, Simplified calculation of
/// body-surface area, N Engl J Med 1987;317:1098): `BSA = √(h·w/3600)` m², with height `h` in cm
/// and weight `w` in kg. 180 cm and 80 kg give exactly 2 m².
///
/// ```
/// use oncodyn::dosing::mosteller;
/// assert_eq!(mosteller(180.0, 80.0), 2.0);
/// ```
pub fn mosteller(height_cm: f64, weight_kg: f64) -> f64 {
    (height_cm * weight_kg / 3600.0).sqrt()
}

/// A patient's body-size covariates, for amounts per kg ([`AmountUnit::PerKg`]) and per m²
/// ([`AmountUnit::PerM2`]). Every field is optional: give what the regimen needs.
///
/// The body-surface area is [`bsa`](Self::bsa) when given, else Mosteller's formula
/// ([`mosteller`]) from height and weight. Covariates are constant over a simulation and are
/// taken at the nominal dose time (a depot dose's lag does not change its amount).
///
/// ```
/// use oncodyn::dosing::Subject;
/// let patient = Subject::new().with_weight(80.0).with_height(180.0); // kg, cm
/// assert_eq!(patient.body_surface_area(), Some(2.0));                // m², Mosteller
/// assert_eq!(Subject::new().with_bsa(1.7).body_surface_area(), Some(1.7));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// Body weight, kg (finite, > 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// Height, cm (finite, > 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<f64>,
    /// Body-surface area, m² (finite, > 0); computed from height and weight when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bsa: Option<f64>,
}

impl Subject {
    /// A subject with no covariates: only absolute amounts can be resolved for it.
    pub fn new() -> Self {
        Subject::default()
    }

    /// The same subject weighing `kg`.
    #[must_use]
    pub fn with_weight(mut self, kg: f64) -> Self {
        self.weight = Some(kg);
        self
    }

    /// The same subject `cm` tall.
    #[must_use]
    pub fn with_height(mut self, cm: f64) -> Self {
        self.height = Some(cm);
        self
    }

    /// The same subject with a measured body-surface area of `m2` m².
    #[must_use]
    pub fn with_bsa(mut self, m2: f64) -> Self {
        self.bsa = Some(m2);
        self
    }

    /// Body-surface area, m²: [`bsa`](Self::bsa) if given, else Mosteller's from height and
    /// weight if both are given, else `None`.
    pub fn body_surface_area(&self) -> Option<f64> {
        self.bsa.or_else(|| match (self.height, self.weight) {
            (Some(h), Some(w)) => Some(mosteller(h, w)),
            _ => None,
        })
    }

    /// The factor on an amount in `unit`: 1 (absolute), the weight (per kg) or the body-surface
    /// area (per m²); `None` when the covariate it needs is missing.
    pub fn factor(&self, unit: AmountUnit) -> Option<f64> {
        match unit {
            AmountUnit::Absolute => Some(1.0),
            AmountUnit::PerKg => self.weight,
            AmountUnit::PerM2 => self.body_surface_area(),
        }
    }

    /// Checks every covariate given.
    ///
    /// # Errors
    /// [`ScheduleError::InvalidSubject`] naming the first covariate (`weight`, `height`, `bsa`)
    /// that is zero, negative or not finite.
    pub fn check(&self) -> Result<(), ScheduleError> {
        for (field, value) in [
            ("weight", self.weight),
            ("height", self.height),
            ("bsa", self.bsa),
        ] {
            if let Some(value) = value {
                if !(value.is_finite() && value > 0.0) {
                    return Err(ScheduleError::InvalidSubject { field, value });
                }
            }
        }
        Ok(())
    }

    /// What `unit` needs from the subject, for error messages.
    pub(crate) fn needs(unit: AmountUnit) -> &'static str {
        match unit {
            AmountUnit::Absolute => "nothing",
            AmountUnit::PerKg => "weight",
            AmountUnit::PerM2 => "bsa (or height and weight)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    // Mosteller 1987: √(h·w/3600); 175 cm, 70 kg: √(12250/3600) = √3.402777… = 1.844662… m².
    #[test]
    fn mosteller_of_175_cm_and_70_kg() {
        assert_relative_eq!(
            mosteller(175.0, 70.0),
            (12250.0f64 / 3600.0).sqrt(),
            max_relative = 1e-15
        );
        assert_relative_eq!(mosteller(175.0, 70.0), 1.844662, max_relative = 1e-6);
    }

    #[test]
    fn a_given_bsa_wins_over_height_and_weight() {
        let s = Subject::new()
            .with_weight(80.0)
            .with_height(180.0)
            .with_bsa(1.9);
        assert_eq!(s.factor(AmountUnit::PerM2), Some(1.9));
        assert_eq!(s.factor(AmountUnit::PerKg), Some(80.0));
        assert_eq!(s.factor(AmountUnit::Absolute), Some(1.0));
    }

    #[test]
    fn height_alone_gives_no_bsa() {
        assert_eq!(Subject::new().with_height(180.0).body_surface_area(), None);
    }

    #[test]
    fn a_negative_height_is_named() {
        let err = Subject::new().with_height(-1.0).check();
        assert_eq!(
            err,
            Err(ScheduleError::InvalidSubject {
                field: "height",
                value: -1.0
            })
        );
    }
}
