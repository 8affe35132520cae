//! Stage (1) of the method: the whole scene through the encoder, once, with per-stage times.
//!
//! Scenes whose voxel count exceeds `max_voxels` are cut into spatially coherent chunks (runs
//! of 0.8 m cells along a Morton curve) encoded one after another; the attribute
//! normalisation stays global so chunks agree on colour, position and size scales.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use super::error::EncoderError;
use super::indices::{SceneIndices, grid_origin, morton, unique_coords, voxel_coords};
use super::inputs::{ATTRIBUTES, GAUSS_FEAT, VOXEL_FEAT, attributes, gauss_features, voxel_features};
use super::session::{EncoderSession, InputTensor};
use crate::scene::Scene;

/// Default voxel budget of one pass: stage 0's xCPE gather holds 27 × 32 floats per voxel and
/// attention ~1 KiB per voxel, so 600k voxels stay near 3 GB.
pub const DEFAULT_MAX_VOXELS: usize = 600_000;

#[derive(Debug, Clone, Default)]
/// Time spent in each step of encoding a scene, summed over chunks, milliseconds.
pub struct StageTimes {
    /// Computing the per-Gaussian float attributes.
    pub attributes_ms: f64,
    /// Building voxel, neighbour, patch and pooling index tables.
    pub indices_ms: f64,
    /// Building the float input tensors.
    pub inputs_ms: f64,
    /// Running the network.
    pub inference_ms: f64,
}

#[derive(Debug, Clone)]
/// The encoder's output for a scene, with what it took.
pub struct EncodedScene {
    /// `[gaussians, dim]` row-major, each row unit length.
    pub features: Vec<f32>,
    /// Features per Gaussian.
    pub dim: usize,
    /// Voxels over all chunks (stage 0).
    pub voxels: usize,
    /// Chunks the scene was cut into (1 when it fits `max_voxels`).
    pub chunks: usize,
    /// Per-step times.
    pub times: StageTimes,
}

/// Runs the encoder over `scene` (already in metres), in chunks of at most `max_voxels`
/// voxels; `progress` shows a bar. Refuses empty scenes and non-finite inputs.
pub fn encode_scene(
    session: &mut EncoderSession,
    scene: &Scene,
    max_voxels: usize,
    progress: bool,
) -> Result<EncodedScene, EncoderError> {
    if scene.is_empty() {
        return Err(EncoderError::EmptyScene);
    }
    check_finite(scene)?;
    let grid = session.card.grid;
    let dim = session.card.feature_dim;
    let mut times = StageTimes::default();
    let t = Instant::now();
    let attrs = attributes(scene, session.card.input_rule());
    times.attributes_ms = ms(t);
    let chunks = split_into_chunks(&scene.positions, grid, max_voxels.max(1));
    let bar = progress_bar(progress, chunks.len());
    let mut features = vec![0.0f32; scene.len() * dim];
    let mut voxels = 0;
    for (i, members) in chunks.iter().enumerate() {
        bar.set_message(format!("chunk {}/{}", i + 1, chunks.len()));
        let positions: Vec<[f32; 3]> = members.iter().map(|&g| scene.positions[g]).collect();
        let part_attrs: Vec<[f64; ATTRIBUTES]> = members.iter().map(|&g| attrs[g]).collect();
        let (inputs, v) = build_inputs(session, &positions, &part_attrs, grid, &mut times);
        voxels += v;
        let t = Instant::now();
        let out = session.run(inputs)?;
        times.inference_ms += ms(t);
        if out.len() != members.len() * dim {
            return Err(EncoderError::inference(
                "reading the encoder output",
                format!("{} values for {} Gaussians × {dim}", out.len(), members.len()),
            ));
        }
        for (row, &g) in members.iter().enumerate() {
            features[g * dim..(g + 1) * dim].copy_from_slice(&out[row * dim..(row + 1) * dim]);
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(EncodedScene { features, dim, voxels, chunks: chunks.len(), times })
}

/// The encoder reads positions, SH DC, opacity and log-scales; any NaN/Inf there would
/// silently poison a whole voxel's neighbourhood.
fn check_finite(scene: &Scene) -> Result<(), EncoderError> {
    let coeffs = scene.sh_coeffs();
    for i in 0..scene.len() {
        let what = if !scene.positions[i].iter().all(|v| v.is_finite()) {
            "position"
        } else if !scene.log_scales[i].iter().all(|v| v.is_finite()) {
            "scale"
        } else if !scene.opacity_logits[i].is_finite() {
            "opacity"
        } else if !scene.sh[i * coeffs * 3..i * coeffs * 3 + 3].iter().all(|v| v.is_finite()) {
            "colour"
        } else {
            continue;
        };
        return Err(EncoderError::NonFinite { index: i, what });
    }
    Ok(())
}

/// Every graph input for one chunk, by the names the card lists.
fn build_inputs(
    session: &EncoderSession,
    positions: &[[f32; 3]],
    attrs: &[[f64; ATTRIBUTES]],
    grid: f64,
    times: &mut StageTimes,
) -> (Vec<(String, InputTensor)>, usize) {
    let card = &session.card;
    let t = Instant::now();
    let idx = SceneIndices::build(positions, grid, card.stages, &card.wanted_patches());
    times.indices_ms += ms(t);
    let t = Instant::now();
    let v0 = idx.stages[0].coords.len();
    let voxel_feat = voxel_features(attrs, &idx.gauss_voxel, v0, card.input_rule());
    let gauss_feat = gauss_features(positions, attrs, &idx.stages[0].coords, &idx.gauss_voxel, grid);
    times.inputs_ms += ms(t);
    let mut tensors = named_index_tensors(idx);
    tensors.push(("voxel_feat".into(), InputTensor::F32 { shape: vec![v0, VOXEL_FEAT], data: voxel_feat }));
    tensors
        .push(("gauss_feat".into(), InputTensor::F32 { shape: vec![positions.len(), GAUSS_FEAT], data: gauss_feat }));
    // Feed in the card's order; the session checked the card against the graph.
    let mut ordered = Vec::with_capacity(card.inputs.len());
    for name in &card.inputs {
        if let Some(pos) = tensors.iter().position(|(n, _)| n == name) {
            ordered.push(tensors.swap_remove(pos));
        }
    }
    (ordered, v0)
}

/// The index tensors under their ONNX input names (`nbr_s0`, `patch_s1_z-trans`, ...).
pub fn named_index_tensors(idx: SceneIndices) -> Vec<(String, InputTensor)> {
    let i64s = |shape: Vec<usize>, data: Vec<i64>| InputTensor::I64 { shape, data };
    let mut out = vec![("gauss_voxel".to_string(), i64s(vec![idx.gauss_voxel.len()], idx.gauss_voxel))];
    for (s, stage) in idx.stages.into_iter().enumerate() {
        let v = stage.coords.len();
        out.push((format!("nbr_s{s}"), i64s(vec![v, 27], stage.neighbours)));
        for p in stage.patches {
            let name = p.order.name();
            out.push((format!("patch_s{s}_{name}"), i64s(vec![p.patches, p.patch_len], p.table)));
            out.push((format!("unpatch_s{s}_{name}"), i64s(vec![v], p.inverse)));
        }
    }
    for (s, pool) in idx.pools.into_iter().enumerate() {
        let parents = pool.children.len() / 8;
        out.push((format!("pool_s{s}"), i64s(vec![parents, 8], pool.children)));
        out.push((format!("unpool_s{s}"), i64s(vec![pool.parent.len()], pool.parent)));
    }
    out
}

/// Gaussian index lists, one per pass. One chunk (all Gaussians, in order) when the scene fits.
pub fn split_into_chunks(positions: &[[f32; 3]], grid: f64, max_voxels: usize) -> Vec<Vec<usize>> {
    // A scene has at most one voxel per Gaussian: below the budget there is nothing to count.
    if positions.len() <= max_voxels {
        return vec![(0..positions.len()).collect()];
    }
    let coords = voxel_coords(positions, grid_origin(positions), grid);
    let (voxels, gauss_voxel) = unique_coords(&coords);
    if voxels.len() <= max_voxels {
        return vec![(0..positions.len()).collect()];
    }
    // Voxels per 16³-voxel cell, cells ordered along a Morton curve, cut greedily.
    let cell_of = |c: [i64; 3]| morton(c[0] >> 4, c[1] >> 4, c[2] >> 4);
    let mut cells: Vec<(i64, usize)> = voxels.iter().map(|&c| (cell_of(c), 1)).collect();
    cells.sort_unstable();
    cells.dedup_by(|b, a| {
        let same = a.0 == b.0;
        if same {
            a.1 += b.1;
        }
        same
    });
    let mut cell_chunk = std::collections::HashMap::with_capacity(cells.len());
    let (mut chunk, mut filled) = (0usize, 0usize);
    for (cell, count) in cells {
        if filled > 0 && filled + count > max_voxels {
            chunk += 1;
            filled = 0;
        }
        filled += count;
        cell_chunk.insert(cell, chunk);
    }
    let mut chunks = vec![Vec::new(); chunk + 1];
    for (g, &v) in gauss_voxel.iter().enumerate() {
        chunks[cell_chunk[&cell_of(voxels[v as usize])]].push(g);
    }
    chunks.retain(|c| !c.is_empty());
    chunks
}

fn progress_bar(show: bool, chunks: usize) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(chunks as u64);
    bar.set_style(
        ProgressStyle::with_template("encoding {bar:30} {pos}/{len} {msg} [{elapsed_precise}]")
            .expect("the progress template is valid"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}
