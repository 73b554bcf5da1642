"""Precision search: NSGA-II* (thesis Algorithm 2) against exhaustive enumeration on
the digits ConvNet, epsilon-non-dominated selection, greedy Algorithm 4."""

from __future__ import annotations

import json

import numpy as np
import pytest

from finevh.accel import search as se
from finevh.accel.model import Layer


def test_pareto_front_and_eps_selection():
    F = np.array([[0.0, 10.0], [1.0, 5.0], [1.0, 6.0], [2.0, 4.9], [9.0, 0.0], [5.0, 5.0], [0.0, 10.0]])
    assert list(se.pareto_front(F)) == [0, 1, 3, 4]
    nd = F[[0, 1, 3, 4]]
    # eps = 10 % of the ranges (0.9, 1.0): boxes (0,10) (1,5) (2,4) (10,0), none box-dominated
    assert list(se.eps_nondominated(nd)) == [0, 1, 2, 3]
    # two points in one box: the one nearest the box corner survives
    G = np.array([[0.0, 10.0], [3.2, 5.5], [3.6, 5.2], [10.0, 0.0]])   # eps = (1, 1)
    assert list(se.eps_nondominated(G)) == [0, 1, 3]


def test_greedy_algorithm_4_on_a_toy_accuracy():
    layers = [Layer(f"l{i}", "fc", 1, 1, 10 * (i + 1), 10) for i in range(3)]
    # accuracy drops by 0.1 per 'mixed' and 0.3 per 'half' on layer 2, 0.02 elsewhere
    def acc(modes):
        a = 1.0
        for i, m in enumerate(modes):
            a -= {"full": 0, "mixed": 0.02, "half": 0.3 if i == 2 else 0.02}[m]
        return a
    r = se.greedy_modes(layers, acc, target=0.9)
    # largest layer (l2) first: full->mixed ok; mixed->half fails; then l1, l0 go to half
    assert r.modes == ["half", "half", "mixed"]
    assert r.accuracy == pytest.approx(1 - 0.02 * 3)
    assert r.n_ops == 1 * 100 + 2 * 10 + 1 * 200 + 2 * 10 + 2 * 300 + 2 * 10
    assert r.n_ops_full == 4 * 600 + 2 * 30


@pytest.fixture(scope="module")
def digits(require_module):
    require_module("sklearn")
    require_module("pymoo")
    return se.digits_problem()


def test_nsga2_star_finds_the_exact_front(digits):
    kl_fn, lut, layers, S = digits
    exact = se.brute_force(kl_fn, lut, len(layers))
    r = se.nsga2_star(kl_fn, lut, len(layers), pop=40, max_eval=600, seed=3)
    assert r.evaluations >= 600
    assert [p.setting for p in r.front] == [p.setting for p in exact]
    assert len(exact) >= 5
    # eps selection: a spread subset of the front whose extremes lie within one eps
    # (10 % of the range) of the front's extremes
    assert {p.setting for p in r.points} <= {p.setting for p in r.front}
    assert 3 <= len(r.points) < len(r.front)
    kls, es = [p.kl for p in r.front], [p.energy_pj for p in r.front]
    assert min(p.kl for p in r.points) - min(kls) <= 0.1 * (max(kls) - min(kls))
    assert min(p.energy_pj for p in r.points) - min(es) <= 0.1 * (max(es) - min(es))
    assert max(p.savings for p in r.points) > 0.35
    # deterministic with the seed
    r2 = se.nsga2_star(kl_fn, lut, len(layers), pop=40, max_eval=600, seed=3)
    assert [p.setting for p in r2.points] == [p.setting for p in r.points]


def test_kl_threshold_is_a_constraint(digits):
    kl_fn, lut, layers, _ = digits
    th = 5e-5
    r = se.nsga2_star(kl_fn, lut, len(layers), pop=40, max_eval=400, kl_th=th, seed=1)
    assert r.front and all(p.kl <= th for p in r.front)
    exact = se.brute_force(kl_fn, lut, len(layers), kl_th=th)
    assert [p.setting for p in r.front] == [p.setting for p in exact]


def test_greedy_on_digits(digits):
    res, test = se.digits_greedy(0.01)
    assert res.accuracy >= res.target
    assert res.n_ops < res.n_ops_full
    assert "mixed" in res.modes or "half" in res.modes
    assert test["greedy"] > 0.9


def test_cli_search_json(digits, run_cli):
    code, out, _ = run_cli("accel", "search", "--method", "nsga2", "--pop", "40", "--evals", "400", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["points"] and all(0 <= p["savings"] < 1 for p in doc["points"])
    assert all(len(p["bits"]) == 7 for p in doc["points"])
    code, out, _ = run_cli("accel", "search", "--method", "greedy")
    assert code == 0 and "Algorithm 4" in out
    code, _, err = run_cli("accel", "search", "--method", "random")
    assert code == 2 and len(err.strip().splitlines()) == 1


def _export_digits_onnx(path, onnx, params):
    """The digits ConvNet with its trained weights as an ONNX graph (NCHW)."""
    from onnx import TensorProto, helper, numpy_helper

    from finevh.accel.convnet import ARCH

    inits, nodes, cur = [], [], "x"
    for i, (L, (w, b)) in enumerate(zip(ARCH.spec, params)):
        if L.kind == "fc":
            nodes.append(helper.make_node("Flatten", [cur], ["flat"]))
            c, h, wd = 64, 2, 2
            idx = np.arange(c * h * wd).reshape(h, wd, c).transpose(2, 0, 1).ravel()
            wo = w[idx]                                   # rows in NCHW-flatten order
            inits += [numpy_helper.from_array(wo.astype(np.float32), f"W{i}"),
                      numpy_helper.from_array(b.astype(np.float32), f"B{i}")]
            nodes.append(helper.make_node("Gemm", ["flat", f"W{i}", f"B{i}"], ["y"], name=L.name))
            break
        if L.kind == "dw":
            wo, group = w[:, None], L.in_ch
        else:
            wo, group = w.T.reshape(L.out_ch, L.in_ch, L.k_h, L.k_w), 1
        inits += [numpy_helper.from_array(wo.astype(np.float32), f"W{i}"),
                  numpy_helper.from_array(b.astype(np.float32), f"B{i}")]
        nodes.append(helper.make_node("Conv", [cur, f"W{i}", f"B{i}"], [f"c{i}"], name=L.name, group=group,
                                      pads=[L.pad] * 4, strides=[L.stride] * 2))
        nodes.append(helper.make_node("Relu", [f"c{i}"], [f"r{i}"]))
        cur = f"r{i}"
    g = helper.make_graph(nodes, "digits", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 8, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    onnx.save(helper.make_model(g), str(path))


def test_same_search_path_for_an_onnx_model(digits, require_module, run_cli, tmp_path):
    onnx = require_module("onnx")
    from finevh.accel import convnet as cn
    from finevh.accel.onnx_import import load_network

    kl_fn, lut, layers, S = digits
    # float32 weights as an ONNX model would carry them
    p32 = [(w.astype(np.float32).astype(np.float64), b.astype(np.float32).astype(np.float64)) for w, b in S.params]
    path = tmp_path / "digits.onnx"
    _export_digits_onnx(path, onnx, p32)
    arch, params, chw = load_network(path)
    assert chw == (1, 8, 8) and [L.kind for L in arch.spec] == [L.kind for L in layers]
    assert arch.relu == (True,) * 6 + (False,)
    x = S.data.x_cal
    z_onnx = cn.float_forward(x, params, arch)
    assert np.allclose(z_onnx, cn.float_forward(x, p32), rtol=0, atol=1e-9)
    # the same search on the ONNX model: same front as on the native float32 weights
    k2, lut2, l2, _, _ = se.network_problem(arch, params, x)
    k3, lut3, l3, _, _ = se.network_problem(cn.ARCH, p32, x)
    assert lut2 == lut3
    s = (1, 0, 1, 0, 1, 0, 0)
    assert k2(s) == pytest.approx(k3(s), rel=1e-9, abs=1e-15)
    calib = tmp_path / "calib.npy"
    np.save(calib, x.transpose(0, 3, 1, 2).astype(np.float32))
    code, out, _ = run_cli("accel", "search", "--onnx", path, "--calib", calib, "--pop", "40", "--evals", "400",
                           "--json")
    assert code == 0
    doc = json.loads(out)
    front = [p.setting for p in se.brute_force(k3, lut3, len(l3))]
    assert doc["front_size"] == len(front) and doc["calibration_images"] == 100
    assert {tuple(16 if c == "1" else 8 for c in p["setting"]) for p in doc["points"]} <= \
        {tuple(16 if g else 8 for g in f) for f in front}
    bad = tmp_path / "bad.npy"
    np.save(bad, np.zeros((3, 2, 8, 8), np.float32))
    code, _, err = run_cli("accel", "search", "--onnx", path, "--calib", bad)
    assert code == 2 and "calibration array shape" in err and len(err.strip().splitlines()) == 1
