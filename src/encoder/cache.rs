//! On-disk cache of per-Gaussian features, keyed by what they depend on.
//!
//! Key = SHA-256 over the encoder's inputs from the scene (positions, SH DC, opacity,
//! log-scales, after the scene-scale normalisation), the model file's bytes, its grid and the
//! voxels per encoder pass (chunking changes features). File = magic, version, key, count, dim,
//! f16 rows, then a SHA-256 of everything before it. Written atomically (temp + rename);
//! anything that does not validate on load is reported and recomputed.

use std::path::{Path, PathBuf};

use half::f16;
use sha2::{Digest, Sha256};

use crate::inference::runtime::hex;
use crate::scene::Scene;

const MAGIC: &[u8; 9] = b"RTGS2FEAT";
const VERSION: u8 = 1;
const HEADER: usize = 9 + 1 + 32 + 8 + 4;

/// SHA-256 over everything the features depend on (see the module docs).
pub type CacheKey = [u8; 32];

/// The key of `scene` (already rescaled to metres) encoded with `model_bytes` at voxel size
/// `grid` and at most `max_voxels` voxels per pass.
pub fn cache_key(scene: &Scene, model_bytes: &[u8], grid: f64, max_voxels: usize) -> CacheKey {
    let mut h = Sha256::new();
    h.update(b"rtgs2-features-v2");
    h.update((scene.len() as u64).to_le_bytes());
    h.update(grid.to_le_bytes());
    // Chunking changes every feature near a chunk border.
    h.update((max_voxels as u64).to_le_bytes());
    h.update(Sha256::digest(model_bytes));
    h.update(bytemuck::cast_slice(&scene.positions));
    let coeffs = scene.sh_coeffs();
    let dc: Vec<f32> = scene.sh.chunks_exact(coeffs * 3).flat_map(|g| [g[0], g[1], g[2]]).collect();
    h.update(bytemuck::cast_slice(&dc));
    h.update(bytemuck::cast_slice(&scene.opacity_logits));
    h.update(bytemuck::cast_slice(&scene.log_scales));
    h.finalize().into()
}

/// The cache file for `key` in `dir` (first 40 hex digits of the key, `.rtgs2feat`).
pub fn cache_path(dir: &Path, key: &CacheKey) -> PathBuf {
    dir.join(format!("{}.rtgs2feat", &hex(key)[..40]))
}

/// The cache file's bytes for `count` × `dim` features (stored as f16, checksummed).
pub fn encode(key: &CacheKey, count: usize, dim: usize, features: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + features.len() * 2 + 32);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.extend_from_slice(key);
    out.extend_from_slice(&(count as u64).to_le_bytes());
    out.extend_from_slice(&(dim as u32).to_le_bytes());
    for &v in features {
        out.extend_from_slice(&f16::from_f32(v).to_le_bytes());
    }
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    out
}

/// Rounds `features` to the precision the cache stores them in (f16), in place, so that a
/// scene's features are the same numbers whether they were just computed or read back: a
/// network near a decision boundary would otherwise give a different answer on a warm cache.
pub fn round_to_stored(features: &mut [f32]) {
    for v in features {
        *v = f16::from_f32(*v).to_f32();
    }
}

/// Why a cache file cannot be used (the caller recomputes the features and says why).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CacheError {
    #[error("not an rtgs2 feature cache")]
    /// Too short, or the magic bytes are wrong.
    NotACache,
    #[error("cache version {0}, this build writes {VERSION}")]
    /// Written by another cache format version (carried).
    Version(u8),
    #[error("made for another scene or model")]
    /// Made for another scene, model, grid or chunking.
    OtherKey,
    #[error("holds {found_count} × {found_dim} features, expected {count} × {dim}")]
    /// The header's shape differs from the scene's.
    Shape {
        /// Gaussians the file holds.
        found_count: usize,
        /// Features per Gaussian the file holds.
        found_dim: usize,
        /// Gaussians in the scene.
        count: usize,
        /// Features per Gaussian the model gives.
        dim: usize,
    },
    #[error("size overflows")]
    /// The header's count × dim overflows.
    SizeOverflow,
    #[error("{found} bytes, expected {expected} (truncated or padded)")]
    /// The file's size does not match its header.
    Length {
        /// Bytes in the file.
        found: usize,
        /// Bytes the header implies.
        expected: usize,
    },
    #[error("checksum mismatch (corrupt)")]
    /// The trailing SHA-256 does not match: the file is corrupt.
    Checksum,
    #[error("holds non-finite values")]
    /// A stored value is NaN or infinite.
    NonFinite,
}

/// Features from a cache file, or why it cannot be used.
pub fn decode(bytes: &[u8], key: &CacheKey, count: usize, dim: usize) -> Result<Vec<f32>, CacheError> {
    if bytes.len() < HEADER + 32 || &bytes[..9] != MAGIC {
        return Err(CacheError::NotACache);
    }
    if bytes[9] != VERSION {
        return Err(CacheError::Version(bytes[9]));
    }
    if &bytes[10..42] != key {
        return Err(CacheError::OtherKey);
    }
    let n = u64::from_le_bytes(bytes[42..50].try_into().expect("8 bytes")) as usize;
    let d = u32::from_le_bytes(bytes[50..54].try_into().expect("4 bytes")) as usize;
    if n != count || d != dim {
        return Err(CacheError::Shape { found_count: n, found_dim: d, count, dim });
    }
    let payload = n.checked_mul(d).and_then(|x| x.checked_mul(2)).ok_or(CacheError::SizeOverflow)?;
    if bytes.len() != HEADER + payload + 32 {
        return Err(CacheError::Length { found: bytes.len(), expected: HEADER + payload + 32 });
    }
    let (body, digest) = bytes.split_at(HEADER + payload);
    if Sha256::digest(body).as_slice() != digest {
        return Err(CacheError::Checksum);
    }
    let features: Vec<f32> =
        body[HEADER..].chunks_exact(2).map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32()).collect();
    if features.iter().any(|v| !v.is_finite()) {
        return Err(CacheError::NonFinite);
    }
    Ok(features)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_corruption_is_caught() {
        let key = [7u8; 32];
        let feats: Vec<f32> = (0..64).map(|i| (i as f32 * 0.37).sin()).collect();
        let bytes = encode(&key, 2, 32, &feats);
        let back = decode(&bytes, &key, 2, 32).expect("valid cache");
        assert!(back.iter().zip(&feats).all(|(a, b)| (a - b).abs() < 1e-3));
        let mut rounded = feats.clone();
        round_to_stored(&mut rounded);
        assert_eq!(back, rounded, "a cache hit gives exactly the rounded fresh features");
        assert_ne!(rounded, feats, "f16 rounding changes these values");
        assert!(decode(&bytes, &[8u8; 32], 2, 32).expect_err("key").to_string().contains("another scene"));
        assert!(decode(&bytes, &key, 3, 32).expect_err("count").to_string().contains("expected"));
        assert!(decode(&bytes[..bytes.len() - 1], &key, 2, 32).expect_err("short").to_string().contains("truncated"));
        for at in [0, 9, 60, bytes.len() - 40, bytes.len() - 1] {
            let mut bad = bytes.clone();
            bad[at] ^= 0x40;
            assert!(decode(&bad, &key, 2, 32).is_err(), "flip at byte {at} must be caught");
        }
    }
}
