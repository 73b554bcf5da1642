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
    try:
        import onnx
        from onnx import numpy_helper, shape_inference
    except ImportError:  # pragma: no cover
        from ..errors import ToolError

        raise ToolError("reading ONNX needs the 'onnx' package: pip install onnx") from None
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
