//! Writes the reference trainer's PLY layout, with labels and extra properties, atomically
//! (temp file + rename) so a crash never leaves half a file. Binary little-endian by default
//! (what every tool reads fastest); big-endian and ASCII for interchange and tests.
//!
//! Property order: x y z, the normals if the scene carries them, f_dc_*, f_rest_*
//! (channel-major, as the reference trainer writes them), opacity, scale_*, rot_*, the other
//! extras in scene order, then `label` (ushort). Reading the file back gives an identical
//! [`Scene`].
//!
//! NaN and infinity: the readers carry extra properties unchecked, so a NaN in an extra
//! float property survives binary PLY both ways, bit for bit. ASCII PLY has no spelling for
//! it that PLY readers (ours included) accept, and writing a finite stand-in would make the
//! ASCII copy differ from the binary one; so writing ASCII refuses such a scene, naming the
//! property and the Gaussian, and binary encodings write it as it is.

use std::io::{BufWriter, Write};
use std::path::Path;

use super::{ScalarKind, Scene, SceneError};

const NORMALS: [&str; 3] = ["nx", "ny", "nz"];

/// Body encodings the writer produces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlyEncoding {
    #[default]
    /// `binary_little_endian`, what the reference trainer writes (the default).
    BinaryLittleEndian,
    /// `binary_big_endian`.
    BinaryBigEndian,
    /// `ascii` text, one record per line.
    Ascii,
}

impl PlyEncoding {
    fn header_name(self) -> &'static str {
        match self {
            Self::BinaryLittleEndian => "binary_little_endian",
            Self::BinaryBigEndian => "binary_big_endian",
            Self::Ascii => "ascii",
        }
    }
}

/// Where a column's values come from.
enum Source<'a> {
    Position(usize),
    /// SH coefficient `k`, colour channel `c`.
    Sh {
        k: usize,
        c: usize,
    },
    Opacity,
    Scale(usize),
    Rotation(usize),
    Extra(&'a [f64]),
    Label(&'a [u16]),
}

struct Column<'a> {
    name: String,
    kind: ScalarKind,
    source: Source<'a>,
}

fn extra_column(e: &super::ExtraProperty) -> Column<'_> {
    Column { name: e.name.clone(), kind: e.kind, source: Source::Extra(&e.values) }
}

fn columns(scene: &Scene) -> Vec<Column<'_>> {
    let f32col = |name: String, source| Column { name, kind: ScalarKind::F32, source };
    let mut cols: Vec<Column> =
        ["x", "y", "z"].iter().enumerate().map(|(k, n)| f32col(n.to_string(), Source::Position(k))).collect();
    cols.extend(scene.extras.iter().filter(|e| NORMALS.contains(&e.name.as_str())).map(extra_column));
    cols.extend((0..3).map(|c| f32col(format!("f_dc_{c}"), Source::Sh { k: 0, c })));
    let coeffs = scene.sh_coeffs();
    for c in 0..3 {
        for k in 1..coeffs {
            cols.push(f32col(format!("f_rest_{}", c * (coeffs - 1) + k - 1), Source::Sh { k, c }));
        }
    }
    cols.push(f32col("opacity".into(), Source::Opacity));
    cols.extend((0..3).map(|c| f32col(format!("scale_{c}"), Source::Scale(c))));
    cols.extend((0..4).map(|c| f32col(format!("rot_{c}"), Source::Rotation(c))));
    cols.extend(scene.extras.iter().filter(|e| !NORMALS.contains(&e.name.as_str())).map(extra_column));
    if let Some(l) = &scene.labels {
        cols.push(Column { name: "label".into(), kind: ScalarKind::U16, source: Source::Label(l) });
    }
    cols
}

/// Writes `scene` to `path` as a binary little-endian reference PLY.
pub fn write_ply(path: &Path, scene: &Scene) -> Result<(), SceneError> {
    write_ply_encoded(path, scene, PlyEncoding::default())
}

/// Writes `scene` to `path` with the given body encoding.
pub fn write_ply_encoded(path: &Path, scene: &Scene, encoding: PlyEncoding) -> Result<(), SceneError> {
    scene.check_consistent().map_err(|e| SceneError::invalid(path, super::Problem::Malformed(e.to_string())))?;
    if encoding == PlyEncoding::Ascii
        && let Some(why) = ascii_unwritable(scene)
    {
        return Err(SceneError::invalid(path, super::Problem::Unsupported(why)));
    }
    crate::util::atomic_write::write_atomically(path, |w| write_ply_as(w, scene, encoding))
        .map_err(|e| SceneError::io(path, e))
}

/// Writes binary little-endian PLY bytes to any writer.
pub fn write_ply_to(out: &mut dyn Write, scene: &Scene) -> std::io::Result<()> {
    write_ply_as(out, scene, PlyEncoding::default())
}

/// Writes PLY bytes in `encoding` to any writer.
pub fn write_ply_as(out: &mut dyn Write, scene: &Scene, encoding: PlyEncoding) -> std::io::Result<()> {
    if encoding == PlyEncoding::Ascii
        && let Some(why) = ascii_unwritable(scene)
    {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, why));
    }
    let mut w = BufWriter::with_capacity(1 << 20, out);
    let cols = columns(scene);
    writeln!(w, "ply\nformat {} 1.0\ncomment written by rtgs2", encoding.header_name())?;
    writeln!(w, "element vertex {}", scene.len())?;
    for c in &cols {
        writeln!(w, "property {} {}", c.kind.ply_name(), c.name)?;
    }
    writeln!(w, "end_header")?;
    let stride = scene.sh_coeffs() * 3;
    let mut rec: Vec<u8> = Vec::with_capacity(cols.len() * 24);
    for i in 0..scene.len() {
        rec.clear();
        for (j, col) in cols.iter().enumerate() {
            put_scalar(&mut rec, col.kind, value(scene, col, i, stride), encoding, j == 0);
        }
        if encoding == PlyEncoding::Ascii {
            rec.push(b'\n');
        }
        w.write_all(&rec)?;
    }
    w.flush()
}

/// Gaussian `i`'s value in `col` (`stride`: SH values per Gaussian).
fn value(scene: &Scene, col: &Column, i: usize, stride: usize) -> f64 {
    match col.source {
        Source::Position(k) => scene.positions[i][k] as f64,
        Source::Sh { k, c } => scene.sh[i * stride + k * 3 + c] as f64,
        Source::Opacity => scene.opacity_logits[i] as f64,
        Source::Scale(k) => scene.log_scales[i][k] as f64,
        Source::Rotation(k) => scene.rotations[i][k] as f64,
        Source::Extra(values) => values[i],
        Source::Label(labels) => labels[i] as f64,
    }
}

/// Why `scene` cannot be written as ASCII PLY: the first NaN or infinite float value (see
/// the module notes), or `None`.
fn ascii_unwritable(scene: &Scene) -> Option<String> {
    let stride = scene.sh_coeffs() * 3;
    let cols = columns(scene);
    for col in cols.iter().filter(|c| !c.kind.is_integer()) {
        let bad = (0..scene.len())
            .map(|i| (i, value(scene, col, i, stride)))
            .find(|&(_, v)| if col.kind == ScalarKind::F32 { !(v as f32).is_finite() } else { !v.is_finite() });
        if let Some((i, v)) = bad {
            return Some(format!(
                "property '{}' of Gaussian {i} is {v}, which ASCII PLY cannot spell so that PLY readers \
                 (this one included) read it back; write a binary encoding (binary-le or binary-be), \
                 which keeps it as it is",
                col.name
            ));
        }
    }
    None
}

/// Appends one scalar in the given PLY type. Values were read from that type (or are f32),
/// so the conversion back is exact; ASCII uses Rust's shortest round-trip formatting.
fn put_scalar(rec: &mut Vec<u8>, kind: ScalarKind, v: f64, encoding: PlyEncoding, first: bool) {
    macro_rules! bin {
        ($t:ty) => {{
            let x = v as $t;
            match encoding {
                PlyEncoding::BinaryBigEndian => rec.extend_from_slice(&x.to_be_bytes()),
                _ => rec.extend_from_slice(&x.to_le_bytes()),
            }
        }};
    }
    if encoding == PlyEncoding::Ascii {
        use std::io::Write as _;
        if !first {
            rec.push(b' ');
        }
        let _ = match kind {
            ScalarKind::F32 => write!(rec, "{}", v as f32),
            ScalarKind::F64 => write!(rec, "{v}"),
            _ => write!(rec, "{}", v as i64),
        };
        return;
    }
    match kind {
        ScalarKind::I8 => bin!(i8),
        ScalarKind::U8 => bin!(u8),
        ScalarKind::I16 => bin!(i16),
        ScalarKind::U16 => bin!(u16),
        ScalarKind::I32 => bin!(i32),
        ScalarKind::U32 => bin!(u32),
        ScalarKind::F32 => bin!(f32),
        ScalarKind::F64 => bin!(f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::ExtraProperty;
    use crate::scene::load::decode_bytes;

    fn scene_with_extra(values: Vec<f64>) -> Scene {
        let n = values.len();
        let mut s = Scene::with_capacity(n, 0);
        for i in 0..n {
            s.positions.push([i as f32, 0.0, 1.0]);
            s.log_scales.push([-2.0; 3]);
            s.rotations.push([1.0, 0.0, 0.0, 0.0]);
            s.opacity_logits.push(0.5);
            s.sh.extend([0.1, 0.2, 0.3]);
        }
        s.extras.push(ExtraProperty { name: "confidence".into(), kind: ScalarKind::F32, values });
        s
    }

    /// ASCII used to write `NaN` / `inf` tokens that no PLY reader, ours included, reads
    /// back. Binary keeps them, as the readers carry extras unchecked.
    #[test]
    fn ascii_refuses_non_finite_extras_that_binary_keeps() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let scene = scene_with_extra(vec![0.5, bad, 2.0]);
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("out.ply");
            let msg = write_ply_encoded(&path, &scene, PlyEncoding::Ascii).expect_err("ascii refuses").to_string();
            assert!(msg.contains("out.ply") && msg.contains("'confidence'") && msg.contains("Gaussian 1"), "{msg}");
            assert!(msg.contains("binary"), "the way out is named: {msg}");
            assert!(!path.exists(), "nothing is left behind");
            let mut raw = Vec::new();
            assert!(write_ply_as(&mut raw, &scene, PlyEncoding::Ascii).is_err());
            for enc in [PlyEncoding::BinaryLittleEndian, PlyEncoding::BinaryBigEndian] {
                write_ply_encoded(&path, &scene, enc).expect("binary writes it");
                let bytes = std::fs::read(&path).expect("written");
                let (back, _) = decode_bytes(&path, &bytes).expect("reads back");
                let got = back.extra("confidence").expect("extra kept").values[1];
                assert_eq!(got.to_bits(), (bad as f32 as f64).to_bits(), "{enc:?}");
            }
        }
        // Finite values still write as ASCII and read back.
        let scene = scene_with_extra(vec![0.5, -1.25, 2.0]);
        let mut raw = Vec::new();
        write_ply_as(&mut raw, &scene, PlyEncoding::Ascii).expect("finite ascii");
        let (back, _) = decode_bytes(std::path::Path::new("a.ply"), &raw).expect("reads back");
        assert_eq!(back, scene);
    }
}
