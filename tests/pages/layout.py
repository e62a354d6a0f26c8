"""What a page shows from top to bottom, as a person scrolling it reads it (AppTest's element tree)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _walk(node):
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for index in sorted(children):
            yield from _walk(children[index])
    else:
        yield node


def elements_in_order(at: AppTest) -> list:
    """Every element of the page's main area, top to bottom (in columns: left to right)."""
    return list(_walk(at.main))


def kinds_in_order(at: AppTest) -> list[str]:
    """The kind of each element of `elements_in_order` ("title", "header", "vega_lite_chart"…)."""
    return [getattr(e, "type", type(e).__name__) for e in elements_in_order(at)]
