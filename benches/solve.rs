//! Speed of `simulate` against a hand-written baseline, in the same run and group (STYLE.md §6).
//!
//! Group `pk_tgi_simeoni` (PROBLEMS.md problem 2: daily outputs 0..40 d, 20 mg boluses at 9, 11,
//! 13 d), Dopri5 at rtol 1e-8 and atol 1e-10 for every state (g and mg), with restarts at every
//! output time and dose on both sides:
//!
//! - `hand_written`: the same equations as an allocation-free right-hand side, driven by
//!   ode_solvers' `Dopri5` directly with a heap `DVector` state (as oncodyn);
//! - `hand_written_static`: the same with a stack `SVector<f64, 5>` state (ode_solvers clones
//!   the state every stage; only this variant clones without allocating), the floor;
//! - `builder`: `oncodyn::model::catalog::simeoni_2004` run by `oncodyn::solver::simulate`.
//!
//! The setup checks once that all three give the day-40 tumor weight of the reference to 1e-6
//! relative, and prints their rhs evaluation counts. CI-sized: `sample_size(10)`, short times.

mod baseline;

use criterion::Criterion;
use oncodyn::dosing::{Dose, Regimen};
use oncodyn::model::catalog::{simeoni_2004, SimeoniModel, SimeoniParams};
use oncodyn::solver::{simulate, AbsoluteTolerance, SolverOptions};
use std::hint::black_box;
use std::time::Duration;

/// Day-40 tumor weight of problem 2, g (reference/pk_tgi_simeoni.csv: 24.023936939827539).
const REFERENCE_W40: f64 = 24.023_936_939_827_54;
/// Agreement required of every variant with the reference and with each other.
const REL_TOL: f64 = 1e-6;
const RTOL: f64 = 1e-8;
const ATOL: f64 = 1e-10;

/// Everything the benches run on, built and checked once.
struct Setup {
    problem: baseline::Problem,
    model: SimeoniModel,
    regimen: Regimen,
    times: Vec<f64>,
    options: SolverOptions,
}

fn relative_gap(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

impl Setup {
    fn new() -> Result<Setup, String> {
        let p = baseline::PARAMS;
        let times: Vec<f64> = (0..=40).map(f64::from).collect();
        let doses = vec![(9.0, 20.0), (11.0, 20.0), (13.0, 20.0)];
        let problem = baseline::Problem {
            params: p,
            times: times.clone(),
            doses: doses.clone(),
            rtol: RTOL,
            atol: ATOL,
        };
        let model = simeoni_2004(&SimeoniParams {
            lambda0: p.lambda0,
            lambda1: p.lambda1,
            psi: p.psi,
            k1: p.k1,
            k2: p.k2,
            volume: p.volume,
            elimination: p.elimination,
            w0: p.w0,
        })
        .map_err(|e| format!("building simeoni_2004: {e}"))?;
        let regimen = doses
            .iter()
            .fold(Regimen::new("problem_2"), |r, &(t, amount)| {
                r.with(Dose::bolus(t, "drug", amount))
            });
        let options = SolverOptions {
            rtol: RTOL,
            atol: AbsoluteTolerance {
                grams: ATOL,
                milligrams: ATOL,
                ..AbsoluteTolerance::default()
            },
            ..SolverOptions::default()
        };
        let setup = Setup {
            problem,
            model,
            regimen,
            times,
            options,
        };
        setup.check()?;
        Ok(setup)
    }

    /// Checks the day-40 weight of every variant against the reference and the others, and
    /// prints each one's work.
    fn check(&self) -> Result<(), String> {
        let traj = simulate(&self.model.model, &self.regimen, &self.times, &self.options)
            .map_err(|e| format!("builder: {e}"))?;
        let w_builder = traj
            .value_at(40.0, self.model.tumor)
            .map_err(|e| format!("builder day 40: {e}"))?;
        let s = traj.stats();
        eprintln!(
            "pk_tgi_simeoni builder: w(40) = {w_builder:.15} g, {} rhs evaluations, {} accepted \
             + {} rejected steps, {} segments",
            s.rhs_evaluations, s.accepted_steps, s.rejected_steps, s.segments
        );
        let mut weights = vec![("builder", w_builder)];
        for (name, solve) in [
            ("hand_written", baseline::solve as fn(&_) -> _),
            ("hand_written_static", baseline::solve_static),
        ] {
            let sol = solve(&self.problem)?;
            let (t, y) = sol.rows.last().ok_or(format!("{name}: no rows"))?;
            if *t != 40.0 {
                return Err(format!("{name}: last row at t = {t}, not 40"));
            }
            let w = y[..4].iter().sum::<f64>();
            eprintln!(
                "pk_tgi_simeoni {name}: w(40) = {w:.15} g, {} rhs evaluations, {} accepted + {} \
                 rejected steps, {} segments",
                sol.rhs_evaluations, sol.accepted_steps, sol.rejected_steps, sol.segments
            );
            weights.push((name, w));
        }
        for &(name, w) in &weights {
            let gap = relative_gap(w, REFERENCE_W40);
            if gap.is_nan() || gap > REL_TOL {
                return Err(format!(
                    "{name}: w(40) = {w} g is {gap:.2e} relative from the reference \
                     {REFERENCE_W40} g"
                ));
            }
            let gap = relative_gap(w, w_builder);
            if gap.is_nan() || gap > REL_TOL {
                return Err(format!(
                    "{name}: w(40) = {w} g is {gap:.2e} relative from the builder's {w_builder} g"
                ));
            }
        }
        Ok(())
    }
}

fn bench_pk_tgi_simeoni(c: &mut Criterion, s: &Setup) {
    let mut g = c.benchmark_group("pk_tgi_simeoni");
    g.bench_function("hand_written", |b| {
        b.iter(|| baseline::solve(black_box(&s.problem)))
    });
    g.bench_function("hand_written_static", |b| {
        b.iter(|| baseline::solve_static(black_box(&s.problem)))
    });
    g.bench_function("builder", |b| {
        b.iter(|| simulate(black_box(&s.model.model), &s.regimen, &s.times, &s.options))
    });
    g.finish();
}

fn main() {
    let setup = match Setup::new() {
        Ok(setup) => setup,
        Err(message) => {
            eprintln!("pk_tgi_simeoni setup failed: {message}");
            std::process::exit(1);
        }
    };
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    bench_pk_tgi_simeoni(&mut c, &setup);
    c.final_summary();
}
