//! rtgs2: open a 3D Gaussian Splatting scene and segment it semantically in real time
//! (the RT-GS2 method). See `DESIGN.md` in the shared folder for the data flow.
//!
//! Modules by concern:
//! - [`scene`]: the struct-of-arrays [`scene::Scene`], every file format, cameras.
//! - [`render`]: renderers; [`render::cpu`] is the exact reference (the oracle for the GPU path).
//! - [`encoder`]: per-Gaussian features from the self-supervised scene encoder (ONNX, cached).
//! - [`inference`]: ONNX Runtime set-up and sessions shared by the two networks.
//! - [`fusion`]: the per-frame fusion network (RGB + features → classes), on a worker thread.
//! - [`overlay`]: class colours over the image; [`eval`]: mIoU / mAcc / oAcc.
//! - [`dataset`]: fusion-network training data (rendered views as .npy).
//! - [`import`]: labelled scans (point clouds, meshes, ScanNet arrays) → labelled Gaussian scenes.
//! - [`synth`]: procedurally furnished, labelled indoor rooms (training and test data).
//! - [`classes`]: the NYU40 class set and the ScanNet palette.
//! - [`app`]: the interactive viewer (winit + egui), `rtgs2 view`.
//! - [`cli`]: the `rtgs2` command line.

// Index loops over colour channels and SH coefficients mirror the reference CUDA and our WGSL
// line by line, which is what makes them reviewable against each other.
#![allow(clippy::needless_range_loop)]

pub mod app;
pub mod classes;
pub mod cli;
pub mod dataset;
pub mod encoder;
pub mod eval;
pub mod fusion;
pub mod image_io;
pub mod import;
pub mod inference;
pub mod overlay;
pub mod pipeline;
pub mod render;
pub mod scene;
pub mod synth;
pub mod util;
