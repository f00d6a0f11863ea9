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

use super::{
    Absorption, Binding, CellSpec, Change, ClearanceChange, Competitor, DrugSpec, EffectLaw,
    EffectSpec, Emax, ExpKill, Factor, Flux, GrowthLaw, InactivationSpec, Inhibition, Input,
    KillLaw, KillSpec, Linear, MassAction, MichaelisMenten, Model, ModelSpec, ModifierSpec,
    ObservableSpec, Peripheral, Process, Production, Radiosensitivity, RateRef, RatioDependent,
    Recruitment, RecruitmentSpec, Saturating, SigmoidEmax, SpeciesSpec, SuppressionSpec, Transit,
    Transition, TumorSpec,
};
use crate::error::{BuildError, PopulationError};
use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

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
    type Err = PopulationError;

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
    /// [`PopulationError::InvalidPath`] with the character position of the problem.
    pub fn parse(text: &str) -> Result<Self, PopulationError> {
        let bad = |position: usize, reason: &'static str| PopulationError::InvalidPath {
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
    /// [`PopulationError::UnknownField`], [`UnknownElement`](PopulationError::UnknownElement)
    /// or [`NotReal`](PopulationError::NotReal), naming what exists.
    pub fn bind(&self, spec: &ModelSpec) -> Result<Slot, PopulationError> {
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
    pub fn get(&self, spec: &ModelSpec) -> Result<f64, PopulationError> {
        let mut copy = spec.clone();
        Ok(self.resolve(&tree(&mut copy))?.1)
    }

    /// Sets the parameter in `spec` to `value`. The value is not range-checked here: building
    /// the model does that, naming the component and parameter.
    ///
    /// # Errors
    /// As [`bind`](Self::bind).
    pub fn set(&self, spec: &mut ModelSpec, value: f64) -> Result<(), PopulationError> {
        let root = tree(spec);
        let (index, _) = self.resolve(&root)?;
        let mut reals = Vec::new();
        root.into_reals(&mut reals);
        *reals[index] = value;
        Ok(())
    }

    /// Walks `root` segment by segment; the leaf must be a real number, returned with its
    /// position among the real leaves.
    fn resolve(&self, root: &Node<'_>) -> Result<(usize, f64), PopulationError> {
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
                        return Err(PopulationError::UnknownField {
                            path: self.text.clone(),
                            at: display_at(&at),
                            field: field.clone(),
                            available: format!("none: it is {}", cur.describe()),
                        });
                    };
                    let Some(k) = entries.iter().position(|(key, _)| key == field) else {
                        return Err(PopulationError::UnknownField {
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
                        return Err(PopulationError::UnknownElement {
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
                        return Err(PopulationError::UnknownElement {
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
            other => Err(PopulationError::NotReal {
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
) -> Result<Vec<Slot>, PopulationError> {
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

/// A model description as a tree of named fields and list elements, with mutable access to
/// its real numbers: written out below, field by field, for every type of a [`ModelSpec`].
enum Node<'a> {
    /// A real-valued parameter.
    Real(&'a mut f64),
    /// A text field: a name, a unit, a law's type, an expression.
    Text,
    /// An integer field (a transit chain's compartment count).
    Integer,
    /// Fields by name.
    Table(Vec<(&'a str, Node<'a>)>),
    /// List elements, with what selects them.
    List(Vec<Item<'a>>),
}

/// A list element and the labels a [`Selector`] matches.
struct Item<'a> {
    /// Its `name` field.
    name: Option<&'a str>,
    /// Its `by` or `drug` field.
    source: Option<&'a str>,
    /// Its `on` or `of` field.
    target: Option<&'a str>,
    node: Node<'a>,
}

impl<'a> Item<'a> {
    fn plain(node: Node<'a>) -> Self {
        Item {
            name: None,
            source: None,
            target: None,
            node,
        }
    }

    fn named(name: &'a str, node: Node<'a>) -> Self {
        Item {
            name: Some(name),
            ..Item::plain(node)
        }
    }

    fn pair(source: &'a str, target: &'a str, node: Node<'a>) -> Self {
        Item {
            source: Some(source),
            target: Some(target),
            ..Item::plain(node)
        }
    }

    fn selected_by(&self, selector: &Selector) -> bool {
        match selector {
            Selector::Name(n) => self.name == Some(n.as_str()),
            Selector::Pair { source, target } => {
                self.source == Some(source.as_str()) && self.target == Some(target.as_str())
            }
            Selector::Index(_) => false,
        }
    }

    /// How the element is named in error messages: its `name`, or `source->target`.
    fn label(&self) -> String {
        match (self.name, self.source, self.target) {
            (Some(n), _, _) => n.to_string(),
            (None, Some(s), Some(t)) => format!("{s}->{t}"),
            _ => self.node.describe().to_string(),
        }
    }
}

impl<'a> Node<'a> {
    fn describe(&self) -> &'static str {
        match self {
            Node::Real(_) => "a real number",
            Node::Text => "text",
            Node::Integer => "an integer",
            Node::Table(_) => "a table",
            Node::List(_) => "a list",
        }
    }

    /// Number of real leaves.
    fn leaves(&self) -> usize {
        match self {
            Node::Real(_) => 1,
            Node::Text | Node::Integer => 0,
            Node::Table(entries) => entries.iter().map(|(_, n)| n.leaves()).sum(),
            Node::List(items) => items.iter().map(|i| i.node.leaves()).sum(),
        }
    }

    /// Feeds the structure (keys, element labels, kinds; not the values) to `h`.
    fn hash_shape(&self, h: &mut impl Hasher) {
        match self {
            Node::Real(_) => 0u8.hash(h),
            Node::Text => 1u8.hash(h),
            Node::Integer => 2u8.hash(h),
            Node::Table(entries) => {
                3u8.hash(h);
                entries.len().hash(h);
                for (key, node) in entries {
                    key.hash(h);
                    node.hash_shape(h);
                }
            }
            Node::List(items) => {
                4u8.hash(h);
                items.len().hash(h);
                for item in items {
                    (item.name, item.source, item.target).hash(h);
                    item.node.hash_shape(h);
                }
            }
        }
    }

    /// The real leaves, in order.
    fn into_reals(self, out: &mut Vec<&'a mut f64>) {
        match self {
            Node::Real(v) => out.push(v),
            Node::Text | Node::Integer => {}
            Node::Table(entries) => entries.into_iter().for_each(|(_, n)| n.into_reals(out)),
            Node::List(items) => items.into_iter().for_each(|i| i.node.into_reals(out)),
        }
    }

    /// Every real leaf with its canonical path text and segments, in order.
    fn list(
        &self,
        text: &mut String,
        segments: &mut Vec<Segment>,
        out: &mut Vec<(String, Vec<Segment>, f64)>,
    ) {
        match self {
            Node::Real(v) => out.push((text.clone(), segments.clone(), **v)),
            Node::Text | Node::Integer => {}
            Node::Table(entries) => {
                for (key, node) in entries {
                    let len = text.len();
                    if !text.is_empty() {
                        text.push('.');
                    }
                    text.push_str(key);
                    segments.push(Segment::Field(key.to_string()));
                    node.list(text, segments, out);
                    segments.pop();
                    text.truncate(len);
                }
            }
            Node::List(items) => {
                for (k, item) in items.iter().enumerate() {
                    let selector = canonical(items, k);
                    let len = text.len();
                    text.push_str(&format!("[{selector}]"));
                    segments.push(Segment::Element(selector));
                    item.node.list(text, segments, out);
                    segments.pop();
                    text.truncate(len);
                }
            }
        }
    }
}

fn shape(root: &Node<'_>) -> u64 {
    let mut h = DefaultHasher::new();
    root.hash_shape(&mut h);
    h.finish()
}

/// The selector that picks element `k` back when parsed: its name if unique, else its
/// `source->target` if unique, else its position.
fn canonical(items: &[Item<'_>], k: usize) -> Selector {
    // A label reads back as itself inside `[…]` if it is trimmed, has no `]` and no `->`, and
    // is not a number.
    let plain = |s: &str| {
        !s.is_empty()
            && s.trim() == s
            && !s.contains(']')
            && !s.contains("->")
            && s.parse::<usize>().is_err()
    };
    let item = &items[k];
    if let Some(name) = item.name.filter(|n| plain(n)) {
        if items.iter().filter(|i| i.name == Some(name)).count() == 1 {
            return Selector::Name(name.to_string());
        }
    }
    if let (Some(source), Some(target)) = (item.source, item.target) {
        let unique = items
            .iter()
            .filter(|i| i.source == Some(source) && i.target == Some(target))
            .count()
            == 1;
        if unique && plain(source) && plain(target) {
            return Selector::Pair {
                source: source.to_string(),
                target: target.to_string(),
            };
        }
    }
    Selector::Index(k)
}

// ---------------------------------------------------------------------------------------
// The description, field by field. Each function destructures its type without `..`, so a
// field added to a model type does not compile until it is given its place here.
// ---------------------------------------------------------------------------------------

fn real(v: &mut f64) -> Node<'_> {
    Node::Real(v)
}

fn table<'a>(entries: Vec<(&'a str, Node<'a>)>) -> Node<'a> {
    Node::Table(entries)
}

/// A list field, included (as in model files) only when it has elements.
fn push_list<'a>(entries: &mut Vec<(&'a str, Node<'a>)>, key: &'a str, items: Vec<Item<'a>>) {
    if !items.is_empty() {
        entries.push((key, Node::List(items)));
    }
}

/// The whole description.
fn tree(spec: &mut ModelSpec) -> Node<'_> {
    let ModelSpec {
        tumors,
        effectors,
        suppressors,
        species,
        drugs,
        kills,
        recruitments,
        inactivations,
        suppressions,
        effects,
        processes,
        modifiers,
        observables,
        parameters,
    } = spec;
    let mut t = Vec::new();
    push_list(&mut t, "tumors", tumors.iter_mut().map(tumor).collect());
    push_list(
        &mut t,
        "effectors",
        effectors.iter_mut().map(cell).collect(),
    );
    push_list(
        &mut t,
        "suppressors",
        suppressors.iter_mut().map(cell).collect(),
    );
    push_list(
        &mut t,
        "species",
        species.iter_mut().map(species_item).collect(),
    );
    push_list(&mut t, "drugs", drugs.iter_mut().map(drug).collect());
    push_list(&mut t, "kills", kills.iter_mut().map(kill).collect());
    push_list(
        &mut t,
        "recruitments",
        recruitments.iter_mut().map(recruitment_item).collect(),
    );
    push_list(
        &mut t,
        "inactivations",
        inactivations.iter_mut().map(inactivation).collect(),
    );
    push_list(
        &mut t,
        "suppressions",
        suppressions.iter_mut().map(suppression).collect(),
    );
    push_list(&mut t, "effects", effects.iter_mut().map(effect).collect());
    push_list(
        &mut t,
        "processes",
        processes.iter_mut().map(process).collect(),
    );
    push_list(
        &mut t,
        "modifiers",
        modifiers.iter_mut().map(modifier).collect(),
    );
    push_list(
        &mut t,
        "observables",
        observables.iter_mut().map(observable).collect(),
    );
    if !parameters.is_empty() {
        let constants = parameters
            .iter_mut()
            .map(|(name, value)| (name.as_str(), real(value)))
            .collect();
        t.push(("parameters", table(constants)));
    }
    table(t)
}

fn tumor(spec: &mut TumorSpec) -> Item<'_> {
    let TumorSpec {
        name,
        initial,
        unit: _,
        growth,
        transit,
        radiosensitivity,
        competitors,
    } = spec;
    let mut t = vec![
        ("name", Node::Text),
        ("initial", real(initial)),
        ("unit", Node::Text),
        ("growth", growth_law(growth)),
    ];
    if let Some(Transit {
        compartments: _,
        rate,
    }) = transit
    {
        let chain = table(vec![("compartments", Node::Integer), ("rate", real(rate))]);
        t.push(("transit", chain));
    }
    if let Some(r) = radiosensitivity {
        t.push(("radiosensitivity", radio(r)));
    }
    let competitors = competitors
        .iter_mut()
        .map(
            |Competitor {
                 tumor: _,
                 coefficient,
             }| {
                Item::plain(table(vec![
                    ("tumor", Node::Text),
                    ("coefficient", real(coefficient)),
                ]))
            },
        )
        .collect();
    push_list(&mut t, "competitors", competitors);
    Item::named(name, table(t))
}

/// A law's table: its `type` tag, then its parameters.
fn law<'a>(fields: Vec<(&'a str, Node<'a>)>) -> Node<'a> {
    let mut t = vec![("type", Node::Text)];
    t.extend(fields);
    table(t)
}

fn growth_law(growth: &mut GrowthLaw) -> Node<'_> {
    use super::{Exponential, Gompertz, Logistic, PowerLaw, Simeoni, VonBertalanffy};
    match growth {
        GrowthLaw::Exponential(Exponential { rate }) => law(vec![("rate", real(rate))]),
        GrowthLaw::Logistic(Logistic { rate, capacity }) => {
            law(vec![("rate", real(rate)), ("capacity", real(capacity))])
        }
        GrowthLaw::Gompertz(Gompertz { rate, capacity }) => {
            law(vec![("rate", real(rate)), ("capacity", real(capacity))])
        }
        GrowthLaw::VonBertalanffy(VonBertalanffy { growth, loss }) => {
            law(vec![("growth", real(growth)), ("loss", real(loss))])
        }
        GrowthLaw::Simeoni(Simeoni {
            lambda0,
            lambda1,
            psi,
        }) => law(vec![
            ("lambda0", real(lambda0)),
            ("lambda1", real(lambda1)),
            ("psi", real(psi)),
        ]),
        GrowthLaw::PowerLaw(PowerLaw {
            coefficient,
            exponent,
        }) => law(vec![
            ("coefficient", real(coefficient)),
            ("exponent", real(exponent)),
        ]),
    }
}

fn radio(r: &mut Radiosensitivity) -> Node<'_> {
    let Radiosensitivity { alpha, beta } = r;
    table(vec![("alpha", real(alpha)), ("beta", real(beta))])
}

fn cell(spec: &mut CellSpec) -> Item<'_> {
    let CellSpec {
        name,
        initial,
        source,
        death,
        radiosensitivity,
    } = spec;
    let mut t = vec![
        ("name", Node::Text),
        ("initial", real(initial)),
        ("source", real(source)),
        ("death", real(death)),
    ];
    if let Some(r) = radiosensitivity {
        t.push(("radiosensitivity", radio(r)));
    }
    Item::named(name, table(t))
}

fn species_item(spec: &mut SpeciesSpec) -> Item<'_> {
    let SpeciesSpec {
        name,
        unit: _,
        initial,
        production,
        decay,
    } = spec;
    let t = vec![
        ("name", Node::Text),
        ("unit", Node::Text),
        ("initial", real(initial)),
        ("production", real(production)),
        ("decay", real(decay)),
    ];
    Item::named(name, table(t))
}

fn drug(spec: &mut DrugSpec) -> Item<'_> {
    let DrugSpec {
        name,
        cl,
        v1,
        peripherals,
        absorption,
        saturable,
        clearance_change,
    } = spec;
    let mut t = vec![("name", Node::Text), ("cl", real(cl)), ("v1", real(v1))];
    let peripherals = peripherals
        .iter_mut()
        .map(|Peripheral { q, v }| Item::plain(table(vec![("q", real(q)), ("v", real(v))])))
        .collect();
    push_list(&mut t, "peripherals", peripherals);
    if let Some(Absorption {
        ka,
        bioavailability,
        lag,
    }) = absorption
    {
        let depot = table(vec![
            ("ka", real(ka)),
            ("bioavailability", real(bioavailability)),
            ("lag", real(lag)),
        ]);
        t.push(("absorption", depot));
    }
    if let Some(MichaelisMenten { vmax, km }) = saturable {
        t.push((
            "saturable",
            table(vec![("vmax", real(vmax)), ("km", real(km))]),
        ));
    }
    if let Some(ClearanceChange { emax, t50, hill }) = clearance_change {
        let change = table(vec![
            ("emax", real(emax)),
            ("t50", real(t50)),
            ("hill", real(hill)),
        ]);
        t.push(("clearance_change", change));
    }
    Item::named(name, table(t))
}

fn kill(spec: &mut KillSpec) -> Item<'_> {
    let KillSpec { by, on, law: k } = spec;
    let node = match k {
        KillLaw::MassAction(MassAction { rate }) => law(vec![("rate", real(rate))]),
        KillLaw::Saturating(Saturating {
            rate,
            half_saturation,
        }) => law(vec![
            ("rate", real(rate)),
            ("half_saturation", real(half_saturation)),
        ]),
        KillLaw::RatioDependent(RatioDependent { d, l, s }) => {
            law(vec![("d", real(d)), ("l", real(l)), ("s", real(s))])
        }
    };
    let t = vec![("by", Node::Text), ("on", Node::Text), ("law", node)];
    Item::pair(by, on, table(t))
}

fn recruitment(r: &mut Recruitment) -> Node<'_> {
    let Recruitment {
        rate,
        half_saturation,
        hill,
        mode: _,
    } = r;
    table(vec![
        ("rate", real(rate)),
        ("half_saturation", real(half_saturation)),
        ("hill", real(hill)),
        ("mode", Node::Text),
    ])
}

fn recruitment_item(spec: &mut RecruitmentSpec) -> Item<'_> {
    let RecruitmentSpec { by, of, law } = spec;
    let t = vec![
        ("by", Node::Text),
        ("of", Node::Text),
        ("law", recruitment(law)),
    ];
    Item::pair(by, of, table(t))
}

fn inactivation(spec: &mut InactivationSpec) -> Item<'_> {
    let InactivationSpec { by, of, rate } = spec;
    let t = vec![("by", Node::Text), ("of", Node::Text), ("rate", real(rate))];
    Item::pair(by, of, table(t))
}

fn suppression(spec: &mut SuppressionSpec) -> Item<'_> {
    let SuppressionSpec {
        by,
        of,
        rate: _,
        inhibition,
    } = spec;
    let Inhibition { imax, s50 } = inhibition;
    let t = vec![
        ("by", Node::Text),
        ("of", Node::Text),
        ("rate", Node::Text),
        (
            "inhibition",
            table(vec![("imax", real(imax)), ("s50", real(s50))]),
        ),
    ];
    Item::pair(by, of, table(t))
}

fn effect_law(e: &mut EffectLaw) -> Node<'_> {
    match e {
        EffectLaw::Linear(Linear { slope }) => law(vec![("slope", real(slope))]),
        EffectLaw::Emax(Emax { emax, ec50 }) => {
            law(vec![("emax", real(emax)), ("ec50", real(ec50))])
        }
        EffectLaw::SigmoidEmax(SigmoidEmax { emax, ec50, hill }) => law(vec![
            ("emax", real(emax)),
            ("ec50", real(ec50)),
            ("hill", real(hill)),
        ]),
        EffectLaw::ExpKill(ExpKill { emax, k }) => law(vec![("emax", real(emax)), ("k", real(k))]),
    }
}

fn effect(spec: &mut EffectSpec) -> Item<'_> {
    let EffectSpec {
        drug,
        rate: _,
        of,
        law,
    } = spec;
    let t = vec![
        ("drug", Node::Text),
        ("rate", Node::Text),
        ("of", Node::Text),
        ("law", effect_law(law)),
    ];
    Item::pair(drug, of, table(t))
}

fn process(p: &mut Process) -> Item<'_> {
    let mut t = vec![("type", Node::Text), ("name", Node::Text)];
    match p {
        Process::Transition(Transition {
            name,
            from: _,
            to,
            rate,
        }) => {
            t.push(("from", Node::Text));
            if to.is_some() {
                t.push(("to", Node::Text));
            }
            t.push(("rate", real(rate)));
            Item::named(name, table(t))
        }
        Process::Production(Production { name, by, of, rate }) => {
            t.extend([("by", Node::Text), ("of", Node::Text), ("rate", real(rate))]);
            Item {
                name: Some(name.as_str()),
                ..Item::pair(by, of, table(t))
            }
        }
        Process::Binding(Binding {
            name,
            ligand: _,
            receptor: _,
            complex: _,
            kon,
            koff,
        }) => {
            t.extend([
                ("ligand", Node::Text),
                ("receptor", Node::Text),
                ("complex", Node::Text),
                ("kon", real(kon)),
                ("koff", real(koff)),
            ]);
            Item::named(name, table(t))
        }
        Process::Flux(Flux {
            name,
            rate: _,
            changes,
        }) => {
            let changes = changes
                .iter_mut()
                .map(
                    |Change {
                         state: _,
                         coefficient,
                     }| {
                        Item::plain(table(vec![
                            ("state", Node::Text),
                            ("coefficient", real(coefficient)),
                        ]))
                    },
                )
                .collect();
            t.extend([("rate", Node::Text), ("changes", Node::List(changes))]);
            Item::named(name, table(t))
        }
    }
}

/// A one-field table: an enum variant carrying data, as model files write it.
fn variant<'a>(key: &'a str, node: Node<'a>) -> Node<'a> {
    table(vec![(key, node)])
}

fn rate_ref(on: &RateRef) -> Node<'static> {
    let pair = |a, b| table(vec![(a, Node::Text), (b, Node::Text)]);
    match on {
        RateRef::Process(_) => variant("process", Node::Text),
        RateRef::Kill { .. } => variant("kill", pair("by", "on")),
        RateRef::Growth(_) => variant("growth", Node::Text),
        RateRef::Recruitment { .. } => variant("recruitment", pair("by", "of")),
        RateRef::Source(_) => variant("source", Node::Text),
    }
}

fn input(input: &Input) -> Node<'static> {
    match input {
        Input::State(_) => variant("state", Node::Text),
        Input::Concentration(_) => variant("concentration", Node::Text),
        Input::Burden(_) => variant("burden", Node::Text),
        Input::TotalBurden => Node::Text,
        Input::Ratio { .. } => variant(
            "ratio",
            table(vec![("numerator", Node::Text), ("denominator", Node::Text)]),
        ),
        Input::Fraction { part: _, among } => {
            let among = among.iter().map(|_| Item::plain(Node::Text)).collect();
            variant(
                "fraction",
                table(vec![("part", Node::Text), ("among", Node::List(among))]),
            )
        }
        Input::Expression(_) => variant("expression", Node::Text),
    }
}

fn modifier(spec: &mut ModifierSpec) -> Item<'_> {
    let ModifierSpec {
        on,
        input: x,
        factor,
    } = spec;
    let factor = match factor {
        Factor::Effect(e) => variant("effect", effect_law(e)),
        Factor::Activation(e) => variant("activation", effect_law(e)),
        Factor::Inhibition(e) => variant("inhibition", effect_law(e)),
        Factor::Exponential { rate } => variant("exponential", table(vec![("rate", real(rate))])),
    };
    let t = vec![
        ("on", rate_ref(on)),
        ("input", input(x)),
        ("factor", factor),
    ];
    Item::plain(table(t))
}

fn observable(spec: &mut ObservableSpec) -> Item<'_> {
    let ObservableSpec {
        name,
        unit: _,
        input: x,
    } = spec;
    let t = vec![
        ("name", Node::Text),
        ("unit", Node::Text),
        ("input", input(x)),
    ];
    Item::named(name, table(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Logistic, MassAction};

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
        s.effectors.push(CellSpec::new("e", 1.0, 0.0, 0.1));
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
        assert!(
            matches!(err, PopulationError::UnknownElement { .. }),
            "{err}"
        );
    }
}
