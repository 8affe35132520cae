//! One frame through the fusion network: preprocess, run, crop, and per pixel the class with
//! the largest logit and its softmax probability.

use std::path::{Path, PathBuf};
use std::time::Instant;

use ort::session::Session;

use super::card::{FEATURES_INPUT, FusionCard, RGB_INPUT};
use super::error::FusionError;
use super::preprocess::{FrameInputs, crop_chw, features_nchw, padded_len, rgb_nchw};
use crate::inference::{ExecutionChoice, InputTensor, build_session, check_io_names, read_model, run_inputs};

/// Per-frame cost of the three steps, milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PredictTimings {
    pub preprocess_ms: f64,
    pub inference_ms: f64,
    pub postprocess_ms: f64,
}

/// The per-pixel result for one frame, row-major, top row first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prediction {
    pub width: usize,
    pub height: usize,
    /// NYU40 id per pixel.
    pub classes: Vec<u8>,
    /// Softmax probability of that class.
    pub confidence: Vec<f32>,
    pub timings: PredictTimings,
}

/// The network's raw output cropped back to the frame: `[classes, height, width]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Logits {
    pub classes: usize,
    pub width: usize,
    pub height: usize,
    pub data: Vec<f32>,
}

pub struct FusionModel {
    session: Session,
    pub card: FusionCard,
    pub model_path: PathBuf,
    /// The execution provider in use.
    pub provider: String,
    /// Why faster providers were passed over (empty when the first choice worked).
    pub fallbacks: Vec<String>,
    class_ids: Vec<u8>,
}

impl FusionModel {
    /// Open `model` (an `.onnx` file with its card beside it as `.json`). `threads` 0 lets
    /// ONNX Runtime use every core.
    pub fn open(model: &Path, choice: ExecutionChoice, threads: usize) -> Result<Self, FusionError> {
        let bytes = read_model(model)?;
        let card = FusionCard::load(&model.with_extension("json"))?;
        let built = build_session(&bytes, choice, threads, "fusion network")?;
        check_io_names(&built.session, model, &card.inputs, &card.output)?;
        Ok(Self {
            session: built.session,
            class_ids: card.class_ids_u8(),
            card,
            model_path: model.to_path_buf(),
            provider: built.provider,
            fallbacks: built.fallbacks,
        })
    }

    /// Output channel → NYU40 id.
    pub fn class_ids(&self) -> &[u8] {
        &self.class_ids
    }

    /// Logits for one frame, cropped to its size.
    pub fn logits(&mut self, frame: &FrameInputs) -> Result<(Logits, PredictTimings), FusionError> {
        let t = Instant::now();
        let (padded, inputs) = self.tensors(frame)?;
        let preprocess_ms = ms_since(t);
        let t = Instant::now();
        let raw = self.run(inputs, padded)?;
        let inference_ms = ms_since(t);
        let t = Instant::now();
        let k = self.class_ids.len();
        let data = crop_chw(&raw, k, padded, frame.width, frame.height);
        let logits = Logits { classes: k, width: frame.width, height: frame.height, data };
        Ok((logits, PredictTimings { preprocess_ms, inference_ms, postprocess_ms: ms_since(t) }))
    }

    /// Classes and confidences for one frame.
    pub fn predict(&mut self, frame: &FrameInputs) -> Result<Prediction, FusionError> {
        let (logits, mut timings) = self.logits(frame)?;
        let t = Instant::now();
        let (classes, confidence) = classify(&logits, &self.class_ids);
        timings.postprocess_ms += ms_since(t);
        Ok(Prediction { width: frame.width, height: frame.height, classes, confidence, timings })
    }

    /// The graph's inputs in the card's order, and the padded (height, width).
    fn tensors(&self, frame: &FrameInputs) -> Result<((usize, usize), Vec<(String, InputTensor)>), FusionError> {
        frame.check()?;
        let card = &self.card;
        if card.takes_features() && frame.feature_dim != card.feature_dim {
            return Err(FusionError::Input(format!(
                "the frame has {} feature channels, {} expects {} (render with the encoder's features)",
                frame.feature_dim,
                self.model_path.display(),
                card.feature_dim
            )));
        }
        let padded = (padded_len(frame.height, card.size_multiple), padded_len(frame.width, card.size_multiple));
        let inputs = card
            .inputs
            .iter()
            .map(|name| {
                let (channels, data) = if name == RGB_INPUT {
                    (3, rgb_nchw(&frame.rgb8, frame.width, frame.height, card.mean3(), card.std3(), padded))
                } else {
                    debug_assert_eq!(name, FEATURES_INPUT, "the card validated its input names");
                    let d = card.feature_dim;
                    (d, features_nchw(&frame.features, frame.width, frame.height, d, card.feature_scale, padded))
                };
                (name.clone(), InputTensor::F32 { shape: vec![1, channels, padded.0, padded.1], data })
            })
            .collect();
        Ok((padded, inputs))
    }

    fn run(&mut self, inputs: Vec<(String, InputTensor)>, (hp, wp): (usize, usize)) -> Result<Vec<f32>, FusionError> {
        let values = run_inputs(inputs)?;
        let outputs = self.session.run(values).map_err(|e| FusionError::inference("running the fusion network", e))?;
        let (shape, data) = outputs[0]
            .try_extract_tensor::<f32>()
            .map_err(|e| FusionError::inference("reading the fusion output", e))?;
        let k = self.class_ids.len();
        let want = [1, k as i64, hp as i64, wp as i64];
        if **shape != want {
            return Err(FusionError::model(
                &self.model_path,
                format!("output shape {shape:?}, expected {want:?} ({k} classes on the card)"),
            ));
        }
        Ok(data.to_vec())
    }
}

/// Per pixel: the class id of the largest logit (the first on ties, like `argmax`) and its
/// softmax probability.
pub fn classify(logits: &Logits, class_ids: &[u8]) -> (Vec<u8>, Vec<f32>) {
    let n = logits.width * logits.height;
    let k = logits.classes;
    debug_assert_eq!(class_ids.len(), k);
    let mut best = vec![0usize; n];
    let mut max = logits.data[..n].to_vec();
    for c in 1..k {
        for (p, &v) in logits.data[c * n..(c + 1) * n].iter().enumerate() {
            if v > max[p] {
                max[p] = v;
                best[p] = c;
            }
        }
    }
    let mut sum = vec![0f32; n];
    for c in 0..k {
        for (p, &v) in logits.data[c * n..(c + 1) * n].iter().enumerate() {
            sum[p] += (v - max[p]).exp();
        }
    }
    let classes = best.iter().map(|&c| class_ids[c]).collect();
    (classes, sum.iter().map(|s| 1.0 / s).collect())
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_takes_the_argmax_and_its_softmax() {
        // Two pixels, three classes: pixel 0 favours channel 2, pixel 1 ties 0 and 1.
        let logits = Logits { classes: 3, width: 2, height: 1, data: vec![0.0, 1.0, 0.0, 1.0, 2.0, -1.0] };
        let (classes, conf) = classify(&logits, &[4, 7, 9]);
        assert_eq!(classes, vec![9, 4]);
        let p0 = 2f32.exp() / (1.0 + 2f32.exp() + 1.0);
        let p1 = 1f32.exp() / (1f32.exp() + 1f32.exp() + (-1f32).exp());
        assert!((conf[0] - p0).abs() < 1e-6 && (conf[1] - p1).abs() < 1e-6, "{conf:?}");
    }
}
