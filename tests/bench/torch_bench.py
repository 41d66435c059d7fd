#!/usr/bin/python3
"""torch_bench: times one benchmark workload in PyTorch (CPU, float32) and prints one
JSON line, the counterpart of hinge_bench.cpp (same data, weights, optimizer, steps).

    torch_bench.py <workload> <threads> <repeats> [--steps K] [--variant eager|script]

Workloads: scalar_mlp (the micrograd demo as a graph of 0-d tensors, node for node
as hinge builds it), scalar_mlp_tensors (the same model as tensors), fit_curve_10 /
_100 / _1000, mlp, op_chain, loop (the interpreter workload's Python side), info.
eager runs the Python code (define-by-run, the graph rebuilt every step); script
runs it compiled by TorchScript (torch.jit.script).
"""
import ctypes
import json
import math
import resource
import statistics
import sys
import time
from typing import List

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# ---- data: the same counter-based generator as bench_data.hpp ----

K_MOONS_NOISE, K_SCALAR_W = 1, 2
K_FIT_W1, K_FIT_B1, K_FIT_W2, K_FIT_B2 = 10, 11, 12, 13
K_MLP_X, K_MLP_LABELS, K_MLP_W = 20, 21, 30
K_CHAIN_X = 40


def uniform(s, n, lo=0.0, hi=1.0):
    """n numbers in [lo, hi): splitmix64 of (s << 32) + i, as bench::uniform (float64)."""
    with np.errstate(over="ignore"):
        z = (np.uint64(s) << np.uint64(32)) + np.arange(n, dtype=np.uint64)
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return lo + (hi - lo) * u


def two_moons(n=100):
    """make_moons(100, noise=0.1) laid out as bench::two_moons; labels -1 / +1."""
    half = n // 2
    noise = uniform(K_MOONS_NOISE, 2 * n, -0.1, 0.1)
    xs, ys = [], []
    for i in range(n):
        outer = i < half
        j = i if outer else i - half
        t = math.pi * j / (half - 1)
        x0 = math.cos(t) if outer else 1.0 - math.cos(t)
        x1 = math.sin(t) if outer else 0.5 - math.sin(t)
        xs.append([x0 + noise[2 * i], x1 + noise[2 * i + 1]])
        ys.append(-1.0 if outer else 1.0)
    return xs, ys


def f32(a, shape=None):
    t = torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float32)
    return t.reshape(shape) if shape is not None else t


def linear(fan_in, fan_out, w, b):
    """nn.Linear holding W [in, out] (stored transposed, as PyTorch does) and b."""
    lin = nn.Linear(fan_in, fan_out)
    with torch.no_grad():
        lin.weight.copy_(f32(w, (fan_in, fan_out)).t())
        lin.bias.copy_(f32(b, (fan_out,)))
    return lin


# ---- timing ----

WARMUP_CALLS = 3  # at least, before the timed runs (hinge_bench.cpp: kWarmupCalls)


def time_runs(repeats, steps, modes, warmup=WARMUP_CALLS):
    """Each mode (name -> one call) warmed up with max(steps, 3) calls (TorchScript's
    executor profiles the first calls and optimizes after them), then `repeats` timed
    runs of `steps` calls, the modes taking turns run by run so that a slow spell of
    the machine falls on each mode of a ratio: per mode and step, the wall time of
    each run (median, min, max: the headline) and the process's CPU time (all
    threads) beside it; hinge_bench.cpp measures the same way."""
    for step in modes.values():
        for _ in range(max(steps, warmup)):
            step()
    walls = {name: [] for name in modes}
    cpus = {name: [] for name in modes}
    for _ in range(repeats):
        for name, step in modes.items():
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(steps):
                step()
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            walls[name].append(wall * 1e6 / steps)
            cpus[name].append(cpu * 1e6 / steps)
    return {name: {"median_us": statistics.median(walls[name]), "min_us": min(walls[name]),
                   "max_us": max(walls[name]), "cpu_median_us": statistics.median(cpus[name]),
                   "runs_us": walls[name]}
            for name in modes}


def run_model(o, loss_fn, params, make_opt):
    """Times fwd (forward alone, without recording: the faster of no_grad and
    inference_mode for eager), fwdbwd and step, taking turns (time_runs), as
    hinge_bench's run_model does: only `step` changes the parameters, so loss_end is
    the loss after exactly max(steps, 3) + repeats * steps optimizer steps from the
    initial weights."""
    steps, repeats = o["steps"], o["repeats"]
    out = {"loss0": loss_fn().item(), "steps": steps}
    opt = make_opt(params) if make_opt else None

    def clear_grads():
        if opt is not None:
            opt.zero_grad(set_to_none=True)
        else:
            for p in params:
                p.grad = None

    def fwdbwd():
        clear_grads()
        loss_fn().backward()

    def step():
        fwdbwd()
        if opt is not None:
            opt.step()

    def forward_in(context):
        def fwd():
            with context():
                loss_fn()
        return fwd

    # TorchScript's executor keeps tensors it made under inference_mode, which
    # autograd then refuses ("Inference tensors cannot be saved for backward"):
    # the compiled variant's forward runs under no_grad only.
    contexts = [("no_grad", torch.no_grad)]
    if o["variant"] == "eager":
        contexts.append(("inference_mode", torch.inference_mode))
    timed = time_runs(repeats, steps, {**{"fwd " + name: forward_in(context) for name, context in contexts},
                                       "fwdbwd": fwdbwd, "step": step})
    fwd_best = None
    for name, _ in contexts:
        t = dict(timed["fwd " + name], context=name)
        if fwd_best is None or t["median_us"] < fwd_best["median_us"]:
            fwd_best = t
    out["modes"] = {"fwd": fwd_best, "fwdbwd": timed["fwdbwd"], "step": timed["step"]}
    if opt is None:
        out["grad0"] = params[0].grad.reshape(-1)[0].item()
    with torch.no_grad():
        out["loss_end"] = loss_fn().item()
    return out


def variant_of(o, fn):
    """The function (or module) itself for eager, compiled by TorchScript for script."""
    return fn if o["variant"] == "eager" else torch.jit.script(fn)


def sgd(lr):
    return lambda params: torch.optim.SGD(params, lr=lr)


# ---- workload 1: micrograd's demo MLP 2 -> 16 -> 16 -> 1 ----

SIZES = [2, 16, 16, 1]


def scalar_weights():
    return [uniform(K_SCALAR_W + l, SIZES[l] * SIZES[l + 1], -1.0, 1.0) for l in range(3)]


def scalar_graph_loss(w: List[List[torch.Tensor]], b: List[List[torch.Tensor]], X: List[List[torch.Tensor]],
                      Y: List[torch.Tensor], params: List[torch.Tensor]) -> torch.Tensor:
    """hinge's scalar_mlp graph node for node, from 0-d tensors (65,075 nodes)."""
    sizes = [2, 16, 16, 1]
    data = torch.zeros(())
    for k in range(len(Y)):
        x = X[k]
        for l in range(3):
            n_in, n_out = sizes[l], sizes[l + 1]
            y: List[torch.Tensor] = []
            for j in range(n_out):
                act = b[l][j]
                for i in range(n_in):
                    act = act + w[l][i * n_out + j] * x[i]
                if l < 2:
                    act = torch.relu(act)
                y.append(act)
            x = y
        loss_k = torch.relu(1.0 - Y[k] * x[0])
        data = loss_k if k == 0 else data + loss_k
    reg = torch.zeros(())
    for n in range(len(params)):
        reg = params[n] * params[n] if n == 0 else reg + params[n] * params[n]
    return data * (1.0 / len(Y)) + 1e-4 * reg


def scalar_graph_nodes(points):
    """The graph's computed nodes, counted as hinge counts them (its Replay's nodes)."""
    per_point = sum(SIZES[l + 1] * 2 * SIZES[l] + (SIZES[l + 1] if l < 2 else 0) for l in range(3)) + 3
    n_params = sum(SIZES[l] * SIZES[l + 1] + SIZES[l + 1] for l in range(3))
    return points * per_point + (points - 1) + 2 * n_params - 1 + 3


def scalar_mlp(o):
    xs, ys = two_moons()
    X = [[f32(x[0]), f32(x[1])] for x in xs]
    Y = [f32(y) for y in ys]
    w = [[f32(v).requires_grad_() for v in wl] for wl in scalar_weights()]
    b = [[f32(0.0).requires_grad_() for _ in range(SIZES[l + 1])] for l in range(3)]
    params = [p for l in range(3) for p in w[l] + b[l]]
    fn = variant_of(o, scalar_graph_loss)
    out = run_model(o, lambda: fn(w, b, X, Y, params), params, sgd(0.05))
    out["nodes"] = scalar_graph_nodes(len(Y))
    return out


class ScalarMlpTensors(nn.Module):
    """The same model as tensors (three nn.Linear on the [100, 2] batch)."""

    def __init__(self):
        super().__init__()
        w = scalar_weights()
        self.l0 = linear(2, 16, w[0], np.zeros(16))
        self.l1 = linear(16, 16, w[1], np.zeros(16))
        self.l2 = linear(16, 1, w[2], np.zeros(1))

    def forward(self, X, Y):
        h = self.l2(torch.relu(self.l1(torch.relu(self.l0(X)))))
        reg = (self.l0.weight * self.l0.weight).sum() + (self.l0.bias * self.l0.bias).sum()
        reg = reg + (self.l1.weight * self.l1.weight).sum() + (self.l1.bias * self.l1.bias).sum()
        reg = reg + (self.l2.weight * self.l2.weight).sum() + (self.l2.bias * self.l2.bias).sum()
        return torch.relu(1.0 - Y * h).mean() + 1e-4 * reg


def scalar_mlp_tensors(o):
    xs, ys = two_moons()
    X, Y = f32(xs), f32(ys, (100, 1))
    model = ScalarMlpTensors()
    fn = variant_of(o, model)
    return run_model(o, lambda: fn(X, Y), list(model.parameters()), sgd(0.05))


# ---- workload 2: fit_curve 1 -> N -> 1 on sin, full-batch Adam ----

class FitCurve(nn.Module):
    def __init__(self, n):
        super().__init__()
        bound2 = 1.0 / math.sqrt(n)
        self.l1 = linear(1, n, uniform(K_FIT_W1, n, -1.0, 1.0), uniform(K_FIT_B1, n, -1.0, 1.0))
        self.l2 = linear(n, 1, uniform(K_FIT_W2, n, -bound2, bound2), uniform(K_FIT_B2, 1, -bound2, bound2))

    def forward(self, X, Y):
        return F.mse_loss(self.l2(torch.relu(self.l1(X))), Y)


def fit_curve(o, n):
    xs = [-3.0 + 6.0 * i / 199 for i in range(200)]
    X, Y = f32(xs, (200, 1)), f32([math.sin(x) for x in xs], (200, 1))
    model = FitCurve(n)
    fn = variant_of(o, model)
    return run_model(o, lambda: fn(X, Y), list(model.parameters()),
                     lambda params: torch.optim.Adam(params, lr=0.01))


# ---- workload 3: MLP 784 -> 256 -> 256 -> 10, batch 128, cross-entropy, SGD ----

class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        sizes = [784, 256, 256, 10]
        ls = []
        for l in range(3):
            fi, fo = sizes[l], sizes[l + 1]
            bound = 1.0 / math.sqrt(fi)
            ls.append(linear(fi, fo, uniform(K_MLP_W + 2 * l, fi * fo, -bound, bound),
                             uniform(K_MLP_W + 2 * l + 1, fo, -bound, bound)))
        self.l0, self.l1, self.l2 = ls

    def forward(self, X, labels):
        return F.cross_entropy(self.l2(torch.relu(self.l1(torch.relu(self.l0(X))))), labels)


def mlp(o):
    B = 128
    X = f32(uniform(K_MLP_X, B * 784), (B, 784))
    labels = torch.tensor(np.floor(uniform(K_MLP_LABELS, B) * 10), dtype=torch.long)
    model = Mlp()
    fn = variant_of(o, model)
    return run_model(o, lambda: fn(X, labels), list(model.parameters()), sgd(0.01))


# ---- workload 4: 1,000 small elementwise ops on a [16] tensor ----

def chain(x: torch.Tensor) -> torch.Tensor:
    y = x
    for _ in range(500):
        y = y * 1.0001
        y = y + 0.001
    return y.sum()


def op_chain(o):
    x = f32(uniform(K_CHAIN_X, 16, -1.0, 1.0)).requires_grad_()
    fn = variant_of(o, chain)
    out = run_model(o, lambda: fn(x), [x], None)
    out["ops"] = 1000
    return out


# ---- the interpreter's loop: a 100,000-node scalar graph built one op at a time ----

def loop(o):
    """What tests/bench/loop.hinge does, in Python: with 0-d tensors (the graph, then
    its gradient) and with plain floats (the arithmetic alone, no graph). Per op."""
    iterations = 50000
    ops = 2 * iterations

    def with_torch():
        w = torch.tensor(0.5, requires_grad=True)
        y = w
        for _ in range(iterations):
            y = y * 1.0001 + 0.001
        y.backward()
        return w.grad.item()

    def with_floats():
        y = 0.5
        for _ in range(iterations):
            y = y * 1.0001 + 0.001
        return y

    modes = time_runs(o["repeats"], 1, {"torch": with_torch, "floats": with_floats}, warmup=1)
    return {"modes": modes, "ops": ops, "grad": with_torch()}


# ---- the BLAS this process runs ----

def openblas():
    """(config string, handle) of the OpenBLAS library loaded into this process."""
    paths = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            p = line.split()[-1]
            if "blas" in p and p.endswith(tuple(".so" + s for s in ("", ".0", ".3"))) and p not in paths:
                paths.append(p)
    for p in sorted(paths, key=lambda s: "openblas" not in s.rsplit("/", 1)[-1]):
        try:
            lib = ctypes.CDLL(p)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            cfg = lib.openblas_get_config().decode()
            core = lib.openblas_get_corename().decode()
            return f"{cfg} (core {core}) [{p}]", lib
        except (OSError, AttributeError):
            continue
    return "no OpenBLAS found in the process: " + ", ".join(paths), None


DEFAULT_STEPS = {"scalar_mlp": 2, "scalar_mlp_tensors": 20, "fit_curve_10": 100, "fit_curve_100": 100,
                 "fit_curve_1000": 20, "mlp": 20, "op_chain": 20}


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    o = {"workload": argv[1], "threads": int(argv[2]), "repeats": int(argv[3]), "steps": 0, "variant": "eager"}
    rest = argv[4:]
    while rest:
        if rest[0] == "--steps" and len(rest) > 1:
            o["steps"] = int(rest[1])
        elif rest[0] == "--variant" and len(rest) > 1 and rest[1] in ("eager", "script"):
            o["variant"] = rest[1]
        else:
            sys.exit(f"torch_bench: bad option {rest[0][:40]!r}\n{__doc__}")
        rest = rest[2:]
    o["steps"] = o["steps"] or DEFAULT_STEPS.get(o["workload"], 1)
    torch.set_num_threads(o["threads"])
    torch.manual_seed(0)
    blas, lib = openblas()
    if lib is not None:
        lib.openblas_set_num_threads(o["threads"])
    workloads = {
        "scalar_mlp": scalar_mlp, "scalar_mlp_tensors": scalar_mlp_tensors, "mlp": mlp, "op_chain": op_chain,
        "fit_curve_10": lambda o: fit_curve(o, 10), "fit_curve_100": lambda o: fit_curve(o, 100),
        "fit_curve_1000": lambda o: fit_curve(o, 1000), "loop": loop,
        "info": lambda o: {"torch": torch.__version__, "config": torch.__config__.show(),
                           "parallel": torch.__config__.parallel_info()},
    }
    if o["workload"] not in workloads:
        sys.exit(f"torch_bench: unknown workload {o['workload'][:40]!r}")
    out = {"side": "torch", "workload": o["workload"], "variant": o["variant"], "threads": o["threads"],
           "repeats": o["repeats"], "dtype": "f32"}
    out.update(workloads[o["workload"]](o))
    out["torch_threads"] = torch.get_num_threads()
    out["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out["blas"] = blas
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv)
