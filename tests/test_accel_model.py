"""finevh.accel: cycle/memory model, workloads vs thesis Table 3.3, energy, fixed
point vs the PE golden model, ONNX import, CLI and Tcl twin."""

from __future__ import annotations

import json
import math
import subprocess

import numpy as np
import pytest

from finevh.accel import convnet as cn
from finevh.accel import pe, workloads
from finevh.accel.energy import (DEFAULT_TECH, VFModel, energy_lut, interp_power, layer_energy,
                                 mac_energy_from_power, read_power_table, total_energy)
from finevh.accel.model import ArrayConfig, Layer, layer_stats, network_stats, parse_array
from finevh.errors import InputError


def test_os_cycles_hand_computed():
    # 10x10x3 -> 12 filters, 3x3 pad 1: Sr = 100, T = 27, Sc = 12 on 8x8 OS
    L = Layer("c", "conv", 10, 10, 3, 12, 3, 3, 1, 1)
    s = layer_stats(L, ArrayConfig())
    folds = math.ceil(100 / 8) * math.ceil(12 / 8)           # 13 * 2 = 26
    assert s.folds == folds == 26
    assert s.cycles == folds * (27 + 8 + 8 - 2) - 1 == 1065
    assert s.ifmap_sram_reads == 100 * 27 * 2
    assert s.filter_sram_reads == 27 * 12 * 13
    assert s.ofmap_sram_writes == 1200
    assert s.ifmap_dram_reads == 12 * 12 * 3                 # padded map fits the buffer
    assert s.filter_dram_reads == 27 * 12
    assert s.utilization == pytest.approx(L.macs / (1065 * 64))


def test_dataflows_and_kinds():
    arr_ws, arr_is = ArrayConfig(dataflow="ws"), ArrayConfig(dataflow="is")
    L = Layer("p", "pw", 7, 7, 16, 20)
    # WS: folds ceil(16/8)*ceil(20/8) = 6, per fold Sr + 2R + C - 2 = 49 + 22
    assert layer_stats(L, arr_ws).cycles == 6 * (49 + 22) - 1
    # IS: folds ceil(16/8)*ceil(49/8) = 14, per fold Sc + 2R + C - 2 = 20 + 22
    assert layer_stats(L, arr_is).cycles == 14 * 42 - 1
    dw = Layer("d", "dw", 9, 9, 4, 4, 3, 3, 1, 1)
    # 4 single-channel GEMMs: Sr 81, T 9, Sc 1: 11 folds of 9 + 14 cycles each
    assert layer_stats(dw).cycles == 4 * (11 * 23 - 1)
    fc = Layer("f", "fc", 1, 1, 40, 10)
    assert layer_stats(fc).cycles == 2 * (40 + 14) - 1
    with pytest.raises(InputError):
        Layer("x", "dw", 4, 4, 4, 8, 3, 3)
    with pytest.raises(InputError):
        ArrayConfig(dataflow="rs")


def test_precision_8bit_and_modes():
    L = Layer("c", "conv", 14, 14, 64, 64, 3, 3, 1, 1)
    s16, s8 = layer_stats(L, precision=16), layer_stats(L, precision=8)
    # two 8-bit MACs per PE: the reduction (576 -> 288) halves; fill/drain does not
    assert s8.cycles == layer_stats(L.packed()).cycles
    assert s8.cycles == 25 * 8 * (288 + 14) - 1 and s16.cycles == 25 * 8 * (576 + 14) - 1
    assert s8.macs == s16.macs and s8.utilization == pytest.approx(s16.utilization * s16.cycles / s8.cycles)
    full, mixed, half = (layer_stats(L, precision=m).cycles for m in ("full", "mixed", "half"))
    # Table 3.9: 4 / 2 / 1 PE cycles per MAC plus 2 per bias
    assert full == 200 * (576 * 4 + 2 + 14) - 1
    assert mixed == 200 * (576 * 2 + 2 + 14) - 1
    assert half == 200 * (576 + 2 + 14) - 1
    with pytest.raises(InputError):
        layer_stats(L, precision=4)


def test_parse_array():
    assert parse_array("8x8") == (8, 8) and parse_array("16X4") == (16, 4)
    for bad in ("8", "8x", "axb", "0x8", "8x8x8"):
        with pytest.raises(InputError):
            parse_array(bad)


# thesis Table 3.3 #Params (M) for the variants finevh writes out
_PARAMS = {"resnet18": 11.68, "resnet34": 21.78, "resnet50": 25.50, "squeezenet1_1": 1.23,
           "mobilenet_v2": 3.47}


@pytest.mark.parametrize("name", sorted(workloads.THESIS_TABLE_3_3))
def test_workloads_against_thesis_table_3_3(name):
    layers = workloads.get(name)
    n_th, cyc_th = workloads.THESIS_TABLE_3_3[name]
    params = sum(L.n_weights for L in layers) / 1e6
    assert params == pytest.approx(_PARAMS[name], abs=0.006)
    counts = {"resnet18": 21, "resnet34": 37, "resnet50": 54, "squeezenet1_1": 26, "mobilenet_v2": 53}
    assert len(layers) == counts[name]
    if name.startswith("resnet"):
        assert len(layers) == n_th
    ratio = network_stats(name, layers, exact_dram=False).total_cycles / cyc_th
    # measured: 1.022 / 1.047 / 0.922 / 0.955 / 1.022 (docs/accel.md)
    assert 0.90 < ratio < 1.06


def test_known_workload_shapes():
    r18 = {L.name: L for L in workloads.resnet18()}
    assert (r18["conv1"].out_h, r18["layer4.1.conv2"].in_h, r18["fc"].in_ch) == (112, 7, 512)
    mb = workloads.mobilenet_v2()
    assert sum(L.kind == "dw" for L in mb) == 17 and mb[-2].out_ch == 1280
    sq = {L.name: L for L in workloads.squeezenet1_1()}
    assert sq["fire2.squeeze"].in_h == 55 and sq["fire9.expand3x3"].in_h == 13
    alex = workloads.alexnet()
    assert alex[5].in_ch == 9216 and sum(L.macs for L in alex) == 714188480
    with pytest.raises(InputError):
        workloads.get("vgg99")


def test_energy_lut_and_eq_3_5():
    layers = workloads.digits()
    lut = energy_lut(layers)
    assert set(lut) == {"16", "8"} and len(lut["16"]) == len(layers)
    setting = [16, 8, 16, 8, 8, 16, 8]
    assert total_energy(lut, setting) == pytest.approx(sum(lut[str(p)][i] for i, p in enumerate(setting)))
    assert all(e8 < e16 for e16, e8 in zip(lut["16"], lut["8"]))
    st = layer_stats(layers[1])
    e = layer_energy(st, ArrayConfig())
    assert e.mac == pytest.approx(st.macs * DEFAULT_TECH.e_mac16)
    assert e.dram == pytest.approx((st.dram_reads + st.dram_writes) * 325.0)
    # Vdd scaling: PE/SRAM by (V/Vnom)^2, DRAM unchanged
    e6 = layer_energy(st, ArrayConfig(), vdd=0.6)
    assert e6.mac == pytest.approx(e.mac * (0.6 / 0.9) ** 2) and e6.dram == e.dram


def test_mac_energy_hook():
    # thesis §3.4.3 PE: 1.23 mW at 1 GHz -> 1.23 pJ per cycle; full mode = 4 cycles per MAC
    assert mac_energy_from_power(1230.0, 1000.0) == pytest.approx(1.23)
    assert mac_energy_from_power(1230.0, 1000.0, macs_per_cycle=0.25) == pytest.approx(4.92)
    t = DEFAULT_TECH.with_pe_power(1230.0, 1000.0, precision="full")
    assert t.e_mac("full") == pytest.approx(1.23)
    assert t.e_mac4x4 == pytest.approx(1.23 / 4)
    with pytest.raises(InputError):
        mac_energy_from_power(100.0, 0.0)


def test_vf_model():
    vf = VFModel()
    assert vf.vdd_for(vf.f_nom_mhz) == pytest.approx(vf.vdd_nom, abs=1e-3)
    vs = [vf.vdd_for(f) for f in (300, 350, 400, 450, 500)]
    assert vs == sorted(vs) and vs[0] < vs[-1]
    assert vf.f_max(vf.vdd_for(420.0)) >= 420.0
    with pytest.raises(InputError):
        vf.vdd_for(600.0)


def test_power_table(tmp_path):
    p = tmp_path / "pw.csv"
    p.write_text("f_mhz,power_uw\n500,1500\n100,300\n")
    t = read_power_table(p)
    assert t == [(100.0, 300.0), (500.0, 1500.0)]
    assert interp_power(t, 300.0) == pytest.approx(900.0)
    j = tmp_path / "pw.json"
    j.write_text(json.dumps([{"f_mhz": 200, "power_uw": 10}]))
    assert read_power_table(j) == [(200.0, 10.0)]
    bad = tmp_path / "bad.csv"
    bad.write_text("f_mhz,power_uw\n100,300\n200,abc\n")
    with pytest.raises(InputError) as e:
        read_power_table(bad)
    assert e.value.line == 3


# --- fixed point against the PE golden model ---------------------------------------------

def test_pe_round_lut_equals_golden_model_and_eq_3_2():
    w = np.arange(-128, 128)
    lut = cn.pe_round_weight(w)
    assert [int(v) for v in lut] == [pe.round_weight(int(x)) for x in w]
    # the general half-even reducer (16->8 bit path) agrees with the PE's 8->4 rule
    assert np.array_equal(cn.reduce_half_even(w, 4, 4), lut)
    assert list(cn.quantize([0.5, 1.5, 2.5, -0.5, 100.0], 0, 4)) == [0, 2, 2, 0, 7]


@pytest.mark.parametrize("mode", ["full", "mixed", "half"])
def test_emulator_products_equal_pe_mac_dot(mode):
    rng = np.random.default_rng(5)
    L = Layer("f", "fc", 1, 1, 24, 3)
    for _ in range(20):
        x = rng.integers(-128, 128, size=(1, 24))
        w = rng.integers(-128, 128, size=(24, 3))
        if mode == "full":
            acc = cn._int_layer(x, L, w)
        elif mode == "mixed":
            acc = cn._int_layer(x, L, cn.pe_round_weight(w)) << 4
        else:
            acc = cn._int_layer(x >> 4, L, cn.pe_round_weight(w)) << 8
        for k in range(3):
            assert int(acc[0, k]) == pe.mac_dot([int(v) for v in x[0]], [int(v) for v in w[:, k]], 0, mode)


def test_fixed_point_emulator_on_digits():
    S = cn.setup()
    d = S.data
    assert S.float_test_acc > 0.95
    n = len(cn.ARCH.spec)
    z16 = S.fx16.logits16(d.x_cal, [1] * n)
    assert cn.kl_divergence(S.p_float_cal, z16) < 1e-4       # FX16 ~ float
    z8 = S.fx16.logits16(d.x_cal, [0] * n)
    kl8 = cn.kl_divergence(S.p_float_cal, z8)
    assert 1e-5 < kl8 < 0.5                                   # FX8-R: small but real loss
    assert cn.accuracy(S.fx8.logits_modes(d.x_test, ["full"] * n), d.y_test) > 0.95
    half = cn.accuracy(S.fx8.logits_modes(d.x_test, ["half"] * n), d.y_test)
    assert half < 0.5                                          # all-half is too coarse (cf. thesis Fig. 3.14)
    # deterministic: the same setting gives bit-identical logits
    assert np.array_equal(z8, S.fx16.logits16(d.x_cal, [0] * n))


def test_training_is_deterministic():
    d = cn.load_data()
    small = cn.Digits(d.x_train[:192], d.y_train[:192], d.x_cal, d.y_cal, d.x_test, d.y_test)
    p1 = cn.train(data=small, epochs=1)
    p2 = cn.train(data=small, epochs=1)
    assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) for a, b in zip(p1, p2))


# --- ONNX ------------------------------------------------------------------------------------

def _tiny_onnx(path, onnx):
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)

    def init(name, shape):
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)

    nodes = [helper.make_node("Conv", ["x", "W1"], ["a"], name="c1", pads=[1, 1, 1, 1], strides=[2, 2]),
             helper.make_node("Relu", ["a"], ["a1"]),
             helper.make_node("Conv", ["a1", "W2"], ["b"], name="dw", pads=[1, 1, 1, 1], group=8),
             helper.make_node("Conv", ["b", "W3"], ["c"], name="pw"),
             helper.make_node("Flatten", ["c"], ["f"]),
             helper.make_node("Gemm", ["f", "W4", "B4"], ["y"], name="fc", transB=1)]
    g = helper.make_graph(nodes, "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 8, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                          [init("W1", (8, 3, 3, 3)), init("W2", (8, 1, 3, 3)), init("W3", (16, 8, 1, 1)),
                           init("W4", (10, 256)), init("B4", (10,))])
    onnx.save(helper.make_model(g), str(path))


def test_onnx_import(tmp_path, require_module, run_cli):
    onnx = require_module("onnx")
    from finevh.accel.onnx_import import load_layers

    p = tmp_path / "tiny.onnx"
    _tiny_onnx(p, onnx)
    L = load_layers(p)
    assert [(x.name, x.kind, x.in_h, x.in_ch, x.out_ch, x.stride, x.pad) for x in L] == [
        ("c1", "conv", 8, 3, 8, 2, 1), ("dw", "dw", 4, 8, 8, 1, 1), ("pw", "pw", 4, 8, 16, 1, 0),
        ("fc", "fc", 1, 256, 10, 1, 0)]
    code, out, _ = run_cli("accel", "cycles", "--onnx", p, "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["total_cycles"] == sum(layer_stats(x).cycles for x in L)
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a protobuf at all \x00\xff")
    with pytest.raises(InputError):
        load_layers(bad)
    code, out, err = run_cli("accel", "cycles", "--onnx", bad)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "bad.onnx" in err


# --- CLI and Tcl -------------------------------------------------------------------------------

def test_cli_cycles_json(run_cli):
    code, out, _ = run_cli("accel", "cycles", "--network", "resnet18", "--array", "8x8", "--dataflow", "os", "--json")
    assert code == 0
    doc = json.loads(out)
    assert len(doc["layers"]) == 21
    for k in ("name", "cycles", "sram_reads", "sram_writes", "dram_reads", "dram_writes"):
        assert k in doc["layers"][0]
    assert doc["total_cycles"] == sum(x["cycles"] for x in doc["layers"]) == 29999553
    code2, out2, _ = run_cli("accel", "cycles", "--network", "resnet18", "--json")
    assert out2 == out                                          # byte-identical


def test_cli_energy_and_errors(run_cli, tmp_path):
    code, out, _ = run_cli("accel", "energy", "--network", "digits", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["total_pj_16"] == pytest.approx(sum(x["e16_pj"] for x in doc["layers"]))
    # PE power from the flow: 1230 uW at 1000 MHz -> 1.23 pJ per 16-bit MAC
    code, out2, _ = run_cli("accel", "energy", "--network", "digits", "--pe-power-uw", "1230", "--pe-f-mhz", "1000",
                            "--json")
    l0 = json.loads(out2)["layers"][0]["breakdown16"]
    assert l0["mac_pj"] == pytest.approx(workloads.digits()[0].macs * 1.23)
    code, _, err = run_cli("accel", "energy", "--network", "digits", "--pe-power-uw", "1230")
    assert code == 2 and "--pe-f-mhz" in err
    o = tmp_path / "o.json"
    for args in (("--network", "nosuchnet"), ("--network", "resnet18", "--array", "8by8"),
                 ("--network", "resnet18", "--dataflow", "xx"), ("--network", "a", "--onnx", "b")):
        code, out, err = run_cli("accel", "cycles", *args, "-o", o)
        assert code == 2 and err.startswith("finevh: error:") and len(err.strip().splitlines()) == 1
        assert not o.exists()
    code, _, err = run_cli("accel", "search", "--network", "resnet18")
    assert code == 2 and "trained weights" in err


def test_cli_report(run_cli, tmp_path):
    pw = tmp_path / "pw.csv"
    pw.write_text("f_mhz,power_uw\n100,300\n500,1500\n")
    png = tmp_path / "r.png"
    code, out, _ = run_cli("accel", "report", "--networks", "squeezenet1_1,mobilenet_v2", "--pe-power", pw,
                           "--plot", png, "--json")
    assert code == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    doc = json.loads(out)
    r = doc["rows"][0]
    assert r["dvfs_uj"] < r["nominal_uj"] and r["precision_uj"] < r["dvfs_uj"]
    assert r["fine_vh_uj"] is not None
    code, out, _ = run_cli("accel", "report", "--networks", "mobilenet_v2")
    assert code == 0 and "n/a" in out and "FINE-VH emulation" in out


def test_tcl_twin(repo, tmp_path, require_tool):
    tclsh = require_tool("tclsh")
    script = tmp_path / "t.tcl"
    script.write_text(f"source {repo / 'tcl' / 'finevh.tcl'}\n"
                      "puts [finevh::accel_total_cycles -network digits -array 8x8 -dataflow os]\n"
                      "if {[catch {finevh::report_accel -network nosuch} e]} { puts ERR:$e }\n")
    out = subprocess.run([tclsh, str(script)], capture_output=True, text=True, timeout=120).stdout
    lines = out.strip().splitlines()
    assert int(lines[0]) == network_stats("digits", workloads.digits()).total_cycles
    assert lines[1].startswith("ERR:finevh: error: unknown network")
