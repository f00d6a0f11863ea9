//! Fuzzing the readers of user input (issue 15): model files, study files, NONMEM-style data,
//! observation CSVs and patients CSVs, each fed arbitrary bytes and valid files with random
//! mutations (bytes replaced, ranges deleted, hostile tokens inserted). Every case must return
//! a typed error or a valid value, never panic; a model file that reads is also built and its
//! regimen resolved, and a study file that reads is turned into a study (small drawn
//! populations only), so the checks after parsing are fuzzed too.
//!
//! CI runs `DEFAULT_CASES` cases per target; set `ONCODYN_FUZZ_CASES` to run more locally,
//! e.g. `ONCODYN_FUZZ_CASES=20000 cargo test --release --test fuzz_inputs`.

use oncodyn::compare::Population;
use oncodyn::io::{EventTable, ModelFile, ObservationColumns, ObservationSeries};
use oncodyn::io::{PatientSource, StudyFile};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Cases per target in CI: enough to reach every reader's error paths, small enough to keep
/// this file's run to a few seconds.
const DEFAULT_CASES: u32 = 64;

/// Largest drawn population a fuzzed study file is turned into.
const MAX_FUZZ_PATIENTS: usize = 50;

fn cases() -> u32 {
    std::env::var("ONCODYN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

/// Tokens that stress a reader: numbers out of range, signs, NaN, delimiters and quotes.
const TOKENS: &[&str] = &[
    "-1",
    "0",
    "-0.3",
    "1e308",
    "1e-320",
    "nan",
    "inf",
    "99999999999999999999",
    "4294967295",
    "[",
    "]",
    "{",
    "\"",
    "'",
    "=",
    ",",
    "\n",
    "[[model.widgets]]",
    ".",
    "",
    "\u{0}",
    "é",
];

#[derive(Clone, Debug)]
enum Mutation {
    Replace(usize, char),
    Delete(usize, usize),
    Insert(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<char>()).prop_map(|(p, c)| Mutation::Replace(p, c)),
        (any::<usize>(), 0usize..40).prop_map(|(p, n)| Mutation::Delete(p, n)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(p, t)| Mutation::Insert(p, t)),
    ]
}

/// `text` with `mutations` applied, positions taken modulo the current length in characters.
fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for m in mutations {
        let len = chars.len().max(1);
        match *m {
            Mutation::Replace(p, c) => {
                if !chars.is_empty() {
                    chars[p % len] = c;
                }
            }
            Mutation::Delete(p, n) => {
                let start = (p % len).min(chars.len());
                let end = (start + n).min(chars.len());
                chars.drain(start..end);
            }
            Mutation::Insert(p, t) => {
                let at = (p % len).min(chars.len());
                chars.splice(at..at, TOKENS[t].chars());
            }
        }
    }
    chars.into_iter().collect()
}

/// Runs `check` on arbitrary text and on mutations of each seed.
fn fuzz(seeds: &[String], check: impl Fn(&str)) {
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config.clone());
    let arbitrary = proptest::collection::vec(any::<u8>(), 0..400);
    let result = runner.run(&arbitrary, |bytes| {
        check(&String::from_utf8_lossy(&bytes));
        Ok(())
    });
    assert!(result.is_ok(), "{result:?}");
    for seed in seeds {
        let mut runner = TestRunner::new(config.clone());
        let mutations = proptest::collection::vec(mutation(), 1..6);
        let result = runner.run(&mutations, |m| {
            check(&mutate(seed, &m));
            Ok(())
        });
        assert!(result.is_ok(), "{result:?}");
    }
}

fn read(path: &str) -> String {
    match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => panic!("{path}: {e}"),
    }
}

/// Longest error message accepted: messages quote a window of the offending line, never a
/// whole (possibly huge) input.
const MAX_MESSAGE: usize = 4096;

/// `result`'s value, or `None` after checking its error prints and stays short.
fn ok_or_short<T, E: std::fmt::Display>(result: Result<T, E>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty());
            assert!(message.len() <= MAX_MESSAGE, "{} bytes", message.len());
            None
        }
    }
}

fn check_model_file(text: &str) {
    let Some(file) = ok_or_short(ModelFile::from_toml_str(text)) else {
        return;
    };
    if let Some(model) = ok_or_short(file.build()) {
        // Either outcome is fine; neither may panic or allocate without bound.
        ok_or_short(file.regimen.resolve(&model));
    }
    if let Some(simulation) = &file.simulation {
        ok_or_short(simulation.output_times());
    }
}

#[test]
fn model_files_never_panic() {
    let seeds: Vec<String> = [
        "examples/models/kuznetsov_1994.toml",
        "examples/models/pembrolizumab_q3w.toml",
        "examples/models/simeoni_paclitaxel.toml",
    ]
    .iter()
    .map(|p| read(p))
    .collect();
    fuzz(&seeds, check_model_file);
}

fn check_study_file(text: &str) {
    let Some(file) = ok_or_short(StudyFile::from_toml_str(text)) else {
        return;
    };
    if let PatientSource::Drawn { count, .. } = file.patients {
        if count <= MAX_FUZZ_PATIENTS {
            ok_or_short(file.to_study());
        }
    }
}

#[test]
fn study_files_never_panic() {
    fuzz(&[read("examples/studies/default.toml")], check_study_file);
}

#[test]
fn nonmem_data_never_panics() {
    let seeds = [
        "ID,TIME,EVID,AMT,CMT,DV,WT\n1,0,1,100,1,.,70\n1,1,0,.,1,5.2,70\n2,0,1,50,1,.,80\n".to_string(),
        "ID,TIME,EVID,AMT,RATE,CMT,DV,MDV,ADDL,II,SS\n1,0,1,200,400,1,.,1,3,21,0\n1,5,0,.,.,1,3,0,.,.,.\n"
            .to_string(),
        read("tests/data/pk_theophylline_oral.csv"),
    ];
    fuzz(&seeds, |text| {
        ok_or_short(EventTable::from_csv_str(text));
    });
}

#[test]
fn observation_csvs_never_panic() {
    let columns = ObservationColumns::new("mouse", "day", "volume_mm3");
    fuzz(&[read("tests/data/tumor_volume_lung_llc.csv")], |text| {
        ok_or_short(ObservationSeries::from_csv_str(text, &columns));
    });
}

#[test]
fn patients_csvs_never_panic() {
    let seed: String = read("tests/data/vpop_1000_params.csv")
        .lines()
        .take(20)
        .map(|l| format!("{l}\n"))
        .collect();
    fuzz(&[seed], |text| {
        ok_or_short(Population::read_csv(text.as_bytes()));
    });
}
