//! The wgpu device: headless (CLI, tests) or for a window's surface (viewer). Requests the
//! adapter's own limits rather than wgpu's conservative defaults, because big scenes need big
//! storage bindings, and the optional features we can use (timestamps, f16 in shaders).

use std::sync::Arc;

/// No GPU (or no working driver) could be opened.
#[derive(Debug, thiserror::Error)]
pub enum GpuError {
    #[error(
        "no GPU adapter found ({0}); on Linux without a GPU install Mesa's software Vulkan driver \
         (Debian/Ubuntu package mesa-vulkan-drivers)"
    )]
    /// No adapter matched (the text lists what was tried or found).
    NoAdapter(String),
    #[error("the GPU adapter '{adapter}' refused to open a device: {message}")]
    /// The adapter would not open a device with the features and limits asked for.
    Device {
        /// The adapter's name.
        adapter: String,
        /// wgpu's message.
        message: String,
    },
}

/// An open device with what we learned about it.
#[derive(Clone)]
pub struct GpuContext {
    /// The wgpu instance the adapter came from (shared with the viewer's surface).
    pub instance: Arc<wgpu::Instance>,
    /// The chosen adapter.
    pub adapter: Arc<wgpu::Adapter>,
    /// The open device.
    pub device: wgpu::Device,
    /// Its queue.
    pub queue: wgpu::Queue,
    /// The adapter's name, backend and driver, for messages and `info`.
    pub info: wgpu::AdapterInfo,
    /// The device's limits as granted (binding sizes decide the largest scene and image).
    pub limits: wgpu::Limits,
    /// Timestamp queries usable inside and between passes.
    pub timestamps: bool,
}

impl std::fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuContext").field("adapter", &self.info.name).field("backend", &self.info.backend).finish()
    }
}

impl GpuContext {
    /// A device with no surface, for rendering to buffers.
    pub fn headless() -> Result<Self, GpuError> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            force_fallback_adapter: false,
            compatible_surface: None,
            // We want the adapter's real limits (lavapipe's 2 GiB buffers, big GPUs' more).
            apply_limit_buckets: false,
        }))
        .map_err(|e| GpuError::NoAdapter(e.to_string()))?;
        Self::open(Arc::new(instance), Arc::new(adapter))
    }

    /// Opens a device on a chosen adapter (the viewer picks one compatible with its surface).
    pub fn open(instance: Arc<wgpu::Instance>, adapter: Arc<wgpu::Adapter>) -> Result<Self, GpuError> {
        let info = adapter.get_info();
        let available = adapter.features();
        let wanted = wgpu::Features::TIMESTAMP_QUERY | wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS;
        let features = available & wanted;
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("rtgs2"),
            required_features: features,
            required_limits: limits.clone(),
            experimental_features: wgpu::ExperimentalFeatures::disabled(),
            memory_hints: wgpu::MemoryHints::Performance,
            trace: wgpu::Trace::Off,
        }))
        .map_err(|e| GpuError::Device { adapter: info.name.clone(), message: e.to_string() })?;
        Ok(Self { instance, adapter, device, queue, info, limits, timestamps: features.contains(wanted) })
    }

    /// One line for logs and the UI: adapter, backend, driver.
    pub fn describe(&self) -> String {
        format!(
            "{} ({:?}, {:?}, {} {})",
            self.info.name, self.info.backend, self.info.device_type, self.info.driver, self.info.driver_info
        )
    }

    /// True for Mesa's lavapipe and other CPU implementations.
    pub fn is_software(&self) -> bool {
        self.info.device_type == wgpu::DeviceType::Cpu
    }
}

/// The device for GPU tests: `None` (with a message) on a machine without any adapter, so a
/// developer without a driver can still run the rest — but under CI (`CI=true`) a missing
/// adapter is a failure, so a broken driver install can never turn CI green silently.
pub fn gpu_for_tests() -> Option<GpuContext> {
    match GpuContext::headless() {
        Ok(ctx) => Some(ctx),
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("CI=true but no GPU adapter could be opened: {e}");
            }
            eprintln!("skipping GPU test: {e}");
            None
        }
    }
}
