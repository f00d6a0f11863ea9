//! Parameter paths (issue 13): one module owns the grammar and lists every real-valued
//! parameter of a model; paths bind once to slots, and `Model::with` writes slots directly.

use oncodyn::compare::PopulationError;
use oncodyn::io::ModelFile;
use oncodyn::model::PathError;
use oncodyn::model::{
    Change, Competitor, Flux, ModelSpec, ParamPath, PathEntry, Process, Radiosensitivity,
};
use oncodyn::prelude::*;
use oncodyn::BuildError;
use std::path::PathBuf;

fn read(path: &str) -> ModelSpec {
    ModelFile::read(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .model
}

fn texts(entries: &[PathEntry]) -> Vec<String> {
    entries.iter().map(|e| e.path.to_string()).collect()
}

/// tests/data/models/every_term.toml with the few kinds of parameter it lacks: a competitor,
/// radiosensitivities, an expression flux and named constants.
fn rich() -> ModelSpec {
    let mut spec = read("tests/data/models/every_term.toml");
    spec.tumors[1].competitors.push(Competitor {
        tumor: "tumor".into(),
        coefficient: 0.7,
    });
    spec.tumors[0].radiosensitivity = Some(Radiosensitivity {
        alpha: 0.3,
        beta: 0.03,
    });
    spec.effectors[0].radiosensitivity = Some(Radiosensitivity {
        alpha: 0.5,
        beta: 0.05,
    });
    spec.processes.push(Process::Flux(Flux {
        name: "help".into(),
        rate: "k_help * il2 / (il2 + k_half)".parse().unwrap(),
        changes: vec![
            Change {
                state: "ctl".into(),
                coefficient: 1.0,
            },
            Change {
                state: "il2".into(),
                coefficient: -0.5,
            },
        ],
    }));
    spec.parameters.insert("k_help".into(), 2.0);
    spec.parameters.insert("k_half".into(), 10.0);
    spec
}

/// The paths of the rich model, pinned: a rename of any of them breaks users' study and fit
/// files, so it must be deliberate and show here.
const RICH_PATHS: &[&str] = &[
    "tumors[tumor].initial",
    "tumors[tumor].growth.rate",
    "tumors[tumor].growth.capacity",
    "tumors[tumor].transit.rate",
    "tumors[tumor].radiosensitivity.alpha",
    "tumors[tumor].radiosensitivity.beta",
    "tumors[clone].initial",
    "tumors[clone].growth.lambda0",
    "tumors[clone].growth.lambda1",
    "tumors[clone].growth.psi",
    "tumors[clone].competitors[0].coefficient",
    "tumors[slow].initial",
    "tumors[slow].growth.growth",
    "tumors[slow].growth.loss",
    "tumors[power].initial",
    "tumors[power].growth.coefficient",
    "tumors[power].growth.exponent",
    "effectors[ctl].initial",
    "effectors[ctl].source",
    "effectors[ctl].death",
    "effectors[ctl].radiosensitivity.alpha",
    "effectors[ctl].radiosensitivity.beta",
    "effectors[exhausted].initial",
    "effectors[exhausted].source",
    "effectors[exhausted].death",
    "effectors[nk].initial",
    "effectors[nk].source",
    "effectors[nk].death",
    "suppressors[treg].initial",
    "suppressors[treg].source",
    "suppressors[treg].death",
    "species[il2].initial",
    "species[il2].production",
    "species[il2].decay",
    "species[pd1].initial",
    "species[pd1].production",
    "species[pd1].decay",
    "species[pdl1].initial",
    "species[pdl1].production",
    "species[pdl1].decay",
    "species[pd1_pdl1].initial",
    "species[pd1_pdl1].production",
    "species[pd1_pdl1].decay",
    "drugs[antibody].cl",
    "drugs[antibody].v1",
    "drugs[antibody].peripherals[0].q",
    "drugs[antibody].peripherals[0].v",
    "drugs[antibody].clearance_change.emax",
    "drugs[antibody].clearance_change.t50",
    "drugs[antibody].clearance_change.hill",
    "drugs[oral].cl",
    "drugs[oral].v1",
    "drugs[oral].absorption.ka",
    "drugs[oral].absorption.bioavailability",
    "drugs[oral].absorption.lag",
    "drugs[oral].saturable.vmax",
    "drugs[oral].saturable.km",
    "kills[ctl->tumor].law.rate",
    "kills[nk->clone].law.rate",
    "kills[nk->clone].law.half_saturation",
    "kills[ctl->clone].law.d",
    "kills[ctl->clone].law.l",
    "kills[ctl->clone].law.s",
    "recruitments[tumor->ctl].law.rate",
    "recruitments[tumor->ctl].law.half_saturation",
    "recruitments[tumor->ctl].law.hill",
    "recruitments[tumor->treg].law.rate",
    "recruitments[tumor->treg].law.half_saturation",
    "recruitments[tumor->treg].law.hill",
    "inactivations[clone->nk].rate",
    "suppressions[treg->ctl].inhibition.imax",
    "suppressions[treg->ctl].inhibition.s50",
    "effects[antibody->treg].law.emax",
    "effects[antibody->treg].law.ec50",
    "effects[antibody->ctl].law.emax",
    "effects[antibody->ctl].law.ec50",
    "effects[oral->tumor].law.emax",
    "effects[oral->tumor].law.ec50",
    "effects[oral->tumor].law.hill",
    "effects[oral->clone].law.emax",
    "effects[oral->clone].law.k",
    "effects[oral->nk].law.slope",
    "processes[exhaustion].rate",
    "processes[reinvigoration].rate",
    "processes[il2_by_ctl].rate",
    "processes[engagement].kon",
    "processes[engagement].koff",
    "processes[pdl1_by_tumor].rate",
    "processes[help].changes[0].coefficient",
    "processes[help].changes[1].coefficient",
    "modifiers[0].factor.effect.emax",
    "modifiers[0].factor.effect.ec50",
    "modifiers[0].factor.effect.hill",
    "modifiers[1].factor.activation.emax",
    "modifiers[1].factor.activation.ec50",
    "modifiers[2].factor.inhibition.emax",
    "modifiers[2].factor.inhibition.ec50",
    "modifiers[2].factor.inhibition.hill",
    "modifiers[3].factor.exponential.rate",
    "modifiers[4].factor.inhibition.emax",
    "modifiers[4].factor.inhibition.ec50",
    "modifiers[5].factor.effect.slope",
    "modifiers[6].factor.activation.emax",
    "modifiers[6].factor.activation.k",
    "modifiers[7].factor.inhibition.emax",
    "modifiers[7].factor.inhibition.ec50",
    "parameters.k_half",
    "parameters.k_help",
];

#[test]
fn the_paths_of_a_rich_model_are_pinned() {
    let spec = rich();
    spec.clone().build().expect("the rich model builds");
    let listed = spec.parameter_paths();
    assert_eq!(texts(&listed), RICH_PATHS);
    // A few values, and the slots number the list.
    let value = |p: &str| listed.iter().find(|e| e.path.as_str() == p).unwrap().value;
    assert_eq!(value("tumors[clone].competitors[0].coefficient"), 0.7);
    assert_eq!(value("processes[help].changes[1].coefficient"), -0.5);
    assert_eq!(value("parameters.k_help"), 2.0);
    assert_eq!(value("drugs[oral].absorption.lag"), 0.0);
    for (k, e) in listed.iter().enumerate() {
        assert_eq!(e.slot.index(), k);
    }
}

/// Every model file the crate ships or tests with.
fn model_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["examples/models", "tests/data/models"] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 9, "{files:?}");
    files
}

/// The value `with` moves a parameter to: 1.5 times it, or 1 for a zero.
fn moved(value: f64) -> f64 {
    if value == 0.0 {
        1.0
    } else {
        1.5 * value
    }
}

#[test]
fn every_listed_path_parses_binds_reads_and_writes_exactly_its_leaf() {
    for file in model_files() {
        let name = file.display().to_string();
        let spec = read(&name);
        let model = spec
            .clone()
            .build()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let listed = spec.parameter_paths();
        assert!(!listed.is_empty(), "{name}");
        let values: Vec<f64> = listed.iter().map(|e| e.value).collect();
        for (k, entry) in listed.iter().enumerate() {
            let text = entry.path.as_str();
            let path = ParamPath::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(path, entry.path, "{name}: {text}");
            let slot = path.bind(&spec).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(slot, entry.slot, "{name}: {text}");
            assert_eq!(path.get(&spec).unwrap(), entry.value, "{name}: {text}");
            assert_eq!(spec.get(slot).unwrap(), entry.value, "{name}: {text}");

            // At the description level: exactly this leaf changes.
            let target = moved(entry.value);
            let mut changed = spec.clone();
            changed.set(slot, target).unwrap();
            assert_ne!(changed, spec, "{name}: {text}");
            let mut expected = values.clone();
            expected[k] = target;
            let after: Vec<f64> = changed.parameter_paths().iter().map(|e| e.value).collect();
            assert_eq!(after, expected, "{name}: {text}");
            // `ParamPath::set` writes the same leaf.
            let mut by_path = spec.clone();
            path.set(&mut by_path, target).unwrap();
            assert_eq!(by_path, changed, "{name}: {text}");

            // At the model level: the rebuilt model has the changed description, or the value
            // is out of its parameter's range and the build says so.
            match model.with(&[(slot, target)]) {
                Ok(m) => assert_eq!(m.spec(), &changed, "{name}: {text}"),
                Err(e) => assert!(
                    e.problems().iter().all(|p| !matches!(
                        p,
                        BuildError::ForeignSlot { .. } | BuildError::LayoutChanged
                    )),
                    "{name}: {text}: {e}"
                ),
            }
        }
    }
}

/// The real numbers of the model file format, found through serde: each must have a path,
/// under the same key names, with the same value. This is what fails when a serde rename
/// makes model files and parameter paths disagree.
#[test]
fn every_real_number_of_a_model_file_has_its_path() {
    fn walk(value: &toml::Value, path: String, out: &mut Vec<(String, f64)>) {
        match value {
            toml::Value::Float(v) => out.push((path, *v)),
            toml::Value::Table(t) => {
                for (k, v) in t {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(v, p, out);
                }
            }
            toml::Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    walk(v, format!("{path}[{i}]"), out);
                }
            }
            _ => {}
        }
    }
    let mut specs: Vec<(String, ModelSpec)> = model_files()
        .iter()
        .map(|f| (f.display().to_string(), read(&f.display().to_string())))
        .collect();
    specs.push(("rich".into(), rich()));
    for (name, spec) in specs {
        let mut reals = Vec::new();
        walk(
            &toml::Value::try_from(&spec).unwrap(),
            String::new(),
            &mut reals,
        );
        let listed = spec.parameter_paths();
        let mut slots = Vec::new();
        for (text, value) in &reals {
            let path = ParamPath::parse(text).unwrap();
            let slot = path.bind(&spec).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(listed[slot.index()].value, *value, "{name}: {text}");
            assert!(!slots.contains(&slot), "{name}: {text}");
            slots.push(slot);
        }
        // The only reals the file leaves out are absorption lags of 0 (not written).
        for (k, entry) in listed.iter().enumerate() {
            if !slots.iter().any(|s| s.index() == k) {
                assert!(
                    entry.path.as_str().ends_with(".absorption.lag") && entry.value == 0.0,
                    "{name}: {} has no place in the file",
                    entry.path
                );
            }
        }
    }
}

#[test]
fn dotted_and_bracketed_paths_bind_to_one_slot() {
    let spec = rich();
    for (a, b) in [
        ("tumors.tumor.growth.rate", "tumors[tumor].growth.rate"),
        ("effects.1.law.emax", "effects[antibody->ctl].law.emax"),
        (
            "processes.help.changes.1.coefficient",
            "processes[help].changes[1].coefficient",
        ),
        ("processes[il2_by_ctl].rate", "processes[ctl->il2].rate"),
        ("kills[ 1 ].law.rate", "kills[nk -> clone].law.rate"),
    ] {
        let a = ParamPath::parse(a).unwrap().bind(&spec).unwrap();
        let b = ParamPath::parse(b).unwrap().bind(&spec).unwrap();
        assert_eq!(a, b);
    }
}

#[test]
fn ambiguous_names_fall_back_to_positions_in_the_list() {
    // Two effects of one drug on one population: the pair is ambiguous, the list says `[k]`.
    let mut spec = read("tests/data/models/every_term.toml");
    let mut second = spec.effects[1].clone();
    second.rate = oncodyn::model::TargetRate::EffectorDeath;
    spec.effects.push(second);
    let paths = texts(&spec.parameter_paths());
    assert!(
        paths.contains(&"effects[1].law.emax".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"effects[5].law.emax".to_string()),
        "{paths:?}"
    );
    assert!(paths.contains(&"effects[antibody->treg].law.emax".to_string()));
    for text in &paths {
        ParamPath::parse(text).unwrap().bind(&spec).unwrap();
    }
}

#[test]
fn binding_errors_name_what_exists() {
    let spec = rich();
    let bind = |p: &str| ParamPath::parse(p).unwrap().bind(&spec).unwrap_err();

    let err = bind("drugs[oral].absorption.tlag");
    assert!(
        matches!(&err, PathError::UnknownField { at, field, available, .. }
            if at == "drugs[oral].absorption" && field == "tlag"
                && available == "bioavailability, ka, lag"),
        "{err}"
    );
    let err = bind("species[il-2].decay");
    assert!(
        matches!(&err, PathError::UnknownElement { selector, matches: 0, available, .. }
            if selector == "il-2" && available == "0 (il2), 1 (pd1), 2 (pdl1), 3 (pd1_pdl1)"),
        "{err}"
    );
    assert!(err.to_string().contains("0 (il2)"), "{err}");
    let err = bind("modifiers[8].factor");
    assert!(
        matches!(&err, PathError::UnknownElement { matches: 0, available, .. }
            if available.starts_with("0 (a table), 1 (a table)")),
        "{err}"
    );
    let err = bind("parameters.k_hlep");
    assert!(
        matches!(&err, PathError::UnknownField { available, .. }
            if available == "k_half, k_help"),
        "{err}"
    );
    // Paths that end on something that is not a real number.
    for (text, kind) in [
        ("tumors[tumor].name", "text"),
        ("tumors[tumor].growth.type", "text"),
        ("tumors[tumor].transit.compartments", "an integer"),
        ("processes[help]", "a table"),
        ("effects[oral->nk].rate", "text"),
        ("drugs[antibody].peripherals", "a list"),
        ("modifiers[0].on", "a table"),
    ] {
        let err = bind(text);
        assert!(
            matches!(&err, PathError::NotReal { found, .. } if *found == kind),
            "{text}: {err}"
        );
    }
    let err = bind("processes[help]");
    assert!(
        matches!(&err, PathError::NotReal { available, .. }
            if available == "changes, name, rate, type"),
        "{err}"
    );
    // Steps into something that is not a table or a list.
    let err = bind("tumors[tumor].initial.value");
    assert!(
        matches!(&err, PathError::UnknownField { available, .. }
            if available == "none: it is a real number"),
        "{err}"
    );
    let err = bind("parameters[k_half]");
    assert!(
        matches!(&err, PathError::UnknownElement { available, .. }
            if available == "none: it is a table"),
        "{err}"
    );
}

#[test]
fn a_value_the_model_rejects_is_a_typed_build_error() {
    let spec = read("examples/models/kuznetsov_1994.toml");
    let model = spec.clone().build().unwrap();
    for entry in spec.parameter_paths() {
        // Every parameter of this model must be finite; most must also be non-negative.
        for bad in [f64::NAN, f64::INFINITY, -1.0] {
            match model.with(&[(entry.slot, bad)]) {
                Ok(_) => assert!(bad == -1.0, "{}: {bad} accepted", entry.path),
                Err(e) => assert!(
                    e.problems().iter().any(|p| matches!(p,
                        BuildError::InvalidParameter { value, .. }
                            if value.to_bits() == bad.to_bits())),
                    "{}: {e}",
                    entry.path
                ),
            }
        }
    }
    let death = ParamPath::parse("effectors[0].death")
        .unwrap()
        .bind(&spec)
        .unwrap();
    let err = model.with(&[(death, -0.1)]).unwrap_err();
    assert!(
        err.problems().iter().any(|p| matches!(p,
            BuildError::InvalidParameter { param: "death", value, .. } if *value == -0.1)),
        "{err}"
    );
    // The model itself is unchanged.
    assert_eq!(model.spec(), &spec);
}

#[test]
fn a_slot_only_writes_into_models_of_its_structure() {
    let kuznetsov = read("examples/models/kuznetsov_1994.toml");
    let rich = rich();
    let slot = ParamPath::parse("tumors[tumor].initial")
        .unwrap()
        .bind(&rich)
        .unwrap();
    let model = kuznetsov.clone().build().unwrap();
    assert!(matches!(
        model.with(&[(slot, 1.0)]),
        Err(BuildError::ForeignSlot { .. })
    ));
    let mut spec = kuznetsov.clone();
    assert!(matches!(
        spec.set(slot, 1.0),
        Err(BuildError::ForeignSlot { .. })
    ));
    assert_eq!(spec, kuznetsov, "nothing written");
    // Values do not change the structure: a slot binds across values.
    let mut other = rich.clone();
    other.tumors[0].initial = 42.0;
    assert_eq!(other.get(slot).unwrap(), 42.0);
}

#[test]
fn with_writes_several_slots_at_once_and_keeps_the_handles() -> Result<(), oncodyn::Error> {
    let mut b = ModelBuilder::new();
    let tumor = b.tumor(TumorSpec::new(
        "tumor",
        1e6,
        Logistic {
            rate: 0.2,
            capacity: 1e9,
        },
    ))?;
    let model = b.build()?;
    let rate = ParamPath::parse("tumors[tumor].growth.rate")?.bind(model.spec())?;
    let initial = ParamPath::parse("tumors.tumor.initial")?.bind(model.spec())?;
    let changed = model.with(&[(rate, 0.1), (initial, 2e6), (rate, 0.3)])?;
    assert_eq!(
        changed.spec().get(rate)?,
        0.3,
        "the last value of a slot wins"
    );
    assert_eq!(changed.initial_state(), &[2e6]);
    let traj = simulate(
        &changed,
        &Regimen::new("none"),
        &[0.0, 1.0],
        &SolverOptions::default(),
    )?;
    assert_eq!(traj.value_at(0.0, tumor)?, 2e6);
    assert_eq!(model.with(&[])?.spec(), model.spec());
    Ok(())
}

#[test]
fn a_param_map_bound_once_gives_the_models_of_the_unbound_map() -> Result<(), oncodyn::Error> {
    use oncodyn::compare::{ParamMap, Parameter, PopulationSpec};
    let model = read("tests/data/models/every_term.toml").build()?;
    let population = PopulationSpec::new(vec![
        Parameter::log_normal("growth", 0.05, 0.3),
        Parameter::log_normal("kill", 1e-8, 0.5),
    ])
    .sampler()?
    .draw(7, 5)?;
    let map = ParamMap::new()
        .path("growth", "tumors[tumor].growth.rate")?
        .path("kill", "kills.0.law.rate")?
        .function("no-op", |_, _| Ok(()));
    let bound = map.bind(model.spec())?;
    for patient in population.patients() {
        let once = bound.model_for(&model, patient)?;
        assert_eq!(once.spec(), map.model_for(&model, patient)?.spec());
        assert_eq!(once.spec().tumors[0].growth, {
            let mut g = model.spec().tumors[0].growth;
            if let oncodyn::model::GrowthLaw::Gompertz(p) = &mut g {
                p.rate = patient.get("growth")?;
            }
            g
        });
        let mut spec = model.spec().clone();
        bound.apply(&mut spec, patient)?;
        assert_eq!(&spec, once.spec());
    }
    // Applied to a description of another structure, the bound map refuses.
    let mut other = read("examples/models/kuznetsov_1994.toml");
    let err = bound
        .apply(&mut other, &population.patients()[0])
        .unwrap_err();
    assert!(matches!(err, PopulationError::ForeignModel), "{err}");
    Ok(())
}

/// Every table of the file format, found through serde, lists the same fields in a path
/// error as the file has.
#[test]
fn path_errors_list_the_fields_of_the_file_format() {
    fn tables(value: &toml::Value, path: String, out: &mut Vec<(String, String)>) {
        match value {
            toml::Value::Table(t) => {
                let mut keys: Vec<&str> = t.keys().map(String::as_str).collect();
                // A lag of 0 is left out of files, but it is a parameter.
                if path.ends_with(".absorption") && !keys.contains(&"lag") {
                    keys.push("lag");
                }
                keys.sort_unstable();
                out.push((path.clone(), keys.join(", ")));
                for (k, v) in t {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    tables(v, p, out);
                }
            }
            toml::Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    tables(v, format!("{path}[{i}]"), out);
                }
            }
            _ => {}
        }
    }
    let mut specs: Vec<ModelSpec> = model_files()
        .iter()
        .map(|f| read(&f.display().to_string()))
        .collect();
    specs.push(rich());
    for spec in specs {
        let mut out = Vec::new();
        tables(
            &toml::Value::try_from(&spec).unwrap(),
            String::new(),
            &mut out,
        );
        for (path, keys) in out {
            let missing = if path.is_empty() {
                "zz_missing".to_string()
            } else {
                format!("{path}.zz_missing")
            };
            let err = ParamPath::parse(&missing).unwrap().bind(&spec).unwrap_err();
            assert!(
                matches!(&err, PathError::UnknownField { available, .. } if *available == keys),
                "{path}: {err}"
            );
        }
    }
}
