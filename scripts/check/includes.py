#!/usr/bin/env python3
"""Fails when an #include "..." runs upward or in a circle (docs/DESIGN.md section 5): the
layers are only layers while every include points down them, and one include the wrong way is
enough to tie a plugin to the runtime or the runtime to the command line.

Checked: every tracked C file outside EXEMPT. The rules are the tables below; edit them there.
Output: one `file:line: <who> includes <what>: <rule>` per offending include.
"""

import re
import sys

import csrc

# --- the rules -------------------------------------------------------------------------------

# Modules (top-level folders), outermost first. A file may include its own module and modules
# LATER in this list. cmd/ being first means nothing outside cmd/ includes cmd/.
MODULES = ["tools", "cmd", "controller", "eventsource", "sensor", "triggers", "eventbus", "manifest",
           "kube", "core"]

# Pairs the order above would allow but that stay apart: (includer, included).
NEVER = [("eventsource", "sensor"), ("sensor", "eventsource")]

# The parts of core/, outermost first: a part may include itself and parts LATER in the list
# (core/base uses no other part).
CORE_PARTS = ["core/kafka", "core/http", "core/service", "core/httpd", "core/script", "core/expr",
              "core/template", "core/json", "core/time", "core/go", "core/base"]

# Layers inside one folder, by file-name prefix, outermost first: a file may include its own
# layer and layers LATER in the list (a tvalue* file includes no sprig* or gotmpl* header).
FILE_LAYERS = {"core/template": ["gotmpl", "sprig", "tvalue"]}

# Folders whose subfolders are plugins: a plugin includes no file of another plugin.
PLUGIN_PARENTS = ["eventsource", "triggers"]

# A header with this suffix is private to its folder.
INTERNAL_SUFFIX = "_int.h"

# Files not checked: tests and benchmarks may reach anywhere they need to.
EXEMPT = ["tests/", "bench/"]

# ---------------------------------------------------------------------------------------------

INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"]*)"', re.M)
RULE_ORDER = "a module includes only itself and modules after it in " + ", ".join(MODULES)
RULE_CORE = "a core part includes only itself and parts after it in " + ", ".join(CORE_PARTS)


def folder(path):
    return path.rsplit("/", 1)[0] if "/" in path else ""


def module(path):
    return path.split("/", 1)[0] if "/" in path else ""


def core_part(path):
    return next((p for p in CORE_PARTS if path.startswith(p + "/")), None)


def file_layer(path):
    layers = FILE_LAYERS.get(folder(path))
    if not layers:
        return None, None
    base = path.rsplit("/", 1)[-1]
    return layers, next((l for l in layers if base.startswith(l)), None)


def plugin(path):
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] in PLUGIN_PARENTS:
        return parts[0] + "/" + parts[1]
    return None


def exempt(path):
    return any(path.startswith(e) for e in EXEMPT)


def includes_of(path):
    """(line, included path) for each #include "..." that is code, not in a comment."""
    raw = csrc.read(path)
    code = csrc.strip_comments_and_literals(raw)
    idx = csrc.LineIndex(raw)
    out = []
    for m in INCLUDE.finditer(raw):
        # the same spot in the stripped text still says #include only if it was not a comment
        if re.match(r'[ \t]*#[ \t]*include[ \t]*"', code[m.start():m.end()]):
            out.append((idx.line(m.start()), m.group(1)))
    return out


def rule_broken(src, dst, tracked):
    """Why src may not include dst, or None."""
    if dst not in tracked:
        return "no such tracked file (includes are written from the repository root)"
    sm, dm = module(src), module(dst)
    if sm not in MODULES:
        return f"{src} is in no module of MODULES (add its folder to the table)"
    if dm not in MODULES:
        return f"{dst} is in no module of MODULES (add its folder to the table)"
    if (sm, dm) in NEVER:
        return f"{sm} and {dm} never include each other"
    if MODULES.index(dm) < MODULES.index(sm):
        return RULE_ORDER
    if dst.endswith(INTERNAL_SUFFIX) and folder(dst) != folder(src):
        return f"a *{INTERNAL_SUFFIX} header is included only from its own folder"
    sp, dp = plugin(src), plugin(dst)
    if dp and sp != dp:
        if sp:
            return "a plugin includes no file of another plugin"
    if sm == "core" and dm == "core":
        scp, dcp = core_part(src), core_part(dst)
        if scp is None or dcp is None:
            return f"{src if scp is None else dst} is in no part of CORE_PARTS"
        if CORE_PARTS.index(dcp) < CORE_PARTS.index(scp):
            return RULE_CORE
    if folder(src) == folder(dst):
        layers, sl = file_layer(src)
        _, dl = file_layer(dst)
        if layers and sl and dl and layers.index(dl) < layers.index(sl):
            return (f"in {folder(src)}/ a file includes only its own layer and layers after it "
                    "in " + ", ".join(l + "*" for l in layers))
    return None


def what(path):
    """How a path is named in a message: its core part, plugin or module, and the file."""
    name = core_part(path) or plugin(path) or module(path) or path
    return f"{name} ({path})"


def cycles(edges):
    """Each include that closes a circle among headers, with the circle: a depth-first walk
    reports every edge back to a header still on its path."""
    found = []
    state = {}  # 1 on the current path, 2 done

    def walk(h, path):
        state[h] = 1
        path.append(h)
        for line, dst in edges.get(h, []):
            if state.get(dst) == 1:
                circle = path[path.index(dst):] + [dst]
                found.append((h, line, dst, " -> ".join(circle)))
            elif dst not in state:
                walk(dst, path)
        path.pop()
        state[h] = 2

    for h in sorted(edges):
        if h not in state:
            walk(h, [])
    return found


def main():
    files = [p for p in csrc.c_files()]
    tracked = set(files)
    bad = 0
    header_edges = {}
    for src in files:
        if exempt(src):
            continue
        for line, dst in includes_of(src):
            if src.endswith(".h") and dst in tracked and not exempt(dst):
                header_edges.setdefault(src, []).append((line, dst))
            why = rule_broken(src, dst, tracked)
            if why:
                print(f"{src}:{line}: {what(src)} includes {what(dst)}: {why}")
                bad += 1
    for src, line, dst, circle in cycles(header_edges):
        print(f"{src}:{line}: {src} includes {dst}: headers include each other in a circle "
              f"({circle})")
        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
