//! Speed of fitting: the per-mouse Gompertz fit of the Lewis lung carcinoma data, and one
//! model prediction of the same data in the same run and group (STYLE.md §6), so the share of
//! a fit's time spent predicting (simulating the ODE) is a ratio of two measurements.
//!
//! Group `fit`, data `tests/data/tumor_volume_lung_llc.csv` (20 mice, 188 volumes; Benzekry
//! et al. 2014), set up as `examples/fit_tumor_growth.rs`: Gompertz growth `dV/dt = r·V·ln(K/V)`
//! in mm³ from V(0) = 1 mm³ fixed at day 0, `r` and `K` free on the logit scale (r in
//! 1e-4–10 /day, K in 1–1e8 mm³), log-normal error, 8 starts, seed 1, the default fit solver
//! (Dop853, rtol 1e-10):
//!
//! - `llc_gompertz_20_mice`: `FitProblem::fit_individual`, every mouse fitted alone;
//! - `llc_gompertz_predict`: `FitProblem::predict` of each of the 20 mice once, each alone
//!   (`for_subject`) at its own fitted estimates (a prediction rebuilds the model with the
//!   values, simulates the mouse and reads its volumes at the observation times: what one
//!   residual evaluation of a per-mouse fit costs, near where most evaluations happen).
//!
//! Both run inside a one-thread rayon pool, so a fit's time is the sum of its work, not spread
//! over cores, and the share below is meaningful. The setup prints the residual evaluations of
//! one 20-mouse fit (all starts, Jacobians included; each evaluation of a mouse's problem is
//! one simulation of that mouse), from the `FitReport`s. Then
//!
//! ```text
//! fits per second  = 1 / time(llc_gompertz_20_mice)
//! share in the ODE = (evaluations / 20) × time(llc_gompertz_predict) / time(llc_gompertz_20_mice)
//! ```
//!
//! (`predict` covers 20 mice, so one mouse's prediction is a twentieth of it on average.)
//! CI-sized: `sample_size(10)`.

use criterion::Criterion;
use oncodyn::fit::{ErrorModel, FitOptions, FitProblem, FreeParameter, SubjectData};
use oncodyn::io::{ObservationColumns, ObservationSeries};
use oncodyn::model::{BurdenUnit, Gompertz, TumorSpec};
use oncodyn::prelude::*;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

/// Mice in the lung data set.
const MICE: usize = 20;
/// Name of the tumor, and the observed output.
const TUMOR: &str = "tumor";

/// Everything the benches run on, built and checked once.
struct Setup {
    problem: FitProblem,
    options: FitOptions,
    /// Each mouse's problem alone, with its fitted (rate, capacity), where `predict` is timed.
    per_mouse: Vec<(FitProblem, Vec<f64>)>,
    pool: rayon::ThreadPool,
}

fn setup() -> Result<Setup, String> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/tumor_volume_lung_llc.csv");
    let columns = ObservationColumns::new("mouse", "day", "volume_mm3");
    let mice: Vec<SubjectData> = ObservationSeries::read(&path, &columns)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .into_iter()
        .map(ObservationSeries::untreated)
        .collect();
    if mice.len() != MICE {
        return Err(format!(
            "{}: {} mice, expected {MICE}",
            path.display(),
            mice.len()
        ));
    }
    let mut b = ModelBuilder::new();
    let law = Gompertz {
        rate: 0.1,
        capacity: 1e4,
    };
    b.tumor(TumorSpec::new(TUMOR, 1.0, law).in_unit(BurdenUnit::CubicMillimeters))
        .map_err(|e| format!("tumor: {e}"))?;
    let model = b.build().map_err(|e| format!("build: {e}"))?;
    let free = vec![
        FreeParameter::bounded("rate", "tumors[tumor].growth.rate", 0.1, 1e-4, 10.0)
            .map_err(|e| format!("rate: {e}"))?
            .with_start_range(0.01, 1.0),
        FreeParameter::bounded("capacity", "tumors[tumor].growth.capacity", 1e4, 1.0, 1e8)
            .map_err(|e| format!("capacity: {e}"))?
            .with_start_range(1e2, 1e6),
    ];
    let problem = FitProblem::new(&model, TUMOR, mice, free, ErrorModel::LogNormal)
        .map_err(|e| format!("problem: {e}"))?;
    let options = FitOptions {
        starts: 8,
        seed: 1,
        ..FitOptions::default()
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| format!("thread pool: {e}"))?;
    let fits = pool
        .install(|| problem.fit_individual(&options))
        .map_err(|e| format!("fit: {e}"))?;
    if fits.fits.len() != MICE || !fits.not_converged.is_empty() {
        return Err(format!(
            "{} of {MICE} mice fitted, not converged: {:?}, failed: {:?}",
            fits.fits.len(),
            fits.not_converged,
            fits.failures.iter().map(|f| &f.subject).collect::<Vec<_>>()
        ));
    }
    let evaluations: usize = fits.fits.iter().map(|r| r.total_evaluations).sum();
    let best: usize = fits.fits.iter().map(|r| r.evaluations).sum();
    let mut per_mouse = Vec::with_capacity(MICE);
    for r in &fits.fits {
        let id = r.subjects.first().ok_or("a report without a subject")?;
        let alone = problem
            .for_subject(id)
            .map_err(|e| format!("mouse {id}: {e}"))?;
        let values: Vec<f64> = r.estimates.iter().map(|e| e.estimate).collect();
        let predictions = alone
            .predict(&values)
            .map_err(|e| format!("mouse {id}: predict: {e}"))?;
        if predictions.len() != alone.n_observations() {
            return Err(format!(
                "mouse {id}: {} predictions for {} observations",
                predictions.len(),
                alone.n_observations()
            ));
        }
        per_mouse.push((alone, values));
    }
    eprintln!(
        "fit/llc_gompertz_20_mice: {evaluations} residual evaluations per fit (all {} starts of \
         {MICE} mice, each a simulation of one mouse; {best} in the best starts)",
        options.starts
    );
    eprintln!(
        "share in the ODE = ({evaluations} / {MICE}) × time(llc_gompertz_predict) / \
         time(llc_gompertz_20_mice)"
    );
    Ok(Setup {
        problem,
        options,
        per_mouse,
        pool,
    })
}

fn bench_fit(c: &mut Criterion, s: &Setup) {
    let mut g = c.benchmark_group("fit");
    // A 20-mouse fit takes about 0.8 s on one thread: 10 samples need about 8 s.
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("llc_gompertz_20_mice", |b| {
        b.iter(|| {
            s.pool
                .install(|| black_box(&s.problem).fit_individual(&s.options))
        })
    });
    g.bench_function("llc_gompertz_predict", |b| {
        b.iter(|| {
            s.pool.install(|| {
                s.per_mouse
                    .iter()
                    .map(|(problem, values)| black_box(problem).predict(values))
                    .collect::<Vec<_>>()
            })
        })
    });
    g.finish();
}

fn main() {
    let setup = match setup() {
        Ok(setup) => setup,
        Err(message) => {
            eprintln!("fit setup failed: {message}");
            std::process::exit(1);
        }
    };
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench_fit(&mut c, &setup);
    c.final_summary();
}
