//! Reader for the antimatter15 `.splat` web format: a headerless array of 32-byte records.
//!
//! Layout, as written by antimatter15/splat `convert.py` and read by its viewer:
//! position 3×f32 LE, linear scale (σ, i.e. `exp(scale_*)`) 3×f32 LE, RGBA u8 with
//! rgb = 0.5 + C0·f_dc (clipped, truncated) and a = sigmoid(opacity), then the normalised
//! quaternion in PLY order (w, x, y, z) as u8, q = (v − 128) / 128.
//! The converter copies positions and quaternions straight from the reference PLY, so the
//! file is already in the PLY convention (x right, y down, z forward): no axis change.
//! Only the DC colour survives, so the scene has SH degree 0.

use std::path::Path;

use super::{Problem, Scene, SceneError, logit, sh};

/// Bytes per Gaussian.
const RECORD: usize = 32;

// MAX_GAUSSIANS is 3.2 GB of `.splat`; refusing early keeps a mistaken multi-GB input from
// being turned into an even larger scene.
use super::MAX_GAUSSIANS;

/// Reads an antimatter15 `.splat` file's bytes (SH degree 0); `path` names the file in errors.
pub fn read(path: &Path, bytes: &[u8]) -> Result<Scene, SceneError> {
    let invalid = |problem| SceneError::invalid(path, problem);
    if bytes.is_empty() {
        return Err(invalid(Problem::Empty("the .splat file has no bytes".into())));
    }
    if !bytes.len().is_multiple_of(RECORD) {
        // The format has no header, so a wrong length is the only sign of damage we get.
        return Err(invalid(Problem::Malformed(format!(
            "{} bytes is not a whole number of 32-byte .splat records ({} records and {} bytes \
             left over): the file is truncated or not a .splat",
            bytes.len(),
            bytes.len() / RECORD,
            bytes.len() % RECORD
        ))));
    }
    let n = bytes.len() / RECORD;
    if n as u64 > MAX_GAUSSIANS {
        return Err(invalid(Problem::AbsurdCount {
            count: n as u64,
            limit: MAX_GAUSSIANS,
            why: "the .splat file is larger than any real scene".into(),
        }));
    }

    let mut scene = Scene::with_capacity(n, 0);
    for rec in bytes.chunks_exact(RECORD) {
        let f = |k: usize| {
            let b: [u8; 4] = rec[4 * k..4 * k + 4].try_into().expect("a 32-byte record holds six f32s");
            f32::from_le_bytes(b)
        };
        scene.positions.push([f(0), f(1), f(2)]);
        // Stored linear; a zero or negative σ becomes -inf/NaN here and is the
        // sanitiser's business, as with any other non-finite input.
        scene.log_scales.push([f(3).ln(), f(4).ln(), f(5).ln()]);
        let unit = |v: u8| f32::from(v) / 255.0;
        scene.sh.extend([rec[24], rec[25], rec[26]].map(|c| sh::dc_from_rgb(unit(c))));
        scene.opacity_logits.push(logit(unit(rec[27])));
        scene.rotations.push([rec[28], rec[29], rec[30], rec[31]].map(|v| (f32::from(v) - 128.0) / 128.0));
    }
    debug_assert_eq!(scene.check_consistent(), Ok(()));
    Ok(scene)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::sigmoid;
    use proptest::prelude::*;
    use std::path::PathBuf;

    /// One Gaussian as the encoder below takes it: linear σ, rgb and alpha in [0, 1],
    /// unit quaternion (w, x, y, z).
    struct Plain {
        pos: [f32; 3],
        sigma: [f32; 3],
        rgba: [f32; 4],
        q: [f32; 4],
    }

    /// Encodes like antimatter15's `convert.py`, but rounding to nearest so the decoded
    /// values can be compared within half a quantisation step.
    fn encode(gs: &[Plain]) -> Vec<u8> {
        let mut out = Vec::new();
        for g in gs {
            for v in g.pos.iter().chain(&g.sigma) {
                out.extend_from_slice(&v.to_le_bytes());
            }
            out.extend(g.rgba.map(|c| (c * 255.0).round().clamp(0.0, 255.0) as u8));
            out.extend(g.q.map(|c| (c * 128.0 + 128.0).round().clamp(0.0, 255.0) as u8));
        }
        out
    }

    fn p() -> PathBuf {
        PathBuf::from("test.splat")
    }

    #[test]
    fn decodes_known_values() {
        let gs = [
            Plain {
                pos: [1.5, -2.0, 3.25],
                sigma: [0.01, 0.5, 2.0],
                rgba: [0.0, 0.5, 1.0, 0.9],
                q: [1.0, 0.0, 0.0, 0.0],
            },
            Plain {
                pos: [-1e3, 0.0, 7.0],
                sigma: [1.0, 1.0, 1e-4],
                rgba: [0.2, 0.7, 0.3, 0.1],
                q: [0.5, -0.5, 0.5, -0.5],
            },
        ];
        let s = read(&p(), &encode(&gs)).expect("valid .splat");
        assert_eq!(s.len(), 2);
        assert_eq!(s.sh_degree, 0);
        s.check_consistent().expect("consistent");
        for (i, g) in gs.iter().enumerate() {
            assert_eq!(s.positions[i], g.pos, "positions are stored exactly");
            for k in 0..3 {
                assert!((s.log_scales[i][k] - g.sigma[k].ln()).abs() < 1e-6);
                let rgb = sh::rgb_from_dc(s.sh_of(i)[k]);
                assert!((rgb - g.rgba[k]).abs() <= 0.5 / 255.0 + 1e-6, "{rgb} vs {}", g.rgba[k]);
            }
            assert!((sigmoid(s.opacity_logits[i]) - g.rgba[3]).abs() <= 0.5 / 255.0 + 1e-6);
            for k in 0..4 {
                // +1.0 clamps to byte 255, i.e. 127/128: the one value a full step off.
                assert!((s.rotations[i][k] - g.q[k]).abs() <= 1.0 / 128.0 + 1e-6);
            }
        }
    }

    #[test]
    fn rejects_empty_and_partial_records() {
        let err = read(&p(), &[]).expect_err("empty");
        assert!(matches!(err.problem(), Some(Problem::Empty(_))), "{err}");
        let err = read(&p(), &[0u8; 65]).expect_err("65 bytes");
        assert!(matches!(err.problem(), Some(Problem::Malformed(m)) if m.contains("65 bytes")), "{err}");
    }

    use crate::scene::test_support::real_dir;

    #[test]
    fn reads_real_splat_files() {
        let Some(dir) = real_dir() else { return };
        for name in [
            "splat_haakongarfjell_indoor_furniture.splat",
            "splat_justdealman_flowers.splat",
            "splat_sjeongab_nerfsynthetic_chair.splat",
        ] {
            let path = dir.join(name);
            let bytes = std::fs::read(&path).expect("readable fixture");
            let s = read(&path, &bytes).expect("real .splat loads");
            // Independent count: the format is exactly 32 bytes per Gaussian.
            let meta = std::fs::metadata(&path).expect("metadata");
            assert_eq!(s.len() as u64, meta.len() / 32, "{name}");
            s.check_consistent().expect("consistent");
            for i in 0..s.len() {
                assert!(s.positions[i].iter().all(|v| v.is_finite() && v.abs() < 100.0), "{name} #{i}");
                // Real σ span ~1e-8..1 in these scenes (log −19..0).
                assert!(s.log_scales[i].iter().all(|v| v.is_finite() && (-25.0..5.0).contains(v)), "{name} #{i}");
                // u8 quaternions of unit ones: norm within a couple of quantisation steps of 1.
                let norm = s.rotations[i].iter().map(|v| v * v).sum::<f32>().sqrt();
                assert!((0.97..1.03).contains(&norm), "{name} #{i}: |q| = {norm}");
                let o = sigmoid(s.opacity_logits[i]);
                assert!((0.0..=1.0).contains(&o));
                for &dc in s.sh_of(i) {
                    let rgb = sh::rgb_from_dc(dc);
                    assert!((-1e-5..=1.0 + 1e-5).contains(&rgb), "{name} #{i}: {rgb}");
                }
            }
            let (lo, hi) = s.bounds().expect("non-empty");
            for k in 0..3 {
                assert!(hi[k] - lo[k] > 0.5 && hi[k] - lo[k] < 50.0, "{name}: {lo:?}..{hi:?}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_panics_and_counts_whole_records(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            match read(&p(), &bytes) {
                Ok(s) => {
                    prop_assert_eq!(s.len() * 32, bytes.len());
                    prop_assert_eq!(s.check_consistent(), Ok(()));
                }
                Err(_) => prop_assert!(bytes.is_empty() || !bytes.len().is_multiple_of(32)),
            }
        }
    }
}
