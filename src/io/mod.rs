//! Files: TOML model files (model + regimen + simulation settings) that round-trip with the
//! builder.
