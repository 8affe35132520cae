//! Writer for SOG version 2, bundled (`.sog`: a zip of `meta.json` and lossless WebP images,
//! entries stored), the layout [`super::sog`] reads.
//!
//! Quantisation: positions 16 bits a channel between the bounds of their log transform;
//! rotations "smallest three" at 8 bits; scales, DC colours and SH values through 256-entry
//! codebooks fitted by 1-D k-means (Lloyd's algorithm on the sorted values); opacity 8 bits.
//! Higher SH go through a palette of at most 65 536 entries: one per Gaussian when there are
//! no more, else a two-level k-means (256 groups, each split into 256).

use std::io::Write;

use rayon::prelude::*;
use serde_json::json;

use super::sog_meta::MAX_PALETTE;
use super::webp::{self, Rgba8, WebpError};
use super::{Scene, sh, sigmoid};

/// Why a scene could not be written as `.sog`; the message is the underlying error's.
#[derive(Debug, thiserror::Error)]
pub enum SogWriteError {
    #[error(transparent)]
    /// Encoding an image as WebP failed.
    Webp(#[from] WebpError),
    #[error(transparent)]
    /// Writing the zip bundle failed.
    Zip(#[from] zip::result::ZipError),
    #[error(transparent)]
    /// Writing the bytes out failed.
    Io(#[from] std::io::Error),
}

/// The scene as `.sog` bytes.
pub fn sog_bytes(scene: &Scene) -> Result<Vec<u8>, SogWriteError> {
    let n = scene.len();
    let (w, h) = texture_size(n);
    let image = |fill: &dyn Fn(usize) -> [u8; 4]| {
        let mut rgba = vec![0u8; (w * h) as usize * 4];
        for i in 0..n {
            rgba[4 * i..4 * i + 4].copy_from_slice(&fill(i));
        }
        webp::encode(&Rgba8 { width: w, height: h, rgba })
    };
    // Positions.
    let log = |v: f32| v.signum() * (v.abs() + 1.0).ln();
    let mut mins = [f32::INFINITY; 3];
    let mut maxs = [f32::NEG_INFINITY; 3];
    for p in &scene.positions {
        for c in 0..3 {
            mins[c] = mins[c].min(log(p[c]));
            maxs[c] = maxs[c].max(log(p[c]));
        }
    }
    let q16 = |i: usize, c: usize| {
        let span = (maxs[c] - mins[c]).max(1e-30);
        ((log(scene.positions[i][c]) - mins[c]) / span * 65535.0).round().clamp(0.0, 65535.0) as u16
    };
    let means_l = image(&|i| [q16(i, 0) as u8, q16(i, 1) as u8, q16(i, 2) as u8, 255])?;
    let means_u = image(&|i| [(q16(i, 0) >> 8) as u8, (q16(i, 1) >> 8) as u8, (q16(i, 2) >> 8) as u8, 255])?;
    let quats = image(&|i| pack_quat(scene.rotations[i]))?;
    // Scales and colours through codebooks.
    let scale_values: Vec<f32> = scene.log_scales.iter().flatten().copied().collect();
    let scale_book = Codebook::fit(&scale_values, 256);
    let scales = image(&|i| {
        let s = scene.log_scales[i];
        [scale_book.index(s[0]), scale_book.index(s[1]), scale_book.index(s[2]), 255]
    })?;
    let coeffs = sh::coeff_count(scene.sh_degree);
    let dc = |i: usize, c: usize| scene.sh[i * coeffs * 3 + c];
    let dc_values: Vec<f32> = (0..n).flat_map(|i| [dc(i, 0), dc(i, 1), dc(i, 2)]).collect();
    let dc_book = Codebook::fit(&dc_values, 256);
    let alpha = |i: usize| (sigmoid(scene.opacity_logits[i]) * 255.0).round() as u8;
    let sh0 = image(&|i| [dc_book.index(dc(i, 0)), dc_book.index(dc(i, 1)), dc_book.index(dc(i, 2)), alpha(i)])?;
    let mut files = vec![
        ("means_l.webp", means_l),
        ("means_u.webp", means_u),
        ("quats.webp", quats),
        ("scales.webp", scales),
        ("sh0.webp", sh0),
    ];
    let mut meta = json!({
        "version": 2,
        "asset": {"generator": concat!("rtgs2 ", env!("CARGO_PKG_VERSION"))},
        "count": n,
        "means": {"mins": mins, "maxs": maxs, "files": ["means_l.webp", "means_u.webp"]},
        "scales": {"codebook": scale_book.values, "files": ["scales.webp"]},
        "quats": {"files": ["quats.webp"]},
        "sh0": {"codebook": dc_book.values, "files": ["sh0.webp"]},
    });
    if scene.sh_degree > 0 {
        let rest = coeffs - 1;
        // Per Gaussian, its higher coefficients channel-major as the palette stores them:
        // for each coefficient k, (r, g, b).
        let vectors: Vec<Vec<f32>> =
            (0..n).map(|i| scene.sh[i * coeffs * 3 + 3..(i + 1) * coeffs * 3].to_vec()).collect();
        let (entries, labels) = palette(&vectors);
        let book = Codebook::fit(&entries.iter().flatten().copied().collect::<Vec<_>>(), 256);
        let rows = entries.len().div_ceil(64);
        let width = 64 * rest;
        let mut rgba = vec![0u8; width * rows * 4];
        for (e, v) in entries.iter().enumerate() {
            let (row, col) = (e / 64, (e % 64) * rest);
            for k in 0..rest {
                let px = 4 * (row * width + col + k);
                rgba[px..px + 4].copy_from_slice(&[
                    book.index(v[3 * k]),
                    book.index(v[3 * k + 1]),
                    book.index(v[3 * k + 2]),
                    255,
                ]);
            }
        }
        let centroids = webp::encode(&Rgba8 { width: width as u32, height: rows as u32, rgba })?;
        let labels_img = image(&|i| [labels[i] as u8, (labels[i] >> 8) as u8, 0, 255])?;
        files.push(("shN_centroids.webp", centroids));
        files.push(("shN_labels.webp", labels_img));
        meta["shN"] = json!({
            "count": entries.len(), "bands": scene.sh_degree, "codebook": book.values,
            "files": ["shN_centroids.webp", "shN_labels.webp"]
        });
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut entry = |name: &str, bytes: &[u8]| -> Result<(), SogWriteError> {
        zip.start_file(name, stored)?;
        Ok(zip.write_all(bytes)?)
    };
    entry("meta.json", &serde_json::to_vec(&meta).expect("a JSON value serialises"))?;
    for (name, bytes) in &files {
        entry(name, bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// A texture of about square shape with room for `n` pixels, sides a multiple of 4.
fn texture_size(n: usize) -> (u32, u32) {
    let w = ((n as f64).sqrt().ceil() as u32).div_ceil(4).max(1) * 4;
    let h = (n as u32).div_ceil(w).div_ceil(4).max(1) * 4;
    (w, h)
}

/// "Smallest three": the largest |component| dropped (tag 252 + its index, w x y z order)
/// and made positive, the others scaled by sqrt 2 into bytes.
fn pack_quat(r: [f32; 4]) -> [u8; 4] {
    let norm = r.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-30);
    let mut q = r.map(|v| v / norm);
    let largest = (0..4).max_by(|&a, &b| q[a].abs().total_cmp(&q[b].abs())).expect("four components");
    if q[largest] < 0.0 {
        q = q.map(|v| -v);
    }
    let mut out = [0u8; 4];
    let mut slot = 0;
    for (k, &v) in q.iter().enumerate() {
        if k != largest {
            out[slot] = ((v * std::f32::consts::SQRT_2 * 0.5 + 0.5) * 255.0).round().clamp(0.0, 255.0) as u8;
            slot += 1;
        }
    }
    out[3] = 252 + largest as u8;
    out
}

/// A sorted 1-D codebook.
struct Codebook {
    values: Vec<f32>,
}

impl Codebook {
    /// Lloyd's k-means in one dimension, started at the quantiles (on sorted data each step
    /// is one pass: the cells are the intervals between midpoints).
    fn fit(data: &[f32], k: usize) -> Self {
        let mut sorted: Vec<f32> = data.iter().copied().filter(|v| v.is_finite()).collect();
        sorted.sort_by(f32::total_cmp);
        if sorted.is_empty() {
            return Self { values: vec![0.0] };
        }
        let mut c: Vec<f32> = (0..k).map(|j| sorted[(j * 2 + 1) * sorted.len() / (2 * k)]).collect();
        c.dedup();
        for _ in 0..12 {
            let (mut sum, mut cnt) = (vec![0.0f64; c.len()], vec![0usize; c.len()]);
            let mut j = 0;
            for &v in &sorted {
                while j + 1 < c.len() && v > 0.5 * (c[j] + c[j + 1]) {
                    j += 1;
                }
                sum[j] += f64::from(v);
                cnt[j] += 1;
            }
            for (i, ci) in c.iter_mut().enumerate() {
                if cnt[i] > 0 {
                    *ci = (sum[i] / cnt[i] as f64) as f32;
                }
            }
            c.sort_by(f32::total_cmp);
            c.dedup();
        }
        Self { values: c }
    }

    fn index(&self, v: f32) -> u8 {
        let i = self.values.partition_point(|&c| c < v);
        let best = if i == 0 {
            0
        } else if i == self.values.len() || v - self.values[i - 1] <= self.values[i] - v {
            i - 1
        } else {
            i
        };
        best as u8
    }
}

/// Palette entries and each Gaussian's entry: the vectors themselves when they fit, else a
/// two-level k-means.
fn palette(vectors: &[Vec<f32>]) -> (Vec<Vec<f32>>, Vec<u16>) {
    if vectors.len() <= MAX_PALETTE {
        return (vectors.to_vec(), (0..vectors.len()).map(|i| i as u16).collect());
    }
    let all: Vec<usize> = (0..vectors.len()).collect();
    let (top, top_of) = kmeans(vectors, &all, 256);
    let groups: Vec<Vec<usize>> =
        (0..top.len()).map(|g| all.iter().copied().filter(|&i| top_of[i] == g).collect()).collect();
    let split: Vec<(Vec<Vec<f32>>, Vec<usize>)> =
        groups.par_iter().map(|members| kmeans(vectors, members, 256)).collect();
    let mut entries = Vec::new();
    let mut labels = vec![0u16; vectors.len()];
    for (members, (centres, of)) in groups.iter().zip(split) {
        let base = entries.len();
        for (&m, &c) in members.iter().zip(&of) {
            labels[m] = (base + c) as u16;
        }
        entries.extend(centres);
    }
    (entries, labels)
}

/// k-means of the vectors `members` (indices into `vectors`) into at most `k` centres, fitted
/// on an evenly strided sample of at most 20 000 members; returns the centres and each
/// member's centre, in `members` order.
fn kmeans(vectors: &[Vec<f32>], members: &[usize], k: usize) -> (Vec<Vec<f32>>, Vec<usize>) {
    if members.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let k = k.min(members.len());
    let step = members.len() / k;
    let mut centres: Vec<Vec<f32>> = (0..k).map(|j| vectors[members[j * step]].clone()).collect();
    let dist = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f32>();
    let nearest = |centres: &[Vec<f32>], m: usize| {
        (0..centres.len())
            .min_by(|&a, &b| dist(&vectors[m], &centres[a]).total_cmp(&dist(&vectors[m], &centres[b])))
            .expect("at least one centre")
    };
    let sample: Vec<usize> = members.iter().step_by((members.len() / 20_000).max(1)).copied().collect();
    for _ in 0..5 {
        let of: Vec<usize> = sample.par_iter().map(|&m| nearest(&centres, m)).collect();
        let dim = centres[0].len();
        let mut sum = vec![vec![0.0f32; dim]; k];
        let mut cnt = vec![0usize; k];
        for (&m, &c) in sample.iter().zip(&of) {
            cnt[c] += 1;
            for (s, v) in sum[c].iter_mut().zip(&vectors[m]) {
                *s += v;
            }
        }
        for c in 0..k {
            if cnt[c] > 0 {
                centres[c] = sum[c].iter().map(|s| s / cnt[c] as f32).collect();
            }
        }
    }
    let of = members.par_iter().map(|&m| nearest(&centres, m)).collect();
    (centres, of)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::rng::Rng;

    #[test]
    fn a_codebook_spans_the_data_and_indexes_the_nearest_entry() {
        let mut rng = Rng::new(5);
        let data: Vec<f32> = (0..5000).map(|_| rng.range(-8.0, 1.0)).collect();
        let book = Codebook::fit(&data, 256);
        assert!(book.values.len() > 200 && book.values.windows(2).all(|w| w[0] < w[1]));
        for &v in &data {
            let got = book.values[book.index(v) as usize];
            let best = book.values.iter().map(|c| (c - v).abs()).fold(f32::INFINITY, f32::min);
            assert!(((got - v).abs() - best).abs() < 1e-6);
            assert!((got - v).abs() < 0.05, "{v} -> {got}");
        }
    }

    #[test]
    fn a_palette_past_65536_entries_is_clustered_and_labels_stay_in_range() {
        let mut rng = Rng::new(6);
        // 70 000 vectors around 300 distinct centres: the clustering must find them again.
        let centres: Vec<Vec<f32>> = (0..300).map(|_| (0..9).map(|_| rng.range(-1.0, 1.0)).collect()).collect();
        let vectors: Vec<Vec<f32>> =
            (0..70_000).map(|i| centres[i % 300].iter().map(|c| c + rng.range(-0.01, 0.01)).collect()).collect();
        let (entries, labels) = palette(&vectors);
        assert!(entries.len() <= MAX_PALETTE);
        let mut worst = 0.0f32;
        for (v, &l) in vectors.iter().zip(&labels) {
            let e = &entries[l as usize];
            worst = worst.max(v.iter().zip(e).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max));
        }
        assert!(worst < 0.1, "largest coefficient error {worst}");
    }
}
