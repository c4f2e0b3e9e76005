#!/usr/bin/env python3
"""The deploy/ checks, one CTest entry per case (exit 0 pass, 1 fail, 77 skipped):

  drift       deploy/generate.sh run into a temporary directory gives deploy/'s CRDs and
              install.yaml byte for byte: nobody edited them by hand, and a decoder that learnt
              a field has had `make deploy` run.
  structural  the CRDs keep the rules of a structural schema that the API server enforces (a
              type at every level except where int-or-string or preserve-unknown-fields say
              otherwise, no properties beside additionalProperties, metadata left alone ...),
              the names, scope, status subresource and printer columns, spec and status keeping
              unknown fields; install.yaml holds the objects of `kubectl kustomize deploy/`; the
              namespaced Role has the ClusterRole's rules.
  corpus      every manifest of the corpus that `cevents lint` accepts is valid under its CRD's
              schema: the schema refuses nothing cevents takes.
  image_libs  every library `ldd cevents` names comes from a package the Dockerfile's runtime
              stage installs (or one those depend on, or one of the base image's), and every
              library the binary links directly from a package the stage names itself.
  build_deps  the Dockerfile's build stage installs only packages scripts/install-deps.sh lists.

usage: check_deploy.py CASE --cevents BIN --crdgen BIN
"""

import argparse
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(ROOT, "deploy")
CRDS = {"EventSource": "argoproj.io_eventsources.yaml", "Sensor": "argoproj.io_sensors.yaml",
        "EventBus": "argoproj.io_eventbus.yaml"}
# Argo Events' names for its kinds, which kubectl users type.
NAMES = {"EventSource": ("eventsources", "eventsource", ["es"]),
         "Sensor": ("sensors", "sensor", ["sn"]),
         "EventBus": ("eventbus", "eventbus", ["eb"])}

try:
    import yaml
except ImportError:
    yaml = None

FAILS = []


def fail(msg):
    FAILS.append(msg)
    print("FAIL: " + msg)


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


# ---- drift ----------------------------------------------------------------------------------

def case_drift(a):
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run(["bash", os.path.join(DEPLOY, "generate.sh"), a.crdgen, tmp],
                           capture_output=True, text=True)
        if r.returncode != 0:
            fail("deploy/generate.sh failed: " + r.stderr)
            return
        for name in list(CRDS.values()):
            if not filecmp.cmp(os.path.join(tmp, "crds", name),
                               os.path.join(DEPLOY, "crds", name), shallow=False):
                fail(f"deploy/crds/{name} differs from what the decoders read: run `make deploy`")
        if not filecmp.cmp(os.path.join(tmp, "install.yaml"),
                           os.path.join(DEPLOY, "install.yaml"), shallow=False):
            fail("deploy/install.yaml is not its parts concatenated: run `make deploy`")


# ---- structural -----------------------------------------------------------------------------

SCHEMA_KEYS = {"type", "properties", "additionalProperties", "items", "required",
               "description", "x-kubernetes-preserve-unknown-fields",
               "x-kubernetes-int-or-string", "enum", "format", "nullable"}
TYPES = {"object", "array", "string", "integer", "number", "boolean"}


def check_node(node, where):
    if not isinstance(node, dict):
        fail(f"{where}: a schema must be a map")
        return
    unknown = set(node) - SCHEMA_KEYS
    if unknown:
        fail(f"{where}: keywords a structural schema may not use here: {sorted(unknown)}")
    typ = node.get("type")
    ios = node.get("x-kubernetes-int-or-string") is True
    keep = node.get("x-kubernetes-preserve-unknown-fields") is True
    if typ is None and not (ios or keep):
        fail(f"{where}: no type (and neither int-or-string nor preserve-unknown-fields)")
    if typ is not None and typ not in TYPES:
        fail(f"{where}: unknown type {typ!r}")
    if ios and typ is not None:
        fail(f"{where}: x-kubernetes-int-or-string with a type")
    if "properties" in node and "additionalProperties" in node:
        fail(f"{where}: properties beside additionalProperties")
    if ("properties" in node or "additionalProperties" in node) and typ != "object":
        fail(f"{where}: properties without type: object")
    if "items" in node and typ != "array":
        fail(f"{where}: items without type: array")
    if typ == "array" and "items" not in node:
        fail(f"{where}: an array without items")
    for k, v in (node.get("properties") or {}).items():
        check_node(v, f"{where}.{k}")
    if isinstance(node.get("additionalProperties"), dict):
        check_node(node["additionalProperties"], f"{where}.*")
    elif "additionalProperties" in node:
        fail(f"{where}: additionalProperties must be a schema (true/false prunes or refuses)")
    if "items" in node:
        check_node(node["items"], f"{where}[]")


def check_crd(kind, crd):
    where = f"deploy/crds/{CRDS[kind]}"
    plural, singular, short = NAMES[kind]
    spec = crd.get("spec", {})
    names = spec.get("names", {})
    if crd.get("apiVersion") != "apiextensions.k8s.io/v1" or crd.get("kind") != \
            "CustomResourceDefinition":
        fail(f"{where}: not an apiextensions.k8s.io/v1 CustomResourceDefinition")
    if crd.get("metadata", {}).get("name") != f"{plural}.argoproj.io":
        fail(f"{where}: metadata.name must be {plural}.argoproj.io")
    want = {"kind": kind, "listKind": kind + "List", "plural": plural, "singular": singular,
            "shortNames": short}
    if names != want or spec.get("group") != "argoproj.io" or spec.get("scope") != "Namespaced":
        fail(f"{where}: names/group/scope are not Argo Events': {names}")
    versions = spec.get("versions", [])
    if [v.get("name") for v in versions] != ["v1alpha1"]:
        fail(f"{where}: one version, v1alpha1, served and stored")
        return
    v = versions[0]
    if not (v.get("served") and v.get("storage")) or v.get("subresources") != {"status": {}}:
        fail(f"{where}: v1alpha1 must be served, stored and have the status subresource")
    cols = v.get("additionalPrinterColumns", [])
    if not any(c.get("name") == "Age" and c.get("jsonPath") == ".metadata.creationTimestamp"
               for c in cols):
        fail(f"{where}: no Age printer column")
    for c in cols:
        if not c.get("jsonPath", "").startswith(".") or c.get("type") not in \
                ("string", "date", "integer", "number", "boolean"):
            fail(f"{where}: printer column {c} is malformed")
    root = v.get("schema", {}).get("openAPIV3Schema", {})
    check_node(root, where + ":openAPIV3Schema")
    props = root.get("properties", {})
    if root.get("type") != "object" or props.get("metadata") != {"type": "object"}:
        fail(f"{where}: the root must be an object that leaves metadata to the API server")
    sp = props.get("spec", {})
    if sp.get("type") != "object" or sp.get("x-kubernetes-preserve-unknown-fields") is not True \
            or not sp.get("properties"):
        fail(f"{where}: spec must describe its fields and keep unknown ones")
    if props.get("status") != {"type": "object", "x-kubernetes-preserve-unknown-fields": True}:
        fail(f"{where}: status must be an object that keeps every field")


def obj_key(o):
    md = o.get("metadata", {})
    return (o.get("kind"), md.get("namespace", ""), md.get("name"))


def check_install_matches_kustomize():
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        print("note: kubectl missing; install.yaml not compared with `kubectl kustomize`")
        return
    r = subprocess.run([kubectl, "kustomize", DEPLOY], capture_output=True, text=True)
    if r.returncode != 0:
        fail("kubectl kustomize deploy/ failed: " + r.stderr)
        return
    built = {obj_key(o): o for o in yaml.safe_load_all(r.stdout) if o}
    inst = {obj_key(o): o for o in load_all(os.path.join(DEPLOY, "install.yaml"))}
    if set(built) != set(inst):
        fail(f"install.yaml and deploy/ differ in objects: {sorted(set(built) ^ set(inst))}")
    for k in set(built) & set(inst):
        if built[k] != inst[k]:
            fail(f"install.yaml's {k} differs from `kubectl kustomize deploy/`'s")
    for k, o in built.items():
        if o.get("kind") == "Deployment":
            c = o["spec"]["template"]["spec"]["containers"][0]
            env = {e["name"]: e.get("value") for e in c.get("env", [])}
            if env.get("CEVENTS_IMAGE") != c.get("image"):
                fail("the controller's CEVENTS_IMAGE is not its own image")


def rules_of(path, kind):
    for o in load_all(path):
        if o.get("kind") == kind:
            return o.get("rules")
    return None


def case_structural(a):
    for kind, name in CRDS.items():
        docs = load_all(os.path.join(DEPLOY, "crds", name))
        if len(docs) != 1:
            fail(f"deploy/crds/{name}: one CRD per file")
            continue
        check_crd(kind, docs[0])
    cluster = rules_of(os.path.join(DEPLOY, "cluster-rbac.yaml"), "ClusterRole")
    ns = rules_of(os.path.join(DEPLOY, "namespaced", "rbac.yaml"), "Role")
    if not cluster or cluster != ns:
        fail("deploy/namespaced/rbac.yaml's Role rules differ from the ClusterRole's")
    check_install_matches_kustomize()


# ---- corpus ---------------------------------------------------------------------------------

def validate(value, node, where, out):
    if value is None:
        return  # the API server prunes a null (no schema here is nullable)
    typ = node.get("type")
    if node.get("x-kubernetes-int-or-string"):
        ok = isinstance(value, (int, str)) and not isinstance(value, bool)
        if not ok:
            out.append(f"{where}: {value!r} is neither an integer nor a string")
        return
    checks = {"string": str, "boolean": bool, "object": dict, "array": list}
    if typ in checks and (not isinstance(value, checks[typ]) or
                          (typ != "boolean" and isinstance(value, bool))):
        out.append(f"{where}: {value!r} is not of type {typ}")
        return
    if typ == "object":
        props = node.get("properties", {})
        addl = node.get("additionalProperties")
        for k, v in value.items():
            if k in props:
                validate(v, props[k], f"{where}.{k}", out)
            elif isinstance(addl, dict):
                validate(v, addl, f"{where}.{k}", out)
    elif typ == "array":
        for i, v in enumerate(value):
            validate(v, node["items"], f"{where}[{i}]", out)


def corpus_files():
    for top in ("examples", os.path.join("tests", "data"),
                os.path.join("tools", "crdgen", "samples")):
        for dirpath, dirs, files in os.walk(os.path.join(ROOT, top)):
            dirs.sort()
            for f in sorted(files):
                if f.endswith((".yaml", ".yml")):
                    yield os.path.join(dirpath, f)


def case_corpus(a):
    schemas = {}
    for kind, name in CRDS.items():
        crd = load_all(os.path.join(DEPLOY, "crds", name))[0]
        schemas[kind] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    checked = 0
    for path in corpus_files():
        try:
            docs = load_all(path)
        except yaml.YAMLError:
            continue  # a test's template with placeholders
        ours = [d for d in docs if isinstance(d, dict) and d.get("kind") in schemas and
                d.get("apiVersion") == "argoproj.io/v1alpha1"]
        if not ours:
            continue
        lint = subprocess.run([a.cevents, "lint", path], capture_output=True, text=True)
        if lint.returncode != 0:
            continue  # written to be refused
        for d in ours:
            problems = []
            validate(d, schemas[d["kind"]], d["kind"], problems)
            for p in problems:
                fail(f"{os.path.relpath(path, ROOT)}: the CRD refuses what cevents takes: {p}")
            checked += 1
    print(f"{checked} objects checked")
    if checked < 20:
        fail(f"only {checked} corpus objects found to check")


# ---- the image ------------------------------------------------------------------------------

def dockerfile_stages():
    """The package lists of the Dockerfile's `apt-get install` lines, per stage."""
    with open(os.path.join(ROOT, "Dockerfile")) as f:
        text = f.read()
    text = re.sub(r"#[^\n]*", "", text).replace("\\\n", " ")
    stages = [s for s in re.split(r"^FROM\s", text, flags=re.M)[1:]]
    out = []
    for s in stages:
        pkgs = []
        for m in re.finditer(r"apt-get install ([^&\n]*)", s):
            pkgs += [t for t in m.group(1).split() if not t.startswith("-")]
        out.append(pkgs)
    return out


# In debian:bookworm-slim already (Essential packages and what they pull in), so the runtime
# stage need not name them: libc6 (libc, libm, libresolv, the loader), libgcc-s1 (libc6 needs
# it), zlib1g and libzstd1 (dpkg pre-depends on them).
BASE_IMAGE = {"libc6", "libgcc-s1", "zlib1g", "libzstd1"}
SANITIZER_RUNTIMES = ("libasan.", "libubsan.", "libtsan.", "liblsan.")


def package_of(lib_path):
    cands = [lib_path, os.path.realpath(lib_path)]
    for p in list(cands):
        if p.startswith("/usr/lib/"):
            cands.append(p[4:])
        elif p.startswith("/lib"):
            cands.append("/usr" + p)
    for p in cands:
        r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.split(":", 1)[0].strip()
    return None


def depends_closure(pkgs):
    """pkgs and everything they depend on, by the installed packages' Depends and Pre-Depends."""
    seen = set()
    todo = list(pkgs)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        r = subprocess.run(["dpkg-query", "-W", "-f=${Depends}, ${Pre-Depends}", p],
                           capture_output=True, text=True)
        if r.returncode != 0:
            continue
        for alt in r.stdout.split(","):
            for choice in alt.split("|"):
                name = choice.strip().split(" ")[0].split(":")[0]
                if name:
                    todo.append(name)
    return seen


def ldd_pairs(binary):
    """(name, path) of every library ldd lists for binary but the vDSO."""
    out = []
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    for line in ldd.splitlines():
        m = re.match(r"\s*(\S+)\s*(?:=>\s*(\S+))?\s*\(", line)
        if m and not m.group(1).startswith("linux-vdso"):
            out.append((m.group(1), m.group(2) or m.group(1)))
    return out


def ldd_libraries(binary):
    """(name, path) of every library ldd lists but the vDSO, a sanitizer's runtime and what only
    such a runtime needs (libstdc++ for libasan): a sanitizer build's instrumentation, which the
    image's Release build has none of."""
    pairs = ldd_pairs(binary)
    runtime_deps = set()
    for lib, path in pairs:
        if lib.startswith(SANITIZER_RUNTIMES):
            runtime_deps |= {n for n, _ in ldd_pairs(path)}
    others = set()
    for lib, path in pairs:
        if lib not in runtime_deps and not lib.startswith(SANITIZER_RUNTIMES):
            others |= {n for n, _ in ldd_pairs(path)}
    return [(lib, path) for lib, path in pairs
            if not lib.startswith(SANITIZER_RUNTIMES)
            and (lib not in runtime_deps or lib in others)]


def case_image_libs(a):
    if shutil.which("dpkg") is None or shutil.which("ldd") is None:
        print("dpkg or ldd missing")
        sys.exit(77)
    runtime = set(dockerfile_stages()[-1])
    if not runtime:
        fail("the Dockerfile's last stage installs no package")
        return
    direct = set(subprocess.run(["readelf", "-d", a.cevents], capture_output=True,
                                text=True).stdout.split("Shared library: [")[1:])
    direct = {d.split("]", 1)[0] for d in direct}
    closure = depends_closure(runtime | BASE_IMAGE)
    libs = ldd_libraries(a.cevents)
    used = set()
    for lib, path in libs:
        pkg = package_of(path)
        used.add(pkg)
        if pkg is None:
            fail(f"{lib} ({path}) belongs to no Debian package")
        elif lib in direct and pkg not in runtime | BASE_IMAGE:
            fail(f"{a.cevents} links {lib} directly: add {pkg} to the Dockerfile's runtime stage")
        elif pkg not in closure:
            fail(f"{lib} comes from {pkg}, which the runtime stage does not install")
    # ca-certificates and tzdata are data the binary reads, not libraries
    for p in sorted(runtime - {"ca-certificates", "tzdata"} - used):
        fail(f"the runtime stage installs {p}, which no library of the binary comes from")
    print(f"{len(libs)} libraries checked against {len(runtime)} packages")


def case_build_deps(a):
    with open(os.path.join(ROOT, "scripts", "install-deps.sh")) as f:
        listed = set(re.search(r"packages=\(([^)]*)\)", f.read()).group(1).split())
    build = dockerfile_stages()[0]
    for p in build:
        if p not in listed:
            fail(f"the Dockerfile's build stage installs {p}, which scripts/install-deps.sh "
                 "does not: keep the two lists in step")
    for p in ("cmake", "pkg-config", "libnats-dev", "libcurl4-openssl-dev"):
        if p not in build:
            fail(f"the build stage misses {p}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["drift", "structural", "corpus", "image_libs",
                                     "build_deps"])
    ap.add_argument("--cevents", required=True)
    ap.add_argument("--crdgen", required=True)
    a = ap.parse_args()
    if yaml is None and a.case in ("structural", "corpus"):
        print("python3-yaml is not installed")
        return 77
    globals()["case_" + a.case](a)
    if FAILS:
        print(f"{len(FAILS)} problem(s)")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
