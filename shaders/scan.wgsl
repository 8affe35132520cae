// Exclusive prefix sum over u32, reduce-then-scan in three kernels, with no dependence on
// forward progress between workgroups (DESIGN.md: chained scans break on lavapipe and Apple).
//
// A block is 1024 elements (256 threads x 4). Elements at or beyond `count` (read from a
// buffer, so it can be a GPU-side count) are treated as zero. Levels: `reduce_blocks` writes
// one sum per block into `block_sums`; the block sums are scanned recursively with the same
// kernels (the host stacks levels until one block remains); `scan_blocks` scans each block
// and adds its scanned block offset. `total` receives the sum of all elements.

struct ScanParams {
    // Offset (in u32s) of the element count inside `count_buf`.
    count_index: u32,
    // Elements per block-sum slot at this level (1 at the first level); the count read from
    // the buffer is divided by it, rounded up, to get this level's element count.
    count_divisor: u32,
    // Non-zero: write the grand total to total[total_index].
    write_total: u32,
    total_index: u32,
}

const WG: u32 = 256u;
const PER_THREAD: u32 = 4u;
const BLOCK: u32 = 1024u;

@group(0) @binding(0) var<uniform> params: ScanParams;
@group(0) @binding(1) var<storage, read_write> count_buf: array<u32>;
@group(0) @binding(2) var<storage, read_write> data: array<u32>;
@group(0) @binding(3) var<storage, read_write> block_sums: array<u32>;
@group(0) @binding(4) var<storage, read_write> total: array<u32>;

var<workgroup> sums: array<u32, 256>;

fn level_count() -> u32 {
    let c = count_buf[params.count_index];
    return (c + params.count_divisor - 1u) / params.count_divisor;
}

fn block_index(wg: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return wg.x + wg.y * nwg.x;
}

fn load(i: u32, n: u32) -> u32 {
    if (i < n && i < arrayLength(&data)) {
        return data[i];
    }
    return 0u;
}

// Inclusive scan of `sums` across the workgroup (Hillis-Steele; 8 steps for 256 lanes).
fn workgroup_inclusive_scan(lid: u32) {
    for (var offset = 1u; offset < WG; offset = offset << 1u) {
        workgroupBarrier();
        var v = 0u;
        if (lid >= offset) {
            v = sums[lid - offset];
        }
        workgroupBarrier();
        sums[lid] = sums[lid] + v;
    }
    workgroupBarrier();
}

@compute @workgroup_size(256)
fn reduce_blocks(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    let n = level_count();
    let b = block_index(wg, nwg);
    let base = b * BLOCK + lid * PER_THREAD;
    var s = 0u;
    for (var k = 0u; k < PER_THREAD; k = k + 1u) {
        s = s + load(base + k, n);
    }
    sums[lid] = s;
    workgroupBarrier();
    for (var stride = WG / 2u; stride > 0u; stride = stride >> 1u) {
        if (lid < stride) {
            sums[lid] = sums[lid] + sums[lid + stride];
        }
        workgroupBarrier();
    }
    if (lid == 0u && b < arrayLength(&block_sums)) {
        block_sums[b] = sums[0];
    }
}

@compute @workgroup_size(256)
fn scan_blocks(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    let n = level_count();
    let b = block_index(wg, nwg);
    let base = b * BLOCK + lid * PER_THREAD;
    var v: array<u32, 4>;
    var s = 0u;
    for (var k = 0u; k < PER_THREAD; k = k + 1u) {
        v[k] = load(base + k, n);
        s = s + v[k];
    }
    sums[lid] = s;
    workgroup_inclusive_scan(lid);
    // The scanned block sums hold this block's offset (exclusive) when there is more than
    // one block; a single-block level has none.
    var offset = 0u;
    if (arrayLength(&block_sums) > 1u && b < arrayLength(&block_sums)) {
        offset = block_sums[b];
    }
    var running = offset + sums[lid] - s;
    for (var k = 0u; k < PER_THREAD; k = k + 1u) {
        let i = base + k;
        if (i < n && i < arrayLength(&data)) {
            data[i] = running;
        }
        running = running + v[k];
    }
    let blocks = (n + BLOCK - 1u) / BLOCK;
    if (params.write_total != 0u && lid == WG - 1u && (b + 1u == blocks || (n == 0u && b == 0u))) {
        total[params.total_index] = running;
    }
}
