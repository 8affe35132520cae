//! What the viewer shows: which views (all computed from one splatting frame) in which
//! arrangement.

/// One image computed from a rendered frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ViewKind {
    /// The rendered colour.
    Rgb,
    /// Class colours over the colour image (ground-truth labels until the fusion network).
    Semantic,
    /// The encoder's features through the per-scene PCA.
    Features,
    /// Expected depth, near bright.
    Depth,
}

impl ViewKind {
    /// Every view kind, in display order.
    pub const ALL: [ViewKind; 4] = [ViewKind::Rgb, ViewKind::Semantic, ViewKind::Features, ViewKind::Depth];

    /// The view's name in the interface.
    pub fn title(self) -> &'static str {
        match self {
            ViewKind::Rgb => "colour",
            ViewKind::Semantic => "semantic",
            ViewKind::Features => "encoder features (PCA)",
            ViewKind::Depth => "depth",
        }
    }

    /// The `mode` constant of shaders/present.wgsl.
    pub fn shader_mode(self) -> u32 {
        match self {
            ViewKind::Rgb => 0,
            ViewKind::Semantic => 1,
            ViewKind::Features => 2,
            ViewKind::Depth => 3,
        }
    }

    /// Index of the view (its slot in per-view arrays).
    pub fn index(self) -> usize {
        self.shader_mode() as usize
    }
}

/// Arrangements of views in the central area.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// The colour image alone.
    Single,
    /// The semantic view alone.
    Semantic,
    /// Colour | semantic.
    SideBySide,
    /// Colour, semantic / features, depth in a 2×2 grid.
    Quad,
}

impl Layout {
    /// Every layout, in menu order.
    pub const ALL: [Layout; 4] = [Layout::Single, Layout::Semantic, Layout::SideBySide, Layout::Quad];

    /// The layout's name in the interface and on the command line.
    pub fn title(self) -> &'static str {
        match self {
            Layout::Single => "single",
            Layout::Semantic => "semantic",
            Layout::SideBySide => "side by side",
            Layout::Quad => "quad",
        }
    }

    /// Views in reading order.
    pub fn views(self) -> &'static [ViewKind] {
        match self {
            Layout::Single => &[ViewKind::Rgb],
            Layout::Semantic => &[ViewKind::Semantic],
            Layout::SideBySide => &[ViewKind::Rgb, ViewKind::Semantic],
            Layout::Quad => &ViewKind::ALL,
        }
    }

    /// Grid columns and rows.
    pub fn grid(self) -> (u32, u32) {
        match self {
            Layout::Single | Layout::Semantic => (1, 1),
            Layout::SideBySide => (2, 1),
            Layout::Quad => (2, 2),
        }
    }

    /// Whether the layout shows `kind`.
    pub fn shows(self, kind: ViewKind) -> bool {
        self.views().contains(&kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_view_of_a_layout_has_a_grid_cell() {
        for l in Layout::ALL {
            let (c, r) = l.grid();
            assert_eq!(l.views().len(), (c * r) as usize, "{l:?}");
        }
        for (k, v) in ViewKind::ALL.iter().enumerate() {
            assert_eq!(v.index(), k);
        }
    }
}
