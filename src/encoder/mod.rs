//! The scene encoder (stage 1 of RT-GS2): per-Gaussian 32-d features from a PTv3-lite ONNX
//! network, computed once per scene and cached on disk.
//!
//! - [`indices`] and [`inputs`]: the precompute, identical to `training/rtgs2_train`.
//! - [`session`]: the encoder's ONNX Runtime session (built by the shared [`crate::inference`]).
//! - [`encode`]: the whole scene through the network; [`cache`]: the on-disk cache.

pub mod cache;
pub mod card;
pub mod encode;
pub mod error;
pub mod indices;
pub mod inputs;
pub mod session;
pub mod upright;

use std::path::{Path, PathBuf};
use std::time::Instant;

pub use card::EncoderCard;
pub use encode::{DEFAULT_MAX_VOXELS, EncodedScene, StageTimes, encode_scene};
pub use error::EncoderError;
pub use session::{EncoderSession, ExecutionChoice};

use crate::scene::Scene;

/// The shipped encoder, `encoder.onnx` in the first of [`crate::util::model_search_dirs`]
/// that has one.
pub fn default_model_path() -> PathBuf {
    crate::util::find_model("encoder.onnx")
}

/// The default feature cache folder: `features` in [`crate::util::cache_dir`].
pub fn default_cache_dir() -> PathBuf {
    crate::util::cache_dir().join("features")
}

#[derive(Debug, Clone)]
/// How [`scene_features`] runs: model, cache, provider, chunking.
pub struct FeatureOptions {
    /// The encoder's ONNX file; its card is the `.json` beside it.
    pub model: PathBuf,
    /// None: no cache at all.
    pub cache_dir: Option<PathBuf>,
    /// Recompute even when a valid cache exists.
    pub force: bool,
    /// Which ONNX Runtime execution provider to run on.
    pub provider: ExecutionChoice,
    /// ONNX Runtime intra-op threads (0 = its default, all cores).
    pub threads: usize,
    /// Most voxels per encoder pass; larger scenes are cut into spatial chunks (changes features near chunk borders).
    pub max_voxels: usize,
    /// Show a progress bar over the chunks.
    pub progress: bool,
    /// World units per metre: the scene is divided by it before encoding (see
    /// [`crate::scene::scale`]); 1 encodes it as it is. Resolve it with [`resolve_scale`].
    pub scene_scale: f32,
    /// The scene's up, for an encoder whose card says `upright` ([`upright`]): callers that
    /// have the scene's cameras pass [`upright::scene_up`] of them; `None` finds it from the
    /// scene's shape alone. Rotation-invariant encoders ignore it.
    pub up: Option<glam::Vec3>,
}

/// How the scene's scale is chosen: estimated from the scene and its cameras, or given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SceneScale {
    /// Estimated from the scene's height along up ([`crate::scene::scale`]).
    Estimate,
    /// The units `rtgs2 import` recorded in a trainer folder's `import.json`, else estimated.
    /// Not the default: the shipped networks were trained on features at the estimated
    /// scale, and on imported scans they score lower at the recorded one (measured: ScanNet
    /// rooms 0004-0005 ScanNet-20 mIoU 0.263 → 0.248, furnished held-out rooms 0.273 → 0.230).
    Recorded,
    /// Given by the user, world units per metre (positive).
    Fixed(f32),
}

/// A `--scene-scale` / `--units-per-metre` that is neither `auto`, `recorded` nor a positive
/// number (quoted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected 'auto', 'recorded' or a positive number of world units per metre, got {0:?}")]
pub struct SceneScaleError(pub String);

impl std::str::FromStr for SceneScale {
    type Err = SceneScaleError;
    fn from_str(s: &str) -> Result<Self, SceneScaleError> {
        if s.trim().eq_ignore_ascii_case("auto") {
            return Ok(Self::Estimate);
        }
        if s.trim().eq_ignore_ascii_case("recorded") {
            return Ok(Self::Recorded);
        }
        match s.trim().parse::<f32>() {
            Ok(v) if v.is_finite() && v > 0.0 => Ok(Self::Fixed(v)),
            _ => Err(SceneScaleError(s.to_string())),
        }
    }
}

/// The scale to encode `scene` at, and a line saying where it came from: given, recorded by
/// `rtgs2 import` (`recorded`, used with [`SceneScale::Recorded`]), or estimated.
pub fn resolve_scale(
    scene: &Scene,
    cameras: &[crate::scene::Camera],
    recorded: Option<f32>,
    choice: SceneScale,
) -> (f32, String) {
    match (choice, recorded) {
        (SceneScale::Fixed(v), _) => (v, format!("scene scale {v} world units per metre (--scene-scale)")),
        (SceneScale::Recorded, Some(v)) => {
            (v, format!("scene scale {v} world units per metre, recorded by rtgs2 import (--scene-scale recorded)"))
        }
        (SceneScale::Estimate | SceneScale::Recorded, _) => match crate::scene::scale::estimate_scale(scene, cameras) {
            Some(e) => (
                e.scale,
                format!(
                    "scene scale {:.3} world units per metre, estimated (height {:.3} along up from the {}; \
                     --scene-scale overrides)",
                    e.scale, e.height, e.up_from
                ),
            ),
            None => (1.0, "scene scale 1: too few Gaussians to estimate it".into()),
        },
    }
}

impl Default for FeatureOptions {
    fn default() -> Self {
        Self {
            model: default_model_path(),
            cache_dir: Some(default_cache_dir()),
            force: false,
            provider: ExecutionChoice::Auto,
            threads: 0,
            max_voxels: DEFAULT_MAX_VOXELS,
            progress: false,
            scene_scale: 1.0,
            up: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
/// Whether the features came from, or went into, the cache.
pub enum CacheOutcome {
    /// No cache (none configured, or writing it failed).
    Disabled,
    /// Read from this cache file.
    Hit(PathBuf),
    /// Computed and written to this cache file.
    Written(PathBuf),
}

/// Where the features came from and what each step cost.
#[derive(Debug, Clone)]
pub struct SceneFeatures {
    /// `dim` features per Gaussian, Gaussian-major, rounded to f16 precision.
    pub features: Vec<f32>,
    /// Features per Gaussian.
    pub dim: usize,
    /// World units per metre the scene was encoded at (`FeatureOptions::scene_scale`).
    pub scene_scale: f32,
    /// The up the scene was levelled by for an upright encoder; `None` when the encoder is
    /// rotation-invariant or the scene too small to find one.
    pub levelled_up: Option<glam::Vec3>,
    /// What the cache did.
    pub cache: CacheOutcome,
    /// Present when the network ran (not on a cache hit).
    pub computed: Option<(EncodedScene, String)>,
    /// Hashing the scene and model for the cache key, milliseconds.
    pub hash_ms: f64,
    /// Reading and writing the cache file, milliseconds.
    pub cache_io_ms: f64,
    /// Opening the ONNX Runtime session (0 on a cache hit), milliseconds.
    pub session_ms: f64,
    /// Problems with an existing cache file that made us recompute.
    pub warnings: Vec<String>,
}

/// Features for every Gaussian of `scene`: from the cache when valid, else computed (and
/// cached). A corrupt or stale cache is reported in `warnings` and replaced.
pub fn scene_features(scene: &Scene, opts: &FeatureOptions) -> Result<SceneFeatures, EncoderError> {
    if scene.is_empty() {
        return Err(EncoderError::EmptyScene);
    }
    if !(opts.scene_scale.is_finite() && opts.scene_scale > 0.0) {
        return Err(EncoderError::BadScale(opts.scene_scale));
    }
    // The encoder sees the scene in metres; the cache key below covers the rescaled inputs.
    let scene = &*crate::scene::scale::rescaled(scene, opts.scene_scale);
    let model_bytes = session::read_model(&opts.model)?;
    let card = EncoderCard::load(&opts.model.with_extension("json"))?;
    // An upright encoder sees the scene levelled; the cache key covers the turned positions.
    let levelled_up = card.upright.then(|| opts.up.or_else(|| upright::scene_up(scene, &[]))).flatten();
    let scene = &*match levelled_up {
        Some(up) => upright::levelled(scene, up),
        None => std::borrow::Cow::Borrowed(scene),
    };
    let mut warnings = Vec::new();
    let t = Instant::now();
    let target = opts.cache_dir.as_ref().map(|dir| {
        let key = cache::cache_key(scene, &model_bytes, card.grid, opts.max_voxels);
        (cache::cache_path(dir, &key), key)
    });
    let hash_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    if let (Some((path, key)), false) = (&target, opts.force) {
        match std::fs::read(path) {
            Ok(bytes) => match cache::decode(&bytes, key, scene.len(), card.feature_dim) {
                Ok(features) => {
                    return Ok(SceneFeatures {
                        features,
                        dim: card.feature_dim,
                        scene_scale: opts.scene_scale,
                        levelled_up,
                        cache: CacheOutcome::Hit(path.clone()),
                        computed: None,
                        hash_ms,
                        cache_io_ms: t.elapsed().as_secs_f64() * 1e3,
                        session_ms: 0.0,
                        warnings,
                    });
                }
                Err(why) => warnings.push(format!("{}: {why}; recomputing", path.display())),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => warnings.push(format!("{}: {e}; recomputing", path.display())),
        }
    }
    let mut cache_io_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let mut session = EncoderSession::from_parts(&opts.model, &model_bytes, card, opts.provider, opts.threads)?;
    let session_ms = t.elapsed().as_secs_f64() * 1e3;
    let mut encoded = encode_scene(&mut session, scene, opts.max_voxels, opts.progress)?;
    // Cached or not, callers get the stored precision (see `round_to_stored`).
    cache::round_to_stored(&mut encoded.features);
    let t = Instant::now();
    // An unwritable cache costs the next run a recomputation, not this run its result.
    let cache = match target {
        Some((path, key)) => write_cache(&path, &key, scene.len(), &encoded).unwrap_or_else(|e| {
            warnings.push(format!("could not cache the features: {e}"));
            CacheOutcome::Disabled
        }),
        None => CacheOutcome::Disabled,
    };
    cache_io_ms += t.elapsed().as_secs_f64() * 1e3;
    Ok(SceneFeatures {
        features: encoded.features.clone(),
        dim: encoded.dim,
        scene_scale: opts.scene_scale,
        levelled_up,
        cache,
        computed: Some((encoded, session.provider.clone())),
        hash_ms,
        cache_io_ms,
        session_ms,
        warnings,
    })
}

fn write_cache(
    path: &Path,
    key: &cache::CacheKey,
    count: usize,
    e: &EncodedScene,
) -> Result<CacheOutcome, EncoderError> {
    let io = |source| EncoderError::io(path, source);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let bytes = cache::encode(key, count, e.dim, &e.features);
    crate::util::atomic_write::write_bytes_atomically(path, &bytes).map_err(io)?;
    Ok(CacheOutcome::Written(path.to_path_buf()))
}
