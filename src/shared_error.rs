//! [`SharedError`]: a foreign error (from `std::io` or the `csv` crate) held so that the
//! errors carrying it can be `Clone` and `PartialEq`, and a failure can be stored as a typed
//! value (a failed patient in a study, a failed start in a fit) instead of its text.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A foreign error behind an [`Arc`]: cloning shares it; two compare equal when their
/// messages do (neither `std::io::Error` nor `csv::Error` is `PartialEq`).
///
/// ```
/// use oncodyn::SharedError;
/// let a: SharedError<std::io::Error> = std::io::Error::other("disk full").into();
/// let b = a.clone();
/// assert_eq!(a, b);
/// assert_eq!(a.kind(), std::io::ErrorKind::Other); // derefs to the error itself
/// ```
#[derive(Debug)]
pub struct SharedError<E>(Arc<E>);

impl<E> Clone for SharedError<E> {
    fn clone(&self) -> Self {
        SharedError(Arc::clone(&self.0))
    }
}

impl<E> From<E> for SharedError<E> {
    fn from(error: E) -> Self {
        SharedError(Arc::new(error))
    }
}

impl<E> Deref for SharedError<E> {
    type Target = E;
    fn deref(&self) -> &E {
        &self.0
    }
}

impl<E: fmt::Display> fmt::Display for SharedError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<E: fmt::Display> PartialEq for SharedError<E> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.to_string() == other.0.to_string()
    }
}

impl<E: std::error::Error + 'static> std::error::Error for SharedError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

#[cfg(test)]
mod tests {
    use super::SharedError;
    use std::error::Error as _;

    #[test]
    fn equal_by_message_and_transparent_in_display() {
        let a: SharedError<std::io::Error> = std::io::Error::other("disk full").into();
        let b: SharedError<std::io::Error> = std::io::Error::other("disk full").into();
        let c: SharedError<std::io::Error> = std::io::Error::other("no such file").into();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.to_string(), "disk full");
        assert!(a.source().is_none());
    }
}
