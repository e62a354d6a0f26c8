"""Logs for journald (issue #20 item 2): one line per record, no typed value in an error line."""

from __future__ import annotations

import io
import logging

import pytest
from sqlalchemy.exc import IntegrityError

from ihs import logs
from ihs.db import session_scope
from ihs.models import User


def _line(record_exc: BaseException, message: str = "write failed") -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logs.one_line(handler)
    logger = logging.getLogger("ihs.test_logs")
    logger.addHandler(handler)
    try:
        try:
            raise record_exc
        except BaseException:
            logger.exception(message)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_an_error_with_its_traceback_is_one_line_and_says_where():
    def deep():
        raise KeyError("secteur")

    try:
        deep()
    except KeyError as exc:
        line = _line(exc)
    assert line.count("\n") == 1 and line.endswith("\n")
    assert line.startswith("ERROR ihs.test_logs: write failed | KeyError at test_logs.py:")
    assert "in deep" in line


def test_a_message_that_may_quote_typed_text_is_left_out():
    line = _line(ValueError("Mme Dupont, 3e étage, impayés\nligne 2"))
    assert "Dupont" not in line and "ValueError at" in line


def test_a_database_error_keeps_its_first_line_never_the_row_or_the_parameters(engine, caplog):
    """A duplicate account: PostgreSQL's DETAIL quotes the row, SQLAlchemy the parameters."""
    name = "Personne Secrète"
    with pytest.raises(IntegrityError) as info, session_scope("coordination", engine=engine) as s:
        s.add(User(username="bailleur", name=name, role="viewer", password_hash="$2b$04$hash-secret"))
    line = _line(info.value)
    assert line.count("\n") == 1
    assert "IntegrityError" in line and ("UNIQUE" in line or "unique" in line)
    for secret in (name, "hash-secret", "bailleur"):
        assert secret not in line, line


def test_streamlit_s_own_records_are_one_line_without_what_was_typed(capsys):
    """Streamlit's loggers write through their own console handler, not the root's: an uncaught
    page error (its traceback, its message quoting a tenant) is still one line on the server's log."""
    from streamlit.logger import get_logger

    logs.setup()
    logger = get_logger("streamlit.test_logs_one_line")  # a new one: its handler writes to this test's stderr
    try:
        raise ValueError("Mme Dupont, 3e étage\nligne 2")
    except ValueError:
        logger.exception("Uncaught app exception")
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Uncaught app exception | ValueError at test_logs.py:" in err
    assert "Dupont" not in err
