//! Radiotherapy: linear-quadratic cell kill, BED and EQD2, and standard fractionation courses.
//!
//! Use this module to describe a course of external-beam radiotherapy. A fraction of `d` Gy is an
//! instantaneous jump `N → N·S(d)` of every irradiated population, with the linear-quadratic
//! surviving fraction (reviewed in Brenner, Semin Radiat Oncol 2008;18:234):
//!
//! ```text
//! S(d)  = exp(−α·d − β·d²)
//! BED   = n·d·(1 + d/(α/β))                           Gy
//! EQD2  = BED/(1 + 2/(α/β))                           Gy
//! BED with repopulation (overall time T, kick-off Tk, potential doubling time Tpot):
//! BED   = n·d·(1 + d/(α/β)) − ln2·max(0, T − Tk)/(α·Tpot)
//! ```
//!
//! A [`Course`] is a fractionation pattern (dose per fraction, number, spacing); its
//! [`fractions`](Course::fractions) from a start day go into a
//! [`Regimen`](super::Regimen::with_radiotherapy). Standard courses are constructors:
//! [`Course::conventional`] (60 Gy in 30 fractions), [`Course::hypofractionated_breast`],
//! [`Course::hypofractionated_prostate`], [`Course::sbrt_8x3`].
//!
//! ```
//! use oncodyn::dosing::radiotherapy::{Course, Repopulation, Weekday};
//! let course = Course::conventional();                      // 30 × 2 Gy, Monday to Friday
//! assert_eq!(course.total_dose(), 60.0);                    // Gy
//! assert_eq!(course.overall_time(), 39.0);                  // days, first to last fraction
//! assert_eq!(course.eqd2(10.0), 60.0);                      // Gy, α/β = 10 Gy
//! // Starting on a Wednesday, day 2 of the simulation: the first weekend falls on days 5 and 6.
//! let days: Vec<f64> = course.starting_on(Weekday::Wednesday).fractions(2.0)?
//!     .iter().map(|f| f.time).collect();
//! assert_eq!(&days[..4], &[2.0, 3.0, 4.0, 7.0]);
//! // Repopulation after a kick-off of 21 days (pkpd.md §7): 11.88 Gy lost.
//! let head_and_neck = Repopulation { alpha: 0.35, kickoff: 21.0, doubling_time: 3.0 };
//! assert!((course.bed_with_repopulation(10.0, &head_and_neck) - 60.117476904686).abs() < 1e-9);
//! // A count above MAX_FRACTIONS is a typed error, not gigabytes of fractions.
//! assert!(Course::weekdays(2.0, 4_000_000_000).fractions(0.0).is_err());
//! # Ok::<(), oncodyn::ScheduleError>(())
//! ```

use crate::dosing::error::ScheduleError;
pub use crate::model::Radiosensitivity;
use serde::{Deserialize, Serialize};
use std::f64::consts::LN_2;

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

/// Tumor repopulation during a course, which offsets part of its BED (the BJR review of
/// radiobiological modelling, PMC6435084; Fowler-type parameters): after a kick-off time `Tk`
/// the surviving clonogens double every `Tpot` days, worth `ln2/(α·Tpot)` Gy a day.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repopulation {
    /// Linear coefficient `α` of the tumor, 1/Gy (> 0).
    pub alpha: f64,
    /// Kick-off time `Tk` from the first fraction, days (e.g. 21–28 for head and neck).
    pub kickoff: f64,
    /// Potential doubling time `Tpot`, days (> 0).
    pub doubling_time: f64,
}

impl Repopulation {
    /// BED lost to repopulation over an overall treatment time of `overall_time` days (first
    /// to last fraction): `ln2·max(0, T − Tk)/(α·Tpot)`, Gy. NaN in, NaN out.
    pub fn loss(&self, overall_time: f64) -> f64 {
        let proliferating = if overall_time <= self.kickoff {
            0.0
        } else {
            overall_time - self.kickoff
        };
        LN_2 * proliferating / (self.alpha * self.doubling_time)
    }
}

/// BED of any list of fractions (doses may differ): `Σ d_i·(1 + d_i/(α/β))`, Gy, minus the
/// repopulation loss over the time from the first to the last fraction if `repopulation` is
/// given. The order of `fractions` does not matter; an empty list has BED 0.
pub fn bed_of(fractions: &[Fraction], alpha_beta: f64, repopulation: Option<&Repopulation>) -> f64 {
    let physical: f64 = fractions
        .iter()
        .map(|f| f.dose * (1.0 + f.dose / alpha_beta))
        .sum();
    physical - repopulation.map_or(0.0, |r| r.loss(overall_time(fractions)))
}

/// EQD2 of any list of fractions: [`bed_of`]`/(1 + 2/(α/β))`, Gy.
pub fn eqd2_of(
    fractions: &[Fraction],
    alpha_beta: f64,
    repopulation: Option<&Repopulation>,
) -> f64 {
    bed_of(fractions, alpha_beta, repopulation) / (1.0 + 2.0 / alpha_beta)
}

/// Overall treatment time, days: from the first to the last fraction (0 for one fraction or
/// none).
pub fn overall_time(fractions: &[Fraction]) -> f64 {
    let (first, last) = fractions
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), f| {
            (lo.min(f.time), hi.max(f.time))
        });
    if fractions.is_empty() {
        0.0
    } else {
        last - first
    }
}

/// A day of the week, for courses given Monday to Friday.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    /// Monday.
    #[default]
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl Weekday {
    /// Days since Monday: 0 (Monday) to 6 (Sunday).
    pub fn index(self) -> u32 {
        self as u32
    }

    /// Whether it is Monday to Friday.
    pub fn is_weekday(self) -> bool {
        self.index() < 5
    }
}

/// How the fractions of a course are spread in time.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Spacing {
    /// One fraction a day, Monday to Friday; the course's start day is `first`. A course
    /// starting on a weekend day begins the following Monday.
    Weekdays {
        /// Day of the week of the start day.
        first: Weekday,
    },
    /// One fraction every `interval` days (finite, > 0), weekends included.
    Every {
        /// Days between fractions.
        interval: f64,
    },
}

/// A fractionation course: `count` fractions of `dose` Gy, spaced by `spacing`.
///
/// Plain data; [`fractions`](Self::fractions) places it in time. Invalid values (a negative
/// dose, a non-positive interval) are caught when the regimen is resolved, as every fraction is
/// checked there.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Course {
    /// Dose per fraction `d`, Gy.
    pub dose: f64,
    /// Number of fractions `n`.
    pub count: u32,
    /// When the fractions fall.
    pub spacing: Spacing,
}

impl Course {
    /// `count` fractions of `dose` Gy, one a day Monday to Friday, starting on a Monday.
    pub fn weekdays(dose: f64, count: u32) -> Self {
        Course {
            dose,
            count,
            spacing: Spacing::Weekdays {
                first: Weekday::Monday,
            },
        }
    }

    /// `count` fractions of `dose` Gy every `interval` days.
    pub fn every(dose: f64, count: u32, interval: f64) -> Self {
        Course {
            dose,
            count,
            spacing: Spacing::Every { interval },
        }
    }

    /// The conventional course: 60 Gy in 30 fractions of 2 Gy, Monday to Friday over six
    /// weeks (the last fraction 39 days after the first when starting on a Monday).
    pub fn conventional() -> Self {
        Course::weekdays(2.0, 30)
    }

    /// Moderately hypofractionated whole-breast radiotherapy: 40 Gy in 15 fractions of
    /// 40/15 Gy (2.67 Gy) over three weeks, Monday to Friday (START B, START Trialists' Group,
    /// Lancet 2008;371:1098).
    pub fn hypofractionated_breast() -> Self {
        Course::weekdays(40.0 / 15.0, 15)
    }

    /// Moderately hypofractionated prostate radiotherapy: 60 Gy in 20 fractions of 3 Gy over
    /// four weeks, Monday to Friday (CHHiP, Dearnaley et al., Lancet Oncol 2016;17:1047).
    pub fn hypofractionated_prostate() -> Self {
        Course::weekdays(3.0, 20)
    }

    /// Stereotactic body radiotherapy 8 Gy × 3 on consecutive days, the fractionation that
    /// induced an abscopal response with anti-CTLA-4 in Dewan et al., Clin Cancer Res
    /// 2009;15:5379 (for every other day use `Course::every(8.0, 3, 2.0)`).
    pub fn sbrt_8x3() -> Self {
        Course::every(8.0, 3, 1.0)
    }

    /// The same course, its start day being `first` (for weekday spacing; an interval
    /// spacing is left as it is).
    #[must_use]
    pub fn starting_on(mut self, first: Weekday) -> Self {
        if let Spacing::Weekdays { .. } = self.spacing {
            self.spacing = Spacing::Weekdays { first };
        }
        self
    }

    /// The fractions, the course starting on day `start` (days from the start of the
    /// simulation; for weekday spacing, `start` is the course's `first` weekday).
    ///
    /// # Errors
    /// [`ScheduleError::TooManyFractions`] for a `count` above [`MAX_FRACTIONS`], checked
    /// before anything is allocated.
    pub fn fractions(&self, start: f64) -> Result<Vec<Fraction>, ScheduleError> {
        match self.spacing {
            Spacing::Weekdays { first } => weekdays_from(start, first, self.dose, self.count),
            Spacing::Every { interval } => every(start, self.dose, self.count, interval),
        }
    }

    /// Total physical dose `n·d`, Gy.
    pub fn total_dose(&self) -> f64 {
        f64::from(self.count) * self.dose
    }

    /// Overall treatment time, days: from the first to the last fraction (counted without
    /// listing the fractions, so any `count` has one).
    pub fn overall_time(&self) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let last = u64::from(self.count - 1);
        match self.spacing {
            Spacing::Every { interval } => last as f64 * interval,
            Spacing::Weekdays { first } => {
                // From the first weekday on or after `first`, `last` more weekdays.
                let offset = u64::from(first.index());
                let skip = if offset < 5 { 0 } else { 7 - offset };
                let start = (offset + skip) % 7; // 0..5: Monday to Friday
                let k = start + last; // weekday count from the Monday of the first week
                let end = k / 5 * 7 + k % 5;
                (end - start) as f64
            }
        }
    }

    /// BED with ratio `alpha_beta` (Gy): `n·d·(1 + d/(α/β))`, Gy.
    pub fn bed(&self, alpha_beta: f64) -> f64 {
        bed(self.count, self.dose, alpha_beta)
    }

    /// EQD2 with ratio `alpha_beta` (Gy), Gy.
    pub fn eqd2(&self, alpha_beta: f64) -> f64 {
        eqd2(self.count, self.dose, alpha_beta)
    }

    /// BED with ratio `alpha_beta` (Gy) less the repopulation loss over the course's overall
    /// time, Gy.
    pub fn bed_with_repopulation(&self, alpha_beta: f64, repopulation: &Repopulation) -> f64 {
        self.bed(alpha_beta) - repopulation.loss(self.overall_time())
    }

    /// EQD2 of [`bed_with_repopulation`](Self::bed_with_repopulation), Gy.
    pub fn eqd2_with_repopulation(&self, alpha_beta: f64, repopulation: &Repopulation) -> f64 {
        self.bed_with_repopulation(alpha_beta, repopulation) / (1.0 + 2.0 / alpha_beta)
    }
}

/// `count` fractions of `dose` Gy given once a day on weekdays (Monday to Friday), starting on
/// day `start`, which is taken to be a Monday: the conventional course. 60 Gy in 30 fractions is
/// `weekdays(0.0, 2.0, 30)`: six weeks, the last fraction on day 39.
///
/// # Errors
/// [`ScheduleError::TooManyFractions`] for a `count` above [`MAX_FRACTIONS`].
pub fn weekdays(start: f64, dose: f64, count: u32) -> Result<Vec<Fraction>, ScheduleError> {
    weekdays_from(start, Weekday::Monday, dose, count)
}

/// `count` fractions of `dose` Gy given once a day Monday to Friday, day `start` being a
/// `first`: the first fraction is on `start` if that is a weekday, else the next Monday.
///
/// # Errors
/// [`ScheduleError::TooManyFractions`] for a `count` above [`MAX_FRACTIONS`].
pub fn weekdays_from(
    start: f64,
    first: Weekday,
    dose: f64,
    count: u32,
) -> Result<Vec<Fraction>, ScheduleError> {
    check_count(count)?;
    // Days counted in u64: `count` weekdays span up to `7·count/5 + 2` days.
    let mut fractions = Vec::with_capacity(count as usize);
    let mut day = 0u64;
    while fractions.len() < count as usize {
        if (u64::from(first.index()) + day) % 7 < 5 {
            fractions.push(Fraction {
                time: start + day as f64,
                dose,
            });
        }
        day += 1;
    }
    Ok(fractions)
}

/// `count` fractions of `dose` Gy every `interval` days from `start` (e.g. SBRT 8 Gy × 3 every
/// other day: `every(0.0, 8.0, 3, 2.0)`).
///
/// # Errors
/// [`ScheduleError::TooManyFractions`] for a `count` above [`MAX_FRACTIONS`].
pub fn every(
    start: f64,
    dose: f64,
    count: u32,
    interval: f64,
) -> Result<Vec<Fraction>, ScheduleError> {
    check_count(count)?;
    Ok((0..count)
        .map(|k| Fraction {
            time: start + f64::from(k) * interval,
            dose,
        })
        .collect())
}

/// The most fractions one course may list: a hundred thousand, two orders of magnitude above
/// any clinical course. A larger `count` (a typo, `4000000000`) would allocate gigabytes; it is
/// rejected with [`ScheduleError::TooManyFractions`].
pub const MAX_FRACTIONS: u32 = 100_000;

fn check_count(count: u32) -> Result<(), ScheduleError> {
    if count > MAX_FRACTIONS {
        return Err(ScheduleError::TooManyFractions {
            count,
            limit: MAX_FRACTIONS,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn overall_time_is_counted_without_listing_and_matches_the_fractions() {
        let days = [
            Weekday::Monday,
            Weekday::Wednesday,
            Weekday::Friday,
            Weekday::Saturday,
            Weekday::Sunday,
        ];
        for count in [0, 1, 2, 4, 5, 6, 9, 30, 101] {
            for first in days {
                let course = Course::weekdays(2.0, count).starting_on(first);
                let listed = course.fractions(3.0).unwrap_or_default();
                assert_eq!(
                    course.overall_time(),
                    overall_time(&listed),
                    "{count} {first:?}"
                );
            }
            let course = Course::every(8.0, count, 2.5);
            let listed = course.fractions(0.0).unwrap_or_default();
            assert_eq!(course.overall_time(), overall_time(&listed), "{count}");
        }
        let huge = Course::weekdays(2.0, u32::MAX);
        assert!(matches!(
            huge.fractions(0.0),
            Err(ScheduleError::TooManyFractions {
                count: u32::MAX,
                limit: MAX_FRACTIONS
            })
        ));
        assert!(huge.overall_time().is_finite());
        assert!(Course::every(2.0, MAX_FRACTIONS + 1, 1.0)
            .fractions(0.0)
            .is_err());
    }

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
        let course = weekdays(0.0, 2.0, 30).unwrap_or_default();
        assert_eq!(course.len(), 30);
        let days: Vec<f64> = course.iter().map(|f| f.time).collect();
        assert_eq!(&days[..6], &[0.0, 1.0, 2.0, 3.0, 4.0, 7.0]);
        assert_eq!(days[29], 39.0);
        let total: f64 = course.iter().map(|f| f.dose).sum();
        assert_relative_eq!(total, 60.0, max_relative = 1e-14);
    }
}
