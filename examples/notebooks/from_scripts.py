"""Makes the example notebooks from the example scripts, so the two stay in step.

    python3 from_scripts.py            writes examples/notebooks/NAME.ipynb for each NAME below
    python3 from_scripts.py --check    exits 1, naming the notebooks that differ from what
                                       the scripts give now (a test runs this)

A script becomes cells at its blank lines (never inside an open bracket or block):
the comment lines that open a part become a markdown cell explaining it, the rest
a code cell that the hinge kernel runs as REPL input. The script's first comment,
"# NAME: what it shows", is the notebook's title.
"""
import json
import os
import sys

NAMES = ["bends", "fit_curve", "vanishing", "regions"]
HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.dirname(HERE)


def depth_change(line):
    """How much a line opens ( [ { minus what it closes, outside strings and comments."""
    depth, in_string, escaped = 0, False, False
    for c in line:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
            continue
        if c == '"':
            in_string = True
        elif c == "#":
            break
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
    return depth


def blocks(text):
    """The script's lines in blocks split at blank lines outside brackets."""
    out, block, depth = [], [], 0
    for line in text.splitlines():
        if not line.strip() and depth <= 0:
            if block:
                out.append(block)
            block, depth = [], 0
            continue
        block.append(line.rstrip())
        depth += depth_change(line)
    if block:
        out.append(block)
    return out


def is_comment(line):
    return line.lstrip().startswith("#")


def comment_text(line):
    text = line.lstrip()[1:]
    return text[1:] if text.startswith(" ") else text


def cells_of(name, text):
    cells = []

    def markdown(lines):
        if cells and cells[-1]["cell_type"] == "markdown":
            cells[-1]["source"] += "\n\n" + "\n".join(lines)
        else:
            cells.append({"cell_type": "markdown", "metadata": {}, "source": "\n".join(lines)})

    first = True
    for block in blocks(text):
        k = 0
        while k < len(block) and is_comment(block[k]):
            k += 1
        notes = [comment_text(l) for l in block[:k]]
        if first and notes:
            # "# bends: each shifted ReLU adds one bend" -> a title and its sentence.
            head, _, rest = notes[0].partition(":")
            title = [f"# {head.strip()}"] if head.strip() == name else [f"# {name}", "", notes[0]]
            if head.strip() == name and rest.strip():
                title += ["", rest.strip()[0].upper() + rest.strip()[1:] + "."]
            notes = title + ([""] + notes[1:] if notes[1:] else [])
        first = False
        if notes:
            markdown(notes)
        if block[k:]:
            cells.append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                          "source": "\n".join(block[k:])})
    for c in cells:  # Jupyter keeps sources as lists of lines
        lines = c["source"].split("\n")
        c["source"] = [l + "\n" for l in lines[:-1]] + [lines[-1]]
    return cells


def notebook(name):
    with open(os.path.join(EXAMPLES, name + ".hinge"), encoding="utf-8") as f:
        text = f.read()
    nb = {
        "cells": cells_of(name, text),
        "metadata": {
            "kernelspec": {"display_name": "hinge", "language": "hinge", "name": "hinge"},
            "language_info": {"codemirror_mode": "python", "file_extension": ".hinge",
                              "mimetype": "text/x-hinge", "name": "hinge"},
        },
        "nbformat": 4,
        "nbformat_minor": 4,
    }
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(args):
    check = args == ["--check"]
    if args and not check:
        print(__doc__, file=sys.stderr)
        return 64
    stale = []
    for name in NAMES:
        path = os.path.join(HERE, name + ".ipynb")
        text = notebook(name)
        if check:
            try:
                with open(path, encoding="utf-8") as f:
                    if f.read() == text:
                        continue
            except OSError:
                pass
            stale.append(path)
        else:
            tmp = path + ".tmp"
            with open(tmp, "x", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, path)
    if stale:
        print("not in step with their scripts (run examples/notebooks/from_scripts.py):\n  " +
              "\n  ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
