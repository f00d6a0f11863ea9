//! State-triggered events and steady states, each against a closed form.

use approx::assert_relative_eq;
use oncodyn::dosing::radiotherapy::Fraction;
use oncodyn::prelude::*;
use oncodyn::solver::{
    simulate_with_events, steady_state, Action, Condition, DiameterMapping, EventRule, Period,
    Quantity,
};

/// Tight tolerances so that the located time is limited by the root finder, not the solver
/// (thresholds near 1 cell need an absolute tolerance far below a cell).
fn tight() -> SolverOptions {
    let mut opts = SolverOptions {
        rtol: 1e-12,
        ..Default::default()
    };
    opts.atol.cells = 1e-12;
    opts.atol.milligrams = 1e-12;
    opts
}

fn exponential_tumor(t0: f64, rate: f64, unit: BurdenUnit) -> (Model, StateId<Tumor>) {
    let mut b = ModelBuilder::new();
    let tumor = b
        .tumor(TumorSpec::new("tumor", t0, Exponential { rate }).in_unit(unit))
        .unwrap();
    (b.build().unwrap(), tumor)
}

fn above(value: f64) -> Condition {
    Condition::Above {
        quantity: Quantity::Burden {
            tumor: "tumor".into(),
        },
        value,
    }
}

#[test]
fn threshold_crossing_of_exponential_growth_is_located_to_1e_8_days() {
    // T(t) = T0·e^(rt) reaches T* at t* = ln(T*/T0)/r.
    let (model, _) = exponential_tumor(1e6, 0.13, BurdenUnit::Cells);
    let rule = EventRule::new("tenfold", above(1e7), Action::Record);
    let traj = simulate_with_events(
        &model,
        &Regimen::new("none"),
        &[rule],
        &[0.0, 40.0],
        &tight(),
    )
    .unwrap();
    let exact = 10f64.ln() / 0.13;
    assert_eq!(traj.events().len(), 1);
    let got = traj.events()[0].time;
    assert!((got - exact).abs() <= 1e-8, "{got} vs {exact}");
    // The record row sits at the event time, between the two output rows.
    assert_eq!(traj.times(), &[0.0, got, 40.0]);
}

#[test]
fn repeated_rules_fire_at_every_crossing_and_one_shot_rules_once() {
    // A drug bolus every 10 days into a one-compartment drug, k = 0.5/day, V = 1 L: the
    // concentration falls through 1 mg/L once per interval, at t = 10·i + ln(10)/0.5.
    let mut b = ModelBuilder::new();
    b.drug(DrugSpec::new("drug", OneCompartment { cl: 0.5, v: 1.0 }))
        .unwrap();
    let model = b.build().unwrap();
    let regimen = Regimen::new("q10d").with(Dose::bolus(0.0, "drug", 10.0).repeated(10.0, 3));
    let below = Condition::Below {
        quantity: Quantity::Concentration {
            drug: "drug".into(),
        },
        value: 1.0,
    };
    let mut every = EventRule::new("every", below.clone(), Action::Record);
    every.repeat = true;
    let once = EventRule::new("once", below, Action::Record);
    let traj =
        simulate_with_events(&model, &regimen, &[every, once], &[0.0, 30.0], &tight()).unwrap();
    let times = |name: &str| -> Vec<f64> {
        traj.events()
            .iter()
            .filter(|e| e.rule == name)
            .map(|e| e.time)
            .collect()
    };
    let every = times("every");
    assert_eq!(every.len(), 3);
    for (i, t) in every.iter().enumerate() {
        // After dose i the concentration is 10·e^(−0.5(t−10i))·S_i with S_i = Σ_{m≤i} e^(−5m)
        // (superposition), so it reaches 1 mg/L at t = 10i + ln(10·S_i)/0.5.
        let s_i: f64 = (0..=i).map(|m| (-5.0 * m as f64).exp()).sum();
        let exact = 10.0 * i as f64 + (10.0 * s_i).ln() / 0.5;
        assert!((t - exact).abs() <= 1e-8, "crossing {i}: {t} vs {exact}");
    }
    assert_eq!(times("once").len(), 1);
}

#[test]
fn stop_ends_the_trajectory_at_the_event() {
    let (model, tumor) = exponential_tumor(1e6, 0.1, BurdenUnit::Cells);
    let rule = EventRule::new("double", above(2e6), Action::Stop);
    let traj = simulate_with_events(
        &model,
        &Regimen::new("none"),
        &[rule],
        &[0.0, 5.0, 10.0, 15.0],
        &tight(),
    )
    .unwrap();
    let t = 10.0 * 2f64.ln();
    let last = traj.n_rows() - 1;
    assert!((traj.times()[last] - t).abs() <= 1e-8);
    assert_eq!(traj.times().len(), 3, "rows at 0, 5 and the stop");
    assert_relative_eq!(
        traj.column(tumor).unwrap().get(last).unwrap(),
        2e6,
        max_relative = 1e-9
    );
}

#[test]
fn eradication_by_a_drug_zeroes_the_tumor_and_it_stays_zero() {
    // Tumor T0 = 1e3 cells, growth 0.1/day, killed at 1/day by a constant-concentration drug
    // (infusion into a drug without clearance would not be constant; use a linear kill on a
    // drug whose amount never changes: cl = 0 and a bolus of 1 mg in V = 1 L, slope 1.1).
    // Net rate −1/day: T = 1e3·e^(−t) falls below 1 cell at t = ln(1e3).
    let mut b = ModelBuilder::new();
    let tumor = b
        .tumor(TumorSpec::new("tumor", 1e3, Exponential { rate: 0.1 }))
        .unwrap();
    let drug = b
        .drug(DrugSpec::new("drug", OneCompartment { cl: 0.0, v: 1.0 }))
        .unwrap();
    b.effect(drug, Target::TumorKill(tumor), Linear { slope: 1.1 })
        .unwrap();
    let model = b.build().unwrap();
    let regimen = Regimen::new("kill").with(Dose::bolus(0.0, "drug", 1.0));
    let rule = EventRule::eradication("tumor", 1.0);
    let traj =
        simulate_with_events(&model, &regimen, &[rule], &[0.0, 10.0, 20.0], &tight()).unwrap();
    let event = &traj.events()[0];
    assert!((event.time - 1e3f64.ln()).abs() <= 1e-8, "{}", event.time);
    assert_eq!(event.action, "eradicate");
    let column = traj.column(tumor).unwrap();
    assert_eq!(column.get(traj.n_rows() - 1), Some(0.0));
    assert_eq!(traj.value_at(20.0, tumor).unwrap(), 0.0);
}

#[test]
fn a_radiotherapy_fraction_that_crosses_a_threshold_fires_at_the_fraction_time() {
    // 1e3 cells, α = 1/Gy, β = 0: 10 Gy leaves 1e3·e^(−10) ≈ 0.045 cells < 1 at t = 2.
    let mut b = ModelBuilder::new();
    let tumor = b
        .tumor(
            TumorSpec::new("tumor", 1e3, Exponential { rate: 0.0 }).with_radiosensitivity(1.0, 0.0),
        )
        .unwrap();
    let model = b.build().unwrap();
    let regimen = Regimen::new("rt").with_radiotherapy([Fraction {
        time: 2.0,
        dose: 10.0,
    }]);
    let rule = EventRule::eradication("tumor", 1.0);
    let traj = simulate_with_events(&model, &regimen, &[rule], &[0.0, 5.0], &tight()).unwrap();
    assert_eq!(traj.events().len(), 1);
    assert_eq!(traj.events()[0].time, 2.0);
    assert_eq!(traj.value_at(5.0, tumor).unwrap(), 0.0);
}

#[test]
fn progression_from_baseline_nadir_matches_the_sphere_diameter_closed_form() {
    // Tumor in mm³ growing exponentially from V0 = 500 mm³ (D0 = (6·V0/π)^(1/3) ≈ 9.85 mm):
    // the nadir is the baseline, so progression is D ≥ max(1.2·D0, D0 + 5 mm); here
    // D0 + 5 mm dominates. V* = π/6·D*³, t* = ln(V*/V0)/r.
    let v0: f64 = 500.0;
    let r = 0.05;
    let (model, _) = exponential_tumor(v0, r, BurdenUnit::CubicMillimeters);
    let d0 = DiameterMapping::diameter_mm(v0);
    let d_star = (1.2 * d0).max(d0 + 5.0);
    let v_star = std::f64::consts::PI / 6.0 * d_star.powi(3);
    let exact = (v_star / v0).ln() / r;
    let traj = simulate_with_events(
        &model,
        &Regimen::new("none"),
        &[EventRule::progression()],
        &[0.0, 60.0],
        &tight(),
    )
    .unwrap();
    let t = traj.events()[0].time;
    assert!((t - exact).abs() <= 1e-8, "{t} vs {exact}");
}

#[test]
fn progression_after_a_response_counts_from_the_nadir_and_stops_dosing() {
    // A sensitive clone (1e9 cells) killed by the drug faster than it grows, and a resistant
    // clone (1e7 cells) the drug does not touch: the summed burden falls, reaches a nadir and
    // regrows while dosing goes on; at progression dosing stops.
    let mut b = ModelBuilder::new();
    let sensitive = b
        .tumor(TumorSpec::new("sensitive", 1e9, Exponential { rate: 0.05 }))
        .unwrap();
    b.tumor(TumorSpec::new("resistant", 1e7, Exponential { rate: 0.05 }))
        .unwrap();
    let drug = b
        .drug(DrugSpec::new("drug", OneCompartment { cl: 1.0, v: 1.0 }))
        .unwrap();
    b.effect(drug, Target::TumorKill(sensitive), Linear { slope: 0.05 })
        .unwrap();
    let model = b.build().unwrap();
    let regimen = Regimen::new("q28d").with(Dose::bolus(0.0, "drug", 40.0).repeated(28.0, 10));
    let mut rule = EventRule::progression();
    rule.action = Action::StopDosing;
    let times: Vec<f64> = (0..=280).map(f64::from).collect();
    let traj = simulate_with_events(&model, &regimen, &[rule], &times, &tight()).unwrap();
    assert_eq!(traj.events().len(), 1, "progression fires once");
    let event = &traj.events()[0];
    // Doses were given before the event and none after it.
    assert!(traj.doses().len() >= 2);
    assert!(traj.doses().iter().all(|d| d.time <= event.time));
    // At the event, D = max(1.2·D_nadir, D_nadir + 5 mm), D_nadir the smallest summed
    // diameter before it. The rule tracks the nadir at every solver step, this check at the
    // output rows only, whose minimum can only be higher: the event diameter is at or just
    // below the threshold computed here.
    let map = DiameterMapping::default();
    let diameter = |row: &[f64]| {
        DiameterMapping::diameter_mm(map.volume_mm3(row[0] + row[1], BurdenUnit::Cells))
    };
    let d_nadir = (0..traj.n_rows())
        .filter(|&i| traj.times()[i] <= event.time)
        .map(|i| diameter(traj.row(i).unwrap()))
        .fold(f64::INFINITY, f64::min);
    let d_event = diameter(&event.state);
    let threshold = (1.2 * d_nadir).max(d_nadir + 5.0);
    assert!(
        d_event <= threshold * (1.0 + 1e-9),
        "{d_event} vs {threshold}"
    );
    assert!(d_event >= threshold * 0.999, "{d_event} vs {threshold}");
}

#[test]
fn switch_regimen_starts_the_new_doses_from_the_event() {
    let mut b = ModelBuilder::new();
    b.tumor(TumorSpec::new("tumor", 1e6, Exponential { rate: 0.1 }))
        .unwrap();
    b.drug(DrugSpec::new("drug", OneCompartment { cl: 1.0, v: 1.0 }))
        .unwrap();
    let model = b.build().unwrap();
    let first = Regimen::new("first").with(Dose::bolus(0.0, "drug", 1.0).repeated(1.0, 30));
    let second = Regimen::new("second").with(Dose::bolus(0.5, "drug", 7.0).repeated(2.0, 3));
    let rule = EventRule::new(
        "switch",
        above(2e6),
        Action::SwitchRegimen { regimen: second },
    );
    let traj = simulate_with_events(&model, &first, &[rule], &[0.0, 30.0], &tight()).unwrap();
    let t = 10.0 * 2f64.ln();
    let after: Vec<(f64, f64)> = traj
        .doses()
        .iter()
        .filter(|d| d.time > t)
        .map(|d| (d.time, d.amount))
        .collect();
    assert_eq!(after.len(), 3);
    for (k, (time, amount)) in after.iter().enumerate() {
        assert!((time - (t + 0.5 + 2.0 * k as f64)).abs() < 1e-8);
        assert_eq!(*amount, 7.0);
    }
    assert_eq!(traj.doses().iter().filter(|d| d.time < t).count(), 7);
}

#[test]
fn unknown_names_in_rules_are_typed_errors() {
    let (model, _) = exponential_tumor(1e6, 0.1, BurdenUnit::Cells);
    let rule = EventRule::eradication("tumour", 1.0);
    let err = simulate_with_events(
        &model,
        &Regimen::new("none"),
        &[rule],
        &[0.0, 1.0],
        &tight(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            oncodyn::Error::Schedule(oncodyn::ScheduleError::UnknownEventTarget { ref name, .. })
                if name == "tumour"
        ),
        "{err:?}"
    );
}

#[test]
fn steady_state_of_repeated_boluses_is_the_geometric_series_limit() {
    // One compartment, k = 0.3/day, 50 mg every 2 days: pre-dose amount at steady state
    // D·r/(1 − r), r = e^(−kτ) (Gibaldi & Perrier, Pharmacokinetics, ch. 3).
    let mut b = ModelBuilder::new();
    b.drug(DrugSpec::new("drug", OneCompartment { cl: 0.3, v: 1.0 }))
        .unwrap();
    let model = b.build().unwrap();
    let regimen = Regimen::new("q2d").with(Dose::bolus(0.0, "drug", 50.0));
    let ss = steady_state(&model, &regimen, Period::Interval(2.0), &tight()).unwrap();
    let r = (-0.6f64).exp();
    assert_relative_eq!(ss.state[0], 50.0 * r / (1.0 - r), max_relative = 1e-9);
    // Linear: one linear solve for the fixed point of the affine one-interval map.
    assert_eq!(ss.iterations, 1);
}

#[test]
fn steady_state_of_a_constant_infusion_is_rate_over_clearance() {
    let mut b = ModelBuilder::new();
    let drug = b
        .drug(DrugSpec::new(
            "drug",
            TwoCompartment {
                cl: 0.22,
                v1: 3.48,
                q: 0.795,
                v2: 4.06,
            },
        ))
        .unwrap();
    let model = b.build().unwrap();
    // 10 mg/day (the duration is irrelevant for a constant input).
    let regimen = Regimen::new("css").with(Dose::infusion(0.0, "drug", 10.0, 1.0));
    let ss = steady_state(&model, &regimen, Period::Constant, &tight()).unwrap();
    // Css = R/CL in the central compartment; the peripheral is at equilibrium: A2/V2 = A1/V1.
    let css = 10.0 / 0.22;
    assert_relative_eq!(ss.state[0] / 3.48, css, max_relative = 1e-9);
    assert_relative_eq!(ss.state[1] / 4.06, css, max_relative = 1e-9);
    let _ = drug;
}

#[test]
fn steady_state_of_a_nonlinear_model_is_a_fixed_point_of_one_interval() {
    // Michaelis–Menten elimination: no closed form; check Φ(y*) = y* by simulating one
    // interval from the steady state.
    let mut b = ModelBuilder::new();
    let drug = b
        .drug(
            DrugSpec::new("drug", OneCompartment { cl: 0.1, v: 2.0 })
                .with_saturable_elimination(20.0, 5.0),
        )
        .unwrap();
    let model = b.build().unwrap();
    let regimen = Regimen::new("qd").with(Dose::bolus(0.0, "drug", 30.0));
    let opts = tight();
    let ss = steady_state(&model, &regimen, Period::Interval(1.0), &opts).unwrap();
    let traj =
        oncodyn::solver::simulate_from(&model, &ss.state, 0.0, &regimen, &[1.0], &opts).unwrap();
    let end = traj.amount(drug).unwrap();
    assert_relative_eq!(
        end.get(end.len() - 1).unwrap(),
        ss.state[0],
        max_relative = 1e-8
    );
    assert!(ss.iterations <= 10, "{}", ss.iterations);
}
