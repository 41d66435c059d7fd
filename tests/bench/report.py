#!/usr/bin/python3
"""Runs every benchmark workload in hinge (hinge_bench) and PyTorch (torch_bench.py),
each measurement in its own process, then prints the comparison table and writes
tests/bench/RESULTS.md. Called by tests/bench/run, which installs and builds first.

    report.py --build DIR [--repeats N] [--threads 1,2] [--only WORKLOAD,...] [--no-write]
"""
import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PYTHON = "/usr/bin/python3"  # Debian's python, the one python3-torch installs into
MARKER = "<!-- analysis: everything below this line is kept when the runner rewrites the file -->"

# Workloads and which side runs them.
HINGE_WORKLOADS = ["scalar_mlp", "scalar_mlp_tensors", "fit_curve_10", "fit_curve_100", "fit_curve_1000", "mlp", "op_chain",
                   "sgemm_fit_curve_1000", "sgemm_mlp"]
TORCH_WORKLOADS = ["scalar_mlp", "scalar_mlp_0d", "fit_curve_10", "fit_curve_100", "fit_curve_1000", "mlp",
                   "op_chain"]
ORDER = ["scalar_mlp", "scalar_mlp_tensors", "scalar_mlp_0d", "fit_curve_10", "fit_curve_100", "fit_curve_1000",
         "sgemm_fit_curve_1000", "mlp", "sgemm_mlp", "op_chain"]

# The main table: (workload no., label, hinge (workload, mode), torch (workload, mode), unit, target).
# unit "us" is microseconds per step; "ns/node" and "us/op" divide by each side's node / op count.
ROWS = [
    ("1", "scalar MLP: hinge scalar graph vs torch tensors", ("scalar_mlp", "step"), ("scalar_mlp", "step"),
     "us", "node20"),
    ("1", "scalar MLP as tensors in both (matmul), like for like", ("scalar_mlp_tensors", "step"),
     ("scalar_mlp", "step"), "us", None),
    ("1", "scalar MLP: per node, vs torch 0-d tensors", ("scalar_mlp", "step"), ("scalar_mlp_0d", "step"),
     "ns/node", "node20"),
    ("1", "scalar MLP: hinge rebuilt each step vs torch 0-d", ("scalar_mlp", "eager"),
     ("scalar_mlp_0d", "step"), "ns/node", None),
    ("2", "fit_curve N=10, Adam", ("fit_curve_10", "step"), ("fit_curve_10", "step"), "us", "x10"),
    ("2", "fit_curve N=100, Adam", ("fit_curve_100", "step"), ("fit_curve_100", "step"), "us", "x10"),
    ("2", "fit_curve N=1000, Adam", ("fit_curve_1000", "step"), ("fit_curve_1000", "step"), "us",
     "x1+sgemm:sgemm_fit_curve_1000"),
    ("3", "MLP 784-256-256-10, b=128, SGD", ("mlp", "step"), ("mlp", "step"), "us", "x1+sgemm:sgemm_mlp"),
    ("4", "1,000-op chain fwd+bwd (replay)", ("op_chain", "fwdbwd"), ("op_chain", "fwdbwd"), "us/op", "x20"),
    ("4", "1,000-op chain, hinge rebuilt each step", ("op_chain", "eager"), ("op_chain", "fwdbwd"), "us/op",
     None),
]
TARGET_TEXT = {"node20": "<= 20 ns/node", "x10": ">= 10x", "x20": ">= 20x", "x1": ">= 1x", None: "(info)"}
GRAD_COST = [("1", "scalar MLP", "scalar_mlp"), ("2", "fit_curve N=10", "fit_curve_10"),
             ("2", "fit_curve N=100", "fit_curve_100"), ("2", "fit_curve N=1000", "fit_curve_1000"),
             ("4", "1,000-op chain", "op_chain")]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def child_env(threads):
    env = dict(os.environ)
    env["OPENBLAS_NUM_THREADS"] = str(threads)
    env["OMP_NUM_THREADS"] = str(threads)
    # PyTorch's OpenMP workers spin after each parallel region and starve OpenBLAS's
    # own threads on 2 cores (a 2-thread MLP step took 25x longer): let them sleep,
    # so PyTorch is measured at its best. hinge does not use OpenMP.
    env["OMP_WAIT_POLICY"] = "PASSIVE"
    return env


def run_process(cmd, threads, timeout=600):
    """Runs cmd; returns (rc, stdout, stderr, seconds, peak RSS in KB from wait4). The
    seconds are the smaller of wall time and the child's CPU time (user + system, all
    threads), as the per-step timings are measured (README.md, Method)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=child_env(threads), cwd=ROOT)
        try:
            _, status, ru = os.wait4(p.pid, 0)
        except KeyboardInterrupt:
            p.kill()
            raise
        wall = min(time.perf_counter() - t0, ru.ru_utime + ru.ru_stime)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return p.returncode, out.read().decode(), err.read().decode(), wall, ru.ru_maxrss


def measure(side, exe, workload, threads, repeats):
    cmd = [exe, workload, str(threads), str(repeats)] if side == "hinge" else \
        [PYTHON, os.path.join(HERE, "torch_bench.py"), workload, str(threads), str(repeats)]
    if side == "torch" and workload == "scalar_mlp_0d":
        cmd[-1] = str(max(5, min(repeats, 5)))  # ~1 s a step: 5 runs of one step
    rc, out, err, wall, rss = run_process(cmd, threads)
    if rc != 0:
        log(f"  {side} {workload} t={threads} FAILED ({rc}): {err.strip()[-400:]}")
        return {"error": err.strip()[-400:] or f"exit {rc}"}
    res = json.loads(out.strip().splitlines()[-1])
    res["wall_s"] = wall
    res["rss_wait4_kb"] = rss
    return res


# ---- formatting ----

def fmt_time(us, unit):
    if us is None:
        return "-"
    if unit == "ns/node":
        return f"{us * 1e3:.1f} ns/node"
    if unit == "us/op":
        return f"{us:.3g} us/op" if us < 1000 else f"{us:.0f} us/op"
    if us >= 1e4:
        return f"{us / 1e3:.1f} ms"
    if us >= 1e3:
        return f"{us / 1e3:.2f} ms"
    return f"{us:.1f} us"


def fmt_mb(kb):
    return "-" if kb is None else f"{kb / 1024:.1f} MB"


def median(res, mode):
    try:
        return res["modes"][mode]["median_us"]
    except (KeyError, TypeError):
        return None


def per_unit(res, mode, unit):
    """Median us per step, divided by nodes or ops for the per-node / per-op units."""
    m = median(res, mode)
    if m is None:
        return None
    if unit == "ns/node":
        return m / res["nodes"]
    if unit == "us/op":
        return m / res["ops"]
    return m


def md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def yes_no(ok):
    return "-" if ok is None else ("yes" if ok else "**NO**")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--only", default="")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    if args.repeats < 5:
        sys.exit("report.py: at least 5 timed runs (the issue asks for a median of 5 or more)")
    threads_list = [int(t) for t in args.threads.split(",")]
    only = set(filter(None, args.only.split(",")))
    hinge_exe = os.path.join(args.build, "tests", "bench", "hinge_bench")
    started = time.time()
    load_before = os.getloadavg()
    if load_before[0] > 1.5:
        log(f"bench: load average {load_before[0]:.1f} on {os.cpu_count()} cores: other work is running, "
            "timings will be noisy (PyTorch's 2-thread runs most)")

    R = {}  # (side, workload, threads) -> result
    for w in ORDER:
        if only and w not in only:
            continue
        for t in threads_list:
            for side, exe, names in (("hinge", hinge_exe, HINGE_WORKLOADS), ("torch", None, TORCH_WORKLOADS)):
                if w in names:
                    t0 = time.time()
                    R[(side, w, t)] = measure(side, exe, w, t, args.repeats)
                    log(f"  {side:5} {w:22} threads={t}  {time.time() - t0:5.1f} s")

    script = script_workload(args, threads_list, hinge_exe)
    info = {t: measure("torch", None, "info", t, 5) for t in threads_list[:1]}
    hinfo = measure("hinge", hinge_exe, "info", threads_list[0], 1)
    load_after = os.getloadavg()

    main_rows, notes = [], []
    for num, label, (hw, hm), (tw, tm), unit, target in ROWS:
        for t in threads_list:
            h, p = R.get(("hinge", hw, t)), R.get(("torch", tw, t))
            if h is None or p is None:
                continue
            hv, pv = per_unit(h, hm, unit), per_unit(p, tm, unit)
            ratio = pv / hv if hv and pv else None
            ok, ttext = judge(target, h, hm, ratio, R, t)
            mem_ok = h.get("peak_rss_kb", 0) <= p.get("peak_rss_kb", 0) if "peak_rss_kb" in h and "peak_rss_kb" in p else None
            extra = ""
            if unit == "us" and "nodes" in h and hw == "scalar_mlp":
                extra = f" ({hv * 1e3 / h['nodes']:.1f} ns/node)"
            main_rows.append([num, label, t, fmt_time(hv, unit) + extra, fmt_time(pv, unit),
                              f"{ratio:.2f}x" if ratio else "-", fmt_mb(h.get("peak_rss_kb")),
                              fmt_mb(p.get("peak_rss_kb")), ttext, yes_no(ok), yes_no(mem_ok)])
            for side, r in (("hinge", h), ("torch", p)):
                if "error" in r:
                    notes.append(f"{side} {r.get('workload', hw)} threads={t}: {r['error']}")
    if script["rows"]:
        main_rows += script["rows"]
    else:
        main_rows.append(["5", "fit_curve as a .hinge script vs the C++ API", "-", script["status"], "-", "-", "-",
                          "-", "<= 1.1x of the API", "-", "-"])

    grad_rows = []
    for num, label, w in GRAD_COST:
        for t in threads_list:
            h, p = R.get(("hinge", w, t)), R.get(("torch", w, t))
            if not h or "modes" not in h:
                continue
            f, fb = median(h, "fwd"), median(h, "fwdbwd")
            pf, pfb = (median(p, "fwd"), median(p, "fwdbwd")) if p else (None, None)
            cost = fb / f if f and fb else None
            grad_rows.append([num, label, t, fmt_time(f, "us"), fmt_time(fb, "us"),
                              f"{cost:.2f}x" if cost else "-", f"{pfb / pf:.2f}x" if pf and pfb else "-",
                              "<= 3x", yes_no(cost <= 3.0 if cost else None)])

    gemm_rows = []
    for num, label, w, sg in (("2", "fit_curve N=1000", "fit_curve_1000", "sgemm_fit_curve_1000"),
                              ("3", "MLP 784-256-256-10", "mlp", "sgemm_mlp")):
        for t in threads_list:
            h, p, s = R.get(("hinge", w, t)), R.get(("torch", w, t)), R.get(("hinge", sg, t))
            if not h or not s or "modes" not in s:
                continue
            su, hs = median(s, "sgemm"), median(h, "step")
            ps = median(p, "step") if p else None
            gemm_rows.append([num, label, t, fmt_time(su, "us"), f"{s['gflops']:.1f}", fmt_time(hs, "us"),
                              f"{su / hs:.0%}" if hs else "-", f"{su / ps:.0%}" if ps else "-", ">= 70%",
                              yes_no(su / hs >= 0.7 if hs else None)])

    check_rows = []
    for w in ORDER:
        for t in threads_list[:1]:
            h = R.get(("hinge", w if w != "scalar_mlp_0d" else "scalar_mlp", t))
            p = R.get(("torch", w if w != "scalar_mlp_tensors" else "scalar_mlp", t))
            if not h or not p or "loss0" not in p or "loss0" not in h:
                continue
            rel = abs(h["loss0"] - p["loss0"]) / max(abs(p["loss0"]), 1e-30)
            check_rows.append([w, f"{h['loss0']:.7g}", f"{p['loss0']:.7g}", f"{rel:.1e}",
                               "same" if rel < 1e-4 else "**DIFFERENT**",
                               f"{h.get('loss_end', float('nan')):.6g}", f"{p.get('loss_end', float('nan')):.6g}",
                               f"{h.get('nodes', '-'):.0f}" if "nodes" in h else "-",
                               f"{p['nodes']:.0f}" if "nodes" in p else "-"])

    cpu = cpu_model()
    elapsed = time.time() - started
    env_pins = {k: os.environ.get(k, "(unset)") for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    tinfo = info.get(threads_list[0], {})
    header = ["#", "workload", "threads", "hinge median", "PyTorch median", "ratio (torch/hinge)",
              "hinge peak RSS", "PyTorch peak RSS", "target", "met", "mem <= torch"]
    out = []
    out.append(f"Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}; "
               f"CPU: {cpu} ({os.cpu_count()} logical cores); run took {elapsed:.0f} s; "
               f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}.")
    out.append("")
    out.append(f"Threads: OMP_WAIT_POLICY=PASSIVE; OPENBLAS_NUM_THREADS = OMP_NUM_THREADS = torch.set_num_threads = "
               f"openblas_set_num_threads = {', '.join(map(str, threads_list))} (one process per row and side). "
               f"Pinned kernel settings, the same for both sides: "
               + ", ".join(f"{k}={v}" for k, v in env_pins.items()) + ".")
    out.append("")
    out.append(f"- hinge's OpenBLAS: `{hinfo.get('blas', hinfo.get('error'))}`")
    out.append(f"- PyTorch's OpenBLAS: `{tinfo.get('blas', tinfo.get('error'))}`")
    out.append(f"- PyTorch {tinfo.get('torch', '?')}, float32 on both sides; medians of {args.repeats} timed runs "
               f"after one warm-up run (the 0-d tensor graph: 5 runs of one step).")
    out.append("")
    out.append("### Time per training step (forward + backward + optimizer step unless stated)")
    out.append("")
    out.append(md_table(header, main_rows))
    out.append("")
    out.append("### Gradient cost: forward + backward vs forward alone (hinge replay; PyTorch for reference)")
    out.append("")
    out.append(md_table(["#", "workload", "threads", "hinge fwd", "hinge fwd+bwd", "hinge cost",
                         "PyTorch cost", "target", "met"], grad_rows))
    out.append("")
    out.append("### GEMM efficiency: the step's sgemm calls alone vs the whole step")
    out.append("")
    out.append(md_table(["#", "workload", "threads", "sgemm alone", "sgemm GFLOP/s", "hinge step",
                         "hinge at (sgemm/step)", "PyTorch at", "target", "met"], gemm_rows))
    out.append("")
    out.append("### Same model on both sides: initial loss (before any step), loss after the timed runs, node counts")
    out.append("")
    out.append(md_table(["workload", "hinge loss0", "PyTorch loss0", "rel. diff", "check", "hinge loss end",
                         "PyTorch loss end", "hinge nodes", "PyTorch nodes"], check_rows))
    if notes:
        out.append("")
        out.append("Failures: " + "; ".join(notes))
    text = "\n".join(out)
    print(text)
    if not args.no_write and not only:
        write_results(text)


def judge(target, h, hmode, ratio, R, t):
    """(met or None, target text) for a main-table row."""
    if target is None:
        return None, TARGET_TEXT[None]
    if "error" in h:
        return False, target
    if target == "node20":
        ns = median(h, hmode) * 1e3 / h["nodes"]
        return ns <= 20.0, TARGET_TEXT[target]
    if target.startswith("x1+sgemm:"):
        s = R.get(("hinge", target.split(":")[1], t))
        eff = median(s, "sgemm") / median(h, hmode) if s and median(s, "sgemm") else None
        ok = ratio is not None and ratio >= 1.0 and eff is not None and eff >= 0.7
        return ok, f">= 1x and >= 70% of sgemm alone (at {eff:.0%})" if eff else ">= 1x, >= 70% sgemm"
    need = float(target[1:])
    return (ratio is not None and ratio >= need), TARGET_TEXT[target]


def script_workload(args, threads_list, hinge_bench):
    """Workload 5: `hinge tests/bench/fit_curve.hinge` vs the same program in C++, both
    timed as whole processes (start-up, build, training)."""
    exe = None
    for dirpath, _, files in os.walk(args.build):
        if "hinge" in files and os.access(os.path.join(dirpath, "hinge"), os.X_OK) and \
                os.path.isfile(os.path.join(dirpath, "hinge")):
            exe = os.path.join(dirpath, "hinge")
            break
    script = os.path.join(HERE, "fit_curve.hinge")
    if not os.path.exists(script):
        return {"rows": [], "status": "pending: tests/bench/fit_curve.hinge" +
                ("" if exe else " and the interpreter")}
    if exe is None:
        return {"rows": [], "status": "pending: interpreter"}
    # The script states what it trains in a header line: "# bench: n=100 steps=2000 dtype=f32".
    cfg = {"n": "100", "steps": "2000", "dtype": "f32"}
    with open(script) as f:
        for line in f:
            m = re.match(r"#\s*bench:\s*(.*)", line)
            if m:
                cfg.update(dict(kv.split("=", 1) for kv in m.group(1).split()))
    rows = []
    for t in threads_list:
        api = [hinge_bench, "fit_curve_program", str(t), "1", "--n", cfg["n"], "--steps", cfg["steps"],
               "--dtype", cfg["dtype"]]
        res = {}
        interp = [exe, "--dtype", cfg["dtype"], "--threads", str(t), script]
        for name, cmd in (("script", interp), ("api", api)):
            walls, rss, err = [], 0, None
            for k in range(args.repeats + 1):
                rc, _, e, wall, r = run_process(cmd, t)
                if rc != 0:
                    err = e.strip()[-300:] or f"exit status {rc}" + (" (crashed)" if rc < 0 else "")
                    break
                if k > 0:
                    walls.append(wall)
                rss = max(rss, r)
            res[name] = (sorted(walls)[len(walls) // 2] if walls else None, rss, err)
        s, a = res["script"], res["api"]
        if s[2] or a[2]:
            rows.append(["5", "fit_curve script vs C++ API", t, ("script" if s[2] else "API") + " failed: " + (s[2] or a[2]), "-", "-", "-", "-",
                         "<= 1.1x of the API", "**NO**", "-"])
            continue
        over = s[0] / a[0]
        rows.append(["5", f"fit_curve N={cfg['n']}, {cfg['steps']} steps: script vs C++ API (whole process)", t,
                     f"{s[0] * 1e3:.1f} ms (script)", f"{a[0] * 1e3:.1f} ms (C++ API)", f"script/API {over:.2f}x",
                     fmt_mb(s[1]), fmt_mb(a[1]), "script <= 1.1x of the API", yes_no(over <= 1.1), "-"])
        log(f"  script fit_curve threads={t}: {over:.2f}x")
    return {"rows": rows, "status": ""}


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def write_results(text):
    path = os.path.join(HERE, "RESULTS.md")
    kept = ""
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
        if MARKER in old:
            kept = old.split(MARKER, 1)[1]
    body = ("# Benchmark results: hinge vs PyTorch (CPU)\n\n"
            "Written by `tests/bench/run` (see README.md for how to read it); the tables above the marker\n"
            "are the runner's own output, the analysis below it is written by hand.\n\n" + text + "\n\n" + MARKER
            + (kept if kept else "\n\n## Analysis\n\n(not written yet)\n"))
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(body)
    os.replace(tmp, path)
    log(f"wrote {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
