//! What a study computes for each patient and how it ranks the arms.

use crate::compare::endpoints::{GradeScale, Recist};
use crate::stats::Bootstrap;
use serde::{Deserialize, Serialize};

/// The endpoint arms are ranked by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RankBy {
    /// Objective response rate (CR + PR), higher first, Wilson 95% intervals.
    #[default]
    ObjectiveResponse,
    /// Disease control rate (CR + PR + SD), higher first, Wilson 95% intervals.
    DiseaseControl,
    /// Median time to progression, longer first (not reached counts as longest), Kaplan–Meier
    /// log-log 95% intervals.
    MedianTimeToProgression,
    /// Mean best percentage change from baseline, lower first; neighbours compared by paired
    /// bootstrap.
    BestPercentChange,
    /// Mean final tumor burden, lower first; neighbours compared by paired bootstrap.
    FinalBurden,
}

/// A toxicity endpoint: the worst value of a column and its grade.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Toxicity {
    /// Name of the trajectory column (e.g. an effector population, a neutrophil count).
    pub column: String,
    /// Grade thresholds and which side is worse.
    pub scale: GradeScale,
}

/// What to compute for each patient and how to rank the arms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EndpointSpec {
    /// Drugs whose exposure (AUC, Cmax, last-interval trough) is reported (all by default).
    pub drugs: Option<Vec<String>>,
    /// Optional toxicity endpoint.
    pub toxicity: Option<Toxicity>,
    /// Best-response assessment (diameter mapping, detection limit, SD duration).
    pub recist: Recist,
    /// The endpoint arms are ranked by.
    pub rank_by: RankBy,
    /// Resamples and seed of the paired bootstrap intervals.
    pub bootstrap: Bootstrap,
}

impl Default for EndpointSpec {
    fn default() -> Self {
        EndpointSpec {
            drugs: None,
            toxicity: None,
            recist: Recist::default(),
            rank_by: RankBy::default(),
            bootstrap: Bootstrap {
                resamples: 2000,
                seed: 0,
            },
        }
    }
}

impl std::fmt::Display for RankBy {
    /// The endpoint in words: `objective response rate`, `median time to progression`, …
    ///
    /// ```
    /// use oncodyn::compare::RankBy;
    /// assert_eq!(RankBy::DiseaseControl.to_string(), "disease control rate");
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RankBy::ObjectiveResponse => "objective response rate",
            RankBy::DiseaseControl => "disease control rate",
            RankBy::MedianTimeToProgression => "median time to progression",
            RankBy::BestPercentChange => "mean best % change of the burden",
            RankBy::FinalBurden => "mean final burden",
        })
    }
}
