//! Per-stage GPU times from timestamp queries, read back through a ring of frames so the
//! steady-state frame never waits for the GPU: each frame resolves its queries into its own
//! slot's buffer and maps it asynchronously; results are collected frames later.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Stages of one splatting frame, in submission order.
pub const STAGES: [&str; 6] = ["preprocess", "visibility", "depth sort", "binning", "tile sort", "raster"];
const QUERIES: u32 = 2 * STAGES.len() as u32;
const RING: usize = 4;

struct Slot {
    queries: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    read: wgpu::Buffer,
    /// Set by the map callback; the slot is busy from submit until collected.
    ready: Arc<AtomicBool>,
    in_flight: bool,
}

/// Milliseconds per stage of one frame.
pub type StageTimes = [f64; STAGES.len()];

/// Per-stage GPU timestamps through a ring of query sets, read back without stalling the
/// frame; `None` where the device has no timestamp queries.
pub struct GpuTimer {
    slots: Vec<Slot>,
    next: usize,
    period_ns: f64,
}

impl GpuTimer {
    /// `None` when the device has no timestamp queries.
    pub fn new(device: &wgpu::Device, queue: &wgpu::Queue, enabled: bool) -> Option<Self> {
        if !enabled {
            return None;
        }
        let slots = (0..RING)
            .map(|_| Slot {
                queries: device.create_query_set(&wgpu::QuerySetDescriptor {
                    label: Some("stage timestamps"),
                    ty: wgpu::QueryType::Timestamp,
                    count: QUERIES,
                }),
                resolve: device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("timestamp resolve"),
                    size: QUERIES as u64 * 8,
                    usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
                    mapped_at_creation: false,
                }),
                read: device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("timestamp read"),
                    size: QUERIES as u64 * 8,
                    usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                }),
                ready: Arc::new(AtomicBool::new(false)),
                in_flight: false,
            })
            .collect();
        Some(Self { slots, next: 0, period_ns: queue.get_timestamp_period() as f64 })
    }

    /// The ring slot for this frame, or `None` when every slot is still in flight (the frame
    /// then goes untimed rather than waiting). Stage `s` writes queries 2s and 2s + 1.
    pub fn begin_frame(&mut self) -> Option<usize> {
        (!self.slots[self.next].in_flight).then_some(self.next)
    }

    /// The query set of ring slot `slot` (from [`Self::begin_frame`]).
    pub fn query_set(&self, slot: usize) -> &wgpu::QuerySet {
        &self.slots[slot].queries
    }

    /// Resolves the frame's queries; call after the frame's passes, before `finish`.
    pub fn resolve(&mut self, encoder: &mut wgpu::CommandEncoder, index: usize) {
        let slot = &mut self.slots[index];
        encoder.resolve_query_set(&slot.queries, 0..QUERIES, &slot.resolve, 0);
        encoder.copy_buffer_to_buffer(&slot.resolve, 0, &slot.read, 0, QUERIES as u64 * 8);
    }

    /// After the frame's submit: start mapping its results.
    pub fn after_submit(&mut self, index: usize) {
        let slot = &mut self.slots[index];
        slot.in_flight = true;
        slot.ready.store(false, Ordering::Release);
        let ready = slot.ready.clone();
        slot.read.slice(..).map_async(wgpu::MapMode::Read, move |r| {
            if r.is_ok() {
                ready.store(true, Ordering::Release);
            }
        });
        self.next = (index + 1) % RING;
    }

    /// Results of every frame whose read-back has completed (oldest first). Does not block;
    /// call `device.poll` (the viewer does each frame) to let callbacks run.
    pub fn collect(&mut self) -> Vec<StageTimes> {
        let mut out = Vec::new();
        for k in 0..RING {
            let idx = (self.next + k) % RING;
            let slot = &mut self.slots[idx];
            if !slot.in_flight || !slot.ready.load(Ordering::Acquire) {
                continue;
            }
            let ticks: Vec<u64> = {
                let view = slot.read.slice(..).get_mapped_range().expect("mapped timestamp buffer");
                bytemuck::pod_collect_to_vec(&view)
            };
            slot.read.unmap();
            slot.in_flight = false;
            let mut t = [0.0; STAGES.len()];
            for (s, v) in t.iter_mut().enumerate() {
                let (a, b) = (ticks[2 * s], ticks[2 * s + 1]);
                *v = b.saturating_sub(a) as f64 * self.period_ns / 1e6;
            }
            out.push(t);
        }
        out
    }
}
