//! Why a model could not be built.

use crate::model::ComponentKind;
use thiserror::Error;

/// A model could not be built: the first problem found, or all of them.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The model has no state at all.
    #[error("the model is empty: add at least one tumor, immune population or drug")]
    EmptyModel,
    /// Two components (or generated state names) share a name.
    #[error("duplicate name `{name}`")]
    DuplicateName {
        /// The repeated name.
        name: String,
    },
    /// A component has an empty name.
    #[error("a {kind} has an empty name")]
    EmptyName {
        /// The kind of component.
        kind: ComponentKind,
    },
    /// A parameter is negative, zero or non-finite where that is not allowed.
    #[error("{component}: parameter `{param}` = {value} {reason}")]
    InvalidParameter {
        /// Name of the component (an interaction is named `by -> of`).
        component: String,
        /// The parameter's field name.
        param: &'static str,
        /// The offending value.
        value: f64,
        /// What the value must satisfy.
        reason: &'static str,
    },
    /// A name refers to no component of the expected kind.
    #[error("unknown {kind} `{name}` (available: {available})")]
    UnknownName {
        /// The name given.
        name: String,
        /// The kind of component expected.
        kind: ComponentKind,
        /// The names of that kind that exist, comma-separated.
        available: String,
    },
    /// A handle issued by another builder (a dangling handle).
    #[error("{component}: a {kind} handle from another ModelBuilder")]
    ForeignHandle {
        /// The component being added when the handle was passed.
        component: String,
        /// The kind of the handle.
        kind: ComponentKind,
    },
    /// A structural parameter is out of range (e.g. a transit chain of zero compartments).
    #[error("{component}: `{param}` {reason}")]
    InvalidStructure {
        /// Name of the component.
        component: String,
        /// The field name.
        param: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A process, modifier or input names a state that does not exist.
    #[error("{component}: unknown state `{name}` (available: {available})")]
    UnknownState {
        /// The process or modifier.
        component: String,
        /// The name given.
        name: String,
        /// The model's states.
        available: String,
    },
    /// An expression names something the model does not have, or nests too deeply.
    #[error("{component}: {source}")]
    Expression {
        /// The process, modifier or observable the expression belongs to.
        component: String,
        /// What is wrong with it, with its position.
        #[source]
        source: crate::model::expr::ExprError,
    },
    /// A modifier names a rate the model does not have.
    #[error("modifier on {rate}: {reason}")]
    UnknownRate {
        /// The rate, as written.
        rate: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// [`Model::modified`](crate::model::Model::modified) changed the states (added, removed or
    /// renamed one), so handles and trajectories would no longer match.
    #[error("the change adds, removes or renames states")]
    LayoutChanged,
    /// A parameter [`Slot`](crate::model::Slot) was bound to a model of another structure
    /// (other components, laws or list elements): bind the path to this model.
    #[error("parameter slot {index} was bound to a model of another structure")]
    ForeignSlot {
        /// The slot's position in the model it was bound to.
        index: usize,
    },
    /// Several problems, all found in one pass.
    #[error("{} problems: {}", .0.len(), join(.0))]
    Several(Vec<BuildError>),
}

fn join(errors: &[BuildError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl BuildError {
    /// Every individual problem (one for a single error, all of them for [`Several`](Self::Several)).
    pub fn problems(&self) -> Vec<&BuildError> {
        match self {
            BuildError::Several(v) => v.iter().collect(),
            e => vec![e],
        }
    }
}
