"""The hinge kernel driven through Debian's jupyter_client, as a notebook would.

    /usr/bin/python3 kernel_test.py HINGE_COMMAND

Installs the kernel spec with `hinge --install-kernel --prefix` into a fresh
temporary folder, starts the kernel from it, and checks what a notebook asks of
it: kernel info, cells with their outputs and errors, plots, traces, completion,
inspection, completeness, training and its interrupt. Exits non-zero with a
message on the first failure.
"""
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import start_new_kernel

TIMEOUT = 60
KERNEL = None  # the kernel manager, for telling a dead kernel from a slow one


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def next_msg(kc, channel, timeout=TIMEOUT):
    """The next message on kc's "shell" or "iopub" channel, waiting up to timeout.

    It polls in one-second slices: a fresh poll sees a message that is already
    queued even if a wake-up was missed (a busy CI machine once left one unseen for
    the whole minute), and a kernel that has died is reported as such, not as a
    bare timeout."""
    get = kc.get_shell_msg if channel == "shell" else kc.get_iopub_msg
    deadline = time.monotonic() + timeout
    while True:
        try:
            return get(timeout=1)
        except queue.Empty:
            if not KERNEL.is_alive():
                raise AssertionError(f"the kernel died (waiting on {channel})")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {channel} message in {timeout} s; the kernel is alive")


def run(kc, code, timeout=TIMEOUT):
    """Executes code; returns (reply content, list of iopub messages for it).

    Every request goes without stop_on_error: checks follow one another at once,
    including right after a cell that fails on purpose, and a request that reaches
    the kernel within 50 ms of an error reply to one sent with stop_on_error
    (jupyter_client's default) is aborted, as a notebook's Run All stops at an
    error: xeus answers it with a bare {"status": "error"} and publishes nothing."""
    msg_id = kc.execute(code, stop_on_error=False)
    reply = next_msg(kc, "shell", timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = next_msg(kc, "shell", timeout)
    check(reply["content"] != {"status": "error"},
          f"{code!r} was aborted: it came within 50 ms of an error with stop_on_error")
    outputs = []
    while True:
        msg = next_msg(kc, "iopub", timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        outputs.append(msg)
    return reply["content"], outputs


def stdout_of(outputs):
    return "".join(m["content"]["text"] for m in outputs
                   if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")


def of_type(outputs, kind):
    return [m["content"] for m in outputs if m["msg_type"] == kind]


def main():
    hinge = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([hinge, "--install-kernel", "--prefix", tmp], check=True,
                       stdout=subprocess.DEVNULL)
        os.environ["JUPYTER_PATH"] = os.path.join(tmp, "share", "jupyter")
        specs = KernelSpecManager().find_kernel_specs()
        check(specs.get("hinge", "").startswith(tmp), f"the kernel spec is not found: {specs}")
        km, kc = start_new_kernel(kernel_name="hinge", cwd=tmp)
        global KERNEL
        KERNEL = km
        try:
            checks(km, kc)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    print("kernel test: ok")


def checks(km, kc):
    # kernel_info
    kc.kernel_info()
    info = next_msg(kc, "shell")["content"]
    check(info["language_info"]["name"] == "hinge", f"kernel_info: {info}")
    check(info["language_info"]["file_extension"] == ".hinge", f"kernel_info: {info}")
    check(info["language_info"]["mimetype"] == "text/x-hinge", f"kernel_info: {info}")

    # A value: execute_result with text/plain (and text/html for a tensor).
    reply, out = run(kc, "param w = 0.5\nlet y = (w - 3)^2\ny")
    check(reply["status"] == "ok", f"execute: {reply}")
    results = of_type(out, "execute_result")
    check(len(results) == 1 and results[0]["data"]["text/plain"] == "6.25", f"value: {out}")
    check("w = 0.5 (param)" in stdout_of(out), f"param echo: {out}")
    reply, out = run(kc, "linspace(0, 1, 3)")
    data = of_type(out, "execute_result")[0]["data"]
    check(data["text/plain"] == "[0, 0.5, 1]", f"tensor text: {data}")
    check("<table" in data["text/html"] and ">0.5<" in data["text/html"], f"tensor html: {data}")

    # print
    reply, out = run(kc, 'print "hello {1 + 1}"')
    check(stdout_of(out) == "hello 2\n", f"print: {out}")

    # An error: ename, the message, the cell's own line and column with a caret.
    reply, out = run(kc, "let a = 1\n\nlet b = a + nope")
    check(reply["status"] == "error", f"error reply: {reply}")
    check("unknown name 'nope'" in reply["evalue"], f"evalue: {reply}")
    errors = of_type(out, "error")
    check(len(errors) == 1, f"error message: {out}")
    tb = "\n".join(errors[0]["traceback"])
    check(":3:13: error:" in tb, f"line and column of the error: {tb}")
    caret_line = [l for l in errors[0]["traceback"] if l.strip().startswith("^")]
    source_line = [l for l in errors[0]["traceback"] if "let b = a + nope" in l]
    check(caret_line and source_line, f"source line and caret: {tb}")
    check(caret_line[0].index("^") == source_line[0].index("nope"), f"caret under the name: {tb}")
    reply, out = run(kc, "a")  # the session goes on, with the bindings made before the error
    check(reply["status"] == "ok" and of_type(out, "execute_result")[0]["data"]["text/plain"] == "1",
          f"after an error: {out}")
    reply, out = run(kc, "let c = (1 +")
    check(reply["status"] == "error" and reply["ename"] == "SyntaxError", f"syntax error: {reply}")

    # plot without `to`: an inline SVG that parses.
    reply, out = run(kc, "let xs = linspace(-2, 2, 50)\nplot xs: relu(xs) as \"relu\"")
    check(reply["status"] == "ok", f"plot: {reply}")
    shown = [d for d in of_type(out, "display_data") if "image/svg+xml" in d["data"]]
    check(len(shown) == 1, f"plot display: {out}")
    root = ET.fromstring(shown[0]["data"]["image/svg+xml"])
    check(root.tag.endswith("svg"), f"not an SVG: {root.tag}")

    # trace: text/html with the note.
    reply, out = run(kc, "param v = -1\nlet r = relu(v)\ntrace r")
    htmls = [d["data"]["text/html"] for d in of_type(out, "display_data") if "text/html" in d["data"]]
    check(len(htmls) == 1 and "relu closed" in htmls[0] and "hinge-note" in htmls[0], f"trace: {out}")
    # ... and its graph drawn by Graphviz (tests/run installs it), never the DOT text.
    check(shutil.which("dot") is not None, "Graphviz's dot is not installed (tests/run installs graphviz)")
    graphs = [d["data"] for d in of_type(out, "display_data") if "image/svg+xml" in d["data"]]
    check(len(graphs) == 1, f"trace: no graph drawn: {out}")
    graph = ET.fromstring(graphs[0]["image/svg+xml"])
    check(graph.tag.endswith("svg") and "relu" in ET.tostring(graph, encoding="unicode"), "trace graph")
    check(all("text/vnd.graphviz" not in d["data"] for d in of_type(out, "display_data")), "DOT shown")

    # Completion, inspection, completeness.
    kc.complete("let q = rel", 11)
    comp = next_msg(kc, "shell")["content"]
    check(any(m.startswith("relu") for m in comp["matches"]), f"complete: {comp}")
    check(comp["cursor_start"] == 8 and comp["cursor_end"] == 11, f"complete cursor: {comp}")
    kc.complete(":he", 3)
    comp = next_msg(kc, "shell")["content"]
    check(":help" in comp["matches"], f"complete a command: {comp}")
    kc.inspect("relu", 4)
    insp = next_msg(kc, "shell")["content"]
    check(insp["found"] and insp["data"]["text/plain"].startswith("relu("), f"inspect: {insp}")
    kc.inspect("xs", 1)
    insp = next_msg(kc, "shell")["content"]
    check(insp["found"] and "[50]" in insp["data"]["text/plain"], f"inspect a binding: {insp}")
    kc.is_complete("def f(x) {\n  let y = x")
    isc = next_msg(kc, "shell")["content"]
    check(isc["status"] == "incomplete", f"is_complete of an open def: {isc}")
    kc.is_complete("def f(x) = x * 2")
    isc = next_msg(kc, "shell")["content"]
    check(isc["status"] == "complete", f"is_complete of a whole def: {isc}")

    # A :command runs as in the REPL.
    reply, out = run(kc, ":vars")
    check(reply["status"] == "ok" and "xs" in stdout_of(out), f":vars: {out}")

    # Training: one display updated in place, then the loss curve.
    reply, out = run(kc, "param u = 3\nlet lu = (u - 1)^2\ntrain lu with sgd(lr=0.01) for 200 steps")
    shown = of_type(out, "display_data")
    live = [d for d in shown if d.get("transient", {}).get("display_id")]
    check(len(live) == 1 and "step" in live[0]["data"]["text/plain"], f"train progress display: {out}")
    ids = {d["transient"]["display_id"] for d in of_type(out, "update_display_data")}
    check(ids == {live[0]["transient"]["display_id"]}, f"train progress updates: {out}")
    curves = [d for d in shown if "image/svg+xml" in d["data"]]
    check(len(curves) == 1 and ET.fromstring(curves[0]["data"]["image/svg+xml"]).tag.endswith("svg"),
          f"loss curve: {out}")
    check("loss  first 4" in stdout_of(out), f"train report: {out}")

    # An interrupt during a long train: back within 2 s, the session usable.
    # Without stop_on_error, as run() sends every cell: the next one follows at once.
    msg_id = kc.execute("param p = zeros([256]) + 5\nlet l = mean((p - 1)^2)\ntrain l with sgd(lr=0.0000001) for 10000000 steps",
                        stop_on_error=False)
    # Interrupt once training shows its progress (an interrupt that comes before
    # the cell starts is dropped, as one sent to an idle kernel is).
    while True:
        msg = next_msg(kc, "iopub")
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "update_display_data":
            break
    started = time.monotonic()
    km.interrupt_kernel()
    reply = next_msg(kc, "shell")
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = next_msg(kc, "shell")
    waited = time.monotonic() - started
    check(waited < 2.0, f"the interrupt took {waited:.2f} s")
    check(reply["content"]["status"] == "error", f"interrupted train: {reply['content']}")
    reply, out = run(kc, "sum(p) < 256 * 5")
    check(reply["status"] == "ok" and of_type(out, "execute_result")[0]["data"]["text/plain"] == "1",
          f"after the interrupt: {reply} {out}")


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, queue.Empty) as e:
        import traceback
        traceback.print_exc()
        print(f"kernel test FAILED: {e!r}", file=sys.stderr)
        sys.exit(1)
