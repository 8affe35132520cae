//! Background work, so the window never freezes: loading a scene (and uploading it to the
//! GPU), then computing its encoder features (seconds on a CPU). Each job reports through a
//! channel and wakes the event loop; results of a scene the user has since replaced are
//! recognised by their generation number and dropped.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Instant;

use super::camera_controller::SceneExtent;
use crate::classes::NUM_CLASSES;
use crate::encoder::{CacheOutcome, FeatureOptions};
use crate::render::gpu::GpuContext;
use crate::render::gpu::scene_buffers::{GpuScene, GpuSceneError};
use crate::render::pca::FeaturePca;
use crate::scene::{Camera, LoadOptions, Scene};

/// Produces the path to open (e.g. generates the embedded demo scene first), on the job's
/// thread; its error is shown to the user as it reads.
pub type PrepareScene = Box<dyn FnOnce() -> Result<PathBuf, Box<dyn std::error::Error + Send + Sync>> + Send>;

/// Why a scene could not be opened or its features computed; shown to the user.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The source's own preparation (the demo scene's generation), in its words.
    #[error("{0}")]
    Prepare(Box<dyn std::error::Error + Send + Sync>),
    #[error(transparent)]
    /// The scene file could not be read.
    Scene(#[from] crate::scene::SceneError),
    /// The GPU's message is in the text and not also a `source`: `{:#}` would print it twice.
    #[error("{}: {error}", path.display())]
    Upload {
        /// The scene file.
        path: PathBuf,
        /// Why the upload failed.
        error: GpuSceneError,
    },
    #[error(transparent)]
    /// The encoder features could not be computed.
    Encoder(#[from] crate::encoder::EncoderError),
}

/// Where a scene comes from.
pub enum SceneSource {
    /// A scene file (or trainer folder).
    Path(PathBuf),
    /// A scene made on the loading thread first (the demo scene), then read from the path it
    /// returns.
    Prepared {
        /// What to call it while it is being made.
        label: String,
        /// Makes the scene and returns its path.
        prepare: PrepareScene,
    },
}

impl SceneSource {
    /// What to call the source in the title bar and messages.
    pub fn label(&self) -> String {
        match self {
            SceneSource::Path(p) => p.display().to_string(),
            SceneSource::Prepared { label, .. } => label.clone(),
        }
    }
}

/// A loaded scene, already on the GPU.
pub struct LoadedScene {
    /// Where the scene was read from.
    pub path: PathBuf,
    /// The scene, shared with the feature and lift jobs.
    pub scene: Arc<Scene>,
    /// Its cameras; empty when it has none.
    pub cameras: Vec<Camera>,
    /// The scene on the GPU.
    pub gpu: GpuScene,
    /// Where the scene is, for the camera's start and speed.
    pub extent: SceneExtent,
    /// Gaussians per NYU40 id, for ids that occur (empty without labels).
    pub class_counts: Vec<(u16, usize)>,
    /// Repairs made while loading, for the user.
    pub warnings: Vec<String>,
    /// World units per metre recorded by `rtgs2 import` (see [`crate::scene::LoadedScene`]).
    pub recorded_scale: Option<f32>,
    /// Time the load took, seconds.
    pub seconds: f64,
}

/// The encoder features: per-Gaussian display colours (4 channels: PCA r, g, b, 1) and what
/// the fusion network reads (`dim` each): the features, then the gravity cues when it reads them.
pub struct FeatureColours {
    /// Per Gaussian: PCA colour r, g, b and 1.
    pub colours: Vec<f32>,
    /// Per Gaussian: what the fusion network reads, `dim` each.
    pub features: Vec<f32>,
    /// Channels per Gaussian in `features`.
    pub dim: usize,
    /// Whether they were read from the cache.
    pub from_cache: bool,
    /// Time they took, seconds.
    pub seconds: f64,
    /// World units per metre the encoder took the scene at.
    pub scene_scale: f32,
}

/// What a background job reports; every event carries the generation of the scene it is for.
pub enum JobEvent {
    /// A scene finished loading.
    Loaded {
        /// The load it belongs to.
        generation: u64,
        /// The loaded scene.
        scene: Box<LoadedScene>,
    },
    /// Loading failed.
    LoadFailed {
        /// The load it belongs to.
        generation: u64,
        /// Why it failed.
        error: JobError,
    },
    /// The encoder features are done (or failed).
    Features {
        /// The load it belongs to.
        generation: u64,
        /// The features, or why there are none.
        result: Result<FeatureColours, JobError>,
    },
    /// Lifting has segmented `done` of `total` views.
    LiftProgress {
        /// The load it belongs to.
        generation: u64,
        /// Views segmented.
        done: usize,
        /// Views in all.
        total: usize,
    },
    /// Lifting finished (or failed; the text says why).
    Lifted {
        /// The load it belongs to.
        generation: u64,
        /// The lifted labels, or why there are none.
        result: Result<super::lift_job::Lifted, String>,
    },
    /// The file dialog closed: the chosen path, if any.
    Picked(Option<PathBuf>),
    /// An export of lifted classes finished: the file and its Gaussian count, or why not.
    Exported(Result<(PathBuf, usize), String>),
}

/// Spawns jobs and hands their events to the UI thread.
pub struct Jobs {
    tx: Sender<JobEvent>,
    /// Where the UI thread receives events.
    pub rx: Receiver<JobEvent>,
    wake: Arc<dyn Fn() + Send + Sync>,
    ctx: GpuContext,
    /// Whether to compute encoder features after loading.
    pub features: bool,
    /// How the encoder's scene scale is chosen (`--scene-scale`).
    pub scene_scale: crate::encoder::SceneScale,
    /// The fusion network to lift predictions with once the features are ready (`None`: no
    /// lifting).
    pub lift_model: Option<PathBuf>,
    /// Whether the fusion network reads gravity cues after the encoder's features.
    pub fusion_cues: bool,
}

impl Jobs {
    /// `wake` is called after each event is sent (it nudges the event loop).
    pub fn new(
        ctx: GpuContext,
        wake: Arc<dyn Fn() + Send + Sync>,
        features: bool,
        scene_scale: crate::encoder::SceneScale,
    ) -> Self {
        let (tx, rx) = channel();
        Self { tx, rx, wake, ctx, features, scene_scale, lift_model: None, fusion_cues: false }
    }

    /// Loads `source` in the background, then (when enabled) computes its features.
    pub fn load(&self, generation: u64, source: SceneSource) {
        let (tx, wake, ctx, features) = (self.tx.clone(), self.wake.clone(), self.ctx.clone(), self.features);
        let scale_choice = self.scene_scale;
        let (lift_model, cues) = (self.lift_model.clone(), self.fusion_cues);
        let send = move |event: JobEvent| {
            // The receiver only disappears when the window closes; nothing to report then.
            let _ = tx.send(event);
            wake();
        };
        let spawned = std::thread::Builder::new().name("scene loader".into()).spawn(move || {
            let scene = match load(&ctx, source) {
                Ok(s) => s,
                Err(error) => return send(JobEvent::LoadFailed { generation, error }),
            };
            let (for_features, cameras, recorded) = (scene.scene.clone(), scene.cameras.clone(), scene.recorded_scale);
            send(JobEvent::Loaded { generation, scene: Box::new(scene) });
            if features {
                let result = feature_colours(&for_features, &cameras, recorded, scale_choice, cues);
                let lift_input = result.as_ref().ok().map(|f| ((f.dim, f.features.clone()), f.scene_scale));
                send(JobEvent::Features { generation, result });
                if let (Some(model), Some((input, scale))) = (lift_model, lift_input) {
                    let progress = |done, total| send(JobEvent::LiftProgress { generation, done, total });
                    let result =
                        super::lift_job::lift_in_background(&for_features, &cameras, input, scale, &model, progress)
                            .map_err(|e| e.to_string());
                    send(JobEvent::Lifted { generation, result });
                }
            }
        });
        if let Err(e) = spawned {
            log::error!("could not start the scene loader thread: {e}");
        }
    }
}

impl Jobs {
    /// Asks where to save, then writes the Gaussians of `scene` whose lifted class `keep`
    /// marks as a reference PLY (with `label` and `label_confidence`), all on a thread of its
    /// own (the dialog blocks until the user answers).
    pub fn export_classes(
        &self,
        scene: Arc<Scene>,
        lifted: Arc<crate::pipeline::LiftedLabels>,
        keep: [bool; NUM_CLASSES],
        suggested: String,
    ) {
        let (tx, wake) = (self.tx.clone(), self.wake.clone());
        let spawned = std::thread::Builder::new().name("export classes".into()).spawn(move || {
            let picked = rfd::FileDialog::new()
                .set_title("Export the shown classes")
                .set_file_name(suggested)
                .add_filter("PLY", &["ply"])
                .save_file();
            let result = match picked {
                None => Err("no file chosen (the dialog needs an XDG desktop portal)".to_string()),
                Some(path) => {
                    let labelled = crate::pipeline::lift::with_lifted_labels(&scene, &lifted);
                    let cut = crate::pipeline::lift::isolate_classes(&labelled, &keep);
                    if cut.is_empty() {
                        Err("no Gaussian was lifted to a shown class".to_string())
                    } else {
                        crate::scene::ply_write::write_ply(&path, &cut)
                            .map(|()| (path, cut.len()))
                            .map_err(|e| e.to_string())
                    }
                }
            };
            let _ = tx.send(JobEvent::Exported(result));
            wake();
        });
        if let Err(e) = spawned {
            log::error!("could not start the export thread: {e}");
        }
    }

    /// Shows the system's file dialog (through the XDG desktop portal on Linux) on a thread of
    /// its own, since it blocks until the user answers.
    pub fn pick(&self, folder: bool) {
        let (tx, wake) = (self.tx.clone(), self.wake.clone());
        let spawned = std::thread::Builder::new().name("file dialog".into()).spawn(move || {
            let dialog =
                rfd::FileDialog::new().set_title(if folder { "Open a trainer folder" } else { "Open a scene" });
            let picked = if folder {
                dialog.pick_folder()
            } else {
                dialog
                    .add_filter("scenes", &["ply", "splat", "spz", "sog", "json", "gltf", "glb"])
                    .add_filter("all files", &["*"])
                    .pick_file()
            };
            let _ = tx.send(JobEvent::Picked(picked));
            wake();
        });
        if let Err(e) = spawned {
            log::error!("could not start the file dialog thread: {e}");
        }
    }
}

fn load(ctx: &GpuContext, source: SceneSource) -> Result<LoadedScene, JobError> {
    let started = Instant::now();
    let path = match source {
        SceneSource::Path(p) => p,
        SceneSource::Prepared { prepare, .. } => prepare().map_err(JobError::Prepare)?,
    };
    let loaded = crate::scene::load(&path, &LoadOptions { strict: false })?;
    let gpu = GpuScene::upload(ctx, &loaded.scene).map_err(|error| JobError::Upload { path: path.clone(), error })?;
    let mut counts = [0usize; NUM_CLASSES];
    for &l in loaded.scene.labels.iter().flatten() {
        counts[(l as usize).min(NUM_CLASSES - 1)] += 1;
    }
    let class_counts =
        (0..NUM_CLASSES as u16).filter(|&k| counts[k as usize] > 0).map(|k| (k, counts[k as usize])).collect();
    Ok(LoadedScene {
        extent: SceneExtent::of_scene(&loaded.scene),
        path,
        scene: Arc::new(loaded.scene),
        cameras: loaded.cameras,
        gpu,
        class_counts,
        warnings: loaded.warnings,
        recorded_scale: loaded.recorded_scale,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn feature_colours(
    scene: &Scene,
    cameras: &[Camera],
    recorded: Option<f32>,
    scale_choice: crate::encoder::SceneScale,
    cues: bool,
) -> Result<FeatureColours, JobError> {
    let started = Instant::now();
    let (scene_scale, note) = crate::encoder::resolve_scale(scene, cameras, recorded, scale_choice);
    log::info!("{note}");
    // One ONNX Runtime thread: the other core keeps the UI and the renderer responsive.
    let mut opts = FeatureOptions { threads: 1, progress: false, scene_scale, ..Default::default() };
    opts.up = crate::encoder::upright::up_for_model(&opts.model, scene, cameras);
    let f = crate::encoder::scene_features(scene, &opts)?;
    let pca = FeaturePca::fit(&f.features, f.dim);
    let colours = pca.colours(&f.features);
    let (dim, features) = crate::pipeline::network_features(cues, f.dim, f.features, scene, cameras, f.scene_scale);
    Ok(FeatureColours {
        colours,
        dim,
        features,
        from_cache: matches!(f.cache, CacheOutcome::Hit(_)),
        seconds: started.elapsed().as_secs_f64(),
        scene_scale,
    })
}
