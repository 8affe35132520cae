//! The GPU device opens (lavapipe in CI) with the adapter's own limits, and read-backs through
//! reused staging buffers return fresh contents, also when regions are left mapped for another
//! thread, or as several regions of one buffer its owner mapped.

use rtgs2::render::gpu::readback::{MappedRegion, ReadBatch, StagingPool};
use rtgs2::render::gpu::{GpuContext, gpu_for_tests};
use rtgs2::util::rng::Rng;
use wgpu::util::DeviceExt;

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

/// A generator seeded from the clock (the seed is printed, so a failure can be replayed).
fn fresh_rng() -> Rng {
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_nanos() as u64;
    eprintln!("seed {seed}");
    Rng::new(seed)
}

/// `n` random words, and a GPU buffer holding them to read back from.
fn random_source(ctx: &GpuContext, rng: &mut Rng, n: usize) -> (Vec<u32>, wgpu::Buffer) {
    let data: Vec<u32> = (0..n).map(|_| rng.next_u64() as u32).collect();
    let buffer = ctx.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("source"),
        contents: bytemuck::cast_slice(&data),
        usage: wgpu::BufferUsages::COPY_SRC,
    });
    (data, buffer)
}

/// Staging buffers are reused between read-backs (that is their point), so a second read of
/// the same size must return the new contents, never the first read's.
#[test]
fn pooled_read_backs_return_fresh_contents() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut rng = fresh_rng();
    let mut pool = StagingPool::default();
    for round in 0..3 {
        let (data, buffer) = random_source(&ctx, &mut rng, 5000);
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

#[test]
fn regions_left_mapped_read_the_same_and_their_buffers_come_back_when_dropped() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut rng = fresh_rng();
    let mut pool = StagingPool::default();
    for round in 0..3 {
        let (data, buffer) = random_source(&ctx, &mut rng, 6000);
        let mut enc = ctx.device.create_command_encoder(&Default::default());
        let mut batch = ReadBatch::new(&mut pool);
        batch.copy(&ctx, &mut enc, &buffer, 0, 400);
        batch.copy(&ctx, &mut enc, &buffer, 800, 8000);
        batch.copy(&ctx, &mut enc, &buffer, 0, 0);
        ctx.queue.submit([enc.finish()]);
        let (read, mapped) = batch.finish_keeping_mapped::<u32>(&ctx, 2);
        assert_eq!(read.regions, vec![data[..100].to_vec()], "round {round}: only the first region copied");
        assert_eq!(pool.len(), 1, "round {round}: the copied region's buffer is back at once");
        let [region, empty]: [_; 2] = mapped.try_into().expect("two regions kept mapped");
        assert_eq!((region.len_bytes(), empty.len_bytes()), (8000, 0), "round {round}");
        let away = std::thread::spawn(move || (region.to_vec::<u32>(), empty.to_vec::<u32>())).join().expect("thread");
        assert_eq!(away.0, data[200..2200], "round {round}: the mapped region, copied on another thread");
        assert!(away.1.is_empty(), "round {round}");
        // The dropped region was unmapped over there; the next batch reuses its buffer.
        let mut enc = ctx.device.create_command_encoder(&Default::default());
        let mut batch = ReadBatch::new(&mut pool);
        batch.copy(&ctx, &mut enc, &buffer, 0, 8000);
        ctx.queue.submit([enc.finish()]);
        assert_eq!(batch.finish::<u32>(&ctx).regions[0], data[..2000], "round {round}: a reused buffer reads afresh");
        assert_eq!(pool.len(), 2, "round {round}: two buffers in the pool, none added");
    }
}

/// The viewer's way: one buffer it mapped itself, read as several regions on another thread;
/// unmapped (and its handle count back to one) only when the last region is dropped.
#[test]
fn shared_regions_keep_their_buffer_mapped_until_the_last_is_dropped() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut rng = fresh_rng();
    let (data, source) = random_source(&ctx, &mut rng, 3000);
    let staging = std::sync::Arc::new(ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("owned staging"),
        size: 12000,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    }));
    let unmapped = MappedRegion::shared(&staging, &[0..16, 16..32]).expect_err("not mapped yet").to_string();
    assert!(unmapped.contains("viewing"), "{unmapped}");
    for round in 0..2 {
        let mut enc = ctx.device.create_command_encoder(&Default::default());
        enc.copy_buffer_to_buffer(&source, 0, &staging, 0, 12000);
        ctx.queue.submit([enc.finish()]);
        staging.slice(..).map_async(wgpu::MapMode::Read, |r| r.expect("mapped"));
        ctx.device.poll(wgpu::PollType::wait_indefinitely()).expect("device");
        let outside = MappedRegion::shared(&staging, &[0..4, 4..12004]).expect_err("past the end").to_string();
        assert!(outside.contains("12000-byte"), "{outside}");
        let regions = MappedRegion::shared(&staging, &[0..400, 400..12000, 8..8]).expect("three regions");
        let [head, tail, empty]: [_; 3] = regions.try_into().expect("three");
        assert_eq!(std::sync::Arc::strong_count(&staging), 2, "round {round}: the regions hold the buffer");
        let read_away = std::thread::spawn(move || head.to_vec::<u32>()).join().expect("thread");
        assert_eq!(read_away, data[..100], "round {round}: the first region, read and dropped on another thread");
        assert_eq!(std::sync::Arc::strong_count(&staging), 2, "round {round}: still mapped for the others");
        assert_eq!(bytemuck::cast_slice::<u8, u32>(tail.bytes()), &data[100..], "round {round}: in place");
        assert!(empty.bytes().is_empty());
        drop((tail, empty));
        assert_eq!(std::sync::Arc::strong_count(&staging), 1, "round {round}: unmapped and let go");
    }
}
