//! The default study of `compare_schedules`: the shared model (`model.rs`), six arms and a
//! virtual population. `examples/studies/default.toml` is the same study as a file, with the
//! same sources as comments (`tests/study_file.rs` checks the two are equal).

use crate::model::{self, ANTI_PD1, ANTI_PD1_INFUSION_DAYS, ANTI_PD1_MG, CHEMO, CTL, TUMOR};
use oncodyn::compare::{
    Bootstrap, EndpointSpec, GradeScale, Parameter, PopulationSpec, RankBy, Recist, Toxicity,
};
use oncodyn::dosing::radiotherapy::Course;
use oncodyn::io::{ParameterBinding, PatientSource, SimulationSection, StudyFile};
use oncodyn::prelude::*;
use oncodyn::solver::{Action, Condition, DiameterMapping};

/// Days between cycles of either drug (q3w).
const CYCLE_DAYS: f64 = 21.0;
/// Cycles of each drug in every arm that gets it.
const CYCLES: u32 = 4;
/// Start of the second drug in a sequential arm: three weeks after the last cycle of the first.
const SECOND_START_DAYS: f64 = CYCLE_DAYS * CYCLES as f64;
/// Chemotherapy dose: 75 mg IV over 1 day (see the chemotherapy parameters in `model.rs`).
const CHEMO_MG: f64 = 75.0;
/// Chemotherapy infusion duration, days.
const CHEMO_INFUSION_DAYS: f64 = 1.0;
/// Radiotherapy: 5 fractions of 6 Gy, Monday to Friday from day 0 (30 Gy, BED₁₀ 48 Gy).
const RT_FRACTIONS: u32 = 5;
/// Radiotherapy dose per fraction, Gy.
const RT_GY: f64 = 6.0;
/// Start of anti-PD-1 after radiotherapy: the Monday after the last fraction.
const AFTER_RT_DAYS: f64 = 7.0;
/// Horizon, days (one year).
const HORIZON_DAYS: f64 = 364.0;
/// Output grid step, days.
const STEP_DAYS: f64 = 1.0;
/// Cells per mm³ in the burden → diameter mapping (see `endpoints`).
const CELLS_PER_MM3: f64 = 1e5;
/// CTLs at their tumor-free level s/d (model.rs), cells: the "normal count" of the toxicity
/// grades.
const CTL_NORMAL: f64 = 1.3e4 / 0.0412;

/// Patients in the default study.
const PATIENTS: usize = 1000;
/// Seed of the default study's patients.
const SEED: u64 = 2024;

/// The default study.
pub fn default_study() -> Result<StudyFile, oncodyn::Error> {
    let model = model::build()?;
    Ok(StudyFile {
        model: model.spec().clone(),
        arms: arms()?,
        patients: PatientSource::Drawn {
            population: population(),
            count: PATIENTS,
            seed: SEED,
        },
        parameters: vec![
            ParameterBinding::new("growth_rate", format!("tumors[{TUMOR}].growth.rate")),
            ParameterBinding::new("initial_burden", format!("tumors[{TUMOR}].initial")),
            ParameterBinding::new("ctl_kill", format!("kills[{CTL}->{TUMOR}].law.rate")),
            ParameterBinding::new("anti_pd1_cl", format!("drugs[{ANTI_PD1}].cl")),
            ParameterBinding::new("chemo_cl", format!("drugs[{CHEMO}].cl")),
        ],
        simulation: SimulationSection::grid(HORIZON_DAYS, STEP_DAYS),
        events: vec![EventRule::new(
            "progression",
            Condition::Progression {
                mapping: DiameterMapping {
                    cells_per_mm3: CELLS_PER_MM3,
                },
            },
            Action::Record,
        )],
        endpoints: endpoints()?,
    })
}

/// The six arms: every drug arm gets 4 cycles q3w of each of its drugs.
fn arms() -> Result<Vec<Regimen>, oncodyn::Error> {
    let anti_pd1 = Regimen::new("anti_pd1_alone").with(
        Dose::infusion(0.0, ANTI_PD1, ANTI_PD1_MG, ANTI_PD1_INFUSION_DAYS)
            .repeated(CYCLE_DAYS, CYCLES),
    );
    let chemo = Regimen::new("chemo").with(
        Dose::infusion(0.0, CHEMO, CHEMO_MG, CHEMO_INFUSION_DAYS).repeated(CYCLE_DAYS, CYCLES),
    );
    let rt = Course::weekdays(RT_GY, RT_FRACTIONS).fractions(0.0)?;
    Ok(vec![
        Regimen::new("no_treatment"),
        anti_pd1.clone(),
        Regimen::new("concurrent_chemo_anti_pd1")
            .merged(&chemo)
            .merged(&anti_pd1),
        Regimen::new("chemo_then_anti_pd1")
            .merged(&chemo)
            .merged(&anti_pd1.clone().shifted(SECOND_START_DAYS)),
        Regimen::new("anti_pd1_then_chemo")
            .merged(&anti_pd1)
            .merged(&chemo.shifted(SECOND_START_DAYS)),
        Regimen::new("rt_then_anti_pd1")
            .with_radiotherapy(rt)
            .merged(&anti_pd1.shifted(AFTER_RT_DAYS)),
    ])
}

/// Between-patient variability, log-normal throughout (typical value = median).
fn population() -> PopulationSpec {
    PopulationSpec::new(vec![
        // Tumor growth rate a, 1/day: typical 0.18 (Kuznetsov 1994). ω = 0.3 is chosen: clinical
        // tumor-growth models report larger variability (ω² ≈ 0.56 on the growth rate of Claret
        // 2009, pkpd.md §4.1, secondary source), but in this bistable model ω = 0.3 already
        // spreads patients from durable control to escape.
        Parameter::log_normal("growth_rate", 0.18, 0.3),
        // Initial burden T(0), cells: typical 1e8 (as in the deterministic model), ω = 0.5
        // chosen so that the middle 90 % of baseline diameters span about 9–16 mm.
        Parameter::log_normal("initial_burden", 1e8, 0.5),
        // CTL kill rate n, 1/(cell·day): typical 1.101e-7 (Kuznetsov 1994); ω = 0.3 chosen
        // (tumor immunogenicity varies between patients; no population estimate is known).
        Parameter::log_normal("ctl_kill", 1.101e-7, 0.3),
        // Anti-PD-1 clearance, L/day: typical 0.22, ω² = 0.134 (≈ 38 % CV), pembrolizumab,
        // Ahamadi 2017 Table 3 (pkpd.md §5.1).
        Parameter::log_normal("anti_pd1_cl", 0.22, 0.134f64.sqrt()),
        // Chemotherapy clearance, L/day: typical 13.5 (model.rs); 30 % CV chosen (de Pillis
        // 2006 gives no variability).
        Parameter::log_normal_cv("chemo_cl", 13.5, 0.3),
    ])
}

/// Endpoints: RECIST on the model's diameter, CTL depletion graded as a toxicity, ranking by
/// median TTP.
fn endpoints() -> Result<EndpointSpec, oncodyn::Error> {
    // CTL depletion graded like CTCAE v5.0 "lymphocyte count decreased" (grade 1 < LLN, 2 <
    // 800, 3 < 500, 4 < 200 per mm³), with the tumor-free CTL level s/d standing for a normal
    // count of 1500/mm³ and the LLN taken as 1000/mm³. Illustrative: the model's CTLs are
    // tumor-specific cells, not a blood count.
    let scale = GradeScale::below(
        [1000.0, 800.0, 500.0, 200.0]
            .iter()
            .map(|per_mm3| CTL_NORMAL * per_mm3 / 1500.0)
            .collect(),
    )?;
    Ok(EndpointSpec {
        drugs: None,
        toxicity: Some(Toxicity {
            column: CTL.to_string(),
            scale,
        }),
        recist: Recist {
            // 1e5 cells/mm³ is chosen so that the typical baseline tumor (1e8 cells) is a
            // 12.4 mm lesion, measurable under RECIST 1.1 (≥ 10 mm): Kuznetsov's cell numbers
            // come from mouse spleens, and the usual 1e6 cells/mm³ would make it 5.8 mm, a lesion
            // that could never gain the 5 mm progression asks for.
            mapping: DiameterMapping {
                cells_per_mm3: CELLS_PER_MM3,
            },
            // Below 3 mm (1.4e6 cells) the lesion counts as gone (CR); chosen, illustrative.
            detection_limit_mm: 3.0,
            baseline_time: 0.0,
            // SD counts from 6 weeks on (RECIST 1.1: "in general not less than 6–8 weeks").
            min_stable_days: 42.0,
        },
        rank_by: RankBy::MedianTimeToProgression,
        bootstrap: Bootstrap {
            resamples: 2000,
            seed: 1,
        },
    })
}
