"""The national-scale benchmark: `python -m ihs bench` (pages) and `python -m ihs bench --writes`.

A tool of the repository, not part of the app: nothing under `ihs/`, `pages/` or `app.py` imports
it (checked by `tests/test_project.py`); `ihs.cli` loads it when the `bench` command is run.

- `base`: the synthetic database, built once per size and reused (`synthetic` makes it);
- `pages`: each dashboard page timed under AppTest, with its reads alone as the floor;
- `writes`: concurrent writers through the same functions as the forms;
- `cli`: the command and its table.

See docs/performance.md for what is measured and the latest figures.
"""
