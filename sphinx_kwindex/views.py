"""What each section shows, as small immutable views computed from the project state (no Sphinx).

A renderer turns a view into docutils nodes and reads nothing else, so a view
is the whole description of its section. A page's digest is the digest of the
views it shows (:func:`digest_of`): a page is re-read exactly when one of its
views changed, with no second description of its content to keep in step.
Sections that depend on other modules (imported by, related files, contents)
change their view, and so their page, when those modules change.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from sphinx_kwindex import fingerprint
from sphinx_kwindex.fingerprint import plain_digest, value_digest
from sphinx_kwindex.model import KIND_NOUNS, KINDS, Definition, ImportedName, ModuleSummary, count_of
from sphinx_kwindex.pictures import Picture, neighbourhood_picture, package_picture
from sphinx_kwindex.project.index import ProjectIndex
from sphinx_kwindex.project.keywords import KeywordEntry, KeywordGroup
from sphinx_kwindex.project.related import RelatedFile
from sphinx_kwindex.project.related.incremental import project_frame

#: What a page can show for a module, in page order.
SECTIONS = ("facts", "contents", "keywords", "related")


@dataclass(frozen=True, slots=True)
class ImportEntry:
    """An imported name as the keyword index shows it."""

    imported: ImportedName
    #: (project module, qualified name in it; ``""`` for the module itself) when the target is in the project
    project_target: tuple[str, str] | None


class NameLookup(NamedTuple):
    """A keywords view's names, as dicts for many lookups (:meth:`KeywordsView.public_lookup`)."""

    #: (module, top-level name) -> the names packages re-export it under
    public: dict[tuple[str, str], tuple[str, ...]]
    #: class of the module -> ((names a subclass may be documented under, members it overrides), ...)
    inherited: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]]


@dataclass(frozen=True, slots=True)
class KeywordsView:
    """The "Keyword index" of a module: its definitions and imports, shown by kind.

    It holds the module's summary as it is: a summary's digest is its identity (see
    :func:`~sphinx_kwindex.fingerprint.value_digest`), so the page's digest costs the same for
    a module of 10 definitions as for one of 5,000. What depends on other modules (where each
    import leads) is held beside it.
    """

    summary: ModuleSummary
    #: the kinds shown, in page order
    kinds: tuple[str, ...]
    #: the project target of each imported name, in the summary's order (empty when imports
    #: are not shown): (project module, qualified name in it; ``""`` for the module itself), or None
    import_targets: tuple[tuple[str, str] | None, ...]
    #: (module, top-level name, the names packages re-export it under) of the module's own
    #: definitions and of its imports' project targets that have any
    public_names: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    #: (class of the module, ((names a subclass may be documented under, the class's members it
    #: overrides), ...)) of the module's classes that project classes inherit from, nearest first
    inherited: tuple[tuple[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]], ...] = ()
    #: (definition, places using it, modules using it, the first places: (module, scope, line, kind))
    #: of the definitions the project uses; other modules' places first (see :func:`usage_of`)
    used_by: tuple[tuple[str, int, int, tuple[tuple[str, str, int, str], ...]], ...] = ()

    @property
    def module(self) -> str:
        return self.summary.module

    @property
    def path(self) -> str:
        return self.summary.path

    @property
    def lines(self) -> int:
        return self.summary.lines

    @property
    def failure(self) -> str | None:
        """Why the file could not be analysed, or None."""
        return _failure(self.summary)

    @property
    def definitions(self) -> tuple[Definition, ...]:
        return self.summary.definitions

    @property
    def imports(self) -> tuple[ImportEntry, ...]:
        """The imported names with their project targets (when imports are shown)."""
        return tuple(map(ImportEntry, self.summary.imported_names, self.import_targets))

    @property
    def import_count(self) -> int:
        """How many names the module imports (the overview counts them when they are not shown)."""
        return len(self.summary.imported_names)

    def documented_names(self, module: str, qualname: str, lookup: NameLookup | None = None) -> tuple[str, ...]:
        """Where ``module.qualname`` may be documented: its own name, then under each package
        that re-exports it (``flask.Flask.route`` for ``flask.app.Flask.route``), then, for a member
        of one of this module's classes, under each subclass inheriting it
        (``flask.Flask.add_url_rule`` for ``flask.sansio.scaffold.Scaffold.add_url_rule``).
        ``lookup``: :meth:`public_lookup`, for many calls."""
        lookup = lookup if lookup is not None else self.public_lookup()
        head, dot, rest = qualname.partition(".")
        names = (f"{module}.{qualname}", *(f"{alias}{dot}{rest}" for alias in lookup.public.get((module, head), ())))
        owner, dot, member = qualname.rpartition(".")
        subclasses = lookup.inherited.get(owner) if dot and module == self.module else None
        if subclasses:
            names += tuple(f"{prefix}.{member}" for prefixes, overridden in subclasses
                           if member not in overridden for prefix in prefixes)
        return names

    def public_lookup(self) -> NameLookup:
        """The re-export names and the inheriting subclasses, as dicts, for many calls."""
        return NameLookup({(module, name): names for module, name, names in self.public_names}, dict(self.inherited))

    def counts(self) -> list[tuple[str, int]]:
        """(kind, count) of every kind the module has, in :data:`KINDS` order (the overview line)."""
        counts = Counter(definition.kind for definition in self.definitions)
        counts["import"] = self.import_count
        return [(kind, counts[kind]) for kind in KINDS if counts[kind]]

    def groups(self) -> list[tuple[str, list[Definition | ImportEntry]]]:
        """(kind, entries sorted by name) of the kinds shown that have entries."""
        groups: dict[str, list] = {kind: [] for kind in self.kinds}
        for definition in self.definitions:
            if definition.kind in groups:
                groups[definition.kind].append(definition)
        for entries in groups.values():
            entries.sort(key=_by_name)
        if "import" in groups:
            groups["import"] = sorted(self.imports, key=lambda entry: _by_name(entry.imported))
        return [(kind, entries) for kind, entries in groups.items() if entries]

    def anchor_terms(self) -> list[tuple[str, str, str]]:
        """(anchor prefix, name, kind) of every entry, for reserving their ids when the page is read."""
        return [(anchor_prefix(kind), _entry_name(entry), kind) for kind, entries in self.groups() for entry in entries]


@dataclass(frozen=True, slots=True)
class FactsView:
    """The "File facts": what a reviewer wants to know before opening the file."""

    module: str
    path: str
    doc: str
    #: ``test module``, ``package``... in words
    kind: str
    lines: int
    size: int
    failure: str | None
    #: ``3 classes, 1 function`` (empty when the file could not be analysed)
    defines: str
    depends_project: tuple[str, ...]
    depends_stdlib: tuple[str, ...]
    depends_third_party: tuple[str, ...]
    #: ``threads: Thread (line 3); ...``, or empty
    notable_calls: str
    test_command: str | None
    #: the package or folder holding the module, when the project has it
    parent: str
    #: the label of the project keyword index, when the project has one
    keyword_index_label: str | None


@dataclass(frozen=True, slots=True)
class ContentsEntry:
    """One module, package or folder inside a package."""

    name: str
    #: modules inside, for a folder that is no module; None for a module
    folder_modules: int | None = None
    is_package: bool = False
    classes: int = 0
    functions: int = 0
    doc: str = ""


@dataclass(frozen=True, slots=True)
class ContentsView:
    """A package's (or namespace folder's) modules and sub-packages."""

    name: str
    children: tuple[ContentsEntry, ...]
    #: the imports among the children, when pictures are on and any child imports another
    picture: Picture | None = None


@dataclass(frozen=True, slots=True)
class RelatedView:
    """The "Related files": ranked entries with reasons, then imports, imported by and tests."""

    module: str
    related: tuple[RelatedFile, ...]
    #: (module, names imported from it; ``()``: the module itself), sorted by module
    imports: tuple[tuple[str, tuple[str, ...]], ...]
    imported_by: tuple[tuple[str, tuple[str, ...]], ...]
    #: ``Tests`` for a test module, else ``Tested by``
    tests_title: str
    tests: tuple[str, ...]
    test_command: str | None
    #: the module's neighbourhood, when pictures are on and it is linked to anything
    picture: Picture | None = None


@dataclass(frozen=True, slots=True)
class KeywordPageLink:
    """One page of the project keyword index, in the letter navigation."""

    key: str
    title: str
    docname: str
    size: int


@dataclass(frozen=True, slots=True)
class KeywordFrontView:
    """The front page of the project keyword index: a link per page with its size."""

    pages: tuple[KeywordPageLink, ...]


@dataclass(frozen=True, slots=True)
class KeywordPageView:
    """One page of the project keyword index, with the navigation to all pages."""

    key: str
    pages: tuple[KeywordPageLink, ...]
    entries: tuple[KeywordEntry, ...]
    #: (places, modules) using each entry, in the order of ``entries`` (empty: references are off)
    usage: tuple[tuple[int, int], ...] = ()


View = KeywordsView | FactsView | ContentsView | RelatedView | KeywordFrontView | KeywordPageView


def digest_of(views: tuple[View, ...]) -> str:
    """The digest a page records for what it shows; the renderers' code is part of it."""
    return value_digest((fingerprint.code_digest(), views))


def anchor_prefix(kind: str) -> str:
    """Imports get their own prefix: ``np`` may be both imported and assigned."""
    return "kwimport" if kind == "import" else "kw"


# -- module sections ------------------------------------------------------------


def section_view(
    index: ProjectIndex, section: str, module: str, *, kinds: tuple[str, ...] = KINDS, limit: int | None = None,
    keyword_index_label: str | None = None, pictures: bool = False,
) -> View | None:
    """The view of one section of ``module`` (a module, or a folder for ``contents``); None when the
    section has nothing to show there (no such module, no children). ``pictures``: the related
    files and the contents hold their picture."""
    if section == "contents":
        return contents_view(index, module, pictures) if index.children(module) else None
    summary = index.get(module)
    if summary is None:
        return None
    if section == "keywords":
        return keywords_view(index, summary, kinds)
    if section == "facts":
        return facts_view(index, summary, keyword_index_label)
    if section == "related":
        return related_view(index, summary, index.related_limit if limit is None else limit, pictures)
    raise ValueError(f"unknown section {section!r}; allowed: {', '.join(SECTIONS)}")


# -- what a module's sections read ------------------------------------------------------
#
# A section's view of a module is a function of the project's frame (its modules with their
# paths and test flags, the settings, this code) and of the module data (:func:`module_data`) of
# the modules :func:`section_reads` names. So when the frame is the same, a view can only have
# changed if the module data of one of those modules did: the pages showing no such module are
# not compared at all (see ``glue.events``). A view function that starts reading something else
# must say so here; ``tests/test_incremental_views.py`` compares with comparing every page.


def module_data(index: ProjectIndex) -> dict[str, str]:
    """{module: digest of everything about it that a section's view reads}: its summary, related
    files (at the configured limit), import and test links both ways, the names packages
    re-export its definitions under, the classes inheriting from its classes (with their
    names), and where the project uses its definitions. That last is a function of the
    references of the modules using them (:meth:`~ProjectIndex.users`) and of its own: their
    digests stand for it (writing out every place took 0.5 s of each PyTorch edit rebuild)."""
    public: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for (module, name), aliases in index.all_public_names().items():
        public.setdefault(module, []).append((name, aliases))
    graph = index.graph
    users = index.users()
    references = index.module_reference_digest
    found = {}
    for module, summary in index.modules.items():
        subclasses = tuple((d.name, index.subclass_names(module, d.name)) for d in summary.definitions
                           if d.kind == "class")
        used = (references(module), tuple((user, references(user)) for user in users.get(module, ())))
        found[module] = plain_digest((
            value_digest(summary), index.related(module), tuple(graph.imports_of(module).items()),
            tuple(graph.imported_by(module).items()), graph.tests_of(module), graph.tested_by(module),
            tuple(sorted(public.get(module, ()))), subclasses, used,
        ))
    return found


#: Keys of :func:`keyword_data` besides the groups' own (which are file-name parts: no slash).
FRONT, NAVIGATION = "/front", "/navigation"


def keyword_data(groups: tuple[KeywordGroup, ...]) -> dict[str, str]:
    """What the views of the project keyword index's pages read, besides :func:`module_data` of
    the modules their entries come from (:func:`keyword_reads`): under ``FRONT``, what the front
    page lists (keys, titles, sizes); under ``NAVIGATION``, what every page names (keys, titles);
    under each group's key, its entries."""
    found = {FRONT: plain_digest(tuple((group.key, group.title, len(group.entries)) for group in groups)),
             NAVIGATION: plain_digest(tuple((group.key, group.title) for group in groups))}
    for group in groups:
        found[group.key] = plain_digest(group.as_row())
    return found


def keyword_reads(group: KeywordGroup) -> set[str]:
    """The modules whose :func:`module_data` the view of a keyword page reads."""
    return {entry.module for entry in group.entries}


def data_frame(index: ProjectIndex) -> str:
    """The digest of what every view may read besides :func:`module_data`: this code, the modules
    with their paths and test flags, the ranking's settings and history, references on or off."""
    return value_digest((project_frame(index.modules, index.weights, index.related_limit, index.cochange),
                         index.references_on))


def section_reads(index: ProjectIndex, section: str, module: str) -> set[str]:
    """The modules whose :func:`module_data` the view of ``section`` of ``module`` reads (related
    files at the configured limit; another limit reads more)."""
    if section == "contents":  # the members, and for the picture every module below
        below, stack = set(), [module]
        while stack:
            name = stack.pop()
            below.add(name)
            stack.extend(index.children(name))
        return below & index.modules.keys()
    summary = index.get(module)
    if summary is None:
        return set()
    if section == "keywords":  # where each import leads: the modules whose re-exports it follows
        return {module, *(name for imported in summary.imported_names for name in index.followed(imported.target))}
    return {module}


def keywords_view(index: ProjectIndex, summary: ModuleSummary, kinds: tuple[str, ...] = KINDS) -> KeywordsView:
    targets = tuple(index.defined_target(entry.target) for entry in summary.imported_names) if "import" in kinds else ()
    heads = {(summary.module, d.name.partition(".")[0]) for d in summary.definitions if d.kind in kinds}
    heads |= {(module, qualname.partition(".")[0]) for module, qualname in filter(None, targets) if qualname}
    public = tuple((module, name, names) for module, name in sorted(heads)
                   if (names := index.public_names(module, name)))
    inherited = tuple((d.name, subclasses) for d in summary.definitions
                      if d.kind == "class" and (subclasses := index.subclass_names(summary.module, d.name)))
    used = index.used_by(summary.module)
    used_by = tuple((d.name, *usage_of(summary.module, used[d.name])) for d in summary.definitions
                    if d.kind in kinds and d.name in used)
    return KeywordsView(summary, tuple(kinds), targets, public, inherited, used_by)


#: Places listed on a keyword's entry; the counts and ``kwindex-references.json`` have them all.
MAX_PLACES = 5


def usage_of(module: str, places: tuple[tuple[str, str, int, str], ...]) -> tuple[int, int, tuple]:
    """(places, modules, the first :data:`MAX_PLACES` places) of a definition's uses: a place is a
    line of a scope (a call there when any use on it is one), other modules' first."""
    kinds: dict[tuple[str, str, int], str] = {}
    for user, scope, line, kind in places:
        key = (user, scope, line)
        if kinds.get(key) != "call":
            kinds[key] = kind
    ordered = sorted(kinds, key=lambda key: (key[0] == module, key[0], key[2], key[1]))
    return len(kinds), len({key[0] for key in kinds}), tuple((*key, kinds[key]) for key in ordered[:MAX_PLACES])


def usage_counts(places: tuple[tuple[str, str, int, str], ...]) -> tuple[int, int]:
    """(places, modules) of :func:`usage_of`, without ordering the places (the project keyword
    index shows only the counts, for 150,000 keywords on PyTorch)."""
    if not places:
        return 0, 0
    lines = {place[:3] for place in places}
    return len(lines), len({line[0] for line in lines})


def facts_view(index: ProjectIndex, summary: ModuleSummary, keyword_index_label: str | None = None) -> FactsView:
    module = summary.module
    counts = Counter(d.kind for d in summary.definitions)
    project, stdlib, third_party = index.dependencies(module)
    by_kind: dict[str, list[str]] = {}
    for call in summary.notable_calls:
        by_kind.setdefault(call.kind, []).append(f"{call.call} (line {call.line})")
    parent = module.rpartition(".")[0]
    return FactsView(
        module=module,
        path=summary.path,
        doc=summary.doc,
        kind=module_kind(summary),
        lines=summary.lines,
        size=summary.size,
        failure=_failure(summary),
        defines="" if summary.parse_failed else ", ".join(
            count_of(counts[k], KIND_NOUNS[k]) for k in KIND_NOUNS if counts.get(k)
        ) or "nothing",
        depends_project=tuple(project),
        depends_stdlib=tuple(stdlib),
        depends_third_party=tuple(third_party),
        notable_calls="; ".join(f"{kind}: {', '.join(calls)}" for kind, calls in sorted(by_kind.items())),
        test_command=index.test_command(module),
        parent=parent if parent and (parent in index or index.is_folder(parent)) else "",
        keyword_index_label=keyword_index_label,
    )


def contents_view(index: ProjectIndex, name: str, pictures: bool = False) -> ContentsView:
    children = []
    for child in index.children(name):
        summary = index.get(child)
        if summary is None:
            children.append(ContentsEntry(child, folder_modules=len(index.children(child))))
        else:
            counts = Counter(d.kind for d in summary.definitions)
            children.append(ContentsEntry(child, None, summary.source.is_package, counts["class"],
                                          counts["function"], summary.doc))
    return ContentsView(name, tuple(children), package_picture(index, name) if pictures else None)


def related_view(index: ProjectIndex, summary: ModuleSummary, limit: int, pictures: bool = False) -> RelatedView:
    module = summary.module
    graph = index.graph
    is_test = summary.source.is_test
    related = index.related(module, limit)
    return RelatedView(
        module=module,
        related=related,
        imports=tuple(graph.imports_of(module).items()),  # the graph keeps both sorted by module
        imported_by=tuple(graph.imported_by(module).items()),
        tests_title="Tests" if is_test else "Tested by",
        tests=tuple(sorted(graph.tests_of(module) if is_test else graph.tested_by(module))),
        test_command=index.test_command(module),
        picture=neighbourhood_picture(index, module, related) if pictures else None,
    )


def module_kind(summary: ModuleSummary) -> str:
    """``package``, ``test module``, ``script``... in words, from facts of the file."""
    source = summary.source
    kind = "package" if source.is_package else "module"
    if source.is_stub:
        kind = f"stub {kind} (.pyi)"
    if source.is_test:
        kind = f"test {kind}"
    if summary.has_main_block:
        kind += ", runnable as a script (has an if __name__ == '__main__' block)"
    return kind


# -- the project keyword index ------------------------------------------------------


def keyword_page_links(groups: tuple[KeywordGroup, ...], docname_of) -> tuple[KeywordPageLink, ...]:
    return tuple(KeywordPageLink(g.key, g.title, docname_of(g.key), len(g.entries)) for g in groups)


def keyword_front_view(groups: tuple[KeywordGroup, ...], docname_of) -> KeywordFrontView:
    return KeywordFrontView(keyword_page_links(groups, docname_of))


def keyword_page_view(groups: tuple[KeywordGroup, ...], key: str, docname_of,
                      index: ProjectIndex | None = None) -> KeywordPageView | None:
    """One page of the project keyword index; with ``index`` (references on), how much the
    project uses each keyword."""
    group = next((g for g in groups if g.key == key), None)
    if group is None:
        return None
    # The navigation names every page (sizes are shown on the front page only).
    pages = tuple(KeywordPageLink(g.key, g.title, docname_of(g.key), 0) for g in groups)
    usage: tuple[tuple[int, int], ...] = ()
    if index is not None and index.references_on:
        usage = tuple(usage_counts(index.used_by(e.module).get(e.qualname, ())) for e in group.entries)
    return KeywordPageView(key, pages, group.entries, usage)


# -- helpers ------------------------------------------------------------------


def _by_name(entry: Definition | ImportedName) -> tuple[bool, str, str]:
    """Public names first (a private one has a part such as ``_helper``), then by name."""
    return is_private(entry.name), entry.name.lower(), entry.name


def is_private(qualname: str) -> bool:
    """``_helper``, ``Widget._cache``, ``f.<locals>.g``: not part of what a module offers
    (``__init__`` and other special names are)."""
    return any(part.startswith("_") and not (part.startswith("__") and part.endswith("__"))
               or part == "<locals>" for part in qualname.split("."))


def _entry_name(entry: Definition | ImportEntry) -> str:
    return entry.imported.name if isinstance(entry, ImportEntry) else entry.name


def _failure(summary: ModuleSummary) -> str | None:
    if not summary.parse_failed:
        return None
    return summary.problems[0].message if summary.problems else "unknown problem"
