//! The resolved tree: names replaced by operands, with folding constructors and symbolic
//! differentiation.

use super::parse::{Ast, BinOp};
use super::{Func, Operand};

/// An expression over operands; built through the constructors below, which fold constants
/// and drop `x + 0`, `x·1`, `x·0`, `x^1`, `x^0`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tree {
    Const(f64),
    State(usize),
    Time,
    Neg(Box<Tree>),
    Binary(BinOp, Box<Tree>, Box<Tree>),
    Call(Func, Vec<Tree>),
}

/// Replaces every name by what `resolve` says; the first unknown name and its position is the
/// error. `hill(x, k, n)` becomes `x^n/(k^n + x^n)`.
pub(crate) fn resolve(
    ast: &Ast,
    resolve_name: &impl Fn(&str) -> Option<Operand>,
) -> Result<Tree, (String, usize)> {
    Ok(match ast {
        Ast::Number(v) => Tree::Const(*v),
        Ast::Name(name, position) => match resolve_name(name) {
            Some(Operand::State(i)) => Tree::State(i),
            Some(Operand::Time) => Tree::Time,
            Some(Operand::Const(v)) => Tree::Const(v),
            None => return Err((name.clone(), *position)),
        },
        Ast::Neg(a) => neg(resolve(a, resolve_name)?),
        Ast::Binary(op, a, b) => binary(*op, resolve(a, resolve_name)?, resolve(b, resolve_name)?),
        Ast::Call(func, args) => {
            let args = args
                .iter()
                .map(|a| resolve(a, resolve_name))
                .collect::<Result<Vec<_>, _>>()?;
            call(*func, args)
        }
    })
}

fn is(t: &Tree, v: f64) -> bool {
    matches!(t, Tree::Const(c) if *c == v)
}

pub(crate) fn neg(a: Tree) -> Tree {
    match a {
        Tree::Const(v) => Tree::Const(-v),
        Tree::Neg(inner) => *inner,
        a => Tree::Neg(Box::new(a)),
    }
}

pub(crate) fn binary(op: BinOp, a: Tree, b: Tree) -> Tree {
    use BinOp::*;
    if let (Tree::Const(x), Tree::Const(y)) = (&a, &b) {
        return Tree::Const(match op {
            Add => x + y,
            Sub => x - y,
            Mul => x * y,
            Div => x / y,
            Pow => x.powf(*y),
        });
    }
    match op {
        Add if is(&a, 0.0) => b,
        Add | Sub if is(&b, 0.0) => a,
        Sub if is(&a, 0.0) => neg(b),
        Mul if is(&a, 0.0) || is(&b, 0.0) => Tree::Const(0.0),
        Mul if is(&a, 1.0) => b,
        Mul | Div if is(&b, 1.0) => a,
        Div if is(&a, 0.0) => Tree::Const(0.0),
        Pow if is(&b, 1.0) => a,
        Pow if is(&b, 0.0) => Tree::Const(1.0),
        _ => Tree::Binary(op, Box::new(a), Box::new(b)),
    }
}

pub(crate) fn call(func: Func, mut args: Vec<Tree>) -> Tree {
    match func {
        Func::Pow if args.len() == 2 => {
            let b = args.pop().unwrap_or(Tree::Const(f64::NAN));
            let a = args.pop().unwrap_or(Tree::Const(f64::NAN));
            binary(BinOp::Pow, a, b)
        }
        Func::Hill if args.len() == 3 => {
            let n = args.pop().unwrap_or(Tree::Const(f64::NAN));
            let k = args.pop().unwrap_or(Tree::Const(f64::NAN));
            let x = args.pop().unwrap_or(Tree::Const(f64::NAN));
            let xn = binary(BinOp::Pow, x, n.clone());
            let kn = binary(BinOp::Pow, k, n);
            binary(BinOp::Div, xn.clone(), binary(BinOp::Add, kn, xn))
        }
        _ => {
            if let [Tree::Const(x)] = args.as_slice() {
                if let Some(v) = apply1(func, *x) {
                    return Tree::Const(v);
                }
            }
            if let [Tree::Const(x), Tree::Const(y)] = args.as_slice() {
                match func {
                    Func::Min => return Tree::Const(x.min(*y)),
                    Func::Max => return Tree::Const(x.max(*y)),
                    _ => {}
                }
            }
            Tree::Call(func, args)
        }
    }
}

/// A one-argument function's value, or `None` for functions of two or more arguments.
pub(crate) fn apply1(func: Func, x: f64) -> Option<f64> {
    Some(match func {
        Func::Exp => x.exp(),
        Func::Ln => x.ln(),
        Func::Log10 => x.log10(),
        Func::Sqrt => x.sqrt(),
        Func::Abs => x.abs(),
        Func::Sign => {
            if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                0.0
            }
        }
        Func::Tanh => x.tanh(),
        Func::Min | Func::Max | Func::Pow | Func::Hill => return None,
    })
}

impl Tree {
    /// Calls `f` on every node, parents before their operands.
    pub(crate) fn visit(&self, f: &mut impl FnMut(&Tree)) {
        f(self);
        match self {
            Tree::Const(_) | Tree::State(_) | Tree::Time => {}
            Tree::Neg(a) => a.visit(f),
            Tree::Binary(_, a, b) => {
                a.visit(f);
                b.visit(f);
            }
            Tree::Call(_, args) => args.iter().for_each(|a| a.visit(f)),
        }
    }

    /// The states the tree reads, each once, sorted.
    pub(crate) fn states(&self, out: &mut Vec<usize>) {
        self.visit(&mut |t| {
            if let Tree::State(i) = t {
                if let Err(at) = out.binary_search(i) {
                    out.insert(at, *i);
                }
            }
        });
    }

    /// Whether the tree reads time.
    pub(crate) fn uses_time(&self) -> bool {
        let mut time = false;
        self.visit(&mut |t| time |= matches!(t, Tree::Time));
        time
    }

    /// `∂tree/∂y_j`, simplified.
    pub(crate) fn derivative(&self, j: usize) -> Tree {
        use BinOp::*;
        match self {
            Tree::Const(_) | Tree::Time => Tree::Const(0.0),
            Tree::State(i) => Tree::Const(if *i == j { 1.0 } else { 0.0 }),
            Tree::Neg(a) => neg(a.derivative(j)),
            Tree::Binary(op, a, b) => {
                let (da, db) = (a.derivative(j), b.derivative(j));
                let (a, b) = ((**a).clone(), (**b).clone());
                match op {
                    Add => binary(Add, da, db),
                    Sub => binary(Sub, da, db),
                    Mul => binary(Add, binary(Mul, da, b.clone()), binary(Mul, a, db)),
                    // (a/b)' = a'/b − a·b'/b²
                    Div => binary(
                        Sub,
                        binary(Div, da, b.clone()),
                        binary(Div, binary(Mul, a, db), binary(Pow, b, Tree::Const(2.0))),
                    ),
                    Pow => match b {
                        // (a^c)' = c·a^(c − 1)·a'
                        Tree::Const(c) => binary(
                            Mul,
                            binary(Mul, Tree::Const(c), binary(Pow, a, Tree::Const(c - 1.0))),
                            da,
                        ),
                        // (a^b)' = a^b·(b'·ln a + b·a'/a)
                        b => {
                            let ln_a = call(Func::Ln, vec![a.clone()]);
                            let inner = binary(
                                Add,
                                binary(Mul, db, ln_a),
                                binary(Mul, b.clone(), binary(Div, da, a.clone())),
                            );
                            binary(Mul, binary(Pow, a, b), inner)
                        }
                    },
                }
            }
            Tree::Call(func, args) => {
                let a = args.first().cloned().unwrap_or(Tree::Const(f64::NAN));
                let da = a.derivative(j);
                let chain = |outer: Tree| binary(Mul, outer, da.clone());
                match func {
                    Func::Exp => chain(self.clone()),
                    Func::Ln => binary(Div, da.clone(), a),
                    Func::Log10 => binary(
                        Div,
                        da.clone(),
                        binary(Mul, a, Tree::Const(std::f64::consts::LN_10)),
                    ),
                    Func::Sqrt => {
                        binary(Div, da.clone(), binary(Mul, Tree::Const(2.0), self.clone()))
                    }
                    Func::Abs => chain(call(Func::Sign, vec![a])),
                    Func::Sign => Tree::Const(0.0),
                    Func::Tanh => chain(binary(
                        Sub,
                        Tree::Const(1.0),
                        binary(Pow, self.clone(), Tree::Const(2.0)),
                    )),
                    // min(a, b)' = a' where a < b, b' where a > b, their mean where equal.
                    Func::Min | Func::Max => {
                        let b = args.get(1).cloned().unwrap_or(Tree::Const(f64::NAN));
                        let db = b.derivative(j);
                        let s = call(Func::Sign, vec![binary(Sub, a, b)]);
                        let s = if *func == Func::Min { neg(s) } else { s };
                        let half = |x: Tree| binary(Mul, Tree::Const(0.5), x);
                        binary(
                            Add,
                            binary(Mul, half(binary(Add, Tree::Const(1.0), s.clone())), da),
                            binary(Mul, half(binary(Sub, Tree::Const(1.0), s)), db),
                        )
                    }
                    // `call` rewrites pow and hill into operators, so they never reach here.
                    Func::Pow | Func::Hill => Tree::Const(f64::NAN),
                }
            }
        }
    }
}
