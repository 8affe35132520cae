// Tile rasterizer: one 16x16 workgroup per tile, one pixel per invocation. The tile's splats
// (depth-sorted pairs) are staged through workgroup memory in batches of 256; every pixel
// blends RGB, depth, alpha, FEATURE_DIM feature channels and (LABELS) label weights in the
// same front-to-back loop, with the reference rules: power > 0 skipped, alpha =
// min(0.99, o e^power), alpha < 1/255 skipped, stop before blending when T(1-alpha) < 1e-4.
// The workgroup stops early once every pixel of the tile has saturated.

// Specialised per variant by the host (plain constants, not overrides, so that unused
// per-pixel accumulator arrays shrink to one element instead of living on the stack).
const FEATURE_DIM: u32 = {{FEATURE_DIM}}u;
const FEATURE_SLOTS: u32 = {{FEATURE_SLOTS}}u;
const LABELS: bool = {{LABELS}};
const LABEL_SLOTS: u32 = {{LABEL_SLOTS}}u;
const NUM_CLASSES: u32 = 41u;
// Splats staged per batch: 256 without features; fewer with them, so their f16 feature
// words fit in workgroup memory beside the rest (the host sizes it to the device limit).
const BATCH: u32 = {{BATCH}}u;
const FEATURE_WORDS: u32 = {{FEATURE_WORDS}}u;
// Features travel as vec4s (dimensions are multiples of 4).
const FEATURE_VEC4S: u32 = {{FEATURE_VEC4S}}u;
const IGNORE_LABEL: u32 = 255u;

// Group 0 is the scene's: the feature set and label buffer this frame splats (the scene keeps
// one group per such choice). Group 1 is the frame target's, made with the target.
@group(0) @binding(0) var<storage, read> feat0: array<u32>;
@group(0) @binding(1) var<storage, read> feat1: array<u32>;
@group(0) @binding(2) var<storage, read> feat2: array<u32>;
@group(0) @binding(3) var<storage, read> feat3: array<u32>;
@group(0) @binding(4) var<storage, read> labels: array<u32>;

@group(1) @binding(0) var<uniform> frame: FrameUniforms;
@group(1) @binding(1) var<storage, read> tile_ranges: array<vec2<u32>>;
@group(1) @binding(2) var<storage, read> pair_vals: array<u32>;
@group(1) @binding(3) var<storage, read> splat_a: array<vec4<f32>>;
@group(1) @binding(4) var<storage, read> splat_b: array<vec4<f32>>;
@group(1) @binding(5) var<storage, read> splat_rgb: array<vec4<f32>>;
@group(1) @binding(6) var<storage, read_write> out_rgba: array<vec4<f32>>;
@group(1) @binding(7) var<storage, read_write> out_depth: array<f32>;
@group(1) @binding(8) var<storage, read_write> out_features: array<f32>;
@group(1) @binding(9) var<storage, read_write> out_labels: array<u32>;

var<workgroup> s_mean_conic: array<vec4<f32>, BATCH>;
var<workgroup> s_conic_z_opacity_depth: array<vec4<f32>, BATCH>;
var<workgroup> s_rgb: array<vec4<f32>, BATCH>;
// Label ids of the staged splats (LABELS), read from the packed buffer once per tile instead
// of once per pixel and splat.
var<workgroup> s_label: array<u32, BATCH>;
// Features of the staged splats, decoded from f16 once per tile instead of loaded and decoded
// once per pixel.
var<workgroup> s_feat: array<vec4<f32>, {{FEATURE_STAGE}}>;
var<workgroup> done_count: atomic<u32>;
var<workgroup> all_done: u32;

// Packed f16 word w (channels 2w, 2w+1) of Gaussian i, from its split buffer.
fn feature_word(i: u32, w: u32) -> u32 {
    let part = i / frame.split_len;
    let j = (i - part * frame.split_len) * frame.feature_stride + w;
    switch part {
        case 0u: { return feat0[j]; }
        case 1u: { return feat1[j]; }
        case 2u: { return feat2[j]; }
        default: { return feat3[j]; }
    }
}

// Labels are packed four 8-bit ids per u32.
fn label_of(i: u32) -> u32 {
    return (labels[i / 4u] >> ((i % 4u) * 8u)) & 0xffu;
}

@compute @workgroup_size(16, 16)
fn raster(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
    let tile = wg.y * frame.tiles_x + wg.x;
    let px = wg.x * TILE + lid3.x;
    let py = wg.y * TILE + lid3.y;
    let inside = px < frame.width && py < frame.height;
    let pixf = vec2<f32>(f32(px), f32(py));

    if (lid == 0u) {
        atomicStore(&done_count, 0u);
    }
    workgroupBarrier();
    var done = !inside;
    if (done) {
        atomicAdd(&done_count, 1u);
    }

    var t = 1.0;
    var c = vec3<f32>(0.0);
    var d = 0.0;
    // Function-scope arrays start zeroed in WGSL.
    var feat: array<vec4<f32>, FEATURE_SLOTS>;
    var lw: array<f32, LABEL_SLOTS>;

    let range = tile_ranges[tile];
    let n = select(0u, range.y - range.x, range.y > range.x);
    let batches = (n + BATCH - 1u) / BATCH;
    for (var b = 0u; b < batches; b = b + 1u) {
        workgroupBarrier();
        if (lid == 0u) {
            all_done = atomicLoad(&done_count);
        }
        if (workgroupUniformLoad(&all_done) == 256u) {
            break;
        }
        let j = range.x + b * BATCH + lid;
        if (lid < BATCH && j < range.y) {
            let i = pair_vals[j];
            s_mean_conic[lid] = splat_a[i];
            s_conic_z_opacity_depth[lid] = splat_b[i];
            s_rgb[lid] = splat_rgb[i];
            if (LABELS) {
                s_label[lid] = min(label_of(i), NUM_CLASSES - 1u);
            }
        }
        // Feature words: the whole workgroup loads them cooperatively, coalesced per splat.
        let batch_len = min(BATCH, n - b * BATCH);
        if (FEATURE_DIM > 0u) {
            for (var e = lid; e < batch_len * FEATURE_WORDS; e = e + 256u) {
                let k = e / FEATURE_WORDS;
                let w = e - k * FEATURE_WORDS;
                let i = pair_vals[range.x + b * BATCH + k];
                let pair = unpack_f16x2(feature_word(i, w));
                // Word w holds channels 2w, 2w+1: half of vec4 number w / 2.
                let v = k * FEATURE_VEC4S + w / 2u;
                if ((w & 1u) == 0u) {
                    s_feat[v].x = pair.x;
                    s_feat[v].y = pair.y;
                } else {
                    s_feat[v].z = pair.x;
                    s_feat[v].w = pair.y;
                }
            }
        }
        workgroupBarrier();
        if (!done) {
            let count = batch_len;
            for (var k = 0u; k < count; k = k + 1u) {
                let zod = s_conic_z_opacity_depth[k];
                let alpha = splat_alpha(s_mean_conic[k], zod, pixf);
                if (alpha == 0.0) {
                    continue;
                }
                let test_t = t * (1.0 - alpha);
                if (test_t < 0.0001) {
                    done = true;
                    atomicAdd(&done_count, 1u);
                    break;
                }
                // value * alpha * T, the reference's association.
                c = c + s_rgb[k].xyz * alpha * t;
                d = d + zod.z * alpha * t;
                // Unrolled by the host (one statement per vec4, constant indices), so the
                // accumulators stay in registers: a loop over them, once its trip count passed
                // the compiler's unroll limit (36 channels on lavapipe), put them in memory and
                // cost the raster 60 %.
                let sk = k * FEATURE_VEC4S;
{{FEATURE_ACCUMULATE}}
                if (LABELS) {
                    let l = s_label[k];
                    lw[l] = lw[l] + alpha * t;
                }
                t = test_t;
            }
        }
        workgroupBarrier();
    }

    if (!inside) {
        return;
    }
    let p = py * frame.width + px;
    let acc = 1.0 - t;
    out_rgba[p] = vec4<f32>(c + t * frame.background.xyz, acc);
    out_depth[p] = select(0.0, d / acc, acc > 0.0);
    let fp = p * FEATURE_DIM;
{{FEATURE_STORE}}
    if (LABELS) {
        var best = 0u;
        for (var l = 1u; l < NUM_CLASSES; l = l + 1u) {
            if (lw[l] > lw[best]) {
                best = l;
            }
        }
        out_labels[p] = select(IGNORE_LABEL, best, acc >= 0.5);
    }
}
