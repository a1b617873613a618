"""Read a page's form as a browser would submit it (inputs, selects, textareas)."""

from __future__ import annotations

from html.parser import HTMLParser


class FormReader(HTMLParser):
    """Collects the successful controls of the form with the given class (or the first form)."""

    def __init__(self, form_class: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.form_class = form_class
        self.inside = False
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self.names: set[str] = set()
        self._select: str | None = None
        self._select_value: str | None = None
        self._select_first: str | None = None
        self._option_value: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.done and not self.inside:
            if not self.form_class or self.form_class in a.get("class", "").split():
                self.inside = True
            return
        if not self.inside:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            self.names.add(name)
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
                return
            self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.names.add(name)
            self._select, self._select_value, self._select_first = name, None, None
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._select_value = value
        elif tag == "textarea" and name:
            self.names.add(name)
            self._textarea, self._text = name, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "select" and self._select is not None:
            value = self._select_value if self._select_value is not None else self._select_first
            self.fields.append((self._select, value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


def read_form(html: str, form_class: str = "") -> list[tuple[str, str]]:
    reader = FormReader(form_class)
    reader.feed(html)
    return reader.fields
