"""The GitOps example (examples/gitops/) runs exactly the `tcr-drift` command the README documents."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

from tcr_provider import drift

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "gitops"
SECRETS = ("PULUMI_BACKEND_URL", "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY")


def readme_command() -> list[str]:
    """The `tcr-drift` lines of the fenced block that follows **GitOps.** in the README's drift report section."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Drift reports (`tcr-drift`)", 1)[1]
    section = re.split(r"\n#{2,3} ", section, maxsplit=1)[0]
    gitops = section.split("**GitOps.**", 1)[1]
    block = re.search(r"```sh\n(.*?)```", gitops, re.DOTALL)
    assert block, "the README's GitOps paragraph has no ```sh block"
    return [line.strip() for line in block.group(1).splitlines() if line.strip().startswith("tcr-drift")]


def command_lines(script: str) -> list[str]:
    return [line.strip() for line in script.splitlines() if line.strip().startswith("tcr-drift")]


def github_workflow() -> dict[Any, Any]:
    workflow: dict[Any, Any] = yaml.safe_load((EXAMPLE / "drift.yml").read_text())
    return workflow


def github_steps() -> list[dict[str, Any]]:
    [job] = github_workflow()["jobs"].values()
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def gitlab_job() -> dict[str, Any]:
    [job] = yaml.safe_load((EXAMPLE / ".gitlab-ci.yml").read_text()).values()
    assert isinstance(job, dict)
    return job


def test_the_readme_documents_one_gitops_command() -> None:
    assert len(readme_command()) == 1


def test_the_github_workflow_runs_the_readme_command() -> None:
    lines = [line for step in github_steps() for line in command_lines(step.get("run", ""))]
    assert lines == readme_command()


def test_the_gitlab_job_runs_the_readme_command() -> None:
    job = gitlab_job()
    scripts = [script for key in ("before_script", "script", "after_script") for script in job.get(key, [])]
    lines = [line for script in scripts for line in command_lines(script)]
    assert lines == readme_command()
    assert job["allow_failure"] == {"exit_codes": [drift.EXIT_DRIFT]}


def test_the_command_parses_and_its_stacks_file_names_this_project() -> None:
    [command] = readme_command()
    program, *argv = shlex.split(command)
    assert program == "tcr-drift"
    args = drift.build_parser().parse_args(argv)
    assert (args.format, str(args.output)) == ("markdown", "drift.md")
    # CI runs it from the repository's root, where the stacks file's relative directories start from its own.
    targets = drift.read_stacks_file(ROOT / args.stacks_file)
    assert targets
    for target in targets:
        project = yaml.safe_load((target.project_dir / "Pulumi.yaml").read_text())
        config_dir = target.project_dir / project.get("stackConfigDir", ".")
        assert (config_dir / f"Pulumi.{target.stack}.yaml").is_file(), target


def test_the_github_workflow_is_scheduled_and_reports_into_the_job_summary() -> None:
    workflow = github_workflow()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["schedule"][0]["cron"]
    [job] = workflow["jobs"].values()
    for name in SECRETS:
        assert job["env"][name] == f"${{{{ secrets.{name} }}}}"
    runs = [step.get("run", "") for step in github_steps()]
    assert any("pip install" in run for run in runs)
    [report] = [run for run in runs if command_lines(run)]
    assert '>> "$GITHUB_STEP_SUMMARY"' in report
    # Exit 1 always fails the job; exit 2 is annotated, and fails it only when asked to.
    assert re.search(r"\*\)\s+echo \"::error .*\n\s+exit 1", report)
    assert re.search(r"2\)\s+echo \"::warning .*\n\s+if \[ \"\$FAIL_ON_DRIFT\" = \"true\" \]; then exit 2; fi", report)


def test_the_gitlab_job_installs_the_package_and_keeps_the_report() -> None:
    job = gitlab_job()
    assert any("pip install" in line for line in job["before_script"])
    assert job["artifacts"]["paths"] == ["drift.md"] and job["artifacts"]["when"] == "always"
    assert {rule["if"] for rule in job["rules"]} >= {'$CI_PIPELINE_SOURCE == "schedule"'}
