//! Writes the reference trainer's PLY layout, with labels and extra properties, atomically
//! (temp file + rename) so a crash never leaves half a file. Binary little-endian by default
//! (what every tool reads fastest); big-endian and ASCII for interchange and tests.
//!
//! Property order: x y z, the normals if the scene carries them, f_dc_*, f_rest_*
//! (channel-major, as the reference trainer writes them), opacity, scale_*, rot_*, the other
//! extras in scene order, then `label` (ushort). Reading the file back gives an identical
//! [`Scene`].

use std::io::{BufWriter, Write};
use std::path::Path;

use super::{ScalarKind, Scene, SceneError};

const NORMALS: [&str; 3] = ["nx", "ny", "nz"];

/// Body encodings the writer produces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlyEncoding {
    #[default]
    BinaryLittleEndian,
    BinaryBigEndian,
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
    scene.check_consistent().map_err(|m| SceneError::invalid(path, super::Problem::Malformed(m)))?;
    crate::util::atomic_write::write_atomically(path, |w| write_ply_as(w, scene, encoding))
        .map_err(|e| SceneError::io(path, e))
}

/// Writes binary little-endian PLY bytes to any writer.
pub fn write_ply_to(out: &mut dyn Write, scene: &Scene) -> std::io::Result<()> {
    write_ply_as(out, scene, PlyEncoding::default())
}

/// Writes PLY bytes in `encoding` to any writer.
pub fn write_ply_as(out: &mut dyn Write, scene: &Scene, encoding: PlyEncoding) -> std::io::Result<()> {
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
            let v = match col.source {
                Source::Position(k) => scene.positions[i][k] as f64,
                Source::Sh { k, c } => scene.sh[i * stride + k * 3 + c] as f64,
                Source::Opacity => scene.opacity_logits[i] as f64,
                Source::Scale(k) => scene.log_scales[i][k] as f64,
                Source::Rotation(k) => scene.rotations[i][k] as f64,
                Source::Extra(values) => values[i],
                Source::Label(labels) => labels[i] as f64,
            };
            put_scalar(&mut rec, col.kind, v, encoding, j == 0);
        }
        if encoding == PlyEncoding::Ascii {
            rec.push(b'\n');
        }
        w.write_all(&rec)?;
    }
    w.flush()
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
