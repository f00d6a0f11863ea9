//! Every check `build()` runs, collecting all problems in one pass.

use crate::error::BuildError;
use crate::model::{
    CellSpec, ComponentKind, DrugSpec, EffectSpec, ModelSpec, Requirement, TargetRate, TumorSpec,
};
use std::collections::HashSet;

/// Checks `params` of `component`, pushing one problem per bad value.
pub(crate) fn check_params(
    component: &str,
    params: Vec<(&'static str, f64, Requirement)>,
    problems: &mut Vec<BuildError>,
) {
    for (param, value, req) in params {
        if let Err(reason) = req.check(value) {
            problems.push(BuildError::InvalidParameter {
                component: component.to_string(),
                param,
                value,
                reason,
            });
        }
    }
}

pub(crate) fn check_tumor(t: &TumorSpec, problems: &mut Vec<BuildError>) {
    let mut params = vec![("initial", t.initial, Requirement::NonNegative)];
    params.extend(t.growth.parameters());
    params.extend(t.radiosensitivity.iter().flat_map(|r| r.parameters()));
    if let Some(tr) = t.transit {
        params.push(("rate", tr.rate, Requirement::Positive));
        if tr.compartments == 0 {
            problems.push(BuildError::InvalidStructure {
                component: t.name.clone(),
                param: "compartments",
                reason: "must be at least 1",
            });
        }
    }
    check_params(&t.name, params, problems);
}

pub(crate) fn check_cells(c: &CellSpec, problems: &mut Vec<BuildError>) {
    check_params(&c.name, c.parameters(), problems);
}

pub(crate) fn check_drug(d: &DrugSpec, problems: &mut Vec<BuildError>) {
    check_params(&d.name, d.parameters(), problems);
}

/// Checks an effect's parameters, and that an inhibition cannot exceed 1.
pub(crate) fn check_effect(e: &EffectSpec, problems: &mut Vec<BuildError>) {
    let component = format!("{} -> {}", e.drug, e.of);
    check_params(&component, e.law.parameters(), problems);
    let fraction = matches!(
        e.rate,
        TargetRate::GrowthInhibition | TargetRate::Suppression
    );
    if fraction && e.law.max_effect() > 1.0 {
        problems.push(BuildError::InvalidStructure {
            component,
            param: "law",
            reason:
                "an inhibition must have a maximal effect of at most 1 (a linear law is unbounded)",
        });
    }
}

/// Names of the states a spec generates, in state-vector order, with their component's kind.
pub(crate) fn state_names(spec: &ModelSpec) -> Vec<String> {
    let mut names = Vec::new();
    for t in &spec.tumors {
        names.push(t.name.clone());
        for i in 1..=t.transit.map_or(0, |tr| tr.compartments) {
            names.push(format!("{}_transit_{i}", t.name));
        }
    }
    names.extend(spec.effectors.iter().map(|c| c.name.clone()));
    names.extend(spec.suppressors.iter().map(|c| c.name.clone()));
    for d in &spec.drugs {
        if d.absorption.is_some() {
            names.push(format!("{}_depot", d.name));
        }
        names.push(format!("{}_central", d.name));
        for i in 1..=d.peripherals.len() {
            names.push(format!("{}_peripheral_{i}", d.name));
        }
    }
    names
}

struct Names<'a> {
    spec: &'a ModelSpec,
}

impl Names<'_> {
    fn list(&self, kind: ComponentKind) -> Vec<&str> {
        self.spec.names(kind)
    }

    /// Checks that `name` is a component of one of `kinds`.
    fn expect(&self, name: &str, kinds: &[ComponentKind], problems: &mut Vec<BuildError>) {
        if kinds.iter().any(|k| self.list(*k).contains(&name)) {
            return;
        }
        let available: Vec<&str> = kinds.iter().flat_map(|k| self.list(*k)).collect();
        problems.push(BuildError::UnknownName {
            name: name.to_string(),
            kind: kinds[0],
            available: available.join(", "),
        });
    }
}

/// Runs every check on `spec`.
///
/// # Errors
/// The single problem found, or [`BuildError::Several`] with all of them.
pub(crate) fn validate(spec: &ModelSpec) -> Result<(), BuildError> {
    use ComponentKind::*;
    let mut problems = Vec::new();
    if spec.tumors.is_empty()
        && spec.effectors.is_empty()
        && spec.suppressors.is_empty()
        && spec.drugs.is_empty()
    {
        return Err(BuildError::EmptyModel);
    }
    let mut components = HashSet::new();
    let mut repeated = HashSet::new();
    for kind in [Tumor, Effector, Suppressor, Drug] {
        for name in spec.names(kind) {
            if name.is_empty() {
                problems.push(BuildError::EmptyName { kind });
            } else if !components.insert(name) && repeated.insert(name) {
                problems.push(BuildError::DuplicateName {
                    name: name.to_string(),
                });
            }
        }
    }
    // Generated state names (`tumor_transit_1`, `drug_central`) may clash with a component's
    // (a repeated component name is reported once, above).
    let mut seen = HashSet::new();
    for name in state_names(spec) {
        if !seen.insert(name.clone()) && !repeated.contains(name.as_str()) {
            problems.push(BuildError::DuplicateName { name });
        }
    }
    spec.tumors
        .iter()
        .for_each(|t| check_tumor(t, &mut problems));
    spec.effectors
        .iter()
        .chain(&spec.suppressors)
        .for_each(|c| check_cells(c, &mut problems));
    spec.drugs.iter().for_each(|d| check_drug(d, &mut problems));

    let names = Names { spec };
    for k in &spec.kills {
        names.expect(&k.by, &[Effector], &mut problems);
        names.expect(&k.on, &[Tumor], &mut problems);
        check_params(
            &format!("{} -> {}", k.by, k.on),
            k.law.parameters(),
            &mut problems,
        );
    }
    for r in &spec.recruitments {
        names.expect(&r.by, &[Tumor], &mut problems);
        names.expect(&r.of, &[Effector, Suppressor], &mut problems);
        check_params(
            &format!("{} -> {}", r.by, r.of),
            r.law.parameters(),
            &mut problems,
        );
    }
    for i in &spec.inactivations {
        names.expect(&i.by, &[Tumor], &mut problems);
        names.expect(&i.of, &[Effector, Suppressor], &mut problems);
        let params = vec![("rate", i.rate, Requirement::NonNegative)];
        check_params(&format!("{} -> {}", i.by, i.of), params, &mut problems);
    }
    for s in &spec.suppressions {
        names.expect(&s.by, &[Suppressor], &mut problems);
        names.expect(&s.of, &[Effector], &mut problems);
        check_params(
            &format!("{} -> {}", s.by, s.of),
            s.inhibition.parameters(),
            &mut problems,
        );
    }
    for e in &spec.effects {
        names.expect(&e.drug, &[Drug], &mut problems);
        names.expect(&e.of, &[e.rate.target_kind()], &mut problems);
        check_effect(e, &mut problems);
    }
    verdict(problems)
}

/// No problems, the one problem, or [`BuildError::Several`].
pub(crate) fn verdict(mut problems: Vec<BuildError>) -> Result<(), BuildError> {
    match problems.len() {
        0 => Ok(()),
        1 => Err(problems.remove(0)),
        _ => Err(BuildError::Several(problems)),
    }
}
