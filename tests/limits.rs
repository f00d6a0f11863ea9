//! Bounded resources and validation before work (issue 15): every count a user controls is
//! checked against a documented limit before anything is allocated or simulated, with a typed
//! error naming the field; a study that cannot succeed fails before its first patient.
//!
//! Expected values: the limits' documented constants and the variants' fields; each test would
//! otherwise abort on allocation, run for minutes, or fail only after the simulation.

use oncodyn::compare::{
    EndpointError, ParamMap, Parameter, PopulationError, PopulationSpec, StatsError, Study,
    StudyResult, MAX_PATIENTS, MAX_RESAMPLES, MAX_THREADS,
};
use oncodyn::dosing::{Regimen, Repeat, MAX_REPEATS};
use oncodyn::fit::{FitOptions, FitReport, MAX_STARTS};
use oncodyn::io::ModelFile;
use oncodyn::prelude::*;
use oncodyn::{BuildError, Error, FitError, IoError, ScheduleError, StudyError};
use std::sync::atomic::{AtomicUsize, Ordering};

/// One tumor killed by one drug, and a study of `n` patients through `arms`.
fn study(n: usize, arms: Vec<Regimen>) -> Result<Study, Error> {
    let mut b = ModelBuilder::new();
    let tumor = b.tumor(TumorSpec::new("tumor", 1e9, Exponential { rate: 0.03 }))?;
    let chemo = b.drug(DrugSpec::new("chemo", OneCompartment { cl: 13.5, v: 15.0 }))?;
    b.effect(
        chemo,
        Target::TumorKill(tumor),
        Emax {
            emax: 1.0,
            ec50: 2.0,
        },
    )?;
    let model = b.build()?;
    let spec = PopulationSpec::new(vec![Parameter::log_normal_cv("growth", 0.03, 0.3)]);
    let patients = spec.sampler()?.draw(7, n)?;
    let parameters = ParamMap::new().path("growth", "tumors[tumor].growth.rate")?;
    let times: Vec<f64> = (0..=28).map(f64::from).collect();
    Ok(Study::new(model, arms, patients, parameters, times))
}

fn q21(name: &str) -> Regimen {
    Regimen::new(name).with(Dose::bolus(0.0, "chemo", 60.0).repeated(21.0, 2))
}

/// Runs `study`, counting the simulations started, and returns the error and that count.
fn run_err(study: &Study, threads: Option<usize>) -> (Error, usize) {
    let simulated = AtomicUsize::new(0);
    let result: Result<StudyResult, Error> = study.run(threads, &|_| {
        simulated.fetch_add(1, Ordering::Relaxed);
    });
    match result {
        Ok(_) => panic!("the study ran"),
        Err(e) => (e, simulated.load(Ordering::Relaxed)),
    }
}

#[test]
fn a_repeat_count_above_the_limit_is_rejected_before_expansion() -> Result<(), Error> {
    let s = study(1, vec![q21("ok")])?;
    let mut dose = Dose::bolus(0.0, "chemo", 60.0);
    dose.repeat = Some(Repeat {
        interval: 7.0,
        additional: 2_000_000_000,
    });
    let err = Regimen::new("huge")
        .with(dose)
        .resolve(&s.model)
        .unwrap_err();
    assert!(
        matches!(err, ScheduleError::TooManyRepeats { dose: 0, additional: 2_000_000_000, limit, .. } if limit == MAX_REPEATS),
        "{err:?}"
    );
    // The limit itself is accepted.
    let mut dose = Dose::bolus(0.0, "chemo", 60.0);
    dose.repeat = Some(Repeat {
        interval: 7.0,
        additional: MAX_REPEATS,
    });
    let plan = Regimen::new("limit").with(dose).resolve(&s.model)?;
    assert_eq!(plan.jumps.len(), MAX_REPEATS as usize + 1);
    Ok(())
}

#[test]
fn a_model_file_with_a_huge_repeat_fails_with_the_field_not_an_abort() -> Result<(), Error> {
    let text = std::fs::read_to_string("examples/models/pembrolizumab_q3w.toml")
        .map_err(|e| format!("{e}"))
        .unwrap_or_default();
    assert!(text.contains("additional = 7"), "fixture changed");
    let file =
        ModelFile::from_toml_str(&text.replace("additional = 7", "additional = 2000000000"))?;
    let model = file.build()?;
    let err = file.regimen.resolve(&model).unwrap_err();
    assert!(
        matches!(err, ScheduleError::TooManyRepeats { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("repeat.additional"), "{err}");
    Ok(())
}

#[test]
fn more_patients_than_the_limit_are_rejected_before_drawing() -> Result<(), Error> {
    let spec = PopulationSpec::new(vec![Parameter::log_normal_cv("growth", 0.03, 0.3)]);
    let err = spec.sampler()?.draw(1, 100_000_000_000).unwrap_err();
    assert!(
        matches!(err, PopulationError::TooManyPatients { count: 100_000_000_000, limit } if limit == MAX_PATIENTS),
        "{err:?}"
    );
    Ok(())
}

#[test]
fn zero_or_too_many_threads_are_rejected_before_any_simulation() -> Result<(), Error> {
    let s = study(3, vec![q21("a")])?;
    for threads in [0, MAX_THREADS + 1, 1000] {
        let (err, simulated) = run_err(&s, Some(threads));
        assert!(
            matches!(err, Error::Study(StudyError::InvalidThreads { threads: t, limit }) if t == threads && limit == MAX_THREADS),
            "{err:?}"
        );
        assert_eq!(simulated, 0);
    }
    // More threads than simulations is fine (the pool is cut to the work).
    let result = s.run(Some(MAX_THREADS), &|_| {})?;
    assert_eq!(result.summaries.len(), 1);
    Ok(())
}

#[test]
fn duplicate_arm_names_are_rejected_before_any_simulation() -> Result<(), Error> {
    let s = study(3, vec![q21("none"), q21("x"), Regimen::new("none")])?;
    let (err, simulated) = run_err(&s, Some(1));
    assert!(
        matches!(&err, Error::Study(StudyError::DuplicateArm { name, first: 0, second: 2 }) if name == "none"),
        "{err:?}"
    );
    assert_eq!(simulated, 0);
    Ok(())
}

#[test]
fn an_unknown_dose_target_names_the_arm_before_any_simulation() -> Result<(), Error> {
    let arm = Regimen::new("rt_then_anti_pd1").with(Dose::bolus(0.0, "anti_pd2", 200.0));
    let s = study(3, vec![q21("ok"), arm])?;
    let (err, simulated) = run_err(&s, Some(1));
    assert!(
        matches!(&err, Error::Study(StudyError::InvalidArm { arm, source: ScheduleError::UnknownTarget { .. } }) if arm == "rt_then_anti_pd1"),
        "{err:?}"
    );
    assert!(err.to_string().contains("anti_pd2"), "{err}");
    assert_eq!(simulated, 0);
    Ok(())
}

#[test]
fn bad_endpoint_settings_are_rejected_before_any_simulation() -> Result<(), Error> {
    for resamples in [0, MAX_RESAMPLES + 1] {
        let mut s = study(3, vec![q21("a")])?;
        s.endpoints.bootstrap.resamples = resamples;
        let (err, simulated) = run_err(&s, Some(1));
        assert!(
            matches!(
                err,
                Error::Stats(StatsError::InvalidOption {
                    option: "resamples",
                    ..
                })
            ),
            "{err:?}"
        );
        assert_eq!(simulated, 0);
    }
    let mut s = study(3, vec![q21("a")])?;
    s.endpoints.recist.mapping.cells_per_mm3 = 0.0;
    let (err, simulated) = run_err(&s, Some(1));
    assert!(
        matches!(
            err,
            Error::Endpoint(EndpointError::InvalidOption {
                option: "cells_per_mm3",
                ..
            })
        ),
        "{err:?}"
    );
    assert_eq!(simulated, 0);
    Ok(())
}

#[test]
fn an_arm_where_every_patient_fails_names_the_count_and_the_cause() -> Result<(), Error> {
    // Every patient has a negative drug volume v1 (a fixed value, so the check before the
    // run cannot see it): every patient fails with the same build error.
    let mut s = study(4, vec![q21("a")])?;
    let spec = PopulationSpec::new(vec![Parameter::fixed("volume", -1.0)]);
    s.patients = spec.sampler()?.draw(7, 4)?;
    s.parameters = ParamMap::new().path("volume", "drugs[chemo].v1")?;
    let (err, simulated) = run_err(&s, Some(1));
    let Error::Study(StudyError::ArmFailed {
        arm,
        failed,
        causes,
        outcomes,
    }) = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!((arm.as_str(), *failed, causes.len()), ("a", 4, 1), "{err}");
    assert!(
        matches!(
            &causes[0],
            Error::Build(BuildError::InvalidParameter { param: "v1", .. })
        ),
        "{err}"
    );
    assert!(err.to_string().contains("v1"), "{err}");
    // Every patient's row is kept, each failure with its error.
    assert_eq!((outcomes.failures().count(), outcomes.failed(0)), (4, 4));
    let mut csv = Vec::new();
    outcomes.write_per_patient_csv(&mut csv)?;
    let csv = String::from_utf8_lossy(&csv);
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(
        csv.lines()
            .skip(1)
            .all(|l| l.contains("failed") && l.contains("v1")),
        "{csv}"
    );
    let mut summary = Vec::new();
    outcomes.write_summary_csv(&mut summary)?;
    let summary = String::from_utf8_lossy(&summary);
    assert!(
        summary
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("a,0,4,")),
        "{summary}"
    );
    assert_eq!(simulated, 4);
    Ok(())
}

#[test]
fn fit_starts_above_the_limit_are_rejected() {
    let options = FitOptions {
        starts: 100_000_000,
        ..FitOptions::default()
    };
    let err = options.check().unwrap_err();
    assert!(
        matches!(err, FitError::InvalidOption { option: "starts", value, .. } if value == 1e8),
        "{err:?}"
    );
    let ok = FitOptions {
        starts: MAX_STARTS,
        ..FitOptions::default()
    };
    assert!(ok.check().is_ok());
}

#[test]
fn a_huge_one_line_value_is_quoted_in_a_window() {
    // A 5 MB one-line model file with a wrong value type: the message stays short.
    let text = format!("[model]\ntumors = \"{}\"\n", "x".repeat(5_000_000));
    let err = ModelFile::from_toml_str(&text).unwrap_err();
    assert!(matches!(err, IoError::Toml { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.len() < 2_000, "{} bytes", message.len());
    assert!(
        matches!(err, IoError::Toml { line: Some(2), .. }),
        "{message}"
    );
}

/// Compile-time check: the types a user shares between threads are `Send + Sync`.
#[test]
fn shared_types_are_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<Model>();
    shared::<Trajectory>();
    shared::<Error>();
    shared::<Study>();
    shared::<StudyResult>();
    shared::<FitReport>();
}

#[test]
fn an_error_in_a_patients_csv_names_the_file_and_the_line() {
    let dir = std::env::temp_dir().join(format!("oncodyn-limits-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("patients.csv");
    let written = std::fs::write(&path, "id,growth\n0,0.03\n1,abc\n");
    assert!(written.is_ok(), "{written:?}");
    let err = oncodyn::compare::Population::read(&path).unwrap_err();
    let PopulationError::InFile {
        path: named,
        source,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(named, &path.display().to_string());
    assert!(
        matches!(**source, PopulationError::NotANumber { line: 3, .. }),
        "{source:?}"
    );
    assert!(err.to_string().contains("patients.csv"), "{err}");
}

#[test]
fn an_unknown_toxicity_column_or_exposure_drug_fails_before_any_simulation() -> Result<(), Error> {
    let mut s = study(3, vec![q21("a")])?;
    s.endpoints.toxicity = Some(oncodyn::compare::Toxicity {
        column: "neutrophils".into(),
        scale: oncodyn::compare::GradeScale::new(
            oncodyn::compare::Worse::Above,
            vec![1.0, 2.0, 3.0, 4.0],
        )?,
    });
    let (err, simulated) = run_err(&s, Some(1));
    assert!(
        matches!(&err, Error::Lookup(oncodyn::LookupError::UnknownColumn { name, available }) if name == "neutrophils" && available.contains("chemo_conc")),
        "{err:?}"
    );
    assert_eq!(simulated, 0);
    let mut s = study(3, vec![q21("a")])?;
    s.endpoints.drugs = Some(vec!["chemo2".into()]);
    let (err, simulated) = run_err(&s, Some(1));
    assert!(err.to_string().contains("chemo2"), "{err}");
    assert_eq!(simulated, 0);
    Ok(())
}

#[test]
fn a_study_file_with_duplicate_arms_or_zero_resamples_names_the_line_and_key() {
    let text = std::fs::read_to_string("examples/studies/default.toml").unwrap_or_default();
    let line_of = |text: &str, needle: &str| {
        text.lines()
            .position(|l| l.starts_with(needle))
            .map(|i| i + 1)
    };
    let duplicate = text.replacen("name = \"anti_pd1_alone\"", "name = \"no_treatment\"", 1);
    let err = oncodyn::io::StudyFile::from_toml_str(&duplicate).unwrap_err();
    let IoError::Toml { line, key, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(key.as_deref(), Some("arms[1].name"), "{err}");
    assert_eq!(*line, line_of(&text, "name = \"anti_pd1_alone\""), "{err}");
    assert!(err.to_string().contains("unique"), "{err}");
    let zero = text.replacen("resamples = 2000", "resamples = 0", 1);
    let err = oncodyn::io::StudyFile::from_toml_str(&zero).unwrap_err();
    let IoError::Toml { line, key, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(
        key.as_deref(),
        Some("endpoints.bootstrap.resamples"),
        "{err}"
    );
    assert_eq!(*line, line_of(&text, "resamples = 2000"), "{err}");
}
