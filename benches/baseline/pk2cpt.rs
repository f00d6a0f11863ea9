//! `pk2cpt_q3w` (PROBLEMS.md problem 1): two-compartment IV antibody PK, a 30-minute infusion
//! every 3 weeks.
//!
//! ```text
//! dA1/dt = R(t) − (k10 + k12)·A1 + k21·A2       central amount (mg)
//! dA2/dt = k12·A1 − k21·A2                      peripheral amount (mg)
//! k10 = CL/V1,  k12 = Q/V1,  k21 = Q/V2
//! ```
//!
//! CL = 0.22 L/d, V1 = 3.48 L, Q = 0.795 L/d, V2 = 4.06 L; A1(0) = A2(0) = 0; 8 infusions of
//! 200 mg over 1/48 d (R = 9600 mg/d) starting at 21k d, k = 0..7; outputs 0, 0.5, …, 168 d
//! plus the infusion ends. States in oncodyn's order: `A1`, `A2`.

use super::{Infusion, Method, Problem, Rates};

/// Number of states.
pub const N: usize = 2;

/// CL, L/d.
pub const CL: f64 = 0.22;
/// V1, L.
pub const V1: f64 = 3.48;
/// Q, L/d.
pub const Q: f64 = 0.795;
/// V2, L.
pub const V2: f64 = 4.06;
/// Amount per infusion, mg.
pub const DOSE: f64 = 200.0;
/// Infusion duration, d.
pub const DURATION: f64 = 1.0 / 48.0;
/// Dosing interval, d.
pub const INTERVAL: f64 = 21.0;
/// Number of infusions.
pub const INFUSIONS: usize = 8;

/// The right-hand side with its constants folded: `k10 + k12`, `k12`, `k21`.
#[derive(Clone, Copy, Debug)]
pub struct Rhs {
    k_out: f64,
    k12: f64,
    k21: f64,
}

impl Rhs {
    /// Problem 1's right-hand side.
    pub fn problem_1() -> Self {
        Rhs {
            k_out: CL / V1 + Q / V1,
            k12: Q / V1,
            k21: Q / V2,
        }
    }
}

impl Rates<N> for Rhs {
    /// The infusion enters the central amount.
    #[inline(always)]
    fn rates(&self, y: &[f64; N], inputs: &[f64; N], dy: &mut [f64; N]) {
        let (a1, a2) = (y[0], y[1]);
        dy[0] = inputs[0] - self.k_out * a1 + self.k21 * a2;
        dy[1] = self.k12 * a1 - self.k21 * a2;
    }
}

/// Problem 1 at `rtol` and `atol` (mg) with `method`.
pub fn problem(times: Vec<f64>, method: Method, rtol: f64, atol: f64) -> Problem<N> {
    Problem {
        y0: [0.0; N],
        times,
        boluses: Vec::new(),
        infusions: (0..INFUSIONS)
            .map(|k| {
                let start = INTERVAL * k as f64;
                Infusion {
                    start,
                    end: start + DURATION,
                    state: 0,
                    rate: DOSE / DURATION,
                }
            })
            .collect(),
        method,
        rtol,
        atol,
        stiffness_test: true,
    }
}
