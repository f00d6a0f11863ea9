//! Dosing: doses, repeats, cycles, subjects, radiotherapy and regimens.
//!
//! Use this module to say *when* and *how much*:
//!
//! - a [`Dose`] is one administration — an IV bolus, a zero-order infusion (by duration or by
//!   rate), an oral or subcutaneous dose into a depot (bioavailability and absorption lag are
//!   the drug's, see [`Absorption`](crate::model::Absorption)), or a cell infusion — in mg or
//!   cells, or per kg or per m² ([`AmountUnit`]), optionally repeated (NONMEM ADDL/II) or
//!   [`split`](Dose::split) over several days;
//! - a [`Cycle`] gives a template dose on given days of every cycle ("days 1 and 8 of every
//!   21-day cycle, 6 cycles");
//! - [`radiotherapy`] gives linear-quadratic fractions, standard courses, BED and EQD2;
//! - a [`Regimen`] is a named arm combining all of these, with resets to the initial state
//!   (NONMEM EVID 3); regimens shift in time and merge;
//! - a [`Subject`] carries the weight and body-surface area per-kg and per-m² amounts need.
//!
//! [`Regimen::resolve_for`] (or [`Regimen::resolve`], for absolute amounts) checks a regimen
//! against a model and expands it into a [`Plan`]: the sorted event list that is the one source
//! of truth for validation, integration stops and reporting. Input in any order is sorted;
//! infusions into one compartment may overlap (their rates add).
//!
//! ```
//! use oncodyn::dosing::radiotherapy::Course;
//! use oncodyn::dosing::{AmountUnit, Cycle, Dose, Regimen, Subject};
//!
//! let chemo = Dose::infusion(0.0, "chemo", 40.0, 1.0 / 24.0).in_unit(AmountUnit::PerM2);
//! let arm = Regimen::new("chemo-RT + anti-PD-1")
//!     .with_doses(Cycle::new(21.0, 4).on_days(&[1, 8]).doses(&chemo)?)   // 40 mg/m² d1,8 q21d
//!     .with(Dose::infusion(0.0, "anti_pd1", 200.0, 1.0 / 48.0).repeated(21.0, 4))
//!     .with_radiotherapy(Course::conventional().fractions(0.0)?);        // 60 Gy in 30 fx
//! let patient = Subject::new().with_weight(80.0).with_height(180.0);     // BSA 2 m²
//! let mine = arm.for_subject(&patient)?;
//! assert_eq!(mine.doses[0].amount, 80.0);                                 // mg
//! # Ok::<(), oncodyn::Error>(())
//! ```

mod cycle;
mod dose;
mod error;
pub mod radiotherapy;
mod regimen;
mod subject;

pub use cycle::Cycle;
pub use dose::{AmountUnit, Compartment, Dose, Portion, Repeat};
pub use error::ScheduleError;
pub(crate) use regimen::same_time;
pub use regimen::{sort_jumps, Infusion, Jump, JumpKind, Plan, Regimen, MAX_REPEATS};
pub use subject::{mosteller, Subject};
