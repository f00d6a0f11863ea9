//! Unit tests of the path grammar, the parameter tree and binding.

use super::*;
use crate::model::{CellSpec, GrowthLaw, KillSpec, Logistic, MassAction, TumorSpec};

fn spec(names: &[&str]) -> ModelSpec {
    ModelSpec {
        tumors: names
            .iter()
            .map(|n| {
                TumorSpec::new(
                    *n,
                    1.0,
                    Logistic {
                        rate: 0.1,
                        capacity: 10.0,
                    },
                )
            })
            .collect(),
        ..ModelSpec::default()
    }
}

#[test]
fn names_that_do_not_read_back_are_listed_by_position() {
    // A repeated name, a number, a name with `]` and one with `->` cannot select.
    let s = spec(&["a", "a", "7", "x]y", "p->q", " pad", "ok"]);
    let paths: Vec<String> = list(&s).iter().map(|e| e.path.to_string()).collect();
    let initials: Vec<&str> = paths
        .iter()
        .filter(|p| p.ends_with(".initial"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        initials,
        [
            "tumors[0].initial",
            "tumors[1].initial",
            "tumors[2].initial",
            "tumors[3].initial",
            "tumors[4].initial",
            "tumors[5].initial",
            "tumors[ok].initial",
        ]
    );
    for e in list(&s) {
        assert_eq!(e.path.bind(&s).unwrap(), e.slot, "{}", e.path);
    }
}

#[test]
fn a_repeated_pair_is_listed_by_position_and_a_unique_one_by_pair() {
    let mut s = spec(&["t"]);
    s.effectors.push(CellSpec {
        name: "e".into(),
        initial: 1.0,
        source: 0.0,
        death: 0.1,
        ..Default::default()
    });
    for rate in [1.0, 2.0] {
        s.kills.push(KillSpec {
            by: "e".into(),
            on: "t".into(),
            law: MassAction { rate }.into(),
        });
    }
    let paths: Vec<String> = list(&s).iter().map(|e| e.path.to_string()).collect();
    assert!(
        paths.contains(&"kills[0].law.rate".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"kills[1].law.rate".to_string()),
        "{paths:?}"
    );
    s.kills.pop();
    let paths: Vec<String> = list(&s).iter().map(|e| e.path.to_string()).collect();
    assert!(
        paths.contains(&"kills[e->t].law.rate".to_string()),
        "{paths:?}"
    );
}

#[test]
fn the_shape_ignores_values_but_not_structure() {
    let a = spec(&["t"]);
    let mut b = a.clone();
    b.tumors[0].initial = 5.0;
    let root_a = shape(&tree(&mut a.clone()));
    assert_eq!(root_a, shape(&tree(&mut b)));
    b.tumors[0].name = "u".into();
    assert_ne!(root_a, shape(&tree(&mut b)));
    let mut c = a.clone();
    c.tumors[0].growth = GrowthLaw::Exponential(crate::model::Exponential { rate: 0.1 });
    assert_ne!(root_a, shape(&tree(&mut c)));
}

#[test]
fn bind_all_binds_in_order_with_one_walk() {
    let s = spec(&["t"]);
    let paths: Vec<ParamPath> = ["tumors[t].growth.capacity", "tumors.t.initial"]
        .iter()
        .map(|p| ParamPath::parse(p).unwrap())
        .collect();
    let slots = bind_all(&s, &paths).unwrap();
    assert_eq!(slots.iter().map(|s| s.index()).collect::<Vec<_>>(), [2, 0]);
    let err = bind_all(&s, &[ParamPath::parse("tumors[u].initial").unwrap()]).unwrap_err();
    assert!(matches!(err, PathError::UnknownElement { .. }), "{err}");
}

/// A two-compartment drug (central `v1`, peripheral `v`) beside a tumor.
fn pk2_and_tumor() -> ModelSpec {
    use crate::model::{DrugSpec, TwoCompartment};
    let mut spec = spec(&["tumor"]);
    spec.drugs.push(DrugSpec::new(
        "pk",
        TwoCompartment {
            cl: 1.0,
            v1: 10.0,
            q: 0.5,
            v2: 4.0,
        },
    ));
    spec
}

#[test]
fn a_short_name_finds_the_one_path_ending_in_it_without_case() {
    let spec = pk2_and_tumor();
    let found = |name: &str| spec.find_parameter(name).map(|p| p.to_string());
    assert_eq!(found("CL").unwrap(), "drugs[pk].cl");
    assert_eq!(found("q").unwrap(), "drugs[pk].peripherals[0].q");
    // A full path is itself, checked against the description.
    assert_eq!(found("drugs[pk].v1").unwrap(), "drugs[pk].v1");
    assert!(matches!(
        spec.find_parameter("drugs[pk].nothing"),
        Err(PathError::UnknownField { .. })
    ));
}

#[test]
fn a_short_name_that_matches_none_or_several_is_a_typed_error() {
    let spec = pk2_and_tumor();
    match spec.find_parameter("foo") {
        Err(PathError::UnknownParameter { name, available }) => {
            assert_eq!(name, "foo");
            assert_eq!(available.len(), spec.parameter_paths().len());
            assert!(available.contains(&"drugs[pk].cl".to_string()));
        }
        other => panic!("{other:?}"),
    }
    // `v` is NONMEM's central volume and also the peripheral's volume here.
    match spec.find_parameter("v") {
        Err(PathError::AmbiguousParameter { name, candidates }) => {
            assert_eq!(name, "v");
            assert_eq!(
                candidates,
                ["drugs[pk].v1", "drugs[pk].peripherals[0].v"].map(String::from)
            );
        }
        other => panic!("{other:?}"),
    }
}
