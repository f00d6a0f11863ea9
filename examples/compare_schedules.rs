//! Compare schedules of anti-PD-1, chemotherapy and radiotherapy over a virtual population:
//! the README's main command.
//!
//! ```sh
//! cargo run --release --example compare_schedules                      # 1000 patients, into results/
//! cargo run --release --example compare_schedules -- --patients 50 --threads 1 --quiet
//! cargo run --release --example compare_schedules -- --arms examples/studies/default.toml --out DIR
//! ```
//!
//! The built-in study (`examples/common/study.rs`, the same as `examples/studies/default.toml`)
//! puts 1000 virtual patients through six arms of the tumor–CTL–MDSC model of
//! `examples/common/model.rs` (Kuznetsov 1994 tumor and CTLs, MDSC suppression after
//! Shariatpanahi 2018, pembrolizumab PK from Ahamadi 2017, chemotherapy after de Pillis 2006,
//! linear-quadratic radiotherapy with α/β = 10 Gy): no treatment; anti-PD-1 alone; concurrent
//! chemotherapy + anti-PD-1; chemotherapy then anti-PD-1; anti-PD-1 then chemotherapy; and
//! 5 × 6 Gy radiotherapy then anti-PD-1. Each drug is given as 4 cycles q3w. Patients differ in
//! tumor growth rate, initial burden, CTL kill rate and both drugs' clearances (log-normal; the
//! source of each typical value and variability is noted in `study.rs`), and every patient goes
//! through every arm. `--arms FILE` runs any study file instead.
//!
//! Two properties of the model shape the numbers. Kuznetsov's tumor is bistable, so some
//! untreated virtual patients (about one in eight) start below the escape threshold and are
//! controlled by their CTLs alone. And the linear-quadratic kill applies to the whole tumor with
//! no hypoxic or resistant fraction, so 5 × 6 Gy leaves 5.6e-7 of the cells: radiotherapy is
//! near-ablative here, and its "progression" is regrowth from that nadir to the dormant state.
//! The parameters are illustrative; the point is the shape of the comparison.
//!
//! The arms are ranked by median time to progression (Kaplan–Meier): in this model the arms
//! differ less in how much the tumor first shrinks than in how long control lasts, and a
//! response that relapses within weeks (chemotherapy first) counts toward the objective
//! response rate but not toward TTP. A median does not see a plateau, so the table also gives
//! the progression-free fraction at the horizon (the Kaplan–Meier curves cross). A study file
//! can rank by another endpoint (`[endpoints] rank_by`).
//!
//! Printed: the arms' schedules, then one row per arm, best first: objective response and
//! disease control rates with Wilson 95% intervals, median TTP and the progression-free
//! fraction at the horizon with log-log 95% intervals, mean and median best % change of the
//! tumor's diameter, grade ≥ 3 CTL depletion (an illustrative toxicity scale), failed
//! simulations, and ties (an arm whose interval overlaps the one above). Written into `--out`:
//! `per_patient.csv` and `summary.csv` (the study's own writers), `tumor_burden.svg` (spaghetti
//! plots with median and 5–95% band per arm), `waterfall.svg` (best % change of the diameter per
//! patient per arm) and `ttp_km.svg` (Kaplan–Meier curves of TTP). A progress bar goes to
//! stderr when it is a terminal (not with `--quiet`).

#[path = "common/model.rs"]
mod model;
#[path = "common/output.rs"]
mod output;
#[path = "common/plot.rs"]
mod plot;
#[path = "common/study.rs"]
mod study;

use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use oncodyn::compare::{Progress, StudyResult};
use oncodyn::io::{PatientSource, StudyFile};
use oncodyn::StudyError;
use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Compare treatment schedules over a virtual population; print a ranked table, write CSV and
/// SVG files.
#[derive(Parser)]
struct Args {
    /// Number of virtual patients [default: the study's; 1000 in the built-in study; at most
    /// 10,000,000].
    #[arg(long, allow_negative_numbers = true)]
    patients: Option<usize>,
    /// Seed of the patients' random numbers [default: the study's; 2024 in the built-in study].
    #[arg(long, allow_negative_numbers = true)]
    seed: Option<u64>,
    /// Worker threads, 1 to 256 [default: one per core].
    #[arg(long, allow_negative_numbers = true)]
    threads: Option<usize>,
    /// A TOML study file (model, arms, population, endpoints) [default: the built-in study,
    /// examples/studies/default.toml].
    #[arg(long)]
    arms: Option<PathBuf>,
    /// Directory for the CSV and SVG files (created if missing).
    #[arg(long, default_value = "results")]
    out: PathBuf,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Also write the study as run (after --patients and --seed) as a TOML study file, once
    /// the run has succeeded.
    #[arg(long, value_name = "FILE")]
    save_study: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => return usage_error(&e),
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints clap's message; `--help` and `--version` succeed, a usage error exits with status 2
/// (input and run errors exit with 1), as in every example.
fn usage_error(e: &clap::Error) -> ExitCode {
    if let Err(print) = e.print() {
        eprintln!("error: {print}");
    }
    if e.use_stderr() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

/// `result`, with `path` named in its error.
fn at_path<T, E: Error>(path: &Path, result: Result<T, E>) -> Result<T, Box<dyn Error>> {
    result.map_err(|e| format!("{}: {e}", path.display()).into())
}

fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    let mut file = match &args.arms {
        Some(path) => StudyFile::read(path)?,
        None => study::default_study()?,
    };
    match &mut file.patients {
        PatientSource::Drawn { count, seed, .. } => {
            if let Some(n) = args.patients {
                *count = n;
            }
            if let Some(s) = args.seed {
                *seed = s;
            }
        }
        PatientSource::Csv { path } => {
            if args.patients.is_some() || args.seed.is_some() {
                return Err(format!(
                    "--patients and --seed apply to a drawn population; this study reads its \
                     patients from {}",
                    path.display()
                )
                .into());
            }
        }
        _ => {
            if args.patients.is_some() || args.seed.is_some() {
                return Err("--patients and --seed apply to a drawn population only".into());
            }
        }
    }
    let study = file.to_study()?;
    // Every check that needs no simulation, before the first one.
    let staging = output::Staging::begin(&args.out)?;
    let source = match &args.arms {
        Some(path) => path.display().to_string(),
        None => "built-in study (examples/studies/default.toml)".to_string(),
    };
    println!(
        "Study: {source}; {} patients × {} arms, horizon {} days.",
        study.patients.len(),
        study.arms.len(),
        study.times.last().copied().unwrap_or(f64::NAN)
    );
    println!("Arms (the first is the reference of the paired comparisons):");
    for arm in &study.arms {
        println!("  {:<27} {}", arm.name, arm.describe());
    }

    let total = study.patients.len() * study.arms.len();
    let bar = if args.quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{wide_bar}] {pos}/{len} patient-arms, ETA {eta}",
            )?
            .progress_chars("=> "),
        );
        bar
    };
    let started = Instant::now();
    // Workers report concurrently and possibly out of order: count the calls.
    let run = study.run(args.threads, &|_: Progress| bar.inc(1));
    bar.finish_and_clear();
    let result = match run {
        Ok(result) => result,
        Err(error) => return Err(failed_run(error, staging)),
    };
    println!(
        "Simulated {total} patient-arms in {:.1} s.\n",
        started.elapsed().as_secs_f64()
    );

    print_table(&result)?;

    let dir = staging.dir();
    let mut written = Vec::new();
    let per_patient = dir.join("per_patient.csv");
    let f = at_path(&per_patient, File::create(&per_patient))?;
    at_path(
        &per_patient,
        result.write_per_patient_csv(BufWriter::new(f)),
    )?;
    written.push(per_patient);
    let summary = dir.join("summary.csv");
    let f = at_path(&summary, File::create(&summary))?;
    at_path(&summary, result.write_summary_csv(BufWriter::new(f)))?;
    written.push(summary);
    written.extend(plot::write_all(dir, &result)?);
    let mut written = staging.commit(&written)?;
    if let Some(path) = &args.save_study {
        file.write(path)?;
        written.push(path.clone());
    }
    println!("\nWrote:");
    for path in &written {
        println!("  {}", path.display());
    }
    Ok(())
}

/// The error of a run that could not finish. When an arm had no successful patient, every
/// patient's row (each failure with its error) still goes to per_patient.csv and the counts to
/// summary.csv, committed into `--out` like a successful run's files.
fn failed_run(error: oncodyn::Error, staging: output::Staging) -> Box<dyn Error> {
    let oncodyn::Error::Study(StudyError::ArmFailed { outcomes, .. }) = &error else {
        return error.into();
    };
    let dir = staging.dir();
    let per_patient = dir.join("per_patient.csv");
    let summary = dir.join("summary.csv");
    let written = File::create(&per_patient)
        .map_err(|e| format!("{}: {e}", per_patient.display()))
        .and_then(|f| {
            outcomes
                .write_per_patient_csv(BufWriter::new(f))
                .map_err(|e| format!("{}: {e}", per_patient.display()))
        })
        .and_then(|()| File::create(&summary).map_err(|e| format!("{}: {e}", summary.display())))
        .and_then(|f| {
            outcomes
                .write_summary_csv(BufWriter::new(f))
                .map_err(|e| format!("{}: {e}", summary.display()))
        })
        .and_then(|()| staging.commit(&[per_patient, summary]));
    match written {
        Ok(paths) => {
            println!(
                "{} of {} simulations failed; each is recorded with its error in:",
                outcomes.failures().count(),
                outcomes.outcomes.len()
            );
            for path in &paths {
                println!("  {}", path.display());
            }
            error.into()
        }
        Err(write) => {
            format!("{error} (and the per-patient rows could not be written: {write})").into()
        }
    }
}

/// The library's ranked table with the diameter column, the footnotes and the first failures.
fn print_table(result: &StudyResult) -> Result<(), Box<dyn Error>> {
    let horizon = result.times.last().copied().unwrap_or(f64::NAN);
    // One spherical tumor: its diameter's best change reads as RECIST does, so show that
    // rather than the burden's.
    print!("{}", result.diameter_table()?);
    for line in [
        "ORR: CR + PR; DCR: CR + PR + SD (RECIST 1.1 on the model's diameter). TTP: diameter ≥ 1.2 × \
         nadir and ≥ nadir + 5 mm.",
        &format!(
            "PF: progression-free at day {horizon:.0} (Kaplan–Meier); NR: not reached. Tie: the \
             arm's 95% interval overlaps the one above it."
        ),
        "Best Δdiam: best change of the diameter over the horizon. Toxicity: CTL depletion on an \
         illustrative CTCAE-like scale.",
    ] {
        println!("{line}");
    }
    let failures = result.failures().count();
    if failures > 0 {
        println!("{failures} simulations failed (see the `error` column of per_patient.csv):");
        for f in result.failures().take(5) {
            println!(
                "  patient {} in {}: {}",
                f.patient, result.arms[f.arm], f.error
            );
        }
    }
    Ok(())
}
