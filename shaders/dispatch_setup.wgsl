// Turns GPU-side counts into indirect dispatch sizes (its own bindings: a buffer cannot be
// bound for writing in the same dispatch scope that uses it as the indirect argument).

@group(0) @binding(0) var<uniform> frame: FrameUniforms;
@group(0) @binding(1) var<storage, read_write> counters: array<u32>;
@group(0) @binding(2) var<storage, read_write> dispatch: array<u32>;

const MAX_GROUPS_X: u32 = 65535u;

fn write_dispatch(slot: u32, items: u32) {
    let groups = (items + 255u) / 256u;
    let x = min(groups, MAX_GROUPS_X);
    let y = select(1u, (groups + MAX_GROUPS_X - 1u) / MAX_GROUPS_X, groups > 0u);
    dispatch[slot * 3u] = max(x, 1u);
    dispatch[slot * 3u + 1u] = y;
    dispatch[slot * 3u + 2u] = 1u;
}

// Dispatch sizes for the per-visible-splat passes (slot 0).
@compute @workgroup_size(1)
fn setup_visible() {
    write_dispatch(0u, counters[COUNT_VISIBLE]);
}

// Dispatch sizes for the per-pair pass (slot 1), with the pair count clamped to capacity.
@compute @workgroup_size(1)
fn setup_pairs() {
    let needed = counters[COUNT_PAIRS];
    let kept = min(needed, frame.pair_capacity);
    counters[COUNT_PAIRS_KEPT] = kept;
    counters[COUNT_OVERFLOW] = select(0u, 1u, needed > frame.pair_capacity);
    write_dispatch(1u, kept);
}

