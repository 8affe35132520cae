//! Reader for Gaussian splats in glTF 2.0 (`.gltf` with embedded or external buffers, `.glb`):
//! the Khronos extension `KHR_gaussian_splatting`, in its Release Candidate form and in its
//! first (2026-01) form, and `KHR_gaussian_splatting_compression_spz_2` (an SPZ v2 blob in a
//! buffer view, decoded by [`super::spz`]).
//!
//! Per primitive with the extension: `POSITION`, `KHR_gaussian_splatting:ROTATION` (x y z w,
//! float or normalized signed byte/short), `:SCALE`, `:OPACITY` (linear, 0-1), and
//! `:SH_DEGREE_l_COEF_k` (l = 0-3; a degree is used only when all its coefficients are
//! there); `COLOR_0` stands in for a missing DC term and its alpha for a missing opacity.
//!
//! The two versions differ in SCALE: the Release Candidate stores linear sigmas and forbids
//! negative values; the first version stored natural-log sigmas and allowed signed integer
//! types. So a signed integer SCALE, or a float SCALE with any value at or below zero (a
//! zero-width Gaussian is invisible, so no writer of linear sigmas means one), is read as log
//! sigmas; otherwise as linear sigmas (a log-version file in which every Gaussian is wider
//! than one unit, the only case this misreads, does not occur in practice).
//!
//! `COLOR_0` is, as the extension defines it, the DC coefficients times the SH constant C0
//! (without the 0.5 offset), so the DC term it stands in for is `COLOR_0 / C0`.
//!
//! Transforms: every node's world matrix is applied to positions, to covariances (rotation
//! and, for uniform scale, log-scale; a non-uniform or sheared transform re-factors each
//! covariance) and, for degree ≥ 1, to the SH ([`super::sh_rotate`]). glTF is +Y up; rtgs2
//! keeps the PLY convention (y down, z forward), so the asset is turned 180° about x.
//! The legacy `KHR_spz_gaussian_splats_compression` (before the Khronos extension) is refused
//! by name.

use std::path::Path;

use glam::{Mat3, Mat4, Quat, Vec3};

use super::gltf_data::{Asset, I8, I16, Primitive};
use super::sh_rotate::rotate_sh;
use super::{Problem, Scene, SceneError, logit, sh};

const EXT: &str = "KHR_gaussian_splatting";
const SPZ2: &str = "KHR_gaussian_splatting_compression_spz_2";
const LEGACY: &str = "KHR_spz_gaussian_splats_compression";
/// Required extensions that do not change the splats.
const HARMLESS: [&str; 3] = ["KHR_materials_unlit", "KHR_mesh_quantization", "KHR_texture_transform"];

/// Which form of the extension a file used, for `info`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GltfForm {
    /// Linear SCALE (the Release Candidate).
    Linear,
    /// Log SCALE (the first version, 2026-01).
    Log,
    /// SPZ-compressed.
    Spz,
}

/// Reads a `.gltf` / `.glb` with `KHR_gaussian_splatting` (optionally SPZ-compressed) into a
/// scene in the PLY frame; also says which form of the extension it used.
pub fn read(path: &Path, bytes: &[u8]) -> Result<(Scene, GltfForm), SceneError> {
    let bad = |m: String| SceneError::invalid(path, Problem::Malformed(m));
    let asset = Asset::parse(path, bytes).map_err(bad)?;
    let doc = &asset.doc;
    if doc.extensions_used.iter().chain(&doc.extensions_required).any(|e| e == LEGACY) {
        return Err(SceneError::invalid(
            path,
            Problem::Unsupported(format!(
                "this glTF uses {LEGACY}, the Gaussian-splat extension that came before {EXT}; \
                 re-export it with {EXT} (or as .spz / .ply)"
            )),
        ));
    }
    if let Some(e) =
        doc.extensions_required.iter().find(|e| ![EXT, SPZ2].contains(&e.as_str()) && !HARMLESS.contains(&e.as_str()))
    {
        return Err(SceneError::invalid(
            path,
            Problem::Unsupported(format!("this glTF requires the extension {e}, which rtgs2 does not read")),
        ));
    }
    let mut scene: Option<Scene> = None;
    let mut forms = Vec::new();
    for (mesh, world) in mesh_instances(&asset).map_err(bad)? {
        for (p, prim) in doc.meshes[mesh].primitives.iter().enumerate() {
            let Some(ext) = prim.extensions.get(EXT) else { continue };
            let at = format!("mesh {mesh}, primitive {p}");
            if prim.mode.is_some_and(|m| m != 0) {
                return Err(bad(format!("{at}: a Gaussian-splat primitive must have mode POINTS (0)")));
            }
            let (mut part, form) = match ext.pointer(&format!("/extensions/{SPZ2}/bufferView")) {
                Some(v) => {
                    let v = v.as_u64().ok_or_else(|| bad(format!("{at}: {SPZ2}.bufferView is not an index")))?;
                    let blob = asset.view(v as usize).map_err(|e| bad(format!("{at}: {e}")))?;
                    (super::spz::read(path, blob)?, GltfForm::Spz)
                }
                None => attributes(&asset, prim).map_err(|e| bad(format!("{at}: {e}")))?,
            };
            transform(&mut part, FROM_GLTF * world);
            forms.push(form);
            match &mut scene {
                Some(s) => {
                    // Mixed degrees: the higher one for all, the missing bands zero (exactly
                    // the colours the lower degree gives).
                    let degree = s.sh_degree.max(part.sh_degree);
                    pad_sh(s, degree);
                    pad_sh(&mut part, degree);
                    s.append(&part);
                }
                None => scene = Some(part),
            }
        }
    }
    let scene = scene.ok_or_else(|| {
        SceneError::invalid(path, Problem::Empty(format!("no mesh primitive in the scene has the {EXT} extension")))
    })?;
    let form = if forms.contains(&GltfForm::Spz) {
        GltfForm::Spz
    } else if forms.contains(&GltfForm::Log) {
        GltfForm::Log
    } else {
        GltfForm::Linear
    };
    Ok((scene, form))
}

/// glTF's +Y-up frame to rtgs2's (y down, z forward): 180° about x, its own inverse (the
/// writer turns back with it).
pub(super) const FROM_GLTF: Mat4 =
    Mat4::from_cols_array(&[1.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, 1.0]);

/// Every mesh reached from the default scene's nodes (or, without scenes, from nodes no
/// other node holds) with its world matrix.
fn mesh_instances(asset: &Asset) -> Result<Vec<(usize, Mat4)>, String> {
    let doc = &asset.doc;
    let roots: Vec<usize> = if doc.scenes.is_empty() {
        let held: std::collections::HashSet<usize> =
            doc.nodes.iter().flat_map(|n| n.children.iter().copied()).collect();
        (0..doc.nodes.len()).filter(|i| !held.contains(i)).collect()
    } else {
        let s = doc.scene.unwrap_or(0);
        doc.scenes.get(s).ok_or_else(|| format!("the default scene {s} does not exist"))?.nodes.clone()
    };
    let mut out = Vec::new();
    let mut stack: Vec<(usize, Mat4, usize)> = roots.into_iter().map(|n| (n, Mat4::IDENTITY, 0)).collect();
    while let Some((n, parent, depth)) = stack.pop() {
        let node = doc.nodes.get(n).ok_or_else(|| format!("node {n} does not exist"))?;
        if depth > 64 {
            return Err("nodes nest more than 64 deep (a cycle?)".into());
        }
        let world = parent * node.local();
        if let Some(m) = node.mesh {
            if m >= doc.meshes.len() {
                return Err(format!("node {n} names mesh {m}, which does not exist"));
            }
            out.push((m, world));
        }
        stack.extend(node.children.iter().map(|&c| (c, world, depth + 1)));
    }
    out.reverse();
    Ok(out)
}

/// The Gaussians of an uncompressed primitive, in the primitive's own frame.
fn attributes(asset: &Asset, prim: &Primitive) -> Result<(Scene, GltfForm), String> {
    let attr = |name: &str| prim.attributes.get(name).copied();
    let need = |name: &str| attr(name).ok_or_else(|| format!("the attribute {name} is missing"));
    let (pos, _) = asset.read(need("POSITION")?, 3, "POSITION")?;
    let n = pos.len() / 3;
    let read = |name: &str, width: usize| -> Result<(Vec<f32>, u32), String> {
        let (v, t) = asset.read(need(name)?, width, name)?;
        if v.len() != n * width {
            return Err(format!("{name} has {} elements; POSITION has {n}", v.len() / width));
        }
        Ok((v, t))
    };
    let (rot, _) = read(&format!("{EXT}:ROTATION"), 4)?;
    let (scale, scale_type) = read(&format!("{EXT}:SCALE"), 3)?;
    let log = matches!(scale_type, I8 | I16) || scale.iter().any(|&v| v <= 0.0);
    // COLOR_0 only stands in for what is missing: read it only then (it is a full attribute).
    let colour_needed =
        attr(&format!("{EXT}:OPACITY")).is_none() || attr(&format!("{EXT}:SH_DEGREE_0_COEF_0")).is_none();
    let colour = attr("COLOR_0")
        .filter(|_| colour_needed)
        .map(|a| {
            let width = if asset.doc.accessors.get(a).is_some_and(|acc| acc.kind == "VEC3") { 3 } else { 4 };
            read("COLOR_0", width).map(|(v, _)| (v, width))
        })
        .transpose()?;
    let opacity = match attr(&format!("{EXT}:OPACITY")) {
        Some(_) => read(&format!("{EXT}:OPACITY"), 1)?.0,
        None => match &colour {
            Some((c, 4)) => c.chunks_exact(4).map(|p| p[3]).collect(),
            _ => return Err(format!("the attribute {EXT}:OPACITY is missing (and COLOR_0 has no alpha)")),
        },
    };
    // SH: the highest degree whose coefficients are all present.
    let coef = |l: usize, k: usize| attr(&format!("{EXT}:SH_DEGREE_{l}_COEF_{k}"));
    let mut degree = 0u8;
    for l in 1..=3usize {
        let present = (0..2 * l + 1).filter(|&k| coef(l, k).is_some()).count();
        if present == 2 * l + 1 && degree as usize == l - 1 {
            degree = l as u8;
        } else if present > 0 {
            return Err(format!(
                "SH degree {l} is defined in part ({present} of {} coefficients, or a lower degree is missing)",
                2 * l + 1
            ));
        }
    }
    let coeffs = sh::coeff_count(degree);
    let mut shs = vec![0.0f32; n * coeffs * 3];
    match coef(0, 0) {
        Some(_) => {
            let (dc, _) = read(&format!("{EXT}:SH_DEGREE_0_COEF_0"), 3)?;
            for i in 0..n {
                shs[i * coeffs * 3..i * coeffs * 3 + 3].copy_from_slice(&dc[3 * i..3 * i + 3]);
            }
        }
        None => {
            let (c, width) = colour
                .as_ref()
                .ok_or_else(|| format!("neither {EXT}:SH_DEGREE_0_COEF_0 nor COLOR_0 gives a colour"))?;
            for i in 0..n {
                for ch in 0..3 {
                    shs[i * coeffs * 3 + ch] = c[width * i + ch] / sh::C0;
                }
            }
        }
    }
    for l in 1..=degree as usize {
        for k in 0..2 * l + 1 {
            let name = format!("{EXT}:SH_DEGREE_{l}_COEF_{k}");
            let (v, _) = read(&name, 3)?;
            let at = l * l + k;
            for i in 0..n {
                shs[(i * coeffs + at) * 3..(i * coeffs + at) * 3 + 3].copy_from_slice(&v[3 * i..3 * i + 3]);
            }
        }
    }
    let mut s = Scene::with_capacity(n, degree);
    for i in 0..n {
        s.positions.push([pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]]);
        let q = &rot[4 * i..4 * i + 4];
        s.rotations.push([q[3], q[0], q[1], q[2]]);
        let sc = [scale[3 * i], scale[3 * i + 1], scale[3 * i + 2]];
        // Linear sigmas: a zero becomes -inf, which the sanitiser drops with a warning.
        s.log_scales.push(if log { sc } else { sc.map(f32::ln) });
        s.opacity_logits.push(logit(opacity[i]));
    }
    s.sh = shs;
    Ok((s, if log { GltfForm::Log } else { GltfForm::Linear }))
}

/// Applies `m` (a node's world matrix composed with the frame change) to every Gaussian.
fn transform(s: &mut Scene, m: Mat4) {
    if m == Mat4::IDENTITY {
        return;
    }
    let a = Mat3::from_mat4(m);
    for p in &mut s.positions {
        *p = m.transform_point3(Vec3::from_array(*p)).to_array();
    }
    // a = s · R when the transform is a rotation with a uniform scale.
    let det = a.determinant();
    let uniform = det.abs().cbrt();
    let r = a * (1.0 / uniform.max(1e-30));
    let rigid = det > 0.0 && (r * r.transpose() - Mat3::IDENTITY).to_cols_array().iter().all(|v| v.abs() < 1e-4);
    let rotation = if rigid { Quat::from_mat3(&r).normalize() } else { polar_rotation(a) };
    for i in 0..s.len() {
        let [w, x, y, z] = s.rotations[i];
        let q = Quat::from_xyzw(x, y, z, w);
        if rigid {
            let q2 = rotation * q.normalize();
            s.rotations[i] = [q2.w, q2.x, q2.y, q2.z];
            let ln = uniform.ln();
            s.log_scales[i] = s.log_scales[i].map(|v| v + ln);
        } else {
            let (q2, log_scale) = refactor(a, q.normalize(), s.log_scales[i]);
            s.rotations[i] = [q2.w, q2.x, q2.y, q2.z];
            s.log_scales[i] = log_scale;
        }
    }
    rotate_sh(s, rotation);
}

/// The rotation part of a general linear map (its polar decomposition), for the SH.
fn polar_rotation(a: Mat3) -> Quat {
    let mut r = a;
    for _ in 0..20 {
        r = 0.5 * (r + r.inverse().transpose());
    }
    if r.determinant() < 0.0 {
        r = -r;
    }
    Quat::from_mat3(&r).normalize()
}

/// The rotation and log-scales of A·Σ·Aᵀ for a Gaussian with rotation `q` and `log_scale`.
fn refactor(a: Mat3, q: Quat, log_scale: [f32; 3]) -> (Quat, [f32; 3]) {
    let m = a * Mat3::from_quat(q) * Mat3::from_diagonal(Vec3::from_array(log_scale.map(f32::exp)));
    let (values, vectors) = crate::util::eigen::symmetric_eigen(m * m.transpose());
    let mut cols = vectors.map(|v| Vec3::from_array(v.map(|x| x as f32)));
    if cols[0].cross(cols[1]).dot(cols[2]) < 0.0 {
        cols[2] = -cols[2];
    }
    let rot = Quat::from_mat3(&Mat3::from_cols(cols[0], cols[1], cols[2])).normalize();
    (rot, values.map(|v| 0.5 * (v.max(1e-30) as f32).ln()))
}

/// Raises the SH degree to `degree` with zero coefficients for the added bands.
fn pad_sh(s: &mut Scene, degree: u8) {
    if s.sh_degree >= degree {
        return;
    }
    let (from, to) = (sh::coeff_count(s.sh_degree) * 3, sh::coeff_count(degree) * 3);
    s.sh = s.sh.chunks_exact(from).flat_map(|g| g.iter().copied().chain(std::iter::repeat_n(0.0, to - from))).collect();
    s.sh_degree = degree;
}
