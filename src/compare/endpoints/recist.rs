//! Best overall response by RECIST 1.1 on the tumors' equivalent diameter.

use super::Series;
use crate::compare::error::EndpointError;
use crate::model::Model;
use crate::solver::DiameterMapping;
use crate::trajectory::Trajectory;
use serde::{Deserialize, Serialize};

/// A RECIST 1.1 response category (Eisenhauer et al., Eur J Cancer 2009;45:228), ordered from
/// best to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Response {
    /// CR: the tumor has disappeared (diameter at or below the detection limit).
    Complete,
    /// PR: diameter at least 30% below baseline.
    Partial,
    /// SD: neither PR nor PD.
    Stable,
    /// PD: diameter at least 20% and at least 5 mm above the nadir.
    Progressive,
    /// NE: no assessment qualified (SD seen only before the minimum duration, no PD).
    NotEvaluable,
}

impl Response {
    /// `CR`, `PR`, `SD`, `PD`, `NE`.
    pub fn abbreviation(self) -> &'static str {
        match self {
            Response::Complete => "CR",
            Response::Partial => "PR",
            Response::Stable => "SD",
            Response::Progressive => "PD",
            Response::NotEvaluable => "NE",
        }
    }

    /// CR or PR: counts toward the objective response rate.
    pub fn is_objective(self) -> bool {
        matches!(self, Response::Complete | Response::Partial)
    }

    /// CR, PR or SD: counts toward the disease control rate.
    pub fn is_disease_control(self) -> bool {
        matches!(
            self,
            Response::Complete | Response::Partial | Response::Stable
        )
    }
}

/// RECIST 1.1 thresholds applied to a model's tumor diameter.
///
/// At each assessment after baseline, with `D` the diameter, `D0` the baseline and `Dn` the
/// smallest diameter at baseline or any earlier assessment:
///
/// ```text
/// CR  D ≤ detection_limit_mm
/// PD  D ≥ 1.2·Dn  and  D ≥ Dn + 5 mm                (checked before PR)
/// PR  D ≤ 0.7·D0
/// SD  otherwise; it counts only at t ≥ baseline + min_stable_days
/// ```
///
/// The best overall response is the best category (CR > PR > SD > PD) among the assessments up
/// to and including the first PD; PD if the first qualifying assessment is PD; NE if none
/// qualifies. Responses are not confirmed by a second scan (RECIST 1.1 requires confirmation
/// only in non-randomized trials with response as primary endpoint).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Recist {
    /// How burden maps to a diameter (default 1e6 cells/mm³, the progression event's).
    pub mapping: DiameterMapping,
    /// Diameter at or below which the tumor counts as gone, mm (default 0: only an eradicated
    /// tumor is a CR; e.g. 1e6 cells ≈ 1 mm³ ≈ 1.24 mm).
    pub detection_limit_mm: f64,
    /// Time of the baseline assessment, days (default 0).
    pub baseline_time: f64,
    /// Minimum time after baseline for SD to count, days (default 42: RECIST 1.1 leaves it to
    /// the protocol, "in general not less than 6–8 weeks").
    pub min_stable_days: f64,
}

impl Default for Recist {
    fn default() -> Self {
        Recist {
            mapping: DiameterMapping::default(),
            detection_limit_mm: 0.0,
            baseline_time: 0.0,
            min_stable_days: 42.0,
        }
    }
}

/// The result of [`Recist::best_response`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BestResponse {
    /// The best overall response.
    pub response: Response,
    /// When it was first assessed, days (`None` for NE).
    pub time: Option<f64>,
    /// Baseline diameter, mm.
    pub baseline_mm: f64,
    /// Smallest assessed diameter (baseline included) up to the first PD, mm.
    pub nadir_mm: f64,
    /// Time of the first PD assessment, days (`None` if there is none).
    pub progression_time: Option<f64>,
}

impl Recist {
    /// The category of one assessment of diameter `d` (mm), given the baseline `baseline` and
    /// the nadir `nadir` before it (mm); see the thresholds in the [type docs](Self).
    pub fn classify(&self, d: f64, baseline: f64, nadir: f64) -> Response {
        if d <= self.detection_limit_mm {
            Response::Complete
        } else if d >= 1.2 * nadir && d >= nadir + 5.0 {
            Response::Progressive
        } else if d <= 0.7 * baseline {
            Response::Partial
        } else {
            Response::Stable
        }
    }

    /// Best overall response of the diameters (mm) in `diameters`: baseline is the first row at
    /// `baseline_time`; every later row is an assessment (select scan times first with
    /// [`Series::at_times`] to mimic a trial's schedule).
    ///
    /// # Errors
    /// [`EndpointError::InvalidOption`] for a negative or non-finite limit or duration;
    /// [`NotAnOutputTime`](EndpointError::NotAnOutputTime) when `baseline_time` is no row's;
    /// [`NotMeasurable`](EndpointError::NotMeasurable) when the baseline is not above the
    /// detection limit.
    pub fn best_response(&self, diameters: &Series) -> Result<BestResponse, EndpointError> {
        for (option, value) in [
            ("detection_limit_mm", self.detection_limit_mm),
            ("min_stable_days", self.min_stable_days),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(EndpointError::InvalidOption {
                    option,
                    value,
                    reason: "must be finite and non-negative",
                });
            }
        }
        let b = diameters.first_row_at(self.baseline_time)?;
        let baseline = diameters.values[b];
        if baseline <= self.detection_limit_mm {
            return Err(EndpointError::NotMeasurable {
                baseline_mm: baseline,
                limit_mm: self.detection_limit_mm,
            });
        }
        let mut nadir = baseline;
        let mut best: Option<(Response, f64)> = None;
        let mut progression_time = None;
        for i in b + 1..diameters.len() {
            let (t, d) = (diameters.times[i], diameters.values[i]);
            let response = self.classify(d, baseline, nadir);
            let counts =
                response != Response::Stable || t - self.baseline_time >= self.min_stable_days;
            if counts && best.is_none_or(|(r, _)| response < r) {
                best = Some((response, t));
            }
            if response == Response::Progressive {
                progression_time = Some(t);
                break;
            }
            nadir = nadir.min(d);
        }
        Ok(BestResponse {
            response: best.map_or(Response::NotEvaluable, |(r, _)| r),
            time: best.map(|(_, t)| t),
            baseline_mm: baseline,
            nadir_mm: nadir,
            progression_time,
        })
    }

    /// Best overall response of a simulated patient: [`Series::tumor_diameter`] with this
    /// mapping, then [`best_response`](Self::best_response).
    ///
    /// # Errors
    /// As [`Series::tumor_diameter`] and [`best_response`](Self::best_response).
    pub fn assess(
        &self,
        trajectory: &Trajectory,
        model: &Model,
    ) -> Result<BestResponse, EndpointError> {
        self.best_response(&Series::tumor_diameter(trajectory, model, &self.mapping)?)
    }
}

/// The percentage change of a sphere's diameter from the percentage change `burden_change` (%)
/// of its volume, `100·((1 + ΔV/100)^{1/3} − 1)` %: the diameter goes as the cube root of the
/// volume. Exact for one tumor counted in cells (or mm³); for several tumors it is the change
/// of their equivalent diameter, not of the sum of diameters RECIST measures.
///
/// ```
/// use oncodyn::compare::diameter_percent_change;
/// assert_eq!(diameter_percent_change(0.0), 0.0);
/// assert_eq!(diameter_percent_change(700.0), 100.0); // 8 × the volume: 2 × the diameter
/// ```
pub fn diameter_percent_change(burden_change: f64) -> f64 {
    100.0 * ((1.0 + burden_change / 100.0).cbrt() - 1.0)
}

#[cfg(test)]
mod tests {
    use super::diameter_percent_change;

    #[test]
    fn diameter_change_is_the_cube_root_of_the_volume_change() {
        assert_eq!(diameter_percent_change(-100.0), -100.0);
        assert_eq!(diameter_percent_change(0.0), 0.0);
        assert_eq!(diameter_percent_change(700.0), 100.0);
        // −65.7 % of the volume is −30 % of the diameter (RECIST's partial response).
        assert!((diameter_percent_change(-65.7) + 30.0).abs() < 0.02);
    }
}
