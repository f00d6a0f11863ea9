//! Compare schedules of chemotherapy and anti-PD-1 on one tumor–immune model.
//!
//! ```sh
//! cargo run --release --example compare_schedules              # writes into results/
//! cargo run --release --example compare_schedules -- --out DIR
//! ```
//!
//! The model joins published pieces (their provenance is noted at each parameter):
//!
//! ```text
//! tumor T:  dT/dt = a·T·(1 − T/K) − n·E·T·φ(S)·(1 + E_pd1(C1)) − E_chemo(C2)·T
//! CTLs E:   dE/dt = s − d·E + p·T/(g + T)·E − m·E·T − L_chemo(C2)·E
//! MDSCs S:  dS/dt = σ − β·S + α·T/(q + T)
//! φ(S) = 1 − Imax·S/(S50 + S)                       suppression of CTL killing
//! anti-PD-1: two-compartment PK (pembrolizumab), E_pd1 = Emax·C1/(EC50 + C1), dimensionless
//! chemo:     one-compartment PK, E_chemo = K_T·(1 − exp(−k·C2)),
//!            L_chemo = K_L·(1 − exp(−k·C2)), both 1/day
//! ```
//!
//! Tumor and CTLs are Kuznetsov et al. 1994, whose tumor is bistable: below a threshold the CTLs
//! hold it dormant, above it the tumor escapes. MDSCs (Shariatpanahi et al. 2018) grow with the
//! tumor and weaken the kill, so the threshold falls as the tumor grows. Chemotherapy can push the
//! tumor below the threshold but also kills CTLs (de Pillis et al. 2006); anti-PD-1 strengthens
//! the kill. The arms therefore differ by *when* each drug acts, not only by how much is given.
//!
//! Every arm that gets a drug gets the same amount: 4 cycles, every 3 weeks. The parameters are
//! illustrative (taken from mouse and human models and not fitted together): the point is the
//! shape of the comparison, not a prediction for patients. Because the tumor is bistable, an
//! arm's outcome can hinge on which side of the threshold the tumor is when a drug starts:
//! changing single parameters by ±20 % keeps the untreated escape and the partial response to
//! anti-PD-1 in most cases but can reorder the combination arms (chemotherapy-then-anti-PD-1
//! is the most sensitive).

mod common;

use clap::Parser;
use common::plot::{write_log_chart, Line, LogChart};
use oncodyn::prelude::*;
use oncodyn::trajectory::ColumnView;
use std::error::Error;
use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Compare chemotherapy and anti-PD-1 schedules; write trajectories (CSV) and a tumor plot (SVG).
#[derive(Parser)]
struct Args {
    /// Directory for the CSV trajectories and the SVG plot (created if missing).
    #[arg(long, default_value = "results")]
    out: PathBuf,
}

/// Name of the antibody in the model and in doses.
const ANTI_PD1: &str = "anti_pd1";
/// Name of the chemotherapy in the model and in doses.
const CHEMO: &str = "chemo";
/// Name of the anti-PD-1 monotherapy arm (its CSV is `<out>/anti_pd1_alone.csv`).
const ANTI_PD1_ALONE: &str = "anti_pd1_alone";
/// Days between cycles of either drug (q3w).
const CYCLE_DAYS: f64 = 21.0;
/// Cycles of each drug in every arm that gets it.
const CYCLES: u32 = 4;
/// Start of the second drug in a sequential arm: three weeks after the last cycle of the first.
const SECOND_START_DAYS: f64 = CYCLE_DAYS * CYCLES as f64;
/// Horizon, days (24 weeks).
const HORIZON_DAYS: f64 = 168.0;
/// Output grid steps over the horizon.
const GRID_STEPS: u32 = 672;
/// Output grid step, days (0.25); the AUCs are trapezoids over this grid (plus the dose rows).
const GRID_DAYS: f64 = HORIZON_DAYS / GRID_STEPS as f64;

/// Handles of the model's parts, for reading trajectories.
struct Parts {
    tumor: StateId<Tumor>,
    ctl: StateId<Effector>,
    mdsc: StateId<Suppressor>,
    anti_pd1: DrugId,
    chemo: DrugId,
}

/// The tumor–CTL–MDSC model with anti-PD-1 and chemotherapy (see the file's docs).
fn build_model() -> Result<(Model, Parts), oncodyn::Error> {
    let mut b = ModelBuilder::new();

    // Tumor: logistic growth, Kuznetsov et al. 1994 (immune.md §1, BIOMD0000000762):
    // a = 0.18 1/day, K = 1/b = 5e8 cells. It starts at 1e8 cells, above Kuznetsov's escape
    // threshold (≈ 6.4e7 cells with CTLs at s/d and no MDSCs, immune.md §1).
    let tumor = b.tumor(TumorSpec::new(
        "tumor",
        1e8,
        Logistic {
            rate: 0.18,
            capacity: 5e8,
        },
    ))?;

    // CTLs, Kuznetsov et al. 1994: source s = 1.3e4 cells/day, death d = 0.0412 1/day, starting
    // at their tumor-free level s/d = 3.155e5 cells.
    let ctl = b.effector(CellSpec::new("ctl", 1.3e4 / 0.0412, 1.3e4, 0.0412))?;
    // Tumor-stimulated expansion p·T/(g + T)·E: p = 0.1245 1/day, g = 2.019e7 cells (Kuznetsov).
    b.recruit(tumor, ctl, Recruitment::expansion(0.1245, 2.019e7))?;
    // Inactivation by tumor contact m·E·T: m = 3.422e-10 1/(cell·day) (Kuznetsov).
    b.inactivate(tumor, ctl, 3.422e-10)?;
    // Kill n·E·T: n = 1.101e-7 1/(cell·day) (Kuznetsov).
    b.kill(ctl, tumor, MassAction { rate: 1.101e-7 })?;

    // MDSCs, Shariatpanahi et al. 2018 (mechanisms.md §2c, MODEL1909090003): death β = 0.25
    // 1/day and source ρ = 0.25·M_min = 1.25e6 cells/day, so 5e6 cells (M_min) without tumor.
    let mdsc = b.suppressor(CellSpec::new("mdsc", 5e6, 1.25e6, 0.25))?;
    // Tumor-driven influx α·T/(q + T): α = 1.2e8 cells/day, q = 1e10 cells (Shariatpanahi).
    b.recruit(tumor, mdsc, Recruitment::influx(1.2e8, 1e10))?;
    // Suppression of the CTL kill by 1 − Imax·S/(S50 + S). Imax = 0.82 = 1 − S_min of
    // Shariatpanahi's S(M) (S_min = 0.18). S50 = 2e7 cells (4·M_min) is chosen so that MDSCs
    // at their tumor-free level damp the kill by 16 % and a tumor near capacity by about half;
    // Shariatpanahi's own γ makes the switch at ~M_min + 100 cells, a scaling we do not copy.
    b.suppress(
        mdsc,
        ctl,
        SuppressedRate::Kill,
        Inhibition {
            imax: 0.82,
            s50: 2e7,
        },
    )?;

    // Anti-PD-1: pembrolizumab two-compartment PK, Ahamadi et al. 2017 Table 3 (pkpd.md §5.1):
    // CL = 0.22 L/day, V1 = 3.48 L, Q = 0.795 L/day, V2 = 4.06 L.
    let anti_pd1 = b.drug(DrugSpec::two_compartment(ANTI_PD1, 0.22, 3.48, 0.795, 4.06))?;
    // CTL kill multiplied by 1 + Emax·C/(EC50 + C), dimensionless. No published receptor-
    // occupancy EC50 was verified (pkpd.md §5.4): EC50 = 5 mg/L is chosen so that the effect
    // stays above 70 % of Emax at the first trough (12.7 mg/L, pkpd.md §5.1) and wanes over ~2
    // months after the last dose. Emax = 1.5 (kill at most ×2.5) is chosen so that anti-PD-1
    // alone shrinks the tumor but does not eradicate it: it relapses once the antibody washes
    // out. With Emax = 1 that response hangs on a knife edge: changing Imax, S50, α or the
    // initial tumor by 16–30 % turns it into escape.
    b.effect(
        anti_pd1,
        Target::EffectorKill(ctl),
        Emax {
            emax: 1.5,
            ec50: 5.0,
        },
    )?;

    // Chemotherapy: one compartment with elimination k = CL/V = 0.9 1/day (t½ = 0.77 day), the
    // drug decay γ of de Pillis et al. 2006 (immune.md §2b). V = 15 L is nominal (CL = 13.5
    // L/day); one de Pillis "drug unit" is read as 1 mg/L, so 75 mg over 1 day reproduces their
    // input v_M = 5 units/day for one day.
    let chemo = b.drug(DrugSpec::one_compartment(CHEMO, 13.5, 15.0))?;
    // Tumor kill K_T·(1 − exp(−k·C)): K_T = 0.9 1/day (de Pillis 2006), k = 1 L/mg (one unit).
    b.effect(
        chemo,
        Target::TumorKill(tumor),
        ExpKill { emax: 0.9, k: 1.0 },
    )?;
    // Lymphotoxicity, CTL death K_L·(1 − exp(−k·C)): K_L = 0.6 1/day (de Pillis 2006).
    b.effect(
        chemo,
        Target::EffectorDeath(ctl),
        ExpKill { emax: 0.6, k: 1.0 },
    )?;

    let model = b.build()?;
    Ok((
        model,
        Parts {
            tumor,
            ctl,
            mdsc,
            anti_pd1,
            chemo,
        },
    ))
}

/// One arm of the comparison.
struct Arm {
    regimen: Regimen,
    /// Label for the table and the plot legend.
    label: String,
    /// Dashed in the plot: the arm coincides with a single-drug arm until its second drug starts.
    dashed: bool,
}

/// Anti-PD-1 dose: 200 mg IV over 30 minutes (pembrolizumab's flat dose), mg.
const ANTI_PD1_MG: f64 = 200.0;
/// Anti-PD-1 infusion duration, days (30 minutes).
const ANTI_PD1_INFUSION_DAYS: f64 = 0.5 / 24.0;
/// Chemotherapy dose: 75 mg IV over 1 day (see the chemotherapy parameters in `build_model`).
const CHEMO_MG: f64 = 75.0;
/// Chemotherapy infusion duration, days.
const CHEMO_INFUSION_DAYS: f64 = 1.0;

/// The arms: no treatment, each drug alone, both from day 0, and both sequences.
fn arms() -> Vec<Arm> {
    let anti_pd1 = Regimen::new(ANTI_PD1_ALONE).with(
        Dose::infusion(0.0, ANTI_PD1, ANTI_PD1_MG, ANTI_PD1_INFUSION_DAYS)
            .repeated(CYCLE_DAYS, CYCLES),
    );
    let chemo = Regimen::new("chemo_alone").with(
        Dose::infusion(0.0, CHEMO, CHEMO_MG, CHEMO_INFUSION_DAYS).repeated(CYCLE_DAYS, CYCLES),
    );
    let arm = |regimen, label: &str, dashed| Arm {
        regimen,
        label: label.to_string(),
        dashed,
    };
    let second = format!("(day {SECOND_START_DAYS})");
    vec![
        arm(Regimen::new("no_treatment"), "no treatment", false),
        arm(anti_pd1.clone(), "anti-PD-1 alone", false),
        arm(chemo.clone(), "chemo alone", false),
        arm(
            Regimen::new("concurrent").merged(&chemo).merged(&anti_pd1),
            "concurrent from day 0",
            false,
        ),
        arm(
            Regimen::new("anti_pd1_then_chemo")
                .merged(&anti_pd1)
                .merged(&chemo.clone().shifted(SECOND_START_DAYS)),
            &format!("anti-PD-1, then chemo {second}"),
            true,
        ),
        arm(
            Regimen::new("chemo_then_anti_pd1")
                .merged(&chemo)
                .merged(&anti_pd1.clone().shifted(SECOND_START_DAYS)),
            &format!("chemo, then anti-PD-1 {second}"),
            true,
        ),
    ]
}

/// One arm's endpoints.
struct Endpoints {
    final_tumor: f64,
    nadir: f64,
    nadir_day: f64,
    auc_anti_pd1: f64,
    auc_chemo: f64,
    min_ctl: f64,
    final_mdsc: f64,
}

/// Trapezoid rule over the trajectory's rows (dose times appear twice, with zero width).
fn trapezoid(times: &[f64], values: ColumnView<'_>) -> f64 {
    let v = values.to_vec();
    times
        .windows(2)
        .zip(v.windows(2))
        .map(|(t, y)| 0.5 * (t[1] - t[0]) * (y[0] + y[1]))
        .sum()
}

/// The smallest value and its time (the first, if it recurs).
fn minimum(times: &[f64], values: ColumnView<'_>) -> (f64, f64) {
    times
        .iter()
        .zip(values.iter())
        .fold((f64::INFINITY, f64::NAN), |best, (&t, v)| {
            if v < best.0 {
                (v, t)
            } else {
                best
            }
        })
}

fn endpoints(traj: &Trajectory, parts: &Parts) -> Result<Endpoints, oncodyn::Error> {
    let times = traj.times();
    let tumor = traj.column(parts.tumor)?;
    let (nadir, nadir_day) = minimum(times, tumor);
    let last = |c: ColumnView<'_>| c.iter().last().unwrap_or(f64::NAN);
    Ok(Endpoints {
        final_tumor: last(tumor),
        nadir,
        nadir_day,
        auc_anti_pd1: trapezoid(times, traj.column(parts.anti_pd1)?),
        auc_chemo: trapezoid(times, traj.column(parts.chemo)?),
        min_ctl: minimum(times, traj.column(parts.ctl)?).0,
        final_mdsc: last(traj.column(parts.mdsc)?),
    })
}

/// `result`, with `path` named in its error.
fn at_path<T, E: Error>(path: &Path, result: Result<T, E>) -> Result<T, Box<dyn Error>> {
    result.map_err(|e| format!("{}: {e}", path.display()).into())
}

/// Prints what was run, the endpoint table and the ranking by final tumor.
fn print_summary(runs: &[(Arm, Trajectory)], parts: &Parts) -> Result<(), oncodyn::Error> {
    println!(
        "Kuznetsov 1994 tumor and CTLs, MDSC suppression (Shariatpanahi 2018), pembrolizumab PK \
         (Ahamadi 2017),\nchemotherapy after de Pillis 2006; {} arms over {HORIZON_DAYS} days.",
        runs.len()
    );
    println!(
        "Doses: anti-PD-1 {ANTI_PD1_MG} mg IV over 30 min, chemo {CHEMO_MG} mg IV over \
         {CHEMO_INFUSION_DAYS} day; {CYCLES} cycles q3w of each drug in every arm that gets it."
    );
    if let Some((_, traj)) = runs.iter().find(|(a, _)| a.regimen.name == ANTI_PD1_ALONE) {
        println!(
            "PK check: anti-PD-1 trough before the 2nd dose (day 21) {:.3} mg/L \
             (Ahamadi 2017 reference patient: 12.736 mg/L).",
            traj.value_at(CYCLE_DAYS, parts.anti_pd1)?
        );
    }
    println!(
        "AUCs: trapezoid rule over the {GRID_DAYS}-day output grid plus the infusion start/end \
         rows.\n"
    );

    let mut rows = Vec::new();
    for (arm, traj) in runs {
        rows.push((arm.label.as_str(), endpoints(traj, parts)?));
    }
    println!(
        "{:<31} {:>12} {:>12} {:>6} {:>14} {:>12} {:>11} {:>11}",
        "arm",
        "final tumor",
        "nadir",
        "nadir",
        "AUC anti-PD-1",
        "AUC chemo",
        "min CTL",
        "final MDSC"
    );
    println!(
        "{:<31} {:>12} {:>12} {:>6} {:>14} {:>12} {:>11} {:>11}",
        "", "[cells]", "[cells]", "[day]", "[mg·day/L]", "[mg·day/L]", "[cells]", "[cells]"
    );
    for (label, e) in &rows {
        println!(
            "{:<31} {:>12.3e} {:>12.3e} {:>6.2} {:>14.1} {:>12.2} {:>11.3e} {:>11.3e}",
            label,
            e.final_tumor,
            e.nadir,
            e.nadir_day,
            e.auc_anti_pd1,
            e.auc_chemo,
            e.min_ctl,
            e.final_mdsc
        );
    }
    rows.sort_by(|a, b| a.1.final_tumor.total_cmp(&b.1.final_tumor));
    println!("\nRanked by final tumor (smallest first):");
    for (rank, (label, e)) in rows.iter().enumerate() {
        println!("{:>2}. {label:<31} {:.3e} cells", rank + 1, e.final_tumor);
    }
    Ok(())
}

/// Writes each trajectory as `<out>/<regimen name>.csv` and the tumor plot as
/// `<out>/tumor_burden.svg` (`out` must exist); returns the paths written.
fn write_outputs(
    out: &Path,
    runs: &[(Arm, Trajectory)],
    parts: &Parts,
) -> Result<Vec<PathBuf>, Box<dyn Error>> {
    let mut written = Vec::new();
    let mut lines = Vec::new();
    let mut dose_days = Vec::new();
    for (arm, traj) in runs {
        let path = out.join(format!("{}.csv", arm.regimen.name));
        let file = at_path(&path, File::create(&path))?;
        at_path(&path, traj.write_csv(BufWriter::new(file)))?;
        written.push(path);
        let tumor = traj.column(parts.tumor)?;
        lines.push(Line {
            label: arm.label.clone(),
            points: traj.times().iter().copied().zip(tumor.iter()).collect(),
            dashed: arm.dashed,
        });
        dose_days.extend(traj.doses().iter().map(|d| d.time));
    }
    dose_days.sort_by(f64::total_cmp);
    dose_days.dedup();

    let svg = out.join("tumor_burden.svg");
    let chart = LogChart {
        title: "Tumor burden by schedule (4 cycles q3w of each drug)",
        x_label: "time [days]   (gray lines: dose days)",
        y_label: "tumor [cells]",
        x_range: (0.0, HORIZON_DAYS),
        y_floor: 1.0,
        x_guides: dose_days,
    };
    write_log_chart(&svg, (1000, 640), &chart, &lines)?;
    written.push(svg);
    Ok(written)
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
    at_path(&args.out, fs::create_dir_all(&args.out))?;
    let (model, parts) = build_model()?;
    let times: Vec<f64> = (0..=GRID_STEPS)
        .map(|i| f64::from(i) * HORIZON_DAYS / f64::from(GRID_STEPS))
        .collect();
    let options = SolverOptions::default();

    let mut runs = Vec::new();
    for arm in arms() {
        let traj = simulate(&model, &arm.regimen, &times, &options)
            .map_err(|e| format!("arm `{}`: {e}", arm.regimen.name))?;
        runs.push((arm, traj));
    }
    print_summary(&runs, &parts)?;
    let written = write_outputs(&args.out, &runs, &parts)?;
    println!("\nWrote (CSV: time, side, every state and each drug's concentration, with units):");
    for path in &written {
        println!("  {}", path.display());
    }
    Ok(())
}
