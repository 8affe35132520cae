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
    NotJson(serde_json::Error),
    #[error("meta.json (SOG version {version}): {error}")]
    Fields { version: u8, error: serde_json::Error },
    #[error("meta.json has SOG version {0}; rtgs2 reads versions 1 and 2")]
    Version(serde_json::Value),
    #[error("meta.json says the scene holds 0 Gaussians")]
    NoGaussians,
    #[error("meta.json says {0} Gaussians, more than rtgs2 reads ({MAX_GAUSSIANS})")]
    TooManyGaussians(u64),
    #[error("meta.json: shN.bands is {0}; SH bands are 1 to 3")]
    Bands(u8),
    #[error("meta.json: shN.count is {0}; the palette holds 1 to 65536 entries (16-bit labels)")]
    PaletteSize(u64),
    #[error("meta.json: {what}.files lists {found} files, expected {want}")]
    FileCount { what: &'static str, found: usize, want: usize },
    #[error("meta.json: {what}.files names {name:?}, which is not a file beside meta.json")]
    NotBeside { what: &'static str, name: String },
    #[error("meta.json: {what} has {found} values, expected {want}")]
    ValueCount { what: &'static str, found: usize, want: usize },
    #[error("meta.json: {what} holds {value}, not a finite number")]
    NotFinite { what: &'static str, value: f64 },
    #[error("meta.json: {what}.codebook has {found} entries; a codebook has 1 to 256")]
    CodebookSize { what: &'static str, found: usize },
    #[error("meta.json: {what}.codebook holds {value}, not a finite number")]
    CodebookNotFinite { what: &'static str, value: f32 },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Meta {
    V1(MetaV1),
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

    pub fn count(&self) -> usize {
        match self {
            Self::V1(m) => m.means.shape[0] as usize,
            Self::V2(m) => m.count as usize,
        }
    }

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
pub struct MetaV2 {
    pub count: u64,
    pub means: Bounds,
    pub scales: Codebook,
    pub quats: Files,
    pub sh0: Codebook,
    #[serde(rename = "shN")]
    pub sh_n: Option<PaletteV2>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct MetaV1 {
    pub means: ShapedBounds,
    pub scales: Bounds,
    pub quats: Files,
    pub sh0: Bounds,
    #[serde(rename = "shN")]
    pub sh_n: Option<PaletteV1>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Files {
    pub files: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Bounds {
    pub mins: Vec<f64>,
    pub maxs: Vec<f64>,
    pub files: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ShapedBounds {
    pub shape: [u64; 2],
    pub mins: Vec<f64>,
    pub maxs: Vec<f64>,
    pub files: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Codebook {
    pub codebook: Vec<f32>,
    pub files: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PaletteV2 {
    pub count: u64,
    pub bands: u8,
    pub codebook: Vec<f32>,
    pub files: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PaletteV1 {
    pub mins: f64,
    pub maxs: f64,
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
