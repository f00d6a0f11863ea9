//! Per-patient fits of a tumor regression–growth model to the target-lesion diameters of
//! patients on atezolizumab or docetaxel (Laleh et al. 2022), summarised by study and arm.
//!
//! ```text
//! cargo run --release --example fit_clinical                      # all 1461 patients
//! cargo run --release --example fit_clinical -- --study 2 --out results/fit_clinical
//! ```
//!
//! Data (examples/data/SOURCE.md): five atezolizumab trials, two with a docetaxel arm; per
//! patient the longest diameter of the first target lesion at 3–16 scans. The source numbers
//! studies and arms without naming the drugs, so the tables do too.
//!
//! **Model.** Two tumor clones in mm³, both present from the start of treatment (day 0): a
//! sensitive one that the treatment removes at rate `d`, a resistant one that grows at rate `g`;
//! what the scan measures is the diameter of a sphere holding both
//! ([`Observable::TumorDiameter`]):
//!
//! ```text
//! dS/dt = −d·S,   dR/dt = g·R,   D(t) = (6·(S + R)/π)^(1/3)   (mm, volumes in mm³, rates 1/day)
//! V(t) = S0·e^(−d·t) + R0·e^(g·t) = V0·[φ·e^(−d·t) + (1 − φ)·e^(g·t)],   φ = S0/V0
//! ```
//!
//! — the regression–growth model of Stein et al. (2008, *Oncologist* 13:1046) in the
//! two-population form the `tumgr` R package calls `gdphi` (Wilkerson et al. 2017,
//! *Lancet Oncol* 18:143). Stein's first form `e^(−d·t) + e^(g·t) − 1` is not a sum of
//! populations (the `−1`), so it is not a compartment model; `gdphi` is. The reduced model is
//! one clone with a net rate `k` of either sign, `V0·e^(k·t)` (tumgr's `gx` for `k > 0`, `dx`
//! for `k < 0`). Rates are of the volume; the diameter's are a third of them.
//!
//! **Fitting.** Each patient alone: additive error in mm (CT diameters carry a roughly constant
//! reader error, and a lesion that is no longer measurable, 0 mm, is data too), `--starts`
//! multi-starts. The one-clone model is fitted to every patient (3 parameters with σ); the
//! two-clone model (5 with σ) to patients with at least [`TWO_CLONE_MIN_SCANS`] scans, the
//! fewest for which the small-sample AIC (AICc) is defined, and it is selected when its AICc is
//! lower. Baseline scans (day ≤ 0, up to 48 days before the first dose) are placed at day 0:
//! the data cannot separate an untreated growth rate over that interval (Laleh et al.'s
//! `T_weeks` does the same). Same-day scans are both kept, as replicate measurements; the one
//! patient whose rows are out of order is sorted by day.
//!
//! **Output.** Per study and arm: patients, the median one-clone net rate `k` (and its IQR) and
//! the share with `k > 0`, how often the two-clone model was selected, and the median
//! regression and growth rates of the selected models; then the same by the source's trend
//! label. With `--out DIR`: `DIR/clinical_fits.csv` (one row per patient) and
//! `DIR/clinical_fits.svg` (scans and both fitted curves of four patients per trend label).

use clap::Parser;
use oncodyn::fit::{
    groups, select_by_aicc, ErrorModel, FitOptions, FitProblem, FitReport, FreeParameter,
    SubjectData,
};
use oncodyn::model::{BurdenUnit, Exponential, TumorSpec};
use oncodyn::prelude::*;
use oncodyn::stats::summarize;
use oncodyn::trajectory::Observable;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use rayon::prelude::*;
use serde::Deserialize;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Fewest scans for a two-clone fit: AICc needs `n ≥ k + 2` with `k = 5` (S0, d, R0, g, σ).
pub const TWO_CLONE_MIN_SCANS: usize = 7;

/// The source's trajectory category of a patient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    /// Growing.
    Up,
    /// Shrinking.
    Down,
    /// Changing direction.
    Flux,
}

impl Trend {
    /// The three labels in table order.
    pub const ALL: [Trend; 3] = [Trend::Up, Trend::Down, Trend::Flux];

    /// The source's label.
    pub fn label(self) -> &'static str {
        match self {
            Trend::Up => "up",
            Trend::Down => "down",
            Trend::Flux => "flux",
        }
    }
}

/// One row of the data file.
#[derive(Debug, Deserialize)]
struct Row {
    patient: String,
    study: u32,
    arm: u32,
    day: f64,
    longest_diameter_mm: f64,
    trend: Trend,
}

/// One patient's scans.
#[derive(Clone, Debug)]
pub struct Patient {
    /// Hashed patient id.
    pub id: String,
    /// Study number, 1–5.
    pub study: u32,
    /// Arm number within the study.
    pub arm: u32,
    /// The source's trend label.
    pub trend: Trend,
    /// `(day, diameter mm)`, sorted by day (stable: same-day scans keep file order).
    pub scans: Vec<(f64, f64)>,
}

impl Patient {
    /// The scans as fit observations: baseline scans (day ≤ 0) at day 0.
    pub fn observations(&self) -> Vec<(f64, f64)> {
        self.scans.iter().map(|&(t, d)| (t.max(0.0), d)).collect()
    }

    /// Diameter of the first scan, mm.
    fn baseline_mm(&self) -> f64 {
        self.scans.first().map_or(10.0, |s| s.1)
    }
}

/// Reads the patients in order of first appearance. Every error names the file and line: a
/// malformed or missing field, a non-finite day, a negative or non-finite diameter, or a
/// patient whose study, arm or trend changes between rows.
pub fn read_patients(path: &Path) -> Result<Vec<Patient>, Box<dyn Error>> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    read_patients_from(file, &path.display().to_string())
}

/// [`read_patients`] from any reader; `name` is used in error messages.
pub fn read_patients_from(
    reader: impl std::io::Read,
    name: &str,
) -> Result<Vec<Patient>, Box<dyn Error>> {
    let mut reader = csv::Reader::from_reader(reader);
    let mut patients: Vec<Patient> = Vec::new();
    let mut index = std::collections::HashMap::new();
    let headers = reader
        .headers()
        .map_err(|e| format!("{name} line 1: {e}"))?
        .clone();
    for record in reader.records() {
        let record = record.map_err(|e| match e.position() {
            Some(p) => format!("{name} line {}: {e}", p.line()),
            None => format!("{name}: {e}"),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let at = |what: String| format!("{name} line {line}: {what}");
        let row: Row = record
            .deserialize(Some(&headers))
            .map_err(|e| at(e.to_string()))?;
        if !row.day.is_finite() {
            return Err(at(format!("day {} is not finite", row.day)).into());
        }
        if !(row.longest_diameter_mm.is_finite() && row.longest_diameter_mm >= 0.0) {
            return Err(at(format!(
                "longest_diameter_mm {} must be finite and ≥ 0",
                row.longest_diameter_mm
            ))
            .into());
        }
        let scan = (row.day, row.longest_diameter_mm);
        match index.get(&row.patient) {
            Some(&k) => {
                let p: &mut Patient = &mut patients[k];
                if (p.study, p.arm, p.trend) != (row.study, row.arm, row.trend) {
                    return Err(at(format!(
                        "patient {} changes study, arm or trend",
                        row.patient
                    ))
                    .into());
                }
                p.scans.push(scan);
            }
            None => {
                index.insert(row.patient.clone(), patients.len());
                patients.push(Patient {
                    id: row.patient,
                    study: row.study,
                    arm: row.arm,
                    trend: row.trend,
                    scans: vec![scan],
                });
            }
        }
    }
    for p in &mut patients {
        p.scans.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    Ok(patients)
}

/// Which model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clones {
    /// One clone, net rate `k` of either sign.
    One,
    /// Sensitive (rate `−d`) plus resistant (rate `g`) clone.
    Two,
}

/// Volume, mm³, of a sphere of diameter `d` mm.
fn sphere_volume(d: f64) -> f64 {
    std::f64::consts::PI / 6.0 * d.powi(3)
}

/// A tumor clone in mm³ with exponential growth at `rate`.
fn clone_spec(name: &str, volume: f64, rate: f64) -> TumorSpec {
    TumorSpec::new(name, volume, Exponential { rate }).in_unit(BurdenUnit::CubicMillimeters)
}

/// The problem of `patient` under `clones`, started from the baseline scan's volume.
///
/// Free parameters (volumes mm³, rates 1/day): one clone `v0`, `k` (in (−1, 1), logit);
/// two clones `s0`, `r0` (log), `minus_d` = the sensitive clone's rate `−d` (in (−1, −1e-5),
/// logit) and `g` (in (1e-5, 1), logit).
pub fn problem(patient: &Patient, clones: Clones) -> Result<FitProblem, oncodyn::Error> {
    let v = sphere_volume(patient.baseline_mm()).max(1.0);
    let mut b = ModelBuilder::new();
    let free = match clones {
        Clones::One => {
            b.tumor(clone_spec("tumor", v, 0.0))?;
            vec![
                FreeParameter::positive("v0", "tumors[tumor].initial", v)?
                    .with_start_range(0.3 * v, 3.0 * v),
                FreeParameter::bounded("k", "tumors[tumor].growth.rate", 0.0, -1.0, 1.0)?
                    .with_start_range(-0.03, 0.03),
            ]
        }
        Clones::Two => {
            b.tumor(clone_spec("sensitive", 0.9 * v, -0.02))?;
            b.tumor(clone_spec("resistant", 0.1 * v, 0.01))?;
            vec![
                FreeParameter::positive("s0", "tumors[sensitive].initial", 0.9 * v)?
                    .with_start_range(0.1 * v, 2.0 * v),
                FreeParameter::bounded(
                    "minus_d",
                    "tumors[sensitive].growth.rate",
                    -0.02,
                    -1.0,
                    -1e-5,
                )?
                .with_start_range(-0.1, -0.002),
                FreeParameter::positive("r0", "tumors[resistant].initial", 0.1 * v)?
                    .with_start_range(1e-3 * v, v),
                FreeParameter::bounded("g", "tumors[resistant].growth.rate", 0.01, 1e-5, 1.0)?
                    .with_start_range(0.001, 0.05),
            ]
        }
    };
    let model = b.build()?;
    let data = SubjectData::new(
        patient.id.clone(),
        Regimen::new("on treatment"),
        patient.observations(),
    );
    Ok(FitProblem::new(
        &model,
        Observable::TumorDiameter(Default::default()),
        vec![data],
        free,
        ErrorModel::Additive,
    )?)
}

/// The rates of a fitted model, 1/day of the volume.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rates {
    /// Regression rate `d` (`None`: the model has no shrinking part).
    pub d: Option<f64>,
    /// Growth rate `g` (`None`: the model has no growing part).
    pub g: Option<f64>,
}

/// One patient's fits.
#[derive(Clone, Debug)]
pub struct PatientFit {
    /// The one-clone fit (or why it failed).
    pub one: Result<FitReport, oncodyn::Error>,
    /// The two-clone fit, if the patient has enough scans (or why it failed).
    pub two: Option<Result<FitReport, oncodyn::Error>>,
}

impl PatientFit {
    /// The one-clone net rate `k`, if that fit converged.
    pub fn net_rate(&self) -> Option<f64> {
        converged(&self.one)?.estimate("k").map(|e| e.estimate)
    }

    /// Whether the two-clone fit converged with a lower AICc than the one-clone fit
    /// ([`select_by_aicc`]; a tie keeps one clone).
    pub fn two_selected(&self) -> bool {
        let two = self.two.as_ref().and_then(|r| r.as_ref().ok());
        select_by_aicc(&[self.one.as_ref().ok(), two]) == Some(1)
    }

    /// The selected model's rates (`None`: no fit converged).
    pub fn rates(&self) -> Option<Rates> {
        if self.two_selected() {
            let r = converged(self.two.as_ref()?)?;
            return Some(Rates {
                d: Some(-r.estimate("minus_d")?.estimate),
                g: Some(r.estimate("g")?.estimate),
            });
        }
        let k = self.net_rate()?;
        Some(if k > 0.0 {
            Rates {
                d: None,
                g: Some(k),
            }
        } else {
            Rates {
                d: Some(-k),
                g: None,
            }
        })
    }
}

/// The report if its search converged.
fn converged(r: &Result<FitReport, oncodyn::Error>) -> Option<&FitReport> {
    r.as_ref().ok().filter(|r| r.is_converged())
}

/// Fits one patient's model, a failure kept as its typed error.
fn fit_one(
    patient: &Patient,
    clones: Clones,
    options: &FitOptions,
) -> Result<FitReport, oncodyn::Error> {
    Ok(problem(patient, clones)?.fit(options)?)
}

/// Fits every patient (in parallel), in the patients' order.
pub fn fit_patients(patients: &[Patient], options: &FitOptions) -> Vec<PatientFit> {
    patients
        .par_iter()
        .map(|p| PatientFit {
            one: fit_one(p, Clones::One, options),
            two: (p.scans.len() >= TWO_CLONE_MIN_SCANS).then(|| fit_one(p, Clones::Two, options)),
        })
        .collect()
}

/// Median and quartiles (type 7, the library's [`summarize`]) of `values`, `None` when empty.
fn quartiles(values: &[f64]) -> Option<(f64, f64, f64)> {
    summarize(values).ok().map(|s| (s.median, s.q25, s.q75))
}

/// One summary row over a group of patients.
fn summary_row(label: &str, group: &[(&Patient, &PatientFit)]) {
    let k: Vec<f64> = group.iter().filter_map(|(_, f)| f.net_rate()).collect();
    let growing = k.iter().filter(|&&x| x > 0.0).count();
    let n_k = k.len();
    let eligible = group.iter().filter(|(_, f)| f.two.is_some()).count();
    let selected = group.iter().filter(|(_, f)| f.two_selected()).count();
    let rates: Vec<Rates> = group.iter().filter_map(|(_, f)| f.rates()).collect();
    let d: Vec<f64> = rates.iter().filter_map(|r| r.d).collect();
    let g: Vec<f64> = rates.iter().filter_map(|r| r.g).collect();
    let (n_d, n_g) = (d.len(), g.len());
    let k_cell = quartiles(&k).map_or("-".to_string(), |(m, lo, hi)| {
        format!("{:+.4} [{:+.4}, {:+.4}]", m, lo, hi)
    });
    let median = |v: &[f64], n: usize| {
        quartiles(v).map_or("-".to_string(), |(m, _, _)| format!("{m:.4} ({n})"))
    };
    println!(
        "  {:<12} {:>5}  {:>28}  {:>5.0}%  {:>9}  {:>14}  {:>14}  {:>4}",
        label,
        group.len(),
        k_cell,
        100.0 * growing as f64 / n_k.max(1) as f64,
        format!("{selected}/{eligible}"),
        median(&d, n_d),
        median(&g, n_g),
        group.len() - n_k
    );
}

fn print_header(first: &str) {
    println!(
        "  {:<12} {:>5}  {:>28}  {:>6}  {:>9}  {:>14}  {:>14}  {:>4}",
        first,
        "pts",
        "median k [IQR] (1/day)",
        "k > 0",
        "2 clones",
        "median d (n)",
        "median g (n)",
        "fail"
    );
}

#[derive(Parser)]
#[command(about = "Per-patient regression-growth fits of clinical lesion diameters")]
struct Args {
    /// CSV with columns patient, study, arm, day, longest_diameter_mm, trend (default:
    /// examples/data/clinical_lesion_diameter_laleh2022.csv).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Fit only this study.
    #[arg(long)]
    study: Option<u32>,
    /// Number of starts per fit.
    #[arg(long, default_value_t = 4)]
    starts: usize,
    /// Seed of the random starts.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Directory for clinical_fits.csv and clinical_fits.svg (nothing is written without it).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() {
    if let Err(e) = run(&Args::parse()) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    let clock = Instant::now();
    let path = args.data.clone().unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/data/clinical_lesion_diameter_laleh2022.csv")
    });
    let mut patients = read_patients(&path)?;
    if let Some(study) = args.study {
        patients.retain(|p| p.study == study);
    }
    if patients.is_empty() {
        return Err(format!("{}: no patients to fit", path.display()).into());
    }
    let scans: usize = patients.iter().map(|p| p.scans.len()).sum();
    let options = FitOptions {
        starts: args.starts,
        seed: args.seed,
        ..FitOptions::default()
    };
    println!(
        "{}: {} patients, {scans} scans; one-clone fits for all, two-clone fits for the {} with ≥ {TWO_CLONE_MIN_SCANS} scans; additive error (mm), {} starts",
        path.display(),
        patients.len(),
        patients.iter().filter(|p| p.scans.len() >= TWO_CLONE_MIN_SCANS).count(),
        args.starts
    );
    let fits = fit_patients(&patients, &options);
    let pairs: Vec<(&Patient, &PatientFit)> = patients.iter().zip(&fits).collect();

    println!();
    println!("By study and arm (k: one-clone net volume rate; d, g: regression and growth rates of the selected model; 2 clones: selected/eligible by AICc; fail: one-clone fit failed or did not converge):");
    print_header("study/arm");
    for ((study, arm), group) in groups(&pairs, |(p, _)| (p.study, p.arm)) {
        let group: Vec<_> = group.into_iter().copied().collect();
        summary_row(&format!("S{study} A{arm}"), &group);
    }
    print_header("all");
    summary_row("all", &pairs);

    println!();
    println!("By the source's trend label:");
    print_header("trend");
    for trend in Trend::ALL {
        let group: Vec<_> = pairs
            .iter()
            .copied()
            .filter(|(p, _)| p.trend == trend)
            .collect();
        summary_row(trend.label(), &group);
    }
    println!();
    println!("(rates are of the volume, 1/day; the diameter's are a third; d = 0.0231/day halves the volume in 30 days)");

    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let csv_path = dir.join("clinical_fits.csv");
        write_csv(&csv_path, &pairs).map_err(|e| format!("{}: {e}", csv_path.display()))?;
        let svg_path = dir.join("clinical_fits.svg");
        plot(&svg_path, &pairs).map_err(|e| format!("{}: {e}", svg_path.display()))?;
        println!("wrote {} and {}", csv_path.display(), svg_path.display());
    }
    println!("elapsed {:.1} s", clock.elapsed().as_secs_f64());
    Ok(())
}

/// One row per patient: ids, the one-clone fit, the two-clone fit and the selection.
fn write_csv(path: &Path, pairs: &[(&Patient, &PatientFit)]) -> Result<(), Box<dyn Error>> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "patient",
        "study",
        "arm",
        "trend",
        "scans",
        "one_converged",
        "v0_mm3",
        "k_per_day",
        "one_aicc",
        "two_converged",
        "s0_mm3",
        "d_per_day",
        "r0_mm3",
        "g_per_day",
        "two_aicc",
        "selected",
        "error",
    ])?;
    let cell = |r: Option<&FitReport>, name: &str, sign: f64| {
        r.and_then(|r| r.estimate(name))
            .map_or(String::new(), |e| (sign * e.estimate).to_string())
    };
    for (p, f) in pairs {
        let one = f.one.as_ref().ok();
        let two = f.two.as_ref().and_then(|r| r.as_ref().ok());
        let errors: Vec<String> = [Some(&f.one), f.two.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_ref().err().map(ToString::to_string))
            .collect();
        let aicc = |r: Option<&FitReport>| {
            r.and_then(|r| r.aicc)
                .map_or(String::new(), |a| a.to_string())
        };
        let conv = |r: Option<&FitReport>| r.is_some_and(FitReport::is_converged);
        w.write_record([
            p.id.clone(),
            p.study.to_string(),
            p.arm.to_string(),
            p.trend.label().to_string(),
            p.scans.len().to_string(),
            conv(one).to_string(),
            cell(one, "v0", 1.0),
            cell(one, "k", 1.0),
            aicc(one),
            if f.two.is_some() {
                conv(two).to_string()
            } else {
                String::new()
            },
            cell(two, "s0", 1.0),
            cell(two, "minus_d", -1.0),
            cell(two, "r0", 1.0),
            cell(two, "g", 1.0),
            aicc(two),
            (if f.two_selected() { "two" } else { "one" }).to_string(),
            errors.join("; "),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Patients drawn per trend label.
const PER_TREND: usize = 4;

/// The diameter curve of a fitted model on a grid from day 0 to `end`
/// ([`FitProblem::curve`]; empty if it cannot be simulated).
fn curve(patient: &Patient, clones: Clones, report: &FitReport, end: f64) -> Vec<(f64, f64)> {
    let values: Vec<f64> = report.estimates.iter().map(|e| e.estimate).collect();
    let times: Vec<f64> = (0..=100).map(|i| end * f64::from(i) / 100.0).collect();
    problem(patient, clones)
        .ok()
        .and_then(|problem| problem.curve(&patient.id, &values, &times).ok())
        .map_or(Vec::new(), |d| times.into_iter().zip(d).collect())
}

/// Scans (points) and both fitted curves (one clone dashed, two clones solid) of the first
/// [`PER_TREND`] patients of each trend label with a two-clone fit.
fn plot(path: &Path, pairs: &[(&Patient, &PatientFit)]) -> Result<(), Box<dyn Error>> {
    let blue = RGBColor(0, 114, 178);
    let orange = RGBColor(213, 94, 0);
    let root = SVGBackend::new(path, (1200, 3 * 250 + 40)).into_drawing_area();
    root.fill(&WHITE)?;
    let (top, body) = root.split_vertically(40);
    top.titled(
        "Lesion diameter (mm) vs day: scans (points), one clone (dashed), two clones (solid)",
        ("sans-serif", 18),
    )?;
    let panels = body.split_evenly((3, PER_TREND));
    for (row, trend) in Trend::ALL.into_iter().enumerate() {
        let shown = pairs
            .iter()
            .filter(|(p, f)| p.trend == trend && f.two.is_some())
            .take(PER_TREND);
        for (col, (p, f)) in shown.enumerate() {
            let obs = p.observations();
            let end = obs.iter().map(|o| o.0).fold(1.0, f64::max);
            let one = f
                .one
                .as_ref()
                .map_or(Vec::new(), |r| curve(p, Clones::One, r, end));
            let two = f.two.as_ref().and_then(|r| r.as_ref().ok());
            let two = two.map_or(Vec::new(), |r| curve(p, Clones::Two, r, end));
            let top_mm = obs
                .iter()
                .map(|o| o.1)
                .chain(one.iter().chain(&two).map(|c| c.1))
                .fold(1.0, f64::max);
            let mut chart = ChartBuilder::on(&panels[row * PER_TREND + col])
                .caption(
                    format!(
                        "{} S{}A{} ({}{})",
                        &p.id[..8],
                        p.study,
                        p.arm,
                        trend.label(),
                        if f.two_selected() { ", 2 clones" } else { "" }
                    ),
                    ("sans-serif", 13),
                )
                .margin(6)
                .x_label_area_size(26)
                .y_label_area_size(40)
                .build_cartesian_2d(0.0..end * 1.03, 0.0..top_mm * 1.08)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .label_style(("sans-serif", 10))
                .draw()?;
            chart.draw_series(std::iter::once(DashedPathElement::new(
                one,
                5,
                3,
                blue.stroke_width(2),
            )))?;
            chart.draw_series(LineSeries::new(two, orange.stroke_width(2)))?;
            chart.draw_series(
                obs.iter()
                    .map(|&(t, d)| Circle::new((t, d), 3, BLACK.filled())),
            )?;
        }
    }
    root.present()?;
    Ok(())
}
