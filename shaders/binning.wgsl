// From per-Gaussian splats to per-tile, depth-ordered lists:
//   compact     visible Gaussians (scanned flags give each its slot) -> depth keys + indices
//   (depth sort, on the GPU radix sorter)
//   tile_count  tiles touched by each visible splat, in depth order
//   (exclusive scan of those counts -> each splat's first pair slot, and the pair total)
//   emit        one (tile id, Gaussian) pair per touched tile, in depth order
//   (stable radix sort of the pairs by tile id keeps depth order inside each tile)
//   ranges      each tile's [start, end) in the sorted pair list
// Indirect dispatch sizes come from dispatch_setup.wgsl; no CPU read-back.

@group(0) @binding(0) var<uniform> frame: FrameUniforms;
@group(0) @binding(1) var<storage, read_write> counters: array<u32>;
@group(0) @binding(2) var<storage, read> splat_b: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> splat_rect: array<vec2<u32>>;
// Scanned visibility flags (exclusive): Gaussian i's slot among visible splats.
@group(0) @binding(4) var<storage, read> visible_slot: array<u32>;
@group(0) @binding(5) var<storage, read_write> depth_keys: array<u32>;
@group(0) @binding(6) var<storage, read_write> depth_vals: array<u32>;
// Tile counts per visible splat, scanned in place into pair offsets.
@group(0) @binding(7) var<storage, read_write> pair_offsets: array<u32>;
@group(0) @binding(8) var<storage, read_write> pair_keys: array<u32>;
@group(0) @binding(9) var<storage, read_write> pair_vals: array<u32>;
@group(0) @binding(10) var<storage, read_write> tile_ranges: array<vec2<u32>>;

fn rect_of(i: u32) -> vec4<u32> {
    let r = splat_rect[i];
    return vec4<u32>(r.x & 0xffffu, r.x >> 16u, r.y & 0xffffu, r.y >> 16u);
}

@compute @workgroup_size(256)
fn compact(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wg, nwg, lid);
    if (i >= frame.num_gaussians) {
        return;
    }
    let r = splat_rect[i];
    if (r.x == 0u && r.y == 0u) {
        return;
    }
    let k = visible_slot[i];
    // Depths are positive (beyond the near plane), so their bits sort like the values.
    depth_keys[k] = bitcast<u32>(splat_b[i].z);
    depth_vals[k] = i;
}

@compute @workgroup_size(256)
fn tile_count(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
    let k = linear_index(wg, nwg, lid);
    if (k >= counters[COUNT_VISIBLE]) {
        return;
    }
    let r = rect_of(depth_vals[k]);
    pair_offsets[k] = (r.z - r.x) * (r.w - r.y);
}

@compute @workgroup_size(256)
fn emit(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
    let k = linear_index(wg, nwg, lid);
    if (k >= counters[COUNT_VISIBLE]) {
        return;
    }
    let i = depth_vals[k];
    let r = rect_of(i);
    var slot = pair_offsets[k];
    for (var ty = r.y; ty < r.w; ty = ty + 1u) {
        for (var tx = r.x; tx < r.z; tx = tx + 1u) {
            if (slot < frame.pair_capacity) {
                pair_keys[slot] = ty * frame.tiles_x + tx;
                pair_vals[slot] = i;
            }
            slot = slot + 1u;
        }
    }
}

@compute @workgroup_size(256)
fn ranges(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
    let p = linear_index(wg, nwg, lid);
    let n = counters[COUNT_PAIRS_KEPT];
    if (p >= n) {
        return;
    }
    let tile = pair_keys[p];
    if (p == 0u || pair_keys[p - 1u] != tile) {
        tile_ranges[tile].x = p;
    }
    if (p + 1u == n || pair_keys[p + 1u] != tile) {
        tile_ranges[tile].y = p + 1u;
    }
}
