"""VDVI-lite: the AsymFormer-style fusion network (stage 3 of RT-GS2), sized for a CPU.

Two asymmetric branches over the same frame:
- RGB: a ConvNeXt-style CNN (patchify stem, 7x7 depth-wise blocks with inverted bottleneck),
  channels 24/48/96/192 at strides 4/8/16/32. BatchNorm rather than LayerNorm so every norm
  folds into its convolution at inference (ORT does it), which matters on a 2-core CPU.
- Features: a MiT-style transformer on the splatted 32-channel feature image (patch embed,
  efficient self-attention with spatial reduction, Mix-FFN), channels 16/32/64/128.
Fusion at stages 2-4 (as in AsymFormer): LAFS (channel + spatial attention choosing, per
pixel, between the two modalities) followed by CMA (cross-modal attention: queries from the
selected features, keys/values from both modalities, spatially reduced). Stage 1 adds the
projected feature branch. An all-MLP decoder (embed 64) predicts 40 NYU40 classes at stride
4, upsampled bilinearly to the input size inside the graph.

`modality` selects the ablation variant: "both", "rgb" (CNN branch only) or "features"
(transformer branch only); "features_rgb" is the transformer branch alone with the frame's
colour added at its first patch embedding (early fusion: a 4x4 patchify of RGB, started at
zero so that `--init-from` a "features" checkpoint starts from exactly that network's
function), for colour cues that geometry lacks (a floor mat on a floor, a picture on a wall)
at almost no cost. "features_rgb_imagenet" adds an ImageNet-pretrained colour trunk
(`imagenet_trunk`: EfficientNet-Lite0's first stages on the half-size frame, +0.1 GMAC) whose
outputs join the feature branch's stages 2-4 through 1x1 projections started at zero, so
`--init-from` a "features_rgb" checkpoint again starts from exactly its function. Input H and W must be multiples of 32; callers pad by replication.
About 0.5 GMAC at 320x256 for "both" (`python -m rtgs2_train.fusion_model` prints it).
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .fusion_data import CUE_CHANNELS  # gravity cues a network may read after the encoder's channels
from .imagenet_trunk import TAP_CHANNELS, ImageNetTrunk

NUM_CLASSES = 40  # output channel c is NYU40 id c + 1; id 0 (unlabelled) is never predicted
FEATURE_DIM = 32
CUE_GAIN = 0.1
SIZE_MULTIPLE = 32
RGB_CHANNELS = (24, 48, 96, 192)
RGB_DEPTHS = (1, 1, 3, 1)
FEAT_CHANNELS = (16, 32, 64, 128)
FEAT_DEPTHS = (1, 1, 1, 1)  # MiT blocks per stage (MiT-B0 has 2 each; `--feature-depths`)
FEAT_HEADS = (1, 1, 2, 4)
FEAT_REDUCTION = (8, 4, 2, 1)
DECODER_EMBED = 64
# Each variant's graph inputs, in the card's order.
INPUTS = {"both": ["rgb", "features"], "rgb": ["rgb"], "features": ["features"],
          "features_rgb": ["rgb", "features"], "features_rgb_imagenet": ["rgb", "features"]}
MODALITIES = tuple(INPUTS)


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, heads: int) -> torch.Tensor:
    """Multi-head attention over tokens [B, N, C] x [B, M, C]; plain MatMul/Softmax for ONNX."""
    b, n, c = q.shape
    d = c // heads
    q = q.reshape(b, n, heads, d).transpose(1, 2)
    k = k.reshape(b, -1, heads, d).transpose(1, 2)
    v = v.reshape(b, -1, heads, d).transpose(1, 2)
    w = torch.softmax(q @ k.transpose(-1, -2) * (1.0 / math.sqrt(d)), dim=-1)
    return (w @ v).transpose(1, 2).reshape(b, n, c)


def tokens(x: torch.Tensor) -> torch.Tensor:
    return x.flatten(2).transpose(1, 2)


def image(t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    b, _, h, w = like.shape
    return t.transpose(1, 2).reshape(b, -1, h, w)


# ---------------------------------------------------------------- RGB branch (ConvNeXt-style)

class ConvNeXtBlock(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.dw = nn.Conv2d(c, c, 7, padding=3, groups=c)
        self.norm = nn.BatchNorm2d(c)
        self.pw1 = nn.Conv2d(c, 4 * c, 1)
        self.pw2 = nn.Conv2d(4 * c, c, 1)
        self.gamma = nn.Parameter(torch.full((1, c, 1, 1), 1e-2))

    def forward(self, x):
        return x + self.gamma * self.pw2(F.gelu(self.pw1(self.norm(self.dw(x)))))


class RgbBranch(nn.Module):
    def __init__(self):
        super().__init__()
        c = RGB_CHANNELS
        self.down = nn.ModuleList([nn.Sequential(nn.Conv2d(3, c[0], 4, stride=4), nn.BatchNorm2d(c[0]))])
        for i in range(1, 4):
            self.down.append(nn.Sequential(nn.BatchNorm2d(c[i - 1]), nn.Conv2d(c[i - 1], c[i], 2, stride=2)))
        self.stages = nn.ModuleList(
            nn.Sequential(*[ConvNeXtBlock(c[i]) for _ in range(RGB_DEPTHS[i])]) for i in range(4))

    def stage(self, i: int, x):
        return self.stages[i](self.down[i](x))


# -------------------------------------------------------- feature branch (MiT-style)

class EfficientSelfAttention(nn.Module):
    def __init__(self, c: int, heads: int, reduction: int):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(c, c)
        self.kv = nn.Linear(c, 2 * c)
        self.proj = nn.Linear(c, c)
        self.sr = nn.Conv2d(c, c, reduction, stride=reduction) if reduction > 1 else None
        self.sr_norm = nn.LayerNorm(c) if reduction > 1 else None

    def forward(self, t, like):
        x = image(t, like)
        kv_src = self.sr_norm(tokens(self.sr(x))) if self.sr is not None else t
        k, v = self.kv(kv_src).chunk(2, dim=-1)
        return self.proj(attention(self.q(t), k, v, self.heads))


class MixFFN(nn.Module):
    def __init__(self, c: int, ratio: int = 4):
        super().__init__()
        self.fc1 = nn.Linear(c, ratio * c)
        self.dw = nn.Conv2d(ratio * c, ratio * c, 3, padding=1, groups=ratio * c)
        self.fc2 = nn.Linear(ratio * c, c)

    def forward(self, t, like):
        h = self.fc1(t)
        h = tokens(self.dw(image(h, like)))
        return self.fc2(F.gelu(h))


class MiTBlock(nn.Module):
    def __init__(self, c: int, heads: int, reduction: int):
        super().__init__()
        self.n1 = nn.LayerNorm(c)
        self.attn = EfficientSelfAttention(c, heads, reduction)
        self.n2 = nn.LayerNorm(c)
        self.ffn = MixFFN(c)

    def forward(self, x):
        t = tokens(x)
        t = t + self.attn(self.n1(t), x)
        t = t + self.ffn(self.n2(t), x)
        return image(t, x)


def zero_residual(block: MiTBlock) -> MiTBlock:
    """A block whose attention and Mix-FFN add nothing yet: a deeper network made of such
    extra blocks computes exactly what the shallower one does, so `--init-from` a shallower
    checkpoint starts where it ended (the zeroed projections still get gradients)."""
    for layer in (block.attn.proj, block.ffn.fc2):
        nn.init.zeros_(layer.weight)
        nn.init.zeros_(layer.bias)
    return block


def zero_conv(conv: nn.Conv2d) -> nn.Conv2d:
    """A projection that adds nothing until training moves it (exact warm starts)."""
    nn.init.zeros_(conv.weight)
    nn.init.zeros_(conv.bias)
    return conv


class FeatureBranch(nn.Module):
    def __init__(self, in_ch: int = FEATURE_DIM, depths: tuple[int, ...] = FEAT_DEPTHS, rgb_in: bool = False,
                 cues: int = 0):
        super().__init__()
        in_ch -= cues
        if len(depths) != 4 or min(depths) < 1:
            raise ValueError(f"feature depths {tuple(depths)}: four stages of at least one block")
        c = FEAT_CHANNELS
        # Stage 1's embed is a non-overlapping 4x4 patchify (a 7x7 overlap over 32 input
        # channels would cost a quarter of the whole budget); the Mix-FFN's depth-wise 3x3
        # restores local context.
        self.embed = nn.ModuleList([nn.Conv2d(in_ch, c[0], 4, stride=4)])
        self.embed += [nn.Conv2d(c[i - 1], c[i], 3, stride=2, padding=1) for i in range(1, 4)]
        self.embed_norm = nn.ModuleList(nn.BatchNorm2d(ci) for ci in c)
        self.blocks = nn.ModuleList(MiTBlock(c[i], FEAT_HEADS[i], FEAT_REDUCTION[i]) for i in range(4))
        # Blocks beyond the first live apart, so a depth-1 network keeps the parameter names
        # (and the ONNX files, and recover_fusion's mapping) it always had.
        self.more_blocks = nn.ModuleList(
            nn.ModuleList(zero_residual(MiTBlock(c[i], FEAT_HEADS[i], FEAT_REDUCTION[i])) for _ in range(d - 1))
            for i, d in enumerate(depths))
        self.out_norm = nn.ModuleList(nn.BatchNorm2d(ci) for ci in c)
        # Early colour ("features_rgb"): its own patchify, added to the features' one; zero at
        # first so the branch computes what it did without it. A separate tensor (rather than 3
        # more input channels) keeps every other name and shape, so --init-from takes them all.
        self.rgb_embed = nn.Conv2d(3, c[0], 4, stride=4) if rgb_in else None
        if self.rgb_embed is not None:
            nn.init.zeros_(self.rgb_embed.weight)
            nn.init.zeros_(self.rgb_embed.bias)
        # Gravity cues (the last `cues` feature channels: height above the floor and below the
        # top, relative height, flatness; src/scene/gravity.rs): their own patchify, zero at first
        # for the same reason.
        # The cues arrive multiplied by feature_scale (1 / RMS of the encoder features, ~10), as
        # every feature channel is; CUE_GAIN brings them back to about metres, so an Adam step
        # moves the zero-started patchify as gently as the others.
        self.encoder_ch = in_ch
        self.cue_embed = zero_conv(nn.Conv2d(cues, c[0], 4, stride=4)) if cues else None

    def stage(self, i: int, x, rgb=None, extra=None):
        """Stage i of the branch; `rgb` (the frame) is read at stage 0 by the early-colour variant
        only; `extra` (the colour trunk's projected output, or None) joins after the embedding."""
        if i == 0 and self.cue_embed is not None:
            x = self.embed[0](x[:, :self.encoder_ch]) + self.cue_embed(x[:, self.encoder_ch:] * CUE_GAIN)
        else:
            x = self.embed[i](x)
        if i == 0 and self.rgb_embed is not None:
            x = x + self.rgb_embed(rgb)
        x = self.embed_norm[i](x)
        if extra is not None:
            x = x + extra
        x = self.blocks[i](x)
        for block in self.more_blocks[i]:
            x = block(x)
        return self.out_norm[i](x)


# ------------------------------------------------------------------------------- fusion

class LAFS(nn.Module):
    """Local attention-guided feature selection: channel attention re-weights both modalities,
    then a spatial gate picks, per pixel, how much of each to keep."""

    def __init__(self, c: int):
        super().__init__()
        hidden = max(8, c // 4)
        self.channel = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(2 * c, hidden, 1), nn.ReLU(),
                                     nn.Conv2d(hidden, 2 * c, 1), nn.Sigmoid())
        self.spatial = nn.Sequential(nn.Conv2d(4, 1, 7, padding=3), nn.Sigmoid())

    def forward(self, r, f):
        c = r.shape[1]
        w = self.channel(torch.cat([r, f], dim=1))
        r = r * w[:, :c]
        f = f * w[:, c:]
        stats = torch.cat([r.mean(1, keepdim=True), r.amax(1, keepdim=True),
                           f.mean(1, keepdim=True), f.amax(1, keepdim=True)], dim=1)
        s = self.spatial(stats)
        return s * r + (1.0 - s) * f


class CMA(nn.Module):
    """Cross-modal attention: the selected features query both modalities (spatially reduced)."""

    def __init__(self, c: int, heads: int, reduction: int):
        super().__init__()
        self.heads = heads
        self.norm_q = nn.LayerNorm(c)
        self.reduce = nn.Conv2d(2 * c, c, reduction, stride=reduction) if reduction > 1 else nn.Conv2d(2 * c, c, 1)
        self.norm_kv = nn.LayerNorm(c)
        self.q = nn.Linear(c, c)
        self.kv = nn.Linear(c, 2 * c)
        self.proj = nn.Linear(c, c)
        self.gamma = nn.Parameter(torch.full((1, 1, c), 1e-1))

    def forward(self, x, r, f):
        t = tokens(x)
        kv = self.norm_kv(tokens(self.reduce(torch.cat([r, f], dim=1))))
        k, v = self.kv(kv).chunk(2, dim=-1)
        t = t + self.gamma * self.proj(attention(self.q(self.norm_q(t)), k, v, self.heads))
        return image(t, x)


class FusionStage(nn.Module):
    def __init__(self, i: int):
        super().__init__()
        cr, cf = RGB_CHANNELS[i], FEAT_CHANNELS[i]
        self.align = nn.Sequential(nn.Conv2d(cf, cr, 1), nn.BatchNorm2d(cr))
        self.lafs = LAFS(cr) if i > 0 else None
        self.cma = CMA(cr, heads=max(1, cr // 48), reduction=FEAT_REDUCTION[i]) if i > 0 else None

    def forward(self, r, f):
        f = self.align(f)
        if self.lafs is None:
            return r + f
        return self.cma(self.lafs(r, f), r, f)


# ------------------------------------------------------------------------------ decoder

class MLPDecoder(nn.Module):
    def __init__(self, channels, embed: int = DECODER_EMBED, classes: int = NUM_CLASSES):
        super().__init__()
        self.linear = nn.ModuleList(nn.Conv2d(c, embed, 1) for c in channels)
        self.fuse = nn.Sequential(nn.Conv2d(4 * embed, embed, 1, bias=False), nn.BatchNorm2d(embed), nn.ReLU())
        self.dropout = nn.Dropout2d(0.1)
        self.classify = nn.Conv2d(embed, classes, 1)

    def embed(self, stages):
        size = stages[0].shape[2:]
        ups = [self.linear[0](stages[0])]
        for lin, s in zip(self.linear[1:], stages[1:]):
            ups.append(F.interpolate(lin(s), size=size, mode="bilinear", align_corners=False))
        return self.fuse(torch.cat(ups, dim=1))

    def forward(self, stages):
        return self.classify(self.dropout(self.embed(stages)))


class CueHead(nn.Module):
    """Per-pixel class evidence from the gravity cues alone, added to the decoder's logits at
    stride 4. On real scans the cues were read only through the feature branch's patchify, mixed
    with everything else, and a floor pixel at height 0.02 m lying flat came out "table" or
    "sofa" whenever the colour and context said so; this path lets "flat and at the floor's
    height" say floor directly, as the per-Gaussian linear probe does. Its last layer starts at
    zero, so a warm start computes what its parent did."""

    def __init__(self, cues: int, hidden: int = 16, classes: int = NUM_CLASSES):
        super().__init__()
        self.mlp = nn.Sequential(nn.Conv2d(cues, hidden, 1), nn.ReLU(), zero_conv(nn.Conv2d(hidden, classes, 1)))

    def forward(self, cues: torch.Tensor) -> torch.Tensor:
        # The mean over each 4x4 patch: the logits' grid.
        return self.mlp(F.avg_pool2d(cues * CUE_GAIN, 4))


class FusionNet(nn.Module):
    def __init__(self, modality: str = "both", feature_dim: int = FEATURE_DIM,
                 feature_depths: tuple[int, ...] = FEAT_DEPTHS, cues: int = 0, cue_head: bool = False):
        super().__init__()
        if cues and modality == "rgb":
            raise ValueError("gravity cues travel with the features; an RGB-only network has none")
        if cue_head and not cues:
            raise ValueError("a cue head reads the gravity cues; this network has none")
        self.cues = cues
        self.cue_head = CueHead(cues) if cue_head else None
        if modality not in MODALITIES:
            raise ValueError(f"modality {modality!r} is not one of {MODALITIES}")
        self.modality = modality
        self.feature_depths = tuple(feature_depths)
        self.rgb = RgbBranch() if modality in ("both", "rgb") else None
        self.feat = (FeatureBranch(feature_dim, self.feature_depths, rgb_in=modality.startswith("features_rgb"),
                                   cues=cues)
                     if modality != "rgb" else None)
        self.trunk = ImageNetTrunk() if modality == "features_rgb_imagenet" else None
        # The trunk's taps into feature stages 2-4, zero at first (see the module's docstring).
        self.trunk_adapt = (nn.ModuleList(zero_conv(nn.Conv2d(ct, cf, 1))
                                          for ct, cf in zip(TAP_CHANNELS, FEAT_CHANNELS[1:]))
                            if self.trunk is not None else None)
        self.fusion = nn.ModuleList(FusionStage(i) for i in range(4)) if modality == "both" else None
        self.decoder = MLPDecoder(RGB_CHANNELS if self.rgb is not None else FEAT_CHANNELS)

    def input_names(self) -> list[str]:
        return list(INPUTS[self.modality])

    def stages(self, rgb=None, features=None):
        out = []
        r, f = rgb, features
        extra = [None] * 4
        if self.trunk is not None:
            extra[1:] = [adapt(t) for adapt, t in zip(self.trunk_adapt, self.trunk(rgb))]
        for i in range(4):
            if self.rgb is not None:
                r = self.rgb.stage(i, r)
            if self.feat is not None:
                f = self.feat.stage(i, f, rgb, extra[i])
            out.append(self.fusion[i](r, f) if self.fusion is not None else (r if self.rgb is not None else f))
        return out

    def logits_at_stride4(self, rgb=None, features=None):
        logits = self.decoder(self.stages(rgb, features))
        if self.cue_head is not None:
            logits = logits + self.cue_head(features[:, -self.cues:])
        return logits

    def forward(self, rgb=None, features=None, full_size: bool = True):
        """Logits at the input size, or at stride 4 with `full_size=False` (the trainer upsamples
        them itself, in the layout its loss is fast in; through the module call so DDP sees it)."""
        like = rgb if rgb is not None else features
        x = self.logits_at_stride4(rgb, features)
        if not full_size:
            return x
        return F.interpolate(x, size=like.shape[2:], mode="bilinear", align_corners=False)


def from_args(args: dict, feature_dim: int = FEATURE_DIM) -> FusionNet:
    """The network a checkpoint's (or card's architecture's) settings describe; files from before
    `feature_depths` existed have one block per stage, from before `gravity_cues` none. With cues,
    `feature_dim` is the encoder's width and the cue channels come on top."""
    cues = CUE_CHANNELS if args.get("gravity_cues") else 0
    return FusionNet(args["modality"], feature_dim + cues, tuple(args.get("feature_depths") or FEAT_DEPTHS), cues,
                     cue_head=bool(args.get("cue_head")))


class ExportWrapper(nn.Module):
    """Positional inputs in the card's order, for torch.onnx.export."""

    def __init__(self, net: FusionNet):
        super().__init__()
        self.net = net

    def forward(self, *inputs):
        return self.net(**dict(zip(self.net.input_names(), inputs)))


def example_inputs(net: FusionNet, h: int = 256, w: int = 320, batch: int = 1) -> tuple[torch.Tensor, ...]:
    shapes = {"rgb": (batch, 3, h, w), "features": (batch, FEATURE_DIM + net.cues, h, w)}
    return tuple(torch.randn(shapes[n]) for n in net.input_names())


def count_macs(net: FusionNet, h: int = 256, w: int = 320) -> float:
    """Multiply-accumulates of one inference (PyTorch's FLOP counter / 2)."""
    from torch.utils.flop_counter import FlopCounterMode

    net = net.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        ExportWrapper(net)(*example_inputs(net, h, w))
    return counter.get_total_flops() / 2


def capture_cuda_graph(step):
    """`step` captured once as a CUDA graph; returns its replay. Capture wants the warm-up on a
    side stream."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            step()
    torch.cuda.current_stream().wait_stream(side)
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        step()
    return graph.replay


def time_inference(
    net: FusionNet, h: int, w: int, device: str, half: bool, repeat: int, cuda_graph: bool = False
) -> list[float]:
    """Seconds per inference (batch 1, untrained weights: the time depends only on the shapes),
    after warm-up; on CUDA each one is synchronised. `cuda_graph` replays one captured CUDA
    graph instead of running the module eagerly: a network this small is otherwise bound by
    Python's kernel launches, not by the GPU (what an ONNX Runtime CUDA or TensorRT session,
    which launches from C++, would not pay)."""
    import time

    net = net.to(device).eval()
    x = [t.to(device) for t in example_inputs(net, h, w)]
    if half:
        net, x = net.half(), [t.half() for t in x]
    wrapped = ExportWrapper(net)
    cuda = device.startswith("cuda")
    if cuda_graph and not cuda:
        raise ValueError("a CUDA graph needs --device cuda")
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    times = []
    with torch.no_grad():
        step = lambda: wrapped(*x)  # noqa: E731
        run = capture_cuda_graph(step) if cuda_graph else step
        for _ in range(3):  # warm-up
            run()
        for _ in range(repeat):
            sync()
            t0 = time.perf_counter()
            run()
            sync()
            times.append(time.perf_counter() - t0)
    return times


def main(argv=None):
    """Size and speed of the three variants: parameters, GMAC, and PyTorch inference time on
    this machine (`--device cuda` for a GPU's time, `--half` in fp16)."""
    import argparse
    import statistics

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--height", type=int, default=256)
    ap.add_argument("--width", type=int, default=320)
    ap.add_argument("--threads", type=int, default=1, help="CPU threads")
    ap.add_argument("--half", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--cuda-graph", action="store_true", help="time replays of a captured CUDA graph")
    ap.add_argument("--feature-depths", type=int, nargs=4, default=list(FEAT_DEPTHS), metavar="D")
    args = ap.parse_args(argv)
    if args.height % SIZE_MULTIPLE or args.width % SIZE_MULTIPLE:
        raise SystemExit(f"--height and --width must be multiples of {SIZE_MULTIPLE}")
    torch.set_num_threads(args.threads)
    where = args.device if args.device != "cpu" else f"cpu, {args.threads} thread(s)"
    for m in MODALITIES:
        net = FusionNet(m, feature_depths=tuple(args.feature_depths))
        params = sum(p.numel() for p in net.parameters())
        macs = count_macs(net, args.height, args.width)  # on the CPU in fp32, before timing moves the net
        times = time_inference(net, args.height, args.width, args.device, args.half, args.repeat, args.cuda_graph)
        how = (" fp16" if args.half else "") + (" CUDA graph" if args.cuda_graph else "")
        print(f"{m:12s} params {params / 1e6:.2f} M  {macs / 1e9:.3f} GMAC "
              f"@{args.width}x{args.height}  torch {where}{how}: median "
              f"{statistics.median(times) * 1e3:.2f} ms, min {min(times) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
