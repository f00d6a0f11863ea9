//! Fits any model file to any NONMEM-style data set from the command line.
//!
//! ```text
//! cargo run --release --example fit -- --model MODEL.toml --data DATA.csv --free CL,V1,KA \
//!     [--error proportional] [--per-subject] [--output COLUMN] [--out DIR]
//! ```
//!
//! - `--model`: a TOML model file ([`ModelFile`]); its `[regimen]` and `[simulation]` are not
//!   used and may be absent (the doses are the data's records).
//! - `--data`: a NONMEM-style event table ([`EventTable::read`]: ID, TIME in days, AMT, EVID,
//!   CMT, DV, …). Observations are the EVID 0 records with a DV.
//! - `--free`: the estimated parameters, comma-separated: a full parameter path
//!   (`drugs[pembrolizumab].cl`, `tumors[tumor].growth.rate`) or a short name matched
//!   (without case) against the last field of every numeric field of the model (`cl`, `v1`,
//!   `ka`, `rate`); `v` also matches `v1`. A short name matching several
//!   fields or none prints the candidates and exits with status 1. The initial values are the
//!   model file's; positive values are searched on the log scale, others as they are.
//! - `--error`: additive, proportional (default), combined or lognormal.
//! - `--output`: what is observed: a trajectory column (a state, `<drug>_conc`,
//!   `<tumor>_burden`) or `tumor_volume_mm3` / `tumor_diameter_mm`, the summed volume or sphere
//!   diameter of all tumors (default: the first drug's `<drug>_conc`).
//! - `--per-subject`: fit each subject alone and summarize (two-stage) instead of pooling.
//! - `--out DIR`: write `report.toml` (the fit report), `fit.svg` (observations and
//!   predictions, one panel per subject, up to 12) and `gof.svg` (observed vs predicted with
//!   the identity line).

use clap::Parser;
use oncodyn::compare::ParamPath;
use oncodyn::fit::{ErrorModel, FitOptions, FitProblem, FitReport, FreeParameter, ObservationFit};
use oncodyn::io::nonmem::{EventSettings, EventTable, Evid};
use oncodyn::io::ModelFile;
use oncodyn::model::{Model, PathError};
use oncodyn::solver::Stiffness;
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Fit a model file to a NONMEM-style data set; print the estimates, optionally write the
/// report and plots.
#[derive(Parser)]
pub struct Args {
    /// The TOML model file.
    #[arg(long)]
    model: PathBuf,
    /// The NONMEM-style data set (CSV).
    #[arg(long)]
    data: PathBuf,
    /// Estimated parameters, comma-separated: full paths or short field names.
    #[arg(long, value_delimiter = ',', required = true)]
    free: Vec<String>,
    /// Residual error model: additive, proportional, combined or lognormal.
    #[arg(long, default_value = "proportional")]
    error: String,
    /// Fit each subject alone and summarize (two-stage) instead of one pooled fit.
    #[arg(long)]
    per_subject: bool,
    /// The observed trajectory column, or `tumor_volume_mm3` / `tumor_diameter_mm` [default:
    /// the first drug's `<drug>_conc`].
    #[arg(long)]
    output: Option<String>,
    /// Directory for report.toml, fit.svg and gof.svg (created if missing).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Multi-start count [default: the library's].
    #[arg(long, allow_negative_numbers = true)]
    starts: Option<usize>,
    /// Seed of the random starts [default: the library's].
    #[arg(long, allow_negative_numbers = true)]
    seed: Option<u64>,
    /// Relative tolerance of the ODE solver [default: the fit's, 1e-10].
    #[arg(long, allow_negative_numbers = true)]
    rtol: Option<f64>,
    /// Carry on when the explicit solver detects stiffness instead of failing that evaluation
    /// (some random starts of fast-absorption models are stiff).
    #[arg(long)]
    ignore_stiffness: bool,
}

/// Most subjects drawn in the observations-vs-predictions plot.
const MAX_PANELS: usize = 12;

/// Points of each subject's dense prediction curve.
const CURVE_POINTS: usize = 200;

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            // --help and --version print and succeed; a usage error exits with status 2 (input
            // and run errors with 1), as in every example.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `result`, with `path` named in its error.
fn at_path<T, E: std::fmt::Display>(
    path: &Path,
    result: Result<T, E>,
) -> Result<T, Box<dyn Error>> {
    result.map_err(|e| format!("{}: {e}", path.display()).into())
}

pub fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    // The model reader's errors name the file already; the table reader's only when the
    // file cannot be opened.
    let file = ModelFile::read(&args.model)?;
    let model = at_path(&args.model, file.build())?;
    let table = match EventTable::read(&args.data) {
        Err(e @ oncodyn::Error::Data(_)) => return at_path(&args.data, Err(e)),
        table => table?,
    };

    let output = match &args.output {
        Some(o) => o.clone(),
        None => match file.model.drugs.first() {
            Some(d) => format!("{}_conc", d.name),
            None => {
                return Err("the model has no drug: name the observed column with --output".into())
            }
        },
    };
    let mut resolved: Vec<(String, String)> = Vec::new();
    for name in &args.free {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        resolved.push((name.to_string(), resolve(name, &model)?));
    }
    let mut parameters = Vec::new();
    for (given, path) in &resolved {
        // A full path is reported under its last field when no other free parameter has it.
        let short = given.rsplit(['.', ']']).next().unwrap_or(given);
        let clash = resolved
            .iter()
            .filter(|(g, _)| g.rsplit(['.', ']']).next().unwrap_or(g) == short)
            .count()
            > 1;
        let name = if short.is_empty() || clash {
            given
        } else {
            short
        };
        let parsed = ParamPath::parse(path).map_err(|e| format!("--free {name}: {e}"))?;
        let initial = parsed
            .get(model.spec())
            .map_err(|e| format!("--free {name}: {e}"))?;
        let p = if initial > 0.0 {
            FreeParameter::positive(name, path, initial)
        } else {
            FreeParameter::unbounded(name, path, initial)
        };
        parameters.push(p.map_err(|e| format!("--free {name}: {e}"))?);
    }
    let error = error_model(&args.error, &table)?;
    let settings = EventSettings::new(output.clone());
    let mut problem = FitProblem::from_event_table(&model, &table, &settings, parameters, error)
        .map_err(|e| format!("{}: {e}", args.data.display()))?;
    if args.rtol.is_some() || args.ignore_stiffness {
        let mut solver = problem.solver().clone();
        if let Some(rtol) = args.rtol {
            solver.rtol = rtol;
        }
        if args.ignore_stiffness {
            solver.stiffness = Stiffness::Ignore;
        }
        // FitError::InvalidSolver already says "solver options".
        problem = problem.with_solver(solver)?;
    }
    // The dense curves are solved as the fit's predictions are.
    let settings = settings.with_solver(problem.solver().clone());

    let mut options = FitOptions::default();
    if let Some(s) = args.starts {
        options.starts = s;
    }
    if let Some(s) = args.seed {
        options.seed = s;
    }
    println!("model      {}", args.model.display());
    println!("data       {}", args.data.display());
    println!(
        "problem    {} subjects, {} observations of {output}, {} error, {} free parameters",
        problem.subject_ids().count(),
        problem.n_observations(),
        error.as_str(),
        problem.parameters().len()
    );
    for p in problem.parameters() {
        println!(
            "           {:<8} {:<40} initial {:<12} ({})",
            p.name,
            p.path.to_string(),
            p.initial,
            p.transform.as_str()
        );
    }
    println!();

    let started = Instant::now();
    let (reports, individual) = if args.per_subject {
        let fits = problem.fit_individual(&options)?;
        println!("{fits}");
        (fits.fits.clone(), Some(fits))
    } else {
        let report = problem.fit(&options)?;
        println!("{report}");
        (vec![report], None)
    };
    println!("\nfit time   {:.2} s", started.elapsed().as_secs_f64());

    if let Some(out) = &args.out {
        at_path(out, fs::create_dir_all(out))?;
        let report_path = out.join("report.toml");
        let text = match &individual {
            Some(fits) => toml::to_string(fits),
            None => toml::to_string(&reports[0]),
        };
        let text = at_path(&report_path, text)?;
        at_path(&report_path, fs::write(&report_path, text))?;
        println!("written    {}", report_path.display());
        let curves = curves(&problem, &table, &settings, &reports, args.per_subject);
        let observations: Vec<&ObservationFit> =
            reports.iter().flat_map(|r| r.observations.iter()).collect();
        let fit_path = out.join("fit.svg");
        at_path(
            &fit_path,
            plot_subjects(&fit_path, &observations, &curves, &output),
        )?;
        println!("written    {}", fit_path.display());
        let gof_path = out.join("gof.svg");
        at_path(&gof_path, plot_gof(&gof_path, &observations, &output))?;
        println!("written    {}", gof_path.display());
    }
    Ok(())
}

/// The error model named on the command line; the combined model starts from an additive SD
/// of 10% of the median observation and a 10% proportional SD.
fn error_model(name: &str, table: &EventTable) -> Result<ErrorModel, Box<dyn Error>> {
    Ok(
        match name.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "additive" => ErrorModel::Additive,
            "proportional" => ErrorModel::Proportional,
            "lognormal" => ErrorModel::LogNormal,
            "combined" => {
                let mut dv: Vec<f64> = table
                    .records
                    .iter()
                    .filter(|r| r.evid == Evid::Observation && !r.mdv)
                    .filter_map(|r| r.dv)
                    .filter(|v| v.is_finite())
                    .map(f64::abs)
                    .collect();
                dv.sort_by(f64::total_cmp);
                let median = dv.get(dv.len() / 2).copied().unwrap_or(1.0);
                let additive = if median > 0.0 { 0.1 * median } else { 0.1 };
                ErrorModel::Combined {
                    additive,
                    proportional: 0.1,
                }
            }
            other => {
                return Err(format!(
                    "--error {other}: expected additive, proportional, combined or lognormal"
                )
                .into())
            }
        },
    )
}

/// The path of `name`: a full path, or the one parameter path whose last field is `name`
/// (without case; `v` also names `v1`), as [`ModelSpec::find_parameter`] resolves it.
fn resolve(name: &str, model: &Model) -> Result<String, Box<dyn Error>> {
    match model.spec().find_parameter(name) {
        Ok(path) => Ok(path.to_string()),
        Err(PathError::UnknownParameter { available, .. }) => Err(format!(
            "--free {name}: no numeric field of the model is called `{name}`; the model's \
             parameters are:\n  {}",
            available.join("\n  ")
        )
        .into()),
        Err(PathError::AmbiguousParameter { candidates, .. }) => Err(format!(
            "--free {name} is ambiguous; give one of these full paths:\n  {}",
            candidates.join("\n  ")
        )
        .into()),
        Err(e) => Err(format!("--free {name}: {e}").into()),
    }
}

/// Dense predicted curves per subject at the estimates
/// ([`SubjectRecords::predicted_curve`](oncodyn::io::nonmem::SubjectRecords::predicted_curve)
/// with the fitted model). A subject without a curve (its records reset, or it cannot be
/// simulated) has its predictions at the observations drawn instead.
fn curves(
    problem: &FitProblem,
    table: &EventTable,
    settings: &EventSettings,
    reports: &[FitReport],
    per_subject: bool,
) -> BTreeMap<String, Vec<(f64, f64)>> {
    let mut out = BTreeMap::new();
    for subject in table.subjects().into_iter().take(MAX_PANELS) {
        let report = if per_subject {
            reports
                .iter()
                .find(|r| r.subjects.iter().any(|s| s == subject.id))
        } else {
            reports.first()
        };
        let Some(report) = report else { continue };
        let values: Vec<f64> = report.estimates.iter().map(|e| e.estimate).collect();
        let Ok(model) = problem.model_with(&values) else {
            continue;
        };
        if let Ok(points) = subject.predicted_curve(&model, settings, CURVE_POINTS) {
            out.insert(subject.id.to_string(), points);
        }
    }
    out
}

/// Observations (points) and predictions (line) per subject, up to [`MAX_PANELS`] panels.
fn plot_subjects(
    path: &Path,
    observations: &[&ObservationFit],
    curves: &BTreeMap<String, Vec<(f64, f64)>>,
    output: &str,
) -> Result<(), Box<dyn Error>> {
    let mut ids: Vec<&str> = Vec::new();
    for o in observations {
        if !ids.contains(&o.subject.as_str()) {
            ids.push(&o.subject);
        }
    }
    let shown = ids.len().min(MAX_PANELS);
    if shown == 0 {
        return Err("no observations to draw".into());
    }
    let cols = shown.min(4);
    let rows = shown.div_ceil(cols);
    let root =
        SVGBackend::new(path, (300 * cols as u32, 250 * rows as u32 + 40)).into_drawing_area();
    root.fill(&WHITE)?;
    let (top, body) = root.split_vertically(40);
    let title = if ids.len() > shown {
        format!(
            "{output}: observed (points) and predicted (line), first {shown} of {} subjects",
            ids.len()
        )
    } else {
        format!("{output}: observed (points) and predicted (line)")
    };
    top.titled(&title, ("sans-serif", 18))?;
    let panels = body.split_evenly((rows, cols));
    for (id, panel) in ids.iter().take(shown).zip(panels.iter()) {
        let obs: Vec<&&ObservationFit> = observations.iter().filter(|o| o.subject == *id).collect();
        let mut pred: Vec<(f64, f64)> = match curves.get(*id) {
            Some(c) if !c.is_empty() => c.clone(),
            _ => obs.iter().map(|o| (o.time, o.predicted)).collect(),
        };
        pred.sort_by(|a, b| a.0.total_cmp(&b.0));
        let xs = obs.iter().map(|o| o.time).chain(pred.iter().map(|p| p.0));
        let ys = obs
            .iter()
            .map(|o| o.observed)
            .chain(pred.iter().map(|p| p.1));
        let (x0, x1) = range(xs);
        let (y0, y1) = range(ys);
        let mut chart = ChartBuilder::on(panel)
            .caption(format!("subject {id}"), ("sans-serif", 14))
            .margin(6)
            .x_label_area_size(28)
            .y_label_area_size(48)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .x_desc("time (days)")
            .label_style(("sans-serif", 10))
            .disable_mesh()
            .draw()?;
        chart.draw_series(LineSeries::new(pred, RGBColor(0, 114, 178).stroke_width(2)))?;
        chart.draw_series(
            obs.iter()
                .map(|o| Circle::new((o.time, o.observed), 3, RGBColor(213, 94, 0).filled())),
        )?;
    }
    root.present()?;
    Ok(())
}

/// Observed vs predicted for every observation, with the identity line.
fn plot_gof(
    path: &Path,
    observations: &[&ObservationFit],
    output: &str,
) -> Result<(), Box<dyn Error>> {
    if observations.is_empty() {
        return Err("no observations to draw".into());
    }
    let (lo, hi) = range(observations.iter().flat_map(|o| [o.observed, o.predicted]));
    let root = SVGBackend::new(path, (560, 540)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{output}: observed vs predicted"),
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(lo..hi, lo..hi)?;
    chart
        .configure_mesh()
        .x_desc("predicted")
        .y_desc("observed")
        .draw()?;
    chart.draw_series(LineSeries::new([(lo, lo), (hi, hi)], BLACK.stroke_width(1)))?;
    chart.draw_series(
        observations
            .iter()
            .map(|o| Circle::new((o.predicted, o.observed), 3, RGBColor(0, 114, 178).filled())),
    )?;
    root.present()?;
    Ok(())
}

/// The finite range of `values`, padded by 5% (and never empty).
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo {
        0.05 * (hi - lo)
    } else {
        lo.abs().max(1.0) * 0.05
    };
    (lo - pad, hi + pad)
}
