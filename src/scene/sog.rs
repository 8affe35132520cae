//! Reader for SOG (PlayCanvas' Spatially Ordered Gaussians, written by SuperSplat and
//! splat-transform): `meta.json` plus lossless WebP images, bundled as a zip (`.sog`) or
//! unbundled in a folder. Versions 1 and 2 ([`super::sog_meta`]).
//!
//! Decoding follows the reference reader (playcanvas/splat-transform) where the prose
//! specification differs from it:
//! - positions: 16 bits a channel (`means_l` low byte, `means_u` high byte) between
//!   `mins` and `maxs` of the log-transformed values, then `x = sign(v)(exp|v| - 1)`;
//! - rotations: the three smallest components as `b / 255 * 2 - 1` divided by sqrt 2, the
//!   alpha byte `252 + index` of the dropped (largest) component, rebuilt positive, in the
//!   order w, x, y, z; a byte under 252 is damage and becomes a zero quaternion, which the
//!   sanitiser drops with a warning (or refuses in `--strict`);
//! - scales: codebook entries (v2) or `mins..maxs` (v1) are natural-log sigmas, as in PLY;
//! - colour: the codebook (v2) or `mins..maxs` (v1) gives the DC coefficient; opacity is
//!   the alpha byte as a sigmoid value (v2) or lerped logit (v1);
//! - higher SH: a palette (`shN_centroids`, 64 entries a row, each `coeffs` pixels wide)
//!   indexed by 16-bit labels (`shN_labels` red + green·256).
//!
//! The reference readers take the data as PLY space (x right, y down, z forward), so it is
//! kept as stored, like every other format rtgs2 reads.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use super::sog_meta::{CODEBOOK_LEN, MAX_PALETTE, Meta, MetaV1, MetaV2};
use super::webp::{self, Rgba8};
use super::{Problem, Scene, SceneError, logit};

/// Where the files of a SOG scene live.
pub enum SogFiles {
    /// A folder holding `meta.json` and the images.
    Folder(PathBuf),
    /// A zip bundle, already read: the path (for messages) and its entries by name.
    Bundle {
        /// The `.sog` file, for messages.
        path: PathBuf,
        /// Every entry of the zip, its name to its bytes.
        entries: HashMap<String, Vec<u8>>,
    },
}

/// Largest SH palette image: 65536 entries of 15 coefficients (bands 3).
const MAX_PALETTE_PIXELS: usize = MAX_PALETTE * 15;

/// Largest zip entry we inflate: a 1M-Gaussian scene's biggest image is a few MB, and
/// deflate's ratio lets a small bundle claim gigabytes.
const MAX_ENTRY: u64 = 1 << 30;

impl SogFiles {
    /// Opens a `.sog` zip: every entry is read (a bundle holds only the images and meta).
    pub fn bundle(path: &Path, bytes: &[u8]) -> Result<Self, SceneError> {
        let bad = |what: String| SceneError::invalid(path, Problem::Malformed(what));
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| bad(format!("a .sog file is a zip archive, and this one cannot be read ({e})")))?;
        let mut entries = HashMap::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(|e| bad(format!("zip entry {i} cannot be read ({e})")))?;
            if entry.is_dir() {
                continue;
            }
            let name =
                entry.name().map_err(|e| bad(format!("zip entry {i} has an unreadable name ({e})")))?.to_string();
            if entry.size() > MAX_ENTRY {
                return Err(bad(format!("zip entry {name} claims {} bytes, more than any SOG image", entry.size())));
            }
            let mut data = Vec::with_capacity(entry.size() as usize);
            (&mut entry)
                .take(MAX_ENTRY + 1)
                .read_to_end(&mut data)
                .map_err(|e| bad(format!("zip entry {name} is damaged ({e})")))?;
            entries.insert(name, data);
        }
        Ok(Self::Bundle { path: path.to_path_buf(), entries })
    }

    /// The file a message should name for `name` (the bundle itself for zip entries).
    fn path_of(&self, name: &str) -> PathBuf {
        match self {
            Self::Folder(dir) => dir.join(name),
            Self::Bundle { path, .. } => path.clone(),
        }
    }

    /// An error about file `name` of the scene.
    fn error(&self, name: &str, what: impl std::fmt::Display) -> SceneError {
        let problem = match self {
            Self::Folder(_) => Problem::Malformed(what.to_string()),
            Self::Bundle { .. } => Problem::Malformed(format!("{name}: {what}")),
        };
        SceneError::invalid(self.path_of(name), problem)
    }

    fn read(&self, name: &str) -> Result<Vec<u8>, SceneError> {
        match self {
            Self::Folder(dir) => {
                let file = dir.join(name);
                super::load::check_regular_file(&file)?;
                std::fs::read(&file).map_err(|e| SceneError::io(file, e))
            }
            Self::Bundle { path, entries } => entries.get(name).cloned().ok_or_else(|| {
                SceneError::invalid(
                    path,
                    Problem::Malformed(format!("the bundle has no {name}, which meta.json names")),
                )
            }),
        }
    }

    /// Decodes image `name`, which must hold between `min` and `max` pixels.
    fn image(&self, name: &str, min: usize, max: usize) -> Result<Rgba8, SceneError> {
        let bytes = self.read(name)?;
        webp::decode(&bytes, min, max).map_err(|e| self.error(name, e))
    }
}

/// Reads the SOG scene in `files`; also returns its version (1 or 2).
pub fn read(files: &SogFiles) -> Result<(Scene, u8), SceneError> {
    let meta_bytes = files.read("meta.json")?;
    let meta = Meta::parse(&meta_bytes).map_err(|e| files.error("meta.json", e))?;
    // Existence first, so a missing image is named before minutes of decoding.
    if let SogFiles::Folder(dir) = files
        && let Some(missing) = meta.files().into_iter().find(|f| !dir.join(f).exists())
    {
        return Err(SceneError::invalid(
            dir.join(missing),
            Problem::Malformed("missing: meta.json names this image and it is not there".into()),
        ));
    }
    let count = meta.count();
    // Writers make the texture about square, each side rounded up (to 4 in splat-transform
    // 0.16, 16 in older ones); 64 spare on a side covers any rounding and still refuses a
    // canvas far larger than the data.
    let side = (count as f64).sqrt().ceil() as usize + 64;
    let max_pixels = side * side;
    let per_gaussian = |name: &str| files.image(name, count, max_pixels);
    let scene = match &meta {
        Meta::V2(m) => decode_v2(files, m, count, &per_gaussian)?,
        Meta::V1(m) => decode_v1(files, m, count, &per_gaussian)?,
    };
    debug_assert_eq!(scene.check_consistent(), Ok(()));
    Ok((scene, meta.version()))
}

type ImageOf<'a> = dyn Fn(&str) -> Result<Rgba8, SceneError> + 'a;

fn decode_v2(files: &SogFiles, m: &MetaV2, count: usize, image: &ImageOf) -> Result<Scene, SceneError> {
    let lo = image(&m.means.files[0])?;
    let hi = image(&m.means.files[1])?;
    let quats = image(&m.quats.files[0])?;
    let scales = image(&m.scales.files[0])?;
    let sh0 = image(&m.sh0.files[0])?;
    check_indices(files, &m.scales.files[0], &scales, count, 3, m.scales.codebook.len())?;
    check_indices(files, &m.sh0.files[0], &sh0, count, 3, m.sh0.codebook.len())?;

    let palette = match &m.sh_n {
        Some(p) => {
            let coeffs = rest_coeffs(p.bands);
            let rows = (p.count as usize).div_ceil(64);
            let centroids = files.image(&p.files[0], 1, MAX_PALETTE_PIXELS)?;
            if centroids.width as usize != 64 * coeffs || (centroids.height as usize) < rows {
                return Err(files.error(
                    &p.files[0],
                    format!(
                        "{}x{} pixels; {} entries of {} bands need 64 x {coeffs} = {} pixels wide and {rows} high",
                        centroids.width,
                        centroids.height,
                        p.count,
                        p.bands,
                        64 * coeffs
                    ),
                ));
            }
            check_indices(files, &p.files[0], &centroids, centroids.pixels(), 3, p.codebook.len())?;
            let labels = image(&p.files[1])?;
            Some(Palette {
                bands: p.bands,
                entries: p.count as usize,
                centroids,
                labels,
                labels_file: &p.files[1],
                value: Dequant::Codebook(&p.codebook),
            })
        }
        None => None,
    };
    let mut scene = Scene::with_capacity(count, palette.as_ref().map_or(0, |p| p.bands));
    positions(&mut scene, &lo, &hi, &m.means.mins, &m.means.maxs, count);
    rotations(&mut scene, &quats, count);
    for i in 0..count {
        let px = &scales.rgba[4 * i..4 * i + 3];
        scene.log_scales.push([0, 1, 2].map(|c| m.scales.codebook[px[c] as usize]));
        let px = &sh0.rgba[4 * i..4 * i + 4];
        scene.opacity_logits.push(logit(f32::from(px[3]) / 255.0));
    }
    let dc = |i: usize, c: usize| m.sh0.codebook[sh0.rgba[4 * i + c] as usize];
    colours(files, &mut scene, count, dc, palette.as_ref())?;
    Ok(scene)
}

fn decode_v1(files: &SogFiles, m: &MetaV1, count: usize, image: &ImageOf) -> Result<Scene, SceneError> {
    let lo = image(&m.means.files[0])?;
    let hi = image(&m.means.files[1])?;
    let quats = image(&m.quats.files[0])?;
    let scales = image(&m.scales.files[0])?;
    let sh0 = image(&m.sh0.files[0])?;
    let palette = match &m.sh_n {
        Some(p) => {
            let centroids = files.image(&p.files[0], 1, MAX_PALETTE_PIXELS)?;
            // Version 1 does not record the bands: the palette's width tells them.
            let bands = match centroids.width {
                192 => 1,
                512 => 2,
                960 => 3,
                w => {
                    return Err(files.error(
                        &p.files[0],
                        format!("{w} pixels wide; a version-1 SH palette is 192, 512 or 960 (bands 1, 2, 3)"),
                    ));
                }
            };
            let entries = (centroids.width as usize / rest_coeffs(bands)) * centroids.height as usize;
            let labels = image(&p.files[1])?;
            Some(Palette {
                bands,
                entries,
                centroids,
                labels,
                labels_file: &p.files[1],
                value: Dequant::Range(p.mins as f32, p.maxs as f32),
            })
        }
        None => None,
    };
    let lerp = |lo: f64, hi: f64, b: u8| (lo + (hi - lo) * f64::from(b) / 255.0) as f32;
    let mut scene = Scene::with_capacity(count, palette.as_ref().map_or(0, |p| p.bands));
    positions(&mut scene, &lo, &hi, &m.means.mins, &m.means.maxs, count);
    rotations(&mut scene, &quats, count);
    for i in 0..count {
        let px = &scales.rgba[4 * i..4 * i + 3];
        scene.log_scales.push([0, 1, 2].map(|c| lerp(m.scales.mins[c], m.scales.maxs[c], px[c])));
        scene.opacity_logits.push(lerp(m.sh0.mins[3], m.sh0.maxs[3], sh0.rgba[4 * i + 3]));
    }
    let dc = |i: usize, c: usize| lerp(m.sh0.mins[c], m.sh0.maxs[c], sh0.rgba[4 * i + c]);
    colours(files, &mut scene, count, dc, palette.as_ref())?;
    Ok(scene)
}

/// Higher-SH coefficients per channel for `bands` bands (3, 8, 15).
fn rest_coeffs(bands: u8) -> usize {
    let d = bands as usize + 1;
    d * d - 1
}

/// How a palette byte becomes an SH value.
enum Dequant<'a> {
    Codebook(&'a [f32]),
    Range(f32, f32),
}

impl Dequant<'_> {
    fn value(&self, b: u8) -> f32 {
        match self {
            Self::Codebook(book) => book[b as usize],
            Self::Range(lo, hi) => lo + (hi - lo) * f32::from(b) / 255.0,
        }
    }
}

struct Palette<'a> {
    bands: u8,
    /// Entries the labels may index.
    entries: usize,
    centroids: Rgba8,
    labels: Rgba8,
    labels_file: &'a str,
    value: Dequant<'a>,
}

/// Undoes the log transform `sign(x) ln(|x| + 1)` of a 16-bit value between `lo` and `hi`.
fn position(lo: f64, hi: f64, q: u16) -> f32 {
    let v = lo + (hi - lo) * f64::from(q) / 65535.0;
    (v.signum() * (v.abs().exp() - 1.0)) as f32
}

fn positions(scene: &mut Scene, lo: &Rgba8, hi: &Rgba8, mins: &[f64], maxs: &[f64], count: usize) {
    for i in 0..count {
        let q = |c: usize| u16::from(lo.rgba[4 * i + c]) | (u16::from(hi.rgba[4 * i + c]) << 8);
        scene.positions.push([0, 1, 2].map(|c| position(mins[c], maxs[c], q(c))));
    }
}

/// "Smallest three" quaternions, w x y z order (see the module docs).
fn rotations(scene: &mut Scene, quats: &Rgba8, count: usize) {
    for i in 0..count {
        let px = &quats.rgba[4 * i..4 * i + 4];
        let Some(largest) = px[3].checked_sub(252).map(usize::from) else {
            scene.rotations.push([0.0; 4]);
            continue;
        };
        let mut q = [0.0f32; 4];
        let mut stored = px[..3].iter();
        for (k, slot) in q.iter_mut().enumerate() {
            if k != largest {
                let b = *stored.next().expect("three stored components");
                *slot = (f32::from(b) / 255.0 * 2.0 - 1.0) / std::f32::consts::SQRT_2;
            }
        }
        let rest: f32 = q.iter().map(|v| v * v).sum();
        q[largest] = (1.0 - rest).max(0.0).sqrt();
        scene.rotations.push(q);
    }
}

/// Fills the SH array: DC from `dc(i, channel)`, higher bands from the palette.
fn colours(
    files: &SogFiles,
    scene: &mut Scene,
    count: usize,
    dc: impl Fn(usize, usize) -> f32,
    palette: Option<&Palette>,
) -> Result<(), SceneError> {
    let Some(p) = palette else {
        for i in 0..count {
            scene.sh.extend([dc(i, 0), dc(i, 1), dc(i, 2)]);
        }
        return Ok(());
    };
    let rest = rest_coeffs(p.bands);
    let width = p.centroids.width as usize;
    for i in 0..count {
        scene.sh.extend([dc(i, 0), dc(i, 1), dc(i, 2)]);
        let label = usize::from(p.labels.rgba[4 * i]) | (usize::from(p.labels.rgba[4 * i + 1]) << 8);
        if label >= p.entries {
            return Err(files.error(
                p.labels_file,
                format!("Gaussian {i} uses SH palette entry {label}; the palette has {} entries", p.entries),
            ));
        }
        let (col, row) = ((label % 64) * rest, label / 64);
        for k in 0..rest {
            let px = &p.centroids.rgba[4 * (row * width + col + k)..][..3];
            scene.sh.extend([p.value.value(px[0]), p.value.value(px[1]), p.value.value(px[2])]);
        }
    }
    Ok(())
}

/// Codebook indices (the first `channels` bytes of the first `pixels` pixels) must lie in
/// the codebook; only a codebook shorter than 256 entries can be overrun.
fn check_indices(
    files: &SogFiles,
    name: &str,
    img: &Rgba8,
    pixels: usize,
    channels: usize,
    len: usize,
) -> Result<(), SceneError> {
    if len >= CODEBOOK_LEN {
        return Ok(());
    }
    let worst = img.rgba[..4 * pixels].chunks_exact(4).flat_map(|px| &px[..channels]).copied().max().unwrap_or(0);
    if usize::from(worst) >= len {
        return Err(files.error(name, format!("uses codebook entry {worst}; meta.json's codebook has {len}")));
    }
    Ok(())
}
