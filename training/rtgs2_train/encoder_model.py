"""PTv3-lite: a serialised-attention U-Net over voxels whose topology arrives as index inputs.

The graph only gathers, multiplies and reduces (Gather / MatMul / Softmax / ReduceMax), so it
exports to ONNX with dynamic voxel and Gaussian counts and runs on every ORT execution
provider. Index tensors come from `indices.py` (Python) or `src/encoder/indices.rs` (Rust).

Differences from PTv3, on purpose: LayerNorm instead of BatchNorm (batch-size independent,
simple to export), xCPE as a dense 3x3x3 gather + matmul instead of spconv, pooling over the
2x2x2 parent cell (= PTv3's `code >> 3`) as a gather + max, and a per-Gaussian head so every
Gaussian -- not only every voxel -- gets its own feature.
"""

from __future__ import annotations

import torch
from torch import nn

from . import indices
from .scene_inputs import GAUSS_FEAT, VOXEL_FEAT

ENC_CHANNELS = (32, 64, 128, 256)
ENC_DEPTHS = (1, 1, 2, 2)
DEC_CHANNELS = (32, 64, 128)
HEAD_DIM = 16
FEATURE_DIM = 32


def enc_order(stage: int, block: int) -> str:
    return indices.ORDERS[(stage + block) % 4]


def dec_order(stage: int) -> str:
    return indices.ORDERS[(stage + 2) % 4]


def used_patches() -> list[tuple[int, str]]:
    used = {(s, enc_order(s, b)) for s, d in enumerate(ENC_DEPTHS) for b in range(d)}
    used |= {(s, dec_order(s)) for s in range(len(DEC_CHANNELS))}
    return sorted(used, key=lambda t: (t[0], indices.ORDERS.index(t[1])))


def input_names() -> list[str]:
    names = ["voxel_feat", "gauss_feat", "gauss_voxel"]
    names += [f"nbr_s{s}" for s in range(indices.STAGES)]
    for s, o in used_patches():
        names += [f"patch_s{s}_{o}", f"unpatch_s{s}_{o}"]
    for s in range(indices.STAGES - 1):
        names += [f"pool_s{s}", f"unpool_s{s}"]
    return names


def gather_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """x[idx] for any-shaped int64 idx, as a single Gather (index_select on the flat index)."""
    flat = torch.index_select(x, 0, idx.reshape(-1))
    return flat.reshape(*idx.shape, x.shape[-1])


class XCPE(nn.Module):
    """Conditional positional encoding: a 3x3x3 sparse convolution done as gather + matmul."""

    def __init__(self, c: int):
        super().__init__()
        self.conv = nn.Linear(27 * c, c)
        self.proj = nn.Linear(c, c)
        self.norm = nn.LayerNorm(c)

    def forward(self, x: torch.Tensor, nbr: torch.Tensor) -> torch.Tensor:
        padded = torch.cat([x, x.new_zeros(1, x.shape[1])], dim=0)
        g = gather_rows(padded, nbr).reshape(nbr.shape[0], -1)
        return self.norm(self.proj(self.conv(g)))


class PatchAttention(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.heads = c // HEAD_DIM
        self.qkv = nn.Linear(c, 3 * c)
        self.proj = nn.Linear(c, c)

    def forward(self, x: torch.Tensor, patch: torch.Tensor, unpatch: torch.Tensor) -> torch.Tensor:
        c = x.shape[1]
        qkv = self.qkv(gather_rows(x, patch))  # [P, K, 3C]
        p, k = patch.shape
        qkv = qkv.reshape(p, k, 3, self.heads, HEAD_DIM).permute(2, 0, 3, 1, 4)
        q, key, v = qkv[0], qkv[1], qkv[2]  # [P, H, K, d]
        attn = torch.softmax((q * HEAD_DIM**-0.5) @ key.transpose(-1, -2), dim=-1)
        out = (attn @ v).permute(0, 2, 1, 3).reshape(p * k, c)
        return torch.index_select(self.proj(out), 0, unpatch)


class Block(nn.Module):
    def __init__(self, c: int, order: str):
        super().__init__()
        self.order = order
        self.cpe = XCPE(c)
        self.norm1 = nn.LayerNorm(c)
        self.attn = PatchAttention(c)
        self.norm2 = nn.LayerNorm(c)
        self.mlp = nn.Sequential(nn.Linear(c, 4 * c), nn.GELU(), nn.Linear(4 * c, c))

    def forward(self, x, nbr, patch, unpatch):
        x = x + self.cpe(x, nbr)
        x = x + self.attn(self.norm1(x), patch, unpatch)
        return x + self.mlp(self.norm2(x))


class Pool(nn.Module):
    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        self.proj = nn.Linear(c_in, c_out)
        self.norm = nn.LayerNorm(c_out)
        self.act = nn.GELU()

    def forward(self, x, pool):
        return self.act(self.norm(gather_rows(self.proj(x), pool).amax(dim=1)))


class Unpool(nn.Module):
    def __init__(self, c_coarse: int, c_skip: int, c_out: int):
        super().__init__()
        self.proj = nn.Linear(c_coarse, c_out)
        self.proj_skip = nn.Linear(c_skip, c_out)
        self.norm = nn.LayerNorm(c_out)
        self.act = nn.GELU()

    def forward(self, coarse, skip, unpool):
        up = torch.index_select(self.proj(coarse), 0, unpool)
        return self.act(self.norm(up + self.proj_skip(skip)))


class EncoderLite(nn.Module):
    def __init__(self):
        super().__init__()
        c0 = ENC_CHANNELS[0]
        self.embed = nn.Sequential(nn.Linear(VOXEL_FEAT, c0), nn.LayerNorm(c0), nn.GELU())
        self.enc = nn.ModuleList()
        self.pools = nn.ModuleList()
        for s, (c, d) in enumerate(zip(ENC_CHANNELS, ENC_DEPTHS)):
            if s > 0:
                self.pools.append(Pool(ENC_CHANNELS[s - 1], c))
            self.enc.append(nn.ModuleList([Block(c, enc_order(s, b)) for b in range(d)]))
        self.unpools = nn.ModuleList()
        self.dec = nn.ModuleList()
        for s in range(len(DEC_CHANNELS)):
            coarse = ENC_CHANNELS[s + 1] if s == len(DEC_CHANNELS) - 1 else DEC_CHANNELS[s + 1]
            self.unpools.append(Unpool(coarse, ENC_CHANNELS[s], DEC_CHANNELS[s]))
            self.dec.append(Block(DEC_CHANNELS[s], dec_order(s)))
        self.gauss_embed = nn.Sequential(nn.Linear(GAUSS_FEAT, 32), nn.GELU(), nn.Linear(32, 32))
        self.head = nn.Sequential(
            nn.Linear(DEC_CHANNELS[0] + 32, 64), nn.GELU(), nn.Linear(64, FEATURE_DIM)
        )

    def forward(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        x = self.embed(inputs["voxel_feat"])
        skips = []
        for s, blocks in enumerate(self.enc):
            if s > 0:
                x = self.pools[s - 1](x, inputs[f"pool_s{s - 1}"])
            for blk in blocks:
                x = blk(
                    x, inputs[f"nbr_s{s}"], inputs[f"patch_s{s}_{blk.order}"], inputs[f"unpatch_s{s}_{blk.order}"]
                )
            skips.append(x)
        for s in reversed(range(len(DEC_CHANNELS))):
            x = self.unpools[s](x, skips[s], inputs[f"unpool_s{s}"])
            blk = self.dec[s]
            x = blk(x, inputs[f"nbr_s{s}"], inputs[f"patch_s{s}_{blk.order}"], inputs[f"unpatch_s{s}_{blk.order}"])
        per_gauss = torch.index_select(x, 0, inputs["gauss_voxel"])
        h = self.head(torch.cat([per_gauss, self.gauss_embed(inputs["gauss_feat"])], dim=1))
        return h / torch.sqrt((h * h).sum(dim=1, keepdim=True) + 1e-12)


class ExportWrapper(nn.Module):
    """Positional inputs in `input_names()` order, for torch.onnx.export."""

    def __init__(self, model: EncoderLite):
        super().__init__()
        self.model = model
        self.names = input_names()

    def forward(self, *args):
        return self.model(dict(zip(self.names, args)))
