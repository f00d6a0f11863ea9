//! A model file written for a fit needs no `[simulation]` table (issue 15): it reads, builds
//! and writes back without one, and only `simulate` asks for it, with a typed error.

use oncodyn::io::ModelFile;
use oncodyn::{Error, IoError};

/// The shipped Kuznetsov model without its `[simulation]` tables (the last in the file).
fn model_only() -> String {
    let text = std::fs::read_to_string("examples/models/kuznetsov_1994.toml").unwrap_or_default();
    let cut = text
        .find("[simulation]")
        .unwrap_or_else(|| panic!("fixture has [simulation]"));
    assert!(!text[cut..].contains("[model") && !text[cut..].contains("[regimen"));
    text[..cut].to_string()
}

#[test]
fn a_model_only_file_reads_builds_and_round_trips() -> Result<(), Error> {
    let text = model_only();
    assert!(!text.contains("[simulation]"));
    let file = ModelFile::from_toml_str(&text)?;
    assert_eq!(file.simulation, None);
    let model = file.build()?;
    assert!(model.tumor("tumor").is_ok());
    assert_eq!(ModelFile::from_toml_str(&file.to_toml_string()?)?, file);
    Ok(())
}

#[test]
fn simulating_a_model_only_file_names_the_missing_table() -> Result<(), Error> {
    let file = ModelFile::from_toml_str(&model_only())?;
    let err = file.simulate().unwrap_err();
    assert!(matches!(err, Error::Io(IoError::NoSimulation)), "{err:?}");
    assert!(err.to_string().contains("[simulation]"), "{err}");
    Ok(())
}
