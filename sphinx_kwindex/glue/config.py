"""The ``kwindex_*`` configuration values, validated once into a frozen object."""

from __future__ import annotations

import os
import string
from urllib.parse import quote
from dataclasses import dataclass
from pathlib import Path

from sphinx.errors import ConfigError

from sphinx_kwindex.model import KINDS
from sphinx_kwindex.pipeline import ProjectSettings
from sphinx_kwindex.project.related import RelatedWeights
from sphinx_kwindex.project.related.history import DEFAULT_MAX_COMMITS
from sphinx_kwindex.views import SECTIONS

#: (name, default, rebuild, types) of every configuration value.
CONFIG_VALUES = (
    ("kwindex_paths", [], "env", (list, tuple)),
    ("kwindex_exclude", [], "env", (list, tuple)),
    ("kwindex_inject", True, "env", (bool,)),
    ("kwindex_source_url", None, "env", (str, type(None))),
    ("kwindex_kinds", list(KINDS), "env", (list, tuple)),
    ("kwindex_sections", ["keywords", "related"], "env", (list, tuple)),
    ("kwindex_related_limit", 10, "env", (int,)),
    ("kwindex_related_weights", {}, "env", (dict,)),
    ("kwindex_history_max_commits", DEFAULT_MAX_COMMITS, "env", (int,)),
    ("kwindex_generate", None, "env", (str, type(None))),
    ("kwindex_generate_toctree", False, "env", (bool,)),
    ("kwindex_generate_title", "API reference", "env", (str,)),
    ("kwindex_references", True, "env", (bool,)),
    # None: pictures when Graphviz's dot is found (see glue.pictures)
    ("kwindex_pictures", None, "env", (bool, type(None))),
    # Source pages are written, not read: the HTML of every page changes (line numbers link
    # there), no page is read again.
    ("kwindex_source_pages", True, "html", (bool,)),
    # Neither changes what pages show: no rebuild when they change.
    ("kwindex_jobs", None, "", (int, type(None))),
    ("kwindex_cache_dir", None, "", (str, type(None))),
)

SOURCE_URL_FIELDS = ("path", "line", "module")


@dataclass(frozen=True)
class KwindexSettings:
    """Validated settings; everything downstream takes this, never ``app.config``."""

    paths: tuple[Path, ...] = ()
    #: (root, whether Python puts it on ``sys.path``) for the roots given as dicts
    sys_path: tuple[tuple[Path, bool], ...] = ()
    exclude: tuple[str, ...] = ()
    inject: bool = True
    source_url: str | None = None
    kinds: tuple[str, ...] = KINDS
    sections: tuple[str, ...] = ("keywords", "related")
    related_limit: int = 10
    weights: RelatedWeights = RelatedWeights()
    history_max_commits: int = DEFAULT_MAX_COMMITS
    #: folder for generated pages, relative to the Sphinx source folder (POSIX), or None
    generate: str | None = None
    generate_toctree: bool = False
    generate_title: str = "API reference"
    #: "Used in ..." under keywords and ``kwindex-references.json``
    references: bool = True
    #: pictures of each module's neighbourhood and of the imports inside each package: None
    #: (as configured) when ``dot`` is found; after ``config-inited``, whether they are drawn
    pictures: bool | None = None
    #: a highlighted, linked source page per analysed module (HTML builders, without viewcode)
    source_pages: bool = True
    #: analysis processes (1: no pool)
    jobs: int = 1
    #: where the analysis cache lives; None: under the doctree folder
    cache_dir: Path | None = None

    @classmethod
    def from_config(cls, config, confdir: str | Path) -> KwindexSettings:
        """Check every value; a bad one raises :class:`ConfigError` naming it and what is allowed."""
        resolved, sys_path = _paths(config.kwindex_paths, confdir)
        exclude = _string_list(config, "kwindex_exclude", "a list of glob patterns such as 'tests/fixtures/*'")
        inject = config.kwindex_inject
        if not isinstance(inject, bool):
            raise ConfigError(f"kwindex_inject must be True or False, not {inject!r}")
        source_url = config.kwindex_source_url
        if source_url is not None:
            _check_source_url(source_url)
        kinds = _choices(config, "kwindex_kinds", "kind", KINDS, empty=True)
        sections = _choices(config, "kwindex_sections", "section", SECTIONS, empty=True)
        related_limit = _count(config, "kwindex_related_limit", "the most related files a page lists")
        history = _count(config, "kwindex_history_max_commits", "the most git commits read (0: no history)")
        raw_weights = config.kwindex_related_weights
        if not isinstance(raw_weights, dict):
            raise ConfigError(f"kwindex_related_weights must be a dict of signal name to weight, not {raw_weights!r}")
        try:
            weights = RelatedWeights.from_mapping(raw_weights)
        except ValueError as exc:
            raise ConfigError(f"kwindex_related_weights: {exc}") from None
        generate = _generate_folder(config.kwindex_generate)
        toctree = config.kwindex_generate_toctree
        if not isinstance(toctree, bool):
            raise ConfigError(f"kwindex_generate_toctree must be True or False, not {toctree!r}")
        title = config.kwindex_generate_title
        if not isinstance(title, str) or not title.strip() or "\n" in title:
            raise ConfigError(f"kwindex_generate_title must be a one-line, non-empty string, not {title!r}")
        references = config.kwindex_references
        if not isinstance(references, bool):
            raise ConfigError(f"kwindex_references must be True or False, not {references!r}")
        pictures = config.kwindex_pictures
        if pictures is not None and not isinstance(pictures, bool):
            raise ConfigError(f"kwindex_pictures must be True (pictures; a warning when Graphviz's dot is missing), "
                              f"False (none) or None (pictures when dot is found), not {pictures!r}")
        source_pages = config.kwindex_source_pages
        if not isinstance(source_pages, bool):
            raise ConfigError(f"kwindex_source_pages must be True or False, not {source_pages!r}")
        jobs = config.kwindex_jobs
        if jobs is None:
            jobs = os.cpu_count() or 1
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
            raise ConfigError(f"kwindex_jobs must be a whole number >= 1 (1: no process pool) or None, not {jobs!r}")
        cache_dir = config.kwindex_cache_dir
        if cache_dir is not None and (not isinstance(cache_dir, str) or not cache_dir.strip()):
            raise ConfigError(f"kwindex_cache_dir must be a folder path (relative to conf.py) or None, not {cache_dir!r}")
        return cls(
            tuple(resolved), sys_path, tuple(exclude), inject, source_url or None, tuple(kinds),
            sections, related_limit, weights, history, generate, toctree, title.strip(), references,
            pictures, source_pages, jobs, (Path(confdir) / cache_dir).resolve() if cache_dir else None,
        )

    def project_settings(self, skip: tuple[Path, ...], exclude: tuple[str, ...], cache_dir: Path) -> ProjectSettings:
        """What the pipeline takes: these settings, plus the folders and files the build never indexes."""
        return ProjectSettings(
            roots=self.paths, exclude=(*self.exclude, *exclude), skip=skip, sys_path=self.sys_path, jobs=self.jobs,
            cache_dir=self.cache_dir or cache_dir, weights=self.weights, related_limit=self.related_limit,
            history_max_commits=self.history_max_commits, keyword_pages=self.generate is not None,
            references=self.references,
        )

    def source_link(self, path: str, line: int, module: str = "") -> str | None:
        if not self.source_url:
            return None
        return self.source_url.format(path=quote(path), line=max(line, 1), module=module)


def parse_choices(text: str, allowed: tuple[str, ...], what: str, *, empty: bool = False) -> tuple[str, ...]:
    """``class, function`` -> ('class', 'function'), each drawn from ``allowed``; raises ValueError naming
    what is allowed (an empty list too, unless ``empty``)."""
    chosen = tuple(part.strip() for part in text.replace(",", " ").split() if part.strip())
    unknown = [choice for choice in chosen if choice not in allowed]
    if unknown or not (chosen or empty):
        raise ValueError(f"unknown {what}(s) {', '.join(map(repr, unknown)) or '(none given)'}; "
                         f"allowed: {', '.join(allowed)}")
    return chosen


def parse_kinds(text: str) -> tuple[str, ...]:
    """The ``:kinds:`` of the directive."""
    return parse_choices(text, KINDS, "kind")


def parse_sections(text: str) -> tuple[str, ...]:
    """The ``:sections:`` of the directive (may be empty: only the module's anchor)."""
    return parse_choices(text, SECTIONS, "section", empty=True)


_PATHS_ALLOWED = ("a list of source folders relative to conf.py, each a string or a dict "
                  "{'path': '../src', 'sys_path': True} (sys_path: Python imports its top-level modules "
                  "as top-level modules, 'src/six.py' is 'six'; False: named from the folder's parent, "
                  "'tests/test_x.py' is 'tests.test_x'; left out: guessed)")


def _paths(value: object, confdir: str | Path) -> tuple[tuple[Path, ...], tuple[tuple[Path, bool], ...]]:
    """``kwindex_paths`` -> (resolved roots, (root, sys_path) of the roots that say)."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ConfigError(f"kwindex_paths must be {_PATHS_ALLOWED}, not {value!r}")
    roots, sys_path = [], []
    for item in value:
        said = None
        if isinstance(item, dict):
            unknown = sorted(set(item) - {"path", "sys_path"})
            raw, said = item.get("path"), item.get("sys_path")
            if unknown or not isinstance(raw, str) or not isinstance(said, (bool, type(None))):
                raise ConfigError(f"kwindex_paths: {item!r} is not a source folder entry; "
                                  f"allowed keys: 'path' (a string) and 'sys_path' (True or False)")
        elif isinstance(item, str):
            raw = item
        else:
            raise ConfigError(f"kwindex_paths must be {_PATHS_ALLOWED}, not {value!r}")
        folder = (Path(confdir) / raw).resolve()
        if not folder.is_dir():
            raise ConfigError(f"kwindex_paths: {raw!r} is not a folder (resolved to {folder}); "
                              f"give source roots relative to conf.py")
        roots.append(folder)
        if said is not None:
            sys_path.append((folder, said))
    return tuple(roots), tuple(sys_path)


def _generate_folder(value: object) -> str | None:
    """A plain relative folder inside the Sphinx source folder, such as ``"api"``."""
    if value is None or value == "":
        return None
    allowed = "a folder name relative to the Sphinx source folder, such as 'api' (or None)"
    if not isinstance(value, str):
        raise ConfigError(f"kwindex_generate must be {allowed}, not {value!r}")
    parts = [part for part in value.replace("\\", "/").split("/") if part not in ("", ".")]
    if not parts or value.startswith(("/", "\\")) or ":" in value or any(
        part == ".." or part.startswith(".") or part.startswith("_") for part in parts
    ):
        raise ConfigError(f"kwindex_generate must be {allowed}, without '..', leading '.' or '_', not {value!r}")
    return "/".join(parts)


def parse_count(text: str) -> int:
    """A whole number >= 0, for directive options."""
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise ValueError(f"{value} is negative; give 0 or more")
    return value


def _count(config, name: str, meaning: str) -> int:
    value = getattr(config, name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{name} must be a whole number >= 0 ({meaning}), not {value!r}")
    return value


def _choices(config, name: str, what: str, allowed: tuple[str, ...], *, empty: bool = False) -> tuple[str, ...]:
    values = _string_list(config, name, f"a list drawn from {', '.join(allowed)}")
    try:
        return parse_choices(" ".join(values), allowed, what, empty=empty)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from None


def _string_list(config, name: str, allowed: str) -> list[str]:
    value = getattr(config, name)
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{name} must be {allowed}, not {value!r}")
    return list(value)


def _check_source_url(template: object) -> None:
    allowed = ", ".join("{" + name + "}" for name in SOURCE_URL_FIELDS)
    if not isinstance(template, str):
        raise ConfigError(f"kwindex_source_url must be a string template using {allowed}, not {template!r}")
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ConfigError(f"kwindex_source_url {template!r} is not a valid template ({exc}); use {allowed}") from None
    unknown = sorted(fields - set(SOURCE_URL_FIELDS))
    if unknown:
        raise ConfigError(f"kwindex_source_url uses unknown field(s) {', '.join(unknown)}; allowed: {allowed}")
    if "path" not in fields:
        raise ConfigError(f"kwindex_source_url {template!r} must contain {{path}}")
    try:
        template.format(path="pkg/mod.py", line=1, module="pkg.mod")
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        raise ConfigError(f"kwindex_source_url {template!r} cannot be filled in ({exc}); use {allowed}") from None
