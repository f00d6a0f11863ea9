//! Toxicity grades: which side is worse and the thresholds of each grade.

use crate::compare::error::EndpointError;
use serde::{Deserialize, Serialize};

/// Which side of a grade scale is worse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Worse {
    /// Lower values are worse (neutrophils, platelets): thresholds descending.
    Below,
    /// Higher values are worse (a cytokine, a liver enzyme): thresholds ascending.
    Above,
}

/// Toxicity grades by thresholds: grade `k` (1-based) when the value is strictly beyond
/// threshold `k` (below it for [`Worse::Below`], above for [`Worse::Above`]) but not beyond
/// threshold `k + 1`; grade 0 when beyond none.
///
/// ```
/// use oncodyn::compare::GradeScale;
/// // Neutrophil count (×10⁹/L), CTCAE v5.0 "neutrophil count decreased" with LLN 2.0:
/// // grade 1 < LLN, grade 2 < 1.5, grade 3 < 1.0, grade 4 < 0.5.
/// let anc = GradeScale::below(vec![2.0, 1.5, 1.0, 0.5])?;
/// assert_eq!(anc.grade(2.5), 0);
/// assert_eq!(anc.grade(1.5), 1); // 1.5 is not below 1.5
/// assert_eq!(anc.grade(0.2), 4);
/// # Ok::<(), oncodyn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "GradeScaleData")]
pub struct GradeScale {
    worse: Worse,
    thresholds: Vec<f64>,
}

/// A [`GradeScale`] as read, before [`GradeScale::new`] checks it: deserializing cannot build an
/// unchecked scale.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GradeScaleData {
    worse: Worse,
    thresholds: Vec<f64>,
}

impl TryFrom<GradeScaleData> for GradeScale {
    type Error = EndpointError;

    fn try_from(data: GradeScaleData) -> Result<Self, Self::Error> {
        GradeScale::new(data.worse, data.thresholds)
    }
}

impl GradeScale {
    /// A scale where lower is worse; `thresholds` strictly descending (grade 1 first).
    ///
    /// # Errors
    /// [`EndpointError::InvalidThreshold`] for a non-finite or out-of-order threshold, or more
    /// than 255.
    pub fn below(thresholds: Vec<f64>) -> Result<Self, EndpointError> {
        GradeScale::new(Worse::Below, thresholds)
    }

    /// A scale where higher is worse; `thresholds` strictly ascending (grade 1 first).
    ///
    /// # Errors
    /// As [`below`](Self::below).
    pub fn above(thresholds: Vec<f64>) -> Result<Self, EndpointError> {
        GradeScale::new(Worse::Above, thresholds)
    }

    /// A scale in direction `worse`.
    ///
    /// # Errors
    /// As [`below`](Self::below).
    pub fn new(worse: Worse, thresholds: Vec<f64>) -> Result<Self, EndpointError> {
        for (index, &value) in thresholds.iter().enumerate() {
            let reason = if !value.is_finite() {
                "must be finite"
            } else if index >= usize::from(u8::MAX) {
                "is past the 255th"
            } else if index > 0 && worse == Worse::Below && value >= thresholds[index - 1] {
                "must be below the one before (lower is worse)"
            } else if index > 0 && worse == Worse::Above && value <= thresholds[index - 1] {
                "must be above the one before (higher is worse)"
            } else {
                continue;
            };
            return Err(EndpointError::InvalidThreshold {
                index,
                value,
                reason,
            });
        }
        Ok(GradeScale { worse, thresholds })
    }

    /// The direction.
    pub fn worse(&self) -> Worse {
        self.worse
    }

    /// The thresholds, grade 1 first.
    pub fn thresholds(&self) -> &[f64] {
        &self.thresholds
    }

    /// The grade of `value` (0 = none).
    pub fn grade(&self, value: f64) -> u8 {
        let beyond = |t: f64| match self.worse {
            Worse::Below => value < t,
            Worse::Above => value > t,
        };
        let n = self.thresholds.iter().take_while(|&&t| beyond(t)).count();
        u8::try_from(n).unwrap_or(u8::MAX)
    }
}
