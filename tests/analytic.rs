//! Simulations against closed-form solutions written out in this file.
//!
//! Expected values: each growth law's and each linear PK model's textbook solution, written here
//! independently of the library (rearranged where possible, so a shared typo cannot pass), and
//! checked in turn against the library's own `GrowthLaw::closed_form` and
//! `oncodyn::model::closed_form`.
//!
//! Solver settings for every test: rtol = 1e-10 (`ANALYTIC_RTOL`), atol = 1e-20 mg for drug
//! amounts and 1e-6 cells for populations (`ANALYTIC_ATOL_MG`, `ANALYTIC_ATOL_CELLS`); both
//! Dopri5 and Dop853. Accepted: max relative error ≤ 1e-7 (`ANALYTIC_MAX_REL`), relative
//! difference as in PROBLEMS.md with an absolute floor of 1e-9 mg (or mg/L) for drug values and
//! none for populations (they never come near 0 here). Run with `-- --nocapture` to see the
//! measured maxima.

mod common;

use common::{
    assert_identical, column_index, dose_included, grid, options, rows, MaxError,
    ANALYTIC_FLOOR_MG, ANALYTIC_MAX_REL, FORMULA_AGREEMENT, METHODS,
};
use oncodyn::model::{closed_form, GrowthLaw};
use oncodyn::prelude::*;
use oncodyn::trajectory::Side;

fn method_name(method: Method) -> &'static str {
    match method {
        Method::Dopri5 => "dopri5",
        Method::Dop853 => "dop853",
        _ => "other",
    }
}

// =============================================================================================
// Growth laws
// =============================================================================================

/// Simulates an untreated tumor with `law` from `t0` cells over `days` (output every half day)
/// and compares it with `exact`; also checks `GrowthLaw::closed_form` against `exact`.
fn check_growth(label: &str, law: GrowthLaw, t0: f64, days: u32, exact: impl Fn(f64) -> f64) {
    let times = grid(2 * days, 2.0);
    let mut formula = MaxError::new(format!("{label}: GrowthLaw::closed_form vs test formula"));
    for &t in &times {
        let library = law.closed_form(t0, t).expect("this law has a closed form");
        formula.record(library, exact(t), 0.0, || format!("t = {t}"));
    }
    formula.assert_at_most(FORMULA_AGREEMENT);

    for method in METHODS {
        let mut b = ModelBuilder::new();
        let tumor = b.tumor(TumorSpec::new("tumor", t0, law)).unwrap();
        let model = b.build().unwrap();
        let traj = simulate(&model, &Regimen::new("none"), &times, &options(method)).unwrap();
        assert_eq!(traj.n_rows(), times.len(), "one row per output time");
        let column = traj.column(tumor).unwrap();
        let mut err = MaxError::new(format!("{label} ({})", method_name(method)));
        for (i, &t) in traj.times().iter().enumerate() {
            err.record(column.get(i).unwrap(), exact(t), 0.0, || format!("t = {t}"));
        }
        err.assert_at_most(ANALYTIC_MAX_REL);
    }
}

#[test]
fn exponential_growth_matches_closed_form() {
    // T(t) = T0·e^(r·t): 1e6 cells doubling every ~7 days, to ~4e8 at 60 days.
    let (r, t0) = (0.1, 1e6);
    check_growth("exponential", Exponential { rate: r }.into(), t0, 60, |t| {
        t0 * (r * t).exp()
    });
}

#[test]
fn logistic_growth_matches_closed_form() {
    // T(t) = T0·K·e^(rt) / (K + T0·(e^(rt) − 1)): the Verhulst solution written in its
    // "multiplied through" form (the library writes K/(1 + (K/T0 − 1)e^(−rt))).
    let (r, k, t0) = (0.3, 1e9, 1e6);
    check_growth(
        "logistic",
        Logistic {
            rate: r,
            capacity: k,
        }
        .into(),
        t0,
        60,
        |t| t0 * k * (r * t).exp() / (k + t0 * (r * t).exp_m1()),
    );
}

#[test]
fn gompertz_growth_matches_closed_form() {
    // ln T(t) = ln K + ln(T0/K)·e^(−rt): the Gompertz solution in log form.
    let (r, k, t0) = (0.1, 1e12, 1e9);
    check_growth(
        "gompertz",
        Gompertz {
            rate: r,
            capacity: k,
        }
        .into(),
        t0,
        60,
        |t| (k.ln() + (t0 / k).ln() * (-r * t).exp()).exp(),
    );
}

#[test]
fn gompertz_regression_above_capacity_matches_closed_form() {
    // Same law started above capacity: the tumor shrinks towards K (ln(K/T) < 0).
    let (r, k, t0) = (0.2, 1e9, 4e9);
    check_growth(
        "gompertz above capacity",
        Gompertz {
            rate: r,
            capacity: k,
        }
        .into(),
        t0,
        40,
        |t| (k.ln() + (t0 / k).ln() * (-r * t).exp()).exp(),
    );
}

#[test]
fn von_bertalanffy_growth_matches_closed_form() {
    // dT/dt = a·T^(2/3) − b·T. With u = T^(1/3): du/dt = (a − b·u)/3, so
    // u(t) = a/b − (a/b − u0)·e^(−b·t/3) and T = u³. Limit (a/b)³ = 1e9 cells.
    let (a, b, t0) = (100.0, 0.1, 1e6);
    check_growth(
        "von Bertalanffy",
        VonBertalanffy { growth: a, loss: b }.into(),
        t0,
        60,
        |t| {
            let limit = a / b;
            let u = limit - (limit - t0.cbrt()) * (-b * t / 3.0).exp();
            u * u * u
        },
    );
}

#[test]
fn power_law_growth_two_thirds_matches_closed_form() {
    // dT/dt = a·T^(2/3): d(T^(1/3))/dt = a/3, so T(t) = (T0^(1/3) + a·t/3)³.
    let (a, t0) = (30.0, 1e6);
    check_growth(
        "power law γ = 2/3",
        PowerLaw {
            coefficient: a,
            exponent: 2.0 / 3.0,
        }
        .into(),
        t0,
        60,
        |t| (t0.cbrt() + a * t / 3.0).powi(3),
    );
}

#[test]
fn power_law_growth_one_half_matches_closed_form() {
    // dT/dt = a·√T: d(√T)/dt = a/2, so T(t) = (√T0 + a·t/2)².
    let (a, t0) = (100.0, 1e6);
    check_growth(
        "power law γ = 1/2",
        PowerLaw {
            coefficient: a,
            exponent: 0.5,
        }
        .into(),
        t0,
        60,
        |t| (t0.sqrt() + a * t / 2.0).powi(2),
    );
}

#[test]
fn power_law_growth_exponent_one_is_exponential() {
    // γ = 1 is the library's special branch: dT/dt = a·T, T(t) = T0·e^(a·t).
    let (a, t0) = (0.1, 1e6);
    check_growth(
        "power law γ = 1",
        PowerLaw {
            coefficient: a,
            exponent: 1.0,
        }
        .into(),
        t0,
        60,
        |t| t0 * (a * t).exp(),
    );
}

// =============================================================================================
// One-compartment PK
// =============================================================================================

const CL: f64 = 2.0; // L/day
const V: f64 = 10.0; // L
const K: f64 = CL / V; // 1/day: elimination rate constant

/// Compares a column of `traj` with `exact(t, side)` under `label`.
fn compare_column(
    traj: &Trajectory,
    column: &str,
    floor: f64,
    label: String,
    exact: impl Fn(f64, Side) -> f64,
) -> MaxError {
    let c = column_index(traj, column);
    let mut err = MaxError::new(label);
    for (t, side, values) in rows(traj) {
        err.record(values[c], exact(t, side), floor, || {
            format!("t = {t} ({})", side.as_str())
        });
    }
    err
}

#[test]
fn one_compartment_iv_bolus_matches_closed_form() {
    // A(t) = D·e^(−k·t), C = A/V; the bolus at t = 0 gives a `pre` row with A = 0.
    let dose = 100.0;
    let exact = |t: f64, side: Side| {
        if dose_included(0.0, t, side) {
            dose * (-K * t).exp()
        } else {
            0.0
        }
    };
    let times = grid(96, 2.0); // 0 … 48 d by 0.5 d: A falls to 6.8e-3 mg
    for &t in &times {
        let lib = closed_form::bolus_1cpt(dose, K, t);
        assert!(
            common::rel_diff(lib, exact(t, Side::Post), 0.0) <= FORMULA_AGREEMENT,
            "closed_form::bolus_1cpt at t = {t}"
        );
    }
    for method in METHODS {
        let mut b = ModelBuilder::new();
        b.drug(DrugSpec::new("drug", OneCompartment { cl: CL, v: V }))
            .unwrap();
        let model = b.build().unwrap();
        let regimen = Regimen::new("bolus").with(Dose::bolus(0.0, "drug", dose));
        let traj = simulate(&model, &regimen, &times, &options(method)).unwrap();
        assert_eq!(
            traj.n_rows(),
            times.len() + 1,
            "t = 0 has a pre and a post row"
        );
        let m = method_name(method);
        compare_column(
            &traj,
            "drug_central",
            ANALYTIC_FLOOR_MG,
            format!("1-cpt bolus amount ({m})"),
            exact,
        )
        .assert_at_most(ANALYTIC_MAX_REL);
        compare_column(
            &traj,
            "drug_conc",
            ANALYTIC_FLOOR_MG,
            format!("1-cpt bolus conc ({m})"),
            |t, s| exact(t, s) / V,
        )
        .assert_at_most(ANALYTIC_MAX_REL);
    }
}

#[test]
fn one_compartment_zero_order_infusion_matches_closed_form() {
    // Infusion of D over [ts, ts + T) at rate R = D/T:
    //   A = 0                                   t ≤ ts
    //   A = R/k·(1 − e^(−k(t − ts)))            ts ≤ t ≤ ts + T
    //   A = R/k·(1 − e^(−kT))·e^(−k(t − ts − T))  t ≥ ts + T
    let (dose, start, duration) = (100.0, 1.0, 2.0);
    let rate = dose / duration;
    let exact = |t: f64| {
        if t <= start {
            0.0
        } else if t <= start + duration {
            rate / K * -(-K * (t - start)).exp_m1()
        } else {
            rate / K * -(-K * duration).exp_m1() * (-K * (t - start - duration)).exp()
        }
    };
    let times = grid(96, 4.0); // 0 … 24 d by 0.25 d; start and end fall on the grid
    for &t in times.iter().filter(|&&t| t >= start) {
        let lib = closed_form::infusion_1cpt(dose, duration, K, t - start);
        assert!(
            common::rel_diff(lib, exact(t), ANALYTIC_FLOOR_MG) <= FORMULA_AGREEMENT,
            "closed_form::infusion_1cpt at t = {t}: {lib} vs {}",
            exact(t)
        );
    }
    for method in METHODS {
        let mut b = ModelBuilder::new();
        b.drug(DrugSpec::new("drug", OneCompartment { cl: CL, v: V }))
            .unwrap();
        let model = b.build().unwrap();
        let regimen = Regimen::new("inf").with(Dose::infusion(start, "drug", dose, duration));
        let traj = simulate(&model, &regimen, &times, &options(method)).unwrap();
        assert_eq!(
            traj.n_rows(),
            times.len(),
            "infusion bounds are on the grid"
        );
        assert!(traj.sides().iter().all(|s| *s == Side::At));
        let m = method_name(method);
        compare_column(
            &traj,
            "drug_central",
            ANALYTIC_FLOOR_MG,
            format!("1-cpt infusion amount ({m})"),
            |t, _| exact(t),
        )
        .assert_at_most(ANALYTIC_MAX_REL);
        compare_column(
            &traj,
            "drug_conc",
            ANALYTIC_FLOOR_MG,
            format!("1-cpt infusion conc ({m})"),
            |t, _| exact(t) / V,
        )
        .assert_at_most(ANALYTIC_MAX_REL);
    }
}

/// Bateman (1910), written for this test: central amount after an oral dose `dose` at t = 0,
/// `F·D·ka·(e^(−k·t) − e^(−ka·t))/(ka − k)`, or `F·D·k·t·e^(−k·t)` when `ka == k`.
fn bateman_hand(dose: f64, f: f64, ka: f64, k: f64, t: f64) -> f64 {
    if ka == k {
        f * dose * k * t * (-k * t).exp()
    } else {
        f * dose * ka * ((-k * t).exp() - (-ka * t).exp()) / (ka - k)
    }
}

/// Simulates an oral dose into the depot and compares central amount, concentration and depot
/// amount with Bateman and `F·D·e^(−ka·t)`.
fn check_oral(ka: f64, f: f64, label: &str) {
    let dose = 100.0;
    let times = grid(96, 4.0); // 0 … 24 d by 0.25 d
    for &t in &times {
        let lib = closed_form::bateman(dose, f, ka, K, t);
        assert!(
            common::rel_diff(lib, bateman_hand(dose, f, ka, K, t), ANALYTIC_FLOOR_MG)
                <= FORMULA_AGREEMENT,
            "closed_form::bateman ({label}) at t = {t}"
        );
    }
    for method in METHODS {
        let mut b = ModelBuilder::new();
        b.drug(DrugSpec::new("drug", OneCompartment { cl: CL, v: V }).with_absorption(ka, f))
            .unwrap();
        let model = b.build().unwrap();
        let oral = Dose::bolus(0.0, "drug", dose).into_compartment(Compartment::Depot);
        let traj = simulate(
            &model,
            &Regimen::new("oral").with(oral),
            &times,
            &options(method),
        )
        .unwrap();
        let m = method_name(method);
        let central = |t: f64, s: Side| {
            if dose_included(0.0, t, s) {
                bateman_hand(dose, f, ka, K, t)
            } else {
                0.0
            }
        };
        compare_column(
            &traj,
            "drug_central",
            ANALYTIC_FLOOR_MG,
            format!("{label} central ({m})"),
            central,
        )
        .assert_at_most(ANALYTIC_MAX_REL);
        compare_column(
            &traj,
            "drug_conc",
            ANALYTIC_FLOOR_MG,
            format!("{label} conc ({m})"),
            |t, s| central(t, s) / V,
        )
        .assert_at_most(ANALYTIC_MAX_REL);
        compare_column(
            &traj,
            "drug_depot",
            ANALYTIC_FLOOR_MG,
            format!("{label} depot ({m})"),
            |t, s| {
                if dose_included(0.0, t, s) {
                    f * dose * (-ka * t).exp()
                } else {
                    0.0
                }
            },
        )
        .assert_at_most(ANALYTIC_MAX_REL);
    }
}

#[test]
fn first_order_absorption_matches_bateman() {
    check_oral(1.5, 0.8, "Bateman ka = 1.5");
}

#[test]
fn first_order_absorption_with_ka_equal_to_k_matches_the_removable_singularity() {
    // ka = k = CL/V = 0.2 1/day exactly (2·(1/10) rounds to the f64 0.2), so both the model and
    // `closed_form::bateman` meet the singular case: A(t) = F·D·k·t·e^(−k·t).
    assert_eq!(CL * (1.0 / V), 0.2, "the model's k equals ka bit for bit");
    check_oral(0.2, 0.7, "Bateman ka = k");
}

#[test]
fn bateman_singular_branch_equals_the_hand_formula() {
    // The branch taken for |ka − k| ≤ 1e-9·k: F·D·ka·t·e^(−k·t). At ka = k exactly it is the
    // limit; within the threshold the true value differs from it by a relative ~|ka − k|·t/2,
    // at most 5e-10·k·t = 1e-8 here (k·t ≤ 20).
    let (dose, f, k) = (100.0, 0.7, 0.2);
    for i in 0..=100 {
        let t = f64::from(i);
        let singular = f * dose * k * t * (-k * t).exp();
        let at = closed_form::bateman(dose, f, k, k, t);
        assert!(
            common::rel_diff(at, singular, 0.0) <= FORMULA_AGREEMENT,
            "ka == k, t = {t}: {at} vs {singular}"
        );
        for ka in [k * (1.0 + 5e-10), k * (1.0 - 5e-10)] {
            let exact = f * dose * ka * (-k * t).exp() * -(-(ka - k) * t).exp_m1() / (ka - k);
            let near = closed_form::bateman(dose, f, ka, k, t);
            assert!(
                common::rel_diff(near, exact, 0.0) <= 1e-8,
                "ka = {ka}, t = {t}: {near} vs {exact}"
            );
        }
    }
}

#[test]
fn bateman_is_accurate_near_its_branch_threshold() {
    // Independent, cancellation-free form: F·D·ka·e^(−kt)·(1 − e^(−(ka − k)t))/(ka − k), with
    // 1 − e^(−x) from exp_m1. Accurate to a few ULPs for every ka ≠ k.
    let (dose, f, k) = (100.0, 0.7, 0.2);
    let mut err = MaxError::new("closed_form::bateman near ka = k");
    for rel in [1e-3, 1e-5, 1e-7, 2e-9, -2e-9, 1e-8, -1e-8] {
        let ka = k * (1.0 + rel);
        for i in 1..=200 {
            let t = f64::from(i) * 0.05;
            let exact = f * dose * ka * (-k * t).exp() * -(-(ka - k) * t).exp_m1() / (ka - k);
            err.record(closed_form::bateman(dose, f, ka, k, t), exact, 0.0, || {
                format!("ka = k·(1 + {rel:e}), t = {t}")
            });
        }
    }
    // A closed form used to check simulations at 1e-7 must itself be far better than that.
    err.assert_at_most(1e-10);
}

// =============================================================================================
// Two-compartment PK
// =============================================================================================

/// Two-compartment bolus response written for this test (Gibaldi & Perrier): macro-constants α > β
/// from their sum and product (α + β = k10 + k12 + k21, α·β = k10·k21; β from the product for
/// accuracy), then A1 = D·[(α − k21)·e^(−αt) + (k21 − β)·e^(−βt)]/(α − β),
/// A2 = D·k12·(e^(−βt) − e^(−αt))/(α − β).
fn two_cpt_hand(dose: f64, k10: f64, k12: f64, k21: f64, t: f64) -> (f64, f64) {
    let sum = k10 + k12 + k21;
    let alpha = (sum + (sum * sum - 4.0 * k10 * k21).sqrt()) / 2.0;
    let beta = k10 * k21 / alpha;
    let coef_a = dose * (alpha - k21) / (alpha - beta);
    let coef_b = dose * (k21 - beta) / (alpha - beta);
    let a1 = coef_a * (-alpha * t).exp() + coef_b * (-beta * t).exp();
    let a2 = dose * k12 / (alpha - beta) * ((-beta * t).exp() - (-alpha * t).exp());
    (a1, a2)
}

const CL2: f64 = 1.0; // L/day
const V1: f64 = 5.0; // L
const Q: f64 = 2.0; // L/day
const V2: f64 = 10.0; // L

fn two_cpt_rates() -> (f64, f64, f64) {
    (CL2 / V1, Q / V1, Q / V2) // k10 = 0.2, k12 = 0.4, k21 = 0.2 1/day
}

#[test]
fn two_compartment_bolus_matches_biexponential() {
    let dose = 100.0;
    let (k10, k12, k21) = two_cpt_rates();
    let times = grid(120, 4.0); // 0 … 30 d by 0.25 d
    for &t in &times {
        let (a1, a2) = closed_form::bolus_2cpt(dose, k10, k12, k21, t);
        let (h1, h2) = two_cpt_hand(dose, k10, k12, k21, t);
        assert!(
            common::rel_diff(a1, h1, ANALYTIC_FLOOR_MG) <= FORMULA_AGREEMENT,
            "A1 at {t}"
        );
        assert!(
            common::rel_diff(a2, h2, ANALYTIC_FLOOR_MG) <= FORMULA_AGREEMENT,
            "A2 at {t}"
        );
    }
    for method in METHODS {
        let mut b = ModelBuilder::new();
        b.drug(DrugSpec::new(
            "drug",
            TwoCompartment {
                cl: CL2,
                v1: V1,
                q: Q,
                v2: V2,
            },
        ))
        .unwrap();
        let model = b.build().unwrap();
        let regimen = Regimen::new("bolus").with(Dose::bolus(0.0, "drug", dose));
        let traj = simulate(&model, &regimen, &times, &options(method)).unwrap();
        let m = method_name(method);
        let part = |t: f64, s: Side, which: usize| {
            if !dose_included(0.0, t, s) {
                return 0.0;
            }
            let (a1, a2) = two_cpt_hand(dose, k10, k12, k21, t);
            [a1, a2][which]
        };
        compare_column(
            &traj,
            "drug_central",
            ANALYTIC_FLOOR_MG,
            format!("2-cpt bolus A1 ({m})"),
            |t, s| part(t, s, 0),
        )
        .assert_at_most(ANALYTIC_MAX_REL);
        compare_column(
            &traj,
            "drug_peripheral_1",
            ANALYTIC_FLOOR_MG,
            format!("2-cpt bolus A2 ({m})"),
            |t, s| part(t, s, 1),
        )
        .assert_at_most(ANALYTIC_MAX_REL);
        compare_column(
            &traj,
            "drug_conc",
            ANALYTIC_FLOOR_MG,
            format!("2-cpt bolus C ({m})"),
            |t, s| part(t, s, 0) / V1,
        )
        .assert_at_most(ANALYTIC_MAX_REL);
    }
}

// =============================================================================================
// Multiple doses: superposition of single-dose closed forms (the models are linear)
// =============================================================================================

#[test]
fn five_oral_doses_every_12_hours_match_superposed_bateman() {
    let (dose, f, ka) = (100.0, 0.9, 3.0);
    let dose_times: Vec<f64> = (0..5).map(|i| f64::from(i) * 0.5).collect();
    let times = grid(60, 10.0); // 0 … 6 d by 0.1 d; every dose time is on the grid
    let central = |t: f64, s: Side| -> f64 {
        dose_times
            .iter()
            .filter(|&&td| dose_included(td, t, s))
            .map(|&td| bateman_hand(dose, f, ka, K, t - td))
            .sum()
    };
    let depot = |t: f64, s: Side| -> f64 {
        dose_times
            .iter()
            .filter(|&&td| dose_included(td, t, s))
            .map(|&td| f * dose * (-ka * (t - td)).exp())
            .sum()
    };
    for method in METHODS {
        let mut b = ModelBuilder::new();
        b.drug(DrugSpec::new("drug", OneCompartment { cl: CL, v: V }).with_absorption(ka, f))
            .unwrap();
        let model = b.build().unwrap();
        let oral = Dose::bolus(0.0, "drug", dose)
            .into_compartment(Compartment::Depot)
            .repeated(0.5, 5);
        let traj = simulate(
            &model,
            &Regimen::new("bid").with(oral),
            &times,
            &options(method),
        )
        .unwrap();
        assert_eq!(
            traj.n_rows(),
            times.len() + 5,
            "a pre and a post row at each dose"
        );
        assert_eq!(traj.doses().len(), 5);
        let m = method_name(method);
        compare_column(
            &traj,
            "drug_central",
            ANALYTIC_FLOOR_MG,
            format!("5 oral doses central ({m})"),
            central,
        )
        .assert_at_most(ANALYTIC_MAX_REL);
        compare_column(
            &traj,
            "drug_depot",
            ANALYTIC_FLOOR_MG,
            format!("5 oral doses depot ({m})"),
            depot,
        )
        .assert_at_most(ANALYTIC_MAX_REL);
    }
}

#[test]
fn five_iv_boluses_every_12_hours_match_superposed_biexponentials() {
    let dose = 50.0;
    let (k10, k12, k21) = two_cpt_rates();
    let dose_times: Vec<f64> = (0..5).map(|i| f64::from(i) * 0.5).collect();
    let times = grid(80, 8.0); // 0 … 10 d by 0.125 d
    let sum = |t: f64, s: Side, which: usize| -> f64 {
        dose_times
            .iter()
            .filter(|&&td| dose_included(td, t, s))
            .map(|&td| {
                let (a1, a2) = two_cpt_hand(dose, k10, k12, k21, t - td);
                [a1, a2][which]
            })
            .sum()
    };
    for method in METHODS {
        let mut b = ModelBuilder::new();
        b.drug(DrugSpec::new(
            "drug",
            TwoCompartment {
                cl: CL2,
                v1: V1,
                q: Q,
                v2: V2,
            },
        ))
        .unwrap();
        let model = b.build().unwrap();
        let regimen = Regimen::new("q12h").with(Dose::bolus(0.0, "drug", dose).repeated(0.5, 5));
        let traj = simulate(&model, &regimen, &times, &options(method)).unwrap();
        let m = method_name(method);
        compare_column(
            &traj,
            "drug_central",
            ANALYTIC_FLOOR_MG,
            format!("5 IV boluses A1 ({m})"),
            |t, s| sum(t, s, 0),
        )
        .assert_at_most(ANALYTIC_MAX_REL);
        compare_column(
            &traj,
            "drug_peripheral_1",
            ANALYTIC_FLOOR_MG,
            format!("5 IV boluses A2 ({m})"),
            |t, s| sum(t, s, 1),
        )
        .assert_at_most(ANALYTIC_MAX_REL);
    }
}

// =============================================================================================
// Cell doses into an effector population with only natural death
// =============================================================================================

#[test]
fn cell_infusion_and_bolus_into_dying_effectors_match_closed_form() {
    // dE/dt = −δ·E + R·1[ts, ts + T)(t), plus a bolus of N cells at tb:
    //   E(t) = E0·e^(−δt)
    //        + R/δ·(1 − e^(−δ(t − ts)))                 for ts ≤ t ≤ ts + T
    //        + R/δ·(1 − e^(−δT))·e^(−δ(t − ts − T))      for t ≥ ts + T
    //        + N·e^(−δ(t − tb))                          after the bolus
    let (e0, death) = (1e6, 0.1);
    let (cells, start, duration) = (5e7, 2.0, 1.0);
    let (bolus, tb) = (1e7, 5.0);
    let rate = cells / duration;
    let exact = |t: f64, s: Side| {
        let mut e = e0 * (-death * t).exp();
        if t > start {
            let during = (t - start).min(duration);
            e += rate / death * -(-death * during).exp_m1() * (-death * (t - start - during)).exp();
        }
        if dose_included(tb, t, s) {
            e += bolus * (-death * (t - tb)).exp();
        }
        e
    };
    let times = grid(80, 4.0); // 0 … 20 d by 0.25 d
    for method in METHODS {
        let mut b = ModelBuilder::new();
        let car_t = b
            .effector(CellSpec {
                name: "car_t".into(),
                initial: e0,
                source: 0.0,
                death,
                ..Default::default()
            })
            .unwrap();
        let model = b.build().unwrap();
        let regimen = Regimen::new("cells")
            .with(Dose::infusion(start, "car_t", cells, duration))
            .with(Dose::bolus(tb, "car_t", bolus));
        let traj = simulate(&model, &regimen, &times, &options(method)).unwrap();
        let column = traj.column(car_t).unwrap();
        let mut err = MaxError::new(format!("cell infusion + bolus ({})", method_name(method)));
        for (i, (&t, &s)) in traj.times().iter().zip(traj.sides()).enumerate() {
            err.record(column.get(i).unwrap(), exact(t, s), 0.0, || {
                format!("t = {t} ({})", s.as_str())
            });
        }
        err.assert_at_most(ANALYTIC_MAX_REL);
    }
}

// =============================================================================================
// A repeated dose is exactly its list of doses
// =============================================================================================

#[test]
fn repeated_doses_equal_the_explicit_list_bit_for_bit() {
    // Same model, same outputs; one regimen written with `repeated`, the other with each dose
    // spelled out (times written as literals, listed out of order). The resolved event lists are
    // the same, so the trajectories must be identical to the last bit.
    let mut b = ModelBuilder::new();
    let tumor = b
        .tumor(TumorSpec::new(
            "tumor",
            1e8,
            Gompertz {
                rate: 0.05,
                capacity: 1e11,
            },
        ))
        .unwrap();
    let ctl = b
        .effector(CellSpec {
            name: "ctl".into(),
            initial: 1e6,
            source: 1e4,
            death: 0.04,
            ..Default::default()
        })
        .unwrap();
    let drug = b
        .drug(
            DrugSpec::new(
                "drug",
                TwoCompartment {
                    cl: 0.22,
                    v1: 3.48,
                    q: 0.795,
                    v2: 4.06,
                },
            )
            .with_absorption(1.0, 0.6),
        )
        .unwrap();
    b.kill(ctl, tumor, MassAction { rate: 1e-9 }).unwrap();
    b.effect(
        drug,
        Target::EffectorKill(ctl),
        Emax {
            emax: 2.0,
            ec50: 5.0,
        },
    )
    .unwrap();
    let model = b.build().unwrap();

    let repeated = Regimen::new("repeated")
        .with(Dose::infusion(0.0, "drug", 200.0, 1.0 / 48.0).repeated(21.0, 4))
        .with(
            Dose::bolus(3.0, "drug", 50.0)
                .into_compartment(Compartment::Depot)
                .repeated(7.0, 6),
        )
        .with(Dose::bolus(10.0, "ctl", 1e7).repeated(14.0, 3));
    let explicit = [
        Dose::bolus(38.0, "drug", 50.0).into_compartment(Compartment::Depot),
        Dose::infusion(63.0, "drug", 200.0, 1.0 / 48.0),
        Dose::bolus(10.0, "ctl", 1e7),
        Dose::bolus(3.0, "drug", 50.0).into_compartment(Compartment::Depot),
        Dose::infusion(21.0, "drug", 200.0, 1.0 / 48.0),
        Dose::bolus(24.0, "ctl", 1e7),
        Dose::bolus(10.0, "drug", 50.0).into_compartment(Compartment::Depot),
        Dose::bolus(17.0, "drug", 50.0).into_compartment(Compartment::Depot),
        Dose::infusion(0.0, "drug", 200.0, 1.0 / 48.0),
        Dose::bolus(31.0, "drug", 50.0).into_compartment(Compartment::Depot),
        Dose::bolus(24.0, "drug", 50.0).into_compartment(Compartment::Depot),
        Dose::infusion(42.0, "drug", 200.0, 1.0 / 48.0),
        Dose::bolus(38.0, "ctl", 1e7),
    ];
    let explicit = explicit
        .into_iter()
        .fold(Regimen::new("explicit"), Regimen::with);
    let times = grid(140, 2.0); // 0 … 70 d
    let opts = SolverOptions::default();
    let a = simulate(&model, &repeated, &times, &opts).unwrap();
    let b = simulate(&model, &explicit, &times, &opts).unwrap();
    assert_eq!(a.doses().len(), 13);
    assert_identical(&a, &b);
    // The same doses were recorded (the regimen index differs by construction).
    let key = |t: &Trajectory| -> Vec<(u64, String, u64)> {
        t.doses()
            .iter()
            .map(|d| (d.time.to_bits(), d.state.clone(), d.amount.to_bits()))
            .collect()
    };
    let (mut ka, mut kb) = (key(&a), key(&b));
    ka.sort();
    kb.sort();
    assert_eq!(ka, kb);
}

// =============================================================================================
// Time-varying clearance
// =============================================================================================

/// Nivolumab's clearance time course, Bajaj et al. 2017 as re-estimated in DDMORE
/// DDMODEL00000284 (shared/models/pkpd.md §5.2, [V-num]): CL0 = 0.2256 L/day, Emax = −0.295,
/// T50 = 58.75 d, γ = 3.15; CL(28) = 0.219798563330, CL(58.75) = 0.194661766085,
/// CL(112) = 0.173805531432, CL(365) = 0.168123009956 L/day (12 significant digits there).
#[test]
fn nivolumab_clearance_time_course_matches_tabulated_values() {
    let change = oncodyn::model::ClearanceChange {
        emax: -0.295,
        t50: 58.75,
        hill: 3.15,
    };
    for (t, cl) in [
        (0.0, 0.2256),
        (28.0, 0.219798563330),
        (58.75, 0.194661766085),
        (112.0, 0.173805531432),
        (365.0, 0.168123009956),
    ] {
        let got = 0.2256 * change.factor(t);
        assert!(
            common::rel_diff(got, cl, 0.0) <= 1e-11,
            "CL({t}) = {got}, tabulated {cl}"
        );
    }
}

/// One compartment with a clearance changing in time, one IV bolus: A(t) = D·exp(−∫CL(s)ds/V).
/// The integral is computed here by composite Simpson's rule on 20,000 intervals (error
/// ~h⁴·max|CL⁗| far below 1e-12 relative), independently of the ODE solver.
#[test]
fn time_varying_clearance_matches_quadrature_of_the_exponent() {
    let (cl0, v, dose) = (0.2256, 3.63, 240.0);
    let change = oncodyn::model::ClearanceChange {
        emax: -0.295,
        t50: 58.75,
        hill: 3.15,
    };
    let clearance = |s: f64| cl0 * change.factor(s);
    let integral = |t: f64| {
        let n = 20_000;
        let h = t / f64::from(n);
        let inner: f64 = (1..n)
            .map(|i| {
                let w = if i % 2 == 1 { 4.0 } else { 2.0 };
                w * clearance(f64::from(i) * h)
            })
            .sum();
        h / 3.0 * (clearance(0.0) + inner + clearance(t))
    };
    let mut b = ModelBuilder::new();
    let drug = b
        .drug(
            DrugSpec::new("nivolumab", OneCompartment { cl: cl0, v })
                .with_clearance_change(-0.295, 58.75, 3.15),
        )
        .unwrap();
    let model = b.build().unwrap();
    let regimen = Regimen::new("single").with(Dose::bolus(0.0, "nivolumab", dose));
    let times: Vec<f64> = (0..=20).map(|i| f64::from(i) * 10.0).collect();
    for method in METHODS {
        let traj = simulate(&model, &regimen, &times, &options(method)).unwrap();
        let amount = traj.amount(drug).unwrap();
        let mut err = MaxError::new(format!("time-varying clearance ({})", method_name(method)));
        for (i, &t) in traj.times().iter().enumerate() {
            if traj.sides()[i] == Side::Pre {
                continue;
            }
            let exact = dose * (-integral(t) / v).exp();
            err.record(amount.get(i).unwrap(), exact, ANALYTIC_FLOOR_MG, || {
                format!("t = {t}")
            });
        }
        err.assert_at_most(ANALYTIC_MAX_REL);
    }
}

/// A user term that depends on time: `dy/dt = cos t`, so `y(t) = y0 + sin t`. Checks that every
/// Runge–Kutta stage sees its own time (ode_solvers 0.6.2's Dop853 gives its 12th stage the step's
/// start time; oncodyn then carries time as a state).
#[derive(Debug)]
struct CosineForcing {
    tumor: StateId<Tumor>,
}

impl Custom for CosineForcing {
    fn add_rates(&self, t: f64, _y: &States, dy: &mut Rates) {
        dy[self.tumor] += t.cos();
    }
}

#[test]
fn time_dependent_user_term_matches_closed_form_with_both_methods() {
    let mut b = ModelBuilder::new();
    let tumor = b
        .tumor(TumorSpec::new("tumor", 2.0, Exponential { rate: 0.0 }))
        .unwrap();
    b.custom("forcing", CosineForcing { tumor }).unwrap();
    let model = b.build().unwrap();
    let times = grid(40, 4.0); // 0, 0.25, …, 10 d
    for method in METHODS {
        let traj = simulate(&model, &Regimen::new("none"), &times, &options(method)).unwrap();
        let column = traj.column(tumor).unwrap();
        let mut err = MaxError::new(format!("cos forcing ({})", method_name(method)));
        for (i, &t) in traj.times().iter().enumerate() {
            err.record(column.get(i).unwrap(), 2.0 + t.sin(), 1e-9, || {
                format!("t = {t}")
            });
        }
        err.assert_at_most(ANALYTIC_MAX_REL);
    }
}

/// A three-compartment drug after a bolus is the linear system `dA/dt = K·A`, so
/// `A(t) = exp(K·t)·A(0)`: the matrix exponential (nalgebra's Padé approximant), independent
/// of the integrator and of the model's own lowering.
#[test]
fn three_compartment_bolus_is_the_matrix_exponential() {
    use nalgebra::Matrix3;
    let (cl, v1, q2, v2, q3, v3) = (1.5, 4.0, 2.5, 8.0, 0.4, 30.0); // L/day, L
    let k = Matrix3::new(
        -(cl + q2 + q3) / v1,
        q2 / v2,
        q3 / v3,
        q2 / v1,
        -q2 / v2,
        0.0,
        q3 / v1,
        0.0,
        -q3 / v3,
    );
    let dose = 100.0; // mg
    let times = grid(60, 2.0); // 0 … 30 d by 0.5 d
    for method in METHODS {
        let mut b = ModelBuilder::new();
        b.drug(DrugSpec::new(
            "drug",
            ThreeCompartment {
                cl,
                v1,
                q2,
                v2,
                q3,
                v3,
            },
        ))
        .unwrap();
        let model = b.build().unwrap();
        assert_eq!(model.n_states(), 3);
        let regimen = Regimen::new("bolus").with(Dose::bolus(0.0, "drug", dose));
        let traj = simulate(&model, &regimen, &times, &options(method)).unwrap();
        let columns = ["drug_central", "drug_peripheral_1", "drug_peripheral_2"];
        for (i, &t) in traj.times().iter().enumerate().filter(|(_, &t)| t > 0.0) {
            let exact = (k * t).exp() * nalgebra::Vector3::new(dose, 0.0, 0.0);
            for (j, name) in columns.iter().enumerate() {
                let got = traj.column_by_name(name).unwrap().get(i).unwrap();
                assert!(
                    common::rel_diff(got, exact[j], ANALYTIC_FLOOR_MG) <= ANALYTIC_MAX_REL,
                    "{}: {name} at t = {t}: {got} vs {}",
                    method_name(method),
                    exact[j]
                );
            }
        }
    }
}
