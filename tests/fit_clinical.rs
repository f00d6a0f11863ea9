//! Per-patient regression–growth fits of clinical lesion diameters
//! (`examples/fit_clinical.rs`, whose reader and problems this test shares) on the data of
//! Laleh et al. (2022), tests/data/clinical_lesion_diameter_laleh2022.csv, and the reader on
//! bad files.

use oncodyn::fit::FitOptions;
use std::path::PathBuf;

#[allow(dead_code)] // the example's `main` and printing this test does not call
#[path = "../examples/fit_clinical.rs"]
mod example;

use example::{fit_patients, read_patients, read_patients_from, Patient, Trend};

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/clinical_lesion_diameter_laleh2022.csv")
}

/// The sizes tests/data/SOURCE.md (from shared/data/SOURCE.md) states: 1461 patients, 8416
/// rows, 370 zero diameters, rows and patients per study and arm, rows per trend label.
#[test]
fn the_reader_reads_the_clinical_file() {
    let patients = read_patients(&data()).unwrap();
    let rows: usize = patients.iter().map(|p| p.scans.len()).sum();
    assert_eq!((patients.len(), rows), (1461, 8416));
    let zeros = patients
        .iter()
        .flat_map(|p| &p.scans)
        .filter(|s| s.1 == 0.0)
        .count();
    assert_eq!(zeros, 370);
    // SOURCE.md: "Rows per study/arm (patients)".
    let expected = [
        (1, 1, 127, 22),
        (1, 2, 282, 45),
        (1, 3, 45, 9),
        (2, 1, 375, 75),
        (2, 2, 564, 88),
        (3, 1, 102, 17),
        (3, 2, 369, 62),
        (3, 3, 241, 44),
        (3, 4, 604, 108),
        (3, 5, 224, 41),
        (3, 6, 600, 111),
        (4, 1, 1632, 324),
        (4, 2, 2432, 372),
        (5, 1, 819, 143),
    ];
    for (study, arm, n_rows, n_patients) in expected {
        let group: Vec<&Patient> = patients
            .iter()
            .filter(|p| (p.study, p.arm) == (study, arm))
            .collect();
        let group_rows: usize = group.iter().map(|p| p.scans.len()).sum();
        assert_eq!(
            (group_rows, group.len()),
            (n_rows, n_patients),
            "study {study} arm {arm}"
        );
    }
    // SOURCE.md: "Trend: flux 3987 rows, down 2639, up 1790".
    for (trend, n_rows) in [(Trend::Flux, 3987), (Trend::Down, 2639), (Trend::Up, 1790)] {
        let r: usize = patients
            .iter()
            .filter(|p| p.trend == trend)
            .map(|p| p.scans.len())
            .sum();
        assert_eq!(r, n_rows, "{}", trend.label());
    }
    // Days sorted per patient (one patient's rows are out of order in the file); the
    // baseline scan (day ≤ 0) moves to day 0 for the fit.
    for p in &patients {
        assert!(p.scans.windows(2).all(|w| w[0].0 <= w[1].0), "{}", p.id);
        assert!(p.observations().iter().all(|o| o.0 >= 0.0));
    }
}

/// Each bad row is an error naming the file's line.
#[test]
fn the_reader_names_the_line_of_bad_rows() {
    const HEADER: &str = "patient,study,arm,day,longest_diameter_mm,trend\n";
    let read = |rows: &str| {
        read_patients_from(format!("{HEADER}{rows}").as_bytes(), "data.csv")
            .unwrap_err()
            .to_string()
    };
    let e = read("a,1,1,0,10,up\na,1,1,40,abc,up\n");
    assert!(e.starts_with("data.csv line 3:"), "{e}");
    let e = read("a,1,1,0,10,up\na,1,1,40,-2,up\n");
    assert!(
        e.starts_with("data.csv line 3:") && e.contains("≥ 0"),
        "{e}"
    );
    let e = read("a,1,1,0,10,sideways\n");
    assert!(e.starts_with("data.csv line 2:"), "{e}");
    let e = read("a,1,1,0,10,up\nb,1,1,0,10,up\na,1,2,40,12,up\n");
    assert!(
        e.starts_with("data.csv line 4:") && e.contains("patient a changes"),
        "{e}"
    );
    let e = read("a,1,1,inf,10,up\n");
    assert!(e.starts_with("data.csv line 2:"), "{e}");
    let e = read("a,1,1,0\n");
    assert!(e.starts_with("data.csv line 2:"), "{e}");
    let e = read_patients(std::path::Path::new("/nonexistent/lesions.csv")).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/lesions.csv"), "{e}");
}

/// What shared/data/SOURCE.md says a fit of these curves should show: "`down` patients need a
/// net negative growth rate, `up` patients a net positive one, and `flux` patients a regrowth
/// (resistance or a decaying drug effect) to be described at all" (Laleh et al. 2022, PLoS
/// Comput Biol 18(2):e1009822).
///
/// The first 60 patients of each label in file order, 2 starts per fit. Checked: the
/// one-clone net rate `k` is positive for ≥ 95% of `up` and negative for ≥ 95% of `down`
/// patients, and for `flux` patients neither direction dominates (25–75% positive); the
/// two-clone model is selected by AICc for some `flux` patients, and for each of them the
/// fitted diameter shrinks and then regrows within the scans: the minimum of
/// `S0·e^(−d·t) + R0·e^(g·t)`, at `t* = ln(d·S0 / (g·R0)) / (d + g)`, lies after day 0 and
/// before the last scan. Observed (this sample): up 60 of 60 positive, down 60 of 60
/// negative, flux 28 of 59 converged positive; two clones selected for 3 of the 17 flux
/// patients with enough scans (minima at days 150, 245, 272), 8 of 26 down, 0 of 6 up.
#[test]
fn fitted_rates_match_the_trend_labels() {
    const PER_LABEL: usize = 60;
    let patients = read_patients(&data()).unwrap();
    let options = FitOptions {
        starts: 2,
        seed: 1,
        ..FitOptions::default()
    };
    for trend in Trend::ALL {
        let group: Vec<Patient> = patients
            .iter()
            .filter(|p| p.trend == trend)
            .take(PER_LABEL)
            .cloned()
            .collect();
        let fits = fit_patients(&group, &options);
        let k: Vec<f64> = fits.iter().filter_map(|f| f.net_rate()).collect();
        let n = k.len();
        assert!(
            n * 100 >= 95 * PER_LABEL,
            "{}: {n} converged",
            trend.label()
        );
        let up = k.iter().filter(|&&x| x > 0.0).count();
        let down = k.iter().filter(|&&x| x < 0.0).count();
        let eligible = fits.iter().filter(|f| f.two.is_some()).count();
        let selected: Vec<(&Patient, &example::PatientFit)> = group
            .iter()
            .zip(&fits)
            .filter(|(_, f)| f.two_selected())
            .collect();
        println!(
            "{:<5} k > 0: {up}, k < 0: {down} of {n}; two clones selected for {} of {eligible}",
            trend.label(),
            selected.len()
        );
        match trend {
            Trend::Up => assert!(up * 100 >= 95 * n, "up: k > 0 in {up} of {n}"),
            Trend::Down => assert!(down * 100 >= 95 * n, "down: k < 0 in {down} of {n}"),
            Trend::Flux => {
                assert!(4 * up >= n && 4 * up <= 3 * n, "flux: k > 0 in {up} of {n}");
                assert!(!selected.is_empty(), "no flux patient needs two clones");
                for (p, f) in selected {
                    let r = f.two.as_ref().unwrap().as_ref().unwrap();
                    let value = |name: &str| r.estimate(name).unwrap().estimate;
                    let (s0, d, r0, g) = (value("s0"), -value("minus_d"), value("r0"), value("g"));
                    let t_min = (d * s0 / (g * r0)).ln() / (d + g);
                    let last = p.scans.last().unwrap().0;
                    println!(
                        "  {}: d {d:.4}, g {g:.4}, minimum at day {t_min:.0} of {last}",
                        &p.id[..8]
                    );
                    assert!(
                        t_min > 0.0 && t_min < last,
                        "{}: minimum at day {t_min} outside (0, {last})",
                        p.id
                    );
                }
            }
        }
    }
}
