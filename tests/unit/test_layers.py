"""No module imports from a layer above its own: the pure core at the bottom, the app on top.

The layers, bottom up, as the README's "where a change goes" table describes them. A module may
import from its own layer and the layers below; an arrow upwards is a design error (it is how
the delivery guarantee once ended up spread over agents, runtime and the Faust corrections).
"""

from __future__ import annotations

import ast
from pathlib import Path

import faust_badges

PACKAGE = Path(faust_badges.__file__).parent

LAYERS: list[set[str]] = [
    {"__init__", "core"},  # pure decisions; the package root holds only the version
    {"openbadges", "settings", "logs", "metrics", "gc_tuning"},  # pure helpers, no Kafka
    {"events"},  # wire and state formats
    {"kafka_scan"},
    {"kafka_io"},
    {"topics", "learner_history", "samples", "config_file", "config_topic"},
    {"delivery"},  # the delivery guarantee: imports no agent
    {"tables"},
    {"providers"},
    {"runtime"},  # what the agents and views share
    {"agents"},
    {"web", "cli"},
    {"topology"},
    {"app"},
]
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}


def unit_of(module: str) -> str:
    """``faust_badges.core.decide`` -> ``core``; ``faust_badges`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] == "faust_badges"}


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def test_every_unit_of_the_package_has_a_layer() -> None:
    units = {path.stem for path in PACKAGE.glob("*.py")} | {
        path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()
    }
    assert units - set(RANK) == set(), "a new module or package: give it a layer here"


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        rank = RANK[unit_of(module)]
        for imported in sorted(imports_of(path)):
            if RANK[unit_of(imported)] > rank:
                upward.append(f"{module} imports {imported}")
    assert upward == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The walk finds ``from`` and plain imports (so the test above can fail)."""
    source = tmp_path / "m.py"
    source.write_text("import faust_badges.agents.ingest\nfrom faust_badges.runtime import X\n")
    assert {unit_of(name) for name in imports_of(source)} == {"agents", "runtime"}
