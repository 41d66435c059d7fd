#!/usr/bin/python3
"""Runs every benchmark workload in hinge (hinge_bench) and PyTorch (torch_bench.py),
each measurement in its own process, then prints the tables and writes
tests/bench/RESULTS.md. Called by tests/bench/run, which installs and builds first.

    report.py --build DIR [--repeats N] [--threads 1,2] [--only NAME,...] [--no-write] [--force]

The run is a list of sections (SECTIONS at the end): each measures what it needs and
returns its table. A new section is a function added to that list.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # profiles.py is imported from the source tree: write nothing there
import profiles  # noqa: E402 (after the line above)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PYTHON = "/usr/bin/python3"  # Debian's python, the one python3-torch installs into
MARKER = "<!-- analysis: everything below this line is kept when the runner rewrites the file -->"
LOAD_LIMIT = 1.5  # load average above which RESULTS.md is not written (2 cores)

# Steps per timed run, passed to both sides (equal work), and the timed runs per
# median where a workload needs fewer than --repeats (PyTorch's 0-d graph takes about
# a second a step). Every process also runs max(steps, 3) warm-up calls.
STEPS = {"scalar_mlp": 1, "scalar_mlp_tensors": 20, "fit_curve_10": 100, "fit_curve_100": 100,
         "fit_curve_1000": 20, "mlp": 10, "op_chain": 20}
REPEATS = {"scalar_mlp": 5}
# Whole processes of a few milliseconds (start-up, the interpreter's loop) vary by
# as much with what the VM does beside them, so they run many times (under a
# second in all) for a steady median. An empty program, timed in turn with
# hinge's start-up, shows what any process costs on this machine.
SHORT_PROCESS_RUNS = 41
TRUE = "/bin/true"
HINGE_VARIANTS = ["recorded", "dynamic"]
TORCH_VARIANTS = ["eager", "script"]

# The main table: (workload no., label, workload, family, unit, targets).
#   recorded: hinge's replay against PyTorch's best TorchScript;
#   dynamic:  hinge building the graph every step against PyTorch's best eager;
#   best:     hinge's replay against the best of every PyTorch variant.
# PyTorch's best is the fastest median over its variants of that family and over its
# thread counts up to the row's (README.md, "Reading the tables").
# unit "us": per step; "ns/node" and "us/op" divide by the node / op count.
# Targets: ("ns", x) at most x ns per node; ("x", r) ratio at least r; ("dyn/rec", r)
# hinge's dynamic step at most r times its recorded one; ("sgemm", s) at least s of
# sgemm alone; ("alloc0",) no allocation per replayed step; ("tape",) no target: the
# hand-written tape's time in the same run, and hinge's against it (README.md).
ROWS = [
    ("1", "scalar MLP, 65,075 nodes of 0-d values", "scalar_mlp", "recorded", "ns/node",
     [("ns", 3.0), ("x", 10.0), ("alloc0",)]),
    ("1", "scalar MLP, 65,075 nodes of 0-d values", "scalar_mlp", "dynamic", "ns/node", [("ns", 10.0), ("tape",)]),
    ("1", "scalar MLP as tensors (matmul)", "scalar_mlp_tensors", "best", "us", [("alloc0",)]),
    ("2", "fit_curve N=10, Adam", "fit_curve_10", "recorded", "us", [("x", 10.0), ("alloc0",)]),
    ("2", "fit_curve N=10, Adam", "fit_curve_10", "dynamic", "us", [("x", 20.0), ("dyn/rec", 3.0)]),
    ("2", "fit_curve N=100, Adam", "fit_curve_100", "recorded", "us", [("x", 10.0), ("alloc0",)]),
    ("2", "fit_curve N=100, Adam", "fit_curve_100", "dynamic", "us", [("x", 20.0), ("dyn/rec", 3.0)]),
    ("2", "fit_curve N=1000, Adam", "fit_curve_1000", "best", "us", [("x", 3.0), ("alloc0",)]),
    ("2", "fit_curve N=1000, Adam", "fit_curve_1000", "dynamic", "us", []),
    ("3", "MLP 784-256-256-10, b=128, SGD", "mlp", "best", "us", [("x", 1.1), ("sgemm", 0.9), ("alloc0",)]),
    ("3", "MLP 784-256-256-10, b=128, SGD", "mlp", "dynamic", "us", []),
    ("4", "1,000-op chain, fwd+bwd", "op_chain", "recorded", "us/op", [("x", 20.0), ("alloc0",)]),
    ("4", "1,000-op chain, fwd+bwd", "op_chain", "dynamic", "us/op", [("x", 50.0)]),
]
TORCH_FAMILY = {"recorded": ["script"], "dynamic": ["eager"], "best": ["eager", "script"]}
HINGE_FAMILY = {"recorded": "recorded", "dynamic": "dynamic", "best": "recorded"}
LOSS0_TOL = 1e-5  # relative: the same weights and data, rounded to float32 once
LOSS_END_TOL = 1e-4  # relative: float32 rounding over hundreds of steps (seen: up to 2e-6)
# ... or absolute, as a share of the starting loss. A fit that has fallen 100,000-fold
# (fit_curve N = 100: 1.54 -> 1.1e-5) keeps residuals of about 3e-3 whose float32
# rounding is a few 1e-5 of each, so the two sides' end losses differ by 1e-4 of the
# end loss (seen: 1.8e-4), which is 1.3e-9 of the start, far below float32's step there.
LOSS_END_FLOOR = 1e-8


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


def run_process(cmd, threads, timeout=900, cwd=ROOT, env=None, cpu=None):
    """Runs cmd (killed after `timeout` seconds; on logical CPU `cpu` alone when
    given); returns (rc, stdout, stderr, wall seconds, CPU seconds, peak RSS in KB
    from wait4)."""
    pin = None if cpu is None else (lambda: os.sched_setaffinity(0, {cpu}))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env or child_env(threads), cwd=cwd,
                             preexec_fn=pin)
        killer = threading.Timer(timeout, p.kill)  # nothing hangs the run
        killer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        except BaseException:  # Ctrl-C or SIGTERM: the child goes too
            p.kill()
            p.wait()
            raise
        finally:
            killer.cancel()
        wall = time.perf_counter() - t0
        rc = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return rc, out.read().decode(errors="replace"), err.read().decode(errors="replace"), wall, \
            ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def short(text, n=300):
    """The end of a process's error output, cut short and without control characters."""
    text = "".join(c if c.isprintable() or c == " " else " " for c in text.strip())
    return text[-n:]


def measure(cmd, threads, label, cpu=None):
    t0 = time.time()
    rc, out, err, wall, _, rss = run_process(cmd, threads, cpu=cpu)
    log(f"  {label:44} {time.time() - t0:6.1f} s")
    if rc != 0:
        log(f"    FAILED ({rc}): {short(err)}")
        return {"error": short(err) or f"exit status {rc}"}
    try:
        res = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": "no JSON line: " + short(out)}
    res["rss_wait4_kb"] = rss
    return res


def hinge_cmd(ctx, workload, threads, variant=None, repeats=None):
    cmd = [ctx.hinge_bench, workload, str(threads), str(repeats or ctx.repeats_of(workload))]
    if workload in STEPS:
        cmd += ["--steps", str(STEPS[workload])]
    if variant:
        cmd += ["--variant", variant]
    return cmd


def torch_cmd(ctx, workload, threads, variant=None, repeats=None):
    cmd = [PYTHON, os.path.join(HERE, "torch_bench.py"), workload, str(threads),
           str(repeats or ctx.repeats_of(workload))]
    if workload in STEPS:
        cmd += ["--steps", str(STEPS[workload])]
    if variant:
        cmd += ["--variant", variant]
    return cmd


def wall_stats(seconds):
    """median, min, max of a list of process times, in seconds."""
    return {"median": statistics.median(seconds), "min": min(seconds), "max": max(seconds)}


def time_processes(cmds, threads, runs, cwd=ROOT):
    """Whole-process wall times of each command, `runs` runs each after one warm-up
    run (caches, page cache), the commands taking turns so that a slow spell of the
    machine falls on each: per command (stats in seconds, peak RSS KB, error or None)."""
    walls, rss, errs = [[] for _ in cmds], [0] * len(cmds), [None] * len(cmds)
    for k in range(runs + 1):
        for i, cmd in enumerate(cmds):
            if errs[i]:
                continue
            rc, _, err, wall, _, r = run_process(cmd, threads, cwd=cwd)
            if rc != 0:
                errs[i] = short(err) or f"exit status {rc}" + (" (crashed)" if rc < 0 else "")
            elif k > 0:
                walls[i].append(wall)
            rss[i] = max(rss[i], r)
    return [(None, 0, e) if e else (wall_stats(w), r, None) for w, r, e in zip(walls, rss, errs)]


def time_process(cmd, threads, runs, cwd=ROOT):
    """time_processes of one command."""
    return time_processes([cmd], threads, runs, cwd)[0]


# ---- formatting ----

def fmt_us(us):
    if us is None:
        return "-"
    if us >= 1e6:
        return f"{us / 1e6:.2f} s"
    if us >= 1e4:
        return f"{us / 1e3:.1f} ms"
    if us >= 1e3:
        return f"{us / 1e3:.2f} ms"
    return f"{us:.3g} us" if us < 10 else f"{us:.1f} us"


def fmt_unit(v, unit):
    if v is None:
        return "-"
    if unit == "ns/node":
        return f"{v * 1e3:.1f} ns/node"
    if unit == "us/op":
        return f"{v * 1e3:.1f} ns/op"
    return fmt_us(v)


def fmt_spread(mode, unit, div=1.0):
    """'median [min-max]' of a mode's wall times, per step / node / op."""
    if not mode:
        return "-"
    return (f"{fmt_unit(mode['median_us'] / div, unit)} "
            f"[{fmt_unit(mode['min_us'] / div, unit).split()[0]}-{fmt_unit(mode['max_us'] / div, unit)}]")


def fmt_s(stats):
    if not stats:
        return "-"
    m, lo, hi = stats["median"], stats["min"], stats["max"]
    if m < 1:
        return f"{m * 1e3:.1f} ms [{lo * 1e3:.1f}-{hi * 1e3:.1f}]"
    return f"{m:.2f} s [{lo:.2f}-{hi:.2f}]"


def fmt_mb(kb):
    return "-" if not kb else f"{kb / 1024:.1f} MB"


def md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def yes_no(ok):
    return "-" if ok is None else ("yes" if ok else "**NO**")


def mode(res, name):
    try:
        return res["modes"][name]
    except (KeyError, TypeError):
        return None


def med(res, name):
    m = mode(res, name)
    return m["median_us"] if m else None


def cpu_per_wall(res, name):
    """CPU time of every thread over wall-clock time, as text: "1.93x" means about two
    threads busy for the whole run (spinning counts as busy)."""
    m = mode(res, name)
    if not m or not m.get("median_us") or m.get("cpu_median_us") is None:
        return "-"
    return f"{m['cpu_median_us'] / m['median_us']:.2f}x"


def divisor(res, unit):
    if unit == "ns/node":
        return res.get("nodes") or 1
    if unit == "us/op":
        return res.get("ops") or 1000
    return 1


# ---- the run ----

class Context:
    """What the sections share: the options, the executables, every result."""

    def __init__(self, args):
        self.args = args
        self.repeats = args.repeats
        self.rounds = args.rounds
        self.threads = [int(t) for t in args.threads.split(",")]
        self.only = set(filter(None, args.only.split(",")))
        args.build = os.path.abspath(args.build)
        self.hinge_bench = os.path.join(args.build, "tests", "bench", "hinge_bench")
        self.roofline_exe = os.path.join(args.build, "tests", "bench", "roofline")
        self.hinge = os.path.join(args.build, "lang", "hinge")
        self.parser_scaling = os.path.join(args.build, "tests", "fuzz", "parser_scaling")
        self.R = {}  # (side, workload, variant, threads) -> result
        self.failures = []  # what makes the run fail (NOT SAME, a crashed process)
        self.missed = []  # the rows judged NO, to profile (missed_workload, section_profiles)
        self.roofline = {}

    def wants(self, name):
        return not self.only or name in self.only

    def repeats_of(self, workload):
        return max(5, min(self.repeats, REPEATS.get(workload, self.repeats)))

    def runs_per_round(self, workload):
        """Each process's timed runs: its share of the workload's, rounded up."""
        return -(-self.repeats_of(workload) // self.rounds)

    def get(self, side, workload, variant, threads):
        return self.R.get((side, workload, variant, threads))

    def torch_best(self, workload, variants, threads):
        """(result, variant, threads) of PyTorch's fastest step among the variants
        and the thread counts up to `threads`."""
        best = None
        for v in variants:
            for t in self.threads:
                if t > threads:
                    continue
                r = self.get("torch", workload, v, t)
                if r and med(r, "step") is not None and (best is None or med(r, "step") < med(best[0], "step")):
                    best = (r, v, t)
        return best


def merge_rounds(results):
    """One result from a process's rounds (Method, "Rounds"): every mode's timed runs
    pooled, so the median, min and max are over all of them; the numbers that say
    what was computed (losses, node count) must agree between rounds."""
    for r in results:
        if "error" in r:
            return r
    merged = dict(results[-1])
    merged["modes"] = {}
    for name in results[0].get("modes", {}):
        runs = [x for r in results for x in r["modes"][name]["runs_us"]]
        merged["modes"][name] = dict(results[-1]["modes"][name], runs_us=runs, median_us=statistics.median(runs),
                                     min_us=min(runs), max_us=max(runs),
                                     cpu_median_us=statistics.median(r["modes"][name]["cpu_median_us"]
                                                                     for r in results),
                                     allocs_per_step=max(r["modes"][name].get("allocs_per_step", 0)
                                                         for r in results))
    for key in ("loss0", "loss_end", "grad0", "nodes"):
        values = [r[key] for r in results if r.get(key) is not None]
        # Equal work in every round gives equal numbers, up to the order in which
        # two threads may sum in float32.
        if values and max(values) - min(values) > 1e-6 * max(abs(v) for v in values):
            return {"error": f"the rounds disagree on {key}: {values}"}
    merged["peak_rss_kb"] = max(r.get("peak_rss_kb", 0) for r in results)
    merged["rss_wait4_kb"] = max(r.get("rss_wait4_kb", 0) for r in results)
    return merged


def measure_workloads(ctx):
    """Each workload's processes (both sides, every variant and thread count, and for
    the MLP the sgemm reference) run in turn, ctx.rounds times over, each with its
    share of the timed runs: a slow or fast spell of the machine falls on every side."""
    for w in STEPS:
        if not ctx.wants(w):
            continue
        runs = {}
        per_round = ctx.runs_per_round(w)
        for k in range(ctx.rounds):
            for t in ctx.threads:
                procs = [("hinge", w, v, t, hinge_cmd(ctx, w, t, v, per_round)) for v in HINGE_VARIANTS]
                procs += [("torch", w, v, t, torch_cmd(ctx, w, t, v, per_round)) for v in TORCH_VARIANTS]
                if w == "mlp" and t > 1:  # at 1 thread the MLP's own process times it (sgemm_reference)
                    procs.append(("hinge", "sgemm_mlp", None, t, hinge_cmd(ctx, "sgemm_mlp", t, None, per_round)))
                if w == "scalar_mlp":
                    procs.append(("hinge", w, "tape", t, hinge_cmd(ctx, w, t, "tape", per_round)))
                for side, work, v, th, cmd in procs:
                    label = f"{side} {work} {v or ''} threads={th} round {k + 1}/{ctx.rounds}"
                    runs.setdefault((side, work, v, th), []).append(measure(cmd, th, label))
        for key, results in runs.items():
            ctx.R[key] = merge_rounds(results)
    for key, res in ctx.R.items():
        if "error" in res:
            ctx.failures.append(f"{' '.join(str(k) for k in key if k)}: {res['error']}")


def judge_row(ctx, targets, h, hinge_val, unit, ratio, workload, threads):
    """(met or None, target text)."""
    if not targets:
        return None, "(info)"
    oks, texts = [], []
    for tg in targets:
        kind = tg[0]
        if kind == "ns":
            texts.append(f"<= {tg[1]:g} ns/node")
            oks.append(hinge_val is not None and hinge_val * 1e3 <= tg[1])
        elif kind == "x":
            texts.append(f">= {tg[1]:g}x")
            oks.append(ratio is not None and ratio >= tg[1])
        elif kind == "dyn/rec":
            rec = med(ctx.get("hinge", workload, "recorded", threads), "step")
            dyn = med(h, "step")
            q = dyn / rec if dyn and rec else None
            texts.append(f"dynamic <= {tg[1]:g}x recorded" + (f" (at {q:.2f}x)" if q else ""))
            oks.append(q is not None and q <= tg[1])
        elif kind == "sgemm":
            ref = sgemm_reference(ctx, threads)
            eff = ref["share"] if ref else None
            texts.append(f">= {tg[1]:.0%} of sgemm alone" + (f" (at {eff:.0%})" if eff else ""))
            oks.append(eff is not None and eff >= tg[1])
        elif kind == "alloc0":
            a = (mode(h, "step") or {}).get("allocs_per_step")
            texts.append("0 allocs/step")
            oks.append(a == 0)
        elif kind == "tape":  # beside the targets, not one of them
            tape = ctx.get("hinge", workload, "tape", threads)
            tv = med(tape, "step") / divisor(tape, "ns/node") if med(tape, "step") else None
            if tv and hinge_val:
                texts.append(f"(hand-written tape: {fmt_unit(tv, 'ns/node')}, hinge at {hinge_val / tv:.2f}x)")
    return all(oks), "; ".join(texts)


def section_main(ctx):
    measure_workloads(ctx)
    rows = []
    for num, label, w, family, unit, targets in ROWS:
        for t in ctx.threads:
            h = ctx.get("hinge", w, HINGE_FAMILY[family], t)
            best = ctx.torch_best(w, TORCH_FAMILY[family], t)
            eager = ctx.get("torch", w, "eager", t)
            if h is None:
                continue
            hm, div = mode(h, "step"), divisor(h, unit)
            hv = hm["median_us"] / div if hm else None
            pv, ptext = None, "-"
            if best:
                p, pvar, pt = best
                pv = med(p, "step") / divisor(p, unit)
                ptext = f"{fmt_spread(mode(p, 'step'), unit, divisor(p, unit))} ({pvar}, {pt}t)"
            ratio = pv / hv if pv and hv else None
            ok, ttext = judge_row(ctx, targets, h, hv, unit, ratio, w, t)
            if ok is False and hm:
                ctx.missed.append(missed_workload(ctx, f"{num} {label}, {family}", w, HINGE_FAMILY[family], t,
                                                  hm["median_us"], h.get("nodes") if unit == "ns/node" else None))
            prss = best[0].get("peak_rss_kb") if best else None
            mem_ok = h.get("peak_rss_kb", 0) <= prss if prss and "peak_rss_kb" in h else None
            allocs = (hm or {}).get("allocs_per_step")
            rows.append([num, label, family, t, fmt_spread(hm, unit, div), ptext,
                         fmt_spread(mode(eager, "step"), unit, divisor(eager, unit)) if eager else "-",
                         f"{ratio:.2f}x" if ratio else "-", "-" if allocs is None else f"{allocs:g}",
                         fmt_mb(h.get("peak_rss_kb")), fmt_mb(prss), ttext, yes_no(ok), yes_no(mem_ok)])
    if not rows:
        return None
    header = ["#", "workload", "family", "threads", "hinge median [min-max]",
              "PyTorch compared: median [min-max] (variant, threads)", "PyTorch eager at these threads",
              "ratio (torch/hinge)", "hinge allocs/step", "hinge peak RSS", "PyTorch peak RSS", "target", "met",
              "mem <= torch"]
    return ("Time per training step (forward + backward + optimizer step; the op chain: forward + backward)",
            md_table(header, rows))


def section_grad_cost(ctx):
    rows = []
    for w in STEPS:
        for t in ctx.threads:
            for v in HINGE_VARIANTS:
                h = ctx.get("hinge", w, v, t)
                if not h or "modes" not in h:
                    continue
                f, fb = med(h, "fwd"), med(h, "fwdbwd")
                cost = fb / f if f and fb else None
                refs = []
                for tv in TORCH_VARIANTS:
                    p = ctx.get("torch", w, tv, t)
                    if p and med(p, "fwd") and med(p, "fwdbwd"):
                        refs.append(f"{tv} {med(p, 'fwdbwd') / med(p, 'fwd'):.2f}x")
                rows.append([w, v, t, fmt_us(f), fmt_us(fb), f"{cost:.2f}x" if cost else "-", ", ".join(refs) or "-",
                             "<= 3x", yes_no(cost <= 3.0 if cost else None)])
                if cost and cost > 3.0:  # both halves of the ratio get a profile
                    for m, us, what in (("fwd", f, "forward alone"), ("fwdbwd", fb, "forward + backward")):
                        ctx.missed.append(missed_workload(ctx, f"gradient cost of {w}, {v}: {what}", w, v, t, us,
                                                          None, m))
    if not rows:
        return None
    return ("Gradient cost: forward + backward against forward alone (hinge: recorded replays, dynamic builds "
            "the graph; PyTorch's forward without recording, for reference)",
            md_table(["workload", "hinge variant", "threads", "fwd", "fwd+bwd", "hinge cost", "PyTorch cost",
                      "target", "met"], rows))


def section_roofline(ctx):
    if not ctx.wants("roofline") and ctx.only and not (ctx.only & set(STEPS)):
        return None
    res = measure([ctx.roofline_exe, str(ctx.repeats)], 1, "roofline probe")
    if "error" in res:
        ctx.failures.append(f"roofline: {res['error']}")
        return ("Roofline", f"the probe failed: {res['error']}")
    ctx.roofline = res
    def avx2(t):  # the ceiling of the AVX2 kernels both sides' OpenBLAS runs, when wider FMAs exist
        v = res.get(f"fma_avx2_gflops_{t}t")
        return f" (AVX2: {v:.0f})" if v else ""
    lines = [f"Measured in this run (the widest FMA this CPU runs: {res.get('fma_set', '?')}): " + "; ".join(
        f"{t} thread{'s' if t > 1 else ''}: FMA peak {res.get(f'fma_gflops_{t}t', 0):.0f} GFLOP/s{avx2(t)}, memory "
        f"{res.get(f'mem_gbs_{t}t', 0):.1f} GB/s, cache {res.get(f'cache_gbs_{t}t', 0):.0f} GB/s"
        for t in ctx.threads if f"fma_gflops_{t}t" in res) + ".", ""]
    rows = []
    for w in STEPS:
        for t in ctx.threads:
            h = ctx.get("hinge", w, "recorded", t)
            if not h or not h.get("flops") or not med(h, "step"):
                continue
            s = med(h, "step") * 1e-6
            gf, gb = h["flops"] / s * 1e-9, h["bytes"] / s * 1e-9
            peak, mem, cache = (res.get(f"{k}_{t}t") for k in ("fma_gflops", "mem_gbs", "cache_gbs"))
            rows.append([w, t, fmt_us(med(h, "step")), f"{h['flops'] / 1e6:.3g}", f"{h['bytes'] / 1e6:.3g}",
                         f"{gf:.1f} ({gf / peak:.0%} of peak)" if peak else f"{gf:.1f}",
                         f"{gb:.1f} ({gb / mem:.0%} of memory, {gb / cache:.0%} of cache)" if mem and cache
                         else f"{gb:.1f}"])
    lines.append(md_table(["workload (recorded)", "threads", "hinge step", "MFLOP/step", "MB/step",
                           "GFLOP/s", "GB/s"], rows))
    return ("Roofline: achieved against this machine's FMA peak and bandwidth (the work counts: README.md)",
            "\n".join(lines))


def sgemm_reference(ctx, threads):
    """The MLP's step against its GEMMs alone at `threads`: from the MLP's recorded
    process when the reference took turns with the step there (1 thread), else from
    the reference's own process (Note [The sgemm reference beside the step] in
    hinge_bench.cpp). None when either is missing."""
    h = ctx.get("hinge", "mlp", "recorded", threads)
    if h and med(h, "sgemm"):
        s, flops, where = h, h.get("sgemm_flops"), "one process"
    else:
        s = ctx.get("hinge", "sgemm_mlp", None, threads)
        flops, where = (s or {}).get("flops"), "two processes"
    if not h or not s or not med(s, "sgemm") or not med(h, "step"):
        return None
    su, hs = med(s, "sgemm"), med(h, "step")
    return {"h": h, "s": s, "sgemm_us": su, "step_us": hs, "share": su / hs, "flops": flops, "where": where}


def section_sgemm(ctx):
    rows = []
    for t in ctx.threads:
        ref = sgemm_reference(ctx, t)
        if not ref:
            continue
        su, hs = ref["sgemm_us"], ref["step_us"]
        best = ctx.torch_best("mlp", TORCH_VARIANTS, t)
        ps = med(best[0], "step") if best else None
        rows.append(["MLP 784-256-256-10", t, ref["where"], fmt_us(su), f"{ref['flops'] / su * 1e-3:.1f}",
                     fmt_us(hs), f"{ref['share']:.0%}", f"{su / ps:.0%}" if ps else "-",
                     cpu_per_wall(ref["s"], "sgemm"), cpu_per_wall(ref["h"], "step"), ">= 90%",
                     yes_no(ref["share"] >= 0.9)])
    if not rows:
        return None
    return ("GEMM efficiency (the MLP, where GEMM is the work): the step's sgemm calls alone (each one call, "
            "OpenBLAS's own threads splitting it) against the step, timed taking turns in one process at 1 "
            "thread and in two processes at 2 (hinge_bench.cpp, Note [The sgemm reference beside the step]); "
            "CPU / wall: the CPU time of all threads over the wall-clock time (a thread spinning while it "
            "waits counts as busy)",
            md_table(["workload", "threads", "timed in", "sgemm alone", "sgemm GFLOP/s", "hinge step", "hinge at",
                      "PyTorch's best at", "sgemm alone CPU / wall", "hinge step CPU / wall", "target", "met"],
                     rows))


def section_interpreter(ctx):
    """What a script and a REPL user pay: the script against the C++ API, the loop's
    cost per op, start-up, the eleven experiments, the parser's scaling, a clean build."""
    parts = ("startup", "loop", "script", "experiments", "parser", "build")
    if not any(ctx.wants(p) for p in parts):
        return None
    rows, extra = [], []
    runs = max(5, ctx.repeats)
    hinge_ok = os.access(ctx.hinge, os.X_OK)
    if not hinge_ok:
        return ("The interpreter", "pending: the interpreter did not build")
    if ctx.wants("startup"):
        (startup, _, err), (floor, _, ferr) = time_processes([[ctx.hinge, "-e", "1"], [TRUE]], 1, SHORT_PROCESS_RUNS)
        if err:
            ctx.failures.append(f"start-up: {err}")
        pt, prss, perr = time_process([PYTHON, "-c", "import torch"], 1, runs)
        ok = startup["median"] <= 0.005 if startup else None
        rows.append([f"start-up: `hinge -e '1'` vs `python3 -c 'import torch'` (this machine's floor, `{TRUE}` "
                     f"taking turns with hinge: {fmt_s(floor) if floor else ferr})", fmt_s(startup),
                     fmt_s(pt) if pt else perr, f"{pt['median'] / startup['median']:.1f}x" if pt and startup else "-",
                     "<= 5 ms", yes_no(ok)])
        log(f"  start-up {fmt_s(startup)}, {TRUE} {fmt_s(floor)}")
    if ctx.wants("loop"):
        script = os.path.join(HERE, "loop.hinge")
        ops = int(re.search(r"#\s*bench:\s*ops=(\d+)", open(script).read()).group(1))
        # The start-up subtracted is timed taking turns with the loop, so that both
        # medians come from the same spells of the machine (it moves by tens of
        # percent within seconds).
        loop_cmd = [ctx.hinge, "--dtype", "f32", script]
        (lt, _, err), (st, _, serr) = time_processes([loop_cmd, [ctx.hinge, "--dtype", "f32", "-e", "1"]], 1,
                                                     SHORT_PROCESS_RUNS)
        p = measure(torch_cmd(ctx, "loop", 1, repeats=runs), 1, "torch loop")
        if err or serr or "error" in p:
            ctx.failures.append(f"loop: {err or serr or p['error']}")
        else:
            per_op = (lt["median"] - st["median"]) / ops * 1e9
            tor = med(p, "torch") / p["ops"] * 1e3
            flo = med(p, "floats") / p["ops"] * 1e3
            rows.append([f"`for` loop building a {ops:,}-node scalar graph + its gradient, per op "
                         f"(whole process {fmt_s(lt)} minus start-up {fmt_s(st)}, taking turns)",
                         f"{per_op:.0f} ns/op", f"{tor:.0f} ns/op (0-d tensors); {flo:.0f} ns/op (floats, no graph)",
                         f"{tor / per_op:.1f}x" if per_op > 0 else "-", "<= 100 ns/op", yes_no(per_op <= 100)])
            if per_op > 100:
                ctx.missed.append(missed_row("the interpreter's loop (the whole process, start-up included)",
                                             loop_cmd, 1))
    if ctx.wants("script"):
        rows += script_vs_api(ctx)
    if ctx.wants("experiments"):
        exp_rows, total = experiments(ctx)
        rows.append(["all eleven experiments end to end (`examples/run NAME`, the interpreter's part)",
                     f"{total:.2f} s" if total is not None else "failed", "-", "-", "(info)", "-"])
        extra.append(("The experiments, one by one (median of 3 runs after a warm-up)",
                      md_table(["experiment", "time"], exp_rows)))
    if ctx.wants("parser"):
        extra.append(parser_scaling(ctx, rows))
    if ctx.wants("build"):
        rows.append(clean_build(ctx))
    text = md_table(["workload", "hinge", "Python / PyTorch", "ratio", "target", "met"], rows)
    for title, table in extra:
        text += f"\n\n#### {title}\n\n{table}"
    return ("The interpreter: what a script and a REPL user pay (whole processes, wall clock)", text)


def script_vs_api(ctx):
    """Workload 5: `hinge tests/bench/fit_curve.hinge` vs the same program in C++ through
    the API, both timed as whole processes (start-up, build, training)."""
    script = os.path.join(HERE, "fit_curve.hinge")
    cfg = {"n": "100", "steps": "2000", "dtype": "f32"}
    with open(script) as f:
        for line in f:
            m = re.match(r"#\s*bench:\s*(.*)", line)
            if m:
                cfg.update(dict(kv.split("=", 1) for kv in m.group(1).split()))
    rows = []
    for t in ctx.threads:
        api = [ctx.hinge_bench, "fit_curve_program", str(t), "1", "--n", cfg["n"], "--steps", cfg["steps"],
               "--dtype", cfg["dtype"]]
        interp = [ctx.hinge, "--dtype", cfg["dtype"], "--threads", str(t), script]
        s, _, serr = time_process(interp, t, max(5, ctx.repeats))
        a, _, aerr = time_process(api, t, max(5, ctx.repeats))
        if serr or aerr:
            ctx.failures.append(f"script vs API: {serr or aerr}")
            rows.append([f"5: fit_curve script vs C++ API, {t} threads", "failed: " + (serr or aerr), "-", "-",
                         "<= 1.05x", "**NO**"])
            continue
        over = s["median"] / a["median"]
        rows.append([f"5: fit_curve N={cfg['n']}, {cfg['steps']} steps, {t} thread{'s' if t > 1 else ''}: "
                     f"script vs the C++ API ({fmt_s(a)})", fmt_s(s), "-", f"script/API {over:.2f}x",
                     "<= 1.05x", yes_no(over <= 1.05)])
        log(f"  script fit_curve threads={t}: {over:.2f}x")
    return rows


def experiments(ctx):
    """Each examples/NAME.hinge as examples/run runs it (the same command and
    arguments), in a scratch directory so that its plots do not land in examples/."""
    rows, total = [], 0.0
    names = sorted(f[:-6] for f in os.listdir(os.path.join(ROOT, "examples")) if f.endswith(".hinge"))
    with tempfile.TemporaryDirectory(prefix="hinge-bench-") as scratch:
        for name in names:
            st, _, err = time_process([ctx.hinge, os.path.join(ROOT, "examples", name + ".hinge")], 1, 3, cwd=scratch)
            if err:
                ctx.failures.append(f"experiment {name}: {err}")
                rows.append([name, "failed: " + err])
                total = None
                continue
            rows.append([name, fmt_s(st)])
            if total is not None:
                total += st["median"]
    log(f"  experiments: {len(names)}, total {total if total is None else round(total, 2)} s")
    if len(names) != 11:
        rows.append(["(count)", f"{len(names)} experiments found, 11 expected"])
    return rows, total


def parser_scaling(ctx, rows):
    """The parser's time grows linearly (tests/fuzz/parser_scaling.cpp): parsing 8
    times the input must take under 32 times as long, for each family of inputs."""
    if not os.access(ctx.parser_scaling, os.X_OK):
        rows.append(["parse time grows linearly", "not built", "-", "-", "< 32x for 8x input", "-"])
        return ("Parser scaling", "not built")
    rc, out, err, _, _, _ = run_process([ctx.parser_scaling], 1)
    worst = max((float(x) for x in re.findall(r" x([0-9.]+)", out)), default=None)
    rows.append(["parse time grows linearly: 15 input families, 8 times the input",
                 f"worst x{worst:.1f}" if worst else short(err), "-", "-", "< 32x (quadratic: 64x)",
                 yes_no(rc == 0)])
    log(f"  parser scaling: worst x{worst}")
    return ("Parser scaling (time for 8 times the input / time for the input)",
            "```\n" + "\n".join(short(line, 200) for line in out.splitlines()[:40]) + "\n```")


def clean_build(ctx):
    """The newcomer's first wait: configure a fresh build tree, then time building the
    `hinge` target with 2 jobs, without a compiler cache."""
    with tempfile.TemporaryDirectory(prefix="hinge-build-") as tree:
        env = dict(os.environ, CCACHE_DISABLE="1")
        rc, out, err, _, _, _ = run_process(["cmake", "-S", ROOT, "-B", tree, "-G", "Ninja",
                                             "-DCMAKE_BUILD_TYPE=Release"], 2, env=env)
        if rc == 0:
            rc, out, err, wall, cpu, _ = run_process(["cmake", "--build", tree, "-j", "2", "--target", "hinge"],
                                                     2, timeout=1800, env=env)
        if rc != 0:
            # Ninja writes a compiler's error to standard output, not to its error output:
            # its first "error:" line says what failed.
            errors = [line for line in out.splitlines() if "error:" in line]
            why = short(err) or short(errors[0] if errors else out)
            ctx.failures.append(f"clean build: {why}")
            return ["clean build of `hinge`, 2 jobs", "failed: " + why, "-", "-", "<= 90 s", "**NO**"]
    log(f"  clean build of hinge: {wall:.1f} s (CPU {cpu:.0f} s)")
    return ["clean build of `hinge`, 2 jobs, no compiler cache", f"{wall:.1f} s (CPU {cpu:.0f} s)", "-", "-",
            "<= 90 s", yes_no(wall <= 90)]


def missed_row(label, cmd, threads, window=False, per_node=None):
    """A row judged NO, for section_profiles: the process to profile (with `window`,
    hinge_bench sampling its timed runs alone) and, for a row measured per node,
    (workload, variant, node count) for callgrind's count."""
    return {"label": label, "cmd": cmd, "threads": threads, "window": window, "per_node": per_node}


def missed_workload(ctx, label, workload, variant, threads, step_us, nodes, mode_name="step"):
    """A missed row to profile: hinge_bench timing that row's mode (the training step,
    or fwd / fwdbwd for a gradient cost) alone, with enough runs for about
    profiles.PROFILE_SECONDS of it, its timed runs alone sampled; per node too when
    `nodes` is given."""
    per_run = step_us * STEPS[workload] * 1e-6
    runs = max(5, min(2000, int(profiles.PROFILE_SECONDS / per_run) + 1))
    return missed_row(f"{label}, {threads} thread{'s' if threads > 1 else ''}",
                      hinge_cmd(ctx, workload, threads, variant, runs) + ["--mode", mode_name], threads,
                      window=True, per_node=(workload, variant, nodes) if nodes else None)


def run_for_profile(cmd, threads, timeout, extra_env):
    """profiles.py's way to run a tool: run_process with the row's thread settings."""
    env = child_env(threads)
    env.update(extra_env or {})
    rc, out, err, _, _, _ = run_process(cmd, threads, timeout=timeout, env=env)
    return rc, out, err


def section_profiles(ctx):
    """Where each missed row's time goes, from this run (profiles.py; README.md)."""
    if not ctx.missed:
        return None
    def table_or_why(header, rows, why):
        return " " + why if why else "\n\n" + md_table(header, rows)
    parts, counted = [], {}
    for m in ctx.missed:
        log(f"  profile: {m['label']}")
        parts.append(f"#### {m['label']}\n")
        rows, why = profiles.perf_rows(run_for_profile, m["cmd"], m["threads"], m["window"])
        what = "the timed steps alone" if m["window"] else "the whole process"
        parts.append(f"perf, {what} (cpu-clock at {profiles.SAMPLE_HZ} Hz, every thread; functions above "
                     f"{profiles.PERCENT_LIMIT:g}%):" + table_or_why(["share of samples", "function (self)", "in"],
                                                                     rows, why))
        if m["per_node"]:
            # The same code at any thread count: counted once per workload and variant.
            if m["per_node"] not in counted:
                counted[m["per_node"]] = profiles.per_node_rows(run_for_profile, ctx.hinge_bench, *m["per_node"])
            rows, why = counted[m["per_node"]]
            parts.append("\ncallgrind, instructions per node and step by function (the same on any host; "
                         f"functions above {profiles.PER_NODE_LIMIT:g}):" + table_or_why(
                             ["instructions", "function (self)"], rows, why))
        parts.append("")
    return ("Profiles of the missed rows (taken after the timings, in the same run)", "\n".join(parts).rstrip())


def section_check(ctx):
    """Both sides computed the same thing: the loss before any step, and after the same
    steps, agree within float32 rounding for every process of a workload."""
    rows = []
    for w in STEPS:
        results = [(k, r) for k, r in ctx.R.items() if k[1] == w and "loss0" in r and "loss_end" in r]
        if not results:
            continue
        ref = ctx.get("hinge", w, "recorded", ctx.threads[0]) or results[0][1]
        worst0 = max(abs(r["loss0"] - ref["loss0"]) / max(abs(ref["loss0"]), 1e-30) for _, r in results)
        end_scale = max(abs(ref["loss_end"]), LOSS_END_FLOOR / LOSS_END_TOL * abs(ref["loss0"]), 1e-30)
        worst_end = max(abs(r["loss_end"] - ref["loss_end"]) / end_scale for _, r in results)
        if "grad0" in ref:  # no optimizer (the op chain): its gradient is checked instead
            worst_end = max([worst_end] + [abs(r.get("grad0", 0) - ref["grad0"]) / max(abs(ref["grad0"]), 1e-30)
                                           for _, r in results])
        same = worst0 <= LOSS0_TOL and worst_end <= LOSS_END_TOL
        if not same:
            ctx.failures.append(f"{w}: NOT SAME (loss0 differs by {worst0:.1e}, loss_end by {worst_end:.1e})")
        ends = {}
        for (side, _, v, t), r in results:
            ends.setdefault(f"{side} {v}", []).append(f"{r['loss_end']:.7g}")
        steps = ref.get("steps", STEPS[w])
        rep = ctx.runs_per_round(w)  # each process's, every round the same work
        rows.append([w, f"{max(steps, 3) + rep * steps}", f"{ref['loss0']:.7g}", f"{worst0:.1e}",
                     "; ".join(f"{k}: {', '.join(sorted(set(v)))}" for k, v in sorted(ends.items())),
                     f"{worst_end:.1e}", "same" if same else "**NOT SAME**"])
    if not rows:
        return None
    return ("Same work on both sides: the loss before any step and after the same number of optimizer steps "
            f"(every process, every variant and thread count; tolerance {LOSS0_TOL:g} / {LOSS_END_TOL:g} relative, "
            f"the end's at least {LOSS_END_FLOOR:g} of loss0)",
            md_table(["workload", "steps taken", "loss0", "worst rel. diff", "loss at the end",
                      "worst rel. diff (the op chain: and its gradient)",
                      "check"], rows))


# The run, in order. Each section measures what it needs and returns (title, markdown)
# or None; a new table (another build's figures, say) is one more function here.
SECTIONS = [section_main, section_grad_cost, section_roofline, section_sgemm, section_check,
            section_interpreter, section_profiles]


def vcpu_speeds(ctx):
    """{cpu: {variant: median us}}: the scalar MLP's step built anew by hinge and on
    the hand-written tape, one process pinned to each logical CPU. On a virtual
    machine one vCPU can run slower than the other for minutes (the host's other
    load on its core), and a process's time then depends on where it ran: the
    header shows it, before and after the run (README.md, "Reading the tables")."""
    speeds = {}
    for cpu in sorted(os.sched_getaffinity(0)):
        for variant in ("dynamic", "tape"):
            cmd = hinge_cmd(ctx, "scalar_mlp", 1, variant, 3) + ["--mode", "step"]
            res = measure(cmd, 1, f"hinge scalar_mlp {variant} on CPU {cpu}", cpu=cpu)
            if "error" not in res:
                speeds.setdefault(cpu, {})[variant] = res["modes"]["step"]["median_us"]
    return speeds


def vcpu_line(before, after):
    """The header's account of vcpu_speeds before and after the run."""
    def us(d, cpu, variant):
        v = d.get(cpu, {}).get(variant)
        return "-" if v is None else f"{v:.0f}"
    parts = [f"CPU {cpu}: {us(before, cpu, 'dynamic')} / {us(after, cpu, 'dynamic')} us "
             f"(tape {us(before, cpu, 'tape')} / {us(after, cpu, 'tape')})" for cpu in sorted(set(before) | set(after))]
    return ("vCPU speeds (the scalar MLP's step, hinge building its graph anew and the hand-written tape, one "
            "process pinned to each logical CPU, before / after the run): " + "; ".join(parts) + ".")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def wait_for_quiet(limit_s):
    """The 1-minute load average, after waiting up to limit_s for it to fall below
    LOAD_LIMIT (the build just before the run raises it)."""
    waited = 0
    while os.getloadavg()[0] > LOAD_LIMIT and waited < limit_s:
        if waited == 0:
            log(f"bench: load average {os.getloadavg()[0]:.2f}; waiting up to {limit_s} s for it to fall "
                f"below {LOAD_LIMIT}")
        time.sleep(10)
        waited += 10
    return os.getloadavg()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=2, help="turns each workload's processes take (their runs pooled)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--only", default="", help="workloads or parts: " + ",".join(
        list(STEPS) + ["roofline", "startup", "loop", "script", "experiments", "parser", "build"]))
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--force", action="store_true", help="write RESULTS.md even on a busy machine (marked)")
    ap.add_argument("--wait", type=int, default=180, help="seconds to wait for the load to fall")
    args = ap.parse_args()
    # SIGTERM unwinds like Ctrl-C: the running child is killed and the scratch
    # directories (the clean build's tree) are removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.repeats < 5:
        sys.exit("report.py: at least 5 timed runs per median")
    if not 1 <= args.rounds <= args.repeats:
        sys.exit("report.py: --rounds must be between 1 and --repeats")
    ctx = Context(args)
    writing = not args.no_write and not ctx.only
    load_before = wait_for_quiet(args.wait if writing else 0)
    busy = load_before > LOAD_LIMIT
    if busy:
        log(f"bench: load average {load_before:.2f} on {os.cpu_count()} cores (limit {LOAD_LIMIT}): other work is "
            "running and the timings will be noisy" + ("; RESULTS.md will not be written (--force writes it, "
                                                       "marked)" if writing and not args.force else ""))
    started = time.time()
    probing = ctx.wants("scalar_mlp")
    speeds_before = vcpu_speeds(ctx) if probing else {}
    sections = []
    for section in SECTIONS:
        out = section(ctx)
        if out:
            sections.append(out)
    speeds_after = vcpu_speeds(ctx) if probing else {}
    load_after = os.getloadavg()[0]

    env_pins = {k: os.environ.get(k, "(unset)") for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    tinfo = measure(torch_cmd(ctx, "info", 1, repeats=5), 1, "torch info")
    hinfo = measure([ctx.hinge_bench, "info", "1", "1"], 1, "hinge info")
    out = []
    out.append(f"Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}; "
               f"CPU: {cpu_model()} ({os.cpu_count()} logical cores); run took {time.time() - started:.0f} s; "
               f"load average before {load_before:.2f}, after {load_after:.2f}.")
    if busy:
        out.append("")
        out.append(f"**Taken on a busy machine (load average {load_before:.2f} > {LOAD_LIMIT} before the run): "
                   "the timings are noisy.**")
    if probing:
        out.append("")
        out.append(vcpu_line(speeds_before, speeds_after))
    out.append("")
    out.append("Threads: OMP_WAIT_POLICY=PASSIVE; OPENBLAS_NUM_THREADS = OMP_NUM_THREADS = torch.set_num_threads = "
               f"hinge's set_threads = {', '.join(map(str, ctx.threads))} (one process per row, side and "
               "variant; hinge cuts its products over threads of its own, each calling OpenBLAS on one thread). "
               "Kernel settings, the same for both sides: "
               + ", ".join(f"{k}={v}" for k, v in env_pins.items()) + ".")
    out.append("")
    out.append(f"- hinge's OpenBLAS: `{hinfo.get('blas', hinfo.get('error'))}`")
    out.append(f"- PyTorch's OpenBLAS: `{tinfo.get('blas', tinfo.get('error'))}`")
    pooled = {w: ctx.rounds * ctx.runs_per_round(w) for w in STEPS}
    out.append(f"- PyTorch {tinfo.get('torch', '?')}, float32 on both sides; wall-clock medians of "
               f"{pooled['mlp']} timed runs ({pooled['scalar_mlp']} for the scalar MLP), pooled over {ctx.rounds} "
               "rounds in which every process of a workload takes its turn, each after max(K, 3) warm-up calls, "
               "with [min-max]; steps per run K: "
               + ", ".join(f"{w} {k}" for w, k in STEPS.items()) + ".")
    for title, body in sections:
        out += ["", f"### {title}", "", body]
    if ctx.failures:
        out += ["", "**Failures:** " + "; ".join(ctx.failures)]
    text = "\n".join(out)
    print(text)
    status = 1 if ctx.failures else 0
    if writing:
        if busy and not args.force:
            log(f"bench: RESULTS.md not written: the load average was {load_before:.2f} before the run "
                f"(limit {LOAD_LIMIT}); run again on a quiet machine, or pass --force")
            status = status or 2
        else:
            write_results(text)
    if ctx.failures:
        log("bench: FAILED: " + "; ".join(ctx.failures))
    sys.exit(status)


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
    if os.path.lexists(path) and (os.path.islink(path) or not os.path.isfile(path)):
        sys.exit(f"report.py: {path} is not a regular file; not replaced")
    # An exclusive temporary with an unpredictable name, the old file's mode kept.
    fd, tmp = tempfile.mkstemp(prefix=".RESULTS.", suffix=".tmp", dir=HERE)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(body)
        if os.path.exists(path):
            shutil.copymode(path, tmp)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    log(f"wrote {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
