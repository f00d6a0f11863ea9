//! TOML study files: round trips with `compare::Study` (the same per-patient results, byte for
//! byte), the shipped `examples/studies/default.toml` against the example's built-in study, and
//! malformed files whose errors must name the field and its line.

#[path = "../examples/common/model.rs"]
mod model;
#[path = "../examples/common/study.rs"]
mod study;

use oncodyn::compare::{
    Bootstrap, Correlations, EndpointSpec, GradeScale, ParamMap, Parameter, Patient,
    PopulationSpec, RankBy, Recist, Study, StudyResult, Toxicity,
};
use oncodyn::dosing::radiotherapy::Course;
use oncodyn::io::{PatientSource, StudyFile};
use oncodyn::prelude::*;
use oncodyn::solver::{Action, Condition, DiameterMapping};
use oncodyn::IoError;
use std::path::{Path, PathBuf};

/// A small study built through the API: a tumor with CTLs, a drug that boosts the kill and
/// radiotherapy, three arms, correlated log-normal patients, a toxicity endpoint and a custom
/// progression mapping, so that every section of a study file is exercised.
fn api_study(patients: usize, seed: u64) -> Result<(Study, PopulationSpec), oncodyn::Error> {
    let mut b = ModelBuilder::new();
    let tumor = b.tumor(
        TumorSpec::new(
            "tumor",
            1e8,
            Logistic {
                rate: 0.15,
                capacity: 5e8,
            },
        )
        .with_radiosensitivity(0.3, 0.03),
    )?;
    let ctl = b.effector(CellSpec {
        name: "ctl".into(),
        initial: 3e5,
        source: 1.3e4,
        death: 0.04,
        ..Default::default()
    })?;
    b.kill(ctl, tumor, MassAction { rate: 1e-7 })?;
    let pd1 = b.drug(DrugSpec::new(
        "pd1",
        TwoCompartment {
            cl: 0.22,
            v1: 3.48,
            q: 0.795,
            v2: 4.06,
        },
    ))?;
    b.effect(
        pd1,
        Target::EffectorKill(ctl),
        Emax {
            emax: 1.5,
            ec50: 5.0,
        },
    )?;
    let model = b.build()?;
    let spec = PopulationSpec::new(vec![
        Parameter::log_normal("growth", 0.15, 0.3),
        Parameter::log_normal_cv("kill", 1e-7, 0.3),
        Parameter::log_normal("cl", 0.22, 0.134f64.sqrt()),
    ])
    .with_correlations(Correlations::Correlation {
        parameters: vec!["growth".into(), "kill".into()],
        matrix: vec![vec![1.0, -0.4], vec![-0.4, 1.0]],
    });
    let population = spec.sampler()?.draw(seed, patients)?;
    let parameters = ParamMap::new()
        .path("growth", "tumors[tumor].growth.rate")?
        .path("kill", "kills[ctl->tumor].law.rate")?
        .path("cl", "drugs[pd1].cl")?;
    let pd1_q3w = Dose::infusion(0.0, "pd1", 200.0, 1.0 / 48.0).repeated(21.0, 4);
    let arms = vec![
        Regimen::new("none"),
        Regimen::new("pd1").with(pd1_q3w.clone()),
        Regimen::new("rt_pd1")
            .with_radiotherapy(Course::weekdays(2.0, 10).fractions(0.0)?)
            .with(pd1_q3w.shifted(14.0)),
    ];
    let times: Vec<f64> = (0..=120).map(f64::from).collect();
    let mut study = Study::new(model, arms, population, parameters, times);
    study.events = vec![EventRule::new(
        "progression",
        Condition::Progression {
            mapping: DiameterMapping { cells_per_mm3: 1e5 },
        },
        Action::Record,
    )];
    study.endpoints = EndpointSpec {
        drugs: None,
        toxicity: Some(Toxicity {
            column: "ctl".into(),
            scale: GradeScale::below(vec![2e5, 1.5e5, 1e5, 5e4])?,
        }),
        recist: Recist {
            detection_limit_mm: 2.0,
            ..Recist::default()
        },
        rank_by: RankBy::MedianTimeToProgression,
        bootstrap: Bootstrap {
            resamples: 200,
            seed: 3,
        },
    };
    study.options.rtol = 1e-7;
    Ok((study, spec))
}

/// The per-patient and summary CSVs of a result, as bytes.
fn csv_bytes(result: &StudyResult) -> Result<(Vec<u8>, Vec<u8>), oncodyn::Error> {
    let mut per_patient = Vec::new();
    result.write_per_patient_csv(&mut per_patient)?;
    let mut summary = Vec::new();
    result.write_summary_csv(&mut summary)?;
    Ok((per_patient, summary))
}

fn run(study: &Study) -> Result<StudyResult, oncodyn::Error> {
    study.run(Some(2), &|_| {})
}

/// A fresh directory under the system's temporary directory.
fn scratch_dir(name: &str) -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("oncodyn-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[test]
fn a_study_survives_api_to_file_to_toml_to_file_to_study_with_identical_results(
) -> Result<(), oncodyn::Error> {
    let (study, spec) = api_study(40, 11)?;
    let file = StudyFile::from_study(
        &study,
        PatientSource::Drawn {
            population: spec,
            count: 40,
            seed: 11,
        },
    )?;
    let text = file.to_toml_string()?;
    let reread = StudyFile::from_toml_str(&text)?;
    assert_eq!(reread, file);
    let from_file = reread.to_study()?;
    assert_eq!(from_file.patients, study.patients);
    assert_eq!(from_file.times, study.times);

    let expected = run(&study)?;
    let got = run(&from_file)?;
    assert_eq!(expected.failures().count(), 0);
    // Not a vacuous comparison: the arms differ, and some patients progress.
    assert_ne!(expected.summaries[0], expected.summaries[1]);
    assert!(expected
        .endpoints(0)
        .any(|e| !e.time_to_progression.censored));
    assert_eq!(csv_bytes(&got)?, csv_bytes(&expected)?);
    Ok(())
}

#[test]
fn a_study_file_written_to_disk_reads_back_equal() -> Result<(), Box<dyn std::error::Error>> {
    let (study, spec) = api_study(5, 2)?;
    let file = StudyFile::from_study(
        &study,
        PatientSource::Drawn {
            population: spec,
            count: 5,
            seed: 2,
        },
    )?;
    let dir = scratch_dir("write")?;
    let path = dir.join("study.toml");
    file.write(&path)?;
    assert_eq!(StudyFile::read(&path)?, file);
    std::fs::remove_dir_all(dir)?;
    Ok(())
}

#[test]
fn patients_from_a_csv_give_the_same_results_as_the_drawn_patients(
) -> Result<(), Box<dyn std::error::Error>> {
    let (study, spec) = api_study(25, 5)?;
    let drawn = StudyFile::from_study(
        &study,
        PatientSource::Drawn {
            population: spec,
            count: 25,
            seed: 5,
        },
    )?;
    let dir = scratch_dir("csv")?;
    study.patients.write(dir.join("patients.csv"))?;
    let mut from_csv = drawn.clone();
    from_csv.patients = PatientSource::Csv {
        path: PathBuf::from("patients.csv"),
    };
    let path = dir.join("study.toml");
    from_csv.write(&path)?;
    let text = std::fs::read_to_string(&path)?;
    assert!(text.contains("patients_csv = \"patients.csv\""), "{text}");
    assert!(!text.contains("[population]"), "{text}");

    // Read from the file, the relative CSV path is taken from the file's directory.
    let reread = StudyFile::read(&path)?;
    assert_eq!(
        reread.patients,
        PatientSource::Csv {
            path: dir.join("patients.csv")
        }
    );
    let got = run(&reread.to_study()?)?;
    let expected = run(&drawn.to_study()?)?;
    assert_eq!(csv_bytes(&got)?, csv_bytes(&expected)?);
    std::fs::remove_dir_all(dir)?;
    Ok(())
}

#[test]
fn the_shipped_default_study_equals_the_built_in_one() -> Result<(), oncodyn::Error> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/studies/default.toml");
    let shipped = StudyFile::read(path)?;
    assert_eq!(shipped, study::default_study()?);
    // It describes a study that can run: 6 arms, the patients drawn with its seed.
    let study = shipped.to_study()?;
    assert_eq!(study.arms.len(), 6);
    assert_eq!(study.patients.len(), 1000);
    Ok(())
}

#[test]
fn from_study_rejects_a_parameter_function_a_file_cannot_hold() -> Result<(), oncodyn::Error> {
    let (mut study, spec) = api_study(3, 1)?;
    study.parameters =
        study
            .parameters
            .clone()
            .function("double initial", |_: &Patient, spec: &mut ModelSpec| {
                for t in &mut spec.tumors {
                    t.initial *= 2.0;
                }
                Ok(())
            });
    let err = StudyFile::from_study(
        &study,
        PatientSource::Drawn {
            population: spec,
            count: 3,
            seed: 1,
        },
    );
    assert!(
        matches!(&err, Err(IoError::ParameterFunctions { labels }) if labels == "double initial"),
        "{err:?}"
    );
    Ok(())
}

// ---- Malformed files: each error names the field (key path) and its line. ------------------

/// A valid study file; the error tests change one line of it.
const BASE: &str = r#"patients = 10
seed = 1

[[model.tumors]]
name = "tumor"
initial = 1e9
growth = { type = "exponential", rate = 0.03 }

[[model.drugs]]
name = "chemo"
cl = 13.5
v1 = 15.0

[[model.effects]]
drug = "chemo"
rate = "tumor_kill"
of = "tumor"
law = { type = "emax", emax = 1.0, ec50 = 2.0 }

[[arms]]
name = "none"

[[arms]]
name = "q21d"
doses = [{ time = 0.0, target = "chemo", amount = 60.0 }]

[[population.parameters]]
name = "growth"
typical = 0.03
distribution = { type = "log_normal_cv", cv = 0.3 }

[[parameters]]
name = "growth"
path = "tumors[tumor].growth.rate"

[simulation]
horizon = 84.0
step = 1.0

[endpoints.toxicity]
column = "tumor"
scale = { worse = "above", thresholds = [1e9, 2e9] }
"#;

/// `BASE` with line `line` (1-based) replaced by `with`.
fn edited(line: usize, with: &str) -> String {
    BASE.lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == line { with } else { l })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses `text`, expecting an [`IoError::Toml`]: returns (line, key, message).
fn toml_error(text: &str) -> (Option<usize>, Option<String>, String) {
    match StudyFile::from_toml_str(text) {
        Err(IoError::Toml {
            line, key, message, ..
        }) => (line, key, message),
        other => panic!("expected a TOML error, got {other:?}"),
    }
}

#[test]
fn the_base_file_parses_and_runs() -> Result<(), oncodyn::Error> {
    let file = StudyFile::from_toml_str(BASE)?;
    let result = file.to_study()?.run(Some(1), &|_| {})?;
    assert_eq!(result.arms, ["none", "q21d"]);
    Ok(())
}

#[test]
fn an_unknown_field_in_a_dose_names_its_key_and_line() {
    let text = edited(
        25,
        r#"doses = [{ time = 0.0, target = "chemo", amount = 60.0, amout = 1.0 }]"#,
    );
    let (line, key, message) = toml_error(&text);
    assert_eq!(line, Some(25), "{message}");
    assert_eq!(key.as_deref(), Some("arms[1].doses[0].amout"), "{message}");
    assert!(message.contains("unknown field `amout`"), "{message}");
}

#[test]
fn a_wrong_type_inside_a_distribution_names_its_key_and_line() {
    let text = edited(
        30,
        r#"distribution = { type = "log_normal_cv", cv = "high" }"#,
    );
    let (line, key, message) = toml_error(&text);
    assert_eq!(line, Some(30), "{message}");
    assert_eq!(
        key.as_deref(),
        Some("population.parameters[0].distribution.cv"),
        "{message}"
    );
}

#[test]
fn an_unknown_top_level_field_is_rejected_by_name() {
    let text = edited(2, "sed = 1");
    let (line, _, message) = toml_error(&text);
    assert_eq!(line, Some(2), "{message}");
    assert!(message.contains("unknown field `sed`"), "{message}");
}

#[test]
fn a_population_and_a_patient_csv_together_are_rejected_at_the_csv() {
    let text = edited(2, "seed = 1\npatients_csv = \"patients.csv\"");
    let (line, key, message) = toml_error(&text);
    assert_eq!(line, Some(3), "{message}");
    assert_eq!(key.as_deref(), Some("patients_csv"), "{message}");
    assert!(message.contains("not both"), "{message}");
}

#[test]
fn a_drawn_population_without_a_seed_is_rejected_at_the_population() {
    let text = edited(2, "");
    let (line, key, message) = toml_error(&text);
    assert_eq!(line, Some(27), "{message}");
    assert_eq!(key.as_deref(), Some("population"), "{message}");
    assert!(message.contains("missing field `seed`"), "{message}");
}

#[test]
fn a_patient_count_with_a_patient_csv_is_rejected_at_the_count() {
    // Drop the population (lines 27–30) and give a CSV instead.
    let text: String = BASE
        .lines()
        .enumerate()
        .filter(|(i, _)| !(26..30).contains(i))
        .map(|(_, l)| l)
        .collect::<Vec<_>>()
        .join("\n")
        .replace("seed = 1", "patients_csv = \"patients.csv\"");
    let (line, key, message) = toml_error(&text);
    assert_eq!(line, Some(1), "{message}");
    assert_eq!(key.as_deref(), Some("patients"), "{message}");
}

#[test]
fn a_parameter_path_that_does_not_parse_names_its_key_and_line() {
    let text = edited(34, r#"path = "tumors[tumor.growth.rate""#);
    let (line, key, message) = toml_error(&text);
    assert_eq!(line, Some(34), "{message}");
    assert_eq!(key.as_deref(), Some("parameters[0].path"), "{message}");
    assert!(message.contains("tumors[tumor.growth.rate"), "{message}");
}

#[test]
fn a_parameter_path_missing_from_the_model_names_its_key_and_line() {
    let text = edited(34, r#"path = "tumors[tumor].growth.speed""#);
    let (line, key, message) = toml_error(&text);
    assert_eq!(line, Some(34), "{message}");
    assert_eq!(key.as_deref(), Some("parameters[0].path"), "{message}");
    assert!(message.contains("no field `speed`"), "{message}");
}

#[test]
fn a_binding_of_a_value_the_population_lacks_names_its_key_and_line() {
    let text = edited(33, r#"name = "growht""#);
    let (line, key, message) = toml_error(&text);
    assert_eq!(line, Some(33), "{message}");
    assert_eq!(key.as_deref(), Some("parameters[0].name"), "{message}");
    assert!(message.contains("available: growth"), "{message}");
}

#[test]
fn grade_thresholds_out_of_order_name_their_key_and_line() {
    let text = edited(
        42,
        r#"scale = { worse = "above", thresholds = [2e9, 1e9] }"#,
    );
    let (line, key, message) = toml_error(&text);
    assert_eq!(line, Some(42), "{message}");
    // Deserializing checks the scale (GradeScale is `serde(try_from)`): the error names the
    // scale's table and the offending threshold.
    assert_eq!(
        key.as_deref(),
        Some("endpoints.toxicity.scale"),
        "{message}"
    );
    assert!(message.contains("grade threshold 1"), "{message}");
    assert!(message.contains("threshold 1"), "{message}");
}

#[test]
fn a_missing_simulation_section_is_named() {
    let text = BASE.replace("[simulation]\nhorizon = 84.0\nstep = 1.0\n", "");
    let (_, key, message) = toml_error(&text);
    assert_eq!(key.as_deref(), Some("simulation"), "{message}");
    assert!(message.contains("missing field `simulation`"), "{message}");
}

#[test]
fn an_invalid_distribution_is_rejected_at_its_key_and_line() {
    // Found when the file is read (before any work), at the distribution's `cv`.
    let err = StudyFile::from_toml_str(&edited(
        30,
        r#"distribution = { type = "log_normal_cv", cv = -0.3 }"#,
    ))
    .err();
    assert!(
        matches!(
            &err,
            Some(IoError::Toml { line: Some(30), key: Some(key), message, .. })
                if key == "population.parameters[0].distribution.cv"
                    && message.contains("parameter `growth`: `cv` = -0.3")
        ),
        "{err:?}"
    );
}

#[test]
fn a_file_error_names_the_path() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/studies/no_such_file.toml");
    let err = StudyFile::read(&path);
    assert!(
        matches!(&err, Err(IoError::File { path: p, .. }) if p.ends_with("no_such_file.toml")),
        "{err:?}"
    );
}

#[test]
fn a_study_model_that_does_not_build_names_the_line() {
    // The CTL death rate of the default study made negative: the line of its key.
    let text = std::fs::read_to_string("examples/studies/default.toml").unwrap_or_default();
    let line = text
        .lines()
        .position(|l| l.starts_with("death = 0.0412"))
        .map(|i| i + 1);
    let bad = text.replacen("death = 0.0412", "death = -0.0412", 1);
    match oncodyn::io::StudyFile::from_toml_str(&bad) {
        Err(IoError::Build {
            line: found,
            message,
            source,
            ..
        }) => {
            assert_eq!(found, line, "{message}");
            assert!(
                message.contains("ctl: parameter `death` = -0.0412"),
                "{message}"
            );
            assert!(matches!(
                *source,
                oncodyn::BuildError::InvalidParameter { .. }
            ));
        }
        other => panic!("expected a build error, got {other:?}"),
    }
}
