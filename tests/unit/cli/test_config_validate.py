"""`faust-badges config validate FILE`: offline, every error with its file line and location."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from faust_badges.cli import main

REPO = Path(__file__).resolve().parents[3]

BAD = """\
templates:
  - id: py
    name: Python
    requirments: []
    requirements:
      - id: r1
        event_type: org.openedx.learning.course.passing.status.updated.v1
        rules:
          - {path: is_passing, op: equals, value: true}
    penalties:
      - id: p1
        event_type: org.openedx.learning.course.passing.status.updated.v1
        requirements: [r9]
  - id: py
    name: Again
    requirements:
      - {id: a, event_type: org.example.unknown.v1}
"""


def test_the_example_config_is_valid() -> None:
    result = CliRunner().invoke(main, ["config", "validate", str(REPO / "examples/badges.yaml")])
    assert result.exit_code == 0, result.output
    assert "valid, 4 templates (3 active)" in result.output


def test_every_error_is_listed_with_its_line_and_location(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    result = CliRunner().invoke(main, ["config", "validate", str(path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith(str(path))]
    assert [line.split(": ", 2)[0:2] for line in lines] == [
        [f"{path}:4", "templates[0].requirments"],
        [f"{path}:9", "templates[0].requirements[0].rules[0].op"],
        [f"{path}:13", "templates[0].penalties[0].requirements[0]"],
        [f"{path}:14", "templates[1].id"],
        [f"{path}:17", "templates[1].requirements[0].event_type"],
    ]
    assert "5 error(s): the config was not accepted" in result.output
    assert "Traceback" not in result.output


def test_a_file_that_is_not_yaml_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("templates:\n  - id: [unclosed\n")
    result = CliRunner().invoke(main, ["config", "validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:3: <document>: not valid YAML" in result.output
