//! A compiled expression: postfix code over a fixed-size stack, evaluated with no allocation.

use super::parse::BinOp;
use super::tree::{apply1, Tree};
use super::Func;

/// The deepest evaluation stack a program may use; deeper expressions are an
/// [`ExprError::TooDeep`](super::ExprError::TooDeep) when compiled.
pub const STACK: usize = 32;

/// Registers for repeated subexpressions: a subexpression that occurs more than once (de
/// Pillis' `(cd8/tumor)^l` four times in one rate) is computed once, kept in a register, and
/// read back at its later occurrences. Past this many, repeats are computed again.
const REGISTERS: usize = 8;

/// Expressions of more nodes than this are compiled without looking for repeats (the search
/// compares subtrees by their text).
const MAX_NODES_FOR_REPEATS: usize = 2000;

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
    /// Copy the top into register `r` (the first occurrence of a repeated subexpression).
    Keep(usize),
    /// Push register `r` (a later occurrence).
    Load(usize),
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
        let mut repeats = Repeats::of(&tree);
        let depth = emit(&tree, &mut code, &mut repeats);
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
        let mut registers = [0.0f64; REGISTERS];
        let mut top = 0usize;
        for op in self.code.iter() {
            match *op {
                Op::Keep(r) => registers[r] = stack[top - 1],
                Op::Load(r) => {
                    stack[top] = registers[r];
                    top += 1;
                }
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

/// The repeated subexpressions of a tree, by text, and the register each is kept in once
/// emitted.
struct Repeats {
    /// Text of each repeated subtree → its register, `None` until its first occurrence is
    /// emitted.
    kept: std::collections::HashMap<String, Option<usize>>,
    used: usize,
}

impl Repeats {
    /// The subtrees (other than leaves) of `tree` that occur more than once.
    fn of(tree: &Tree) -> Repeats {
        let mut count = std::collections::HashMap::new();
        let mut nodes = 0;
        tree.visit(&mut |t| {
            nodes += 1;
            if leaf(t).is_none() && !matches!(t, Tree::Time) {
                *count.entry(format!("{t:?}")).or_insert(0usize) += 1;
            }
        });
        let kept = if nodes > MAX_NODES_FOR_REPEATS {
            Default::default()
        } else {
            count
                .into_iter()
                .filter(|(_, n)| *n > 1)
                .map(|(text, _)| (text, None))
                .collect()
        };
        Repeats { kept, used: 0 }
    }
}

/// Appends `tree`'s code, reading a repeated subexpression from its register after its first
/// occurrence; returns the stack depth it needs.
fn emit(tree: &Tree, code: &mut Vec<Op>, repeats: &mut Repeats) -> usize {
    if repeats.kept.is_empty() || leaf(tree).is_some() {
        return emit_node(tree, code, repeats);
    }
    let text = format!("{tree:?}");
    match repeats.kept.get(&text) {
        Some(Some(r)) => {
            code.push(Op::Load(*r));
            1
        }
        Some(None) if repeats.used < REGISTERS => {
            let r = repeats.used;
            repeats.used += 1;
            let depth = emit_node(tree, code, repeats);
            code.push(Op::Keep(r));
            repeats.kept.insert(text, Some(r));
            depth
        }
        _ => emit_node(tree, code, repeats),
    }
}

/// Appends the code of `tree`'s own node after its operands'.
fn emit_node(tree: &Tree, code: &mut Vec<Op>, repeats: &mut Repeats) -> usize {
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
            let d = emit(a, code, repeats);
            code.push(Op::Neg);
            d
        }
        Tree::Binary(BinOp::Pow, a, b) => match **b {
            Tree::Const(n) if n.fract() == 0.0 && n.abs() <= 8.0 => {
                let d = emit(a, code, repeats);
                code.push(Op::PowI(n as i32));
                d
            }
            _ => {
                let (da, db) = (emit(a, code, repeats), emit(b, code, repeats));
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
                let depth = emit(a, code, repeats);
                code.push(match y {
                    Leaf::State(i) => Op::WithState(*op, i),
                    Leaf::Const(c) => Op::WithConst(*op, c),
                });
                depth
            }
            (Some(x), None) => {
                let depth = emit(b, code, repeats);
                code.push(match x {
                    Leaf::State(i) => Op::StateWith(*op, i),
                    Leaf::Const(c) => Op::ConstWith(*op, c),
                });
                depth
            }
            (None, None) => {
                let (da, db) = (emit(a, code, repeats), emit(b, code, repeats));
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
                depth = depth.max(emit(a, code, repeats) + k);
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

#[cfg(test)]
mod tests {
    use super::{Op, Program};
    use crate::model::expr::{Expression, Operand};

    fn compile(source: &str) -> Program {
        let resolve = |name: &str| match name {
            "x" => Some(Operand::State(0)),
            "y" => Some(Operand::State(1)),
            _ => None,
        };
        Expression::parse(source)
            .and_then(|e| e.compile(resolve))
            .expect("compiles")
    }

    fn count(p: &Program, what: fn(&Op) -> bool) -> usize {
        p.code.iter().filter(|op| what(op)).count()
    }

    #[test]
    fn a_repeated_subexpression_is_computed_once() {
        // De Pillis' ratio-dependent kill: (x/y)^l twice; the D·T of the recruitment twice.
        let p = compile("2.34 * (x/y)^2.09 / (0.0839 + (x/y)^2.09) * y");
        assert_eq!(count(&p, |op| matches!(op, Op::Pow)), 1);
        assert_eq!(count(&p, |op| matches!(op, Op::Load(_))), 1);
        let (x, y) = (1.5f64, 2.0f64);
        let r = (x / y).powf(2.09);
        let exact = 2.34 * r / (0.0839 + r) * y;
        assert!((p.eval(0.0, &[x, y]) - exact).abs() <= 1e-15 * exact);
        let d = "2.34 * (x/y)^2.09 / (0.0839 + (x/y)^2.09)";
        let p = compile(&format!("0.025 * ({d} * y)^2 / (3.66e7 + ({d} * y)^2) * x"));
        assert_eq!(count(&p, |op| matches!(op, Op::Pow)), 1);
        let dt = 2.34 * r / (0.0839 + r) * y;
        let exact = 0.025 * dt * dt / (3.66e7 + dt * dt) * x;
        assert!((p.eval(0.0, &[x, y]) - exact).abs() <= 1e-14 * exact);
    }

    #[test]
    fn without_repeats_no_register_is_used() {
        let p = compile("x / (2 + x) * y^2.5");
        assert_eq!(count(&p, |op| matches!(op, Op::Keep(_) | Op::Load(_))), 0);
    }
}
