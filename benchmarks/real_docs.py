"""Real documentation: click, flask and pytest built as they are, then with sphinx-kwindex added.

For each project (``--project NAME=REPO``) the repository tree (without
``.git``, ``_build``, ``__pycache__``) is copied twice into a scratch folder:

* **plain**: the documentation unchanged;
* **kwindex**: the same, with exactly two lines appended to the copied
  ``conf.py``: ``extensions.append("sphinx_kwindex")`` (``extensions +=
  ("sphinx_kwindex",)`` when it is a tuple) and ``kwindex_paths = [...]``,
  the project's package roots relative to ``conf.py``'s folder (table
  ``PROJECTS`` below).

Then, for every builder (``--builders``) and ``-j`` value (``--jobs``), both
copies are built by ``python -m sphinx -b BUILDER -n -j J -d DOCTREES SRC OUT``
with the ``--python`` of a virtualenv holding Sphinx, the projects' doc
requirements, the projects themselves (autodoc imports them) and
sphinx-kwindex. Every build starts from empty output and doctree folders (so
the extension's cache, under the doctrees, is cold). It measures:

* **warnings**: stderr is split into messages (a line with ``WARNING:``,
  ``ERROR:``, ``CRITICAL:`` or ``SomethingWarning:`` starts one, other lines
  continue it), colours stripped, the scratch folders and the original
  repository path replaced by ``<repo>``; the multisets of both builds are
  compared and the messages only in one are printed (``xN``: N more times);
* **seconds**: wall time of each ``sphinx`` process;
* **kw sections**: keyword-index sections in the kwindex build's output
  (``class="kwindex kwindex-keywords"`` in HTML/XHTML, ``Keyword index``
  in text and LaTeX), to see that every builder carries them;
* **module coverage** (html): the project's ``py:module`` entries of the plain
  build's ``objects.inv``, and how many of them have a ``docname`` in the
  kwindex build's ``kwindex.json``; the same for the modules defining the
  documented objects (click documents ``click.core`` through
  ``currentmodule`` and has no ``py:module`` entry);
* **link coverage** (html), per keyword: every ``py:*`` object of the project
  in the plain ``objects.inv`` is resolved statically to the keyword it
  documents, with ``kwindex.json`` and the import entries the pages show
  (``flask.Flask`` -> ``flask.app`` / ``Flask``, following re-exports). An
  object whose name is a class's member that the class does not define itself
  (``flask.Flask.add_url_rule``, autodoc's ``:inherited-members:``) is
  resolved, independently of sphinx-kwindex, with astroid's own tree of the
  file and its method resolution order to the class defining it
  (``flask.sansio.scaffold`` / ``Scaffold.add_url_rule``). Our HTML marks each
  keyword entry ``<li id="kw-MODULE.QUALNAME">`` (ids of blocks added to the
  project's own pages start with ``in-``) inside a block of class
  ``kwindex-keywords``; an entry's link is the ``<a href>`` around its
  ``code.kwindex-name``. A keyword documented under its name or a re-export is
  *linked* when that href, resolved against its page, equals the URI of one of
  the objects documenting it. Printed: the keywords documented by name or
  re-export in modules that show a keyword index and how many are linked
  (the acceptance figure), the same for keywords documented only under a
  subclass, re-exported names shown as import entries (``flask.Flask`` in
  ``flask``'s index) and whether they link to the documentation, and the
  documented objects that are no keyword (members inherited from another
  project's classes, such as werkzeug's ``Request`` properties under
  ``flask.Request``, or names made at run time), with examples.

::

    python benchmarks/real_docs.py --python /work/venv-docs/bin/python \\
        --project click=/work/real/click --project flask=/work/real/flask \\
        --project pytest=/work/real/pytest --builders html,text --jobs 1

Needs the standard library, plus BeautifulSoup (``bs4``) and astroid for the
link coverage: run it with the docs virtualenv's python (astroid comes with
sphinx-kwindex), or install them where it runs. Without network, intersphinx inventories are unreachable: the same
warnings appear in both builds and cancel out. The scratch copies are not git
work trees, so the "changed together" signal is skipped (said at info level).
"""

from __future__ import annotations

import argparse
import json
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin


@dataclass(frozen=True)
class Docs:
    docs: str  # folder holding conf.py, relative to the repository
    roots: tuple[str, ...]  # kwindex_paths, relative to the repository


PROJECTS = {
    "click": Docs("docs", ("src/click",)),
    "flask": Docs("docs", ("src/flask",)),
    "pytest": Docs("doc/en", ("src/_pytest", "src/pytest")),
}
IGNORE = shutil.ignore_patterns(".git", "_build", "__pycache__", ".tox", ".venv", "node_modules", ".mypy_cache")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
STARTS = re.compile(r"(WARNING|ERROR|CRITICAL|SEVERE):|\b\w*Warning: ")
PY_TYPES = ("py:class", "py:function", "py:method", "py:attribute", "py:exception", "py:data",
            "py:property", "py:classmethod", "py:staticmethod", "py:decorator", "py:decoratormethod",
            "py:type")
DEF_LINKED = "  entry links to the object's documentation"
ANY_LINKED = "  any entry links to the object's documentation"
HTMLISH = {"html", "dirhtml", "singlehtml", "epub"}


@dataclass
class Build:
    seconds: float
    ok: bool
    warnings: Counter = field(default_factory=Counter)
    out: Path | None = None


# --- building ---------------------------------------------------------------------------------


def prepare(repo: Path, scratch: Path, docs: Docs, kwindex: bool) -> Path:
    """Copy the repository; for the kwindex copy append the two lines to conf.py. The docs folder."""
    tree = scratch / "repo"
    shutil.copytree(repo, tree, ignore=IGNORE, symlinks=True)
    src = tree / docs.docs
    if kwindex:
        conf = src / "conf.py"
        text = conf.read_text(encoding="utf-8")
        tuple_ext = re.search(r"^extensions\s*=\s*\(", text, re.M) is not None
        append = 'extensions += ("sphinx_kwindex",)' if tuple_ext else 'extensions.append("sphinx_kwindex")'
        roots = [posixpath.relpath((tree / r).as_posix(), src.as_posix()) for r in docs.roots]
        conf.write_text(text.rstrip("\n") + f"\n{append}\nkwindex_paths = {roots!r}\n", encoding="utf-8")
    return src


def normalise(message: str, replacements: list[tuple[str, str]]) -> str:
    message = ANSI.sub("", message)
    for old, new in replacements:
        message = message.replace(old, new)
    return message.rstrip()


def split_messages(stderr: str) -> list[str]:
    messages: list[str] = []
    for line in stderr.splitlines():
        if not line.strip():
            continue
        if STARTS.search(ANSI.sub("", line)) or not messages:
            messages.append(line)
        else:
            messages[-1] += " | " + line.strip()
    return messages


def build(python: str, src: Path, scratch: Path, repo: Path, builder: str, jobs: int) -> Build:
    base = scratch / f"{builder}-j{jobs}"
    shutil.rmtree(base, ignore_errors=True)
    out, doctrees = base / "out", base / "doctrees"
    command = [python, "-m", "sphinx", "-b", builder, "-n", "-j", str(jobs), "-d", str(doctrees), str(src), str(out)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=src, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    (base / "stdout.txt").write_text(done.stdout)
    (base / "stderr.txt").write_text(done.stderr)
    replacements = [(str((scratch / "repo").resolve()), "<repo>"), (str(scratch / "repo"), "<repo>"),
                    (str(repo), "<repo>"), (str(base), "<build>")]
    warnings = Counter(normalise(m, replacements) for m in split_messages(done.stderr))
    if done.returncode != 0:
        print(f"  FAILED ({done.returncode}): {' '.join(command)}\n{done.stderr[-2000:]}", file=sys.stderr)
    return Build(seconds, done.returncode == 0, warnings, out)


def kw_sections(out: Path, builder: str) -> int:
    """Keyword index sections or blocks in a build's output."""
    if builder in HTMLISH:
        pattern, suffixes = re.compile(r'class="kwindex kwindex-keywords[ "]'), (".html", ".xhtml")
    else:
        pattern, suffixes = re.compile("Keyword index"), (".txt", ".tex")
    return sum(len(pattern.findall(p.read_text(errors="replace")))
               for p in out.rglob("*") if p.suffix in suffixes and p.is_file())


# --- objects.inv, kwindex.json, HTML ----------------------------------------------------------

INV_LINE = re.compile(r"(.+?)\s+(\S+)\s+(-?\d+)\s+?(\S*)\s+(.*)")


def read_inventory(path: Path) -> dict[str, dict[str, str]]:
    """{type: {name: uri}} of a Sphinx objects.inv (version 2), decoded with zlib."""
    raw = path.read_bytes()
    header_end = 0
    for _ in range(4):
        header_end = raw.index(b"\n", header_end) + 1
    result: dict[str, dict[str, str]] = defaultdict(dict)
    for line in zlib.decompress(raw[header_end:]).decode("utf-8").splitlines():
        match = INV_LINE.match(line.rstrip())
        if not match:
            continue
        name, kind, _prio, uri, _disp = match.groups()
        if uri.endswith("$"):
            uri = uri[:-1] + name
        result[kind][name] = uri
    return result


def same_target(a: str, b: str) -> bool:
    pa, _, fa = a.partition("#")
    pb, _, fb = b.partition("#")
    same_page = posixpath.normpath(unquote(pa) or ".") == posixpath.normpath(unquote(pb) or ".")
    return same_page and unquote(fa) == unquote(fb)


@dataclass
class Entry:
    page: str  # relative to the output folder
    href: str | None  # resolved against the output root, None when the name is not a link
    target: str | None = None  # import entries: the "-> target"


def scan_html(out: Path) -> tuple[set[str], dict[str, list[Entry]], dict[tuple[str, str], Entry]]:
    """Modules with a keyword index, definition entries by id, import entries by (module, name)."""
    from bs4 import BeautifulSoup

    shown: set[str] = set()
    definitions: dict[str, list[Entry]] = defaultdict(list)
    imports: dict[tuple[str, str], Entry] = {}
    for page in sorted(out.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        if "kwindex-keywords" not in text:
            continue
        rel = page.relative_to(out).as_posix()
        soup = BeautifulSoup(text, "html.parser")
        for block in soup.find_all(class_="kwindex-keywords"):
            module = block_module(block)
            if module is None:
                continue
            shown.add(module)
            for li in block.find_all("li", id=re.compile(r"^(in-)?kw(import)?-")):
                entry_id = li["id"].removeprefix("in-")
                code = li.find("code", class_="kwindex-name")
                link = code.parent if code is not None and code.parent.name == "a" else None
                href = None
                if link is not None and link.get("href"):
                    href = urljoin("http://x/" + rel, link["href"])[len("http://x/"):]
                if entry_id.startswith("kw-"):
                    definitions[entry_id[len("kw-"):]].append(Entry(rel, href))
                    continue
                name = entry_id[len("kwimport-") + len(module) + 1:]
                others = [c for c in li.find_all("code") if c is not code]
                target = others[0].get_text() if others else None
                imports[(module, name)] = Entry(rel, href, target)
    return shown, definitions, imports


def block_module(block) -> str | None:
    """The module of a keyword index block: from its ids (``kwkeywords-MOD``, ``in-kwindex-MOD``...;
    docutils writes the first id on the element, the others on empty spans inside it)."""
    ids = [block.get("id", "")] + [span["id"] for span in block.find_all("span", id=True, recursive=False)]
    for node_id in ids:
        match = re.match(r"^(?:in-)?kw(?:keywords|index)-(.+)$", node_id or "")
        if match:
            return match.group(1)
    return None


class Resolver:
    """Where an object is defined, statically, from kwindex.json and the import entries shown."""

    def __init__(self, modules: dict, shown_imports: dict[tuple[str, str], Entry]):
        self.modules = modules
        # A definition wins over an import of the same name (a function importing its namesake
        # locally, as click.termui.get_pager_file does, is still defined in its module).
        self.kinds = {m: {k["name"]: k["kind"] for k in sorted(d["keywords"], key=lambda k: k["kind"] != "import")}
                      for m, d in modules.items()}
        self.targets: dict[tuple[str, str], str] = {}
        for m, d in modules.items():
            for imp in d["imports"]:
                for n in imp["names"]:
                    self.targets.setdefault((m, n), f"{imp['module']}.{n}")
        for key, entry in shown_imports.items():
            if entry.target:
                self.targets[key] = entry.target

    def resolve(self, name: str, depth: int = 0) -> tuple[str, str] | None:
        parts = name.split(".")
        for i in range(len(parts), 0, -1):
            module = ".".join(parts[:i])
            if module in self.modules:
                break
        else:
            return None
        rest = parts[i:]
        if not rest:
            return module, ""
        kind = self.kinds[module].get(rest[0])
        if kind is not None and kind != "import":
            return module, ".".join(rest)
        target = self.targets.get((module, rest[0]))
        if target and depth < 10:
            return self.resolve(".".join([target, *rest[1:]]), depth + 1)
        return None  # not defined in the module, not imported by name: unknown statically


class Members:
    """Which class an inherited member comes from, found independently of sphinx-kwindex: astroid's
    own tree of the file and its MRO (bases inferred statically from the files; nothing imported)."""

    def __init__(self, modules: dict, roots: list[Path]) -> None:
        self.modules = modules
        #: where kwindex.json's paths may start: the project root is the common parent of the roots
        #: (the scratch copy is no git work tree)
        self.bases = [root.parent for root in roots] + roots + [Path(*root.parts[:-2]) for root in roots]
        self.trees: dict[str, object] = {}

    def defining(self, module: str, qualname: str) -> tuple[str, str] | None:
        import astroid

        parts = qualname.split(".")
        if len(parts) < 2 or module not in self.modules:
            return None
        if module not in self.trees:
            relative = self.modules[module]["path"]
            path = next((base / relative for base in self.bases if (base / relative).is_file()), None)
            try:
                self.trees[module] = astroid.MANAGER.ast_from_file(str(path), modname=module)
            except Exception:  # noqa: BLE001 - a file astroid cannot read: no answer
                self.trees[module] = None
        node = self.trees[module]
        for part in parts[:-1]:
            classes = [n for n in (node.locals.get(part, ()) if node is not None else ())
                       if isinstance(n, astroid.nodes.ClassDef)]
            if not classes:
                return None
            node = classes[0]
        try:
            mro = node.mro()
        except Exception:  # noqa: BLE001 - inconsistent or uninferable MRO: the ancestors in order
            mro = [node, *node.ancestors()]
        for klass in mro:
            if parts[-1] in klass.locals or parts[-1] in klass.instance_attrs:
                root = klass.root().name
                return root, f"{klass.qname()[len(root) + 1:]}.{parts[-1]}"
        return None


def coverage(name: str, tops: set[str], plain_out: Path, kw_out: Path, roots: list[Path]) -> None:
    """Module coverage and link coverage per keyword (see the module docstring)."""
    inventory = read_inventory(plain_out / "objects.inv")

    def mine(n: str) -> bool:
        return n.split(".")[0] in tops

    data = json.loads((kw_out / "kwindex.json").read_text())["modules"]
    documented = sorted(n for n in inventory.get("py:module", {}) if mine(n))
    with_page = [m for m in documented if (data.get(m) or {}).get("docname")]
    print(f"\n[{name}] module coverage: {len(documented)} modules documented (py:module in objects.inv), "
          f"{len(with_page)} with a docname in kwindex.json; analysed modules: {len(data)}, "
          f"with a docname: {sum(1 for d in data.values() if d.get('docname'))}")
    missing = [m for m in documented if m not in with_page]
    if missing:
        print(f"  documented, docname null or not analysed: {', '.join(missing)}")
    try:
        shown, definitions, imports = scan_html(kw_out)
    except ImportError:
        print("  link coverage skipped: bs4 is not installed for this python")
        return
    resolver = Resolver(data, imports)
    members = Members(data, roots)
    objects = sorted((n, uri, t) for t in PY_TYPES for n, uri in inventory.get(t, {}).items() if mine(n))
    # keyword (module, qualname) -> URIs documenting it by its name or a re-export, and under a subclass
    by_name: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_subclass: dict[tuple[str, str], list[str]] = defaultdict(list)
    count: Counter = Counter()
    no_keyword: list[str] = []
    unlinked_imports: list[str] = []
    for obj, uri, kind in objects:
        where = resolver.resolve(obj)
        if where is not None and where[1] and resolver.kinds[where[0]].get(where[1]) not in (None, "import"):
            by_name[where].append(uri)
        elif where is not None and where[1] and (inherited := members.defining(*where)) is not None \
                and resolver.kinds.get(inherited[0], {}).get(inherited[1]) not in (None, "import"):
            by_subclass[inherited].append(uri)
        else:
            count["objects with no keyword"] += 1
            no_keyword.append(f"{kind} {obj}" + (f" (looked up as {where[0]} / {where[1]})" if where else ""))
        parts = obj.split(".")
        for i in range(len(parts) - 1, 0, -1):
            head = ".".join(parts[:i])
            if head in shown and (head, ".".join(parts[i:])) in imports:
                reexport = imports[(head, ".".join(parts[i:]))]
                count["re-exported names with an import entry"] += 1
                if reexport.href and same_target(reexport.href, uri):
                    count["  linked to the object's documentation"] += 1
                else:
                    unlinked_imports.append(f"{kind} {obj} (uri {uri}): import entry -> {reexport.target} on "
                                            f"{reexport.page}: {reexport.href or 'no link'}")
                break
    unlinked: list[str] = []

    def tally(label: str, keys: dict[tuple[str, str], list[str]], also: dict) -> tuple[int, int]:
        base = linked = 0
        for key in sorted(keys):
            if key in also and label != "by name":
                continue  # counted with the keywords documented by name
            if key[0] not in shown:
                count[f"{label}: in a module without a keyword index"] += 1
                continue
            base += 1
            uris = keys[key] + also.get(key, [])
            entries = definitions.get(f"{key[0]}.{key[1]}", [])
            if any(e.href and any(same_target(e.href, uri) for uri in uris) for e in entries):
                linked += 1
            elif entries:
                hrefs = ", ".join(sorted({e.href or "no link" for e in entries}))
                unlinked.append(f"{label}: kw-{key[0]}.{key[1]} on {entries[0].page} -> {hrefs}; "
                                f"documented at {', '.join(sorted(set(uris)))}")
            else:
                unlinked.append(f"{label}: no entry kw-{key[0]}.{key[1]} in the shown index of {key[0]}")
        return base, linked

    defining = sorted({module for module, _ in by_name})
    without = [module for module in defining if not (data.get(module) or {}).get("docname")]
    print(f"[{name}] modules defining objects documented by name or re-export: {len(defining)}, "
          f"with a docname in kwindex.json: {len(defining) - len(without)}"
          + (f" (without: {', '.join(without)})" if without else ""))
    direct = tally("by name", by_name, by_subclass)
    inherited = tally("under a subclass only", by_subclass, by_name)
    print(f"[{name}] link coverage: {len(objects)} documented py objects of the project; "
          f"modules with a keyword index: {len(shown)}")
    print(f"  objects documented under a keyword's name or a re-export  {sum(map(len, by_name.values())):>5}")
    print(f"  objects documented under a subclass that inherits it      {sum(map(len, by_subclass.values())):>5}")
    print(f"  objects with no keyword (not a definition statically)     {count['objects with no keyword']:>5}")
    for label in ("by name", "under a subclass only"):
        key = f"{label}: in a module without a keyword index"
        if count[key]:
            print(f"  keywords documented {label}, module shows no index    {count[key]:>5}")
    for label, (base, linked) in (("by name or re-export", direct), ("only under a subclass", inherited)):
        share = f"{100 * linked / base:.1f} %" if base else "-"
        print(f"  => keywords documented {label}: {base}, linked to it: {linked} ({share})")
    reexported = count["re-exported names with an import entry"]
    if reexported:
        print(f"  => re-exported names with an import entry: {reexported}, linked to the object's "
              f"documentation: {count['  linked to the object' + chr(39) + 's documentation']}")
    for line in (unlinked + unlinked_imports)[:20]:
        print(f"  unlinked: {line}")
    if len(unlinked) + len(unlinked_imports) > 20:
        print(f"  ... {len(unlinked) + len(unlinked_imports) - 20} more")
    for line in no_keyword[:10]:
        print(f"  no keyword: {line}")
    if len(no_keyword) > 10:
        print(f"  ... {len(no_keyword) - 10} more")


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="python of the docs virtualenv")
    parser.add_argument("--project", action="append", required=True, metavar="NAME=REPO",
                        help=f"a repository to build; NAME one of {', '.join(PROJECTS)}")
    parser.add_argument("--builders", default="html,text", help="comma-separated Sphinx builders")
    parser.add_argument("--jobs", default="1", help="comma-separated -j values")
    parser.add_argument("--out", type=Path, help="scratch folder to keep (default: a temporary one, removed)")
    args = parser.parse_args()
    builders = [b for b in args.builders.split(",") if b]
    jobs = [int(j) for j in args.jobs.split(",") if j]
    scratch_root = (args.out or Path(tempfile.mkdtemp(prefix="kwindex-real-"))).resolve()
    versions = subprocess.run(
        [args.python, "-c", "import sphinx, sphinx_kwindex, astroid, importlib.metadata as m; "
         "print('Sphinx', sphinx.__version__, '| sphinx-kwindex', m.version('sphinx-kwindex'), "
         "'| astroid', astroid.__version__)"], capture_output=True, text=True)
    print(versions.stdout.strip() or versions.stderr.strip())
    rows = []
    for spec in args.project:
        name, _, repo_text = spec.partition("=")
        if name not in PROJECTS:
            raise SystemExit(f"unknown project {name!r}: add it to PROJECTS")
        docs, repo = PROJECTS[name], Path(repo_text).resolve()
        tops = {Path(r).name for r in docs.roots}
        variants = {}
        for variant in ("plain", "kwindex"):
            scratch = scratch_root / name / variant
            shutil.rmtree(scratch, ignore_errors=True)
            scratch.mkdir(parents=True)
            variants[variant] = (scratch, prepare(repo, scratch, docs, variant == "kwindex"))
        for builder in builders:
            for j in jobs:
                print(f"[{name}] {builder} -j {j} ...", flush=True)
                plain = build(args.python, variants["plain"][1], variants["plain"][0], repo, builder, j)
                ours = build(args.python, variants["kwindex"][1], variants["kwindex"][0], repo, builder, j)
                new, gone = ours.warnings - plain.warnings, plain.warnings - ours.warnings
                sections = kw_sections(ours.out, builder) - kw_sections(plain.out, builder) if ours.ok else 0
                rows.append((name, builder, j, sum(plain.warnings.values()), sum(ours.warnings.values()),
                             sum(new.values()), sum(gone.values()), plain.seconds, ours.seconds, sections,
                             "" if plain.ok and ours.ok else "FAILED"))
                for label, diff in (("only in kwindex", new), ("only in plain", gone)):
                    for message, n in sorted(diff.items()):
                        print(f"  {label}: {message}" + (f"  x{n}" if n > 1 else ""))
                if builder == "html" and plain.ok and ours.ok:
                    coverage(name, tops, plain.out, ours.out, [variants["kwindex"][0] / "repo" / r for r in docs.roots])
    print()
    header = ("project", "builder", "-j", "warn plain", "warn kwindex", "new", "gone", "s plain", "s kwindex",
              "kw sections", "")
    print("| " + " | ".join(f"{h:>12}" for h in header) + " |")
    print("|" + "|".join("-" * 14 for _ in header) + "|")
    for p, b, j, wp, wk, n, g, sp, sk, ks, status in rows:
        cells = (p, b, j, wp, wk, n, g, f"{sp:.1f}", f"{sk:.1f}", ks, status)
        print("| " + " | ".join(f"{c!s:>12}" for c in cells) + " |")
    print(f"\nscratch: {scratch_root}" + ("" if args.out else " (removed)"))
    if not args.out:
        shutil.rmtree(scratch_root, ignore_errors=True)


if __name__ == "__main__":
    main()
