//! Checking a [`PopulationSpec`](super::PopulationSpec) into a [`Sampler`], and drawing
//! patients from their own random streams.

use super::distribution::{Correlations, Distribution, Parameter};
use super::{Patient, Population};
use crate::compare::PopulationError;
use nalgebra::{Cholesky, DMatrix};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::Arc;

/// The most patients one [`Sampler::draw`] may produce: ten million, a few GB of values for a
/// handful of parameters. A larger count (`--patients 100000000000`) is rejected with
/// [`PopulationError::TooManyPatients`] before anything is drawn, rather than aborting when
/// memory runs out; draw a larger population in shards with [`Sampler::draw_range`].
pub const MAX_PATIENTS: usize = 10_000_000;

/// How much a covariance diagonal may differ (relatively) from the variance of the parameter's
/// own distribution: room for the rounding of `ω·ω` against a typed `ω²`, no more.
const VARIANCE_AGREEMENT: f64 = 1e-9;

/// How one entry is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Kind {
    Fixed,
    LogNormal { sd: f64 },
    Normal { sd: f64 },
    Uniform { low: f64, high: f64 },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Entry {
    typical: f64,
    kind: Kind,
}

/// Checks parameter `p` into the entry it is drawn from.
pub(super) fn entry(p: &Parameter) -> Result<Entry, PopulationError> {
    let typical = p.typical;
    if !typical.is_finite() {
        return Err(invalid(p, "typical", typical, "must be finite"));
    }
    let kind = match p.distribution {
        Distribution::Fixed => Kind::Fixed,
        Distribution::LogNormal { omega } => log_normal(p, spread(p, "omega", omega)?)?,
        Distribution::LogNormalCv { cv } => {
            spread(p, "cv", cv)?;
            log_normal(p, cv.mul_add(cv, 1.0).ln().sqrt())?
        }
        Distribution::Normal { sd } => Kind::Normal {
            sd: spread(p, "sd", sd)?,
        },
        Distribution::Uniform { low, high } => uniform(p, low, high)?,
    };
    Ok(Entry { typical, kind })
}

/// [`PopulationError::InvalidDistribution`] for `field` of parameter `p`.
fn invalid(
    p: &Parameter,
    field: &'static str,
    value: f64,
    reason: &'static str,
) -> PopulationError {
    PopulationError::InvalidDistribution {
        parameter: p.name.clone(),
        field,
        value,
        reason,
    }
}

/// `value` of the spread `field` (ω, CV or SD) of `p`, which must be finite and non-negative.
fn spread(p: &Parameter, field: &'static str, value: f64) -> Result<f64, PopulationError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(invalid(p, field, value, "must be finite and non-negative"))
    }
}

/// A log-normal entry with log-scale standard deviation `sd`, for a positive typical value.
fn log_normal(p: &Parameter, sd: f64) -> Result<Kind, PopulationError> {
    if p.typical <= 0.0 {
        let reason = "must be positive for a log-normal parameter";
        return Err(invalid(p, "typical", p.typical, reason));
    }
    Ok(Kind::LogNormal { sd })
}

/// A uniform entry on `[low, high]`: both finite, `high > low`, the typical value between.
fn uniform(p: &Parameter, low: f64, high: f64) -> Result<Kind, PopulationError> {
    if !low.is_finite() {
        return Err(invalid(p, "low", low, "must be finite"));
    }
    if !(high.is_finite() && high > low) {
        return Err(invalid(
            p,
            "high",
            high,
            "must be finite and greater than low",
        ));
    }
    if !(low..=high).contains(&p.typical) {
        return Err(invalid(
            p,
            "typical",
            p.typical,
            "must lie between low and high",
        ));
    }
    Ok(Kind::Uniform { low, high })
}

/// A correlated block: the entries it covers and the lower Cholesky factor of their covariance.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Block {
    members: Vec<usize>,
    lower: DMatrix<f64>,
}

pub(super) fn block(
    c: &Correlations,
    all: &[&Parameter],
    names: &[String],
) -> Result<Block, PopulationError> {
    let (listed, matrix, is_covariance) = match c {
        Correlations::Covariance { parameters, matrix } => (parameters, matrix, true),
        Correlations::Correlation { parameters, matrix } => (parameters, matrix, false),
    };
    let (members, sds) = block_members(listed, all, names)?;
    check_square_symmetric(matrix, listed.len())?;
    let omega = if is_covariance {
        covariance_omega(listed, matrix, &sds)?
    } else {
        correlation_omega(matrix, &sds)?
    };
    match Cholesky::new(omega) {
        Some(chol) => Ok(Block {
            members,
            lower: chol.l(),
        }),
        None => Err(PopulationError::NotPositiveDefinite {
            parameters: listed.join(", "),
        }),
    }
}

/// The entries a correlated block covers (indices into `names`, in `listed` order) and their
/// random effects' standard deviations `ω` (on the log scale for a log-normal parameter).
///
/// # Errors
/// [`PopulationError::UnknownParameter`], [`DuplicateName`](PopulationError::DuplicateName),
/// or [`NotRandom`](PopulationError::NotRandom) for a fixed or uniform parameter.
fn block_members(
    listed: &[String],
    all: &[&Parameter],
    names: &[String],
) -> Result<(Vec<usize>, Vec<f64>), PopulationError> {
    let mut members = Vec::with_capacity(listed.len());
    let mut sds = Vec::with_capacity(listed.len());
    for name in listed {
        let Some(i) = names.iter().position(|n| n == name) else {
            return Err(PopulationError::UnknownParameter {
                name: name.clone(),
                available: names.join(", "),
            });
        };
        if members.contains(&i) {
            return Err(PopulationError::DuplicateName { name: name.clone() });
        }
        let Some(sd) = all[i].distribution.eta_sd() else {
            return Err(PopulationError::NotRandom {
                parameter: name.clone(),
                distribution: all[i].distribution.kind(),
            });
        };
        members.push(i);
        sds.push(sd);
    }
    Ok((members, sds))
}

/// Checks `matrix` is `k × k`, finite and symmetric (exactly: `m[r][c] == m[c][r]`).
///
/// # Errors
/// [`PopulationError::MatrixShape`], [`InvalidMatrixEntry`](PopulationError::InvalidMatrixEntry)
/// or [`NotSymmetric`](PopulationError::NotSymmetric), for the first offending row.
fn check_square_symmetric(matrix: &[Vec<f64>], k: usize) -> Result<(), PopulationError> {
    if matrix.len() != k {
        return Err(PopulationError::MatrixShape {
            expected: k,
            what: "rows".to_string(),
            got: matrix.len(),
        });
    }
    for (r, row) in matrix.iter().enumerate() {
        if row.len() != k {
            return Err(PopulationError::MatrixShape {
                expected: k,
                what: format!("row {r}"),
                got: row.len(),
            });
        }
        if let Some((col, &value)) = row.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(PopulationError::InvalidMatrixEntry {
                row: r,
                column: col,
                value,
                reason: "must be finite",
            });
        }
    }
    for (r, row) in matrix.iter().enumerate() {
        for (col, other) in matrix.iter().enumerate().skip(r + 1) {
            if row[col] != other[r] {
                return Err(PopulationError::NotSymmetric {
                    row: r,
                    column: col,
                    upper: row[col],
                    lower: other[r],
                });
            }
        }
    }
    Ok(())
}

/// The covariance `Ω` given as a covariance matrix, whose diagonal must agree with each
/// parameter's own variance `ω_r²` (`sds[r]²`) to a relative [`VARIANCE_AGREEMENT`].
///
/// # Errors
/// [`PopulationError::VarianceMismatch`] naming the first disagreeing parameter.
fn covariance_omega(
    listed: &[String],
    matrix: &[Vec<f64>],
    sds: &[f64],
) -> Result<DMatrix<f64>, PopulationError> {
    let k = sds.len();
    for r in 0..k {
        let variance = sds[r] * sds[r];
        let given = matrix[r][r];
        if (given - variance).abs() > VARIANCE_AGREEMENT * given.abs().max(variance) {
            return Err(PopulationError::VarianceMismatch {
                parameter: listed[r].clone(),
                matrix: given,
                distribution: variance,
            });
        }
    }
    Ok(DMatrix::from_fn(k, k, |r, col| matrix[r][col]))
}

/// The covariance `Ω_rc = ω_r · ρ_rc · ω_c` from a correlation matrix `ρ` (1 on its diagonal)
/// and the standard deviations `ω` (`sds`).
///
/// # Errors
/// [`PopulationError::InvalidMatrixEntry`] for a diagonal entry other than 1.
fn correlation_omega(matrix: &[Vec<f64>], sds: &[f64]) -> Result<DMatrix<f64>, PopulationError> {
    for (r, row) in matrix.iter().enumerate() {
        if row[r] != 1.0 {
            return Err(PopulationError::InvalidMatrixEntry {
                row: r,
                column: r,
                value: row[r],
                reason: "must be 1 on the diagonal of a correlation matrix",
            });
        }
    }
    let k = sds.len();
    Ok(DMatrix::from_fn(k, k, |r, col| {
        sds[r] * matrix[r][col] * sds[col]
    }))
}

/// A checked [`PopulationSpec`](super::PopulationSpec) with its covariance factored: draws patients.
///
/// Cheap to share across threads (`Send + Sync`); drawing never changes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    pub(super) names: Arc<[String]>,
    pub(super) entries: Vec<Entry>,
    pub(super) block: Option<Block>,
}

impl Sampler {
    /// Names of the values each patient gets: parameters, then covariates.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The typical values, in [`names`](Self::names) order.
    pub fn typical(&self) -> Vec<f64> {
        self.entries.iter().map(|e| e.typical).collect()
    }

    /// Patient `index` of a study seeded `seed`: its values depend on nothing else (see the
    /// [module docs](super) for the stream and the order of draws).
    ///
    /// # Errors
    /// [`PopulationError::NonFiniteDraw`] if a value overflows (e.g. `exp(η)` for a huge ω).
    pub fn patient(&self, seed: u64, index: usize) -> Result<Patient, PopulationError> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(index as u64);
        // One number per non-fixed entry, in order: a standard normal or a uniform in [0, 1).
        let mut z = vec![0.0; self.entries.len()];
        for (zi, e) in z.iter_mut().zip(&self.entries) {
            *zi = match e.kind {
                Kind::Fixed => 0.0,
                Kind::LogNormal { .. } | Kind::Normal { .. } => rng.sample(StandardNormal),
                Kind::Uniform { .. } => rng.random::<f64>(),
            };
        }
        // Random effects: sd·z for independent entries, L·z over the correlated block.
        let mut eta: Vec<f64> = z
            .iter()
            .zip(&self.entries)
            .map(|(&zi, e)| match e.kind {
                Kind::LogNormal { sd } | Kind::Normal { sd } => sd * zi,
                Kind::Fixed | Kind::Uniform { .. } => zi,
            })
            .collect();
        if let Some(b) = &self.block {
            for (a, &ia) in b.members.iter().enumerate() {
                eta[ia] = b
                    .members
                    .iter()
                    .take(a + 1)
                    .enumerate()
                    .map(|(c, &ic)| b.lower[(a, c)] * z[ic])
                    .sum();
            }
        }
        let mut values = Vec::with_capacity(self.entries.len());
        for ((e, &h), name) in self.entries.iter().zip(&eta).zip(self.names.iter()) {
            let value = match e.kind {
                Kind::Fixed => e.typical,
                Kind::LogNormal { .. } => e.typical * h.exp(),
                Kind::Normal { .. } => e.typical + h,
                Kind::Uniform { low, high } => (high - low).mul_add(h, low),
            };
            if !value.is_finite() {
                return Err(PopulationError::NonFiniteDraw {
                    patient: index,
                    parameter: name.clone(),
                    value,
                });
            }
            values.push(value);
        }
        Ok(Patient {
            index,
            names: Arc::clone(&self.names),
            values,
        })
    }

    /// Patients `0..n`, drawn in parallel (rayon) and collected in index order: the result is
    /// the same on any number of threads.
    ///
    /// # Errors
    /// As [`draw_range`](Self::draw_range).
    pub fn draw(&self, seed: u64, n: usize) -> Result<Population, PopulationError> {
        self.draw_range(seed, 0..n)
    }

    /// Patients `range` (a shard of a larger population), drawn in parallel and collected in
    /// index order; equal, patient by patient, to the same indices of any other range.
    ///
    /// # Errors
    /// [`PopulationError::TooManyPatients`] for a range longer than [`MAX_PATIENTS`], before
    /// any patient is drawn; otherwise as [`patient`](Self::patient) (the first failing
    /// patient by index).
    pub fn draw_range(
        &self,
        seed: u64,
        range: Range<usize>,
    ) -> Result<Population, PopulationError> {
        if range.len() > MAX_PATIENTS {
            return Err(PopulationError::TooManyPatients {
                count: range.len(),
                limit: MAX_PATIENTS,
            });
        }
        let patients = range
            .into_par_iter()
            .map(|i| self.patient(seed, i))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Population {
            names: Arc::clone(&self.names),
            patients,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The field and reason of the error `p` is refused with.
    fn refusal(p: Parameter) -> (&'static str, &'static str) {
        match entry(&p) {
            Err(PopulationError::InvalidDistribution { field, reason, .. }) => (field, reason),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn entry_converts_a_cv_to_the_log_scale_sd() {
        let e = entry(&Parameter::log_normal_cv("k", 2.0, 0.5)).unwrap();
        let sd = (1.25_f64).ln().sqrt();
        assert_eq!(
            e,
            Entry {
                typical: 2.0,
                kind: Kind::LogNormal { sd }
            }
        );
        let e = entry(&Parameter::normal("k", -1.0, 0.3)).unwrap();
        assert_eq!(e.kind, Kind::Normal { sd: 0.3 });
        assert_eq!(
            entry(&Parameter::fixed("k", 0.0)).unwrap().kind,
            Kind::Fixed
        );
    }

    #[test]
    fn entry_names_the_field_it_refuses() {
        let positive = "must be positive for a log-normal parameter";
        let spread = "must be finite and non-negative";
        assert_eq!(
            refusal(Parameter::fixed("k", f64::NAN)),
            ("typical", "must be finite")
        );
        assert_eq!(
            refusal(Parameter::log_normal("k", 0.0, 0.2)),
            ("typical", positive)
        );
        assert_eq!(
            refusal(Parameter::log_normal("k", 0.0, -0.2)),
            ("omega", spread)
        );
        assert_eq!(
            refusal(Parameter::log_normal_cv("k", -1.0, 0.2)),
            ("typical", positive)
        );
        assert_eq!(
            refusal(Parameter::log_normal_cv("k", 1.0, f64::INFINITY)),
            ("cv", spread)
        );
        assert_eq!(refusal(Parameter::normal("k", 1.0, -1.0)), ("sd", spread));
    }

    #[test]
    fn uniform_needs_finite_ordered_bounds_around_the_typical_value() {
        let p = Parameter::uniform("k", 1.0, 3.0);
        assert_eq!(
            uniform(&p, 1.0, 3.0).unwrap(),
            Kind::Uniform {
                low: 1.0,
                high: 3.0
            }
        );
        let field = |low, high| match uniform(&p, low, high) {
            Err(PopulationError::InvalidDistribution { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(f64::NEG_INFINITY, 3.0), "low");
        assert_eq!(field(1.0, 1.0), "high");
        assert_eq!(field(1.0, f64::NAN), "high");
        assert_eq!(field(2.5, 3.0), "typical");
    }

    #[test]
    fn correlation_omega_scales_rho_by_both_standard_deviations() {
        let rho = vec![vec![1.0, 0.5], vec![0.5, 1.0]];
        let omega = correlation_omega(&rho, &[0.2, 0.4]).unwrap();
        assert_eq!(omega[(0, 0)], 0.2 * 0.2);
        assert_eq!(omega[(0, 1)], 0.2 * 0.5 * 0.4);
        assert_eq!(omega[(1, 0)], 0.4 * 0.5 * 0.2);
        assert_eq!(omega[(1, 1)], 0.4 * 0.4);
    }

    #[test]
    fn correlation_omega_needs_ones_on_the_diagonal() {
        let rho = vec![vec![1.0, 0.5], vec![0.5, 0.9]];
        let err = correlation_omega(&rho, &[0.2, 0.4]).unwrap_err();
        assert!(matches!(
            err,
            PopulationError::InvalidMatrixEntry {
                row: 1,
                column: 1,
                ..
            }
        ));
    }

    #[test]
    fn covariance_omega_checks_the_diagonal_against_the_variances() {
        let names = vec!["a".to_string(), "b".to_string()];
        let cov = vec![vec![0.04, 0.01], vec![0.01, 0.16]];
        let omega = covariance_omega(&names, &cov, &[0.2, 0.4]).unwrap();
        assert_eq!(omega[(0, 1)], 0.01);
        let err = covariance_omega(&names, &cov, &[0.2, 0.5]).unwrap_err();
        assert!(
            matches!(err, PopulationError::VarianceMismatch { ref parameter, .. } if parameter == "b")
        );
    }

    #[test]
    fn check_square_symmetric_names_the_first_problem() {
        let ok = vec![vec![1.0, 0.3], vec![0.3, 1.0]];
        assert!(check_square_symmetric(&ok, 2).is_ok());
        assert!(matches!(
            check_square_symmetric(&ok, 3),
            Err(PopulationError::MatrixShape {
                expected: 3,
                got: 2,
                ..
            })
        ));
        let ragged = vec![vec![1.0, 0.3], vec![0.3]];
        assert!(matches!(
            check_square_symmetric(&ragged, 2),
            Err(PopulationError::MatrixShape { got: 1, .. })
        ));
        let nan = vec![vec![1.0, f64::NAN], vec![0.3, 1.0]];
        assert!(matches!(
            check_square_symmetric(&nan, 2),
            Err(PopulationError::InvalidMatrixEntry {
                row: 0,
                column: 1,
                ..
            })
        ));
        let skew = vec![vec![1.0, 0.3], vec![0.2, 1.0]];
        assert!(matches!(
            check_square_symmetric(&skew, 2),
            Err(PopulationError::NotSymmetric {
                row: 0,
                column: 1,
                ..
            })
        ));
    }

    #[test]
    fn block_members_finds_indices_and_standard_deviations() {
        let a = Parameter::log_normal("a", 1.0, 0.3);
        let b = Parameter::fixed("b", 2.0);
        let c = Parameter::normal("c", 0.0, 0.5);
        let all = [&a, &b, &c];
        let names: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let listed: Vec<String> = ["c", "a"].map(String::from).to_vec();
        let (members, sds) = block_members(&listed, &all, &names).unwrap();
        assert_eq!(members, vec![2, 0]);
        assert_eq!(sds, vec![0.5, 0.3]);
        let fixed = vec!["b".to_string()];
        assert!(matches!(
            block_members(&fixed, &all, &names),
            Err(PopulationError::NotRandom { .. })
        ));
        let twice: Vec<String> = ["a", "a"].map(String::from).to_vec();
        assert!(matches!(
            block_members(&twice, &all, &names),
            Err(PopulationError::DuplicateName { .. })
        ));
        let unknown = vec!["z".to_string()];
        assert!(matches!(
            block_members(&unknown, &all, &names),
            Err(PopulationError::UnknownParameter { .. })
        ));
    }
}
