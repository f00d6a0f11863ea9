//! [`ParamMap`]: a patient's values onto a model's parameters, by path or by function.

use super::{ParamPath, Patient};
use crate::compare::PopulationError;
use crate::error::Error;
use crate::model::{Model, ModelSpec, Slot};
use std::fmt;
use std::sync::Arc;

/// A user function setting model parameters from a patient.
type SetFn = dyn Fn(&Patient, &mut ModelSpec) -> Result<(), PopulationError> + Send + Sync;

#[derive(Clone)]
enum Binding {
    Path { name: String, path: ParamPath },
    Function { label: String, apply: Arc<SetFn> },
}

/// Binds a population's values to a model's parameters: by [`ParamPath`], or by a function for
/// anything else (a covariate model such as `CL = θ·(WT/70)^0.75`, one value driving several
/// parameters).
///
/// [`apply`](Self::apply) sets every path binding, then runs the functions in the order they
/// were added; [`model_for`](Self::model_for) rebuilds the model for one patient. Nothing is
/// cached: the same patient and base model always give the same model. For many patients,
/// [`bind`](Self::bind) resolves the paths once (a [`BoundParamMap`], as a
/// [`Study`](crate::compare::Study) does) and each patient's values are then written straight into the
/// bound parameters.
#[derive(Clone, Default)]
pub struct ParamMap {
    bindings: Vec<Binding>,
}

impl fmt::Debug for ParamMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for b in &self.bindings {
            match b {
                Binding::Path { name, path } => list.entry(&format_args!("{name} -> {path}")),
                Binding::Function { label, .. } => list.entry(&format_args!("fn {label}")),
            };
        }
        list.finish()
    }
}

impl ParamMap {
    /// An empty map: the base model unchanged.
    pub fn new() -> Self {
        ParamMap::default()
    }

    /// Sets the model parameter at `path` to the patient's value `name`.
    ///
    /// # Errors
    /// [`PathError::InvalidPath`](crate::model::PathError::InvalidPath) (inside [`PopulationError::Path`]) when `path` does not parse.
    pub fn path(mut self, name: impl Into<String>, path: &str) -> Result<Self, PopulationError> {
        self.bindings.push(Binding::Path {
            name: name.into(),
            path: ParamPath::parse(path)?,
        });
        Ok(self)
    }

    /// Runs `apply` on each patient's model description, after the path bindings; `label`
    /// names it in debug output.
    ///
    /// ```
    /// use oncodyn::compare::{ParamMap, Patient};
    /// use oncodyn::prelude::*;
    /// // Clearance scaled allometrically by weight (kg): CL = 2·(WT/70)^0.75 L/day.
    /// let map = ParamMap::new().function("allometric cl", |patient: &Patient, spec: &mut ModelSpec| {
    ///     let weight = patient.get("weight")?;
    ///     for drug in &mut spec.drugs {
    ///         drug.cl = 2.0 * (weight / 70.0).powf(0.75);
    ///     }
    ///     Ok(())
    /// });
    /// # let _ = map;
    /// ```
    #[must_use]
    pub fn function<F>(mut self, label: impl Into<String>, apply: F) -> Self
    where
        F: Fn(&Patient, &mut ModelSpec) -> Result<(), PopulationError> + Send + Sync + 'static,
    {
        self.bindings.push(Binding::Function {
            label: label.into(),
            apply: Arc::new(apply),
        });
        self
    }

    /// The path bindings: `(population name, path)`.
    pub fn paths(&self) -> impl Iterator<Item = (&str, &ParamPath)> {
        self.bindings.iter().filter_map(|b| match b {
            Binding::Path { name, path } => Some((name.as_str(), path)),
            Binding::Function { .. } => None,
        })
    }

    /// The labels of the function bindings, in the order they run (they are code: a file
    /// cannot hold them).
    pub fn functions(&self) -> impl Iterator<Item = &str> {
        self.bindings.iter().filter_map(|b| match b {
            Binding::Function { label, .. } => Some(label.as_str()),
            Binding::Path { .. } => None,
        })
    }

    /// Checks, before a run, that every path binding's name is among `names` and its path
    /// leads to a real-valued parameter of `base` (functions can only be checked by running).
    ///
    /// # Errors
    /// [`PopulationError::UnknownParameter`], or a path error as [`ParamPath::bind`].
    pub fn check(&self, base: &ModelSpec, names: &[String]) -> Result<(), PopulationError> {
        for (name, path) in self.paths() {
            if !names.iter().any(|n| n == name) {
                return Err(PopulationError::UnknownParameter {
                    name: name.to_string(),
                    available: names.join(", "),
                });
            }
            path.bind(base)?;
        }
        Ok(())
    }

    /// Binds every path to `base` once ([`ParamPath::bind`]), for applying the map to many
    /// patients of models with `base`'s structure.
    ///
    /// # Errors
    /// A path error as [`ParamPath::bind`].
    pub fn bind(&self, base: &ModelSpec) -> Result<BoundParamMap, PopulationError> {
        let slots = crate::model::path::bind_all(base, self.paths().map(|(_, p)| p))?;
        let mut slots = slots.into_iter();
        let bindings = self
            .bindings
            .iter()
            .map(|b| match b {
                Binding::Path { name, .. } => BoundBinding::Slot {
                    name: name.clone(),
                    // One slot per path binding, in order.
                    slot: slots.next().expect("a slot per path"),
                },
                Binding::Function { apply, .. } => BoundBinding::Function(Arc::clone(apply)),
            })
            .collect();
        Ok(BoundParamMap { bindings })
    }

    /// Sets `patient`'s values into `spec`: every path binding, then the functions in order.
    ///
    /// # Errors
    /// [`PopulationError::UnknownParameter`] for a name the patient lacks; path errors as
    /// [`ParamPath::set`]; whatever a function returns.
    pub fn apply(&self, spec: &mut ModelSpec, patient: &Patient) -> Result<(), PopulationError> {
        self.bind(spec)?.apply(spec, patient)
    }

    /// `base` rebuilt with `patient`'s values ([`Model::modified`]): the same states, handles
    /// and user terms, so the base model's handles read the patient's trajectory. For many
    /// patients, [`bind`](Self::bind) once and use [`BoundParamMap::model_for`].
    ///
    /// # Errors
    /// [`Error::Population`] as [`apply`](Self::apply); [`Error::Build`] when a value is out of
    /// its parameter's range (naming the component and parameter) or changes the states.
    pub fn model_for(&self, base: &Model, patient: &Patient) -> Result<Model, Error> {
        self.bind(base.spec())?.model_for(base, patient)
    }
}

#[derive(Clone)]
enum BoundBinding {
    Slot { name: String, slot: Slot },
    Function(Arc<SetFn>),
}

/// A [`ParamMap`] with its paths bound to a model ([`ParamMap::bind`]): applying it to a
/// patient writes the patient's values straight into the bound parameters, then runs the
/// functions in the order they were added.
#[derive(Clone)]
pub struct BoundParamMap {
    bindings: Vec<BoundBinding>,
}

impl fmt::Debug for BoundParamMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for b in &self.bindings {
            match b {
                BoundBinding::Slot { name, slot } => {
                    list.entry(&format_args!("{name} -> slot {}", slot.index()))
                }
                BoundBinding::Function(_) => list.entry(&format_args!("fn")),
            };
        }
        list.finish()
    }
}

impl BoundParamMap {
    /// The patient's values for the path bindings, with their slots.
    fn values(&self, patient: &Patient) -> Result<Vec<(Slot, f64)>, PopulationError> {
        self.bindings
            .iter()
            .filter_map(|b| match b {
                BoundBinding::Slot { name, slot } => Some(patient.get(name).map(|v| (*slot, v))),
                BoundBinding::Function(_) => None,
            })
            .collect()
    }

    fn has_functions(&self) -> bool {
        self.bindings
            .iter()
            .any(|b| matches!(b, BoundBinding::Function(_)))
    }

    fn run_functions(
        &self,
        spec: &mut ModelSpec,
        patient: &Patient,
    ) -> Result<(), PopulationError> {
        for b in &self.bindings {
            if let BoundBinding::Function(apply) = b {
                apply(patient, spec)?;
            }
        }
        Ok(())
    }

    /// Sets `patient`'s values into `spec` (of the structure the map was bound to): every
    /// path binding, then the functions in order.
    ///
    /// # Errors
    /// [`PopulationError::UnknownParameter`] for a name the patient lacks;
    /// [`PopulationError::ForeignModel`] for a `spec` of another structure; whatever a
    /// function returns.
    pub fn apply(&self, spec: &mut ModelSpec, patient: &Patient) -> Result<(), PopulationError> {
        spec.set_all(&self.values(patient)?)
            .map_err(|_| PopulationError::ForeignModel)?;
        self.run_functions(spec, patient)
    }

    /// `base` (of the structure the map was bound to) rebuilt with `patient`'s values; see
    /// [`ParamMap::model_for`].
    ///
    /// # Errors
    /// As [`ParamMap::model_for`]; [`BuildError::ForeignSlot`](crate::BuildError::ForeignSlot)
    /// for a `base` of another structure.
    pub fn model_for(&self, base: &Model, patient: &Patient) -> Result<Model, Error> {
        let values = self.values(patient)?;
        if !self.has_functions() {
            return Ok(base.with(&values)?);
        }
        let mut spec = base.spec().clone();
        spec.set_all(&values)?;
        self.run_functions(&mut spec, patient)?;
        Ok(base.rebuilt(spec)?)
    }
}
