//! DOP853: the Dormand–Prince 8(5,3) pair (Prince & Dormand 1981; Hairer, Nørsett & Wanner,
//! Solving ODEs I, II.5 and the Fortran code `DOP853`). The 8th-order solution is propagated;
//! the error estimate combines the 5th- and 3rd-order embedded solutions,
//! `err = |h|·E5²/√(n·(E5² + 0.01·E3²))`. Coefficients as published with `DOP853` (30 digits,
//! rounded to `f64` by the compiler).
#![allow(clippy::excessive_precision, clippy::unreadable_literal)]

use super::{combine, distance_squared, dot, Pair, State, Workspace};

/// Nodes `c_i` of stages 2 to 11; stage 12 is at `c12 = 1`.
const C2: f64 = 0.526001519587677318785587544488E-01;
const C3: f64 = 0.789002279381515978178381316732E-01;
const C4: f64 = 0.118350341907227396726757197510E+00;
const C5: f64 = 0.281649658092772603273242802490E+00;
const C6: f64 = 0.333333333333333333333333333333E+00;
const C7: f64 = 0.25E+00;
const C8: f64 = 0.307692307692307692307692307692E+00;
const C9: f64 = 0.651282051282051282051282051282E+00;
const C10: f64 = 0.6E+00;
const C11: f64 = 0.857142857142857142857142857142E+00;
/// Row `a_2j` of the coupling coefficients: the weights of stage 1.
const A2: [f64; 1] = [5.26001519587677318785587544488E-2];
/// Row `a_3j`: the weights of stages 1, 2.
const A3: [f64; 2] = [
    1.97250569845378994544595329183E-2,
    5.91751709536136983633785987549E-2,
];
/// Row `a_4j`: the weights of stages 1, 3.
const A4: [f64; 2] = [
    2.95875854768068491816892993775E-2,
    8.87627564304205475450678981324E-2,
];
/// Row `a_5j`: the weights of stages 1, 3, 4.
const A5: [f64; 3] = [
    2.41365134159266685502369798665E-1,
    -8.84549479328286085344864962717E-1,
    9.24834003261792003115737966543E-1,
];
/// Row `a_6j`: the weights of stages 1, 4, 5.
const A6: [f64; 3] = [
    3.7037037037037037037037037037E-2,
    1.70828608729473871279604482173E-1,
    1.25467687566822425016691814123E-1,
];
/// Row `a_7j`: the weights of stages 1, 4, 5, 6.
const A7: [f64; 4] = [
    3.7109375E-2,
    1.70252211019544039314978060272E-1,
    6.02165389804559606850219397283E-2,
    -1.7578125E-2,
];
/// Row `a_8j`: the weights of stages 1, 4, 5, 6, 7.
const A8: [f64; 5] = [
    3.70920001185047927108779319836E-2,
    1.70383925712239993810214054705E-1,
    1.07262030446373284651809199168E-1,
    -1.53194377486244017527936158236E-2,
    8.27378916381402288758473766002E-3,
];
/// Row `a_9j`: the weights of stages 1, 4, 5, 6, 7, 8.
const A9: [f64; 6] = [
    6.24110958716075717114429577812E-1,
    -3.36089262944694129406857109825E0,
    -8.68219346841726006818189891453E-1,
    2.75920996994467083049415600797E1,
    2.01540675504778934086186788979E1,
    -4.34898841810699588477366255144E1,
];
/// Row `a_10j`: the weights of stages 1, 4, 5, 6, 7, 8, 9.
const A10: [f64; 7] = [
    4.77662536438264365890433908527E-1,
    -2.48811461997166764192642586468E0,
    -5.90290826836842996371446475743E-1,
    2.12300514481811942347288949897E1,
    1.52792336328824235832596922938E1,
    -3.32882109689848629194453265587E1,
    -2.03312017085086261358222928593E-2,
];
/// Row `a_11j`: the weights of stages 1, 4, 5, 6, 7, 8, 9, 10.
const A11: [f64; 8] = [
    -9.3714243008598732571704021658E-1,
    5.18637242884406370830023853209E0,
    1.09143734899672957818500254654E0,
    -8.14978701074692612513997267357E0,
    -1.85200656599969598641566180701E1,
    2.27394870993505042818970056734E1,
    2.49360555267965238987089396762E0,
    -3.0467644718982195003823669022E0,
];
/// Row `a_12j`: the weights of stages 1, 4, 5, 6, 7, 8, 9, 10, 11.
const A12: [f64; 9] = [
    2.27331014751653820792359768449E0,
    -1.05344954667372501984066689879E1,
    -2.00087205822486249909675718444E0,
    -1.79589318631187989172765950534E1,
    2.79488845294199600508499808837E1,
    -2.85899827713502369474065508674E0,
    -8.87285693353062954433549289258E0,
    1.23605671757943030647266201528E1,
    6.43392746015763530355970484046E-1,
];
/// The 8th-order weights `b` of stages 1, 6, 7, 8, 9, 10, 11, 12.
const B: [f64; 8] = [
    5.42937341165687622380535766363E-2,
    4.45031289275240888144113950566E0,
    1.89151789931450038304281599044E0,
    -5.8012039600105847814672114227E0,
    3.1116436695781989440891606237E-1,
    -1.52160949662516078556178806805E-1,
    2.01365400804030348374776537501E-1,
    4.47106157277725905176885569043E-2,
];
/// The 5th-order error weights of stages 1, 6, 7, 8, 9, 10, 11, 12.
const E5: [f64; 8] = [
    0.1312004499419488073250102996E-01,
    -0.1225156446376204440720569753E+01,
    -0.4957589496572501915214079952E+00,
    0.1664377182454986536961530415E+01,
    -0.3503288487499736816886487290E+00,
    0.3341791187130174790297318841E+00,
    0.8192320648511571246570742613E-01,
    -0.2235530786388629525884427845E-01,
];
/// The 3rd-order error weights `bhh` of stages 1, 9, 12 (subtracted from `b`).
const BHH: [f64; 3] = [
    0.244094488188976377952755905512E+00,
    0.733846688281611857341361741547E+00,
    0.220588235294117647058823529412E-01,
];

/// The Dormand–Prince 8(5,3) pair.
pub(crate) struct Dop853;

impl Pair for Dop853 {
    /// Stages 1–12 and the rates at the new state.
    const BUFFERS: usize = 13;
    /// The 13th buffer, the rates at the new state, is only written after an acceptance.
    const NODES: &'static [f64] = &[0.0, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, 1.0];
    const ORDER: f64 = 8.0;
    /// DOP853's `EXPO1 = 1/8`, with no PI term (`BETA = 0`).
    const ALPHA: f64 = 1.0 / 8.0;
    /// DOP853's default `BETA = 0`.
    const BETA: f64 = 0.0;
    /// DOP853's `FAC1 = 0.333`: a step shrinks at most threefold.
    const FAC_MIN: f64 = 0.333;
    /// DOP853's `FAC2 = 6`: a step grows at most sixfold.
    const FAC_MAX: f64 = 6.0;
    /// DOP853's stiffness bound `h·|λ| > 6.1`.
    const STIFF_THRESHOLD: f64 = 6.1;
    const STAGE_EVALUATIONS: u64 = 11;
    const ACCEPT_EVALUATIONS: u64 = 1;

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
            atol,
            k,
            ..
        } = ws;
        combine(stage, y, h, A2, [&k[0]]);
        f(t + C2 * h, stage.as_ref(), k[1].as_mut());
        combine(stage, y, h, A3, [&k[0], &k[1]]);
        f(t + C3 * h, stage.as_ref(), k[2].as_mut());
        combine(stage, y, h, A4, [&k[0], &k[2]]);
        f(t + C4 * h, stage.as_ref(), k[3].as_mut());
        combine(stage, y, h, A5, [&k[0], &k[2], &k[3]]);
        f(t + C5 * h, stage.as_ref(), k[4].as_mut());
        combine(stage, y, h, A6, [&k[0], &k[3], &k[4]]);
        f(t + C6 * h, stage.as_ref(), k[5].as_mut());
        combine(stage, y, h, A7, [&k[0], &k[3], &k[4], &k[5]]);
        f(t + C7 * h, stage.as_ref(), k[6].as_mut());
        combine(stage, y, h, A8, [&k[0], &k[3], &k[4], &k[5], &k[6]]);
        f(t + C8 * h, stage.as_ref(), k[7].as_mut());
        combine(stage, y, h, A9, [&k[0], &k[3], &k[4], &k[5], &k[6], &k[7]]);
        f(t + C9 * h, stage.as_ref(), k[8].as_mut());
        combine(
            stage,
            y,
            h,
            A10,
            [&k[0], &k[3], &k[4], &k[5], &k[6], &k[7], &k[8]],
        );
        f(t + C10 * h, stage.as_ref(), k[9].as_mut());
        combine(
            stage,
            y,
            h,
            A11,
            [&k[0], &k[3], &k[4], &k[5], &k[6], &k[7], &k[8], &k[9]],
        );
        f(t + C11 * h, stage.as_ref(), k[10].as_mut());
        combine(
            stage,
            y,
            h,
            A12,
            [
                &k[0], &k[3], &k[4], &k[5], &k[6], &k[7], &k[8], &k[9], &k[10],
            ],
        );
        f(t + h, stage.as_ref(), k[11].as_mut());

        let ks = [&k[0], &k[5], &k[6], &k[7], &k[8], &k[9], &k[10], &k[11]];
        combine(y_new, y, h, B, ks);
        let ks = ks.map(|k| k.as_ref());
        let (k1, k9, k12) = (k[0].as_ref(), k[8].as_ref(), k[11].as_ref());
        let (y, y_new, atol) = (y.as_ref(), y_new.as_ref(), atol.as_ref());
        let (mut e5, mut e3) = (0.0, 0.0);
        for (i, ((yi, yn), a)) in y.iter().zip(y_new).zip(atol).enumerate() {
            let sc = a + rtol * yi.abs().max(yn.abs());
            let a = dot(i, &E5, &ks) / sc;
            let b = (dot(i, &B, &ks) - BHH[0] * k1[i] - BHH[1] * k9[i] - BHH[2] * k12[i]) / sc;
            // A non-finite new state makes the norm NaN (∞·0), so the step is rejected.
            e5 += a * a + yn * 0.0;
            e3 += b * b;
        }
        let mut deno = e5 + 0.01 * e3;
        if deno <= 0.0 {
            deno = 1.0;
        }
        h.abs() * e5 * (1.0 / (deno * y.len() as f64)).sqrt()
    }

    fn accept<V: State, F: FnMut(f64, &[f64], &mut [f64])>(
        f: &mut F,
        t: f64,
        h: f64,
        ws: &mut Workspace<V>,
        stiffness: bool,
    ) -> f64 {
        f(t + h, ws.y_new.as_ref(), ws.k[12].as_mut());
        let h_lambda = if stiffness {
            let den = distance_squared(&ws.y_new, &ws.stage);
            if den > 0.0 {
                h * (distance_squared(&ws.k[12], &ws.k[11]) / den).sqrt()
            } else {
                0.0
            }
        } else {
            0.0
        };
        ws.k.swap(0, 12);
        h_lambda
    }
}
