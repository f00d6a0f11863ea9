//! Helpers shared by the integration tests: reading the reference CSVs in `tests/data/`, the
//! relative difference of `shared/reference/PROBLEMS.md`, tolerance constants, and a tracker of
//! the largest error seen in a comparison.
//!
//! Each test crate (`tests/*.rs`) compiles this module separately and uses only part of it.
#![allow(dead_code)]

use oncodyn::trajectory::{Side, Trajectory};
use std::path::PathBuf;

// ---------------------------------------------------------------------------------------------
// Tolerances: every number is here once, with its reason.
// ---------------------------------------------------------------------------------------------

/// Solver `rtol` for the analytic tests: tight, so that the closed forms (exact to ~1e-15) test
/// the integrator and the model's equations rather than the tolerance.
pub const ANALYTIC_RTOL: f64 = 1e-10;

/// Largest relative error accepted against a closed form. The error control is local
/// (`|err| ≤ atol + rtol·|y|` per step); over a few hundred to a few thousand steps and several
/// restarts at doses the global error stays within ~100·rtol = 1e-8, so 1e-7 leaves a
/// factor of ten for accumulation without hiding a wrong equation (which shows as ≥ 1e-3).
pub const ANALYTIC_MAX_REL: f64 = 1e-7;

/// Absolute tolerance of drug amounts in the analytic tests, mg. The smallest non-zero amounts
/// compared are ~1e-10 mg (an oral depot two weeks after the dose); 1e-20 mg keeps the error
/// control relative for all of them (atol/|y| ≤ 1e-10 = rtol). With 1e-14 mg the depot's error
/// at 1e-9 mg reached 7e-8 (Dopri5): the tolerance, not the method, set it.
pub const ANALYTIC_ATOL_MG: f64 = 1e-20;

/// Absolute tolerance of cell counts in the analytic tests, cells: populations compared are
/// ≥ 1e5 cells, so 1e-6 cells makes the error control relative (atol/|y| ≤ 1e-11 < rtol).
pub const ANALYTIC_ATOL_CELLS: f64 = 1e-6;

/// Floor of the relative difference for drug amounts (mg) and concentrations (mg/L) in the
/// analytic tests: only rows where the exact value is 0 (before any drug arrives) come near it;
/// 1e-9 mg is six orders below every non-zero value compared.
pub const ANALYTIC_FLOOR_MG: f64 = 1e-9;

/// Two evaluations of the same closed form written differently (in the test and in the library)
/// agree to rounding: a few hundred ULPs covers `exp`/`ln`/`powf` of arguments up to ~30.
pub const FORMULA_AGREEMENT: f64 = 1e-12;

/// Solver `rtol` for the reference problems (PROBLEMS.md asks for 1e-6 relative agreement;
/// two orders tighter leaves room for global error accumulation over the run).
pub const REFERENCE_RTOL: f64 = 1e-8;

/// Largest relative difference accepted against a reference CSV, as PROBLEMS.md states for
/// problems 1 and 2 (the CSVs themselves agree with a second method to ~3e-13).
pub const REFERENCE_MAX_REL: f64 = 1e-6;

// ---------------------------------------------------------------------------------------------
// Relative difference, as PROBLEMS.md defines it.
// ---------------------------------------------------------------------------------------------

/// `|a − b| / max(|a|, |b|, floor)`: 0 when `a == b` (also both 0 with `floor` 0), infinite
/// when either is NaN or only one is infinite.
pub fn rel_diff(a: f64, b: f64, floor: f64) -> f64 {
    if a == b {
        return 0.0;
    }
    let d = (a - b).abs() / a.abs().max(b.abs()).max(floor);
    if d.is_nan() {
        f64::INFINITY
    } else {
        d
    }
}

/// The largest relative difference seen in a comparison, and where.
#[derive(Debug, Clone)]
pub struct MaxError {
    /// What is compared (printed with the result).
    pub label: String,
    /// Largest relative difference so far.
    pub max: f64,
    /// Where it occurred.
    pub at: String,
    /// How many values were compared.
    pub count: usize,
}

impl MaxError {
    pub fn new(label: impl Into<String>) -> Self {
        MaxError {
            label: label.into(),
            max: 0.0,
            at: String::from("(nothing compared)"),
            count: 0,
        }
    }

    /// Records the relative difference of `got` and `expected` with `floor`.
    pub fn record(&mut self, got: f64, expected: f64, floor: f64, at: impl FnOnce() -> String) {
        let d = rel_diff(got, expected, floor);
        self.count += 1;
        if self.count == 1 || d > self.max {
            self.max = d;
            self.at = format!("{} (got {got:e}, expected {expected:e})", at());
        }
    }

    /// Prints the largest error (visible with `cargo test -- --nocapture`) and asserts it is at
    /// most `limit`, and that something was compared.
    pub fn assert_at_most(&self, limit: f64) {
        eprintln!(
            "[max error] {}: {:.3e} over {} values, at {}",
            self.label, self.max, self.count, self.at
        );
        assert!(self.count > 0, "{}: nothing was compared", self.label);
        assert!(
            self.max <= limit,
            "{}: max relative error {:e} > {:e} at {}",
            self.label,
            self.max,
            limit,
            self.at
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Reference CSVs.
// ---------------------------------------------------------------------------------------------

/// A CSV read as text: the header and the records.
#[derive(Debug, Clone)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Index of the column named `name` (panics with the available names: a test-data error).
    pub fn column(&self, name: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column `{name}` in {:?}", self.headers))
    }

    /// Row `row`, column `name`, as text.
    pub fn text(&self, row: usize, name: &str) -> &str {
        &self.rows[row][self.column(name)]
    }

    /// Row `row`, column `name`, parsed as f64 (the CSVs hold `%.17g`, which round-trips).
    pub fn number(&self, row: usize, name: &str) -> f64 {
        let s = self.text(row, name);
        s.parse()
            .unwrap_or_else(|e| panic!("row {row}, column `{name}`: `{s}` is not a number: {e}"))
    }
}

/// Path of a file in `tests/data/`.
pub fn data_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
        .join(file)
}

/// Reads `tests/data/<file>` (first line the header).
pub fn read_csv(file: &str) -> Table {
    let path = data_path(file);
    let mut reader = csv::Reader::from_path(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let headers = reader
        .headers()
        .unwrap_or_else(|e| panic!("{}: bad header: {e}", path.display()))
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            r.unwrap_or_else(|e| panic!("{}: bad record: {e}", path.display()))
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect();
    Table { headers, rows }
}

// ---------------------------------------------------------------------------------------------
// Trajectory helpers.
// ---------------------------------------------------------------------------------------------

/// The rows of `traj` as `(time, side, values)`.
pub fn rows(traj: &Trajectory) -> impl Iterator<Item = (f64, Side, &[f64])> {
    (0..traj.n_rows()).map(move |i| {
        let values = traj.row(i).expect("row index within n_rows");
        (traj.times()[i], traj.sides()[i], values)
    })
}

/// Index of the column named `name` in `traj` (panics listing the columns: a test error).
pub fn column_index(traj: &Trajectory, name: &str) -> usize {
    traj.columns()
        .iter()
        .position(|c| c.name == name)
        .unwrap_or_else(|| {
            let names: Vec<&str> = traj.columns().iter().map(|c| c.name.as_str()).collect();
            panic!("no column `{name}` in {names:?}")
        })
}

/// Whether a dose given at `dose_time` is included in a row at `t` on `side`: doses strictly
/// before, and a dose at the row's time unless the row is the `pre` (left-limit) row.
pub fn dose_included(dose_time: f64, t: f64, side: Side) -> bool {
    dose_time < t || (dose_time == t && side != Side::Pre)
}

/// `0, step, 2·step, …, n·step`, each computed as `i·step` (or `i/den` when `step = 1/den`)
/// so that grid points are the correctly rounded values.
pub fn grid(n: u32, den: f64) -> Vec<f64> {
    (0..=n).map(|i| f64::from(i) / den).collect()
}

/// Asserts two trajectories are identical: same times, sides, columns and every value bitwise.
pub fn assert_identical(a: &Trajectory, b: &Trajectory) {
    assert_eq!(a.columns(), b.columns(), "columns differ");
    assert_eq!(a.n_rows(), b.n_rows(), "row counts differ");
    for i in 0..a.n_rows() {
        assert_eq!(
            a.times()[i].to_bits(),
            b.times()[i].to_bits(),
            "row {i}: times differ"
        );
        assert_eq!(a.sides()[i], b.sides()[i], "row {i}: sides differ");
        let (ra, rb) = (a.row(i).unwrap(), b.row(i).unwrap());
        for (c, (x, y)) in ra.iter().zip(rb).enumerate() {
            assert_eq!(
                x.to_bits(),
                y.to_bits(),
                "row {i} (t = {}), column `{}`: {x:e} != {y:e}",
                a.times()[i],
                a.columns()[c].name
            );
        }
    }
}

/// Both explicit methods: every analytic check runs with each.
pub const METHODS: [oncodyn::solver::Method; 2] = [
    oncodyn::solver::Method::Dopri5,
    oncodyn::solver::Method::Dop853,
];

/// Solver options of the analytic checks for `method`: rtol [`ANALYTIC_RTOL`], atol
/// [`ANALYTIC_ATOL_CELLS`] and [`ANALYTIC_ATOL_MG`].
pub fn options(method: oncodyn::solver::Method) -> oncodyn::solver::SolverOptions {
    oncodyn::solver::SolverOptions {
        method,
        rtol: ANALYTIC_RTOL,
        atol: oncodyn::solver::AbsoluteTolerance {
            cells: ANALYTIC_ATOL_CELLS,
            milligrams: ANALYTIC_ATOL_MG,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// The parameters of problem `pk_tgi_simeoni` (shared/reference/PROBLEMS.md, problem 2): λ0, λ1
/// from Simeoni et al. 2004 Table 2 (paclitaxel exp. 1, via nlmixr2lib), ψ = 20, and the
/// problem's chosen k1 = 0.5 1/day, k2 = 0.01 L/(mg·day), V = 1 L, k = 2 1/day, w0 = 0.1 g.
pub fn simeoni_problem_2() -> oncodyn::model::catalog::SimeoniParams {
    oncodyn::model::catalog::SimeoniParams {
        lambda0: 0.273,
        lambda1: 0.814,
        psi: 20.0,
        k1: 0.5,
        k2: 0.01,
        volume: 1.0,
        elimination: 2.0,
        w0: 0.1,
    }
}
