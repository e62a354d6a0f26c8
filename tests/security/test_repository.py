"""Nothing secret is committed, and every dependency is pinned (and installed as pinned)."""

from __future__ import annotations

import re
import subprocess
from importlib import metadata

import pytest

from ihs.settings import ROOT


def _tracked() -> list[str]:
    return subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.splitlines()


def test_no_secrets_file_is_tracked():
    tracked = _tracked()
    assert tracked, "git ls-files listed nothing"
    assert not [p for p in tracked if p.endswith("secrets.toml")]
    assert not [p for p in tracked if re.search(r"(^|/)\.env$|\.pem$|\.key$|id_rsa", p)]


def test_gitignore_lists_the_secrets_file():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert any(line.strip().endswith("secrets.toml") for line in ignored)
    check = subprocess.run(["git", "check-ignore", ".streamlit/secrets.toml"], cwd=ROOT, capture_output=True)
    assert check.returncode == 0, ".streamlit/secrets.toml is not ignored by git"


def test_a_commented_example_secrets_file_is_committed():
    assert ".streamlit/secrets.toml.example" in _tracked()
    lines = (ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8").splitlines()
    comments = [line for line in lines if line.lstrip().startswith("#")]
    assert len(comments) >= 2 and any("IHS_COOKIE_KEY" in line for line in lines)


def test_no_tracked_text_file_holds_a_private_key_or_a_password_in_an_url():
    private_key = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
    url_password = re.compile(r"postgres(?:ql)?(?:\+\w+)?://\w+:([^@/\s]+)@")
    # Documentation may show where a password goes: PASSWORD, <mot-de-passe>, ${VAR}, ***.
    placeholder = re.compile(r"[A-Z_]+|<[^>]+>|\$\{?\w+\}?|\*+|\.\.\.|…")
    for path in _tracked():
        file = ROOT / path
        if not file.is_file() or file.suffix in {".png", ".xlsx", ".pdf", ".pptx", ".db"}:
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        assert not private_key.search(text), f"{path} holds a private key"
        for match in url_password.finditer(text):
            assert placeholder.fullmatch(match.group(1)), f"{path} holds a database password: {match.group(0)}"


def _pins() -> list[tuple[str, str, str]]:
    out = []
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            out.append((name, line.strip(), ""))
    return out


@pytest.mark.parametrize(("file", "line", "_"), _pins(), ids=lambda v: v if isinstance(v, str) else None)
def test_every_requirement_line_is_pinned(file, line, _):
    if not line or line.startswith("#"):
        return
    assert re.fullmatch(r"-r [\w.\-]+\.txt", line) or re.fullmatch(r"[A-Za-z0-9_.\-]+==[\w.\-+]+", line), (
        f"{file}: {line!r} is neither name==version nor -r"
    )


def test_installed_versions_match_the_pins():
    """What the tests run against is what is pinned."""
    wrong = []
    for file in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / file).read_text().splitlines():
            if "==" not in line or line.startswith("#"):
                continue
            name, version = line.strip().split("==")
            try:
                installed = metadata.version(name)
            except metadata.PackageNotFoundError:
                wrong.append(f"{name} not installed")
                continue
            if installed != version:
                wrong.append(f"{name}: pinned {version}, installed {installed}")
    assert wrong == []
