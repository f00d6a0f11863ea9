//! `tmdd_stiff` (PROBLEMS.md problem 4): full target-mediated drug disposition with fast
//! binding.
//!
//! ```text
//! b     = kon·L·R − koff·P
//! dL/dt = −kel·L − b             free drug (nM)
//! dR/dt = ksyn − kdeg·R − b      free target (nM)
//! dP/dt = b − kint·P             drug–target complex (nM)
//! ```
//!
//! kel = 0.2 1/d, kon = 1000 1/(nM·d), koff = 1 1/d, ksyn = 1 nM/d, kdeg = 0.1 1/d,
//! kint = 0.5 1/d; L(0⁻) = 0, R(0) = 10 nM, P(0) = 0; 10 nM boluses into L at 0, 14 and
//! 28 d; outputs daily to 56 d plus 25 log-spaced offsets (1e-6 … 1 d) after each dose. Stiff:
//! |λ| up to 2e4 1/d, so explicit steps are stability-limited. States in oncodyn's order:
//! `L`, `R`, `P`.

use super::{Bolus, Method, Problem, Rates};

/// Number of states.
pub const N: usize = 3;

/// kel, 1/d.
pub const KEL: f64 = 0.2;
/// kon, 1/(nM·d).
pub const KON: f64 = 1000.0;
/// koff, 1/d.
pub const KOFF: f64 = 1.0;
/// ksyn, nM/d.
pub const KSYN: f64 = 1.0;
/// kdeg, 1/d.
pub const KDEG: f64 = 0.1;
/// kint, 1/d.
pub const KINT: f64 = 0.5;
/// Bolus times, d (10 nM each).
pub const DOSE_TIMES: [f64; 3] = [0.0, 14.0, 28.0];
/// Bolus amount, nM.
pub const DOSE: f64 = 10.0;

/// The right-hand side (nothing to fold: every constant is used as given).
#[derive(Clone, Copy, Debug, Default)]
pub struct Rhs;

impl Rates<N> for Rhs {
    /// Boluses only: no inputs.
    #[inline(always)]
    fn rates(&self, y: &[f64; N], _inputs: &[f64; N], dy: &mut [f64; N]) {
        let (l, r, p) = (y[0], y[1], y[2]);
        let b = KON * l * r - KOFF * p;
        dy[0] = -KEL * l - b;
        dy[1] = KSYN - KDEG * r - b;
        dy[2] = b - KINT * p;
    }
}

/// Problem 4 at `rtol` and a uniform `atol` (nM), Dopri5, stiffness test off.
pub fn problem(times: Vec<f64>, rtol: f64, atol: f64) -> Problem<N> {
    Problem {
        y0: [0.0, KSYN / KDEG, 0.0],
        times,
        boluses: DOSE_TIMES
            .iter()
            .map(|&time| Bolus {
                time,
                state: 0,
                amount: DOSE,
            })
            .collect(),
        infusions: Vec::new(),
        method: Method::Dopri5,
        rtol,
        atol,
        stiffness_test: false,
    }
}
