//! Scenes: the struct-of-arrays [`Scene`], its cameras, and every file format we read.
//!
//! Values are kept exactly as the reference trainer stores them (log-scales, opacity logits,
//! unnormalised quaternions, SH coefficients) so a scene written back is bit-identical.
//! Activation (exp, sigmoid, normalisation) happens where values are consumed.

pub mod camera;
pub mod camera_path;
pub mod error;
pub mod gltf;
pub mod gltf_data;
pub mod gltf_write;
pub mod gravity;
pub mod level;
pub mod load;
pub mod ply_compressed;
pub mod ply_fast;
pub mod ply_general;
pub mod ply_header;
pub mod ply_layout;
pub mod ply_write;
pub mod sanitize;
pub mod scale;
pub mod sh;
pub mod sh_rotate;
pub mod sog;
pub mod sog_meta;
pub mod sog_write;
pub mod splat;
pub mod spz;
pub mod trainer_folder;
pub mod webp;

#[cfg(test)]
pub(crate) mod test_support {
    use std::path::PathBuf;

    /// The shared folder of real splat files made by other people, or `None` (with a
    /// message) when it is absent, so tests skip rather than fail without it.
    pub fn real_dir() -> Option<PathBuf> {
        let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/real-splats"));
        if dir.is_dir() {
            Some(dir)
        } else {
            eprintln!("skipping: {} is absent (it holds real splat files made by other people)", dir.display());
            None
        }
    }
}

pub use camera::{Camera, CameraError};
pub use error::{Inconsistency, Problem, SceneError};
pub use load::{LoadOptions, LoadedScene, SceneFormat, load};

/// Largest Gaussian count any reader accepts (and `synth` writes): far beyond real scenes (a
/// few million), small enough that a corrupt count cannot make us allocate the machine's
/// memory away.
pub const MAX_GAUSSIANS: u64 = 100_000_000;

/// Scalar types a PLY property can have; kept for extra properties so they round-trip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarKind {
    /// Signed 8-bit integer (`char`).
    I8,
    /// Unsigned 8-bit integer (`uchar`).
    U8,
    /// Signed 16-bit integer (`short`).
    I16,
    /// Unsigned 16-bit integer (`ushort`).
    U16,
    /// Signed 32-bit integer (`int`).
    I32,
    /// Unsigned 32-bit integer (`uint`).
    U32,
    /// 32-bit float (`float`).
    F32,
    /// 64-bit float (`double`).
    F64,
}

impl ScalarKind {
    /// Bytes one value takes in a binary body.
    pub fn size(self) -> usize {
        match self {
            Self::I8 | Self::U8 => 1,
            Self::I16 | Self::U16 => 2,
            Self::I32 | Self::U32 | Self::F32 => 4,
            Self::F64 => 8,
        }
    }

    /// Whether the kind is an integer type (not `float`/`double`).
    pub fn is_integer(self) -> bool {
        !matches!(self, Self::F32 | Self::F64)
    }

    /// The PLY header spelling (the classic names, which every reader understands).
    pub fn ply_name(self) -> &'static str {
        match self {
            Self::I8 => "char",
            Self::U8 => "uchar",
            Self::I16 => "short",
            Self::U16 => "ushort",
            Self::I32 => "int",
            Self::U32 => "uint",
            Self::F32 => "float",
            Self::F64 => "double",
        }
    }

    /// Parses both the classic and the sized spellings (`float` and `float32`, ...).
    pub fn from_ply_name(name: &str) -> Option<Self> {
        Some(match name {
            "char" | "int8" => Self::I8,
            "uchar" | "uint8" => Self::U8,
            "short" | "int16" => Self::I16,
            "ushort" | "uint16" => Self::U16,
            "int" | "int32" => Self::I32,
            "uint" | "uint32" => Self::U32,
            "float" | "float32" => Self::F32,
            "double" | "float64" => Self::F64,
            _ => return None,
        })
    }
}

/// A per-Gaussian property we do not interpret (normals, trainer-specific extras,
/// `f_pc_*` feature channels...). Stored as f64, which holds every PLY scalar exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct ExtraProperty {
    /// The property's name as in the file header.
    pub name: String,
    /// Its type in the file, used again when writing it back.
    pub kind: ScalarKind,
    /// One value per Gaussian, in scene order.
    pub values: Vec<f64>,
}

/// A Gaussian scene as struct-of-arrays; every array has [`Scene::len`] entries
/// (`sh` has `len * sh::coeff_count(sh_degree) * 3`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scene {
    /// Centres in world units.
    pub positions: Vec<[f32; 3]>,
    /// Natural log of the per-axis standard deviations.
    pub log_scales: Vec<[f32; 3]>,
    /// Rotation quaternions (w, x, y, z), as stored: not necessarily unit length.
    pub rotations: Vec<[f32; 4]>,
    /// Opacity before the sigmoid.
    pub opacity_logits: Vec<f32>,
    /// Spherical-harmonics degree, 0 to 3.
    pub sh_degree: u8,
    /// SH coefficients, Gaussian-major then coefficient then RGB:
    /// `sh[(i * coeffs + k) * 3 + c]`; coefficient 0 is the DC term (`f_dc_*`).
    pub sh: Vec<f32>,
    /// NYU40 ids (0 = unlabelled), when the file has a `label` property.
    pub labels: Option<Vec<u16>>,
    /// Properties we carry but do not interpret, in file order.
    pub extras: Vec<ExtraProperty>,
}

impl Scene {
    /// An empty scene with room for `n` Gaussians of the given SH degree.
    pub fn with_capacity(n: usize, sh_degree: u8) -> Self {
        Self {
            positions: Vec::with_capacity(n),
            log_scales: Vec::with_capacity(n),
            rotations: Vec::with_capacity(n),
            opacity_logits: Vec::with_capacity(n),
            sh_degree,
            sh: Vec::with_capacity(n * sh::coeff_count(sh_degree) * 3),
            labels: None,
            extras: Vec::new(),
        }
    }

    /// Number of Gaussians.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// Whether the scene holds no Gaussians.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Number of SH coefficients per colour channel, (degree + 1)².
    pub fn sh_coeffs(&self) -> usize {
        sh::coeff_count(self.sh_degree)
    }

    /// The SH coefficients of Gaussian `i`, `[coeff][rgb]`.
    pub fn sh_of(&self, i: usize) -> &[f32] {
        let stride = self.sh_coeffs() * 3;
        &self.sh[i * stride..(i + 1) * stride]
    }

    /// Extra property by name.
    pub fn extra(&self, name: &str) -> Option<&ExtraProperty> {
        self.extras.iter().find(|e| e.name == name)
    }

    /// Axis-aligned bounds of the centres, `None` when empty.
    pub fn bounds(&self) -> Option<([f32; 3], [f32; 3])> {
        let first = *self.positions.first()?;
        Some(self.positions.iter().fold((first, first), |(lo, hi), p| {
            ([lo[0].min(p[0]), lo[1].min(p[1]), lo[2].min(p[2])], [hi[0].max(p[0]), hi[1].max(p[1]), hi[2].max(p[2])])
        }))
    }

    /// Checks that every array has the length the Gaussian count implies; every loader and
    /// generator ends with this so a mismatch is caught where it was made.
    pub fn check_consistent(&self) -> Result<(), Inconsistency> {
        let n = self.len();
        let expect = |what: &str, got: usize, want: usize| {
            if got == want { Ok(()) } else { Err(Inconsistency::Length { array: what.to_string(), got, want }) }
        };
        expect("log_scales", self.log_scales.len(), n)?;
        expect("rotations", self.rotations.len(), n)?;
        expect("opacity_logits", self.opacity_logits.len(), n)?;
        expect("sh", self.sh.len(), n * self.sh_coeffs() * 3)?;
        if self.sh_degree > 3 {
            return Err(Inconsistency::ShDegree(self.sh_degree));
        }
        if let Some(l) = &self.labels {
            expect("labels", l.len(), n)?;
        }
        for e in &self.extras {
            expect(&e.name, e.values.len(), n)?;
        }
        Ok(())
    }

    /// Keeps only the Gaussians for which `keep[i]` is true, in every array.
    pub fn retain(&mut self, keep: &[bool]) {
        assert_eq!(keep.len(), self.len(), "retain mask must cover every Gaussian");
        fn filter<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
            let mut it = keep.iter();
            v.retain(|_| *it.next().expect("mask length checked"));
        }
        let stride = self.sh_coeffs() * 3;
        let mut sh = Vec::with_capacity(self.sh.len());
        for (i, chunk) in self.sh.chunks_exact(stride).enumerate() {
            if keep[i] {
                sh.extend_from_slice(chunk);
            }
        }
        self.sh = sh;
        filter(&mut self.positions, keep);
        filter(&mut self.log_scales, keep);
        filter(&mut self.rotations, keep);
        filter(&mut self.opacity_logits, keep);
        if let Some(l) = &mut self.labels {
            filter(l, keep);
        }
        for e in &mut self.extras {
            filter(&mut e.values, keep);
        }
    }

    /// Appends all Gaussians of `other`, which must have the same SH degree, label presence
    /// and extra properties.
    pub fn append(&mut self, other: &Scene) {
        assert_eq!(self.sh_degree, other.sh_degree, "append needs equal SH degrees");
        self.positions.extend_from_slice(&other.positions);
        self.log_scales.extend_from_slice(&other.log_scales);
        self.rotations.extend_from_slice(&other.rotations);
        self.opacity_logits.extend_from_slice(&other.opacity_logits);
        self.sh.extend_from_slice(&other.sh);
        match (&mut self.labels, &other.labels) {
            (Some(a), Some(b)) => a.extend_from_slice(b),
            (None, None) => {}
            _ => panic!("append needs both scenes labelled or both unlabelled"),
        }
        assert_eq!(self.extras.len(), other.extras.len(), "append needs equal extras");
        for (a, b) in self.extras.iter_mut().zip(&other.extras) {
            assert_eq!(a.name, b.name, "append needs extras in the same order");
            a.values.extend_from_slice(&b.values);
        }
    }
}

/// Sigmoid, for opacity logits.
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Inverse sigmoid, clamped so 0 and 1 map to finite logits.
pub fn logit(p: f32) -> f32 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}
