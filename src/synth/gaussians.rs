//! Surfels to Gaussians with the statistics of trained 3DGS scenes: flat discs along the
//! surface (normal scale a small fraction of the tangential ones), log-normal tangential
//! scales around the local spacing, random in-plane rotation, opacities mostly near one with
//! a tail of faint ones, colour in the SH DC term, a linear specular lobe in degree 1 and
//! small noise in degrees 2–3; plus a few per cent of floaters.

use glam::{Mat3, Quat, Vec3};

use super::lighting::Shaded;
use super::part::Part;
use super::room::Room;
use super::surface::Surfel;
use crate::scene::{Scene, logit, sh};
use crate::util::rng::Rng;

/// Appends one Gaussian per surfel.
pub fn build(scene: &mut Scene, surfels: &[Surfel], shaded: &[Shaded], parts: &[Part], rng: &mut Rng) {
    let coeffs = sh::coeff_count(scene.sh_degree);
    let labels = scene.labels.get_or_insert_with(Vec::new);
    for (s, c) in surfels.iter().zip(shaded) {
        let p = &parts[s.part as usize];
        // Tangential scales spread log-normally around the spacing, capped by the part's
        // thinnest extent so legs and edges stay crisp.
        // About one spacing: neighbours overlap, so the surface reads as closed, as in a
        // trained scene (smaller would leave see-through gaps between random samples).
        let base = 0.95 * s.spacing * (0.4 * rng.normal()).exp();
        let aniso = (0.35 * rng.normal()).exp();
        let cap = 0.7 * s.feature + 0.002;
        let s1 = (base * aniso).clamp(5e-4, cap);
        let s2 = (base / aniso).clamp(5e-4, cap);
        let flat = if rng.chance(0.07) { rng.range(0.2, 0.6) } else { rng.range(0.02, 0.12) };
        let sn = (s1.min(s2) * flat).max(1e-4);
        let theta = rng.range(0.0, std::f32::consts::TAU);
        let t = Quat::from_axis_angle(s.n, theta) * s.t;
        let rot = Quat::from_mat3(&Mat3::from_cols(t, s.n.cross(t), s.n)).normalize();
        let pos = s.pos + s.n * (0.0015 * rng.normal());
        let opacity = if p.mat.opacity < 1.0 {
            (p.mat.opacity * rng.range(0.6, 1.4)).min(0.98)
        } else if rng.chance(0.85) {
            0.995 - 0.3 * rng.f32().powi(2)
        } else {
            rng.range(0.05, 0.7)
        };
        scene.positions.push(pos.to_array());
        scene.log_scales.push([s1.ln(), s2.ln(), sn.ln()]);
        scene.rotations.push([rot.w, rot.x, rot.y, rot.z]);
        scene.opacity_logits.push(logit(opacity));
        labels.push(p.label);
        push_sh(&mut scene.sh, coeffs, c.rgb, c.spec, c.reflect, 0.01 + 0.03 * p.mat.gloss, rng);
    }
}

/// SH coefficients: DC from the colour; degree 1 a highlight `spec · dot(view, reflect)`
/// (the view direction is −d for the rasteriser's d from camera to Gaussian); higher degrees
/// small isotropic noise (rotation-invariant in distribution).
fn push_sh(out: &mut Vec<f32>, coeffs: usize, rgb: Vec3, spec: Vec3, reflect: Vec3, noise: f32, rng: &mut Rng) {
    for ch in 0..3 {
        out.push(sh::dc_from_rgb(rgb[ch]));
    }
    if coeffs > 1 {
        // eval adds −C1·y·c1 + C1·z·c2 − C1·x·c3; matching k·(−d·r) term by term.
        let k = spec / sh::C1;
        let r = reflect;
        let band1 = [k * r.y, -k * r.z, k * r.x];
        for b in band1 {
            for ch in 0..3 {
                out.push(b[ch] + 0.3 * noise * rng.normal());
            }
        }
    }
    for _ in 4..coeffs {
        let common = noise * rng.normal();
        for _ in 0..3 {
            out.push(common + 0.25 * noise * rng.normal());
        }
    }
}

/// Appends `count` floaters (label 0): faint, larger blobs, half anywhere in the room and
/// half hovering near surfaces, coloured like the room around them.
pub fn floaters(scene: &mut Scene, count: usize, room: &Room, surfels: &[Surfel], shaded: &[Shaded], rng: &mut Rng) {
    let coeffs = sh::coeff_count(scene.sh_degree);
    let labels = scene.labels.get_or_insert_with(Vec::new);
    for _ in 0..count {
        let (pos, rgb) = if surfels.is_empty() || rng.chance(0.5) {
            let mut p = Vec3::new(
                rng.range(0.0, room.size.x),
                rng.range(0.0, room.size.y),
                rng.range(0.05, room.height - 0.05),
            );
            for _ in 0..20 {
                if room.contains(p) {
                    break;
                }
                p = Vec3::new(
                    rng.range(0.0, room.size.x),
                    rng.range(0.0, room.size.y),
                    rng.range(0.05, room.height - 0.05),
                );
            }
            let k = if shaded.is_empty() { None } else { Some(rng.below(shaded.len())) };
            (p, k.map_or(Vec3::splat(0.5), |k| shaded[k].rgb))
        } else {
            let k = rng.below(surfels.len());
            (surfels[k].pos + surfels[k].n * (0.01 + 0.3 * rng.f32().powi(2)), shaded[k].rgb)
        };
        let rgb = rgb.lerp(Vec3::splat(rgb.dot(Vec3::splat(1.0 / 3.0))), 0.15);
        // Small and faint: a ray through the room should meet about one.
        let s = 0.004 * (1.2 * rng.normal()).exp().min(12.0);
        let q = rng.unit_quaternion();
        scene.positions.push(pos.to_array());
        scene.log_scales.push([
            (s * rng.range(0.5, 1.0)).ln(),
            (s * rng.range(0.5, 1.0)).ln(),
            (s * rng.range(0.3, 1.0)).ln(),
        ]);
        scene.rotations.push(q);
        scene.opacity_logits.push(logit(0.2 * rng.f32().powi(2) + 0.01));
        labels.push(crate::classes::UNLABELLED);
        push_sh(&mut scene.sh, coeffs, rgb, Vec3::ZERO, Vec3::ZERO, 0.03, rng);
    }
}
