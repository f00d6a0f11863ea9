//! NONMEM-style event tables (`oncodyn::io::nonmem`): reading, writing, per-subject simulation
//! against closed forms, and every error naming its line and column.
//!
//! Expected values are written out in this file, independently of the library:
//! - one-compartment PK (`shared/models/pkpd.md` §1): IV bolus `C = D/V·e^(−k·t)`, zero-order
//!   infusion, Bateman's oral curve, superposition of doses, steady state as the closed-form sum
//!   of the infinite dose train, and lag as a shift of time; where pkpd.md §1.7 tabulates a
//!   number (computed there with scipy and checked against an ODE solution), it is checked too;
//! - the real Theophylline data set (`tests/data/pk_theophylline_oral.csv`, R's `Theoph`):
//!   each subject's dose simulated with a one-compartment oral model against Bateman.
//!
//! Solver settings: rtol = 1e-10 (`ANALYTIC_RTOL`), atol = 1e-20 mg (`ANALYTIC_ATOL_MG`), so
//! that the closed forms test the event machinery, not the tolerance. Accepted: max relative
//! error ≤ 1e-7 (`ANALYTIC_MAX_REL`), relative difference as in PROBLEMS.md with a floor of
//! 1e-9 mg/L (`ANALYTIC_FLOOR_MG`), which only matters where the exact value is 0 (before any
//! drug arrives). Run with `-- --nocapture` to see the measured maxima and the error messages.
//!
//! Reference parameters (pkpd.md §1.7): D = 100 mg, V = 10 L, CL = 5 L/day (k = 0.5 /day),
//! ka = 1.5 /day, F = 1, Tinf = 0.5 day, τ = 1 day. Times are in days throughout.

mod common;

use common::{
    read_csv, rel_diff, MaxError, ANALYTIC_ATOL_MG, ANALYTIC_FLOOR_MG, ANALYTIC_MAX_REL,
    ANALYTIC_RTOL,
};
use oncodyn::dosing::Repeat;
use oncodyn::io::nonmem::{
    Cmt, DataRecord, Entry, EventSettings, EventTable, Evid, Prediction, RateItem, SteadyStateKind,
};
use oncodyn::io::DataError;
use oncodyn::prelude::*;
use oncodyn::solver::AbsoluteTolerance;
use oncodyn::{LookupError, SolveError};

// =============================================================================================
// Models, settings and closed forms
// =============================================================================================

/// pkpd.md §1.7: V = 10 L, CL = 5 L/day.
const V: f64 = 10.0;
const CL: f64 = 5.0;
/// k = CL/V, 1/day.
const K: f64 = CL / V;
/// Absorption rate constant, 1/day.
const KA: f64 = 1.5;

fn options() -> SolverOptions {
    SolverOptions {
        rtol: ANALYTIC_RTOL,
        atol: AbsoluteTolerance {
            milligrams: ANALYTIC_ATOL_MG,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn settings() -> EventSettings {
    EventSettings::new("drug_conc").with_solver(options())
}

/// One-compartment IV drug `drug`: state 1 = `drug_central`.
fn iv_model() -> Model {
    let mut b = ModelBuilder::new();
    b.drug(DrugSpec::new("drug", OneCompartment { cl: CL, v: V }))
        .unwrap();
    b.build().unwrap()
}

/// One-compartment oral drug `drug` (F = 1): state 1 = `drug_depot`, 2 = `drug_central`.
fn oral_model() -> Model {
    let mut b = ModelBuilder::new();
    b.drug(DrugSpec::new("drug", OneCompartment { cl: CL, v: V }).with_absorption(KA, 1.0))
        .unwrap();
    b.build().unwrap()
}

fn table(text: &str) -> EventTable {
    EventTable::from_csv_str(text).unwrap_or_else(|e| panic!("table does not read: {e}"))
}

fn predict(text: &str, model: &Model, settings: &EventSettings) -> Vec<Prediction> {
    table(text)
        .simulate(model, settings)
        .unwrap_or_else(|e| panic!("simulation failed: {e}"))
}

/// Compares every prediction with `exact(time, line)`, printing and asserting the maximum.
fn check(label: &str, predictions: &[Prediction], exact: impl Fn(f64, u64) -> f64) -> f64 {
    let mut err = MaxError::new(label);
    for p in predictions {
        err.record(p.value, exact(p.time, p.line), ANALYTIC_FLOOR_MG, || {
            format!("line {}, t = {}", p.line, p.time)
        });
    }
    err.assert_at_most(ANALYTIC_MAX_REL);
    err.max
}

/// IV bolus: `C(t) = D/V·e^(−k·t)` for `t > 0`, 0 before (and at 0: the pre-dose state).
fn bolus(dose: f64, t: f64) -> f64 {
    if t <= 0.0 {
        0.0
    } else {
        dose / V * (-K * t).exp()
    }
}

/// Oral dose (Bateman): `C(t) = F·D·ka/(V·(ka − k))·(e^(−k·t) − e^(−ka·t))`, 0 for `t ≤ 0`.
fn oral(dose: f64, t: f64) -> f64 {
    if t <= 0.0 {
        0.0
    } else {
        dose * KA / (V * (KA - K)) * ((-K * t).exp() - (-KA * t).exp())
    }
}

/// Zero-order infusion at `rate` (mg/day) for `duration` days, `t` days after its start
/// (pkpd.md §1.2): `(R/CL)(1 − e^(−k·t))` during it, then decaying from its end value.
fn infusion(rate: f64, duration: f64, t: f64) -> f64 {
    if t <= 0.0 {
        0.0
    } else if t <= duration {
        rate / CL * (1.0 - (-K * t).exp())
    } else {
        rate / CL * (1.0 - (-K * duration).exp()) * (-K * (t - duration)).exp()
    }
}

/// A train of infusions (`rate`, `duration`) started at `t0 + j·tau` for every j ≤ `last`
/// (all j < 0 implied: a steady state at `t0`), evaluated at `t ≥ t0`. The doses still
/// infusing (τ_j < D) are summed one by one; the rest, each `(R/CL)(e^(kD) − 1)e^(−k·τ_j)`,
/// form a geometric series summed in closed form.
fn infusion_train(rate: f64, duration: f64, tau: f64, t0: f64, last: i64, t: f64) -> f64 {
    let a = rate / CL * ((K * duration).exp() - 1.0);
    let mut j = last;
    let mut sum = 0.0;
    loop {
        let since = t - (t0 + j as f64 * tau);
        if since >= duration {
            return sum + a * (-K * since).exp() / (1.0 - (-K * tau).exp());
        }
        if since > 0.0 {
            sum += rate / CL * (1.0 - (-K * since).exp());
        }
        j -= 1;
    }
}

/// Oral steady state (pkpd.md §1.6), `t` days after the last dose (0 ≤ t < τ, or the trough
/// at t = τ): `F·D·ka/(V(ka−k))·[e^(−kt)/(1−e^(−kτ)) − e^(−ka·t)/(1−e^(−ka·τ))]`.
fn oral_steady(dose: f64, tau: f64, t: f64) -> f64 {
    dose * KA / (V * (KA - K))
        * ((-K * t).exp() / (1.0 - (-K * tau).exp()) - (-KA * t).exp() / (1.0 - (-KA * tau).exp()))
}

// =============================================================================================
// The Theophylline data set
// =============================================================================================

/// Typical values of the Theophylline one-compartment oral model, from Pinheiro & Bates (2000),
/// *Mixed-Effects Models in S and S-PLUS*, §6.4 / Appendix A.29 (as quoted in
/// `shared/data/SOURCE.md`): ln ke ≈ −2.43, ln ka ≈ 0.45, ln Cl ≈ −3.21 (1/h, 1/h, L/h/kg).
/// Converted to days: ×24. Their fit need not be good here: the test checks the machinery.
fn theophylline_parameters() -> (f64, f64, f64) {
    let ke = (-2.43f64).exp() * 24.0; // 1/day
    let ka = 0.45f64.exp() * 24.0; // 1/day
    let cl_per_kg = (-3.21f64).exp() * 24.0; // L/day/kg
    (ke, ka, cl_per_kg)
}

/// The R `Theoph` data (not NONMEM form: one row per sample, the dose on every row) as a NONMEM
/// event table: per subject one dose record at TIME 0 into `theophylline_depot`, AMT in mg/kg
/// with the weight as covariate `WT` (the dose is AMT × WT mg, via `amount_per`), then one
/// observation per sample; hours become days.
fn theophylline_table() -> EventTable {
    let data = read_csv("pk_theophylline_oral.csv");
    let mut text = String::from("ID,TIME,EVID,AMT,CMT,DV,WT\n");
    let mut previous: Option<String> = None;
    for row in 0..data.rows.len() {
        let id = data.text(row, "subject").to_string();
        let wt = data.number(row, "weight_kg");
        if previous.as_deref() != Some(id.as_str()) {
            let dose = data.number(row, "dose_mg_per_kg");
            text.push_str(&format!("{id},0,1,{dose},theophylline_depot,.,{wt}\n"));
            previous = Some(id.clone());
        }
        let t = data.number(row, "time_h") / 24.0;
        let dv = data.number(row, "conc_mg_per_L");
        text.push_str(&format!("{id},{t},0,.,.,{dv},{wt}\n"));
    }
    table(&text)
}

#[test]
fn theophylline_predictions_match_bateman_for_every_subject() {
    let events = theophylline_table();
    let data = read_csv("pk_theophylline_oral.csv");
    let (ke, ka, cl_per_kg) = theophylline_parameters();
    let settings = EventSettings::new("theophylline_conc")
        .with_solver(options())
        .with_amount_per("WT");
    let mut err = MaxError::new("Theophylline, 12 subjects vs Bateman");
    let mut all = Vec::new();
    for subject in events.subjects() {
        // Per-kg parameters times the subject's weight (the same on all its records).
        let wt = subject.records[0].covariates[0].unwrap();
        let (cl, v) = (cl_per_kg * wt, cl_per_kg / ke * wt);
        let mut b = ModelBuilder::new();
        b.drug(DrugSpec::new("theophylline", OneCompartment { cl, v }).with_absorption(ka, 1.0))
            .unwrap();
        let model = b.build().unwrap();
        let dose = subject.records[0].amt * wt; // mg/kg × kg
        for p in subject.simulate(&model, &settings).unwrap() {
            // Bateman, written with ke = CL/V; at t = 0 the sample sees the pre-dose state, 0.
            let exact = dose * ka / (v * (ka - ke)) * ((-ke * p.time).exp() - (-ka * p.time).exp());
            err.record(p.value, exact, ANALYTIC_FLOOR_MG, || {
                format!("subject {}, t = {} d", p.id, p.time)
            });
            all.push(p);
        }
    }
    err.assert_at_most(ANALYTIC_MAX_REL);
    // One prediction per sample, in file order, carrying the sample's ID, time and DV.
    assert_eq!(all.len(), 132);
    for (row, p) in all.iter().enumerate() {
        assert_eq!(p.id, data.text(row, "subject"));
        assert_eq!(p.time, data.number(row, "time_h") / 24.0);
        assert_eq!(p.dv, Some(data.number(row, "conc_mg_per_L")));
    }
    // Not asserted (the typical values are not fitted per subject): how far the data are.
    let rss: f64 = all.iter().map(|p| (p.value - p.dv.unwrap()).powi(2)).sum();
    eprintln!(
        "[info] Theophylline: RMS(DV − prediction) at typical values = {:.3} mg/L",
        (rss / all.len() as f64).sqrt()
    );
}

#[test]
fn theophylline_file_round_trips_through_the_writer() {
    let events = theophylline_table();
    let text = events.to_csv_string().unwrap();
    assert_eq!(EventTable::from_csv_str(&text).unwrap(), events);
}

// =============================================================================================
// Reading and writing
// =============================================================================================

#[test]
fn every_field_round_trips_and_the_written_text_is_stable() {
    // Lower-case names, a covariate before the standard columns, '.' and empty values, CMT by
    // name and by number, every RATE kind.
    let text = "\
wt,id,time,evid,amt,rate,cmt,dv,mdv,addl,ii,ss,alag,sex
70,1,0,1,100,0,drug_depot,.,1,2,0.7,0,0.1,0
70,1,0.5,0,.,.,.,3.25,0,,,,,0
72.5,1,1,2,,,,.,,,,,,
72.5,1,1.5,1,50,25,2,.,1,0,0,0,0,1
,1,2,1,10,-2,2,.,1,0,1,1,0,
,1,3,1,10,-1,2,.,1,0,0,0,0,
,2,0,3,,,,,,,,,,
,2,0.25,0,.,.,drug_central,1e-7,0,,,,,
";
    let events = table(text);
    assert_eq!(events.covariates, ["wt", "sex"]);
    let r = &events.records;
    assert_eq!(r.len(), 8);
    assert_eq!(
        r[0],
        DataRecord {
            line: 2,
            id: "1".into(),
            time: 0.0,
            evid: Evid::Dose,
            amt: 100.0,
            rate: RateItem::Bolus,
            cmt: Some(Cmt::Name("drug_depot".into())),
            dv: None,
            mdv: true,
            addl: 2,
            ii: 0.7,
            ss: SteadyStateKind::Transient,
            alag: 0.1,
            covariates: vec![Some(70.0), Some(0.0)],
        }
    );
    assert_eq!(
        (r[1].evid, r[1].dv, r[1].mdv),
        (Evid::Observation, Some(3.25), false)
    );
    assert_eq!((r[2].evid, r[2].covariates[1]), (Evid::Other, None));
    assert_eq!(
        (r[3].rate, &r[3].cmt),
        (RateItem::Infusion(25.0), &Some(Cmt::Number(2)))
    );
    assert_eq!(
        (r[4].rate, r[4].ss),
        (RateItem::ModelledDuration, SteadyStateKind::Reset)
    );
    assert_eq!(r[5].rate, RateItem::ModelledRate);
    assert_eq!(r[6].evid, Evid::Reset);
    assert_eq!((r[7].line, r[7].dv), (9, Some(1e-7)));

    let written = events.to_csv_string().unwrap();
    let again = EventTable::from_csv_str(&written).unwrap();
    assert_eq!(again, events, "read → write → read gives the same table");
    assert_eq!(again.to_csv_string().unwrap(), written, "writing is stable");
    assert!(written.starts_with("ID,TIME,EVID,AMT,RATE,CMT,DV,MDV,ADDL,II,SS,ALAG,wt,sex\n"));
    assert!(written.contains("\n1,0,1,100,0,drug_depot,.,1,2,0.7,0,0.1,70,0\n"));
}

#[test]
fn evid_and_mdv_default_as_in_nm_tran() {
    // No EVID column: a record with AMT > 0 is a dose, one with MDV = 1 an "other" record, the
    // rest observations; MDV defaults to 1 on records that are not observations with a DV.
    let events = table("ID,TIME,AMT,DV,MDV\n1,0,100,.,.\n1,1,.,5,.\n1,2,.,.,1\n1,3,.,.,.\n");
    let kinds: Vec<(Evid, bool)> = events.records.iter().map(|r| (r.evid, r.mdv)).collect();
    assert_eq!(
        kinds,
        [
            (Evid::Dose, true),
            (Evid::Observation, false),
            (Evid::Other, true),
            (Evid::Observation, true),
        ]
    );
}

// =============================================================================================
// Doses against closed forms
// =============================================================================================

/// Ten 100 mg IV boluses every 0.7 days (a non-integer II) and samples, several exactly at
/// dose times written as decimals (2.1 is 3·0.7 to within one ULP, not bitwise).
const SAMPLES_Q07: [&str; 12] = [
    "0", "0.35", "0.7", "1", "2.1", "2.45", "3.5", "4.2", "5.6", "6.3", "6.65", "9",
];

fn q07_addl_table() -> String {
    let mut text = String::from("ID,TIME,EVID,AMT,ADDL,II,CMT\n1,0,1,100,9,0.7,drug_central\n");
    for t in SAMPLES_Q07 {
        text.push_str(&format!("1,{t},0,.,.,.,.\n"));
    }
    text
}

/// Superposition of the ten boluses; a dose at the sample's time (to within 1e-9 days: 2.1
/// against 3·0.7) is not yet given: the sample sees the pre-dose state.
fn q07_exact(t: f64) -> f64 {
    (0..10)
        .map(|j| f64::from(j) * 0.7)
        .filter(|&tj| tj < t - 1e-9)
        .map(|tj| bolus(100.0, t - tj))
        .sum()
}

#[test]
fn non_integer_interval_matches_superposition() {
    let p = predict(&q07_addl_table(), &iv_model(), &settings());
    assert_eq!(p.len(), SAMPLES_Q07.len());
    check("q0.7d ADDL vs superposition", &p, |t, _| q07_exact(t));
    // At 2.1 the 4th dose (3·0.7) arrives: the sample sees three doses, not four.
    let at = p.iter().find(|p| p.time == 2.1).unwrap();
    assert!((at.value - q07_exact(2.1)).abs() < 1e-6 && at.value < q07_exact(2.1 + 1e-6) - 5.0);
}

#[test]
fn addl_expansion_equals_explicit_doses() {
    let model = iv_model();
    let addl = predict(&q07_addl_table(), &model, &settings());
    // The same doses as ten records, times written as decimals, samples interleaved.
    let mut rows: Vec<(f64, String)> = (0..10)
        .map(|j| {
            let t = format!("{}", (f64::from(j) * 7.0) / 10.0);
            (
                t.parse().unwrap(),
                format!("1,{t},1,100,0,0,drug_central\n"),
            )
        })
        .collect();
    rows.extend(
        SAMPLES_Q07
            .iter()
            .map(|t| (t.parse().unwrap(), format!("1,{t},0,.,.,.,.\n"))),
    );
    rows.sort_by(|a, b| a.0.total_cmp(&b.0)); // stable: a dose above a sample at its time
    let text: String = std::iter::once("ID,TIME,EVID,AMT,ADDL,II,CMT\n".to_string())
        .chain(rows.into_iter().map(|(_, r)| r))
        .collect();
    let explicit = predict(&text, &model, &settings());
    check(
        "q0.7d explicit records vs superposition",
        &explicit,
        |t, _| q07_exact(t),
    );
    let mut err = MaxError::new("q0.7d ADDL vs explicit records");
    for (a, e) in addl.iter().zip(&explicit) {
        assert_eq!(a.time, e.time);
        err.record(a.value, e.value, ANALYTIC_FLOOR_MG, || {
            format!("t = {}", a.time)
        });
    }
    // Dose times differ in the last bits (k·0.7 against the decimal), so the two runs step
    // differently: agreement to the solver's accuracy, far tighter than any modelling error.
    err.assert_at_most(1e-8);
    assert_eq!(err.count, SAMPLES_Q07.len());

    // The ADDL record becomes one dose with a Repeat in the subject's regimen.
    let events = table(&q07_addl_table());
    let segments = events.subjects()[0].segments(&model, &settings()).unwrap();
    assert_eq!(segments.len(), 1);
    assert_eq!(segments[0].regimen.doses.len(), 1);
    assert_eq!(
        segments[0].regimen.doses[0].repeat,
        Some(Repeat {
            interval: 0.7,
            additional: 9
        })
    );
}

#[test]
fn multiple_oral_doses_match_superposition() {
    // Five 100 mg oral doses q1d by ADDL into the depot (CMT 1), samples over 7 days.
    let mut text = String::from("ID,TIME,EVID,AMT,ADDL,II,CMT\n1,0,1,100,4,1,1\n");
    for i in 0..=28 {
        text.push_str(&format!("1,{},0,.,.,.,.\n", f64::from(i) / 4.0));
    }
    let p = predict(&text, &oral_model(), &settings());
    check("oral q1d ×5 vs superposed Bateman", &p, |t, _| {
        (0..5).map(|j| oral(100.0, t - f64::from(j))).sum()
    });
}

#[test]
fn dose_and_observation_at_the_same_time_see_the_pre_dose_state() {
    // Samples at 1 above and below the second dose's record, and at 0 below the first.
    let text = "ID,TIME,EVID,AMT,CMT\n\
                1,0,1,100,drug_central\n\
                1,0,0,.,.\n\
                1,1,0,.,.\n\
                1,1,1,100,drug_central\n\
                1,1,0,.,.\n\
                1,2,0,.,.\n";
    let p = predict(text, &iv_model(), &settings());
    check("same-time dose and sample", &p, |t, _| {
        bolus(100.0, t) + bolus(100.0, t - 1.0)
    });
    assert_eq!(p[0].value, 0.0, "the sample at 0 sees no drug");
    assert_eq!(
        p[1].value, p[2].value,
        "file order does not matter for a dose"
    );
    // pkpd.md §1.7, 1-cpt bolus at t = 1: 6.065306597126 mg/L (one dose, not two).
    assert!((p[1].value - 6.065306597126).abs() < 1e-9);
}

#[test]
fn infusion_by_rate_equals_infusion_by_modelled_duration() {
    let samples = ["0", "0.25", "0.5", "1", "2", "5"];
    let mut by_rate = String::from("ID,TIME,EVID,AMT,RATE,CMT\n1,0,1,100,200,2\n");
    let mut by_duration = String::from("ID,TIME,EVID,AMT,RATE,CMT\n1,0,1,100,-2,2\n");
    for t in samples {
        by_rate.push_str(&format!("1,{t},0,.,.,.\n"));
        by_duration.push_str(&format!("1,{t},0,.,.,.\n"));
    }
    let model = oral_model(); // CMT 2 = drug_central
    let rate = predict(&by_rate, &model, &settings());
    let duration_settings = settings().with_modelled_duration("drug_central", 0.5);
    let duration = predict(&by_duration, &model, &duration_settings);
    check("infusion by RATE", &rate, |t, _| infusion(200.0, 0.5, t));
    check("infusion by modelled duration", &duration, |t, _| {
        infusion(200.0, 0.5, t)
    });
    for (a, b) in rate.iter().zip(&duration) {
        assert!(
            rel_diff(a.value, b.value, ANALYTIC_FLOOR_MG) <= 1e-12,
            "t = {}",
            a.time
        );
    }
    // pkpd.md §1.7, 1-cpt infusion (Tinf 0.5) at 0.25, 0.5, 1, 2, 5 days.
    let table = [
        4.700123896616,
        8.847968677144,
        6.890804934351,
        4.179484462783,
        0.932569037519,
    ];
    for (p, c) in rate[1..].iter().zip(table) {
        assert!(
            (p.value - c).abs() < 1e-9,
            "t = {}: {} vs {c}",
            p.time,
            p.value
        );
    }
}

#[test]
fn lagged_dose_keeps_the_amount_of_its_nominal_time_when_a_covariate_changes() {
    // Covariates enter only through weight-based dosing (AMT in mg/kg, `amount_per` = WT).
    // The dose record at t = 0 says 2 mg/kg at WT = 70 kg; its ALAG (0.25 d) and the drug's own
    // absorption lag (0.25 d) make it arrive at 0.5 d; the weight changes to 90 kg at 0.3 d,
    // between the nominal and the lagged time. Convention: the amount is fixed at the nominal
    // time from the dose record's own covariates: 140 mg, not 180 mg. Its additional dose
    // (ADDL 1, II 1: nominal 1, arriving 1.5) keeps 140 mg too.
    let mut b = ModelBuilder::new();
    b.drug(
        DrugSpec::new("drug", OneCompartment { cl: CL, v: V })
            .with_lagged_absorption(KA, 1.0, 0.25),
    )
    .unwrap();
    let model = b.build().unwrap();
    let text = "ID,TIME,EVID,AMT,ADDL,II,ALAG,CMT,WT\n\
                1,0,1,2,1,1,0.25,drug_depot,70\n\
                1,0.3,2,.,.,.,.,.,90\n\
                1,0.4,0,.,.,.,.,.,90\n\
                1,0.5,0,.,.,.,.,.,90\n\
                1,1,0,.,.,.,.,.,90\n\
                1,2,0,.,.,.,.,.,90\n\
                1,3,0,.,.,.,.,.,90\n";
    let p = predict(text, &model, &settings().with_amount_per("WT"));
    let exact = |dose: f64, t: f64| oral(dose, t - 0.5) + oral(dose, t - 1.5);
    check("lag 0.25 + 0.25 d, 140 mg at nominal weight", &p, |t, _| {
        exact(140.0, t)
    });
    assert_eq!(p[0].value, 0.0, "nothing has arrived at 0.4 d");
    let later = p.iter().find(|p| p.time == 2.0).unwrap();
    assert!(
        rel_diff(later.value, exact(180.0, 2.0), 0.0) > 0.2,
        "not the lagged-time weight"
    );
}

// =============================================================================================
// Resets
// =============================================================================================

#[test]
fn reset_and_dose_during_a_running_infusion_stops_it() {
    // 100 mg over 2 days (RATE 50) from t = 0; EVID 4 with a 50 mg bolus at t = 1 resets the
    // system and stops the infusion. The sample above the EVID 4 record at 1 sees the infusion
    // (before the reset); the one below sees the reset state (0) before the bolus.
    let text = "ID,TIME,EVID,AMT,RATE,CMT\n\
                1,0,1,100,50,drug_central\n\
                1,0.5,0,.,.,.\n\
                1,1,0,.,.,.\n\
                1,1,4,50,0,drug_central\n\
                1,1,0,.,.,.\n\
                1,1.5,0,.,.,.\n\
                1,2.5,0,.,.,.\n\
                1,4,0,.,.,.\n";
    let p = predict(text, &iv_model(), &settings());
    check("EVID 4 during an infusion", &p, |t, line| {
        if line <= 4 {
            infusion(50.0, 2.0, t)
        } else {
            bolus(50.0, t - 1.0)
        }
    });
    assert_eq!(p[2].value, 0.0);
    // Had the infusion carried on, the sample at 1.5 would be higher by its remainder.
    let carried_on = bolus(50.0, 0.5) + infusion(50.0, 1.0, 0.5);
    assert!(p[3].value < carried_on - 1.0);
}

#[test]
fn a_reset_lets_time_start_again_and_cancels_pending_doses() {
    // Occasion 1: 100 mg q1d × 6 (ADDL 5) from 0, samples at 1 and 2. EVID 3 at time 0 starts
    // occasion 2 (time may go back at a reset): the pending additional doses are cancelled, so
    // the sample at 1.5 sees nothing; a new dose at 2 then acts alone.
    let text = "ID,TIME,EVID,AMT,ADDL,II,CMT\n\
                1,0,1,100,5,1,1\n\
                1,1,0,.,.,.,.\n\
                1,2,0,.,.,.,.\n\
                1,0,3,.,.,.,.\n\
                1,1.5,0,.,.,.,.\n\
                1,2,1,100,0,0,1\n\
                1,3,0,.,.,.,.\n";
    let p = predict(text, &iv_model(), &settings());
    check(
        "EVID 3 with time starting again",
        &p,
        |t, line| match line {
            3 | 4 => bolus(100.0, t) + bolus(100.0, t - 1.0),
            6 => 0.0,
            _ => bolus(100.0, t - 2.0),
        },
    );
    assert_eq!(p[2].value, 0.0);
}

// =============================================================================================
// Steady state
// =============================================================================================

#[test]
fn steady_state_infusion_given_by_duration_matches_closed_form() {
    // SS = 1, 100 mg over a modelled duration of 0.5 d (RATE = −2) every day, three more
    // doses by ADDL; samples below the SS record (they see the steady state).
    let mut text = String::from("ID,TIME,EVID,AMT,RATE,ADDL,II,SS,CMT\n1,0,1,100,-2,3,1,1,2\n");
    for i in 0..=20 {
        text.push_str(&format!("1,{},0,.,.,.,.,.,.\n", f64::from(i) / 4.0));
    }
    let settings = settings().with_modelled_duration("drug_central", 0.5);
    let p = predict(&text, &oral_model(), &settings);
    check("SS=1 infusion (D = 0.5 < II = 1)", &p, |t, _| {
        infusion_train(200.0, 0.5, 1.0, 0.0, 3, t)
    });
    // pkpd.md §1.7, 1-cpt infusion ss q1d (Tinf 0.5) at 0, 0.25, 0.5, 0.75, 1 days.
    let table = [
        17.512939964568,
        20.155239170497,
        22.487060035432,
        19.844760829503,
        17.512939964568,
    ];
    for (p, c) in p.iter().zip(table) {
        assert!(
            (p.value - c).abs() < 1e-8,
            "t = {}: {} vs {c}",
            p.time,
            p.value
        );
    }
}

#[test]
fn steady_state_infusion_longer_than_the_interval_keeps_its_overlaps_running() {
    // SS = 1, 150 mg over 1.5 d (RATE 100) every day: at any time one or two infusions run.
    // After the SS dose (and its ADDL 2) the implied earlier infusions still running at t = 0
    // carry on; after the last dose everything decays.
    let mut text = String::from("ID,TIME,EVID,AMT,RATE,ADDL,II,SS,CMT\n1,0,1,150,100,2,1,1,2\n");
    for i in 0..=24 {
        text.push_str(&format!("1,{},0,.,.,.,.,.,.\n", f64::from(i) / 4.0));
    }
    let p = predict(&text, &oral_model(), &settings());
    check("SS=1 infusion (D = 1.5 > II = 1)", &p, |t, _| {
        infusion_train(100.0, 1.5, 1.0, 0.0, 2, t)
    });
    // At steady state, and before the last dose, the profile repeats every day.
    assert!(rel_diff(p[1].value, p[5].value, 0.0) < 1e-8);
}

#[test]
fn steady_state_lagged_infusion_wrapping_the_interval_matches_closed_form() {
    // SS = 1 at t = 1: 100 mg over 0.5 d (RATE 200) every day with ALAG 0.75, so each infusion
    // runs from 0.75 to 1.25 within its interval: it wraps into the next one. At the SS record
    // the implied infusion started at 0.75 is still running (to 1.25); the record's own one
    // starts at 1.75; ADDL 1 gives one more at 2.75.
    let mut text =
        String::from("ID,TIME,EVID,AMT,RATE,ADDL,II,SS,ALAG,CMT\n1,1,1,100,200,1,1,1,0.75,2\n");
    for i in 4..=20 {
        text.push_str(&format!("1,{},0,.,.,.,.,.,.,.\n", f64::from(i) / 4.0));
    }
    let p = predict(&text, &oral_model(), &settings());
    check("SS=1 lagged infusion wrapping II", &p, |t, _| {
        infusion_train(200.0, 0.5, 1.0, 1.75, 1, t)
    });
}

#[test]
fn steady_state_of_a_constant_infusion_is_rate_over_clearance() {
    // SS = 1, AMT = 0, RATE = 50 mg/day, II = 0: Css = R/CL = 10 mg/L from the start; it keeps
    // running until the reset at 10 d, after which the drug washes out... from 0: nothing.
    let text = "ID,TIME,EVID,AMT,RATE,II,SS,CMT\n\
                1,0,1,0,50,0,1,drug_central\n\
                1,0,0,.,.,.,.,.\n\
                1,1,0,.,.,.,.,.\n\
                1,7.5,0,.,.,.,.,.\n\
                1,10,0,.,.,.,.,.\n\
                1,10,3,.,.,.,.,.\n\
                1,12,0,.,.,.,.,.\n";
    let p = predict(text, &iv_model(), &settings());
    check("SS=1 constant infusion: R/CL, then reset", &p, |_, line| {
        if line <= 6 {
            50.0 / CL
        } else {
            0.0
        }
    });
}

#[test]
fn steady_state_oral_dose_matches_the_pkpd_table() {
    // SS = 1 oral 100 mg q1d into the depot; samples at 0 (trough), 0.25, 0.5 and 1 (the next
    // trough: no further dose is given, and 1 is the pre-dose time anyway).
    let text = "ID,TIME,EVID,AMT,II,SS,CMT\n\
                1,0,1,100,1,1,drug_depot\n\
                1,0,0,.,.,.,.\n\
                1,0.25,0,.,.,.,.\n\
                1,0.5,0,.,.,.,.\n\
                1,1,0,.,.,.,.\n";
    let p = predict(text, &oral_model(), &settings());
    check("SS=1 oral q1d", &p, |t, _| {
        if t < 1.0 {
            oral_steady(100.0, 1.0, t)
        } else {
            oral_steady(100.0, 1.0, 1.0)
        }
    });
    // pkpd.md §1.7, 1-cpt oral ss q1d.
    let table = [
        18.814157486219,
        20.372554040827,
        20.569190460563,
        18.814157486219,
    ];
    for (p, c) in p.iter().zip(table) {
        assert!(
            (p.value - c).abs() < 1e-8,
            "t = {}: {} vs {c}",
            p.time,
            p.value
        );
    }
}

#[test]
fn steady_state_with_a_lag_is_the_shifted_periodic_profile() {
    // SS = 1 oral 100 mg q1d with ALAG 0.25: doses arrive at 0.25 + j. At 0 (nominal time) the
    // last arrival was 0.75 d ago; NONMEM's "steady state as if no lag, then advance II − ALAG".
    let mut text = String::from("ID,TIME,EVID,AMT,ADDL,II,SS,ALAG,CMT\n1,2,1,100,1,1,1,0.25,1\n");
    for i in 8..=20 {
        text.push_str(&format!("1,{},0,.,.,.,.,.,.\n", f64::from(i) / 4.0));
    }
    let p = predict(&text, &oral_model(), &settings());
    check("SS=1 oral q1d with lag 0.25", &p, |t, _| {
        // Time since the latest arrival before t among …, 1.25, 2.25, 3.25 (ADDL 1): the
        // periodic sum Σ_n Bateman(s + n) is `oral_steady(s)` for any s ≥ 0, also after the
        // last dose.
        let since = if t <= 2.25 {
            t - 1.25
        } else if t <= 3.25 {
            t - 2.25
        } else {
            t - 3.25
        };
        oral_steady(100.0, 1.0, since)
    });
}

#[test]
fn steady_state_added_to_the_current_state_superposes() {
    // A transient 100 mg bolus at 0, then at 2 an SS = 2 dose of 50 mg q1d (ADDL 2): the state
    // becomes what the first dose left plus the 50 mg steady state. The sample at 2 above the
    // SS record sees the first dose only; the one below adds the steady-state trough.
    let text = "ID,TIME,EVID,AMT,ADDL,II,SS,CMT\n\
                1,0,1,100,0,0,0,drug_central\n\
                1,1,0,.,.,.,.,.\n\
                1,2,0,.,.,.,.,.\n\
                1,2,1,50,2,1,2,drug_central\n\
                1,2,0,.,.,.,.,.\n\
                1,2.5,0,.,.,.,.,.\n\
                1,4.5,0,.,.,.,.,.\n\
                1,6,0,.,.,.,.,.\n";
    let p = predict(text, &iv_model(), &settings());
    // 50 mg boluses at 2 + j for all j ≤ 2 (j < 0 implied), pre-dose at the sample's time.
    let train = |t: f64| {
        let last = ((t - 2.0 - 1e-9).floor()).min(2.0); // latest dose strictly before t
        let since = t - (2.0 + last);
        50.0 / V * (-K * since).exp() / (1.0 - (-K).exp())
    };
    check("SS=2 on top of a transient dose", &p, |t, line| {
        let first = bolus(100.0, t);
        if line <= 4 {
            first
        } else {
            first + train(t)
        }
    });
}

#[test]
fn steady_state_added_during_an_infusion_keeps_the_infusion_running() {
    // 100 mg over 2 days (RATE 50) from 0; at 1, while it runs, an SS = 2 dose of 50 mg q1d
    // (ADDL 1). SS = 2 cancels nothing: the infusion carries on to 2 (split at the SS record
    // into two simulated segments), and the steady-state train is added on top.
    let text = "ID,TIME,EVID,AMT,RATE,ADDL,II,SS,CMT\n\
                1,0,1,100,50,0,0,0,1\n\
                1,0.5,0,.,.,.,.,.,.\n\
                1,1,0,.,.,.,.,.,.\n\
                1,1,1,50,0,1,1,2,1\n\
                1,1,0,.,.,.,.,.,.\n\
                1,1.5,0,.,.,.,.,.,.\n\
                1,2.5,0,.,.,.,.,.,.\n\
                1,4,0,.,.,.,.,.,.\n";
    let p = predict(text, &iv_model(), &settings());
    // 50 mg boluses at 1 + j for j ≤ 1 (j < 0 implied), pre-dose at the sample's time.
    let train = |t: f64| {
        let last = (t - 1.0 - 1e-9).floor().min(1.0);
        50.0 / V * (-K * (t - 1.0 - last)).exp() / (1.0 - (-K).exp())
    };
    check("SS=2 during a running infusion", &p, |t, line| {
        infusion(50.0, 2.0, t) + if line <= 4 { 0.0 } else { train(t) }
    });
}

// =============================================================================================
// Errors: each names its variant, line and column
// =============================================================================================

fn read_error(text: &str) -> DataError {
    let err = EventTable::from_csv_str(text).expect_err("the table must be rejected");
    eprintln!("[error] {err}");
    err
}

fn simulate_error(text: &str, model: &Model, settings: &EventSettings) -> oncodyn::Error {
    let err = table(text)
        .simulate(model, settings)
        .expect_err("the simulation must be rejected");
    eprintln!("[error] {err}");
    err
}

fn data_error(err: oncodyn::Error) -> DataError {
    match err {
        oncodyn::Error::Data(e) => e,
        other => panic!("expected a DataError, got {other:?}"),
    }
}

#[test]
fn missing_required_column_is_named_on_the_header_line() {
    let err = read_error("ID,AMT,DV\n1,100,.\n");
    assert!(matches!(
        err,
        DataError::MissingColumn { line: 1, column: "TIME", ref available, .. }
            if available == "ID, AMT, DV"
    ));
    let err = read_error("ID,TIME,EVID\n1,0,1\n");
    assert!(matches!(
        err,
        DataError::MissingColumn {
            line: 1,
            column: "AMT",
            ..
        }
    ));
}

#[test]
fn duplicate_column_is_named() {
    let err = read_error("ID,TIME,time\n1,0,0\n");
    assert!(matches!(
        err,
        DataError::DuplicateColumn { line: 1, ref column } if column == "time"
    ));
}

#[test]
fn unparsable_number_names_line_and_column() {
    let err = read_error("ID,TIME,AMT\n1,0,100\n1,1,1OO\n");
    assert!(matches!(
        err,
        DataError::NotANumber { line: 3, ref column, ref text } if column == "AMT" && text == "1OO"
    ));
    let err = read_error("ID,TIME,WT\n1,0,70\n1,1,heavy\n");
    assert!(matches!(
        err,
        DataError::NotANumber { line: 3, ref column, .. } if column == "WT"
    ));
}

#[test]
fn negative_time_is_rejected() {
    let err = read_error("ID,TIME\n1,0\n1,-0.5\n");
    assert!(matches!(
        err,
        DataError::NegativeTime { line: 3, ref column, time } if column == "TIME" && time == -0.5
    ));
}

#[test]
fn time_going_backwards_names_both_lines() {
    let err = read_error("ID,TIME,AMT\n1,0,100\n1,2,.\n1,1.5,.\n2,0,.\n");
    assert!(matches!(
        err,
        DataError::TimeBackwards { line: 4, ref column, ref id, previous_line: 3, .. }
            if column == "TIME" && id == "1"
    ));
    // A new subject may start at 0, and a reset may start time again.
    table("ID,TIME,EVID\n1,2,0\n2,0,0\n2,1,0\n2,0,3\n");
}

#[test]
fn dose_into_an_unknown_compartment_lists_the_available_ones() {
    let model = oral_model();
    for (cmt, name) in [("drug_gut", "drug_gut"), ("3", "3")] {
        let text = format!("ID,TIME,AMT,CMT\n1,0,100,{cmt}\n1,1,.,.\n");
        let err = data_error(simulate_error(&text, &model, &settings()));
        assert!(matches!(
            err,
            DataError::UnknownCompartment { line: 2, ref column, name: ref n, ref available }
                if column == "CMT" && n == name && available == "1 = drug_depot, 2 = drug_central"
        ));
    }
}

#[test]
fn dose_into_a_tumor_is_not_dosable() {
    let mut b = ModelBuilder::new();
    b.tumor(TumorSpec::new("tumor", 1e9, Exponential { rate: 0.1 }))
        .unwrap();
    b.drug(DrugSpec::new("drug", OneCompartment { cl: CL, v: V }))
        .unwrap();
    let model = b.build().unwrap();
    let err = data_error(simulate_error(
        "ID,TIME,AMT,CMT\n1,0,100,tumor\n1,1,.,.\n",
        &model,
        &settings(),
    ));
    assert!(matches!(
        err,
        DataError::NotDosable { line: 2, ref column, ref name, ref available }
            if column == "CMT" && name == "tumor" && available == "2 = drug_central"
    ));
}

#[test]
fn unknown_evid_and_ss_values_are_rejected() {
    let err = read_error("ID,TIME,EVID\n1,0,5\n");
    assert!(matches!(
        err,
        DataError::UnknownEvid { line: 2, ref column, value } if column == "EVID" && value == 5.0
    ));
    let err = read_error("ID,TIME,AMT,II,SS\n1,0,100,1,3\n");
    assert!(matches!(
        err,
        DataError::UnknownSteadyState { line: 2, ref column, value }
            if column == "SS" && value == 3.0
    ));
}

#[test]
fn additional_doses_without_an_interval_are_rejected() {
    let err = read_error("ID,TIME,AMT,ADDL,II\n1,0,100,3,0\n");
    assert!(matches!(
        err,
        DataError::AdditionalWithoutInterval { line: 2, ref column, additional: 3, interval }
            if column == "II" && interval == 0.0
    ));
}

#[test]
fn steady_state_without_interval_or_rate_is_rejected() {
    let err = read_error("ID,TIME,AMT,RATE,II,SS\n1,0,100,0,0,1\n");
    assert!(matches!(
        err,
        DataError::SteadyStateWithoutInterval { line: 2, ref column, interval, rate, .. }
            if column == "II" && interval == 0.0 && rate == 0.0
    ));
}

#[test]
fn steady_state_lag_not_below_the_interval_is_rejected() {
    let err = read_error("ID,TIME,AMT,II,SS,ALAG\n1,0,100,1,1,1\n");
    assert!(matches!(
        err,
        DataError::LagNotBelowInterval { line: 2, ref column, lag, interval }
            if column == "ALAG" && lag == 1.0 && interval == 1.0
    ));
    // With the drug's own absorption lag the total counts: 0.5 + 0.5 = II.
    let mut b = ModelBuilder::new();
    b.drug(
        DrugSpec::new("drug", OneCompartment { cl: CL, v: V }).with_lagged_absorption(KA, 1.0, 0.5),
    )
    .unwrap();
    let model = b.build().unwrap();
    let err = data_error(simulate_error(
        "ID,TIME,AMT,II,SS,ALAG,CMT\n1,0,100,1,1,0.5,drug_depot\n1,1,.,.,.,.,.\n",
        &model,
        &settings(),
    ));
    assert!(matches!(
        err,
        DataError::LagNotBelowInterval { line: 2, lag, .. } if lag == 1.0
    ));
}

#[test]
fn negative_amount_is_rejected() {
    let err = read_error("ID,TIME,AMT\n1,0,100\n1,1,-5\n");
    assert!(matches!(
        err,
        DataError::NegativeAmount { line: 3, ref column, amount } if column == "AMT" && amount == -5.0
    ));
}

#[test]
fn modelled_duration_without_a_model_duration_is_rejected() {
    let err = data_error(simulate_error(
        "ID,TIME,AMT,RATE,CMT\n1,0,100,-2,drug_central\n1,1,.,.,.\n",
        &iv_model(),
        &settings(),
    ));
    assert!(matches!(
        err,
        DataError::NoModelledInfusion { line: 2, ref column, ref state, what: "duration", .. }
            if column == "RATE" && state == "drug_central"
    ));
}

#[test]
fn out_of_range_values_are_rejected() {
    // A dose item on an observation record, a fractional ADDL, a RATE of −3, a CMT of 0.
    let cases = [
        ("ID,TIME,EVID,AMT\n1,0,0,100\n", "AMT"),
        ("ID,TIME,AMT,ADDL,II\n1,0,100,1.5,1\n", "ADDL"),
        ("ID,TIME,AMT,RATE\n1,0,100,-3\n", "RATE"),
        ("ID,TIME,AMT,CMT\n1,0,100,0\n", "CMT"),
        ("ID,TIME,AMT,RATE\n1,0,0,10\n", "AMT"),
    ];
    for (text, col) in cases {
        let err = read_error(text);
        assert!(
            matches!(err, DataError::InvalidValue { line: 2, ref column, .. } if column == col),
            "{text}: {err:?}"
        );
    }
}

#[test]
fn a_dose_without_cmt_needs_a_single_drug() {
    let mut b = ModelBuilder::new();
    b.drug(DrugSpec::new("a", OneCompartment { cl: CL, v: V }))
        .unwrap();
    b.drug(DrugSpec::new("b", OneCompartment { cl: CL, v: V }))
        .unwrap();
    let model = b.build().unwrap();
    let err = data_error(simulate_error(
        "ID,TIME,AMT\n1,0,100\n1,1,.\n",
        &model,
        &EventSettings::new("a_conc"),
    ));
    assert!(matches!(
        err,
        DataError::MissingValue { line: 2, ref column, .. } if column == "CMT"
    ));
}

#[test]
fn weight_based_dosing_needs_the_weight_on_the_dose_record() {
    let text = "ID,TIME,AMT,WT\n1,0,2,.\n1,1,.,70\n";
    let err = data_error(simulate_error(
        text,
        &iv_model(),
        &settings().with_amount_per("WT"),
    ));
    assert!(matches!(
        err,
        DataError::MissingValue { line: 2, ref column, .. } if column == "WT"
    ));
    let err = data_error(simulate_error(
        text,
        &iv_model(),
        &settings().with_amount_per("BSA"),
    ));
    assert!(matches!(
        err,
        DataError::UnknownSetting { ref name, ref available, .. } if name == "BSA" && available == "WT"
    ));
}

#[test]
fn steady_state_infusion_into_a_lagged_depot_is_unsupported() {
    let mut b = ModelBuilder::new();
    b.drug(
        DrugSpec::new("drug", OneCompartment { cl: CL, v: V }).with_lagged_absorption(KA, 1.0, 0.1),
    )
    .unwrap();
    let model = b.build().unwrap();
    let err = data_error(simulate_error(
        "ID,TIME,AMT,RATE,II,SS,CMT\n1,0,100,400,1,1,drug_depot\n1,1,.,.,.,.,.\n",
        &model,
        &settings(),
    ));
    assert!(matches!(
        err,
        DataError::UnsupportedSteadyState { line: 2, ref column, .. } if column == "CMT"
    ));
}

#[test]
fn an_unknown_observed_compartment_lists_every_state() {
    let mut b = ModelBuilder::new();
    b.tumor(TumorSpec::new("tumor", 1e9, Exponential { rate: 0.1 }))
        .unwrap();
    b.drug(DrugSpec::new("drug", OneCompartment { cl: CL, v: V }))
        .unwrap();
    let model = b.build().unwrap();
    let err = data_error(simulate_error(
        "ID,TIME,AMT,CMT\n1,0,100,2\n1,1,.,3\n",
        &model,
        &settings(),
    ));
    assert!(matches!(
        err,
        DataError::UnknownCompartment { line: 3, ref name, ref available, .. }
            if name == "3" && available == "1 = tumor, 2 = drug_central"
    ));
}

#[test]
fn invalid_settings_and_covariates_are_named() {
    let err = data_error(simulate_error(
        "ID,TIME,AMT,RATE,CMT\n1,0,100,-2,1\n1,1,.,.,.\n",
        &iv_model(),
        &settings().with_modelled_duration("drug_central", -0.5),
    ));
    assert!(matches!(
        err,
        DataError::InvalidSetting { setting: "modelled duration", ref name, value, .. }
            if name == "drug_central" && value == -0.5
    ));
    let err = data_error(simulate_error(
        "ID,TIME,AMT,WT\n1,0,2,0\n1,1,.,70\n",
        &iv_model(),
        &settings().with_amount_per("wt"), // covariate names match without case
    ));
    assert!(matches!(
        err,
        DataError::InvalidValue { line: 2, ref column, value, .. } if column == "WT" && value == 0.0
    ));
    let err = read_error("ID,TIME,MDV\n1,0,2\n");
    assert!(matches!(
        err,
        DataError::InvalidValue { line: 2, ref column, value, .. } if column == "MDV" && value == 2.0
    ));
}

#[test]
fn tables_built_in_code_are_checked_too() {
    let dose = DataRecord {
        line: 2,
        id: "1".into(),
        evid: Evid::Dose,
        amt: 100.0,
        covariates: vec![Some(70.0)],
        ..Default::default()
    };
    let short = EventTable {
        covariates: vec!["WT".into(), "AGE".into()],
        records: vec![dose.clone()],
    };
    let err = short.validate().unwrap_err();
    assert!(matches!(
        err,
        DataError::CovariateCount {
            line: 2,
            expected: 2,
            got: 1
        }
    ));
    let clash = EventTable {
        covariates: vec!["amt".into()],
        records: vec![dose.clone()],
    };
    let err = clash.validate().unwrap_err();
    assert!(matches!(err, DataError::DuplicateColumn { line: 1, ref column } if column == "amt"));
    let negative = EventTable {
        covariates: vec!["WT".into()],
        records: vec![DataRecord { amt: -1.0, ..dose }],
    };
    let err = data_error(negative.simulate(&iv_model(), &settings()).unwrap_err());
    assert!(matches!(err, DataError::NegativeAmount { line: 2, .. }));
}

#[test]
fn malformed_csv_is_reported() {
    let err = read_error("ID,TIME\n1,0\n1,1,7\n");
    assert!(matches!(err, DataError::Csv { line: Some(3), .. }));
}

#[test]
fn a_failing_subject_is_named() {
    let solver = SolverOptions {
        max_steps: 1,
        ..options()
    };
    let err = data_error(simulate_error(
        "ID,TIME,AMT,CMT\n1,0,100,1\n1,9,.,.\n",
        &oral_model(),
        &settings().with_solver(solver),
    ));
    assert!(matches!(
        err,
        DataError::Subject { ref id, line: 2, ref source }
            if id == "1" && matches!(**source, oncodyn::Error::Solve(SolveError::TooManySteps { .. }))
    ));
}

#[test]
fn an_unknown_output_column_lists_the_columns() {
    let err = simulate_error(
        "ID,TIME,AMT\n1,0,100\n1,1,.\n",
        &iv_model(),
        &EventSettings::new("conc"),
    );
    assert!(matches!(
        err,
        oncodyn::Error::Lookup(LookupError::UnknownColumn { ref available, .. })
            if available == "drug_central, drug_conc"
    ));
}

#[test]
fn segments_follow_resets_and_steady_states_in_file_order() {
    let events = table(
        "ID,TIME,EVID,AMT,II,SS,CMT\n\
         1,0,1,100,0,0,1\n\
         1,1,0,.,.,.,.\n\
         1,2,1,50,1,2,1\n\
         1,3,0,.,.,.,.\n\
         1,4,3,.,.,.,.\n\
         1,5,1,10,1,1,1\n\
         1,6,0,.,.,.,.\n",
    );
    let segments = events.subjects()[0]
        .segments(&iv_model(), &settings())
        .unwrap();
    let entries: Vec<(u64, bool)> = segments
        .iter()
        .map(|s| (s.entry.line(), s.continued))
        .collect();
    assert_eq!(entries, [(2, true), (4, false), (6, false), (7, false)]);
    assert!(matches!(segments[0].entry, Entry::Start { .. }));
    assert!(matches!(segments[1].entry, Entry::AddSteadyState { .. }));
    assert!(matches!(segments[2].entry, Entry::Reset { .. }));
    assert!(matches!(segments[3].entry, Entry::SteadyState { .. }));
    assert_eq!(
        segments[0].times,
        [1.0, 2.0],
        "continued: ends at the SS = 2 record"
    );
    assert!(segments[2].times.is_empty());
}

/// A derived output (`tumor_diameter_mm`): the sphere diameter of two clones' summed volume
/// at each observation record, against the closed form `(6/π·(S0·e^(−d·t) + R0·e^(g·t)))^(1/3)`.
#[test]
fn a_derived_tumor_diameter_is_predicted_at_observation_records() {
    let mut b = ModelBuilder::new();
    for (name, v, rate) in [("sensitive", 3000.0, -0.04), ("resistant", 50.0, 0.02)] {
        b.tumor(
            TumorSpec::new(name, v, Exponential { rate }).in_unit(BurdenUnit::CubicMillimeters),
        )
        .unwrap();
    }
    let model = b.build().unwrap();
    let settings = EventSettings::new("tumor_diameter_mm").with_solver(options());
    let text = "ID,TIME,DV,EVID\n1,0,17,0\n1,42,12,0\n1,84,9,0\n1,168,11,0\n1,252,15,0\n";
    let predictions = predict(text, &model, &settings);
    assert_eq!(predictions.len(), 5);
    check("tumor_diameter_mm", &predictions, |t, _| {
        let v = 3000.0 * (-0.04 * t).exp() + 50.0 * (0.02 * t).exp();
        (6.0 * v / std::f64::consts::PI).cbrt()
    });
}

/// The former names `EventRecord`, `Rate` and `Segment` still compile, as deprecated aliases
/// of `DataRecord`, `RateItem` and `SubjectSegment`.
#[test]
#[allow(deprecated)]
fn the_former_names_are_deprecated_aliases() {
    use oncodyn::io::nonmem::{EventRecord, Rate, Segment, SubjectSegment};
    let record: EventRecord = DataRecord {
        rate: Rate::Infusion(2.0),
        ..DataRecord::default()
    };
    assert_eq!(record.rate, RateItem::Infusion(2.0));
    let events = table("ID,TIME,EVID,AMT,CMT\n1,0,1,100,1\n1,1,0,.,.\n");
    let segments: Vec<Segment> = events.subjects()[0]
        .segments(&iv_model(), &settings())
        .unwrap();
    let renamed: &[SubjectSegment] = &segments;
    assert_eq!(renamed.len(), 1);
}

/// A subject's dense predicted curve is its dose records simulated at a grid of observation
/// records: two IV boluses of 100 mg (t = 0, 2 d), observed at 1 and 4 d; the curve on
/// 0 … 4 d by 0.1 d is the superposed closed form `Σ D/V·e^{−k(t − t_d)}`.
#[test]
fn a_predicted_curve_is_the_closed_form_on_the_grid() {
    let events = table("ID,TIME,EVID,AMT,DV\n1,0,1,100,.\n1,1,0,.,5\n1,2,1,100,.\n1,4,0,.,2\n");
    let subject = events.subjects()[0];
    let curve = subject
        .predicted_curve(&iv_model(), &settings(), 40)
        .unwrap();
    assert_eq!(curve.len(), 41);
    // At a dose's time (0 and 2 d) the grid record sees the pre-dose state.
    let exact = |t: f64| bolus(100.0, t) + bolus(100.0, t - 2.0);
    let mut err = MaxError::new("predicted curve, two boluses");
    for (k, &(t, value)) in curve.iter().enumerate() {
        assert!((t - 0.1 * k as f64).abs() < 1e-12, "grid time {k}: {t}");
        err.record(value, exact(t), ANALYTIC_FLOOR_MG, || format!("t = {t}"));
    }
    err.assert_at_most(ANALYTIC_MAX_REL);
}

#[test]
fn a_subject_without_a_curve_says_why() {
    let no_observation = table("ID,TIME,EVID,AMT\n1,0,1,100\n1,2,1,100\n");
    let reset = table("ID,TIME,EVID,AMT,DV\n1,0,1,100,.\n1,1,0,.,5\n1,2,3,.,.\n1,3,0,.,1\n");
    for (events, reason) in [
        (&no_observation, "it has no observation record"),
        (&reset, "its records reset the state (EVID 3 or 4)"),
    ] {
        let got = events.subjects()[0].predicted_curve(&iv_model(), &settings(), 10);
        assert!(
            matches!(&got, Err(oncodyn::Error::Data(DataError::NoCurve { id, reason: r })) if id == "1" && *r == reason),
            "{got:?}"
        );
    }
    let one = table("ID,TIME,EVID,AMT,DV\n1,0,1,100,.\n1,1,0,.,5\n");
    assert!(matches!(
        one.subjects()[0].predicted_curve(&iv_model(), &settings(), 0),
        Err(oncodyn::Error::Data(DataError::InvalidSetting { .. }))
    ));
}
