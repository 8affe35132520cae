//! The rendered colour as 8-bit RGBA on the GPU (`shaders/colour8.wgsl`), so a render for the
//! fusion network reads back 4 bytes a pixel for its picture and overlay instead of the 16 of
//! the f32 image (plus the CPU's conversion): at 640×480 that is 1.2 MB instead of 4.9 MB.

use super::context::GpuContext;
use super::pipeline_util::{Resource, bind_group_layout, compute_pipeline, shader};
use super::renderer::FrameTarget;
use super::shaders;

/// One invocation per pixel, 256 to a workgroup.
const WORKGROUP: u64 = 256;
/// Workgroups per dispatch dimension that every device allows.
const MAX_GROUPS: u64 = 65535;

/// Converts the rendered f32 colour into 8-bit RGBA words on the GPU (shaders/colour8.wgsl).
pub struct Colour8Pass {
    layout: wgpu::BindGroupLayout,
    pipeline: wgpu::ComputePipeline,
    /// The output, kept while the pixel count stays the same.
    output: Option<(u64, wgpu::Buffer)>,
}

impl Colour8Pass {
    /// Builds the pipeline for `ctx`'s device.
    pub fn new(ctx: &GpuContext) -> Self {
        let d = &ctx.device;
        let layout = bind_group_layout(d, "colour8", shaders::COLOUR8_BINDS);
        let module = shader(d, &shaders::colour8());
        let pipeline = compute_pipeline(d, &module, &[&layout], "pack_colour8", &[]);
        Self { layout, pipeline, output: None }
    }

    /// Records the conversion of `target`'s last frame into `enc`; the returned buffer holds
    /// one RGBA word per pixel (red in the low byte), row-major, in its first `pixels * 4` bytes.
    pub fn encode(&mut self, ctx: &GpuContext, enc: &mut wgpu::CommandEncoder, target: &FrameTarget) -> &wgpu::Buffer {
        let pixels = target.width as u64 * target.height as u64;
        if self.output.as_ref().is_none_or(|(n, _)| *n != pixels) {
            self.output = None; // free the old buffer first
            let buffer = ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("colour8"),
                // The pixel count is the shader's arrayLength: exact, but never below 16 bytes.
                size: (pixels * 4).max(16),
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            });
            self.output = Some((pixels, buffer));
        }
        let (_, output) = self.output.as_ref().expect("allocated above");
        // Kept by the target: made once per target (and output), not per frame.
        let resources = [Resource::Buffer(&target.out_rgba), Resource::Buffer(output)];
        let group = target.bind_group(&ctx.device, "colour8", &self.layout, 0, &resources);
        let mut pass =
            enc.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("colour8"), timestamp_writes: None });
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &group, &[]);
        let (x, y) = dispatch(pixels);
        pass.dispatch_workgroups(x, y, 1);
        drop(pass);
        output
    }
}

/// Workgroups (x, y) covering `pixels`, in rows of at most [`MAX_GROUPS`].
fn dispatch(pixels: u64) -> (u32, u32) {
    let groups = pixels.div_ceil(WORKGROUP).max(1);
    let rows = groups.div_ceil(MAX_GROUPS);
    (groups.div_ceil(rows) as u32, rows as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatch_covers_every_pixel_within_the_limit() {
        for pixels in [1, 255, 256, 257, 640 * 480, 3840 * 2160, 8192 * 8192, MAX_GROUPS * WORKGROUP + 1] {
            let (x, y) = dispatch(pixels);
            assert!(x as u64 <= MAX_GROUPS && y as u64 <= MAX_GROUPS, "{pixels}: {x}x{y}");
            assert!(x as u64 * y as u64 * WORKGROUP >= pixels, "{pixels}: {x}x{y} groups cover it");
        }
        assert_eq!(dispatch(640 * 480), (1200, 1));
    }
}
