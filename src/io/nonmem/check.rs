//! Checking records: what can be checked of a subject's records without a model.

#[cfg(doc)]
use super::EventTable;
use super::{
    DataRecord, RateItem, SteadyStateKind, SubjectRecords, ADDL, ALAG, AMT, II, RATE, SS, STANDARD,
    TIME,
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

fn check_record(r: &DataRecord, covariates: usize) -> Result<(), DataError> {
    let line = r.line;
    let invalid = |k: usize, value: f64, reason| DataError::InvalidValue {
        line,
        column: STANDARD[k].to_string(),
        value,
        reason,
    };
    if r.covariates.len() != covariates {
        return Err(DataError::CovariateCount {
            line,
            expected: covariates,
            got: r.covariates.len(),
        });
    }
    if !r.time.is_finite() {
        return Err(invalid(TIME, r.time, "must be finite"));
    }
    if r.time < 0.0 {
        return Err(DataError::NegativeTime {
            line,
            column: STANDARD[TIME].to_string(),
            time: r.time,
        });
    }
    if !r.amt.is_finite() {
        return Err(invalid(AMT, r.amt, "must be finite"));
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
            return Err(invalid(RATE, rate, "must be finite and positive"));
        }
    }
    if !(r.ii.is_finite() && r.ii >= 0.0) {
        return Err(invalid(II, r.ii, "must be finite and ≥ 0"));
    }
    if !(r.alag.is_finite() && r.alag >= 0.0) {
        return Err(invalid(ALAG, r.alag, "must be finite and ≥ 0"));
    }
    if !r.evid.is_dose() {
        let items = [
            (AMT, r.amt),
            (RATE, r.rate.value()),
            (ADDL, f64::from(r.addl)),
            (II, r.ii),
            (SS, f64::from(r.ss.code())),
        ];
        if let Some(&(k, value)) = items.iter().find(|(_, v)| *v != 0.0) {
            return Err(invalid(
                k,
                value,
                "must be 0 or missing on a record that is not a dose (EVID 0, 2 or 3)",
            ));
        }
        return Ok(());
    }
    if r.addl > 0 && r.ii <= 0.0 {
        return Err(DataError::AdditionalWithoutInterval {
            line,
            column: STANDARD[II].to_string(),
            additional: r.addl,
            interval: r.ii,
        });
    }
    let constant = r.amt == 0.0 && r.rate.has_rate();
    if r.ss == SteadyStateKind::Transient {
        if constant {
            return Err(invalid(
                AMT,
                r.amt,
                "must be > 0 for an infusion at a rate (AMT = 0 with RATE > 0 is a constant \
                 infusion, defined only at steady state: SS = 1 or 2 with II = 0)",
            ));
        }
        return Ok(());
    }
    if r.ii == 0.0 {
        if !constant {
            return Err(DataError::SteadyStateWithoutInterval {
                line,
                column: STANDARD[II].to_string(),
                interval: r.ii,
                amount: r.amt,
                rate: r.rate.value(),
            });
        }
    } else if constant {
        return Err(invalid(
            AMT,
            r.amt,
            "must be > 0 for a steady-state dose repeated every II (a constant infusion, \
             AMT = 0, has II = 0)",
        ));
    } else if r.alag >= r.ii {
        return Err(DataError::LagNotBelowInterval {
            line,
            column: STANDARD[ALAG].to_string(),
            lag: r.alag,
            interval: r.ii,
        });
    }
    Ok(())
}
