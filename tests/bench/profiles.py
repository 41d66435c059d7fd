"""The profile of each row that missed its target, taken in the same run as the table
(report.py's last section; README.md, "Profiles of the missed rows"):

- where the time goes: `perf record` (the cpu-clock event, which a VM without
  hardware counters has too), sampling the timed steps alone: hinge_bench turns
  sampling on and off through perf's control FIFOs (HINGE_BENCH_PERF_CONTROL);
- for a row measured per node, what each node costs in instructions, by function:
  callgrind, which counts the same on any host, run for two repeat counts so that
  everything but the extra steps cancels; beside it the hand-written tape's count.

A tool that is missing or refused (perf_event_paranoid) gives a line saying so, and
the run goes on: a profile explains a row, it never judges one.
"""
import os
import re
import shutil
import subprocess
import tempfile

SAMPLE_HZ = 4999  # odd, so that sampling does not beat with a periodic timer
PROFILE_SECONDS = 0.5  # of timed steps per profile: some 2,500 samples per thread
PERCENT_LIMIT = 1.5  # perf rows below this share are left out
PER_NODE_LIMIT = 0.5  # instructions per node below which a function is left out
SYMBOL_CHARS = 90


def clean(text, n=SYMBOL_CHARS):
    """A symbol or a tool's message as a table cell: printable, no cell separator, cut short."""
    text = "".join(c if c.isprintable() else " " for c in text.strip()).replace("|", "/").replace("`", "'")
    return text if len(text) <= n else text[:n - 3] + "..."


def failed(tool, rc, err):
    """Why a tool's run gave nothing: its last line of error output, or its status."""
    lines = err.strip().splitlines()
    return f"{tool} failed: " + clean(lines[-1] if lines else f"exit status {rc}", 200)


def report_of(cmd):
    """(stdout, None) of a reporting tool (perf report, callgrind_annotate), or (None,
    why not): it reads a file this run wrote, and is given 5 minutes."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"{cmd[0]} failed: " + clean(str(e), 200)
    return (p.stdout, None) if p.returncode == 0 else (None, failed(cmd[0], p.returncode, p.stderr))


def perf_rows(run, cmd, threads, window):
    """(rows, None) of the self-time shares of cmd's functions (share, function, where),
    or (None, why not). With `window`, cmd is hinge_bench and only its timed steps are
    sampled. run(cmd, threads, timeout, extra_env) -> (exit status, stdout, stderr)."""
    if not shutil.which("perf"):
        return None, "perf is not installed"
    with tempfile.TemporaryDirectory(prefix="hinge-profile-") as tmp:
        data = os.path.join(tmp, "perf.data")
        rec = ["perf", "record", "-e", "cpu-clock", "-F", str(SAMPLE_HZ), "-q", "-o", data]
        env = None
        if window:
            ctl, ack = os.path.join(tmp, "ctl"), os.path.join(tmp, "ack")
            os.mkfifo(ctl, 0o600)
            os.mkfifo(ack, 0o600)
            rec += ["-D", "-1", "--control", f"fifo:{ctl},{ack}"]
            env = {"HINGE_BENCH_PERF_CONTROL": f"{ctl},{ack}"}
        rc, _, err = run(rec + ["--"] + cmd, threads, 300, env)
        if rc != 0:
            return None, failed("perf record", rc, err)
        text, why = report_of(["perf", "report", "-i", data, "--stdio", "-q", "-F", "overhead,dso,sym",
                               "--percent-limit", str(PERCENT_LIMIT)])
    if why:
        return None, why
    rows = []
    for line in text.splitlines():
        m = re.match(r"^\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.+)$", line)
        if m:
            rows.append([f"{float(m.group(1)):.1f}%", clean(m.group(4)),
                         clean(os.path.basename(m.group(2)), 40) + (" (kernel)" if m.group(3) == "k" else "")])
    if not rows:
        return None, "perf recorded no samples in the timed steps"
    return rows, None


def callgrind_counts(run, cmd_for, repeats):
    """Instructions by function (self, callgrind) of cmd_for(r) for r in `repeats`:
    [{function: count}, ...] with the totals under "(all)", or a string saying why not."""
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        return "valgrind is not installed"
    counts = []
    with tempfile.TemporaryDirectory(prefix="hinge-callgrind-") as tmp:
        for r in repeats:
            out = os.path.join(tmp, f"callgrind.{r}")
            rc, _, err = run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + cmd_for(r), 1, 600,
                             None)
            if rc != 0:
                return failed("callgrind", rc, err)
            # Every function (threshold 100%): with the default, one that falls
            # just under the cut in one run and not in the other would count whole.
            text, why = report_of(["callgrind_annotate", "--threshold=100", out])
            if why:
                return why
            c = {}
            for line in text.splitlines():
                m = re.match(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.+?)(\s+\[[^\]]*\])?$", line)
                if m:
                    name = m.group(2)
                    name = "(all)" if name == "PROGRAM TOTALS" else re.sub(r"^[^:]*:", "", name, count=1)
                    c[name] = c.get(name, 0) + int(m.group(1).replace(",", ""))
            if "(all)" not in c:
                return "callgrind_annotate printed no totals"
            counts.append(c)
    return counts


def per_node_rows(run, bench, workload, variant, nodes):
    """(rows, None) of the instructions per node and step of a per-node row by
    function (count, function), with the hand-written tape's total beside the dynamic
    variant's, or (None, why not). Two processes of one step per run, 2 and 4 runs:
    their difference is 2 steps' work, whatever the set-up costs."""
    lo, hi = 2, 4
    def cmd(v):
        return lambda r: [bench, workload, "1", str(r), "--steps", "1", "--mode", "step", "--variant", v]
    counts = callgrind_counts(run, cmd(variant), (lo, hi))
    if isinstance(counts, str):
        return None, counts
    scale = (hi - lo) * nodes
    per = {k: (counts[1].get(k, 0) - counts[0].get(k, 0)) / scale for k in counts[1]}
    rows = [[f"{v:.1f}", clean(k)] for k, v in sorted(per.items(), key=lambda kv: -kv[1])
            if k != "(all)" and v >= PER_NODE_LIMIT]
    rows.append([f"**{per['(all)']:.1f}**", "**all of the step**"])
    if variant == "dynamic":
        tape = callgrind_counts(run, cmd("tape"), (lo, hi))
        rows.append([f"{(tape[1]['(all)'] - tape[0]['(all)']) / scale:.1f}" if not isinstance(tape, str) else "-",
                     "the hand-written tape's whole step, for reference" + (f" ({tape})" if isinstance(tape, str)
                                                                             else "")])
    return rows, None
