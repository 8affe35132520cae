// Reduce-then-scan LSD radix sort of (u32 key, u32 value) pairs, 8 bits per pass.
//
// Per pass:  upsweep   one workgroup per block: the block's digit histogram -> hist[digit][block]
//            scan      one workgroup per digit: exclusive scan over the blocks, in place,
//                      and the digit's total -> hist[RADIX * stride + digit]
//            downsweep one workgroup per block: orders its keys stably by digit in workgroup
//                      memory, then scatters them.
// No workgroup ever waits on another one (no decoupled look-back, no spinning): each pass
// only reads what earlier dispatches wrote, so it is correct on any scheduler (lavapipe,
// Apple) — see DESIGN.md, "Rendering rules". No subgroup operations either: the stable
// ranking uses workgroup memory and barriers only, so any subgroup size works.
//
// Why 8 bits: at a million keys a pass costs mostly its three dispatches' latency, not
// bandwidth (H200: 34 µs per 4-bit pass at 100k keys, 47 µs at 1M), so halving the passes
// nearly halves the sort.
//
// Stable ranking inside a block, one 4-bit split at a time (the digit's low nibble, then its
// high nibble; two stable splits = a stable order by the whole digit). A split: each
// invocation owns KPT *consecutive* keys, counts them in its own column of a [nibble]
// [invocation] counter matrix (two 16-bit counters per u32), and a scan along each row gives,
// for every key, the number of equal nibbles held by earlier invocations; plus its rank
// among its own earlier keys, that is its rank among the block's equal nibbles in input order.
// Between and after the splits keys (then values) are staged in the same workgroup memory, so
// that the global writes come out as long contiguous runs per digit. About 10 KiB of
// workgroup memory, under WebGPU's 16 KiB default.

// BLOCK (= WG * KPT), COPY_BLOCK and SortParams come from radix_sort_shared.wgsl.
const WG: u32 = 256u;
// Keys per invocation; a multiple of 4 because keys and values are loaded as vec4.
const KPT: u32 = 8u;
const RADIX_BITS: u32 = 8u;
const RADIX: u32 = 256u; // = WG: one invocation per digit where the digits are walked
const NIBBLES: u32 = 16u; // values of the 4-bit part one split orders by
// Two 16-bit counters per u32 (a block has at most 2048 keys of one nibble, < 65536).
const ROWS: u32 = 8u; // NIBBLES / 2
// The raking scan over the counter matrix: each invocation scans SEG counters of one row.
const SEG: u32 = 8u; // ROWS * WG / WG
const SEGS_PER_ROW: u32 = 32u; // WG / SEG
// Workgroup memory shared by the counter matrix (ROWS * WG) and the staged block (BLOCK).
const SMEM: u32 = 2048u;
// The digit totals' prefix is raked in DIGIT_GROUPS groups of RADIX / DIGIT_GROUPS.
const DIGIT_GROUPS: u32 = 16u;

// Mirrored by `PassInfo`; one per pass, fixed at creation (shift = 8 * pass index).
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
var<workgroup> nibble_start: array<u32, NIBBLES>;
// Per digit: where its keys start in the block, then (in place) their first output address
// minus that start.
var<workgroup> digit_dst: array<u32, RADIX>;
var<workgroup> group_totals: array<u32, DIGIT_GROUPS>;
// The upsweep's block histogram.
var<workgroup> digit_hist: array<atomic<u32>, RADIX>;

// How many key bits this pass sorts: RADIX_BITS, or fewer in the last pass of a narrow key.
fn pass_width() -> u32 {
    let shift = pass_info.shift;
    return min(RADIX_BITS, params.key_bits - min(params.key_bits, shift));
}

fn digit_of(key: u32) -> u32 {
    return extractBits(key, pass_info.shift, pass_width());
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

@compute @workgroup_size(WG)
fn upsweep(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let block = block_index(wid);
    if (block >= params.num_blocks) {
        return; // the unused tail of the last grid row
    }
    atomicStore(&digit_hist[lid], 0u);
    workgroupBarrier();
    let start = block * BLOCK + lid * KPT;
    let valid = valid_keys(start);
    let keys = load_keys(start);
    // A run of equal digits (sorted stretches, the high bits of depths) costs one atomic.
    var run_digit = 0u;
    var run = 0u;
    for (var j = 0u; j < KPT; j++) {
        if (j < valid) {
            let d = digit_of(keys[j]);
            if (run > 0u && d != run_digit) {
                atomicAdd(&digit_hist[run_digit], run);
                run = 0u;
            }
            run_digit = d;
            run += 1u;
        }
    }
    if (run > 0u) {
        atomicAdd(&digit_hist[run_digit], run);
    }
    workgroupBarrier();
    hist[lid * params.hist_stride + block] = atomicLoad(&digit_hist[lid]); // WG == RADIX
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

fn counter_index(nibble: u32, lid: u32) -> u32 {
    return (nibble >> 1u) * WG + lid;
}

fn counter_shift(nibble: u32) -> u32 {
    return (nibble & 1u) * 16u;
}

// Counts this invocation's valid keys into its own column of the counter matrix (no other
// invocation touches that column, so no atomics) and returns each key's rank among its own
// earlier keys of the same nibble.
fn count_column(lid: u32, nibbles: ptr<function, array<u32, KPT>>, valid: u32) -> array<u32, KPT> {
    for (var r = 0u; r < ROWS; r++) {
        smem[r * WG + lid] = 0u;
    }
    var rank: array<u32, KPT>;
    for (var j = 0u; j < KPT; j++) {
        if (j < valid) {
            let d = (*nibbles)[j];
            let at = counter_index(d, lid);
            let sh = counter_shift(d);
            let c = smem[at];
            rank[j] = (c >> sh) & 0xffffu;
            smem[at] = c + (1u << sh);
        }
    }
    return rank;
}

// One stable split: the block position of each of this invocation's valid keys once the
// block is ordered by `nibbles` (ties in input order). Uses smem as the counter matrix; ends
// with a barrier, so the caller may overwrite smem straight away.
fn split_positions(lid: u32, nibbles: ptr<function, array<u32, KPT>>, valid: u32) -> array<u32, KPT> {
    let rank = count_column(lid, nibbles, valid);
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

    if (lid < NIBBLES) {
        var start = 0u;
        for (var e = 0u; e < lid; e++) {
            start += (row_totals[e >> 1u] >> counter_shift(e)) & 0xffffu;
        }
        nibble_start[lid] = start;
    }
    workgroupBarrier();

    var pos: array<u32, KPT>;
    for (var j = 0u; j < KPT; j++) {
        if (j < valid) {
            let d = (*nibbles)[j];
            let seg = (d >> 1u) * SEGS_PER_ROW + lid / SEG;
            let before = ((smem[counter_index(d, lid)] + partials[seg]) >> counter_shift(d)) & 0xffffu;
            pos[j] = nibble_start[d] + before + rank[j];
        }
    }
    workgroupBarrier();
    return pos;
}

// Moves `data` to block positions `pos` through smem and returns the KPT consecutive
// elements this invocation owns in the new order (the next split ranks those).
fn restage(lid: u32, pos: array<u32, KPT>, data: array<u32, KPT>, valid: u32) -> array<u32, KPT> {
    for (var j = 0u; j < KPT; j++) {
        if (j < valid) {
            smem[pos[j]] = data[j];
        }
    }
    workgroupBarrier();
    var out: array<u32, KPT>;
    for (var j = 0u; j < KPT; j++) {
        if (j < valid) {
            out[j] = smem[lid * KPT + j];
        }
    }
    workgroupBarrier();
    return out;
}

@compute @workgroup_size(WG)
fn downsweep(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let block = block_index(wid);
    if (block >= params.num_blocks) {
        return;
    }
    let stride = params.hist_stride;
    let base = block * BLOCK;
    let start = base + lid * KPT;
    let valid = valid_keys(start);
    let in_block = min(BLOCK, params.count - base);
    // Issued first, needed last (WG == RADIX: invocation `lid` looks after digit `lid`): where
    // this block's keys of the digit go among the digit's keys, and the digit's total.
    let block_offset = hist[lid * stride + block];
    let digit_total = hist[RADIX * stride + lid];
    var keys = load_keys(start);
    var values = load_values(start);

    // Split by the digit's low nibble, then (if the pass is wider than 4 bits) by its high one.
    var nibbles: array<u32, KPT>;
    for (var j = 0u; j < KPT; j++) {
        nibbles[j] = digit_of(keys[j]) & 0xfu;
    }
    var pos = split_positions(lid, &nibbles, valid);
    if (pass_width() > 4u) {
        keys = restage(lid, pos, keys, valid);
        values = restage(lid, pos, values, valid);
        for (var j = 0u; j < KPT; j++) {
            nibbles[j] = digit_of(keys[j]) >> 4u;
        }
        pos = split_positions(lid, &nibbles, valid);
    }

    // The block in digit order; each digit present starts where its run does.
    for (var j = 0u; j < KPT; j++) {
        if (j < valid) {
            smem[pos[j]] = keys[j];
        }
    }
    partials[lid] = digit_total;
    workgroupBarrier();
    for (var j = 0u; j < KPT; j++) {
        let i = j * WG + lid;
        if (i < in_block) {
            let d = digit_of(smem[i]);
            if (i == 0u || digit_of(smem[i - 1u]) != d) {
                digit_dst[d] = i;
            }
        }
    }
    // Where each digit starts in the output: the digit totals' exclusive prefix, raked in
    // DIGIT_GROUPS groups.
    let per_group = RADIX / DIGIT_GROUPS;
    if (lid < DIGIT_GROUPS) {
        var s = 0u;
        for (var k = 0u; k < per_group; k++) {
            s += partials[lid * per_group + k];
        }
        group_totals[lid] = s;
    }
    workgroupBarrier();
    let group = lid / per_group;
    var digit_start = block_offset;
    for (var g = 0u; g < group; g++) {
        digit_start += group_totals[g];
    }
    for (var e = group * per_group; e < lid; e++) {
        digit_start += partials[e];
    }
    // Wrapping arithmetic: only digit_dst + (position in block) has to be right. (Digits
    // absent from the block get a value nobody reads.)
    digit_dst[lid] = digit_start - digit_dst[lid];
    workgroupBarrier();

    // Keys leave in digit order: each digit's keys go to consecutive addresses.
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
