//! The analytic Jacobian `∂f/∂y` of a model's right-hand side, and its sparsity.
//!
//! Use this module through [`Model::jacobian_into`](super::Model::jacobian_into) and
//! [`Model::sparsity`](super::Model::sparsity): every built-in term gives its partial
//! derivatives (growth, kill and recruitment laws, PK, binding, transitions and every modifier by
//! the product rule), so stiff methods and sensitivities need no finite differences. User
//! [`Custom`](super::Custom) terms are code, and are differentiated by central differences.

use super::Term;

/// Where the Jacobian of a model may be non-zero: `(row, column)` pairs, sorted and unique,
/// known when the model is built. A user term makes its whole matrix dense.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sparsity {
    n: usize,
    entries: Vec<(usize, usize)>,
}

impl Sparsity {
    /// The pattern of `terms` over `n` states, dense when `dense` (user terms present).
    pub(crate) fn of(terms: &[Term], n: usize, dense: bool) -> Sparsity {
        let mut entries = Vec::new();
        if dense {
            entries.extend((0..n).flat_map(|i| (0..n).map(move |j| (i, j))));
        } else {
            for term in terms {
                term.pattern(&mut |i, j| entries.push((i, j)));
            }
            entries.sort_unstable();
            entries.dedup();
        }
        Sparsity { n, entries }
    }

    /// Number of states (the matrix is `n × n`).
    pub fn n(&self) -> usize {
        self.n
    }

    /// The `(row, column)` pairs that may be non-zero, sorted by row then column.
    pub fn entries(&self) -> &[(usize, usize)] {
        &self.entries
    }

    /// Whether entry `(row, column)` may be non-zero.
    pub fn contains(&self, row: usize, column: usize) -> bool {
        self.entries.binary_search(&(row, column)).is_ok()
    }
}
