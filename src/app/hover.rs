//! The pixel under the mouse in the semantic view and the label the GPU probe read there.
//!
//! The probe is a small GPU job submitted only when the hovered pixel moved since the last
//! frame or probe; keeping the pixel, the last probed pixel and the answer together keeps
//! that rule in one place.

/// Hover position and the ground-truth / lifted label found under it.
#[derive(Clone, Debug, Default)]
pub struct Hover {
    /// Render-resolution pixel under the mouse in the semantic view (set by the UI each frame).
    pub pixel: Option<(u32, u32)>,
    /// The pixel the last frame or probe read the label of.
    probed: Option<(u32, u32)>,
    /// The label the last probe found (the ground truth or lifted labels, by the source shown).
    pub label: Option<u8>,
}

impl Hover {
    /// The hovered pixel, when it has not been probed yet.
    pub fn unprobed(&self) -> Option<(u32, u32)> {
        self.pixel.filter(|_| self.pixel != self.probed)
    }

    /// The hovered pixel is being probed (by a frame or a probe job).
    pub fn mark_probed(&mut self) {
        self.probed = self.pixel;
    }

    /// A frame or probe came back, with a label when it probed one.
    pub fn probe_done(&mut self, label: Option<u8>) {
        if let Some(label) = label {
            self.label = Some(label);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pixel_is_probed_once_until_the_mouse_moves() {
        let mut h = Hover::default();
        assert_eq!(h.unprobed(), None);
        h.pixel = Some((3, 4));
        assert_eq!(h.unprobed(), Some((3, 4)));
        h.mark_probed();
        assert_eq!(h.unprobed(), None);
        h.probe_done(None);
        assert_eq!(h.label, None);
        h.probe_done(Some(7));
        h.probe_done(None);
        assert_eq!(h.label, Some(7), "a frame without a probe keeps the last label");
        h.pixel = None;
        assert_eq!(h.unprobed(), None, "nothing hovered: nothing to probe");
    }
}
