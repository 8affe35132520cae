//! The fusion network (stage 3 of RT-GS2): per frame, the rendered RGB and splatted encoder
//! feature images → per-pixel NYU40 classes.
//!
//! - [`card`]: the model card (`models/fusion.json`), validated on load.
//! - [`preprocess`]: frame → padded NCHW tensors (pure functions).
//! - [`predict`]: the ONNX Runtime session and its companion graphs, one frame at a time.
//! - [`prediction`]: what comes out: classes, confidences (on demand from kept logits), timings.
//! - [`coverage`]: pixels the scene does not cover (alpha < 0.5) get no class.
//! - [`head`]: the per-pixel class and confidence appended to the graph on GPU providers.
//! - [`input_cast`]: f16 input tensors widened on the network's device (GPU providers).
//! - [`device_graph`]: what those two companion graphs share.
//! - [`worker`]: the network on a background thread, newest frame first.

pub mod card;
pub mod coverage;
pub mod device_graph;
pub mod error;
pub mod head;
pub mod input_cast;
pub mod predict;
pub mod prediction;
pub mod preprocess;
pub mod worker;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use card::FusionCard;
pub use error::FusionError;
pub use head::PixelHead;
pub use input_cast::InputPrecision;
pub use predict::{DeviceOptions, FusionModel};
pub use prediction::{Logits, PredictTimings, Prediction, classify};
pub use preprocess::FrameInputs;
pub use worker::{FusionWorker, WorkerOutput};

/// The shipped fusion network, `fusion.onnx` in the first of [`crate::util::model_search_dirs`]
/// that has one.
pub fn default_model_path() -> PathBuf {
    crate::util::find_model("fusion.onnx")
}

/// A warning when `card` says its features came from another encoder model than `encoder`
/// (the feature space differs, so predictions would be meaningless); `None` when they match or
/// the card does not say. An unreadable encoder file is reported the same way.
pub fn encoder_mismatch(card: &FusionCard, encoder: &Path) -> Option<String> {
    let want = card.encoder_sha256.as_deref()?;
    let got = match std::fs::read(encoder) {
        Ok(bytes) => crate::inference::runtime::hex(&Sha256::digest(&bytes)),
        Err(e) => return Some(format!("cannot check the encoder {}: {e}", encoder.display())),
    };
    (!got.eq_ignore_ascii_case(want)).then(|| {
        format!(
            "{} was trained on features of another encoder (card: sha256 {want}); {} has sha256 {got}: \
             predictions may be meaningless",
            card.path.display(),
            encoder.display()
        )
    })
}
