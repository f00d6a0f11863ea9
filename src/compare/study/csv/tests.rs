use super::*;
use crate::compare::endpoints::{Response, TimeToEvent};
use crate::compare::error::StudyError;
use crate::compare::study::Exposure;

fn endpoints(toxicity: Option<(f64, u8)>, exposure: Vec<Exposure>) -> PatientEndpoints {
    PatientEndpoints {
        patient: 4,
        arm: 1,
        final_burden: 2.5,
        nadir: 0.5,
        nadir_time: 21.0,
        best_percent_change: -40.0,
        tumor_auc: 100.0,
        time_to_progression: TimeToEvent {
            time: 84.0,
            censored: false,
        },
        response: Response::Partial,
        exposure,
        toxicity,
        burden: Vec::new(),
    }
}

fn exposure(drug: &str, trough: Option<f64>) -> Exposure {
    Exposure {
        drug: drug.into(),
        auc: 30.0,
        cmax: 4.0,
        trough,
    }
}

fn failure() -> Failure {
    Failure {
        patient: 2,
        arm: 0,
        error: StudyError::NoTumor.into(),
        parameters: vec![0.25, 3.0],
    }
}

#[test]
fn per_patient_header_lists_parameters_endpoints_and_three_columns_per_drug() {
    let header = per_patient_header(&["k".into(), "v0".into()], &["chemo".into()]);
    assert_eq!(header[..5], ["patient", "arm", "k", "v0", "status"]);
    assert_eq!(header[5..15], ENDPOINT_COLUMNS);
    assert_eq!(
        header[15..],
        [
            "chemo_auc_mg_day_per_L",
            "chemo_cmax_mg_per_L",
            "chemo_trough_mg_per_L",
            "error"
        ]
    );
    assert_eq!(per_patient_header(&[], &[]).len(), 2 + 1 + 10 + 1);
}

#[test]
fn exposure_drugs_come_from_the_first_successful_simulation() {
    let done = Outcome::Done(endpoints(
        None,
        vec![exposure("a", None), exposure("b", None)],
    ));
    let outcomes = [Outcome::Failed(failure()), done];
    assert_eq!(exposure_drugs(&outcomes), ["a", "b"]);
    assert!(exposure_drugs(&outcomes[..1]).is_empty());
}

#[test]
fn done_row_leaves_absent_toxicity_trough_and_error_empty() {
    let e = endpoints(None, vec![exposure("a", None)]);
    let row = done_row(&e, "q3w", &[0.25]);
    let want = [
        "4", "q3w", "0.25", "ok", "2.5", "0.5", "21", "-40", "100", "84", "false", "PR", "", "",
        "30", "4", "", "",
    ];
    assert_eq!(row, want);
    let e = endpoints(Some((0.1, 4)), vec![exposure("a", Some(1.5))]);
    let row = done_row(&e, "q3w", &[0.25]);
    assert_eq!(row[12..], ["0.1", "4", "30", "4", "1.5", ""]);
}

#[test]
fn failed_row_fills_the_endpoints_and_ends_with_the_message() {
    let row = failed_row(&failure(), "none", 9);
    assert_eq!(row.len(), 9);
    assert_eq!(row[..5], ["2", "none", "0.25", "3", "failed"]);
    assert!(row[5..8].iter().all(String::is_empty));
    assert_eq!(row[8], Error::from(StudyError::NoTumor).to_string());
}
