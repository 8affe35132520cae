"""The training loss, laid out for the CPU: the same numbers as

    F.cross_entropy(F.interpolate(logits_s4, size, mode="bilinear", align_corners=False),
                    target, weight=w, ignore_index=255, label_smoothing=eps)

at about half the cost. With the network's 40 classes on the channel axis (NCHW), PyTorch's
CPU softmax, argmax and label smoothing all stride across memory, and its weighted label
smoothing multiplies the whole [B, C, H, W] log-probabilities by the weights, forward and
backward. Here the stride-4 logits are upsampled in channels-last memory, viewed as one row
of C logits per pixel (no copy), and the smoothing term sum_c w_c log p_c is a matrix-vector
product. A training step of the shipped network (batch 8, 192x256) spent ~40 % of its time in
this head (the measured gain is in training/README); tests/test_fusion_loss.py checks the parity.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .metrics import IGNORE  # the ignored label, in ground truth and in training targets alike


def pixel_logits(logits_s4: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """[B, C, h, w] -> [B*H*W, C]: bilinear upsampling to `size` (as the exported network does
    it), one row per pixel in (b, y, x) order."""
    up = F.interpolate(logits_s4.contiguous(memory_format=torch.channels_last), size=size, mode="bilinear",
                       align_corners=False)
    return up.permute(0, 2, 3, 1).reshape(-1, up.shape[1])


def cross_entropy(rows: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None = None,
                  label_smoothing: float = 0.0) -> torch.Tensor:
    """PyTorch's weighted, label-smoothed mean cross-entropy with ignore index 255, for
    [P, C] rows and [P] targets:

        ((1 - eps) * sum_i w_{y_i} (-log p_{i,y_i}) + eps / C * sum_i sum_c w_c (-log p_{i,c}))
        / sum_i w_{y_i}        over pixels i whose target is not 255.
    """
    classes = rows.shape[1]
    w = torch.ones(classes, dtype=rows.dtype) if weight is None else weight.to(rows.dtype)
    valid = target != IGNORE
    safe = torch.where(valid, target, torch.zeros_like(target))
    logp = torch.log_softmax(rows, dim=1)
    w_target = w[safe] * valid
    nll = -(logp.gather(1, safe[:, None]).squeeze(1) * w_target).sum()
    if label_smoothing == 0:
        return nll / w_target.sum()
    smooth = -((logp @ w) * valid).sum() / classes
    return ((1 - label_smoothing) * nll + label_smoothing * smooth) / w_target.sum()


def pixel_accuracy(rows: torch.Tensor, target: torch.Tensor) -> float:
    """Share of non-ignored pixels whose largest logit is the target."""
    valid = target != IGNORE
    hits = (rows.argmax(1) == target) & valid
    return hits.sum().item() / max(1, valid.sum().item())
