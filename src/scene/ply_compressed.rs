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
use super::{MAX_GAUSSIANS, Problem, ScalarKind, Scene, SceneError, logit, sh};

/// Vertices per chunk.
const CHUNK: usize = 256;

const CHUNK_BOUNDS: [&str; 12] = [
    "min_x",
    "min_y",
    "min_z",
    "max_x",
    "max_y",
    "max_z",
    "min_scale_x",
    "min_scale_y",
    "min_scale_z",
    "max_scale_x",
    "max_scale_y",
    "max_scale_z",
];
const CHUNK_COLOR: [&str; 6] = ["min_r", "min_g", "min_b", "max_r", "max_g", "max_b"];
const VERTEX: [&str; 4] = ["packed_position", "packed_rotation", "packed_scale", "packed_color"];

/// Reads a SuperSplat compressed PLY's bytes; `path` names the file in errors.
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
            "compressed PLY in {} encoding (SuperSplat writes only binary little-endian)",
            header.encoding.name()
        )));
    }
    let tables = lay_out(&header, bytes)?;
    let table = |name: &str| {
        let i = header.elements.iter().position(|e| e.name == name);
        i.map(|i| (&header.elements[i], &tables[i]))
    };
    let (vertex_def, vertices) = table("vertex").ok_or_else(|| Problem::Malformed("no 'vertex' element".into()))?;
    let (chunk_def, chunks) = table("chunk").ok_or_else(|| Problem::Malformed("no 'chunk' element".into()))?;

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
        let stride = e
            .binary_stride()
            .ok_or_else(|| Problem::Unsupported(format!("list properties in element '{}'", e.name)))?;
        // Saturating: an impossible size then fails the length check below.
        let len = e.count.saturating_mul(stride as u64);
        spans.push((at, len, stride));
        at = at.saturating_add(len);
    }
    if at > body.len() as u64 {
        return Err(Problem::Truncated { expected: at, found: body.len() as u64 });
    }
    Ok(spans
        .into_iter()
        .map(|(start, len, stride)| Table { data: &body[start as usize..(start + len) as usize], stride })
        .collect())
}

/// Byte offsets within a record of the named scalar properties, which must have `kind`.
fn fields<const N: usize>(e: &ElementDef, names: &[&str; N], kind: ScalarKind) -> Result<[usize; N], Problem> {
    let mut out = [0; N];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = field(e, name, kind)?;
    }
    Ok(out)
}

fn field(e: &ElementDef, name: &str, kind: ScalarKind) -> Result<usize, Problem> {
    let i = e.property_index(name).ok_or_else(|| Problem::MissingProperty(format!("{}.{name}", e.name)))?;
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
        .filter(|p| p.name.strip_prefix("f_rest_").is_some_and(|k| k.parse::<usize>().is_ok()))
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
    [(v >> 21) as f32 / 2047.0, ((v >> 11) & 0x3ff) as f32 / 1023.0, (v & 0x7ff) as f32 / 2047.0]
}

/// Returns (w, x, y, z): the 2-bit index counts in rot_0..rot_3 order.
fn unpack_rotation(v: u32) -> [f32; 4] {
    let largest = (v >> 30) as usize;
    let small = [20, 10, 0].map(|s| (((v >> s) & 0x3ff) as f32 / 1023.0 - 0.5) * std::f32::consts::SQRT_2);
    let m = (1.0 - small.iter().map(|c| c * c).sum::<f32>()).max(0.0).sqrt();
    let mut q = [0.0; 4];
    let mut rest = small.into_iter();
    for (i, slot) in q.iter_mut().enumerate() {
        *slot = if i == largest { m } else { rest.next().expect("three small components") };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::sigmoid;
    use proptest::prelude::*;
    use std::path::PathBuf;

    /// A Gaussian in reference-PLY terms.
    #[derive(Clone, Debug)]
    struct Plain {
        pos: [f32; 3],
        log_scale: [f32; 3],
        dc: [f32; 3],
        opacity: f32,
        rot: [f32; 4],
        /// Channel-major like f_rest_*.
        rest: Vec<f32>,
    }

    fn unorm(t: f32, bits: u32) -> u32 {
        let max = ((1u32 << bits) - 1) as f32;
        (t * max + 0.5).floor().clamp(0.0, max) as u32
    }

    fn normalize(x: f32, lo: f32, hi: f32) -> f32 {
        if hi - lo < 1e-5 { 0.0 } else { ((x - lo) / (hi - lo)).clamp(0.0, 1.0) }
    }

    /// A header and body as SuperSplat writes them; `colour_range` selects the 18-float
    /// chunk layout, `shuffle` reverses every element's property order (readers must go
    /// by name) and adds an unrelated element first.
    fn encode(gs: &[Plain], colour_range: bool, shuffle: bool) -> Vec<u8> {
        let rest = gs.first().map_or(0, |g| g.rest.len());
        let mut chunk_props: Vec<&str> = CHUNK_BOUNDS.to_vec();
        if colour_range {
            chunk_props.extend(CHUNK_COLOR);
        }
        let mut vertex_props: Vec<String> = VERTEX.iter().map(|s| s.to_string()).collect();
        let mut sh_props: Vec<String> = (0..rest).map(|k| format!("f_rest_{k}")).collect();
        if shuffle {
            chunk_props.reverse();
            vertex_props.reverse();
            sh_props.reverse();
        }
        let n = gs.len();
        let mut head = String::from("ply\nformat binary_little_endian 1.0\ncomment test\n");
        if shuffle {
            head += "element other 2\nproperty short a\nproperty double b\n";
        }
        head += &format!("element chunk {}\n", n.div_ceil(CHUNK));
        chunk_props.iter().for_each(|p| head += &format!("property float {p}\n"));
        head += &format!("element vertex {n}\n");
        vertex_props.iter().for_each(|p| head += &format!("property uint {p}\n"));
        if rest > 0 {
            head += &format!("element sh {n}\n");
            sh_props.iter().for_each(|p| head += &format!("property uchar {p}\n"));
        }
        head += "end_header\n";
        let mut out = head.into_bytes();
        if shuffle {
            out.extend([0u8; 20]);
        }
        let (mut vertex_bytes, mut sh_bytes) = (Vec::new(), Vec::new());
        for group in gs.chunks(CHUNK) {
            let range = |f: &dyn Fn(&Plain) -> f32| {
                group.iter().map(f).fold((f32::MAX, f32::MIN), |(a, b), v| (a.min(v), b.max(v)))
            };
            let pr: [(f32, f32); 3] = std::array::from_fn(|k| range(&|g| g.pos[k]));
            let sr: [(f32, f32); 3] = std::array::from_fn(|k| range(&|g| g.log_scale[k]));
            let rgb = |g: &Plain, k: usize| g.dc[k] * sh::C0 + 0.5;
            let cr: [(f32, f32); 3] = std::array::from_fn(|k| range(&|g| rgb(g, k)));
            let mut vals: Vec<(String, f32)> = Vec::new();
            for (k, axis) in ["x", "y", "z"].iter().enumerate() {
                vals.push((format!("min_{axis}"), pr[k].0));
                vals.push((format!("max_{axis}"), pr[k].1));
                vals.push((format!("min_scale_{axis}"), sr[k].0));
                vals.push((format!("max_scale_{axis}"), sr[k].1));
            }
            for (k, c) in ["r", "g", "b"].iter().enumerate() {
                vals.push((format!("min_{c}"), cr[k].0));
                vals.push((format!("max_{c}"), cr[k].1));
            }
            for p in &chunk_props {
                let v = vals.iter().find(|(name, _)| name == p).expect("every chunk property").1;
                out.extend(v.to_le_bytes());
            }
            for g in group {
                let p3 = |r: &[(f32, f32); 3], v: [f32; 3]| {
                    unorm(normalize(v[0], r[0].0, r[0].1), 11) << 21
                        | unorm(normalize(v[1], r[1].0, r[1].1), 10) << 11
                        | unorm(normalize(v[2], r[2].0, r[2].1), 11)
                };
                let pos = p3(&pr, g.pos);
                let scale = p3(&sr, g.log_scale);
                let c: [f32; 3] =
                    std::array::from_fn(
                        |k| {
                            if colour_range { normalize(rgb(g, k), cr[k].0, cr[k].1) } else { rgb(g, k) }
                        },
                    );
                let col =
                    unorm(c[0], 8) << 24 | unorm(c[1], 8) << 16 | unorm(c[2], 8) << 8 | unorm(sigmoid(g.opacity), 8);
                let norm = g.rot.iter().map(|v| v * v).sum::<f32>().sqrt();
                let mut q = g.rot.map(|v| v / norm);
                let largest = (0..4).max_by(|&a, &b| q[a].abs().total_cmp(&q[b].abs())).expect("4");
                if q[largest] < 0.0 {
                    q = q.map(|v| -v);
                }
                let mut rot = largest as u32;
                for (_, v) in q.iter().enumerate().filter(|&(i, _)| i != largest) {
                    rot = rot << 10 | unorm(v * std::f32::consts::FRAC_1_SQRT_2 + 0.5, 10);
                }
                let words = [
                    ("packed_position", pos),
                    ("packed_rotation", rot),
                    ("packed_scale", scale),
                    ("packed_color", col),
                ];
                for name in &vertex_props {
                    vertex_bytes.extend(words.iter().find(|w| w.0 == name).expect("word").1.to_le_bytes());
                }
                for name in &sh_props {
                    let k: usize = name["f_rest_".len()..].parse().expect("index");
                    sh_bytes.push(((g.rest[k] / 8.0 + 0.5) * 256.0).clamp(0.0, 255.0) as u8);
                }
            }
        }
        out.extend(vertex_bytes);
        out.extend(sh_bytes);
        out
    }

    fn sample(n: usize, rest: usize) -> Vec<Plain> {
        (0..n)
            .map(|i| {
                let t = i as f32;
                Plain {
                    pos: [(t * 0.37).sin() * 5.0, t * 0.01 - 2.0, (t * 0.11).cos()],
                    log_scale: [-6.0 + (t * 0.3).sin(), -4.0, -5.0 + (t * 0.7).cos() * 2.0],
                    dc: [(t * 0.2).sin() * 1.5, -0.5, (t * 0.05).cos()],
                    opacity: (t * 0.13).sin() * 4.0,
                    rot: [(t * 0.1).cos(), (t * 0.3).sin(), 0.2, -(t * 0.7).sin()],
                    rest: (0..rest).map(|k| ((k as f32 * 0.31 + t * 0.01) % 1.0 - 0.5) * 6.0).collect(),
                }
            })
            .collect()
    }

    fn p() -> PathBuf {
        PathBuf::from("test.compressed.ply")
    }

    fn check_close(gs: &[Plain], s: &Scene, colour_range: bool) {
        assert_eq!(s.len(), gs.len());
        s.check_consistent().expect("consistent");
        let coeffs = s.sh_coeffs();
        for (start, group) in (0..gs.len()).step_by(CHUNK).zip(gs.chunks(CHUNK)) {
            let span = |f: &dyn Fn(&Plain) -> f32| {
                let (lo, hi) = group.iter().map(f).fold((f32::MAX, f32::MIN), |(a, b), v| (a.min(v), b.max(v)));
                hi - lo
            };
            for (j, g) in group.iter().enumerate() {
                let i = start + j;
                for k in 0..3 {
                    // Half a step of the 10-bit axis is the coarsest error, plus float slack.
                    let tol = |width: f32| width / 1023.0 * 0.5 + 1e-5;
                    assert!((s.positions[i][k] - g.pos[k]).abs() <= tol(span(&|g| g.pos[k])), "pos #{i}");
                    assert!(
                        (s.log_scales[i][k] - g.log_scale[k]).abs() <= tol(span(&|g| g.log_scale[k])),
                        "scale #{i}"
                    );
                    let width = if colour_range { span(&|g| g.dc[k]) * sh::C0 } else { 1.0 };
                    let rgb = sh::rgb_from_dc(s.sh_of(i)[k]);
                    let want = g.dc[k] * sh::C0 + 0.5;
                    assert!((rgb - want).abs() <= width / 255.0 * 0.5 + 1e-5, "dc #{i}: {rgb} vs {want}");
                }
                assert!((sigmoid(s.opacity_logits[i]) - sigmoid(g.opacity)).abs() <= 0.5 / 255.0 + 1e-6);
                let n = g.rot.iter().map(|v| v * v).sum::<f32>().sqrt();
                let dot: f32 = s.rotations[i].iter().zip(&g.rot).map(|(a, b)| a * b / n).sum();
                assert!(dot.abs() > 1.0 - 1e-5, "rot #{i}: {:?} vs {:?}", s.rotations[i], g.rot);
                for k in 1..coeffs {
                    for c in 0..3 {
                        let want = g.rest[c * (coeffs - 1) + k - 1];
                        let got = s.sh_of(i)[k * 3 + c];
                        assert!((got - want).abs() <= 8.0 / 256.0, "sh #{i} k{k} c{c}: {got} vs {want}");
                    }
                }
            }
        }
    }

    #[test]
    fn decodes_hand_built_files_in_both_chunk_layouts_and_any_property_order() {
        for (n, rest, colour_range, shuffle) in
            [(1, 0, true, false), (300, 9, true, false), (513, 45, false, true), (256, 24, true, true)]
        {
            let gs = sample(n, rest);
            let s = read(&p(), &encode(&gs, colour_range, shuffle)).expect("valid file");
            assert_eq!(s.sh_degree, sh::degree_from_rest_count(rest).expect("valid rest"));
            check_close(&gs, &s, colour_range);
        }
    }

    #[test]
    fn unpacks_bit_fields_in_reference_order() {
        // Largest = index 2 (rot_2 = y), the rest w, x, z all at the mid code (zero).
        let mid = 511u32 + 1;
        let q = unpack_rotation(2 << 30 | mid << 20 | mid << 10 | mid);
        assert!(q[2] > 0.99 && q[0].abs() < 2e-3 && q[1].abs() < 2e-3 && q[3].abs() < 2e-3, "{q:?}");
        assert_eq!(unpack_11_10_11(0xffff_ffff), [1.0, 1.0, 1.0]);
        assert_eq!(unpack_11_10_11(1 << 21), [1.0 / 2047.0, 0.0, 0.0]);
        assert_eq!((unquantize_sh(0), unquantize_sh(255)), (-4.0, 4.0));
        assert!((unquantize_sh(128) - 0.5 / 256.0 * 8.0).abs() < 1e-6);
    }

    fn problem(bytes: &[u8]) -> Problem {
        read(&p(), bytes).expect_err("rejected").problem().expect("content problem").clone()
    }

    #[test]
    fn rejects_inconsistent_files_with_precise_problems() {
        let good = encode(&sample(300, 9), true, false);
        let text = String::from_utf8_lossy(&good).into_owned();
        let edit = |from: &str, to: &str| {
            let mut v = good.clone();
            let at = text.find(from).expect("present");
            v.splice(at..at + from.len(), to.bytes());
            v
        };
        assert!(matches!(problem(&good[..good.len() - 1]), Problem::Truncated { .. }));
        assert!(matches!(problem(&edit("element chunk 2", "element chunk 1")), Problem::CountMismatch { .. }));
        assert!(matches!(problem(&edit("element sh 300", "element sh 299")), Problem::CountMismatch { .. }));
        assert!(
            matches!(problem(&edit("float min_x", "float min_q")), Problem::MissingProperty(m) if m == "chunk.min_x")
        );
        assert!(matches!(problem(&edit("uint packed_color", "int packed_color")), Problem::BadPropertyType { .. }));
        assert!(matches!(problem(&edit("f_rest_8", "f_rest_9")), Problem::ShGap(9)));
        assert!(matches!(problem(&edit("uchar f_rest_8", "uchar g_rest_8")), Problem::BadShCount(8)));
        let big = problem(&edit("binary_little_endian", "binary_big_endian"));
        assert!(matches!(&big, Problem::Unsupported(m) if m.contains("binary_big_endian encoding")), "{big}");
        assert!(matches!(problem(&edit("element vertex 300", "element vertex 000")), Problem::Empty(_)));
        assert!(matches!(
            problem(&edit("element vertex 300", "element vertex 300000000000")),
            Problem::AbsurdCount { .. }
        ));
        assert!(matches!(problem(b"ply\nformat ascii 1.0\nend"), Problem::BadHeader { .. }));
    }

    #[test]
    fn reads_the_real_supersplat_file() {
        let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/real-splats"));
        let path = dir.join("supersplat_olgelta_blkpinstripe.compressed.ply");
        if !path.is_file() {
            eprintln!("skipping: {} is absent", path.display());
            return;
        }
        let bytes = std::fs::read(&path).expect("readable fixture");
        // Independent count, from the header text.
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned();
        let count = |el: &str| -> usize {
            let line = head.lines().find(|l| l.starts_with(&format!("element {el} "))).expect("element");
            line.rsplit(' ').next().expect("count").parse().expect("number")
        };
        let n = count("vertex");
        assert_eq!((n, count("chunk")), (248_077, 970));
        let s = read(&path, &bytes).expect("real compressed PLY loads");
        assert_eq!((s.len(), s.sh_degree), (n, 0));
        s.check_consistent().expect("consistent");
        let mut visible = 0;
        for i in 0..n {
            assert!(s.positions[i].iter().all(|v| v.is_finite()), "#{i}");
            assert!(s.log_scales[i].iter().all(|v| v.is_finite() && (-20.0..=20.0).contains(v)), "#{i}");
            let norm = s.rotations[i].iter().map(|v| v * v).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-3, "#{i}: |q| = {norm}");
            assert!(s.opacity_logits[i].is_finite());
            visible += usize::from(sigmoid(s.opacity_logits[i]) > 0.1);
            // SuperSplat's chunk colour ranges reach past [0, 1] (this file: about -0.33..1.52).
            assert!(s.sh_of(i).iter().all(|dc| (-1.0..=2.0).contains(&sh::rgb_from_dc(*dc))), "#{i}");
        }
        assert!(visible > n / 2, "{visible} of {n} visible");
        let (lo, hi) = s.bounds().expect("non-empty");
        assert!((0..3).all(|k| hi[k] - lo[k] > 0.1 && hi[k] - lo[k] < 1000.0), "{lo:?}..{hi:?}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn damaged_files_never_panic(
            rest in prop::sample::select(vec![0usize, 9, 45]),
            colour_range in any::<bool>(),
            cut in any::<prop::sample::Index>(),
            flips in proptest::collection::vec((any::<prop::sample::Index>(), 1..=255u8), 0..4),
        ) {
            let mut bytes = encode(&sample(260, rest), colour_range, false);
            for (at, x) in flips {
                let at = at.index(bytes.len());
                bytes[at] ^= x;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            if let Ok(s) = read(&p(), &bytes) {
                prop_assert_eq!(s.check_consistent(), Ok(()));
            }
        }

        #[test]
        fn random_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut bytes = b"ply\nformat binary_little_endian 1.0\nelement chunk 1\n".to_vec();
            for name in CHUNK_BOUNDS {
                bytes.extend(format!("property float {name}\n").bytes());
            }
            bytes.extend(b"element vertex 3\n");
            for name in VERTEX {
                bytes.extend(format!("property uint {name}\n").bytes());
            }
            bytes.extend(b"end_header\n");
            bytes.extend(&body);
            let ok = read(&p(), &bytes).is_ok();
            prop_assert_eq!(ok, body.len() >= 12 * 4 + 3 * 16);
        }
    }
}
