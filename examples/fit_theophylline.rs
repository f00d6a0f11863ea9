//! A one-compartment oral model fitted per subject and pooled to the theophylline data (R's
//! `Theoph`), next to the estimates published for this data set.
//!
//! ```text
//! cargo run --release --example fit_theophylline
//! cargo run --release --example fit_theophylline -- --data my.csv --starts 8
//! ```
//!
//! Data (examples/data/SOURCE.md): 12 subjects, one oral dose at time 0, 11 serum samples each
//! over about 25 h; columns `subject`, `weight_kg`, `dose_mg_per_kg`, `time_h`,
//! `conc_mg_per_L`.
//!
//! Model: `DrugSpec::new("theophylline", OneCompartment { cl, v }).with_absorption(ka, 1.0)`, the
//! observed output its concentration `theophylline_conc` (mg/L):
//!
//! ```text
//! d(depot)/dt = −ka·depot
//! d(central)/dt = ka·depot − (CL/V)·central,     C = central / V
//! ```
//!
//! Units and conversions: time in days (hours / 24), so ka is 1/day, CL L/day and V L; each
//! subject's dose is `dose_mg_per_kg × weight_kg` mg (268–321 mg), given as a bolus into the
//! depot at time 0 (bioavailability F = 1, so CL and V are apparent, CL/F and V/F).
//!
//! Error model: proportional (SD = σ·C). Concentrations span two orders of magnitude
//! (0.1–11 mg/L), so a constant SD would let the peaks dominate; the combined model's extra
//! parameter (the additive floor) is not determined by 10 samples per subject. The samples at
//! time 0 (the dose time) are left out: the model predicts C(0) = 0 exactly, which a
//! proportional model cannot weigh, and three subjects have a non-zero C(0) (residual drug or
//! assay) that no model with C(0) = 0 can match.
//!
//! Starts (flip-flop): `C(t)` is the same for (ka, k = CL/V, V) and (k, ka, V·k/ka), so a
//! one-compartment oral fit has two optima. Theophylline is absorbed fast, so every start,
//! including the random ones, has ka > k: ka is drawn in 10–100 /day, CL in 30–150 L/day and V
//! in 20–60 L, so k = CL/V ≤ 7.5 /day < 10 /day.
//!
//! Published values (SOURCE.md): Pinheiro & Bates (2000) fit this data set with the same model
//! per kg (dose in mg/kg, Cl in L/h/kg, log scale: lKe, lKa, lCl). Their values are converted as
//! `ka = e^lKa × 24` (1/day), `CL = e^lCl × 24 × weight` (L/day) and
//! `V = e^lCl / e^lKe × weight` (L), at the subjects' mean weight (pooled table) or per kg.
//! The same table shows the R 4.2.2 reference fits SOURCE.md gives (pooled `nls`, and `nlme`
//! with diagonal random effects), and a check fit that reproduces `nls` exactly: the per-kg
//! model (dose in mg/kg, so CL and V are per kg), additive error, all 132 samples.

use clap::Parser;
use oncodyn::fit::{
    ErrorModel, FitOptions, FitProblem, FitReport, FreeParameter, IndividualFits, OralLogScale,
    OralNames, SubjectData,
};
use oncodyn::prelude::*;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Name of the drug (its concentration column is `theophylline_conc`).
const DRUG: &str = "theophylline";
/// Hours per day.
const HOURS_PER_DAY: f64 = 24.0;

/// Pinheiro & Bates (2000), Appendix A.29 / §6.4, as quoted in shared/data/SOURCE.md: `nlme`
/// fixed effects, ln of ke (1/h), ka (1/h), Cl (L/h/kg).
const PINHEIRO_BATES: LogScale = LogScale::new(-2.43, 0.45, -3.21);
/// R 4.2.2 `nls(conc ~ SSfol(Dose, Time, lKe, lKa, lCl), Theoph)` (SOURCE.md).
const R_NLS: LogScale = LogScale::new(-2.5242, 0.3992, -3.2483);
/// R 4.2.2 / nlme 3.1-162 with `random = pdDiag(lKe + lKa + lCl ~ 1)` (SOURCE.md).
const R_NLME: LogScale = LogScale::new(-2.4546, 0.4655, -3.2272);

/// `(ln ke, ln ka, ln Cl)`: 1/h, 1/h, L/h/kg, as Pinheiro & Bates (2000) report them.
pub type LogScale = OralLogScale;

/// The free parameters' names: ka (1/day), CL (L/day), V (L).
pub const NAMES: OralNames<'static> = OralNames {
    ka: "ka",
    cl: "cl",
    v: "v",
};

/// One row of the data file.
#[derive(Debug, Deserialize)]
struct Row {
    subject: String,
    weight_kg: f64,
    dose_mg_per_kg: f64,
    time_h: f64,
    #[serde(rename = "conc_mg_per_L")]
    conc_mg_per_l: f64,
}

/// One subject as read: weight, dose per kg and `(time in days, concentration)` samples.
pub struct Subject {
    /// Subject id, as in the file.
    pub id: String,
    /// Body weight, kg.
    pub weight_kg: f64,
    /// Oral dose per kg body weight, mg/kg.
    pub dose_mg_per_kg: f64,
    /// `(time in days, concentration in mg/L)`, in file order (time 0 included).
    pub samples: Vec<(f64, f64)>,
}

/// Reads the rows, grouped by subject in file order; the weight and dose must not change
/// within a subject.
pub fn read_subjects(path: &Path) -> Result<Vec<Subject>, Box<dyn std::error::Error>> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut subjects: Vec<Subject> = Vec::new();
    for (k, row) in reader.deserialize::<Row>().enumerate() {
        let line = k + 2;
        let row = row.map_err(|e| format!("{}: {e}", path.display()))?;
        let sample = (row.time_h / HOURS_PER_DAY, row.conc_mg_per_l);
        match subjects.iter_mut().find(|s| s.id == row.subject) {
            Some(s) if s.weight_kg != row.weight_kg || s.dose_mg_per_kg != row.dose_mg_per_kg => {
                return Err(format!(
                    "{} line {line}: subject {} changes weight or dose",
                    path.display(),
                    row.subject
                )
                .into());
            }
            Some(s) => s.samples.push(sample),
            None => subjects.push(Subject {
                id: row.subject,
                weight_kg: row.weight_kg,
                dose_mg_per_kg: row.dose_mg_per_kg,
                samples: vec![sample],
            }),
        }
    }
    Ok(subjects)
}

/// The model at the starting values `(ka 1/day, CL L/day, V L)`.
fn model(ka: f64, cl: f64, v: f64) -> Result<Model, oncodyn::Error> {
    let mut b = ModelBuilder::new();
    b.drug(DrugSpec::new(DRUG, OneCompartment { cl, v }).with_absorption(ka, 1.0))?;
    Ok(b.build()?)
}

/// One oral dose of `amount` mg at time 0.
fn oral(amount: f64) -> Regimen {
    Regimen::new("oral").with(Dose::bolus(0.0, DRUG, amount).into_compartment(Compartment::Depot))
}

/// Free ka, CL, V with starts on the ka > k side (see the module docs); `scale` multiplies
/// the starting CL and V (1 per subject; 1 / mean weight for the per-kg check fit).
fn free(scale: f64) -> Result<Vec<FreeParameter>, oncodyn::Error> {
    Ok(vec![
        FreeParameter::positive("ka", &format!("drugs[{DRUG}].absorption.ka"), 36.0)?
            .with_start_range(10.0, 100.0),
        FreeParameter::positive("cl", &format!("drugs[{DRUG}].cl"), 65.0 * scale)?
            .with_start_range(30.0 * scale, 150.0 * scale),
        FreeParameter::positive("v", &format!("drugs[{DRUG}].v1"), 33.0 * scale)?
            .with_start_range(20.0 * scale, 60.0 * scale),
    ])
}

/// The subjects' mean body weight, kg.
pub fn mean_weight(subjects: &[Subject]) -> f64 {
    subjects.iter().map(|s| s.weight_kg).sum::<f64>() / subjects.len() as f64
}

/// The main problem: dose `dose_mg_per_kg × weight_kg` mg per subject into the depot, the
/// samples after the dose (those at the dose time left out, see the module docs),
/// proportional error; and the number of samples left out.
pub fn subject_problem(subjects: &[Subject]) -> Result<(FitProblem, usize), oncodyn::Error> {
    let mut dropped = 0;
    let data: Vec<SubjectData> = subjects
        .iter()
        .map(|s| {
            let after: Vec<(f64, f64)> = s
                .samples
                .iter()
                .copied()
                .filter(|&(t, _)| t > 0.0)
                .collect();
            dropped += s.samples.len() - after.len();
            SubjectData::new(s.id.clone(), oral(s.dose_mg_per_kg * s.weight_kg), after)
        })
        .collect();
    let problem = FitProblem::new(
        &model(36.0, 65.0, 33.0)?,
        format!("{DRUG}_conc"),
        data,
        free(1.0)?,
        ErrorModel::Proportional,
    )?;
    Ok((problem, dropped))
}

/// The check fit: the per-kg model of R's SSfol (dose mg/kg, CL L/day/kg, V L/kg), additive
/// error, all samples including time 0, pooled: the same problem as R's
/// `nls(conc ~ SSfol(Dose, Time, lKe, lKa, lCl), Theoph)`.
pub fn per_kg_nls_fit(
    subjects: &[Subject],
    options: &FitOptions,
) -> Result<FitReport, oncodyn::Error> {
    let mean_weight = mean_weight(subjects);
    let per_kg: Vec<SubjectData> = subjects
        .iter()
        .map(|s| SubjectData::new(s.id.clone(), oral(s.dose_mg_per_kg), s.samples.clone()))
        .collect();
    Ok(FitProblem::new(
        &model(36.0, 65.0 / mean_weight, 33.0 / mean_weight)?,
        format!("{DRUG}_conc"),
        per_kg,
        free(1.0 / mean_weight)?,
        ErrorModel::Additive,
    )?
    .fit(options)?)
}

/// A fit's `(ka 1/day, CL L/day, V L)` on the published log scale, per kg of `kg`.
pub fn log_scale(r: &FitReport, kg: f64) -> Option<LogScale> {
    OralLogScale::from_report(r, NAMES, kg)
}

/// Each individual fit on the log scale, per the subject's own weight, in fit order.
pub fn individual_log_scales(fits: &IndividualFits, subjects: &[Subject]) -> Vec<LogScale> {
    OralLogScale::individual(fits, NAMES, |id| {
        subjects.iter().find(|s| s.id == id).map(|s| s.weight_kg)
    })
}

/// The two-stage estimate: the mean of the individual log-scale values (`None`: no fits).
pub fn two_stage_mean(fits: &IndividualFits, subjects: &[Subject]) -> Option<LogScale> {
    OralLogScale::mean(&individual_log_scales(fits, subjects))
}

/// `estimate ± SE` of parameter `name`, times `factor`.
fn cell(report: &FitReport, name: &str, factor: f64) -> String {
    match report.estimate(name) {
        Some(e) => match e.standard_error {
            Some(se) => format!("{:>8.3} ± {:<7.3}", e.estimate * factor, se * factor),
            None => format!("{:>8.3} ± {:<7}", e.estimate * factor, "-"),
        },
        None => format!("{:>18}", "-"),
    }
}

fn print_individual(fits: &IndividualFits, subjects: &[Subject]) {
    println!(
        "  {:>7} {:>6}  {:>18} {:>18} {:>18} {:>6}  converged",
        "subject", "kg", "ka (1/day)", "CL (L/day)", "V (L)", "CV"
    );
    for r in &fits.fits {
        let id = r.subjects.first().map_or("", String::as_str);
        let kg = subjects
            .iter()
            .find(|s| s.id == id)
            .map_or(f64::NAN, |s| s.weight_kg);
        println!(
            "  {:>7} {:>6.1}  {} {} {} {:>6.3}  {}",
            id,
            kg,
            cell(r, "ka", 1.0),
            cell(r, "cl", 1.0),
            cell(r, "v", 1.0),
            r.residual_scale,
            if r.termination.is_converged() {
                "yes"
            } else {
                "no"
            }
        );
    }
    for f in &fits.failures {
        println!("  {:>7} failed: {}", f.subject, f.message);
    }
    println!("  two-stage summary over {} subjects:", fits.fits.len());
    for s in &fits.summary {
        println!(
            "    {:<3} mean {:>8.3}  SD {:>8}  CV {:>6}",
            s.parameter,
            s.mean,
            s.sd.map_or("-".to_string(), |x| format!("{x:.3}")),
            s.cv.map_or("-".to_string(), |x| format!("{:.1}%", 100.0 * x))
        );
    }
}

#[derive(Parser)]
#[command(about = "One-compartment oral fits of the theophylline data, per subject and pooled")]
struct Args {
    /// CSV with columns subject, weight_kg, dose_mg_per_kg, time_h, conc_mg_per_L (default:
    /// examples/data/pk_theophylline_oral.csv).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Number of starts per fit.
    #[arg(long, default_value_t = 8)]
    starts: usize,
    /// Seed of the random starts.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() {
    if let Err(e) = run(&Args::parse()) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let clock = Instant::now();
    let path = args.data.clone().unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/pk_theophylline_oral.csv")
    });
    let subjects = read_subjects(&path)?;
    if subjects.is_empty() {
        return Err(format!("{}: no data rows", path.display()).into());
    }
    let options = FitOptions {
        starts: args.starts,
        seed: args.seed,
        ..FitOptions::default()
    };
    let mean_weight = mean_weight(&subjects);

    // Main problem: dose in mg per subject, samples after the dose, proportional error.
    let (problem, dropped) = subject_problem(&subjects)?;
    println!(
        "{}: {} subjects, {} samples used ({dropped} at the dose time left out); dose = \
         dose_mg_per_kg × weight_kg mg into the depot at t = 0; time h/24 → days; \
         proportional error; {} starts, ka started above CL/V",
        path.display(),
        subjects.len(),
        problem.n_observations(),
        args.starts
    );
    println!();
    println!("Individual fits (estimate ± SE; CV = proportional error SD):");
    let individual = problem.fit_individual(&options)?;
    print_individual(&individual, &subjects);

    println!();
    let pooled = problem.fit(&options)?;
    println!(
        "Naive pooled fit: {} samples, −2LL {:.2}, CV {:.3}, {} ({} iterations, {} evaluations)",
        pooled.n_observations,
        pooled.minus_two_log_likelihood,
        pooled.residual_scale,
        if pooled.termination.is_converged() {
            "converged"
        } else {
            "NOT converged"
        },
        pooled.iterations,
        pooled.total_evaluations
    );
    for w in &pooled.warnings {
        println!("  warning: {w}");
    }

    // Check fit: the per-kg model of R's SSfol, additive error, all samples: R's nls.
    let check = per_kg_nls_fit(&subjects, &options)?;

    println!();
    println!(
        "Pooled estimates next to the published ones (per-kg values × mean weight {mean_weight:.2} kg; \
         ka = e^lKa·24, CL = e^lCl·24·kg, V = e^lCl/e^lKe·kg):"
    );
    println!(
        "  {:<52} {:>18} {:>18} {:>18}",
        "", "ka (1/day)", "CL (L/day)", "V (L)"
    );
    println!(
        "  {:<52} {} {} {}",
        "this fit, pooled, proportional",
        cell(&pooled, "ka", 1.0),
        cell(&pooled, "cl", 1.0),
        cell(&pooled, "v", 1.0)
    );
    println!(
        "  {:<52} {} {} {}",
        "this fit, pooled per kg, additive (as R nls)",
        cell(&check, "ka", 1.0),
        cell(&check, "cl", mean_weight),
        cell(&check, "v", mean_weight)
    );
    for (label, log) in [
        ("published: Pinheiro & Bates 2000, nlme", PINHEIRO_BATES),
        ("reference: R 4.2.2 nls (SOURCE.md)", R_NLS),
        ("reference: R 4.2.2 nlme 3.1-162 (SOURCE.md)", R_NLME),
    ] {
        let (ka, cl, v) = log.to_natural(mean_weight);
        println!(
            "  {:<52} {:>8.3}{:10} {:>8.3}{:10} {:>8.3}{:10}",
            label, ka, "", cl, "", v, ""
        );
    }
    println!();
    println!("The same on the published log scale (hours, per kg):");
    println!("  {:<52} {:>8} {:>8} {:>8}", "", "lKe", "lKa", "lCl");
    let mut rows: Vec<(&str, Option<LogScale>)> = vec![
        (
            "this fit, pooled, proportional (÷ mean weight)",
            log_scale(&pooled, mean_weight),
        ),
        (
            "this fit, pooled per kg, additive (as R nls)",
            log_scale(&check, 1.0),
        ),
    ];
    // Two-stage: the mean over subjects of each subject's log-scale values, per own weight.
    rows.push((
        "this fit, two-stage mean of individual logs",
        two_stage_mean(&individual, &subjects),
    ));
    rows.push((
        "published: Pinheiro & Bates 2000, nlme",
        Some(PINHEIRO_BATES),
    ));
    rows.push(("reference: R 4.2.2 nls (SOURCE.md)", Some(R_NLS)));
    rows.push(("reference: R 4.2.2 nlme 3.1-162 (SOURCE.md)", Some(R_NLME)));
    for (label, values) in rows {
        match values {
            Some(x) => println!(
                "  {label:<52} {:>8.4} {:>8.4} {:>8.4}",
                x.ln_ke, x.ln_ka, x.ln_cl
            ),
            None => println!("  {label:<52} {:>8} {:>8} {:>8}", "-", "-", "-"),
        }
    }
    println!();
    println!(
        "(published: Pinheiro & Bates (2000) Mixed-Effects Models in S and S-PLUS, App. A.29, \
         quoted to 2 decimals; reference: computed in R by the data's curators, not a paper)"
    );
    println!("elapsed {:.2} s", clock.elapsed().as_secs_f64());
    Ok(())
}
