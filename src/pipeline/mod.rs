//! Scene + models → per-view segmentation: the one path that `segment`, `eval`, `demo`,
//! `export-dataset` and `bench segment` use (and lifting will). A renderer is chosen
//! ([`renderer`]), the encoder's features are attached from the cache or computed
//! ([`features`]), and each view is rendered into the fusion network's tensors and predicted,
//! with its ground-truth labels when asked ([`segmenter`]). The command line only parses
//! arguments, prints and writes files.

pub mod features;
pub mod lift;
pub mod lift_cache;
pub mod lift_sums;
pub mod lift_viewpoints;
pub mod renderer;
pub mod segmenter;

pub use features::{FeatureWidthMismatch, ScaledFeatures, features_for, network_features, with_gravity_cues};
pub use lift::{LiftOptions, LiftTimings, LiftedLabels, lift, lift_views};
pub use lift_sums::LiftSums;
pub use renderer::{Backend, InputsView, Renderer, RendererError};
pub use segmenter::{EncoderInput, SegmentError, SegmentedView, Segmenter};
