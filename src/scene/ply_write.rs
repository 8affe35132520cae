//! Writes the reference trainer's binary little-endian PLY, with labels and extra
//! properties, atomically (temp file + rename) so a crash never leaves half a file.
//!
//! Property order: x y z, the normals if the scene carries them, f_dc_*, f_rest_*
//! (channel-major, as the reference trainer writes them), opacity, scale_*, rot_*, the other
//! extras in scene order, then `label` (ushort). Reading the file back gives an identical
//! [`Scene`].

use std::io::{BufWriter, Write};
use std::path::Path;

use super::{ExtraProperty, ScalarKind, Scene, SceneError};

const NORMALS: [&str; 3] = ["nx", "ny", "nz"];

/// Writes `scene` to `path` as a binary little-endian reference PLY.
pub fn write_ply(path: &Path, scene: &Scene) -> Result<(), SceneError> {
    scene
        .check_consistent()
        .map_err(|m| SceneError::invalid(path, super::Problem::Malformed(m)))?;
    crate::util::atomic_write::write_atomically(path, |w| write_ply_to(w, scene))
        .map_err(|e| SceneError::io(path, e))
}

/// Writes the PLY bytes to any writer (the atomic file wrapper, or memory in tests).
pub fn write_ply_to(out: &mut dyn Write, scene: &Scene) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, out);
    let n = scene.len();
    let coeffs = scene.sh_coeffs();
    let rest_per_channel = coeffs - 1;
    let (normals, others): (Vec<&ExtraProperty>, Vec<&ExtraProperty>) =
        scene.extras.iter().partition(|e| NORMALS.contains(&e.name.as_str()));

    writeln!(w, "ply\nformat binary_little_endian 1.0\ncomment written by rtgs2")?;
    writeln!(w, "element vertex {n}")?;
    for p in ["x", "y", "z"] {
        writeln!(w, "property float {p}")?;
    }
    for e in &normals {
        writeln!(w, "property {} {}", e.kind.ply_name(), e.name)?;
    }
    for c in 0..3 {
        writeln!(w, "property float f_dc_{c}")?;
    }
    for k in 0..3 * rest_per_channel {
        writeln!(w, "property float f_rest_{k}")?;
    }
    writeln!(w, "property float opacity")?;
    for c in 0..3 {
        writeln!(w, "property float scale_{c}")?;
    }
    for c in 0..4 {
        writeln!(w, "property float rot_{c}")?;
    }
    for e in &others {
        writeln!(w, "property {} {}", e.kind.ply_name(), e.name)?;
    }
    if scene.labels.is_some() {
        writeln!(w, "property ushort label")?;
    }
    writeln!(w, "end_header")?;

    let mut rec: Vec<u8> = Vec::with_capacity(4 * (17 + 3 * coeffs) + 64);
    for i in 0..n {
        rec.clear();
        let mut f = |v: f32| rec.extend_from_slice(&v.to_le_bytes());
        scene.positions[i].iter().for_each(|&v| f(v));
        let sh = scene.sh_of(i);
        let rec_extra = |rec: &mut Vec<u8>, e: &ExtraProperty| put_scalar(rec, e.kind, e.values[i]);
        for e in &normals {
            rec_extra(&mut rec, e);
        }
        let mut f = |v: f32| rec.extend_from_slice(&v.to_le_bytes());
        for c in 0..3 {
            f(sh[c]);
        }
        // f_rest is channel-major in the file: all R coefficients, then G, then B.
        for c in 0..3 {
            for k in 1..coeffs {
                f(sh[k * 3 + c]);
            }
        }
        f(scene.opacity_logits[i]);
        scene.log_scales[i].iter().for_each(|&v| f(v));
        scene.rotations[i].iter().for_each(|&v| f(v));
        for e in &others {
            rec_extra(&mut rec, e);
        }
        if let Some(labels) = &scene.labels {
            rec.extend_from_slice(&labels[i].to_le_bytes());
        }
        w.write_all(&rec)?;
    }
    w.flush()
}

/// Appends one scalar in the given PLY type; values were read from that type, so the
/// conversion back is exact.
fn put_scalar(rec: &mut Vec<u8>, kind: ScalarKind, v: f64) {
    match kind {
        ScalarKind::I8 => rec.extend_from_slice(&(v as i8).to_le_bytes()),
        ScalarKind::U8 => rec.extend_from_slice(&(v as u8).to_le_bytes()),
        ScalarKind::I16 => rec.extend_from_slice(&(v as i16).to_le_bytes()),
        ScalarKind::U16 => rec.extend_from_slice(&(v as u16).to_le_bytes()),
        ScalarKind::I32 => rec.extend_from_slice(&(v as i32).to_le_bytes()),
        ScalarKind::U32 => rec.extend_from_slice(&(v as u32).to_le_bytes()),
        ScalarKind::F32 => rec.extend_from_slice(&(v as f32).to_le_bytes()),
        ScalarKind::F64 => rec.extend_from_slice(&v.to_le_bytes()),
    }
}
