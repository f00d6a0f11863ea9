//! One Levenberg–Marquardt search, in named steps: the checks and first evaluation, the
//! gradient test, the damped normal equations, a step tried and accepted or rejected, and
//! the damping's update (see the [module docs](super)).

use super::{Counted, LmOptions, LmOutcome, Termination, MAX_DAMPING};
use crate::fit::error::FitError;
use nalgebra::{DMatrix, DVector};
use std::fmt::Display;

/// Checks that `scales` has one finite, positive entry per parameter of `x0`.
pub(super) fn check_scales(x0: &[f64], scales: &[f64]) -> Result<(), FitError> {
    if scales.len() != x0.len() {
        return Err(FitError::InvalidOption {
            option: "scales",
            value: scales.len() as f64,
            reason: "must have one entry per parameter",
        });
    }
    if let Some(&bad) = scales.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
        return Err(FitError::InvalidOption {
            option: "scales",
            value: bad,
            reason: "must be finite and positive",
        });
    }
    Ok(())
}

/// The residuals at `x0`, which must evaluate and be finite (there is nothing to improve
/// otherwise), and the counter around `residuals` that the search goes on with.
pub(super) fn first_evaluation<F, E>(
    mut residuals: F,
    x0: &[f64],
) -> Result<(Counted<F>, DVector<f64>), E>
where
    F: FnMut(&[f64]) -> Result<Vec<f64>, E>,
    E: From<FitError>,
{
    let first = residuals(x0)?;
    if let Some((index, &value)) = first.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(FitError::NonFiniteResidual { index, value }.into());
    }
    let counted = Counted {
        f: residuals,
        m: first.len(),
        evaluations: 1,
        failed: 0,
        first_failure: None,
    };
    Ok((counted, DVector::from_vec(first)))
}

/// The gradient test's statistic: the largest cosine `|J_jᵀr| / (‖J_j‖·‖r‖)` between the
/// residuals `r` (norm `r_norm > 0`) and a nonzero column of `jac`, `g = Jᵀr` (unit-free,
/// in [0, 1]).
pub(super) fn gradient_cosine(jac: &DMatrix<f64>, g: &DVector<f64>, r_norm: f64) -> f64 {
    jac.column_iter()
        .zip(g.iter())
        .filter(|(c, _)| c.norm() > 0.0)
        .map(|(c, gj)| gj.abs() / (c.norm() * r_norm))
        .fold(0.0, f64::max)
}

/// `JᵀJ + μ·D`: Marquardt's scaling `D = diag(scale)` with a floor `ε·max(scale)`, so a
/// parameter without effect still gets damped (1 when every scale is 0).
pub(super) fn damped_normal_matrix(
    jac: &DMatrix<f64>,
    scale: &DVector<f64>,
    mu: f64,
) -> DMatrix<f64> {
    let floor = scale.max() * f64::EPSILON;
    let mut a = jac.tr_mul(jac);
    for j in 0..scale.len() {
        let d = if scale[j] > floor { scale[j] } else { floor };
        a[(j, j)] += mu * if d > 0.0 { d } else { 1.0 };
    }
    a
}

/// Nielsen's factor on `μ` after an accepted step with gain ratio `rho`:
/// `max(1/3, 1 − (2ρ − 1)³)` (unit-free).
pub(super) fn relaxation(rho: f64) -> f64 {
    (1.0 - (2.0 * rho - 1.0).powi(3)).max(1.0 / 3.0)
}

/// The state of one search: the current point, its residuals and Jacobian, the damping and
/// the counts.
pub(super) struct Search<'a, F> {
    counted: Counted<F>,
    options: &'a LmOptions,
    scales: &'a [f64],
    x: DVector<f64>,
    r: DVector<f64>,
    /// `‖r‖²`.
    s: f64,
    jac: DMatrix<f64>,
    /// Marquardt's `diag(JᵀJ)`, the largest over the iterations so far.
    scale: DVector<f64>,
    mu: f64,
    nu: f64,
    iterations: usize,
    rejected: usize,
}

impl<'a, F> Search<'a, F> {
    /// A search at `x0` with residuals `r`, before its first Jacobian (zero until then).
    pub(super) fn new(
        counted: Counted<F>,
        x0: &[f64],
        r: DVector<f64>,
        scales: &'a [f64],
        options: &'a LmOptions,
    ) -> Self {
        let n = x0.len();
        Search {
            counted,
            options,
            scales,
            x: DVector::from_column_slice(x0),
            s: r.norm_squared(),
            jac: DMatrix::zeros(r.len(), n),
            r,
            scale: DVector::zeros(n),
            mu: options.initial_damping,
            nu: 2.0,
            iterations: 0,
            rejected: 0,
        }
    }

    /// The Jacobian at the current point, or the index of the parameter neither side of
    /// whose difference evaluates.
    fn jacobian<E>(&mut self) -> Result<DMatrix<f64>, usize>
    where
        F: FnMut(&[f64]) -> Result<Vec<f64>, E>,
        E: Display,
    {
        let step = self.options.relative_step;
        self.counted
            .jacobian(self.x.as_slice(), &self.r, step, self.scales)
    }

    /// The Jacobian at the start, and Marquardt's scaling from it.
    pub(super) fn first_jacobian<E>(&mut self) -> Result<(), Termination>
    where
        F: FnMut(&[f64]) -> Result<Vec<f64>, E>,
        E: Display,
    {
        self.jac = self
            .jacobian()
            .map_err(|parameter| Termination::JacobianFailed { parameter })?;
        let n = self.x.len();
        self.scale = DVector::from_iterator(n, self.jac.column_iter().map(|c| c.norm_squared()));
        Ok(())
    }

    /// Iterates until a test stops the search (see the [module docs](super)).
    pub(super) fn run<E>(&mut self) -> Termination
    where
        F: FnMut(&[f64]) -> Result<Vec<f64>, E>,
        E: Display,
    {
        loop {
            let g = self.jac.tr_mul(&self.r);
            if let Some(termination) = self.stop_before_step(&g) {
                return termination;
            }
            let a = damped_normal_matrix(&self.jac, &self.scale, self.mu);
            let Some(chol) = a.cholesky() else {
                self.increase_damping();
                continue;
            };
            let h = chol.solve(&(-&g));
            let tolerance = self.options.step_tolerance;
            if h.norm() <= tolerance * (self.x.norm() + tolerance) {
                return Termination::ConvergedStep;
            }
            self.iterations += 1;
            if let Some(termination) = self.try_step(&h) {
                return termination;
            }
        }
    }

    /// The tests checked before each step: gradient, budgets, unbounded damping.
    fn stop_before_step(&self, g: &DVector<f64>) -> Option<Termination> {
        let r_norm = self.r.norm();
        if r_norm == 0.0 || gradient_cosine(&self.jac, g, r_norm) <= self.options.gradient_tolerance
        {
            Some(Termination::ConvergedGradient)
        } else if self.iterations >= self.options.max_iterations {
            Some(Termination::MaxIterations)
        } else if self.counted.evaluations >= self.options.max_evaluations {
            Some(Termination::MaxEvaluations)
        } else if self.mu > MAX_DAMPING {
            Some(Termination::NoProgress)
        } else {
            None
        }
    }

    /// Evaluates the step `h` and accepts it when it decreases `S` as a decrease was
    /// predicted, or rejects it; the termination when the search ends there.
    fn try_step<E>(&mut self, h: &DVector<f64>) -> Option<Termination>
    where
        F: FnMut(&[f64]) -> Result<Vec<f64>, E>,
        E: Display,
    {
        let candidate = &self.x + h;
        let s = self.s;
        let predicted = s - (&self.r + &self.jac * h).norm_squared();
        let accepted = self
            .counted
            .eval(candidate.as_slice())
            .map(|r_new| (r_new.norm_squared(), r_new))
            .filter(|(s_new, _)| predicted > 0.0 && *s_new < s);
        match accepted {
            Some((s_new, r_new)) => self.accept(candidate, r_new, s_new, predicted),
            None => {
                self.rejected += 1;
                self.increase_damping();
                None
            }
        }
    }

    /// Moves to `x` (residuals `r`, `S = s`), after a predicted decrease `predicted`:
    /// a new Jacobian, the scaling and the damping relaxed; the objective test.
    fn accept<E>(
        &mut self,
        x: DVector<f64>,
        r: DVector<f64>,
        s: f64,
        predicted: f64,
    ) -> Option<Termination>
    where
        F: FnMut(&[f64]) -> Result<Vec<f64>, E>,
        E: Display,
    {
        let actual = self.s - s;
        let rho = actual / predicted;
        let tolerance = self.options.objective_tolerance * self.s;
        let small = actual <= tolerance && predicted <= tolerance;
        self.x = x;
        self.r = r;
        self.s = s;
        match self.jacobian() {
            Ok(j) => self.jac = j,
            Err(parameter) => {
                // The accepted point is the best one: keep it, without a Jacobian.
                self.jac = DMatrix::zeros(self.r.len(), self.x.len());
                return Some(Termination::JacobianFailed { parameter });
            }
        }
        for (j, c) in self.jac.column_iter().enumerate() {
            self.scale[j] = self.scale[j].max(c.norm_squared());
        }
        self.mu *= relaxation(rho);
        self.nu = 2.0;
        small.then_some(Termination::ConvergedObjective)
    }

    /// After a rejected step (or a matrix that is not positive definite): `μ ← μ·ν`, `ν ← 2ν`.
    fn increase_damping(&mut self) {
        self.mu *= self.nu;
        self.nu *= 2.0;
    }

    /// The outcome at the current point.
    pub(super) fn finish(self, termination: Termination) -> LmOutcome {
        LmOutcome {
            x: self.x.as_slice().to_vec(),
            sum_of_squares: self.r.norm_squared(),
            residuals: self.r.as_slice().to_vec(),
            jacobian: self.jac,
            termination,
            iterations: self.iterations,
            rejected_steps: self.rejected,
            evaluations: self.counted.evaluations,
            failed_evaluations: self.counted.failed,
            first_failure: self.counted.first_failure,
        }
    }
}
