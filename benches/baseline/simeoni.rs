//! `pk_tgi_simeoni` (PROBLEMS.md problem 2): the Simeoni 2004 tumor-growth-inhibition model
//! driven by one-compartment IV-bolus PK.
//!
//! ```text
//! dA/dt  = −k·A                                   drug amount (mg), C = A/V (mg/L)
//! dx1/dt = λ0·x1 / [1 + (λ0/λ1 · w)^ψ]^(1/ψ) − k2·C·x1
//! dx2/dt = k2·C·x1 − k1·x2
//! dx3/dt = k1·(x2 − x3)
//! dx4/dt = k1·(x3 − x4)
//! w      = x1 + x2 + x3 + x4                      tumor weight (g)
//! ```
//!
//! λ0 = 0.273 1/d, λ1 = 0.814 g/d, ψ = 20, k1 = 0.5 1/d, k2 = 0.01 L/(mg·d), V = 1 L,
//! k = 2 1/d; x1(0) = 0.1 g, the rest 0; 20 mg boluses into A at 9, 11 and 13 d; daily
//! outputs 0..40 d. States in oncodyn's order: `x1, x2, x3, x4` (g), then `A` (mg).

use super::{Bolus, Method, Problem, Rates};
use oncodyn::model::catalog::SimeoniParams;

/// Number of states.
pub const N: usize = 5;

/// Problem 2's parameter values.
pub const PARAMS: SimeoniParams = SimeoniParams {
    lambda0: 0.273,
    lambda1: 0.814,
    psi: 20.0,
    k1: 0.5,
    k2: 0.01,
    volume: 1.0,
    elimination: 2.0,
    w0: 0.1,
};

/// Problem 2's boluses: `(time d, amount mg)` into `A`.
pub const DOSES: [(f64, f64); 3] = [(9.0, 20.0), (11.0, 20.0), (13.0, 20.0)];

/// The right-hand side with its constants folded.
#[derive(Clone, Copy, Debug)]
pub struct Rhs {
    lambda0: f64,
    lambda0_over_lambda1: f64,
    psi: f64,
    inv_psi: f64,
    k1: f64,
    k2_over_v: f64,
    k: f64,
}

impl Rhs {
    /// The right-hand side of problem 2 with parameters `p`.
    pub fn new(p: &SimeoniParams) -> Self {
        Rhs {
            lambda0: p.lambda0,
            lambda0_over_lambda1: p.lambda0 / p.lambda1,
            psi: p.psi,
            inv_psi: 1.0 / p.psi,
            k1: p.k1,
            k2_over_v: p.k2 / p.volume,
            k: p.elimination,
        }
    }

    /// `dy = f(y)`, states in oncodyn's order.
    #[inline(always)]
    pub fn eval(&self, y: &[f64], dy: &mut [f64]) {
        let (x1, x2, x3, x4, a) = (y[0], y[1], y[2], y[3], y[4]);
        let w = x1 + x2 + x3 + x4;
        let growth = self.lambda0 * x1
            / (1.0 + (self.lambda0_over_lambda1 * w).powf(self.psi)).powf(self.inv_psi);
        let kill = self.k2_over_v * a * x1;
        dy[0] = growth - kill;
        dy[1] = kill - self.k1 * x2;
        dy[2] = self.k1 * (x2 - x3);
        dy[3] = self.k1 * (x3 - x4);
        dy[4] = -self.k * a;
    }
}

impl Rates<N> for Rhs {
    /// Boluses only: no inputs.
    #[inline(always)]
    fn rates(&self, y: &[f64; N], _inputs: &[f64; N], dy: &mut [f64; N]) {
        self.eval(y, dy);
    }
}

/// Problem 2 at `rtol` and a uniform `atol` (g and mg), Dopri5.
pub fn problem(times: Vec<f64>, rtol: f64, atol: f64) -> Problem<N> {
    let p = PARAMS;
    Problem {
        y0: [p.w0, 0.0, 0.0, 0.0, 0.0],
        times,
        boluses: DOSES
            .iter()
            .map(|&(time, amount)| Bolus {
                time,
                state: 4,
                amount,
            })
            .collect(),
        infusions: Vec::new(),
        method: Method::Dopri5,
        rtol,
        atol,
        stiffness_test: true,
    }
}
