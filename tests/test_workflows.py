"""The GitHub workflows users of a HACS integration expect: hassfest, HACS, the test suite.

They cannot run here (no GitHub), so their files are checked: against the GitHub workflow
schema that check-jsonschema vendors (in this process, where sockets are blocked: nothing is
fetched), then for the jobs and steps each one must have.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from check_jsonschema import main as check_jsonschema
import pytest
import yaml

ROOT = Path(__file__).parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"


def _workflow(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text("utf-8"))
    # YAML 1.1 reads the key `on` as the boolean true.
    data["on"] = data.pop(True)
    return data


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _uses(workflow: dict[str, Any], action: str) -> dict[str, Any]:
    """Return the one step that uses `action` (owner/name@ref), after a checkout."""
    steps = _steps(workflow)
    found = [step for step in steps if step.get("uses") == action]
    assert len(found) == 1, [step.get("uses") for step in steps]
    checkout = [
        i
        for i, step in enumerate(steps)
        if step.get("uses", "").startswith("actions/checkout@")
    ]
    assert checkout, "the repository is checked out first"
    assert checkout[0] < steps.index(found[0])
    return found[0]


def test_workflows_match_the_github_workflow_schema() -> None:
    """Every workflow file is valid for GitHub (vendored schema, offline)."""
    files = sorted(str(path) for path in WORKFLOWS.glob("*.y*ml"))
    assert len(files) == 3
    code = check_jsonschema.main(
        ["--builtin-schema", "vendor.github-workflows", *files],
        standalone_mode=False,
    )
    assert code == 0


def test_the_schema_check_can_fail(tmp_path: Path) -> None:
    """A job without runs-on is refused: the check above is not a formality."""
    broken = tmp_path / "broken.yaml"
    broken.write_text("on: push\njobs:\n  x:\n    steps:\n      - run: true\n")
    code = check_jsonschema.main(
        ["--builtin-schema", "vendor.github-workflows", str(broken)],
        standalone_mode=False,
    )
    assert code == 1


@pytest.mark.parametrize("name", ["hassfest.yaml", "hacs.yaml", "tests.yaml"])
def test_workflows_run_on_pushes_and_pull_requests(name: str) -> None:
    """Each workflow checks every push and pull request."""
    workflow = _workflow(name)
    assert {"push", "pull_request"} <= set(workflow["on"])
    assert workflow["permissions"] == {"contents": "read"}
    for job in workflow["jobs"].values():
        assert str(job["runs-on"]).startswith("ubuntu-")


def test_hassfest_workflow() -> None:
    """Home Assistant's own hassfest action validates the integration."""
    _uses(_workflow("hassfest.yaml"), "home-assistant/actions/hassfest@master")


def test_hacs_workflow() -> None:
    """HACS's action validates the repository as an integration."""
    step = _uses(_workflow("hacs.yaml"), "hacs/action@main")
    assert step["with"] == {"category": "integration"}


def test_tests_workflow_runs_the_suite_as_ci_does() -> None:
    """scripts/test on Ubuntu with Python 3.14, a browser and the system packages."""
    workflow = _workflow("tests.yaml")
    (job,) = workflow["jobs"].values()
    assert job["timeout-minutes"] <= 90
    python = _uses(workflow, "actions/setup-python@v5")
    assert python["with"]["python-version"] == "3.14"
    assert python["id"] == "python"
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert runs[-1].strip() == "scripts/test"
    assert (ROOT / "scripts" / "test").stat().st_mode & 0o111
    apt = next(run for run in runs if "apt-get install" in run)
    assert {"ffmpeg", "libturbojpeg0"} <= set(apt.split())
    # The browser tests need a Chromium: the image's Chrome, checked before the tests.
    assert job["env"]["CHROMIUM"] == "/usr/bin/google-chrome"
    assert 'test -x "$CHROMIUM"' in apt
    assert (
        job["steps"][-1]["env"]["PYTHON"] == "${{ steps.python.outputs.python-path }}"
    )
