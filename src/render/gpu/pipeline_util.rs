//! Small helpers for declaring compute pipelines with explicit bind group layouts (shared by
//! every entry point of one shader file). [`shader`] is the one place a WGSL module is made,
//! always from a [`Wgsl`] that `shaders.rs` assembled.

use super::shaders::Wgsl;

/// How a binding is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bind {
    /// A uniform buffer.
    Uniform,
    /// A read-only storage buffer.
    Read,
    /// A read-write storage buffer.
    ReadWrite,
    /// A write-only 2D storage texture of this format (the viewer's display pass).
    WriteTexture(wgpu::TextureFormat),
}

fn buffer(ty: wgpu::BufferBindingType) -> wgpu::BindingType {
    wgpu::BindingType::Buffer { ty, has_dynamic_offset: false, min_binding_size: None }
}

/// A compute-stage bind group layout with binding i = `binds[i]`.
pub fn bind_group_layout(device: &wgpu::Device, label: &str, binds: &[Bind]) -> wgpu::BindGroupLayout {
    let entries: Vec<wgpu::BindGroupLayoutEntry> = binds
        .iter()
        .enumerate()
        .map(|(i, b)| wgpu::BindGroupLayoutEntry {
            binding: i as u32,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: match *b {
                Bind::Uniform => buffer(wgpu::BufferBindingType::Uniform),
                Bind::Read => buffer(wgpu::BufferBindingType::Storage { read_only: true }),
                Bind::ReadWrite => buffer(wgpu::BufferBindingType::Storage { read_only: false }),
                Bind::WriteTexture(format) => wgpu::BindingType::StorageTexture {
                    access: wgpu::StorageTextureAccess::WriteOnly,
                    format,
                    view_dimension: wgpu::TextureViewDimension::D2,
                },
            },
            count: None,
        })
        .collect();
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor { label: Some(label), entries: &entries })
}

/// A pipeline for `entry` of `module` with one bind group layout and override constants.
pub fn compute_pipeline(
    device: &wgpu::Device,
    module: &wgpu::ShaderModule,
    layout: &wgpu::BindGroupLayout,
    entry: &str,
    constants: &[(&str, f64)],
) -> wgpu::ComputePipeline {
    let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(entry),
        bind_group_layouts: &[Some(layout)],
        immediate_size: 0,
    });
    device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(entry),
        layout: Some(&pl),
        module,
        entry_point: Some(entry),
        compilation_options: wgpu::PipelineCompilationOptions { constants, ..Default::default() },
        cache: None,
    })
}

/// A bind group over whole buffers, binding i = `buffers[i]`.
pub fn bind_group(
    device: &wgpu::Device,
    label: &str,
    layout: &wgpu::BindGroupLayout,
    buffers: &[&wgpu::Buffer],
) -> wgpu::BindGroup {
    bind_group_of(device, label, layout, buffers.iter().map(|b| b.as_entire_binding()))
}

/// A bind group over any resources, binding i = the i-th resource.
pub fn bind_group_of<'a>(
    device: &wgpu::Device,
    label: &str,
    layout: &wgpu::BindGroupLayout,
    resources: impl IntoIterator<Item = wgpu::BindingResource<'a>>,
) -> wgpu::BindGroup {
    let entries: Vec<wgpu::BindGroupEntry> = resources
        .into_iter()
        .enumerate()
        .map(|(i, resource)| wgpu::BindGroupEntry { binding: i as u32, resource })
        .collect();
    device.create_bind_group(&wgpu::BindGroupDescriptor { label: Some(label), layout, entries: &entries })
}

/// The module of one assembled source (see `shaders.rs`).
pub fn shader(device: &wgpu::Device, wgsl: &Wgsl) -> wgpu::ShaderModule {
    device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(wgsl.label),
        source: wgpu::ShaderSource::Wgsl(std::borrow::Cow::Borrowed(&wgsl.source)),
    })
}
