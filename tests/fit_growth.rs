//! Growth-law fits of real tumor volumes (`examples/fit_tumor_growth.rs`, whose problem setup
//! this test shares) and the tidy observation reader (`oncodyn::io::observations`) on the
//! real files and on bad ones.

use oncodyn::fit::FitOptions;
use oncodyn::io::{ObservationColumns, ObservationSeries};
use oncodyn::{DataError, Error};
use std::path::Path;

#[allow(dead_code)] // the example's `main` and helpers this test does not call
#[path = "../examples/fit_tumor_growth.rs"]
mod example;

use example::{aic_by_mouse, growth_problem, read_volumes, Growth};

fn data(file: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file)
}

fn columns() -> ObservationColumns {
    ObservationColumns::new("mouse", "day", "volume_mm3")
}

/// tests/data/SOURCE.md, lung LLC, "what a fit should show": per mouse, Gompertz against
/// exponential growth with V(0) = 1 mm³ fixed at day 0 — the Gompertz fit should have clearly
/// lower AIC for most mice (Benzekry et al. 2014; Vaghi et al. 2020). Both laws, log-normal
/// error, 3 starts per fit. Observed (seed 1): Gompertz lower in 19 of 20 mice, by more than
/// 2 AIC units in all 19; asserted: at least 15 of 20 each, every fit converged.
#[test]
fn gompertz_beats_exponential_for_most_lung_mice() {
    let (mice, dropped) = read_volumes(&data("tumor_volume_lung_llc.csv")).unwrap();
    assert_eq!((mice.len(), dropped), (20, 0));
    let options = FitOptions {
        starts: 3,
        seed: 1,
        ..FitOptions::default()
    };
    let fits: Vec<_> = [Growth::Exponential, Growth::Gompertz]
        .into_iter()
        .map(|law| {
            growth_problem(law, mice.clone())
                .unwrap()
                .fit_individual(&options)
                .unwrap()
        })
        .collect();
    for f in &fits {
        assert!(f.failures.is_empty() && f.not_converged.is_empty());
        assert_eq!(f.fits.len(), 20);
    }
    let aic = aic_by_mouse(&mice, &fits);
    let lower = aic
        .iter()
        .filter(|row| matches!(row[..], [Some(e), Some(g)] if g < e))
        .count();
    let clearly = aic
        .iter()
        .filter(|row| matches!(row[..], [Some(e), Some(g)] if g < e - 2.0))
        .count();
    println!("Gompertz AIC lower in {lower} of 20 mice, by > 2 in {clearly}");
    assert!(lower >= 15, "Gompertz lower in only {lower} of 20 mice");
    assert!(
        clearly >= 15,
        "Gompertz clearly lower in only {clearly} of 20 mice"
    );
}

/// The reader on both real files: subjects, rows and the sizes SOURCE.md states.
#[test]
fn the_reader_reads_both_volume_files() {
    let lung = ObservationSeries::read(data("tumor_volume_lung_llc.csv"), &columns()).unwrap();
    let rows: usize = lung.iter().map(|m| m.observations.len()).sum();
    assert_eq!((lung.len(), rows), (20, 188));
    assert_eq!(lung[0].id, "0");
    assert_eq!(lung[0].observations[0], (7.0, 50.0218));

    let breast =
        ObservationSeries::read(data("tumor_volume_breast_mdamb231.csv"), &columns()).unwrap();
    let rows: usize = breast.iter().map(|m| m.observations.len()).sum();
    assert_eq!((breast.len(), rows), (66, 583));
    let zeros = breast
        .iter()
        .flat_map(|m| &m.observations)
        .filter(|&&(_, v)| v == 0.0)
        .count();
    assert_eq!(zeros, 2);
    let (mice, dropped) = read_volumes(&data("tumor_volume_breast_mdamb231.csv")).unwrap();
    assert_eq!((mice.len(), dropped), (66, 2));
}

/// Each error names its line and column.
#[test]
fn the_reader_names_line_and_column_of_bad_data() {
    let read = |text: &str| ObservationSeries::from_csv_str(text, &columns()).unwrap_err();

    let e = read("mouse,time,volume_mm3\n0,1,2\n");
    assert!(
        matches!(&e, DataError::UnknownColumn { line: 1, column, .. } if column == "day"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "line 1: no column `day` (columns: mouse, time, volume_mm3)"
    );

    let e = read("mouse,day,volume_mm3\n0,1,2\n0,2,abc\n");
    assert!(
        matches!(&e, DataError::NotANumber { line: 3, column, text } if column == "volume_mm3" && text == "abc"),
        "{e:?}"
    );
    let e = read("mouse,day,volume_mm3\n0,inf,2\n");
    assert!(
        matches!(&e, DataError::NotANumber { line: 2, column, .. } if column == "day"),
        "{e:?}"
    );

    let e = read("mouse,day,volume_mm3\n3,10,2\n4,1,2\n3,9,5\n");
    assert!(
        matches!(&e, DataError::TimeBackwards { line: 4, column, id, previous_line: 2, .. } if column == "day" && id == "3"),
        "{e:?}"
    );

    let e = read("mouse,day,volume_mm3\n0,1,2\n,2,3\n");
    assert!(
        matches!(&e, DataError::MissingValue { line: 3, column, .. } if column == "mouse"),
        "{e:?}"
    );

    // Through the example's reader: a missing file is an error, not a panic.
    let e = read_volumes(Path::new("/nonexistent/volumes.csv")).unwrap_err();
    assert!(matches!(e, Error::Io(_)), "{e:?}");
}
