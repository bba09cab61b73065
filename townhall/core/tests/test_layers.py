"""The layers contract in pyproject.toml: every module directly under townhall/ is in it, and
import-linter fails when a lower layer imports a higher one."""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LINT = Path(sys.executable).with_name("lint-imports")


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = config["contracts"]
    assert contract["type"] == "layers" and contract["containers"] == ["townhall"] and contract["exhaustive"]
    assert "ignore_imports" not in contract
    return [name.strip("() ") for layer in contract["layers"] for name in re.split(r"[|:]", layer)]


def test_every_package_under_townhall_is_in_a_layer() -> None:
    declared = set(_layers())
    present = {
        p.stem for p in (ROOT / "townhall").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    assert present - declared == set()
    # Places kept for what the open issues add.
    assert {"importers", "identity", "notifications", "webhooks", "live", "articles"} <= declared


def test_the_contract_fails_on_an_upward_import(tmp_path: Path) -> None:
    copy = tmp_path / "tree"
    shutil.copytree(ROOT / "townhall", copy / "townhall", ignore=shutil.ignore_patterns("node_modules", "static"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    ok = subprocess.run([str(LINT)], cwd=copy, capture_output=True, text=True, env={"PYTHONPATH": str(copy)})  # noqa: S603 (our own tool)
    assert ok.returncode == 0, ok.stdout
    core = copy / "townhall" / "core" / "text.py"
    core.write_text(core.read_text() + "\nfrom townhall.comments import models  # noqa\n")
    broken = subprocess.run([str(LINT)], cwd=copy, capture_output=True, text=True, env={"PYTHONPATH": str(copy)})  # noqa: S603 (our own tool)
    assert broken.returncode != 0
    assert "townhall.core is not allowed to import townhall.comments" in broken.stdout
