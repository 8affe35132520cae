//! The GPU device opens (lavapipe in CI) with the adapter's own limits, and read-backs through
//! reused staging buffers return fresh contents.

use rtgs2::render::gpu::gpu_for_tests;

#[test]
fn headless_device_opens_with_adapter_limits() {
    let Some(ctx) = gpu_for_tests() else { return };
    eprintln!("adapter: {}", ctx.describe());
    // wgpu's default storage binding limit is 128 MiB; the adapter's own must be at least that.
    assert!(
        ctx.limits.max_storage_buffer_binding_size >= 128 << 20,
        "{:?}",
        ctx.limits.max_storage_buffer_binding_size
    );
    assert_eq!(ctx.device.limits().max_storage_buffer_binding_size, ctx.limits.max_storage_buffer_binding_size);
}

/// Staging buffers are reused between read-backs (that is their point), so a second read of
/// the same size must return the new contents, never the first read's.
#[test]
fn pooled_read_backs_return_fresh_contents() {
    use rtgs2::render::gpu::readback::{ReadBatch, StagingPool};
    use wgpu::util::DeviceExt;
    let Some(ctx) = gpu_for_tests() else { return };
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_nanos() as u64;
    let mut rng = rtgs2::util::rng::Rng::new(seed);
    eprintln!("seed {seed}");
    let mut pool = StagingPool::default();
    for round in 0..3 {
        let data: Vec<u32> = (0..5000).map(|_| rng.next_u64() as u32).collect();
        let buffer = ctx.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("source"),
            contents: bytemuck::cast_slice(&data),
            usage: wgpu::BufferUsages::COPY_SRC,
        });
        let mut enc = ctx.device.create_command_encoder(&Default::default());
        let mut batch = ReadBatch::new(&mut pool);
        batch.copy(&ctx, &mut enc, &buffer, 0, 20_000);
        batch.copy(&ctx, &mut enc, &buffer, 4000, 400);
        ctx.queue.submit([enc.finish()]);
        let read = batch.finish::<u32>(&ctx);
        assert_eq!(read.regions[0], data, "round {round}: the whole buffer");
        assert_eq!(read.regions[1], data[1000..1100], "round {round}: a region at an offset");
        assert_eq!(pool.len(), 2, "round {round}: both staging buffers are back in the pool, none added");
    }
}
