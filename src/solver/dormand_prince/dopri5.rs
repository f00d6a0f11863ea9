//! DOPRI5: the Dormand–Prince 5(4) pair with the first-same-as-last property (Dormand & Prince
//! 1980; Hairer, Nørsett & Wanner, Solving ODEs I, Table II.5.2). The 5th-order solution is
//! propagated; the error is the difference to the embedded 4th-order one.

use super::{combine, distance_squared, dot, Pair, State, Workspace};

/// Nodes `c_i`.
const C2: f64 = 1.0 / 5.0;
const C3: f64 = 3.0 / 10.0;
const C4: f64 = 4.0 / 5.0;
const C5: f64 = 8.0 / 9.0;
/// Coupling coefficients `a_ij`, row by row (row 7 is the 5th-order weights `b`).
const A2: [f64; 1] = [1.0 / 5.0];
const A3: [f64; 2] = [3.0 / 40.0, 9.0 / 40.0];
const A4: [f64; 3] = [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0];
const A5: [f64; 4] = [
    19372.0 / 6561.0,
    -25360.0 / 2187.0,
    64448.0 / 6561.0,
    -212.0 / 729.0,
];
const A6: [f64; 5] = [
    9017.0 / 3168.0,
    -355.0 / 33.0,
    46732.0 / 5247.0,
    49.0 / 176.0,
    -5103.0 / 18656.0,
];
/// `b` (with `b2 = 0` left out): weights of stages 1, 3, 4, 5, 6.
const B: [f64; 5] = [
    35.0 / 384.0,
    500.0 / 1113.0,
    125.0 / 192.0,
    -2187.0 / 6784.0,
    11.0 / 84.0,
];
/// `b − b̂` of stages 1, 3, 4, 5, 6, 7: the error estimate's weights.
const E: [f64; 6] = [
    71.0 / 57600.0,
    -71.0 / 16695.0,
    71.0 / 1920.0,
    -17253.0 / 339200.0,
    22.0 / 525.0,
    -1.0 / 40.0,
];

/// The Dormand–Prince 5(4) pair.
pub(crate) struct Dopri5;

impl Pair for Dopri5 {
    const BUFFERS: usize = 7;
    const NODES: &'static [f64] = &[0.0, C2, C3, C4, C5, 1.0, 1.0];
    const ORDER: f64 = 5.0;
    /// DOPRI5's `EXPO1 = 0.2 − BETA·0.75`: Hairer & Wanner's stabilised PI controller.
    const ALPHA: f64 = 0.2 - 0.04 * 0.75;
    /// DOPRI5's default `BETA = 0.04`.
    const BETA: f64 = 0.04;
    /// DOPRI5's `FAC1 = 0.2`: a step shrinks at most fivefold.
    const FAC_MIN: f64 = 0.2;
    /// DOPRI5's `FAC2 = 10`: a step grows at most tenfold.
    const FAC_MAX: f64 = 10.0;
    /// DOPRI5's stiffness bound `h·|λ| > 3.25` (the edge of the method's stability region).
    const STIFF_THRESHOLD: f64 = 3.25;
    const STAGE_EVALUATIONS: u64 = 6;
    const ACCEPT_EVALUATIONS: u64 = 0;

    fn attempt<V: State, F: FnMut(f64, &[f64], &mut [f64])>(
        f: &mut F,
        t: f64,
        h: f64,
        ws: &mut Workspace<V>,
        rtol: f64,
    ) -> f64 {
        let Workspace {
            y,
            y_new,
            stage,
            spare,
            atol,
            k,
        } = ws;
        combine(stage, y, h, A2, [&k[0]]);
        f(t + C2 * h, stage.as_ref(), k[1].as_mut());
        combine(stage, y, h, A3, [&k[0], &k[1]]);
        f(t + C3 * h, stage.as_ref(), k[2].as_mut());
        combine(stage, y, h, A4, [&k[0], &k[1], &k[2]]);
        f(t + C4 * h, stage.as_ref(), k[3].as_mut());
        combine(stage, y, h, A5, [&k[0], &k[1], &k[2], &k[3]]);
        f(t + C5 * h, stage.as_ref(), k[4].as_mut());
        // Stage 6's input is kept (in `spare`) for the stiffness test.
        combine(spare, y, h, A6, [&k[0], &k[1], &k[2], &k[3], &k[4]]);
        f(t + h, spare.as_ref(), k[5].as_mut());
        combine(y_new, y, h, B, [&k[0], &k[2], &k[3], &k[4], &k[5]]);
        f(t + h, y_new.as_ref(), k[6].as_mut());
        let ks = [&k[0], &k[2], &k[3], &k[4], &k[5], &k[6]].map(|k| k.as_ref());
        let (y, y_new, atol) = (y.as_ref(), y_new.as_ref(), atol.as_ref());
        let mut sum = 0.0;
        for (i, ((yi, yn), a)) in y.iter().zip(y_new).zip(atol).enumerate() {
            let sc = a + rtol * yi.abs().max(yn.abs());
            let e = h * dot(i, &E, &ks) / sc;
            // A non-finite new state makes the norm NaN (∞·0), so the step is rejected.
            sum += e * e + yn * 0.0;
        }
        (sum / y.len() as f64).sqrt()
    }

    fn accept<V: State, F: FnMut(f64, &[f64], &mut [f64])>(
        _f: &mut F,
        _t: f64,
        h: f64,
        ws: &mut Workspace<V>,
        stiffness: bool,
    ) -> f64 {
        let h_lambda = if stiffness {
            let den = distance_squared(&ws.y_new, &ws.spare);
            if den > 0.0 {
                h * (distance_squared(&ws.k[6], &ws.k[5]) / den).sqrt()
            } else {
                0.0
            }
        } else {
            0.0
        };
        // First same as last: stage 7 is the next step's stage 1.
        ws.k.swap(0, 6);
        h_lambda
    }
}
