//! GPU radix sort of (u32 key, u32 value) pairs: a reduce-then-scan LSD sort, 8 bits per pass,
//! stable, with the element count either known on the CPU or read on the GPU from a buffer an
//! earlier pass wrote (indirect dispatch; nothing is read back to the CPU).
//!
//! The renderer sorts twice per frame: visible Gaussians by depth (32-bit keys, the bits of
//! positive f32 depths), then (tile, splat) pairs by tile id with only ⌈log2 tiles⌉ key bits;
//! the second sort being stable keeps the depth order within each tile.
//!
//! Why this design (DESIGN.md, "Rendering rules"): single-pass sorts with decoupled look-back
//! (Onesweep) need forward progress between workgroups, which lavapipe and Apple GPUs do not
//! give; each pass here is three dispatches that only read what earlier dispatches wrote.
//! Subgroup operations are not used either, so any subgroup size (or none) works.
//!
//! Per call the encoder records: two small buffer copies (the call's parameters and, for
//! [`SortCount::InBuffer`], the count), a one-invocation set-up dispatch that derives the
//! dispatch sizes, then per pass `upsweep` (block histograms), `scan` (over blocks, one
//! workgroup per digit) and `downsweep` (stable scatter), and a copy back when the pass count
//! is odd. Everything a call depends on is written by that call's own commands, so one
//! [`SortBuffers`] may be sorted several times, with different key bits and counts, in one
//! command buffer (the renderer does); calls on the same buffers simply run in order.
//!
//! Sizes: 256 invocations × 8 keys = 2048 keys per block, about 10 KiB of workgroup memory
//! (under WebGPU's 16 KiB default). Measured (`rtgs2 bench sort`): on an H100 this block shape
//! was 2.7× faster than 128 × 16 (16 M pairs, 32 bits, 4-bit passes). At a million keys a pass
//! costs mostly the latency of its three dispatches (H200, 4-bit passes: 34 µs each at 100k
//! keys, 47 µs at 1M), which is why a pass takes 8 bits: half the passes of 4-bit digits, for
//! a second stable 4-bit split inside the block. `max_len` is bounded by the storage binding
//! limit: 33 554 432 on lavapipe (128 MiB), 536 868 864 on an H100.

use bytemuck::{Pod, Zeroable};
use wgpu::util::DeviceExt;

use super::pipeline_util::{bind_group_layout, compute_pipeline, shader};
/// The sort's sources, assembled in `shaders.rs`; named here too for the sort's own tests.
pub use super::shaders::{SETUP_WGSL, SORT_WGSL};

/// Invocations per workgroup of the sort passes (shaders/radix_sort.wgsl: `WG`).
pub const WORKGROUP_SIZE: u32 = 256;
/// Keys each invocation ranks (`KPT`).
pub const KEYS_PER_THREAD: u32 = 8;
/// Keys per block, i.e. per workgroup of the upsweep and downsweep (`BLOCK`).
pub const BLOCK_SIZE: u32 = WORKGROUP_SIZE * KEYS_PER_THREAD;
/// Key bits sorted per pass (`RADIX_BITS`).
pub const RADIX_BITS: u32 = 8;
/// Digit values per pass (`RADIX`).
pub const RADIX: u32 = 1 << RADIX_BITS;
/// Passes for 32-bit keys.
pub const MAX_PASSES: u32 = 32 / RADIX_BITS;
/// Elements per workgroup of the final copy (`COPY_BLOCK`).
pub const COPY_BLOCK: u32 = WORKGROUP_SIZE * 4;
/// The largest `max_len` on any device: keeps every index the shaders compute inside u32.
pub const MAX_LEN_CAP: u32 = 1 << 30;

// Keys and values are loaded as vec4; a block's count of one nibble must fit a 16-bit counter;
// the upsweep and downsweep give each digit one invocation.
const _: () = assert!(KEYS_PER_THREAD.is_multiple_of(4) && BLOCK_SIZE < 1 << 16 && RADIX == WORKGROUP_SIZE);

/// Byte offsets of the two dispatch argument triples in the indirect buffer.
const INDIRECT_SORT: u64 = 0;
const INDIRECT_COPY: u64 = 12;

/// The per-call input of the set-up pass (`SortInput` in radix_sort_setup.wgsl).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct SortInput {
    /// Overwritten on the GPU by a copy from the caller's buffer for [`SortCount::InBuffer`].
    pub count: u32,
    /// Bits of the key to sort on (1-32); fewer bits, fewer passes.
    pub key_bits: u32,
    /// The sort buffers' capacity; larger counts are clamped to it.
    pub max_len: u32,
    /// The device's most workgroups per dispatch dimension (smaller in tests, to exercise 2D grids).
    pub max_groups_x: u32,
}

/// What the set-up pass derives for the sort passes (`SortParams` in both shaders).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct SortParams {
    /// Elements to sort (the input count clamped to `max_len`).
    pub count: u32,
    /// Key bits to sort, clamped to 1-32.
    pub key_bits: u32,
    /// Blocks of elements, one workgroup each per pass.
    pub num_blocks: u32,
    /// Width of the 2D grid of block workgroups (at most the per-dimension dispatch limit).
    pub blocks_x: u32,
    /// Row length of the histogram matrix: blocks for `max_len` elements.
    pub hist_stride: u32,
    /// Workgroups of the final copy (odd pass counts leave the result in the ping-pong buffers).
    pub copy_groups: u32,
    /// Width of the copy's 2D workgroup grid.
    pub copy_x: u32,
    /// Padding to 32 bytes; always 0.
    pub _pad: u32,
}

/// The per-pass constant (`PassInfo` in radix_sort.wgsl): which bits this pass sorts.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct PassInfo {
    /// Lowest key bit this pass sorts on.
    pub shift: u32,
    /// Padding to 16 bytes.
    pub _pad0: u32,
    /// Padding to 16 bytes.
    pub _pad1: u32,
    /// Padding to 16 bytes.
    pub _pad2: u32,
}

/// The element count of one sort.
#[derive(Clone, Copy, Debug)]
pub enum SortCount<'a> {
    /// Known on the CPU; at most the buffers' `max_len`.
    Known(u32),
    /// A u32 at `offset` (a multiple of 4) in `buffer`, written by earlier GPU work in the same
    /// or an earlier submission. The buffer needs `BufferUsages::COPY_SRC`. Counts above
    /// `max_len` are clamped to it on the GPU (a renderer bug must not become a memory error).
    InBuffer {
        /// The buffer holding the count.
        buffer: &'a wgpu::Buffer,
        /// Byte offset of the u32 count in it.
        offset: u64,
    },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
/// Why a sort cannot be set up or recorded.
pub enum SortError {
    #[error(
        "cannot sort {requested} elements on this device: at most {supported} fit its largest storage \
         binding ({binding_bytes} bytes, 4 bytes per key)"
    )]
    /// The requested capacity exceeds the device's largest storage binding.
    TooLarge {
        /// Elements asked for.
        requested: u64,
        /// Most elements the device can sort.
        supported: u32,
        /// The device's largest storage binding, bytes.
        binding_bytes: u64,
    },
    #[error("key bits must be 1..=32, got {0}")]
    /// The requested key bit count (carried) is outside 1-32.
    KeyBits(u32),
    #[error("count {count} exceeds the sort buffers' max_len {max_len}")]
    /// A known count exceeds the buffers' capacity.
    CountTooLarge {
        /// The count given.
        count: u32,
        /// The buffers' capacity.
        max_len: u32,
    },
    #[error("the count's byte offset {offset} is not a multiple of 4 or not inside its {size}-byte buffer")]
    /// An in-buffer count's offset is unaligned or outside the buffer.
    CountOffset {
        /// The byte offset given.
        offset: u64,
        /// Size of the buffer, bytes.
        size: u64,
    },
    #[error("the count's buffer lacks BufferUsages::COPY_SRC (the sort copies the count out of it)")]
    /// The count's buffer lacks `BufferUsages::COPY_SRC` (the sort copies the count out of it).
    CountUsage,
}

/// The largest `max_len` the device supports: each of keys, values and their ping-pong copies
/// is one storage binding of 4 bytes per element, rounded up to whole blocks. Lavapipe's
/// 128 MiB binding limit gives 33 554 432 (32 Mi) elements.
pub fn max_supported_len(limits: &wgpu::Limits) -> u32 {
    let bytes = limits.max_storage_buffer_binding_size.min(limits.max_buffer_size);
    let elems = (bytes / 4 / BLOCK_SIZE as u64) * BLOCK_SIZE as u64;
    elems.min(MAX_LEN_CAP as u64) as u32
}

/// Pipelines and layouts; create once per device.
pub struct RadixSorter {
    setup_layout: wgpu::BindGroupLayout,
    sort_layout: wgpu::BindGroupLayout,
    setup: wgpu::ComputePipeline,
    upsweep: wgpu::ComputePipeline,
    scan: wgpu::ComputePipeline,
    downsweep: wgpu::ComputePipeline,
    copy: wgpu::ComputePipeline,
    max_groups_x: u32,
    uniform_align: u64,
}

/// The caller's key and value buffers plus the sort's scratch, for up to `max_len` elements.
///
/// Write the input into `keys` / `values` (the first `count` elements); after the sort's
/// commands have run, they hold the sorted pairs. Elements past `count` are never written.
pub struct SortBuffers {
    /// `max_len` rounded up to whole blocks; usage STORAGE | COPY_SRC | COPY_DST.
    pub keys: wgpu::Buffer,
    /// The values sorted with the keys (e.g. Gaussian indices); same size and usage as `keys`.
    pub values: wgpu::Buffer,
    /// Most elements one sort on these buffers handles.
    pub max_len: u32,
    alt_keys: wgpu::Buffer,
    alt_values: wgpu::Buffer,
    /// Per-block digit counts, then the digit totals.
    hist: wgpu::Buffer,
    /// The call's [`SortInput`], copied in by each `encode`.
    input: wgpu::Buffer,
    params: wgpu::Buffer,
    indirect: wgpu::Buffer,
    setup_group: wgpu::BindGroup,
    /// Pass p reads keys/values (p even) or the ping-pong pair (p odd) and writes the other.
    pass_groups: Vec<wgpu::BindGroup>,
}

impl SortBuffers {
    /// The internal buffers, for tests that fill them with noise (the sort must never rely on
    /// their previous contents) and for debugging.
    pub fn scratch_buffers(&self) -> [&wgpu::Buffer; 6] {
        [&self.alt_keys, &self.alt_values, &self.hist, &self.input, &self.params, &self.indirect]
    }
}

/// The number of passes for `key_bits` bits.
pub fn pass_count(key_bits: u32) -> u32 {
    key_bits.div_ceil(RADIX_BITS)
}

impl RadixSorter {
    /// Builds the set-up and pass pipelines for `device`.
    pub fn new(device: &wgpu::Device) -> Self {
        let setup_layout = bind_group_layout(device, "radix sort setup", super::shaders::SORT_SETUP_BINDS);
        let sort_layout = bind_group_layout(device, "radix sort pass", super::shaders::SORT_PASS_BINDS);
        let setup_module = shader(device, &super::shaders::sort_setup());
        let sort_module = shader(device, &super::shaders::sort_pass());
        let pipeline = |layout: &wgpu::BindGroupLayout, module: &wgpu::ShaderModule, entry: &str| {
            compute_pipeline(device, module, &[layout], entry, &[])
        };
        Self {
            setup: pipeline(&setup_layout, &setup_module, "setup"),
            upsweep: pipeline(&sort_layout, &sort_module, "upsweep"),
            scan: pipeline(&sort_layout, &sort_module, "scan"),
            downsweep: pipeline(&sort_layout, &sort_module, "downsweep"),
            copy: pipeline(&sort_layout, &sort_module, "copy"),
            setup_layout,
            sort_layout,
            max_groups_x: device.limits().max_compute_workgroups_per_dimension,
            uniform_align: device.limits().min_uniform_buffer_offset_alignment.max(16) as u64,
        }
    }

    /// Lowers the width of the workgroup grids, so that tests can exercise the 2D dispatch
    /// that only counts above 65535 blocks (134 M elements) would need otherwise.
    pub fn with_max_groups_x(mut self, max_groups_x: u32) -> Self {
        self.max_groups_x = max_groups_x.clamp(1, self.max_groups_x);
        self
    }

    /// Buffers for sorting up to `max_len` elements (see [`max_supported_len`]).
    pub fn create_buffers(&self, device: &wgpu::Device, max_len: u32) -> Result<SortBuffers, SortError> {
        let limits = device.limits();
        let supported = max_supported_len(&limits);
        if max_len > supported {
            return Err(SortError::TooLarge {
                requested: max_len as u64,
                supported,
                binding_bytes: limits.max_storage_buffer_binding_size,
            });
        }
        // Whole blocks, so the shaders' vec4 loads of a block's tail stay inside the buffer.
        let blocks = max_len.div_ceil(BLOCK_SIZE).max(1);
        let data_bytes = blocks as u64 * BLOCK_SIZE as u64 * 4;
        let data = |label: &str| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: data_bytes,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        };
        let keys = data("sort keys");
        let values = data("sort values");
        let alt_keys = data("sort keys (ping-pong)");
        let alt_values = data("sort values (ping-pong)");
        let small = |label: &str, size: u64, usage: wgpu::BufferUsages| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage: usage | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        };
        let hist =
            small("sort histograms", (RADIX as u64 * blocks as u64 + RADIX as u64) * 4, wgpu::BufferUsages::STORAGE);
        let input = small("sort input", size_of::<SortInput>() as u64, wgpu::BufferUsages::STORAGE);
        let params = small(
            "sort params",
            size_of::<SortParams>() as u64,
            wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::UNIFORM,
        );
        let indirect = small("sort dispatch sizes", 24, wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::INDIRECT);

        let mut pass_bytes = vec![0u8; (self.uniform_align * MAX_PASSES as u64) as usize];
        for p in 0..MAX_PASSES {
            let at = (p as u64 * self.uniform_align) as usize;
            let info = PassInfo { shift: p * RADIX_BITS, ..Default::default() };
            pass_bytes[at..at + size_of::<PassInfo>()].copy_from_slice(bytemuck::bytes_of(&info));
        }
        // One PassInfo per pass at uniform-offset alignment, constant after creation (the pass
        // bind groups keep it alive).
        let pass_info = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("sort pass info"),
            contents: &pass_bytes,
            usage: wgpu::BufferUsages::UNIFORM,
        });

        let setup_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("radix sort setup"),
            layout: &self.setup_layout,
            entries: &[
                wgpu::BindGroupEntry { binding: 0, resource: input.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 1, resource: params.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 2, resource: indirect.as_entire_binding() },
            ],
        });
        let pass_groups = (0..MAX_PASSES)
            .map(|p| {
                let (src_k, src_v, dst_k, dst_v) = if p % 2 == 0 {
                    (&keys, &values, &alt_keys, &alt_values)
                } else {
                    (&alt_keys, &alt_values, &keys, &values)
                };
                let info = wgpu::BufferBinding {
                    buffer: &pass_info,
                    offset: p as u64 * self.uniform_align,
                    size: wgpu::BufferSize::new(size_of::<PassInfo>() as u64),
                };
                device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("radix sort pass"),
                    layout: &self.sort_layout,
                    entries: &[
                        wgpu::BindGroupEntry { binding: 0, resource: params.as_entire_binding() },
                        wgpu::BindGroupEntry { binding: 1, resource: wgpu::BindingResource::Buffer(info) },
                        wgpu::BindGroupEntry { binding: 2, resource: src_k.as_entire_binding() },
                        wgpu::BindGroupEntry { binding: 3, resource: src_v.as_entire_binding() },
                        wgpu::BindGroupEntry { binding: 4, resource: dst_k.as_entire_binding() },
                        wgpu::BindGroupEntry { binding: 5, resource: dst_v.as_entire_binding() },
                        wgpu::BindGroupEntry { binding: 6, resource: hist.as_entire_binding() },
                    ],
                })
            })
            .collect();
        Ok(SortBuffers {
            keys,
            values,
            max_len,
            alt_keys,
            alt_values,
            hist,
            input,
            params,
            indirect,
            setup_group,
            pass_groups,
        })
    }

    /// Records a stable sort of the first `count` pairs of `bufs` by the low `key_bits` bits
    /// of their keys (higher bits are ignored). Allocates one 16-byte upload buffer per call
    /// (that is what lets several calls share one command buffer); reads nothing back.
    pub fn encode(
        &self,
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        bufs: &SortBuffers,
        count: SortCount<'_>,
        key_bits: u32,
    ) -> Result<(), SortError> {
        if !(1..=32).contains(&key_bits) {
            return Err(SortError::KeyBits(key_bits));
        }
        let known = match count {
            SortCount::Known(n) if n > bufs.max_len => {
                return Err(SortError::CountTooLarge { count: n, max_len: bufs.max_len });
            }
            SortCount::Known(n) => n,
            SortCount::InBuffer { buffer, offset } => {
                if offset % 4 != 0 || offset.checked_add(4).is_none_or(|end| end > buffer.size()) {
                    return Err(SortError::CountOffset { offset, size: buffer.size() });
                }
                if !buffer.usage().contains(wgpu::BufferUsages::COPY_SRC) {
                    return Err(SortError::CountUsage);
                }
                0
            }
        };
        let input = SortInput { count: known, key_bits, max_len: bufs.max_len, max_groups_x: self.max_groups_x };
        let upload = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("sort call input"),
            contents: bytemuck::bytes_of(&input),
            usage: wgpu::BufferUsages::COPY_SRC,
        });
        encoder.copy_buffer_to_buffer(&upload, 0, &bufs.input, 0, size_of::<SortInput>() as u64);
        if let SortCount::InBuffer { buffer, offset } = count {
            encoder.copy_buffer_to_buffer(buffer, offset, &bufs.input, 0, 4);
        }

        // The set-up has a pass of its own so the indirect buffer it writes is plainly
        // finished before any dispatch reads it.
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("radix sort setup"),
                timestamp_writes: None,
            });
            pass.set_pipeline(&self.setup);
            pass.set_bind_group(0, &bufs.setup_group, &[]);
            pass.dispatch_workgroups(1, 1, 1);
        }
        let passes = pass_count(key_bits);
        let mut pass = encoder
            .begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("radix sort"), timestamp_writes: None });
        for p in 0..passes {
            pass.set_bind_group(0, &bufs.pass_groups[p as usize], &[]);
            pass.set_pipeline(&self.upsweep);
            pass.dispatch_workgroups_indirect(&bufs.indirect, INDIRECT_SORT);
            pass.set_pipeline(&self.scan);
            pass.dispatch_workgroups(RADIX, 1, 1);
            pass.set_pipeline(&self.downsweep);
            pass.dispatch_workgroups_indirect(&bufs.indirect, INDIRECT_SORT);
        }
        if passes % 2 == 1 {
            // Pass 1's bind group reads the ping-pong pair and writes the caller's buffers.
            pass.set_bind_group(0, &bufs.pass_groups[1], &[]);
            pass.set_pipeline(&self.copy);
            pass.dispatch_workgroups_indirect(&bufs.indirect, INDIRECT_COPY);
        }
        Ok(())
    }
}
