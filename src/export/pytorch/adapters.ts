// The framework adapters appended to every generated neck. Each wraps PyramidNeck; the backbone levels a
// framework provides map to C<MIN_LEVEL>.. in order, and levels above the backbone's last are made as the
// proxy makes C6+ (3×3/2 'same' max-pools of the level below). mmdetection and detectron2 are imported
// only when installed, and only to register; the core and the torchvision adapter need torch alone.

export const ADAPTERS_PY = `

def _levels() -> int:
    return MAX_LEVEL - MIN_LEVEL + 1


def _with_extra_levels(feats: List[Tensor], extra: int) -> List[Tensor]:
    feats = list(feats)
    for _ in range(extra):
        feats.append(_extra_level(feats[-1]))
    return feats


def _backbone_widths(in_channels: List[int], where: str) -> List[int]:
    """The widths of C<MIN_LEVEL>.. given the backbone's; the levels it lacks repeat its last width."""
    widths = list(in_channels)
    if not 1 <= len(widths) <= _levels():
        raise ValueError(
            f"{where}: {len(widths)} backbone levels, this neck reads 1..{_levels()} (C{MIN_LEVEL}..C{MAX_LEVEL})"
        )
    return widths + [widths[-1]] * (_levels() - len(widths))


class TorchvisionPyramidNeck(nn.Module):
    """torchvision: dict in, dict out, a drop-in for \`BackboneWithFPN.fpn\`.

    \`in_channels_list\` are the widths of the body's features, finest first, the first at stride 2^MIN_LEVEL
    (e.g. returned_layers=[2, 3, 4] of a ResNet for C3..C5). Outputs are named "p<level>", finest first:

        model.backbone.fpn = TorchvisionPyramidNeck([512, 1024, 2048], 256)
    """

    def __init__(self, in_channels_list: List[int], out_channels: int):
        super().__init__()
        widths = _backbone_widths(in_channels_list, "in_channels_list")
        self.extra = _levels() - len(in_channels_list)
        self.neck = PyramidNeck(widths, out_channels)
        self.out_names = [f"p{level}" for level in range(MIN_LEVEL, MAX_LEVEL + 1)]

    def forward(self, x: Dict[str, Tensor]) -> Dict[str, Tensor]:
        feats = _with_extra_levels(list(x.values()), self.extra)
        return OrderedDict(zip(self.out_names, self.neck(feats)))


MMDET_TYPE = f"PyramidNasNeck_{GRAPH_HASH[:12]}"
MMDetPyramidNeck = None  # the class registered in mmdet's MODELS, once mmdetection is found


def _apply_norm_cfg(module: nn.Module, norm_cfg) -> nn.Module:
    """mmdetection's norm_cfg: type BN (default) or SyncBN, optional eps and requires_grad."""
    if norm_cfg is None:
        return module
    kind = norm_cfg.get("type", "BN")
    if kind not in ("BN", "SyncBN"):
        raise ValueError(f"norm_cfg.type: {kind!r} is not supported (BN or SyncBN)")
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            if "eps" in norm_cfg:
                m.eps = float(norm_cfg["eps"])
            if norm_cfg.get("requires_grad") is False:
                for p in m.parameters():
                    p.requires_grad_(False)
    return nn.SyncBatchNorm.convert_sync_batchnorm(module) if kind == "SyncBN" else module


def _register_mmdet():
    from mmdet.registry import MODELS

    class _MMDetPyramidNeck(nn.Module):
        """mmdetection 3.x neck: a tuple of backbone features in, a tuple P<MIN_LEVEL>..P<MAX_LEVEL> out.

        inputs[start_level] must be the stride-2^MIN_LEVEL feature; levels above the backbone's are added.
        """

        def __init__(self, in_channels, out_channels, num_outs, start_level=0, norm_cfg=None, init_cfg=None):
            super().__init__()
            if num_outs != _levels():
                raise ValueError(f"num_outs: {num_outs}, this neck outputs {_levels()} levels (P{MIN_LEVEL}..P{MAX_LEVEL})")
            if not 0 <= start_level < len(in_channels):
                raise ValueError(f"start_level: {start_level} is outside in_channels (length {len(in_channels)})")
            used = list(in_channels)[start_level:]
            self.start_level = start_level
            self.extra = _levels() - len(used)
            self.neck = _apply_norm_cfg(PyramidNeck(_backbone_widths(used, "in_channels[start_level:]"), out_channels), norm_cfg)

        def forward(self, inputs):
            feats = _with_extra_levels(list(inputs)[self.start_level :], self.extra)
            return tuple(self.neck(feats))

    _MMDetPyramidNeck.__name__ = MMDET_TYPE
    MODELS.register_module(name=MMDET_TYPE, module=_MMDetPyramidNeck, force=True)
    return _MMDetPyramidNeck


DETECTRON2_BUILDER = f"build_pyramid_nas_{GRAPH_HASH[:12]}_backbone"
Detectron2PyramidNeck = None  # the Backbone subclass, once detectron2 is found


def _register_detectron2():
    from detectron2.modeling import BACKBONE_REGISTRY, Backbone, ShapeSpec, build_resnet_backbone

    class _Detectron2PyramidNeck(Backbone):
        """detectron2: a Backbone wrapping a bottom-up network; outputs "p<level>" for every level."""

        def __init__(self, bottom_up, in_features, out_channels):
            super().__init__()
            shapes = bottom_up.output_shape()
            strides = [shapes[f].stride for f in in_features]
            wanted = [2**level for level in range(MIN_LEVEL, MIN_LEVEL + len(in_features))]
            if strides != wanted:
                raise ValueError(f"in_features {list(in_features)}: strides {strides}, this neck needs {wanted}")
            self.bottom_up = bottom_up
            self.in_features = list(in_features)
            self.extra = _levels() - len(self.in_features)
            widths = _backbone_widths([shapes[f].channels for f in in_features], "in_features")
            self.neck = PyramidNeck(widths, out_channels)
            self._out_features = [f"p{level}" for level in range(MIN_LEVEL, MAX_LEVEL + 1)]
            self._out_feature_channels = {name: out_channels for name in self._out_features}
            self._out_feature_strides = {f"p{level}": 2**level for level in range(MIN_LEVEL, MAX_LEVEL + 1)}

        @property
        def size_divisibility(self) -> int:
            return 2**MAX_LEVEL

        def output_shape(self):
            return {
                name: ShapeSpec(channels=self._out_feature_channels[name], stride=self._out_feature_strides[name])
                for name in self._out_features
            }

        def forward(self, x):
            bottom = self.bottom_up(x)
            feats = _with_extra_levels([bottom[f] for f in self.in_features], self.extra)
            return dict(zip(self._out_features, self.neck(feats)))

    def build(cfg, input_shape):
        """Registered as DETECTRON2_BUILDER: a ResNet bottom-up (cfg.MODEL.RESNETS) and this neck, reading
        cfg.MODEL.FPN.IN_FEATURES and cfg.MODEL.FPN.OUT_CHANNELS as detectron2's FPN builders do."""
        bottom_up = build_resnet_backbone(cfg, input_shape)
        return _Detectron2PyramidNeck(bottom_up, cfg.MODEL.FPN.IN_FEATURES, cfg.MODEL.FPN.OUT_CHANNELS)

    build.__name__ = DETECTRON2_BUILDER
    if DETECTRON2_BUILDER not in BACKBONE_REGISTRY:
        BACKBONE_REGISTRY.register(build)
    return _Detectron2PyramidNeck


def _installed(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


if _installed("mmdet"):
    MMDetPyramidNeck = _register_mmdet()
if _installed("detectron2"):
    Detectron2PyramidNeck = _register_detectron2()
`;
