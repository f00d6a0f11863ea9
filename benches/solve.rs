//! Speed of `simulate` against a hand-written floor, in the same run and group (STYLE.md §6),
//! on the four reference problems of PROBLEMS.md (issue 14's targets: ≤ 1.15× on
//! `pk2cpt_q3w` and `pk_tgi_simeoni`, ≤ 1.3× on `immune_depillis` and `tmdd_stiff`).
//!
//! In every group:
//!
//! - `hand_written_static`: the problem's equations as an allocation-free right-hand side
//!   (benches/baseline/<problem>.rs, constants folded), driven by ode_solvers' `Dopri5` on a
//!   stack `SVector<f64, N>` by the generic driver of benches/baseline/driver.rs, which cuts
//!   time as oncodyn does (every output time, bolus, infusion start and end; restart with
//!   Hairer's initial step at each cut): the floor;
//! - `builder`: the oncodyn model run by `oncodyn::solver::simulate`.
//!
//! Both sides use Dopri5 with the same `rtol` and the same absolute tolerance for every state
//! (every field of `AbsoluteTolerance` set to it), outputs at the reference CSV's times:
//!
//! - `pk2cpt_q3w` (problem 1): two-compartment PK, eight 30-min infusions q3w, built with
//!   `ModelBuilder` as tests/reference.rs does; rtol 1e-8, atol 1e-12. Also
//!   `hand_written_static_dop853` / `builder_dop853`, the same with Dop853;
//! - `pk_tgi_simeoni` (problem 2): `catalog::simeoni_2004`, three boluses; rtol 1e-8,
//!   atol 1e-20 (the drug decays to ~1e-22 mg and is compared with a floor of 1e-12 mg/L);
//! - `immune_depillis` (problem 3): examples/models/immune_depillis_2006.toml, ten 1-day
//!   chemotherapy infusions; rtol 1e-10, atol 1e-9, stiffness test off on both sides
//!   (`Stiffness::Ignore`, ode_solvers `n_stiff = u32::MAX`);
//! - `tmdd_stiff` (problem 4): examples/models/tmdd_stiff.toml, three boluses, stiff binding;
//!   rtol 1e-10, atol 1e-18, stiffness test off on both sides.
//!
//! The setup of each group checks once, before timing, that the builder, the floor and the
//! reference CSV (tests/data) agree at every row to 1e-6 relative (|a − b| / max(|a|, |b|,
//! floor), PROBLEMS.md's floors), that both sides give the same rows (times and sides), and
//! prints each side's rhs evaluations, accepted and rejected steps and segments. oncodyn does
//! one evaluation fewer per segment (its first stage reuses the initial-step guess's).
//! CI-sized: `sample_size(10)`, short warm-up and measurement.

mod baseline;

use baseline::{Method as FloorMethod, Problem, Rates};
use criterion::Criterion;
use oncodyn::io::ModelFile;
use oncodyn::model::catalog::simeoni_2004;
use oncodyn::prelude::*;
use oncodyn::solver::{AbsoluteTolerance, Stiffness};
use oncodyn::trajectory::Side;
use std::hint::black_box;
use std::time::Duration;

/// Agreement required of both sides with the reference and with each other.
const REL_TOL: f64 = 1e-6;

/// A file of the crate, by its path from the manifest directory.
fn crate_path(path: &str) -> String {
    format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// One compared quantity: a CSV column, the model state it is (by name, and by index in the
/// floor's state), and PROBLEMS.md's absolute floor.
struct Column {
    csv: &'static str,
    state: &'static str,
    floor: f64,
}

/// A reference CSV: per row, time, side and the compared columns' values.
struct Reference {
    rows: Vec<(f64, Side, Vec<f64>)>,
}

impl Reference {
    /// Reads tests/data/`file`, the columns `columns`, the side from column `side` if given.
    fn read(file: &str, side: Option<&str>, columns: &[Column]) -> Result<Reference, String> {
        let path = crate_path(&format!("tests/data/{file}"));
        let mut reader = csv::Reader::from_path(&path).map_err(|e| format!("{path}: {e}"))?;
        let headers = reader
            .headers()
            .map_err(|e| format!("{path}: {e}"))?
            .clone();
        let index = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| format!("{path}: no column `{name}`"))
        };
        let time = index("time_d")?;
        let side = side.map(index).transpose()?;
        let wanted: Vec<usize> = columns
            .iter()
            .map(|c| index(c.csv))
            .collect::<Result<_, _>>()?;
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| format!("{path}: {e}"))?;
            let number = |i: usize| {
                record[i]
                    .parse::<f64>()
                    .map_err(|e| format!("{path}: `{}`: {e}", &record[i]))
            };
            let s = match side.map(|i| &record[i]) {
                Some("pre") => Side::Pre,
                Some("post") => Side::Post,
                _ => Side::At,
            };
            let values = wanted
                .iter()
                .map(|&i| number(i))
                .collect::<Result<_, _>>()?;
            rows.push((number(time)?, s, values));
        }
        Ok(Reference { rows })
    }

    /// The output times: the rows' times, each once.
    fn times(&self) -> Vec<f64> {
        let mut times: Vec<f64> = self.rows.iter().map(|r| r.0).collect();
        times.dedup();
        times
    }
}

/// |a − b| / max(|a|, |b|, floor).
fn rel_diff(a: f64, b: f64, floor: f64) -> f64 {
    let d = (a - b).abs() / a.abs().max(b.abs()).max(floor);
    if d.is_nan() {
        f64::INFINITY
    } else {
        d
    }
}

/// Dopri5 (or `method`) options with `rtol` and `atol` for every state.
fn options(method: Method, rtol: f64, atol: f64, stiffness: Stiffness) -> SolverOptions {
    SolverOptions {
        method,
        rtol,
        atol: AbsoluteTolerance {
            cells: atol,
            grams: atol,
            cubic_millimeters: atol,
            milligrams: atol,
            other: atol,
        },
        max_steps: 10_000_000,
        stiffness,
        ..SolverOptions::default()
    }
}

/// One timed pair: the floor (`rhs` on `problem`) and the builder (`model` under `regimen`).
struct Pair<R, const N: usize> {
    /// Appended to the benchmark names (`""` or `"_dop853"`).
    suffix: &'static str,
    rhs: R,
    problem: Problem<N>,
    model: Model,
    regimen: Regimen,
    options: SolverOptions,
}

impl<R: Rates<N>, const N: usize> Pair<R, N> {
    /// Checks both sides against `reference` and each other at every row, and prints their
    /// work.
    fn check(&self, group: &str, reference: &Reference, columns: &[Column]) -> Result<(), String> {
        let name = format!("{group}{}", self.suffix);
        let states: Vec<&str> = self
            .model
            .states()
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        let expected: Vec<&str> = columns.iter().map(|c| c.state).collect();
        if states != expected {
            return Err(format!(
                "{name}: oncodyn's states {states:?}, the floor's {expected:?}"
            ));
        }
        let times = &self.problem.times;
        let traj = simulate(&self.model, &self.regimen, times, &self.options)
            .map_err(|e| format!("{name} builder: {e}"))?;
        let floor = baseline::solve(self.rhs, &self.problem)?;
        let cols: Vec<usize> = columns
            .iter()
            .map(|c| {
                traj.columns()
                    .iter()
                    .position(|k| k.name == c.state)
                    .ok_or_else(|| format!("{name}: no trajectory column `{}`", c.state))
            })
            .collect::<Result<_, _>>()?;
        let n = reference.rows.len();
        if traj.n_rows() != n || floor.rows.len() != n {
            return Err(format!(
                "{name}: {n} reference rows, builder {}, floor {}",
                traj.n_rows(),
                floor.rows.len()
            ));
        }
        // Largest relative differences: builder–reference, floor–reference, builder–floor.
        let mut worst = [
            (0.0f64, String::new()),
            (0.0, String::new()),
            (0.0, String::new()),
        ];
        for (r, (t, side, values)) in reference.rows.iter().enumerate() {
            let (tf, sf, yf) = &floor.rows[r];
            let (tb, sb) = (traj.times()[r], traj.sides()[r]);
            if tb != *t || sb != *side || tf != t || sf != side {
                return Err(format!(
                    "{name}: row {r} is ({t}, {side:?}) in the reference, ({tb}, {sb:?}) for \
                     the builder, ({tf}, {sf:?}) for the floor"
                ));
            }
            let row = traj.row(r).ok_or_else(|| format!("{name}: no row {r}"))?;
            for (i, c) in columns.iter().enumerate() {
                let (b, f, v) = (row[cols[i]], yf[i], values[i]);
                for (w, (x, y)) in worst.iter_mut().zip([(b, v), (f, v), (b, f)]) {
                    let d = rel_diff(x, y, c.floor);
                    if d > w.0 {
                        *w = (
                            d,
                            format!("{} at t = {t} ({side:?}): {x:e} vs {y:e}", c.csv),
                        );
                    }
                }
            }
        }
        let s = traj.stats();
        eprintln!(
            "{name} builder: {} rhs evaluations, {} accepted + {} rejected steps, {} segments",
            s.rhs_evaluations, s.accepted_steps, s.rejected_steps, s.segments
        );
        eprintln!(
            "{name} hand_written_static: {} rhs evaluations, {} accepted + {} rejected steps, \
             {} segments",
            floor.rhs_evaluations, floor.accepted_steps, floor.rejected_steps, floor.segments
        );
        for ((d, at), what) in
            worst
                .iter()
                .zip(["builder–reference", "floor–reference", "builder–floor"])
        {
            eprintln!("{name} max relative difference {what}: {d:.2e} ({at})");
            if *d > REL_TOL {
                return Err(format!("{name}: {what} {d:.2e} > {REL_TOL:e} ({at})"));
            }
        }
        Ok(())
    }
}

/// One group: its name, reference columns and pairs, checked at construction.
struct Group<R, const N: usize> {
    name: &'static str,
    pairs: Vec<Pair<R, N>>,
}

impl<R: Rates<N>, const N: usize> Group<R, N> {
    fn new(
        name: &'static str,
        reference: &Reference,
        columns: &[Column],
        pairs: Vec<Pair<R, N>>,
    ) -> Result<Self, String> {
        for p in &pairs {
            p.check(name, reference, columns)?;
        }
        Ok(Group { name, pairs })
    }

    fn bench(&self, c: &mut Criterion) {
        let mut g = c.benchmark_group(self.name);
        for p in &self.pairs {
            g.bench_function(format!("hand_written_static{}", p.suffix), |b| {
                b.iter(|| baseline::solve(p.rhs, black_box(&p.problem)))
            });
            g.bench_function(format!("builder{}", p.suffix), |b| {
                b.iter(|| {
                    simulate(
                        black_box(&p.model),
                        &p.regimen,
                        &p.problem.times,
                        &p.options,
                    )
                })
            });
        }
        g.finish();
    }
}

/// Problem 1: both methods.
fn pk2cpt_q3w() -> Result<Group<baseline::pk2cpt::Rhs, 2>, String> {
    use baseline::pk2cpt::{self as p, Rhs};
    const RTOL: f64 = 1e-8;
    const ATOL: f64 = 1e-12;
    let columns = [
        Column {
            csv: "central_amount_mg",
            state: "pembrolizumab_central",
            floor: 1e-9,
        },
        Column {
            csv: "peripheral_amount_mg",
            state: "pembrolizumab_peripheral_1",
            floor: 1e-9,
        },
    ];
    let reference = Reference::read("pk2cpt_q3w.csv", None, &columns)?;
    let mut b = ModelBuilder::new();
    b.drug(DrugSpec::new(
        "pembrolizumab",
        TwoCompartment {
            cl: p::CL,
            v1: p::V1,
            q: p::Q,
            v2: p::V2,
        },
    ))
    .map_err(|e| e.to_string())?;
    let model = b.build().map_err(|e| e.to_string())?;
    let regimen = Regimen::new("q3w").with(
        Dose::infusion(0.0, "pembrolizumab", p::DOSE, p::DURATION)
            .repeated(p::INTERVAL, p::INFUSIONS as u32),
    );
    let pairs = [
        ("", FloorMethod::Dopri5, Method::Dopri5),
        ("_dop853", FloorMethod::Dop853, Method::Dop853),
    ]
    .map(|(suffix, floor, method)| Pair {
        suffix,
        rhs: Rhs::problem_1(),
        problem: p::problem(reference.times(), floor, RTOL, ATOL),
        model: model.clone(),
        regimen: regimen.clone(),
        options: options(method, RTOL, ATOL, Stiffness::Error),
    });
    Group::new("pk2cpt_q3w", &reference, &columns, pairs.into())
}

/// Problem 2.
fn pk_tgi_simeoni() -> Result<Group<baseline::simeoni::Rhs, 5>, String> {
    use baseline::simeoni::{self as s, Rhs};
    const RTOL: f64 = 1e-8;
    const ATOL: f64 = 1e-20;
    let columns = [
        ("x1_g", "tumor", 0.0),
        ("x2_g", "tumor_transit_1", 1e-12),
        ("x3_g", "tumor_transit_2", 1e-12),
        ("x4_g", "tumor_transit_3", 1e-12),
        // V = 1 L: the concentration is the amount.
        ("drug_conc_mg_per_L", "drug_central", 1e-12),
    ]
    .map(|(csv, state, floor)| Column { csv, state, floor });
    let reference = Reference::read("pk_tgi_simeoni.csv", Some("side"), &columns)?;
    let p = s::PARAMS;
    let model = simeoni_2004(&p)
        .map_err(|e| format!("simeoni_2004: {e}"))?
        .model;
    let regimen = s::DOSES
        .iter()
        .fold(Regimen::new("problem_2"), |r, &(t, amount)| {
            r.with(Dose::bolus(t, "drug", amount))
        });
    let pair = Pair {
        suffix: "",
        rhs: Rhs::new(&p),
        problem: s::problem(reference.times(), RTOL, ATOL),
        model,
        regimen,
        options: options(Method::Dopri5, RTOL, ATOL, Stiffness::Error),
    };
    Group::new("pk_tgi_simeoni", &reference, &columns, vec![pair])
}

/// A model file's model and regimen.
fn read_model_file(path: &str) -> Result<(Model, Regimen), String> {
    let path = crate_path(path);
    let file = ModelFile::read(&path).map_err(|e| format!("{path}: {e}"))?;
    let model = file.build().map_err(|e| format!("{path}: {e}"))?;
    Ok((model, file.regimen))
}

/// Problem 3.
fn immune_depillis() -> Result<Group<baseline::depillis::Rhs, 5>, String> {
    use baseline::depillis::{self as d, Rhs};
    const RTOL: f64 = 1e-10;
    const ATOL: f64 = 1e-9;
    let columns = [
        ("tumor_cells", "tumor", 1e-3),
        ("nk_cells", "nk", 1e-3),
        ("cd8_cells", "cd8", 1e-3),
        ("lymphocytes_cells", "lymphocytes", 1e-3),
        ("chemo_M", "chemo_central", 1e-12),
    ]
    .map(|(csv, state, floor)| Column { csv, state, floor });
    let reference = Reference::read("immune_depillis.csv", None, &columns)?;
    let (model, regimen) = read_model_file("examples/models/immune_depillis_2006.toml")?;
    let pair = Pair {
        suffix: "",
        rhs: Rhs::patient_9(),
        problem: d::problem(reference.times(), RTOL, ATOL),
        model,
        regimen,
        options: options(Method::Dopri5, RTOL, ATOL, Stiffness::Ignore),
    };
    Group::new("immune_depillis", &reference, &columns, vec![pair])
}

/// Problem 4.
fn tmdd_stiff() -> Result<Group<baseline::tmdd::Rhs, 3>, String> {
    use baseline::tmdd::{self as t, Rhs};
    const RTOL: f64 = 1e-10;
    const ATOL: f64 = 1e-18;
    let columns = [
        ("free_drug_nM", "free_drug", 1e-9),
        ("free_target_nM", "free_target", 1e-9),
        ("complex_nM", "complex", 1e-9),
    ]
    .map(|(csv, state, floor)| Column { csv, state, floor });
    let reference = Reference::read("tmdd_stiff.csv", Some("side"), &columns)?;
    let (model, regimen) = read_model_file("examples/models/tmdd_stiff.toml")?;
    let pair = Pair {
        suffix: "",
        rhs: Rhs,
        problem: t::problem(reference.times(), RTOL, ATOL),
        model,
        regimen,
        options: options(Method::Dopri5, RTOL, ATOL, Stiffness::Ignore),
    };
    Group::new("tmdd_stiff", &reference, &columns, vec![pair])
}

/// The group or the exit.
fn or_exit<T>(group: Result<T, String>) -> T {
    group.unwrap_or_else(|message| {
        eprintln!("solve setup failed: {message}");
        std::process::exit(1);
    })
}

fn main() {
    let pk2cpt = or_exit(pk2cpt_q3w());
    let simeoni = or_exit(pk_tgi_simeoni());
    let depillis = or_exit(immune_depillis());
    let tmdd = or_exit(tmdd_stiff());
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    pk2cpt.bench(&mut c);
    simeoni.bench(&mut c);
    depillis.bench(&mut c);
    tmdd.bench(&mut c);
    c.final_summary();
}
