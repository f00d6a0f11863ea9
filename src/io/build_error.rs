//! Lines for [`BuildError`]s of a model read from a file: the problem names a component (and a
//! parameter, or a name it refers to), and the document, parsed again with spans, has the
//! `[[model.<section>]]` table of that component and the key holding the offending value.

use super::toml_error::{position, snippet};
use crate::io::error::IoError;
use crate::model::BuildError;
use std::ops::Range;
use toml::de::{DeTable, DeValue};

/// One `[[model.<section>]]` table: its span and contents.
struct Component<'a, 'i> {
    span: Range<usize>,
    table: &'a DeTable<'i>,
}

/// Every string value of `table` (at any depth, in document order) equal to `wanted`, under
/// keys other than those in `skip`: their spans.
fn string_values(table: &DeTable<'_>, wanted: &str, skip: &[&str]) -> Vec<Range<usize>> {
    fn search(value: &DeValue<'_>, span: Range<usize>, wanted: &str, out: &mut Vec<Range<usize>>) {
        match value {
            DeValue::String(s) if s == wanted => out.push(span),
            DeValue::Table(t) => out.extend(string_values(t, wanted, &[])),
            DeValue::Array(a) => {
                for item in a.iter() {
                    search(item.get_ref(), item.span(), wanted, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut entries: Vec<_> = table
        .iter()
        .filter(|(k, _)| !skip.contains(&k.get_ref().as_ref()))
        .collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (_, v) in entries {
        search(v.get_ref(), v.span(), wanted, &mut out);
    }
    out
}

/// The string values of `table` at any depth.
fn strings(table: &DeTable<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for (_, v) in table.iter() {
        match v.get_ref() {
            DeValue::String(s) => out.push(s.to_string()),
            DeValue::Table(t) => out.extend(strings(t)),
            _ => {}
        }
    }
    out
}

/// The key `param` of `table` (at any depth) whose value is `value` (any value when `None`):
/// the span of the key.
fn parameter(table: &DeTable<'_>, param: &str, value: Option<f64>) -> Option<Range<usize>> {
    let matches = |v: &DeValue<'_>| {
        let number = match v {
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::Integer(i) => i.as_str().replace('_', "").parse::<f64>().ok(),
            _ => None,
        };
        match (value, number) {
            (None, _) => true,
            (Some(x), Some(y)) => x == y || (x.is_nan() && y.is_nan()) || !x.is_finite(),
            (Some(_), None) => false,
        }
    };
    for (k, v) in table.iter() {
        if k.get_ref().as_ref() == param && matches(v.get_ref()) {
            return Some(k.span());
        }
    }
    table.iter().find_map(|(_, v)| match v.get_ref() {
        DeValue::Table(t) => parameter(t, param, value),
        DeValue::Array(a) => a.iter().find_map(|item| match item.get_ref() {
            DeValue::Table(t) => parameter(t, param, value),
            _ => None,
        }),
        _ => None,
    })
}

/// Whether `table` is the component named `name`: its `name`, or for an interaction named
/// `by -> of`, its `by`/`drug` and `of`/`on`.
fn is_named(table: &DeTable<'_>, name: &str) -> bool {
    let field = |key: &str| match table.get(key).map(|v| v.get_ref()) {
        Some(DeValue::String(s)) => Some(s.as_ref()),
        _ => None,
    };
    if field("name") == Some(name) {
        return true;
    }
    match name.split_once(" -> ") {
        Some((by, of)) => {
            (field("by") == Some(by) || field("drug") == Some(by))
                && (field("of") == Some(of) || field("on") == Some(of))
        }
        None => false,
    }
}

/// The span of the offending value or key of `problem` among `components`.
/// `earlier` are the problems reported before this one.
fn locate(
    components: &[Component<'_, '_>],
    problem: &BuildError,
    earlier: &[&BuildError],
) -> Option<Range<usize>> {
    let named = |name: &str| components.iter().find(|c| is_named(c.table, name));
    let inside = |name: &str, f: &dyn Fn(&DeTable<'_>) -> Option<Range<usize>>| match named(name) {
        Some(c) => f(c.table).or(Some(c.span.clone())),
        None => components.iter().find_map(|c| f(c.table)),
    };
    match problem {
        BuildError::DuplicateName { name } => {
            // The second table with that name (the first when the other name is generated).
            let spans: Vec<Range<usize>> = components
                .iter()
                .filter_map(|c| match c.table.get("name") {
                    Some(v) if matches!(v.get_ref(), DeValue::String(s) if s == name) => {
                        Some(v.span())
                    }
                    _ => None,
                })
                .collect();
            spans.get(1).or(spans.first()).cloned()
        }
        BuildError::UnknownName { name, .. } => {
            // The same unknown name reported again is its next use.
            let spans: Vec<Range<usize>> = components
                .iter()
                .flat_map(|c| string_values(c.table, name, &["name"]))
                .collect();
            let k = earlier
                .iter()
                .filter(|e| matches!(e, BuildError::UnknownName { name: n, .. } if n == name))
                .count();
            spans.get(k).or(spans.last()).cloned()
        }
        BuildError::EmptyName { .. } => components
            .iter()
            .find_map(|c| string_values(c.table, "", &[]).into_iter().next()),
        BuildError::InvalidParameter {
            component,
            param,
            value,
            ..
        } => inside(component, &|t| parameter(t, param, Some(*value))),
        BuildError::InvalidStructure {
            component, param, ..
        } => inside(component, &|t| parameter(t, param, None)),
        BuildError::UnknownState {
            component, name, ..
        } => inside(component, &|t| {
            string_values(t, name, &["name"]).into_iter().next()
        }),
        BuildError::UnknownRate { rate, .. } => {
            // A modifier's `on = { … }` whose names all appear in the rate's description.
            let modifier = |c: &&Component<'_, '_>| match c.table.get("on").map(|v| v.get_ref()) {
                Some(DeValue::Table(on)) => {
                    let names = strings(on);
                    !names.is_empty() && names.iter().all(|n| rate.contains(n.as_str()))
                }
                _ => false,
            };
            let k = earlier
                .iter()
                .filter(|e| matches!(e, BuildError::UnknownRate { rate: r, .. } if r == rate))
                .count();
            let spans: Vec<Range<usize>> = components
                .iter()
                .filter(modifier)
                .filter_map(|c| c.table.get_key_value("on").map(|(key, _)| key.span()))
                .collect();
            spans.get(k).or(spans.last()).cloned()
        }
        BuildError::Expression { component, .. } => named(component).map(|c| c.span.clone()),
        _ => None,
    }
}

/// Problems listed in the message of an [`IoError::Build`]; the others are counted (all of
/// them are in its source).
const LISTED_PROBLEMS: usize = 10;

/// An [`IoError::Build`] for `error`, the build error of the model in the `model` table of
/// `text` (read from `path`): each problem with the line of the component it names.
pub(crate) fn build_error(path: &str, text: &str, error: BuildError) -> IoError {
    let document = DeTable::parse(text).ok();
    let mut components = Vec::new();
    if let Some(model) = document
        .as_ref()
        .and_then(|d| d.get_ref().get("model"))
        .and_then(|m| match m.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        })
    {
        for (_, section) in model.iter() {
            if let DeValue::Array(items) = section.get_ref() {
                for item in items.iter() {
                    if let DeValue::Table(table) = item.get_ref() {
                        components.push(Component {
                            span: item.span(),
                            table,
                        });
                    }
                }
            }
        }
    }
    let problems = error.problems();
    let spans: Vec<Option<Range<usize>>> = problems
        .iter()
        .enumerate()
        .map(|(k, p)| locate(&components, p, &problems[..k]))
        .collect();
    let at = |span: &Option<Range<usize>>| span.as_ref().map(|s| position(text, s.start));
    let line = spans.iter().find_map(|s| at(s).map(|(line, _)| line));
    let describe = |problem: &BuildError, span: &Option<Range<usize>>| match at(span) {
        Some((line, _)) => format!("line {line}: {problem}"),
        None => problem.to_string(),
    };
    let message = match (problems.as_slice(), spans.as_slice()) {
        ([problem], [span]) => {
            let mut message = describe(problem, span);
            if let (Some(span), Some((line, column))) = (span, at(span)) {
                message.push('\n');
                message.push_str(&snippet(text, span, line, column));
            }
            message
        }
        _ => {
            let mut listed: Vec<String> = problems
                .iter()
                .zip(&spans)
                .take(LISTED_PROBLEMS)
                .map(|(p, s)| describe(p, s))
                .collect();
            if problems.len() > LISTED_PROBLEMS {
                listed.push(format!("… and {} more", problems.len() - LISTED_PROBLEMS));
            }
            format!("{} problems: {}", problems.len(), listed.join("; "))
        }
    };
    IoError::Build {
        path: path.to_string(),
        line,
        message,
        source: Box::new(error),
    }
}
