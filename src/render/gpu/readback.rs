//! Blocking copies from GPU buffers to the CPU: for the headless renderer's final images,
//! tests and benchmarks — never inside the viewer's steady-state frame.

use super::GpuContext;

/// Copies `size` bytes at `offset` of `buffer` (which needs COPY_SRC) to the CPU and waits.
pub fn read_bytes(ctx: &GpuContext, buffer: &wgpu::Buffer, offset: u64, size: u64) -> Vec<u8> {
    if size == 0 {
        return Vec::new();
    }
    let staging = ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("readback"),
        size,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut enc = ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("readback") });
    enc.copy_buffer_to_buffer(buffer, offset, &staging, 0, size);
    ctx.queue.submit([enc.finish()]);
    let slice = staging.slice(..);
    let (tx, rx) = std::sync::mpsc::channel();
    slice.map_async(wgpu::MapMode::Read, move |r| {
        let _ = tx.send(r);
    });
    ctx.device.poll(wgpu::PollType::wait_indefinitely()).expect("GPU device lost while waiting for a read-back");
    rx.recv().expect("map callback ran").expect("mapping the read-back buffer failed");
    let data = slice.get_mapped_range().expect("mapped range of a mapped buffer").to_vec();
    staging.unmap();
    data
}

/// Reads `len` u32 values starting at element `first`.
pub fn read_u32(ctx: &GpuContext, buffer: &wgpu::Buffer, first: u64, len: u64) -> Vec<u32> {
    bytemuck::pod_collect_to_vec(&read_bytes(ctx, buffer, first * 4, len * 4))
}

/// Reads `len` f32 values starting at element `first`.
pub fn read_f32(ctx: &GpuContext, buffer: &wgpu::Buffer, first: u64, len: u64) -> Vec<f32> {
    bytemuck::pod_collect_to_vec(&read_bytes(ctx, buffer, first * 4, len * 4))
}
