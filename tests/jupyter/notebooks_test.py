"""Runs every notebook in examples/notebooks/ with the hinge kernel, as
`jupyter nbconvert --to notebook --execute` does, and checks what they show
against the scripts they were made from.

    /usr/bin/python3 notebooks_test.py HINGE_COMMAND EXAMPLES_DIR

For each notebook NAME.ipynb: no cell fails; every line the script
examples/NAME.hinge prints (the figures its golden test checks) appears in the
notebook's printed output, in order (timings aside); each plot is shown inline
as an SVG that parses, and writes the same files the script writes.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

# Lines that differ between two runs of the same script: wall-clock rates; and
# training's log lines, which a notebook shows as one updating display instead.
TIMING = re.compile(r"steps/s|\d+ steps in |^step \d+/\d+  loss")


def fail(message):
    print(f"notebooks test FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def printed_lines(text):
    return [l for l in text.splitlines() if not TIMING.search(l)]


def check_notebook(name, executed, script_out, script_files, work):
    stdout, svgs = "", []
    for cell in executed["cells"]:
        for out in cell.get("outputs", []):
            kind = out["output_type"]
            if kind == "error":
                fail(f"{name}: a cell failed: {out['ename']}: {out['evalue']}")
            if kind == "stream" and out["name"] == "stdout":
                stdout += "".join(out["text"])
            if kind in ("display_data", "execute_result") and "image/svg+xml" in out["data"]:
                svgs.append("".join(out["data"]["image/svg+xml"]))
    # The script's figures, in order, among what the notebook printed (which
    # also shows the bindings each cell makes, as the REPL does).
    have = printed_lines(stdout)
    at = 0
    for line in printed_lines(script_out):
        while at < len(have) and have[at] != line:
            at += 1
        if at == len(have):
            fail(f"{name}: the script prints {line!r}, the notebook does not (in that place)")
        at += 1
    plots = len(re.findall(r"^wrote .*\.svg$", script_out, re.M))
    if len(svgs) < plots or plots == 0:
        fail(f"{name}: {len(svgs)} inline SVGs for the script's {plots} plots")
    for svg in svgs:
        if not ET.fromstring(svg).tag.endswith("svg"):
            fail(f"{name}: an inline picture is not an SVG")
    for f in script_files:
        if not os.path.isfile(os.path.join(work, f)):
            fail(f"{name}: the script writes {f}, the notebook does not")
    print(f"{name}: {len(printed_lines(script_out))} printed lines and {len(svgs)} plots as the script has them")


def main():
    hinge, examples = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    notebooks = sorted(glob.glob(os.path.join(examples, "notebooks", "*.ipynb")))
    if not notebooks:
        fail("no notebooks in examples/notebooks")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([hinge, "--install-kernel", "--prefix", tmp], check=True, stdout=subprocess.DEVNULL)
        env = dict(os.environ, JUPYTER_PATH=os.path.join(tmp, "share", "jupyter"))
        work = os.path.join(tmp, "notebooks")
        os.mkdir(work)
        for nb in notebooks:
            shutil.copy(nb, work)
        copies = [os.path.join(work, os.path.basename(nb)) for nb in notebooks]
        run = subprocess.run(["/usr/bin/python3", "-m", "nbconvert", "--to", "notebook", "--execute", "--inplace",
                              "--ExecutePreprocessor.timeout=300", *copies],
                             cwd=work, env=env, capture_output=True, text=True)
        if run.returncode != 0:
            fail(f"nbconvert: {run.stderr[-3000:]}")
        for nb, copy in zip(notebooks, copies):
            name = os.path.splitext(os.path.basename(nb))[0]
            script_dir = os.path.join(tmp, "script-" + name)
            os.mkdir(script_dir)
            # A copy run where it lies, so what it writes stays in this test's folder.
            shutil.copy(os.path.join(examples, name + ".hinge"), script_dir)
            script = subprocess.run([hinge, name + ".hinge"], cwd=script_dir, capture_output=True, text=True)
            if script.returncode != 0:
                fail(f"{name}.hinge fails: {script.stderr}")
            with open(copy, encoding="utf-8") as f:
                executed = json.load(f)
            written = [f for f in os.listdir(script_dir) if f != name + ".hinge"]
            check_notebook(name, executed, script.stdout, written, work)
    print("notebooks test: ok")


if __name__ == "__main__":
    main()
