//! Comparisons over virtual populations: patients, endpoints and the statistics of arms.
//!
//! Use this module when one simulated patient is not enough: to draw a virtual population
//! ([`population`]), to reduce each patient's trajectory to trial endpoints ([`endpoints`]),
//! and to summarize the endpoints of an arm or the difference between two arms with honest
//! intervals ([`stats`], from the crate-level [`crate::stats`]).
//!
//! Data flows one way: a [`PopulationSpec`] is checked into a [`Sampler`], which draws a
//! [`Population`] (patient `i`'s values depend only on the seed and `i`); a [`ParamMap`]
//! rebuilds the model for each patient; each trajectory gives endpoints ([`Series`],
//! [`Recist`], [`time_to_progression`], …); [`wilson`], [`KaplanMeier`], [`summarize`] and
//! [`paired_difference`] summarize them per arm and between arms.

pub mod endpoints;
mod error;
pub mod population;
pub mod stats;
pub mod study;

pub use crate::stats::{
    check_resamples, mean, paired_difference, quantile, summarize, wilson, Bootstrap, Interval,
    KaplanMeier, KmStep, Median, PairedDifference, Proportion, StatsError, Summary,
    BOOTSTRAP_STREAM_OFFSET, MAX_RESAMPLES, Z_95,
};
pub use endpoints::{
    check_density, diameter_percent_change, eradication_time, last_dosing_interval, time_to_event,
    time_to_progression, trough, BestResponse, ColumnKey, GradeScale, IntervalExposure, Point,
    Recist, Response, Series, TimeToEvent, Worse, ERADICATION_RULE, PROGRESSION_RULE,
};
pub use error::{EndpointError, PopulationError, StudyError};
pub use population::{
    format_number, BoundParamMap, Correlations, Distribution, ParamMap, ParamPath, Parameter,
    Patient, Population, PopulationSpec, Sampler, Segment, Selector, ID_COLUMN, MAX_PATIENTS,
};
pub use study::{
    ArmSummary, Comparison, EndpointSpec, Exposure, Failure, Outcome, PatientEndpoints, Progress,
    Rank, RankBy, Ranking, Study, StudyOutcomes, StudyResult, StudyTable, Toxicity, MAX_THREADS,
    STUDY_TABLE_COLUMNS,
};
