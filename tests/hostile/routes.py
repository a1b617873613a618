"""What the route fuzz (test_fuzz_routes.py) sends: the query names the views read, the field
names of the WTForms forms, real values for the path arguments of every rule, and hostile
values of bounded size."""

from __future__ import annotations

import inspect
import re
from collections import defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from flask import Flask
from hypothesis import strategies as st
from werkzeug.routing import Rule
from wtforms.fields.core import UnboundField

from portal.web.forms import PortalForm

PORTAL_WEB = Path(__file__).resolve().parents[2] / "portal" / "web"
#: Query names many web apps read, besides those the portal's views read (found in the source).
COMMON_QUERY_NAMES = ("page", "after", "before", "cursor", "version", "v", "status", "q", "lang",
                      "next", "sort", "order", "limit", "offset", "id", "step", "from", "to",
                      "start", "end", "type", "country", "format")
#: Form names no form declares but views or pages use.
EXTRA_FORM_NAMES = ("op", "next", "sample", "lang", "csrf_token", "file", "body", "x")
_ARG_PATTERN = re.compile(r"""(?:args\.get|int_arg|_date_arg|args\[)\(?\s*["'](\w+)["']""")


def query_names() -> list[str]:
    """Every query name a view reads (``request.args.get("x")``, ``int_arg("x")``...), with
    the common ones: a view added later is fuzzed on its own names without editing this."""
    found = {match for path in PORTAL_WEB.rglob("*.py")
             for match in _ARG_PATTERN.findall(path.read_text(encoding="utf-8"))}
    return sorted(found | set(COMMON_QUERY_NAMES))


def view_query_names(app: Flask, endpoint: str) -> list[str]:
    """The query names read by ``endpoint``'s view and by the functions of its module that it
    calls, and that they call (``_filters()``, ``_period()``)."""
    view = inspect.unwrap(app.view_functions[endpoint])
    module = inspect.getmodule(view)
    seen, todo, source = {view}, [view], ""
    while todo:
        function = todo.pop()
        text = inspect.getsource(function)
        source += text
        for called in set(re.findall(r"\b(\w+)\(", text)):
            helper = getattr(module, called, None)
            if inspect.isfunction(helper) and helper.__module__ == view.__module__ \
                    and helper not in seen:
                seen.add(helper)
                todo.append(helper)
    return sorted(set(_ARG_PATTERN.findall(source)))


class _Forms(HTMLParser):
    """The controls of each POST form of a page as a browser would send them (name, value),
    by the path the form is sent to."""

    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.action: str | None = None
        self.found: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
        self._select: list[str] | None = None  # name, selected value, first value
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name: str, value: str) -> None:
        if self.action is not None:
            self.found[self.action].append((name, value))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "form":
            post = a.get("method", "get").lower() == "post"
            self.action = (a.get("action") or self.page_path).split("?")[0] if post else None
        elif tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file") or \
                    (kind in ("checkbox", "radio") and "checked" not in a):
                return
            self._add(name, a.get("value", "on" if kind in ("checkbox", "radio") else ""))
        elif tag == "select" and name:
            self._select = [name, "", ""]
        elif tag == "option" and self._select is not None:
            if not self._select[2]:
                self._select[2] = a.get("value", "")
            if "selected" in a:
                self._select[1] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.action = None
        elif tag == "select" and self._select is not None:
            name, selected, first = self._select
            self._add(name, selected or first)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._add(self._textarea, "".join(self._text).removeprefix("\n"))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


def post_forms(page: str, page_path: str) -> dict[str, list[tuple[str, str]]]:
    """The POST forms of ``page`` as a browser would send them, by where each goes."""
    reader = _Forms(page_path)
    reader.feed(page)
    return dict(reader.found)


#: Text as a browser can send it (no lone surrogates), short.
_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
_numbers = st.sampled_from([
    "0", "-1", "-0", "1", "2147483647", "2147483648", "-2147483649", "9223372036854775807",
    "9223372036854775808", "-9223372036854775809", "99999999999999999999999999999", "1e309",
    "-1e309", "NaN", "inf", "1.5", "0x10", "1_000", "٣", "３", "1" * 400])
def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def form_names() -> list[str]:
    """The field names of every WTForms form of the portal (imported with the app)."""
    names = {name for form in _subclasses(PortalForm) for name in dir(form)
             if isinstance(getattr(form, name, None), UnboundField)}
    assert {"email", "password", "code", "body", "role"} <= names, sorted(names)
    return sorted(names | set(EXTRA_FORM_NAMES))


#: Values each name of a route is tried with once (the sweep), before the random examples.
BOUNDARY = ("", "-1", "0", "2147483648", "99999999999999999999", "1e309", "NaN", "abc",
            "0001-01-01", "9999-12-31", "2024-02-30", "\x00", "٣", "x" * 5000)
_shapes = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\u202eevil\u202c", "<script>alert(1)</script>", "' OR 1=1 --",
    "{{ 7*7 }}", "%(x)s %s {0}", "../../etc/passwd", "//evil.example/", "https://evil.example",
    "javascript:alert(1)", "\r\nSet-Cookie: x=1", "\ufeff\uffff", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍⚖️", "true", "false",
    "on", "[]", "{}", "null", "None", "0000-00-00", "0001-01-01", "9999-12-31", "10000-01-01",
    "2024-02-30", "-0001-01-01", "1970-01-01T00:00:00Z", "%00", "%", "a" * 5000, "é" * 3000,
    "\u0600" * 2000, "-" * 1000])
hostile = st.one_of(_text, _numbers, _shapes,
                    st.integers(min_value=-(10**40), max_value=10**40).map(str))


#: The values of one field or query name: one, or several (a list sent as repeated keys).
values = st.lists(hostile, min_size=1, max_size=3)


def path_values(rule: Rule, objects: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """The path arguments to try for ``rule``: every combination of the real values the scene
    has for its arguments (``objects``; by argument name, or ``endpoint:name`` first)."""
    combos: list[dict[str, Any]] = [{}]
    for argument in sorted(rule.arguments):
        choices = objects.get(f"{rule.endpoint}:{argument}") or objects.get(argument)
        assert choices, f"{rule.rule}: add values for {argument!r} to the fuzz's scene"
        combos = [{**combo, argument: value} for combo in combos for value in choices]
    return combos
