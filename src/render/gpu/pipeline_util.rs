//! Small helpers for declaring compute pipelines with explicit bind group layouts (shared by
//! every entry point of one shader file). [`shader`] is the one place a WGSL module is made,
//! always from a [`Wgsl`] that `shaders.rs` assembled.

use std::sync::Mutex;

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

/// One bind group layout per group, group g = `groups[g]` (see [`bind_group_layout`]).
pub fn bind_group_layouts(device: &wgpu::Device, label: &str, groups: &[&[Bind]]) -> Vec<wgpu::BindGroupLayout> {
    groups
        .iter()
        .enumerate()
        .map(|(g, binds)| bind_group_layout(device, &format!("{label} group {g}"), binds))
        .collect()
}

/// A pipeline for `entry` of `module` with these bind group layouts (group g = `layouts[g]`)
/// and override constants.
pub fn compute_pipeline(
    device: &wgpu::Device,
    module: &wgpu::ShaderModule,
    layouts: &[&wgpu::BindGroupLayout],
    entry: &str,
    constants: &[(&str, f64)],
) -> wgpu::ComputePipeline {
    let layouts: Vec<Option<&wgpu::BindGroupLayout>> = layouts.iter().copied().map(Some).collect();
    let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(entry),
        bind_group_layouts: &layouts,
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

/// A resource a [`GroupCache`] group binds; a cached group is reused only while it binds the
/// very same resources (wgpu handles compare by identity).
#[derive(Clone, Copy)]
pub enum Resource<'a> {
    /// A whole buffer.
    Buffer(&'a wgpu::Buffer),
    /// A texture view.
    View(&'a wgpu::TextureView),
}

/// A [`Resource`] held by a cached group's key. Holding the handle keeps its identity from
/// being reused by a later allocation while the key can still match it.
#[derive(PartialEq)]
enum Held {
    Buffer(wgpu::Buffer),
    View(wgpu::TextureView),
}

impl Resource<'_> {
    fn binding(&self) -> wgpu::BindingResource<'_> {
        match *self {
            Resource::Buffer(b) => b.as_entire_binding(),
            Resource::View(v) => wgpu::BindingResource::TextureView(v),
        }
    }

    fn is(&self, held: &Held) -> bool {
        match (*self, held) {
            (Resource::Buffer(a), Held::Buffer(b)) => a == b,
            (Resource::View(a), Held::View(b)) => a == b,
            _ => false,
        }
    }

    fn hold(&self) -> Held {
        match *self {
            Resource::Buffer(b) => Held::Buffer(b.clone()),
            Resource::View(v) => Held::View(v.clone()),
        }
    }
}

struct Slot {
    layout: wgpu::BindGroupLayout,
    tag: u32,
    binds: Vec<Held>,
    group: wgpu::BindGroup,
}

/// Bind groups kept by the owner of (some of) the buffers they bind, so they are made once
/// rather than per frame and dropped with what they bind. One group per slot, a slot being a
/// layout and a caller's tag (which of its choices the group serves); a slot's group is
/// remade only when asked for with other resources than it binds, so a stale group is never
/// bound even when the owner's buffers were swapped behind its back.
#[derive(Default)]
pub struct GroupCache {
    slots: Mutex<Vec<Slot>>,
}

impl GroupCache {
    /// The group of slot (`layout`, `tag`) binding `resources` (binding i = the i-th), made
    /// now if the slot is empty or binds anything else.
    pub fn get(
        &self,
        device: &wgpu::Device,
        label: &str,
        layout: &wgpu::BindGroupLayout,
        tag: u32,
        resources: &[Resource<'_>],
    ) -> wgpu::BindGroup {
        let mut slots = self.slots.lock().expect("bind group cache lock");
        if let Some(i) = slots.iter().position(|s| s.tag == tag && s.layout == *layout) {
            let slot = &slots[i];
            if slot.binds.len() == resources.len() && resources.iter().zip(&slot.binds).all(|(r, h)| r.is(h)) {
                return slot.group.clone();
            }
            // Let go of what the stale group binds before making its successor.
            slots.swap_remove(i);
        }
        let group = bind_group_of(device, label, layout, resources.iter().map(Resource::binding));
        slots.push(Slot { layout: layout.clone(), tag, binds: resources.iter().map(Resource::hold).collect(), group });
        slots.last().expect("pushed above").group.clone()
    }

    /// Drops every group (and with them the buffers only they still held).
    pub fn clear(&mut self) {
        self.slots.get_mut().expect("bind group cache lock").clear();
    }
}
