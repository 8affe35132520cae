//! Reader for the SuperSplat / PlayCanvas "compressed PLY".
//!
//! Layout (playcanvas/splat-transform `compressed-chunk.ts`, `write-compressed-ply.ts`,
//! `decompress-ply.ts`; playcanvas/engine `gsplat-compressed-data.js`), binary little-endian:
//! - element `chunk`, one per 256 vertices: float min_x..max_z, min_scale_*..max_scale_*
//!   (log scales) and, in newer files, min_r..max_b (colour range after `0.5 + C0·f_dc`);
//! - element `vertex`, uint32 each: `packed_position` and `packed_scale` are 11/10/11-bit
//!   unorms (x in the top bits) interpolated between the chunk's min and max;
//!   `packed_rotation` has the largest component's index (into rot_0..rot_3 = w, x, y, z)
//!   in the top 2 bits, then the other three in order, 10 bits each, as `q·(√2/2) + 0.5`
//!   (the largest is made positive and rebuilt from unit length); `packed_color` is
//!   r, g, b, a as 8-bit unorms (r in the top bits), rgb interpolated in the chunk's colour
//!   range when present, a = sigmoid(opacity);
//! - optional element `sh`, uchar f_rest_0.. in the reference PLY's channel-major order,
//!   quantised as `trunc((v/8 + 0.5)·256)`.
//!
//! The writer converts to the PLY frame before packing, so no axis change is needed.
//! Properties are found by name; other elements and properties are skipped.

use std::path::Path;

use super::ply_header::{self, ElementDef, Encoding, PlyHeader, PropertyType};
use super::{Problem, ScalarKind, Scene, SceneError, logit, sh};

/// Vertices per chunk.
const CHUNK: usize = 256;
const MAX_GAUSSIANS: u64 = 100_000_000;

const CHUNK_BOUNDS: [&str; 12] = [
    "min_x", "min_y", "min_z", "max_x", "max_y", "max_z", "min_scale_x", "min_scale_y",
    "min_scale_z", "max_scale_x", "max_scale_y", "max_scale_z",
];
const CHUNK_COLOR: [&str; 6] = ["min_r", "min_g", "min_b", "max_r", "max_g", "max_b"];
const VERTEX: [&str; 4] = ["packed_position", "packed_rotation", "packed_scale", "packed_color"];

pub fn read(path: &Path, bytes: &[u8]) -> Result<Scene, SceneError> {
    decode(bytes).map_err(|problem| SceneError::invalid(path, problem))
}

/// One element's records in the body.
struct Table<'a> {
    data: &'a [u8],
    stride: usize,
}

impl Table<'_> {
    fn record(&self, i: usize) -> &[u8] {
        &self.data[i * self.stride..(i + 1) * self.stride]
    }
}

fn decode(bytes: &[u8]) -> Result<Scene, Problem> {
    let header = ply_header::parse(bytes)?;
    if header.encoding != Encoding::BinaryLittleEndian {
        return Err(Problem::Unsupported(format!(
            "compressed PLY in {:?} encoding (SuperSplat writes only binary little-endian)",
            header.encoding
        )));
    }
    let tables = lay_out(&header, bytes)?;
    let table = |name: &str| {
        let i = header.elements.iter().position(|e| e.name == name);
        i.map(|i| (&header.elements[i], &tables[i]))
    };
    let (vertex_def, vertices) =
        table("vertex").ok_or_else(|| Problem::Malformed("no 'vertex' element".into()))?;
    let (chunk_def, chunks) =
        table("chunk").ok_or_else(|| Problem::Malformed("no 'chunk' element".into()))?;

    let n = vertex_def.count as usize;
    if n == 0 {
        return Err(Problem::Empty("the 'vertex' element has 0 entries".into()));
    }
    let needed = n.div_ceil(CHUNK);
    if chunk_def.count != needed as u64 {
        return Err(Problem::CountMismatch {
            element: "chunk".into(),
            declared: chunk_def.count,
            found: format!("{n} vertices, which need {needed}"),
        });
    }

    let bounds = fields(chunk_def, &CHUNK_BOUNDS, ScalarKind::F32)?;
    let color = if chunk_def.property_index(CHUNK_COLOR[0]).is_some() {
        Some(fields(chunk_def, &CHUNK_COLOR, ScalarKind::F32)?)
    } else {
        None
    };
    let packed = fields(vertex_def, &VERTEX, ScalarKind::U32)?;
    let sh_rest = match table("sh") {
        Some((def, data)) => Some((sh_fields(def, n)?, data)),
        None => None,
    };
    let degree = sh_rest.as_ref().map_or(Ok(0), |(offsets, _)| {
        sh::degree_from_rest_count(offsets.len()).ok_or(Problem::BadShCount(offsets.len()))
    })?;

    let mut scene = Scene::with_capacity(n, degree);
    for c in 0..needed {
        let rec = chunks.record(c);
        let b = bounds.map(|o| f32_at(rec, o));
        let rgb_range = color.map(|offs| offs.map(|o| f32_at(rec, o)));
        for i in c * CHUNK..n.min((c + 1) * CHUNK) {
            let v = vertices.record(i);
            let [pos, rot, scale, col] = packed.map(|o| u32_at(v, o));
            let p = unpack_11_10_11(pos);
            scene.positions.push(std::array::from_fn(|k| lerp(b[k], b[k + 3], p[k])));
            let s = unpack_11_10_11(scale);
            scene.log_scales.push(std::array::from_fn(|k| lerp(b[k + 6], b[k + 9], s[k])));
            scene.rotations.push(unpack_rotation(rot));
            let unorm = |shift: u32| ((col >> shift) & 0xff) as f32 / 255.0;
            for (k, shift) in [24, 16, 8].into_iter().enumerate() {
                let t = unorm(shift);
                let rgb = rgb_range.map_or(t, |r| lerp(r[k], r[k + 3], t));
                scene.sh.push(sh::dc_from_rgb(rgb));
            }
            scene.opacity_logits.push(logit(unorm(0)));
            if let Some((offsets, data)) = &sh_rest {
                let rec = data.record(i);
                let per_channel = offsets.len() / 3;
                for k in 0..per_channel {
                    for ch in 0..3 {
                        scene.sh.push(unquantize_sh(rec[offsets[ch * per_channel + k]]));
                    }
                }
            }
        }
    }
    debug_assert_eq!(scene.check_consistent(), Ok(()));
    Ok(scene)
}

/// Slices the body into one table per element (elements follow each other in header
/// order), checking sizes before anything is indexed.
fn lay_out<'a>(header: &PlyHeader, bytes: &'a [u8]) -> Result<Vec<Table<'a>>, Problem> {
    let body = &bytes[header.body_offset..];
    let mut at = 0u64;
    let mut spans = Vec::with_capacity(header.elements.len());
    for e in &header.elements {
        if e.count > MAX_GAUSSIANS {
            return Err(Problem::AbsurdCount {
                count: e.count,
                limit: MAX_GAUSSIANS,
                why: format!("the header's '{}' count is implausible", e.name),
            });
        }
        let stride = e.binary_stride().ok_or_else(|| {
            Problem::Unsupported(format!("list properties in element '{}'", e.name))
        })?;
        // Bounded by the count limit and the 1 MiB header, so this cannot overflow.
        let len = e.count * stride as u64;
        spans.push((at, len, stride));
        at += len;
    }
    if at > body.len() as u64 {
        return Err(Problem::Truncated {
            expected: at,
            found: body.len() as u64,
        });
    }
    Ok(spans
        .into_iter()
        .map(|(start, len, stride)| Table {
            data: &body[start as usize..(start + len) as usize],
            stride,
        })
        .collect())
}

/// Byte offsets within a record of the named scalar properties, which must have `kind`.
fn fields<const N: usize>(
    e: &ElementDef,
    names: &[&str; N],
    kind: ScalarKind,
) -> Result<[usize; N], Problem> {
    let mut out = [0; N];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = field(e, name, kind)?;
    }
    Ok(out)
}

fn field(e: &ElementDef, name: &str, kind: ScalarKind) -> Result<usize, Problem> {
    let i = e
        .property_index(name)
        .ok_or_else(|| Problem::MissingProperty(format!("{}.{name}", e.name)))?;
    let ty = e.properties[i].ty;
    if ty != PropertyType::Scalar(kind) {
        return Err(Problem::BadPropertyType {
            name: name.into(),
            kind: match ty {
                PropertyType::Scalar(k) => k.ply_name().into(),
                PropertyType::List { .. } => "list".into(),
            },
        });
    }
    // Every property before it is a scalar: `lay_out` rejected elements with lists.
    Ok(e.properties[..i]
        .iter()
        .map(|p| match p.ty {
            PropertyType::Scalar(k) => k.size(),
            PropertyType::List { .. } => 0,
        })
        .sum())
}

/// Offsets of `f_rest_0..f_rest_{m-1}` in the `sh` element, checking count and types.
fn sh_fields(e: &ElementDef, vertices: usize) -> Result<Vec<usize>, Problem> {
    if e.count != vertices as u64 {
        return Err(Problem::CountMismatch {
            element: "sh".into(),
            declared: e.count,
            found: format!("{vertices} vertices"),
        });
    }
    let m = e
        .properties
        .iter()
        .filter(|p| {
            p.name
                .strip_prefix("f_rest_")
                .is_some_and(|k| k.parse::<usize>().is_ok())
        })
        .count();
    sh::degree_from_rest_count(m).ok_or(Problem::BadShCount(m))?;
    (0..m)
        .map(|k| {
            field(e, &format!("f_rest_{k}"), ScalarKind::U8).map_err(|err| match err {
                Problem::MissingProperty(_) => Problem::ShGap(m),
                other => other,
            })
        })
        .collect()
}

fn f32_at(rec: &[u8], o: usize) -> f32 {
    f32::from_le_bytes(rec[o..o + 4].try_into().expect("offset checked against the stride"))
}

fn u32_at(rec: &[u8], o: usize) -> u32 {
    u32::from_le_bytes(rec[o..o + 4].try_into().expect("offset checked against the stride"))
}

/// Same form as the reference decoders, so values at t = 0 and t = 1 are exact.
fn lerp(a: f32, b: f32, t: f32) -> f32 {
    a * (1.0 - t) + b * t
}

fn unpack_11_10_11(v: u32) -> [f32; 3] {
    [
        (v >> 21) as f32 / 2047.0,
        ((v >> 11) & 0x3ff) as f32 / 1023.0,
        (v & 0x7ff) as f32 / 2047.0,
    ]
}

/// Returns (w, x, y, z): the 2-bit index counts in rot_0..rot_3 order.
fn unpack_rotation(v: u32) -> [f32; 4] {
    let largest = (v >> 30) as usize;
    let small = [20, 10, 0].map(|s| (((v >> s) & 0x3ff) as f32 / 1023.0 - 0.5) * std::f32::consts::SQRT_2);
    let m = (1.0 - small.iter().map(|c| c * c).sum::<f32>()).max(0.0).sqrt();
    let mut q = [0.0; 4];
    let mut rest = small.into_iter();
    for (i, slot) in q.iter_mut().enumerate() {
        *slot = if i == largest {
            m
        } else {
            rest.next().expect("three small components")
        };
    }
    q
}

/// Inverse of splat-transform's `trunc((v/8 + 0.5)·256)`: bucket centres, with the end
/// buckets mapped to the ends of [-4, 4].
fn unquantize_sh(b: u8) -> f32 {
    let n = match b {
        0 => 0.0,
        255 => 1.0,
        _ => (f32::from(b) + 0.5) / 256.0,
    };
    (n - 0.5) * 8.0
}
