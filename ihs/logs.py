"""Logs for journald: one line per record on standard output, never a password or a tenant's data.

systemd hands each app server's standard output to journald (`journalctl -u ihs@8501`), which
splits on line ends: a traceback over thirty lines would be thirty entries, out of order with
the other servers'. So every record is one line, an exception included (its type, and where it
was raised). What may go in a line:

- writes: `ihs.db.session_scope` logs who wrote, which tables and how many rows, never a value;
- errors: the exception's type and the file:line of its last frames. Its message only for
  database and system errors, first line only: the SQL parameters are hidden by the engine
  (`hide_parameters`), PostgreSQL's DETAIL line (which quotes the row) is on a later line. Any
  other message may quote what a user typed (a tenant's situation in a visit's notes…), so it
  is left out.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

FORMAT = "%(levelname)s %(name)s: %(message)s"  # journald adds the time, the unit and the process
_MARK = "_ihs_one_line"


def _message_shown(exc: BaseException) -> bool:
    from sqlalchemy.exc import SQLAlchemyError

    return isinstance(exc, SQLAlchemyError | OSError)


def exception_summary(exc: BaseException, frames: int = 4) -> str:
    """`Type: first line (if safe) at file:line in fn < caller…`, innermost frame first."""
    text = type(exc).__qualname__
    if _message_shown(exc):
        first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        if first:
            text += f": {first}"
    stack = traceback.extract_tb(exc.__traceback__)[-frames:]
    where = " < ".join(f"{Path(f.filename).name}:{f.lineno} in {f.name}" for f in reversed(stack))
    return f"{text} at {where}" if where else text


class OneLineFormatter(logging.Formatter):
    """Formats each record on one line: an exception as `exception_summary` after " | ",
    line ends shown as " ⏎ "."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line, its exception summarised (never its traceback or stack)."""
        exc = record.exc_info[1] if record.exc_info else None
        plain = logging.makeLogRecord(record.__dict__)
        plain.exc_info, plain.exc_text, plain.stack_info = None, None, None
        line = super().format(plain)
        if exc is not None:
            line += f" | {exception_summary(exc)}"
        return line.replace("\r", " ").replace("\n", " ⏎ ")


def one_line(handler: logging.Handler, fmt: str = FORMAT) -> None:
    """Give `handler` the one-line format; a stream handler on standard error moves to standard output."""
    handler.setFormatter(OneLineFormatter(fmt))
    if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr:
        handler.setStream(sys.stdout)


def _fold(record: logging.LogRecord) -> None:
    """Make `record` one line whatever formats it: its message, then its exception summarised."""
    exc = record.exc_info[1] if record.exc_info else None
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # arguments that do not fit the message: keep both, unformatted
        message = f"{record.msg} {record.args}"
    if exc is not None:
        message += f" | {exception_summary(exc)}"
    record.msg = message.replace("\r", " ").replace("\n", " ⏎ ")
    record.args, record.exc_info, record.exc_text, record.stack_info = (), None, None, None


def _streamlit_one_line() -> None:
    """Streamlit's loggers do not propagate to the root handler: each has its own console handler,
    made again whenever Streamlit reloads its configuration, formatted with the `logger.messageFormat`
    option (.streamlit/config.toml). So their records are made one line when they are created,
    through the standard library's record factory; every other logger's are left as they are."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, _MARK, False):
        return

    def make(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        name = record.name or ""  # logging.makeLogRecord makes one without a name, then fills it in
        if name == "streamlit" or name.startswith("streamlit."):
            _fold(record)
        return record

    setattr(make, _MARK, True)
    logging.setLogRecordFactory(make)


def setup() -> None:
    """Send `ihs` records (INFO and up) and other libraries' warnings to stdout, one line each.

    Idempotent (app.py calls it on every run); Streamlit's own loggers are made one line too.
    """
    _streamlit_one_line()
    root = logging.getLogger()
    if not any(getattr(h, _MARK, False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        setattr(handler, _MARK, True)
        one_line(handler)
        root.addHandler(handler)
    ihs = logging.getLogger("ihs")
    if ihs.level == logging.NOTSET:  # INFO by default; a level someone chose (a benchmark's DEBUG) stays
        ihs.setLevel(logging.INFO)
