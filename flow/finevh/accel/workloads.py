"""Built-in ConvNet workloads as layer lists (convolution and fully connected
layers only; pooling, batch-norm, activations and additions cost no MACs here).

The shapes are written out from the published architectures, following the
torchvision model definitions (input 3 x 224 x 224):

- ``resnet18`` / ``resnet34``: He et al. 2016, BasicBlock, [2,2,2,2] / [3,4,6,3];
  the 1x1 stride-2 projection shortcuts of stages 2-4 are layers (torchvision v1).
- ``resnet50``: Bottleneck [3,4,6,3] with the stride on the 3x3 conv
  (torchvision's "v1.5"), projection shortcut in the first block of every stage.
- ``squeezenet1_1``: Iandola et al. 2016, v1.1 (3x3/64 stem, fire modules
  16/64, 16/64, 32/128, 32/128, 48/192, 48/192, 64/256, 64/256, conv10 1x1/1000);
  max-pooling 3x3 stride 2 with ceil mode (torchvision).
- ``mobilenet_v2``: Sandler et al. 2018, width 1.0, torchvision's inverted
  residual settings (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2)
  (6,96,3,1) (6,160,3,2) (6,320,1,1), last 1x1 conv to 1280, classifier 1280->1000.
- ``alexnet``: torchvision's one-GPU variant (64-192-384-256-256 channels,
  11x11 stride 4 pad 2 stem), classifier 9216-4096-4096-1000.
- ``digits``: the small ConvNet finevh trains itself on scikit-learn's 8x8 digits
  (see :mod:`finevh.accel.convnet`).

Layer counts (thesis Table 3.3 "#Layers" = convolutional + fully connected):
resnet18 21, resnet34 37, resnet50 54 (equal to the thesis); squeezenet1_1 26
(thesis 32) and mobilenet_v2 53 (thesis 54): see docs/accel.md.
"""

from __future__ import annotations

from typing import Callable

from ..errors import InputError
from .model import Layer


class _Net:
    """Shape tracker used to write the architectures out."""

    def __init__(self, h: int = 224, w: int = 224, c: int = 3):
        self.h, self.w, self.c = h, w, c
        self.layers: list[Layer] = []

    def conv(self, name, out_ch, k, s=1, p=0, *, kind=None, at=None, update=True) -> Layer:
        h, w, c = at if at is not None else (self.h, self.w, self.c)
        kd = kind or ("pw" if k == 1 else "conv")
        L = Layer(name, kd, h, w, c, out_ch, k, k, s, p)
        self.layers.append(L)
        if update:
            self.h, self.w, self.c = L.out_h, L.out_w, out_ch
        return L

    def dw(self, name, k, s=1, p=0) -> Layer:
        L = Layer(name, "dw", self.h, self.w, self.c, self.c, k, k, s, p)
        self.layers.append(L)
        self.h, self.w = L.out_h, L.out_w
        return L

    def pool(self, k, s, p=0, ceil=False):
        def o(n):
            num = n + 2 * p - k
            q = -(-num // s) if ceil else num // s
            if ceil and q * s >= n + p:  # torchvision: last window must start inside
                q -= 1
            return q + 1
        self.h, self.w = o(self.h), o(self.w)

    def fc(self, name, out_f, in_f=None) -> Layer:
        in_f = in_f if in_f is not None else self.h * self.w * self.c
        L = Layer(name, "fc", 1, 1, in_f, out_f)
        self.layers.append(L)
        self.h, self.w, self.c = 1, 1, out_f
        return L


def _resnet_basic(blocks: list[int]) -> list[Layer]:
    n = _Net()
    n.conv("conv1", 64, 7, 2, 3)
    n.pool(3, 2, 1)
    for si, (nb, ch) in enumerate(zip(blocks, (64, 128, 256, 512)), start=1):
        for b in range(nb):
            s = 2 if (b == 0 and si > 1) else 1
            at = (n.h, n.w, n.c)
            n.conv(f"layer{si}.{b}.conv1", ch, 3, s, 1)
            n.conv(f"layer{si}.{b}.conv2", ch, 3, 1, 1)
            if b == 0 and (s != 1 or at[2] != ch):
                n.conv(f"layer{si}.{b}.downsample", ch, 1, s, 0, at=at, update=False)
    n.fc("fc", 1000, n.c)
    return n.layers


def resnet18() -> list[Layer]:
    return _resnet_basic([2, 2, 2, 2])


def resnet34() -> list[Layer]:
    return _resnet_basic([3, 4, 6, 3])


def resnet50() -> list[Layer]:
    n = _Net()
    n.conv("conv1", 64, 7, 2, 3)
    n.pool(3, 2, 1)
    for si, (nb, ch) in enumerate(zip([3, 4, 6, 3], (64, 128, 256, 512)), start=1):
        for b in range(nb):
            s = 2 if (b == 0 and si > 1) else 1
            at = (n.h, n.w, n.c)
            n.conv(f"layer{si}.{b}.conv1", ch, 1, 1, 0)
            n.conv(f"layer{si}.{b}.conv2", ch, 3, s, 1)
            n.conv(f"layer{si}.{b}.conv3", ch * 4, 1, 1, 0)
            if b == 0:
                n.conv(f"layer{si}.{b}.downsample", ch * 4, 1, s, 0, at=at, update=False)
    n.fc("fc", 1000, n.c)
    return n.layers


def squeezenet1_1() -> list[Layer]:
    n = _Net()
    n.conv("conv1", 64, 3, 2, 0)
    n.pool(3, 2, ceil=True)

    def fire(i, sq, ex):
        n.conv(f"fire{i}.squeeze", sq, 1)
        at = (n.h, n.w, n.c)
        n.conv(f"fire{i}.expand1x1", ex, 1, at=at, update=False)
        n.conv(f"fire{i}.expand3x3", ex, 3, 1, 1, at=at, update=False)
        n.c = 2 * ex

    fire(2, 16, 64)
    fire(3, 16, 64)
    n.pool(3, 2, ceil=True)
    fire(4, 32, 128)
    fire(5, 32, 128)
    n.pool(3, 2, ceil=True)
    fire(6, 48, 192)
    fire(7, 48, 192)
    fire(8, 64, 256)
    fire(9, 64, 256)
    n.conv("conv10", 1000, 1)
    return n.layers


def mobilenet_v2() -> list[Layer]:
    n = _Net()
    n.conv("features.0", 32, 3, 2, 1)
    idx = 1
    for t, c, reps, s in ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                          (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)):
        for r in range(reps):
            stride = s if r == 0 else 1
            hid = n.c * t
            if t != 1:
                n.conv(f"features.{idx}.expand", hid, 1)
            n.dw(f"features.{idx}.dw", 3, stride, 1)
            n.conv(f"features.{idx}.project", c, 1)
            idx += 1
    n.conv(f"features.{idx}", 1280, 1)
    n.fc("classifier", 1000, 1280)
    return n.layers


def alexnet() -> list[Layer]:
    n = _Net()
    n.conv("conv1", 64, 11, 4, 2)
    n.pool(3, 2)
    n.conv("conv2", 192, 5, 1, 2)
    n.pool(3, 2)
    n.conv("conv3", 384, 3, 1, 1)
    n.conv("conv4", 256, 3, 1, 1)
    n.conv("conv5", 256, 3, 1, 1)
    n.pool(3, 2)
    n.fc("fc6", 4096)
    n.fc("fc7", 4096)
    n.fc("fc8", 1000)
    return n.layers


def digits() -> list[Layer]:
    """The digits ConvNet of :mod:`finevh.accel.convnet` (8x8x1 input)."""
    from .convnet import ARCH

    return ARCH.layers()


NETWORKS: dict[str, Callable[[], list[Layer]]] = {
    "resnet18": resnet18,
    "resnet34": resnet34,
    "resnet50": resnet50,
    "squeezenet1_1": squeezenet1_1,
    "mobilenet_v2": mobilenet_v2,
    "alexnet": alexnet,
    "digits": digits,
}

#: Thesis Table 3.3: (#Layers, #Cycles) on the 8x8 output-stationary accelerator.
THESIS_TABLE_3_3 = {
    "resnet18": (21, 29.35e6),
    "resnet34": (37, 57.28e6),
    "resnet50": (54, 74.40e6),
    "squeezenet1_1": (32, 6.45e6),
    "mobilenet_v2": (54, 12.13e6),
}


def get(name: str) -> list[Layer]:
    """Layers of a built-in network; unknown name -> InputError."""
    key = name.lower().replace("-", "_")
    aliases = {"squeezenet": "squeezenet1_1", "squeezenet_v1.1": "squeezenet1_1",
               "squeezenet1.1": "squeezenet1_1", "mobilenetv2": "mobilenet_v2"}
    key = aliases.get(key, key)
    if key not in NETWORKS:
        raise InputError(f"unknown network {name!r}; known: {', '.join(NETWORKS)}")
    return NETWORKS[key]()
