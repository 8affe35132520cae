//! On-disk cache of lifted labels, beside the feature cache: lifting a room costs a minute,
//! reopening it should not. Key = SHA-256 over everything the labels depend on: every array
//! of the scene (what it renders and what the encoder reads), both networks' bytes, the scene
//! scale the encoder used, the lifting options and the cameras the views are taken around.
//! File = magic, version, key, count, then per Gaussian its class (u16) and confidence (f16),
//! then a SHA-256 of everything before it.
//! Written atomically; a file for another scene (count or key), a truncated or corrupt one is
//! named and recomputed.

use std::path::{Path, PathBuf};

use half::f16;
use sha2::{Digest, Sha256};

use super::lift::{LiftOptions, LiftedLabels};
use crate::inference::runtime::hex;
use crate::scene::{Camera, Scene};

const MAGIC: &[u8; 9] = b"RTGS2LIFT";
const VERSION: u8 = 1;
const HEADER: usize = 9 + 1 + 32 + 8 + 4;

/// SHA-256 over everything lifted labels depend on.
pub type LiftKey = [u8; 32];

/// What the lifted labels of a scene were made with.
pub struct LiftInputs<'a> {
    /// The scene (geometry, opacity and SH are hashed).
    pub scene: &'a Scene,
    /// The fusion model file's bytes.
    pub fusion_model: &'a [u8],
    /// Empty for an RGB-only network.
    pub encoder_model: &'a [u8],
    /// World units per metre the features were encoded at.
    pub scene_scale: f32,
    /// The lifting options.
    pub options: &'a LiftOptions,
    /// The scene's own cameras, which the views are taken around (none: views generated for
    /// the scene, [`super::lift_viewpoints`]).
    pub cameras: &'a [Camera],
}

/// The cache key of `inputs`.
pub fn lift_key(inputs: &LiftInputs) -> LiftKey {
    let s = inputs.scene;
    let mut h = Sha256::new();
    // v2: the cameras are hashed, and scenes without any are lifted from generated views (v1
    // files of such scenes hold no label at all). Bump it whenever the views change for the
    // same inputs (super::lift_viewpoints' rule, or lift_views').
    h.update(b"rtgs2-lift-v2");
    h.update((s.len() as u64).to_le_bytes());
    h.update([s.sh_degree]);
    h.update(bytemuck::cast_slice(&s.positions));
    h.update(bytemuck::cast_slice(&s.log_scales));
    h.update(bytemuck::cast_slice(&s.rotations));
    h.update(bytemuck::cast_slice(&s.opacity_logits));
    h.update(bytemuck::cast_slice(&s.sh));
    h.update(Sha256::digest(inputs.fusion_model));
    h.update(Sha256::digest(inputs.encoder_model));
    h.update(inputs.scene_scale.to_le_bytes());
    let o = inputs.options;
    for v in [o.views as u64, o.width as u64, o.height as u64, o.seed] {
        h.update(v.to_le_bytes());
    }
    h.update((inputs.cameras.len() as u64).to_le_bytes());
    for c in inputs.cameras {
        h.update([c.width, c.height].map(u32::to_le_bytes).concat());
        let rotation = c.rotation.concat();
        for v in c.position.iter().chain(&rotation).chain([&c.fx, &c.fy]) {
            h.update(v.to_le_bytes());
        }
    }
    h.finalize().into()
}

/// The key of `scene` (with its `cameras`) lifted with `options` by the fusion network in the
/// file `fusion_model`, with encoder features from the file `encoder_model` (`None` for an
/// RGB-only network) taken at `scene_scale`: what `rtgs2 lift` and the viewer both file their
/// labels under.
pub fn lift_key_of_files(
    scene: &Scene,
    cameras: &[Camera],
    fusion_model: &Path,
    encoder_model: Option<&Path>,
    scene_scale: f32,
    options: &LiftOptions,
) -> std::io::Result<LiftKey> {
    let read =
        |p: &Path| std::fs::read(p).map_err(|e| std::io::Error::new(e.kind(), format!("reading {}: {e}", p.display())));
    let fusion_model = read(fusion_model)?;
    let encoder_model = encoder_model.map(read).transpose()?.unwrap_or_default();
    Ok(lift_key(&LiftInputs {
        scene,
        fusion_model: &fusion_model,
        encoder_model: &encoder_model,
        scene_scale,
        options,
        cameras,
    }))
}

/// What a lifted-label cache file held.
#[derive(Debug)]
pub enum Cached {
    /// The labels for this key and scene.
    Hit(LiftedLabels),
    /// No file: never lifted with these inputs.
    Absent,
    /// A file that cannot be used, and why (the caller recomputes and overwrites it).
    Unusable(String),
}

/// Reads the labels cached at `path` for `key` and a scene of `count` Gaussians.
pub fn read_cached(path: &Path, key: &LiftKey, count: usize) -> Cached {
    match std::fs::read(path) {
        Ok(bytes) => match decode(&bytes, key, count) {
            Ok(lifted) => Cached::Hit(lifted),
            Err(why) => Cached::Unusable(why.to_string()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Cached::Absent,
        Err(e) => Cached::Unusable(e.to_string()),
    }
}

/// Writes `lifted` under `key` to `path` atomically (temp file + rename), making its folder.
pub fn write_cached(path: &Path, key: &LiftKey, lifted: &LiftedLabels) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    crate::util::atomic_write::write_bytes_atomically(path, &encode(key, lifted))
}

/// What happened to the cache file in [`lift_through_cache`], for the caller to show the user.
#[derive(Debug)]
pub enum CacheNote<'a> {
    /// The labels were read from this file.
    Read(&'a Path),
    /// This file could not be used (why); the labels were lifted again.
    Unusable(&'a Path, String),
    /// Fresh labels could not be written to this file.
    NotWritten(&'a Path, std::io::Error),
}

impl CacheNote<'_> {
    /// A file that was there but not usable, or could not be written: worth a warning.
    pub fn is_warning(&self) -> bool {
        !matches!(self, CacheNote::Read(_))
    }
}

impl std::fmt::Display for CacheNote<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CacheNote::Read(path) => write!(f, "lifted labels read from {}", path.display()),
            CacheNote::Unusable(path, why) => write!(f, "{}: {why}; recomputing", path.display()),
            CacheNote::NotWritten(path, e) => write!(f, "could not cache the lifted labels at {}: {e}", path.display()),
        }
    }
}

/// The labels cached at `entry` for a scene of `count` Gaussians when `read` allows and the
/// file holds them; else `lift()`'s, rounded to what the file stores (so fresh and cached labels
/// are the same numbers) and cached. `note` hears what happened to the file: a missing,
/// unusable or unwritable cache never stops lifting. Also returns `lift`'s second value
/// (`T::default()` when read) and whether the labels came from the cache. `rtgs2 lift` and the
/// viewer both lift through here, so each reads what the other wrote.
pub fn lift_through_cache<T: Default, E>(
    entry: Option<&(PathBuf, LiftKey)>,
    count: usize,
    read: bool,
    lift: impl FnOnce() -> Result<(LiftedLabels, T), E>,
    mut note: impl FnMut(CacheNote),
) -> Result<(LiftedLabels, T, bool), E> {
    if let Some((path, key)) = entry
        && read
    {
        match read_cached(path, key, count) {
            Cached::Hit(lifted) => {
                note(CacheNote::Read(path));
                return Ok((lifted, T::default(), true));
            }
            Cached::Absent => {}
            Cached::Unusable(why) => note(CacheNote::Unusable(path, why)),
        }
    }
    let (mut lifted, extra) = lift()?;
    round_to_stored(&mut lifted);
    if let Some((path, key)) = entry
        && let Err(e) = write_cached(path, key, &lifted)
    {
        note(CacheNote::NotWritten(path, e));
    }
    Ok((lifted, extra, false))
}

/// The cache file for `key` in `dir` (first 40 hex digits, `.rtgs2lift`).
pub fn lift_cache_path(dir: &Path, key: &LiftKey) -> PathBuf {
    dir.join(format!("{}.rtgs2lift", &hex(key)[..40]))
}

/// Why a lifted-label file cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LiftCacheError {
    #[error("not an rtgs2 lifted-label file")]
    /// Too short, or the magic bytes are wrong.
    NotLifted,
    #[error("version {0}, this build writes {VERSION}")]
    /// Written by another format version (carried).
    Version(u8),
    #[error("made for another scene, model or options (its hash differs)")]
    /// Made for another scene, model or options.
    OtherKey,
    #[error("holds {found} Gaussians, the scene has {expected}")]
    /// The file holds labels for another number of Gaussians.
    Count {
        /// Gaussians in the file.
        found: usize,
        /// Gaussians in the scene.
        expected: usize,
    },
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
    #[error("class {0} is not an NYU40 id")]
    /// A stored class (carried) is above 40.
    Class(u16),
    #[error("confidence {0} is outside 0-1")]
    /// A stored confidence (carried) is outside 0-1 or not finite.
    Confidence(f32),
}

/// The file bytes of `lifted` under `key` (checksummed).
pub fn encode(key: &LiftKey, lifted: &LiftedLabels) -> Vec<u8> {
    let n = lifted.classes.len();
    let mut out = Vec::with_capacity(HEADER + n * 4 + 32);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.extend_from_slice(key);
    out.extend_from_slice(&(n as u64).to_le_bytes());
    out.extend_from_slice(&(lifted.views as u32).to_le_bytes());
    for (&c, &p) in lifted.classes.iter().zip(&lifted.confidence) {
        out.extend_from_slice(&c.to_le_bytes());
        out.extend_from_slice(&f16::from_f32(p).to_le_bytes());
    }
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    out
}

/// The labels in `bytes`, checked against `key` and the scene's Gaussian count.
pub fn decode(bytes: &[u8], key: &LiftKey, count: usize) -> Result<LiftedLabels, LiftCacheError> {
    if bytes.len() < HEADER + 32 || &bytes[..9] != MAGIC {
        return Err(LiftCacheError::NotLifted);
    }
    if bytes[9] != VERSION {
        return Err(LiftCacheError::Version(bytes[9]));
    }
    let n = u64::from_le_bytes(bytes[42..50].try_into().expect("8 bytes")) as usize;
    if n != count {
        return Err(LiftCacheError::Count { found: n, expected: count });
    }
    if &bytes[10..42] != key {
        return Err(LiftCacheError::OtherKey);
    }
    let expected = n.checked_mul(4).and_then(|p| p.checked_add(HEADER + 32)).unwrap_or(usize::MAX);
    if bytes.len() != expected {
        return Err(LiftCacheError::Length { found: bytes.len(), expected });
    }
    let (body, digest) = bytes.split_at(bytes.len() - 32);
    if Sha256::digest(body).as_slice() != digest {
        return Err(LiftCacheError::Checksum);
    }
    let views = u32::from_le_bytes(bytes[50..54].try_into().expect("4 bytes")) as usize;
    let (mut classes, mut confidence) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for rec in body[HEADER..].chunks_exact(4) {
        let c = u16::from_le_bytes([rec[0], rec[1]]);
        let p = f16::from_le_bytes([rec[2], rec[3]]).to_f32();
        if c as usize >= crate::classes::NUM_CLASSES {
            return Err(LiftCacheError::Class(c));
        }
        if !(0.0..=1.0).contains(&p) {
            return Err(LiftCacheError::Confidence(p));
        }
        classes.push(c);
        confidence.push(p);
    }
    Ok(LiftedLabels { classes, confidence, views })
}

/// Rounds the confidences to what the file stores, so a fresh result and a cached one are the
/// same numbers.
pub fn round_to_stored(lifted: &mut LiftedLabels) {
    for p in &mut lifted.confidence {
        *p = f16::from_f32(*p).to_f32().min(1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> LiftedLabels {
        LiftedLabels { classes: vec![1, 0, 5, 40], confidence: vec![0.5, 0.0, 0.91, 1.0], views: 7 }
    }

    /// The file helpers: absent, written and read back, refused for another key with the
    /// reason named; the folder is made and no temp file is left beside the result.
    #[test]
    fn cache_files_are_written_atomically_and_read_back_or_refused() {
        let dir = std::env::temp_dir().join(format!("rtgs2-lift-cache-test-{}", std::process::id()));
        let path = lift_cache_path(&dir.join("nested"), &[7u8; 32]);
        let mut l = labels();
        round_to_stored(&mut l);
        assert!(matches!(read_cached(&path, &[7u8; 32], 4), Cached::Absent));
        write_cached(&path, &[7u8; 32], &l).expect("write");
        assert!(matches!(read_cached(&path, &[7u8; 32], 4), Cached::Hit(got) if got == l));
        assert!(matches!(read_cached(&path, &[8u8; 32], 4), Cached::Unusable(why) if why.contains("another scene")));
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("folder")).expect("list").collect();
        assert_eq!(names.len(), 1, "only the cache file: {names:?}");
        // Through the cache: read (no lifting), lifted again for another key (and rewritten,
        // rounded to what the file stores), then never read when reading is off.
        let entry = (path.clone(), [7u8; 32]);
        let mut notes = Vec::new();
        let never = || -> Result<(LiftedLabels, u8), ()> { panic!("read from the cache, not lifted") };
        let (got, extra, cached) =
            lift_through_cache(Some(&entry), 4, true, never, |n| notes.push(n.to_string())).expect("read");
        assert_eq!((got, extra, cached), (l.clone(), 0, true));
        let other = (path.clone(), [9u8; 32]);
        let fresh = || Ok::<_, ()>((labels(), 5u8));
        let (got, extra, cached) =
            lift_through_cache(Some(&other), 4, true, fresh, |n| notes.push(n.to_string())).expect("lift");
        assert_eq!((got, extra, cached), (l.clone(), 5, false), "fresh labels are rounded like stored ones");
        assert!(matches!(read_cached(&path, &[9u8; 32], 4), Cached::Hit(_)), "rewritten for the new key");
        let (_, _, cached) =
            lift_through_cache(Some(&other), 4, false, fresh, |n| notes.push(n.to_string())).expect("lift");
        assert!(!cached, "not read when reading is off");
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].starts_with("lifted labels read from"), "{notes:?}");
        assert!(notes[1].contains("another scene") && notes[1].ends_with("recomputing"), "{notes:?}");
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn round_trip_and_every_mismatch_or_corruption_is_named() {
        let key = [3u8; 32];
        let mut l = labels();
        round_to_stored(&mut l);
        let bytes = encode(&key, &l);
        assert_eq!(decode(&bytes, &key, 4).expect("valid"), l);
        assert_eq!(decode(&bytes, &key, 5).expect_err("count"), LiftCacheError::Count { found: 4, expected: 5 });
        assert_eq!(decode(&bytes, &[4u8; 32], 4).expect_err("key"), LiftCacheError::OtherKey);
        assert!(matches!(decode(&bytes[..bytes.len() - 1], &key, 4), Err(LiftCacheError::Length { .. })));
        assert_eq!(decode(b"ply\n", &key, 4).expect_err("other file"), LiftCacheError::NotLifted);
        for at in [0, 9, 20, HEADER + 1, bytes.len() - 1] {
            let mut bad = bytes.clone();
            bad[at] ^= 0x10;
            assert!(decode(&bad, &key, 4).is_err(), "flip at byte {at} must be caught");
        }
        // A class outside NYU40 behind a valid checksum (a file from a broken writer).
        let bad = LiftedLabels { classes: vec![41], confidence: vec![0.5], views: 1 };
        assert_eq!(decode(&encode(&key, &bad), &key, 1).expect_err("class"), LiftCacheError::Class(41));
    }

    #[test]
    fn the_key_covers_scene_models_scale_options_and_cameras() {
        let mut scene = Scene::with_capacity(1, 0);
        scene.positions.push([0.0, 0.0, 1.0]);
        scene.log_scales.push([-2.0; 3]);
        scene.rotations.push([1.0, 0.0, 0.0, 0.0]);
        scene.opacity_logits.push(1.0);
        scene.sh.extend([0.1, 0.2, 0.3]);
        let opts = LiftOptions::default();
        let cameras = [Camera::look_at(glam::Vec3::ZERO, glam::Vec3::Y, glam::Vec3::Z, 60.0, 64, 48)];
        let base = LiftInputs {
            scene: &scene,
            fusion_model: b"f",
            encoder_model: b"e",
            scene_scale: 1.0,
            options: &opts,
            cameras: &cameras,
        };
        let k = lift_key(&base);
        let mut moved = scene.clone();
        moved.rotations[0] = [0.0, 1.0, 0.0, 0.0];
        let other_opts = LiftOptions { views: 12, ..opts };
        let mut moved_camera = cameras.clone();
        moved_camera[0].position[2] += 0.01;
        for other in [
            LiftInputs { scene: &moved, ..base },
            LiftInputs { fusion_model: b"g", ..base },
            LiftInputs { encoder_model: b"", ..base },
            LiftInputs { scene_scale: 2.0, ..base },
            LiftInputs { options: &other_opts, ..base },
            LiftInputs { cameras: &[], ..base },
            LiftInputs { cameras: &moved_camera, ..base },
        ] {
            assert_ne!(lift_key(&other), k);
        }
    }
}
