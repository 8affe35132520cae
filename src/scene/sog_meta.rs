//! `meta.json` of a SOG scene (PlayCanvas' Spatially Ordered Gaussians), both versions, checked
//! before any image is decoded so a bad file is named by what is wrong with it.
//!
//! Version 2 (`"version": 2`): `count`; `means` (`mins`/`maxs` of the log-transformed
//! positions, two images: low and high bytes); `scales`, `sh0` and optional `shN` with a
//! codebook each; `shN` also has the palette size `count` and `bands`. Version 1 (no
//! `version`): per-channel `mins`/`maxs` instead of codebooks, the count in `means.shape`.
//! Layout as the reference reader (playcanvas/splat-transform `read-sog.ts`, `read-sog-v1.ts`)
//! has it.

use serde::Deserialize;

use super::MAX_GAUSSIANS;

/// Most entries a codebook can use: its indices are bytes.
pub const CODEBOOK_LEN: usize = 256;

/// Most entries an SH palette can have: its labels are 16 bits.
pub const MAX_PALETTE: usize = 65_536;

/// What is wrong with a `meta.json`. The message is a sentence without the file name (the
/// caller knows it); serde's error is part of the message and not also a `source`, so a chain
/// printed with anyhow's `{:#}` does not repeat it.
#[derive(Debug, thiserror::Error)]
pub enum SogMetaError {
    #[error("meta.json is not valid JSON ({0})")]
    /// The file is not JSON at all.
    NotJson(serde_json::Error),
    /// The JSON lacks a field of its version or has one of the wrong type.
    #[error("meta.json (SOG version {version}): {error}")]
    Fields {
        /// The version the file was read as (1 or 2).
        version: u8,
        /// serde's account of the field.
        error: serde_json::Error,
    },
    #[error("meta.json has SOG version {0}; rtgs2 reads versions 1 and 2")]
    /// The `version` field holds something other than 2 (absent means version 1).
    Version(serde_json::Value),
    #[error("meta.json says the scene holds 0 Gaussians")]
    /// `count` (or `means.shape[0]`) is zero.
    NoGaussians,
    #[error("meta.json says {0} Gaussians, more than rtgs2 reads ({MAX_GAUSSIANS})")]
    /// More Gaussians than [`MAX_GAUSSIANS`]: a damaged or hostile file.
    TooManyGaussians(u64),
    #[error("meta.json: shN.bands is {0}; SH bands are 1 to 3")]
    /// `shN.bands` is outside 1-3.
    Bands(u8),
    #[error("meta.json: shN.count is {0}; the palette holds 1 to 65536 entries (16-bit labels)")]
    /// `shN.count` is 0 or above [`MAX_PALETTE`].
    PaletteSize(u64),
    /// An image group names the wrong number of files.
    #[error("meta.json: {what}.files lists {found} files, expected {want}")]
    FileCount {
        /// The group (`means`, `scales`, `quats`, `sh0`, `shN`).
        what: &'static str,
        /// Files it names.
        found: usize,
        /// Files the format requires for it.
        want: usize,
    },
    /// A file name is empty, absolute or climbs out of the scene's folder (or zip).
    #[error("meta.json: {what}.files names {name:?}, which is not a file beside meta.json")]
    NotBeside {
        /// The group naming it.
        what: &'static str,
        /// The name as written.
        name: String,
    },
    /// A range list (`mins`/`maxs`) has the wrong length.
    #[error("meta.json: {what} has {found} values, expected {want}")]
    ValueCount {
        /// The list, e.g. `means.mins`.
        what: &'static str,
        /// Values it holds.
        found: usize,
        /// Values it must hold (3 per axis, 4 for colour and opacity, ...).
        want: usize,
    },
    /// A range value is NaN or infinite.
    #[error("meta.json: {what} holds {value}, not a finite number")]
    NotFinite {
        /// The list holding it.
        what: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A codebook is empty or longer than [`CODEBOOK_LEN`].
    #[error("meta.json: {what}.codebook has {found} entries; a codebook has 1 to 256")]
    CodebookSize {
        /// The group (`scales`, `sh0`, `shN`).
        what: &'static str,
        /// Entries it has.
        found: usize,
    },
    /// A codebook entry is NaN or infinite.
    #[error("meta.json: {what}.codebook holds {value}, not a finite number")]
    CodebookNotFinite {
        /// The group (`scales`, `sh0`, `shN`).
        what: &'static str,
        /// The offending entry.
        value: f32,
    },
}

#[derive(Clone, Debug, PartialEq)]
/// A parsed and checked `meta.json`, by version.
pub enum Meta {
    /// Version 1: per-channel ranges, no codebooks.
    V1(MetaV1),
    /// Version 2: codebooks, `"version": 2`.
    V2(MetaV2),
}

impl Meta {
    /// Parses and checks `meta.json`.
    pub fn parse(bytes: &[u8]) -> Result<Self, SogMetaError> {
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(SogMetaError::NotJson)?;
        let meta = match value.get("version") {
            None => {
                Self::V1(serde_json::from_value(value).map_err(|error| SogMetaError::Fields { version: 1, error })?)
            }
            Some(v) if v.as_u64() == Some(2) => {
                Self::V2(serde_json::from_value(value).map_err(|error| SogMetaError::Fields { version: 2, error })?)
            }
            Some(v) => return Err(SogMetaError::Version(v.clone())),
        };
        meta.check()?;
        Ok(meta)
    }

    /// Number of Gaussians the scene holds (checked to be 1..=[`MAX_GAUSSIANS`]).
    pub fn count(&self) -> usize {
        match self {
            Self::V1(m) => m.means.shape[0] as usize,
            Self::V2(m) => m.count as usize,
        }
    }

    /// The SOG version, 1 or 2.
    pub fn version(&self) -> u8 {
        match self {
            Self::V1(_) => 1,
            Self::V2(_) => 2,
        }
    }

    /// Every image file the meta names, for the existence check.
    pub fn files(&self) -> Vec<&str> {
        let (means, scales, quats, sh0, sh_n) = match self {
            Self::V1(m) => {
                (&m.means.files, &m.scales.files, &m.quats.files, &m.sh0.files, m.sh_n.as_ref().map(|s| &s.files))
            }
            Self::V2(m) => {
                (&m.means.files, &m.scales.files, &m.quats.files, &m.sh0.files, m.sh_n.as_ref().map(|s| &s.files))
            }
        };
        means
            .iter()
            .chain(scales)
            .chain(quats)
            .chain(sh0)
            .chain(sh_n.into_iter().flatten())
            .map(String::as_str)
            .collect()
    }

    fn check(&self) -> Result<(), SogMetaError> {
        let count = self.count() as u64;
        if count == 0 {
            return Err(SogMetaError::NoGaussians);
        }
        if count > MAX_GAUSSIANS {
            return Err(SogMetaError::TooManyGaussians(count));
        }
        match self {
            Self::V1(m) => {
                shared(
                    [&m.means.files, &m.scales.files, &m.quats.files, &m.sh0.files],
                    (&m.means.mins, &m.means.maxs),
                )?;
                numbers("scales.mins", &m.scales.mins, 3)?;
                numbers("scales.maxs", &m.scales.maxs, 3)?;
                numbers("sh0.mins", &m.sh0.mins, 4)?;
                numbers("sh0.maxs", &m.sh0.maxs, 4)?;
                if let Some(s) = &m.sh_n {
                    files("shN", &s.files, 2)?;
                    numbers("shN.mins/maxs", &[s.mins, s.maxs], 2)?;
                }
            }
            Self::V2(m) => {
                shared(
                    [&m.means.files, &m.scales.files, &m.quats.files, &m.sh0.files],
                    (&m.means.mins, &m.means.maxs),
                )?;
                codebook("scales", &m.scales.codebook)?;
                codebook("sh0", &m.sh0.codebook)?;
                if let Some(s) = &m.sh_n {
                    files("shN", &s.files, 2)?;
                    codebook("shN", &s.codebook)?;
                    if !(1..=3).contains(&s.bands) {
                        return Err(SogMetaError::Bands(s.bands));
                    }
                    if s.count == 0 || s.count > MAX_PALETTE as u64 {
                        return Err(SogMetaError::PaletteSize(s.count));
                    }
                }
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
/// Version-2 `meta.json`.
pub struct MetaV2 {
    /// Number of Gaussians.
    pub count: u64,
    /// Log-transformed position ranges and the low/high byte images (`means_l`, `means_u`).
    pub means: Bounds,
    /// Natural-log sigma codebook and the image of per-axis codebook indices.
    pub scales: Codebook,
    /// The packed-rotation image.
    pub quats: Files,
    /// DC colour codebook and the image of its indices (alpha: opacity as a sigmoid value).
    pub sh0: Codebook,
    #[serde(rename = "shN")]
    /// Higher SH bands as a palette; `None` for degree-0 scenes.
    pub sh_n: Option<PaletteV2>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
/// Version-1 `meta.json` (no `version` field).
pub struct MetaV1 {
    /// Position ranges, the Gaussian count in `shape[0]`, and the low/high byte images.
    pub means: ShapedBounds,
    /// Per-axis natural-log sigma ranges (3 values each) and the scale image.
    pub scales: Bounds,
    /// The packed-rotation image.
    pub quats: Files,
    /// DC colour and opacity-logit ranges (4 values each: r, g, b, opacity) and the colour image.
    pub sh0: Bounds,
    #[serde(rename = "shN")]
    /// Higher SH bands as a palette; `None` for degree-0 scenes.
    pub sh_n: Option<PaletteV1>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
/// A group of images with no numbers of its own.
pub struct Files {
    /// Image file names, relative to `meta.json` (checked not to leave its folder).
    pub files: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
/// Per-channel value ranges that image bytes are mapped onto linearly.
pub struct Bounds {
    /// Per-channel minimum (byte 0 maps here).
    pub mins: Vec<f64>,
    /// Per-channel maximum (the top byte value maps here).
    pub maxs: Vec<f64>,
    /// Image file names, relative to `meta.json`.
    pub files: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
/// Version-1 position ranges, with the array shape that carries the Gaussian count.
pub struct ShapedBounds {
    /// `[count, channels]`; `shape[0]` is the number of Gaussians.
    pub shape: [u64; 2],
    /// Per-axis minimum of the log-transformed positions.
    pub mins: Vec<f64>,
    /// Per-axis maximum of the log-transformed positions.
    pub maxs: Vec<f64>,
    /// The low- and high-byte images.
    pub files: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
/// A version-2 group whose image bytes index a codebook.
pub struct Codebook {
    /// Values the image bytes index; 1 to [`CODEBOOK_LEN`] finite entries.
    pub codebook: Vec<f32>,
    /// Image file names, relative to `meta.json`.
    pub files: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
/// Version-2 SH palette: centroids indexed by 16-bit per-Gaussian labels.
pub struct PaletteV2 {
    /// Number of palette entries, 1 to [`MAX_PALETTE`].
    pub count: u64,
    /// SH bands beyond DC, 1 to 3.
    pub bands: u8,
    /// Values the centroid image's bytes index.
    pub codebook: Vec<f32>,
    /// `[shN_centroids, shN_labels]` image names.
    pub files: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
/// Version-1 SH palette; the bands follow from the centroid image's width.
pub struct PaletteV1 {
    /// Value centroid byte 0 maps to.
    pub mins: f64,
    /// Value the top centroid byte maps to.
    pub maxs: f64,
    /// `[shN_centroids, shN_labels]` image names.
    pub files: Vec<String>,
}

/// What both versions check alike: the four image groups (means, scales, quats, sh0) and the
/// positions' bounds.
fn shared(groups: [&[String]; 4], (mins, maxs): (&[f64], &[f64])) -> Result<(), SogMetaError> {
    for ((what, want), names) in [("means", 2), ("scales", 1), ("quats", 1), ("sh0", 1)].into_iter().zip(groups) {
        files(what, names, want)?;
    }
    numbers("means.mins", mins, 3)?;
    numbers("means.maxs", maxs, 3)
}

fn files(what: &'static str, names: &[String], want: usize) -> Result<(), SogMetaError> {
    if names.len() != want {
        return Err(SogMetaError::FileCount { what, found: names.len(), want });
    }
    for name in names {
        // Names are resolved beside meta.json (or inside the zip): a path that climbs out of
        // it, or an absolute one, would read some other file of the user's.
        let plain = !name.is_empty()
            && !name.starts_with('/')
            && !name.contains('\\')
            && name.split('/').all(|part| !part.is_empty() && part != "." && part != "..");
        if !plain {
            return Err(SogMetaError::NotBeside { what, name: name.clone() });
        }
    }
    Ok(())
}

fn numbers(what: &'static str, values: &[f64], want: usize) -> Result<(), SogMetaError> {
    if values.len() != want {
        return Err(SogMetaError::ValueCount { what, found: values.len(), want });
    }
    if let Some(&value) = values.iter().find(|v| !v.is_finite()) {
        return Err(SogMetaError::NotFinite { what, value });
    }
    Ok(())
}

fn codebook(what: &'static str, values: &[f32]) -> Result<(), SogMetaError> {
    if values.is_empty() || values.len() > CODEBOOK_LEN {
        return Err(SogMetaError::CodebookSize { what, found: values.len() });
    }
    if let Some(&value) = values.iter().find(|v| !v.is_finite()) {
        return Err(SogMetaError::CodebookNotFinite { what, value });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const V2: &str = r#"{"version":2,"count":5,"means":{"mins":[0,0,0],"maxs":[1,1,1],"files":["a.webp","b.webp"]},
        "scales":{"codebook":[-3,-2],"files":["s.webp"]},"quats":{"files":["q.webp"]},
        "sh0":{"codebook":[0.1],"files":["c.webp"]}}"#;

    #[test]
    fn a_version_2_meta_parses_and_lists_its_files() {
        let m = Meta::parse(V2.as_bytes()).expect("valid");
        assert_eq!((m.version(), m.count()), (2, 5));
        assert_eq!(m.files(), ["a.webp", "b.webp", "s.webp", "q.webp", "c.webp"]);
    }

    #[test]
    fn bad_metas_are_named() {
        let cases = [
            (V2.replace("\"count\":5", "\"count\":0"), "0 Gaussians"),
            (V2.replace("\"version\":2", "\"version\":3"), "version 3"),
            (V2.replace("[0,0,0]", "[0,0]"), "means.mins has 2 values"),
            (V2.replace("\"s.webp\"", "\"../s.webp\""), "not a file beside meta.json"),
            (V2.replace("\"q.webp\"", "\"/etc/passwd\""), "not a file beside meta.json"),
            (V2.replace("[-3,-2]", "[]"), "scales.codebook has 0 entries"),
            (V2.replace(",\"count\":5", ""), "missing field `count`"),
            (V2.replace("\"c.webp\"", "\"c.webp\",\"d.webp\""), "sh0.files lists 2 files"),
            ("{".to_string(), "not valid JSON"),
        ];
        for (text, want) in cases {
            let err = Meta::parse(text.as_bytes()).expect_err(want).to_string();
            assert!(err.contains(want), "{want}: {err}");
        }
    }
}
