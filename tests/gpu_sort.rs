//! The GPU radix sort against the CPU's stable sort: sizes around every block boundary, full and
//! partial key bits, heavy duplicates (stability), counts from a GPU buffer, count 0, several
//! sorts in one command buffer, the 2D dispatch grid, and the shaders' validity under naga.
//! Every scratch buffer starts full of noise, so nothing relies on zeroed memory.

use std::sync::OnceLock;

use rtgs2::render::gpu::sort::{
    BLOCK_SIZE, COPY_BLOCK, KEYS_PER_THREAD, RADIX, RADIX_BITS, RadixSorter, SETUP_WGSL, SORT_WGSL, SortBuffers,
    SortCount, SortError, WORKGROUP_SIZE, max_supported_len,
};
use rtgs2::render::gpu::{GpuContext, gpu_for_tests};
use rtgs2::util::rng::Rng;

struct Gpu {
    ctx: GpuContext,
    sorter: RadixSorter,
}

/// One device and one set of pipelines for the whole file (pipeline compilation on lavapipe
/// costs more than most of the sorts).
fn gpu() -> Option<&'static Gpu> {
    static GPU: OnceLock<Option<Gpu>> = OnceLock::new();
    GPU.get_or_init(|| {
        let ctx = gpu_for_tests()?;
        eprintln!("adapter: {}", ctx.describe());
        let sorter = RadixSorter::new(&ctx.device);
        Some(Gpu { ctx, sorter })
    })
    .as_ref()
}

/// A seed from the clock, printed so a failure can be replayed.
fn fresh_rng(what: &str) -> Rng {
    let seed = std::env::var("RTGS2_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock after 1970").as_nanos() as u64
    });
    eprintln!("{what}: seed {seed} (set RTGS2_TEST_SEED to replay)");
    Rng::new(seed)
}

fn noise(rng: &mut Rng, n: usize) -> Vec<u32> {
    (0..n).map(|_| rng.next_u64() as u32).collect()
}

fn fill_noise(ctx: &GpuContext, rng: &mut Rng, buffer: &wgpu::Buffer) {
    ctx.queue.write_buffer(buffer, 0, bytemuck::cast_slice(&noise(rng, (buffer.size() / 4) as usize)));
}

fn read_u32(ctx: &GpuContext, buffer: &wgpu::Buffer, len: usize) -> Vec<u32> {
    rtgs2::render::gpu::readback::read_u32(ctx, buffer, 0, len as u64)
}

/// Noise in every buffer (the caller's tails included), then `keys`/`values` at the front.
/// Returns the full contents written to keys and values, to check the tails stay untouched.
fn prepare(g: &Gpu, rng: &mut Rng, bufs: &SortBuffers, keys: &[u32], values: &[u32]) -> (Vec<u32>, Vec<u32>) {
    for b in bufs.scratch_buffers() {
        fill_noise(&g.ctx, rng, b);
    }
    let cap = (bufs.keys.size() / 4) as usize;
    let mut all_keys = noise(rng, cap);
    let mut all_values = noise(rng, cap);
    all_keys[..keys.len()].copy_from_slice(keys);
    all_values[..values.len()].copy_from_slice(values);
    g.ctx.queue.write_buffer(&bufs.keys, 0, bytemuck::cast_slice(&all_keys));
    g.ctx.queue.write_buffer(&bufs.values, 0, bytemuck::cast_slice(&all_values));
    (all_keys, all_values)
}

/// The reference: a stable sort by the low `bits` bits.
fn cpu_sort(keys: &[u32], values: &[u32], bits: u32) -> (Vec<u32>, Vec<u32>) {
    let mask = if bits == 32 { u32::MAX } else { (1u32 << bits) - 1 };
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&i| keys[i] & mask); // sort_by_key is stable
    (order.iter().map(|&i| keys[i]).collect(), order.iter().map(|&i| values[i]).collect())
}

/// Reads back the whole buffers and checks the sorted prefix and the untouched tail.
fn check(g: &Gpu, bufs: &SortBuffers, expected: (&[u32], &[u32]), before: (&[u32], &[u32]), what: &str) {
    let cap = (bufs.keys.size() / 4) as usize;
    let got_k = read_u32(&g.ctx, &bufs.keys, cap);
    let got_v = read_u32(&g.ctx, &bufs.values, cap);
    let n = expected.0.len();
    if let Some(i) = (0..n).find(|&i| got_k[i] != expected.0[i] || got_v[i] != expected.1[i]) {
        panic!(
            "{what}: first difference at {i} of {n}: got ({:#x}, {}) expected ({:#x}, {})",
            got_k[i], got_v[i], expected.0[i], expected.1[i]
        );
    }
    assert!(got_k[n..] == before.0[n..] && got_v[n..] == before.1[n..], "{what}: the sort wrote past its count");
}

fn submit(g: &Gpu, encoder: wgpu::CommandEncoder) {
    g.ctx.queue.submit([encoder.finish()]);
    g.ctx.device.poll(wgpu::PollType::wait_indefinitely()).expect("poll");
}

/// Sorts `keys` (values = input index) with a count known on the CPU, and checks.
fn sort_and_check(g: &Gpu, rng: &mut Rng, bufs: &SortBuffers, keys: &[u32], bits: u32, what: &str) {
    let values: Vec<u32> = (0..keys.len() as u32).collect();
    let before = prepare(g, rng, bufs, keys, &values);
    let mut enc = g.ctx.device.create_command_encoder(&Default::default());
    g.sorter.encode(&g.ctx.device, &mut enc, bufs, SortCount::Known(keys.len() as u32), bits).expect("encode");
    submit(g, enc);
    let (ek, ev) = cpu_sort(keys, &values, bits);
    check(g, bufs, (&ek, &ev), (&before.0, &before.1), what);
}

fn random_keys(rng: &mut Rng, n: usize, bits: u32) -> Vec<u32> {
    let mask = if bits == 32 { u32::MAX } else { (1u32 << bits) - 1 };
    (0..n).map(|_| rng.next_u64() as u32 & mask).collect()
}

#[test]
fn sizes_around_block_boundaries_full_keys() {
    let Some(g) = gpu() else { return };
    let mut rng = fresh_rng("sizes");
    let b = BLOCK_SIZE as usize;
    let sizes = [1, 2, 255, 256, 257, 1023, 1024, 1025, b - 1, b, b + 1, 3 * b + 7, 65_537, 1_000_000];
    let bufs = g.sorter.create_buffers(&g.ctx.device, 1_000_000).expect("buffers");
    for n in sizes {
        let keys = random_keys(&mut rng, n, 32);
        sort_and_check(g, &mut rng, &bufs, &keys, 32, &format!("n = {n}, 32 bits"));
    }
}

#[test]
fn four_million_keys_count_from_gpu_buffer() {
    let Some(g) = gpu() else { return };
    let mut rng = fresh_rng("4M");
    let n = 4 << 20;
    let bufs = g.sorter.create_buffers(&g.ctx.device, n as u32).expect("buffers");
    // Depth-like keys: bits of positive floats, with the duplicates real depths have.
    let keys: Vec<u32> = (0..n).map(|_| (rng.f32() * 100.0).to_bits()).collect();
    let values: Vec<u32> = (0..n as u32).collect();
    let before = prepare(g, &mut rng, &bufs, &keys, &values);
    let count = count_buffer(g, 12, n as u32);
    let mut enc = g.ctx.device.create_command_encoder(&Default::default());
    g.sorter
        .encode(&g.ctx.device, &mut enc, &bufs, SortCount::InBuffer { buffer: &count, offset: 12 }, 32)
        .expect("encode");
    let t = std::time::Instant::now();
    submit(g, enc);
    eprintln!("4M keys, 32 bits: {:.0} ms on the GPU (wall clock)", t.elapsed().as_secs_f64() * 1e3);
    let (ek, ev) = cpu_sort(&keys, &values, 32);
    check(g, &bufs, (&ek, &ev), (&before.0, &before.1), "4M, 32 bits");
}

/// A buffer holding `count` at `offset` and noise around it, as a renderer's pass would leave.
fn count_buffer(g: &Gpu, offset: usize, count: u32) -> wgpu::Buffer {
    let mut words = vec![0xdead_beef_u32; 8];
    words[offset / 4] = count;
    let buffer = g.ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("visible count"),
        size: 32,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    g.ctx.queue.write_buffer(&buffer, 0, bytemuck::cast_slice(&words));
    buffer
}

#[test]
fn partial_key_bits_and_stability_under_duplicates() {
    let Some(g) = gpu() else { return };
    let mut rng = fresh_rng("partial bits");
    let n = 100_003;
    let bufs = g.sorter.create_buffers(&g.ctx.device, n as u32).expect("buffers");
    // Odd and even pass counts (odd ones end with the copy back), last passes narrower than 4 bits.
    for bits in [1, 3, 4, 5, 8, 11, 12, 13, 16, 17, 24, 31] {
        let keys = random_keys(&mut rng, n, bits);
        sort_and_check(g, &mut rng, &bufs, &keys, bits, &format!("{bits} bits"));
    }
    // Only 5 distinct keys among 100k: everything rests on stability.
    let few: Vec<u32> = (0..n).map(|_| [7u32, 0, 0xffff_ffff, 1 << 31, 12345][rng.below(5)]).collect();
    sort_and_check(g, &mut rng, &bufs, &few, 32, "5 distinct 32-bit keys");
    // All equal: the output must be the input.
    sort_and_check(g, &mut rng, &bufs, &vec![42; n], 32, "all equal");
    // Already sorted and reversed.
    let sorted: Vec<u32> = (0..n as u32).map(|i| i / 3).collect();
    sort_and_check(g, &mut rng, &bufs, &sorted, 17, "sorted with triples");
    let reversed: Vec<u32> = sorted.iter().rev().copied().collect();
    sort_and_check(g, &mut rng, &bufs, &reversed, 17, "reversed with triples");
}

#[test]
fn bits_above_key_bits_are_ignored() {
    let Some(g) = gpu() else { return };
    let mut rng = fresh_rng("high bits");
    let n = 5_000;
    let bufs = g.sorter.create_buffers(&g.ctx.device, n as u32).expect("buffers");
    // Callers promise zeros above key_bits; if they break it, the sort still only uses the low bits.
    let keys = random_keys(&mut rng, n, 32);
    sort_and_check(g, &mut rng, &bufs, &keys, 13, "13 bits of 32-bit keys");
    sort_and_check(g, &mut rng, &bufs, &keys, 6, "6 bits of 32-bit keys");
}

#[test]
fn count_in_buffer_matches_known_count() {
    let Some(g) = gpu() else { return };
    let mut rng = fresh_rng("count in buffer");
    let max_len = 60_000;
    let bufs = g.sorter.create_buffers(&g.ctx.device, max_len).expect("buffers");
    // The buffers hold max_len keys but only the first `count` are to be sorted.
    let all = random_keys(&mut rng, max_len as usize, 32);
    let values: Vec<u32> = (0..max_len).collect();
    for (count, offset, bits) in [(50_001u32, 0usize, 32u32), (1, 4, 13), (BLOCK_SIZE + 1, 28, 9), (max_len, 8, 32)] {
        for in_buffer in [false, true] {
            let before = prepare(g, &mut rng, &bufs, &all, &values);
            let count_buf = count_buffer(g, offset, count);
            let sort_count = if in_buffer {
                SortCount::InBuffer { buffer: &count_buf, offset: offset as u64 }
            } else {
                SortCount::Known(count)
            };
            let mut enc = g.ctx.device.create_command_encoder(&Default::default());
            g.sorter.encode(&g.ctx.device, &mut enc, &bufs, sort_count, bits).expect("encode");
            submit(g, enc);
            let n = count as usize;
            let (ek, ev) = cpu_sort(&all[..n], &values[..n], bits);
            check(
                g,
                &bufs,
                (&ek, &ev),
                (&before.0, &before.1),
                &format!("count {count} (in buffer: {in_buffer}), {bits} bits"),
            );
        }
    }
}

#[test]
fn count_in_buffer_above_max_len_is_clamped() {
    let Some(g) = gpu() else { return };
    let mut rng = fresh_rng("clamped count");
    let max_len = 3_000;
    let bufs = g.sorter.create_buffers(&g.ctx.device, max_len).expect("buffers");
    let keys = random_keys(&mut rng, max_len as usize, 32);
    let values: Vec<u32> = (0..max_len).collect();
    let before = prepare(g, &mut rng, &bufs, &keys, &values);
    let count_buf = count_buffer(g, 0, u32::MAX);
    let mut enc = g.ctx.device.create_command_encoder(&Default::default());
    g.sorter
        .encode(&g.ctx.device, &mut enc, &bufs, SortCount::InBuffer { buffer: &count_buf, offset: 0 }, 32)
        .expect("encode");
    submit(g, enc);
    let (ek, ev) = cpu_sort(&keys, &values, 32);
    check(g, &bufs, (&ek, &ev), (&before.0, &before.1), "count u32::MAX clamped to max_len");
}

#[test]
fn count_zero_changes_nothing() {
    let Some(g) = gpu() else { return };
    let mut rng = fresh_rng("count 0");
    let bufs = g.sorter.create_buffers(&g.ctx.device, 4_096).expect("buffers");
    for (bits, in_buffer) in [(32, false), (32, true), (13, false), (13, true)] {
        let before = prepare(g, &mut rng, &bufs, &[], &[]);
        let count_buf = count_buffer(g, 4, 0);
        let count = if in_buffer { SortCount::InBuffer { buffer: &count_buf, offset: 4 } } else { SortCount::Known(0) };
        let mut enc = g.ctx.device.create_command_encoder(&Default::default());
        g.sorter.encode(&g.ctx.device, &mut enc, &bufs, count, bits).expect("encode");
        submit(g, enc);
        check(g, &bufs, (&[], &[]), (&before.0, &before.1), &format!("count 0, {bits} bits, in buffer: {in_buffer}"));
    }
    // A zero-capacity set of buffers works too.
    let empty = g.sorter.create_buffers(&g.ctx.device, 0).expect("buffers");
    let mut enc = g.ctx.device.create_command_encoder(&Default::default());
    g.sorter.encode(&g.ctx.device, &mut enc, &empty, SortCount::Known(0), 32).expect("encode");
    submit(g, enc);
}

/// The renderer's frame: depth sort, then a tile sort with other key bits and another count,
/// in one command buffer; and the same buffers sorted twice in one command buffer.
#[test]
fn two_sorts_in_one_command_buffer() {
    let Some(g) = gpu() else { return };
    let mut rng = fresh_rng("two sorts");
    let (n1, n2) = (30_000usize, 70_001usize);
    let depth = g.sorter.create_buffers(&g.ctx.device, n1 as u32).expect("buffers");
    let tiles = g.sorter.create_buffers(&g.ctx.device, n2 as u32).expect("buffers");
    let k1 = random_keys(&mut rng, n1, 32);
    let k2 = random_keys(&mut rng, n2, 11);
    let v1: Vec<u32> = (0..n1 as u32).collect();
    let v2: Vec<u32> = (0..n2 as u32).collect();
    let b1 = prepare(g, &mut rng, &depth, &k1, &v1);
    let b2 = prepare(g, &mut rng, &tiles, &k2, &v2);
    let count2 = count_buffer(g, 16, n2 as u32);
    let mut enc = g.ctx.device.create_command_encoder(&Default::default());
    g.sorter.encode(&g.ctx.device, &mut enc, &depth, SortCount::Known(n1 as u32), 32).expect("encode");
    g.sorter
        .encode(&g.ctx.device, &mut enc, &tiles, SortCount::InBuffer { buffer: &count2, offset: 16 }, 11)
        .expect("encode");
    submit(g, enc);
    let e1 = cpu_sort(&k1, &v1, 32);
    let e2 = cpu_sort(&k2, &v2, 11);
    check(g, &depth, (&e1.0, &e1.1), (&b1.0, &b1.1), "depth sort");
    check(g, &tiles, (&e2.0, &e2.1), (&b2.0, &b2.1), "tile sort");

    // Same buffers twice: all 32 bits of the first 20 000, then the low 13 bits of the first
    // 25 000. If the second call's parameters leaked into the first, this would differ.
    let (na, nb) = (20_000usize, 25_000usize);
    let keys = random_keys(&mut rng, n2, 32);
    let values: Vec<u32> = (0..n2 as u32).collect();
    let before = prepare(g, &mut rng, &tiles, &keys, &values);
    let mut enc = g.ctx.device.create_command_encoder(&Default::default());
    g.sorter.encode(&g.ctx.device, &mut enc, &tiles, SortCount::Known(na as u32), 32).expect("encode");
    g.sorter.encode(&g.ctx.device, &mut enc, &tiles, SortCount::Known(nb as u32), 13).expect("encode");
    submit(g, enc);
    let (mut ek, mut ev) = cpu_sort(&keys[..na], &values[..na], 32);
    ek.extend_from_slice(&keys[na..nb]);
    ev.extend_from_slice(&values[na..nb]);
    let (ek, ev) = cpu_sort(&ek, &ev, 13);
    check(g, &tiles, (&ek, &ev), (&before.0, &before.1), "same buffers sorted twice");
}

/// Counts beyond 65535 blocks need a 2D grid of workgroups; a narrow grid exercises it here.
#[test]
fn two_dimensional_dispatch_grid() {
    let Some(gpu) = gpu() else { return };
    let g = Gpu { ctx: gpu.ctx.clone(), sorter: RadixSorter::new(&gpu.ctx.device).with_max_groups_x(3) };
    let mut rng = fresh_rng("2D grid");
    let n = 10 * BLOCK_SIZE as usize + 5; // 11 blocks: rows of 3, 1 left over in the last row
    let bufs = g.sorter.create_buffers(&g.ctx.device, n as u32).expect("buffers");
    for bits in [32, 9] {
        // 9 bits: three passes, so the copy back (11 copy groups) runs on a 2D grid too.
        let keys = random_keys(&mut rng, n, bits);
        sort_and_check(&g, &mut rng, &bufs, &keys, bits, &format!("2D grid, {bits} bits"));
    }
}

#[test]
fn invalid_requests_are_errors() {
    let Some(g) = gpu() else { return };
    let supported = max_supported_len(&g.ctx.limits);
    eprintln!("max_len on this device: {supported}");
    if supported < u32::MAX {
        let err = g.sorter.create_buffers(&g.ctx.device, supported + 1).err().expect("too large must fail");
        assert!(matches!(err, SortError::TooLarge { .. }), "{err}");
    }
    let bufs = g.sorter.create_buffers(&g.ctx.device, 100).expect("buffers");
    let mut enc = g.ctx.device.create_command_encoder(&Default::default());
    assert_eq!(g.sorter.encode(&g.ctx.device, &mut enc, &bufs, SortCount::Known(10), 0), Err(SortError::KeyBits(0)));
    assert_eq!(g.sorter.encode(&g.ctx.device, &mut enc, &bufs, SortCount::Known(10), 33), Err(SortError::KeyBits(33)));
    assert_eq!(
        g.sorter.encode(&g.ctx.device, &mut enc, &bufs, SortCount::Known(101), 32),
        Err(SortError::CountTooLarge { count: 101, max_len: 100 })
    );
    let count = count_buffer(g, 0, 5);
    assert_eq!(
        g.sorter.encode(&g.ctx.device, &mut enc, &bufs, SortCount::InBuffer { buffer: &count, offset: 2 }, 32),
        Err(SortError::CountOffset { offset: 2, size: 32 })
    );
    assert_eq!(
        g.sorter.encode(&g.ctx.device, &mut enc, &bufs, SortCount::InBuffer { buffer: &count, offset: 32 }, 32),
        Err(SortError::CountOffset { offset: 32, size: 32 })
    );
    let no_copy = g.ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size: 4,
        usage: wgpu::BufferUsages::STORAGE,
        mapped_at_creation: false,
    });
    assert_eq!(
        g.sorter.encode(&g.ctx.device, &mut enc, &bufs, SortCount::InBuffer { buffer: &no_copy, offset: 0 }, 32),
        Err(SortError::CountUsage)
    );
    submit(g, enc); // nothing was recorded by the failed calls
}

#[test]
fn max_len_follows_the_binding_limit() {
    // Lavapipe: 128 MiB per storage binding, 2 GiB per buffer -> 32 Mi keys.
    let lavapipe =
        wgpu::Limits { max_storage_buffer_binding_size: 128 << 20, max_buffer_size: 2 << 30, ..Default::default() };
    assert_eq!(max_supported_len(&lavapipe), 32 << 20);
    let odd =
        wgpu::Limits { max_storage_buffer_binding_size: 1_000_000, max_buffer_size: 2 << 30, ..Default::default() };
    assert_eq!(max_supported_len(&odd) % BLOCK_SIZE, 0);
    assert!(max_supported_len(&odd) as u64 * 4 <= 1_000_000);
}

fn validate(name: &str, source: &str) -> naga::Module {
    let module =
        naga::front::wgsl::parse_str(source).unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(source)));
    naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::default())
        .validate(&module)
        .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(source)));
    module
}

/// The value of a module-scope `const NAME: u32 = <literal>u;`.
fn wgsl_const(module: &naga::Module, name: &str) -> u32 {
    let (_, c) = module
        .constants
        .iter()
        .find(|(_, c)| c.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no const {name}"));
    match module.global_expressions[c.init] {
        naga::Expression::Literal(naga::Literal::U32(v)) => v,
        ref e => panic!("const {name} is not a u32 literal: {e:?}"),
    }
}

#[test]
fn shaders_validate_and_match_the_rust_side() {
    let sort = validate("radix_sort.wgsl", SORT_WGSL);
    let setup = validate("radix_sort_setup.wgsl", SETUP_WGSL);
    assert_eq!(wgsl_const(&sort, "WG"), WORKGROUP_SIZE);
    assert_eq!(wgsl_const(&sort, "KPT"), KEYS_PER_THREAD);
    assert_eq!(wgsl_const(&sort, "BLOCK"), BLOCK_SIZE);
    assert_eq!(wgsl_const(&setup, "BLOCK"), BLOCK_SIZE);
    assert_eq!(wgsl_const(&sort, "RADIX_BITS"), RADIX_BITS);
    assert_eq!(wgsl_const(&sort, "RADIX"), RADIX);
    assert_eq!(wgsl_const(&sort, "COPY_BLOCK"), COPY_BLOCK);
    assert_eq!(wgsl_const(&setup, "COPY_BLOCK"), COPY_BLOCK);
    // Derived constants the shader spells out.
    // Each in-block split orders by one nibble (4 bits) of the digit.
    let nibbles = wgsl_const(&sort, "NIBBLES");
    assert_eq!(nibbles, 16);
    let (wg, rows, seg) = (WORKGROUP_SIZE, nibbles / 2, wgsl_const(&sort, "SEG"));
    assert_eq!(wgsl_const(&sort, "ROWS"), rows);
    // The ROWS x WG counter matrix is raked by WG invocations: one SEG-long segment each.
    assert_eq!(seg, rows, "one segment per invocation");
    assert_eq!(wgsl_const(&sort, "SEGS_PER_ROW"), wg / seg);
    assert!(wgsl_const(&sort, "SMEM") >= BLOCK_SIZE.max(rows * wg));
    // (KEYS_PER_THREAD % 4 == 0 and the 16-bit counter bound are const asserts in sort.rs.)

    // The structs the two shaders share with Rust (SortInput, SortParams, PassInfo) are checked
    // field by field with every other WGSL mirror in tests/wgsl_structs.rs.
}
