"""Reading a badge config file: YAML or JSON, every error with its file line number."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from faust_badges.config_file import ConfigFileError, load_config_file
from faust_badges.core.event_types import COURSE_PASSING_STATUS

EXAMPLE_FILE = Path(__file__).resolve().parents[2] / "examples" / "badges.yaml"

# Line numbers are 1-based; the comments name the line each test points at.
MANY_PROBLEMS_YAML = f"""\
templates:
  - id: python
    name: Python
    requirements:
      - id: py101
        event_type: {COURSE_PASSING_STATUS}
        rules:
          - {{path: is_passing, op: eq, value: true}}
          - {{path: course.course_key, op: equals, value: "course-v1:edX+Py101+2026"}}
    penalties:
      - id: lost
        event_type: {COURSE_PASSING_STATUS}
        requirements: [py101,
                       py301]
  - id: python
    name: Python again
    requirments: []
  - id: Bad Slug
    name: Bad
    requirements:
      - id: odd
        event_type: org.example.unknown.v1
"""

# location -> the line of MANY_PROBLEMS_YAML it must be reported at
EXPECTED_LINES: dict[str, int] = {
    "templates[0].requirements[0].rules[1].op": 9,
    "templates[0].penalties[0].requirements[1]": 14,
    "templates[1].id": 15,
    "templates[1].requirments": 17,
    "templates[1].requirements": 15,  # missing key: the line of the template that lacks it
    "templates[2].id": 18,
    "templates[2].requirements[0].event_type": 22,
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_errors(path: Path) -> ConfigFileError:
    with pytest.raises(ConfigFileError) as caught:
        load_config_file(path)
    return caught.value


def test_the_example_file_loads() -> None:
    config = load_config_file(EXAMPLE_FILE)
    assert len(config.templates) == 4


@pytest.mark.parametrize(("where", "line"), EXPECTED_LINES.items())
def test_an_error_carries_the_line_of_the_offending_entry(
    tmp_path: Path, where: str, line: int
) -> None:
    error = load_errors(write(tmp_path, "badges.yaml", MANY_PROBLEMS_YAML))
    lines = {config_error.where: number for number, config_error in error.errors}
    assert lines[where] == line


def test_every_error_of_the_file_is_reported(tmp_path: Path) -> None:
    error = load_errors(write(tmp_path, "badges.yaml", MANY_PROBLEMS_YAML))
    assert sorted(config_error.where for _, config_error in error.errors) == sorted(EXPECTED_LINES)


def test_errors_are_sorted_by_line(tmp_path: Path) -> None:
    error = load_errors(write(tmp_path, "badges.yaml", MANY_PROBLEMS_YAML))
    numbers = [number or 0 for number, _ in error.errors]
    assert numbers == sorted(numbers)


def test_each_printed_error_starts_with_path_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "badges.yaml", MANY_PROBLEMS_YAML)
    expected = f"{path}:9: templates[0].requirements[0].rules[1].op: unknown operator 'equals'"
    assert any(line.startswith(expected) for line in load_errors(path).lines())


def test_the_error_text_is_one_line_per_error(tmp_path: Path) -> None:
    error = load_errors(write(tmp_path, "badges.yaml", MANY_PROBLEMS_YAML))
    assert str(error).splitlines() == list(error.lines())
    assert "Traceback" not in str(error)


def test_invalid_yaml_gives_one_error_with_its_line(tmp_path: Path) -> None:
    text = textwrap.dedent(
        """\
        templates:
          - id: python
            name: Python: Fundamentals
            requirements: []
        """
    )
    error = load_errors(write(tmp_path, "badges.yaml", text))
    assert len(error.errors) == 1
    line, config_error = error.errors[0]
    assert line == 3
    assert config_error.message.startswith("not valid YAML")


def test_a_tab_in_yaml_indentation_is_reported_at_its_line(tmp_path: Path) -> None:
    text = "templates:\n  - id: python\n\tname: Python\n"
    error = load_errors(write(tmp_path, "badges.yaml", text))
    assert [line for line, _ in error.errors] == [3]


def test_a_missing_file_gives_one_error_without_a_line(tmp_path: Path) -> None:
    error = load_errors(tmp_path / "absent.yaml")
    assert len(error.errors) == 1
    line, config_error = error.errors[0]
    assert line is None
    assert "cannot read the file" in config_error.message


def test_a_file_that_is_not_utf8_gives_one_error(tmp_path: Path) -> None:
    path = tmp_path / "badges.yaml"
    path.write_bytes(b"templates: []\nname: \xff\xfe\n")
    assert len(load_errors(path).errors) == 1


def test_a_json_file_loads(tmp_path: Path) -> None:
    document = {
        "templates": [
            {
                "id": "python",
                "name": "Python",
                "requirements": [
                    {
                        "id": "py101",
                        "event_type": COURSE_PASSING_STATUS,
                        "rules": [{"path": "is_passing", "op": "eq", "value": True}],
                    }
                ],
            }
        ]
    }
    path = write(tmp_path, "badges.json", json.dumps(document, indent=2))
    assert load_config_file(path).templates[0].requirements[0].rules[0].value is True


def test_a_json_file_error_carries_its_line(tmp_path: Path) -> None:
    text = textwrap.dedent(
        f"""\
        {{
          "templates": [
            {{
              "id": "python",
              "name": "Python",
              "requirements": [
                {{
                  "id": "py101",
                  "event_type": "{COURSE_PASSING_STATUS}",
                  "rules": [{{"path": "is_passing", "op": "is", "value": true}}]
                }}
              ]
            }}
          ]
        }}
        """
    )
    error = load_errors(write(tmp_path, "badges.json", text))
    assert [(line, e.where) for line, e in error.errors] == [
        (10, "templates[0].requirements[0].rules[0].op")
    ]


def test_an_empty_file_is_rejected(tmp_path: Path) -> None:
    assert load_errors(write(tmp_path, "badges.yaml", "")).errors


def test_a_tab_indented_json_file_loads(tmp_path: Path) -> None:
    text = (
        '{\n\t"templates": [\n\t\t{\n\t\t\t"id": "python",\n\t\t\t"name": "Python",\n'
        f'\t\t\t"requirements": [{{"id": "py101", "event_type": "{COURSE_PASSING_STATUS}"}}]\n'
        "\t\t}\n\t]\n}\n"
    )
    assert load_config_file(write(tmp_path, "badges.json", text)).templates[0].id == "python"


def test_an_unquoted_yaml_date_is_accepted_as_an_ordering_bound(tmp_path: Path) -> None:
    text = textwrap.dedent(
        f"""\
        templates:
          - id: early
            name: Early
            requirements:
              - id: early-start
                event_type: {COURSE_PASSING_STATUS}
                rules:
                  - {{path: course.start, op: lt, value: 2026-01-01}}
        """
    )
    assert load_config_file(write(tmp_path, "badges.yaml", text)).templates[0].id == "early"
