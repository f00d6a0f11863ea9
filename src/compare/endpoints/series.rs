//! [`Series`]: values at non-decreasing times, and the endpoints computed on its rows.

use super::IntervalExposure;
use super::{ColumnKey, Point};
use crate::compare::error::EndpointError;
use crate::model::Model;
use crate::solver::DiameterMapping;
use crate::trajectory::{Observable, Trajectory};

/// Values at non-decreasing times: one trajectory column, the tumors' diameter, or hand-built.
/// Rows may share a time (before and after a dose).
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub(super) times: Vec<f64>,
    pub(super) values: Vec<f64>,
}

/// Checks a diameter mapping's cell density is finite and positive.
///
/// # Errors
/// [`EndpointError::InvalidOption`] naming `cells_per_mm3` otherwise.
pub fn check_density(mapping: &DiameterMapping) -> Result<(), EndpointError> {
    let density = mapping.cells_per_mm3;
    if !(density.is_finite() && density > 0.0) {
        return Err(EndpointError::InvalidOption {
            option: "cells_per_mm3",
            value: density,
            reason: "must be finite and positive",
        });
    }
    Ok(())
}

impl Series {
    /// A series from its rows.
    ///
    /// # Errors
    /// [`EndpointError::EmptySeries`], [`LengthMismatch`](EndpointError::LengthMismatch),
    /// [`InvalidTime`](EndpointError::InvalidTime) (non-finite or decreasing),
    /// [`NonFiniteValue`](EndpointError::NonFiniteValue).
    pub fn new(times: Vec<f64>, values: Vec<f64>) -> Result<Self, EndpointError> {
        if times.len() != values.len() {
            return Err(EndpointError::LengthMismatch {
                times: times.len(),
                values: values.len(),
            });
        }
        if times.is_empty() {
            return Err(EndpointError::EmptySeries);
        }
        let mut previous = f64::NEG_INFINITY;
        for (row, (&time, &value)) in times.iter().zip(&values).enumerate() {
            let reason = if !time.is_finite() {
                "is not finite"
            } else if time < previous {
                "is before the row above"
            } else if !value.is_finite() {
                return Err(EndpointError::NonFiniteValue { row, time, value });
            } else {
                previous = time;
                continue;
            };
            return Err(EndpointError::InvalidTime { row, time, reason });
        }
        Ok(Series { times, values })
    }

    /// One column of `trajectory`, with its row times.
    ///
    /// # Errors
    /// [`EndpointError::Lookup`] for an unknown column; as [`new`](Self::new) for an empty
    /// trajectory.
    pub fn column(trajectory: &Trajectory, column: impl ColumnKey) -> Result<Self, EndpointError> {
        let view = column.view(trajectory)?;
        Series::new(trajectory.times().to_vec(), view.to_vec())
    }

    /// The diameter (mm) of a sphere holding every tumor's total burden, row by row — the
    /// mapping [`Condition::Progression`](crate::solver::Condition::Progression) uses: each
    /// tumor's burden to a volume by its unit ([`DiameterMapping::volume_mm3`]), the volumes
    /// summed, `D = (6·V/π)^(1/3)` ([`DiameterMapping::diameter_mm`]); the values of
    /// [`Observable::TumorDiameter`] ([`Trajectory::observe`]). `trajectory` is a simulation
    /// of `model`.
    ///
    /// # Errors
    /// [`EndpointError::NoTumor`]; [`InvalidOption`](EndpointError::InvalidOption) for a cell
    /// density that is not finite and positive.
    pub fn tumor_diameter(
        trajectory: &Trajectory,
        model: &Model,
        mapping: &DiameterMapping,
    ) -> Result<Self, EndpointError> {
        check_density(mapping)?;
        if model.spec().tumors.is_empty() {
            return Err(EndpointError::NoTumor);
        }
        let diameters = trajectory.observe(&Observable::TumorDiameter(*mapping))?;
        Series::new(trajectory.times().to_vec(), diameters)
    }

    /// Row times, days.
    pub fn times(&self) -> &[f64] {
        &self.times
    }

    /// Row values.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Number of rows (at least 1).
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Always `false`: a series has at least one row.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// The rows at `times` (each the first row at that time: before a dose there), as a new
    /// series, e.g. the scan times of a trial's assessments.
    ///
    /// # Errors
    /// [`EndpointError::NotAnOutputTime`] for a time that is no row's; as [`new`](Self::new).
    pub fn at_times(&self, times: &[f64]) -> Result<Series, EndpointError> {
        let values = times
            .iter()
            .map(|&t| self.value_at(t))
            .collect::<Result<Vec<_>, _>>()?;
        Series::new(times.to_vec(), values)
    }

    /// The last row: the final burden of a tumor column.
    pub fn final_value(&self) -> Point {
        let i = self.times.len() - 1;
        Point {
            time: self.times[i],
            value: self.values[i],
        }
    }

    /// The value of the first row at time `t` (at a dose time: the row before the dose).
    ///
    /// # Errors
    /// [`EndpointError::NotAnOutputTime`] when no row has time `t`.
    pub fn value_at(&self, t: f64) -> Result<f64, EndpointError> {
        self.first_row_at(t).map(|i| self.values[i])
    }

    pub(super) fn first_row_at(&self, t: f64) -> Result<usize, EndpointError> {
        let i = self.times.partition_point(|&x| x < t);
        match self.times.get(i) {
            Some(&x) if x == t => Ok(i),
            _ => Err(EndpointError::NotAnOutputTime { time: t }),
        }
    }

    /// Rows `i` with `from ≤ t_i ≤ to`.
    fn window(&self, from: f64, to: f64) -> Result<std::ops::Range<usize>, EndpointError> {
        if from.is_nan() {
            return Err(EndpointError::InvalidOption {
                option: "from",
                value: from,
                reason: "must be a number",
            });
        }
        if to.is_nan() || to < from {
            return Err(EndpointError::InvalidOption {
                option: "to",
                value: to,
                reason: "must not be before `from`",
            });
        }
        let start = self.times.partition_point(|&x| x < from);
        let end = self.times.partition_point(|&x| x <= to);
        if start >= end {
            return Err(EndpointError::NoRows { from, to });
        }
        Ok(start..end)
    }

    fn extremum(
        &self,
        from: f64,
        better: impl Fn(f64, f64) -> bool,
    ) -> Result<Point, EndpointError> {
        let rows = self.window(from, f64::INFINITY)?;
        let mut best = rows.start;
        for i in rows {
            if better(self.values[i], self.values[best]) {
                best = i;
            }
        }
        Ok(Point {
            time: self.times[best],
            value: self.values[best],
        })
    }

    /// Nadir: the smallest value among the rows at or after `from` (e.g. the first dose), and
    /// the earliest time it is reached. Also the "minimum of a column" of a toxicity endpoint
    /// (neutrophil nadir).
    ///
    /// # Errors
    /// [`EndpointError::NoRows`] when no row is at or after `from`.
    pub fn nadir(&self, from: f64) -> Result<Point, EndpointError> {
        self.extremum(from, |a, b| a < b)
    }

    /// Peak: the largest value among the rows at or after `from`, and the earliest time it is
    /// reached: Cmax and Tmax of a concentration column, the peak of a cytokine.
    ///
    /// # Errors
    /// [`EndpointError::NoRows`] when no row is at or after `from`.
    pub fn peak(&self, from: f64) -> Result<Point, EndpointError> {
        self.extremum(from, |a, b| a > b)
    }

    /// Best percentage change from baseline: `100·(min w − w0)/w0`, `w0` the value of the first
    /// row at `baseline` and the minimum over every later row (negative for shrinkage; the
    /// smallest growth if the series never shrinks), with the time of that minimum.
    ///
    /// Apply it to a tumor column for the change in burden, or to
    /// [`tumor_diameter`](Self::tumor_diameter) for the change in diameter that a waterfall
    /// plot of RECIST measurements shows.
    ///
    /// # Errors
    /// [`EndpointError::NotAnOutputTime`] when `baseline` is no row's time;
    /// [`ZeroBaseline`](EndpointError::ZeroBaseline); [`NoRows`](EndpointError::NoRows) when
    /// the baseline row is the last.
    pub fn best_percent_change(&self, baseline: f64) -> Result<Point, EndpointError> {
        let b = self.first_row_at(baseline)?;
        let w0 = self.values[b];
        if w0 == 0.0 {
            return Err(EndpointError::ZeroBaseline { time: baseline });
        }
        let mut best: Option<usize> = None;
        for i in b + 1..self.values.len() {
            if best.is_none_or(|j| self.values[i] < self.values[j]) {
                best = Some(i);
            }
        }
        let Some(i) = best else {
            return Err(EndpointError::NoRows {
                from: baseline,
                to: baseline,
            });
        };
        Ok(Point {
            time: self.times[i],
            value: 100.0 * (self.values[i] - w0) / w0,
        })
    }

    /// Area under the curve over `[from, to]` by the linear trapezoid rule over the rows in the
    /// window: `Σ (t_{k+1} − t_k)·(v_k + v_{k+1})/2`, in value·days (cell·days for a tumor,
    /// mg·day/L for a concentration).
    ///
    /// The window is clipped to its rows: put `from` and `to` on the output grid for the exact
    /// window. The trapezoid overestimates a convex curve (a concentration decaying after a
    /// dose) by about `h²/12·|v''|` per unit time for row spacing `h`; for an exact drug AUC, add
    /// a state that integrates the concentration to the model.
    ///
    /// # Errors
    /// [`EndpointError::NoRows`] for an empty window;
    /// [`InvalidOption`](EndpointError::InvalidOption) when `to < from`.
    pub fn area_under_curve(&self, from: f64, to: f64) -> Result<f64, EndpointError> {
        let rows = self.window(from, to)?;
        let t = &self.times[rows.clone()];
        let v = &self.values[rows];
        Ok(t.windows(2)
            .zip(v.windows(2))
            .map(|(t, v)| (t[1] - t[0]) * 0.5 * (v[0] + v[1]))
            .sum())
    }

    /// The time of the first row at or after `from` whose value is at or below `threshold`
    /// (`None` if there is none): a crossing on the output grid, e.g. a tumor below one cell.
    /// For a crossing located between rows, use an event rule instead.
    pub fn first_time_at_or_below(&self, threshold: f64, from: f64) -> Option<f64> {
        let start = self.times.partition_point(|&x| x < from);
        (start..self.times.len())
            .find(|&i| self.values[i] <= threshold)
            .map(|i| self.times[i])
    }

    /// Exposure over the dosing interval `[start, end]` (days): both must be row times. The
    /// interval begins after any dose at `start` (its last row at `start`) and ends before any
    /// dose at `end` (its first row at `end`); see [`IntervalExposure`].
    ///
    /// # Errors
    /// [`EndpointError::NotAnOutputTime`] for a bound that is no row's time;
    /// [`InvalidOption`](EndpointError::InvalidOption) when `end ≤ start`.
    pub fn interval(&self, start: f64, end: f64) -> Result<IntervalExposure, EndpointError> {
        if end.is_nan() || end <= start {
            return Err(EndpointError::InvalidOption {
                option: "end",
                value: end,
                reason: "must be after `start`",
            });
        }
        let first = self.first_row_at(start)?;
        let last_at_start = self.times.partition_point(|&x| x <= start) - 1;
        debug_assert!(last_at_start >= first);
        let last = self.first_row_at(end)?;
        let rows = last_at_start..last + 1;
        let sub = Series {
            times: self.times[rows.clone()].to_vec(),
            values: self.values[rows].to_vec(),
        };
        Ok(IntervalExposure {
            start,
            end,
            minimum: sub.nadir(start)?,
            maximum: sub.peak(start)?,
            trough: self.values[last],
            area: sub.area_under_curve(start, end)?,
        })
    }
}
