"""Checks generated PyTorch necks in one process (torch starts once for many graphs).

Reads a manifest (argv[1], JSON) written by test/unit/codegen-pytorch.test.ts and prints one JSON object:
{"torch": version, "cases": [...], "adapters": {...}}. Per case:
  - build PyramidNeck(inChannels, channels) and count its parameters;
  - run it on inputs of several sizes and report the output shapes;
  - with "equivalence": load the TensorFlow.js neck's weights with load_pyramid_nas_weights, run the
    inputs written by the test and report the largest |difference| from the TensorFlow.js outputs;
  - with "script"/"onnx": torch.jit.script (difference from eager) and torch.onnx.export (bytes written).
Failures are reported per case, never raised, so one bad graph does not hide the others.
Prints {"unavailable": reason} and exits 0 when torch cannot be imported.
"""
import importlib.util
import io
import json
import struct
import sys
import traceback
import warnings

try:
    import torch
except ImportError as err:
    print(json.dumps({"unavailable": f"torch cannot be imported ({err})"}))
    sys.exit(0)

warnings.filterwarnings("ignore")
torch.set_num_threads(1)


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_tensors(path, shapes):
    with open(path, "rb") as f:
        data = f.read()
    out, offset = [], 0
    for shape in shapes:
        count = 1
        for d in shape:
            count *= d
        values = struct.unpack_from(f"<{count}f", data, offset)
        out.append(torch.tensor(values, dtype=torch.float32).reshape(shape))
        offset += 4 * count
    return out


def random_feats(widths, sides):
    return [torch.randn(1, c, h, w) for c, (h, w) in zip(widths, sides)]


def max_diff(xs, ys):
    return max(float((x - y).abs().max()) for x, y in zip(xs, ys))


def check_case(case, index):
    result = {"id": case["id"]}
    module = load_module(case["module"], f"generated_neck_{index}")
    neck = module.PyramidNeck(case["inChannels"], case["channels"]).eval()
    result["params"] = sum(p.numel() for p in neck.parameters())
    with torch.no_grad():
        result["shapes"] = [
            [list(t.shape) for t in neck(random_feats(case["inChannels"], sides))] for sides in case.get("sizes", [])
        ]
        eq = case.get("equivalence")
        if eq:
            module.load_pyramid_nas_weights(neck, eq["weights"])
            feats = read_tensors(eq["inputs"], eq["inputShapes"])
            expected = read_tensors(eq["outputs"], eq["outputShapes"])
            got = neck(feats)
            result["outputShapes"] = [list(t.shape) for t in got]
            result["maxDiff"] = max_diff(got, expected)
            result["maxAbs"] = max(float(t.abs().max()) for t in expected)
        if case.get("script") or case.get("onnx"):
            feats = random_feats(case["inChannels"], case["sizes"][0])
            eager = neck(feats)
            if case.get("script"):
                result["scriptDiff"] = max_diff(torch.jit.script(neck)(feats), eager)
            if case.get("onnx"):
                buf = io.BytesIO()
                torch.onnx.export(neck, (feats,), buf, opset_version=13)
                result["onnxBytes"] = len(buf.getvalue())
    return result


def check_adapters(spec):
    """The adapters against the stand-in mmdet/detectron2 packages under spec["standIns"]."""
    sys.path.insert(0, spec["standIns"])
    module = load_module(spec["module"], "generated_neck_adapters")
    from mmdet.registry import MODELS
    from detectron2.modeling import BACKBONE_REGISTRY, FakeBottomUp

    lo, hi = module.MIN_LEVEL, module.MAX_LEVEL
    out = {"minLevel": lo, "maxLevel": hi}
    size = spec["imageSize"]
    side = lambda level: -(-size // 2**level)  # noqa: E731

    # mmdetection: C2..C5 from a ResNet-like backbone, start_level so that inputs[start_level] is C<lo>.
    cfg = dict(spec["mmdetNeck"], type=module.MMDET_TYPE)
    neck = MODELS.build(cfg).eval()
    widths = cfg["in_channels"]
    inputs = tuple(torch.randn(1, c, side(2 + i), side(2 + i)) for i, c in enumerate(widths))
    with torch.no_grad():
        outs = neck(inputs)
    out["mmdet"] = {
        "type": module.MMDET_TYPE,
        "registered": module.MMDET_TYPE in MODELS.modules,
        "isTuple": isinstance(outs, tuple),
        "shapes": [list(t.shape) for t in outs],
    }
    try:
        MODELS.build({**cfg, "num_outs": cfg["num_outs"] + 1})
        out["mmdet"]["badNumOuts"] = None
    except ValueError as err:
        out["mmdet"]["badNumOuts"] = str(err)

    # detectron2: the registered builder around the stand-in bottom-up (res3..res5, strides 8..32).
    d2cfg = spec["detectron2Cfg"]
    backbone = BACKBONE_REGISTRY.get(module.DETECTRON2_BUILDER)(FakeBottomUp.config(d2cfg), None).eval()
    with torch.no_grad():
        outs = backbone(torch.randn(1, 3, size, size))
    out["detectron2"] = {
        "builder": module.DETECTRON2_BUILDER,
        "isBackbone": isinstance(backbone, sys.modules["detectron2.modeling"].Backbone),
        "sizeDivisibility": backbone.size_divisibility,
        "outputShape": {k: [v.channels, v.stride] for k, v in backbone.output_shape().items()},
        "shapes": {k: list(v.shape) for k, v in outs.items()},
    }

    # torchvision: dict in, dict out (torchvision itself is not needed by the adapter).
    tv_widths = spec["torchvisionWidths"]
    tv = module.TorchvisionPyramidNeck(tv_widths, spec["channels"]).eval()
    feats = {str(i): torch.randn(1, c, side(lo + i), side(lo + i)) for i, c in enumerate(tv_widths)}
    with torch.no_grad():
        outs = tv(feats)
    out["torchvision"] = {"isDict": isinstance(outs, dict), "shapes": {k: list(v.shape) for k, v in outs.items()}}
    return out


def main():
    with open(sys.argv[1], "r", encoding="utf-8") as f:
        manifest = json.load(f)
    report = {"torch": torch.__version__, "cases": []}
    for i, case in enumerate(manifest.get("cases", [])):
        try:
            report["cases"].append(check_case(case, i))
        except Exception:  # noqa: BLE001 — reported per case
            report["cases"].append({"id": case["id"], "error": traceback.format_exc(limit=4)})
    if manifest.get("adapters"):
        try:
            report["adapters"] = check_adapters(manifest["adapters"])
        except Exception:  # noqa: BLE001
            report["adapters"] = {"error": traceback.format_exc(limit=6)}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
