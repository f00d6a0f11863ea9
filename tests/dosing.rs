//! Regimens against closed forms, and every regimen error with its variant and fields.
//!
//! Expected values are written out here, independently of the library:
//! - radiotherapy: exponential growth times the product of LQ surviving fractions
//!   `N0·e^(r·t)·Π S(d_i)`; killed cells in a transit chain decay as `L·e^(−k·τ)` (first
//!   compartment) and `L·k·τ·e^(−k·τ)` (second);
//! - lagged oral doses: superposition of Bateman functions of `t − t_i − lag`, and the lagged
//!   single dose of `shared/models/pkpd.md` §1.7 (a [V-num] table);
//! - infusions: `R/k·(1 − e^(−k·t))` and its decay, superposed; pkpd.md §1.7's infusion numbers;
//! - a reset: every state back to its initial value, then the same closed forms from there;
//! - cycles, splits, ADDL and per-kg/per-m² amounts: exact arithmetic on the plan, and identical
//!   trajectories where two regimens must be the same.
//!
//! Solver settings as in `tests/analytic.rs`: rtol = 1e-10, atol 1e-20 mg and 1e-6 cells, both
//! Dopri5 and Dop853; accepted max relative error 1e-7 (`ANALYTIC_MAX_REL`, reasoned in
//! `tests/common`). Run with `-- --nocapture` to see the measured maxima.

mod common;

use common::{
    assert_identical, column_index, dose_included, grid, options, rows, MaxError,
    ANALYTIC_FLOOR_MG, ANALYTIC_MAX_REL, FORMULA_AGREEMENT, METHODS,
};
use oncodyn::dosing::radiotherapy::{
    self, Course, Fraction, Radiosensitivity, Repopulation, Weekday,
};
use oncodyn::dosing::{AmountUnit, Cycle, Infusion, Jump, JumpKind, Plan, Portion, Subject};
use oncodyn::io::{ModelFile, SimulationSection};
use oncodyn::prelude::*;
use oncodyn::{BuildError, ScheduleError};

/// A one-compartment drug `drug` (CL = 5 L/day, V = 10 L: k = 0.5 1/day, pkpd.md §1.7) with a
/// depot (ka = 1.5 1/day, bioavailability `f`, lag `lag` days), and an exponential tumor.
fn pk_model(f: f64, lag: f64) -> Model {
    let mut b = ModelBuilder::new();
    b.drug(
        DrugSpec::new("drug", OneCompartment { cl: 5.0, v: 10.0 })
            .with_lagged_absorption(1.5, f, lag),
    )
    .unwrap();
    b.tumor(TumorSpec::new("tumor", 1e6, Exponential { rate: 0.1 }))
        .unwrap();
    b.effector(CellSpec {
        name: "ctl".into(),
        initial: 1e6,
        source: 0.0,
        death: 0.2,
        ..Default::default()
    })
    .unwrap();
    b.build().unwrap()
}

const K: f64 = 0.5; // 1/day, CL/V of pk_model
const KA: f64 = 1.5; // 1/day

/// Bateman central amount of an oral dose `d` (bioavailability `f`) `tau` days after it
/// enters the depot; 0 before.
fn bateman(d: f64, f: f64, tau: f64) -> f64 {
    if tau < 0.0 {
        return 0.0;
    }
    f * d * KA / (KA - K) * ((-K * tau).exp() - (-KA * tau).exp())
}

/// Central amount of a zero-order infusion at `rate` mg/day lasting `duration`, `tau` days
/// after it starts (0 before).
fn infusion_amount(rate: f64, duration: f64, tau: f64) -> f64 {
    if tau <= 0.0 {
        0.0
    } else if tau <= duration {
        rate / K * (1.0 - (-K * tau).exp())
    } else {
        rate / K * (1.0 - (-K * duration).exp()) * (-K * (tau - duration)).exp()
    }
}

fn schedule_error(model: &Model, regimen: &Regimen) -> ScheduleError {
    match regimen.resolve(model) {
        Err(e) => e,
        Ok(plan) => panic!("expected a ScheduleError, got a plan {plan:?}"),
    }
}

// =============================================================================================
// Radiotherapy
// =============================================================================================

#[test]
fn fractions_on_exponential_growth_match_the_product_of_surviving_fractions() {
    // Tumor: r = 0.05 1/day, α = 0.15 1/Gy, β = 0.015 1/Gy² (α/β = 10 Gy); CTLs without
    // source, death 0.02 1/day, their own α = 0.1, β = 0.01. Both stay above 1e5 cells, where
    // atol = 1e-6 cells keeps the error control relative.
    let (r, alpha, beta) = (0.05, 0.15, 0.015);
    let (death, alpha_e, beta_e) = (0.02, 0.1, 0.01);
    let mut b = ModelBuilder::new();
    let tumor = b
        .tumor(
            TumorSpec::new("tumor", 1e9, Exponential { rate: r })
                .with_radiosensitivity(alpha, beta),
        )
        .unwrap();
    let ctl = b
        .effector(
            CellSpec {
                name: "ctl".into(),
                initial: 1e9,
                source: 0.0,
                death,
                ..Default::default()
            }
            .with_radiosensitivity(alpha_e, beta_e),
        )
        .unwrap();
    let model = b.build().unwrap();
    // 60 Gy in 30 fractions from day 3 (a Thursday): weekends at days 5–6, 12–13, ….
    let course = Course::conventional().starting_on(Weekday::Thursday);
    let fractions = course.fractions(3.0).expect("within MAX_FRACTIONS");
    let regimen = Regimen::new("rt").with_radiotherapy(fractions.clone());
    let times = grid(120, 2.0); // 0 to 60 days, every half day: fraction days fall on the grid
    let s = (-alpha * 2.0 - beta * 4.0f64).exp();
    let s_e = (-alpha_e * 2.0 - beta_e * 4.0f64).exp();

    // The product over the course, checked against pkpd.md §7 with its α = 0.3, β = 0.03:
    // −ln S = 21.6, S = 4.1613973942e-10 (11 significant digits).
    let pkpd = Radiosensitivity {
        alpha: 0.3,
        beta: 0.03,
    };
    let product: f64 = fractions
        .iter()
        .map(|f| pkpd.surviving_fraction(f.dose))
        .product();
    assert!((product / 4.1613973942e-10 - 1.0).abs() < 1e-10);

    for method in METHODS {
        let traj = simulate(&model, &regimen, &times, &options(method)).unwrap();
        let (x, e) = (traj.column(tumor).unwrap(), traj.column(ctl).unwrap());
        let mut err = MaxError::new(format!("RT on exponential growth ({method:?})"));
        for (i, (t, side, _)) in rows(&traj).enumerate() {
            let n = fractions
                .iter()
                .filter(|f| dose_included(f.time, t, side))
                .count() as i32;
            let exact_x = 1e9 * (r * t).exp() * s.powi(n);
            let exact_e = 1e9 * (-death * t).exp() * s_e.powi(n);
            err.record(x.get(i).unwrap(), exact_x, 0.0, || {
                format!("tumor, t = {t} {side:?}")
            });
            err.record(e.get(i).unwrap(), exact_e, 0.0, || {
                format!("ctl, t = {t} {side:?}")
            });
        }
        err.assert_at_most(ANALYTIC_MAX_REL);
        // One record per fraction and irradiated population.
        assert_eq!(traj.fractions().len(), 2 * fractions.len());
    }
}

#[test]
fn cells_killed_by_a_fraction_enter_the_first_transit_compartment() {
    // Exponential growth r = 0.05 1/day; two transit compartments at k = 0.4 1/day. A fraction
    // at t_i moves L_i = (1 − S)·x(t_i⁻) into transit 1:
    //   x(t)   = x0·e^(r·t)·S^n(t)
    //   x1(t)  = Σ L_i·e^(−k·(t − t_i))
    //   x2(t)  = Σ L_i·k·(t − t_i)·e^(−k·(t − t_i))
    let (r, k, alpha, beta) = (0.05, 0.4, 0.3, 0.03);
    let mut b = ModelBuilder::new();
    let tumor = b
        .tumor(
            TumorSpec::new("tumor", 1e9, Exponential { rate: r })
                .with_transit(2, k)
                .with_radiosensitivity(alpha, beta),
        )
        .unwrap();
    let model = b.build().unwrap();
    let fractions = Course::every(4.0, 3, 2.0)
        .fractions(1.0)
        .expect("within MAX_FRACTIONS"); // 4 Gy on days 1, 3, 5
    let regimen = Regimen::new("rt").with_radiotherapy(fractions.clone());

    // The plan moves the loss into transit 1 (the state after the proliferating one).
    let plan = regimen.resolve(&model).unwrap();
    let transit_1 = model.state_index("tumor_transit_1").unwrap();
    assert!(plan.jumps.iter().all(|j| matches!(
        j.kind,
        JumpKind::Scale { to: Some(to), .. } if to == transit_1
    )));

    let s = (-alpha * 4.0 - beta * 16.0f64).exp();
    let times = grid(40, 4.0); // 0 to 10 days, every 6 hours
    for method in METHODS {
        let traj = simulate(&model, &regimen, &times, &options(method)).unwrap();
        let (cx, c1, c2) = (
            column_index(&traj, "tumor"),
            column_index(&traj, "tumor_transit_1"),
            column_index(&traj, "tumor_transit_2"),
        );
        let burden = traj.column(tumor).unwrap();
        let mut err = MaxError::new(format!("RT into transit ({method:?})"));
        for (i, (t, side, row)) in rows(&traj).enumerate() {
            let given: Vec<f64> = fractions
                .iter()
                .filter(|f| dose_included(f.time, t, side))
                .map(|f| f.time)
                .collect();
            let x = 1e9 * (r * t).exp() * s.powi(given.len() as i32);
            let (mut x1, mut x2) = (0.0, 0.0);
            for (j, &ti) in given.iter().enumerate() {
                let lost = 1e9 * (r * ti).exp() * s.powi(j as i32) * (1.0 - s);
                let tau = t - ti;
                x1 += lost * (-k * tau).exp();
                x2 += lost * k * tau * (-k * tau).exp();
            }
            let at = || format!("t = {t} {side:?}");
            err.record(row[cx], x, 0.0, at);
            // Before the first fraction the transit compartments hold exactly 0.
            err.record(row[c1], x1, 1e-6, at);
            err.record(row[c2], x2, 1e-6, at);
            err.record(burden.get(i).unwrap(), x + x1 + x2, 0.0, at);
        }
        err.assert_at_most(ANALYTIC_MAX_REL);
    }
}

#[test]
fn bed_and_eqd2_of_standard_courses() {
    // Exact arithmetic, pkpd.md §7 "Checkable numbers".
    let prostate = Course::hypofractionated_prostate(); // 20 × 3 Gy
    assert_eq!(prostate.total_dose(), 60.0);
    assert!((prostate.bed(1.5) - 180.0).abs() < 1e-12);
    assert!((prostate.eqd2(1.5) - 77.142857142857).abs() < 1e-11);
    assert!((prostate.eqd2(3.0) - 72.0).abs() < 1e-12);
    let breast = Course::hypofractionated_breast(); // 15 × 40/15 Gy
    assert!((breast.total_dose() - 40.0).abs() < 1e-12);
    // The table's 15 × 2.67 Gy (rounded dose per fraction).
    let rounded = Course::weekdays(2.67, 15);
    assert!((rounded.bed(10.0) - 50.74335).abs() < 1e-11);
    assert!((rounded.eqd2(10.0) - 42.286125).abs() < 1e-11);
    // SBRT 3 × 8 Gy: BED(α/β = 10) = 24·1.8 = 43.2 Gy, on consecutive days.
    let sbrt = Course::sbrt_8x3();
    assert!((sbrt.bed(10.0) - 43.2).abs() < 1e-12);
    let days: Vec<f64> = sbrt
        .fractions(10.0)
        .expect("within MAX_FRACTIONS")
        .iter()
        .map(|f| f.time)
        .collect();
    assert_eq!(days, [10.0, 11.0, 12.0]);

    // Repopulation, pkpd.md §7: 30 × 2 Gy, α/β = 10, T = 39 d, Tk = 21 d, α = 0.35, Tpot = 3 d:
    // loss = ln2·18/1.05 = 11.882523095313 Gy; BED = 60.117476904686 Gy.
    let conventional = Course::conventional();
    let repopulation = Repopulation {
        alpha: 0.35,
        kickoff: 21.0,
        doubling_time: 3.0,
    };
    assert_eq!(conventional.overall_time(), 39.0);
    assert!((repopulation.loss(39.0) - 11.882523095313).abs() < 1e-11);
    assert!(
        (conventional.bed_with_repopulation(10.0, &repopulation) - 60.117476904686).abs() < 1e-11
    );
    assert!(
        (conventional.eqd2_with_repopulation(10.0, &repopulation) - 60.117476904686 / 1.2).abs()
            < 1e-11
    );
    // No loss before the kick-off.
    assert_eq!(repopulation.loss(21.0), 0.0);
    // The same from the fraction list, in any order.
    let mut fractions = conventional.fractions(7.0).expect("within MAX_FRACTIONS");
    fractions.reverse();
    assert!(
        (radiotherapy::bed_of(&fractions, 10.0, Some(&repopulation)) - 60.117476904686).abs()
            < 1e-11
    );
    assert!((radiotherapy::eqd2_of(&fractions, 10.0, None) - 60.0).abs() < 1e-12);
    // Mixed doses: 2 + 3 Gy at α/β = 3: 2·(1 + 2/3) + 3·(1 + 1) = 9.333… Gy.
    let mixed = [
        Fraction {
            time: 0.0,
            dose: 2.0,
        },
        Fraction {
            time: 1.0,
            dose: 3.0,
        },
    ];
    assert!((radiotherapy::bed_of(&mixed, 3.0, None) - 28.0 / 3.0).abs() < 1e-14);
}

#[test]
fn weekday_courses_skip_weekends_from_any_start_day() {
    let days = |first, start| -> Vec<f64> {
        Course::weekdays(2.0, 6)
            .starting_on(first)
            .fractions(start)
            .expect("within MAX_FRACTIONS")
            .iter()
            .map(|f| f.time)
            .collect()
    };
    // Monday start: Mon–Fri, then the next Monday.
    assert_eq!(days(Weekday::Monday, 0.0), [0.0, 1.0, 2.0, 3.0, 4.0, 7.0]);
    // Friday start: Fri, Mon–Fri.
    assert_eq!(days(Weekday::Friday, 4.0), [4.0, 7.0, 8.0, 9.0, 10.0, 11.0]);
    // Saturday start: the first fraction is on Monday, two days later.
    assert_eq!(
        days(Weekday::Saturday, 5.0),
        [7.0, 8.0, 9.0, 10.0, 11.0, 14.0]
    );
    // The free function `weekdays` takes the start day as a Monday.
    assert_eq!(
        radiotherapy::weekdays(0.0, 2.0, 30).expect("within MAX_FRACTIONS"),
        Course::conventional()
            .fractions(0.0)
            .expect("within MAX_FRACTIONS")
    );
}

// =============================================================================================
// Oral doses with an absorption lag
// =============================================================================================

#[test]
fn a_lagged_oral_dose_matches_the_pkpd_table() {
    // pkpd.md §1.7 [V-num]: 100 mg oral, F = 1, ka = 1.5, CL = 5, V = 10, tlag = 0.25 day:
    // C(0.2) = 0, C(1) = 5.439552171489, C(2) = 5.166333939664 mg/L.
    let model = pk_model(1.0, 0.25);
    let drug = model.drug("drug").unwrap();
    let regimen = Regimen::new("oral")
        .with(Dose::bolus(0.0, "drug", 100.0).into_compartment(Compartment::Depot));
    for method in METHODS {
        let traj = simulate(&model, &regimen, &[0.2, 1.0, 2.0], &options(method)).unwrap();
        assert_eq!(traj.value_at(0.2, drug).unwrap(), 0.0);
        let mut err = MaxError::new(format!("lagged oral dose vs pkpd.md ({method:?})"));
        for (t, c) in [(1.0, 5.439552171489), (2.0, 5.166333939664)] {
            // The table has 13 significant digits: 1e-11 relative is its rounding.
            err.record(traj.value_at(t, drug).unwrap(), c, 0.0, || {
                format!("t = {t}")
            });
        }
        // The table's 13 digits are far below the solver's error.
        err.assert_at_most(ANALYTIC_MAX_REL);
        // The dose is recorded when it reaches the depot.
        assert_eq!(traj.doses()[0].time, 0.25);
        assert_eq!(traj.doses()[0].amount, 100.0);
    }
}

#[test]
fn repeated_lagged_oral_doses_match_superposed_lagged_bateman() {
    // 100 mg every 12 hours, 6 doses, F = 0.8, lag = 0.25 day: the doses enter the depot at
    // t_i + 0.25. Central: Σ Bateman(t − t_i − lag); depot: Σ F·D·e^(−ka·(t − t_i − lag)).
    let (f, lag, d) = (0.8, 0.25, 100.0);
    let model = pk_model(f, lag);
    let regimen = Regimen::new("oral").with(
        Dose::bolus(0.5, "drug", d)
            .into_compartment(Compartment::Depot)
            .repeated(0.5, 6),
    );
    let nominal: Vec<f64> = (0..6).map(|i| 0.5 + 0.5 * f64::from(i)).collect();
    let times = grid(80, 8.0); // 0 to 10 days every 3 hours: every lagged dose time is on it
    for method in METHODS {
        let traj = simulate(&model, &regimen, &times, &options(method)).unwrap();
        let (central, depot) = (
            column_index(&traj, "drug_central"),
            column_index(&traj, "drug_depot"),
        );
        let mut err = MaxError::new(format!("lagged oral superposition ({method:?})"));
        for (t, side, row) in rows(&traj) {
            let given = nominal
                .iter()
                .filter(|&&ti| dose_included(ti + lag, t, side));
            let exact_c: f64 = given.clone().map(|ti| bateman(d, f, t - ti - lag)).sum();
            let exact_d: f64 = given.map(|ti| f * d * (-KA * (t - ti - lag)).exp()).sum();
            err.record(row[central], exact_c, ANALYTIC_FLOOR_MG, || {
                format!("central, t = {t} {side:?}")
            });
            err.record(row[depot], exact_d, ANALYTIC_FLOOR_MG, || {
                format!("depot, t = {t} {side:?}")
            });
        }
        err.assert_at_most(ANALYTIC_MAX_REL);
        let given: Vec<f64> = traj.doses().iter().map(|r| r.time).collect();
        let lagged: Vec<f64> = nominal.iter().map(|t| t + lag).collect();
        assert_eq!(given, lagged);
    }
}

#[test]
fn an_infusion_into_a_depot_starts_after_the_lag() {
    let model = pk_model(0.5, 0.25);
    let regimen = Regimen::new("sc")
        .with(Dose::infusion(1.0, "drug", 40.0, 0.5).into_compartment(Compartment::Depot));
    let plan = regimen.resolve(&model).unwrap();
    let depot = model.state_index("drug_depot").unwrap();
    assert_eq!(
        plan.infusions,
        [Infusion {
            start: 1.25,
            end: 1.75,
            state: depot,
            rate: 40.0 * 0.5 / 0.5, // F·amount over the duration
            dose: 0,
        }]
    );
}

// =============================================================================================
// Infusions
// =============================================================================================

#[test]
fn an_infusion_by_rate_is_the_infusion_by_duration() {
    let model = pk_model(1.0, 0.0);
    // 200 mg at 9600 mg/day lasts 200/9600 = 1/48 day (30 minutes).
    let by_duration =
        Regimen::new("d").with(Dose::infusion(0.0, "drug", 200.0, 1.0 / 48.0).repeated(21.0, 3));
    let by_rate = Regimen::new("r")
        .with(Dose::infusion_at_rate(0.0, "drug", 200.0, 9600.0).repeated(21.0, 3));
    assert_eq!(
        by_rate.resolve(&model).unwrap(),
        by_duration.resolve(&model).unwrap()
    );
    let times = grid(50, 1.0);
    for method in METHODS {
        let a = simulate(&model, &by_duration, &times, &options(method)).unwrap();
        let b = simulate(&model, &by_rate, &times, &options(method)).unwrap();
        assert_identical(&a, &b);
    }
    // Any rate: the duration is amount/rate.
    let odd_rate = Regimen::new("r").with(Dose::infusion_at_rate(2.0, "drug", 150.0, 37.0));
    let odd_duration = Regimen::new("d").with(Dose::infusion(2.0, "drug", 150.0, 150.0 / 37.0));
    assert_eq!(
        odd_rate.resolve(&model).unwrap(),
        odd_duration.resolve(&model).unwrap()
    );
    // Per kg: 3 mg/kg at 6 mg/kg/day for 70 kg is 210 mg over half a day.
    let subject = Subject::new().with_weight(70.0);
    let per_kg = Regimen::new("kg")
        .with(Dose::infusion_at_rate(0.0, "drug", 3.0, 6.0).in_unit(AmountUnit::PerKg));
    let absolute = Regimen::new("mg").with(Dose::infusion(0.0, "drug", 210.0, 0.5));
    assert_eq!(
        per_kg.resolve_for(&model, &subject).unwrap(),
        absolute.resolve(&model).unwrap()
    );
}

#[test]
fn an_infusion_by_rate_matches_the_pkpd_table() {
    // pkpd.md §1.7 [V-num]: 100 mg over 0.5 day (here 200 mg/day), CL = 5, V = 10:
    // C = 4.700123896616, 8.847968677144, 6.890804934351, 4.179484462783, 0.932569037519 mg/L
    // at t = 0.25, 0.5, 1, 2, 5.
    let model = pk_model(1.0, 0.0);
    let drug = model.drug("drug").unwrap();
    let regimen = Regimen::new("r").with(Dose::infusion_at_rate(0.0, "drug", 100.0, 200.0));
    let table = [
        (0.25, 4.700123896616),
        (0.5, 8.847968677144),
        (1.0, 6.890804934351),
        (2.0, 4.179484462783),
        (5.0, 0.932569037519),
    ];
    let times: Vec<f64> = table.iter().map(|(t, _)| *t).collect();
    for method in METHODS {
        let traj = simulate(&model, &regimen, &times, &options(method)).unwrap();
        let mut err = MaxError::new(format!("infusion by rate vs pkpd.md ({method:?})"));
        for (t, c) in table {
            err.record(traj.value_at(t, drug).unwrap(), c, 0.0, || {
                format!("t = {t}")
            });
        }
        // The table's 12–13 digits are far below the solver's error.
        err.assert_at_most(ANALYTIC_MAX_REL);
    }
}

#[test]
fn overlapping_infusions_into_one_compartment_add_and_input_order_does_not_matter() {
    // 100 mg over [0, 2) and 60 mg over [1, 3), both into the central compartment: rates
    // 50 and 30 mg/day overlap on [1, 2). A bolus of 20 mg at 1.5 as well. Listed out of order.
    let model = pk_model(1.0, 0.0);
    let doses = [
        Dose::bolus(1.5, "drug", 20.0),
        Dose::infusion(1.0, "drug", 60.0, 2.0),
        Dose::infusion(0.0, "drug", 100.0, 2.0),
    ];
    let unsorted = Regimen::new("u").with_doses(doses.iter().cloned());
    let sorted =
        Regimen::new("s").with_doses([doses[2].clone(), doses[1].clone(), doses[0].clone()]);
    let times = grid(32, 4.0);
    for method in METHODS {
        let traj = simulate(&model, &unsorted, &times, &options(method)).unwrap();
        let central = column_index(&traj, "drug_central");
        let mut err = MaxError::new(format!("overlapping infusions ({method:?})"));
        for (t, side, row) in rows(&traj) {
            let mut exact = infusion_amount(50.0, 2.0, t) + infusion_amount(30.0, 2.0, t - 1.0);
            if dose_included(1.5, t, side) {
                exact += 20.0 * (-K * (t - 1.5)).exp();
            }
            err.record(row[central], exact, ANALYTIC_FLOOR_MG, || {
                format!("t = {t} {side:?}")
            });
        }
        err.assert_at_most(ANALYTIC_MAX_REL);
        // Sorted input gives the same trajectory (only the doses' indices differ).
        let other = simulate(&model, &sorted, &times, &options(method)).unwrap();
        assert_identical(&traj, &other);
    }
}

// =============================================================================================
// Repeats, cycles, splits
// =============================================================================================

/// The plan with every dose index set to 0 (two regimens listing the same administrations
/// differently number their doses differently).
fn without_dose_indices(plan: &Plan) -> Plan {
    let mut plan = plan.clone();
    for jump in &mut plan.jumps {
        if let JumpKind::Add { dose, .. } = &mut jump.kind {
            *dose = 0;
        }
    }
    for infusion in &mut plan.infusions {
        infusion.dose = 0;
    }
    plan
}

#[test]
fn an_addl_expansion_equals_the_explicit_doses() {
    let model = pk_model(0.7, 0.1);
    let repeated = Regimen::new("addl")
        .with(Dose::bolus(0.25, "drug", 30.0).repeated(1.5, 5))
        .with(Dose::infusion(0.5, "drug", 10.0, 0.25).repeated(2.0, 4))
        .with(
            Dose::bolus(0.0, "drug", 50.0)
                .into_compartment(Compartment::Depot)
                .repeated(0.75, 7),
        );
    let mut explicit = Regimen::new("explicit");
    for dose in &repeated.doses {
        explicit = explicit.with_doses(dose.expand());
    }
    assert_eq!(explicit.doses.len(), 5 + 4 + 7);
    let (a, b) = (
        repeated.resolve(&model).unwrap(),
        explicit.resolve(&model).unwrap(),
    );
    assert_eq!(without_dose_indices(&a), without_dose_indices(&b));
    let times = grid(40, 4.0);
    for method in METHODS {
        assert_identical(
            &simulate(&model, &repeated, &times, &options(method)).unwrap(),
            &simulate(&model, &explicit, &times, &options(method)).unwrap(),
        );
    }
}

#[test]
fn cycles_give_the_expected_dose_days() {
    let model = pk_model(1.0, 0.0);
    // Days 1 and 8 of every 21-day cycle, 6 cycles, the first cycle starting on day 2.
    let template = Dose::infusion(2.0, "drug", 75.0, 1.0 / 24.0);
    let doses = Cycle::new(21.0, 6)
        .on_days(&[8, 1])
        .doses(&template)
        .unwrap();
    assert_eq!(doses.len(), 2, "one repeated dose per treatment day");
    let plan = Regimen::new("q21d")
        .with_doses(doses)
        .resolve(&model)
        .unwrap();
    let starts: Vec<f64> = plan.infusions.iter().map(|i| i.start).collect();
    let mut expected = Vec::new();
    for cycle in 0..6 {
        for day in [1.0, 8.0] {
            expected.push(2.0 + 21.0 * f64::from(cycle) + (day - 1.0));
        }
    }
    assert_eq!(starts, expected);
    // 75 mg over 1/24 day: 1800 mg/day, to the rounding of 1/24.
    assert!(plan
        .infusions
        .iter()
        .all(|i| (i.rate / 1800.0 - 1.0).abs() < 1e-15));

    // Days 1, 8 and 15 of a 28-day cycle, 3 cycles, from day 0.
    let weekly = Cycle::new(28.0, 3)
        .on_days(&[1, 8, 15])
        .doses(&Dose::bolus(0.0, "drug", 1.0))
        .unwrap();
    let plan = Regimen::new("q28d")
        .with_doses(weekly)
        .resolve(&model)
        .unwrap();
    let days: Vec<f64> = plan.jumps.iter().map(|j| j.time).collect();
    assert_eq!(days, [0.0, 7.0, 14.0, 28.0, 35.0, 42.0, 56.0, 63.0, 70.0]);

    // Cell doses alike: 1e7 CTLs on day 1 of two 14-day cycles.
    let cells = Cycle::new(14.0, 2)
        .doses(&Dose::bolus(0.0, "ctl", 1e7))
        .unwrap();
    let plan = Regimen::new("act")
        .with_doses(cells)
        .resolve(&model)
        .unwrap();
    let ctl = model.state_index("ctl").unwrap();
    assert_eq!(
        plan.jumps,
        [0.0, 14.0].map(|time| Jump {
            time,
            kind: JumpKind::Add {
                state: ctl,
                amount: 1e7,
                dose: 0,
            },
        })
    );
}

#[test]
fn a_split_cell_dose_matches_the_closed_form() {
    // CAR-T-like split: 10 %, 30 %, 60 % of 1e8 cells on days 0, 1, 2 into a population without
    // source and with death δ = 0.2 1/day: E(t) = E0·e^(−δt) + Σ a_i·e^(−δ(t − t_i)).
    let model = pk_model(1.0, 0.0);
    let ctl = model.effector("ctl").unwrap();
    let parts = Dose::bolus(0.0, "ctl", 1e8)
        .split(&[
            Portion::new(0.0, 0.1),
            Portion::new(1.0, 0.3),
            Portion::new(2.0, 0.6),
        ])
        .unwrap();
    let given: Vec<(f64, f64)> = parts.iter().map(|d| (d.time, d.amount)).collect();
    assert_eq!(given, [(0.0, 1e7), (1.0, 3e7), (2.0, 6e7)]);
    let regimen = Regimen::new("car_t").with_doses(parts);
    let times = grid(40, 4.0);
    for method in METHODS {
        let traj = simulate(&model, &regimen, &times, &options(method)).unwrap();
        let column = traj.column(ctl).unwrap();
        let mut err = MaxError::new(format!("split cell dose ({method:?})"));
        for (i, (t, side, _)) in rows(&traj).enumerate() {
            let mut exact = 1e6 * (-0.2 * t).exp();
            for &(ti, a) in &given {
                if dose_included(ti, t, side) {
                    exact += a * (-0.2 * (t - ti)).exp();
                }
            }
            err.record(column.get(i).unwrap(), exact, 0.0, || {
                format!("t = {t} {side:?}")
            });
        }
        err.assert_at_most(ANALYTIC_MAX_REL);
    }
}

// =============================================================================================
// Amounts per kg and per m²
// =============================================================================================

#[test]
fn amounts_per_kg_and_per_m2_are_scaled_by_the_subject() {
    let model = pk_model(0.5, 0.0);
    // 180 cm and 80 kg: Mosteller BSA = √(180·80/3600) = 2 m² exactly.
    let subject = Subject::new().with_weight(80.0).with_height(180.0);
    let scaled = Regimen::new("scaled")
        .with(Dose::bolus(0.0, "drug", 2.0).in_unit(AmountUnit::PerKg)) // 160 mg
        .with(Dose::infusion(1.0, "drug", 75.0, 0.5).in_unit(AmountUnit::PerM2)) // 150 mg
        .with(
            Dose::bolus(2.0, "drug", 1.5)
                .in_unit(AmountUnit::PerKg)
                .into_compartment(Compartment::Depot), // 120 mg, F = 0.5
        )
        .with(Dose::bolus(3.0, "ctl", 1e6).in_unit(AmountUnit::PerKg)) // 8e7 cells
        .with(Dose::bolus(4.0, "drug", 10.0)); // absolute
    let absolute = Regimen::new("absolute")
        .with(Dose::bolus(0.0, "drug", 160.0))
        .with(Dose::infusion(1.0, "drug", 150.0, 0.5))
        .with(Dose::bolus(2.0, "drug", 120.0).into_compartment(Compartment::Depot))
        .with(Dose::bolus(3.0, "ctl", 8e7))
        .with(Dose::bolus(4.0, "drug", 10.0));
    let plan = scaled.resolve_for(&model, &subject).unwrap();
    assert_eq!(plan, absolute.resolve(&model).unwrap());
    // The individualized regimen resolves to the same plan without a subject.
    let individual = scaled.for_subject(&subject).unwrap();
    assert!(individual
        .doses
        .iter()
        .all(|d| d.unit == AmountUnit::Absolute));
    assert_eq!(individual.resolve(&model).unwrap(), plan);
    // A measured BSA wins over height and weight: 75 mg/m² × 1.7 m² = 127.5 mg.
    let measured = subject.with_bsa(1.7);
    let plan = scaled.resolve_for(&model, &measured).unwrap();
    assert!((plan.infusions[0].rate / (127.5 / 0.5) - 1.0).abs() < 1e-15);
    // A subject is not needed for absolute amounts, and changes nothing about them.
    assert_eq!(
        absolute.resolve_for(&model, &subject).unwrap(),
        absolute.resolve(&model).unwrap()
    );
}

// =============================================================================================
// Resets
// =============================================================================================

#[test]
fn a_reset_cuts_a_running_infusion() {
    // Infusion A: 100 mg over [0, 2) (50 mg/day); reset at t = 1 (every state back to t = 0's);
    // infusion B: 60 mg over [1, 1.5) (120 mg/day), starting at the reset (given after it).
    // A's second half is not given. Central amount:
    //   t < 1:  50/k·(1 − e^(−k·t));   t ≥ 1 (after the reset): B alone from 0.
    // Tumor (exponential, r = 0.1, 1e6 cells): e^(r·t) before, e^(r·(t − 1)) after.
    let model = pk_model(1.0, 0.0);
    let regimen = Regimen::new("reset")
        .with(Dose::infusion(0.0, "drug", 100.0, 2.0))
        .with(Dose::infusion(1.0, "drug", 60.0, 0.5))
        .with_reset(1.0);
    let plan = regimen.resolve(&model).unwrap();
    assert_eq!(plan.infusions[0].end, 1.0, "A is cut at the reset");
    assert_eq!(
        plan.infusions[1].end, 1.5,
        "B starts at the reset and is not cut"
    );
    assert_eq!(plan.jumps[0].kind, JumpKind::Reset);
    let times = grid(24, 4.0);
    for method in METHODS {
        let traj = simulate(&model, &regimen, &times, &options(method)).unwrap();
        let (central, tumor) = (
            column_index(&traj, "drug_central"),
            column_index(&traj, "tumor"),
        );
        let mut err = MaxError::new(format!("reset during an infusion ({method:?})"));
        for (t, side, row) in rows(&traj) {
            let after = dose_included(1.0, t, side);
            let (drug, cells) = if after {
                (
                    infusion_amount(120.0, 0.5, t - 1.0),
                    1e6 * (0.1 * (t - 1.0)).exp(),
                )
            } else {
                (infusion_amount(50.0, 2.0, t), 1e6 * (0.1 * t).exp())
            };
            err.record(row[central], drug, ANALYTIC_FLOOR_MG, || {
                format!("drug, t = {t} {side:?}")
            });
            err.record(row[tumor], cells, 0.0, || {
                format!("tumor, t = {t} {side:?}")
            });
        }
        err.assert_at_most(ANALYTIC_MAX_REL);
        assert_eq!(traj.resets(), [1.0]);
        // The doses given: A's delivered half (50 mg), then B.
        let given: Vec<f64> = traj.doses().iter().map(|d| d.amount).collect();
        assert_eq!(given, [50.0, 60.0]);
    }
}

#[test]
fn shifting_and_merging_carry_resets() {
    let a = Regimen::new("a").with_reset(3.0);
    let b = Regimen::new("b")
        .with(Dose::bolus(1.0, "drug", 1.0))
        .with_reset(5.0);
    let merged = a.merged(&b.shifted(2.0));
    assert_eq!(merged.resets, [3.0, 7.0]);
    assert_eq!(merged.doses[0].time, 3.0);
}

// =============================================================================================
// Files
// =============================================================================================

#[test]
fn new_regimen_fields_round_trip_through_a_model_file() -> Result<(), oncodyn::Error> {
    let model = pk_model(0.8, 0.25);
    let regimen = Regimen::new("all")
        .with(Dose::bolus(0.0, "drug", 2.0).in_unit(AmountUnit::PerKg))
        .with(Dose::infusion_at_rate(1.0, "drug", 100.0, 200.0).in_unit(AmountUnit::PerM2))
        .with(Dose::bolus(2.0, "drug", 50.0).into_compartment(Compartment::Depot))
        .with_doses(
            Cycle::new(21.0, 2)
                .on_days(&[1, 8])
                .doses(&Dose::bolus(0.0, "ctl", 1e7))?,
        )
        .with_radiotherapy(
            Course::sbrt_8x3()
                .fractions(3.0)
                .expect("within MAX_FRACTIONS"),
        )
        .with_reset(10.0);
    let file = ModelFile::from_model(&model, regimen, SimulationSection::grid(20.0, 1.0))?;
    let text = file.to_toml_string()?;
    assert_eq!(ModelFile::from_toml_str(&text)?, file, "TOML:\n{text}");

    // Written by hand.
    let file = ModelFile::from_toml_str(
        r#"
        [[model.drugs]]
        name = "oral"
        cl = 5.0
        v1 = 10.0
        absorption = { ka = 1.5, bioavailability = 0.8, lag = 0.25 }   # 1/day, –, days

        [regimen]
        name = "per m2"
        resets = [10.0]                                                  # days

        [[regimen.doses]]
        time = 0.0
        target = "oral"
        amount = 40.0                                                    # mg/m²
        unit = "per_m2"
        rate = 160.0                                                     # mg/m²/day

        [simulation]
        times = [0.0, 1.0]
        "#,
    )?;
    assert_eq!(file.regimen.doses[0].unit, AmountUnit::PerM2);
    assert_eq!(file.regimen.doses[0].rate, Some(160.0));
    assert_eq!(file.regimen.resets, [10.0]);
    assert_eq!(file.model.drugs[0].absorption.map(|a| a.lag), Some(0.25));
    Ok(())
}

// =============================================================================================
// Errors: one per bad input, with its variant and what it names
// =============================================================================================

#[test]
fn a_dose_per_kg_without_a_weight_is_rejected() {
    let model = pk_model(1.0, 0.0);
    let regimen = Regimen::new("r")
        .with(Dose::bolus(0.0, "drug", 1.0))
        .with(Dose::bolus(1.0, "drug", 2.0).in_unit(AmountUnit::PerKg));
    let expected = ScheduleError::MissingCovariate {
        dose: 1,
        target: "drug".into(),
        unit: AmountUnit::PerKg,
        needs: "weight",
    };
    assert_eq!(schedule_error(&model, &regimen), expected);
    let tall = Subject::new().with_height(180.0).with_bsa(2.0);
    assert_eq!(regimen.resolve_for(&model, &tall), Err(expected.clone()));
    assert_eq!(regimen.for_subject(&tall), Err(expected));
    // Through simulate, as an oncodyn::Error.
    let err = simulate(&model, &regimen, &[0.0, 1.0], &SolverOptions::default()).unwrap_err();
    assert!(matches!(
        err,
        oncodyn::Error::Schedule(ScheduleError::MissingCovariate { dose: 1, .. })
    ));
}

#[test]
fn a_dose_per_m2_without_a_body_surface_area_is_rejected() {
    let model = pk_model(1.0, 0.0);
    let regimen = Regimen::new("r").with(Dose::bolus(0.0, "ctl", 1e6).in_unit(AmountUnit::PerM2));
    let weight_only = Subject::new().with_weight(70.0);
    assert_eq!(
        regimen.resolve_for(&model, &weight_only),
        Err(ScheduleError::MissingCovariate {
            dose: 0,
            target: "ctl".into(),
            unit: AmountUnit::PerM2,
            needs: "bsa (or height and weight)",
        })
    );
}

#[test]
fn invalid_subject_covariates_are_rejected() {
    let model = pk_model(1.0, 0.0);
    let regimen = Regimen::new("r").with(Dose::bolus(0.0, "drug", 1.0));
    let err = regimen
        .resolve_for(&model, &Subject::new().with_weight(f64::NAN))
        .unwrap_err();
    assert!(
        matches!(err, ScheduleError::InvalidSubject { field: "weight", value } if value.is_nan())
    );
    let err = regimen
        .resolve_for(&model, &Subject::new().with_weight(70.0).with_bsa(0.0))
        .unwrap_err();
    assert_eq!(
        err,
        ScheduleError::InvalidSubject {
            field: "bsa",
            value: 0.0
        }
    );
    let err = regimen
        .for_subject(&Subject::new().with_height(f64::INFINITY))
        .unwrap_err();
    assert_eq!(
        err,
        ScheduleError::InvalidSubject {
            field: "height",
            value: f64::INFINITY
        }
    );
}

#[test]
fn non_positive_or_non_finite_infusion_rates_are_rejected() {
    let model = pk_model(1.0, 0.0);
    for rate in [0.0, -5.0, f64::INFINITY] {
        let regimen = Regimen::new("r")
            .with(Dose::bolus(0.0, "drug", 1.0))
            .with(Dose::infusion_at_rate(1.0, "drug", 10.0, rate));
        assert_eq!(
            schedule_error(&model, &regimen),
            ScheduleError::InvalidRate {
                dose: 1,
                target: "drug".into(),
                rate
            }
        );
    }
    let regimen = Regimen::new("r").with(Dose::infusion_at_rate(1.0, "drug", 10.0, f64::NAN));
    assert!(matches!(
        schedule_error(&model, &regimen),
        ScheduleError::InvalidRate { dose: 0, rate, .. } if rate.is_nan()
    ));
}

#[test]
fn an_infusion_with_both_rate_and_duration_is_rejected() {
    let model = pk_model(1.0, 0.0);
    let mut dose = Dose::infusion(0.0, "drug", 10.0, 1.0);
    dose.rate = Some(10.0);
    let regimen = Regimen::new("r")
        .with(Dose::bolus(0.0, "drug", 1.0))
        .with(dose);
    assert_eq!(
        schedule_error(&model, &regimen),
        ScheduleError::RateAndDuration {
            dose: 1,
            target: "drug".into(),
            rate: 10.0,
            duration: 1.0
        }
    );
}

#[test]
fn a_zero_amount_given_by_rate_has_no_duration_and_is_rejected() {
    let model = pk_model(1.0, 0.0);
    let regimen = Regimen::new("r").with(Dose::infusion_at_rate(1.0, "drug", 0.0, 10.0));
    assert_eq!(
        schedule_error(&model, &regimen),
        ScheduleError::InvalidDuration {
            dose: 0,
            target: "drug".into(),
            duration: 0.0
        }
    );
}

#[test]
fn an_infusion_shorter_than_the_rounding_of_its_start_is_rejected() {
    // 1e-15 day at t = 100: its end rounds to within a few ULPs of its start.
    let model = pk_model(1.0, 0.0);
    let regimen = Regimen::new("r").with(Dose::infusion(100.0, "drug", 1.0, 1e-15));
    assert_eq!(
        schedule_error(&model, &regimen),
        ScheduleError::InvalidDuration {
            dose: 0,
            target: "drug".into(),
            duration: 1e-15
        }
    );
}

#[test]
fn negative_or_non_finite_reset_times_are_rejected() {
    let model = pk_model(1.0, 0.0);
    let regimen = Regimen::new("r").with_reset(2.0).with_reset(-1.0);
    assert_eq!(
        schedule_error(&model, &regimen),
        ScheduleError::InvalidReset {
            reset: 1,
            time: -1.0
        }
    );
    let regimen = Regimen::new("r").with_reset(f64::NAN);
    assert!(matches!(
        schedule_error(&model, &regimen),
        ScheduleError::InvalidReset { reset: 0, time } if time.is_nan()
    ));
}

#[test]
fn invalid_cycles_are_rejected_naming_the_parameter() {
    let dose = Dose::bolus(0.0, "drug", 1.0);
    let err = |cycle: Cycle| cycle.doses(&dose).unwrap_err();
    assert!(matches!(
        err(Cycle::new(0.0, 6)),
        ScheduleError::InvalidCycle { param: "length", value, .. } if value == 0.0
    ));
    assert!(matches!(
        err(Cycle::new(f64::NAN, 6)),
        ScheduleError::InvalidCycle { param: "length", value, .. } if value.is_nan()
    ));
    assert!(matches!(
        err(Cycle::new(21.0, 0)),
        ScheduleError::InvalidCycle {
            param: "cycles",
            ..
        }
    ));
    assert!(matches!(
        err(Cycle::new(21.0, 6).on_days(&[0, 8])),
        ScheduleError::InvalidCycle { param: "days", value, .. } if value == 0.0
    ));
    assert!(matches!(
        err(Cycle::new(21.0, 6).on_days(&[1, 22])),
        ScheduleError::InvalidCycle { param: "days", value, .. } if value == 22.0
    ));
    assert!(matches!(
        err(Cycle::new(21.0, 6).on_days(&[8, 1, 8])),
        ScheduleError::InvalidCycle { param: "days", value, reason: "is given twice" } if value == 8.0
    ));
    assert!(matches!(
        err(Cycle::new(21.0, 6).on_days(&[])),
        ScheduleError::InvalidCycle { param: "days", .. }
    ));
    let repeated = dose.clone().repeated(7.0, 3);
    assert!(matches!(
        Cycle::new(21.0, 6).doses(&repeated).unwrap_err(),
        ScheduleError::InvalidCycle { param: "repeat", value, .. } if value == 2.0
    ));
}

#[test]
fn invalid_splits_are_rejected_naming_the_portion() {
    let dose = Dose::bolus(0.0, "ctl", 1e8);
    let split = |parts: &[Portion]| dose.split(parts).unwrap_err();
    assert!(matches!(
        split(&[Portion::new(0.0, 0.5), Portion::new(1.0, 0.0)]),
        ScheduleError::InvalidPortion { portion: 1, field: "fraction", value, .. } if value == 0.0
    ));
    assert!(matches!(
        split(&[Portion::new(0.0, 1.5)]),
        ScheduleError::InvalidPortion { portion: 0, field: "fraction", value, .. } if value == 1.5
    ));
    assert!(matches!(
        split(&[Portion::new(0.0, 0.5), Portion::new(-1.0, 0.5)]),
        ScheduleError::InvalidPortion { portion: 1, field: "offset", value, .. } if value == -1.0
    ));
    assert!(matches!(
        split(&[Portion::new(f64::NAN, 1.0)]),
        ScheduleError::InvalidPortion { portion: 0, field: "offset", value, .. } if value.is_nan()
    ));
    assert!(matches!(
        split(&[Portion::new(0.0, 0.3), Portion::new(1.0, 0.6)]),
        ScheduleError::SplitNotWhole { sum } if (sum - 0.9).abs() < 1e-15
    ));
    assert!(matches!(split(&[]), ScheduleError::SplitNotWhole { sum } if sum == 0.0));
}

#[test]
fn a_negative_or_non_finite_absorption_lag_is_rejected() {
    for lag in [-0.1, f64::NAN, f64::INFINITY] {
        let mut b = ModelBuilder::new();
        let err = b
            .drug(
                DrugSpec::new("oral", OneCompartment { cl: 5.0, v: 10.0 })
                    .with_lagged_absorption(1.5, 1.0, lag),
            )
            .unwrap_err();
        assert!(
            matches!(
                err,
                BuildError::InvalidParameter { ref component, param: "lag", value, .. }
                    if component == "oral" && (value == lag || value.is_nan())
            ),
            "{err:?}"
        );
    }
}

#[test]
fn the_formula_helpers_agree_with_the_test_formulas() {
    // The library's Bateman (used elsewhere) and this file's agree, so the superposition test
    // checks the solver and the lag, not a shared formula.
    for tau in [0.1, 0.5, 1.0, 3.0, 10.0] {
        let library = oncodyn::model::closed_form::bateman(100.0, 0.8, KA, K, tau);
        assert!((library / bateman(100.0, 0.8, tau) - 1.0).abs() <= FORMULA_AGREEMENT);
        let library = oncodyn::model::closed_form::infusion_1cpt(100.0, 0.5, K, tau);
        assert!((library / infusion_amount(200.0, 0.5, tau) - 1.0).abs() <= FORMULA_AGREEMENT);
    }
}
