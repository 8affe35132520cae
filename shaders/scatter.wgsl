// Lifting's scatter, the transpose of the raster: every pixel hands its K-vector
// values[p] to the Gaussians that made it, each weighted by its blending weight alpha*T, so a
// Gaussian g collects sums[g][c] += sum_p w_gp values[p][c] and weights[g] += sum_p w_gp (pixels
// whose vector is all zero still add their weight). One 16x16 workgroup per tile over the
// frame's depth-sorted tile lists, one pixel per invocation, with the raster's rules exactly
// (src/render/lift.rs is the CPU reference): power > 0 skipped, alpha = min(0.99, o e^power),
// alpha < 1/255 skipped, stop before blending when T(1-alpha) < 1e-4; the workgroup stops once
// every pixel of the tile has saturated.
//
// WGSL has no float atomics, so each add into global memory is a compare-exchange loop on the
// f32's bits; to keep those few the workgroup reduces first. The tile's list is taken in
// chunks of CHUNK entries:
// 1. every pixel walks the chunk in depth order with its running T and, for each entry it
//    gives weight to, appends (its pixel, alpha*T) to that entry's list in workgroup memory;
// 2. the invocations split the chunk's (entry, group of four channels) pairs -- adjacent
//    invocations on adjacent groups, so the value reads of one pixel are contiguous -- each
//    sums its entry's list (w * values[p*K + c] for its four c, and w for the weight) and adds
//    each non-zero sum into global memory once.
// So a tile costs at most (entries that took weight) x (K + 1) atomics rather than one per
// pixel, entry and channel, and the reduction costs what the pixels gave, not 256 per entry.
// (Four channels a thread rather than one: a third less time on lavapipe, where a loop
// iteration's overhead outweighs its arithmetic.)
// The lists are appended in whatever order the pixels arrive: the sums are the reference's up
// to float rounding (so is the order in which tiles add into a Gaussian).

// Specialised per channel count by the host, as FEATURE_DIM is in the raster.
const K: u32 = {{K}}u;
// Phase 2 works on channels four at a time (a group's loads are one 16-byte run of a pixel's
// row); group 0 also sums the weight, so there is one group even when K is 0.
const GROUPS: u32 = max((K + 3u) / 4u, 1u);
// The last channel (0 for K = 0, when no value is read): channels past it read it instead.
const LAST: u32 = max(K, 1u) - 1u;
// Entries per chunk, and the chunk's list slots (256 per entry) and packed pixel words (four
// 8-bit tile-pixel indices each): sized by the host to fit 16 KiB of workgroup memory, the
// least any device offers.
const CHUNK: u32 = {{CHUNK}}u;
const SLOTS: u32 = {{SLOTS}}u;
const PIXEL_WORDS: u32 = {{PIXEL_WORDS}}u;

// Group 0 is the frame target's (made once per target), group 1 the lift's: its per-pixel
// input and the per-Gaussian sums it accumulates over views.
@group(0) @binding(0) var<uniform> frame: FrameUniforms;
@group(0) @binding(1) var<storage, read> counters: array<u32>;
@group(0) @binding(2) var<storage, read> tile_ranges: array<vec2<u32>>;
@group(0) @binding(3) var<storage, read> pair_vals: array<u32>;
@group(0) @binding(4) var<storage, read> splat_a: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> splat_b: array<vec4<f32>>;

// [pixels][K], row-major.
@group(1) @binding(0) var<storage, read> values: array<f32>;
// [gaussians][K] and [gaussians], f32 bits.
@group(1) @binding(1) var<storage, read_write> sums: array<atomic<u32>>;
@group(1) @binding(2) var<storage, read_write> weights: array<atomic<u32>>;

var<workgroup> s_mean_conic: array<vec4<f32>, CHUNK>;
var<workgroup> s_conic_z_opacity_depth: array<vec4<f32>, CHUNK>;
var<workgroup> s_gaussian: array<u32, CHUNK>;
// Per entry of the chunk: how many pixels gave it weight, their weights (slot s of entry e at
// e * 256 + s) and their tile-pixel indices, packed four to a word so that the chunk fits.
var<workgroup> s_count: array<atomic<u32>, CHUNK>;
var<workgroup> s_weight: array<f32, SLOTS>;
var<workgroup> s_pixel: array<atomic<u32>, PIXEL_WORDS>;
var<workgroup> done_count: atomic<u32>;
var<workgroup> all_done: u32;

// sums[i] += v, as f32.
fn add_to_sum(i: u32, v: f32) {
    var old = atomicLoad(&sums[i]);
    loop {
        let r = atomicCompareExchangeWeak(&sums[i], old, bitcast<u32>(bitcast<f32>(old) + v));
        if (r.exchanged) {
            break;
        }
        old = r.old_value;
    }
}

// weights[i] += v, as f32.
fn add_to_weight(i: u32, v: f32) {
    var old = atomicLoad(&weights[i]);
    loop {
        let r = atomicCompareExchangeWeak(&weights[i], old, bitcast<u32>(bitcast<f32>(old) + v));
        if (r.exchanged) {
            break;
        }
        old = r.old_value;
    }
}

@compute @workgroup_size(16, 16)
fn scatter(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
    // The binning runs in the same submit, so only the GPU knows whether the pair list
    // overflowed; a truncated list must add nothing, because the host then encodes the view
    // again with a larger one and this pass runs a second time.
    if (counters[COUNT_OVERFLOW] != 0u) {
        return;
    }
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
    let range = tile_ranges[tile];
    let n = select(0u, range.y - range.x, range.y > range.x);
    let chunks = (n + CHUNK - 1u) / CHUNK;
    for (var b = 0u; b < chunks; b = b + 1u) {
        // Also keeps the previous chunk's lists until every invocation has summed them.
        workgroupBarrier();
        if (lid == 0u) {
            all_done = atomicLoad(&done_count);
        }
        if (workgroupUniformLoad(&all_done) == 256u) {
            break;
        }
        let first = range.x + b * CHUNK;
        let len = min(CHUNK, n - b * CHUNK);
        if (lid < len) {
            let i = pair_vals[first + lid];
            s_mean_conic[lid] = splat_a[i];
            s_conic_z_opacity_depth[lid] = splat_b[i];
            s_gaussian[lid] = i;
        }
        if (lid < CHUNK) {
            atomicStore(&s_count[lid], 0u);
        }
        for (var w = lid; w < PIXEL_WORDS; w = w + 256u) {
            atomicStore(&s_pixel[w], 0u);
        }
        workgroupBarrier();

        // Phase 1: each pixel's weights, appended to the lists of the entries they go to.
        if (!done) {
            for (var k = 0u; k < len; k = k + 1u) {
                let alpha = splat_alpha(s_mean_conic[k], s_conic_z_opacity_depth[k], pixf);
                if (alpha == 0.0) {
                    continue;
                }
                let test_t = t * (1.0 - alpha);
                if (test_t < 0.0001) {
                    done = true;
                    atomicAdd(&done_count, 1u);
                    break;
                }
                let slot = k * 256u + atomicAdd(&s_count[k], 1u);
                s_weight[slot] = alpha * t;
                atomicOr(&s_pixel[slot / 4u], lid << ((slot % 4u) * 8u));
                t = test_t;
            }
        }
        workgroupBarrier();

        // Phase 2: four sums per (entry, channel group) and the entry's weight from group 0,
        // one atomic add per non-zero sum. Channels past K (the last group of a K that is not
        // a multiple of 4) read the last one and are never added.
        for (var q = lid; q < len * GROUPS; q = q + 256u) {
            let e = q / GROUPS;
            let c0 = (q - e * GROUPS) * 4u;
            let count = atomicLoad(&s_count[e]);
            var acc = vec4<f32>(0.0);
            var wsum = 0.0;
            for (var s = 0u; s < count; s = s + 1u) {
                let slot = e * 256u + s;
                let w = s_weight[slot];
                wsum = wsum + w;
                if (K > 0u) {
                    let l = (atomicLoad(&s_pixel[slot / 4u]) >> ((slot % 4u) * 8u)) & 0xffu;
                    let row = ((wg.y * TILE + l / TILE) * frame.width + wg.x * TILE + l % TILE) * K;
                    let v = vec4<f32>(values[row + min(c0, LAST)], values[row + min(c0 + 1u, LAST)],
                                      values[row + min(c0 + 2u, LAST)], values[row + min(c0 + 3u, LAST)]);
                    acc = acc + w * v;
                }
            }
            let g = s_gaussian[e];
            if (c0 == 0u && wsum != 0.0) {
                add_to_weight(g, wsum);
            }
            for (var j = 0u; j < 4u; j = j + 1u) {
                if (c0 + j < K && acc[j] != 0.0) {
                    add_to_sum(g * K + c0 + j, acc[j]);
                }
            }
        }
    }
}
