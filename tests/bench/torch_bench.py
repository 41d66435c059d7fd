#!/usr/bin/python3
"""torch_bench: times one benchmark workload in PyTorch (CPU, float32) and prints one
JSON line, the counterpart of hinge_bench.cpp (same data, weights, optimizer, steps).

    torch_bench.py <workload> <threads> <repeats> [--steps K]

Workloads: scalar_mlp (the micrograd demo as tensors), scalar_mlp_0d (the same graph
of 0-d tensors), fit_curve_10 / _100 / _1000, mlp, op_chain, info.
"""
import ctypes
import json
import math
import resource
import statistics
import sys
import time

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

def time_runs(repeats, steps, step):
    """One warm-up run, then `repeats` timed runs of `steps` calls: us per step.
    A run's figure is the smaller of its wall time and the process's CPU time (all
    threads): on a loaded machine the wall clock also counts the time the process
    waited for a core (README.md, Method); hinge_bench.cpp does the same."""
    for _ in range(steps):
        step()
    runs, walls = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(steps):
            step()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        walls.append(wall * 1e6 / steps)
        runs.append(min(wall, cpu) * 1e6 / steps)
    return {"median_us": statistics.median(runs), "runs_us": runs, "wall_median_us": statistics.median(walls)}


# ---- workload 1: micrograd's demo MLP 2 -> 16 -> 16 -> 1 ----

SIZES = [2, 16, 16, 1]


def scalar_weights():
    return [uniform(K_SCALAR_W + l, SIZES[l] * SIZES[l + 1], -1.0, 1.0) for l in range(3)]


def scalar_mlp(o):
    xs, ys = two_moons()
    X, Y = f32(xs), f32(ys, (100, 1))
    w = scalar_weights()
    model = nn.Sequential(linear(2, 16, w[0], np.zeros(16)), nn.ReLU(),
                          linear(16, 16, w[1], np.zeros(16)), nn.ReLU(),
                          linear(16, 1, w[2], np.zeros(1)))
    params = list(model.parameters())
    opt = torch.optim.SGD(params, lr=0.05)

    def loss_fn():
        data = torch.relu(1.0 - Y * model(X)).mean()
        reg = sum((p * p).sum() for p in params)
        return data + 1e-4 * reg

    def fwdbwd():
        opt.zero_grad()
        loss_fn().backward()

    def step():
        fwdbwd()
        opt.step()

    steps = o["steps"] or 20
    out = {"loss0": loss_fn().item()}
    out["modes"] = {"fwd": time_runs(o["repeats"], steps, loss_fn),
                    "fwdbwd": time_runs(o["repeats"], steps, fwdbwd),
                    "step": time_runs(o["repeats"], steps, step)}
    out["loss_end"] = loss_fn().item()
    return out


def scalar_mlp_0d(o):
    """The same graph as hinge's scalar_mlp, node for node, from 0-d tensors."""
    xs, ys = two_moons()
    X = [[f32(x[0]), f32(x[1])] for x in xs]
    Y = [f32(y) for y in ys]
    w = [[f32(v).requires_grad_() for v in wl] for wl in scalar_weights()]
    b = [[f32(0.0).requires_grad_() for _ in range(SIZES[l + 1])] for l in range(3)]
    params = [p for l in range(3) for p in w[l] + b[l]]
    opt = torch.optim.SGD(params, lr=0.05)
    nodes = [0]

    def loss_fn():
        count = 0
        data = None
        for k in range(len(Y)):
            x = X[k]
            for l in range(3):
                n_in, n_out = SIZES[l], SIZES[l + 1]
                y = []
                for j in range(n_out):
                    act = b[l][j]
                    for i in range(n_in):
                        act = act + w[l][i * n_out + j] * x[i]
                    count += 2 * n_in
                    if l < 2:
                        act = torch.relu(act)
                        count += 1
                    y.append(act)
                x = y
            loss_k = torch.relu(1.0 - Y[k] * x[0])
            count += 3
            data = loss_k if k == 0 else data + loss_k
            count += k > 0
        reg = None
        for p in params:
            count += 1 if reg is None else 2
            reg = p * p if reg is None else reg + p * p
        nodes[0] = count + 3  # data * (1/n) + 1e-4 * reg
        return data * (1.0 / len(Y)) + 1e-4 * reg

    def step():
        opt.zero_grad()
        loss_fn().backward()
        opt.step()

    out = {"loss0": loss_fn().item(), "nodes": nodes[0]}
    out["modes"] = {"step": time_runs(o["repeats"], o["steps"] or 1, step)}
    out["loss_end"] = loss_fn().item()
    return out


# ---- workload 2: fit_curve 1 -> N -> 1 on sin, full-batch Adam ----

def fit_curve(o, n):
    xs = [-3.0 + 6.0 * i / 199 for i in range(200)]
    X, Y = f32(xs, (200, 1)), f32([math.sin(x) for x in xs], (200, 1))
    bound2 = 1.0 / math.sqrt(n)
    model = nn.Sequential(
        linear(1, n, uniform(K_FIT_W1, n, -1.0, 1.0), uniform(K_FIT_B1, n, -1.0, 1.0)), nn.ReLU(),
        linear(n, 1, uniform(K_FIT_W2, n, -bound2, bound2), uniform(K_FIT_B2, 1, -bound2, bound2)))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)

    def loss_fn():
        return F.mse_loss(model(X), Y)

    def fwdbwd():
        opt.zero_grad()
        loss_fn().backward()

    def step():
        fwdbwd()
        opt.step()

    steps = o["steps"] or (20 if n >= 1000 else 100)
    out = {"loss0": loss_fn().item()}
    out["modes"] = {"fwd": time_runs(o["repeats"], steps, loss_fn),
                    "fwdbwd": time_runs(o["repeats"], steps, fwdbwd),
                    "step": time_runs(o["repeats"], steps, step)}
    out["loss_end"] = loss_fn().item()
    return out


# ---- workload 3: MLP 784 -> 256 -> 256 -> 10, batch 128, cross-entropy, SGD ----

def mlp(o):
    B, sizes = 128, [784, 256, 256, 10]
    X = f32(uniform(K_MLP_X, B * 784), (B, 784))
    labels = torch.tensor(np.floor(uniform(K_MLP_LABELS, B) * 10), dtype=torch.long)
    layers = []
    for l in range(3):
        fi, fo = sizes[l], sizes[l + 1]
        bound = 1.0 / math.sqrt(fi)
        layers.append(linear(fi, fo, uniform(K_MLP_W + 2 * l, fi * fo, -bound, bound),
                             uniform(K_MLP_W + 2 * l + 1, fo, -bound, bound)))
        if l < 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def loss_fn():
        return F.cross_entropy(model(X), labels)

    def fwdbwd():
        opt.zero_grad()
        loss_fn().backward()

    def step():
        fwdbwd()
        opt.step()

    steps = o["steps"] or 20
    out = {"loss0": loss_fn().item()}
    out["modes"] = {"fwd": time_runs(o["repeats"], steps, loss_fn),
                    "fwdbwd": time_runs(o["repeats"], steps, fwdbwd),
                    "step": time_runs(o["repeats"], steps, step)}
    out["loss_end"] = loss_fn().item()
    return out


# ---- workload 4: 1,000 small elementwise ops on a [16] tensor ----

def op_chain(o):
    x = f32(uniform(K_CHAIN_X, 16, -1.0, 1.0)).requires_grad_()

    def loss_fn():
        y = x
        for _ in range(500):
            y = y * 1.0001
            y = y + 0.001
        return y.sum()

    def fwdbwd():
        x.grad = None
        loss_fn().backward()

    steps = o["steps"] or 10
    out = {"loss0": loss_fn().item(), "ops": 1000}
    out["modes"] = {"fwd": time_runs(o["repeats"], steps, loss_fn),
                    "fwdbwd": time_runs(o["repeats"], steps, fwdbwd)}
    out["grad0"] = x.grad[0].item()
    out["loss_end"] = loss_fn().item()
    return out


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


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    o = {"workload": argv[1], "threads": int(argv[2]), "repeats": int(argv[3]), "steps": 0}
    rest = argv[4:]
    while rest:
        if rest[0] == "--steps":
            o["steps"] = int(rest[1])
            rest = rest[2:]
        else:
            sys.exit(f"torch_bench: unknown option {rest[0]}")
    torch.set_num_threads(o["threads"])
    torch.manual_seed(0)
    blas, lib = openblas()
    if lib is not None:
        lib.openblas_set_num_threads(o["threads"])
    workloads = {
        "scalar_mlp": scalar_mlp, "scalar_mlp_0d": scalar_mlp_0d, "mlp": mlp, "op_chain": op_chain,
        "fit_curve_10": lambda o: fit_curve(o, 10), "fit_curve_100": lambda o: fit_curve(o, 100),
        "fit_curve_1000": lambda o: fit_curve(o, 1000),
        "info": lambda o: {"torch": torch.__version__, "config": torch.__config__.show(),
                           "parallel": torch.__config__.parallel_info()},
    }
    if o["workload"] not in workloads:
        sys.exit(f"torch_bench: unknown workload {o['workload']}")
    out = {"side": "torch", "workload": o["workload"], "threads": o["threads"], "repeats": o["repeats"],
           "dtype": "f32"}
    out.update(workloads[o["workload"]](o))
    out["torch_threads"] = torch.get_num_threads()
    out["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out["blas"] = blas
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv)
