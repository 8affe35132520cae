// Radix sort, set-up pass: turns the element count (known on the CPU, or written by an earlier
// GPU pass and copied into `input.count`) into the per-call parameters and the indirect
// dispatch sizes of the sort passes, so the sort never reads anything back to the CPU.
// One invocation; it runs before every sort, which is what makes two sorts encoded into the
// same command buffer independent of each other.

// BLOCK, COPY_BLOCK and SortParams come from radix_sort_shared.wgsl.

// Mirrored by `SortInput` in src/render/gpu/sort.rs.
struct SortInput {
    count: u32,
    key_bits: u32,
    max_len: u32,
    // The device's max_compute_workgroups_per_dimension (smaller in tests, to exercise 2D).
    max_groups_x: u32,
}

@group(0) @binding(0) var<storage, read> input: SortInput;
@group(0) @binding(1) var<storage, read_write> params: SortParams;
// [0..3]: sort passes (one workgroup per block), [3..6]: final copy (odd pass counts).
@group(0) @binding(2) var<storage, read_write> indirect: array<u32, 6>;

// A grid of `groups` workgroups that respects the per-dimension limit: rows of `width`, and
// the shaders skip the excess of the last row.
fn grid_width(groups: u32, max_x: u32) -> u32 {
    return min(groups, max(max_x, 1u));
}

fn grid_height(groups: u32, width: u32) -> u32 {
    if (width == 0u) {
        return 0u;
    }
    return (groups + width - 1u) / width;
}

@compute @workgroup_size(1)
fn setup() {
    // A count written by a buggy earlier pass must not make the sort run past its buffers.
    let count = min(input.count, input.max_len);
    let num_blocks = (count + BLOCK - 1u) / BLOCK;
    let blocks_x = grid_width(num_blocks, input.max_groups_x);
    let copy_groups = (count + COPY_BLOCK - 1u) / COPY_BLOCK;
    let copy_x = grid_width(copy_groups, input.max_groups_x);

    params.count = count;
    params.key_bits = clamp(input.key_bits, 1u, 32u);
    params.num_blocks = num_blocks;
    params.blocks_x = blocks_x;
    params.hist_stride = (input.max_len + BLOCK - 1u) / BLOCK;
    params.copy_groups = copy_groups;
    params.copy_x = copy_x;
    params._pad = 0u;

    indirect[0] = blocks_x;
    indirect[1] = grid_height(num_blocks, blocks_x);
    indirect[2] = 1u;
    indirect[3] = copy_x;
    indirect[4] = grid_height(copy_groups, copy_x);
    indirect[5] = 1u;
}
