//! Blocking copies from GPU buffers to the CPU: for the headless renderer's final images,
//! tests and benchmarks — never inside the viewer's steady-state frame. A region can also be
//! handed on still mapped ([`MappedRegion`]), so another thread pays for copying it out.

use std::sync::{Arc, Mutex, PoisonError};

use super::GpuContext;

/// Copies `size` bytes at `offset` of `buffer` (which needs COPY_SRC) to the CPU and waits.
pub fn read_bytes(ctx: &GpuContext, buffer: &wgpu::Buffer, offset: u64, size: u64) -> Vec<u8> {
    read_one(ctx, buffer, offset, size)
}

/// Reads `len` u32 values starting at element `first`.
pub fn read_u32(ctx: &GpuContext, buffer: &wgpu::Buffer, first: u64, len: u64) -> Vec<u32> {
    read_one(ctx, buffer, first * 4, len * 4)
}

/// Reads `len` f32 values starting at element `first`.
pub fn read_f32(ctx: &GpuContext, buffer: &wgpu::Buffer, first: u64, len: u64) -> Vec<f32> {
    read_one(ctx, buffer, first * 4, len * 4)
}

fn read_one<T: bytemuck::Pod>(ctx: &GpuContext, buffer: &wgpu::Buffer, offset: u64, size: u64) -> Vec<T> {
    if size == 0 {
        return Vec::new();
    }
    let mut enc = ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("readback") });
    let mut pool = StagingPool::default();
    let mut batch = ReadBatch::new(&mut pool);
    batch.copy(ctx, &mut enc, buffer, offset, size);
    ctx.queue.submit([enc.finish()]);
    batch.finish(ctx).regions.pop().expect("one region recorded")
}

/// Mappable staging buffers kept between read-backs. A fresh staging buffer per frame made the
/// driver allocate, pin and fault in host memory every frame: at 640×480 the segmentation
/// path reads ~50 MB a frame, and that cost more than copying it. Buffers are reused by exact
/// size; a few are kept, the oldest dropped first.
#[derive(Default)]
pub struct StagingPool {
    free: Vec<wgpu::Buffer>,
    /// Buffers of [`MappedRegion`]s, unmapped by whichever thread dropped them.
    returned: Arc<Mutex<Vec<wgpu::Buffer>>>,
}

impl StagingPool {
    /// Free buffers kept: a frame reads at most six regions (counters, colour, depth, labels,
    /// two tensors).
    const KEEP: usize = 8;

    fn take(&mut self, ctx: &GpuContext, size: u64) -> wgpu::Buffer {
        let returned = std::mem::take(&mut *self.returned.lock().unwrap_or_else(PoisonError::into_inner));
        for buffer in returned {
            self.give_back(buffer);
        }
        match self.free.iter().position(|b| b.size() == size) {
            Some(i) => self.free.remove(i),
            None => ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("readback"),
                size,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
        }
    }

    fn give_back(&mut self, buffer: wgpu::Buffer) {
        if self.free.len() == Self::KEEP {
            self.free.remove(0);
        }
        self.free.push(buffer);
    }

    /// Free buffers held now (for tests).
    pub fn len(&self) -> usize {
        self.free.len()
    }

    /// Whether no free buffer is held.
    pub fn is_empty(&self) -> bool {
        self.free.is_empty()
    }
}

/// Several regions copied in the caller's command encoder and read back with one wait: the
/// headless frame reads its counters and every image of a view after a single submit instead
/// of one submit-and-wait per buffer. Staging buffers come from, and go back to, a
/// [`StagingPool`].
pub struct ReadBatch<'p> {
    staging: Vec<Option<wgpu::Buffer>>,
    pool: &'p mut StagingPool,
}

impl<'p> ReadBatch<'p> {
    /// An empty batch drawing staging buffers from `pool`.
    pub fn new(pool: &'p mut StagingPool) -> Self {
        Self { staging: Vec::new(), pool }
    }

    /// Records a copy of `size` bytes at `offset` of `buffer` (COPY_SRC); [`ReadBatch::finish`]
    /// returns the regions in recording order. Each region gets its own staging buffer, so no
    /// region can exceed what its source buffer already fits in.
    pub fn copy(
        &mut self,
        ctx: &GpuContext,
        enc: &mut wgpu::CommandEncoder,
        buffer: &wgpu::Buffer,
        offset: u64,
        size: u64,
    ) {
        let staging = (size > 0).then(|| {
            let staging = self.pool.take(ctx, size);
            enc.copy_buffer_to_buffer(buffer, offset, &staging, 0, size);
            staging
        });
        self.staging.push(staging);
    }

    /// Waits once for the submitted work that recorded the copies, then returns every region
    /// as values of `T` (4-byte regions for u32/f32), in recording order.
    /// The staging buffers go back to the pool.
    pub fn finish<T: bytemuck::Pod>(self, ctx: &GpuContext) -> ReadRegions<T> {
        self.finish_keeping_mapped(ctx, 0).0
    }

    /// [`ReadBatch::finish`], except that the last `keep_mapped` regions are not copied: they
    /// come back still mapped, in recording order, for another thread to copy out.
    pub fn finish_keeping_mapped<T: bytemuck::Pod>(
        mut self,
        ctx: &GpuContext,
        keep_mapped: usize,
    ) -> (ReadRegions<T>, Vec<MappedRegion>) {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut pending = 0;
        for staging in self.staging.iter().flatten() {
            let tx = tx.clone();
            staging.slice(..).map_async(wgpu::MapMode::Read, move |r| {
                let _ = tx.send(r);
            });
            pending += 1;
        }
        ctx.device.poll(wgpu::PollType::wait_indefinitely()).expect("GPU device lost while waiting for a read-back");
        for _ in 0..pending {
            rx.recv().expect("map callback ran").expect("mapping a read-back buffer failed");
        }
        let clock = std::time::Instant::now();
        let mapped_from = self.staging.len().saturating_sub(keep_mapped);
        let returns = Arc::clone(&self.pool.returned);
        let mapped = self
            .staging
            .drain(mapped_from..)
            .map(|buffer| MappedRegion::pooled(buffer, Arc::clone(&returns)))
            .collect();
        let pool = self.pool;
        let regions = self
            .staging
            .into_iter()
            .map(|staging| {
                staging.map_or_else(Vec::new, |staging| {
                    // One copy, straight from the mapping into values of T.
                    let data = bytemuck::pod_collect_to_vec(
                        &staging.slice(..).get_mapped_range().expect("mapped range of a mapped buffer"),
                    );
                    staging.unmap();
                    pool.give_back(staging);
                    data
                })
            })
            .collect();
        (ReadRegions { regions, copy_ms: clock.elapsed().as_secs_f64() * 1e3 }, mapped)
    }
}

/// Why [`MappedRegion::shared`] refused a buffer.
#[derive(Debug, thiserror::Error)]
pub enum RegionError {
    #[error("bytes {range:?} of a {size}-byte read-back buffer")]
    /// The byte range does not lie inside the buffer.
    OutOfRange {
        /// Bytes asked for.
        range: std::ops::Range<usize>,
        /// Size of the buffer, bytes.
        size: usize,
    },
    /// wgpu's message is in the text and not also a `source`: anyhow's `{:#}` would print it twice.
    #[error("viewing a read-back buffer: {0}")]
    NotMapped(wgpu::MapRangeError),
}

/// A read-back region left in its mapped staging buffer. Copying it out costs CPU time (at
/// 640×480 the network's tensors are 21.5 MB as f16), so a renderer hands it to the thread
/// that needs the values instead of copying on its own time, and that thread can read it
/// where it is ([`MappedRegion::bytes`]: ONNX Runtime takes the network's inputs straight
/// from the mapping). Several regions may share one buffer ([`MappedRegion::shared`]); the
/// buffer is unmapped, and handed back to its [`StagingPool`] if it came from one, when the
/// last region over it is dropped, on whichever thread.
pub struct MappedRegion {
    /// `None` for an empty region.
    mapping: Option<Arc<Mapping>>,
    range: std::ops::Range<usize>,
}

/// A mapped buffer and its view, unmapped when dropped.
struct Mapping {
    /// Held for reads in place; dropped before the buffer is unmapped.
    view: Option<wgpu::BufferView>,
    buffer: wgpu::Buffer,
    /// The pool's list of returned buffers, for a pooled staging buffer.
    returns: Option<Arc<Mutex<Vec<wgpu::Buffer>>>>,
    /// The caller's handle on a buffer it owns: released only after the unmap, so that the
    /// owner can tell the buffer is free again by its count.
    _owner: Option<Arc<wgpu::Buffer>>,
}

impl Mapping {
    /// `buffer`, mapped for reading (else the error of viewing it).
    fn new(
        buffer: wgpu::Buffer,
        returns: Option<Arc<Mutex<Vec<wgpu::Buffer>>>>,
        owner: Option<Arc<wgpu::Buffer>>,
    ) -> Result<Self, wgpu::MapRangeError> {
        let view = Some(buffer.slice(..).get_mapped_range()?);
        Ok(Self { view, buffer, returns, _owner: owner })
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // A buffer cannot be unmapped while a view of it exists.
        self.view = None;
        self.buffer.unmap();
        if let Some(returns) = &self.returns {
            returns.lock().unwrap_or_else(PoisonError::into_inner).push(self.buffer.clone());
        }
    }
}

impl MappedRegion {
    /// The whole of a pooled staging buffer (or an empty region).
    fn pooled(buffer: Option<wgpu::Buffer>, returns: Arc<Mutex<Vec<wgpu::Buffer>>>) -> Self {
        let range = 0..buffer.as_ref().map_or(0, |b| b.size() as usize);
        let mapping = buffer
            .map(|b| Arc::new(Mapping::new(b, Some(returns), None).expect("a read-back buffer mapped by its batch")));
        Self { mapping, range }
    }

    /// Regions over byte `ranges` of `buffer`, which the caller has mapped for reading and
    /// keeps its own handle on: the buffer is unmapped when the last of them is dropped, and
    /// only then does the caller's handle count drop back. Ranges outside the buffer, and a
    /// buffer that is not mapped, are refused (the buffer is then left as it was).
    pub fn shared(
        buffer: &Arc<wgpu::Buffer>,
        ranges: &[std::ops::Range<usize>],
    ) -> Result<Vec<MappedRegion>, RegionError> {
        let size = buffer.size() as usize;
        if let Some(r) = ranges.iter().find(|r| r.start > r.end || r.end > size) {
            return Err(RegionError::OutOfRange { range: r.clone(), size });
        }
        let mapping =
            Mapping::new((**buffer).clone(), None, Some(Arc::clone(buffer))).map_err(RegionError::NotMapped)?;
        let mapping = Arc::new(mapping);
        Ok(ranges.iter().map(|r| MappedRegion { mapping: Some(Arc::clone(&mapping)), range: r.clone() }).collect())
    }

    /// Size in bytes.
    pub fn len_bytes(&self) -> u64 {
        self.range.len() as u64
    }

    /// The region's bytes where they are, in the mapped buffer (valid while `self` lives).
    pub fn bytes(&self) -> &[u8] {
        match &self.mapping {
            Some(m) => &m.view.as_deref().expect("a live mapping has its view")[self.range.clone()],
            None => &[],
        }
    }

    /// The region's values (a copy out of the mapping).
    pub fn to_vec<T: bytemuck::Pod>(&self) -> Vec<T> {
        bytemuck::pod_collect_to_vec(self.bytes())
    }
}

impl std::fmt::Debug for MappedRegion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MappedRegion({} bytes)", self.len_bytes())
    }
}

/// What [`ReadBatch::finish`] read.
pub struct ReadRegions<T> {
    /// The values of each region, in the order they were queued.
    pub regions: Vec<Vec<T>>,
    /// CPU time spent copying out of the mapped buffers after the GPU was done, ms.
    pub copy_ms: f64,
}
