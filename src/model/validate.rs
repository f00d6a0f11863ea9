//! Every check `build()` runs, collecting all problems in one pass.

use super::compile::operand;
use super::expr::Expression;
use crate::model::error::BuildError;
use crate::model::{
    CellSpec, ComponentKind, DrugSpec, EffectSpec, Factor, Input, ModelSpec, ModifierSpec,
    Process as Proc, RateRef, Requirement, TargetRate, TumorSpec,
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
    names.extend(spec.species.iter().map(|c| c.name.clone()));
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
        && spec.species.is_empty()
        && spec.drugs.is_empty()
    {
        return Err(BuildError::EmptyModel);
    }
    let mut components = HashSet::new();
    let mut repeated = HashSet::new();
    for kind in [Tumor, Effector, Suppressor, Species, Drug, Process] {
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
    for s in &spec.species {
        check_params(&s.name, s.parameters(), &mut problems);
    }

    let names = Names { spec };
    for t in &spec.tumors {
        for c in &t.competitors {
            names.expect(&c.tumor, &[Tumor], &mut problems);
            if c.tumor == t.name {
                problems.push(BuildError::InvalidStructure {
                    component: t.name.clone(),
                    param: "competitors",
                    reason:
                        "a clone cannot compete with itself (its own burden is counted already)",
                });
            }
            let params = vec![("coefficient", c.coefficient, Requirement::NonNegative)];
            check_params(&t.name, params, &mut problems);
        }
    }
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
    let states = state_names(spec);
    let state = |component: &str, name: &str, problems: &mut Vec<BuildError>| {
        if !states.iter().any(|s| s == name) {
            problems.push(BuildError::UnknownState {
                component: component.to_string(),
                name: name.to_string(),
                available: states.join(", "),
            });
        }
    };
    // An expression's names: parameters, states or `t`. Parameters are finite and do not
    // shadow a state.
    for (name, value) in &spec.parameters {
        if let Err(reason) = Requirement::Finite.check(*value) {
            problems.push(BuildError::InvalidParameter {
                component: "parameters".to_string(),
                param: "value",
                value: *value,
                reason,
            });
        }
        if states.iter().any(|s| s == name) || name == "t" {
            problems.push(BuildError::DuplicateName { name: name.clone() });
        }
    }
    let expression = |component: &str, e: &Expression, problems: &mut Vec<BuildError>| {
        if let Err(source) = e.compile(|name| operand(spec, &states, name)) {
            problems.push(BuildError::Expression {
                component: component.to_string(),
                source,
            });
        }
    };
    for p in &spec.processes {
        let name = p.name();
        match p {
            Proc::Flux(f) => {
                expression(name, &f.rate, &mut problems);
                if f.changes.is_empty() {
                    problems.push(BuildError::InvalidStructure {
                        component: name.to_string(),
                        param: "changes",
                        reason: "a flux must change at least one state",
                    });
                }
                f.changes
                    .iter()
                    .for_each(|c| state(name, &c.state, &mut problems));
            }
            Proc::Transition(t) => {
                state(name, &t.from, &mut problems);
                if let Some(to) = &t.to {
                    state(name, to, &mut problems);
                }
            }
            Proc::Production(t) => {
                state(name, &t.by, &mut problems);
                state(name, &t.of, &mut problems);
            }
            Proc::Binding(b) => {
                for s in [&b.ligand, &b.receptor, &b.complex] {
                    names.expect(s, &[Species], &mut problems);
                }
            }
        }
        check_params(name, p.parameters(), &mut problems);
    }
    let input = |component: &str, input: &Input, problems: &mut Vec<BuildError>| match input {
        Input::State(s) => state(component, s, problems),
        Input::Concentration(d) => names.expect(d, &[Drug], problems),
        Input::Burden(t) => names.expect(t, &[Tumor], problems),
        Input::TotalBurden if spec.tumors.is_empty() => {
            problems.push(BuildError::InvalidStructure {
                component: component.to_string(),
                param: "input",
                reason: "it reads the total tumor burden, and the model has no tumor",
            });
        }
        Input::TotalBurden => {}
        Input::Ratio {
            numerator,
            denominator,
        } => {
            state(component, numerator, problems);
            state(component, denominator, problems);
        }
        Input::Expression(e) => expression(component, e, problems),
        Input::Fraction { part, among } => {
            state(component, part, problems);
            if among.is_empty() {
                problems.push(BuildError::InvalidStructure {
                    component: component.to_string(),
                    param: "among",
                    reason: "a fraction needs at least one state to sum",
                });
            }
            among.iter().for_each(|s| state(component, s, problems));
        }
    };
    for m in &spec.modifiers {
        let component = format!("modifier on {}", describe(&m.on));
        check_rate(spec, &m.on, &mut problems);
        input(&component, &m.input, &mut problems);
        check_modifier_law(m, &mut problems);
    }
    let mut columns: HashSet<String> = states.iter().cloned().collect();
    columns.extend(spec.tumors.iter().map(|t| format!("{}_burden", t.name)));
    columns.extend(spec.drugs.iter().map(|d| format!("{}_conc", d.name)));
    for o in &spec.observables {
        let component = format!("observable {}", o.name);
        if o.name.is_empty() {
            problems.push(BuildError::EmptyName {
                kind: ComponentKind::Observable,
            });
        } else if !columns.insert(o.name.clone()) {
            problems.push(BuildError::DuplicateName {
                name: o.name.clone(),
            });
        }
        input(&component, &o.input, &mut problems);
    }
    verdict(problems)
}

/// Checks a modifier's law: valid parameters, and an inhibition that cannot exceed 1.
pub(crate) fn check_modifier_law(m: &ModifierSpec, problems: &mut Vec<BuildError>) {
    let component = format!("modifier on {}", describe(&m.on));
    check_params(&component, m.factor.parameters(), problems);
    if let Factor::Inhibition(law) = m.factor {
        if law.max_effect() > 1.0 {
            problems.push(BuildError::InvalidStructure {
                component,
                param: "factor",
                reason:
                    "an inhibition must have a maximal effect of at most 1 (a linear law is unbounded)",
            });
        }
    }
}

/// The rate `rate` as a reader would name it.
pub(crate) fn describe(rate: &RateRef) -> String {
    match rate {
        RateRef::Process(name) => format!("process `{name}`"),
        RateRef::Kill { by, on } => format!("the kill of {on} by {by}"),
        RateRef::Growth(tumor) => format!("the growth of {tumor}"),
        RateRef::Recruitment { by, of } => format!("the recruitment of {of} by {by}"),
        RateRef::Source(of) => format!("the source of {of}"),
    }
}

/// Checks that the rate a modifier names exists and can be modified.
fn check_rate(spec: &ModelSpec, rate: &RateRef, problems: &mut Vec<BuildError>) {
    let reason = match rate {
        RateRef::Process(name) => match spec.processes.iter().find(|p| p.name() == name) {
            None => Some("no process has this name"),
            Some(p) if !p.is_modifiable() => {
                Some("a binding's net flux cannot be modified (modify a transition or production)")
            }
            Some(_) => None,
        },
        RateRef::Kill { by, on } => (!spec.kills.iter().any(|k| &k.by == by && &k.on == on))
            .then_some("the model has no such kill"),
        RateRef::Growth(tumor) => {
            (!spec.tumors.iter().any(|t| &t.name == tumor)).then_some("the model has no such tumor")
        }
        RateRef::Recruitment { by, of } => {
            (!spec.recruitments.iter().any(|r| &r.by == by && &r.of == of))
                .then_some("the model has no such recruitment")
        }
        RateRef::Source(of) => {
            let cells = spec.effectors.iter().chain(&spec.suppressors);
            let source = cells
                .map(|c| (&c.name, c.source))
                .chain(spec.species.iter().map(|s| (&s.name, s.production)))
                .find(|(name, _)| *name == of);
            match source {
                None => Some("no cell population or species has this name"),
                Some((_, 0.0)) => Some("its source is 0, so a factor on it has no effect"),
                Some(_) => None,
            }
        }
    };
    if let Some(reason) = reason {
        problems.push(BuildError::UnknownRate {
            rate: describe(rate),
            reason,
        });
    }
}

/// No problems, the one problem, or [`BuildError::Several`].
pub(crate) fn verdict(mut problems: Vec<BuildError>) -> Result<(), BuildError> {
    match problems.len() {
        0 => Ok(()),
        1 => Err(problems.remove(0)),
        _ => Err(BuildError::Several(problems)),
    }
}
