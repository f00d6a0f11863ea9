//! The parameter tree: every real number of a [`ModelSpec`] under its field names, written out
//! field by field for every part of a model (not derived from the file format).

use super::super::{
    Absorption, Binding, CellSpec, Change, ClearanceChange, Competitor, DrugSpec, EffectLaw,
    EffectSpec, Emax, ExpKill, Factor, Flux, GrowthLaw, InactivationSpec, Inhibition, Input,
    KillLaw, KillSpec, Linear, MassAction, MichaelisMenten, ModelSpec, ModifierSpec,
    ObservableSpec, Peripheral, Process, Production, Radiosensitivity, RateRef, RatioDependent,
    Recruitment, RecruitmentSpec, Saturating, SigmoidEmax, SpeciesSpec, SuppressionSpec, Transit,
    Transition, TumorSpec,
};
use super::{Segment, Selector};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// A model description as a tree of named fields and list elements, with mutable access to
/// its real numbers: written out below, field by field, for every type of a [`ModelSpec`].
pub(super) enum Node<'a> {
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
pub(super) struct Item<'a> {
    /// Its `name` field.
    pub(super) name: Option<&'a str>,
    /// Its `by` or `drug` field.
    pub(super) source: Option<&'a str>,
    /// Its `on` or `of` field.
    pub(super) target: Option<&'a str>,
    pub(super) node: Node<'a>,
}

impl<'a> Item<'a> {
    pub(super) fn plain(node: Node<'a>) -> Self {
        Item {
            name: None,
            source: None,
            target: None,
            node,
        }
    }

    pub(super) fn named(name: &'a str, node: Node<'a>) -> Self {
        Item {
            name: Some(name),
            ..Item::plain(node)
        }
    }

    pub(super) fn pair(source: &'a str, target: &'a str, node: Node<'a>) -> Self {
        Item {
            source: Some(source),
            target: Some(target),
            ..Item::plain(node)
        }
    }

    pub(super) fn selected_by(&self, selector: &Selector) -> bool {
        match selector {
            Selector::Name(n) => self.name == Some(n.as_str()),
            Selector::Pair { source, target } => {
                self.source == Some(source.as_str()) && self.target == Some(target.as_str())
            }
            Selector::Index(_) => false,
        }
    }

    /// How the element is named in error messages: its `name`, or `source->target`.
    pub(super) fn label(&self) -> String {
        match (self.name, self.source, self.target) {
            (Some(n), _, _) => n.to_string(),
            (None, Some(s), Some(t)) => format!("{s}->{t}"),
            _ => self.node.describe().to_string(),
        }
    }
}

impl<'a> Node<'a> {
    pub(super) fn describe(&self) -> &'static str {
        match self {
            Node::Real(_) => "a real number",
            Node::Text => "text",
            Node::Integer => "an integer",
            Node::Table(_) => "a table",
            Node::List(_) => "a list",
        }
    }

    /// Number of real leaves.
    pub(super) fn leaves(&self) -> usize {
        match self {
            Node::Real(_) => 1,
            Node::Text | Node::Integer => 0,
            Node::Table(entries) => entries.iter().map(|(_, n)| n.leaves()).sum(),
            Node::List(items) => items.iter().map(|i| i.node.leaves()).sum(),
        }
    }

    /// Feeds the structure (keys, element labels, kinds; not the values) to `h`.
    pub(super) fn hash_shape(&self, h: &mut impl Hasher) {
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
    pub(super) fn into_reals(self, out: &mut Vec<&'a mut f64>) {
        match self {
            Node::Real(v) => out.push(v),
            Node::Text | Node::Integer => {}
            Node::Table(entries) => entries.into_iter().for_each(|(_, n)| n.into_reals(out)),
            Node::List(items) => items.into_iter().for_each(|i| i.node.into_reals(out)),
        }
    }

    /// Every real leaf with its canonical path text and segments, in order.
    pub(super) fn list(
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

pub(super) fn shape(root: &Node<'_>) -> u64 {
    let mut h = DefaultHasher::new();
    root.hash_shape(&mut h);
    h.finish()
}

/// The selector that picks element `k` back when parsed: its name if unique, else its
/// `source->target` if unique, else its position.
pub(super) fn canonical(items: &[Item<'_>], k: usize) -> Selector {
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

pub(super) fn real(v: &mut f64) -> Node<'_> {
    Node::Real(v)
}

pub(super) fn table<'a>(entries: Vec<(&'a str, Node<'a>)>) -> Node<'a> {
    Node::Table(entries)
}

/// A list field, included (as in model files) only when it has elements.
pub(super) fn push_list<'a>(
    entries: &mut Vec<(&'a str, Node<'a>)>,
    key: &'a str,
    items: Vec<Item<'a>>,
) {
    if !items.is_empty() {
        entries.push((key, Node::List(items)));
    }
}

/// The whole description.
pub(super) fn tree(spec: &mut ModelSpec) -> Node<'_> {
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

pub(super) fn tumor(spec: &mut TumorSpec) -> Item<'_> {
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
pub(super) fn law<'a>(fields: Vec<(&'a str, Node<'a>)>) -> Node<'a> {
    let mut t = vec![("type", Node::Text)];
    t.extend(fields);
    table(t)
}

pub(super) fn growth_law(growth: &mut GrowthLaw) -> Node<'_> {
    use crate::model::{Exponential, Gompertz, Logistic, PowerLaw, Simeoni, VonBertalanffy};
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

pub(super) fn radio(r: &mut Radiosensitivity) -> Node<'_> {
    let Radiosensitivity { alpha, beta } = r;
    table(vec![("alpha", real(alpha)), ("beta", real(beta))])
}

pub(super) fn cell(spec: &mut CellSpec) -> Item<'_> {
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

pub(super) fn species_item(spec: &mut SpeciesSpec) -> Item<'_> {
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

pub(super) fn drug(spec: &mut DrugSpec) -> Item<'_> {
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

pub(super) fn kill(spec: &mut KillSpec) -> Item<'_> {
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

pub(super) fn recruitment(r: &mut Recruitment) -> Node<'_> {
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

pub(super) fn recruitment_item(spec: &mut RecruitmentSpec) -> Item<'_> {
    let RecruitmentSpec { by, of, law } = spec;
    let t = vec![
        ("by", Node::Text),
        ("of", Node::Text),
        ("law", recruitment(law)),
    ];
    Item::pair(by, of, table(t))
}

pub(super) fn inactivation(spec: &mut InactivationSpec) -> Item<'_> {
    let InactivationSpec { by, of, rate } = spec;
    let t = vec![("by", Node::Text), ("of", Node::Text), ("rate", real(rate))];
    Item::pair(by, of, table(t))
}

pub(super) fn suppression(spec: &mut SuppressionSpec) -> Item<'_> {
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

pub(super) fn effect_law(e: &mut EffectLaw) -> Node<'_> {
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

pub(super) fn effect(spec: &mut EffectSpec) -> Item<'_> {
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

pub(super) fn process(p: &mut Process) -> Item<'_> {
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
pub(super) fn variant<'a>(key: &'a str, node: Node<'a>) -> Node<'a> {
    table(vec![(key, node)])
}

pub(super) fn rate_ref(on: &RateRef) -> Node<'static> {
    let pair = |a, b| table(vec![(a, Node::Text), (b, Node::Text)]);
    match on {
        RateRef::Process(_) => variant("process", Node::Text),
        RateRef::Kill { .. } => variant("kill", pair("by", "on")),
        RateRef::Growth(_) => variant("growth", Node::Text),
        RateRef::Recruitment { .. } => variant("recruitment", pair("by", "of")),
        RateRef::Source(_) => variant("source", Node::Text),
    }
}

pub(super) fn input(input: &Input) -> Node<'static> {
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

pub(super) fn modifier(spec: &mut ModifierSpec) -> Item<'_> {
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

pub(super) fn observable(spec: &mut ObservableSpec) -> Item<'_> {
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
