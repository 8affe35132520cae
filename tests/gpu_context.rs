//! The GPU device opens (lavapipe in CI) with the adapter's own limits.

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
