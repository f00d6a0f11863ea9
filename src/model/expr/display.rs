//! Expressions back to text: the parsed form (names as written) and the resolved form (states
//! by name, parameters as values), with only the parentheses precedence needs.

use super::parse::{Ast, BinOp};
use super::tree::Tree;
use crate::model::equations::number;

/// Every name in `ast`, in order of first use, each once.
pub(crate) fn names<'a>(ast: &'a Ast, out: &mut Vec<&'a str>) {
    match ast {
        Ast::Number(_) => {}
        Ast::Name(n, _) => {
            if !out.contains(&n.as_str()) {
                out.push(n);
            }
        }
        Ast::Neg(a) => names(a, out),
        Ast::Binary(_, a, b) => {
            names(a, out);
            names(b, out);
        }
        Ast::Call(_, args) => args.iter().for_each(|a| names(a, out)),
    }
}

/// Binding strength: sums 1, products 2, unary minus 3, powers 4, atoms 5.
fn strength(op: BinOp) -> u8 {
    match op {
        BinOp::Add | BinOp::Sub => 1,
        BinOp::Mul | BinOp::Div => 2,
        BinOp::Pow => 4,
    }
}

/// How operators are written: as typed (`*`, `-`, parseable again) or as the equations of
/// [`Model::equations`](crate::model::Model::equations) write them (`·`, `−`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Source,
    Equations,
}

fn symbol(op: BinOp, style: Style) -> &'static str {
    match (op, style) {
        (BinOp::Add, _) => " + ",
        (BinOp::Sub, Style::Source) => " - ",
        (BinOp::Sub, Style::Equations) => " − ",
        (BinOp::Mul, Style::Source) => "*",
        (BinOp::Mul, Style::Equations) => "·",
        (BinOp::Div, _) => "/",
        (BinOp::Pow, _) => "^",
    }
}

/// A node's text and its binding strength, for either tree.
struct Piece {
    text: String,
    strength: u8,
}

fn wrap(p: Piece, needed: u8) -> String {
    if p.strength < needed {
        format!("({})", p.text)
    } else {
        p.text
    }
}

fn binary(op: BinOp, a: Piece, b: Piece, style: Style) -> Piece {
    let s = strength(op);
    // Left-associative + - * /: the right operand needs one more; ^ is right-associative.
    let (left, right) = if op == BinOp::Pow {
        (s + 1, s - 1)
    } else {
        (s, s + 1)
    };
    Piece {
        text: format!("{}{}{}", wrap(a, left), symbol(op, style), wrap(b, right)),
        strength: s,
    }
}

fn negate(a: Piece, style: Style) -> Piece {
    let minus = if style == Style::Source { "-" } else { "−" };
    Piece {
        text: format!("{minus}{}", wrap(a, 3)),
        strength: 3,
    }
}

fn call(name: &str, args: Vec<Piece>) -> Piece {
    let args: Vec<String> = args.into_iter().map(|a| a.text).collect();
    Piece {
        text: format!("{name}({})", args.join(", ")),
        strength: 5,
    }
}

fn atom(text: String) -> Piece {
    // A negative number reads as a unary minus.
    let strength = if text.starts_with('-') { 3 } else { 5 };
    Piece { text, strength }
}

fn ast_piece(ast: &Ast, name: &impl Fn(&str) -> String) -> Piece {
    match ast {
        Ast::Number(v) => atom(format!("{v}")),
        Ast::Name(n, _) => atom(name(n)),
        Ast::Neg(a) => negate(ast_piece(a, name), Style::Source),
        Ast::Binary(op, a, b) => binary(*op, ast_piece(a, name), ast_piece(b, name), Style::Source),
        Ast::Call(f, args) => call(f.name(), args.iter().map(|a| ast_piece(a, name)).collect()),
    }
}

/// The parsed expression as text, each name mapped by `name`.
pub(crate) fn infix(ast: &Ast, name: &impl Fn(&str) -> String) -> String {
    ast_piece(ast, name).text
}

fn tree_piece(tree: &Tree, name: &impl Fn(usize) -> String) -> Piece {
    match tree {
        Tree::Const(v) => atom(number(*v)),
        Tree::State(i) => atom(name(*i)),
        Tree::Time => atom("t".to_string()),
        Tree::Neg(a) => negate(tree_piece(a, name), Style::Equations),
        Tree::Binary(op, a, b) => binary(
            *op,
            tree_piece(a, name),
            tree_piece(b, name),
            Style::Equations,
        ),
        Tree::Call(f, args) => call(f.name(), args.iter().map(|a| tree_piece(a, name)).collect()),
    }
}

/// The resolved expression as text, states named by `name`, parameters as their values.
pub(crate) fn tree(tree: &Tree, name: &impl Fn(usize) -> String) -> String {
    tree_piece(tree, name).text
}
