"""ihs.ui.french: a failing page says so in French; Streamlit's stop and rerun pass through.

The browser script itself is tested in Chromium (tests/e2e/test_french.py).
"""

import json
import re

from streamlit.testing.v1 import AppTest

from ihs.ui import french


def _failing_page():
    from ihs.ui import french

    def page():
        import streamlit as st

        st.write("avant")
        raise ValueError("le message d'une exception, qui peut citer une saisie")

    french.run_page(page)


def _stopping_page():
    from ihs.ui import french

    def page():
        import streamlit as st

        st.write("avant")
        st.stop()

    french.run_page(page)
    import streamlit as st

    st.write("jamais")


def test_a_failing_page_says_so_in_french_without_its_message_and_logs_it(caplog):
    at = AppTest.from_function(_failing_page).run()
    assert not at.exception
    [error] = at.error
    assert error.value.startswith("Cette page a rencontré une erreur")
    assert "saisie" not in error.value
    assert re.search(r"référence \d\d/\d\d \d\d:\d\d:\d\d", error.value)
    assert any(r.name == "ihs.ui.french" and r.exc_info for r in caplog.records)


def test_stop_and_rerun_are_not_errors():
    at = AppTest.from_function(_stopping_page).run()
    assert not at.exception and not at.error
    assert [m.value for m in at.markdown] == ["avant"]


def test_the_script_carries_every_phrase_once_and_runs_once_per_tab():
    script = french.script()
    start = script.index("const PHRASES = ") + len("const PHRASES = ")
    phrases = json.JSONDecoder().raw_decode(script[start:])[0]
    assert phrases == french.PHRASES
    assert "if (window.__ihsFrench) return;" in script
    assert all(english != fr for english, fr in french.PHRASES.items())  # no identity entry
    # st.html parses it as HTML first: a « < » in the script (even in a comment) stopped it running.
    assert "<" not in script
