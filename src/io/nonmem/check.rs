//! Checking records: what can be checked of a subject's records without a model.

#[cfg(doc)]
use super::EventTable;
use super::{
    invalid_value, DataRecord, RateItem, SteadyStateKind, SubjectRecords, ADDL, ALAG, AMT, II,
    RATE, SS, STANDARD, TIME,
};
use crate::io::DataError;

impl SubjectRecords<'_> {
    /// Checks the subject's records (see [`EventTable::validate`]).
    ///
    /// # Errors
    /// As [`EventTable::validate`], for these records.
    pub fn validate(&self) -> Result<(), DataError> {
        let mut previous: Option<&DataRecord> = None;
        for r in self.records {
            check_record(r, self.covariates.len())?;
            if let Some(p) = previous {
                if r.time < p.time && !r.evid.is_reset() {
                    return Err(DataError::TimeBackwards {
                        line: r.line,
                        column: STANDARD[TIME].to_string(),
                        id: r.id.clone(),
                        time: r.time,
                        previous: p.time,
                        previous_line: p.line,
                    });
                }
            }
            previous = Some(r);
        }
        Ok(())
    }
}

/// Checks one record against what a record of a table with `covariates` covariate columns
/// may hold: the covariate count, the values' ranges, then the dose items.
fn check_record(r: &DataRecord, covariates: usize) -> Result<(), DataError> {
    check_covariate_count(r, covariates)?;
    check_ranges(r)?;
    if r.evid.is_dose() {
        check_dose(r)
    } else {
        check_not_dose(r)
    }
}

/// [`DataError::CovariateCount`] unless the record has `covariates` covariate values.
fn check_covariate_count(r: &DataRecord, covariates: usize) -> Result<(), DataError> {
    if r.covariates.len() != covariates {
        return Err(DataError::CovariateCount {
            line: r.line,
            expected: covariates,
            got: r.covariates.len(),
        });
    }
    Ok(())
}

/// The values' ranges, whatever the record: TIME and AMT finite and ≥ 0, a RATE infusion
/// finite and positive, II and ALAG finite and ≥ 0.
fn check_ranges(r: &DataRecord) -> Result<(), DataError> {
    let line = r.line;
    if !r.time.is_finite() {
        return Err(invalid_value(line, TIME, r.time, "must be finite"));
    }
    if r.time < 0.0 {
        return Err(DataError::NegativeTime {
            line,
            column: STANDARD[TIME].to_string(),
            time: r.time,
        });
    }
    if !r.amt.is_finite() {
        return Err(invalid_value(line, AMT, r.amt, "must be finite"));
    }
    if r.amt < 0.0 {
        return Err(DataError::NegativeAmount {
            line,
            column: STANDARD[AMT].to_string(),
            amount: r.amt,
        });
    }
    if let RateItem::Infusion(rate) = r.rate {
        if !(rate.is_finite() && rate > 0.0) {
            return Err(invalid_value(
                line,
                RATE,
                rate,
                "must be finite and positive",
            ));
        }
    }
    if !(r.ii.is_finite() && r.ii >= 0.0) {
        return Err(invalid_value(line, II, r.ii, "must be finite and ≥ 0"));
    }
    if !(r.alag.is_finite() && r.alag >= 0.0) {
        return Err(invalid_value(line, ALAG, r.alag, "must be finite and ≥ 0"));
    }
    Ok(())
}

/// The first dose item (AMT, RATE, ADDL, II, SS, in this order) that is not 0, as (its
/// standard column, its value).
fn first_dose_item(r: &DataRecord) -> Option<(usize, f64)> {
    [
        (AMT, r.amt),
        (RATE, r.rate.value()),
        (ADDL, f64::from(r.addl)),
        (II, r.ii),
        (SS, f64::from(r.ss.code())),
    ]
    .into_iter()
    .find(|(_, v)| *v != 0.0)
}

/// A record that is not a dose (EVID 0, 2, 3) has no dose item.
fn check_not_dose(r: &DataRecord) -> Result<(), DataError> {
    match first_dose_item(r) {
        Some((k, value)) => Err(invalid_value(
            r.line,
            k,
            value,
            "must be 0 or missing on a record that is not a dose (EVID 0, 2 or 3)",
        )),
        None => Ok(()),
    }
}

/// Whether a dose record is a constant infusion: AMT = 0 with a rate (RATE > 0 or −1).
fn is_constant(r: &DataRecord) -> bool {
    r.amt == 0.0 && r.rate.has_rate()
}

/// A dose record: ADDL needs II; a constant infusion only at steady state; a steady state
/// needs a period (see [`check_steady_state`]).
fn check_dose(r: &DataRecord) -> Result<(), DataError> {
    if r.addl > 0 && r.ii <= 0.0 {
        return Err(DataError::AdditionalWithoutInterval {
            line: r.line,
            column: STANDARD[II].to_string(),
            additional: r.addl,
            interval: r.ii,
        });
    }
    if r.ss != SteadyStateKind::Transient {
        return check_steady_state(r);
    }
    if is_constant(r) {
        return Err(invalid_value(
            r.line,
            AMT,
            r.amt,
            "must be > 0 for an infusion at a rate (AMT = 0 with RATE > 0 is a constant \
             infusion, defined only at steady state: SS = 1 or 2 with II = 0)",
        ));
    }
    Ok(())
}

/// A steady-state dose record (SS = 1 or 2): II = 0 only for a constant infusion, which has
/// II = 0; a lag below II.
fn check_steady_state(r: &DataRecord) -> Result<(), DataError> {
    let constant = is_constant(r);
    if r.ii == 0.0 {
        if !constant {
            return Err(DataError::SteadyStateWithoutInterval {
                line: r.line,
                column: STANDARD[II].to_string(),
                interval: r.ii,
                amount: r.amt,
                rate: r.rate.value(),
            });
        }
    } else if constant {
        return Err(invalid_value(
            r.line,
            AMT,
            r.amt,
            "must be > 0 for a steady-state dose repeated every II (a constant infusion, \
             AMT = 0, has II = 0)",
        ));
    } else if r.alag >= r.ii {
        return Err(DataError::LagNotBelowInterval {
            line: r.line,
            column: STANDARD[ALAG].to_string(),
            lag: r.alag,
            interval: r.ii,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::nonmem::Evid;

    fn dose(amt: f64, rate: RateItem) -> DataRecord {
        DataRecord {
            line: 2,
            evid: Evid::Dose,
            amt,
            rate,
            ..DataRecord::default()
        }
    }

    #[test]
    fn first_dose_item_is_the_first_nonzero_in_column_order() {
        assert_eq!(first_dose_item(&DataRecord::default()), None);
        let r = DataRecord {
            ii: 1.5,
            ss: SteadyStateKind::Add,
            ..DataRecord::default()
        };
        assert_eq!(first_dose_item(&r), Some((II, 1.5)));
        let r = DataRecord {
            addl: 3,
            ..dose(0.0, RateItem::ModelledDuration)
        };
        assert_eq!(first_dose_item(&r), Some((RATE, -2.0)));
        assert_eq!(
            first_dose_item(&dose(5.0, RateItem::Bolus)),
            Some((AMT, 5.0))
        );
    }

    #[test]
    fn a_constant_infusion_has_no_amount_and_a_rate() {
        assert!(is_constant(&dose(0.0, RateItem::Infusion(4.0))));
        assert!(is_constant(&dose(0.0, RateItem::ModelledRate)));
        assert!(!is_constant(&dose(0.0, RateItem::ModelledDuration)));
        assert!(!is_constant(&dose(0.0, RateItem::Bolus)));
        assert!(!is_constant(&dose(1.0, RateItem::Infusion(4.0))));
    }

    #[test]
    fn ranges_are_checked_in_column_order() {
        let r = DataRecord {
            time: -1.0,
            amt: f64::NAN,
            ..DataRecord::default()
        };
        assert!(matches!(
            check_ranges(&r),
            Err(DataError::NegativeTime { line: 0, .. })
        ));
        let r = DataRecord {
            amt: f64::NAN,
            ..DataRecord::default()
        };
        assert!(matches!(
            check_ranges(&r),
            Err(DataError::InvalidValue { ref column, .. }) if column == "AMT"
        ));
        let r = dose(1.0, RateItem::Infusion(0.0));
        assert!(matches!(
            check_ranges(&r),
            Err(DataError::InvalidValue { ref column, .. }) if column == "RATE"
        ));
        assert_eq!(check_ranges(&dose(1.0, RateItem::Infusion(2.0))), Ok(()));
    }

    #[test]
    fn covariate_count_must_match_the_columns() {
        let r = DataRecord {
            covariates: vec![Some(1.0)],
            ..DataRecord::default()
        };
        assert_eq!(check_covariate_count(&r, 1), Ok(()));
        assert!(matches!(
            check_covariate_count(&r, 2),
            Err(DataError::CovariateCount {
                expected: 2,
                got: 1,
                ..
            })
        ));
    }

    #[test]
    fn a_record_that_is_not_a_dose_has_no_dose_item() {
        assert_eq!(check_not_dose(&DataRecord::default()), Ok(()));
        let r = DataRecord {
            addl: 2,
            ..DataRecord::default()
        };
        assert!(matches!(
            check_not_dose(&r),
            Err(DataError::InvalidValue { ref column, value, .. }) if column == "ADDL" && value == 2.0
        ));
    }

    #[test]
    fn doses_need_an_interval_for_additional_doses_and_steady_states() {
        let additional = DataRecord {
            addl: 1,
            ..dose(10.0, RateItem::Bolus)
        };
        assert!(matches!(
            check_dose(&additional),
            Err(DataError::AdditionalWithoutInterval { additional: 1, .. })
        ));
        assert!(matches!(
            check_dose(&dose(0.0, RateItem::Infusion(3.0))),
            Err(DataError::InvalidValue { ref column, .. }) if column == "AMT"
        ));
        let steady = |amt, rate, ii, alag| DataRecord {
            ss: SteadyStateKind::Reset,
            ii,
            alag,
            ..dose(amt, rate)
        };
        assert_eq!(
            check_dose(&steady(0.0, RateItem::Infusion(3.0), 0.0, 0.0)),
            Ok(())
        );
        assert_eq!(check_dose(&steady(10.0, RateItem::Bolus, 1.0, 0.5)), Ok(()));
        assert!(matches!(
            check_steady_state(&steady(10.0, RateItem::Bolus, 0.0, 0.0)),
            Err(DataError::SteadyStateWithoutInterval { .. })
        ));
        assert!(matches!(
            check_steady_state(&steady(0.0, RateItem::ModelledRate, 1.0, 0.0)),
            Err(DataError::InvalidValue { ref column, .. }) if column == "AMT"
        ));
        assert!(matches!(
            check_steady_state(&steady(10.0, RateItem::Bolus, 1.0, 1.0)),
            Err(DataError::LagNotBelowInterval { .. })
        ));
    }
}
