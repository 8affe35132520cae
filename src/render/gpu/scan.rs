//! Exclusive prefix sum of a u32 buffer on the GPU (shaders/scan.wgsl), reduce-then-scan in
//! levels of 1024-element blocks. A [`ScanPlan`] is bound to one data buffer and one count
//! location when created, so encoding it each frame allocates nothing.

use wgpu::util::DeviceExt;

use super::layout::ScanParams;
use super::pipeline_util::{bind_group, bind_group_layout, compute_pipeline, shader};
use super::shaders;

const BLOCK: u64 = 1024;
const MAX_GROUPS_X: u32 = 65535;

/// The scan pipelines, shared by every plan.
pub struct GpuScan {
    layout: wgpu::BindGroupLayout,
    reduce: wgpu::ComputePipeline,
    scan: wgpu::ComputePipeline,
}

struct Level {
    bind_group: wgpu::BindGroup,
    blocks: u32,
}

/// Where a scan reads its element count and writes its total: (buffer, u32 index).
#[derive(Clone, Copy)]
pub struct ScanCounts<'a> {
    /// Buffer and u32 index of the element count.
    pub count: (&'a wgpu::Buffer, u32),
    /// Buffer and u32 index the grand total is written to.
    pub total: (&'a wgpu::Buffer, u32),
}

/// A scan of a particular buffer: level buffers and bind groups made once.
pub struct ScanPlan {
    levels: Vec<Level>,
    // Keeps the block-sum buffers alive (the bind groups reference them).
    _sums: Vec<wgpu::Buffer>,
}

/// 2-D workgroup grid for `groups` 1-D workgroups.
pub fn grid(groups: u32) -> (u32, u32) {
    if groups <= MAX_GROUPS_X { (groups.max(1), 1) } else { (MAX_GROUPS_X, groups.div_ceil(MAX_GROUPS_X)) }
}

impl GpuScan {
    /// Builds the scan's pipelines for `device`.
    pub fn new(device: &wgpu::Device) -> Self {
        let module = shader(device, &shaders::scan());
        let layout = bind_group_layout(device, "scan", shaders::SCAN_BINDS);
        let make = |entry: &str| compute_pipeline(device, &module, &[&layout], entry, &[]);
        Self { reduce: make("reduce_blocks"), scan: make("scan_blocks"), layout }
    }

    /// A plan scanning `data` (up to `capacity` elements) in place; the element count is the
    /// u32 at `counts.count`, and the grand total goes to `counts.total`.
    pub fn plan(&self, device: &wgpu::Device, data: &wgpu::Buffer, capacity: u64, counts: ScanCounts<'_>) -> ScanPlan {
        let ScanCounts { count: (count_buf, count_index), total: (total_buf, total_index) } = counts;
        // Level k scans `caps[k]` elements; level k + 1 holds its block sums.
        let mut caps = vec![capacity.max(1)];
        while *caps.last().expect("non-empty") > BLOCK {
            let c = caps.last().expect("non-empty").div_ceil(BLOCK);
            caps.push(c);
        }
        let mut sums: Vec<wgpu::Buffer> = Vec::new();
        for (k, c) in caps.iter().enumerate().skip(1) {
            sums.push(device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(&format!("scan sums level {k}")),
                size: c * 4,
                usage: wgpu::BufferUsages::STORAGE,
                mapped_at_creation: false,
            }));
        }
        // The top level has no block offsets: a one-element buffer tells the shader so.
        let none = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("scan no sums"),
            size: 4,
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
        });
        let mut levels = Vec::new();
        for (k, c) in caps.iter().enumerate() {
            let top = k + 1 == caps.len();
            let params = ScanParams {
                count_index,
                count_divisor: BLOCK.pow(k as u32) as u32,
                write_total: top as u32,
                total_index,
            };
            let ubuf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("scan params"),
                contents: bytemuck::bytes_of(&params),
                usage: wgpu::BufferUsages::UNIFORM,
            });
            let level_data = if k == 0 { data } else { &sums[k - 1] };
            let level_sums = if top { &none } else { &sums[k] };
            let bind_group =
                bind_group(device, "scan level", &self.layout, &[&ubuf, count_buf, level_data, level_sums, total_buf]);
            levels.push(Level { bind_group, blocks: c.div_ceil(BLOCK) as u32 });
        }
        sums.push(none);
        ScanPlan { levels, _sums: sums }
    }

    /// Records the scan: reduce every level bottom-up, then scan top-down.
    pub fn encode(&self, pass: &mut wgpu::ComputePass<'_>, plan: &ScanPlan) {
        let n = plan.levels.len();
        pass.set_pipeline(&self.reduce);
        for level in &plan.levels[..n - 1] {
            pass.set_bind_group(0, &level.bind_group, &[]);
            let (x, y) = grid(level.blocks);
            pass.dispatch_workgroups(x, y, 1);
        }
        pass.set_pipeline(&self.scan);
        for level in plan.levels.iter().rev() {
            pass.set_bind_group(0, &level.bind_group, &[]);
            let (x, y) = grid(level.blocks);
            pass.dispatch_workgroups(x, y, 1);
        }
    }
}
