//! One test per invalid input: each must come back as an `Err` (never a panic) of the right
//! variant, naming what is wrong (component, parameter, dose index, state, time).
//!
//! Expected values: the invalid input itself (the name, index or value the test passed in).

use oncodyn::model::{ComponentKind, EffectSpec, KillSpec, ModelSpec, RecruitmentSpec, TargetRate};
use oncodyn::prelude::*;
use oncodyn::solver::{AbsoluteTolerance, StateTolerance};
use oncodyn::{BuildError, LookupError, ScheduleError, SolveError};

// =============================================================================================
// Fixtures
// =============================================================================================

/// The CTL population of these tests: 10⁶ cells, 10⁴ cells/day, death 0.04/day.
fn ctl_spec() -> CellSpec {
    CellSpec {
        name: "ctl".into(),
        initial: 1e6,
        source: 1e4,
        death: 0.04,
        ..Default::default()
    }
}

fn gompertz() -> Gompertz {
    Gompertz {
        rate: 0.1,
        capacity: 1e12,
    }
}

/// A small valid model: tumor, effector `ctl`, one-compartment drug `drug` (no depot) and
/// two-compartment drug `pk2` with a depot.
fn small_model() -> (Model, StateId<Tumor>, StateId<Effector>, DrugId) {
    let mut b = ModelBuilder::new();
    let tumor = b.tumor(TumorSpec::new("tumor", 1e9, gompertz())).unwrap();
    let ctl = b.effector(ctl_spec()).unwrap();
    let drug = b
        .drug(DrugSpec::new("drug", OneCompartment { cl: 2.0, v: 10.0 }))
        .unwrap();
    b.drug(
        DrugSpec::new(
            "pk2",
            TwoCompartment {
                cl: 1.0,
                v1: 5.0,
                q: 2.0,
                v2: 10.0,
            },
        )
        .with_absorption(1.0, 0.5),
    )
    .unwrap();
    b.kill(ctl, tumor, MassAction { rate: 1e-10 }).unwrap();
    (b.build().unwrap(), tumor, ctl, drug)
}

fn times() -> Vec<f64> {
    (0..=10).map(f64::from).collect()
}

/// Simulates `regimen` on `small_model` and returns the error.
fn schedule_error(regimen: Regimen) -> ScheduleError {
    let (model, ..) = small_model();
    match simulate(&model, &regimen, &times(), &SolverOptions::default()) {
        Err(Error::Schedule(e)) => e,
        other => panic!("expected a ScheduleError, got {other:?}"),
    }
}

/// A valid first dose, so that the invalid one is dose 1 (checks the index is reported).
fn valid_first() -> Regimen {
    Regimen::new("arm").with(Dose::bolus(0.0, "drug", 10.0))
}

fn solve_error(model: &Model, times: &[f64], options: &SolverOptions) -> SolveError {
    match simulate(model, &Regimen::new("none"), times, options) {
        Err(Error::Solve(e)) => e,
        other => panic!("expected a SolveError, got {other:?}"),
    }
}

// =============================================================================================
// BuildError: parameters
// =============================================================================================

#[test]
fn negative_gompertz_capacity_is_rejected() {
    let mut b = ModelBuilder::new();
    let growth = Gompertz {
        rate: 0.1,
        capacity: -1e12,
    };
    let err = b.tumor(TumorSpec::new("tumor", 1e9, growth)).unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::InvalidParameter { ref component, param: "capacity", value, reason: "must be positive" }
                if component == "tumor" && value == -1e12
        ),
        "{err:?}"
    );
}

#[test]
fn nan_drug_volume_is_rejected() {
    let mut b = ModelBuilder::new();
    let err = b
        .drug(DrugSpec::new(
            "anti_pd1",
            OneCompartment {
                cl: 0.2,
                v: f64::NAN,
            },
        ))
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::InvalidParameter { ref component, param: "v1", value, reason: "must be finite" }
                if component == "anti_pd1" && value.is_nan()
        ),
        "{err:?}"
    );
}

#[test]
fn infinite_kill_rate_is_rejected() {
    let mut b = ModelBuilder::new();
    let tumor = b.tumor(TumorSpec::new("tumor", 1e9, gompertz())).unwrap();
    let ctl = b.effector(ctl_spec()).unwrap();
    let err = b
        .kill(
            ctl,
            tumor,
            MassAction {
                rate: f64::INFINITY,
            },
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::InvalidParameter { ref component, param: "rate", value, reason: "must be finite" }
                if component == "ctl -> tumor" && value == f64::INFINITY
        ),
        "{err:?}"
    );
}

#[test]
fn negative_initial_tumor_is_rejected() {
    let mut b = ModelBuilder::new();
    let err = b
        .tumor(TumorSpec::new("tumor", -1.0, gompertz()))
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::InvalidParameter { ref component, param: "initial", reason: "must be non-negative", .. }
                if component == "tumor"
        ),
        "{err:?}"
    );
}

#[test]
fn power_law_exponent_above_one_is_rejected() {
    let mut b = ModelBuilder::new();
    let growth = PowerLaw {
        coefficient: 1.0,
        exponent: 1.5,
    };
    let err = b.tumor(TumorSpec::new("tumor", 1e6, growth)).unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::InvalidParameter { ref component, param: "exponent", value, reason: "must be in (0, 1]" }
                if component == "tumor" && value == 1.5
        ),
        "{err:?}"
    );
}

#[test]
fn zero_bioavailability_is_rejected() {
    let mut b = ModelBuilder::new();
    let err = b
        .drug(DrugSpec::new("oral", OneCompartment { cl: 1.0, v: 10.0 }).with_absorption(1.0, 0.0))
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::InvalidParameter { ref component, param: "bioavailability", value, .. }
                if component == "oral" && value == 0.0
        ),
        "{err:?}"
    );
}

#[test]
fn negative_death_rate_is_rejected() {
    let mut b = ModelBuilder::new();
    let err = b
        .suppressor(CellSpec {
            name: "treg".into(),
            initial: 1e5,
            source: 1e3,
            death: -0.1,
            ..Default::default()
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::InvalidParameter { ref component, param: "death", value, reason: "must be non-negative" }
                if component == "treg" && value == -0.1
        ),
        "{err:?}"
    );
}

#[test]
fn nan_recruitment_half_saturation_is_rejected() {
    let mut b = ModelBuilder::new();
    let tumor = b.tumor(TumorSpec::new("tumor", 1e9, gompertz())).unwrap();
    let nk = b
        .effector(CellSpec {
            name: "nk".into(),
            initial: 1e5,
            source: 1e3,
            death: 0.04,
            ..Default::default()
        })
        .unwrap();
    let err = b
        .recruit(tumor, nk, Recruitment::expansion(0.1, f64::NAN))
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::InvalidParameter { ref component, param: "half_saturation", value, .. }
                if component == "tumor -> nk" && value.is_nan()
        ),
        "{err:?}"
    );
}

#[test]
fn negative_inactivation_rate_is_rejected() {
    let mut b = ModelBuilder::new();
    let tumor = b.tumor(TumorSpec::new("tumor", 1e9, gompertz())).unwrap();
    let nk = b
        .effector(CellSpec {
            name: "nk".into(),
            initial: 1e5,
            source: 1e3,
            death: 0.04,
            ..Default::default()
        })
        .unwrap();
    let err = b.inactivate(tumor, nk, -1e-9).unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::InvalidParameter { ref component, param: "rate", value, .. }
                if component == "tumor -> nk" && value == -1e-9
        ),
        "{err:?}"
    );
}

#[test]
fn infinite_effect_ec50_is_rejected() {
    let mut b = ModelBuilder::new();
    let tumor = b.tumor(TumorSpec::new("tumor", 1e9, gompertz())).unwrap();
    let chemo = b
        .drug(DrugSpec::new("chemo", OneCompartment { cl: 1.0, v: 10.0 }))
        .unwrap();
    let law = Emax {
        emax: 1.0,
        ec50: f64::INFINITY,
    };
    let err = b.effect(chemo, Target::TumorKill(tumor), law).unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::InvalidParameter { ref component, param: "ec50", .. }
                if component == "chemo -> tumor"
        ),
        "{err:?}"
    );
}

#[test]
fn negative_parameter_in_a_model_spec_is_rejected_at_build() {
    let spec = ModelSpec {
        effectors: vec![CellSpec {
            name: "ctl".into(),
            initial: 1e6,
            source: -5.0,
            death: 0.04,
            ..Default::default()
        }],
        ..Default::default()
    };
    let err = spec.build().unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::InvalidParameter { ref component, param: "source", value, .. }
                if component == "ctl" && value == -5.0
        ),
        "{err:?}"
    );
}

// =============================================================================================
// BuildError: names and structure
// =============================================================================================

#[test]
fn duplicate_component_name_is_rejected() {
    let mut b = ModelBuilder::new();
    b.tumor(TumorSpec::new("x", 1e9, gompertz())).unwrap();
    let err = b
        .effector(CellSpec {
            name: "x".into(),
            initial: 1e6,
            source: 0.0,
            death: 0.1,
            ..Default::default()
        })
        .unwrap_err();
    assert!(
        matches!(err, BuildError::DuplicateName { ref name } if name == "x"),
        "{err:?}"
    );
}

#[test]
fn duplicate_generated_state_name_is_rejected_at_build() {
    // A tumor called `pd1_central` and a drug `pd1` (whose central state is `pd1_central`):
    // the component names differ, so each add succeeds; build() finds the clash of state names.
    let mut b = ModelBuilder::new();
    b.tumor(TumorSpec::new("pd1_central", 1e9, gompertz()))
        .unwrap();
    b.drug(DrugSpec::new("pd1", OneCompartment { cl: 0.2, v: 3.0 }))
        .unwrap();
    let err = b.build().unwrap_err();
    assert!(
        matches!(err, BuildError::DuplicateName { ref name } if name == "pd1_central"),
        "{err:?}"
    );
}

#[test]
fn duplicate_population_name_in_a_model_spec_is_rejected() {
    // A tumor and an effector both called `a`: their states share the name.
    let spec = ModelSpec {
        tumors: vec![TumorSpec::new("a", 1e9, gompertz())],
        effectors: vec![CellSpec {
            name: "a".into(),
            initial: 1e6,
            source: 0.0,
            death: 0.1,
            ..Default::default()
        }],
        ..Default::default()
    };
    let err = spec.build().unwrap_err();
    assert!(
        matches!(err, BuildError::DuplicateName { ref name } if name == "a"),
        "{err:?}"
    );
}

#[test]
fn drug_named_like_a_population_in_a_model_spec_is_rejected() {
    let spec = ModelSpec {
        effectors: vec![CellSpec {
            name: "a".into(),
            initial: 1e6,
            source: 0.0,
            death: 0.1,
            ..Default::default()
        }],
        drugs: vec![DrugSpec::new("a", OneCompartment { cl: 1.0, v: 1.0 })],
        ..Default::default()
    };
    let err = spec.build().unwrap_err();
    assert!(
        matches!(err, BuildError::DuplicateName { ref name } if name == "a"),
        "{err:?}"
    );
}

#[test]
fn drug_named_like_a_population_is_rejected_by_the_builder() {
    let mut b = ModelBuilder::new();
    b.effector(CellSpec {
        name: "a".into(),
        initial: 1e6,
        source: 0.0,
        death: 0.1,
        ..Default::default()
    })
    .unwrap();
    let err = b
        .drug(DrugSpec::new("a", OneCompartment { cl: 1.0, v: 1.0 }))
        .unwrap_err();
    assert!(
        matches!(err, BuildError::DuplicateName { ref name } if name == "a"),
        "{err:?}"
    );
}

#[test]
fn empty_effector_name_is_rejected() {
    let mut b = ModelBuilder::new();
    let err = b
        .effector(CellSpec {
            name: "".into(),
            initial: 1e6,
            source: 0.0,
            death: 0.1,
            ..Default::default()
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::EmptyName {
                kind: ComponentKind::Effector
            }
        ),
        "{err:?}"
    );
}

#[test]
fn empty_drug_name_is_rejected() {
    let mut b = ModelBuilder::new();
    let err = b
        .drug(DrugSpec::new("", OneCompartment { cl: 1.0, v: 1.0 }))
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::EmptyName {
                kind: ComponentKind::Drug
            }
        ),
        "{err:?}"
    );
}

#[derive(Debug)]
struct NoOp;
impl Custom for NoOp {
    fn add_rates(&self, _t: f64, _y: &States, _dy: &mut Rates) {}
}

#[test]
fn empty_custom_term_name_is_reported_as_empty() {
    let mut b = ModelBuilder::new();
    b.tumor(TumorSpec::new("tumor", 1e9, gompertz())).unwrap();
    let err = b.custom("", NoOp).unwrap_err();
    assert!(matches!(err, BuildError::EmptyName { .. }), "{err:?}");
}

#[test]
fn custom_term_named_like_an_existing_component_is_a_duplicate() {
    // The reverse order (custom term first, then a component of the same name) is rejected by
    // check_name; this order must be too.
    let mut b = ModelBuilder::new();
    b.tumor(TumorSpec::new("tumor", 1e9, gompertz())).unwrap();
    let err = b.custom("tumor", NoOp).unwrap_err();
    assert!(
        matches!(err, BuildError::DuplicateName { ref name } if name == "tumor"),
        "{err:?}"
    );
}

#[test]
fn component_named_like_an_existing_custom_term_is_a_duplicate() {
    let mut b = ModelBuilder::new();
    b.custom("hypoxia", NoOp).unwrap();
    let err = b
        .tumor(TumorSpec::new("hypoxia", 1e9, gompertz()))
        .unwrap_err();
    assert!(
        matches!(err, BuildError::DuplicateName { ref name } if name == "hypoxia"),
        "{err:?}"
    );
}

#[test]
fn kill_by_unknown_effector_in_a_model_spec_is_rejected() {
    let spec = ModelSpec {
        tumors: vec![TumorSpec::new("tumor", 1e9, gompertz())],
        effectors: vec![ctl_spec()],
        kills: vec![KillSpec {
            by: "nk".into(),
            on: "tumor".into(),
            law: MassAction { rate: 1e-10 }.into(),
        }],
        ..Default::default()
    };
    let err = spec.build().unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::UnknownName { ref name, kind: ComponentKind::Effector, ref available }
                if name == "nk" && available == "ctl"
        ),
        "{err:?}"
    );
}

#[test]
fn effector_kill_effect_naming_a_tumor_is_rejected() {
    // `of` names a component that exists, but it is a tumor, and an effector_kill effect
    // acts on an effector: the name is unknown among effectors.
    let spec = ModelSpec {
        tumors: vec![TumorSpec::new("tumor", 1e9, gompertz())],
        effectors: vec![ctl_spec()],
        drugs: vec![DrugSpec::new(
            "anti_pd1",
            OneCompartment { cl: 0.2, v: 3.0 },
        )],
        effects: vec![EffectSpec {
            drug: "anti_pd1".into(),
            rate: TargetRate::EffectorKill,
            of: "tumor".into(),
            law: Emax {
                emax: 1.0,
                ec50: 10.0,
            }
            .into(),
        }],
        ..Default::default()
    };
    let err = spec.build().unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::UnknownName { ref name, kind: ComponentKind::Effector, ref available }
                if name == "tumor" && available == "ctl"
        ),
        "{err:?}"
    );
}

#[test]
fn effect_of_unknown_drug_in_a_model_spec_is_rejected() {
    let spec = ModelSpec {
        tumors: vec![TumorSpec::new("tumor", 1e9, gompertz())],
        drugs: vec![DrugSpec::new("chemo", OneCompartment { cl: 1.0, v: 10.0 })],
        effects: vec![EffectSpec {
            drug: "chemotherapy".into(),
            rate: TargetRate::TumorKill,
            of: "tumor".into(),
            law: Linear { slope: 0.1 }.into(),
        }],
        ..Default::default()
    };
    let err = spec.build().unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::UnknownName { ref name, kind: ComponentKind::Drug, ref available }
                if name == "chemotherapy" && available == "chemo"
        ),
        "{err:?}"
    );
}

#[test]
fn recruitment_of_a_tumor_in_a_model_spec_is_rejected() {
    // Recruitment may name an effector or a suppressor; a tumor is neither.
    let spec = ModelSpec {
        tumors: vec![
            TumorSpec::new("a", 1e9, gompertz()),
            TumorSpec::new("b", 1e9, gompertz()),
        ],
        suppressors: vec![CellSpec {
            name: "mdsc".into(),
            initial: 1e5,
            source: 1e3,
            death: 0.1,
            ..Default::default()
        }],
        recruitments: vec![RecruitmentSpec {
            by: "a".into(),
            of: "b".into(),
            law: Recruitment::influx(1e4, 1e9),
        }],
        ..Default::default()
    };
    let err = spec.build().unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::UnknownName { ref name, ref available, .. }
                if name == "b" && available == "mdsc"
        ),
        "{err:?}"
    );
}

#[test]
fn kill_with_a_tumor_handle_from_another_builder_is_rejected() {
    let mut other = ModelBuilder::new();
    let foreign_tumor = other
        .tumor(TumorSpec::new("tumor", 1e9, gompertz()))
        .unwrap();
    let mut b = ModelBuilder::new();
    b.tumor(TumorSpec::new("tumor", 1e9, gompertz())).unwrap();
    let ctl = b.effector(ctl_spec()).unwrap();
    let err = b
        .kill(ctl, foreign_tumor, MassAction { rate: 1e-10 })
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::ForeignHandle { ref component, kind: ComponentKind::Tumor }
                if component == "kill"
        ),
        "{err:?}"
    );
}

#[test]
fn kill_by_an_effector_handle_from_another_builder_is_rejected() {
    // Both builders' effectors have ordinal 0: only the builder identity tells them apart.
    let mut other = ModelBuilder::new();
    let foreign_ctl = other.effector(ctl_spec()).unwrap();
    let mut b = ModelBuilder::new();
    let tumor = b.tumor(TumorSpec::new("tumor", 1e9, gompertz())).unwrap();
    b.effector(ctl_spec()).unwrap();
    let err = b
        .kill(foreign_ctl, tumor, MassAction { rate: 1e-10 })
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::ForeignHandle { ref component, kind: ComponentKind::Effector }
                if component == "kill"
        ),
        "{err:?}"
    );
}

#[test]
fn effect_of_a_drug_handle_from_another_builder_is_rejected() {
    let mut other = ModelBuilder::new();
    let foreign_drug = other
        .drug(DrugSpec::new("chemo", OneCompartment { cl: 1.0, v: 10.0 }))
        .unwrap();
    let mut b = ModelBuilder::new();
    let tumor = b.tumor(TumorSpec::new("tumor", 1e9, gompertz())).unwrap();
    b.drug(DrugSpec::new("chemo", OneCompartment { cl: 1.0, v: 10.0 }))
        .unwrap();
    let err = b
        .effect(
            foreign_drug,
            Target::TumorKill(tumor),
            Linear { slope: 0.1 },
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::ForeignHandle { ref component, kind: ComponentKind::Drug }
                if component == "effect"
        ),
        "{err:?}"
    );
}

#[test]
fn effect_on_a_target_handle_from_another_builder_is_rejected() {
    let mut other = ModelBuilder::new();
    let foreign_ctl = other.effector(ctl_spec()).unwrap();
    let mut b = ModelBuilder::new();
    let drug = b
        .drug(DrugSpec::new(
            "anti_pd1",
            OneCompartment { cl: 0.2, v: 3.0 },
        ))
        .unwrap();
    let err = b
        .effect(
            drug,
            Target::EffectorKill(foreign_ctl),
            Emax {
                emax: 1.0,
                ec50: 1.0,
            },
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::ForeignHandle { ref component, kind: ComponentKind::Effector }
                if component == "effect"
        ),
        "{err:?}"
    );
}

#[test]
fn empty_builder_is_rejected() {
    let err = ModelBuilder::new().build().unwrap_err();
    assert!(matches!(err, BuildError::EmptyModel), "{err:?}");
}

#[test]
fn empty_model_spec_is_rejected() {
    let err = ModelSpec::default().build().unwrap_err();
    assert!(matches!(err, BuildError::EmptyModel), "{err:?}");
}

#[test]
fn builder_with_only_a_custom_term_is_empty() {
    let mut b = ModelBuilder::new();
    b.custom("noop", NoOp).unwrap();
    let err = b.build().unwrap_err();
    assert!(matches!(err, BuildError::EmptyModel), "{err:?}");
}

#[test]
fn transit_chain_of_zero_compartments_is_rejected() {
    let mut b = ModelBuilder::new();
    let err = b
        .tumor(TumorSpec::new("tumor", 0.1, gompertz()).with_transit(0, 0.5))
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::InvalidStructure { ref component, param: "compartments", .. }
                if component == "tumor"
        ),
        "{err:?}"
    );
}

#[test]
fn unbounded_linear_law_on_growth_inhibition_is_rejected() {
    let mut b = ModelBuilder::new();
    let tumor = b.tumor(TumorSpec::new("tumor", 1e9, gompertz())).unwrap();
    let drug = b
        .drug(DrugSpec::new("tki", OneCompartment { cl: 1.0, v: 10.0 }))
        .unwrap();
    let err = b
        .effect(drug, Target::GrowthInhibition(tumor), Linear { slope: 0.1 })
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::InvalidStructure { ref component, param: "law", .. }
                if component == "tki -> tumor"
        ),
        "{err:?}"
    );
}

#[test]
fn suppression_relief_above_one_is_rejected() {
    // A `Suppression` effect multiplies by (1 − E): an Emax above 1 would turn it negative.
    let mut b = ModelBuilder::new();
    let treg = b
        .suppressor(CellSpec {
            name: "treg".into(),
            initial: 1e5,
            source: 1e3,
            death: 0.1,
            ..Default::default()
        })
        .unwrap();
    let drug = b
        .drug(DrugSpec::new(
            "anti_ctla4",
            OneCompartment { cl: 0.3, v: 4.0 },
        ))
        .unwrap();
    let err = b
        .effect(
            drug,
            Target::Suppression(treg),
            Emax {
                emax: 1.5,
                ec50: 1.0,
            },
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::InvalidStructure { ref component, param: "law", .. }
                if component == "anti_ctla4 -> treg"
        ),
        "{err:?}"
    );
}

#[test]
fn several_problems_in_a_model_spec_are_reported_together() {
    let spec = ModelSpec {
        tumors: vec![TumorSpec::new(
            "tumor",
            1e9,
            Gompertz {
                rate: f64::NAN,  // 1: rate not finite
                capacity: -1e12, // 2: capacity not positive
            },
        )],
        effectors: vec![CellSpec {
            name: "".into(),
            initial: 1e6,
            source: 0.0,
            death: 0.1,
            ..Default::default()
        }], // 3: empty name
        drugs: vec![DrugSpec::new("drug", OneCompartment { cl: 1.0, v: 0.0 })], // 4: v1 not positive
        kills: vec![KillSpec {
            by: "nk".into(), // 5: unknown effector
            on: "tumor".into(),
            law: MassAction { rate: 1e-10 }.into(),
        }],
        ..Default::default()
    };
    let err = spec.build().unwrap_err();
    let BuildError::Several(ref problems) = err else {
        panic!("expected Several, got {err:?}");
    };
    assert_eq!(problems.len(), 5, "{problems:#?}");
    assert_eq!(err.problems().len(), 5);
    let has = |pred: &dyn Fn(&BuildError) -> bool| problems.iter().filter(|p| pred(p)).count();
    assert_eq!(
        has(
            &|p| matches!(p, BuildError::InvalidParameter { component, param: "rate", value, .. } if component == "tumor" && value.is_nan())
        ),
        1
    );
    assert_eq!(
        has(
            &|p| matches!(p, BuildError::InvalidParameter { component, param: "capacity", .. } if component == "tumor")
        ),
        1
    );
    assert_eq!(
        has(&|p| matches!(
            p,
            BuildError::EmptyName {
                kind: ComponentKind::Effector
            }
        )),
        1
    );
    assert_eq!(
        has(
            &|p| matches!(p, BuildError::InvalidParameter { component, param: "v1", value, .. } if component == "drug" && *value == 0.0)
        ),
        1
    );
    assert_eq!(
        has(
            &|p| matches!(p, BuildError::UnknownName { name, kind: ComponentKind::Effector, .. } if name == "nk")
        ),
        1
    );
}

#[test]
fn several_bad_parameters_of_one_drug_are_reported_together() {
    let mut b = ModelBuilder::new();
    let err = b
        .drug(DrugSpec::new(
            "mab",
            TwoCompartment {
                cl: -0.2,
                v1: f64::NAN,
                q: 0.8,
                v2: 0.0,
            },
        ))
        .unwrap_err();
    let BuildError::Several(ref problems) = err else {
        panic!("expected Several, got {err:?}");
    };
    let params: Vec<&str> = problems
        .iter()
        .map(|p| match p {
            BuildError::InvalidParameter {
                component, param, ..
            } if component == "mab" => *param,
            other => panic!("unexpected problem {other:?}"),
        })
        .collect();
    assert_eq!(params, ["cl", "v1", "v"]);
}

// =============================================================================================
// ScheduleError
// =============================================================================================

#[test]
fn negative_dose_amount_is_rejected() {
    let err = schedule_error(valid_first().with(Dose::bolus(1.0, "drug", -5.0)));
    assert!(
        matches!(err, ScheduleError::InvalidAmount { dose: 1, ref target, amount } if target == "drug" && amount == -5.0),
        "{err:?}"
    );
}

#[test]
fn infinite_dose_amount_is_rejected() {
    let err = schedule_error(valid_first().with(Dose::bolus(1.0, "ctl", f64::INFINITY)));
    assert!(
        matches!(err, ScheduleError::InvalidAmount { dose: 1, ref target, .. } if target == "ctl"),
        "{err:?}"
    );
}

#[test]
fn nan_dose_time_is_rejected() {
    let err = schedule_error(valid_first().with(Dose::bolus(f64::NAN, "drug", 5.0)));
    assert!(
        matches!(err, ScheduleError::InvalidTime { dose: 1, ref target, time } if target == "drug" && time.is_nan()),
        "{err:?}"
    );
}

#[test]
fn negative_dose_time_is_rejected() {
    let err = schedule_error(valid_first().with(Dose::infusion(-1.0, "drug", 5.0, 0.5)));
    assert!(
        matches!(err, ScheduleError::InvalidTime { dose: 1, ref target, time } if target == "drug" && time == -1.0),
        "{err:?}"
    );
}

#[test]
fn zero_repeat_interval_is_rejected() {
    let err = schedule_error(valid_first().with(Dose::bolus(1.0, "drug", 5.0).repeated(0.0, 3)));
    assert!(
        matches!(err, ScheduleError::InvalidInterval { dose: 1, ref target, interval } if target == "drug" && interval == 0.0),
        "{err:?}"
    );
}

#[test]
fn negative_repeat_interval_is_rejected() {
    let err = schedule_error(valid_first().with(Dose::bolus(1.0, "drug", 5.0).repeated(-7.0, 3)));
    assert!(
        matches!(err, ScheduleError::InvalidInterval { dose: 1, ref target, interval } if target == "drug" && interval == -7.0),
        "{err:?}"
    );
}

#[test]
fn zero_infusion_duration_is_rejected() {
    let err = schedule_error(valid_first().with(Dose::infusion(1.0, "drug", 5.0, 0.0)));
    assert!(
        matches!(err, ScheduleError::InvalidDuration { dose: 1, ref target, duration } if target == "drug" && duration == 0.0),
        "{err:?}"
    );
}

#[test]
fn negative_infusion_duration_is_rejected() {
    let err = schedule_error(valid_first().with(Dose::infusion(1.0, "drug", 5.0, -0.5)));
    assert!(
        matches!(err, ScheduleError::InvalidDuration { dose: 1, ref target, duration } if target == "drug" && duration == -0.5),
        "{err:?}"
    );
}

#[test]
fn dose_repeated_zero_times_is_rejected() {
    let err = schedule_error(valid_first().with(Dose::bolus(1.0, "drug", 5.0).repeated(7.0, 0)));
    assert!(
        matches!(err, ScheduleError::EmptyRepeat { dose: 1, ref target } if target == "drug"),
        "{err:?}"
    );
}

#[test]
fn dose_of_an_unknown_target_is_rejected() {
    let err = schedule_error(valid_first().with(Dose::bolus(1.0, "anti_pd1", 5.0)));
    assert!(
        matches!(
            err,
            ScheduleError::UnknownTarget { dose: 1, ref name, ref available, .. }
                if name == "anti_pd1" && available == "drug, pk2, ctl"
        ),
        "{err:?}"
    );
}

/// A dose into a compartment its target lacks names the dose, target and compartment: a depot
/// of a drug without absorption, a peripheral the drug does not have (including 0: they are
/// numbered from 1; run under `catch_unwind` so an overflow panic in debug builds fails the
/// test instead of aborting the run), and cells into anything but their central state.
#[test]
fn dose_into_a_missing_compartment_is_rejected() {
    let cases = [
        ("drug", Compartment::Depot, "depot"),
        ("pk2", Compartment::Peripheral(2), "peripheral 2"),
        ("pk2", Compartment::Peripheral(0), "peripheral 0"),
        ("ctl", Compartment::Depot, "depot"),
    ];
    for (target, into, name) in cases {
        let dose = Dose::bolus(1.0, target, 5.0).into_compartment(into);
        let result = std::panic::catch_unwind(|| schedule_error(valid_first().with(dose)));
        let err = result.expect("no panic on caller input");
        assert!(
            matches!(
                err,
                ScheduleError::MissingCompartment { dose: 1, target: ref drug, ref compartment }
                    if drug == target && compartment == name
            ),
            "{target} into {name}: {err:?}"
        );
    }
}

#[test]
fn empty_output_times_are_rejected() {
    let (model, ..) = small_model();
    let err = simulate(&model, &valid_first(), &[], &SolverOptions::default()).unwrap_err();
    assert!(
        matches!(err, Error::Schedule(ScheduleError::NoOutputTimes)),
        "{err:?}"
    );
}

#[test]
fn unsorted_output_times_are_rejected() {
    let (model, ..) = small_model();
    let err = simulate(
        &model,
        &valid_first(),
        &[0.0, 2.0, 1.0],
        &SolverOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Schedule(ScheduleError::InvalidOutputTime { index: 2, time, reason: "is not after the one before it" })
                if time == 1.0
        ),
        "{err:?}"
    );
}

#[test]
fn repeated_output_time_is_rejected() {
    let (model, ..) = small_model();
    let err = simulate(
        &model,
        &valid_first(),
        &[0.0, 1.0, 1.0],
        &SolverOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Schedule(ScheduleError::InvalidOutputTime { index: 2, time, .. }) if time == 1.0
        ),
        "{err:?}"
    );
}

#[test]
fn nan_output_time_is_rejected() {
    let (model, ..) = small_model();
    let err = simulate(
        &model,
        &valid_first(),
        &[0.0, f64::NAN, 2.0],
        &SolverOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Schedule(ScheduleError::InvalidOutputTime { index: 1, time, reason: "is not finite" })
                if time.is_nan()
        ),
        "{err:?}"
    );
}

#[test]
fn negative_output_time_is_rejected() {
    let (model, ..) = small_model();
    let err = simulate(
        &model,
        &valid_first(),
        &[-1.0, 0.0],
        &SolverOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Schedule(ScheduleError::InvalidOutputTime { index: 0, time, reason: "is negative" })
                if time == -1.0
        ),
        "{err:?}"
    );
}

// =============================================================================================
// SolveError
// =============================================================================================

#[test]
fn invalid_rtol_is_rejected() {
    let (model, ..) = small_model();
    for rtol in [0.0, -1e-6, 1.0, f64::NAN] {
        let opts = SolverOptions {
            rtol,
            ..Default::default()
        };
        let err = solve_error(&model, &times(), &opts);
        assert!(
            matches!(err, SolveError::InvalidOption { option: "rtol", value, .. } if value.to_bits() == rtol.to_bits()),
            "rtol = {rtol}: {err:?}"
        );
    }
}

#[test]
fn non_positive_unit_atol_is_rejected() {
    let (model, ..) = small_model();
    let opts = SolverOptions {
        atol: AbsoluteTolerance {
            cells: 0.0,
            ..Default::default()
        },
        ..Default::default()
    };
    let err = solve_error(&model, &times(), &opts);
    assert!(
        matches!(err, SolveError::InvalidOption { option: "atol.cells", value, .. } if value == 0.0),
        "{err:?}"
    );
}

#[test]
fn zero_step_budget_is_rejected() {
    let (model, ..) = small_model();
    let opts = SolverOptions {
        max_steps: 0,
        ..Default::default()
    };
    let err = solve_error(&model, &times(), &opts);
    assert!(
        matches!(
            err,
            SolveError::InvalidOption {
                option: "max_steps",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn tiny_step_budget_runs_out() {
    // Exponential growth over 100 days at rtol 1e-10 takes hundreds of steps; 10 are allowed.
    let mut b = ModelBuilder::new();
    b.tumor(TumorSpec::new("tumor", 1e6, Exponential { rate: 0.1 }))
        .unwrap();
    let model = b.build().unwrap();
    let opts = SolverOptions {
        rtol: 1e-10,
        max_steps: 10,
        ..Default::default()
    };
    let err = solve_error(&model, &[0.0, 100.0], &opts);
    assert!(
        matches!(err, SolveError::TooManySteps { t, max_steps: 10 } if t > 0.0 && t < 100.0),
        "{err:?}"
    );
}

#[test]
fn step_budget_counts_steps_over_the_whole_simulation() {
    // Each daily segment needs a few steps; the budget is for the whole run, so 100 daily
    // segments cannot fit in 50 steps even though each segment alone would.
    let mut b = ModelBuilder::new();
    b.tumor(TumorSpec::new("tumor", 1e6, Exponential { rate: 0.1 }))
        .unwrap();
    let model = b.build().unwrap();
    let opts = SolverOptions {
        max_steps: 50,
        ..Default::default()
    };
    let daily: Vec<f64> = (0..=100).map(f64::from).collect();
    let err = solve_error(&model, &daily, &opts);
    assert!(
        matches!(err, SolveError::TooManySteps { t, max_steps: 50 } if t > 0.0 && t < 100.0),
        "{err:?}"
    );
}

/// Adds NaN to the tumor's rate once `t` passes `after` (a user term with a bug).
#[derive(Debug)]
struct NanAfter {
    tumor: StateId<Tumor>,
    after: f64,
}
impl Custom for NanAfter {
    fn add_rates(&self, t: f64, _y: &States, dy: &mut Rates) {
        if t > self.after {
            dy[self.tumor] += f64::NAN;
        }
    }
}

#[test]
fn nan_rate_from_a_custom_term_is_reported_with_state_and_time() {
    let mut b = ModelBuilder::new();
    let tumor = b
        .tumor(TumorSpec::new("tumor", 1e6, Exponential { rate: 0.1 }))
        .unwrap();
    b.effector(CellSpec {
        name: "ctl".into(),
        initial: 1e5,
        source: 0.0,
        death: 0.1,
        ..Default::default()
    })
    .unwrap();
    b.custom("buggy", NanAfter { tumor, after: 2.0 }).unwrap();
    let model = b.build().unwrap();
    let err = solve_error(&model, &times(), &SolverOptions::default());
    // The first evaluation past t = 2 is inside the segment [2, 3] (outputs are daily).
    assert!(
        matches!(err, SolveError::NonFinite { t, ref state } if state == "tumor" && t > 2.0 && t <= 3.0),
        "{err:?}"
    );
}

/// `d(target)/dt += y²` for the effector `y` (finite-time blow-up).
#[derive(Debug)]
struct Square {
    y: StateId<Effector>,
}
impl Custom for Square {
    fn add_rates(&self, _t: f64, y: &States, dy: &mut Rates) {
        dy[self.y] += y[self.y] * y[self.y];
    }
}

fn square_model(y0: f64) -> Model {
    let mut b = ModelBuilder::new();
    b.tumor(TumorSpec::new("tumor", 1e6, Exponential { rate: 0.0 }))
        .unwrap();
    let y = b
        .effector(CellSpec {
            name: "y".into(),
            initial: y0,
            source: 0.0,
            death: 0.0,
            ..Default::default()
        })
        .unwrap();
    b.custom("square", Square { y }).unwrap();
    b.build().unwrap()
}

#[test]
fn overflowing_rate_is_reported_as_non_finite_with_state_and_time() {
    // y0 = 1e200: y² overflows to +inf at the very first evaluation, t = 0.
    let err = solve_error(&square_model(1e200), &[0.0, 1.0], &SolverOptions::default());
    assert!(
        matches!(err, SolveError::NonFinite { t, ref state } if state == "y" && t == 0.0),
        "{err:?}"
    );
}

#[test]
fn finite_time_blow_up_stops_with_a_collapsed_step_at_the_pole() {
    // dy/dt = y², y(0) = 1 has the solution y = 1/(1 − t), which leaves every bound at t = 1.
    // Integrated towards t = 2 the method cannot pass the pole. The numerical solution has its
    // own pole, displaced from t = 1 by the global error (measured: 1 − 3.3e-6 at rtol 1e-6);
    // approaching it the steps shrink with the distance to it, until the step is below what
    // t ≈ 1 can resolve in f64 (ode_solvers' test 0.1·h ≤ ε·t), while y is still ~1e14, far
    // from overflow. So the correct report is StepSizeTooSmall just before t = 1: not NonFinite
    // (nothing overflowed), not TooManySteps (a few hundred steps of a budget of 1e6), and not
    // Ok (the solution does not exist at t = 2). The window 1e-4 leaves a factor of 30 on
    // the measured pole shift.
    let err = solve_error(&square_model(1.0), &[0.0, 2.0], &SolverOptions::default());
    assert!(
        matches!(err, SolveError::StepSizeTooSmall { t } if t > 1.0 - 1e-4 && t < 1.0),
        "{err:?}"
    );
}

/// `dy/dt += −λ·(y − cos t)`: relaxes fast onto cos t (stiff for large λ).
#[derive(Debug)]
struct Relax {
    y: StateId<Effector>,
    lambda: f64,
}
impl Custom for Relax {
    fn add_rates(&self, t: f64, y: &States, dy: &mut Rates) {
        dy[self.y] += -self.lambda * (y[self.y] - t.cos());
    }
}

fn relax_model(lambda: f64) -> Model {
    let mut b = ModelBuilder::new();
    let y = b
        .effector(CellSpec {
            name: "y".into(),
            initial: 1.0,
            source: 0.0,
            death: 0.0,
            ..Default::default()
        })
        .unwrap();
    b.custom("relax", Relax { y, lambda }).unwrap();
    b.build().unwrap()
}

#[test]
fn stiff_problem_is_detected() {
    // λ = 1e6 1/day: stability limits Dopri5 to h ≈ 3.3e-6 d while accuracy would allow far
    // more; ode_solvers' test (every 1000 accepted steps, 15 stiff in a row) reports it early.
    let opts = SolverOptions {
        stiffness: Stiffness::Error,
        ..Default::default()
    };
    let err = solve_error(&relax_model(1e6), &[0.0, 1.0], &opts);
    assert!(
        matches!(err, SolveError::Stiff { t } if t > 0.0 && t < 1.0),
        "{err:?}"
    );
}

#[test]
fn stiff_problem_is_detected_by_dop853_too() {
    let opts = SolverOptions {
        method: Method::Dop853,
        stiffness: Stiffness::Error,
        ..Default::default()
    };
    let err = solve_error(&relax_model(1e6), &[0.0, 1.0], &opts);
    assert!(
        matches!(err, SolveError::Stiff { t } if t > 0.0 && t < 1.0),
        "{err:?}"
    );
}

#[test]
fn tolerance_for_an_unknown_state_is_rejected() {
    let (model, ..) = small_model();
    let opts = SolverOptions {
        state_atol: vec![StateTolerance {
            state: "drug_depot".into(), // `drug` has no depot
            atol: 1e-12,
        }],
        ..Default::default()
    };
    let err = solve_error(&model, &times(), &opts);
    assert!(
        matches!(
            err,
            SolveError::UnknownState { ref name, ref available }
                if name == "drug_depot"
                    && available == "tumor, ctl, drug_central, pk2_depot, pk2_central, pk2_peripheral_1"
        ),
        "{err:?}"
    );
}

#[test]
fn non_positive_state_tolerance_is_rejected() {
    let (model, ..) = small_model();
    let opts = SolverOptions {
        state_atol: vec![StateTolerance {
            state: "ctl".into(),
            atol: -1.0,
        }],
        ..Default::default()
    };
    let err = solve_error(&model, &times(), &opts);
    assert!(
        matches!(err, SolveError::InvalidOption { option: "state_atol", value, .. } if value == -1.0),
        "{err:?}"
    );
}

// =============================================================================================
// LookupError
// =============================================================================================

fn small_trajectory() -> (Trajectory, StateId<Tumor>) {
    let (model, tumor, ..) = small_model();
    let traj = simulate(&model, &valid_first(), &times(), &SolverOptions::default()).unwrap();
    (traj, tumor)
}

#[test]
fn column_of_a_handle_from_another_builder_is_rejected() {
    let (traj, _) = small_trajectory();
    let mut other = ModelBuilder::new();
    let foreign = other
        .tumor(TumorSpec::new("tumor", 1e9, gompertz()))
        .unwrap();
    let err = traj.column(foreign).unwrap_err();
    assert!(
        matches!(
            err,
            LookupError::ForeignHandle {
                kind: ComponentKind::Tumor
            }
        ),
        "{err:?}"
    );
}

#[test]
fn amount_of_a_drug_handle_from_another_builder_is_rejected() {
    let (traj, _) = small_trajectory();
    let mut other = ModelBuilder::new();
    let foreign = other
        .drug(DrugSpec::new("drug", OneCompartment { cl: 2.0, v: 10.0 }))
        .unwrap();
    let err = traj.amount(foreign).unwrap_err();
    assert!(
        matches!(
            err,
            LookupError::ForeignHandle {
                kind: ComponentKind::Drug
            }
        ),
        "{err:?}"
    );
}

#[test]
fn handle_of_the_builder_is_foreign_to_a_model_rebuilt_from_its_spec() {
    // A model rebuilt from the builder's spec is a different model: the builder's handles do not
    // name its columns (its own handles come from `model.tumor(name)`).
    let mut b = ModelBuilder::new();
    let tumor = b.tumor(TumorSpec::new("tumor", 1e9, gompertz())).unwrap();
    let rebuilt = b.spec().clone().build().unwrap();
    let traj = simulate(
        &rebuilt,
        &Regimen::new("none"),
        &times(),
        &SolverOptions::default(),
    )
    .unwrap();
    assert!(matches!(
        traj.column(tumor),
        Err(LookupError::ForeignHandle {
            kind: ComponentKind::Tumor
        })
    ));
    let own = rebuilt.tumor("tumor").unwrap();
    assert_eq!(traj.column(own).unwrap().len(), times().len());
}

#[test]
fn unknown_column_name_is_rejected() {
    let (traj, _) = small_trajectory();
    let err = traj.column_by_name("tumour").unwrap_err();
    assert!(
        matches!(
            err,
            LookupError::UnknownColumn { ref name, ref available }
                if name == "tumour" && available.split(", ").any(|c| c == "tumor")
        ),
        "{err:?}"
    );
}

#[test]
fn value_at_a_time_that_is_not_an_output_is_rejected() {
    let (traj, tumor) = small_trajectory();
    let err = traj.value_at(0.5, tumor).unwrap_err();
    assert!(
        matches!(err, LookupError::NotAnOutputTime { t } if t == 0.5),
        "{err:?}"
    );
}

#[test]
fn unknown_model_handle_name_is_rejected() {
    let (model, ..) = small_model();
    let err = model.effector("nk").unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::UnknownName { ref name, kind: ComponentKind::Effector, ref available }
                if name == "nk" && available == "ctl"
        ),
        "{err:?}"
    );
}

#[test]
fn every_requested_output_time_can_be_looked_up() {
    // Outputs every 0.1 d computed as i·0.1 (so 3·0.1 = 0.30000000000000004), a dose written as
    // the literal 0.3: one ULP apart, they are merged into one cut, whose rows carry the dose's
    // time 0.3; the requested output time 0.30000000000000004 then has no row.
    let (model, tumor, ..) = small_model();
    let times: Vec<f64> = (0..=10).map(|i| f64::from(i) * 0.1).collect();
    assert_eq!(times[3], 0.30000000000000004);
    let regimen = Regimen::new("one").with(Dose::bolus(0.3, "drug", 10.0));
    let traj = simulate(&model, &regimen, &times, &SolverOptions::default()).unwrap();
    for &t in &times {
        assert!(
            traj.value_at(t, tumor).is_ok(),
            "output time {t:?} not found among {:?}",
            traj.times()
        );
    }
}

/// A user term holding a handle issued by another builder.
#[derive(Debug)]
struct ForeignTerm {
    ctl: StateId<Effector>,
}
impl Custom for ForeignTerm {
    fn add_rates(&self, _t: f64, y: &States, dy: &mut Rates) {
        dy[self.ctl] -= 0.1 * y[self.ctl];
    }
}

#[test]
fn custom_term_with_a_foreign_handle_is_an_error_not_a_panic() {
    // build() runs each user term once on the initial state and reports the one that reads or
    // writes through a handle of another builder.
    let mut other = ModelBuilder::new();
    let foreign = other
        .effector(CellSpec {
            name: "ctl".into(),
            initial: 1e6,
            source: 0.0,
            death: 0.1,
            ..Default::default()
        })
        .unwrap();
    let mut b = ModelBuilder::new();
    b.tumor(TumorSpec::new("tumor", 1e6, gompertz())).unwrap();
    b.custom("foreign", ForeignTerm { ctl: foreign }).unwrap();
    let err = b.build().unwrap_err();
    assert!(
        matches!(
            err,
            BuildError::ForeignHandle { ref component, kind: ComponentKind::Custom }
                if component == "foreign"
        ),
        "{err:?}"
    );
}
