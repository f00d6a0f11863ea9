//! [`OralLogScale`]: a one-compartment oral fit on the log scale of R's `SSfol` (Pinheiro &
//! Bates 2000, *Mixed-Effects Models in S and S-PLUS*, App. A.29), the scale on which
//! published fits of this model are reported, and back.
//!
//! This crate's time is days, so a fit's `ka` is 1/day, `CL` L/day and `V` L; `SSfol` is
//! per hour and per kg of body weight, with the elimination rate `ke = CL/V` in place of `V`:
//!
//! ```text
//! ln ke = ln(CL/V) − ln 24,   ln ka = ln(ka/24),   ln Cl = ln(CL/24/kg)
//! ka = e^lKa·24,   CL = e^lCl·24·kg,   V = e^lCl/e^lKe·kg
//! ```

use super::{FitReport, IndividualFits};

/// Hours per day.
const HOURS_PER_DAY: f64 = 24.0;

/// `(ln ke, ln ka, ln Cl)`: ke and ka in 1/h, Cl in L/h/kg, as `SSfol` reports them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OralLogScale {
    /// ln of the elimination rate `CL/V`, 1/h.
    pub ln_ke: f64,
    /// ln of the absorption rate, 1/h.
    pub ln_ka: f64,
    /// ln of the clearance per kg, L/h/kg.
    pub ln_cl: f64,
}

/// The names of a fit's absorption rate (1/day), clearance (L/day) and volume (L).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OralNames<'a> {
    /// Absorption rate `ka`, 1/day.
    pub ka: &'a str,
    /// Clearance `CL`, L/day.
    pub cl: &'a str,
    /// Volume `V`, L.
    pub v: &'a str,
}

impl OralLogScale {
    /// The values `(ln ke, ln ka, ln Cl)` as published.
    pub const fn new(ln_ke: f64, ln_ka: f64, ln_cl: f64) -> Self {
        OralLogScale {
            ln_ke,
            ln_ka,
            ln_cl,
        }
    }

    /// `ka` (1/day), `CL` (L/day) and `V` (L) of a subject weighing `kg` (1 for a fit whose
    /// CL and V are already per kg) on the log scale.
    pub fn from_natural(ka: f64, cl: f64, v: f64, kg: f64) -> Self {
        OralLogScale {
            ln_ke: (cl / v).ln() - HOURS_PER_DAY.ln(),
            ln_ka: (ka / HOURS_PER_DAY).ln(),
            ln_cl: (cl / HOURS_PER_DAY / kg).ln(),
        }
    }

    /// A report's estimates named `names` on the log scale, per `kg` (`None`: a name the
    /// report lacks).
    pub fn from_report(report: &FitReport, names: OralNames<'_>, kg: f64) -> Option<Self> {
        let value = |name: &str| report.estimate(name).map(|e| e.estimate);
        Some(Self::from_natural(
            value(names.ka)?,
            value(names.cl)?,
            value(names.v)?,
            kg,
        ))
    }

    /// Each individual fit on the log scale, per the subject's own weight `weight(id)` in kg,
    /// in fit order (fits whose subject has no weight, or lacks a name, are left out).
    pub fn individual(
        fits: &IndividualFits,
        names: OralNames<'_>,
        weight: impl Fn(&str) -> Option<f64>,
    ) -> Vec<Self> {
        fits.fits
            .iter()
            .filter_map(|r| Self::from_report(r, names, weight(r.subjects.first()?)?))
            .collect()
    }

    /// The component-wise mean (the two-stage estimate of the population's log-parameters;
    /// `None` when `values` is empty).
    pub fn mean(values: &[Self]) -> Option<Self> {
        let n = values.len() as f64;
        let mean = |x: fn(&Self) -> f64| values.iter().map(x).sum::<f64>() / n;
        (!values.is_empty()).then(|| Self {
            ln_ke: mean(|s| s.ln_ke),
            ln_ka: mean(|s| s.ln_ka),
            ln_cl: mean(|s| s.ln_cl),
        })
    }

    /// Back on this crate's scale for a subject weighing `kg`: `(ka 1/day, CL L/day, V L)`.
    pub fn to_natural(self, kg: f64) -> (f64, f64, f64) {
        let (ke, ka, cl) = (self.ln_ke.exp(), self.ln_ka.exp(), self.ln_cl.exp());
        (ka * HOURS_PER_DAY, cl * HOURS_PER_DAY * kg, cl / ke * kg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    #[test]
    fn the_log_scale_round_trips_and_follows_its_formulas() {
        // Pinheiro & Bates (2000): lKe −2.43, lKa 0.45, lCl −3.21, at 70 kg.
        let published = OralLogScale::new(-2.43, 0.45, -3.21);
        let (ka, cl, v) = published.to_natural(70.0);
        assert!(close(ka, 0.45f64.exp() * 24.0));
        assert!(close(cl, (-3.21f64).exp() * 24.0 * 70.0));
        assert!(close(v, (-3.21f64).exp() / (-2.43f64).exp() * 70.0));
        let back = OralLogScale::from_natural(ka, cl, v, 70.0);
        assert!(close(back.ln_ke, -2.43) && close(back.ln_ka, 0.45) && close(back.ln_cl, -3.21));
    }

    #[test]
    fn the_mean_is_component_wise_and_none_when_empty() {
        assert_eq!(OralLogScale::mean(&[]), None);
        let m = OralLogScale::mean(&[
            OralLogScale::new(-2.0, 0.0, -3.0),
            OralLogScale::new(-3.0, 1.0, -4.0),
        ]);
        assert_eq!(m, Some(OralLogScale::new(-2.5, 0.5, -3.5)));
    }
}
