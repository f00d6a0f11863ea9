//! Speed of `Model::rhs_into` alone against a hand-written right-hand side of the same model,
//! in the same run and group (STYLE.md §6): the cost of the general model core per evaluation.
//!
//! Group `rhs/pk_tgi_simeoni` (PROBLEMS.md problem 2): `hand_written` is the allocation-free RHS
//! of `benches/baseline/simeoni.rs` (the floor of benches/solve.rs); `model` is
//! `oncodyn::model::catalog::simeoni_2004` through the public, length-checked `rhs_into`. Both
//! evaluate the same 64 states, taken from a solve of problem 2 (so no branch is constant), and
//! the setup checks once that the two agree to 1e-12 relative on every one.
//!
//! Group `rhs/kuznetsov`: the same model (Kuznetsov 1994, BIOMD0000000762 values) written with
//! built-in laws (`catalog::kuznetsov_1994`) and as two expression fluxes over species, on 64
//! states of its own trajectory: the cost of an expression against a built-in law.

// The baseline module is shared with benches/solve.rs, which uses its driver and every problem;
// this bench uses the Simeoni right-hand side only.
#[allow(dead_code, unused_imports)]
mod baseline;

use criterion::Criterion;
use oncodyn::dosing::{Dose, Regimen};
use oncodyn::io::ModelFile;
use oncodyn::model::catalog::{kuznetsov_1994, simeoni_2004, KuznetsovParams};
use oncodyn::model::Model;
use oncodyn::solver::{simulate, SolverOptions};
use std::hint::black_box;
use std::time::Duration;

/// Number of states evaluated per iteration.
const POINTS: usize = 64;

struct Setup {
    model: Model,
    rhs: baseline::simeoni::Rhs,
    states: Vec<[f64; baseline::simeoni::N]>,
}

impl Setup {
    fn new() -> Result<Setup, String> {
        let p = baseline::simeoni::PARAMS;
        let model = simeoni_2004(&p)
            .map_err(|e| format!("simeoni_2004: {e}"))?
            .model;
        let regimen =
            Regimen::new("problem_2").with(Dose::bolus(9.0, "drug", 20.0).repeated(2.0, 3));
        let times: Vec<f64> = (0..POINTS)
            .map(|i| 40.0 * i as f64 / POINTS as f64)
            .collect();
        let traj = simulate(&model, &regimen, &times, &SolverOptions::default())
            .map_err(|e| format!("solve: {e}"))?;
        let mut states = Vec::new();
        for r in 0..traj.n_rows().min(POINTS) {
            let row = traj.row(r).ok_or("row")?;
            let mut y = [0.0; baseline::simeoni::N];
            y.copy_from_slice(&row[..baseline::simeoni::N]);
            states.push(y);
        }
        let setup = Setup {
            model,
            rhs: baseline::simeoni::Rhs::new(&p),
            states,
        };
        setup.check()?;
        Ok(setup)
    }

    fn check(&self) -> Result<(), String> {
        let zeros = [0.0; baseline::simeoni::N];
        for y in &self.states {
            let (mut a, mut b) = ([0.0; baseline::simeoni::N], [0.0; baseline::simeoni::N]);
            self.rhs.eval(y, &mut a);
            self.model
                .rhs_into(0.0, y, &zeros, &mut b)
                .map_err(|e| e.to_string())?;
            for (x, z) in a.iter().zip(&b) {
                if (x - z).abs() > 1e-12 * x.abs().max(z.abs()).max(1e-300) {
                    return Err(format!("hand-written {a:?} vs model {b:?} at {y:?}"));
                }
            }
        }
        Ok(())
    }
}

fn bench(c: &mut Criterion, s: &Setup) {
    let mut g = c.benchmark_group("rhs/pk_tgi_simeoni");
    let zeros = [0.0; baseline::simeoni::N];
    g.bench_function("hand_written", |b| {
        b.iter(|| {
            let mut dy = [0.0; baseline::simeoni::N];
            let mut acc = 0.0;
            for y in &s.states {
                s.rhs.eval(black_box(y), &mut dy);
                acc += dy[0];
            }
            acc
        })
    });
    g.bench_function("model", |b| {
        b.iter(|| {
            let mut dy = [0.0; baseline::simeoni::N];
            let mut acc = 0.0;
            for y in &s.states {
                // The states were checked at setup: the length check cannot fail.
                let _ = s.model.rhs_into(0.0, black_box(y), &zeros, &mut dy);
                acc += dy[0];
            }
            acc
        })
    });
    g.finish();
}

/// Kuznetsov 1994 as two expression fluxes over species, with the catalog's values.
const KUZNETSOV_EXPRESSIONS: &str = r#"
[model.parameters]
s = 1.3e4
p = 0.1245
g = 2.019e7
m = 3.422e-10
d = 0.0412
a = 0.18
b = 2.0e-9
n = 1.101e-7

[[model.species]]
name = "tumor"
unit = "cells"
initial = 5e6

[[model.species]]
name = "effector"
unit = "cells"
initial = 3.2e5

[[model.processes]]
type = "flux"
name = "tumor_rate"
rate = "a * tumor * (1 - b * tumor) - n * effector * tumor"
changes = [{ state = "tumor", coefficient = 1.0 }]

[[model.processes]]
type = "flux"
name = "effector_rate"
rate = "s + p * effector * tumor / (g + tumor) - m * effector * tumor - d * effector"
changes = [{ state = "effector", coefficient = 1.0 }]

[simulation]
horizon = 1.0
step = 1.0
"#;

/// The two Kuznetsov models and the states they are evaluated at.
struct Kuznetsov {
    builtin: Model,
    expressions: Model,
    states: Vec<[f64; 2]>,
}

impl Kuznetsov {
    fn new() -> Result<Kuznetsov, String> {
        let (builtin, _) =
            kuznetsov_1994(&KuznetsovParams::BIOMODELS).map_err(|e| e.to_string())?;
        let expressions = ModelFile::from_toml_str(KUZNETSOV_EXPRESSIONS)
            .map_err(|e| e.to_string())?
            .build()
            .map_err(|e| e.to_string())?;
        let times: Vec<f64> = (0..POINTS)
            .map(|i| 500.0 * i as f64 / POINTS as f64)
            .collect();
        let traj = simulate(
            &builtin,
            &Regimen::new("none"),
            &times,
            &SolverOptions::default(),
        )
        .map_err(|e| e.to_string())?;
        let states: Vec<[f64; 2]> = (0..traj.n_rows())
            .filter_map(|r| traj.row(r).map(|row| [row[0], row[1]]))
            .collect();
        for y in &states {
            let a = builtin.derivative(0.0, y).map_err(|e| e.to_string())?;
            let b = expressions.derivative(0.0, y).map_err(|e| e.to_string())?;
            for (x, z) in a.iter().zip(&b) {
                if (x - z).abs() > 1e-9 * x.abs().max(z.abs()).max(1.0) {
                    return Err(format!("built-in {a:?} vs expressions {b:?} at {y:?}"));
                }
            }
        }
        Ok(Kuznetsov {
            builtin,
            expressions,
            states,
        })
    }
}

fn bench_kuznetsov(c: &mut Criterion, k: &Kuznetsov) {
    let mut g = c.benchmark_group("rhs/kuznetsov");
    for (name, model) in [("builtin", &k.builtin), ("expressions", &k.expressions)] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut dy = [0.0; 2];
                let mut acc = 0.0;
                for y in &k.states {
                    // The states were checked at setup: the length check cannot fail.
                    let _ = model.rhs_into(0.0, black_box(y), &[0.0; 2], &mut dy);
                    acc += dy[0];
                }
                acc
            })
        });
    }
    g.finish();
}

fn main() {
    let kuznetsov = match Kuznetsov::new() {
        Ok(k) => k,
        Err(message) => {
            eprintln!("rhs kuznetsov setup failed: {message}");
            std::process::exit(1);
        }
    };
    let setup = match Setup::new() {
        Ok(setup) => setup,
        Err(message) => {
            eprintln!("rhs setup failed: {message}");
            std::process::exit(1);
        }
    };
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    bench(&mut c, &setup);
    bench_kuznetsov(&mut c, &kuznetsov);
    c.final_summary();
}
