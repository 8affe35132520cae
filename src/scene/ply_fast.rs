//! Fast path for binary little-endian PLY with scalar properties (the reference trainer's
//! output and nearly every real file): the body is decoded straight from the file bytes with
//! fixed per-property offsets, no per-value parsing or allocation.

use rayon::prelude::*;

pub use super::MAX_GAUSSIANS;
use super::ply_header::{ElementDef, PlyHeader};
use super::ply_layout::VertexLayout;
use super::{Problem, ScalarKind, Scene};

/// Byte range of every element's records in a binary body with scalar-only elements, or
/// `None` when some element has list properties (then only the general path can walk it).
pub fn element_ranges(header: &PlyHeader) -> Option<Vec<(u64, u64)>> {
    let mut at = header.body_offset as u64;
    let mut out = Vec::with_capacity(header.elements.len());
    for el in &header.elements {
        let stride = el.binary_stride()? as u64;
        let len = el.count.checked_mul(stride)?;
        out.push((at, len));
        at = at.checked_add(len)?;
    }
    Some(out)
}

/// Rejects counts that cannot be real before anything is allocated.
pub fn check_count(el: &ElementDef, file_len: u64) -> Result<(), Problem> {
    if el.count > MAX_GAUSSIANS {
        return Err(Problem::AbsurdCount {
            count: el.count,
            limit: MAX_GAUSSIANS,
            why: "the header count is corrupt or the scene is far larger than any real capture".into(),
        });
    }
    // Even ASCII needs a couple of bytes per property per record.
    let min_bytes = el.count.saturating_mul(el.properties.len() as u64);
    if min_bytes > file_len.saturating_mul(2) {
        return Err(Problem::AbsurdCount {
            count: el.count,
            limit: file_len,
            why: format!("a file of {file_len} bytes cannot hold that many records"),
        });
    }
    Ok(())
}

/// Checks the body length against the header exactly: short is truncated, long means the
/// header count is wrong.
pub fn check_body_length(
    header: &PlyHeader,
    ranges: &[(u64, u64)],
    file_len: u64,
    vertex: &ElementDef,
) -> Result<(), Problem> {
    let end = ranges.last().map(|(s, l)| s + l).unwrap_or(header.body_offset as u64);
    let body_expected = end - header.body_offset as u64;
    let body_found = file_len.saturating_sub(header.body_offset as u64);
    if file_len < end {
        return Err(Problem::Truncated { expected: body_expected, found: body_found });
    }
    if file_len > end {
        let stride = vertex.binary_stride().unwrap_or(1).max(1) as u64;
        return Err(Problem::CountMismatch {
            element: vertex.name.clone(),
            declared: vertex.count,
            found: format!(
                "{} extra bytes after the last element (about {} more records)",
                file_len - end,
                (file_len - end) / stride
            ),
        });
    }
    Ok(())
}

/// Reads one scalar of `kind` from little-endian `bytes` at `off`, exactly as f64.
#[inline(always)]
pub fn read_le(bytes: &[u8], off: usize, kind: ScalarKind) -> f64 {
    macro_rules! rd {
        ($t:ty, $n:expr) => {{
            let mut b = [0u8; $n];
            b.copy_from_slice(&bytes[off..off + $n]);
            <$t>::from_le_bytes(b) as f64
        }};
    }
    match kind {
        ScalarKind::I8 => bytes[off] as i8 as f64,
        ScalarKind::U8 => bytes[off] as f64,
        ScalarKind::I16 => rd!(i16, 2),
        ScalarKind::U16 => rd!(u16, 2),
        ScalarKind::I32 => rd!(i32, 4),
        ScalarKind::U32 => rd!(u32, 4),
        ScalarKind::F32 => rd!(f32, 4),
        ScalarKind::F64 => rd!(f64, 8),
    }
}

/// Decodes the vertex records of `body` (exactly `count × stride` bytes) into a Scene.
pub fn decode_vertices(layout: &VertexLayout, el: &ElementDef, body: &[u8]) -> Scene {
    let n = el.count as usize;
    let stride = el.binary_stride().expect("fast path only sees scalar elements");
    let mut offsets = Vec::with_capacity(layout.kinds.len());
    let mut at = 0;
    for k in &layout.kinds {
        offsets.push(at);
        at += k.size();
    }
    let mut scene = layout.alloc_scene(n);
    // Decode runs of records in parallel: each run writes its own disjoint slices.
    const RUN: usize = 16 * 1024;
    scene.chunks_mut(RUN).into_par_iter().enumerate().for_each(|(c, mut slices)| {
        let records = &body[c * RUN * stride..((c + 1) * RUN).min(n) * stride];
        for (i, rec) in records.chunks_exact(stride).enumerate() {
            layout.fill_record(&mut slices, i, |p| read_le(rec, offsets[p], layout.kinds[p]));
        }
    });
    scene.extras.par_iter_mut().zip(&layout.extras).for_each(|(extra, &p)| {
        let (off, kind) = (offsets[p], layout.kinds[p]);
        for (v, rec) in extra.values.iter_mut().zip(body.chunks_exact(stride)) {
            *v = read_le(rec, off, kind);
        }
    });
    scene
}
