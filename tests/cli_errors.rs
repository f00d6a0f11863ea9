//! Bad inputs against the command-line examples (issue 15), run as a new user would run them:
//! the example binaries (debug builds, built once by this test) with each bad input, asserting
//! the exit code (usage 2, input or run error 1), that nothing panicked or aborted, that the
//! message names the file, line or field, and that bounded checks fail before any simulation.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The debug binaries of the examples, built once (`cargo build --examples` would build all).
fn binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet"])
            .args(["--example", "compare_schedules"])
            .args(["--example", "simulate"])
            .args(["--example", "fit"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status();
        assert!(matches!(status, Ok(s) if s.success()), "{status:?}");
    });
    let exe = std::env::current_exe().unwrap_or_default();
    // target/debug/deps/cli_errors-… → target/debug/examples/<name>
    let debug = exe
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."));
    debug.join("examples").join(name)
}

/// Runs example `name` with `args` in the crate's directory.
fn run(name: &str, args: &[&str]) -> Output {
    let output = Command::new(binary(name))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    match output {
        Ok(o) => o,
        Err(e) => panic!("{name}: {e}"),
    }
}

/// Asserts `output` failed with `code`, without a panic or abort, and that stderr contains
/// every one of `names`; returns stderr.
fn failed(output: &Output, code: i32, names: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for name in names {
        assert!(stderr.contains(name), "`{name}` not in: {stderr}");
    }
    stderr
}

/// A scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("oncodyn-cli-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// The default study with `from` replaced by `to`, written into `dir`.
fn study_with(dir: &Path, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string("examples/studies/default.toml").unwrap_or_default();
    assert!(text.contains(from), "`{from}` not in the default study");
    let path = dir.join("study.toml");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap_or_else(|e| panic!("{e}"));
    path.display().to_string()
}

#[test]
fn usage_errors_exit_with_two_in_every_example() {
    failed(&run("compare_schedules", &["--bogus"]), 2, &["--bogus"]);
    failed(&run("simulate", &[]), 2, &["<MODEL>"]);
    failed(&run("fit", &[]), 2, &["--"]);
    for (name, args) in [
        ("compare_schedules", vec!["--patients", "-5"]),
        ("compare_schedules", vec!["--seed", "-5"]),
        ("compare_schedules", vec!["--threads", "-5"]),
        (
            "fit",
            vec![
                "--model", "m", "--data", "d", "--free", "cl", "--starts", "-5",
            ],
        ),
    ] {
        let stderr = failed(&run(name, &args), 2, &["-5", args[args.len() - 2]]);
        assert!(!stderr.contains("unexpected argument"), "{stderr}");
    }
}

#[test]
fn counts_out_of_bounds_fail_fast_naming_the_field() {
    let out = scratch("counts");
    let out = out.join("results");
    let out = out.to_str().unwrap_or_default();
    for (args, field) in [
        (vec!["--threads", "0"], "threads = 0"),
        (vec!["--threads", "1000"], "threads = 1000"),
        (
            vec!["--patients", "100000000000"],
            "patients = 100000000000",
        ),
    ] {
        let mut all = args.clone();
        all.extend(["--quiet", "--out", out]);
        let output = run("compare_schedules", &all);
        failed(&output, 1, &[field]);
        // Refused before any simulation (no timing: speed is for benches, and CI is noisy).
        assert!(!String::from_utf8_lossy(&output.stdout).contains("Simulated"));
    }
}

#[test]
fn study_problems_are_found_before_the_first_simulation() {
    let dir = scratch("study");
    let out = dir.join("results");
    let out = out.to_str().unwrap_or_default();
    let cases = [
        (
            "target = \"anti_pd1\", amount = 200.0, duration = 0.020833333333333332, repeat = { interval = 21.0, additional = 3 } },\n]\nradiotherapy",
            "target = \"anti_pd2\", amount = 200.0, duration = 0.020833333333333332, repeat = { interval = 21.0, additional = 3 } },\n]\nradiotherapy",
            vec!["rt_then_anti_pd1", "anti_pd2"],
        ),
        (
            "name = \"anti_pd1_alone\"",
            "name = \"no_treatment\"",
            vec!["no_treatment", "unique"],
        ),
        ("resamples = 2000", "resamples = 0", vec!["resamples"]),
    ];
    for (from, to, names) in cases {
        let study = study_with(&dir, from, to);
        let output = run(
            "compare_schedules",
            &["--arms", &study, "--patients", "5", "--quiet", "--out", out],
        );
        failed(&output, 1, &names);
        assert!(!String::from_utf8_lossy(&output.stdout).contains("Simulated"));
        assert!(!Path::new(out).exists(), "{to}: output written");
    }
}

#[test]
fn a_bad_out_fails_before_the_simulation_naming_the_path() {
    let dir = scratch("out");
    let file = dir.join("a_file");
    std::fs::write(&file, "x").unwrap_or_else(|e| panic!("{e}"));
    let file = file.to_str().unwrap_or_default();
    for out in [file, "/proc/x/results", "/dev/full"] {
        let output = run(
            "compare_schedules",
            &["--patients", "5", "--quiet", "--out", out],
        );
        failed(&output, 1, &[out]);
        assert!(!String::from_utf8_lossy(&output.stdout).contains("Simulated"));
    }
    let model = "examples/models/pembrolizumab_q3w.toml";
    failed(
        &run("simulate", &[model, "--out", "/dev/full"]),
        1,
        &["/dev/full"],
    );
}

#[test]
fn outputs_replace_the_previous_run_whole_and_save_study_waits_for_success() {
    let dir = scratch("atomic");
    let out = dir.join("results");
    std::fs::create_dir_all(out.join("waterfall.svg")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(out.join("old_run.txt"), "old").unwrap_or_else(|e| panic!("{e}"));
    let saved = dir.join("saved.toml");
    let bad = study_with(&dir, "resamples = 2000", "resamples = 0");
    let output = run(
        "compare_schedules",
        &[
            "--arms",
            &bad,
            "--patients",
            "3",
            "--quiet",
            "--out",
            out.to_str().unwrap_or_default(),
            "--save-study",
            saved.to_str().unwrap_or_default(),
        ],
    );
    failed(&output, 1, &["resamples"]);
    assert!(!saved.exists(), "--save-study written by a failed run");
    assert!(out.join("old_run.txt").exists(), "previous results lost");
    let output = run(
        "compare_schedules",
        &[
            "--patients",
            "3",
            "--threads",
            "2",
            "--quiet",
            "--out",
            out.to_str().unwrap_or_default(),
            "--save-study",
            saved.to_str().unwrap_or_default(),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(saved.exists());
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    assert_eq!(
        names,
        [
            "per_patient.csv",
            "summary.csv",
            "ttp_km.svg",
            "tumor_burden.svg",
            "waterfall.svg"
        ]
    );
    assert!(out.join("waterfall.svg").is_file());
    let leftovers = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
                .count()
        })
        .unwrap_or(0);
    assert_eq!(leftovers, 0, "temporary directories left behind");
}

#[test]
fn model_file_problems_name_the_field_without_aborting() {
    let dir = scratch("model");
    let text =
        std::fs::read_to_string("examples/models/pembrolizumab_q3w.toml").unwrap_or_default();
    let huge = dir.join("repeat.toml");
    std::fs::write(
        &huge,
        text.replace("additional = 7", "additional = 2000000000"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let csv = dir.join("r.csv");
    let csv = csv.to_str().unwrap_or_default();
    let huge = huge.to_str().unwrap_or_default();
    failed(
        &run("simulate", &[huge, "--out", csv]),
        1,
        &[huge, "repeat.additional"],
    );
    // A 5 MB one-line value: the message quotes a window of the line.
    let long = dir.join("long.toml");
    std::fs::write(
        &long,
        format!("[model]\ntumors = \"{}\"\n", "x".repeat(5_000_000)),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let long = long.to_str().unwrap_or_default();
    let stderr = failed(
        &run("simulate", &[long, "--out", csv]),
        1,
        &[long, "line 2"],
    );
    assert!(stderr.len() < 4096, "{} bytes of stderr", stderr.len());
}

#[test]
fn when_every_patient_fails_the_rows_are_written_and_the_cause_named() {
    // Too few solver steps fails every patient at run time (no check before the run sees it).
    let dir = scratch("all_failed");
    let out = dir.join("results");
    std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(out.join("old_run.txt"), "old").unwrap_or_else(|e| panic!("{e}"));
    let study = study_with(
        &dir,
        "\n[[events]]",
        "\n[simulation.solver]\nmax_steps = 5\n\n[[events]]",
    );
    let output = run(
        "compare_schedules",
        &[
            "--arms",
            &study,
            "--patients",
            "3",
            "--quiet",
            "--out",
            out.to_str().unwrap_or_default(),
        ],
    );
    failed(
        &output,
        1,
        &["every patient failed", "no_treatment", "more than 5 steps"],
    );
    // The new files replace the old run's whole: one row per patient and arm, with its error.
    assert!(!out.join("old_run.txt").exists());
    let rows = std::fs::read_to_string(out.join("per_patient.csv")).unwrap_or_default();
    let lines: Vec<&str> = rows.lines().collect();
    assert_eq!(lines.len(), 1 + 3 * 6, "{rows}");
    assert!(lines[0].ends_with(",error"), "{}", lines[0]);
    for line in &lines[1..] {
        assert!(line.contains(",failed,"), "{line}");
        assert!(
            line.ends_with(" d") && line.contains("more than 5 steps"),
            "{line}"
        );
    }
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap_or_default();
    assert!(summary.contains("\nno_treatment,0,3,"), "{summary}");
    assert_eq!(summary.lines().count(), 7, "{summary}");
}

/// The Kuznetsov model file with `from` replaced by `to`, written into `dir` as `name`.
fn model_with(dir: &Path, name: &str, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string("examples/models/kuznetsov_1994.toml").unwrap_or_default();
    assert!(text.contains(from), "`{from}` not in the Kuznetsov model");
    let path = dir.join(name);
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap_or_else(|e| panic!("{e}"));
    path.display().to_string()
}

#[test]
fn model_build_errors_name_the_file_and_line() {
    // Issue 15, item 8: `unknown effector ghost`, `duplicate name tumor`, a negative rate and a
    // misspelt table name their line (and the table its field).
    let dir = scratch("build");
    let csv = dir.join("out.csv");
    let csv = csv.to_str().unwrap_or_default();
    let cases = [
        (
            "by = \"effector\"",
            "by = \"ghost\"",
            vec!["line 34", "unknown effector `ghost`"],
        ),
        (
            "[[model.effectors]]",
            "[[model.tumors]]\nname = \"tumor\"\ninitial = 1.0\ngrowth = { type = \"exponential\", rate = 0.1 }\n\n[[model.effectors]]",
            vec!["line 28", "duplicate name `tumor`"],
        ),
        (
            "death = 0.0412",
            "death = -0.0412",
            vec!["line 31", "`death` = -0.0412"],
        ),
        (
            "[[model.kills]]",
            "[[model.widgets]]",
            vec!["line 33", "unknown field `widgets`"],
        ),
    ];
    for (k, (from, to, names)) in cases.into_iter().enumerate() {
        let model = model_with(&dir, &format!("m{k}.toml"), from, to);
        let mut all = names.clone();
        all.push(&model);
        let stderr = failed(&run("simulate", &[&model, "--out", csv]), 1, &all);
        assert!(!stderr.contains("expected a sequence"), "{stderr}");
    }
}

/// A tiny NONMEM-style data set for the `testdrug` model below.
const PK_DATA: &str =
    "ID,TIME,AMT,EVID,DV\n1,0,100,1,.\n1,1,0,0,9.0\n1,3,0,0,7.5\n1,7,0,0,5.0\n1,14,0,0,2.5\n";

/// A model-only file (no `[simulation]`), as a fit reads it.
const PK_MODEL: &str = "[[model.drugs]]\nname = \"testdrug\"\ncl = 1.0\nv1 = 10.0\n";

#[test]
fn fit_options_fail_fast_with_one_prefix_and_a_model_only_file_fits() {
    let dir = scratch("fit");
    let model = dir.join("pk.toml");
    let data = dir.join("pk.csv");
    std::fs::write(&model, PK_MODEL).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&data, PK_DATA).unwrap_or_else(|e| panic!("{e}"));
    let model = model.to_str().unwrap_or_default();
    let data = data.to_str().unwrap_or_default();
    let base = ["--model", model, "--data", data, "--free", "cl,v1"];
    // Item 8: no doubled prefix.
    let mut args = base.to_vec();
    args.extend(["--rtol", "0"]);
    let stderr = failed(&run("fit", &args), 1, &["`rtol` = 0"]);
    assert!(
        !stderr.contains("solver options: solver option"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("solver option").count(), 1, "{stderr}");
    // Item 1: a huge start count is refused before any start is drawn.
    let mut args = base.to_vec();
    args.extend(["--starts", "100000000"]);
    failed(&run("fit", &args), 1, &["starts", "100000000"]);
    // Item 9: the model-only file fits.
    let mut args = base.to_vec();
    args.extend(["--starts", "2"]);
    let output = run("fit", &args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Usage: a negative start count is a usage error (2), not a panic.
    let mut args = base.to_vec();
    args.extend(["--starts", "-1"]);
    failed(&run("fit", &args), 2, &["--starts"]);
}

#[test]
fn more_study_problems_name_their_field_before_any_simulation() {
    // Issue 15, item 2: `cells_per_mm3 = 0`, `horizon = 0.0`, a negative RT dose, an unknown
    // toxicity column and a negative `omega`, all refused before the first simulation.
    let dir = scratch("study2");
    let out = dir.join("results");
    let out = out.to_str().unwrap_or_default();
    let cases = [
        (
            "mapping = { cells_per_mm3 = 1e5 }\n                              # chosen",
            "mapping = { cells_per_mm3 = 0.0 }\n                              # chosen",
            vec!["cells_per_mm3", "study.toml", "line 231"],
        ),
        ("horizon = 364.0", "horizon = 0.0", vec!["horizon"]),
        (
            "{ time = 0.0, dose = 6.0 }",
            "{ time = 0.0, dose = -6.0 }",
            vec!["rt_then_anti_pd1", "dose -6"],
        ),
        (
            "column = \"ctl\"",
            "column = \"ctl_typo\"",
            vec![
                "ctl_typo",
                "study.toml",
                "line 224",
                "endpoints.toxicity.column",
            ],
        ),
        (
            "omega = 0.3",
            "omega = -0.3",
            vec!["growth_rate", "omega", "-0.3", "study.toml", "line 157"],
        ),
    ];
    for (from, to, names) in cases {
        let study = study_with(&dir, from, to);
        let output = run(
            "compare_schedules",
            &["--arms", &study, "--patients", "5", "--quiet", "--out", out],
        );
        failed(&output, 1, &names);
        assert!(
            !String::from_utf8_lossy(&output.stdout).contains("Simulated"),
            "{to}"
        );
        assert!(!Path::new(out).exists(), "{to}: output written");
    }
}

#[test]
fn a_bad_patients_csv_is_named_with_its_line() {
    // Issue 15, item 8: errors in a patients CSV name the file as well as the line.
    let dir = scratch("patients");
    let text = std::fs::read_to_string("examples/studies/default.toml").unwrap_or_default();
    let (Some(start), Some(end)) = (
        text.find("[[population.parameters]]"),
        text.find("# Each patient's value"),
    ) else {
        panic!("default study layout changed");
    };
    let study = format!("{}{}", &text[..start], &text[end..])
        .replacen("patients = 1000", "patients_csv = \"patients.csv\"", 1)
        .replacen("seed = 2024", "# seed", 1);
    let path = dir.join("study.toml");
    std::fs::write(&path, study).unwrap_or_else(|e| panic!("{e}"));
    let csv = dir.join("patients.csv");
    std::fs::write(
        &csv,
        "id,growth_rate,initial_burden,ctl_kill,anti_pd1_cl,chemo_cl\n\
         0,0.18,1e8,1.1e-7,0.22,13.5\n1,abc,1e8,1.1e-7,0.22,13.5\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = dir.join("results");
    let output = run(
        "compare_schedules",
        &[
            "--arms",
            path.to_str().unwrap_or_default(),
            "--quiet",
            "--out",
            out.to_str().unwrap_or_default(),
        ],
    );
    failed(&output, 1, &["patients.csv", "line 3"]);
    assert!(!out.exists());
}
