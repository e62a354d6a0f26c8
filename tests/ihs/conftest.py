"""Fixtures shared by the report tests."""

import shutil

import pytest

from ihs.db import forget_engine, get_engine


@pytest.fixture(scope="module")
def demo_engine(sqlite_template, tmp_path_factory):
    """One demo database per test module: building a report renders charts, which takes seconds."""
    path = tmp_path_factory.mktemp("report") / "demo.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    yield get_engine(url)
    forget_engine(url)
