//! Lifting in the viewer's background: once the encoder's features are ready, the fusion
//! network segments views of the scene on the CPU (one ONNX Runtime thread; the CPU reference
//! renderer, as `rtgs2 lift` on a machine without a GPU) and its predictions are fused onto
//! the Gaussians ([`crate::pipeline::lift()`]). The semantic view can then show them splatted
//! like the ground truth: no network in the frame loop, the same class from every view.

use std::path::Path;
use std::time::Instant;

use crate::fusion::{DeviceOptions, FusionModel};
use crate::inference::ExecutionChoice;
use crate::pipeline::{LiftOptions, LiftedLabels, Renderer, Segmenter, lift, lift_views};
use crate::scene::{Camera, Scene};

/// Lifted labels and how long they took.
pub struct Lifted {
    /// Class and confidence per Gaussian.
    pub labels: std::sync::Arc<LiftedLabels>,
    /// Time lifting took, seconds.
    pub seconds: f64,
}

/// Lifts `scene` from views around `cameras` with the fusion network at `model`, reading the
/// encoder `features` (`dim` each); `progress(done, total)` hears after each view.
pub fn lift_in_background(
    scene: &Scene,
    cameras: &[Camera],
    features: (usize, Vec<f32>),
    model: &Path,
    mut progress: impl FnMut(usize, usize),
) -> Result<Lifted, String> {
    let started = Instant::now();
    if cameras.is_empty() {
        return Err("lifting needs the scene's cameras (a trainer folder or a cameras.json beside the file)".into());
    }
    let mut net = FusionModel::open_with(model, ExecutionChoice::Cpu, 1, DeviceOptions::default())
        .map_err(|e| format!("opening {}: {e}", model.display()))?;
    let renderer = Renderer::Cpu { scene, features: net.card.takes_features().then_some(features) };
    let mut segmenter = Segmenter::new(renderer, &net, None).map_err(|e| e.to_string())?;
    let views = lift_views(cameras, &LiftOptions::default());
    let total = views.len();
    let (labels, _) =
        lift(&mut segmenter, &mut net, scene, &views, |done| progress(done, total)).map_err(|e| e.to_string())?;
    Ok(Lifted { labels: std::sync::Arc::new(labels), seconds: started.elapsed().as_secs_f64() })
}
