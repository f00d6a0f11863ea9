//! Tokens and the recursive-descent parser: text to a tree of names and numbers, with the byte
//! position of every name and every error.

use super::{ExprError, Func};

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

/// A parsed expression: numbers, names (with their byte position), operators, calls.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Ast {
    Number(f64),
    Name(String, usize),
    Neg(Box<Ast>),
    Binary(BinOp, Box<Ast>, Box<Ast>),
    Call(Func, Vec<Ast>),
}

/// The longest expression accepted, in bytes: a bound on the trees later passes walk
/// recursively.
const MAX_LENGTH: usize = 10_000;

/// Parses `source` (grammar in the module docs of [`expr`](super)).
pub(crate) fn parse(source: &str) -> Result<Ast, ExprError> {
    if source.len() > MAX_LENGTH {
        return Err(ExprError::Syntax {
            expression: source.to_string(),
            position: MAX_LENGTH,
            expected: "the end of the expression (at most 10000 characters)",
        });
    }
    let mut p = Parser {
        source,
        bytes: source.as_bytes(),
        at: 0,
        depth: 0,
    };
    let ast = p.sum()?;
    p.skip_space();
    if p.at < p.bytes.len() {
        return Err(p.error("an operator or the end of the expression"));
    }
    Ok(ast)
}

struct Parser<'a> {
    source: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// Nesting of the rule being parsed, bounded so that no input can exhaust the call stack.
    depth: usize,
}

/// The deepest nesting of parentheses, signs and powers the parser follows.
const MAX_NESTING: usize = 200;

impl Parser<'_> {
    fn error(&self, expected: &'static str) -> ExprError {
        ExprError::Syntax {
            expression: self.source.to_string(),
            position: self.at,
            expected,
        }
    }

    fn skip_space(&mut self) {
        while self.at < self.bytes.len() && self.bytes[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// `sum = product (('+' | '-') product)*`
    fn sum(&mut self) -> Result<Ast, ExprError> {
        let mut left = self.product()?;
        loop {
            let op = match self.peek() {
                Some(b'+') => BinOp::Add,
                Some(b'-') => BinOp::Sub,
                _ => return Ok(left),
            };
            self.at += 1;
            let right = self.product()?;
            left = Ast::Binary(op, Box::new(left), Box::new(right));
        }
    }

    /// `product = unary (('*' | '/') unary)*`
    fn product(&mut self) -> Result<Ast, ExprError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(b'*') => BinOp::Mul,
                Some(b'/') => BinOp::Div,
                _ => return Ok(left),
            };
            self.at += 1;
            let right = self.unary()?;
            left = Ast::Binary(op, Box::new(left), Box::new(right));
        }
    }

    /// `unary = ('-' | '+') unary | power`: `-x^2` is `-(x^2)`. Every nested rule passes
    /// through here, so the nesting bound is checked here.
    fn unary(&mut self) -> Result<Ast, ExprError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error("less nesting (at most 200 levels)"));
        }
        let result = self.signed();
        self.depth -= 1;
        result
    }

    fn signed(&mut self) -> Result<Ast, ExprError> {
        if self.eat(b'-') {
            return Ok(Ast::Neg(Box::new(self.unary()?)));
        }
        if self.eat(b'+') {
            return self.unary();
        }
        self.power()
    }

    /// `power = atom ('^' unary)?`, right-associative: `a^b^c` is `a^(b^c)`, `2^-1` is `2^(-1)`.
    fn power(&mut self) -> Result<Ast, ExprError> {
        let base = self.atom()?;
        if self.eat(b'^') {
            let exponent = self.unary()?;
            return Ok(Ast::Binary(BinOp::Pow, Box::new(base), Box::new(exponent)));
        }
        Ok(base)
    }

    /// `atom = number | name | name '(' sum (',' sum)* ')' | '(' sum ')'`
    fn atom(&mut self) -> Result<Ast, ExprError> {
        match self.peek() {
            Some(b'(') => {
                self.at += 1;
                let inner = self.sum()?;
                if !self.eat(b')') {
                    return Err(self.error("`)`"));
                }
                Ok(inner)
            }
            Some(c) if c.is_ascii_digit() || c == b'.' => self.number(),
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let start = self.at;
                while self
                    .bytes
                    .get(self.at)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                {
                    self.at += 1;
                }
                let name = &self.source[start..self.at];
                if self.peek() != Some(b'(') {
                    return Ok(Ast::Name(name.to_string(), start));
                }
                let func = Func::named(name).ok_or_else(|| ExprError::UnknownFunction {
                    expression: self.source.to_string(),
                    position: start,
                    name: name.to_string(),
                })?;
                self.at += 1;
                let mut args = vec![self.sum()?];
                while self.eat(b',') {
                    args.push(self.sum()?);
                }
                if !self.eat(b')') {
                    return Err(self.error("`,` or `)`"));
                }
                if args.len() != func.arity() {
                    return Err(ExprError::Arity {
                        expression: self.source.to_string(),
                        position: start,
                        function: func.name(),
                        expected: func.arity(),
                        got: args.len(),
                    });
                }
                Ok(Ast::Call(func, args))
            }
            _ => Err(self.error("a number, a name, a function call or `(`")),
        }
    }

    /// An f64 literal: digits, an optional fraction, an optional exponent (`3.66e7`, `.5`).
    fn number(&mut self) -> Result<Ast, ExprError> {
        let start = self.at;
        let digits = |p: &mut Self| {
            while p.bytes.get(p.at).is_some_and(u8::is_ascii_digit) {
                p.at += 1;
            }
        };
        digits(self);
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            digits(self);
        }
        if matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
            let mark = self.at;
            self.at += 1;
            if matches!(self.bytes.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
                self.at = mark + 1;
                return Err(self.error("digits of an exponent"));
            }
            digits(self);
        }
        self.source[start..self.at]
            .parse()
            .map(Ast::Number)
            .map_err(|_| {
                self.at = start;
                self.error("a number")
            })
    }
}
