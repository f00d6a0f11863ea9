//! A compiled expression: postfix code over a fixed-size stack, evaluated with no allocation.

use super::parse::BinOp;
use super::tree::{apply1, Tree};
use super::Func;

/// The deepest evaluation stack a program may use; deeper expressions are an
/// [`ExprError::TooDeep`](super::ExprError::TooDeep) when compiled.
pub const STACK: usize = 32;

/// One instruction.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Const(f64),
    State(usize),
    Time,
    Neg,
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    /// `x^n` for a small integer constant `n`, by repeated multiplication.
    PowI(i32),
    Call1(Func),
    Min,
    Max,
    /// `top = top ∘ operand` and `top = operand ∘ top` for a state or constant operand: the
    /// common shapes `a*x`, `x/(g + x)`, `1 - x` in one instruction instead of two.
    WithState(BinOp, usize),
    WithConst(BinOp, f64),
    StateWith(BinOp, usize),
    ConstWith(BinOp, f64),
    /// Push `a ∘ b` for two leaves: `k*x`, `g + T`, `E/T`.
    ConstState(BinOp, f64, usize),
    StateConst(BinOp, usize, f64),
    StateState(BinOp, usize, usize),
}

/// `a ∘ b`.
#[inline(always)]
fn apply2(op: BinOp, a: f64, b: f64) -> f64 {
    match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        BinOp::Pow => a.powf(b),
    }
}

/// A compiled expression; see the [module docs](super). Cheap to clone, `Send + Sync`.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    code: Box<[Op]>,
    tree: Tree,
    states: Box<[usize]>,
    uses_time: bool,
}

impl Program {
    /// Compiles `tree`; the error is the stack limit when it nests deeper.
    pub(crate) fn compile(tree: Tree) -> Result<Program, usize> {
        let mut code = Vec::new();
        let depth = emit(&tree, &mut code);
        if depth > STACK {
            return Err(STACK);
        }
        let mut states = Vec::new();
        tree.states(&mut states);
        Ok(Program {
            code: code.into(),
            uses_time: tree.uses_time(),
            states: states.into(),
            tree,
        })
    }

    /// The value at time `t` (days) and state `y` (which must hold every state in
    /// [`states`](Self::states); a missing one reads as NaN).
    #[inline]
    pub fn eval(&self, t: f64, y: &[f64]) -> f64 {
        let mut stack = [0.0f64; STACK];
        let mut top = 0usize;
        for op in self.code.iter() {
            match *op {
                Op::Const(v) => {
                    stack[top] = v;
                    top += 1;
                }
                Op::State(i) => {
                    // A state past the end of `y` reads NaN, which the solver reports.
                    stack[top] = y.get(i).copied().unwrap_or(f64::NAN);
                    top += 1;
                }
                Op::Time => {
                    stack[top] = t;
                    top += 1;
                }
                Op::Neg => stack[top - 1] = -stack[top - 1],
                Op::PowI(n) => stack[top - 1] = stack[top - 1].powi(n),
                Op::Call1(f) => stack[top - 1] = apply1(f, stack[top - 1]).unwrap_or(f64::NAN),
                Op::WithState(op, i) => {
                    let v = y.get(i).copied().unwrap_or(f64::NAN);
                    stack[top - 1] = apply2(op, stack[top - 1], v);
                }
                Op::WithConst(op, c) => stack[top - 1] = apply2(op, stack[top - 1], c),
                Op::StateWith(op, i) => {
                    let v = y.get(i).copied().unwrap_or(f64::NAN);
                    stack[top - 1] = apply2(op, v, stack[top - 1]);
                }
                Op::ConstWith(op, c) => stack[top - 1] = apply2(op, c, stack[top - 1]),
                Op::ConstState(op, c, i) => {
                    stack[top] = apply2(op, c, y.get(i).copied().unwrap_or(f64::NAN));
                    top += 1;
                }
                Op::StateConst(op, i, c) => {
                    stack[top] = apply2(op, y.get(i).copied().unwrap_or(f64::NAN), c);
                    top += 1;
                }
                Op::StateState(op, i, j) => {
                    let (a, b) = (y.get(i), y.get(j));
                    let (a, b) = (
                        a.copied().unwrap_or(f64::NAN),
                        b.copied().unwrap_or(f64::NAN),
                    );
                    stack[top] = apply2(op, a, b);
                    top += 1;
                }
                binary => {
                    top -= 1;
                    let (a, b) = (stack[top - 1], stack[top]);
                    stack[top - 1] = match binary {
                        Op::Add => a + b,
                        Op::Sub => a - b,
                        Op::Mul => a * b,
                        Op::Div => a / b,
                        Op::Pow => a.powf(b),
                        Op::Min => a.min(b),
                        Op::Max => a.max(b),
                        _ => f64::NAN,
                    };
                }
            }
        }
        stack[0]
    }

    /// `∂/∂y_j` of this program, simplified and compiled.
    pub fn derivative(&self, j: usize) -> Program {
        let tree = self.tree.derivative(j);
        // A derivative nests at most a few levels deeper than its expression; if that passes
        // the stack, fall back to evaluating NaN, which the solver reports.
        Program::compile(tree).unwrap_or_else(|_| Program {
            code: Box::new([Op::Const(f64::NAN)]),
            tree: Tree::Const(f64::NAN),
            states: Box::new([]),
            uses_time: false,
        })
    }

    /// The states it reads, sorted, each once: the columns of its Jacobian row.
    pub fn states(&self) -> &[usize] {
        &self.states
    }

    /// Whether it reads time.
    pub fn uses_time(&self) -> bool {
        self.uses_time
    }

    /// Whether it is a constant (reads neither states nor time).
    pub fn is_constant(&self) -> bool {
        matches!(self.tree, Tree::Const(_))
    }

    /// The program as infix text, states named by `name`.
    pub fn to_text(&self, name: &impl Fn(usize) -> String) -> String {
        super::display::tree(&self.tree, name)
    }
}

/// A leaf an instruction can take as its operand: a state or a constant.
#[derive(Clone, Copy)]
enum Leaf {
    State(usize),
    Const(f64),
}

fn leaf(tree: &Tree) -> Option<Leaf> {
    match tree {
        Tree::State(i) => Some(Leaf::State(*i)),
        Tree::Const(c) => Some(Leaf::Const(*c)),
        _ => None,
    }
}

/// Appends `tree`'s code; returns the stack depth it needs.
fn emit(tree: &Tree, code: &mut Vec<Op>) -> usize {
    match tree {
        Tree::Const(v) => {
            code.push(Op::Const(*v));
            1
        }
        Tree::State(i) => {
            code.push(Op::State(*i));
            1
        }
        Tree::Time => {
            code.push(Op::Time);
            1
        }
        Tree::Neg(a) => {
            let d = emit(a, code);
            code.push(Op::Neg);
            d
        }
        Tree::Binary(BinOp::Pow, a, b) => match **b {
            Tree::Const(n) if n.fract() == 0.0 && n.abs() <= 8.0 => {
                let d = emit(a, code);
                code.push(Op::PowI(n as i32));
                d
            }
            _ => {
                let (da, db) = (emit(a, code), emit(b, code));
                code.push(Op::Pow);
                da.max(db + 1)
            }
        },
        Tree::Binary(op, a, b) => match (leaf(a), leaf(b)) {
            (Some(x), Some(y)) => {
                code.push(match (x, y) {
                    (Leaf::Const(c), Leaf::State(i)) => Op::ConstState(*op, c, i),
                    (Leaf::State(i), Leaf::Const(c)) => Op::StateConst(*op, i, c),
                    (Leaf::State(i), Leaf::State(j)) => Op::StateState(*op, i, j),
                    (Leaf::Const(c), Leaf::Const(d)) => Op::Const(apply2(*op, c, d)),
                });
                1
            }
            (None, Some(y)) => {
                let depth = emit(a, code);
                code.push(match y {
                    Leaf::State(i) => Op::WithState(*op, i),
                    Leaf::Const(c) => Op::WithConst(*op, c),
                });
                depth
            }
            (Some(x), None) => {
                let depth = emit(b, code);
                code.push(match x {
                    Leaf::State(i) => Op::StateWith(*op, i),
                    Leaf::Const(c) => Op::ConstWith(*op, c),
                });
                depth
            }
            (None, None) => {
                let (da, db) = (emit(a, code), emit(b, code));
                code.push(match op {
                    BinOp::Add => Op::Add,
                    BinOp::Sub => Op::Sub,
                    BinOp::Mul => Op::Mul,
                    BinOp::Div => Op::Div,
                    BinOp::Pow => Op::Pow,
                });
                da.max(db + 1)
            }
        },
        Tree::Call(func, args) => {
            let mut depth = 0;
            for (k, a) in args.iter().enumerate() {
                depth = depth.max(emit(a, code) + k);
            }
            code.push(match func {
                Func::Min => Op::Min,
                Func::Max => Op::Max,
                f => Op::Call1(*f),
            });
            depth
        }
    }
}
