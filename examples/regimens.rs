//! A combined regimen: its dosing calendar and the exposure it gives, cycle by cycle.
//!
//! ```sh
//! cargo run --release --example regimens              # writes into results/
//! cargo run --release --example regimens -- --out DIR
//! ```
//!
//! One patient (80 kg, 180 cm: body-surface area 2 m² by Mosteller) receives, over four 21-day
//! cycles:
//!
//! - chemotherapy 40 mg/m² IV over 1 hour on days 1 and 8 of every cycle (a [`Cycle`]);
//! - anti-PD-1 200 mg IV over 30 minutes on day 1 of every cycle (q3w, a flat dose);
//! - radiotherapy 60 Gy in 30 fractions of 2 Gy, Monday to Friday, from day 0 (a Monday).
//!
//! The model is the tumor–CTL–MDSC model of `compare_schedules` (`examples/common/model.rs`:
//! Kuznetsov et al. 1994 logistic tumor, CTL recruitment, inactivation and kill; MDSC
//! suppression after Shariatpanahi et al. 2018; pembrolizumab PK, Ahamadi et al. 2017;
//! chemotherapy after de Pillis et al. 2006) with its irradiated tumor: linear-quadratic
//! α = 0.3 1/Gy, β = 0.03 1/Gy² (α/β = 10 Gy, the conventional tumor value; shared/models/pkpd.md
//! §7), each fraction killing at once. CTLs are not irradiated (a local field spares most
//! circulating lymphocytes). The parameters are illustrative; the point is the calendar and the
//! exposure table.
//!
//! Printed: the dosing calendar (from the resolved plan, the same event list the solver
//! integrates across), then per drug and cycle the AUC (trapezoid rule on a 30-minute grid plus
//! every dose row), Cmax and trough (the concentration at the cycle's end, before the next
//! cycle's doses), the tumor burden at each cycle's end, and the course's BED and EQD2. Written:
//! `<out>/regimens_exposure.csv` (the table) and `<out>/regimens_trajectory.csv` (every state
//! and concentration, with units).

#[path = "common/model.rs"]
mod model;

use clap::Parser;
use model::{ALPHA, ANTI_PD1, ANTI_PD1_INFUSION_DAYS, ANTI_PD1_MG, BETA, CHEMO, CTL, TUMOR};
use oncodyn::dosing::radiotherapy::{Course, Repopulation};
use oncodyn::dosing::{AmountUnit, Cycle, JumpKind, Plan, Subject};
use oncodyn::prelude::*;
use std::error::Error;
use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Print a combined regimen's dosing calendar and exposure; write the tables as CSV.
#[derive(Parser)]
struct Args {
    /// Directory for the CSV files (created if missing).
    #[arg(long, default_value = "results")]
    out: PathBuf,
}

/// Cycle length, days.
const CYCLE_DAYS: f64 = 21.0;
/// Number of cycles.
const CYCLES: u32 = 4;
/// Output grid points per day (every 30 minutes).
const POINTS_PER_DAY: u32 = 48;

/// Handles of the model's parts.
struct Parts {
    tumor: StateId<Tumor>,
    ctl: StateId<Effector>,
    drugs: [(&'static str, DrugId); 2],
}

/// The shared model and the handles this example reads.
fn build_model() -> Result<(Model, Parts), oncodyn::Error> {
    let model = model::build()?;
    let parts = Parts {
        tumor: model.tumor(TUMOR)?,
        ctl: model.effector(CTL)?,
        drugs: [
            (CHEMO, model.drug(CHEMO)?),
            (ANTI_PD1, model.drug(ANTI_PD1)?),
        ],
    };
    Ok((model, parts))
}

/// The regimen as prescribed (chemotherapy per m²).
fn prescription() -> Result<Regimen, oncodyn::Error> {
    let chemo = Dose::infusion(0.0, CHEMO, 40.0, 1.0 / 24.0).in_unit(AmountUnit::PerM2);
    let anti_pd1 = Dose::infusion(0.0, ANTI_PD1, ANTI_PD1_MG, ANTI_PD1_INFUSION_DAYS);
    let cycle = Cycle::new(CYCLE_DAYS, CYCLES);
    Ok(Regimen::new("chemo_d1_d8_q21d_anti_pd1_q3w_rt_60gy")
        .with_doses(cycle.clone().on_days(&[1, 8]).doses(&chemo)?)
        .with_doses(cycle.doses(&anti_pd1)?)
        .with_radiotherapy(Course::conventional().fractions(0.0)?))
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Prints the calendar: one line per treatment day, from the resolved plan.
fn print_calendar(model: &Model, prescribed: &Regimen, plan: &Plan) {
    // (time, text), in time order.
    let mut entries: Vec<(f64, String)> = Vec::new();
    for inf in &plan.infusions {
        let drug = &model.states()[inf.state].component;
        let amount = inf.amount();
        let minutes = inf.duration() * 24.0 * 60.0;
        let written = prescribed.doses.get(inf.dose).map_or(String::new(), |d| {
            if d.unit.is_absolute() {
                String::new()
            } else {
                format!(" ({} mg{})", d.amount, d.unit.suffix())
            }
        });
        entries.push((
            inf.start,
            format!("{drug} {amount:.0} mg{written} IV over {minutes:.0} min"),
        ));
    }
    for jump in &plan.jumps {
        match jump.kind {
            JumpKind::Scale { fraction, .. } => {
                let dose = prescribed
                    .radiotherapy
                    .get(fraction)
                    .map_or(f64::NAN, |f| f.dose);
                entries.push((jump.time, format!("RT {dose} Gy")));
            }
            JumpKind::Add { state, amount, .. } => {
                let target = &model.states()[state].name;
                entries.push((jump.time, format!("{target} bolus {amount}")));
            }
            JumpKind::Reset => entries.push((jump.time, "reset".to_string())),
            _ => entries.push((jump.time, "other event".to_string())),
        }
    }
    entries.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!("Dosing calendar (day 0 is a Monday; cycle day 1 = the cycle's first day):");
    let mut lines: Vec<(i64, Vec<String>)> = Vec::new();
    for (t, text) in entries {
        let day = t.floor() as i64;
        match lines.last_mut() {
            Some((d, texts)) if *d == day => texts.push(text),
            _ => lines.push((day, vec![text])),
        }
    }
    for (day, texts) in lines {
        let cycle = day.div_euclid(CYCLE_DAYS as i64) + 1;
        let cycle_day = day.rem_euclid(CYCLE_DAYS as i64) + 1;
        let weekday = WEEKDAYS[day.rem_euclid(7) as usize];
        println!(
            "  day {day:>3} {weekday}  C{cycle}D{cycle_day:<2}  {}",
            texts.join("; ")
        );
    }
}

/// Exposure of one drug over one cycle.
struct Exposure {
    drug: &'static str,
    cycle: u32,
    auc: f64,
    cmax: f64,
    trough: f64,
}

/// AUC (trapezoid rule), Cmax and trough of each drug over each cycle.
fn exposures(traj: &Trajectory, parts: &Parts) -> Result<Vec<Exposure>, oncodyn::Error> {
    let mut out = Vec::new();
    for (drug, id) in parts.drugs {
        for cycle in 1..=CYCLES {
            let (start, end) = (
                CYCLE_DAYS * f64::from(cycle - 1),
                CYCLE_DAYS * f64::from(cycle),
            );
            let auc = traj.area_between(id, start, end)?;
            let cmax = traj.peak_between(id, start, end)?;
            out.push(Exposure {
                drug,
                cycle,
                auc,
                cmax,
                trough: traj.value_at(end, id)?,
            });
        }
    }
    Ok(out)
}

/// `result`, with `path` named in its error.
fn at_path<T, E: Error>(path: &Path, result: Result<T, E>) -> Result<T, Box<dyn Error>> {
    result.map_err(|e| format!("{}: {e}", path.display()).into())
}

/// Writes the exposure table as CSV.
fn write_exposure(path: &Path, table: &[Exposure]) -> Result<(), Box<dyn Error>> {
    let file = at_path(path, File::create(path))?;
    let mut w = csv::Writer::from_writer(BufWriter::new(file));
    at_path(
        path,
        w.write_record(["drug", "cycle", "auc[mg*d/L]", "cmax[mg/L]", "trough[mg/L]"]),
    )?;
    for e in table {
        at_path(
            path,
            w.write_record([
                e.drug.to_string(),
                e.cycle.to_string(),
                format!("{:e}", e.auc),
                format!("{:e}", e.cmax),
                format!("{:e}", e.trough),
            ]),
        )?;
    }
    at_path(path, w.flush())?;
    Ok(())
}

fn main() -> ExitCode {
    match run(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    let (model, parts) = build_model()?;
    let patient = Subject::new().with_weight(80.0).with_height(180.0);
    let prescribed = prescription()?;
    // Amounts per m² become mg for this patient; the dose indices stay the same.
    let regimen = prescribed.for_subject(&patient)?;
    let plan = regimen.resolve(&model)?;

    println!(
        "Patient: 80 kg, 180 cm, body-surface area {:.2} m² (Mosteller).",
        patient.body_surface_area().unwrap_or(f64::NAN)
    );
    println!(
        "Regimen `{}`: {CYCLES} cycles of {CYCLE_DAYS} days.\n",
        prescribed.name
    );
    print_calendar(&model, &prescribed, &plan);

    let horizon = CYCLE_DAYS * f64::from(CYCLES);
    let steps = POINTS_PER_DAY * (CYCLE_DAYS as u32) * CYCLES;
    let times: Vec<f64> = (0..=steps)
        .map(|i| f64::from(i) / f64::from(POINTS_PER_DAY))
        .collect();
    let traj = simulate(&model, &regimen, &times, &SolverOptions::default())?;

    let table = exposures(&traj, &parts)?;
    println!("\nExposure per cycle (AUC by the trapezoid rule on a 30-minute grid plus dose rows;");
    println!("trough = concentration at the cycle's end, before the next cycle's doses):");
    println!(
        "  {:<9} {:>5} {:>14} {:>12} {:>13}",
        "drug", "cycle", "AUC [mg·d/L]", "Cmax [mg/L]", "trough [mg/L]"
    );
    for e in &table {
        println!(
            "  {:<9} {:>5} {:>14.3} {:>12.3} {:>13.3e}",
            e.drug, e.cycle, e.auc, e.cmax, e.trough
        );
    }

    println!(
        "\nTumor burden (below 1 cell the model's tumor is \
         eradicated) and CTLs at each cycle's end:"
    );
    println!(
        "  day   0: tumor {:.3e} cells",
        traj.value_at(0.0, parts.tumor)?
    );
    for cycle in 1..=CYCLES {
        let day = CYCLE_DAYS * f64::from(cycle);
        println!(
            "  day {day:>3}: tumor {:.3e} cells, CTL {:.3e} cells",
            traj.value_at(day, parts.tumor)?,
            traj.value_at(day, parts.ctl)?
        );
    }

    let course = Course::conventional();
    // The tumor's α/β, Gy (10 with the model's α = 0.3 1/Gy, β = 0.03 1/Gy²).
    let alpha_beta = ALPHA / BETA;
    // Repopulation after a 21-day kick-off, Tpot = 3 days, the tumor's α (pkpd.md §7's form).
    let repopulation = Repopulation {
        alpha: ALPHA,
        kickoff: 21.0,
        doubling_time: 3.0,
    };
    println!(
        "\nRadiotherapy: {} Gy in {} fractions over {} days; α/β = {alpha_beta} Gy: BED {:.1} Gy, \
         EQD2 {:.1} Gy; with repopulation (Tk 21 d, Tpot 3 d): BED {:.1} Gy, EQD2 {:.1} Gy.",
        course.total_dose(),
        course.count,
        course.overall_time(),
        course.bed(alpha_beta),
        course.eqd2(alpha_beta),
        course.bed_with_repopulation(alpha_beta, &repopulation),
        course.eqd2_with_repopulation(alpha_beta, &repopulation),
    );
    println!(
        "Simulated to day {horizon}: {} rows, {} accepted steps.",
        traj.n_rows(),
        traj.stats().accepted_steps
    );

    at_path(&args.out, fs::create_dir_all(&args.out))?;
    let exposure = args.out.join("regimens_exposure.csv");
    write_exposure(&exposure, &table)?;
    let trajectory = args.out.join("regimens_trajectory.csv");
    let file = at_path(&trajectory, File::create(&trajectory))?;
    at_path(&trajectory, traj.write_csv(BufWriter::new(file)))?;
    println!(
        "\nWrote:\n  {}\n  {}",
        exposure.display(),
        trajectory.display()
    );
    Ok(())
}
