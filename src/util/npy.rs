//! NumPy `.npy` (format 1.0/2.0, little-endian, C order) reading and writing, so Python
//! fixtures and datasets cross the language boundary without a converter.

use std::io::{self, Write};
use std::path::Path;

use thiserror::Error;

const MAGIC: &[u8] = b"\x93NUMPY";

/// Why an `.npy` file could not be read or written.
#[derive(Debug, Error)]
pub enum NpyError {
    /// The OS message is in the text and not also a `source`: anyhow's `{:#}` would print it twice.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// What the operating system reported.
        error: io::Error,
    },
    /// The file is not an `.npy` of the element type asked for.
    #[error("{path}: not a valid .npy file: {problem}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong with it.
        problem: String,
    },
}

/// Element types this project exchanges.
pub trait NpyElement: bytemuck::Pod {
    /// The numpy type string (`descr` in the header), e.g. `<f4`.
    const DESCR: &'static str;
}
impl NpyElement for f32 {
    const DESCR: &'static str = "<f4";
}
impl NpyElement for i64 {
    const DESCR: &'static str = "<i8";
}
impl NpyElement for u8 {
    const DESCR: &'static str = "|u1";
}
impl NpyElement for u16 {
    const DESCR: &'static str = "<u2";
}
impl NpyElement for u32 {
    const DESCR: &'static str = "<u4";
}
impl NpyElement for i32 {
    const DESCR: &'static str = "<i4";
}
impl NpyElement for i16 {
    const DESCR: &'static str = "<i2";
}
impl NpyElement for half::f16 {
    const DESCR: &'static str = "<f2";
}

/// A C-order array read from disk.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray<T> {
    /// Length of each axis.
    pub shape: Vec<usize>,
    /// The values in C (row-major) order; as many as the shape's product.
    pub data: Vec<T>,
}

/// Reads a little-endian, C-order `.npy` file of element type `T`.
pub fn read<T: NpyElement>(path: &Path) -> Result<NpyArray<T>, NpyError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| NpyError::Io { path: name.clone(), error: source })?;
    parse(&bytes).map_err(|problem| NpyError::Invalid { path: name, problem })
}

/// Reads an array of any integer element type (`u1` to `i8`, little-endian) widened to i64:
/// label files come from many tools, each with its own idea of the right width.
pub fn read_integers(path: &Path) -> Result<NpyArray<i64>, NpyError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| NpyError::Io { path: name.clone(), error: source })?;
    parse_integers(&bytes).map_err(|problem| NpyError::Invalid { path: name, problem })
}

fn parse_integers(bytes: &[u8]) -> Result<NpyArray<i64>, String> {
    fn widen<T: NpyElement + Into<i64>>(bytes: &[u8]) -> Result<NpyArray<i64>, String> {
        let a = parse::<T>(bytes)?;
        Ok(NpyArray { shape: a.shape, data: a.data.into_iter().map(Into::into).collect() })
    }
    type Attempt = fn(&[u8]) -> Result<NpyArray<i64>, String>;
    let attempts: [Attempt; 6] = [widen::<u8>, widen::<u16>, widen::<u32>, widen::<i32>, parse::<i64>, widen::<i16>];
    let mut first_error = None;
    for attempt in attempts {
        match attempt(bytes) {
            Ok(a) => return Ok(a),
            // Only a type mismatch moves on to the next width; any other problem is the file's.
            Err(e) if e.starts_with("element type") => first_error.get_or_insert(e),
            Err(e) => return Err(e),
        };
    }
    Err(first_error
        .map_or_else(|| "no integer element type".into(), |e| e.replace(", expected", ", not an integer type like")))
}

fn parse<T: NpyElement>(bytes: &[u8]) -> Result<NpyArray<T>, String> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err("missing the \\x93NUMPY magic".into());
    }
    let (header_len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, 12),
        v => return Err(format!("unsupported format version {v}")),
    };
    let header = bytes.get(start..start + header_len).ok_or("header runs past the end of the file")?;
    let header = std::str::from_utf8(header).map_err(|_| "header is not text")?;
    let descr = dict_value(header, "descr").ok_or("header has no 'descr'")?;
    if descr.trim_matches('\'') != T::DESCR {
        return Err(format!("element type {descr}, expected '{}'", T::DESCR));
    }
    if dict_value(header, "fortran_order").is_some_and(|v| v.starts_with("True")) {
        return Err("Fortran order is not supported".into());
    }
    let shape_text = dict_value(header, "shape").ok_or("header has no 'shape'")?;
    let inner = shape_text.trim_start_matches('(');
    let inner = &inner[..inner.find(')').ok_or("unterminated shape")?];
    let shape = inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>().map_err(|_| format!("bad dimension {s:?}")))
        .collect::<Result<Vec<_>, _>>()?;
    let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d)).ok_or("shape overflows")?;
    let body = &bytes[start + header_len..];
    let need = count.checked_mul(size_of::<T>()).ok_or("shape overflows")?;
    if body.len() != need {
        return Err(format!("{} data bytes, the shape needs {need}", body.len()));
    }
    let mut data = vec![T::zeroed(); count];
    bytemuck::cast_slice_mut::<T, u8>(&mut data).copy_from_slice(body);
    Ok(NpyArray { shape, data })
}

/// The text after `'key':` up to the next top-level comma (shapes keep their parentheses).
fn dict_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let at = header.find(&format!("'{key}'"))? + key.len() + 2;
    let rest = header[at..].trim_start().strip_prefix(':')?.trim_start();
    let end = if rest.starts_with('(') { rest.find(')')? + 1 } else { rest.find([',', '}'])? };
    Some(rest[..end].trim())
}

/// Serialise `data` with `shape` as a version-1.0 `.npy` byte stream.
pub fn write_to<T: NpyElement>(out: &mut dyn Write, shape: &[usize], data: &[T]) -> io::Result<()> {
    assert_eq!(shape.iter().product::<usize>(), data.len(), "npy shape must match the data length");
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape_text = if dims.len() == 1 { format!("({},)", dims[0]) } else { format!("({})", dims.join(", ")) };
    let mut header = format!("{{'descr': '{}', 'fortran_order': False, 'shape': {shape_text}, }}", T::DESCR);
    // Pad so the data starts on a 64-byte boundary, as numpy does.
    let total = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - total % 64) % 64));
    header.push('\n');
    out.write_all(MAGIC)?;
    out.write_all(&[1, 0])?;
    out.write_all(&(header.len() as u16).to_le_bytes())?;
    out.write_all(header.as_bytes())?;
    out.write_all(bytemuck::cast_slice(data))
}

/// Write an `.npy` file atomically.
pub fn write<T: NpyElement>(path: &Path, shape: &[usize], data: &[T]) -> io::Result<()> {
    super::atomic_write::write_atomically(path, |out| write_to(out, shape, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_shapes_and_types() {
        let mut buf = Vec::new();
        let data: Vec<i64> = (0..12).map(|i| i * 7 - 30).collect();
        write_to(&mut buf, &[3, 4], &data).expect("write to memory");
        assert_eq!(buf.len() % 64, (12 * 8) % 64, "data starts 64-byte aligned");
        let back: NpyArray<i64> = parse(&buf).expect("parse");
        assert_eq!(back.shape, vec![3, 4]);
        assert_eq!(back.data, data);
        let mut buf = Vec::new();
        write_to(&mut buf, &[5], &[1.5f32, -2.0, 3.25, 0.0, 9.0]).expect("write");
        assert_eq!(parse::<f32>(&buf).expect("parse").shape, vec![5]);
        assert!(parse::<i64>(&buf).expect_err("type mismatch").contains("<f4"));
    }

    #[test]
    fn integer_arrays_of_any_width_widen_to_i64() {
        let mut buf = Vec::new();
        write_to(&mut buf, &[3], &[7u32, 40, 4_000_000_000]).expect("write");
        assert_eq!(parse_integers(&buf).expect("u4").data, vec![7, 40, 4_000_000_000]);
        let mut buf = Vec::new();
        write_to(&mut buf, &[2], &[-3i16, 12]).expect("write");
        assert_eq!(parse_integers(&buf).expect("i2").data, vec![-3, 12]);
        let mut buf = Vec::new();
        write_to(&mut buf, &[1], &[1.5f32]).expect("write");
        assert!(parse_integers(&buf).expect_err("float").contains("<f4"));
    }

    #[test]
    fn rejects_truncation() {
        let mut buf = Vec::new();
        write_to(&mut buf, &[4], &[1i64, 2, 3, 4]).expect("write");
        buf.pop();
        assert!(parse::<i64>(&buf).expect_err("truncated").contains("data bytes"));
        assert!(parse::<i64>(&buf[..5]).is_err());
    }
}
