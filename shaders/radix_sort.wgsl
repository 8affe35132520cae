// Reduce-then-scan LSD radix sort of (u32 key, u32 value) pairs, 4 bits per pass.
//
// Per pass:  upsweep   one workgroup per block: the block's digit histogram -> hist[digit][block]
//            scan      one workgroup per digit: exclusive scan over the blocks, in place,
//                      and the digit's total -> hist[RADIX * stride + digit]
//            downsweep one workgroup per block: ranks its keys stably and scatters them.
// No workgroup ever waits on another one (no decoupled look-back, no spinning): each pass
// only reads what earlier dispatches wrote, so it is correct on any scheduler (lavapipe,
// Apple) — see DESIGN.md, "Rendering rules". No subgroup operations either: the stable
// ranking uses workgroup memory and barriers only, so any subgroup size works.
//
// Stable ranking: each invocation owns KPT *consecutive* keys of the block, counts them in its
// own column of a [digit][invocation] counter matrix (two 16-bit counters per u32), and a
// scan along each row gives, for every key, the number of equal digits held by earlier
// invocations; plus its rank among its own earlier keys, that is its rank among the block's
// equal digits in input order. Keys are then staged in workgroup memory in digit order so
// that the global writes come out as long contiguous runs.

// BLOCK (= WG * KPT), COPY_BLOCK and SortParams come from radix_sort_shared.wgsl.
const WG: u32 = 256u;
// Keys per invocation; a multiple of 4 because keys and values are loaded as vec4.
const KPT: u32 = 8u;
const RADIX_BITS: u32 = 4u;
const RADIX: u32 = 16u;
// Two 16-bit counters per u32 (a block has at most 2048 keys of one digit, < 65536).
const ROWS: u32 = 8u; // RADIX / 2
// The raking scan over the counter matrix: each invocation scans SEG counters of one row.
const SEG: u32 = 8u; // ROWS * WG / WG
const SEGS_PER_ROW: u32 = 32u; // WG / SEG
// Workgroup memory shared by the counter matrix (ROWS * WG) and the staged block (BLOCK).
const SMEM: u32 = 2048u;

// Mirrored by `PassInfo`; one per pass, fixed at creation (shift = 4 * pass index).
struct PassInfo {
    shift: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: SortParams;
@group(0) @binding(1) var<uniform> pass_info: PassInfo;
@group(0) @binding(2) var<storage, read> src_keys: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> src_values: array<vec4<u32>>;
@group(0) @binding(4) var<storage, read_write> dst_keys: array<u32>;
@group(0) @binding(5) var<storage, read_write> dst_values: array<u32>;
// [RADIX][hist_stride] per-block counts (scanned in place), then RADIX digit totals.
@group(0) @binding(6) var<storage, read_write> hist: array<u32>;

var<workgroup> smem: array<u32, SMEM>;
var<workgroup> partials: array<u32, WG>;
var<workgroup> row_totals: array<u32, ROWS>;
var<workgroup> digit_start: array<u32, RADIX>;
var<workgroup> digit_dst: array<u32, RADIX>;

fn digit_of(key: u32) -> u32 {
    // Only the low key_bits bits take part; the last pass may be narrower than 4 bits.
    let shift = pass_info.shift;
    let width = min(RADIX_BITS, params.key_bits - min(params.key_bits, shift));
    return extractBits(key, shift, width);
}

// Workgroups form a grid of rows of `blocks_x` (the per-dimension dispatch limit).
fn block_index(wid: vec3<u32>) -> u32 {
    return wid.x + wid.y * params.blocks_x;
}

// How many of this invocation's KPT consecutive keys exist (they form a prefix).
fn valid_keys(start: u32) -> u32 {
    if (start >= params.count) {
        return 0u;
    }
    return min(KPT, params.count - start);
}

fn load_keys(start: u32) -> array<u32, KPT> {
    var out: array<u32, KPT>;
    for (var q = 0u; q < KPT / 4u; q++) {
        let v = src_keys[start / 4u + q];
        out[4u * q] = v.x;
        out[4u * q + 1u] = v.y;
        out[4u * q + 2u] = v.z;
        out[4u * q + 3u] = v.w;
    }
    return out;
}

fn load_values(start: u32) -> array<u32, KPT> {
    var out: array<u32, KPT>;
    for (var q = 0u; q < KPT / 4u; q++) {
        let v = src_values[start / 4u + q];
        out[4u * q] = v.x;
        out[4u * q + 1u] = v.y;
        out[4u * q + 2u] = v.z;
        out[4u * q + 3u] = v.w;
    }
    return out;
}

fn counter_index(digit: u32, lid: u32) -> u32 {
    return (digit >> 1u) * WG + lid;
}

fn counter_shift(digit: u32) -> u32 {
    return (digit & 1u) * 16u;
}

// Counts this invocation's valid keys into its own column of the counter matrix (no other
// invocation touches that column, so no atomics) and returns each key's rank among its own
// earlier keys of the same digit.
fn count_column(lid: u32, digits: ptr<function, array<u32, KPT>>, valid: u32) -> array<u32, KPT> {
    for (var r = 0u; r < ROWS; r++) {
        smem[r * WG + lid] = 0u;
    }
    var rank: array<u32, KPT>;
    for (var j = 0u; j < KPT; j++) {
        if (j < valid) {
            let d = (*digits)[j];
            let at = counter_index(d, lid);
            let sh = counter_shift(d);
            let c = smem[at];
            rank[j] = (c >> sh) & 0xffffu;
            smem[at] = c + (1u << sh);
        }
    }
    return rank;
}

@compute @workgroup_size(WG)
fn upsweep(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let block = block_index(wid);
    if (block >= params.num_blocks) {
        return; // the unused tail of the last grid row
    }
    let start = block * BLOCK + lid * KPT;
    let valid = valid_keys(start);
    let keys = load_keys(start);
    var digits: array<u32, KPT>;
    for (var j = 0u; j < KPT; j++) {
        digits[j] = digit_of(keys[j]);
    }
    _ = count_column(lid, &digits, valid);
    workgroupBarrier();

    // Reduce each row: SEG counters per invocation, then one invocation per row.
    let row = lid / SEGS_PER_ROW;
    let col0 = (lid % SEGS_PER_ROW) * SEG;
    var sum = 0u;
    for (var i = 0u; i < SEG; i++) {
        sum += smem[row * WG + col0 + i];
    }
    partials[lid] = sum;
    workgroupBarrier();

    if (lid < ROWS) {
        var total = 0u;
        for (var s = 0u; s < SEGS_PER_ROW; s++) {
            total += partials[lid * SEGS_PER_ROW + s];
        }
        let stride = params.hist_stride;
        hist[(2u * lid) * stride + block] = total & 0xffffu;
        hist[(2u * lid + 1u) * stride + block] = total >> 16u;
    }
}

// Entries per scan chunk: four per invocation.
const SCAN_PER_THREAD: u32 = 4u;

@compute @workgroup_size(WG)
fn scan(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let digit = wid.x;
    let row = digit * params.hist_stride;
    let n = params.num_blocks;
    var carry = 0u;
    for (var chunk = 0u; chunk < n; chunk += WG * SCAN_PER_THREAD) {
        let first = chunk + lid * SCAN_PER_THREAD;
        var v: array<u32, SCAN_PER_THREAD>;
        var sum = 0u;
        for (var i = 0u; i < SCAN_PER_THREAD; i++) {
            var x = 0u;
            if (first + i < n) {
                x = hist[row + first + i];
            }
            v[i] = sum; // exclusive within this invocation
            sum += x;
        }
        partials[lid] = sum;
        workgroupBarrier();
        // Hillis-Steele inclusive scan of the per-invocation sums.
        for (var off = 1u; off < WG; off <<= 1u) {
            var p = partials[lid];
            if (lid >= off) {
                p += partials[lid - off];
            }
            workgroupBarrier();
            partials[lid] = p;
            workgroupBarrier();
        }
        let before = carry + partials[lid] - sum;
        for (var i = 0u; i < SCAN_PER_THREAD; i++) {
            if (first + i < n) {
                hist[row + first + i] = before + v[i];
            }
        }
        carry += partials[WG - 1u];
        workgroupBarrier(); // the next chunk overwrites partials
    }
    if (lid == 0u) {
        hist[RADIX * params.hist_stride + digit] = carry;
    }
}

@compute @workgroup_size(WG)
fn downsweep(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let block = block_index(wid);
    if (block >= params.num_blocks) {
        return;
    }
    let base = block * BLOCK;
    let start = base + lid * KPT;
    let valid = valid_keys(start);
    let keys = load_keys(start);
    var digits: array<u32, KPT>;
    for (var j = 0u; j < KPT; j++) {
        digits[j] = digit_of(keys[j]);
    }
    let rank = count_column(lid, &digits, valid);
    workgroupBarrier();

    // Exclusive scan along each row, in two levels: SEG counters per invocation (written
    // back in place), then the row's segment sums by one invocation per row.
    let row = lid / SEGS_PER_ROW;
    let col0 = (lid % SEGS_PER_ROW) * SEG;
    var sum = 0u;
    for (var i = 0u; i < SEG; i++) {
        let at = row * WG + col0 + i;
        let c = smem[at];
        smem[at] = sum;
        sum += c;
    }
    partials[lid] = sum;
    workgroupBarrier();

    if (lid < ROWS) {
        var total = 0u;
        for (var s = 0u; s < SEGS_PER_ROW; s++) {
            let at = lid * SEGS_PER_ROW + s;
            let p = partials[at];
            partials[at] = total;
            total += p;
        }
        row_totals[lid] = total;
    }
    workgroupBarrier();

    if (lid < RADIX) {
        // Where this digit's keys start in the block, and in the output.
        var local_start = 0u;
        var global_start = 0u;
        let totals = RADIX * params.hist_stride;
        for (var e = 0u; e < lid; e++) {
            local_start += (row_totals[e >> 1u] >> counter_shift(e)) & 0xffffu;
            global_start += hist[totals + e];
        }
        global_start += hist[lid * params.hist_stride + block];
        digit_start[lid] = local_start;
        // Wrapping arithmetic: only digit_dst + (position in block) has to be right.
        digit_dst[lid] = global_start - local_start;
    }
    workgroupBarrier();

    // Position of each key in the block once ordered by digit (stable).
    var pos: array<u32, KPT>;
    for (var j = 0u; j < KPT; j++) {
        if (j < valid) {
            let d = digits[j];
            let seg = (d >> 1u) * SEGS_PER_ROW + lid / SEG;
            let before = ((smem[counter_index(d, lid)] + partials[seg]) >> counter_shift(d)) & 0xffffu;
            pos[j] = digit_start[d] + before + rank[j];
        }
    }
    workgroupBarrier(); // the counters are about to be overwritten by the staged keys

    for (var j = 0u; j < KPT; j++) {
        if (j < valid) {
            smem[pos[j]] = keys[j];
        }
    }
    workgroupBarrier();

    // Keys leave in digit order: each digit's keys go to consecutive addresses.
    let in_block = min(BLOCK, params.count - base);
    var out_at: array<u32, KPT>;
    for (var j = 0u; j < KPT; j++) {
        let i = j * WG + lid;
        if (i < in_block) {
            let k = smem[i];
            let at = digit_dst[digit_of(k)] + i;
            dst_keys[at] = k;
            out_at[j] = at;
        }
    }
    workgroupBarrier();

    // Values follow the same permutation through the same staging memory.
    let values = load_values(start);
    for (var j = 0u; j < KPT; j++) {
        if (j < valid) {
            smem[pos[j]] = values[j];
        }
    }
    workgroupBarrier();
    for (var j = 0u; j < KPT; j++) {
        let i = j * WG + lid;
        if (i < in_block) {
            dst_values[out_at[j]] = smem[i];
        }
    }
}

// Brings the result back into the caller's buffers after an odd number of passes. Writes only
// the first `count` elements, like the sort passes, so the caller's data past them survives.
@compute @workgroup_size(WG)
fn copy(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let group = wid.x + wid.y * params.copy_x;
    if (group >= params.copy_groups) {
        return;
    }
    let q = group * WG + lid;
    let first = q * 4u;
    if (first >= params.count) {
        return;
    }
    let k = src_keys[q];
    let v = src_values[q];
    let n = min(4u, params.count - first);
    for (var c = 0u; c < n; c++) {
        dst_keys[first + c] = k[c];
        dst_values[first + c] = v[c];
    }
}
