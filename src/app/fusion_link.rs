//! The viewer's link to the fusion network: a thread that opens the model, then turns each
//! read-back of a fusion frame (the network's input tensors, packed on the GPU from a render
//! at the inference resolution) into a per-pixel class map.
//!
//! One read-back is in flight at a time and the next is only requested once the last
//! prediction came back, so the network always works on the newest frame the GPU had when it
//! became free, nothing queues up, and the UI thread never waits: the mapped staging buffer
//! itself travels to the worker, where the network reads it in place; it is unmapped there
//! once the prediction is made.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Instant;

use crate::fusion::coverage::NO_CLASS;
use crate::fusion::{FrameInputs, FusionError, FusionModel, Prediction};
use crate::inference::ExecutionChoice;
use crate::render::gpu::pack::{PackedTensors, TensorRecipe, TensorValues};
use crate::render::gpu::readback::{MappedRegion, RegionError};

/// Why a fusion frame gave no prediction (counted, the last one kept for the panel).
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("reading the fusion frame: {0}")]
    /// Viewing the mapped read-back failed.
    Region(RegionError),
    #[error("reading the fusion frame's counters: {0}")]
    /// The counters in the read-back are not readable u32s.
    Counters(bytemuck::PodCastError),
    #[error("the fusion frame overflowed its pair buffer (incomplete)")]
    /// The frame needed more (Gaussian, tile) pairs than its buffer holds.
    Overflowed,
    #[error(transparent)]
    /// The network failed on the frame.
    Fusion(#[from] FusionError),
}

/// A mapped staging buffer holding one fusion frame: its counters, then the network's RGB
/// tensor (`[3, hp, wp]`, when the recipe has one), then its feature tensor
/// (`[feature_dim, hp, wp]`, likewise), both of the recipe's element type (f32 or f16), then
/// the frame's colour as one RGBA8 word a pixel (`width × height`), whose alpha byte gives the
/// pixels the scene does not cover no class.
pub struct FusionReadback {
    /// The mapped staging buffer.
    pub buffer: Arc<wgpu::Buffer>,
    /// The frame number it was rendered as.
    pub frame: u64,
    /// Frame width, pixels.
    pub width: u32,
    /// Frame height, pixels.
    pub height: u32,
    /// (hp, wp) of the tensors.
    pub padded: (usize, usize),
    /// Feature channels of the feature tensor.
    pub feature_dim: usize,
    /// How the tensors were packed.
    pub recipe: TensorRecipe,
    /// Byte offset of the first tensor (after the counters).
    pub tensors_offset: u64,
    /// Whether the frame overflowed its pair buffer (then it is incomplete and skipped).
    pub counters_overflow_index: usize,
    /// When the read-back was submitted (for latency).
    pub submitted: Instant,
}

/// How far the fusion network is.
#[derive(Clone, Debug, PartialEq)]
pub enum FusionStatus {
    /// Not used (`--no-fusion`, or no encoder features to feed it).
    Off,
    /// The network is being opened on its thread.
    Loading,
    /// The network is open.
    Ready {
        /// The execution provider it runs on.
        provider: String,
    },
    /// Opening the network failed; the text says why.
    Failed(String),
}

/// A prediction with the frame it belongs to.
pub struct ShownPrediction {
    /// The frame number it was predicted for.
    pub frame: u64,
    /// The prediction.
    pub prediction: Prediction,
    /// Read-back request to result, ms.
    pub latency_ms: f64,
}

enum LinkEvent {
    Ready { provider: String, fallbacks: Vec<String>, recipe: TensorRecipe },
    Failed(String),
    Done { frame: u64, result: Result<Prediction, FrameError>, submitted: Instant },
}

/// The fusion network on its own thread, fed the viewer's fusion frames; keeps the latest prediction.
pub struct FusionLink {
    jobs: Option<Sender<FusionReadback>>,
    events: Receiver<LinkEvent>,
    /// How far the network is.
    pub status: FusionStatus,
    /// How the GPU packs frames for the open network (known once it is ready).
    pub recipe: Option<TensorRecipe>,
    /// A read-back or inference is under way; no new fusion frame until it is back.
    pub busy: bool,
    /// The newest prediction, with its frame.
    pub latest: Option<ShownPrediction>,
    /// Fusion frames whose prediction failed (incomplete frames included).
    pub failures: u64,
    /// Why the last failed frame failed.
    pub last_error: Option<FrameError>,
}

impl FusionLink {
    /// A link that never predicts.
    pub fn off() -> Self {
        let (_tx, events) = channel();
        Self {
            jobs: None,
            events,
            status: FusionStatus::Off,
            recipe: None,
            busy: false,
            latest: None,
            failures: 0,
            last_error: None,
        }
    }

    /// Opens `model` on a worker thread (session creation takes a moment) and serves
    /// read-backs from then on. `wake` nudges the event loop after each result.
    pub fn start(model: PathBuf, choice: ExecutionChoice, threads: usize, wake: Arc<dyn Fn() + Send + Sync>) -> Self {
        let (job_tx, job_rx) = channel::<FusionReadback>();
        let (tx, events) = channel();
        let spawned = std::thread::Builder::new().name("fusion network".into()).spawn(move || {
            let send = |e: LinkEvent| {
                // The receiver only goes away when the viewer closes.
                let _ = tx.send(e);
                wake();
            };
            let mut net = match FusionModel::open(&model, choice, threads) {
                Ok(m) => m,
                Err(e) => return send(LinkEvent::Failed(e.to_string())),
            };
            send(LinkEvent::Ready {
                provider: net.describe_provider(),
                fallbacks: net.fallbacks.clone(),
                recipe: net.tensor_recipe().clone(),
            });
            while let Ok(job) = job_rx.recv() {
                let (frame, submitted) = (job.frame, job.submitted);
                let result = inputs_from_readback(job).and_then(|inputs| Ok(net.predict(inputs)?));
                send(LinkEvent::Done { frame, result, submitted });
            }
        });
        let status = match spawned {
            Ok(_) => FusionStatus::Loading,
            Err(e) => FusionStatus::Failed(format!("could not start the fusion thread: {e}")),
        };
        Self {
            jobs: Some(job_tx),
            events,
            status,
            recipe: None,
            busy: false,
            latest: None,
            failures: 0,
            last_error: None,
        }
    }

    /// Whether the network is open and can take frames.
    pub fn ready(&self) -> bool {
        matches!(self.status, FusionStatus::Ready { .. })
    }

    /// Hands a mapped fusion frame to the worker.
    pub fn send(&mut self, readback: FusionReadback) {
        match &self.jobs {
            Some(tx) if tx.send(readback).is_ok() => self.busy = true,
            _ => {
                self.busy = false;
                self.status = FusionStatus::Failed("the fusion thread has stopped".into());
            }
        }
    }

    /// Collects worker events; true when a new prediction arrived (or the status changed).
    pub fn poll(&mut self) -> bool {
        let mut changed = false;
        while let Ok(event) = self.events.try_recv() {
            changed = true;
            match event {
                LinkEvent::Ready { provider, fallbacks, recipe } => {
                    self.recipe = Some(recipe);
                    for why in fallbacks {
                        log::info!("fusion network: {why}");
                    }
                    self.status = FusionStatus::Ready { provider };
                }
                LinkEvent::Failed(e) => {
                    log::warn!("fusion network unavailable: {e}");
                    self.status = FusionStatus::Failed(e);
                }
                LinkEvent::Done { frame, result, submitted } => {
                    self.busy = false;
                    match result {
                        Ok(prediction) => {
                            let latency_ms = submitted.elapsed().as_secs_f64() * 1e3;
                            self.latest = Some(ShownPrediction { frame, prediction, latency_ms });
                        }
                        Err(e) => {
                            self.failures += 1;
                            log::debug!("fusion frame {frame} skipped: {e}");
                            self.last_error = Some(e);
                        }
                    }
                }
            }
        }
        changed
    }

    /// Forgets the prediction (a new scene).
    pub fn clear(&mut self) {
        self.latest = None;
    }

    /// Class and confidence of the latest prediction at view pixel (x, y) of a w×h view; a
    /// pixel the scene does not cover has class 0 and no confidence.
    pub fn at(&self, (x, y): (u32, u32), (w, h): (u32, u32)) -> Option<(u8, Option<f32>)> {
        let p = &self.latest.as_ref()?.prediction;
        if p.width == 0 || p.height == 0 || w == 0 || h == 0 {
            return None;
        }
        let px = (x as usize * p.width / w as usize).min(p.width - 1);
        let py = (y as usize * p.height / h as usize).min(p.height - 1);
        let i = py * p.width + px;
        let class = *p.classes.get(i)?;
        match class {
            NO_CLASS => Some((class, None)),
            _ => Some((class, Some(p.confidence_at(i)?))),
        }
    }
}

/// The worker's side of a read-back: the network's input tensors left in the mapping, where
/// ONNX Runtime reads them (or the model copies them out, [`FusionModel`]'s choice); the
/// buffer is unmapped, and so free for the next fusion frame, once the prediction has dropped
/// them.
fn inputs_from_readback(job: FusionReadback) -> Result<FrameInputs, FrameError> {
    let (rgb_bytes, feature_bytes) = job.recipe.tensor_bytes(job.padded, job.feature_dim);
    let start = job.tensors_offset as usize;
    let (rgb_end, features_end) = (start + rgb_bytes as usize, start + (rgb_bytes + feature_bytes) as usize);
    let colour_end = features_end + job.width as usize * job.height as usize * 4;
    let ranges = [0..start, start..rgb_end, rgb_end..features_end, features_end..colour_end];
    let regions = MappedRegion::shared(&job.buffer, &ranges).map_err(FrameError::Region)?;
    let [counters, rgb, features, colour] = <[MappedRegion; 4]>::try_from(regions).expect("one region a range");
    let overflowed = bytemuck::try_cast_slice::<u8, u32>(counters.bytes())
        .map_err(FrameError::Counters)?
        .get(job.counters_overflow_index)
        .is_some_and(|&o| o != 0);
    if overflowed {
        return Err(FrameError::Overflowed);
    }
    let element = job.recipe.element;
    let packed = PackedTensors {
        padded: job.padded,
        rgb: TensorValues::Mapped(rgb, element),
        features: TensorValues::Mapped(features, element),
        feature_dim: job.feature_dim,
        recipe: job.recipe,
    };
    // The top byte of each little-endian RGBA8 word.
    let alpha8 = colour.bytes().chunks_exact(4).map(|word| word[3]).collect();
    drop(colour);
    let (width, height) = (job.width as usize, job.height as usize);
    Ok(FrameInputs { width, height, feature_dim: job.feature_dim, packed: Some(packed), alpha8, ..Default::default() })
}

/// Inference size for a `w`×`h` view: divided by `divisor`, or (0 = auto) by whatever brings
/// the width nearest to 320 px, the resolution the shipped network was trained at.
pub fn inference_size((w, h): (u32, u32), divisor: u32) -> (u32, u32) {
    let k = if divisor == 0 { ((w as f32 / 320.0).round() as u32).max(1) } else { divisor };
    ((w / k).max(1), (h / k).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fusion::Logits;

    /// Typed, with the texts the panel and the log showed as strings.
    #[test]
    fn frame_errors_read_as_before_and_print_once() {
        let e = FrameError::Region(RegionError::OutOfRange { range: 0..9, size: 8 });
        assert_eq!(e.to_string(), "reading the fusion frame: bytes 0..9 of a 8-byte read-back buffer");
        assert_eq!(FrameError::Overflowed.to_string(), "the fusion frame overflowed its pair buffer (incomplete)");
        let e = FrameError::from(FusionError::WorkerStopped);
        assert_eq!(format!("{:#}", anyhow::Error::new(e)), "the fusion worker has stopped");
        let e = crate::app::jobs::JobError::Prepare("generating the demo scene: disk full".into());
        assert_eq!(format!("{:#}", anyhow::Error::new(e)), "generating the demo scene: disk full");
    }

    #[test]
    fn auto_inference_size_is_near_the_training_resolution() {
        assert_eq!(inference_size((640, 480), 0), (320, 240));
        assert_eq!(inference_size((1280, 720), 0), (320, 180));
        assert_eq!(inference_size((320, 240), 0), (320, 240));
        assert_eq!(inference_size((200, 100), 0), (200, 100));
        assert_eq!(inference_size((640, 480), 1), (640, 480));
        assert_eq!(inference_size((641, 481), 3), (213, 160));
    }

    #[test]
    fn hover_maps_view_pixels_onto_the_prediction() {
        let mut link = FusionLink::off();
        assert_eq!(link.at((0, 0), (4, 2)), None);
        // Two classes; pixel 0 is an even split, pixel 1 favours its class by ln 9 (p = 0.9).
        let logits = Logits { classes: 2, width: 2, height: 1, data: vec![0.0, 9f32.ln(), 0.0, 0.0] };
        let prediction = Prediction { width: 2, height: 1, classes: vec![5, 7], logits, ..Default::default() };
        link.latest = Some(ShownPrediction { frame: 1, prediction, latency_ms: 0.0 });
        let near = |got: Option<(u8, Option<f32>)>, want: (u8, f32)| {
            let (class, p) = got.expect("inside the prediction");
            class == want.0 && (p.expect("a confidence") - want.1).abs() < 1e-6
        };
        assert!(near(link.at((0, 0), (4, 2)), (5, 0.5)));
        assert!(near(link.at((3, 1), (4, 2)), (7, 0.9)));
        assert!(near(link.at((9, 9), (4, 2)), (7, 0.9)), "clamped to the edge");
        // A pixel the scene does not cover: no class, no confidence.
        link.latest.as_mut().expect("set above").prediction.mask_uncovered(&[255, 0]);
        assert_eq!(link.at((3, 1), (4, 2)), Some((0, None)));
        assert!(near(link.at((0, 0), (4, 2)), (5, 0.5)));
    }
}
