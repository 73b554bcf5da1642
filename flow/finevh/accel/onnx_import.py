"""Layer shapes from an ONNX model (PyPI ``onnx``; no runtime needed).

Every ``Conv`` (group 1 -> conv / pw; group == channels == filters -> dw) and every
``Gemm`` / ``MatMul`` whose weight is an initializer (-> fc) becomes a
:class:`~finevh.accel.model.Layer`, in graph order. Input sizes come from ONNX
shape inference, so the graph input needs a static shape (batch may be symbolic).
Asymmetric padding uses the larger of the begin/end pads per axis and other
grouped convolutions are rejected (InputError), as are unreadable files.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .model import Layer


def load_layers(path: str | Path) -> list[Layer]:
    from ..extras import require

    onnx = require("onnx", "reading ONNX")
    from onnx import numpy_helper, shape_inference

    p = Path(path)
    if not p.exists():
        raise InputError("no such file", p)
    try:
        model = onnx.load(str(p))
        model = shape_inference.infer_shapes(model)
    except Exception as e:  # onnx raises DecodeError / ValidationError / ...
        raise InputError(f"not a readable ONNX model: {str(e).splitlines()[0] if str(e) else type(e).__name__}", p) from None
    g = model.graph
    inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    shapes: dict[str, list] = {}
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        dims = []
        for d in vi.type.tensor_type.shape.dim:
            dims.append(d.dim_value if d.HasField("dim_value") else None)
        shapes[vi.name] = dims
    for name, arr in inits.items():
        shapes.setdefault(name, list(arr.shape))

    layers: list[Layer] = []
    for k, node in enumerate(g.node):
        name = node.name or f"{node.op_type}_{k}"
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "Conv":
            if len(node.input) < 2 or node.input[1] not in inits:
                raise InputError(f"node {name}: Conv weight is not an initializer", p)
            w = inits[node.input[1]]
            if w.ndim != 4:
                raise InputError(f"node {name}: only 2-D convolutions are supported", p)
            xs = shapes.get(node.input[0])
            if not xs or len(xs) != 4 or any(v is None for v in xs[1:]):
                raise InputError(f"node {name}: input shape unknown (give the graph input a static shape)", p)
            _, c, h, wd = xs
            kout, cin_g, kh, kw = (int(v) for v in w.shape)
            group = int(attrs.get("group", 1))
            strides = list(attrs.get("strides", [1, 1]))
            pads = list(attrs.get("pads", [0, 0, 0, 0]))
            if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
                raise InputError(f"node {name}: auto_pad is not supported", p)
            if strides[0] != strides[1]:
                raise InputError(f"node {name}: unequal strides {strides} not supported", p)
            pad = max(pads) if pads else 0
            bias = len(node.input) > 2 and bool(node.input[2])
            if group == 1:
                kind = "pw" if (kh, kw) == (1, 1) else "conv"
                layers.append(Layer(name, kind, int(h), int(wd), int(c), kout, kh, kw, int(strides[0]), pad, bias))
            elif group == c == kout and cin_g == 1:
                layers.append(Layer(name, "dw", int(h), int(wd), int(c), kout, kh, kw, int(strides[0]), pad, bias))
            else:
                raise InputError(f"node {name}: grouped convolution (group={group}) not supported", p)
        elif node.op_type in ("Gemm", "MatMul"):
            wname = node.input[1] if len(node.input) > 1 else ""
            if wname not in inits:
                continue  # activation x activation product: no weights, not a layer here
            w = inits[wname]
            if w.ndim != 2:
                raise InputError(f"node {name}: {node.op_type} weight must be 2-D", p)
            trans_b = int(attrs.get("transB", 0)) if node.op_type == "Gemm" else 0
            n_in, n_out = (w.shape[1], w.shape[0]) if trans_b else (w.shape[0], w.shape[1])
            bias = node.op_type == "Gemm" and len(node.input) > 2 and bool(node.input[2])
            layers.append(Layer(name, "fc", 1, 1, int(n_in), int(n_out), bias=bias))
    if not layers:
        raise InputError("no Conv / Gemm / MatMul layers with weights found", p)
    return layers


def load_network(path: str | Path):
    """A sequential ONNX ConvNet with its weights, for the fixed-point emulator.

    Supported: a chain of Conv / Gemm / MatMul (+ Add of a constant bias) layers with
    optional Relu, Flatten or Reshape between them. Returns ``(arch, params, (C, H, W))``
    with :class:`finevh.accel.convnet.Arch` (``relu`` flags from the graph) and
    parameters in the emulator's layout (conv weights (C*kh*kw, K), depthwise
    (C, kh, kw), fully connected (in, out) over NHWC-flattened inputs)."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    from .convnet import Arch

    layers = load_layers(path)
    p = Path(path)
    model = onnx.load(str(p))
    g = model.graph
    inits = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in g.initializer}
    by_name = {L.name: L for L in layers}
    params: list[tuple[np.ndarray, np.ndarray]] = []
    relu: list[bool] = []
    chw = None            # (C, H, W) of the tensor feeding the next flatten, NCHW order
    flat_from = None
    for k, node in enumerate(g.node):
        name = node.name or f"{node.op_type}_{k}"
        op = node.op_type
        if op in ("Conv", "Gemm", "MatMul"):
            if op != "Conv" and node.input[1] not in inits:
                raise InputError(f"node {name}: {op} without a weight initializer is not supported", p)
            L = by_name[name]
            w = inits[node.input[1]]
            b = inits[node.input[2]] if len(node.input) > 2 and node.input[2] in inits else np.zeros(L.out_ch)
            if op == "Conv":
                if L.kind == "dw":
                    w2 = w[:, 0]
                else:
                    w2 = w.reshape(w.shape[0], -1).T
                chw = (L.out_ch, L.out_h, L.out_w)
            else:
                attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
                w2 = w.T if (op == "Gemm" and int(attrs.get("transB", 0))) else w
                if flat_from is not None and flat_from[1] * flat_from[2] > 1:
                    c_, h_, w_ = flat_from           # NCHW flatten -> the emulator's NHWC flatten
                    idx = np.arange(c_ * h_ * w_).reshape(c_, h_, w_).transpose(1, 2, 0).ravel()
                    w2 = w2[idx]
                flat_from = None
                chw = (L.out_ch, 1, 1)
            params.append((np.ascontiguousarray(w2), np.asarray(b, dtype=np.float64)))
            relu.append(False)
        elif op == "Relu":
            if not relu:
                raise InputError(f"node {name}: Relu before the first layer", p)
            relu[-1] = True
        elif op in ("Flatten", "Reshape"):
            flat_from = chw
        elif op == "Add" and len(node.input) == 2 and node.input[1] in inits and params:
            params[-1] = (params[-1][0], params[-1][1] + inits[node.input[1]].reshape(-1))
        else:
            raise InputError(f"node {name}: op {op} not supported by the emulator "
                             "(needs a chain of Conv/Gemm/MatMul with Relu/Flatten)", p)
    first = layers[0]
    return Arch(tuple(layers), tuple(relu)), params, (first.in_ch, first.in_h, first.in_w)
