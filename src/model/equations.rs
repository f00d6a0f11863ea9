//! The assembled system as text: one line per state, with parameter values, so a built model
//! can be read against its paper.
//!
//! Use this module through [`Model::equations`](super::Model::equations). Each line is
//! `d<state>/dt = ± flux ± flux …`, every flux written with the law's formula, its parameter
//! values and the states it reads (a tumor's burden `w` spelled out as the sum of its
//! compartments, a drug's concentration as `amount/V`).

use super::term::{DrugEffect, Modifier, Signal, Term};
use super::{EffectLaw, Factor, GrowthLaw, KillLaw, RecruitmentMode};
use crate::units::Unit;
use std::fmt;

/// The right-hand side of a model, one [`Equation`] per state.
#[derive(Clone, Debug, PartialEq)]
pub struct Equations {
    /// One equation per state, in state-vector order.
    pub equations: Vec<Equation>,
}

/// `d state/dt` as a sum of signed fluxes.
#[derive(Clone, Debug, PartialEq)]
pub struct Equation {
    /// The state's name.
    pub state: String,
    /// Its unit.
    pub unit: Unit,
    /// The fluxes, each with its sign (`+1` in, `−1` out) and its formula.
    pub fluxes: Vec<(f64, String)>,
}

impl fmt::Display for Equation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "d{}/dt =", self.state)?;
        if self.fluxes.is_empty() {
            return f.write_str(" 0");
        }
        for (i, (sign, flux)) in self.fluxes.iter().enumerate() {
            let op = if *sign < 0.0 { "−" } else { "+" };
            if i == 0 && *sign > 0.0 {
                write!(f, " {flux}")?;
            } else {
                write!(f, " {op} {flux}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Equations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.equations {
            writeln!(f, "{e}    [{}/day]", e.unit)?;
        }
        Ok(())
    }
}

impl Equations {
    /// The system as a Markdown table: state, unit, equation (in code spans).
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("| state | unit | equation |\n|---|---|---|\n");
        for e in &self.equations {
            out.push_str(&format!("| {} | {} | `{e}` |\n", e.state, e.unit));
        }
        out
    }

    /// The system as LaTeX, one `\frac{d\,x}{dt} = …` line per state inside an `aligned`
    /// environment: names in `\mathrm{}`, products as `\cdot`, numbers in scientific notation
    /// as `a \times 10^{n}`.
    ///
    /// ```
    /// use oncodyn::model::catalog::{kuznetsov_1994, KuznetsovParams};
    ///
    /// let (model, _) = kuznetsov_1994(&KuznetsovParams::BIOMODELS)?;
    /// let latex = model.equations().to_latex();
    /// assert!(latex.contains(r"\frac{d\,\mathrm{tumor}}{dt} &= 0.18 \cdot \mathrm{tumor}"));
    /// assert!(latex.contains(r"1.101 \times 10^{-7}"));
    /// # Ok::<(), oncodyn::Error>(())
    /// ```
    pub fn to_latex(&self) -> String {
        let mut out = String::from("\\begin{aligned}\n");
        for e in &self.equations {
            let rhs = e.to_string();
            let rhs = rhs.split_once(" =").map_or("", |(_, r)| r);
            out.push_str(&format!(
                "\\frac{{d\\,{}}}{{dt}} &={} \\\\\n",
                latex_name(&e.state),
                latex(rhs)
            ));
        }
        out.push_str("\\end{aligned}");
        out
    }

    /// Collects the fluxes of `terms` over states named `names` with `units`.
    pub(crate) fn of(terms: &[Term], names: &[String], units: &[Unit]) -> Equations {
        let mut equations: Vec<Equation> = names
            .iter()
            .zip(units)
            .map(|(state, unit)| Equation {
                state: state.clone(),
                unit: unit.clone(),
                fluxes: Vec::new(),
            })
            .collect();
        let text = Text { names };
        for term in terms {
            let flux = text.term(term);
            for &(i, sign) in term.stoichiometry().rows() {
                equations[i].fluxes.push((sign, flux.clone()));
            }
        }
        Equations { equations }
    }
}

/// A number as short as it reads, to 12 significant digits: `0.05`, `1e10`, `3.42e-6` (a
/// volume recovered as `1/(1/V)` prints as `V`).
pub(crate) fn number(v: f64) -> String {
    let v: f64 = format!("{v:.11e}").parse().unwrap_or(v);
    let a = v.abs();
    if a == 0.0 || (1e-3..1e4).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Formulas over state names.
struct Text<'a> {
    names: &'a [String],
}

impl Text<'_> {
    fn name(&self, i: usize) -> &str {
        self.names.get(i).map_or("?", String::as_str)
    }

    fn sum(&self, range: &std::ops::Range<usize>) -> String {
        let parts: Vec<&str> = range.clone().map(|i| self.name(i)).collect();
        if parts.len() == 1 {
            parts[0].to_string()
        } else {
            format!("({})", parts.join(" + "))
        }
    }

    fn signal(&self, s: &Signal) -> String {
        match s {
            Signal::State(i) => self.name(*i).to_string(),
            Signal::Scaled { state, factor } => {
                format!("({}/{})", self.name(*state), number(1.0 / factor))
            }
            Signal::Sum(range) => self.sum(range),
            Signal::Ratio {
                numerator,
                denominator,
            } => format!("({}/{})", self.name(*numerator), self.name(*denominator)),
            Signal::Expression(e) => {
                format!("({})", e.value.to_text(&|i| self.name(i).to_string()))
            }
            Signal::Fraction { part, among } => {
                let below: Vec<&str> = among.iter().map(|&j| self.name(j)).collect();
                format!("({}/({}))", self.name(*part), below.join(" + "))
            }
        }
    }

    fn effect(law: &EffectLaw, c: &str) -> String {
        match *law {
            EffectLaw::Linear(l) => format!("{}·{c}", number(l.slope)),
            EffectLaw::Emax(e) => format!("{}·{c}/({} + {c})", number(e.emax), number(e.ec50)),
            EffectLaw::SigmoidEmax(e) => {
                let n = number(e.hill);
                format!(
                    "{}·{c}^{n}/({}^{n} + {c}^{n})",
                    number(e.emax),
                    number(e.ec50)
                )
            }
            EffectLaw::ExpKill(e) => {
                format!("{}·(1 − exp(−{}·{c}))", number(e.emax), number(e.k))
            }
        }
    }

    fn drug(&self, e: &DrugEffect) -> String {
        let c = format!("({}/{})", self.name(e.central), number(1.0 / e.inv_v1));
        Self::effect(&e.law, &c)
    }

    fn modifier(&self, m: &Modifier) -> String {
        match m {
            Modifier::Factor { input, factor } => {
                let x = self.signal(input);
                match factor {
                    Factor::Effect(law) => format!("({})", Self::effect(law, &x)),
                    Factor::Activation(law) => format!("(1 + {})", Self::effect(law, &x)),
                    Factor::Inhibition(law) => format!("(1 − {})", Self::effect(law, &x)),
                    Factor::Exponential { rate } => format!("exp(−{}·{x})", number(*rate)),
                }
            }
            Modifier::Suppress {
                state,
                inhibition,
                relief,
            } => {
                let s = self.name(*state);
                let mut text = format!(
                    "(1 − {}·{s}/({} + {s})",
                    number(inhibition.imax),
                    number(inhibition.s50)
                );
                for e in relief.iter() {
                    text.push_str(&format!("·(1 − {})", self.drug(e)));
                }
                text.push(')');
                text
            }
        }
    }

    fn growth(law: &GrowthLaw, x: &str, w: &str) -> String {
        match *law {
            GrowthLaw::Exponential(g) => format!("{}·{x}", number(g.rate)),
            GrowthLaw::Logistic(g) => {
                format!("{}·{x}·(1 − {w}/{})", number(g.rate), number(g.capacity))
            }
            GrowthLaw::Gompertz(g) => {
                format!("{}·{x}·ln({}/{w})", number(g.rate), number(g.capacity))
            }
            GrowthLaw::VonBertalanffy(g) => {
                format!("{x}·({}/{w}^(1/3) − {})", number(g.growth), number(g.loss))
            }
            GrowthLaw::Simeoni(g) => format!(
                "{l0}·{x}/(1 + ({l0}/{}·{w})^{p})^(1/{p})",
                number(g.lambda1),
                l0 = number(g.lambda0),
                p = number(g.psi)
            ),
            GrowthLaw::PowerLaw(g) => format!(
                "{}·{x}·{w}^({} − 1)",
                number(g.coefficient),
                number(g.exponent)
            ),
        }
    }

    fn kill(law: &KillLaw, e: &str, t: &str) -> String {
        match *law {
            KillLaw::MassAction(k) => format!("{}·{e}·{t}", number(k.rate)),
            KillLaw::Saturating(k) => format!(
                "{}·{e}·{t}/({} + {t})",
                number(k.rate),
                number(k.half_saturation)
            ),
            KillLaw::RatioDependent(k) => format!(
                "{}·({e}/{t})^{l}/({} + ({e}/{t})^{l})·{t}",
                number(k.d),
                number(k.s),
                l = number(k.l)
            ),
        }
    }

    fn term(&self, term: &Term) -> String {
        let base = match term {
            Term::Source { rate, .. } => number(*rate),
            Term::FirstOrder { from, rate, .. }
            | Term::Transition { from, rate, .. }
            | Term::Production { by: from, rate, .. } => {
                format!("{}·{}", number(*rate), self.name(*from))
            }
            Term::Binding {
                ligand,
                receptor,
                complex,
                kon,
                koff,
            } => format!(
                "({}·{}·{} − {}·{})",
                number(*kon),
                self.name(*ligand),
                self.name(*receptor),
                number(*koff),
                self.name(*complex)
            ),
            Term::TimeVaryingLoss { from, rate, change } => format!(
                "{}·exp({}·t^{h}/({}^{h} + t^{h}))·{}",
                number(*rate),
                number(change.emax),
                number(change.t50),
                self.name(*from),
                h = number(change.hill)
            ),
            Term::Saturable {
                central,
                inv_v1,
                vmax,
                km,
            } => {
                let c = format!("({}/{})", self.name(*central), number(1.0 / inv_v1));
                format!("{}·{c}/({} + {c})", number(*vmax), number(*km))
            }
            Term::Growth {
                x,
                burden,
                competitors,
                law,
                ..
            } => {
                let mut w = self.sum(burden);
                if !competitors.is_empty() {
                    let others: Vec<String> = competitors
                        .iter()
                        .map(|(r, a)| format!("{}·{}", number(*a), self.sum(r)))
                        .collect();
                    w = format!("({w} + {})", others.join(" + "));
                }
                Self::growth(law, self.name(*x), &w)
            }
            Term::Kill { by, on, law, .. } => Self::kill(law, self.name(*by), self.name(*on)),
            Term::DrugLoss { on, effect, .. } => {
                format!("{}·{}", self.drug(effect), self.name(*on))
            }
            Term::Recruit {
                burden, of, law, ..
            } => {
                let w = self.sum(burden);
                let n = number(law.hill);
                let sat = if law.hill == 1.0 {
                    format!("{w}/({} + {w})", number(law.half_saturation))
                } else {
                    format!("{w}^{n}/({}^{n} + {w}^{n})", number(law.half_saturation))
                };
                match law.mode {
                    RecruitmentMode::Expansion => {
                        format!("{}·{sat}·{}", number(law.rate), self.name(*of))
                    }
                    RecruitmentMode::Influx => format!("{}·{sat}", number(law.rate)),
                }
            }
            Term::Inactivate { burden, of, rate } => {
                format!("{}·{}·{}", number(*rate), self.name(*of), self.sum(burden))
            }
            Term::Flux { rate, .. } => {
                format!("({})", rate.value.to_text(&|i| self.name(i).to_string()))
            }
        };
        let mods: Vec<String> = term.modifiers().iter().map(|m| self.modifier(m)).collect();
        if mods.is_empty() {
            base
        } else {
            format!("{base}·{}", mods.join("·"))
        }
    }
}

/// A state or function name in LaTeX: `\mathrm{}` with `_` escaped; functions as operators.
fn latex_name(name: &str) -> String {
    match name {
        "exp" | "ln" | "log" | "tanh" | "min" | "max" => format!("\\{name}"),
        _ => format!("\\mathrm{{{}}}", name.replace('_', "\\_")),
    }
}

/// A number in LaTeX: `1.101e-7` as `1.101 \times 10^{-7}`.
fn latex_number(text: &str) -> String {
    match text.split_once('e') {
        Some(("1", exponent)) => format!("10^{{{exponent}}}"),
        Some((mantissa, exponent)) => format!("{mantissa} \\times 10^{{{exponent}}}"),
        None => text.to_string(),
    }
}

/// The plain-text formulas of this module in LaTeX: names, numbers and operators token by
/// token; an exponent (`^` and the number, name or parenthesised group after it) in braces.
fn latex(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    // Depth of parentheses at which each open exponent group closes.
    let mut exponents: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            out.push_str(&latex_name(&word));
            continue;
        }
        if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || chars[i] == '.'
                    || chars[i] == 'e'
                    || (chars[i] == '-' && i > 0 && chars[i - 1] == 'e'))
            {
                i += 1;
            }
            let number: String = chars[start..i].iter().collect();
            out.push_str(&latex_number(&number));
            continue;
        }
        match c {
            '·' => out.push_str(" \\cdot "),
            '−' => out.push('-'),
            '^' => {
                out.push_str("^{");
                i += 1;
                // The exponent: a parenthesised group (closed at its parenthesis), or one
                // token (closed right after it).
                if chars.get(i) == Some(&'(') {
                    exponents.push(depth);
                } else {
                    let start = i;
                    while i < chars.len()
                        && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '.' | '_' | '-'))
                    {
                        i += 1;
                    }
                    let token: String = chars[start..i].iter().collect();
                    if token
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic())
                    {
                        out.push_str(&latex_name(&token));
                    } else {
                        out.push_str(&token);
                    }
                    out.push('}');
                }
                continue;
            }
            '(' => {
                depth += 1;
                out.push_str("\\left(");
            }
            ')' => {
                depth = depth.saturating_sub(1);
                out.push_str("\\right)");
                if exponents.last() == Some(&depth) {
                    exponents.pop();
                    out.push('}');
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    out
}
