//! The GPU exclusive scan against a CPU prefix sum, for sizes around every block boundary,
//! with counts taken from a GPU buffer and noise beyond the count.

use rtgs2::render::gpu::readback::read_u32;
use rtgs2::render::gpu::scan::{GpuScan, ScanCounts};
use rtgs2::render::gpu::{GpuContext, gpu_for_tests};
use rtgs2::util::rng::Rng;
use wgpu::util::DeviceExt;

fn run(ctx: &GpuContext, scan: &GpuScan, values: &[u32], capacity: usize) -> (Vec<u32>, u32) {
    let mut padded = values.to_vec();
    // Noise beyond the count must be ignored.
    let mut rng = Rng::new(values.len() as u64);
    padded.extend((values.len()..capacity).map(|_| rng.next_u64() as u32));
    let data = ctx.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("data"),
        contents: bytemuck::cast_slice(&padded),
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
    });
    let counts = ctx.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("count"),
        contents: bytemuck::cast_slice(&[77u32, values.len() as u32, 0xdead_beef]),
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
    });
    let plan = scan.plan(&ctx.device, &data, capacity as u64, ScanCounts { count: (&counts, 1), total: (&counts, 2) });
    let mut enc = ctx.device.create_command_encoder(&Default::default());
    {
        let mut pass = enc.begin_compute_pass(&Default::default());
        scan.encode(&mut pass, &plan);
    }
    ctx.queue.submit([enc.finish()]);
    let out = read_u32(ctx, &data, 0, values.len() as u64);
    let total = read_u32(ctx, &counts, 2, 1)[0];
    (out, total)
}

#[test]
fn gpu_exclusive_scan_matches_cpu() {
    let Some(ctx) = gpu_for_tests() else { return };
    let scan = GpuScan::new(&ctx.device);
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_nanos() as u64;
    eprintln!("seed {seed}");
    let mut rng = Rng::new(seed);
    for n in [0usize, 1, 2, 255, 256, 1023, 1024, 1025, 4096, 1024 * 1024 - 1, 1024 * 1024 + 1, 3_000_000] {
        let values: Vec<u32> = (0..n).map(|_| rng.below(40) as u32).collect();
        let capacity = (n + rng.below(5000)).max(1);
        let (out, total) = run(&ctx, &scan, &values, capacity);
        let mut acc = 0u32;
        for (i, (&v, &o)) in values.iter().zip(&out).enumerate() {
            assert_eq!(o, acc, "n {n} capacity {capacity} element {i} (seed {seed})");
            acc += v;
        }
        assert_eq!(total, acc, "total for n {n}");
    }
}
