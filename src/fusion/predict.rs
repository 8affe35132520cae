//! One frame through the fusion network: preprocess, run, crop, and per pixel the class with
//! the largest logit. On the CPU provider that is done here, and a pixel's softmax probability
//! is computed only when asked for (the viewer shows it for the hovered pixel): doing it for
//! every pixel cost as much as the network itself on a CPU. On a GPU provider both come from
//! the per-pixel head's small graph, run on the logits where the network left them
//! ([`super::head`]), so the logits never leave the device; there the inputs also arrive as
//! f16 and are widened on the device ([`super::input_cast`]).

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ort::session::{Session, SessionInputValue};
use ort::value::{DynValue, DynValueRef, Tensor, TensorElementType, TensorRef};

use super::card::{FEATURES_INPUT, FusionCard, RGB_INPUT};
use super::error::FusionError;
use super::head::{GraphHead, PixelHead};
use super::input_cast::{InputCast, InputPrecision};
use super::prediction::{Logits, PredictTimings, Prediction, classify};
use super::preprocess::{FrameInputs, crop_chw, features_nchw, padded_len, rgb_nchw};
use crate::inference::input_memory::inputs_on_device;
use crate::inference::{ExecutionChoice, InferenceError, build_session, check_io_names, read_model};
use crate::render::gpu::pack::{TensorElement, TensorRecipe, TensorValues, TensorView};

/// The graph's inputs by name, in the card's order: values and shape.
type NamedInputs = Vec<(String, (TensorValues, Vec<usize>))>;

/// Where the work around the network runs. `auto` for both puts it on the device for a GPU
/// provider and on the host for the CPU provider.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeviceOptions {
    /// Where class and confidence are computed.
    pub pixel_head: PixelHead,
    /// How the input tensors are stored.
    pub input_precision: InputPrecision,
}

/// A loaded fusion network (ONNX Runtime session) with its card and, on a GPU provider, its companion graphs.
pub struct FusionModel {
    session: Session,
    /// The model card.
    pub card: FusionCard,
    /// The ONNX file it was opened from.
    pub model_path: PathBuf,
    /// The execution provider in use.
    pub provider: String,
    /// Why faster providers were passed over, or the companion graphs (empty when the first
    /// choice worked).
    pub fallbacks: Vec<String>,
    /// The per-pixel head's graph when classes and confidences come from it ([`super::head`]),
    /// not from logits returned to Rust.
    head: Option<GraphHead>,
    /// The f16 → f32 cast on the network's device when the tensors are packed as f16
    /// ([`super::input_cast`]); without it f16 tensors are widened on the host.
    input_cast: Option<InputCast>,
    /// Whether the network takes its inputs outside host memory (a GPU provider's), so that
    /// binding borrowed host tensors to it makes `ort` copy them across, never clone them.
    network_inputs_on_device: bool,
    /// The companion graphs `auto` chose, until a frame has run through them: if the first
    /// frame fails with them, they are dropped and the frame runs again on the host.
    unproven_auto: Option<AutoChoices>,
    class_ids: Vec<u8>,
    /// The card's packing recipe, built once (its RGB table is 768 divisions).
    recipe: TensorRecipe,
}

/// Which companion graphs `auto` put on the device.
#[derive(Clone, Copy, Debug)]
struct AutoChoices {
    head: bool,
    input_cast: bool,
}

impl FusionModel {
    /// Open `model` (an `.onnx` file with its card beside it as `.json`). `threads` 0 lets
    /// ONNX Runtime use every core.
    pub fn open(model: &Path, choice: ExecutionChoice, threads: usize) -> Result<Self, FusionError> {
        Self::open_with(model, choice, threads, DeviceOptions::default())
    }

    /// [`FusionModel::open`], with the per-pixel head and the input precision placed by
    /// `options`. Asked for explicitly, a companion graph that cannot be built is an error;
    /// chosen by `auto`, the host takes over and [`FusionModel::fallbacks`] says why.
    pub fn open_with(
        model: &Path,
        choice: ExecutionChoice,
        threads: usize,
        options: DeviceOptions,
    ) -> Result<Self, FusionError> {
        let bytes = read_model(model)?;
        let card = FusionCard::load(&model.with_extension("json"))?;
        let built = build_session(model, &bytes, choice, threads, "fusion network")?;
        check_io_names(&built.session, model, &card.inputs, &card.output)?;
        let mut fallbacks = built.fallbacks;
        let element = options.input_precision.element(built.choice, card.size_multiple);
        if element == TensorElement::F16 && card.size_multiple % 2 == 1 {
            return Err(FusionError::model(
                model,
                format!("f16 inputs pack pixel pairs, but the card pads to multiples of {}", card.size_multiple),
            ));
        }
        let mut auto = AutoChoices { head: false, input_cast: false };
        let head = match options.pixel_head.in_graph(built.choice) {
            false => None,
            true => match GraphHead::new(card.class_ids_u8().len(), built.choice, threads) {
                Ok(graph) => {
                    auto.head = options.pixel_head == PixelHead::Auto;
                    Some(graph)
                }
                Err(e) if options.pixel_head == PixelHead::Auto => {
                    fallbacks.push(format!("per-pixel head in Rust: {e}"));
                    None
                }
                Err(e) => return Err(e.into()),
            },
        };
        let (input_cast, element) = match element {
            TensorElement::F32 => (None, element),
            TensorElement::F16 => match InputCast::new(built.choice, threads) {
                Ok(cast) => {
                    auto.input_cast = options.input_precision == InputPrecision::Auto;
                    (Some(cast), element)
                }
                // By `auto`, without the cast the tensors stay f32 (widening on the host would
                // cost the CPU what the smaller read-back saves).
                Err(e) if options.input_precision == InputPrecision::Auto => {
                    fallbacks.push(format!("f32 input tensors: {e}"));
                    (None, TensorElement::F32)
                }
                Err(e) => return Err(e.into()),
            },
        };
        Ok(Self {
            network_inputs_on_device: inputs_on_device(&built.session),
            head,
            input_cast,
            unproven_auto: (auto.head || auto.input_cast).then_some(auto),
            session: built.session,
            class_ids: card.class_ids_u8(),
            recipe: card.tensor_recipe(element),
            card,
            model_path: model.to_path_buf(),
            provider: built.provider,
            fallbacks,
        })
    }

    /// How a GPU renderer packs frames for this network ([`FusionCard::tensor_recipe`]).
    pub fn tensor_recipe(&self) -> &TensorRecipe {
        &self.recipe
    }

    /// Output channel → NYU40 id.
    pub fn class_ids(&self) -> &[u8] {
        &self.class_ids
    }

    /// Logits for one frame, cropped to its size (not when the head's graph runs: open the
    /// model with [`PixelHead::Host`] for logits).
    pub fn logits(&mut self, frame: FrameInputs) -> Result<(Logits, PredictTimings), FusionError> {
        if self.head.is_some() {
            return Err(FusionError::Input(format!(
                "{} runs with the per-pixel head's graph, which returns no logits (use --pixel-head host)",
                self.model_path.display()
            )));
        }
        let (prepared, preprocess_ms) = self.prepare(frame)?;
        let Prepared { width, height, padded, mut inputs } = prepared;
        let t = Instant::now();
        let values = self.network_values(&mut inputs)?;
        let run: Vec<(Cow<'_, str>, SessionInputValue<'_>)> = values
            .iter()
            .map(|(name, value)| (Cow::Borrowed(name.as_str()), SessionInputValue::from(&**value)))
            .collect();
        let outputs = self.session.run(run).map_err(|e| FusionError::inference("running the fusion network", e))?;
        // The inputs are released as part of inference (a mapped read-back buffer is unmapped).
        drop(values);
        drop(inputs);
        let inference_ms = ms_since(t);
        let t = Instant::now();
        let (shape, raw) = outputs[0]
            .try_extract_tensor::<f32>()
            .map_err(|e| FusionError::inference("reading the fusion output", e))?;
        let k = self.class_ids.len();
        let want = [1, k as i64, padded.0 as i64, padded.1 as i64];
        if **shape != want {
            return Err(FusionError::model(
                &self.model_path,
                format!("output shape {shape:?}, expected {want:?} ({k} classes on the card)"),
            ));
        }
        // Cropped straight from ONNX Runtime's buffer: one copy of the largest tensor, not two.
        let data = crop_chw(raw, k, padded, width, height);
        let logits = Logits { classes: k, width, height, data };
        Ok((logits, PredictTimings { preprocess_ms, inference_ms, postprocess_ms: ms_since(t) }))
    }

    /// Classes for one frame: confidences on demand from the kept logits, or, with the head's
    /// graph, for every pixel. Pixels the frame's alpha says the scene does not cover get no
    /// class ([`Prediction::mask_uncovered`]).
    pub fn predict(&mut self, mut frame: FrameInputs) -> Result<Prediction, FusionError> {
        frame.check()?;
        let alpha8 = std::mem::take(&mut frame.alpha8);
        let mut prediction = self.predict_unmasked(frame)?;
        let t = Instant::now();
        prediction.mask_uncovered(&alpha8);
        prediction.timings.postprocess_ms += ms_since(t);
        Ok(prediction)
    }

    /// [`FusionModel::predict`] without the coverage.
    fn predict_unmasked(&mut self, frame: FrameInputs) -> Result<Prediction, FusionError> {
        let Some(auto) = self.unproven_auto else {
            return self.predict_once(frame);
        };
        // The companion graphs `auto` chose have not run yet (on a GPU provider their device
        // memory bindings may still fail): keep a copy of the first frame to run again on the
        // host if they do.
        let retry = frame.clone();
        match self.predict_once(frame) {
            Err(FusionError::Onnx(e)) => {
                let mut moved = Vec::new();
                if auto.head {
                    self.head = None;
                    moved.push("per-pixel head");
                }
                if auto.input_cast {
                    self.input_cast = None;
                    moved.push("f16 input widening");
                }
                self.unproven_auto = None;
                let why = format!("{} on the host: the first frame failed on the device ({e})", moved.join(" and "));
                log::warn!("{}: {why}", self.model_path.display());
                self.fallbacks.push(why);
                self.predict_once(retry)
            }
            result => {
                if result.is_ok() {
                    self.unproven_auto = None;
                }
                result
            }
        }
    }

    fn predict_once(&mut self, frame: FrameInputs) -> Result<Prediction, FusionError> {
        if self.head.is_some() {
            return self.predict_in_graph(frame);
        }
        let (logits, mut timings) = self.logits(frame)?;
        let t = Instant::now();
        let classes = classify(&logits, &self.class_ids);
        timings.postprocess_ms += ms_since(t);
        Ok(Prediction { width: logits.width, height: logits.height, classes, logits, confidence: Vec::new(), timings })
    }

    /// Whether classes and confidences come from the per-pixel head's graph.
    pub fn head_in_graph(&self) -> bool {
        self.head.is_some()
    }

    /// The provider, and which companion graphs run beside the network on its device, for
    /// status lines: e.g. "CUDA, per-pixel head and f16 inputs on the device".
    pub fn describe_provider(&self) -> String {
        let on_device: Vec<&str> = [(self.head.is_some(), "per-pixel head"), (self.input_cast.is_some(), "f16 inputs")]
            .into_iter()
            .filter_map(|(present, what)| present.then_some(what))
            .collect();
        match on_device.is_empty() {
            true => self.provider.clone(),
            false => format!("{}, {} on the device", self.provider, on_device.join(" and ")),
        }
    }

    /// Whether GPU-packed tensors handed over still mapped are read by ONNX Runtime where they
    /// are, not copied out first (`FusionModel::inputs_must_own`).
    pub fn reads_mapped_tensors_in_place(&self) -> bool {
        !self.inputs_must_own()
    }

    /// Whether the inputs go to the network as f16 ([`super::input_cast`]), widened on its
    /// device.
    pub fn inputs_widened_on_device(&self) -> bool {
        self.input_cast.is_some()
    }

    /// [`FusionModel::predict`] with the per-pixel head's graph.
    fn predict_in_graph(&mut self, frame: FrameInputs) -> Result<Prediction, FusionError> {
        let (prepared, preprocess_ms) = self.prepare(frame)?;
        let Prepared { width, height, padded, mut inputs } = prepared;
        let t = Instant::now();
        let values = self.network_values(&mut inputs)?;
        let head = self.head.as_mut().expect("predict_in_graph is only called with a head");
        let out = head.run(&mut self.session, &values, &self.card.output)?;
        drop(values);
        drop(inputs);
        let inference_ms = ms_since(t);
        let t = Instant::now();
        let want = [1, padded.0 as i64, padded.1 as i64];
        if out.shape != want || out.confidence.len() != out.index.len() {
            return Err(FusionError::model(
                &self.model_path,
                format!("the per-pixel head gave shape {:?}, expected {want:?}", out.shape),
            ));
        }
        let k = self.class_ids.len();
        let mut classes = crop_chw(&out.index, 1, padded, width, height);
        for c in &mut classes {
            // ArgMax over k channels stays in 0..k; anything else is a broken graph, not a class.
            *c = *self.class_ids.get(usize::from(*c)).ok_or_else(|| {
                FusionError::model(&self.model_path, format!("the per-pixel head gave class index {c} of {k}"))
            })?;
        }
        let confidence = crop_chw(&out.confidence, 1, padded, width, height);
        let timings = PredictTimings { preprocess_ms, inference_ms, postprocess_ms: ms_since(t) };
        Ok(Prediction { width, height, classes, logits: Logits::default(), confidence, timings })
    }

    /// The frame's tensors and what preparing them took, ms.
    fn prepare(&self, frame: FrameInputs) -> Result<(Prepared, f64), FusionError> {
        let t = Instant::now();
        let (width, height) = (frame.width, frame.height);
        let (padded, inputs) = self.tensors(frame)?;
        Ok((Prepared { width, height, padded, inputs }, ms_since(t)))
    }

    /// Whether the network's inputs must own their values rather than borrow the prepared
    /// tensors. They go through an ONNX Runtime IoBinding when the head's graph or the input
    /// cast runs beside the network, and `ort` 2.0.0-rc.15 clones a borrowed host value bound
    /// for a session that takes it in host memory, a clone that deadlocks (it binds the
    /// borrowed value again while holding its own lock). A session that takes them on its
    /// device (CUDA, TensorRT) gets them copied across instead: borrowing is safe there.
    fn inputs_must_own(&self) -> bool {
        match (&self.input_cast, &self.head) {
            (Some(cast), _) => !cast.takes_input_on_device,
            (None, Some(_)) => !self.network_inputs_on_device,
            (None, None) => false,
        }
    }

    /// The network's inputs as ONNX Runtime values: views of the prepared tensors where they
    /// are (a GPU render's still in their mapped read-back buffers: no copy on the host), or,
    /// where they must own them ([`FusionModel::inputs_must_own`]), values that take the
    /// prepared vectors. f16 ones are widened by the input cast on the device, else on the host.
    fn network_values<'a>(
        &mut self,
        inputs: &'a mut NamedInputs,
    ) -> Result<Vec<(String, NetworkValue<'a>)>, FusionError> {
        let fail = |e: ort::Error| FusionError::from(InferenceError::inference("creating an input", e));
        let own = self.inputs_must_own();
        let mut values = Vec::with_capacity(inputs.len());
        for (name, (tensor, shape)) in inputs.iter_mut() {
            let shape = shape.clone();
            let host = if own {
                // Prepared to be owned, the values are copied out of any mapping already.
                NetworkValue::Owned(match std::mem::take(tensor).copied() {
                    TensorValues::F32(data) => Tensor::from_array((shape, data)).map_err(fail)?.into_dyn(),
                    TensorValues::F16(data) => Tensor::from_array((shape, data)).map_err(fail)?.into_dyn(),
                    TensorValues::Mapped(..) => unreachable!("copied values are out of their mapping"),
                })
            } else {
                let tensor: &'a TensorValues = tensor;
                NetworkValue::Borrowed(match tensor.view().expect("prepared tensors can be viewed") {
                    TensorView::F32(data) => TensorRef::from_array_view((shape, data)).map_err(fail)?.into_dyn(),
                    TensorView::F16(data) => TensorRef::from_array_view((shape, data)).map_err(fail)?.into_dyn(),
                })
            };
            let element = host.dtype().tensor_type();
            let value = match (element, &mut self.input_cast) {
                (Some(TensorElementType::Float16), Some(cast)) => NetworkValue::Owned(cast.widen(&host)?),
                // Packed as f16 without a cast on the device (f16 forced on the CPU provider).
                (Some(TensorElementType::Float16), None) => NetworkValue::Owned(widen_on_host(&host).map_err(fail)?),
                _ => host,
            };
            values.push((name.clone(), value));
        }
        Ok(values)
    }

    /// The graph's inputs in the card's order, and the padded (height, width): the frame's
    /// GPU-packed tensors when it has them, else made here from its RGB and features.
    fn tensors(&self, mut frame: FrameInputs) -> Result<((usize, usize), NamedInputs), FusionError> {
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
        let own = self.inputs_must_own();
        let mut packed = frame.packed.take();
        if let Some(p) = &packed
            && (p.recipe != self.recipe || p.padded != padded)
        {
            return Err(FusionError::Input(format!(
                "the frame's tensors were packed for another network than {} (normalisation, scale or padding differ)",
                self.model_path.display()
            )));
        }
        let inputs =
            card.inputs
                .iter()
                .map(|name| {
                    let (channels, values) = if name == RGB_INPUT {
                        let values = match packed.as_mut() {
                            Some(p) => std::mem::take(&mut p.rgb),
                            None => rgb_nchw(&frame.rgb8, frame.width, frame.height, card.mean3(), card.std3(), padded)
                                .into(),
                        };
                        (3, values)
                    } else {
                        debug_assert_eq!(name, FEATURES_INPUT, "the card validated its input names");
                        let d = card.feature_dim;
                        let values = match packed.as_mut() {
                            Some(p) => std::mem::take(&mut p.features),
                            None => {
                                features_nchw(&frame.features, frame.width, frame.height, d, card.feature_scale, padded)
                                    .into()
                            }
                        };
                        (d, values)
                    };
                    let shape = vec![1, channels, padded.0, padded.1];
                    (name.clone(), (viewable(values, own), shape))
                })
                .collect();
        Ok((padded, inputs))
    }
}

/// A frame's tensors, ready for the network.
struct Prepared {
    width: usize,
    height: usize,
    padded: (usize, usize),
    inputs: NamedInputs,
}

/// One tensor's values as the network takes them: left where they are (a mapping is read in
/// place), unless the network must own them ([`FusionModel::inputs_must_own`]: copied out of
/// the mapping here) or the mapping cannot be viewed as its element type.
fn viewable(values: TensorValues, own: bool) -> TensorValues {
    if !own && values.view().is_some() { values } else { values.copied() }
}

/// An f16 host tensor as f32.
fn widen_on_host(value: &DynValue) -> ort::Result<DynValue> {
    let (shape, data) = value.try_extract_tensor::<half::f16>()?;
    let wide: Vec<f32> = data.iter().map(|h| h.to_f32()).collect();
    Ok(Tensor::from_array((shape.to_vec(), wide))?.into_dyn())
}

/// An input value for the network: a view of the prepared tensor's host memory, or values of
/// its own (widened on the network's device, or on the host).
enum NetworkValue<'a> {
    Borrowed(DynValueRef<'a>),
    Owned(DynValue),
}

impl std::ops::Deref for NetworkValue<'_> {
    type Target = DynValue;

    fn deref(&self) -> &DynValue {
        match self {
            NetworkValue::Borrowed(value) => value,
            NetworkValue::Owned(value) => value,
        }
    }
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

#[cfg(test)]
mod first_frame_fallback_tests;
