//! Parameter requirements shared by every component's validation.

/// What a parameter must satisfy; checked when a model is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Requirement {
    /// Any finite number (a net growth rate may be negative).
    Finite,
    /// Finite and ≥ 0.
    NonNegative,
    /// Finite and > 0.
    Positive,
    /// Finite, > 0 and ≤ 1.
    UnitInterval,
}

impl Requirement {
    pub(crate) fn check(self, value: f64) -> Result<(), &'static str> {
        if !value.is_finite() {
            return Err("must be finite");
        }
        match self {
            Requirement::Finite => Ok(()),
            Requirement::NonNegative if value < 0.0 => Err("must be non-negative"),
            Requirement::Positive if value <= 0.0 => Err("must be positive"),
            Requirement::UnitInterval if !(value > 0.0 && value <= 1.0) => Err("must be in (0, 1]"),
            _ => Ok(()),
        }
    }
}

/// `impl From<Law> for Enum` for each law struct wrapped by a law enum's same-named variant.
macro_rules! law_variants {
    ($enum:ident: $($law:ident),*) => {$(
        impl From<$law> for $enum {
            fn from(law: $law) -> Self {
                $enum::$law(law)
            }
        }
    )*};
}
pub(crate) use law_variants;
