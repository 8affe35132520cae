//! Typed errors for everything that reads or writes scenes. Every error names the file, and
//! the [`Problem`] says what is wrong in words a user can act on.

use std::path::PathBuf;

/// A scene could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SceneError {
    /// The OS message is in the text and not also a `source` (thiserror makes a field named
    /// `source` one): anyhow's `{:#}` printed it twice, "No such file or directory (os error 2):
    /// No such file or directory (os error 2)".
    #[error("{}: {error}", path.display())]
    Io { path: PathBuf, error: std::io::Error },
    #[error("{}: {problem}", path.display())]
    Invalid { path: PathBuf, problem: Problem },
}

impl SceneError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), error: source }
    }

    pub fn invalid(path: impl Into<PathBuf>, problem: Problem) -> Self {
        Self::Invalid { path: path.into(), problem }
    }

    /// The problem, when the file was readable but its content is wrong.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Self::Invalid { problem, .. } => Some(problem),
            Self::Io { .. } => None,
        }
    }
}

/// Arrays of a [`super::Scene`] that disagree ([`super::Scene::check_consistent`]): a bug in
/// whatever made the scene, caught where it was made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Inconsistency {
    #[error("{array} has {got} entries, expected {want}")]
    Length { array: String, got: usize, want: usize },
    #[error("SH degree {0} is above 3")]
    ShDegree(u8),
}

/// What is wrong with a file's content.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("not a recognised scene format ({0})")]
    UnknownFormat(String),
    #[error("bad PLY header, line {line}: {message}")]
    BadHeader { line: usize, message: String },
    #[error("the body is truncated: the header promises {expected} bytes of data, the file has {found}")]
    Truncated { expected: u64, found: u64 },
    #[error("the header says {declared} {element} entries but the body holds {found}")]
    CountMismatch { element: String, declared: u64, found: String },
    #[error("{count} Gaussians is more than this reader accepts ({limit}); {why}")]
    AbsurdCount { count: u64, limit: u64, why: String },
    #[error("missing required property '{0}'")]
    MissingProperty(String),
    #[error("property '{name}' has unusable type {kind}")]
    BadPropertyType { name: String, kind: String },
    #[error("{0} f_rest_* properties is no SH degree (expected 0, 9, 24 or 45)")]
    BadShCount(usize),
    #[error("f_rest_* properties are not numbered 0..{0} without gaps")]
    ShGap(usize),
    #[error("Gaussian {index}: {what} is not finite ({value})")]
    NonFinite { index: usize, what: &'static str, value: f32 },
    #[error("Gaussian {index}: property '{property}' is not finite ({value})")]
    NonFiniteProperty { index: usize, property: String, value: f64 },
    #[error("Gaussian {index}: rotation quaternion is zero (or too small to normalise)")]
    ZeroQuaternion { index: usize },
    #[error("no usable Gaussians: {0}")]
    Empty(String),
    #[error("malformed data: {0}")]
    Malformed(String),
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error("cameras.json: {0}")]
    Cameras(String),
}
