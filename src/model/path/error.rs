//! Why a parameter path could not be parsed or resolved on a model description.

use thiserror::Error;

/// A parameter path (`tumors[tumor].growth.rate`) does not parse, or does not name a
/// real-valued parameter of the model description; every variant names what exists.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum PathError {
    /// A parameter path (`tumors[tumor].growth.rate`) is not well formed.
    #[error("parameter path `{path}`, at character {position}: {reason}")]
    InvalidPath {
        /// The path as written.
        path: String,
        /// Character offset (0-based) of the problem.
        position: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A parameter path names a field the model description lacks.
    #[error("parameter path `{path}`: `{at}` has no field `{field}` (available: {available})")]
    UnknownField {
        /// The path as written.
        path: String,
        /// The part of the path resolved so far.
        at: String,
        /// The field asked for.
        field: String,
        /// The fields there are, comma-separated.
        available: String,
    },
    /// A parameter path selects no element of a list (`tumors[name]`, `kills[ctl->tumor]`,
    /// `effects[0]`), or more than one.
    #[error("parameter path `{path}`: `{at}` has {matches} elements `[{selector}]` (available: {available})")]
    UnknownElement {
        /// The path as written.
        path: String,
        /// The part of the path resolved so far (the list).
        at: String,
        /// The selector as written.
        selector: String,
        /// How many elements matched (0, or more than 1).
        matches: usize,
        /// The elements there are, as `index (label)`, comma-separated.
        available: String,
    },
    /// A parameter path ends on something that is not a real-valued parameter.
    #[error("parameter path `{path}` ends on {found}, not a real number{}", fields_note(.available))]
    NotReal {
        /// The path as written.
        path: String,
        /// What it ends on: `an integer`, `a table`, `text`, …
        found: &'static str,
        /// For a table, its fields, comma-separated; else empty.
        available: String,
    },
    /// A short parameter name (`cl`, `rate`) that is the last field of no parameter path.
    #[error("no parameter of the model is called `{name}` (available: {})", .available.join(", "))]
    UnknownParameter {
        /// The name given.
        name: String,
        /// Every parameter path of the model, canonical.
        available: Vec<String>,
    },
    /// A short parameter name that is the last field of several parameter paths.
    #[error("parameter name `{name}` is ambiguous: give one of {}", .candidates.join(", "))]
    AmbiguousParameter {
        /// The name given.
        name: String,
        /// The paths it could mean, canonical.
        candidates: Vec<String>,
    },
}

/// ` (fields: a, b)` after a [`PathError::NotReal`] that ends on a table, else nothing.
fn fields_note(available: &str) -> String {
    if available.is_empty() {
        String::new()
    } else {
        format!(" (fields: {available})")
    }
}
