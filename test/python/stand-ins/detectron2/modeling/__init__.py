"""Stand-in for detectron2.modeling: Backbone, ShapeSpec, BACKBONE_REGISTRY, build_resnet_backbone."""
from collections import namedtuple
from types import SimpleNamespace

import torch
from torch import nn

ShapeSpec = namedtuple("ShapeSpec", ["channels", "height", "width", "stride"], defaults=[None, None, None, None])


class Backbone(nn.Module):
    """detectron2's abstract backbone: forward(images) -> {name: feature}; output_shape(); size_divisibility."""

    @property
    def size_divisibility(self) -> int:
        return 0

    def output_shape(self):
        raise NotImplementedError


class Registry:
    def __init__(self, name):
        self.name = name
        self._obj_map = {}

    def register(self, obj=None):
        def add(o):
            assert o.__name__ not in self._obj_map, f"{o.__name__} was already registered in {self.name}"
            self._obj_map[o.__name__] = o
            return o

        return add(obj) if obj is not None else add

    def get(self, name):
        return self._obj_map[name]

    def __contains__(self, name):
        return name in self._obj_map


BACKBONE_REGISTRY = Registry("BACKBONE")


class FakeBottomUp(Backbone):
    """A bottom-up network with res3..res5 at strides 8..32 (ResNet's names), tiny widths."""

    def __init__(self, widths):
        super().__init__()
        self.widths = dict(widths)
        self.stem = nn.Conv2d(3, 4, 3, stride=4, padding=1)
        self.stages = nn.ModuleList()
        cin = 4
        for name in ("res3", "res4", "res5"):
            self.stages.append(nn.Conv2d(cin, self.widths[name], 3, stride=2, padding=1))
            cin = self.widths[name]

    def output_shape(self):
        return {name: ShapeSpec(channels=self.widths[name], stride=2 ** (3 + i)) for i, name in enumerate(("res3", "res4", "res5"))}

    def forward(self, x):
        out = {}
        x = self.stem(x)
        for name, stage in zip(("res3", "res4", "res5"), self.stages):
            x = stage(x)
            out[name] = x
        return out

    @staticmethod
    def config(spec):
        """A cfg with the keys the adapter reads: MODEL.FPN.IN_FEATURES / OUT_CHANNELS, and the widths."""
        fpn = SimpleNamespace(IN_FEATURES=list(spec["inFeatures"]), OUT_CHANNELS=spec["outChannels"])
        return SimpleNamespace(MODEL=SimpleNamespace(FPN=fpn, WIDTHS=spec["widths"]))


def build_resnet_backbone(cfg, input_shape):
    return FakeBottomUp(cfg.MODEL.WIDTHS)


__all__ = ["Backbone", "ShapeSpec", "BACKBONE_REGISTRY", "build_resnet_backbone", "FakeBottomUp", "torch"]
