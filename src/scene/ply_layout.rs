//! Maps a PLY vertex element's properties (found by name, in any order) to the roles a
//! Gaussian needs, and decodes records into a [`Scene`] through a per-property accessor.

use super::ply_header::{ElementDef, PropertyType};
use super::{ExtraProperty, Problem, ScalarKind, Scene, sh};

/// Where each Gaussian attribute lives among the vertex element's properties.
#[derive(Clone, Debug)]
pub struct VertexLayout {
    /// Property indices of `x`, `y`, `z`.
    pub position: [usize; 3],
    /// Property indices of `f_dc_0..2` (the DC SH coefficient per colour channel).
    pub dc: [usize; 3],
    /// f_rest_0.. in numeric order (channel-major in the file).
    pub rest: Vec<usize>,
    /// Property index of `opacity` (a logit).
    pub opacity: usize,
    /// Property indices of `scale_0..2` (natural-log sigmas).
    pub scale: [usize; 3],
    /// Property indices of `rot_0..3` (quaternion w, x, y, z, not necessarily normalised).
    pub rotation: [usize; 4],
    /// Property index of an integer `label` (NYU40 class); `None` when the file has none.
    pub label: Option<usize>,
    /// Every other scalar property, in file order.
    pub extras: Vec<usize>,
    /// Scalar kind of every property of the element, by property index.
    pub kinds: Vec<ScalarKind>,
    /// Name of every property of the element, by property index.
    pub names: Vec<String>,
    /// SH degree implied by the number of `f_rest_*` properties (0-3).
    pub sh_degree: u8,
}

impl VertexLayout {
    /// The layout of a `vertex` element; errors when a required property is missing, a list,
    /// integer-typed geometry, a non-integer label or an `f_rest_*` set that is no SH degree.
    pub fn from_element(el: &ElementDef) -> Result<Self, Problem> {
        let mut kinds = Vec::with_capacity(el.properties.len());
        for p in &el.properties {
            match p.ty {
                PropertyType::Scalar(k) => kinds.push(k),
                PropertyType::List { .. } => {
                    return Err(Problem::BadPropertyType { name: p.name.clone(), kind: "list".into() });
                }
            }
        }
        let find = |name: &str| el.property_index(name).ok_or_else(|| Problem::MissingProperty(name.to_string()));
        let float = |idx: usize| -> Result<usize, Problem> {
            // Integer-typed geometry would be a quantised format we do not know how to scale.
            if kinds[idx].is_integer() {
                Err(Problem::BadPropertyType {
                    name: el.properties[idx].name.clone(),
                    kind: kinds[idx].ply_name().into(),
                })
            } else {
                Ok(idx)
            }
        };
        let three = |prefix: &str| -> Result<[usize; 3], Problem> {
            Ok([
                float(find(&format!("{prefix}0"))?)?,
                float(find(&format!("{prefix}1"))?)?,
                float(find(&format!("{prefix}2"))?)?,
            ])
        };
        let position = [float(find("x")?)?, float(find("y")?)?, float(find("z")?)?];
        let dc = three("f_dc_")?;
        let scale = three("scale_")?;
        let rotation = [float(find("rot_0")?)?, float(find("rot_1")?)?, float(find("rot_2")?)?, float(find("rot_3")?)?];
        let opacity = float(find("opacity")?)?;

        let mut rest_numbered: Vec<(usize, usize)> = Vec::new();
        for (i, p) in el.properties.iter().enumerate() {
            if let Some(num) = p.name.strip_prefix("f_rest_") {
                let n = num
                    .parse::<usize>()
                    .map_err(|_| Problem::Malformed(format!("property '{}' is not f_rest_<number>", p.name)))?;
                rest_numbered.push((n, float(i)?));
            }
        }
        rest_numbered.sort_unstable();
        let sh_degree =
            sh::degree_from_rest_count(rest_numbered.len()).ok_or(Problem::BadShCount(rest_numbered.len()))?;
        if rest_numbered.iter().enumerate().any(|(k, (n, _))| k != *n) {
            return Err(Problem::ShGap(rest_numbered.len()));
        }
        let rest: Vec<usize> = rest_numbered.into_iter().map(|(_, i)| i).collect();

        let label = el.property_index("label");
        if let Some(l) = label
            && !kinds[l].is_integer()
        {
            return Err(Problem::BadPropertyType {
                name: "label".into(),
                kind: format!("{} (labels must be an integer type)", kinds[l].ply_name()),
            });
        }
        let used: Vec<usize> = position
            .iter()
            .chain(&dc)
            .chain(&rest)
            .chain(&scale)
            .chain(&rotation)
            .chain([&opacity])
            .chain(label.as_ref())
            .copied()
            .collect();
        let extras = (0..kinds.len()).filter(|i| !used.contains(i)).collect();
        Ok(Self {
            position,
            dc,
            rest,
            opacity,
            scale,
            rotation,
            label,
            extras,
            kinds,
            names: el.properties.iter().map(|p| p.name.clone()).collect(),
            sh_degree,
        })
    }

    /// An empty scene shaped for this layout with `n` Gaussians worth of zeroed storage.
    pub fn alloc_scene(&self, n: usize) -> Scene {
        let coeffs = sh::coeff_count(self.sh_degree);
        Scene {
            positions: vec![[0.0; 3]; n],
            log_scales: vec![[0.0; 3]; n],
            rotations: vec![[0.0; 4]; n],
            opacity_logits: vec![0.0; n],
            sh_degree: self.sh_degree,
            sh: vec![0.0; n * coeffs * 3],
            labels: self.label.map(|_| vec![0; n]),
            extras: self
                .extras
                .iter()
                .map(|&i| ExtraProperty { name: self.names[i].clone(), kind: self.kinds[i], values: vec![0.0; n] })
                .collect(),
        }
    }
}

/// Raw label values as read: anything outside 0..=u16::MAX (negative, huge) is reported by
/// the sanitizer, so decoding keeps it out of range by mapping to u16::MAX.
pub fn label_from_f64(v: f64) -> u16 {
    if (0.0..=u16::MAX as f64).contains(&v) { v as u16 } else { u16::MAX }
}

/// Fills Gaussian `i` of `scene` (allocated by [`VertexLayout::alloc_scene`]) from an
/// accessor giving property `p` of this record as f64 (exact for every PLY scalar type).
/// Split into per-array slices so callers can fill disjoint ranges in parallel.
pub struct SceneSlices<'a> {
    /// Centres, one per Gaussian of the run.
    pub positions: &'a mut [[f32; 3]],
    /// Natural-log sigmas.
    pub log_scales: &'a mut [[f32; 3]],
    /// Rotation quaternions (w, x, y, z).
    pub rotations: &'a mut [[f32; 4]],
    /// Opacity logits.
    pub opacity_logits: &'a mut [f32],
    /// SH coefficients, `coeffs * 3` per Gaussian, coefficient-major (r, g, b interleaved).
    pub sh: &'a mut [f32],
    /// NYU40 labels; `None` when the scene has no labels.
    pub labels: Option<&'a mut [u16]>,
}

impl VertexLayout {
    /// Decodes record `local` (index within the slices) via `get(property_index) -> f32`.
    #[inline]
    pub fn fill_record(&self, out: &mut SceneSlices<'_>, local: usize, get: impl Fn(usize) -> f64) {
        let f = |idx: usize| get(idx) as f32;
        out.positions[local] = self.position.map(f);
        out.log_scales[local] = self.scale.map(f);
        out.rotations[local] = self.rotation.map(f);
        out.opacity_logits[local] = f(self.opacity);
        let coeffs = sh::coeff_count(self.sh_degree);
        let per_channel = coeffs - 1;
        let sh = &mut out.sh[local * coeffs * 3..(local + 1) * coeffs * 3];
        for c in 0..3 {
            sh[c] = f(self.dc[c]);
            for k in 0..per_channel {
                sh[(k + 1) * 3 + c] = f(self.rest[c * per_channel + k]);
            }
        }
        if let (Some(labels), Some(l)) = (out.labels.as_deref_mut(), self.label) {
            labels[local] = label_from_f64(get(l));
        }
    }
}

impl<'a> SceneSlices<'a> {
    /// Splits off the first `n` Gaussians: (first n, rest).
    pub fn split_at(self, n: usize, sh_stride: usize) -> (SceneSlices<'a>, SceneSlices<'a>) {
        let (p0, p1) = self.positions.split_at_mut(n);
        let (s0, s1) = self.log_scales.split_at_mut(n);
        let (r0, r1) = self.rotations.split_at_mut(n);
        let (o0, o1) = self.opacity_logits.split_at_mut(n);
        let (h0, h1) = self.sh.split_at_mut(n * sh_stride);
        let (l0, l1) = match self.labels {
            Some(l) => {
                let (a, b) = l.split_at_mut(n);
                (Some(a), Some(b))
            }
            None => (None, None),
        };
        (
            SceneSlices { positions: p0, log_scales: s0, rotations: r0, opacity_logits: o0, sh: h0, labels: l0 },
            SceneSlices { positions: p1, log_scales: s1, rotations: r1, opacity_logits: o1, sh: h1, labels: l1 },
        )
    }
}

impl Scene {
    /// Disjoint mutable views of consecutive runs of `chunk` Gaussians, for parallel decoders.
    pub fn chunks_mut(&mut self, chunk: usize) -> Vec<SceneSlices<'_>> {
        let stride = self.sh_coeffs() * 3;
        let n = self.len();
        let mut out = Vec::with_capacity(n.div_ceil(chunk.max(1)));
        let mut rest = self.slices_mut(0..n);
        let mut left = n;
        while left > 0 {
            let take = chunk.max(1).min(left);
            let (head, tail) = rest.split_at(take, stride);
            out.push(head);
            rest = tail;
            left -= take;
        }
        out
    }

    /// Mutable per-array views of Gaussians `range`, for parallel decoders.
    pub fn slices_mut(&mut self, range: std::ops::Range<usize>) -> SceneSlices<'_> {
        let stride = self.sh_coeffs() * 3;
        SceneSlices {
            positions: &mut self.positions[range.clone()],
            log_scales: &mut self.log_scales[range.clone()],
            rotations: &mut self.rotations[range.clone()],
            opacity_logits: &mut self.opacity_logits[range.clone()],
            sh: &mut self.sh[range.start * stride..range.end * stride],
            labels: self.labels.as_mut().map(|l| &mut l[range.clone()]),
        }
    }
}
