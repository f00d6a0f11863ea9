//! Simulates a TOML model file and writes the trajectory as CSV.
//!
//! ```text
//! cargo run --release --example simulate -- examples/models/simeoni_paclitaxel.toml --out simeoni.csv
//! ```
//!
//! The file holds the model, the regimen and the output times (see `oncodyn::io::ModelFile` and
//! the documented files in `examples/models/`). Any error (unreadable file, malformed TOML,
//! invalid parameter, failed integration) is printed and the program exits with status 1.

use clap::Parser;
use oncodyn::io::ModelFile;
use oncodyn::{Error, IoError};
use std::path::PathBuf;
use std::process::ExitCode;

/// Simulate a TOML model file and write the trajectory as CSV.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The model file (TOML: [model], optional [regimen], [simulation]).
    model: PathBuf,
    /// Where to write the trajectory CSV (header `time[d],side,<column>[<unit>],…`).
    #[arg(long, short)]
    out: PathBuf,
}

fn run(args: &Args) -> Result<(), Error> {
    let file = ModelFile::read(&args.model)?;
    let (model, trajectory) = file.simulate()?;

    // Written to memory first, so that a failing write (a full disk, `--out /dev/full`) is an
    // error naming the path, not the CSV writer's bare message.
    let mut csv = Vec::new();
    trajectory.write_csv(&mut csv)?;
    std::fs::write(&args.out, csv).map_err(|source| IoError::File {
        path: args.out.display().to_string(),
        source: source.into(),
    })?;

    let regimen = match (file.regimen.name.as_str(), file.regimen.doses.is_empty()) {
        (_, true) => "none".to_string(),
        ("", false) => "unnamed".to_string(),
        (name, false) => name.to_string(),
    };
    let last = trajectory.n_rows().saturating_sub(1);
    let t_end = trajectory.times().get(last).copied().unwrap_or(0.0);
    println!("model      {}", args.model.display());
    println!(
        "regimen    {regimen} ({} doses given)",
        trajectory.doses().len()
    );
    println!("states     {}", model.n_states());
    println!("columns    value at t = 0 d -> at t = {t_end} d");
    let (first_row, last_row) = (trajectory.row(0), trajectory.row(last));
    for (i, column) in trajectory.columns().iter().enumerate() {
        let at = |row: Option<&[f64]>| row.and_then(|r| r.get(i)).copied().unwrap_or(f64::NAN);
        let name = format!("{}[{}]", column.name, column.unit);
        println!(
            "  {name:<32} {:>13.6e} -> {:>13.6e}",
            at(first_row),
            at(last_row)
        );
    }
    let stats = trajectory.stats();
    println!("rows       {}", trajectory.n_rows());
    println!(
        "solver     {} steps accepted, {} rejected, {} RHS evaluations, {} segments",
        stats.accepted_steps, stats.rejected_steps, stats.rhs_evaluations, stats.segments
    );
    println!("written    {}", args.out.display());
    Ok(())
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            // --help and --version are "errors" printed to stdout with success.
            let failed = e.use_stderr();
            if let Err(print) = e.print() {
                eprintln!("error: {print}");
            }
            // A usage error exits with status 2, an input or run error with 1, as in every example.
            return if failed {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match e {
                // A file error carries its own path.
                Error::Io(_) => eprintln!("error: {e}"),
                _ => eprintln!("error: {}: {e}", args.model.display()),
            }
            ExitCode::FAILURE
        }
    }
}
