//! Reader for Niantic's `.spz` (versions 2 and 3: one gzip stream).
//!
//! Decompressed layout (nianticlabs/spz `load-spz.cc`): a 16-byte header — magic "NGSP"
//! (0x5053474e LE), version u32, numPoints u32, shDegree u8, fractionalBits u8, flags u8
//! (bit 0 antialiased, bit 1 extensions follow the data), reserved u8 — then one block
//! per attribute, each covering all points: positions (3 × 24-bit signed fixed point,
//! `fractionalBits` fraction bits), alphas u8 (sigmoid·255), colours u8×3 (the SH DC
//! coefficient: v/255 = 0.5 + 0.15·dc), scales u8×3 (ln σ = v/16 − 10), rotations (v2:
//! x, y, z as v/127.5 − 1 with w ≥ 0 rebuilt; v3: "smallest three" in a LE u32), then the
//! higher SH (per point: coefficient-major, rgb inner, (v − 128)/128).
//!
//! The data's size follows from the header (count, SH degree, version), so anything after
//! it is an error unless flag bit 1 announces extensions (which we skip); `fractionalBits`
//! must be 0–23 (see `MAX_FRACTIONAL_BITS`).
//!
//! Coordinate frame. Niantic's library documents the stored frame as RUB and flips y and z
//! when converting to or from PLY (RDF). PlayCanvas' splat-transform reads the bytes raw
//! (as PLY-frame data), and the real file we test with (`spz_v3_justdealman_flowers.spz`)
//! was written raw: after a uniform scale and offset its positions and quaternions match
//! the same scene's `.splat` (PLY frame) *without* the flip and do not match with it (see
//! the test `spz_matches_the_splat_of_the_same_scene`). A v2/v3 file carries no frame tag,
//! so we keep the stored axes; for a file written by Niantic's own converter this shows
//! the scene rotated 180° about x, which is rigid and renders correctly.

use std::io::Read;
use std::path::Path;

use flate2::read::GzDecoder;

use super::{MAX_GAUSSIANS, Problem, Scene, SceneError, logit};

const MAGIC: u32 = 0x5053_474e;
const HEADER: usize = 16;
/// Deflate cannot expand its input by more than about 1032:1, so a header promising more
/// data than that from the bytes at hand is lying; checked before inflating anything.
const MAX_DEFLATE_RATIO: u64 = 1032;
/// Trailing extension data we inflate (and discard) to reach the gzip checksum.
const MAX_TRAILER: u64 = 16 << 20;
/// Header flag: extension records follow the attribute data (Niantic's `FlagHasExtensions`).
/// Without it, nothing may follow the data: the body's size is fixed by the point count,
/// the SH degree and the version, so surplus bytes mean the count is wrong (and every
/// attribute block after the positions would be read from the wrong offset).
const FLAG_EXTENSIONS: u8 = 0x2;
/// Positions are 24-bit signed fixed point: 23 magnitude bits and a sign. With 23 fraction
/// bits the stored values span [-1, 1); with more, every bit is fraction and the whole scene
/// shrinks into less than half a unit, which no encoder does (Niantic's writes 12, and its
/// decoder computes `1 << bits`, undefined from 32 on); from 150 on, 2^-bits is 0 in f32 and
/// every position decodes to 0 (a header saying 255 did exactly that). So 0..=23 is the
/// meaningful range, and anything above it is a damaged header.
const MAX_FRACTIONAL_BITS: u8 = 23;
/// spz stores the DC coefficient with this scale instead of C0, leaving headroom for
/// colours that the higher bands bring back into range.
const COLOR_SCALE: f32 = 0.15;

struct Header {
    version: u32,
    count: usize,
    /// As stored, 0..=4; the scene keeps at most 3.
    sh_degree: u8,
    fractional_bits: u8,
    flags: u8,
}

impl Header {
    /// Higher-SH coefficients per colour channel in the file (without the DC term).
    fn sh_rest(&self) -> usize {
        sh_rest_count(self.sh_degree)
    }

    fn rotation_bytes(&self) -> usize {
        if self.version >= 3 { 4 } else { 3 }
    }

    /// Bytes of data per point, over all attribute blocks.
    fn per_point(&self) -> u64 {
        (9 + 1 + 3 + 3 + self.rotation_bytes() + 3 * self.sh_rest()) as u64
    }

    /// Bytes of per-point data after the header.
    fn body_len(&self) -> u64 {
        self.count as u64 * self.per_point()
    }

    fn has_extensions(&self) -> bool {
        self.flags & FLAG_EXTENSIONS != 0
    }

    /// Refuses `extra` bytes after the data unless the header announces extensions.
    fn check_trailer(&self, extra: u64, at_least: bool) -> Result<(), Problem> {
        if extra == 0 || self.has_extensions() {
            return Ok(());
        }
        Err(Problem::CountMismatch {
            element: "point".into(),
            declared: self.count as u64,
            found: format!(
                "more: {}{extra} bytes follow the data of {} points ({} bytes each, so {} {} more points), \
                 and the header's flags announce no extensions",
                if at_least { "at least " } else { "" },
                self.count,
                self.per_point(),
                if at_least { "at least" } else { "about" },
                extra / self.per_point()
            ),
        })
    }
}

fn sh_rest_count(degree: u8) -> usize {
    (degree as usize + 1).pow(2) - 1
}

/// Reads an SPZ file's bytes (gzip-compressed, or an already-decompressed `NGSP` stream).
pub fn read(path: &Path, bytes: &[u8]) -> Result<Scene, SceneError> {
    let invalid = |problem| SceneError::invalid(path, problem);
    if bytes.starts_with(&MAGIC.to_le_bytes()) {
        return read_uncompressed(bytes).map_err(invalid);
    }
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Err(invalid(Problem::UnknownFormat(
            "an .spz file is gzip-compressed, and this one does not start with the gzip magic".into(),
        )));
    }

    let mut gz = GzDecoder::new(bytes);
    let (head, err) = inflate_up_to(&mut gz, HEADER as u64);
    if head.len() < HEADER {
        return Err(invalid(stream_problem(HEADER as u64, head.len(), err)));
    }
    let header = parse_header(&head).map_err(invalid)?;
    let body_len = header.body_len();
    if HEADER as u64 + body_len > bytes.len() as u64 * MAX_DEFLATE_RATIO {
        return Err(invalid(Problem::AbsurdCount {
            count: header.count as u64,
            limit: bytes.len() as u64 * MAX_DEFLATE_RATIO / (body_len / header.count as u64),
            why: format!(
                "they need {body_len} bytes of data, more than {} compressed bytes can inflate to",
                bytes.len()
            ),
        }));
    }
    // Reading exactly what the header promises bounds memory by real data, not by claims.
    let (body, err) = inflate_up_to(&mut gz, body_len);
    if (body.len() as u64) < body_len {
        return Err(invalid(stream_problem(HEADER as u64 + body_len, HEADER + body.len(), err)));
    }
    // Inflate any trailer (extensions) so the gzip CRC is checked: a flipped bit inside
    // the deflate data often still inflates, and only the checksum notices.
    let extra = match std::io::copy(&mut gz.take(MAX_TRAILER), &mut std::io::sink()) {
        Ok(n) => n,
        Err(e) => return Err(invalid(Problem::Malformed(format!("the gzip stream is damaged: {e}")))),
    };
    header.check_trailer(extra, extra == MAX_TRAILER).map_err(invalid)?;
    Ok(decode(&header, &body))
}

/// The NGSP magic outside any gzip wrapper: version 4 and later (plaintext header, zstd
/// streams), which we do not read, or a v2/v3 payload someone stored uncompressed.
fn read_uncompressed(bytes: &[u8]) -> Result<Scene, Problem> {
    let version = bytes.get(4..8).map(|b| u32::from_le_bytes(b.try_into().expect("4-byte slice")));
    if version.is_some_and(|v| v >= 4) {
        return Err(Problem::Unsupported(format!(
            "SPZ version {} (zstd streams); only gzip SPZ versions 2 and 3 are read",
            version.expect("checked above")
        )));
    }
    let head = bytes.get(..HEADER).ok_or(Problem::Truncated { expected: HEADER as u64, found: bytes.len() as u64 })?;
    let header = parse_header(head)?;
    let end = HEADER as u64 + header.body_len();
    if (bytes.len() as u64) < end {
        return Err(Problem::Truncated { expected: end, found: bytes.len() as u64 });
    }
    header.check_trailer(bytes.len() as u64 - end, false)?;
    Ok(decode(&header, &bytes[HEADER..end as usize]))
}

/// Inflates until `limit` bytes, the end of the stream, or an error (returned alongside
/// the bytes obtained so far, so a truncation can say how much was there).
fn inflate_up_to(gz: &mut impl Read, limit: u64) -> (Vec<u8>, Option<std::io::Error>) {
    let mut out = Vec::new();
    match gz.take(limit).read_to_end(&mut out) {
        Ok(_) => (out, None),
        Err(e) => (out, Some(e)),
    }
}

fn stream_problem(expected: u64, found: usize, err: Option<std::io::Error>) -> Problem {
    match err {
        Some(e) if e.kind() != std::io::ErrorKind::UnexpectedEof => {
            Problem::Malformed(format!("the gzip stream is damaged after {found} decompressed bytes: {e}"))
        }
        _ => Problem::Truncated { expected, found: found as u64 },
    }
}

fn parse_header(h: &[u8]) -> Result<Header, Problem> {
    let u32_at = |o: usize| u32::from_le_bytes(h[o..o + 4].try_into().expect("4-byte slice"));
    if u32_at(0) != MAGIC {
        return Err(Problem::UnknownFormat("gzip data, but not an SPZ scene (no NGSP magic inside)".into()));
    }
    let version = u32_at(4);
    if !(2..=3).contains(&version) {
        return Err(Problem::Unsupported(format!("SPZ version {version} (versions 2 and 3 are read)")));
    }
    let count = u64::from(u32_at(8));
    if count == 0 {
        return Err(Problem::Empty("the SPZ header says 0 points".into()));
    }
    if count > MAX_GAUSSIANS {
        return Err(Problem::AbsurdCount {
            count,
            limit: MAX_GAUSSIANS,
            why: "the SPZ header's point count is implausible".into(),
        });
    }
    let sh_degree = h[12];
    if sh_degree > 4 {
        return Err(Problem::Unsupported(format!("SPZ with SH degree {sh_degree}")));
    }
    let fractional_bits = h[13];
    if fractional_bits > MAX_FRACTIONAL_BITS {
        return Err(Problem::Malformed(format!(
            "the SPZ header's fractional_bits is {fractional_bits}, outside 0-{MAX_FRACTIONAL_BITS}: positions \
             are 24-bit fixed point, so more fraction bits than that leave no integer part (writers use 12)"
        )));
    }
    Ok(Header { version, count: count as usize, sh_degree, fractional_bits, flags: h[14] })
}

/// Decodes the attribute blocks; `body` holds exactly `header.body_len()` bytes.
fn decode(h: &Header, body: &[u8]) -> Scene {
    let n = h.count;
    let (positions, rest) = body.split_at(9 * n);
    let (alphas, rest) = rest.split_at(n);
    let (colors, rest) = rest.split_at(3 * n);
    let (scales, rest) = rest.split_at(3 * n);
    let (rotations, sh_bytes) = rest.split_at(h.rotation_bytes() * n);

    // Degree 4 exists in newer files; bands are orthogonal, so dropping band 4 only loses
    // detail, and keeps the scene within the renderer's degree 3.
    let degree = h.sh_degree.min(3);
    let mut scene = Scene::with_capacity(n, degree);
    let step = 2f32.powi(-i32::from(h.fractional_bits));
    for p in positions.chunks_exact(9) {
        let fixed = |k: usize| {
            // Sign-extend the 24-bit value by placing it in the top of an i32.
            (i32::from_le_bytes([0, p[3 * k], p[3 * k + 1], p[3 * k + 2]]) >> 8) as f32 * step
        };
        scene.positions.push([fixed(0), fixed(1), fixed(2)]);
    }
    scene.opacity_logits.extend(alphas.iter().map(|&a| logit(f32::from(a) / 255.0)));
    for s in scales.chunks_exact(3) {
        scene.log_scales.push([s[0], s[1], s[2]].map(|v| f32::from(v) / 16.0 - 10.0));
    }
    for r in rotations.chunks_exact(h.rotation_bytes()) {
        scene.rotations.push(if h.version >= 3 {
            smallest_three(u32::from_le_bytes([r[0], r[1], r[2], r[3]]))
        } else {
            first_three([r[0], r[1], r[2]])
        });
    }
    let file_rest = h.sh_rest();
    let keep_rest = sh_rest_count(degree);
    for i in 0..n {
        let dc = &colors[3 * i..3 * i + 3];
        scene.sh.extend(dc.iter().map(|&c| (f32::from(c) / 255.0 - 0.5) / COLOR_SCALE));
        let rest = &sh_bytes[3 * file_rest * i..3 * file_rest * (i + 1)];
        scene.sh.extend(rest[..3 * keep_rest].iter().map(|&v| (f32::from(v) - 128.0) / 128.0));
    }
    debug_assert_eq!(scene.check_consistent(), Ok(()));
    scene
}

/// Version 2: x, y, z of the unit quaternion with w ≥ 0, each as v/127.5 − 1.
fn first_three(r: [u8; 3]) -> [f32; 4] {
    let [x, y, z] = r.map(|v| f32::from(v) / 127.5 - 1.0);
    let w = (1.0 - (x * x + y * y + z * z)).max(0.0).sqrt();
    [w, x, y, z]
}

/// Version 3: the top 2 bits index the largest component in (x, y, z, w) order, which is
/// positive and rebuilt from unit length; the other three follow in index order, each
/// 10 bits (sign bit, then a 9-bit magnitude scaled by 1/√2), the last in the low bits.
fn smallest_three(word: u32) -> [f32; 4] {
    let largest = (word >> 30) as usize;
    let mut xyzw = [0.0f32; 4];
    let mut bits = word;
    let mut sum = 0.0;
    for i in (0..4).rev().filter(|&i| i != largest) {
        let magnitude = (bits & 0x1ff) as f32 / 511.0 * std::f32::consts::FRAC_1_SQRT_2;
        xyzw[i] = if bits & 0x200 != 0 { -magnitude } else { magnitude };
        sum += xyzw[i] * xyzw[i];
        bits >>= 10;
    }
    xyzw[largest] = (1.0 - sum).max(0.0).sqrt();
    let [x, y, z, w] = xyzw;
    [w, x, y, z]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::{sh, sigmoid};
    use flate2::{Compression, write::GzEncoder};
    use proptest::prelude::*;
    use std::collections::HashMap;
    use std::f32::consts::FRAC_1_SQRT_2;
    use std::io::Write;
    use std::path::PathBuf;

    /// The quantised fields of an spz file, in file order; `sh` holds the per-point bytes.
    #[derive(Clone)]
    struct Packed {
        version: u32,
        degree: u8,
        fractional_bits: u8,
        pos: Vec<[i32; 3]>,
        alpha: Vec<u8>,
        color: Vec<[u8; 3]>,
        scale: Vec<[u8; 3]>,
        rot: Vec<Vec<u8>>,
        sh: Vec<Vec<u8>>,
    }

    impl Packed {
        fn raw(&self) -> Vec<u8> {
            let mut out = Vec::new();
            out.extend(MAGIC.to_le_bytes());
            out.extend(self.version.to_le_bytes());
            out.extend((self.pos.len() as u32).to_le_bytes());
            out.extend([self.degree, self.fractional_bits, 1, 0]);
            for p in &self.pos {
                for v in p {
                    out.extend(&v.to_le_bytes()[..3]);
                }
            }
            out.extend(&self.alpha);
            self.color.iter().for_each(|c| out.extend(c));
            self.scale.iter().for_each(|c| out.extend(c));
            self.rot.iter().for_each(|c| out.extend(c));
            self.sh.iter().for_each(|c| out.extend(c));
            out
        }
    }

    fn gzip(raw: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(raw).expect("in-memory write");
        e.finish().expect("in-memory gzip")
    }

    /// Packs a quaternion given as (x, y, z, w) the way version 3 stores it.
    fn pack_smallest_three(q: [f32; 4]) -> [u8; 4] {
        let norm = q.iter().map(|v| v * v).sum::<f32>().sqrt();
        let q = q.map(|v| v / norm);
        let largest = (0..4).max_by(|&a, &b| q[a].abs().total_cmp(&q[b].abs())).expect("four components");
        let sign = if q[largest] < 0.0 { -1.0 } else { 1.0 };
        let mut word = largest as u32;
        for (_, &c) in q.iter().enumerate().filter(|&(i, _)| i != largest) {
            let v = c * sign;
            let mag = ((v.abs() / FRAC_1_SQRT_2) * 511.0).round().min(511.0) as u32;
            word = (word << 10) | (u32::from(v < 0.0) << 9) | mag;
        }
        word.to_le_bytes()
    }

    fn sample(version: u32, degree: u8) -> Packed {
        let n = 3;
        let rest = 3 * sh_rest_count(degree);
        Packed {
            version,
            degree,
            fractional_bits: 12,
            // Includes both ends of the 24-bit range, to exercise sign extension.
            pos: vec![[4096, -4096 * 3, 1], [(1 << 23) - 1, -(1 << 23), 0], [-1, 2048, 40960]],
            alpha: vec![0, 128, 255],
            color: vec![[0, 128, 255], [10, 20, 30], [200, 100, 50]],
            scale: vec![[0, 160, 255], [16, 32, 48], [100, 101, 102]],
            rot: [[0.0, 0.0, 0.0, 1.0], [0.5, -0.5, 0.5, -0.5], [0.1, 0.7, -0.2, 0.3f32]]
                .iter()
                .map(|&q| {
                    if version >= 3 {
                        pack_smallest_three(q).to_vec()
                    } else {
                        // First three of the w ≥ 0 quaternion.
                        let n = q.iter().map(|v| v * v).sum::<f32>().sqrt();
                        let s = if q[3] < 0.0 { -1.0 } else { 1.0 };
                        q[..3].iter().map(|v| (v / n * s * 127.5 + 127.5).round() as u8).collect()
                    }
                })
                .collect(),
            sh: (0..n).map(|i| (0..rest).map(|j| (i * 7 + j * 3) as u8).collect()).collect(),
        }
    }

    fn p() -> PathBuf {
        PathBuf::from("test.spz")
    }

    fn problem(bytes: &[u8]) -> Problem {
        read(&p(), bytes).expect_err("should be rejected").problem().expect("content problem").clone()
    }

    #[test]
    fn decodes_known_values_and_sh_layout() {
        for (version, degree) in [(3, 0), (3, 1), (3, 3), (2, 2)] {
            let packed = sample(version, degree);
            let s = read(&p(), &gzip(&packed.raw())).expect("valid spz");
            assert_eq!((s.len(), s.sh_degree), (3, degree));
            s.check_consistent().expect("consistent");
            assert_eq!(s.positions[0], [1.0, -3.0, 1.0 / 4096.0]);
            assert_eq!(s.positions[1], [8388607.0 / 4096.0, -2048.0, 0.0]);
            assert_eq!(s.positions[2], [-1.0 / 4096.0, 0.5, 10.0]);
            assert_eq!(s.log_scales[0], [-10.0, 0.0, 255.0 / 16.0 - 10.0]);
            assert!((sigmoid(s.opacity_logits[1]) - 128.0 / 255.0).abs() < 1e-6);
            assert!(sigmoid(s.opacity_logits[0]) < 1e-5 && sigmoid(s.opacity_logits[2]) > 1.0 - 1e-5);
            let coeffs = sh::coeff_count(degree);
            for i in 0..3 {
                let g = s.sh_of(i);
                for c in 0..3 {
                    let want = (f32::from(packed.color[i][c]) / 255.0 - 0.5) / COLOR_SCALE;
                    assert_eq!(g[c], want, "DC of #{i} channel {c}");
                    for k in 1..coeffs {
                        let byte = packed.sh[i][(k - 1) * 3 + c];
                        assert_eq!(g[k * 3 + c], (f32::from(byte) - 128.0) / 128.0, "#{i} k{k} c{c}");
                    }
                }
            }
            let want = [[1.0, 0.0, 0.0, 0.0], [-0.5, 0.5, -0.5, 0.5], [0.3, 0.1, 0.7, -0.2f32]];
            for (i, w) in want.iter().enumerate() {
                let n = w.iter().map(|v| v * v).sum::<f32>().sqrt();
                let got = s.rotations[i];
                let dot: f32 = got.iter().zip(w).map(|(a, b)| a * b / n).sum();
                let tol = if version >= 3 { 1e-5 } else { 1e-4 };
                assert!(dot.abs() > 1.0 - tol, "v{version} #{i}: {got:?} vs {w:?}");
            }
        }
    }

    #[test]
    fn degree_four_keeps_bands_zero_to_three() {
        let mut packed = sample(3, 3);
        packed.degree = 4;
        packed.sh = (0..3).map(|i| (0..72).map(|j| (i + j) as u8).collect()).collect();
        let s = read(&p(), &gzip(&packed.raw())).expect("degree 4 loads");
        assert_eq!(s.sh_degree, 3);
        for i in 0..3 {
            for j in 0..45 {
                assert_eq!(s.sh_of(i)[3 + j], (f32::from((i + j) as u8) - 128.0) / 128.0);
            }
        }
    }

    #[test]
    fn accepts_trailing_extensions_and_an_unwrapped_payload() {
        let packed = sample(3, 1);
        let want = read(&p(), &gzip(&packed.raw())).expect("valid");
        let mut with_ext = packed.raw();
        with_ext[14] |= FLAG_EXTENSIONS;
        with_ext.extend([9u8; 40]);
        assert_eq!(read(&p(), &gzip(&with_ext)).expect("trailer ignored"), want);
        assert_eq!(read(&p(), &with_ext).expect("trailer ignored, unwrapped"), want);
        assert_eq!(read(&p(), &packed.raw()).expect("raw payload"), want);
    }

    /// `n` distinct version-3, degree-0 points.
    fn points(n: usize) -> Packed {
        Packed {
            version: 3,
            degree: 0,
            fractional_bits: 12,
            pos: (0..n as i32).map(|i| [i * 64, -i * 32, i]).collect(),
            alpha: (0..n).map(|i| i as u8).collect(),
            color: (0..n).map(|i| [i as u8, (2 * i) as u8, (3 * i) as u8]).collect(),
            scale: (0..n).map(|i| [i as u8; 3]).collect(),
            rot: (0..n).map(|_| pack_smallest_three([0.0, 0.0, 0.0, 1.0]).to_vec()).collect(),
            sh: vec![Vec::new(); n],
        }
    }

    /// A header count below the points in the body would misalign every attribute block
    /// after the positions; the body size is fixed by count, degree and version, so surplus
    /// data is an error unless the header announces extensions.
    #[test]
    fn data_beyond_the_header_count_is_refused() {
        let mut raw = points(500).raw();
        raw[8..12].copy_from_slice(&400u32.to_le_bytes());
        let per_point = 20u64;
        for bytes in [gzip(&raw), raw.clone()] {
            let err = read(&p(), &bytes).expect_err("count 400, 500 points");
            let msg = err.to_string();
            assert!(matches!(err.problem(), Some(Problem::CountMismatch { declared: 400, .. })), "{msg}");
            assert!(msg.contains("test.spz") && msg.contains(&format!("{} bytes", 100 * per_point)), "{msg}");
        }
        // One byte too many is as wrong as a hundred points.
        let mut one = sample(3, 2).raw();
        one.push(0);
        assert!(matches!(problem(&gzip(&one)), Problem::CountMismatch { declared: 3, .. }));
        // The exact size loads.
        let exact = points(400).raw();
        assert_eq!(read(&p(), &gzip(&exact)).expect("exact size").len(), 400);
    }

    /// fractional_bits beyond the 23 magnitude bits of a 24-bit position would decode every
    /// position to (nearly) 0; refused with the number.
    #[test]
    fn fractional_bits_outside_0_to_23_are_refused() {
        for bits in [24u8, 31, 255] {
            let mut raw = sample(3, 0).raw();
            raw[13] = bits;
            let msg = read(&p(), &gzip(&raw)).expect_err("out of range").to_string();
            assert!(msg.contains("test.spz") && msg.contains(&format!("fractional_bits is {bits}")), "{msg}");
        }
        for bits in [0u8, 12, 23] {
            let mut raw = sample(3, 0).raw();
            raw[13] = bits;
            let s = read(&p(), &gzip(&raw)).expect("in range");
            assert_eq!(s.positions[0][0], 4096.0 / 2f32.powi(i32::from(bits)));
        }
    }

    #[test]
    fn rejects_bad_inputs_with_precise_problems() {
        let packed = sample(3, 1);
        let raw = packed.raw();
        let mut v = raw.clone();
        v[4] = 4;
        assert!(matches!(problem(&v), Problem::Unsupported(m) if m.contains("zstd")));
        for version in [1u8, 5] {
            v[4] = version;
            assert!(matches!(problem(&gzip(&v)), Problem::Unsupported(m) if m.contains("version")));
        }
        assert!(matches!(problem(b"hello"), Problem::UnknownFormat(_)));
        assert!(matches!(problem(&gzip(b"PK\x03\x04 not spz at all")), Problem::UnknownFormat(_)));
        assert!(matches!(problem(&gzip(&raw[..10])), Problem::Truncated { expected: 16, found: 10 }));
        let cut = gzip(&raw[..raw.len() - 1]);
        let want = raw.len() as u64;
        assert!(
            matches!(problem(&cut), Problem::Truncated { expected, found } if expected == want && found == want - 1)
        );
        let mut zero = raw.clone();
        zero[8..12].copy_from_slice(&0u32.to_le_bytes());
        assert!(matches!(problem(&gzip(&zero)), Problem::Empty(_)));
        let mut huge = raw.clone();
        huge[8..12].copy_from_slice(&200_000_000u32.to_le_bytes());
        assert!(matches!(problem(&gzip(&huge)), Problem::AbsurdCount { limit: MAX_GAUSSIANS, .. }));
        // A count the compressed size cannot back is refused before inflating.
        huge[8..12].copy_from_slice(&5_000_000u32.to_le_bytes());
        assert!(matches!(problem(&gzip(&huge)), Problem::AbsurdCount { .. }));
        let mut deg = raw.clone();
        deg[12] = 5;
        assert!(matches!(problem(&gzip(&deg)), Problem::Unsupported(_)));
        // Damage to the compressed bytes ends in an error, never a silently different scene.
        let good = gzip(&raw);
        let mut crc = good.clone();
        let at = crc.len() - 6;
        crc[at] ^= 0xff;
        assert!(matches!(problem(&crc), Problem::Malformed(_)));
        let file_cut = &good[..good.len() - 4];
        assert!(read(&p(), file_cut).is_err());
    }

    use crate::scene::test_support::real_dir;

    fn load_real(name: &str) -> Option<(Vec<u8>, Scene)> {
        let path = real_dir()?.join(name);
        let bytes = std::fs::read(&path).expect("readable fixture");
        let scene = read(&path, &bytes).expect("real spz loads");
        Some((bytes, scene))
    }

    #[test]
    fn reads_the_real_spz_file() {
        let Some((bytes, s)) = load_real("spz_v3_justdealman_flowers.spz") else {
            return;
        };
        // Independent count: inflate with flate2 directly and read the header and size.
        let mut raw = Vec::new();
        GzDecoder::new(&bytes[..]).read_to_end(&mut raw).expect("valid gzip");
        let n = u32::from_le_bytes(raw[8..12].try_into().expect("4 bytes")) as usize;
        assert_eq!((raw[4], raw[12], n), (3, 3, 116_549));
        assert_eq!(raw.len(), 16 + n * (9 + 1 + 3 + 3 + 4 + 45));
        assert_eq!((s.len(), s.sh_degree), (n, 3));
        s.check_consistent().expect("consistent");
        for i in 0..n {
            assert!(s.positions[i].iter().all(|v| v.is_finite() && v.abs() < 10.0), "#{i}");
            assert!(s.log_scales[i].iter().all(|v| (-10.0..=5.94).contains(v)));
            let norm = s.rotations[i].iter().map(|v| v * v).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-3, "#{i}: |q| = {norm}");
            assert!(s.opacity_logits[i].is_finite());
            assert!(s.sh_of(i).iter().all(|v| v.is_finite() && v.abs() <= 1.0 / COLOR_SCALE));
        }
        let (lo, hi) = s.bounds().expect("non-empty");
        assert!((0..3).all(|k| hi[k] - lo[k] > 0.5 && hi[k] - lo[k] < 10.0), "{lo:?}..{hi:?}");
    }

    fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * q) as usize]
    }

    /// Pairs each `from` point with its nearest `to` point after the per-axis map
    /// `a·x + b`, keeping pairs closer than `tol`.
    fn match_points(from: &[[f32; 3]], to: &[[f32; 3]], ab: [(f64, f64); 3], tol: f64) -> Vec<(usize, usize)> {
        let key = |p: [f64; 3]| p.map(|v| (v / tol).floor() as i64);
        let mut grid: HashMap<[i64; 3], Vec<usize>> = HashMap::new();
        for (j, q) in to.iter().enumerate() {
            grid.entry(key(q.map(f64::from))).or_default().push(j);
        }
        let mut pairs = Vec::new();
        for (i, p) in from.iter().enumerate() {
            let t: [f64; 3] = std::array::from_fn(|k| ab[k].0 * f64::from(p[k]) + ab[k].1);
            let c = key(t);
            let mut best: Option<(f64, usize)> = None;
            for d in 0..27 {
                let cell = [c[0] + d % 3 - 1, c[1] + d / 3 % 3 - 1, c[2] + d / 9 - 1];
                for &j in grid.get(&cell).into_iter().flatten() {
                    let dist = (0..3).map(|k| (t[k] - f64::from(to[j][k])).powi(2)).sum::<f64>().sqrt();
                    if dist < tol && best.is_none_or(|b| dist < b.0) {
                        best = Some((dist, j));
                    }
                }
            }
            pairs.extend(best.map(|(_, j)| (i, j)));
        }
        pairs
    }

    /// Fits `to ≈ a·from + b` per axis: first from the 5% and 95% quantiles, then by least
    /// squares over the nearest-neighbour pairs that rough fit finds.
    fn fit(from: &[[f32; 3]], to: &[[f32; 3]]) -> [(f64, f64); 3] {
        let rough: [(f64, f64); 3] = std::array::from_fn(|k| {
            let f: Vec<f64> = from.iter().map(|p| f64::from(p[k])).collect();
            let t: Vec<f64> = to.iter().map(|p| f64::from(p[k])).collect();
            let (f0, f1) = (quantile(f.clone(), 0.05), quantile(f, 0.95));
            let (t0, t1) = (quantile(t.clone(), 0.05), quantile(t, 0.95));
            let a = (t1 - t0) / (f1 - f0);
            (a, t0 - a * f0)
        });
        let pairs = match_points(from, to, rough, 0.01);
        std::array::from_fn(|k| {
            let xs: Vec<f64> = pairs.iter().map(|&(i, _)| f64::from(from[i][k])).collect();
            let ys: Vec<f64> = pairs.iter().map(|&(_, j)| f64::from(to[j][k])).collect();
            let m = xs.len().max(1) as f64;
            let (mx, my) = (xs.iter().sum::<f64>() / m, ys.iter().sum::<f64>() / m);
            let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
            let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
            let a = if sxx > 0.0 { sxy / sxx } else { rough[k].0 };
            (a, my - a * mx)
        })
    }

    /// The same scene as .splat (PLY frame) and .spz: their points must correspond one to
    /// one under a uniform scale and offset, with the axes and quaternions as we decode
    /// them and not with Niantic's RUB→RDF flip (y, z negated).
    #[test]
    fn spz_matches_the_splat_of_the_same_scene() {
        let Some((_, z)) = load_real("spz_v3_justdealman_flowers.spz") else {
            return;
        };
        let dir = real_dir().expect("present, spz loaded");
        let path = dir.join("splat_justdealman_flowers.splat");
        let s = crate::scene::splat::read(&path, &std::fs::read(&path).expect("fixture")).expect("splat loads");
        assert_eq!(z.len(), s.len(), "same scene, same count");
        let n = z.len() as f64;

        let flipped: Vec<[f32; 3]> = z.positions.iter().map(|p| [p[0], -p[1], -p[2]]).collect();
        let fit_flipped = fit(&flipped, &s.positions);
        let flipped_pairs = match_points(&flipped, &s.positions, fit_flipped, 1e-3);
        let ab = fit(&z.positions, &s.positions);
        let pairs = match_points(&z.positions, &s.positions, ab, 1e-3);
        eprintln!("fit {ab:?}: {} pairs; with the y/z flip {}", pairs.len(), flipped_pairs.len());
        assert!(pairs.len() as f64 > 0.999 * n, "{} of {n} matched", pairs.len());
        assert!((flipped_pairs.len() as f64) < 0.1 * n);
        // One uniform, positive scale (the provenance notes ×1.93).
        let scale = ab[0].0;
        assert!(ab.iter().all(|&(a, _)| (a / scale - 1.0).abs() < 1e-3 && a > 0.0), "{ab:?}");

        let frac = |ok: usize| ok as f64 / pairs.len() as f64;
        let dot = |a: [f32; 4], b: [f32; 4]| {
            let na = a.iter().map(|v| v * v).sum::<f32>().sqrt();
            let nb = b.iter().map(|v| v * v).sum::<f32>().sqrt();
            (a.iter().zip(&b).map(|(x, y)| x * y).sum::<f32>() / (na * nb)).abs()
        };
        let rot_ok = pairs.iter().filter(|&&(i, j)| dot(z.rotations[i], s.rotations[j]) > 0.98).count();
        let rot_flip = pairs
            .iter()
            .filter(|&&(i, j)| {
                let [w, x, y, q] = z.rotations[i];
                dot([w, x, -y, -q], s.rotations[j]) > 0.98
            })
            .count();
        assert!(frac(rot_ok) > 0.99 && frac(rot_flip) < 0.2, "{rot_ok} vs flipped {rot_flip}");
        // Alpha: spz rounds, .splat truncates, so they differ by at most one step.
        let alpha_ok = pairs
            .iter()
            .filter(|&&(i, j)| (sigmoid(z.opacity_logits[i]) - sigmoid(s.opacity_logits[j])).abs() < 1.01 / 255.0)
            .count();
        assert!(frac(alpha_ok) > 0.999, "alpha {alpha_ok}");
        // DC: spz rounds at 1/(255·0.15), .splat truncates at 1/(255·C0) and clips to
        // [0, 1], so channels at a clipped byte (0 or 255) are left out.
        let rgb_byte = |dc: f32| (sh::rgb_from_dc(dc) * 255.0).round();
        let (mut dc_ok, mut dc_all) = (0, 0);
        for &(i, j) in &pairs {
            for c in (0..3).filter(|&c| (1.0..255.0).contains(&rgb_byte(s.sh_of(j)[c]))) {
                dc_all += 1;
                dc_ok += usize::from((-0.015..0.03).contains(&(z.sh_of(i)[c] - s.sh_of(j)[c])));
            }
        }
        assert!(dc_ok as f64 > 0.999 * dc_all as f64, "dc {dc_ok} of {dc_all}");
        // Log-scales: spz steps of 1/16, offset by ln of the scene scale.
        let ln_a = scale.ln() as f32;
        let scale_ok = pairs
            .iter()
            .filter(|&&(i, j)| (0..3).all(|k| (z.log_scales[i][k] + ln_a - s.log_scales[j][k]).abs() < 0.035))
            .count();
        assert!(frac(scale_ok) > 0.99, "scales {scale_ok}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn random_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..200), kind in 0..3u8) {
            // Steer some cases past the magic checks so the header parser is exercised.
            match kind {
                0 => {}
                1 => bytes = gzip(&bytes),
                _ => {
                    let mut v = MAGIC.to_le_bytes().to_vec();
                    v.extend(&bytes);
                    bytes = gzip(&v);
                }
            }
            let _ = read(&p(), &bytes);
        }

        #[test]
        fn damaged_encodings_never_panic(
            version in 2..4u32,
            degree in 0..5u8,
            cut in any::<prop::sample::Index>(),
            flips in proptest::collection::vec((any::<prop::sample::Index>(), 1..=255u8), 0..4),
            compressed in any::<bool>(),
        ) {
            let raw = sample(version, degree).raw();
            let mut bytes = if compressed { gzip(&raw) } else { raw.clone() };
            for (at, x) in flips {
                let at = at.index(bytes.len());
                bytes[at] ^= x;
            }
            let keep = cut.index(bytes.len() + 1);
            bytes.truncate(keep);
            if let Ok(s) = read(&p(), &bytes) {
                prop_assert_eq!(s.check_consistent(), Ok(()));
            }
        }

        #[test]
        fn any_payload_bytes_decode(body in proptest::collection::vec(any::<u8>(), 195), degree in 0..4u8) {
            // Every byte value is a valid field value: with the header intact, decoding a
            // payload of the right size must succeed.
            let h = sample(3, degree).raw()[..16].to_vec();
            let need = 3 * (20 + 3 * sh_rest_count(degree));
            let mut raw = h.clone();
            raw.extend(&body[..need]);
            let s = read(&p(), &gzip(&raw)).expect("any payload decodes");
            prop_assert_eq!(s.len(), 3);
            prop_assert!(s.rotations.iter().flatten().all(|v| v.is_finite()));
        }
    }
}
