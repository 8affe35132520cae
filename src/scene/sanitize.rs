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
//! not interpret them.

use rayon::prelude::*;

use super::{Problem, Scene};
use crate::classes::NUM_CLASSES;

/// Counts of what was repaired.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Repairs {
    pub non_finite: usize,
    pub zero_quaternion: usize,
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
