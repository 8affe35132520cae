// Display pass of the viewer: turns one splatting frame's output buffers into an rgba8unorm
// image per view (colour, semantic overlay, PCA features, depth). Values are display-ready
// (no gamma, like the reference trainer's PNGs) and rounded to 8 bits here exactly as
// `rtgs2 render` rounds them, so a view shows the same bytes a rendered PNG holds.
//
// A frame whose (Gaussian, tile) pair buffer overflowed is incomplete: both entry points then
// leave the textures alone, so the previous image stays up while the host grows the buffers.

struct PresentParams {
    width: u32,
    height: u32,
    // One of the MODE_* constants.
    mode: u32,
    // Channels per pixel in out_features (the PCA colours use 4).
    feature_dim: u32,
    // Semantic overlay opacity over the colour image, 0..1.
    opacity: f32,
    // Which class map the semantic view colours: one of the SOURCE_* constants.
    label_source: u32,
    // Size of pred_labels (the fusion network's inference resolution).
    pred_width: u32,
    pred_height: u32,
}

const MODE_RGB: u32 = 0u;
const MODE_SEMANTIC: u32 = 1u;
const MODE_FEATURES: u32 = 2u;
const MODE_DEPTH: u32 = 3u;
const COUNT_OVERFLOW: u32 = 3u;
const IGNORE_LABEL: u32 = 255u;
const UNLABELLED: u32 = 0u;
const NUM_CLASSES: u32 = 41u;
const SOURCE_NONE: u32 = 0u;
const SOURCE_GROUND_TRUTH: u32 = 1u;
const SOURCE_PREDICTION: u32 = 2u;

@group(0) @binding(0) var<uniform> params: PresentParams;
@group(0) @binding(1) var<storage, read> out_rgba: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> out_depth: array<f32>;
@group(0) @binding(3) var<storage, read> out_features: array<f32>;
@group(0) @binding(4) var<storage, read> out_labels: array<u32>;
@group(0) @binding(5) var<storage, read> counters: array<u32>;
// Per NYU40 class: ScanNet palette colour in rgb, 1 in w when the class is shown.
@group(0) @binding(6) var<uniform> classes: array<vec4<f32>, 41>;
// Smallest and largest depth of covered pixels, as f32 bit patterns (positive floats order
// like their bits): [0] holds the bitwise complement of the minimum so both use atomicMax.
@group(0) @binding(7) var<storage, read_write> depth_range: array<atomic<u32>, 2>;
@group(0) @binding(8) var view: texture_storage_2d<rgba8unorm, write>;
// The fusion network's latest class map (NYU40 ids), pred_width x pred_height; it may be
// smaller than the view (inference resolution) and is sampled nearest.
@group(0) @binding(9) var<storage, read> pred_labels: array<u32>;

fn incomplete() -> bool {
    return counters[COUNT_OVERFLOW] != 0u;
}

@compute @workgroup_size(8, 8)
fn depth_range_pass(@builtin(global_invocation_id) id: vec3<u32>) {
    if (id.x >= params.width || id.y >= params.height || incomplete()) {
        return;
    }
    let p = id.y * params.width + id.x;
    if (out_rgba[p].w > 0.0) {
        let bits = bitcast<u32>(max(out_depth[p], 0.0));
        atomicMax(&depth_range[0], ~bits);
        atomicMax(&depth_range[1], bits);
    }
}

// clamp(v, 0, 1) rounded to the nearest 8-bit step, like image_io::to_u8.
fn to_8bit(v: vec3<f32>) -> vec3<f32> {
    return floor(clamp(v, vec3<f32>(0.0), vec3<f32>(1.0)) * 255.0 + 0.5) / 255.0;
}

fn depth_grey(p: u32) -> vec3<f32> {
    if (out_rgba[p].w <= 0.0) {
        return vec3<f32>(0.0);
    }
    let lo = bitcast<f32>(~atomicLoad(&depth_range[0]));
    let hi = bitcast<f32>(atomicLoad(&depth_range[1]));
    let span = max(hi - lo, 1e-6);
    return vec3<f32>(1.0 - (out_depth[p] - lo) / span);
}

fn label_at(id: vec2<u32>, p: u32) -> u32 {
    if (params.label_source == SOURCE_GROUND_TRUTH) {
        return out_labels[p];
    }
    if (params.label_source == SOURCE_PREDICTION && params.pred_width > 0u && params.pred_height > 0u) {
        let px = min(id.x * params.pred_width / params.width, params.pred_width - 1u);
        let py = min(id.y * params.pred_height / params.height, params.pred_height - 1u);
        return pred_labels[py * params.pred_width + px];
    }
    return IGNORE_LABEL;
}

// As overlay::composite: no colour for unlabelled (0, also a prediction's pixels that the
// scene does not cover), ignored (255) or unknown ids.
fn semantic(id: vec2<u32>, p: u32, rgb: vec3<f32>) -> vec3<f32> {
    let label = label_at(id, p);
    if (label == UNLABELLED || label == IGNORE_LABEL || label >= NUM_CLASSES) {
        return rgb;
    }
    let colour = classes[label];
    if (colour.w == 0.0) {
        return rgb;
    }
    return mix(rgb, colour.xyz, params.opacity);
}

@compute @workgroup_size(8, 8)
fn present(@builtin(global_invocation_id) id: vec3<u32>) {
    if (id.x >= params.width || id.y >= params.height || incomplete()) {
        return;
    }
    let p = id.y * params.width + id.x;
    let rgb = out_rgba[p].xyz;
    var c = rgb;
    switch params.mode {
        case MODE_SEMANTIC: {
            c = semantic(id.xy, p, to_8bit(rgb));
        }
        case MODE_FEATURES: {
            if (params.feature_dim >= 3u) {
                let f = p * params.feature_dim;
                c = vec3<f32>(out_features[f], out_features[f + 1u], out_features[f + 2u]);
            } else {
                c = vec3<f32>(0.0);
            }
        }
        case MODE_DEPTH: {
            c = depth_grey(p);
        }
        default: {}
    }
    textureStore(view, vec2<i32>(i32(id.x), i32(id.y)), vec4<f32>(to_8bit(c), 1.0));
}
