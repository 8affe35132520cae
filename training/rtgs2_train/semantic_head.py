"""A semantic auxiliary loss for the scene encoder: a cosine classifier over its features.

The contrastive loss alone asks only that a Gaussian look alike in two views; on real scans
its features carried less than the encoder's own raw inputs (linear probe, training/README).
Where rooms carry labels (every training source does: `synth`, furnished, imported scans),
a linear head over the unit-length features, with a fixed temperature, adds NYU40
cross-entropy per Gaussian, so the features must also separate classes. The head is used in
training only; the exported encoder still outputs its 32 unit-length features.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .fusion_data import frequency_weights

NUM_CLASSES = 41  # NYU40 ids 1-40; 0 = unannotated, never a target
TEMPERATURE = 0.1  # features have unit length, so logits of +-10 at most before the bias


class SemanticHead(nn.Module):
    def __init__(self, feature_dim: int):
        super().__init__()
        self.linear = nn.Linear(feature_dim, NUM_CLASSES)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.linear(features) / TEMPERATURE


def class_weights(label_arrays, balance: float = 0.5) -> torch.Tensor:
    """Per-class loss weights frequency^-balance over every labelled Gaussian of the rooms,
    scaled so the weighted mean over those Gaussians is 1; class 0 and absent classes get 0."""
    counts = np.zeros(NUM_CLASSES, dtype=np.float64)
    for labels in label_arrays:
        if labels is None:
            continue
        valid = labels[(labels > 0) & (labels < NUM_CLASSES)]
        counts += np.bincount(valid, minlength=NUM_CLASSES)[:NUM_CLASSES]
    if not (counts > 0).any():
        raise ValueError("no labelled Gaussian in any room: the semantic loss needs labels")
    weights = np.where(counts > 0, frequency_weights(counts, balance), 0.0)
    return torch.tensor(weights, dtype=torch.float32)


def semantic_loss(head: SemanticHead, features: torch.Tensor, labels: np.ndarray,
                  weights: torch.Tensor) -> tuple[torch.Tensor | None, float]:
    """Weighted cross-entropy over the Gaussians with a class (1-40), and their accuracy;
    (None, nan) where none has one."""
    keep = np.flatnonzero((labels > 0) & (labels < NUM_CLASSES))
    if len(keep) == 0:
        return None, float("nan")
    target = torch.from_numpy(labels[keep].astype(np.int64))
    logits = head(features[torch.from_numpy(keep)])
    loss = F.cross_entropy(logits, target, weight=weights)
    acc = (logits.argmax(dim=1) == target).float().mean().item()
    return loss, acc
