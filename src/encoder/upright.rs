//! Upright encoders (card `upright: true`). An encoder trained on rooms rotated about any axis
//! cannot tell a floor from a ceiling by where it is; one trained on rooms levelled so that up
//! is +z and turned only about that axis (`train_encoder --upright`) can, and its features
//! then carry which way is down. It must be given scenes the same way: turned so the scene's up
//! points along +z. The up is the gravity cues' ([`crate::scene::gravity::gravity_frame`]:
//! the cameras' mean up or the scene's shape, levelled on horizontal planes), so the features
//! and the cues agree on it. Which way the scene faces about +z does not matter: training
//! turned every room by a random angle about it.

use std::borrow::Cow;

use glam::{Quat, Vec3};

use crate::scene::{Camera, Scene};

/// The up an upright encoder levels `scene` by: the gravity cues' up, or `None` for a scene
/// too small to find one (it is then encoded as it is).
pub fn scene_up(scene: &Scene, cameras: &[Camera]) -> Option<Vec3> {
    crate::scene::gravity::gravity_frame(scene, cameras).map(|f| f.up)
}

/// [`scene_up`] from the cameras, only when the encoder at `model` is upright: finding up
/// costs a search over the scene that a rotation-invariant encoder does not need. A card
/// that does not load is left to the encoder's own load to report.
pub fn up_for_model(model: &std::path::Path, scene: &Scene, cameras: &[Camera]) -> Option<Vec3> {
    let upright = super::EncoderCard::load(&model.with_extension("json")).is_ok_and(|c| c.upright);
    upright.then(|| scene_up(scene, cameras)).flatten()
}

/// The rotation that takes the unit vector `up` to +z (the shortest arc; `up` = -z turns
/// about x).
pub fn levelling_rotation(up: Vec3) -> Quat {
    if up.dot(Vec3::Z) < -0.999_999 {
        return Quat::from_rotation_x(std::f32::consts::PI);
    }
    Quat::from_rotation_arc(up, Vec3::Z)
}

/// `scene` turned so that `up` points along +z: centres and orientations rotated about the
/// origin. Only what the encoder reads needs turning; the higher SH bands (view-dependent
/// colour, which the encoder does not read) are left as they are, so this copy is for
/// encoding, not for rendering. `up` +z returns the scene unchanged.
pub fn levelled(scene: &Scene, up: Vec3) -> Cow<'_, Scene> {
    let q = levelling_rotation(up.normalize());
    if q.is_near_identity() {
        return Cow::Borrowed(scene);
    }
    let mut s = scene.clone();
    s.positions.iter_mut().for_each(|p| *p = (q * Vec3::from(*p)).to_array());
    s.rotations.iter_mut().for_each(|r| {
        let turned = q * Quat::from_xyzw(r[1], r[2], r[3], r[0]);
        *r = [turned.w, turned.x, turned.y, turned.z];
    });
    Cow::Owned(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::rng::Rng;

    #[test]
    fn every_up_is_taken_to_plus_z() {
        let mut rng = Rng::new(3);
        let mut ups: Vec<Vec3> =
            (0..200).map(|_| Vec3::new(rng.normal(), rng.normal(), rng.normal()).normalize()).collect();
        ups.extend([Vec3::Z, -Vec3::Z, Vec3::X, -Vec3::Y, Vec3::new(1e-7, 0.0, -1.0).normalize()]);
        for up in ups {
            let turned = levelling_rotation(up) * up;
            assert!(turned.distance(Vec3::Z) < 1e-5, "{up} went to {turned}");
        }
    }

    #[test]
    fn a_levelled_scene_keeps_its_shape_and_puts_up_on_z() {
        let mut rng = Rng::new(5);
        let mut scene = Scene::with_capacity(64, 0);
        for _ in 0..64 {
            let p = [rng.normal() * 3.0, rng.normal() * 3.0, rng.normal() * 3.0];
            let r = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
            scene.positions.push(p);
            scene.rotations.push(r);
            scene.log_scales.push([rng.normal(), rng.normal(), rng.normal()]);
            scene.opacity_logits.push(rng.normal());
            scene.sh.extend([rng.normal(), rng.normal(), rng.normal()]);
        }
        let up = Vec3::new(0.3, -0.9, 0.2).normalize();
        let level = levelled(&scene, up);
        let q = levelling_rotation(up);
        for i in 0..scene.len() {
            let (a, b) = (Vec3::from(scene.positions[i]), Vec3::from(level.positions[i]));
            // Distances from the origin and heights along up are kept; height becomes z.
            assert!((a.length() - b.length()).abs() < 1e-4);
            assert!((a.dot(up) - b.z).abs() < 1e-4, "height {} became z {}", a.dot(up), b.z);
            // Each Gaussian's own axes turn with the scene.
            let r = scene.rotations[i];
            let own = Quat::from_xyzw(r[1], r[2], r[3], r[0]).normalize();
            let r2 = level.rotations[i];
            let turned = Quat::from_xyzw(r2[1], r2[2], r2[3], r2[0]).normalize();
            assert!(((q * own) * Vec3::X).distance(turned * Vec3::X) < 1e-4);
        }
        assert_eq!(level.log_scales, scene.log_scales);
        assert_eq!(level.sh, scene.sh);
        assert!(matches!(levelled(&scene, Vec3::Z), Cow::Borrowed(_)));
    }
}
