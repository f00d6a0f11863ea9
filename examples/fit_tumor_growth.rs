//! Per-mouse fits of five classical tumor growth laws to caliper volumes of untreated mice,
//! and which law the AIC prefers.
//!
//! ```text
//! cargo run --release --example fit_tumor_growth                        # both data sets below
//! cargo run --release --example fit_tumor_growth -- --data my.csv --out results/
//! ```
//!
//! Data (examples/data/SOURCE.md): Lewis lung carcinoma, 20 mice (Benzekry et al. 2014), and
//! MDA-MB-231 breast xenografts, 66 mice (Vaghi et al. 2020); columns `mouse`, `day`,
//! `volume_mm3`. `--data PATH` (repeatable) fits other files with the same columns instead.
//!
//! Each mouse is fitted alone by every law, with the tumor in mm³ starting from V(0) = 1 mm³ at
//! day 0 (10^6 injected cells ≈ 1 mm³; fixed, as in both papers), log-normal error (additive on
//! the log scale, its σ profiled out) and `--starts` multi-starts (default 8) drawn within each
//! parameter's start range; parameters are searched on the logit scale between wide bounds,
//! so a fit that runs to a bound is reported, not lost. Volumes ≤ 0 (two in the breast set)
//! cannot enter a log-scale fit and are dropped, with a note.
//!
//! Output: per data set, per law, the number of mice it wins (lowest AIC among the laws whose
//! fit of that mouse converged), the median AIC over its converged fits, the number of mice
//! whose fit failed or did not converge, and the parameters that ended at a search bound (with
//! V(0) = 1 mm³ fixed, von Bertalanffy's loss rate b tends to run to 0: the data want faster
//! growth than `a·V^(2/3)` allows, i.e. a power law with γ above 2/3). With `--out DIR` also `DIR/growth_estimates.csv`: one
//! row per data set, law, mouse and parameter.

use clap::Parser;
use oncodyn::fit::{
    AicTable, ErrorModel, FitOptions, FitProblem, FreeParameter, IndividualFits, SubjectData,
};
use oncodyn::io::{ObservationColumns, ObservationSeries};
use oncodyn::model::{
    BurdenUnit, Exponential, Gompertz, GrowthLaw, Logistic, PowerLaw, TumorSpec, VonBertalanffy,
};
use oncodyn::prelude::*;
use std::path::{Path, PathBuf};

/// Name of the tumor in the model (and its observed output).
pub const TUMOR: &str = "tumor";
/// Initial volume, mm³, at day 0 (cell injection).
pub const V0_MM3: f64 = 1.0;

/// A growth law fitted here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Growth {
    /// `dV/dt = r·V`.
    Exponential,
    /// `dV/dt = r·V·(1 − V/K)`.
    Logistic,
    /// `dV/dt = r·V·ln(K/V)`.
    Gompertz,
    /// `dV/dt = a·V^(2/3) − b·V`.
    VonBertalanffy,
    /// `dV/dt = a·V^γ`.
    PowerLaw,
}

/// The laws, in table order.
pub const LAWS: [Growth; 5] = [
    Growth::Exponential,
    Growth::Logistic,
    Growth::Gompertz,
    Growth::VonBertalanffy,
    Growth::PowerLaw,
];

/// A free parameter: (name, field of the law, initial value, logit bounds, start range).
type Free = (&'static str, &'static str, f64, (f64, f64), (f64, f64));

impl Growth {
    /// The law's name in tables.
    pub fn name(self) -> &'static str {
        match self {
            Growth::Exponential => "exponential",
            Growth::Logistic => "logistic",
            Growth::Gompertz => "gompertz",
            Growth::VonBertalanffy => "von_bertalanffy",
            Growth::PowerLaw => "power_law",
        }
    }

    /// The free parameters, days and mm³. Bounds are far outside what mouse tumors do (rates
    /// up to 10/day, capacities up to 10^8 mm³); start ranges span the plausible values
    /// (Benzekry et al. 2014, Table 2: LLC Gompertz r ≈ 0.1/day, K ≈ 10^3–10^4 mm³, power law
    /// γ ≈ 0.7).
    fn free(self) -> &'static [Free] {
        match self {
            Growth::Exponential => &[("rate", "rate", 0.3, (1e-4, 10.0), (0.05, 1.0))],
            Growth::Logistic => &[
                ("rate", "rate", 0.5, (1e-4, 10.0), (0.1, 2.0)),
                ("capacity", "capacity", 3e3, (1.0, 1e8), (1e2, 1e5)),
            ],
            Growth::Gompertz => &[
                ("rate", "rate", 0.1, (1e-4, 10.0), (0.01, 1.0)),
                ("capacity", "capacity", 1e4, (1.0, 1e8), (1e2, 1e6)),
            ],
            Growth::VonBertalanffy => &[
                ("growth", "growth", 2.0, (1e-3, 1e3), (0.2, 20.0)),
                ("loss", "loss", 0.1, (1e-6, 10.0), (1e-3, 1.0)),
            ],
            Growth::PowerLaw => &[
                ("coefficient", "coefficient", 1.0, (1e-3, 1e3), (0.1, 10.0)),
                ("exponent", "exponent", 0.7, (0.01, 1.0), (0.3, 0.99)),
            ],
        }
    }

    /// The law at its initial values.
    fn initial(self) -> GrowthLaw {
        let v = |k: usize| self.free()[k].2;
        match self {
            Growth::Exponential => Exponential { rate: v(0) }.into(),
            Growth::Logistic => Logistic {
                rate: v(0),
                capacity: v(1),
            }
            .into(),
            Growth::Gompertz => Gompertz {
                rate: v(0),
                capacity: v(1),
            }
            .into(),
            Growth::VonBertalanffy => VonBertalanffy {
                growth: v(0),
                loss: v(1),
            }
            .into(),
            Growth::PowerLaw => PowerLaw {
                coefficient: v(0),
                exponent: v(1),
            }
            .into(),
        }
    }
}

/// The per-mouse problem of `law`: tumor in mm³ from V(0) = 1 mm³ at day 0 (fixed), the law's
/// parameters free, log-normal error.
pub fn growth_problem(law: Growth, mice: Vec<SubjectData>) -> Result<FitProblem, oncodyn::Error> {
    let mut b = ModelBuilder::new();
    b.tumor(TumorSpec::new(TUMOR, V0_MM3, law.initial()).in_unit(BurdenUnit::CubicMillimeters))?;
    let model = b.build()?;
    let free = law
        .free()
        .iter()
        .map(|&(name, field, initial, (lo, hi), (start_lo, start_hi))| {
            let path = format!("tumors[{TUMOR}].growth.{field}");
            Ok(FreeParameter::bounded(name, &path, initial, lo, hi)?
                .with_start_range(start_lo, start_hi))
        })
        .collect::<Result<Vec<_>, oncodyn::Error>>()?;
    Ok(FitProblem::new(
        &model,
        TUMOR,
        mice,
        free,
        ErrorModel::LogNormal,
    )?)
}

/// The mice of a `mouse,day,volume_mm3` file with their positive volumes, and the number of
/// volumes ≤ 0 dropped (a log-normal fit cannot use them).
pub fn read_volumes(path: &Path) -> Result<(Vec<SubjectData>, usize), oncodyn::Error> {
    let columns = ObservationColumns::new("mouse", "day", "volume_mm3");
    let mut dropped = 0;
    let mice = ObservationSeries::read(path, &columns)?
        .into_iter()
        .map(|mut mouse| {
            let before = mouse.observations.len();
            mouse.observations.retain(|&(_, v)| v > 0.0);
            dropped += before - mouse.observations.len();
            mouse.untreated()
        })
        .collect();
    Ok((mice, dropped))
}

/// Per-mouse fits of every law in `LAWS` order.
pub fn fit_all(
    mice: &[SubjectData],
    options: &FitOptions,
) -> Result<Vec<IndividualFits>, oncodyn::Error> {
    LAWS.iter()
        .map(|&law| Ok(growth_problem(law, mice.to_vec())?.fit_individual(options)?))
        .collect()
}

/// The AIC table of `mice` under every law, in `LAWS` order.
pub fn aic_table(mice: &[SubjectData], fits: &[IndividualFits]) -> AicTable {
    AicTable::new(mice.iter().map(|m| m.id.as_str()), fits)
}

/// The parameters that ended at a bound, with the number of mice: `loss 19, …` (`-`: none).
fn at_bound(fits: &IndividualFits) -> String {
    let parts: Vec<String> = fits
        .at_bound_counts()
        .iter()
        .map(|(p, n)| format!("{p} {n}"))
        .collect();
    if parts.is_empty() {
        "-".to_string()
    } else {
        parts.join(", ")
    }
}

#[derive(Parser)]
#[command(about = "Per-mouse growth-law fits and their AIC ranking")]
struct Args {
    /// CSV file(s) with columns mouse, day, volume_mm3 (default: the two sets in examples/data).
    #[arg(long)]
    data: Vec<PathBuf>,
    /// Number of starts per fit.
    #[arg(long, default_value_t = 8)]
    starts: usize,
    /// Seed of the random starts.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Directory for growth_estimates.csv (nothing is written without it).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() {
    if let Err(e) = run(&Args::parse()) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let data = if args.data.is_empty() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
        vec![
            dir.join("tumor_volume_lung_llc.csv"),
            dir.join("tumor_volume_breast_mdamb231.csv"),
        ]
    } else {
        args.data.clone()
    };
    let options = FitOptions {
        starts: args.starts,
        seed: args.seed,
        ..FitOptions::default()
    };
    let mut out = match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let path = dir.join("growth_estimates.csv");
            let mut w =
                csv::Writer::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            w.write_record([
                "data_set",
                "model",
                "mouse",
                "converged",
                "aic",
                "parameter",
                "estimate",
                "standard_error",
            ])?;
            Some(w)
        }
        None => None,
    };

    for path in &data {
        let (mice, dropped) = read_volumes(path)?;
        let name = path.file_stem().map_or_else(
            || path.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        let n_obs: usize = mice.iter().map(|m| m.observations.len()).sum();
        println!(
            "{name}: {} mice, {n_obs} volumes (V(0) = {V0_MM3} mm³ at day 0 fixed; log-normal error; {} starts)",
            mice.len(),
            args.starts
        );
        if dropped > 0 {
            println!("  {dropped} volume(s) ≤ 0 dropped (not usable on the log scale)");
        }
        let fits = fit_all(&mice, &options)?;
        let aic = aic_table(&mice, &fits);
        let wins = aic.wins();
        println!(
            "  {:<16} {:>5} {:>11} {:>22}  at a bound (mice)",
            "model", "wins", "median AIC", "failed/not converged"
        );
        for (k, (law, f)) in LAWS.iter().zip(&fits).enumerate() {
            println!(
                "  {:<16} {:>5} {:>11.2} {:>22}  {}",
                law.name(),
                wins[k],
                aic.median(k).unwrap_or(f64::NAN),
                aic.not_converged(k),
                at_bound(f)
            );
            if let Some(w) = out.as_mut() {
                for r in &f.fits {
                    let mouse = r.subjects.first().map_or("", String::as_str);
                    for e in &r.estimates {
                        w.write_record([
                            name.as_str(),
                            law.name(),
                            mouse,
                            &r.termination.is_converged().to_string(),
                            &r.aic.to_string(),
                            &e.name,
                            &e.estimate.to_string(),
                            &e.standard_error.map_or_else(String::new, |s| s.to_string()),
                        ])?;
                    }
                }
            }
        }
        println!(
            "  (wins: lowest AIC among the laws whose fit of the mouse converged; at a bound:"
        );
        println!("   mice whose estimate of that parameter ended at a search bound)");
        println!();
    }
    if let Some(mut w) = out {
        w.flush()?;
    }
    Ok(())
}
