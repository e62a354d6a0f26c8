"""A writer killed by the SIGKILL test: commits one event per transaction and prints its id.

Usage: python -m tests.recovery.writer URL TAG. An id is printed only after its transaction
committed, so every printed id must survive the kill. Runs until killed.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

from sqlalchemy import select

from ihs.db import get_engine, session_scope
from ihs.models import Event, EventSector, Sector


def main(url: str, tag: str) -> None:
    engine = get_engine(url)
    with engine.connect() as conn:
        sector_id = conn.execute(select(Sector.id).order_by(Sector.id)).scalars().first()
    start = datetime(2026, 11, 27, 9)
    n = 0
    while True:
        n += 1
        with session_scope(f"writer-{tag}", engine=engine) as s:
            event = Event(
                kind="dropin",
                title=f"{tag} #{n}",
                starts_at=start + timedelta(minutes=n),
                attendance=n % 17,
                notes="x" * 2000,  # bigger transactions: more WAL pages in flight at the kill
                source="recovery-test",
            )
            s.add(event)
            s.flush()
            s.add(EventSector(event_id=event.id, sector_id=sector_id))
            event_id = event.id
        print(event_id, flush=True)  # after the commit returned: this id is durable


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
