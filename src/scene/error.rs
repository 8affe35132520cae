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
    Io {
        /// The file (or folder) being read or written.
        path: PathBuf,
        /// What the operating system reported.
        error: std::io::Error,
    },
    /// The file was read but its content is not a usable scene.
    #[error("{}: {problem}", path.display())]
    Invalid {
        /// The file whose content is wrong.
        path: PathBuf,
        /// What is wrong with it.
        problem: Problem,
    },
}

impl SceneError {
    /// An I/O failure on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), error: source }
    }

    /// Unusable content in `path`.
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
    /// A per-Gaussian array (or an extra property) has the wrong number of values for the
    /// Gaussian count.
    #[error("{array} has {got} entries, expected {want}")]
    Length {
        /// Name of the array: a [`super::Scene`] field or an extra property's name.
        array: String,
        /// Number of values it holds.
        got: usize,
        /// Number it should hold (Gaussian count times values per Gaussian).
        want: usize,
    },
    /// The scene's SH degree (the value carried) is above 3, the highest any renderer supports.
    #[error("SH degree {0} is above 3")]
    ShDegree(u8),
}

/// What is wrong with a file's content.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    /// The bytes match no format this crate reads; the text says what was seen instead.
    #[error("not a recognised scene format ({0})")]
    UnknownFormat(String),
    /// A PLY header line cannot be parsed.
    #[error("bad PLY header, line {line}: {message}")]
    BadHeader {
        /// 1-based line number within the header; 0 when the problem is not tied to one line.
        line: usize,
        /// What is wrong with that line.
        message: String,
    },
    /// A binary body ends before the records the header declares.
    #[error("the body is truncated: the header promises {expected} bytes of data, the file has {found}")]
    Truncated {
        /// Bytes of data the header's element counts and property types call for.
        expected: u64,
        /// Bytes of data actually present after the header.
        found: u64,
    },
    /// The number of records in the body differs from the count the header declares.
    #[error("the header says {declared} {element} entries but the body holds {found}")]
    CountMismatch {
        /// The element (e.g. `vertex`) or, for SPZ, what is counted.
        element: String,
        /// The count the header declares.
        declared: u64,
        /// What the body holds, in words ("fewer (the body ends early)", "more (N bytes ...)").
        found: String,
    },
    /// The declared Gaussian count is above the reader's safety limit.
    #[error("{count} Gaussians is more than this reader accepts ({limit}); {why}")]
    AbsurdCount {
        /// The declared number of Gaussians.
        count: u64,
        /// The most this reader accepts.
        limit: u64,
        /// Why the limit exists / what the count most likely means (a damaged header).
        why: String,
    },
    /// A property the format requires (named here) is absent.
    #[error("missing required property '{0}'")]
    MissingProperty(String),
    /// A property has a type this reader cannot use (a list, or an integer where a float is
    /// needed).
    #[error("property '{name}' has unusable type {kind}")]
    BadPropertyType {
        /// The property's name in the header.
        name: String,
        /// Its type as the header gives it (e.g. `list`, `uchar`).
        kind: String,
    },
    /// The number of `f_rest_*` properties (carried) matches no SH degree.
    #[error("{0} f_rest_* properties is no SH degree (expected 0, 9, 24 or 45)")]
    BadShCount(usize),
    /// The `f_rest_*` properties (count carried) skip or repeat an index.
    #[error("f_rest_* properties are not numbered 0..{0} without gaps")]
    ShGap(usize),
    /// A Gaussian's position, scale, rotation, opacity or SH coefficient is NaN or infinite
    /// (strict loading; otherwise the Gaussian is dropped).
    #[error("Gaussian {index}: {what} is not finite ({value})")]
    NonFinite {
        /// Index of the Gaussian in file order.
        index: usize,
        /// Which quantity: "position", "scale", "rotation", "opacity" or "SH coefficient".
        what: &'static str,
        /// The offending value.
        value: f32,
    },
    /// An extra (non-splatting) per-Gaussian property is NaN or infinite.
    #[error("Gaussian {index}: property '{property}' is not finite ({value})")]
    NonFiniteProperty {
        /// Index of the Gaussian in file order.
        index: usize,
        /// The property's name.
        property: String,
        /// The offending value.
        value: f64,
    },
    /// A Gaussian's rotation quaternion has (near) zero length, so it has no orientation.
    #[error("Gaussian {index}: rotation quaternion is zero (or too small to normalise)")]
    ZeroQuaternion {
        /// Index of the Gaussian in file order.
        index: usize,
    },
    /// Nothing renderable is left (empty file, or every Gaussian was dropped); the text says why.
    #[error("no usable Gaussians: {0}")]
    Empty(String),
    /// The data breaks the format's rules in a way the text describes.
    #[error("malformed data: {0}")]
    Malformed(String),
    /// A valid file uses a feature (version, encoding, extension) this crate does not implement.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A trainer folder's `cameras.json` cannot be parsed or holds an invalid camera.
    #[error("cameras.json: {0}")]
    Cameras(String),
}
