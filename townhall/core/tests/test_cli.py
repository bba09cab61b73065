"""The `townhall` command run as a user runs it, from any folder: it finds the installation's
data directory the same way wherever it runs, and a database without its tables gets a message
saying which data directory it used and what to do, never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TOWNHALL = Path(sys.executable).with_name("townhall")


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"TOWNHALL_DATA_DIR", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    clean["SECRET_KEY"] = "test-only-secret-key-so-nothing-is-written"
    return subprocess.run(  # noqa: S603 (our own command)
        [str(TOWNHALL), *args], cwd=cwd, capture_output=True, text=True, env={**clean, **env}, timeout=120
    )


def test_the_data_directory_is_the_installations_wherever_the_command_runs(tmp_path: Path) -> None:
    code = "from django.conf import settings; print(settings.DATA_DIR)"
    here = run("shell", "-c", code, cwd=ROOT)
    elsewhere = run("shell", "-c", code, cwd=tmp_path)
    assert here.returncode == 0 and elsewhere.returncode == 0, elsewhere.stderr
    assert here.stdout.split()[-1] == elsewhere.stdout.split()[-1] == str(ROOT / "var")
    assert list(tmp_path.iterdir()) == []  # nothing created where it ran


def test_a_database_without_tables_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    data = tmp_path / "empty"
    result = run("site", "list", cwd=tmp_path, TOWNHALL_DATA_DIR=str(data))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert f"data directory: {data}" in result.stderr
    assert "townhall migrate" in result.stderr and "TOWNHALL_DATA_DIR" in result.stderr
