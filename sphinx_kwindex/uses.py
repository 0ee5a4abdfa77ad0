"""What one file's code uses, by name, resolved as far as the file alone allows (stage 2).

Python's scoping rules decide what a name means: the scopes of functions
(locals, then enclosing functions, never a class body), the module, builtins.
Each name (or dotted chain ``a.b.c``) the code reads is looked up the way
Python would, statically, from what the file binds:

* a definition of the file (class, def, module variable, class attribute)
  gives ``.qualname`` plus the rest of the chain (``.Widget.draw``);
* an import gives its absolute target plus the rest (``pkg.base.Base.render``);
* ``self.x`` in a method, ``cls.x`` in a class method give ``@Class:x``, and
  ``super().x`` gives ``^Class:x`` (the project index follows the bases);
* a name nothing in the file binds, in a file with ``from m import *``, gives
  ``*m:name`` (the project index knows what ``m`` exports);
* a member of a value whose type the code states gives ``~type|member``: a
  parameter or local annotated with a class (``tw: TerminalWriter``,
  ``Optional[...]`` and ``X | None`` too), a local every binding of which is
  an assignment calling the same thing (``fmt = Formatter(...)``; no loop,
  ``with`` or ``nonlocal`` rebinding it), a call's result (``Thing().method``);
* other locals and parameters, builtins, and names bound in several ways (an
  import in ``try``, a def in ``except``) give nothing: what cannot be known
  statically is left out, never guessed.

The file's definitions get value types the same way (:class:`~sphinx_kwindex.model.ValueType`):
declared (an annotated variable or attribute, a function's or property's return
annotation) or inferred from every assignment (a module variable, ``self.x =
...`` in the class's own methods); an attribute name the file assigns in any
other way (``obj.x = ...``, ``for self.x in``, from a nested function) is noted,
and no module's inferred type of that name is used. Whether a type names a
class is for the project index to say.

Where each symbol leads inside the project is settled by the project index
(:mod:`sphinx_kwindex.project.references`); this stage sees one file only.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from astroid import nodes

from sphinx_kwindex.model import Use, ValueType

#: Nodes that open a scope (comprehensions: their loop variables are their own).
_COMPREHENSIONS = (nodes.ListComp, nodes.SetComp, nodes.DictComp, nodes.GeneratorExp)
_FUNCTIONS = (nodes.FunctionDef, nodes.AsyncFunctionDef)
_SCOPES = (*_FUNCTIONS, nodes.ClassDef, nodes.Lambda, *_COMPREHENSIONS)
#: A name bound in more than one way in a scope: nothing can be said of it.
_AMBIGUOUS = ("ambiguous", "")
#: A local of a function (a parameter, a variable): not a project definition.
_LOCAL = ("local", "")
#: Generic aliases of ``typing`` whose instances are instances of their argument.
_TRANSPARENT = frozenset({"Optional", "Final", "ClassVar", "Annotated", "Required", "NotRequired", "ReadOnly"})
_TYPING = frozenset({"typing", "typing_extensions"})
#: Decorators making a method an attribute read (its return type is what reading gives).
_PROPERTIES = frozenset({"property", "builtins.property", "functools.cached_property"})
#: Decorators after which calling the def still gives what its annotation says.
_KEEP_RETURNS = frozenset({
    "staticmethod", "classmethod", "builtins.staticmethod", "builtins.classmethod", "abc.abstractmethod",
    "typing.overload", "typing_extensions.overload", "typing.override", "typing_extensions.override",
    "typing.final", "typing_extensions.final", "functools.cache", "functools.lru_cache",
})
#: What a value expression says of its type: nothing (``None``, neutral), or unknown.
_NONE = None


class _Scope:
    """One scope of the file: what its names are bound to."""

    __slots__ = (
        "binders",
        "bindings",
        "globals",
        "instance",
        "kind",
        "node",
        "nonlocals",
        "owner",
        "parent",
        "qualname",
    )

    def __init__(self, node: nodes.NodeNG, kind: str, qualname: str, parent: _Scope | None) -> None:
        self.node = node
        self.kind = kind  # module, class, function, hidden (lambda, comprehension)
        self.qualname = qualname  # of the definition ("" for the module; the enclosing one when hidden)
        self.parent = parent
        #: name -> (how, what): ("symbol", ".Widget" | "pkg.mod.Name") or _LOCAL / _AMBIGUOUS
        self.bindings: dict[str, tuple[str, str]] = {}
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()
        #: for a method: the qualified name of its class, and the name of its first parameter
        #: (``self``, or ``cls`` in a class method; "" for a static method)
        self.owner = ""
        self.instance = ""
        #: for a function: name -> the nodes binding it (their types decide the local's type)
        self.binders: dict[str, list[nodes.NodeNG]] = {}

    def bind(self, name: str, binding: tuple[str, str]) -> None:
        if name in self.globals or name in self.nonlocals:
            return
        known = self.bindings.get(name)
        if known is None:
            self.bindings[name] = binding
        elif known != binding:
            self.bindings[name] = _AMBIGUOUS


class _Walker:
    def __init__(self, module: str, package: str) -> None:
        self.module = module
        self.package = package
        #: (scope, line, symbol, kind) -> column of its first use on the line
        self.found: dict[tuple[str, int, str, str], int] = {}
        #: modules the file imports ``*`` from, in order (a later one wins, as in Python)
        self.stars: list[str] = []
        #: the def or class whose signature, decorators or bases are being visited: what they use
        #: is looked up outside it but is its use
        self.label: str | None = None
        #: ids of nodes inside annotations, bases and decorators: the kind of what they use
        self.slots: dict[int, str] = {}
        #: (definition, how) -> the type symbols its annotations give, and those its assignments give
        #: ("" for an assignment saying nothing of the type: no type then)
        self.annotated: dict[tuple[str, str], set[str]] = {}
        self.assigned: dict[tuple[str, str], set[str | None]] = {}
        #: ids of the ``self.x`` targets :meth:`assignment_types` took; names of the attributes
        #: assigned otherwise
        self.seen_attributes: set[int] = set()
        self.elsewhere: set[str] = set()
        #: module and class names a def or class binds (their value type is a property's; an
        #: assignment of the name as well says nothing sure)
        self.defined: set[str] = set()

    # -- pass 1: what each scope binds --------------------------------------------------------

    def scope(self, node: nodes.NodeNG, kind: str, qualname: str, parent: _Scope | None) -> _Scope:
        scope = _Scope(node, kind, qualname, parent)
        for child in _declarations(node):
            if isinstance(child, nodes.Global):
                scope.globals.update(child.names)
            else:
                scope.nonlocals.update(child.names)
        if isinstance(node, _FUNCTIONS) and parent is not None and parent.kind == "class":
            scope.owner = parent.qualname
            first = first_parameter(node)
            if first is not None:
                scope.instance = first
        arguments = getattr(node, "args", None) if isinstance(node, (*_FUNCTIONS, nodes.Lambda)) else None
        if arguments is not None:
            for name in (arguments.vararg, arguments.kwarg):
                if name:
                    scope.bind(name, _LOCAL)
        for child in _binders(node):
            self.binding(scope, child)
        if scope.binders:
            self.type_locals(scope)
        return scope

    def binding(self, scope: _Scope, node: nodes.NodeNG) -> None:
        if isinstance(node, (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.ClassDef)):
            scope.bind(node.name, ("symbol", "." + _child_qualname(scope, node.name)) if scope.kind != "hidden"
                       else _LOCAL)
            if scope.kind in ("module", "class"):
                self.defined.add(_child_qualname(scope, node.name))
        elif isinstance(node, nodes.Import):
            for name, alias in node.names:
                bound = alias or name.partition(".")[0]
                scope.bind(bound, ("symbol", name if alias else bound))
                self.rebound(scope, bound)
        elif isinstance(node, nodes.ImportFrom):
            module = absolute_module(node.modname, node.level or 0, self.package)
            for name, alias in node.names:
                if name == "*" and module and scope.kind == "module":
                    self.stars.append(module)
                elif name != "*" and module is not None:
                    scope.bind(alias or name, ("symbol", f"{module}.{name}" if module else name))
                elif name != "*":
                    scope.bind(alias or name, _AMBIGUOUS)
                if name != "*":
                    self.rebound(scope, alias or name)
        elif isinstance(node, nodes.AssignName):
            target = scope
            if isinstance(node.parent, nodes.NamedExpr):  # PEP 572: binds in the enclosing function
                while target.kind == "hidden" and target.parent is not None and \
                        isinstance(target.node, _COMPREHENSIONS):
                    target = target.parent
            if node.name == target.instance and not isinstance(node.parent, nodes.Arguments):
                target.instance = ""  # self rebound in the method: self.x no longer says which class
            if node.name in target.globals:
                self.assigned.setdefault((node.name, "holds"), set()).add("")  # set elsewhere than its scope
            if target.kind in ("module", "class") and not isinstance(node.parent, nodes.Arguments):
                target.bind(node.name, ("symbol", "." + _child_qualname(target, node.name)))
                if not _single_assignment(node):  # for, with, except, +=, unpacking...: no one type
                    self.rebound(target, node.name)
            else:
                target.bind(node.name, _LOCAL)
                if target.kind == "function":
                    target.binders.setdefault(node.name, []).append(node)

    def rebound(self, scope: _Scope, name: str) -> None:
        """A module or class name bound otherwise than by one assignment: its value has no one type."""
        if scope.kind in ("module", "class"):
            self.assigned.setdefault((_child_qualname(scope, name), "holds"), set()).add("")

    def type_locals(self, scope: _Scope) -> None:
        """Give a function's locals the type their code states: the annotation of a parameter or
        variable (every assignment agreeing), else the one type all their assignments give
        (``None`` aside). In the order they are first bound, so ``b = a.make()`` sees ``a``'s type.
        A name a nested function assigns through ``nonlocal`` gets none."""
        nonlocal_names: set[str] | None = None
        for name, binders in sorted(scope.binders.items(), key=lambda item: _position(item[1][0])):
            if scope.bindings.get(name) != _LOCAL or name == scope.instance:
                continue
            annotated: set[str] = set()
            assigned: set[str | None] = set()
            for node in binders:
                parent = node.parent
                if isinstance(parent, nodes.Arguments):
                    annotation = _parameter_annotation(parent, node)
                    # evaluated where the def is (a class body for a method)
                    if annotation is not None and scope.parent is not None:
                        annotated.add(self.annotation_type(annotation, scope.parent))
                    else:
                        assigned.add("")
                elif isinstance(parent, nodes.AnnAssign) and parent.target is node:
                    annotated.add(self.annotation_type(parent.annotation, scope))
                elif _single_assignment(node):
                    assigned.add(self.value_type(parent.value, scope))
                else:
                    assigned.add("")  # for, with, except, augmented assignment, unpacking...
            found = _one_type(annotated, assigned)
            if found:
                if nonlocal_names is None:
                    nonlocal_names = _nonlocal_names_inside(scope.node)
                if name not in nonlocal_names:
                    scope.bindings[name] = ("typed", found)

    def annotation_type(self, annotation: nodes.NodeNG, scope: _Scope) -> str:
        """The type symbol of an annotation naming one class (``Optional[X]``, ``X | None``,
        ``"X"`` too), else ""."""
        try:
            if isinstance(annotation, nodes.Const) and isinstance(annotation.value, str):
                expression = ast.parse(annotation.value.strip(), mode="eval").body
                return self.written_type(_shape_of(expression), scope)
            return self.written_type(_shape_of(annotation), scope)
        except (SyntaxError, ValueError, RecursionError):  # a union of a thousand names says nothing useful
            return ""

    def written_type(self, shape: tuple, scope: _Scope) -> str:
        if shape[0] == "name":
            symbol = self.lookup(shape[1][0], scope, list(shape[1][1:]))
            return symbol if symbol and symbol[0] not in "~@^" else ""
        if shape[0] == "generic":
            alias = self.lookup(shape[1][0], scope, list(shape[1][1:]))
            module, _, name = alias.rpartition(".")
            if module not in _TYPING:
                return ""
            arguments = shape[2]
            if name in _TRANSPARENT and arguments:
                return self.written_type(arguments[0], scope)
            if name == "Union":
                return self.written_type(("union", arguments), scope)
            return ""
        if shape[0] == "union":
            kept = [argument for argument in shape[1] if argument[0] != "none"]
            return self.written_type(kept[0], scope) if len(kept) == 1 else ""
        return ""

    def value_type(self, value: nodes.NodeNG, scope: _Scope) -> str | None:
        """The type symbol of what an expression gives: ``S()`` for a call of ``S``, ``=S`` for a
        read of ``S``, the type of a typed local; None for ``None`` (says nothing); else ""."""
        if isinstance(value, nodes.Const) and value.value is None:
            return _NONE
        if isinstance(value, nodes.Call):
            called = self.symbol_of(value.func, scope)
            return f"{called}()" if called else ""
        if isinstance(value, nodes.Name):
            binding = self.binding_of(value.name, scope)
            if binding is not None and binding[0] == "typed":
                return binding[1]
        if isinstance(value, (nodes.Name, nodes.Attribute)):
            read = self.symbol_of(value, scope)
            return f"={read}" if read else ""
        return ""

    # -- pass 2: what the code uses -------------------------------------------------------------

    def visit(self, node: nodes.NodeNG, scope: _Scope) -> None:
        if isinstance(node, _FUNCTIONS):
            qualname = _child_qualname(scope, node.name)
            self.outer_parts_of_function(node, scope, qualname)
            if scope.kind != "hidden":
                self.function_type(node, scope, qualname)
            self.body(node, "function", qualname, scope)
            return
        if isinstance(node, nodes.ClassDef):
            qualname = _child_qualname(scope, node.name)
            self.decorators(node, scope, qualname)
            for base in node.bases:
                self.mark(base, "base")
                self.visit_as(base, scope, qualname)
            for keyword in node.keywords or ():
                self.visit_as(keyword, scope, qualname)
            self.body(node, "class", qualname, scope)
            return
        if isinstance(node, nodes.Lambda):
            for default in (*node.args.defaults, *(d for d in node.args.kw_defaults or () if d is not None)):
                self.visit(default, scope)
            inner = self.scope(node, "hidden", scope.qualname, scope)
            self.visit(node.body, inner)
            return
        if isinstance(node, _COMPREHENSIONS):
            generators = node.generators
            if generators:
                self.visit(generators[0].iter, scope)  # evaluated where the comprehension is
            inner = self.scope(node, "hidden", scope.qualname, scope)
            for index, generator in enumerate(generators):
                if index:
                    self.visit(generator.iter, inner)
                for condition in generator.ifs:
                    self.visit(condition, inner)
            for part in ("elt", "key", "value"):
                child = getattr(node, part, None)
                if child is not None:
                    self.visit(child, inner)
            return
        if isinstance(node, (nodes.Import, nodes.ImportFrom)):
            self.imports(node, scope)
            return
        if isinstance(node, nodes.AnnAssign):
            self.mark(node.annotation, "annotation")
        if isinstance(node, (nodes.Assign, nodes.AnnAssign)):
            self.assignment_types(node, scope)
        elif isinstance(node, nodes.AssignAttr) and id(node) not in self.seen_attributes:
            self.elsewhere.add(node.attrname)
        if isinstance(node, (nodes.Name, nodes.Attribute)):
            if self.chain(node, scope):
                return
        elif isinstance(node, nodes.Const) and isinstance(node.value, str) and self.slots.get(id(node)) == "annotation":
            self.string_annotation(node, scope)
            return
        for child in node.get_children():
            self.visit(child, scope)

    def assignment_types(self, node: nodes.Assign | nodes.AnnAssign, scope: _Scope) -> None:
        """What an assignment says of the type of a module variable, a class attribute (only its
        annotation: a class body's value may be an enum member, a descriptor, or hidden by an
        instance's attribute) or an attribute a method sets on its instance (``self.x = ...``, one
        target). Any other assignment of an attribute (``obj.x = ...``, ``for self.x in``, in a
        nested function) makes every attribute of that name untyped (:meth:`value_types`)."""
        targets = node.targets if isinstance(node, nodes.Assign) else [node.target]
        for target in targets:
            if isinstance(target, nodes.AssignName) and scope.kind in ("module", "class"):
                name = _child_qualname(scope, target.name)
            elif isinstance(target, nodes.AssignAttr) and scope.owner and scope.instance and len(targets) == 1 \
                    and isinstance(target.expr, nodes.Name) and target.expr.name == scope.instance:
                name = f"{scope.owner}.{target.attrname}"
                self.seen_attributes.add(id(target))
            else:
                continue  # unpacking and chained targets: bound otherwise (see binding)
            if isinstance(node, nodes.AnnAssign):
                self.annotated.setdefault((name, "holds"), set()).add(self.annotation_type(node.annotation, scope))
            elif scope.kind == "class" or len(targets) > 1:
                self.assigned.setdefault((name, "holds"), set()).add("")
            else:
                self.assigned.setdefault((name, "holds"), set()).add(self.value_type(node.value, scope))

    def function_type(self, node: nodes.FunctionDef, scope: _Scope, qualname: str) -> None:
        """A def's return annotation: what calling it gives (what reading it gives, for a
        property). A coroutine function's call gives a coroutine, and a decorator other than the
        known ones may give anything: nothing said."""
        if isinstance(node, nodes.AsyncFunctionDef) or node.returns is None:
            return
        how = "returns"
        for decorator in node.decorators.nodes if node.decorators else ():
            called = decorator.func if isinstance(decorator, nodes.Call) else decorator
            name = self.symbol_of(called, scope) or dotted_name(called)
            if name in _PROPERTIES:
                how = "holds"
            elif name not in _KEEP_RETURNS:
                return  # a setter, a wrapper...
        self.annotated.setdefault((qualname, how), set()).add(self.annotation_type(node.returns, scope))

    def value_types(self) -> tuple[ValueType, ...]:
        """The definitions' value types: declared (``holds``, ``returns``: annotations) or inferred
        from every assignment (``assigned``; see :func:`_one_type`); and ``(attribute,
        "elsewhere")`` for each attribute name this file assigns otherwise than in its class's
        methods (an inferred type of that name is then not known)."""
        found = []
        for key in sorted(self.annotated.keys() | self.assigned.keys()):
            name, how = key
            annotated = self.annotated.get(key, set())
            if not annotated and (name.rpartition(".")[2] in self.elsewhere or name in self.defined):
                continue
            kind = _one_type(annotated, self.assigned.get(key, set()))
            if kind:
                found.append(ValueType(name, how if annotated else "assigned", kind))
        found.extend(ValueType(name, "elsewhere", "") for name in sorted(self.elsewhere))
        return tuple(found)

    def body(self, node: nodes.FunctionDef | nodes.ClassDef, kind: str, qualname: str, scope: _Scope) -> None:
        """The statements of a def or class, in the scope it opens."""
        inner = self.scope(node, kind, qualname, scope)
        for statement in node.body:
            self.visit(statement, inner)

    def outer_parts_of_function(self, node: nodes.FunctionDef, scope: _Scope, qualname: str) -> None:
        """Decorators, defaults and annotations are evaluated where the function is defined."""
        self.decorators(node, scope, qualname)
        args = node.args
        for default in (*args.defaults, *(d for d in args.kw_defaults or () if d is not None)):
            self.visit_as(default, scope, qualname)
        annotations = [*args.annotations, *args.posonlyargs_annotations, *args.kwonlyargs_annotations,
                       args.varargannotation, args.kwargannotation, node.returns]
        for annotation in annotations:
            if annotation is not None:
                self.mark(annotation, "annotation")
                self.visit_as(annotation, scope, qualname)

    def decorators(self, node: nodes.FunctionDef | nodes.ClassDef, scope: _Scope, qualname: str) -> None:
        """What a decorator calls is a ``decorator`` use (``@app.route("/")``: ``app.route``); its
        arguments are ordinary uses."""
        for decorator in node.decorators.nodes if node.decorators else ():
            self.mark(decorator.func if isinstance(decorator, nodes.Call) else decorator, "decorator")
            self.visit_as(decorator, scope, qualname)

    def mark(self, expression: nodes.NodeNG, kind: str) -> None:
        """Every node of an annotation, a base or a decorator uses what it names in that way."""
        stack = [expression]
        while stack:
            node = stack.pop()
            self.slots.setdefault(id(node), kind)
            stack.extend(node.get_children())

    def chain(self, node: nodes.Name | nodes.Attribute, scope: _Scope) -> bool:
        """Record a name or a dotted chain ending in a name (``self.a.b``, ``super().m``,
        ``Thing().m``); False when the chain starts with something else (``f[0].x``), whose parts
        are visited instead."""
        head, parts = _split_chain(node)
        symbol = self.chain_symbol(head, parts, scope)
        if symbol is None:
            return False
        column = head.col_offset if head.lineno == node.lineno else -1
        if isinstance(head, nodes.Call) and not _is_super_call(head):
            # the chain's own names start after the call's ``).`` (the page links only them)
            column = head.end_col_offset + 1 if head.end_lineno == node.lineno and head.end_col_offset else -1
            self.visit(head, scope)
        if isinstance(node.parent, nodes.Call) and node.parent.func is node:
            kind = "call"
        else:
            kind = "read"
        kind = self.slots.get(id(node), kind)
        if symbol:
            self.add(scope, node.lineno or 0, symbol, kind, column)
        return True

    def symbol_of(self, node: nodes.NodeNG, scope: _Scope) -> str:
        """The symbol of a name or chain (as :meth:`chain` records it), without recording it."""
        return self.chain_symbol(*_split_chain(node), scope) or ""

    def chain_symbol(self, head: nodes.NodeNG, parts: list[str], scope: _Scope) -> str | None:
        """The symbol of ``head.parts`` ("" for nothing); None when ``head`` starts no chain."""
        if isinstance(head, nodes.Name):
            return self.lookup(head.name, scope, parts)
        if _is_super_call(head) and parts and scope.owner:
            return f"^{scope.owner}:{'.'.join(parts)}"
        if isinstance(head, nodes.Call) and parts and isinstance(head.func, (nodes.Name, nodes.Attribute)):
            called = self.symbol_of(head.func, scope)  # ``Thing().method``: a member of what the call gives
            return f"~{called}()|{'.'.join(parts)}" if called else ""
        return None

    def lookup(self, name: str, scope: _Scope, parts: list[str]) -> str:
        """The symbol of ``name.parts`` as Python finds ``name`` from ``scope`` ("" for nothing)."""
        found = self.binding_of(name, scope)
        if found is None:
            if self.stars:  # the project index knows what those modules export (else: a builtin)
                return f"*{','.join(self.stars)}:{'.'.join([name, *parts])}"
            return ""  # a builtin, or a name nothing binds
        how, what = found
        if how == "symbol":
            return ".".join([what, *parts])
        if how == "typed" and parts:  # a member of a value of known type
            return f"~{what}|{'.'.join(parts)}"
        if how == "self" and parts:  # self.x, cls.x
            return f"@{what}:{'.'.join(parts)}"
        return ""

    def binding_of(self, name: str, scope: _Scope) -> tuple[str, str] | None:
        """How ``name`` is bound where Python finds it from ``scope`` (``("self", Class)`` for a
        method's instance), or None when nothing in the file binds it."""
        first = scope
        current: _Scope | None = scope
        while current is not None:
            if current.kind == "class" and current is not first:
                current = current.parent  # a class body is not an enclosing scope of its methods
                continue
            if name in current.globals:
                current = _module_of(current)
                continue
            binding = current.bindings.get(name)
            if binding is not None:
                if binding == _LOCAL and current.instance == name:
                    return ("self", current.owner)
                return binding
            current = current.parent
        return None

    def imports(self, node: nodes.Import | nodes.ImportFrom, scope: _Scope) -> None:
        line = node.lineno or 0
        if isinstance(node, nodes.Import):
            for name, _ in node.names:
                self.add(scope, line, name, "import")
            return
        module = absolute_module(node.modname, node.level or 0, self.package)
        if module is None:
            return
        for name, _ in node.names:
            self.add(scope, line, module if name == "*" else (f"{module}.{name}" if module else name), "import")

    def string_annotation(self, node: nodes.Const, scope: _Scope) -> None:
        """``"Base"`` in an annotation names what ``Base`` names there (parsed, never run)."""
        try:
            expression = ast.parse(node.value.strip(), mode="eval")
        except (SyntaxError, ValueError):
            return
        inner = {id(part.value) for part in ast.walk(expression) if isinstance(part, ast.Attribute)}
        for part in ast.walk(expression):
            if isinstance(part, (ast.Name, ast.Attribute)) and id(part) not in inner:
                head, *rest = ast.unparse(part).split(".")
                if head.isidentifier() and all(map(str.isidentifier, rest)):  # not ``f().x``, ``a[0].b``
                    symbol = self.lookup(head, scope, rest)
                    if symbol:
                        self.add(scope, node.lineno or 0, symbol, "annotation")

    def add(self, scope: _Scope, line: int, symbol: str, kind: str, column: int = -1) -> None:
        self.found.setdefault((self.label if self.label is not None else scope.qualname, line, symbol, kind), column)

    def visit_as(self, node: nodes.NodeNG, scope: _Scope, label: str) -> None:
        """Visit a part of a def or class evaluated outside it (decorators, defaults, annotations,
        bases): names are looked up in ``scope``, uses are the definition's."""
        outer, self.label = self.label, label
        try:
            self.visit(node, scope)
        finally:
            self.label = outer


def uses_of(tree: nodes.Module, module: str, package: str) -> tuple[tuple[Use, ...], tuple[ValueType, ...]]:
    """What the module's code uses (see the module docstring), sorted by line and symbol; and
    the value types of its definitions, sorted by name."""
    walker = _Walker(module, package)
    top = walker.scope(tree, "module", "", None)
    for statement in tree.body:
        walker.visit(statement, top)
    uses = tuple(Use(scope, line, symbol, kind, walker.found[scope, line, symbol, kind])
                 for scope, line, symbol, kind in sorted(walker.found, key=lambda key: (key[1], key[2], key[3], key[0])))
    return uses, walker.value_types()


def _split_chain(node: nodes.NodeNG) -> tuple[nodes.NodeNG, list[str]]:
    """``a.b.c`` -> (the node ``a``, ["b", "c"])."""
    parts: list[str] = []
    while isinstance(node, nodes.Attribute):
        parts.append(node.attrname)
        node = node.expr
    parts.reverse()
    return node, parts


def _one_type(annotated: set[str], assigned: set[str | None]) -> str:
    """The one type symbol of a name: its annotation (the declared class: what the code assigns
    is a type checker's business), else the one type all its assignments give (``None`` aside);
    else "" (an assignment saying nothing of the type is ``""``)."""
    found = set(annotated) if annotated else assigned - {_NONE}
    return found.pop() if len(found) == 1 and "" not in found else ""


def _single_assignment(name: nodes.AssignName) -> bool:
    """``name = value`` or ``name: T = value`` with ``name`` the one target."""
    parent = name.parent
    if isinstance(parent, nodes.AnnAssign):
        return parent.target is name
    return isinstance(parent, nodes.Assign) and len(parent.targets) == 1 and parent.targets[0] is name


def _nonlocal_names_inside(function: nodes.NodeNG) -> set[str]:
    """The names functions nested in ``function`` declare ``nonlocal``."""
    return {name for node in function.nodes_of_class(nodes.Nonlocal) if node.scope() is not function
            for name in node.names}


def _position(node: nodes.NodeNG) -> tuple[int, int]:
    return node.lineno or 0, node.col_offset or 0


def _parameter_annotation(arguments: nodes.Arguments, name: nodes.AssignName) -> nodes.NodeNG | None:
    for names, written in ((arguments.posonlyargs, arguments.posonlyargs_annotations),
                           (arguments.args, arguments.annotations),
                           (arguments.kwonlyargs, arguments.kwonlyargs_annotations)):
        for index, parameter in enumerate(names or ()):
            if parameter is name:
                return written[index] if written and index < len(written) else None
    return None


# An annotation's shape, from astroid's tree or (string annotations) ast's: ("name", parts),
# ("generic", parts, arguments), ("union", members), ("none",), ("other",).

def _shape_of(node: nodes.NodeNG | ast.expr) -> tuple:
    if isinstance(node, (nodes.Const, ast.Constant)) and node.value is None:
        return ("none",)
    dotted = dotted_name(node)
    if dotted:
        return ("name", tuple(dotted.split(".")))
    if isinstance(node, (nodes.Subscript, ast.Subscript)):
        generic = dotted_name(node.value)
        if generic:
            arguments = node.slice.elts if isinstance(node.slice, (nodes.Tuple, ast.Tuple)) else [node.slice]
            return ("generic", tuple(generic.split(".")), tuple(map(_shape_of, arguments)))
    if isinstance(node, nodes.BinOp) and node.op == "|" or isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return ("union", (*_members(_shape_of(node.left)), *_members(_shape_of(node.right))))
    return ("other",)


def _members(shape: tuple) -> tuple[tuple, ...]:
    return shape[1] if shape[0] == "union" else (shape,)


def dotted_name(node: nodes.NodeNG | ast.expr) -> str:
    """``a.b.c`` for a name or a chain of attributes of a name (astroid's or ast's), else ""."""
    parts = []
    while isinstance(node, (nodes.Attribute, ast.Attribute)):
        if isinstance(node, nodes.Attribute):
            parts.append(node.attrname)
            node = node.expr
        else:
            parts.append(node.attr)
            node = node.value
    if isinstance(node, nodes.Name):
        parts.append(node.name)
    elif isinstance(node, ast.Name):
        parts.append(node.id)
    else:
        return ""
    return ".".join(reversed(parts))


def _binders(scope_node: nodes.NodeNG) -> Iterator[nodes.NodeNG]:
    """The nodes that bind names in ``scope_node``'s own scope (nested scopes bind their names
    here, their bodies are their own; parameters are the function's)."""
    if isinstance(scope_node, (*_FUNCTIONS, nodes.Lambda)):
        arguments = scope_node.args
        if arguments is not None:
            yield from (*(arguments.posonlyargs or ()), *(arguments.args or ()), *(arguments.kwonlyargs or ()))
        stack = list(scope_node.body) if isinstance(scope_node, _FUNCTIONS) else [scope_node.body]
    elif isinstance(scope_node, _COMPREHENSIONS):
        stack = [generator.target for generator in scope_node.generators]
        stack += [c for generator in scope_node.generators for c in (generator.iter, *generator.ifs)][1:]
        stack += [c for c in (getattr(scope_node, "elt", None), getattr(scope_node, "key", None),
                              getattr(scope_node, "value", None)) if c is not None]
    else:
        stack = list(scope_node.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (*_FUNCTIONS, nodes.ClassDef)):
            yield node
            continue  # its decorators and defaults bind nothing here (walrus aside)
        if isinstance(node, (nodes.Lambda, *_COMPREHENSIONS)):
            yield from (n for n in node.nodes_of_class(nodes.AssignName)
                        if isinstance(n.parent, nodes.NamedExpr) and n.scope() is node)
            continue
        if isinstance(node, (nodes.Import, nodes.ImportFrom, nodes.AssignName)):
            yield node
        stack.extend(node.get_children())


def _declarations(scope_node: nodes.NodeNG) -> Iterator[nodes.Global | nodes.Nonlocal]:
    if not isinstance(scope_node, _FUNCTIONS):
        return
    stack = list(scope_node.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (nodes.Global, nodes.Nonlocal)):
            yield node
        elif not isinstance(node, _SCOPES):
            stack.extend(node.get_children())


def _child_qualname(scope: _Scope, name: str) -> str:
    if scope.kind == "module":
        return name
    if scope.kind == "function":
        return f"{scope.qualname}.<locals>.{name}"
    return f"{scope.qualname}.{name}"


#: Methods Python makes class methods without a decorator.
_IMPLICIT_CLASS_METHODS = ("__new__", "__init_subclass__", "__class_getitem__")


def first_parameter(function: nodes.FunctionDef, *, class_methods: bool = True) -> str | None:
    """The name a method calls its instance, or its class in a class method (None there unless
    ``class_methods``); None for static methods."""
    decorators = {_decorator_name(d) for d in (function.decorators.nodes if function.decorators else ())}
    if "staticmethod" in decorators:
        return None
    if not class_methods and ("classmethod" in decorators or function.name in _IMPLICIT_CLASS_METHODS):
        return None
    positional = [*(function.args.posonlyargs or ()), *(function.args.args or ())]
    return positional[0].name if positional else None


def _decorator_name(decorator: nodes.NodeNG) -> str:
    """``staticmethod`` for ``@staticmethod`` and ``@builtins.staticmethod``; else the name written."""
    if isinstance(decorator, nodes.Attribute) and isinstance(decorator.expr, nodes.Name) \
            and decorator.expr.name == "builtins":
        return decorator.attrname
    return decorator.name if isinstance(decorator, nodes.Name) else ""


def _is_super_call(node: nodes.NodeNG) -> bool:
    return (isinstance(node, nodes.Call) and isinstance(node.func, nodes.Name) and node.func.name == "super"
            and not node.args)


def _module_of(scope: _Scope) -> _Scope:
    while scope.parent is not None:
        scope = scope.parent
    return scope


def absolute_module(modname: str, level: int, package: str) -> str | None:
    """The absolute module of ``from {'.' * level}{modname} import ...`` in ``package``; None when
    the dots go above the top-level package (an error in Python)."""
    if not level:
        return modname
    parts = package.split(".") if package else []
    if level - 1 >= len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([modname] if modname else []))

