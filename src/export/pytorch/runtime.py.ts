// The fixed part of every generated PyTorch neck: resampling with the proxy's size rules, the fusion ops,
// the post-ops and the weight loader. Each matches src/detector/ (resample.ts, fusion.ts, attention.ts,
// pyramid.ts, layers.ts) operation for operation, in NCHW instead of NHWC, so that the same weights give
// the same function; the parameter counts are those of the cost model (src/graph/cost.ts).

export const RUNTIME_PY = `
BN_EPSILON = 1e-3  # the proxy's batch-norm epsilon (TensorFlow.js convention)
BN_MOMENTUM = 0.1  # PyTorch convention: the proxy's moving-average decay 0.9 is 1 - 0.1 here
WEIGHTED_EPSILON = 1e-4  # BiFPN fast normalized fusion


def _same_pad(size: int, kernel: int, stride: int) -> List[int]:
    """TensorFlow 'same' padding of one side: [before, after], the odd pixel after."""
    out = (size + stride - 1) // stride
    total = max((out - 1) * stride + kernel - size, 0)
    return [total // 2, total - total // 2]


def _max_pool_same(x: Tensor, kernel: int, stride: int) -> Tensor:
    """Max-pool with 'same' padding: side ceil(s / stride); padded cells never win."""
    ph = _same_pad(x.shape[-2], kernel, stride)
    pw = _same_pad(x.shape[-1], kernel, stride)
    if ph[0] + ph[1] + pw[0] + pw[1] > 0:
        x = F.pad(x, [pw[0], pw[1], ph[0], ph[1]], value=float("-inf"))
    return F.max_pool2d(x, kernel, stride)


def _down(x: Tensor, factor: int) -> Tensor:
    """A finer level to a coarser one: max-pool by \`factor\` = 2^(levels apart)."""
    return _max_pool_same(x, factor, factor)


def _up(x: Tensor, factor: int, like: Tensor) -> Tensor:
    """A coarser level to a finer one: nearest upsample by \`factor\`, cropped to \`like\`'s side (odd sides)."""
    y = F.interpolate(x, scale_factor=float(factor), mode="nearest")
    return y[:, :, : like.shape[-2], : like.shape[-1]]


def _extra_level(x: Tensor) -> Tensor:
    """A backbone level above the last stage: 3x3 max-pool, stride 2, 'same' (as the proxy backbone's C6+)."""
    return _max_pool_same(x, 3, 2)


class Projection(nn.Module):
    """A backbone feature C<l> to the neck's width: 1x1 conv without bias, then batch norm."""

    def __init__(self, in_channels: int, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, channels, 1, bias=False)
        self.bn = nn.BatchNorm2d(channels, eps=BN_EPSILON, momentum=BN_MOMENTUM)

    def forward(self, x: Tensor) -> Tensor:
        return self.bn(self.conv(x))


class Sum(nn.Module):
    """Elementwise sum (one input: the resampled input itself)."""

    def forward(self, xs: List[Tensor]) -> Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Mean(nn.Module):
    """Elementwise mean (Libra R-CNN's balanced feature)."""

    def forward(self, xs: List[Tensor]) -> Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out * (1.0 / len(xs))


class GlobalAttention(nn.Module):
    """NAS-FPN global-pooling attention on [f, g], g the coarser input: g + f * sigmoid(global max of g)."""

    def forward(self, xs: List[Tensor]) -> Tensor:
        f = xs[0]
        g = xs[1]
        return g + f * torch.sigmoid(F.adaptive_max_pool2d(g, 1))


class Weighted(nn.Module):
    """BiFPN fast normalized fusion: sum of relu(w_i) / (sum relu(w) + eps) * x_i, one scalar per input."""

    def __init__(self, inputs: int):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(inputs))
        self.eps = WEIGHTED_EPSILON

    def forward(self, xs: List[Tensor]) -> Tensor:
        w = F.relu(self.weight)
        w = w / (w.sum() + self.eps)
        out = xs[0] * w[0]
        for i in range(1, len(xs)):
            out = out + xs[i] * w[i]
        return out


class Concat(nn.Module):
    """Concatenate the inputs along channels, then a 1x1 conv with bias back to the neck's width."""

    def __init__(self, inputs: int, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(inputs * channels, channels, 1, bias=True)

    def forward(self, xs: List[Tensor]) -> Tensor:
        return self.conv(torch.cat(xs, 1))


class Adaptive(nn.Module):
    """ASFF: per input a 1x1 conv (with bias) to one logit map, softmax over inputs per pixel, weighted sum.

    The per-input convs are one grouped conv over the concatenated inputs (group i sees input i only).
    """

    def __init__(self, inputs: int, channels: int):
        super().__init__()
        self.logits = nn.Conv2d(inputs * channels, inputs, 1, groups=inputs, bias=True)

    def forward(self, xs: List[Tensor]) -> Tensor:
        w = torch.softmax(self.logits(torch.cat(xs, 1)), dim=1)
        out = xs[0] * w[:, 0:1]
        for i in range(1, len(xs)):
            out = out + xs[i] * w[:, i : i + 1]
        return out


class PositionAttention(nn.Module):
    """Attention over positions: query input + softmax(q k^T / sqrt(C)) v, q/k/v 1x1 convs without bias.

    [x] attends to itself (self-attention); [q, kv] takes queries from q, keys and values from kv.
    """

    def __init__(self, channels: int):
        super().__init__()
        self.query = nn.Conv2d(channels, channels, 1, bias=False)
        self.key = nn.Conv2d(channels, channels, 1, bias=False)
        self.value = nn.Conv2d(channels, channels, 1, bias=False)

    def forward(self, xs: List[Tensor]) -> Tensor:
        q_in = xs[0]
        kv_in = xs[len(xs) - 1]
        b, c, h, w = q_in.shape
        q = self.query(q_in).flatten(2).transpose(1, 2)
        k = self.key(kv_in).flatten(2).transpose(1, 2)
        v = self.value(kv_in).flatten(2).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(1, 2)) * (1.0 / math.sqrt(c))
        attended = torch.matmul(torch.softmax(scores, dim=-1), v)
        return q_in + attended.transpose(1, 2).reshape(b, c, h, w)


class ConvPost(nn.Module):
    """Post-op 'conv': ReLU, 3x3 conv without bias, batch norm."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(channels, eps=BN_EPSILON, momentum=BN_MOMENTUM)

    def forward(self, x: Tensor) -> Tensor:
        return self.bn(self.conv(F.relu(x)))


class SepConvPost(nn.Module):
    """Post-op 'sepconv': ReLU, depthwise 3x3 then pointwise 1x1 (no biases), batch norm."""

    def __init__(self, channels: int):
        super().__init__()
        self.depthwise = nn.Conv2d(channels, channels, 3, padding=1, groups=channels, bias=False)
        self.pointwise = nn.Conv2d(channels, channels, 1, bias=False)
        self.bn = nn.BatchNorm2d(channels, eps=BN_EPSILON, momentum=BN_MOMENTUM)

    def forward(self, x: Tensor) -> Tensor:
        return self.bn(self.pointwise(self.depthwise(F.relu(x))))


class Node(nn.Module):
    """One graph node: fuse the inputs (already resampled to the node's level), then the post-op."""

    def __init__(self, fuse: nn.Module, post: nn.Module):
        super().__init__()
        self.fuse = fuse
        self.post = post

    def forward(self, xs: List[Tensor]) -> Tensor:
        return self.post(self.fuse(xs))
`;

export const LOADER_PY = `
def load_pyramid_nas_weights(module: nn.Module, index_path: str) -> nn.Module:
    """Load weights exported by pyramid-nas (an index JSON next to a little-endian float32 .bin).

    \`module\` is a PyramidNeck, or an adapter holding one as \`.neck\`. Every tensor of the file must exist in
    the module with the same shape, and every parameter and batch-norm statistic of the module must be in
    the file; the file's graph hash must be this module's.
    """
    import json
    import os

    neck = getattr(module, "neck", module)
    with open(index_path, "r", encoding="utf-8") as f:
        index = json.load(f)
    if index.get("format") != WEIGHTS_FORMAT:
        raise ValueError(f"{index_path}: format is {index.get('format')!r}, expected {WEIGHTS_FORMAT!r}")
    if index.get("graphHash") != GRAPH_HASH:
        raise ValueError(f"{index_path}: weights of graph {index.get('graphHash')}, this module is {GRAPH_HASH}")
    bin_path = os.path.join(os.path.dirname(os.path.abspath(index_path)), index["data"])
    with open(bin_path, "rb") as f:
        data = f.read()
    expected = neck.state_dict()
    state = {}
    for i, entry in enumerate(index["tensors"]):
        name, shape, offset = entry["name"], list(entry["shape"]), int(entry["offset"])
        count = 1
        for d in shape:
            count *= d
        if name not in expected:
            raise ValueError(f"{index_path}: tensors[{i}] {name} is not a tensor of this module")
        if list(expected[name].shape) != shape:
            raise ValueError(f"{index_path}: tensors[{i}] {name} is {shape}, the module has {list(expected[name].shape)}")
        if offset + 4 * count > len(data):
            raise ValueError(f"{index_path}: tensors[{i}] {name} runs past the end of {bin_path}")
        values = torch.frombuffer(bytearray(data[offset : offset + 4 * count]), dtype=torch.float32)
        state[name] = values.reshape(shape).to(expected[name].dtype)
    missing = [k for k in expected if k not in state and not k.endswith("num_batches_tracked")]
    if missing:
        raise ValueError(f"{index_path}: has no {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}")
    neck.load_state_dict(state, strict=False)
    return module
`;
