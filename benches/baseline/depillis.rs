//! `immune_depillis` (PROBLEMS.md problem 3): the tumor–NK–CD8⁺–lymphocyte–chemotherapy model
//! of de Pillis, Gu & Radunskaya (J Theor Biol 2006;238:841), patient 9, IL-2 and TIL inputs
//! off.
//!
//! ```text
//! D     = d·(L/T)^l / (s + (L/T)^l)
//! dT/dt = a·T·(1 − b·T) − c·N·T − D·T − K_T·(1 − e^(−M))·T
//! dN/dt = e·C − f·N + g·T²/(h + T²)·N − p·N·T − K_N·(1 − e^(−M))·N
//! dL/dt = −m·L + j·(D·T)²/(k + (D·T)²)·L − q·L·T + (r1·N + r2·C)·T − u·N·L²
//!         − K_L·(1 − e^(−M))·L
//! dC/dt = α − β·C − K_C·(1 − e^(−M))·C
//! dM/dt = −γ·M + v_M(t)
//! ```
//!
//! Values in [`Rhs::patient_9`]; T(0) = 1e8, N(0) = 1e5, L(0) = 1e2, C(0) = 6e10 cells, M(0) = 0;
//! v_M = 1 per day on [10i, 10i + 1), i = 0..9; daily outputs 0..100 d. NK cells fall to ~1
//! cell on a ~3e-4 d time scale, so explicit steps are short. States in oncodyn's order:
//! `T, N, L, C` (cells), then `M`.

use super::{Infusion, Method, Problem, Rates};

/// Number of states.
pub const N: usize = 5;

/// The right-hand side with its constants folded (`a·b`, and the chemotherapy kills as
/// `K·(1 − e^(−M))` from one exponential).
#[derive(Clone, Copy, Debug)]
pub struct Rhs {
    a: f64,
    ab: f64,
    c: f64,
    d: f64,
    l: f64,
    s: f64,
    e: f64,
    f: f64,
    g: f64,
    h: f64,
    p: f64,
    m: f64,
    j: f64,
    k: f64,
    q: f64,
    r1: f64,
    r2: f64,
    u: f64,
    alpha: f64,
    beta: f64,
    gamma: f64,
    kt: f64,
    kn: f64,
    kl: f64,
    kc: f64,
}

impl Rhs {
    /// Patient 9's values (PROBLEMS.md problem 3).
    pub fn patient_9() -> Self {
        let (a, b) = (4.31e-1, 1.02e-9);
        Rhs {
            a,
            ab: a * b,
            c: 6.41e-11,
            d: 2.34,
            l: 2.09,
            s: 8.39e-2,
            e: 2.08e-7,
            f: 4.12e-2,
            g: 1.25e-2,
            h: 2.02e7,
            p: 3.42e-6,
            m: 2.04e-1,
            j: 2.49e-2,
            k: 3.66e7,
            q: 1.42e-6,
            r1: 1.1e-7,
            r2: 6.5e-11,
            u: 3.0e-10,
            alpha: 7.5e8,
            beta: 1.2e-2,
            gamma: 9.0e-1,
            kt: 9.0e-1,
            kn: 6.0e-1,
            kl: 6.0e-1,
            kc: 6.0e-1,
        }
    }
}

impl Rates<N> for Rhs {
    /// The chemotherapy infusion enters `M`.
    #[inline(always)]
    fn rates(&self, y: &[f64; N], inputs: &[f64; N], dy: &mut [f64; N]) {
        let (t, n, l, c, m) = (y[0], y[1], y[2], y[3], y[4]);
        let ratio = (l / t).powf(self.l);
        let dt = self.d * ratio / (self.s + ratio) * t;
        let kill = 1.0 - (-m).exp();
        let t2 = t * t;
        dy[0] = t * (self.a - self.ab * t - self.c * n - self.kt * kill) - dt;
        dy[1] =
            self.e * c + n * (self.g * t2 / (self.h + t2) - self.f - self.p * t - self.kn * kill);
        dy[2] = l
            * (self.j * dt * dt / (self.k + dt * dt)
                - self.m
                - self.q * t
                - self.u * n * l
                - self.kl * kill)
            + (self.r1 * n + self.r2 * c) * t;
        dy[3] = self.alpha - c * (self.beta + self.kc * kill);
        dy[4] = inputs[4] - self.gamma * m;
    }
}

/// Problem 3 at `rtol` and a uniform `atol` (cells and M), Dopri5, stiffness test off.
pub fn problem(times: Vec<f64>, rtol: f64, atol: f64) -> Problem<N> {
    Problem {
        y0: [1e8, 1e5, 1e2, 6e10, 0.0],
        times,
        boluses: Vec::new(),
        infusions: (0..10)
            .map(|i| {
                let start = 10.0 * f64::from(i);
                Infusion {
                    start,
                    end: start + 1.0,
                    state: 4,
                    rate: 1.0,
                }
            })
            .collect(),
        method: Method::Dopri5,
        rtol,
        atol,
        stiffness_test: false,
    }
}
