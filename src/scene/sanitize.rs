//! What we reject and what we repair, in one place.
//!
//! Structural damage (truncated body, count mismatch, missing properties, an SH count that is
//! no degree, absurd counts) is always an error: the file cannot be trusted. Damage to single
//! Gaussians is repaired by default and reported with a count, because real trainers do emit
//! the odd NaN and one bad splat should not make a scene unopenable:
//! - a Gaussian with any non-finite position, scale, rotation, opacity or SH value is dropped;
//! - a Gaussian whose quaternion is zero (norm < 1e-6, nothing to normalise) is dropped;
//! - a label outside NYU40 (above 40, or negative in the file) becomes 0, unlabelled.
//!
//! With `strict`, the first such Gaussian is an error naming its index instead. A scene with
//! no usable Gaussian left is always an error. Extra properties are carried unchecked: we do
//! not interpret them, until a command uses some (the `f_pc_*` feature channels of `render
//! --what features --feature-source properties`): then [`sanitize_extras`] holds those to
//! the same policy, since one NaN among them poisons everything computed from them.

use rayon::prelude::*;

use super::{Problem, Scene};
use crate::classes::NUM_CLASSES;

/// Counts of what was repaired.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Repairs {
    /// Gaussians dropped for a NaN or infinite position, scale, rotation, opacity or SH value.
    pub non_finite: usize,
    /// Gaussians dropped for a zero-length rotation quaternion.
    pub zero_quaternion: usize,
    /// Labels outside NYU40 (0-40) set to 0 (unlabelled).
    pub labels_out_of_range: usize,
}

impl Repairs {
    /// One warning line per kind of repair, for the user.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if self.non_finite > 0 {
            w.push(format!("dropped {} Gaussians with NaN or infinite values", self.non_finite));
        }
        if self.zero_quaternion > 0 {
            w.push(format!("dropped {} Gaussians with a zero rotation quaternion", self.zero_quaternion));
        }
        if self.labels_out_of_range > 0 {
            w.push(format!("set {} labels outside NYU40 (0-40) to 0 (unlabelled)", self.labels_out_of_range));
        }
        w
    }
}

/// Why Gaussian `i` cannot be rendered, if it cannot.
fn defect(scene: &Scene, i: usize) -> Option<Problem> {
    let fields: [(&'static str, &[f32]); 4] = [
        ("position", &scene.positions[i]),
        ("scale", &scene.log_scales[i]),
        ("rotation", &scene.rotations[i]),
        ("opacity", std::slice::from_ref(&scene.opacity_logits[i])),
    ];
    for (what, values) in fields.into_iter().chain([("SH coefficient", scene.sh_of(i))]) {
        if let Some(&value) = values.iter().find(|v| !v.is_finite()) {
            return Some(Problem::NonFinite { index: i, what, value });
        }
    }
    let q = scene.rotations[i];
    if q.iter().map(|v| v * v).sum::<f32>() < 1e-12 {
        return Some(Problem::ZeroQuaternion { index: i });
    }
    None
}

/// Applies the policy above in place.
pub fn sanitize(scene: &mut Scene, strict: bool) -> Result<Repairs, Problem> {
    let n = scene.len();
    let mut repairs = Repairs::default();
    let mut keep = vec![true; n];
    // Checked in parallel; the defects come back in index order, so strict mode reports the
    // first one.
    let defects: Vec<(usize, Problem)> =
        (0..n).into_par_iter().filter_map(|i| defect(scene, i).map(|p| (i, p))).collect();
    for (i, problem) in defects {
        if strict {
            return Err(problem);
        }
        match problem {
            Problem::ZeroQuaternion { .. } => repairs.zero_quaternion += 1,
            _ => repairs.non_finite += 1,
        }
        keep[i] = false;
    }
    if let Some(labels) = &mut scene.labels {
        for (i, l) in labels.iter_mut().enumerate() {
            if *l as usize >= NUM_CLASSES {
                if strict {
                    return Err(Problem::Malformed(format!(
                        "Gaussian {i}: label {} is not an NYU40 id (0-40)",
                        if *l == u16::MAX { "out of range".to_string() } else { l.to_string() }
                    )));
                }
                *l = 0;
                repairs.labels_out_of_range += 1;
            }
        }
    }
    if repairs.non_finite + repairs.zero_quaternion > 0 {
        scene.retain(&keep);
    }
    if scene.is_empty() {
        return Err(Problem::Empty(if n == 0 {
            "the file holds zero Gaussians".into()
        } else {
            format!("all {n} Gaussians have NaN/infinite values or zero rotations")
        }));
    }
    Ok(repairs)
}

/// Applies the policy above to the extra properties `pick` selects, for a command about to
/// use them as numbers: a Gaussian with a value there that is NaN or infinite (as f32, the
/// precision the renderer works in) is dropped, or with `strict` the first is an error
/// naming the Gaussian and the property. Returns how many were dropped; a scene with none
/// left is an error.
pub fn sanitize_extras(scene: &mut Scene, pick: impl Fn(&str) -> bool, strict: bool) -> Result<usize, Problem> {
    let n = scene.len();
    let picked: Vec<&super::ExtraProperty> = scene.extras.iter().filter(|e| pick(&e.name)).collect();
    let bad_value = |i: usize| {
        picked.iter().find_map(|e| (!(e.values[i] as f32).is_finite()).then(|| (e.name.clone(), e.values[i])))
    };
    let mut keep = vec![true; n];
    let mut dropped = 0;
    for (i, k) in keep.iter_mut().enumerate() {
        if let Some((property, value)) = bad_value(i) {
            if strict {
                return Err(Problem::NonFiniteProperty { index: i, property, value });
            }
            *k = false;
            dropped += 1;
        }
    }
    if dropped > 0 {
        let names: Vec<String> = picked.iter().map(|e| e.name.clone()).collect();
        scene.retain(&keep);
        if scene.is_empty() {
            return Err(Problem::Empty(format!(
                "all {n} Gaussians have NaN or infinite values in {}",
                names.join(", ")
            )));
        }
    }
    Ok(dropped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::{ExtraProperty, ScalarKind};

    fn scene(features: &[[f64; 2]], other: &[f64]) -> Scene {
        let n = features.len();
        let mut s = Scene::with_capacity(n, 0);
        for i in 0..n {
            s.positions.push([i as f32, 0.0, 0.0]);
            s.log_scales.push([0.0; 3]);
            s.rotations.push([1.0, 0.0, 0.0, 0.0]);
            s.opacity_logits.push(0.0);
            s.sh.extend([0.0; 3]);
        }
        for k in 0..2 {
            let values = features.iter().map(|f| f[k]).collect();
            s.extras.push(ExtraProperty { name: format!("f_pc_{k}"), kind: ScalarKind::F32, values });
        }
        s.extras.push(ExtraProperty { name: "other".into(), kind: ScalarKind::F64, values: other.to_vec() });
        s
    }

    fn pick(name: &str) -> bool {
        name.starts_with("f_pc_")
    }

    #[test]
    fn picked_extras_are_held_to_the_required_properties_policy() {
        let feats = [[0.0, 1.0], [f64::NAN, 1.0], [2.0, f64::INFINITY], [3.0, 1e300], [4.0, 4.0]];
        // The unpicked property may hold anything.
        let other = [f64::NAN, 0.0, 0.0, 0.0, f64::NAN];
        let mut s = scene(&feats, &other);
        assert_eq!(sanitize_extras(&mut s, pick, false), Ok(3), "NaN, inf and a value beyond f32 are dropped");
        assert_eq!(s.positions, vec![[0.0, 0.0, 0.0], [4.0, 0.0, 0.0]]);
        assert_eq!(s.extra("f_pc_0").expect("kept").values, vec![0.0, 4.0]);
        assert!(s.extra("other").expect("kept").values.iter().all(|v| v.is_nan()));

        let mut s = scene(&feats, &other);
        let err = sanitize_extras(&mut s, pick, true).expect_err("strict");
        assert!(matches!(&err, Problem::NonFiniteProperty { index: 1, property, .. } if property == "f_pc_0"), "{err}");
        assert_eq!(s.len(), 5, "strict changes nothing");

        let mut all_bad = scene(&[[f64::NAN, 0.0]], &[0.0]);
        assert!(matches!(sanitize_extras(&mut all_bad, pick, false), Err(Problem::Empty(m)) if m.contains("f_pc_0")));
        let mut clean = scene(&[[1.0, 2.0]], &[f64::NAN]);
        assert_eq!(sanitize_extras(&mut clean, pick, true), Ok(0));
    }
}
