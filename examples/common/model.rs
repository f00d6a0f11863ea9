//! The tumor–CTL–MDSC model with anti-PD-1, chemotherapy and radiotherapy shared by the
//! `compare_schedules` and `regimens` examples (included by each with `#[path]`).
//!
//! The model joins published pieces (their provenance is noted at each parameter):
//!
//! ```text
//! tumor T:  dT/dt = a·T·(1 − T/K) − n·E·T·φ(S)·(1 + E_pd1(C1)) − E_chemo(C2)·T
//!           each radiotherapy fraction of d Gy: T → T·exp(−α·d − β·d²)
//! CTLs E:   dE/dt = s − d·E + p·T/(g + T)·E − m·E·T − L_chemo(C2)·E
//! MDSCs S:  dS/dt = σ − β_S·S + α_S·T/(q + T)
//! φ(S) = 1 − Imax·S/(S50 + S)                       suppression of CTL killing
//! anti-PD-1: two-compartment PK (pembrolizumab), E_pd1 = Emax·C1/(EC50 + C1), dimensionless
//! chemo:     one-compartment PK, E_chemo = K_T·(1 − exp(−k·C2)),
//!            L_chemo = K_L·(1 − exp(−k·C2)), both 1/day
//! ```
//!
//! Tumor and CTLs are Kuznetsov et al. 1994, whose tumor is bistable: below a threshold the CTLs
//! hold it dormant, above it the tumor escapes. MDSCs (Shariatpanahi et al. 2018) grow with the
//! tumor and weaken the kill, so the threshold falls as the tumor grows. Chemotherapy and
//! radiotherapy can push the tumor below the threshold, but chemotherapy also kills CTLs (de
//! Pillis et al. 2006); anti-PD-1 strengthens the kill. Arms therefore differ by *when* each
//! treatment acts, not only by how much is given. The parameters are illustrative (taken from
//! mouse and human models and not fitted together): the point is the shape of a comparison, not
//! a prediction for patients.

use oncodyn::prelude::*;

/// Name of the tumor.
pub const TUMOR: &str = "tumor";
/// Name of the CTL population.
pub const CTL: &str = "ctl";
/// Name of the antibody in the model and in doses.
pub const ANTI_PD1: &str = "anti_pd1";
/// Name of the chemotherapy in the model and in doses.
pub const CHEMO: &str = "chemo";
/// Anti-PD-1 dose: 200 mg (pembrolizumab's flat dose), mg.
pub const ANTI_PD1_MG: f64 = 200.0;
/// Anti-PD-1 infusion duration, days (30 minutes).
pub const ANTI_PD1_INFUSION_DAYS: f64 = 0.5 / 24.0;
/// Linear-quadratic radiosensitivity of the tumor: α, 1/Gy.
pub const ALPHA: f64 = 0.3;
/// Linear-quadratic radiosensitivity of the tumor: β, 1/Gy².
pub const BETA: f64 = 0.03;

/// The model (see the module docs). Radiotherapy kills tumor cells at once (no damaged-cell
/// transit chain); CTLs and MDSCs are not irradiated (a local field spares most circulating
/// cells).
pub fn build() -> Result<Model, oncodyn::Error> {
    let mut b = ModelBuilder::new();

    // Tumor: logistic growth, Kuznetsov et al. 1994 (immune.md §1, BIOMD0000000762):
    // a = 0.18 1/day, K = 1/b = 5e8 cells. It starts at 1e8 cells, above Kuznetsov's escape
    // threshold (≈ 6.4e7 cells with CTLs at s/d and no MDSCs, immune.md §1).
    // Radiosensitivity α = 0.3 1/Gy, β = 0.03 1/Gy²: α/β = 10 Gy, the conventional planning
    // value for tumors (a textbook convention, pkpd.md §7; site-by-site clinical estimates vary
    // widely, van Leeuwen et al. 2018), with S(2 Gy) = exp(−0.72) = 0.487.
    let tumor = b.tumor(
        TumorSpec::new(
            TUMOR,
            1e8,
            Logistic {
                rate: 0.18,
                capacity: 5e8,
            },
        )
        .with_radiosensitivity(ALPHA, BETA),
    )?;

    // CTLs, Kuznetsov et al. 1994: source s = 1.3e4 cells/day, death d = 0.0412 1/day, starting
    // at their tumor-free level s/d = 3.155e5 cells.
    let ctl = b.effector(CellSpec {
        name: CTL.into(),
        initial: 1.3e4 / 0.0412,
        source: 1.3e4,
        death: 0.0412,
        ..Default::default()
    })?;
    // Tumor-stimulated expansion p·T/(g + T)·E: p = 0.1245 1/day, g = 2.019e7 cells (Kuznetsov).
    b.recruit(tumor, ctl, Recruitment::expansion(0.1245, 2.019e7))?;
    // Inactivation by tumor contact m·E·T: m = 3.422e-10 1/(cell·day) (Kuznetsov).
    b.inactivate(tumor, ctl, 3.422e-10)?;
    // Kill n·E·T: n = 1.101e-7 1/(cell·day) (Kuznetsov).
    b.kill(ctl, tumor, MassAction { rate: 1.101e-7 })?;

    // MDSCs, Shariatpanahi et al. 2018 (mechanisms.md §2c, MODEL1909090003): death β_S = 0.25
    // 1/day and source σ = 0.25·M_min = 1.25e6 cells/day, so 5e6 cells (M_min) without tumor.
    let mdsc = b.suppressor(CellSpec {
        name: "mdsc".into(),
        initial: 5e6,
        source: 1.25e6,
        death: 0.25,
        ..Default::default()
    })?;
    // Tumor-driven influx α_S·T/(q + T): α_S = 1.2e8 cells/day, q = 1e10 cells (Shariatpanahi).
    b.recruit(tumor, mdsc, Recruitment::influx(1.2e8, 1e10))?;
    // Suppression of the CTL kill by 1 − Imax·S/(S50 + S). Imax = 0.82 = 1 − S_min of
    // Shariatpanahi's S(M) (S_min = 0.18). S50 = 2e7 cells (4·M_min) is chosen so that MDSCs
    // at their tumor-free level damp the kill by 16 % and a tumor near capacity by about half;
    // Shariatpanahi's own γ makes the switch at ~M_min + 100 cells, a scaling we do not copy.
    b.suppress(
        mdsc,
        ctl,
        SuppressedRate::Kill,
        Inhibition {
            imax: 0.82,
            s50: 2e7,
        },
    )?;

    // Anti-PD-1: pembrolizumab two-compartment PK, Ahamadi et al. 2017 Table 3 (pkpd.md §5.1):
    // CL = 0.22 L/day, V1 = 3.48 L, Q = 0.795 L/day, V2 = 4.06 L.
    let anti_pd1 = b.drug(DrugSpec::new(
        ANTI_PD1,
        TwoCompartment {
            cl: 0.22,
            v1: 3.48,
            q: 0.795,
            v2: 4.06,
        },
    ))?;
    // CTL kill multiplied by 1 + Emax·C/(EC50 + C), dimensionless. No published receptor-
    // occupancy EC50 was verified (pkpd.md §5.4): EC50 = 5 mg/L is chosen so that the effect
    // stays above 70 % of Emax at the first trough (12.7 mg/L, pkpd.md §5.1) and wanes over ~2
    // months after the last dose. Emax = 1.5 (kill at most ×2.5) is chosen so that anti-PD-1
    // alone shrinks the typical tumor but does not eradicate it: it relapses once the antibody
    // washes out.
    b.effect(
        anti_pd1,
        Target::EffectorKill(ctl),
        Emax {
            emax: 1.5,
            ec50: 5.0,
        },
    )?;

    // Chemotherapy: one compartment with elimination k = CL/V = 0.9 1/day (t½ = 0.77 day), the
    // drug decay γ of de Pillis et al. 2006 (immune.md §2b). V = 15 L is nominal (CL = 13.5
    // L/day); one de Pillis "drug unit" is read as 1 mg/L, so 75 mg over 1 day reproduces their
    // input v_M = 5 units/day for one day.
    let chemo = b.drug(DrugSpec::new(CHEMO, OneCompartment { cl: 13.5, v: 15.0 }))?;
    // Tumor kill K_T·(1 − exp(−k·C)): K_T = 0.9 1/day (de Pillis 2006), k = 1 L/mg (one unit).
    b.effect(
        chemo,
        Target::TumorKill(tumor),
        ExpKill { emax: 0.9, k: 1.0 },
    )?;
    // Lymphotoxicity, CTL death K_L·(1 − exp(−k·C)): K_L = 0.6 1/day (de Pillis 2006).
    b.effect(
        chemo,
        Target::EffectorDeath(ctl),
        ExpKill { emax: 0.6, k: 1.0 },
    )?;

    Ok(b.build()?)
}
