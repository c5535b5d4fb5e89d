"""The proxy detector's frozen-backbone training step in PyTorch, as a speed peer of the project's step.

Reads a model description written by bench/peer.bench.ts (graph, widths, one batch of backbone features and
anchor targets, the project's initial neck/head weights, its params and MACs), builds the same neck and head,
checks params and MACs against the project's, then answers commands on stdin, one per line:
  time <imageSize> <steps>    -> {"seconds": [...]} (one training step each)
  losses <imageSize> <steps>  -> {"losses": [...]} (fresh weights; Adam at the description's learning rate)
Exits 0 with a message when torch cannot be imported.
"""
import json
import math
import sys
import time

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError as err:
    print(json.dumps({"unavailable": f"torch cannot be imported ({err})"}), flush=True)
    sys.exit(0)

FOCAL_ALPHA, FOCAL_GAMMA, SMOOTH_L1_BETA = 0.25, 2.0, 0.1
BN_EPSILON, BN_MOMENTUM = 1e-3, 0.9


def level_size(size, level):
    return math.ceil(size / 2**level)


def backbone_level(ref):
    return int(ref[1:]) if ref.startswith("C") and ref[1:].isdigit() else None


class Conv(nn.Module):
    """k x k 'same' conv (stride 1); weights from the project's [k, k, cin, cout] ([k, k, c, 1] depthwise) layout."""

    def __init__(self, label, cin, cout, k, bias, weights, groups=1, key=None):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=k // 2, bias=bias, groups=groups)
        if weights is not None:
            w = weights[key or label + "/w"]
            with torch.no_grad():
                self.conv.weight.copy_(w.permute(3, 2, 0, 1) if groups == 1 else w.permute(2, 3, 0, 1))
                if bias:
                    self.conv.bias.copy_(weights[label + "/b"])
        self.macs = 0

    def forward(self, x):
        y = self.conv(x)
        c = self.conv
        per_pixel = c.kernel_size[0] * c.kernel_size[1] * c.in_channels * c.out_channels // c.groups
        self.macs += y.shape[2] * y.shape[3] * per_pixel
        return y


def batch_norm(label, c, weights):
    bn = nn.BatchNorm2d(c, eps=BN_EPSILON, momentum=1 - BN_MOMENTUM)
    if weights is not None:
        with torch.no_grad():
            bn.weight.copy_(weights[label + "/gamma"])
            bn.bias.copy_(weights[label + "/beta"])
    return bn


class Post(nn.Module):
    """relu -> conv3x3 (or depthwise 3x3 + pointwise 1x1) -> BN."""

    def __init__(self, label, post, c, weights):
        super().__init__()
        if post == "conv":
            self.convs = nn.ModuleList([Conv(label + "/conv", c, c, 3, False, weights)])
        else:
            sep = label + "/sepconv"
            self.convs = nn.ModuleList(
                [
                    Conv(sep, c, c, 3, False, weights, groups=c, key=sep + "/dw"),
                    Conv(sep, c, c, 1, False, weights, key=sep + "/pw"),
                ]
            )
        self.bn = batch_norm(label + "/bn", c, weights)

    def forward(self, x):
        x = F.relu(x)
        for conv in self.convs:
            x = conv(x)
        return self.bn(x)


class Fusion(nn.Module):
    def __init__(self, label, op, levels, c, weights):
        super().__init__()
        self.op, self.levels, n = op, levels, len(levels)
        if op == "concat":
            self.conv = Conv(label + "/concat", n * c, c, 1, True, weights)
        elif op == "weighted":
            self.w = nn.Parameter(weights[label + "/fusion_w"].clone() if weights is not None else torch.ones(n))
        elif op == "adaptive":
            self.logits = nn.ModuleList([Conv(f"{label}/asff{i}", c, 1, 1, True, weights) for i in range(n)])
        elif op not in ("sum", "mean", "attention"):
            raise ValueError(f"{label}: unknown fusion op {op}")

    def forward(self, xs):
        if self.op == "sum":
            return sum(xs[1:], xs[0])
        if self.op == "mean":
            return sum(xs[1:], xs[0]) * (1 / len(xs))
        if self.op == "attention":
            gi = 0 if self.levels[0] > self.levels[1] else 1
            g, f = xs[gi], xs[1 - gi]
            return g + f * torch.sigmoid(spatial_max(g))
        if self.op == "weighted":
            r = F.relu(self.w)
            norm = r / (r.sum() + 1e-4)
            return sum(x * norm[i] for i, x in enumerate(xs))
        if self.op == "concat":
            return self.conv(xs[0] if len(xs) == 1 else torch.cat(xs, 1))
        w = torch.softmax(torch.cat([lg(x) for lg, x in zip(self.logits, xs)], 1), 1)
        return sum(x * w[:, i : i + 1] for i, x in enumerate(xs))


def spatial_max(g):
    """Max over H, W whose gradient reaches every tied maximum in full, as TensorFlow.js's max does (an
    upsampled input repeats its maximum); torch.amax would split it among the ties."""
    m = torch.amax(g.detach(), dim=(2, 3), keepdim=True)
    return m + ((g - g.detach()) * (g.detach() == m)).sum(dim=(2, 3), keepdim=True)


def resample(x, src, dst, size):
    if src == dst:
        return x
    if src < dst:
        f = 2 ** (dst - src)
        pad_h, pad_w = max(0, size * f - x.shape[2]), max(0, size * f - x.shape[3])
        # TensorFlow's 'same': the smaller half of the padding before, padded cells never win.
        x = F.pad(x, (pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2), value=-math.inf)
        return F.max_pool2d(x, f, f)
    f = 2 ** (src - dst)
    up = F.interpolate(x, scale_factor=f, mode="nearest")
    return up[:, :, :size, :size]


class Neck(nn.Module):
    def __init__(self, graph, size, widths, weights):
        super().__init__()
        self.graph, self.size, c = graph, size, graph["channels"]
        self.nodes = [n for n in graph["nodes"] if n["id"] in graph["live"]]
        level_of = {n["id"]: n["level"] for n in self.nodes}
        self.ref_level = lambda r: backbone_level(r) if backbone_level(r) is not None else level_of[r]
        refs = [r for n in self.nodes for r in n["inputs"]]
        projected = sorted({backbone_level(r) for r in refs if backbone_level(r) is not None})
        self.proj = nn.ModuleDict(
            {
                str(l): nn.Sequential(
                    Conv(f"proj/C{l}", widths[str(l)], c, 1, False, weights), batch_norm(f"proj/C{l}/bn", c, weights)
                )
                for l in projected
            }
        )
        self.copies = nn.ModuleList()
        for k in range(graph["repeats"]):
            copy = nn.ModuleDict()
            for n in self.nodes:
                label = f"r{k}/{n['id']}"
                levels = [self.ref_level(r) for r in n["inputs"]]
                copy[n["id"] + "_fusion"] = Fusion(label, n["op"], levels, c, weights)
                if n["post"] != "none":
                    copy[n["id"] + "_post"] = Post(label, n["post"], c, weights)
            self.copies.append(copy)

    def forward(self, features):
        cache, previous = {}, None
        lo, hi = self.graph["levels"]["min"], self.graph["levels"]["max"]
        for copy in self.copies:
            env = {}

            def source(l):
                if previous is not None:
                    return previous[l]
                if l not in cache:
                    cache[l] = self.proj[str(l)](features[l])
                return cache[l]

            for n in self.nodes:
                size = level_size(self.size, n["level"])
                xs = [
                    resample(source(backbone_level(r)) if backbone_level(r) is not None else env[r], self.ref_level(r), n["level"], size)
                    for r in n["inputs"]
                ]
                y = copy[n["id"] + "_fusion"](xs)
                env[n["id"]] = copy[n["id"] + "_post"](y) if n["id"] + "_post" in copy else y
            previous = {l: env[self.graph["outputs"][f"P{l}"]] for l in range(lo, hi + 1)}
        return [previous[l] for l in range(lo, hi + 1)]


class Subnet(nn.Module):
    def __init__(self, name, c, depth, out, weights):
        super().__init__()
        self.hidden = nn.ModuleList([Conv(f"{name}/{i}", c, c, 3, True, weights) for i in range(depth)])
        self.pred = Conv(f"{name}/pred", c, out, 3, True, weights)

    def forward(self, x):
        for conv in self.hidden:
            x = F.relu(conv(x))
        return self.pred(x)


class Model(nn.Module):
    def __init__(self, d, weights):
        super().__init__()
        self.K, A, c = d["numClasses"], d["anchorsPerLocation"], d["graph"]["channels"]
        self.neck = Neck(d["graph"], d["imageSize"], d["backboneChannels"], weights)
        self.cls = Subnet("cls", c, d["headDepth"], A * self.K, weights)
        self.box = Subnet("box", c, d["headDepth"], A * 4, weights)

    def forward(self, features):
        levels = self.neck(features)
        B = levels[0].shape[0]
        cls = torch.cat([self.cls(x).permute(0, 2, 3, 1).reshape(B, -1, self.K) for x in levels], 1)
        box = torch.cat([self.box(x).permute(0, 2, 3, 1).reshape(B, -1, 4) for x in levels], 1)
        return cls, box

    def macs(self):
        return sum(m.macs for m in self.modules() if isinstance(m, Conv))


def detection_loss(logits, deltas, t):
    y, p = t["cls"], torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
    one_minus_pt = p + y - 2 * p * y
    alpha_t = y * (2 * FOCAL_ALPHA - 1) + (1 - FOCAL_ALPHA)
    focal = (alpha_t * one_minus_pt**FOCAL_GAMMA * ce * t["clsWeight"]).sum() / t["normalizer"]
    a = (deltas - t["box"]).abs()
    q = torch.clamp(a, max=SMOOTH_L1_BETA)
    box = (((q * q) * (0.5 / SMOOTH_L1_BETA) + (a - q)) * t["positive"]).sum() / t["normalizer"]
    return focal + box


def load(d):
    raw = open(d["dataFile"], "rb").read()
    tensors, offset = {}, 0
    for e in d["tensors"]:
        n = math.prod(e["shape"])
        flat = torch.frombuffer(bytearray(raw[offset : offset + 4 * n]), dtype=torch.float32)
        tensors[e["name"]] = flat.reshape(e["shape"])
        offset += 4 * n
    # Features arrive NHWC; the peer runs PyTorch's native NCHW.
    features = {int(k[8:]): v.permute(0, 3, 1, 2).contiguous() for k, v in tensors.items() if k.startswith("feature/")}
    targets = {k[7:]: v for k, v in tensors.items() if k.startswith("target/")}
    targets["normalizer"] = d["normalizer"]
    weights = {k[7:]: v for k, v in tensors.items() if k.startswith("weight/")}
    return features, targets, weights


class Peer:
    def __init__(self, d):
        self.d = d
        self.features, self.targets, self.weights = load(d)
        self.fresh()

    def fresh(self):
        self.model = Model(self.d, self.weights)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=self.d["learningRate"], eps=1e-7)

    def step(self):
        self.opt.zero_grad(set_to_none=True)
        loss = detection_loss(*self.model(self.features), self.targets)
        loss.backward()
        self.opt.step()
        return loss.item()

    def check(self):
        params = sum(p.numel() for p in self.model.parameters())
        for m in self.model.modules():
            if isinstance(m, Conv):
                m.macs = 0
        with torch.no_grad():
            self.model.eval()
            self.model({l: f[:1] for l, f in self.features.items()})
            self.model.train()
        return {"imageSize": self.d["imageSize"], "params": params, "macs": self.model.macs()}


def main():
    torch.set_num_threads(1)
    description = json.load(open(sys.argv[1]))
    peers = {d["imageSize"]: Peer(d) for d in description["models"]}
    checks = [p.check() for p in peers.values()]
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "checks": checks}), flush=True)
    for line in sys.stdin:
        cmd, size, steps = line.split()
        peer = peers[int(size)]
        if cmd == "losses":
            peer.fresh()
            print(json.dumps({"losses": [peer.step() for _ in range(int(steps))]}), flush=True)
            continue
        seconds = []
        for _ in range(int(steps)):
            t0 = time.perf_counter()
            peer.step()
            seconds.append(time.perf_counter() - t0)
        print(json.dumps({"seconds": seconds}), flush=True)


if __name__ == "__main__":
    main()
