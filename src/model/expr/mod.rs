//! Expressions: rate laws, modifiers and observables written as text over state names,
//! parameters and time.
//!
//! Use this module when a term of a published model is not one of the built-in laws: de Pillis'
//! CD8⁺ recruitment `j·(D·T)^2/(k + (D·T)^2)·L`, Nikolopoulou's PD-1–PD-L1 inhibition
//! `1/(1 + Q/K_TQ)`, a division or a product no law covers. An [`Expression`] is parsed once
//! (errors name the position), resolved once when the model is built (every name becomes a
//! state index or a parameter's value), and evaluated as a flat [`Program`] with no allocation,
//! lookup or dynamic dispatch. Its partial derivatives are exact: [`Program::derivative`]
//! differentiates symbolically, so expression terms have analytic Jacobians like the built-in
//! laws.
//!
//! Grammar (precedence from low to high; `^` is right-associative and binds tighter than a
//! leading minus, so `-x^2 = -(x^2)` and `2^-1 = 0.5`):
//!
//! ```text
//! sum     = product (('+' | '-') product)*
//! product = unary (('*' | '/') unary)*
//! unary   = ('-' | '+') unary | power
//! power   = atom ('^' unary)?
//! atom    = number | name | function '(' sum (',' sum)* ')' | '(' sum ')'
//! number  = 12 | 0.5 | .5 | 3.66e7 | 1E-9
//! name    = [A-Za-z_][A-Za-z0-9_]*          (a state, a parameter, or t for time in days)
//! function: exp ln log10 sqrt abs sign tanh (one argument); min max pow (two); hill (three):
//!           hill(x, k, n) = x^n/(k^n + x^n)
//! ```
//!
//! ```
//! use oncodyn::model::expr::{Expression, Operand};
//!
//! let e = Expression::parse("a * T * E / (g + T)")?;
//! assert_eq!(e.identifiers(), ["a", "T", "E", "g"]);
//! let program = e.compile(|name| match name {
//!     "T" => Some(Operand::State(0)),
//!     "E" => Some(Operand::State(1)),
//!     "a" => Some(Operand::Const(0.5)),
//!     "g" => Some(Operand::Const(1e5)),
//!     _ => None,
//! })?;
//! let y = [1e5, 2e4];
//! assert_eq!(program.eval(0.0, &y), 0.5 * 1e5 * 2e4 / 2e5);
//! // ∂/∂T = a·E·g/(g + T)²
//! let d = program.derivative(0);
//! assert!((d.eval(0.0, &y) - 0.5 * 2e4 * 1e5 / 4e10).abs() < 1e-12);
//! # Ok::<(), oncodyn::model::expr::ExprError>(())
//! ```

mod display;
mod parse;
mod program;
mod tree;

pub use program::Program;

use parse::Ast;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// What a name in an expression means, as the caller resolves it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Operand {
    /// State `i` of the state vector.
    State(usize),
    /// Time `t`, days.
    Time,
    /// A constant (a parameter's value).
    Const(f64),
}

/// A function an expression may call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Func {
    /// `exp(x)`.
    Exp,
    /// Natural logarithm `ln(x)`.
    Ln,
    /// `log10(x)`.
    Log10,
    /// `sqrt(x)`.
    Sqrt,
    /// `abs(x)`.
    Abs,
    /// `sign(x)`: −1, 0 or 1.
    Sign,
    /// `tanh(x)`.
    Tanh,
    /// `min(a, b)`.
    Min,
    /// `max(a, b)`.
    Max,
    /// `pow(a, b) = a^b`.
    Pow,
    /// `hill(x, k, n) = x^n/(k^n + x^n)`.
    Hill,
}

/// Every function with its name.
const FUNCTIONS: [(Func, &str); 11] = [
    (Func::Exp, "exp"),
    (Func::Ln, "ln"),
    (Func::Log10, "log10"),
    (Func::Sqrt, "sqrt"),
    (Func::Abs, "abs"),
    (Func::Sign, "sign"),
    (Func::Tanh, "tanh"),
    (Func::Min, "min"),
    (Func::Max, "max"),
    (Func::Pow, "pow"),
    (Func::Hill, "hill"),
];

impl Func {
    fn named(name: &str) -> Option<Func> {
        FUNCTIONS.iter().find(|(_, n)| *n == name).map(|(f, _)| *f)
    }

    /// The function's name in expressions.
    pub fn name(self) -> &'static str {
        FUNCTIONS
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("", |(_, n)| n)
    }

    /// Its number of arguments.
    pub fn arity(self) -> usize {
        match self {
            Func::Min | Func::Max | Func::Pow => 2,
            Func::Hill => 3,
            _ => 1,
        }
    }
}

/// Why an expression could not be parsed or resolved. Positions are byte offsets into the
/// expression; the message quotes the expression (a window around the position when it is long)
/// with a caret under it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ExprError {
    /// Not valid syntax.
    #[error("expected {expected} at position {position}\n{}", caret(expression, *position))]
    Syntax {
        /// The expression.
        expression: String,
        /// Byte position of the problem.
        position: usize,
        /// What the grammar allows there.
        expected: &'static str,
    },
    /// A call to a function that does not exist.
    #[error("unknown function `{name}` at position {position} (available: {})\n{}", function_names(), caret(expression, *position))]
    UnknownFunction {
        /// The expression.
        expression: String,
        /// Byte position of the name.
        position: usize,
        /// The name called.
        name: String,
    },
    /// A function called with the wrong number of arguments.
    #[error("`{function}` takes {expected} arguments, not {got} (position {position})\n{}", caret(expression, *position))]
    Arity {
        /// The expression.
        expression: String,
        /// Byte position of the call.
        position: usize,
        /// The function.
        function: &'static str,
        /// Its number of arguments.
        expected: usize,
        /// The number given.
        got: usize,
    },
    /// A name that is neither a state, a parameter nor `t`.
    #[error("unknown name `{name}` at position {position}\n{}", caret(expression, *position))]
    UnknownName {
        /// The expression.
        expression: String,
        /// Byte position of the name.
        position: usize,
        /// The name.
        name: String,
    },
    /// Nested deeper than a program's evaluation stack.
    #[error(
        "the expression nests deeper than {limit} levels\n{}",
        caret(expression, 0)
    )]
    TooDeep {
        /// The expression.
        expression: String,
        /// The deepest nesting evaluated.
        limit: usize,
    },
}

fn function_names() -> String {
    FUNCTIONS
        .iter()
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Characters of context either side of a position in a quoted expression.
const CONTEXT: usize = 40;

/// The expression (a window of it when long) with a caret under byte `position`.
fn caret(expression: &str, position: usize) -> String {
    let position = position.min(expression.len());
    let mut start = position.saturating_sub(CONTEXT);
    while !expression.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (position + CONTEXT).min(expression.len());
    while !expression.is_char_boundary(end) {
        end += 1;
    }
    let (lead, tail) = (
        if start > 0 { "…" } else { "" },
        if end < expression.len() { "…" } else { "" },
    );
    let shown = &expression[start..end];
    let offset = lead.chars().count() + expression[start..position].chars().count();
    format!("  {lead}{shown}{tail}\n  {}^", " ".repeat(offset))
}

/// An expression as written, parsed. In files it is one string, written back exactly as read.
#[derive(Clone, Debug)]
pub struct Expression {
    source: String,
    ast: Ast,
}

impl PartialEq for Expression {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Expression {
    /// Parses `source`.
    ///
    /// # Errors
    /// [`ExprError::Syntax`], [`ExprError::UnknownFunction`] or [`ExprError::Arity`], with the
    /// position.
    pub fn parse(source: &str) -> Result<Expression, ExprError> {
        Ok(Expression {
            source: source.to_string(),
            ast: parse::parse(source)?,
        })
    }

    /// The text as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every name the expression reads, in order of first use, each once.
    pub fn identifiers(&self) -> Vec<&str> {
        let mut names = Vec::new();
        display::names(&self.ast, &mut names);
        names
    }

    /// Resolves every name with `resolve` and compiles the result.
    ///
    /// # Errors
    /// [`ExprError::UnknownName`] for a name `resolve` does not know, with its position;
    /// [`ExprError::TooDeep`] for an expression nested past the evaluation stack.
    pub fn compile(&self, resolve: impl Fn(&str) -> Option<Operand>) -> Result<Program, ExprError> {
        let tree = tree::resolve(&self.ast, &resolve).map_err(|(name, position)| {
            ExprError::UnknownName {
                expression: self.source.clone(),
                position,
                name,
            }
        })?;
        Program::compile(tree).map_err(|limit| ExprError::TooDeep {
            expression: self.source.clone(),
            limit,
        })
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&display::infix(&self.ast, &|name| name.to_string()))
    }
}

impl std::str::FromStr for Expression {
    type Err = ExprError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Expression::parse(s)
    }
}

impl Serialize for Expression {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for Expression {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Expression::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
