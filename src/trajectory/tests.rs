//! Unit tests of the trajectory's interval endpoints.

use crate::prelude::*;
use crate::trajectory::LookupError;

/// A tumor growing as `1e6·exp(0.1·t)` on a grid of half days over [0, 10].
fn growing() -> (Trajectory, StateId<Tumor>) {
    let mut b = ModelBuilder::new();
    let tumor = b
        .tumor(TumorSpec::new("tumor", 1e6, Exponential { rate: 0.1 }))
        .unwrap();
    let model = b.build().unwrap();
    let times: Vec<f64> = (0..=20).map(|i| f64::from(i) / 2.0).collect();
    let options = SolverOptions::default();
    let traj = simulate(&model, &Regimen::new("none"), &times, &options).unwrap();
    (traj, tumor)
}

#[test]
fn area_between_is_the_trapezoid_sum_over_the_rows_in_the_interval() {
    let (traj, tumor) = growing();
    let rows: Vec<(f64, f64)> = traj
        .times()
        .iter()
        .zip(traj.column(tumor).unwrap().iter())
        .filter(|(t, _)| (2.0..=5.0).contains(*t))
        .map(|(t, v)| (*t, v))
        .collect();
    let expected: f64 = rows
        .windows(2)
        .map(|w| 0.5 * (w[1].0 - w[0].0) * (w[0].1 + w[1].1))
        .sum();
    assert_eq!(traj.area_between(tumor, 2.0, 5.0).unwrap(), expected);
    // ∫₂⁵ 1e6·e^{0.1t} dt = 1e7·(e^{0.5} − e^{0.2}); the half-day trapezoid is within 0.03 %.
    let exact = 1e7 * (0.5f64.exp() - 0.2f64.exp());
    assert!((expected / exact - 1.0).abs() < 3e-4);
    let between_rows = traj.area_between(tumor, 2.2, 2.4);
    assert!(
        matches!(between_rows, Err(LookupError::InvalidInterval { t0, t1, .. }) if (t0, t1) == (2.2, 2.4)),
        "{between_rows:?}"
    );
    for (t0, t1) in [(5.0, 2.0), (f64::NAN, 5.0), (2.0, f64::INFINITY)] {
        assert!(matches!(
            traj.area_between(tumor, t0, t1),
            Err(LookupError::InvalidInterval { .. })
        ));
    }
}

#[test]
fn peak_between_is_the_largest_row_in_the_interval() {
    let (traj, tumor) = growing();
    let peak = traj.peak_between(tumor, 2.0, 5.0).unwrap();
    assert_eq!(peak, traj.value_at(5.0, tumor).unwrap());
    assert!(matches!(
        traj.peak_between(tumor, 2.2, 2.4),
        Err(LookupError::InvalidInterval { .. })
    ));
    // One row is enough for a peak.
    assert_eq!(
        traj.peak_between(tumor, 2.0, 2.0).unwrap(),
        traj.value_at(2.0, tumor).unwrap()
    );
}
