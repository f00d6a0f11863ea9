use super::*;
use crate::compare::endpoints::GradeScale;
use crate::compare::{ParamMap, Parameter, PopulationSpec};
use crate::prelude::*;

/// Two tumors (1e9 and 2e9 cells, both growing at 0.01/day) and a one-compartment drug
/// (CL 2 L/day, V 10 L) given as one 100 mg bolus at day 0, on a 0.1-day grid over 20 days.
fn study_and_trajectory() -> (Study, Model, Trajectory) {
    let mut b = ModelBuilder::new();
    b.tumor(TumorSpec::new("a", 1e9, Exponential { rate: 0.01 }))
        .unwrap();
    b.tumor(TumorSpec::new("b", 2e9, Exponential { rate: 0.01 }))
        .unwrap();
    b.drug(DrugSpec::new("chemo", OneCompartment { cl: 2.0, v: 10.0 }))
        .unwrap();
    let model = b.build().unwrap();
    let spec = PopulationSpec::new(vec![Parameter::log_normal_cv("growth", 0.01, 0.3)]);
    let patients = spec.sampler().unwrap().draw(1, 1).unwrap();
    let parameters = ParamMap::new()
        .path("growth", "tumors[a].growth.rate")
        .unwrap();
    let times: Vec<f64> = (0..=200).map(|k| f64::from(k) / 10.0).collect();
    let arm = Regimen::new("bolus").with(Dose::bolus(0.0, "chemo", 100.0));
    let trajectory = Simulation::new(&model, &arm, &times).run().unwrap();
    let study = Study::new(model.clone(), vec![arm], patients, parameters, times);
    (study, model, trajectory)
}

fn close(got: f64, want: f64, rel: f64) {
    assert!((got - want).abs() <= rel * want.abs(), "{got} vs {want}");
}

#[test]
fn total_burden_sums_the_tumors_at_each_output_time() {
    let (study, model, trajectory) = study_and_trajectory();
    let burden = study.total_burden(&model, &trajectory).unwrap();
    assert_eq!(burden.len(), study.times.len());
    for (t, b) in study.times.iter().zip(&burden) {
        close(*b, 3e9 * (0.01 * t).exp(), 1e-5);
    }
}

#[test]
fn reported_drugs_default_to_every_drug_of_the_model() {
    let (mut study, model, _) = study_and_trajectory();
    assert_eq!(study.reported_drugs(&model), ["chemo"]);
    study.endpoints.drugs = Some(vec!["other".into()]);
    assert_eq!(study.reported_drugs(&model), ["other"]);
}

#[test]
fn exposure_gives_auc_and_cmax_of_the_central_concentration() {
    let (_, model, trajectory) = study_and_trajectory();
    let e = exposure(&trajectory, &model, "chemo", 0.0, 20.0).unwrap();
    assert_eq!(e.drug, "chemo");
    close(e.cmax, 10.0, 1e-6); // 100 mg / 10 L
                               // dose / CL · (1 − e^{−k·20}), k = 0.2/day; the trapezoid over 0.1 days is within 0.1%.
    close(e.auc, 50.0 * (1.0 - (-4.0_f64).exp()), 1e-3);
    assert!(exposure(&trajectory, &model, "missing", 0.0, 20.0).is_err());
}

#[test]
fn worst_toxicity_takes_the_peak_or_the_nadir_as_the_scale_says() {
    let (_, _, trajectory) = study_and_trajectory();
    let above = Toxicity {
        column: "a".into(),
        scale: GradeScale::above(vec![1.1e9, 1.2e9, 1.3e9]).unwrap(),
    };
    let (worst, grade) = worst_toxicity(&above, &trajectory, 0.0).unwrap();
    close(worst, 1e9 * 0.2_f64.exp(), 1e-5);
    assert_eq!(grade, 2);
    let below = Toxicity {
        column: "a".into(),
        scale: GradeScale::below(vec![1.5e9, 0.5e9]).unwrap(),
    };
    let (worst, grade) = worst_toxicity(&below, &trajectory, 0.0).unwrap();
    close(worst, 1e9, 1e-9);
    assert_eq!(grade, 1);
}
