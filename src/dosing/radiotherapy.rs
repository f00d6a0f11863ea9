//! Radiotherapy: linear-quadratic cell kill, BED and EQD2, and standard fractionation courses.
//!
//! Use this module to describe a course of external-beam radiotherapy. A fraction of `d` Gy is an
//! instantaneous jump `N → N·S(d)` of every irradiated population, with the linear-quadratic
//! surviving fraction (reviewed in Brenner, Semin Radiat Oncol 2008;18:234):
//!
//! ```text
//! S(d)  = exp(−α·d − β·d²)
//! BED   = n·d·(1 + d/(α/β))                    Gy
//! EQD2  = BED/(1 + 2/(α/β))                    Gy
//! ```

pub use crate::model::Radiosensitivity;
use serde::{Deserialize, Serialize};

/// One radiotherapy fraction.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fraction {
    /// Time, days from the start of the simulation.
    pub time: f64,
    /// Physical dose, Gy.
    pub dose: f64,
}

/// Biologically effective dose of `n` fractions of `dose` Gy with ratio `alpha_beta` (Gy):
/// `BED = n·d·(1 + d/(α/β))`, Gy.
pub fn bed(n: u32, dose: f64, alpha_beta: f64) -> f64 {
    f64::from(n) * dose * (1.0 + dose / alpha_beta)
}

/// Equivalent dose in 2-Gy fractions: `EQD2 = BED/(1 + 2/(α/β))`, Gy.
pub fn eqd2(n: u32, dose: f64, alpha_beta: f64) -> f64 {
    bed(n, dose, alpha_beta) / (1.0 + 2.0 / alpha_beta)
}

/// `count` fractions of `dose` Gy given once a day on weekdays (Monday to Friday), starting on
/// day `start`, which is taken to be a Monday: the conventional course. 60 Gy in 30 fractions is
/// `weekdays(0.0, 2.0, 30)`: six weeks, the last fraction on day 39.
pub fn weekdays(start: f64, dose: f64, count: u32) -> Vec<Fraction> {
    (0..count)
        .map(|k| Fraction {
            time: start + f64::from(7 * (k / 5) + k % 5),
            dose,
        })
        .collect()
}

/// `count` fractions of `dose` Gy every `interval` days from `start` (e.g. SBRT 8 Gy × 3 every
/// other day: `every(0.0, 8.0, 3, 2.0)`).
pub fn every(start: f64, dose: f64, count: u32, interval: f64) -> Vec<Fraction> {
    (0..count)
        .map(|k| Fraction {
            time: start + f64::from(k) * interval,
            dose,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    // Exact arithmetic: shared/models/pkpd.md §7, "Checkable numbers" (α/β = 10 and 3).
    #[test]
    fn bed_and_eqd2_match_the_tabulated_schedules() {
        assert_relative_eq!(bed(30, 2.0, 10.0), 72.0, max_relative = 1e-14);
        assert_relative_eq!(eqd2(30, 2.0, 10.0), 60.0, max_relative = 1e-14);
        assert_relative_eq!(bed(20, 3.0, 3.0), 120.0, max_relative = 1e-14);
        assert_relative_eq!(eqd2(20, 3.0, 3.0), 72.0, max_relative = 1e-14);
        assert_relative_eq!(eqd2(5, 7.25, 10.0), 52.109375, max_relative = 1e-14);
        assert_relative_eq!(bed(1, 20.0, 3.0), 153.333333333333, max_relative = 1e-12);
    }

    // α = 0.3 /Gy, β = 0.03 /Gy²: S(2 Gy) = exp(−0.72) = 0.486752255960 (pkpd.md §7).
    #[test]
    fn surviving_fraction_of_two_gray() {
        let rs = Radiosensitivity {
            alpha: 0.3,
            beta: 0.03,
        };
        assert_relative_eq!(
            rs.surviving_fraction(2.0),
            0.486752255960,
            max_relative = 1e-11
        );
        assert_relative_eq!(rs.alpha_beta(), 10.0, max_relative = 1e-14);
    }

    #[test]
    fn sixty_gray_in_thirty_weekday_fractions_spans_six_weeks() {
        let course = weekdays(0.0, 2.0, 30);
        assert_eq!(course.len(), 30);
        let days: Vec<f64> = course.iter().map(|f| f.time).collect();
        assert_eq!(&days[..6], &[0.0, 1.0, 2.0, 3.0, 4.0, 7.0]);
        assert_eq!(days[29], 39.0);
        let total: f64 = course.iter().map(|f| f.dose).sum();
        assert_relative_eq!(total, 60.0, max_relative = 1e-14);
    }
}
