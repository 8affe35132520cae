//! `rtgs2 bench sort`: the GPU radix sort's speed on random keys, against the CPU's
//! `sort_unstable` of the same pairs. GPU time is reported two ways: wall clock of each sort
//! submitted and waited on alone (what lavapipe can be trusted for; DESIGN.md notes its
//! timestamps under-report), and timestamp queries around the sort when the device has them.

use anyhow::{Context, bail};
use serde_json::json;

use super::SortBench;
use super::stats::median_p95;
use crate::render::gpu::GpuContext;
use crate::render::gpu::sort::{RadixSorter, SortCount, pass_count};
use crate::util::rng::Rng;

/// Timestamp queries around the sort, resolved into a mappable buffer.
struct Stamps {
    queries: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    read: wgpu::Buffer,
    period_ns: f64,
}

impl Stamps {
    fn new(ctx: &GpuContext) -> Option<Self> {
        if !ctx.timestamps {
            return None;
        }
        let buffer = |label: &str, usage: wgpu::BufferUsages| {
            ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: 16,
                usage,
                mapped_at_creation: false,
            })
        };
        Some(Self {
            queries: ctx.device.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some("sort timestamps"),
                ty: wgpu::QueryType::Timestamp,
                count: 2,
            }),
            resolve: buffer(
                "sort timestamps resolve",
                wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            ),
            read: buffer("sort timestamps read", wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST),
            period_ns: ctx.queue.get_timestamp_period() as f64,
        })
    }

    /// Milliseconds between the two stamps of the last (completed) submission.
    fn read_ms(&self, ctx: &GpuContext) -> anyhow::Result<f64> {
        self.read.map_async(wgpu::MapMode::Read, .., |r| r.expect("mapping the timestamp buffer"));
        ctx.device.poll(wgpu::PollType::wait_indefinitely()).context("waiting for the timestamp read-back")?;
        let ticks: [u64; 2] = {
            let view = self.read.get_mapped_range(..).context("timestamp buffer not mapped")?;
            bytemuck::pod_read_unaligned(&view[..16])
        };
        self.read.unmap();
        Ok(ticks[1].wrapping_sub(ticks[0]) as f64 * self.period_ns / 1e6)
    }
}

/// Reads back the first `n` u32 of `buffer` (outside the timed region: only to verify).
fn read_u32(ctx: &GpuContext, buffer: &wgpu::Buffer, n: u32) -> anyhow::Result<Vec<u32>> {
    Ok(crate::render::gpu::readback::read_u32(ctx, buffer, 0, n as u64))
}

pub fn run(args: &SortBench) -> anyhow::Result<()> {
    if args.repeat == 0 {
        bail!("--repeat must be at least 1");
    }
    if !(1..=32).contains(&args.bits) {
        bail!("--bits must be 1..=32, got {}", args.bits);
    }
    let ctx = GpuContext::headless()?;
    let sorter = RadixSorter::new(&ctx.device);
    let bufs = sorter.create_buffers(&ctx.device, args.n)?;
    let mask = if args.bits == 32 { u32::MAX } else { (1u32 << args.bits) - 1 };
    let seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
    let mut rng = Rng::new(seed);
    let keys: Vec<u32> = (0..args.n).map(|_| rng.next_u64() as u32 & mask).collect();
    let values: Vec<u32> = (0..args.n).collect();
    let stamps = Stamps::new(&ctx);

    let mut wall_ms = Vec::with_capacity(args.repeat);
    let mut gpu_ms = Vec::with_capacity(args.repeat);
    for i in 0..=args.repeat {
        // Fresh input every time (the previous sort left it sorted); uploads are not timed.
        ctx.queue.write_buffer(&bufs.keys, 0, bytemuck::cast_slice(&keys));
        ctx.queue.write_buffer(&bufs.values, 0, bytemuck::cast_slice(&values));
        ctx.queue.submit([]);
        ctx.device.poll(wgpu::PollType::wait_indefinitely()).context("waiting for the upload")?;

        let mut enc = ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("sort bench") });
        if let Some(s) = &stamps {
            enc.write_timestamp(&s.queries, 0);
        }
        sorter.encode(&ctx.device, &mut enc, &bufs, SortCount::Known(args.n), args.bits)?;
        if let Some(s) = &stamps {
            enc.write_timestamp(&s.queries, 1);
            enc.resolve_query_set(&s.queries, 0..2, &s.resolve, 0);
            enc.copy_buffer_to_buffer(&s.resolve, 0, &s.read, 0, 16);
        }
        let commands = enc.finish();
        let t = std::time::Instant::now();
        ctx.queue.submit([commands]);
        ctx.device.poll(wgpu::PollType::wait_indefinitely()).context("waiting for the sort")?;
        let elapsed = t.elapsed().as_secs_f64() * 1e3;
        let stamp = stamps.as_ref().map(|s| s.read_ms(&ctx)).transpose()?;
        if i > 0 {
            // Iteration 0 is the warm-up (first use of the pipelines, lazy driver work).
            wall_ms.push(elapsed);
            gpu_ms.extend(stamp);
        }
    }

    // A benchmark of a wrong sort is worthless: check the last result.
    let sorted = read_u32(&ctx, &bufs.keys, args.n)?;
    let order = read_u32(&ctx, &bufs.values, args.n)?;
    let mut seen = vec![false; args.n as usize];
    let permutation = order.iter().all(|&v| seen.get_mut(v as usize).is_some_and(|s| !std::mem::replace(s, true)));
    let ok = permutation
        && sorted.windows(2).all(|w| w[0] <= w[1])
        && order.iter().zip(&sorted).all(|(&v, &k)| keys[v as usize] == k);
    if !ok {
        bail!("the GPU sort's output is not a sorted permutation of its input");
    }

    let pairs: Vec<u64> = keys.iter().zip(&values).map(|(&k, &v)| (k as u64) << 32 | v as u64).collect();
    let mut cpu_ms = Vec::with_capacity(args.repeat);
    for _ in 0..args.repeat {
        let mut work = pairs.clone();
        let t = std::time::Instant::now();
        work.sort_unstable();
        cpu_ms.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(work);
    }

    let (wall_med, wall_p95) = median_p95(wall_ms);
    let stamp = (!gpu_ms.is_empty()).then(|| median_p95(gpu_ms));
    let (cpu_med, cpu_p95) = median_p95(cpu_ms);
    let mkeys = |ms: f64| args.n as f64 / 1e3 / ms;
    let passes = pass_count(args.bits);
    if args.json {
        println!(
            "{}",
            json!({
                "adapter": ctx.info.name, "backend": format!("{:?}", ctx.info.backend), "n": args.n, "bits": args.bits,
                "passes": passes, "repeat": args.repeat,
                "gpu_wall_median_ms": wall_med, "gpu_wall_p95_ms": wall_p95, "gpu_wall_mkeys_per_s": mkeys(wall_med),
                "gpu_timestamp_median_ms": stamp.map(|s| s.0), "gpu_timestamp_p95_ms": stamp.map(|s| s.1),
                "gpu_timestamp_mkeys_per_s": stamp.map(|s| mkeys(s.0)),
                "cpu_sort_unstable_median_ms": cpu_med, "cpu_sort_unstable_p95_ms": cpu_p95,
            })
        );
    } else {
        println!("adapter: {}", ctx.describe());
        println!("{} pairs, {} key bits ({passes} passes), {} repeats", args.n, args.bits, args.repeat);
        println!("GPU wall clock: median {wall_med:.2} ms, p95 {wall_p95:.2} ms, {:.1} M keys/s", mkeys(wall_med));
        match stamp {
            Some((med, p95)) => {
                println!("GPU timestamps: median {med:.2} ms, p95 {p95:.2} ms, {:.1} M keys/s", mkeys(med))
            }
            None => println!("GPU timestamps: not available on this device"),
        }
        println!(
            "CPU sort_unstable (u64 key<<32|value, 1 thread): median {cpu_med:.2} ms, p95 {cpu_p95:.2} ms, {:.1} M keys/s",
            mkeys(cpu_med)
        );
    }
    Ok(())
}
