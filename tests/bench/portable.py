"""Portable vs native: the hinge_bench workloads timed in a portable build (baseline
x86-64, kernels picked at run time: HINGE_CPU unset, and forced to baseline) and in
a -march=native build, 1 thread. Each (build, workload) is run ROUNDS times,
interleaved, and the best median kept: the machine is shared and noise only adds.
Prints a markdown table; with --write, puts it in RESULTS.md between the
portable-vs-native markers (replacing the previous one).
  python3 portable.py --portable DIR --native DIR [--rounds 5] [--repeats 7] [--write]
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# (workload, mode, label)
ROWS = [
    ("scalar_mlp", "step", "scalar MLP (scalar program)"),
    ("fit_curve_10", "step", "fit_curve N=10, Adam"),
    ("fit_curve_100", "step", "fit_curve N=100, Adam"),
    ("fit_curve_1000", "step", "fit_curve N=1000, Adam"),
    ("mlp", "step", "MLP 784-256-256-10, SGD"),
    ("op_chain", "fwdbwd", "1,000-op chain fwd+bwd"),
]
BEGIN, END = "<!-- portable-vs-native -->", "<!-- /portable-vs-native -->"


def best_kernels():
    """The set the portable build picks here (engine/src/platform.cpp's test, from /proc/cpuinfo)."""
    flags = set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    if {"avx2", "fma", "bmi2"} <= flags:
        if {"avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512cd"} <= flags:
            return "avx512"
        return "avx2"
    return "baseline"


def run(exe, workload, repeats, cpu):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    env.pop("HINGE_CPU", None)
    if cpu:
        env["HINGE_CPU"] = cpu
    out = subprocess.run([exe, workload, "1", str(repeats)], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--portable", required=True)
    ap.add_argument("--native", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args()
    exe = lambda build: os.path.join(build, "tests", "bench", "hinge_bench")
    kernels = best_kernels()
    columns = [("native", exe(a.native), None), ("portable", exe(a.portable), None),
               ("portable, baseline", exe(a.portable), "baseline")]
    best = {}
    for r in range(a.rounds):
        for workload, mode, _ in ROWS:
            for name, path, cpu in columns:
                t = run(path, workload, a.repeats, cpu)["modes"][mode]["median_us"]
                key = (name, workload)
                best[key] = min(best.get(key, t), t)
        print(f"portable: round {r + 1} of {a.rounds} done", file=sys.stderr, flush=True)
    lines = [f"Portable build (kernels chosen at run time: {kernels}) against -march=native, 1 thread, "
             f"best of {a.rounds} rounds of the median of {a.repeats} runs (`tests/bench/portable`).", "",
             "| workload | native | portable | portable / native | within 10% | portable, HINGE_CPU=baseline |",
             "|---|---|---|---|---|---|"]
    for workload, mode, label in ROWS:
        n, p, b = (best[(c, workload)] for c in ("native", "portable", "portable, baseline"))
        ratio = p / n
        lines.append(f"| {label} ({mode}) | {n:.1f} us | {p:.1f} us | {ratio:.2f} | "
                     f"{'yes' if ratio <= 1.10 else 'no'} | {b:.1f} us ({b / n:.2f}) |")
    table = "\n".join(lines)
    print(table)
    if a.write:
        path = os.path.join(HERE, "RESULTS.md")
        text = open(path).read()
        block = f"{BEGIN}\n### Portable vs native build\n\n{table}\n{END}"
        if BEGIN in text and END in text:
            text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)


if __name__ == "__main__":
    main()
