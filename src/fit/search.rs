//! Fitting a [`FitProblem`]: predictions and residuals at a search point, the starts, and
//! the searches of [`FitProblem::fit`] and [`FitProblem::fit_individual`].

use super::lm::{self, LmOutcome};
use super::objective::Evaluation;
use super::report;
use super::{
    Dosing, FitError, FitOptions, FitProblem, FitReport, IndividualFits, LmOptions, Transform,
};
use crate::solver::Simulation;
use crate::trajectory::{LookupError, Observable, Trajectory};
use crate::Error;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

impl FitProblem {
    /// The predictions at every observation (subjects in order, each subject's observations
    /// in the order given) with the free parameters at `values` (natural scale).
    ///
    /// # Errors
    /// As [`model_with`](Self::model_with); [`FitError::Subject`] naming the subject whose
    /// simulation failed.
    pub fn predict(&self, values: &[f64]) -> Result<Vec<f64>, Error> {
        let model = self.model_with(values)?;
        let mut predictions = Vec::with_capacity(self.observed.len());
        for s in &self.subjects {
            let subject_error = |source: Error| -> Error {
                FitError::Subject {
                    subject: s.id.clone(),
                    source: Box::new(source),
                }
                .into()
            };
            match &s.dosing {
                Dosing::Regimen {
                    regimen,
                    covariates,
                    times,
                    time_index,
                } => {
                    let trajectory = Simulation::new(&model, regimen, times)
                        .options(&self.solver)
                        .subject(covariates)
                        .run()
                        .map_err(subject_error)?;
                    let values =
                        values_at(&trajectory, &self.output, times).map_err(subject_error)?;
                    predictions.extend(time_index.iter().map(|&k| values[k]));
                }
                Dosing::Records(records) => {
                    let values = records
                        .predict(&model, &self.solver)
                        .map_err(subject_error)?;
                    predictions.extend(values);
                }
            }
        }
        Ok(predictions)
    }

    /// The output of subject `id` at `times` (days, ascending) with the free parameters at
    /// `values` (natural scale), simulated under the subject's regimen: the fitted curve
    /// between and beyond the observations.
    ///
    /// # Errors
    /// [`FitError::UnknownSubject`]; [`FitError::InvalidOption`] for a subject of an event
    /// table (its doses are records; simulate its table instead); as
    /// [`model_with`](Self::model_with) and the simulation.
    pub fn curve(&self, id: &str, values: &[f64], times: &[f64]) -> Result<Vec<f64>, Error> {
        let Some(subject) = self.subjects.iter().find(|s| s.id == id) else {
            return Err(FitError::UnknownSubject {
                subject: id.to_string(),
                available: self.subject_ids().collect::<Vec<_>>().join(", "),
            }
            .into());
        };
        let Dosing::Regimen {
            regimen,
            covariates,
            ..
        } = &subject.dosing
        else {
            return Err(FitError::InvalidOption {
                option: "subject",
                value: f64::NAN,
                reason: "curves are for subjects with a regimen, not event-table records",
            }
            .into());
        };
        let model = self.model_with(values)?;
        let trajectory = Simulation::new(&model, regimen, times)
            .options(&self.solver)
            .subject(covariates)
            .run()?;
        values_at(&trajectory, &self.output, times)
    }

    /// Natural-scale values of the free parameters at search point `phi`.
    pub(crate) fn natural(&self, phi: &[f64]) -> Vec<f64> {
        self.parameters
            .iter()
            .zip(phi)
            .map(|(p, &x)| p.transform.to_natural(x))
            .collect()
    }

    /// The combined model's `c = a/b` at search point `phi` (1 for other models).
    pub(crate) fn ratio(&self, phi: &[f64]) -> f64 {
        phi.get(self.parameters.len()).map_or(1.0, |x| x.exp())
    }

    /// Predictions, residuals and weights at search point `phi`.
    pub(crate) fn evaluate(&self, phi: &[f64]) -> Result<Evaluation, Error> {
        let predictions = self.predict(&self.natural(phi))?;
        if predictions.len() != self.observed.len() {
            return Err(FitError::ResidualLength {
                expected: self.observed.len(),
                got: predictions.len(),
            }
            .into());
        }
        if self.error.needs_positive_values() {
            let bad = predictions
                .iter()
                .zip(self.observations())
                .enumerate()
                .find(|(_, (f, _))| !(**f > 0.0 && f.is_finite()));
            if let Some((flat, (&prediction, (subject, o)))) = bad {
                let index = self.index_within_subject(flat);
                return Err(FitError::NonPositivePrediction {
                    subject: subject.to_string(),
                    line: o.line,
                    index,
                    time: o.time,
                    prediction,
                    error_model: self.error.as_str(),
                }
                .into());
            }
        }
        Ok(Evaluation::new(
            self.error,
            &self.observed,
            predictions,
            self.ratio(phi),
        ))
    }

    /// Position within its subject of observation `flat` (all subjects in order).
    fn index_within_subject(&self, flat: usize) -> usize {
        let mut rest = flat;
        for s in &self.subjects {
            if rest < s.observations.len() {
                return rest;
            }
            rest -= s.observations.len();
        }
        rest
    }

    /// The scaled residuals the optimizer minimizes (see [`objective`](super::objective)).
    pub(crate) fn residuals(&self, phi: &[f64]) -> Result<Vec<f64>, Error> {
        self.evaluate(phi).map(|e| e.scaled)
    }

    /// The search point of the initial values.
    fn initial_search(&self) -> Vec<f64> {
        let mut phi: Vec<f64> = self
            .parameters
            .iter()
            .map(|p| p.transform.to_search(p.initial))
            .collect();
        phi.extend(self.error.initial_search());
        phi
    }

    /// Start `k` (start 0: the initial values) as `(natural values, search point)`: the free
    /// parameters, then `a/b` for a combined error model.
    fn start(&self, seed: u64, k: usize) -> (Vec<f64>, Vec<f64>) {
        let mut natural: Vec<f64> = self.parameters.iter().map(|p| p.initial).collect();
        let mut phi = self.initial_search();
        if k > 0 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(k as u64);
            for ((x, value), p) in phi.iter_mut().zip(&mut natural).zip(&self.parameters) {
                *value = p.draw(rng.random::<f64>());
                *x = p.transform.to_search(*value);
            }
            // The combined model's ln(a/b): uniform within a factor 10 of its starting value.
            for x in phi.iter_mut().skip(self.parameters.len()) {
                *x += std::f64::consts::LN_10 * (2.0 * rng.random::<f64>() - 1.0);
            }
        }
        natural.extend(phi.iter().skip(self.parameters.len()).map(|x| x.exp()));
        (natural, phi)
    }

    /// The typical magnitude of each searched parameter, for the central-difference steps
    /// `h_j = s·max(|φ_j|, φ̄_j)`: 1 on the log and logit scales (and for `ln(a/b)`), which
    /// are unit-free; the half-width of the start range for an identity parameter, which
    /// keeps its unit (`max(|initial|, 1)` by default).
    fn difference_scales(&self) -> Vec<f64> {
        let mut scales: Vec<f64> = self
            .parameters
            .iter()
            .map(|p| match p.transform {
                Transform::Identity => {
                    let (lo, hi) = p.start_range();
                    0.5 * (hi - lo)
                }
                Transform::Log | Transform::Logit { .. } => 1.0,
            })
            .collect();
        scales.resize(scales.len() + self.error.n_searched(), 1.0);
        scales
    }

    /// The relative central-difference step for `options`.
    fn jacobian_step(&self, options: &FitOptions) -> f64 {
        options
            .jacobian_step
            .unwrap_or_else(|| self.solver.rtol.max(f64::EPSILON).cbrt())
    }

    /// Fits every subject's observations with one set of parameters (naive pooling, or a
    /// single subject's fit), from `options.starts` starting points in parallel.
    ///
    /// A start that cannot be evaluated at its starting point is recorded in the report
    /// ([`StartOutcome::Failed`](super::StartOutcome::Failed)); an evaluation that fails during a search rejects the step
    /// and is counted.
    ///
    /// ```
    /// use oncodyn::fit::{ErrorModel, FitOptions, FitProblem, FreeParameter, SubjectData};
    /// use oncodyn::prelude::*;
    ///
    /// // 100 mg oral; a drug with ka = 2 /day (fixed), CL and V to estimate (truth 1 L/day, 10 L).
    /// let mut b = ModelBuilder::new();
    /// b.drug(DrugSpec::new("drug", OneCompartment { cl: 1.0, v: 10.0 }).with_absorption(2.0, 1.0))?;
    /// let model = b.build()?;
    /// let oral = Dose::bolus(0.0, "drug", 100.0).into_compartment(Compartment::Depot);
    /// let concentrations = vec![(0.5, 6.3), (1.0, 7.9), (2.0, 8.6), (4.0, 6.9), (8.0, 4.8), (16.0, 2.1)];
    /// let patient = SubjectData::new("1", Regimen::new("oral").with(oral), concentrations);
    /// let free = vec![
    ///     FreeParameter::positive("cl", "drugs[drug].cl", 2.0)?,  // L/day
    ///     FreeParameter::positive("v", "drugs[drug].v1", 5.0)?,   // L
    /// ];
    /// let problem = FitProblem::new(&model, "drug_conc", vec![patient], free, ErrorModel::Proportional)?;
    /// let report = problem.fit(&FitOptions { starts: 4, seed: 1, ..FitOptions::default() })?;
    ///
    /// assert_eq!(report.starts.len(), 4);                   // every start is kept
    /// let cl = report.estimate("cl").unwrap();
    /// assert!((cl.estimate - 1.0).abs() < 0.1);
    /// let ci = cl.interval.unwrap();                        // 95%, t with n − p = 4 df
    /// assert!(ci.lower < cl.estimate && cl.estimate < ci.upper);
    /// assert!(report.aic > report.minus_two_log_likelihood);
    /// # Ok::<(), oncodyn::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`FitError::InvalidOption`] for invalid options; [`FitError::NoStartEvaluated`] when no
    /// start could be evaluated at all (carrying the failure at the initial values).
    pub fn fit(&self, options: &FitOptions) -> Result<FitReport, FitError> {
        options.check()?;
        let lm_options = LmOptions {
            relative_step: self.jacobian_step(options),
            ..options.lm
        };
        let starts: Vec<(Vec<f64>, Vec<f64>)> = (0..options.starts)
            .map(|k| self.start(options.seed, k))
            .collect();
        let scales = self.difference_scales();
        let runs: Vec<Result<LmOutcome, Error>> = starts
            .par_iter()
            .map(|(_, x0)| {
                let residuals = |phi: &[f64]| self.residuals(phi);
                lm::minimize_scaled(residuals, x0, &scales, &lm_options)
            })
            .collect();
        report::build(self, &starts, runs, &lm_options, scales)
    }

    /// Fits each subject alone (in parallel), with the same options, and summarizes the
    /// individual estimates (two-stage: mean, SD and CV across subjects). A subject that
    /// cannot be fitted (too few observations, no start evaluated) is recorded in
    /// [`IndividualFits::failures`] and left out of the summary.
    ///
    /// # Errors
    /// [`FitError::InvalidOption`] for invalid options.
    pub fn fit_individual(&self, options: &FitOptions) -> Result<IndividualFits, FitError> {
        options.check()?;
        let outcomes: Vec<(String, Result<FitReport, FitError>)> = self
            .subjects
            .par_iter()
            .map(|s| {
                let result = self.for_subject(&s.id).and_then(|p| p.fit(options));
                (s.id.clone(), result)
            })
            .collect();
        Ok(report::individual(self, outcomes))
    }
}

/// The values of column `output` at each of `times` (strictly increasing output times of
/// `trajectory`), from the first row at each time: the `pre` row at a dose time.
fn values_at(
    trajectory: &Trajectory,
    output: &Observable,
    times: &[f64],
) -> Result<Vec<f64>, Error> {
    let column = trajectory.observe(output)?;
    let rows = trajectory.times();
    let mut values = Vec::with_capacity(times.len());
    let mut row = 0;
    for &t in times {
        while row < rows.len() && rows[row] != t {
            row += 1;
        }
        let value = column
            .get(row)
            .copied()
            .ok_or(LookupError::NotAnOutputTime { t })?;
        values.push(value);
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use crate::fit::{ErrorModel, FitProblem, FreeParameter, SubjectData};
    use crate::prelude::*;

    #[test]
    fn a_curve_is_the_output_at_any_times_with_the_values_given() {
        let mut b = ModelBuilder::new();
        b.tumor(TumorSpec::new("tumor", 100.0, Exponential { rate: 0.1 }))
            .unwrap();
        let model = b.build().unwrap();
        let obs = vec![(1.0, 120.0), (2.0, 150.0)];
        let mouse = SubjectData::new("m1", Regimen::new("untreated"), obs);
        let rate = FreeParameter::positive("rate", "tumors[tumor].growth.rate", 0.1).unwrap();
        let problem = FitProblem::new(
            &model,
            "tumor",
            vec![mouse],
            vec![rate],
            ErrorModel::Additive,
        )
        .unwrap();
        let times = [0.0, 0.5, 3.0, 10.0];
        let curve = problem.curve("m1", &[0.2], &times).unwrap();
        for (t, v) in times.iter().zip(&curve) {
            let exact = 100.0 * (0.2 * t).exp();
            assert!((v - exact).abs() <= 1e-6 * exact, "t {t}: {v} vs {exact}");
        }
        assert!(problem.curve("m2", &[0.2], &times).is_err());
        assert!(problem.curve("m1", &[0.2, 1.0], &times).is_err());
    }
}
