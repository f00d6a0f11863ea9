//! Parameter paths: the one place that names the real-valued parameters of a [`ModelSpec`].
//!
//! Use this module to address a model parameter by text (`tumors[tumor].growth.rate`), to list
//! every parameter of a model ([`ModelSpec::parameter_paths`]), and to change parameters
//! without rebuilding the description by hand: a [`ParamPath`] is parsed once, bound once to a
//! model ([`ParamPath::bind`]) into a [`Slot`], and [`Model::with`] writes slots straight into
//! a copy of the description before recompiling it.
//!
//! **Grammar.** `field(.field | [selector])*`, fields of letters, digits and `_`; a selector is
//! a name (`tumors[tumor]`), a `source->target` pair (`kills[ctl->tumor]`, the `by`/`drug` and
//! `on`/`of` fields of an interaction) or a 0-based position (`effects[2]`). A field on a list
//! picks by name or position too: `tumors.tumor.growth.rate` is `tumors[tumor].growth.rate`.
//!
//! ```text
//! tumors[tumor].growth.rate          tumors[tumor].initial           parameters.k_half
//! drugs[anti_pd1].cl                 effectors[ctl].death            species[il2].decay
//! kills[ctl->tumor].law.rate         effects[anti_pd1->ctl].law.ec50 effects[2].law.emax
//! processes[exhaustion].rate         modifiers[0].factor.inhibition.emax
//! ```
//!
//! **Names.** The field names are those of model files, written out here field by field for
//! every part of a model (not derived from the file format), so a renamed field in the file
//! format cannot silently change the paths of studies and fits: the list of a rich model's
//! paths is pinned by a test. Every real number of a model file has a path; integers
//! (transit compartment counts), text (names, units, law types, expressions) and tables are
//! reported as such when a path ends on them.

use super::{Model, ModelSpec};
use crate::model::error::BuildError;
use std::fmt;
use std::hash::Hash;
use std::str::FromStr;
use tree::{shape, tree, Node};

mod error;
mod tree;

pub use error::PathError;

/// One step of a [`ParamPath`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A field of a table: `growth`, `rate`.
    Field(String),
    /// An element of a list.
    Element(Selector),
}

/// Which element of a list a [`Segment::Element`] picks.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Selector {
    /// The element whose `name` is this: `tumors[tumor]`.
    Name(String),
    /// The element from `source` to `target`: `by`/`drug` → `on`/`of`, as in
    /// `kills[ctl->tumor]` or `effects[anti_pd1->ctl]`.
    Pair {
        /// The `by` or `drug` field.
        source: String,
        /// The `on` or `of` field.
        target: String,
    },
    /// The element at this position (0-based): `effects[0]`.
    Index(usize),
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Name(n) => f.write_str(n),
            Selector::Pair { source, target } => write!(f, "{source}->{target}"),
            Selector::Index(i) => write!(f, "{i}"),
        }
    }
}

/// The address of one real-valued parameter in a [`ModelSpec`]: the key path of that parameter
/// in a TOML model file, with list elements picked by name, by `source->target`, or by index
/// (see the [module docs](self) for the grammar).
///
/// ```text
/// tumors[tumor].growth.rate          tumors[tumor].initial
/// drugs[anti_pd1].cl                 effectors[ctl].death
/// kills[ctl->tumor].law.rate         effects[anti_pd1->ctl].law.ec50      effects[2].law.emax
/// ```
///
/// Parsing checks the syntax only; [`bind`](Self::bind), [`get`](Self::get) and
/// [`set`](Self::set) check it against a model, naming what exists when a step is not found.
/// [`ModelSpec::parameter_paths`] lists every path of a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamPath {
    text: String,
    segments: Vec<Segment>,
}

impl FromStr for ParamPath {
    type Err = PathError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ParamPath::parse(text)
    }
}

impl fmt::Display for ParamPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl ParamPath {
    /// Parses `field(.field | [selector])*`, fields of letters, digits and `_`.
    ///
    /// # Errors
    /// [`PathError::InvalidPath`] with the character position of the problem.
    pub fn parse(text: &str) -> Result<Self, PathError> {
        let bad = |position: usize, reason: &'static str| PathError::InvalidPath {
            path: text.to_string(),
            position,
            reason,
        };
        let chars: Vec<char> = text.chars().collect();
        let mut segments = Vec::new();
        let mut i = 0;
        let mut expect_field = true;
        while i < chars.len() {
            if expect_field {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                if i == start {
                    return Err(bad(start, "expected a field name (letters, digits, _)"));
                }
                segments.push(Segment::Field(chars[start..i].iter().collect()));
                expect_field = false;
            } else if chars[i] == '.' {
                i += 1;
                expect_field = true;
                if i == chars.len() {
                    return Err(bad(i, "expected a field name after `.`"));
                }
            } else if chars[i] == '[' {
                let start = i + 1;
                let Some(len) = chars[start..].iter().position(|&c| c == ']') else {
                    return Err(bad(i, "`[` without a closing `]`"));
                };
                let inner: String = chars[start..start + len].iter().collect();
                let inner = inner.trim();
                if inner.is_empty() {
                    return Err(bad(start, "empty selector `[]`"));
                }
                let selector = if let Ok(k) = inner.parse::<usize>() {
                    Selector::Index(k)
                } else if let Some((source, target)) = inner.split_once("->") {
                    let (source, target) = (source.trim(), target.trim());
                    if source.is_empty() || target.is_empty() {
                        return Err(bad(start, "a `source->target` selector needs both names"));
                    }
                    Selector::Pair {
                        source: source.to_string(),
                        target: target.to_string(),
                    }
                } else {
                    Selector::Name(inner.to_string())
                };
                segments.push(Segment::Element(selector));
                i = start + len + 1;
            } else {
                return Err(bad(i, "expected `.` or `[` after a field or selector"));
            }
        }
        if segments.is_empty() {
            return Err(bad(0, "empty path"));
        }
        Ok(ParamPath {
            text: text.to_string(),
            segments,
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parsed steps.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Resolves the path against `spec` once, into a [`Slot`] that
    /// [`Model::with`], [`ModelSpec::set`] and [`ModelSpec::get`] use without looking at the
    /// text again. The slot stays valid for every description of the same structure (the
    /// same components, laws and list elements, whatever their values).
    ///
    /// ```
    /// use oncodyn::model::ParamPath;
    /// use oncodyn::prelude::*;
    ///
    /// let mut b = ModelBuilder::new();
    /// b.tumor(TumorSpec::new("tumor", 1e6, Logistic { rate: 0.2, capacity: 1e9 }))?;
    /// let model = b.build()?;
    /// let rate = ParamPath::parse("tumors[tumor].growth.rate")?.bind(model.spec())?;
    /// assert_eq!(model.spec().get(rate)?, 0.2);
    /// # Ok::<(), oncodyn::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`PathError::UnknownField`], [`UnknownElement`](PathError::UnknownElement)
    /// or [`NotReal`](PathError::NotReal), naming what exists.
    pub fn bind(&self, spec: &ModelSpec) -> Result<Slot, PathError> {
        let mut copy = spec.clone();
        let root = tree(&mut copy);
        let (index, _) = self.resolve(&root)?;
        Ok(Slot {
            index,
            shape: shape(&root),
        })
    }

    /// The parameter's current value in `spec`.
    ///
    /// # Errors
    /// As [`bind`](Self::bind).
    pub fn get(&self, spec: &ModelSpec) -> Result<f64, PathError> {
        let mut copy = spec.clone();
        Ok(self.resolve(&tree(&mut copy))?.1)
    }

    /// Sets the parameter in `spec` to `value`. The value is not range-checked here: building
    /// the model does that, naming the component and parameter.
    ///
    /// # Errors
    /// As [`bind`](Self::bind).
    pub fn set(&self, spec: &mut ModelSpec, value: f64) -> Result<(), PathError> {
        let root = tree(spec);
        let (index, _) = self.resolve(&root)?;
        let mut reals = Vec::new();
        root.into_reals(&mut reals);
        *reals[index] = value;
        Ok(())
    }

    /// Walks `root` segment by segment; the leaf must be a real number, returned with its
    /// position among the real leaves.
    fn resolve(&self, root: &Node<'_>) -> Result<(usize, f64), PathError> {
        let mut at = String::new();
        let mut cur = root;
        let mut offset = 0;
        for segment in &self.segments {
            // A field on a list picks an element by name (or position): `tumors.tumor`.
            let dotted;
            let segment = match (segment, cur) {
                (Segment::Field(field), Node::List(_)) => {
                    dotted = Segment::Element(match field.parse::<usize>() {
                        Ok(k) => Selector::Index(k),
                        Err(_) => Selector::Name(field.clone()),
                    });
                    &dotted
                }
                _ => segment,
            };
            match segment {
                Segment::Field(field) => {
                    let Node::Table(entries) = cur else {
                        return Err(PathError::UnknownField {
                            path: self.text.clone(),
                            at: display_at(&at),
                            field: field.clone(),
                            available: format!("none: it is {}", cur.describe()),
                        });
                    };
                    let Some(k) = entries.iter().position(|(key, _)| key == field) else {
                        return Err(PathError::UnknownField {
                            path: self.text.clone(),
                            at: display_at(&at),
                            field: field.clone(),
                            available: keys(entries),
                        });
                    };
                    if !at.is_empty() {
                        at.push('.');
                    }
                    at.push_str(field);
                    offset += entries[..k].iter().map(|(_, n)| n.leaves()).sum::<usize>();
                    cur = &entries[k].1;
                }
                Segment::Element(selector) => {
                    let Node::List(items) = cur else {
                        return Err(PathError::UnknownElement {
                            path: self.text.clone(),
                            at: display_at(&at),
                            selector: selector.to_string(),
                            matches: 0,
                            available: format!("none: it is {}", cur.describe()),
                        });
                    };
                    let matches: Vec<usize> = match selector {
                        Selector::Index(k) => {
                            (*k < items.len()).then_some(*k).into_iter().collect()
                        }
                        _ => (0..items.len())
                            .filter(|&k| items[k].selected_by(selector))
                            .collect(),
                    };
                    let [k] = matches[..] else {
                        return Err(PathError::UnknownElement {
                            path: self.text.clone(),
                            at: display_at(&at),
                            selector: selector.to_string(),
                            matches: matches.len(),
                            available: items
                                .iter()
                                .enumerate()
                                .map(|(k, item)| format!("{k} ({})", item.label()))
                                .collect::<Vec<_>>()
                                .join(", "),
                        });
                    };
                    at.push_str(&format!("[{selector}]"));
                    offset += items[..k].iter().map(|i| i.node.leaves()).sum::<usize>();
                    cur = &items[k].node;
                }
            }
        }
        match cur {
            Node::Real(v) => Ok((offset, **v)),
            other => Err(PathError::NotReal {
                path: self.text.clone(),
                found: other.describe(),
                available: match other {
                    Node::Table(entries) => keys(entries),
                    _ => String::new(),
                },
            }),
        }
    }
}

/// A [`ParamPath`] bound to a model ([`ParamPath::bind`]): which of the model's real-valued
/// parameters it is, in the order of [`ModelSpec::parameter_paths`], and a fingerprint of the
/// structure it was bound to, so that a slot is never written into a model of another
/// structure ([`BuildError::ForeignSlot`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Slot {
    index: usize,
    shape: u64,
}

impl Slot {
    /// The parameter's position in [`ModelSpec::parameter_paths`].
    pub fn index(self) -> usize {
        self.index
    }
}

/// One real-valued parameter of a model, as [`ModelSpec::parameter_paths`] lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct PathEntry {
    /// Its canonical path: list elements by name where the name is unique, else by
    /// `source->target` where that is unique, else by position.
    pub path: ParamPath,
    /// Its value.
    pub value: f64,
    /// The slot the path binds to.
    pub slot: Slot,
}

/// Every real-valued parameter of `spec` with its canonical path and value, in a fixed order:
/// the sections of a model file in order (tumors, effectors, suppressors, species, drugs,
/// kills, recruitments, inactivations, suppressions, effects, processes, modifiers,
/// observables, parameters), each element's fields in the order of the file format.
pub fn list(spec: &ModelSpec) -> Vec<PathEntry> {
    let mut copy = spec.clone();
    let root = tree(&mut copy);
    let shape = shape(&root);
    let mut out = Vec::new();
    root.list(&mut String::new(), &mut Vec::new(), &mut out);
    out.into_iter()
        .enumerate()
        .map(|(index, (text, segments, value))| PathEntry {
            path: ParamPath { text, segments },
            value,
            slot: Slot { index, shape },
        })
        .collect()
}

impl ModelSpec {
    /// The parameter a user names: a full path (`drugs[pk].cl`), checked against this
    /// description, or a short name matched without case against the last field of every
    /// [parameter path](Self::parameter_paths) (`cl`, `KA`). As in NONMEM, `v` also names a
    /// central volume `v1`, so `v` is ambiguous when a peripheral volume `v` exists too.
    ///
    /// ```
    /// use oncodyn::prelude::*;
    ///
    /// let mut b = ModelBuilder::new();
    /// b.drug(DrugSpec::new("pk", OneCompartment { cl: 2.0, v: 10.0 }))?;
    /// let model = b.build()?;
    /// assert_eq!(model.spec().find_parameter("CL")?.to_string(), "drugs[pk].cl");
    /// assert_eq!(model.spec().find_parameter("v")?.to_string(), "drugs[pk].v1");
    /// # Ok::<(), oncodyn::Error>(())
    /// ```
    ///
    /// # Errors
    /// For a full path, the [`PathError`] of [`ParamPath::parse`] and of resolving it here;
    /// for a short name, [`PathError::UnknownParameter`] (with every path) when it matches
    /// none, [`PathError::AmbiguousParameter`] (with the candidates) when it matches several.
    pub fn find_parameter(&self, name: &str) -> Result<ParamPath, PathError> {
        let entries = self.parameter_paths();
        if let Some(e) = entries.iter().find(|e| e.path.text == name) {
            return Ok(e.path.clone());
        }
        if name.contains(['.', '[']) {
            let path = ParamPath::parse(name)?;
            path.get(self)?;
            return Ok(path);
        }
        let wanted = name.to_ascii_lowercase();
        let last_field = |p: &ParamPath| match p.segments.last() {
            Some(Segment::Field(f)) => f.to_ascii_lowercase(),
            _ => String::new(),
        };
        let mut matches: Vec<ParamPath> = entries
            .iter()
            .map(|e| &e.path)
            .filter(|p| {
                let last = last_field(p);
                last == wanted || (wanted == "v" && last == "v1")
            })
            .cloned()
            .collect();
        match matches.len() {
            1 => Ok(matches.remove(0)),
            0 => Err(PathError::UnknownParameter {
                name: name.to_string(),
                available: entries.iter().map(|e| e.path.text.clone()).collect(),
            }),
            _ => Err(PathError::AmbiguousParameter {
                name: name.to_string(),
                candidates: matches.into_iter().map(|p| p.text).collect(),
            }),
        }
    }

    /// Every real-valued parameter with its canonical path, value and slot; see [`list`].
    ///
    /// ```
    /// use oncodyn::prelude::*;
    ///
    /// let mut b = ModelBuilder::new();
    /// b.tumor(TumorSpec::new("tumor", 1e6, Logistic { rate: 0.2, capacity: 1e9 }))?;
    /// let model = b.build()?;
    /// let paths: Vec<String> =
    ///     model.spec().parameter_paths().iter().map(|p| p.path.to_string()).collect();
    /// assert_eq!(
    ///     paths,
    ///     ["tumors[tumor].initial", "tumors[tumor].growth.rate", "tumors[tumor].growth.capacity"]
    /// );
    /// # Ok::<(), oncodyn::Error>(())
    /// ```
    pub fn parameter_paths(&self) -> Vec<PathEntry> {
        list(self)
    }

    /// The value of the parameter at `slot`.
    ///
    /// # Errors
    /// [`BuildError::ForeignSlot`] when `slot` was bound to a description of another structure.
    pub fn get(&self, slot: Slot) -> Result<f64, BuildError> {
        let mut copy = self.clone();
        let reals = checked_reals(&mut copy, &[slot])?;
        Ok(*reals[slot.index])
    }

    /// Sets the parameter at `slot` to `value` (range checks happen when the model is built).
    ///
    /// # Errors
    /// [`BuildError::ForeignSlot`] when `slot` was bound to a description of another structure.
    pub fn set(&mut self, slot: Slot, value: f64) -> Result<(), BuildError> {
        self.set_all(&[(slot, value)])
    }

    /// Sets each `(slot, value)`, in order (a slot given twice takes its last value).
    ///
    /// # Errors
    /// [`BuildError::ForeignSlot`] when a slot was bound to a description of another
    /// structure; nothing is written then.
    pub fn set_all(&mut self, values: &[(Slot, f64)]) -> Result<(), BuildError> {
        if values.is_empty() {
            return Ok(());
        }
        let slots: Vec<Slot> = values.iter().map(|&(s, _)| s).collect();
        let mut reals = checked_reals(self, &slots)?;
        for &(slot, value) in values {
            *reals[slot.index] = value;
        }
        Ok(())
    }
}

impl Model {
    /// The same model with each `(slot, value)` written into a copy of its description and
    /// rebuilt (and re-checked) with the same handles and user terms, as
    /// [`modified`](Self::modified): the fast way to vary parameters (per patient, per fit
    /// evaluation), with the paths bound once ([`ParamPath::bind`]).
    ///
    /// ```
    /// use oncodyn::model::ParamPath;
    /// use oncodyn::prelude::*;
    ///
    /// let mut b = ModelBuilder::new();
    /// b.tumor(TumorSpec::new("tumor", 1e6, Logistic { rate: 0.2, capacity: 1e9 }))?;
    /// let model = b.build()?;
    /// let rate = ParamPath::parse("tumors[tumor].growth.rate")?.bind(model.spec())?;
    /// let capacity = ParamPath::parse("tumors.tumor.growth.capacity")?.bind(model.spec())?;
    ///
    /// let faster = model.with(&[(rate, 0.3), (capacity, 2e9)])?;
    /// assert_eq!(faster.spec().get(rate)?, 0.3);
    /// assert_eq!(faster.spec().tumors[0].growth, Logistic { rate: 0.3, capacity: 2e9 }.into());
    /// // A value out of its parameter's range is a build error naming it.
    /// assert!(model.with(&[(capacity, -1.0)]).is_err());
    /// # Ok::<(), oncodyn::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`BuildError::ForeignSlot`] for a slot bound to a model of another structure; any
    /// [`BuildError`] of the changed description (a value out of its parameter's range, naming
    /// the component and parameter).
    pub fn with(&self, values: &[(Slot, f64)]) -> Result<Model, BuildError> {
        let mut spec = self.spec.clone();
        spec.set_all(values)?;
        self.rebuilt(spec)
    }
}

/// Binds each of `paths` to `spec` with one walk of the description.
pub(crate) fn bind_all<'p>(
    spec: &ModelSpec,
    paths: impl IntoIterator<Item = &'p ParamPath>,
) -> Result<Vec<Slot>, PathError> {
    let mut copy = spec.clone();
    let root = tree(&mut copy);
    let shape = shape(&root);
    paths
        .into_iter()
        .map(|p| {
            Ok(Slot {
                index: p.resolve(&root)?.0,
                shape,
            })
        })
        .collect()
}

/// The real leaves of `spec`, once every slot is checked to belong to its structure.
fn checked_reals<'s>(
    spec: &'s mut ModelSpec,
    slots: &[Slot],
) -> Result<Vec<&'s mut f64>, BuildError> {
    let root = tree(spec);
    let shape = shape(&root);
    let n = root.leaves();
    if let Some(bad) = slots.iter().find(|s| s.shape != shape || s.index >= n) {
        return Err(BuildError::ForeignSlot { index: bad.index });
    }
    let mut reals = Vec::with_capacity(n);
    root.into_reals(&mut reals);
    Ok(reals)
}

fn display_at(at: &str) -> String {
    if at.is_empty() {
        "the model".to_string()
    } else {
        at.to_string()
    }
}

/// The keys of a table, sorted, comma-separated.
fn keys(entries: &[(&str, Node<'_>)]) -> String {
    let mut keys: Vec<&str> = entries.iter().map(|(k, _)| *k).collect();
    keys.sort_unstable();
    keys.join(", ")
}

#[cfg(test)]
mod tests;
