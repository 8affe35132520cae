//! Writer for `.glb` with `KHR_gaussian_splatting` as in its Release Candidate: float
//! attributes, linear SCALE (sigmas), x,y,z,w ROTATION, linear OPACITY, SH as
//! `SH_DEGREE_l_COEF_k`, in glTF's +Y-up frame (the reader's frame turn undone, SH rotated with
//! it). Labels cannot travel in the extension; the caller warns that they are dropped.

use std::io::Write;

use glam::{Quat, Vec3};
use serde_json::json;

use super::gltf::FROM_GLTF;
use super::sh_rotate::ShRotation;
use super::{Scene, sh, sigmoid};

/// The scene as `.glb` bytes.
pub fn glb_bytes(scene: &Scene) -> Vec<u8> {
    let n = scene.len();
    // rtgs2's frame back to glTF's: the reader's half turn about x (its own inverse).
    let turn = Quat::from_mat4(&FROM_GLTF);
    let flip = |p: [f32; 3]| FROM_GLTF.transform_point3(Vec3::from_array(p)).to_array();
    let mut bin: Vec<u8> = Vec::new();
    let mut views = Vec::new();
    let mut accessors = Vec::new();
    let mut attributes = serde_json::Map::new();
    let mut push = |name: String, kind: &str, width: usize, values: Vec<f32>, bounds: bool| {
        let offset = bin.len();
        bin.extend(values.iter().flat_map(|v| v.to_le_bytes()));
        let mut acc = json!({"bufferView": views.len(), "componentType": 5126, "count": n, "type": kind});
        if bounds {
            let col = |c: usize| values.iter().skip(c).step_by(width).copied();
            acc["min"] = json!((0..width).map(|c| col(c).fold(f32::INFINITY, f32::min)).collect::<Vec<_>>());
            acc["max"] = json!((0..width).map(|c| col(c).fold(f32::NEG_INFINITY, f32::max)).collect::<Vec<_>>());
        }
        views.push(json!({"buffer": 0, "byteOffset": offset, "byteLength": values.len() * 4}));
        attributes.insert(name, json!(accessors.len()));
        accessors.push(acc);
    };
    let k = |s: &str| format!("KHR_gaussian_splatting:{s}");
    push("POSITION".into(), "VEC3", 3, scene.positions.iter().flat_map(|&p| flip(p)).collect(), true);
    let rotations = scene.rotations.iter().flat_map(|&[w, x, y, z]| {
        let q = turn * Quat::from_xyzw(x, y, z, w).normalize();
        [q.x, q.y, q.z, q.w]
    });
    push(k("ROTATION"), "VEC4", 4, rotations.collect(), false);
    push(k("SCALE"), "VEC3", 3, scene.log_scales.iter().flatten().map(|v| v.exp()).collect(), false);
    push(k("OPACITY"), "SCALAR", 1, scene.opacity_logits.iter().map(|&o| sigmoid(o)).collect(), false);
    let coeffs = sh::coeff_count(scene.sh_degree);
    let mut shs = scene.sh.clone();
    let turn_sh = ShRotation::new(turn, scene.sh_degree);
    for g in shs.chunks_exact_mut(coeffs * 3) {
        turn_sh.apply(g);
    }
    for l in 0..=scene.sh_degree as usize {
        for m in 0..2 * l + 1 {
            let at = l * l + m;
            let values = (0..n).flat_map(|i| shs[(i * coeffs + at) * 3..(i * coeffs + at) * 3 + 3].to_vec()).collect();
            push(k(&format!("SH_DEGREE_{l}_COEF_{m}")), "VEC3", 3, values, false);
        }
    }
    let doc = json!({
        "asset": {"version": "2.0", "generator": concat!("rtgs2 ", env!("CARGO_PKG_VERSION"))},
        "extensionsUsed": ["KHR_gaussian_splatting"],
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{
            "mode": 0,
            "attributes": attributes,
            "extensions": {"KHR_gaussian_splatting": {
                "kernel": "ellipse", "colorSpace": "srgb_rec709_display",
                "projection": "perspective", "sortingMethod": "cameraDistance"
            }}
        }]}],
        "buffers": [{"byteLength": bin.len()}],
        "bufferViews": views,
        "accessors": accessors,
    });
    container(&serde_json::to_vec(&doc).expect("a JSON value serialises"), bin)
}

/// The GLB container: 12-byte header, JSON chunk (space-padded), BIN chunk (zero-padded).
fn container(json: &[u8], mut bin: Vec<u8>) -> Vec<u8> {
    let mut json = json.to_vec();
    while !json.len().is_multiple_of(4) {
        json.push(b' ');
    }
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    let total = 12 + 8 + json.len() + 8 + bin.len();
    let mut out = Vec::with_capacity(total);
    let u32le = |v: usize| (v as u32).to_le_bytes();
    out.extend_from_slice(b"glTF");
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&u32le(total));
    out.extend_from_slice(&u32le(json.len()));
    out.extend_from_slice(b"JSON");
    out.write_all(&json).expect("writing to a Vec");
    out.extend_from_slice(&u32le(bin.len()));
    out.extend_from_slice(b"BIN\0");
    out.write_all(&bin).expect("writing to a Vec");
    out
}
