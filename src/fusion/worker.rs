//! The fusion network on a background thread, so rendering never waits for inference.
//!
//! The caller submits every frame it renders and never blocks; the worker always takes the
//! newest pending frame, so when inference is slower than rendering the frames in between are
//! dropped (and counted) rather than queued — a queue would make the overlay lag further and
//! further behind the camera. Results come back tagged with their frame number, so the caller
//! knows how many frames old the overlay it is drawing is.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use super::error::FusionError;
use super::predict::FusionModel;
use super::prediction::Prediction;
use super::preprocess::FrameInputs;

/// A mailbox holding at most one item: a new one replaces the pending one.
pub struct LatestSlot<T> {
    state: Mutex<SlotState<T>>,
    wake: Condvar,
}

struct SlotState<T> {
    pending: Option<(u64, T)>,
    dropped: u64,
    closed: bool,
}

impl<T> Default for LatestSlot<T> {
    fn default() -> Self {
        Self { state: Mutex::new(SlotState { pending: None, dropped: 0, closed: false }), wake: Condvar::new() }
    }
}

impl<T> LatestSlot<T> {
    fn lock(&self) -> MutexGuard<'_, SlotState<T>> {
        // The state stays consistent even if a holder panicked: every update is one assignment.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Leaves `item` for the consumer, replacing (and counting as dropped) any pending one.
    pub fn put(&self, frame: u64, item: T) {
        let mut s = self.lock();
        if s.pending.replace((frame, item)).is_some() {
            s.dropped += 1;
        }
        self.wake.notify_one();
    }

    /// The pending item, if any, without waiting.
    pub fn try_take(&self) -> Option<(u64, T)> {
        self.lock().pending.take()
    }

    /// Waits for an item; `None` once the slot is closed.
    pub fn take(&self) -> Option<(u64, T)> {
        let mut s = self.lock();
        loop {
            if s.closed {
                return None;
            }
            if let Some(item) = s.pending.take() {
                return Some(item);
            }
            s = self.wake.wait(s).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    /// Wakes the consumer for good; items still pending are discarded.
    pub fn close(&self) {
        self.lock().closed = true;
        self.wake.notify_all();
    }

    /// Items replaced before the consumer took them.
    pub fn dropped(&self) -> u64 {
        self.lock().dropped
    }
}

/// One finished frame.
#[derive(Debug)]
pub struct WorkerOutput {
    /// The number the frame was submitted with.
    pub frame: u64,
    /// The prediction, or why the network failed on this frame.
    pub result: Result<Prediction, FusionError>,
}

/// The fusion network on its own thread: frames are submitted without blocking, the newest
/// pending one is run, results come back tagged with their frame number.
pub struct FusionWorker {
    slot: Arc<LatestSlot<FrameInputs>>,
    results: Receiver<WorkerOutput>,
    thread: Option<JoinHandle<()>>,
    /// The execution provider the model runs on ("" for a custom job).
    pub provider: String,
}

impl FusionWorker {
    /// A worker owning `model`.
    pub fn spawn(mut model: FusionModel) -> Self {
        let provider = model.provider.clone();
        let mut worker = Self::spawn_with(move |inputs| model.predict(inputs));
        worker.provider = provider;
        worker
    }

    /// A worker running `job` on each frame it takes (the scheduling, independent of ONNX).
    pub fn spawn_with(mut job: impl FnMut(FrameInputs) -> Result<Prediction, FusionError> + Send + 'static) -> Self {
        let slot = Arc::new(LatestSlot::default());
        let (tx, results): (Sender<WorkerOutput>, _) = channel();
        let inbox = Arc::clone(&slot);
        let thread = std::thread::Builder::new()
            .name("rtgs2-fusion".into())
            .spawn(move || {
                while let Some((frame, inputs)) = inbox.take() {
                    if tx.send(WorkerOutput { frame, result: job(inputs) }).is_err() {
                        break; // nobody listens any more
                    }
                }
            })
            .expect("the OS can start a thread");
        Self { slot, results, thread: Some(thread), provider: String::new() }
    }

    /// Hands a frame to the worker without waiting; a frame it has not started yet is replaced.
    pub fn submit(&self, frame: u64, inputs: FrameInputs) {
        self.slot.put(frame, inputs);
    }

    /// A finished frame, if one is ready.
    pub fn try_recv(&self) -> Option<WorkerOutput> {
        self.results.try_recv().ok()
    }

    /// Waits for the next finished frame.
    pub fn recv(&self) -> Result<WorkerOutput, FusionError> {
        self.results.recv().map_err(|_| FusionError::WorkerStopped)
    }

    /// Waits up to `timeout` for the next finished frame.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Option<WorkerOutput>, FusionError> {
        match self.results.recv_timeout(timeout) {
            Ok(out) => Ok(Some(out)),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => Err(FusionError::WorkerStopped),
        }
    }

    /// Frames replaced by newer ones before inference started on them.
    pub fn dropped(&self) -> u64 {
        self.slot.dropped()
    }
}

impl Drop for FusionWorker {
    fn drop(&mut self) {
        self.slot.close();
        if let Some(t) = self.thread.take() {
            // A panicked job has already reported through the closed channel; nothing to add.
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(width: usize) -> FrameInputs {
        FrameInputs { width, height: 1, rgb8: vec![0; width * 3], ..Default::default() }
    }

    #[test]
    fn the_slot_keeps_only_the_newest_item() {
        let slot = LatestSlot::default();
        assert!(slot.try_take().is_none());
        slot.put(1, 'a');
        slot.put(2, 'b');
        slot.put(3, 'c');
        assert_eq!(slot.try_take(), Some((3, 'c')));
        assert_eq!(slot.dropped(), 2);
        slot.put(4, 'd');
        assert_eq!(slot.take(), Some((4, 'd')), "an item already there is taken without waiting");
        slot.close();
        assert_eq!(slot.take(), None, "a closed slot ends the consumer");
    }

    /// The worker is held inside frame 1 (a job blocked on a gate) while frames 2–4 arrive:
    /// it must finish 1, then take 4, having dropped 2 and 3. Channels order every step, so
    /// the test needs no sleeps.
    #[test]
    fn a_busy_worker_takes_the_newest_frame_and_counts_the_dropped_ones() {
        let (started_tx, started) = channel();
        let (release, gate) = channel::<()>();
        let worker = FusionWorker::spawn_with(move |inputs| {
            started_tx.send(inputs.width).expect("test listens");
            gate.recv().expect("test releases the job");
            Ok(Prediction { width: inputs.width, height: 1, ..Default::default() })
        });
        worker.submit(1, frame(10));
        assert_eq!(started.recv().expect("job starts"), 10);
        for (n, w) in [(2, 20), (3, 30), (4, 40)] {
            worker.submit(n, frame(w));
        }
        assert_eq!(worker.dropped(), 2);
        assert!(worker.try_recv().is_none(), "frame 1 is still running");
        release.send(()).expect("job waits");
        let first = worker.recv().expect("frame 1 result");
        assert_eq!((first.frame, first.result.expect("ok").width), (1, 10));
        assert_eq!(started.recv().expect("next job starts"), 40, "frame 4 skipped 2 and 3");
        release.send(()).expect("job waits");
        let second = worker.recv().expect("frame 4 result");
        assert_eq!((second.frame, second.result.expect("ok").width), (4, 40));
        assert_eq!(worker.dropped(), 2);
    }

    #[test]
    fn errors_come_back_with_their_frame_and_dropping_the_worker_joins_it() {
        let worker = FusionWorker::spawn_with(|inputs| {
            inputs.check()?;
            Ok(Prediction::default())
        });
        worker.submit(7, FrameInputs { width: 2, height: 2, ..Default::default() });
        let out = worker.recv().expect("a result");
        assert_eq!(out.frame, 7);
        assert!(matches!(out.result, Err(FusionError::Input(_))));
        drop(worker);
    }
}
