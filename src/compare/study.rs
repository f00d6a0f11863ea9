//! [`Study`]: one model, named arms, a virtual population and the endpoints to compute;
//! [`Study::run`] gives a [`StudyResult`] with per-patient endpoints, per-arm summaries, paired
//! comparisons and a ranking. Nothing is printed: progress goes through a callback.
//!
//! Every patient goes through every arm (a paired comparison). Patients × arms run in parallel
//! with rayon on a pool of the requested size and are collected in index order, and each
//! patient's values depend only on the study seed and the patient's index, so a result is
//! bit-identical for any number of threads. A patient whose simulation fails is recorded with
//! its error and parameters and counted; it never aborts the study.

use super::endpoints::check_density;
use super::endpoints::{time_to_progression, GradeScale, Recist, Response, Series, TimeToEvent};
use super::population::{BoundParamMap, ParamMap, Patient, Population};
use super::stats::{
    check_resamples, paired_difference, summarize, wilson, Bootstrap, Interval, KaplanMeier,
    Median, PairedDifference, Proportion, Summary,
};
use crate::compare::error::StudyError;
use crate::dosing::Regimen;
use crate::model::{ComponentKind, Model};
use crate::solver::{EventRule, Simulation, SolverOptions};
use crate::trajectory::Trajectory;
use crate::Error;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The most worker threads [`Study::run`] starts: 256, well above the cores of one machine.
/// Each thread costs a stack and a start-up; a thousand of them made a 20-patient study take
/// 20 times longer, so a larger `threads` is rejected ([`StudyError::InvalidThreads`]).
pub const MAX_THREADS: usize = 256;

/// A paired comparison of two arms (by index) on one per-patient endpoint.
type Paired<'a> = dyn Fn(
        usize,
        usize,
        fn(&PatientEndpoints) -> f64,
    ) -> Result<PairedDifference, crate::stats::StatsError>
    + 'a;

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

/// One comparison of schedules; see the [module docs](self).
///
/// ```
/// use oncodyn::compare::{ParamMap, Parameter, PopulationSpec, Study};
/// use oncodyn::prelude::*;
///
/// let mut b = ModelBuilder::new();
/// let tumor = b.tumor(TumorSpec::new("tumor", 1e9, Exponential { rate: 0.03 }))?;
/// let chemo = b.drug(DrugSpec::one_compartment("chemo", 13.5, 15.0))?;
/// b.effect(chemo, Target::TumorKill(tumor), Emax { emax: 1.0, ec50: 2.0 })?;
/// let model = b.build()?;
/// let spec = PopulationSpec::new(vec![Parameter::log_normal_cv("growth", 0.03, 0.3)]);
/// let patients = spec.sampler()?.draw(7, 20)?;
/// let parameters = ParamMap::new().path("growth", "tumors[tumor].growth.rate")?;
/// let arms = vec![
///     Regimen::new("none"),
///     Regimen::new("q21d").with(Dose::bolus(0.0, "chemo", 60.0).repeated(21.0, 4)),
/// ];
/// let times: Vec<f64> = (0..=84).map(f64::from).collect();
/// let study = Study::new(model, arms, patients, parameters, times);
/// let result = study.run(Some(1), &|_| {})?;
/// assert_eq!(result.summaries.len(), 2);
/// assert_eq!(result.failures().count(), 0);
/// # Ok::<(), oncodyn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Study {
    /// The base model; each patient's model is rebuilt from it through `parameters`.
    pub model: Model,
    /// The arms, each a named regimen; the first is the reference of the comparisons.
    pub arms: Vec<Regimen>,
    /// The patients (drawn by a [`Sampler`](super::Sampler) or read from CSV).
    pub patients: Population,
    /// How a patient's values set the model's parameters.
    pub parameters: ParamMap,
    /// Output times, days; the last is the horizon (TTP is censored there).
    pub times: Vec<f64>,
    /// Event rules; a progression rule is added when none is named `progression`.
    pub events: Vec<EventRule>,
    /// Endpoints and ranking.
    pub endpoints: EndpointSpec,
    /// Solver options.
    pub options: SolverOptions,
}

/// Distinct failure messages reported by [`StudyError::ArmFailed`].
const REPORTED_CAUSES: usize = 3;

/// [`StudyError::ArmFailed`] for arm `arm` (named `name`): how many patients failed and the
/// first distinct causes, in patient order, with every patient's outcome in `outcomes`.
fn arm_failed(name: &str, arm: usize, outcomes: StudyOutcomes) -> StudyError {
    let mut causes: Vec<Error> = Vec::new();
    let mut failed = 0;
    for f in outcomes.failures().filter(|f| f.arm == arm) {
        failed += 1;
        if causes.len() < REPORTED_CAUSES && !causes.contains(&f.error) {
            causes.push(f.error.clone());
        }
    }
    StudyError::ArmFailed {
        arm: name.to_string(),
        failed,
        causes,
        outcomes: Box::new(outcomes),
    }
}

/// How far a study has got: `done` of `total` patient × arm simulations. Worker threads report
/// concurrently, so calls may arrive slightly out of order: keep the largest `done` seen (or
/// count calls).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Simulations finished (succeeded or failed).
    pub done: usize,
    /// Simulations in all.
    pub total: usize,
}

/// One drug's exposure in one patient.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Exposure {
    /// The drug.
    pub drug: String,
    /// AUC of the central concentration over the horizon (trapezoid over the output rows),
    /// mg·day/L.
    pub auc: f64,
    /// Largest concentration on the output rows, mg/L.
    pub cmax: f64,
    /// Concentration just before the last dose (or at the end of the last dosing interval),
    /// mg/L; `None` for an undosed drug.
    pub trough: Option<f64>,
}

/// The endpoints of one patient in one arm.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PatientEndpoints {
    /// Patient index.
    pub patient: usize,
    /// Arm index.
    pub arm: usize,
    /// Total tumor burden at the horizon, tumor units.
    pub final_burden: f64,
    /// Smallest total burden on the output grid.
    pub nadir: f64,
    /// Day of the nadir.
    pub nadir_time: f64,
    /// Best (most negative) percentage change of the burden from baseline, %.
    pub best_percent_change: f64,
    /// Area under the burden curve over the horizon (trapezoid), tumor units·day.
    pub tumor_auc: f64,
    /// Time to progression, censored at the horizon.
    pub time_to_progression: TimeToEvent,
    /// Best overall response (RECIST 1.1 thresholds on the diameter).
    pub response: Response,
    /// Exposure per reported drug.
    pub exposure: Vec<Exposure>,
    /// Worst value of the toxicity column and its grade, if asked.
    pub toxicity: Option<(f64, u8)>,
    /// Total tumor burden at each output time (for spaghetti plots and bands).
    #[serde(skip)]
    pub burden: Vec<f64>,
}

/// Serializes an error as its message.
fn serialize_message<S: serde::Serializer>(
    error: &Error,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(error)
}

/// A patient whose simulation failed in one arm: recorded, counted, never dropped.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Failure {
    /// Patient index.
    pub patient: usize,
    /// Arm index.
    pub arm: usize,
    /// Why it failed, typed (match on it, or print it); written as its message in CSV and
    /// serde output.
    #[serde(serialize_with = "serialize_message")]
    pub error: Error,
    /// The patient's values, in the population's name order.
    pub parameters: Vec<f64>,
}

/// One patient in one arm: endpoints or the failure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Outcome {
    /// Simulated.
    Done(PatientEndpoints),
    /// Failed.
    Failed(Failure),
}

/// Per-arm summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArmSummary {
    /// Arm name.
    pub name: String,
    /// Patients simulated successfully.
    pub patients: usize,
    /// Patients whose simulation failed.
    pub failed: usize,
    /// Objective response rate (CR + PR) with its Wilson interval.
    pub objective_response: Proportion,
    /// Disease control rate (CR + PR + SD) with its Wilson interval.
    pub disease_control: Proportion,
    /// Kaplan–Meier median time to progression with its log-log interval.
    pub median_ttp: Median,
    /// Best percentage change from baseline.
    pub best_percent_change: Summary,
    /// Final tumor burden.
    pub final_burden: Summary,
    /// Share of patients with a toxicity grade ≥ 3, if a toxicity endpoint is set.
    pub grade3_toxicity: Option<Proportion>,
}

/// A paired comparison of one arm with the reference arm (the first), over the patients who
/// completed both.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// The arm.
    pub arm: usize,
    /// `objective_response` (difference of proportions), `best_percent_change` or
    /// `final_burden`.
    pub endpoint: &'static str,
    /// `mean(arm − reference)` with its bootstrap 95% interval.
    pub difference: PairedDifference,
}

/// One place in the ranking.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rank {
    /// Arm index.
    pub arm: usize,
    /// The ranked value (`None`: not estimable, e.g. median TTP not reached counts last-known).
    pub value: Option<f64>,
    /// Its 95% interval, where one exists.
    pub interval: Option<Interval>,
    /// Whether this arm cannot be told apart from the one ranked just above it (intervals
    /// overlap, or the paired bootstrap interval of the difference contains 0).
    pub tied_with_previous: bool,
}

/// Arms ranked by one endpoint, best first, with ties reported.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ranking {
    /// The endpoint.
    pub by: RankBy,
    /// Best first.
    pub order: Vec<Rank>,
}

/// Everything a study produced.
#[derive(Clone, Debug, Serialize)]
pub struct StudyResult {
    /// Arm names, in study order.
    pub arms: Vec<String>,
    /// Names of the patients' values.
    pub parameter_names: Vec<String>,
    /// The patients, in study order.
    #[serde(skip)]
    pub population: Population,
    /// Output times, days.
    pub times: Vec<f64>,
    /// Patient-major outcomes: index `patient · arms + arm`.
    pub outcomes: Vec<Outcome>,
    /// Per-arm summaries.
    pub summaries: Vec<ArmSummary>,
    /// Each arm against the reference arm.
    pub comparisons: Vec<Comparison>,
    /// The ranking.
    pub ranking: Ranking,
}

/// Every patient's outcome of a run, without the summaries: what [`StudyError::ArmFailed`]
/// carries when an arm has no successful patient (so it has no summary), so that the
/// per-patient rows, each failure with its error, can still be written.
///
/// ```
/// # use oncodyn::compare::StudyOutcomes;
/// # use oncodyn::{Error, StudyError};
/// # fn keep(err: &Error) -> Option<&StudyOutcomes> {
/// if let Error::Study(StudyError::ArmFailed { outcomes, .. }) = err {
///     let mut csv = Vec::new();
///     outcomes.write_per_patient_csv(&mut csv).ok()?; // one row per patient and arm
///     return Some(outcomes);
/// }
/// # None }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct StudyOutcomes {
    /// Arm names, in study order.
    pub arms: Vec<String>,
    /// Names of the patients' values.
    pub parameter_names: Vec<String>,
    /// The patients, in study order.
    pub population: Population,
    /// Output times, days.
    pub times: Vec<f64>,
    /// Patient-major outcomes: index `patient · arms + arm`.
    pub outcomes: Vec<Outcome>,
}

impl StudyOutcomes {
    /// The failed simulations.
    pub fn failures(&self) -> impl Iterator<Item = &Failure> {
        failures(&self.outcomes)
    }

    /// How many patients of `arm` failed.
    pub fn failed(&self, arm: usize) -> usize {
        self.failures().filter(|f| f.arm == arm).count()
    }

    /// Writes one line per patient and arm, as [`StudyResult::write_per_patient_csv`]: a
    /// failed simulation has status `failed` and its message in the `error` column.
    ///
    /// # Errors
    /// [`IoError::Csv`](crate::IoError::Csv) when writing fails.
    pub fn write_per_patient_csv<W: std::io::Write>(&self, writer: W) -> Result<(), Error> {
        write_per_patient(
            &self.arms,
            &self.parameter_names,
            &self.population,
            &self.outcomes,
            writer,
        )
    }

    /// Writes one line per arm with the columns of [`StudyResult::write_summary_csv`]: the
    /// counts of successful and failed patients are filled in, the statistics (which a
    /// failed arm does not have) are left empty.
    ///
    /// # Errors
    /// [`IoError::Csv`](crate::IoError::Csv) when writing fails.
    pub fn write_summary_csv<W: std::io::Write>(&self, writer: W) -> Result<(), Error> {
        let mut w = csv::Writer::from_writer(writer);
        w.write_record(SUMMARY_HEADER)
            .map_err(crate::IoError::from)?;
        for (arm, name) in self.arms.iter().enumerate() {
            let failed = self.failed(arm);
            let mut row = vec![
                name.clone(),
                (self.population.len() - failed).to_string(),
                failed.to_string(),
            ];
            row.resize(SUMMARY_HEADER.len(), String::new());
            w.write_record(&row).map_err(crate::IoError::from)?;
        }
        w.flush()
            .map_err(|e| crate::IoError::from(csv::Error::from(e)))?;
        Ok(())
    }
}

/// The failed simulations among `outcomes`.
fn failures(outcomes: &[Outcome]) -> impl Iterator<Item = &Failure> {
    outcomes.iter().filter_map(|o| match o {
        Outcome::Failed(f) => Some(f),
        Outcome::Done(_) => None,
    })
}

/// The columns of summary.csv.
const SUMMARY_HEADER: [&str; 19] = [
    "arm",
    "patients",
    "failed",
    "orr",
    "orr_lower",
    "orr_upper",
    "dcr",
    "dcr_lower",
    "dcr_upper",
    "median_ttp_d",
    "median_ttp_lower_d",
    "median_ttp_upper_d",
    "best_percent_change_mean",
    "best_percent_change_median",
    "final_burden_mean",
    "final_burden_median",
    "grade3_toxicity",
    "rank",
    "tied_with_previous",
];

impl Study {
    /// A study with default endpoints (ranked by objective response), a progression rule and
    /// default solver options.
    pub fn new(
        model: Model,
        arms: Vec<Regimen>,
        patients: Population,
        parameters: ParamMap,
        times: Vec<f64>,
    ) -> Self {
        Study {
            model,
            arms,
            patients,
            parameters,
            times,
            events: Vec::new(),
            endpoints: EndpointSpec::default(),
            options: SolverOptions::default(),
        }
    }

    /// Runs every patient through every arm on `threads` threads (`None`: rayon's default, one
    /// per core), calling `progress` after each simulation (from the worker threads).
    ///
    /// `threads` must be between 1 and [`MAX_THREADS`]; the pool never has more workers than
    /// there are simulations, as the extra ones would only be started and stopped.
    ///
    /// # Errors
    /// [`StudyError::InvalidThreads`] for `threads` = 0 or above [`MAX_THREADS`], checked
    /// first; [`StudyError`] for a study that cannot run (no arms, no patients, a parameter map that
    /// does not fit the model, a thread pool that cannot start); [`StudyError::ArmFailed`] when
    /// an arm has no successful patient, naming the first distinct causes and carrying every
    /// patient's outcome ([`StudyOutcomes`]) so that the per-patient rows can still be written.
    /// A failing patient is not an error otherwise (see [`StudyResult::failures`]).
    pub fn run(
        &self,
        threads: Option<usize>,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<StudyResult, Error> {
        self.check(threads)?;
        let parameters = self.parameters.bind(self.model.spec())?;
        let mut events = self.events.clone();
        if !events.iter().any(|e| e.name == "progression") {
            events.push(EventRule::progression());
        }
        let n_arms = self.arms.len();
        let total = self.patients.len() * n_arms;
        let done = AtomicUsize::new(0);
        let task = |k: usize| {
            let patient = &self.patients.patients()[k / n_arms];
            let arm = k % n_arms;
            let outcome = match self.simulate(&parameters, patient, arm, &events) {
                Ok(e) => Outcome::Done(e),
                Err(error) => Outcome::Failed(Failure {
                    patient: patient.index(),
                    arm,
                    error,
                    parameters: patient.values().to_vec(),
                }),
            };
            let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(Progress {
                done: finished,
                total,
            });
            outcome
        };
        let mut builder = rayon::ThreadPoolBuilder::new();
        if let Some(n) = threads {
            builder = builder.num_threads(n.min(total));
        }
        let pool = builder.build().map_err(|e| StudyError::ThreadPool {
            message: e.to_string(),
        })?;
        // The summaries' bootstrap runs on the same pool: `threads` bounds the whole study.
        pool.install(|| {
            let outcomes: Vec<Outcome> = (0..total).into_par_iter().map(task).collect();
            self.summarize(outcomes)
        })
    }

    /// Every check that needs no simulation, so that a study that cannot succeed fails before
    /// its first patient: the thread count, arms and patients present, the parameter map,
    /// unique arm names, each arm's regimen against the model (for the first patient's
    /// covariates), a horizon after the first output time, the bootstrap's resamples, the
    /// diameter mapping's cell density, the toxicity column and the exposure drugs.
    fn check(&self, threads: Option<usize>) -> Result<(), Error> {
        if let Some(n) = threads {
            if n == 0 || n > MAX_THREADS {
                return Err(StudyError::InvalidThreads {
                    threads: n,
                    limit: MAX_THREADS,
                }
                .into());
            }
        }
        if self.arms.is_empty() {
            return Err(StudyError::NoArms.into());
        }
        let Some(first) = self.patients.patients().first() else {
            return Err(StudyError::NoPatients.into());
        };
        self.parameters
            .check(self.model.spec(), self.patients.names())?;
        for (second, arm) in self.arms.iter().enumerate() {
            if let Some(first) = self.arms[..second].iter().position(|a| a.name == arm.name) {
                return Err(StudyError::DuplicateArm {
                    name: arm.name.clone(),
                    first,
                    second,
                }
                .into());
            }
            arm.resolve_for(&self.model, &first.subject())
                .map_err(|source| StudyError::InvalidArm {
                    arm: arm.name.clone(),
                    source,
                })?;
        }
        match (self.times.first(), self.times.last()) {
            (Some(first), Some(&last)) if last > *first => {}
            (_, last) => {
                return Err(StudyError::NoHorizon {
                    horizon: last.copied().unwrap_or(f64::NAN),
                }
                .into())
            }
        }
        check_resamples(&self.endpoints.bootstrap)?;
        check_density(&self.endpoints.recist.mapping)?;
        if let Some(toxicity) = &self.endpoints.toxicity {
            // An empty trajectory has the columns every simulation of the model will have.
            Trajectory::new(&self.model).column_by_name(&toxicity.column)?;
        }
        for drug in self.endpoints.drugs.iter().flatten() {
            self.model.drug(drug)?;
        }
        Ok(())
    }

    /// One patient in one arm.
    fn simulate(
        &self,
        parameters: &BoundParamMap,
        patient: &Patient,
        arm: usize,
        events: &[EventRule],
    ) -> Result<PatientEndpoints, Error> {
        let model = parameters.model_for(&self.model, patient)?;
        let subject = patient.subject();
        let trajectory = Simulation::new(&model, &self.arms[arm], &self.times)
            .options(&self.options)
            .events(events)
            .subject(&subject)
            .run()?;
        self.endpoints_of(patient.index(), arm, &model, &trajectory)
    }

    fn endpoints_of(
        &self,
        patient: usize,
        arm: usize,
        model: &Model,
        trajectory: &Trajectory,
    ) -> Result<PatientEndpoints, Error> {
        let tumors = model.spec().names(ComponentKind::Tumor);
        if tumors.is_empty() {
            return Err(StudyError::NoTumor.into());
        }
        let mut burden = vec![0.0; self.times.len()];
        for name in &tumors {
            let handle = model.tumor(name)?;
            let series = Series::column(trajectory, handle)?.at_times(&self.times)?;
            for (b, v) in burden.iter_mut().zip(series.values()) {
                *b += v;
            }
        }
        let series = Series::new(self.times.clone(), burden.clone())?;
        let start = self.times[0];
        let end = self.times[self.times.len() - 1];
        let nadir = series.nadir(start)?;
        let drugs: Vec<String> = match &self.endpoints.drugs {
            Some(d) => d.clone(),
            None => model
                .spec()
                .names(ComponentKind::Drug)
                .into_iter()
                .map(String::from)
                .collect(),
        };
        let exposure = drugs
            .iter()
            .map(|drug| {
                let c = Series::column(trajectory, model.drug(drug)?)?;
                let trough = super::endpoints::trough(trajectory, model, drug)
                    .ok()
                    .map(|e| e.trough);
                Ok(Exposure {
                    drug: drug.clone(),
                    auc: c.area_under_curve(start, end)?,
                    cmax: c.peak(start)?.value,
                    trough,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let toxicity = match &self.endpoints.toxicity {
            None => None,
            Some(t) => {
                let column = Series::column(trajectory, t.column.as_str())?;
                let worst = match t.scale.worse() {
                    super::endpoints::Worse::Below => column.nadir(start)?.value,
                    super::endpoints::Worse::Above => column.peak(start)?.value,
                };
                Some((worst, t.scale.grade(worst)))
            }
        };
        Ok(PatientEndpoints {
            patient,
            arm,
            final_burden: series.final_value().value,
            nadir: nadir.value,
            nadir_time: nadir.time,
            best_percent_change: series.best_percent_change(start)?.value,
            tumor_auc: series.area_under_curve(start, end)?,
            time_to_progression: time_to_progression(trajectory)?,
            response: self.endpoints.recist.assess(trajectory, model)?.response,
            exposure,
            toxicity,
            burden,
        })
    }

    /// Per-arm summaries, comparisons with the reference arm and the ranking.
    fn summarize(&self, outcomes: Vec<Outcome>) -> Result<StudyResult, Error> {
        let n_arms = self.arms.len();
        let done = |arm: usize| {
            outcomes.iter().filter_map(move |o| match o {
                Outcome::Done(e) if e.arm == arm => Some(e),
                _ => None,
            })
        };
        if let Some(arm) = (0..n_arms).find(|&arm| done(arm).next().is_none()) {
            let outcomes = StudyOutcomes {
                arms: self.arms.iter().map(|a| a.name.clone()).collect(),
                parameter_names: self.patients.names().to_vec(),
                population: self.patients.clone(),
                times: self.times.clone(),
                outcomes,
            };
            return Err(arm_failed(&self.arms[arm].name, arm, outcomes).into());
        }
        let mut summaries = Vec::with_capacity(n_arms);
        for (arm, regimen) in self.arms.iter().enumerate() {
            let ok: Vec<&PatientEndpoints> = done(arm).collect();
            let count = |f: fn(&Response) -> bool| ok.iter().filter(|e| f(&e.response)).count();
            let ttp: Vec<TimeToEvent> = ok.iter().map(|e| e.time_to_progression).collect();
            let values =
                |f: fn(&PatientEndpoints) -> f64| ok.iter().map(|e| f(e)).collect::<Vec<_>>();
            let grade3 = match self.endpoints.toxicity {
                None => None,
                Some(_) => {
                    let n = ok
                        .iter()
                        .filter(|e| e.toxicity.is_some_and(|(_, g)| g >= 3))
                        .count();
                    Some(wilson(n, ok.len())?)
                }
            };
            summaries.push(ArmSummary {
                name: regimen.name.clone(),
                patients: ok.len(),
                failed: self.patients.len() - ok.len(),
                objective_response: wilson(count(|r| r.is_objective()), ok.len())?,
                disease_control: wilson(count(|r| r.is_disease_control()), ok.len())?,
                median_ttp: KaplanMeier::new(&ttp)?.median(),
                best_percent_change: summarize(&values(|e| e.best_percent_change))?,
                final_burden: summarize(&values(|e| e.final_burden))?,
                grade3_toxicity: grade3,
            });
        }
        let paired = |arm: usize, other: usize, f: fn(&PatientEndpoints) -> f64| {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for p in 0..self.patients.len() {
                if let (Outcome::Done(x), Outcome::Done(y)) =
                    (&outcomes[p * n_arms + arm], &outcomes[p * n_arms + other])
                {
                    a.push(f(x));
                    b.push(f(y));
                }
            }
            paired_difference(&a, &b, &self.endpoints.bootstrap)
        };
        let responder = |e: &PatientEndpoints| f64::from(u8::from(e.response.is_objective()));
        let mut comparisons = Vec::new();
        for arm in 1..n_arms {
            for (endpoint, f) in [
                (
                    "objective_response",
                    responder as fn(&PatientEndpoints) -> f64,
                ),
                ("best_percent_change", |e: &PatientEndpoints| {
                    e.best_percent_change
                }),
                ("final_burden", |e: &PatientEndpoints| e.final_burden),
            ] {
                comparisons.push(Comparison {
                    arm,
                    endpoint,
                    difference: paired(arm, 0, f)?,
                });
            }
        }
        let ranking = self.rank(&summaries, &paired)?;
        Ok(StudyResult {
            arms: self.arms.iter().map(|a| a.name.clone()).collect(),
            parameter_names: self.patients.names().to_vec(),
            population: self.patients.clone(),
            times: self.times.clone(),
            outcomes,
            summaries,
            comparisons,
            ranking,
        })
    }

    fn rank(&self, summaries: &[ArmSummary], paired: &Paired) -> Result<Ranking, Error> {
        let by = self.endpoints.rank_by;
        // (value, interval, higher is better)
        let score = |s: &ArmSummary| -> (Option<f64>, Option<Interval>) {
            match by {
                RankBy::ObjectiveResponse => (
                    Some(s.objective_response.estimate),
                    Some(s.objective_response.interval),
                ),
                RankBy::DiseaseControl => (
                    Some(s.disease_control.estimate),
                    Some(s.disease_control.interval),
                ),
                RankBy::MedianTimeToProgression => {
                    let m = &s.median_ttp;
                    let interval = m.lower.map(|lower| Interval {
                        lower,
                        upper: m.upper.unwrap_or(f64::INFINITY),
                    });
                    // Not reached: longer than anything observed.
                    (Some(m.estimate.unwrap_or(f64::INFINITY)), interval)
                }
                RankBy::BestPercentChange => (Some(s.best_percent_change.mean), None),
                RankBy::FinalBurden => (Some(s.final_burden.mean), None),
            }
        };
        let higher_better = matches!(
            by,
            RankBy::ObjectiveResponse | RankBy::DiseaseControl | RankBy::MedianTimeToProgression
        );
        let mut order: Vec<(usize, Option<f64>, Option<Interval>)> = summaries
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (v, ci) = score(s);
                (i, v, ci)
            })
            .collect();
        order.sort_by(|a, b| {
            let (x, y) = (a.1.unwrap_or(f64::NAN), b.1.unwrap_or(f64::NAN));
            let c = x.total_cmp(&y);
            if higher_better {
                c.reverse()
            } else {
                c
            }
        });
        let mut ranks = Vec::with_capacity(order.len());
        for (k, &(arm, value, interval)) in order.iter().enumerate() {
            let tied = match k.checked_sub(1).map(|j| order[j]) {
                None => false,
                Some((above, above_value, above_ci)) => match (interval, above_ci) {
                    (Some(a), Some(b)) => a.lower <= b.upper && b.lower <= a.upper,
                    _ => {
                        let f: fn(&PatientEndpoints) -> f64 = match by {
                            RankBy::FinalBurden => |e| e.final_burden,
                            _ => |e| e.best_percent_change,
                        };
                        let d = paired(arm, above, f)?;
                        value == above_value || (d.interval.lower <= 0.0 && d.interval.upper >= 0.0)
                    }
                },
            };
            ranks.push(Rank {
                arm,
                value,
                interval,
                tied_with_previous: tied,
            });
        }
        Ok(Ranking { by, order: ranks })
    }
}

impl StudyResult {
    /// The failed simulations.
    pub fn failures(&self) -> impl Iterator<Item = &Failure> {
        failures(&self.outcomes)
    }

    /// The successful simulations of `arm`.
    pub fn endpoints(&self, arm: usize) -> impl Iterator<Item = &PatientEndpoints> {
        self.outcomes.iter().filter_map(move |o| match o {
            Outcome::Done(e) if e.arm == arm => Some(e),
            _ => None,
        })
    }

    /// Per output time, the `q`-quantiles (type 7) of the tumor burden of `arm`'s patients (e.g.
    /// `[0.05, 0.5, 0.95]` for a median and a 5–95% band): one row per time, one value per `q`.
    ///
    /// # Errors
    /// [`StatsError`](crate::stats::StatsError) for an arm with no successful patient or a `q`
    /// outside [0, 1].
    pub fn burden_quantiles(&self, arm: usize, q: &[f64]) -> Result<Vec<Vec<f64>>, Error> {
        let series: Vec<&Vec<f64>> = self.endpoints(arm).map(|e| &e.burden).collect();
        (0..self.times.len())
            .map(|i| {
                let column: Vec<f64> = series.iter().map(|s| s[i]).collect();
                q.iter()
                    .map(|&p| super::stats::quantile(&column, p).map_err(Error::from))
                    .collect()
            })
            .collect()
    }

    /// Writes one line per patient and arm: `patient,arm,<parameters>,status,<endpoints>,error`.
    ///
    /// # Errors
    /// [`IoError::Csv`](crate::IoError::Csv) when writing fails.
    pub fn write_per_patient_csv<W: std::io::Write>(&self, writer: W) -> Result<(), Error> {
        write_per_patient(
            &self.arms,
            &self.parameter_names,
            &self.population,
            &self.outcomes,
            writer,
        )
    }

    /// Writes one line per arm with its summary and intervals.
    ///
    /// # Errors
    /// [`IoError::Csv`](crate::IoError::Csv) when writing fails.
    pub fn write_summary_csv<W: std::io::Write>(&self, writer: W) -> Result<(), Error> {
        let mut w = csv::Writer::from_writer(writer);
        w.write_record(SUMMARY_HEADER)
            .map_err(crate::IoError::from)?;
        let number = super::population::format_number;
        let opt = |v: Option<f64>| v.map(number).unwrap_or_default();
        for (arm, s) in self.summaries.iter().enumerate() {
            let rank = self.ranking.order.iter().position(|r| r.arm == arm);
            let tied = rank.is_some_and(|k| self.ranking.order[k].tied_with_previous);
            w.write_record([
                s.name.clone(),
                s.patients.to_string(),
                s.failed.to_string(),
                number(s.objective_response.estimate),
                number(s.objective_response.interval.lower),
                number(s.objective_response.interval.upper),
                number(s.disease_control.estimate),
                number(s.disease_control.interval.lower),
                number(s.disease_control.interval.upper),
                opt(s.median_ttp.estimate),
                opt(s.median_ttp.lower),
                opt(s.median_ttp.upper),
                number(s.best_percent_change.mean),
                number(s.best_percent_change.median),
                number(s.final_burden.mean),
                number(s.final_burden.median),
                opt(s.grade3_toxicity.as_ref().map(|p| p.estimate)),
                rank.map(|k| (k + 1).to_string()).unwrap_or_default(),
                tied.to_string(),
            ])
            .map_err(crate::IoError::from)?;
        }
        w.flush()
            .map_err(|e| crate::IoError::from(csv::Error::from(e)))?;
        Ok(())
    }
}

/// Writes one line per patient and arm: `patient,arm,<parameters>,status,<endpoints>,error`.
fn write_per_patient<W: std::io::Write>(
    arms: &[String],
    parameter_names: &[String],
    population: &Population,
    outcomes: &[Outcome],
    writer: W,
) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(writer);
    let drugs: Vec<String> = outcomes
        .iter()
        .find_map(|o| match o {
            Outcome::Done(e) => Some(e.exposure.iter().map(|x| x.drug.clone()).collect()),
            Outcome::Failed(_) => None,
        })
        .unwrap_or_default();
    let mut header: Vec<String> = vec!["patient".into(), "arm".into()];
    header.extend(parameter_names.iter().cloned());
    header.extend(
        [
            "status",
            "final_burden",
            "nadir",
            "nadir_time_d",
            "best_percent_change",
            "tumor_auc",
            "ttp_d",
            "ttp_censored",
            "best_response",
            "toxicity_worst",
            "toxicity_grade",
        ]
        .map(String::from),
    );
    for d in &drugs {
        header.push(format!("{d}_auc_mg_day_per_L"));
        header.push(format!("{d}_cmax_mg_per_L"));
        header.push(format!("{d}_trough_mg_per_L"));
    }
    header.push("error".into());
    w.write_record(&header).map_err(crate::IoError::from)?;
    let number = super::population::format_number;
    let n_arms = arms.len();
    for (k, o) in outcomes.iter().enumerate() {
        let mut row: Vec<String> = Vec::with_capacity(header.len());
        match o {
            Outcome::Done(e) => {
                row.push(e.patient.to_string());
                row.push(arms[e.arm].clone());
                let values = population.patients()[k / n_arms].values();
                row.extend(values.iter().map(|v| number(*v)));
                row.push("ok".into());
                for v in [
                    e.final_burden,
                    e.nadir,
                    e.nadir_time,
                    e.best_percent_change,
                    e.tumor_auc,
                    e.time_to_progression.time,
                ] {
                    row.push(number(v));
                }
                row.push(e.time_to_progression.censored.to_string());
                row.push(e.response.abbreviation().to_string());
                match e.toxicity {
                    Some((worst, grade)) => {
                        row.push(number(worst));
                        row.push(grade.to_string());
                    }
                    None => row.extend([String::new(), String::new()]),
                }
                for x in &e.exposure {
                    row.push(number(x.auc));
                    row.push(number(x.cmax));
                    row.push(x.trough.map(number).unwrap_or_default());
                }
                row.push(String::new());
            }
            Outcome::Failed(f) => {
                row.push(f.patient.to_string());
                row.push(arms[f.arm].clone());
                row.extend(f.parameters.iter().map(|v| number(*v)));
                row.push("failed".into());
                row.resize(header.len() - 1, String::new());
                row.push(f.error.to_string());
            }
        }
        w.write_record(&row).map_err(crate::IoError::from)?;
    }
    w.flush()
        .map_err(|e| crate::IoError::from(csv::Error::from(e)))?;
    Ok(())
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

/// The number of columns of a [`StudyTable`].
pub const STUDY_TABLE_COLUMNS: usize = 10;

/// The arms of a [`StudyResult`] side by side, best first ([`StudyResult::table`]); prints
/// itself. The cells are plain strings, so a program may change a column before printing.
///
/// Columns: rank, arm, objective response and disease control rates (%, Wilson 95%), median
/// time to progression (days, log-log 95%; `NR` not reached), progression-free at the horizon
/// (%, Kaplan–Meier log-log 95%), best % change of the burden (mean / median), grade ≥ 3
/// toxicity (%, Wilson 95%; `–` without a toxicity endpoint), failed simulations, and ties
/// (the arm's interval overlaps the one above it).
#[derive(Clone, Debug, PartialEq)]
pub struct StudyTable {
    /// The endpoint the arms are ranked by.
    pub by: RankBy,
    /// Column titles.
    pub titles: [String; STUDY_TABLE_COLUMNS],
    /// Under each title, how its interval is computed (`[Wilson]`, `[log-log]`, …).
    pub methods: [String; STUDY_TABLE_COLUMNS],
    /// One row per arm, best first.
    pub rows: Vec<[String; STUDY_TABLE_COLUMNS]>,
}

impl std::fmt::Display for StudyTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Ranked by {}, best first; 95% intervals in brackets.",
            self.by
        )?;
        for c in [&self.titles, &self.methods].into_iter().chain(&self.rows) {
            writeln!(
                f,
                "{:>2}  {:<26} {:>19} {:>19} {:>15} {:>18} {:>14} {:>18} {:>6}  {}",
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9]
            )?;
        }
        Ok(())
    }
}

/// `estimate [lower, upper]` as percentages, one decimal.
fn percent_cell(estimate: f64, interval: Interval) -> String {
    format!(
        "{:.1} [{:.1}, {:.1}]",
        100.0 * estimate,
        100.0 * interval.lower,
        100.0 * interval.upper
    )
}

/// Days, rounded; `NR` (not reached) for none.
fn days_cell(v: Option<f64>) -> String {
    match v {
        Some(d) if d.is_finite() => format!("{d:.0}"),
        _ => "NR".to_string(),
    }
}

impl StudyResult {
    /// The per-arm table, best first (see [`StudyTable`]); `println!("{}", result.table()?)`
    /// prints it.
    ///
    /// # Errors
    /// [`StatsError`](crate::stats::StatsError) for an arm without endpoints (every
    /// simulation failed).
    pub fn table(&self) -> Result<StudyTable, crate::stats::StatsError> {
        let horizon = self.times.last().copied().unwrap_or(f64::NAN);
        let cells = |c: [&str; STUDY_TABLE_COLUMNS]| c.map(str::to_string);
        let titles = cells([
            "#",
            "arm",
            "ORR %",
            "DCR %",
            "median TTP d",
            &format!("PF at {horizon:.0} d %"),
            "best Δ %",
            "grade ≥3 tox %",
            "failed",
            "tie",
        ]);
        let methods = cells([
            "",
            "",
            "[Wilson]",
            "[Wilson]",
            "[log-log]",
            "[log-log]",
            "mean / median",
            "[Wilson]",
            "",
            "",
        ]);
        let mut rows = Vec::with_capacity(self.ranking.order.len());
        for (k, rank) in self.ranking.order.iter().enumerate() {
            let s = &self.summaries[rank.arm];
            let m = &s.median_ttp;
            let ttp = format!(
                "{} [{}, {}]",
                days_cell(m.estimate),
                days_cell(m.lower),
                days_cell(m.upper)
            );
            let observations: Vec<TimeToEvent> = self
                .endpoints(rank.arm)
                .map(|e| e.time_to_progression)
                .collect();
            let km = KaplanMeier::new(&observations)?;
            let pf = km.survival_at(horizon);
            let last = km.steps().iter().rev().find(|s| s.time <= horizon);
            let pf = match last.and_then(|s| s.interval) {
                Some(ci) => percent_cell(pf, ci),
                None => format!("{:5.1}", 100.0 * pf),
            };
            let changes: Vec<f64> = self
                .endpoints(rank.arm)
                .map(|e| e.best_percent_change)
                .collect();
            let change = summarize(&changes)?;
            let tox = s
                .grade3_toxicity
                .map_or_else(|| "–".to_string(), |p| percent_cell(p.estimate, p.interval));
            rows.push([
                (k + 1).to_string(),
                s.name.clone(),
                percent_cell(s.objective_response.estimate, s.objective_response.interval),
                percent_cell(s.disease_control.estimate, s.disease_control.interval),
                ttp,
                pf,
                format!("{:.1} / {:.1}", change.mean, change.median),
                tox,
                s.failed.to_string(),
                if rank.tied_with_previous {
                    format!("tied with #{k}")
                } else {
                    String::new()
                },
            ]);
        }
        Ok(StudyTable {
            by: self.ranking.by,
            titles,
            methods,
            rows,
        })
    }
}
