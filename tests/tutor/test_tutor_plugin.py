"""The plugin's docker compose and Kubernetes output with every setting at its default."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from faust_badges.settings import Settings
from tests.tutor.conftest import REPO, TutorProject

WORKER_COMMAND = ["faust", "-A", "faust_badges.app", "worker", "-l", "info"]
DEFAULT_IMAGE = "faust-badges:0.1.0"
#: Settings whose value comes from the deployment, not from the worker's defaults.
DERIVED_FIELDS = {"broker_url", "schema_registry_url", "datadir", "web_host", "ops_token"}
PLUGIN_NAMES = re.compile(r"faust[-_]badges", re.IGNORECASE)


def compose_settings(environment: dict[str, str]) -> Settings:
    """The worker's settings from a compose environment (where `$$` stands for `$`)."""
    return Settings.from_env(
        {name: value.replace("$$", "$") for name, value in environment.items()}
    )


def k8s_env(container: dict[str, Any]) -> dict[str, str]:
    return {entry["name"]: entry["value"] for entry in container["env"] if "value" in entry}


def test_compose_runs_the_worker_with_its_image_command_env_and_volume(
    default_project: TutorProject,
) -> None:
    services = default_project.services()
    worker = services["faust-badges"]
    assert worker["image"] == DEFAULT_IMAGE
    assert worker["command"] == WORKER_COMMAND
    assert "../../data/faust-badges:/data:z" in worker["volumes"]
    assert worker["ports"] == ["127.0.0.1:6066:6066"]

    settings = compose_settings(worker["environment"])
    assert settings.broker_url == "kafka://faust-badges-kafka:9092"
    assert settings.schema_registry_url == "http://faust-badges-schema-registry:8081"
    assert settings.datadir == Path("/data")
    assert settings.web_host == "faust-badges"
    assert settings.ops_token is not None
    assert settings.ops_token.get_secret_value() == default_project.token
    # Every other setting is the worker's own default.
    assert settings.model_dump(exclude=DERIVED_FIELDS) == Settings().model_dump(
        exclude=DERIVED_FIELDS
    )

    kafka = services["faust-badges-kafka"]
    assert (
        kafka["environment"]["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://faust-badges-kafka:9092"
    )
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    registry = services["faust-badges-schema-registry"]
    assert registry["environment"]["SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS"] == (
        "PLAINTEXT://faust-badges-kafka:9092"
    )
    assert {"faust-badges-kafka", "faust-badges-schema-registry"} <= set(worker["depends_on"])
    assert {"faust-badges-kafka", "faust-badges-schema-registry"} <= set(
        services["lms"]["depends_on"]
    )
    # The bind-mounted data folders are handed to the users the images run as.
    assert "../../data/faust-badges:/mounts/faust-badges:z" in services["permissions"]["volumes"]
    setowners = default_project.text("apps/permissions/setowners.sh")
    assert "setowner 10001 /mounts/faust-badges" in setowners
    assert "setowner 1000 /mounts/faust-badges-kafka" in setowners


def test_local_init_runs_the_config_job(default_project: TutorProject) -> None:
    job = default_project.services("local/docker-compose.jobs.yml")["faust-badges-job"]
    assert job["image"] == DEFAULT_IMAGE
    assert job["entrypoint"] == []
    mount = "../plugins/faust-badges/apps/config:/etc/faust-badges:ro"
    assert mount in job["volumes"]
    assert (default_project.root / "env" / "local" / mount.split(":")[0] / "badges.yaml").exists()
    assert compose_settings(job["environment"]).broker_url == "kafka://faust-badges-kafka:9092"

    default_project.tutor("local", "do", "init", "--limit", "faust-badges")
    [run] = default_project.docker_runs()
    assert run[-5:-1] == ["faust-badges-job", "sh", "-e", "-c"]
    script = run[-1]
    # No badge config in the Tutor config: nothing is published, and it says how to.
    assert "config apply" not in script.replace("FAUST_BADGES_CONFIG", "")
    assert "FAUST_BADGES_CONFIG is empty" in script


def test_k8s_runs_the_worker_with_a_service_a_volume_and_an_init_job(
    default_project: TutorProject,
) -> None:
    deployment = default_project.k8s("Deployment", "faust-badges")
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["image"] == DEFAULT_IMAGE
    assert container["command"] == WORKER_COMMAND
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"]["type"] == "Recreate"
    assert pod["securityContext"]["runAsNonRoot"] is True

    environment = k8s_env(container)
    settings = Settings.from_env({**environment, "BADGES_OPS_TOKEN": "from-the-secret"})
    assert settings.broker_url == "kafka://faust-badges-kafka:9092"
    assert settings.model_dump(exclude=DERIVED_FIELDS) == Settings().model_dump(
        exclude=DERIVED_FIELDS
    )
    [web_host] = [entry for entry in container["env"] if entry["name"] == "WEB_HOST"]
    assert web_host["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP"
    # The token is in a Secret, not in the Deployment.
    assert default_project.token not in default_project.text("k8s/deployments.yml")
    [secret_ref] = container["envFrom"]
    secret = default_project.k8s("Secret", secret_ref["secretRef"]["name"])
    assert secret["stringData"]["BADGES_OPS_TOKEN"] == default_project.token

    [mount] = container["volumeMounts"]
    assert mount["mountPath"] == "/data"
    [volume] = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    claim = default_project.k8s(
        "PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"]
    )
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]

    service = default_project.k8s("Service", "faust-badges")
    [port] = service["spec"]["ports"]
    assert port["port"] == 6066
    assert port["targetPort"] in {p["name"] for p in container["ports"]}
    assert service["spec"]["selector"].items() <= pod_labels(deployment).items()
    for name in ("faust-badges-kafka", "faust-badges-schema-registry"):
        assert default_project.k8s("Service", name)["spec"]["selector"].items() <= (
            pod_labels(default_project.k8s("Deployment", name)).items()
        )
    default_project.k8s("PersistentVolumeClaim", "faust-badges-kafka")

    job = default_project.k8s("Job", "faust-badges-job")
    assert job["metadata"]["labels"]["app.kubernetes.io/component"] == "job"
    [job_container] = job["spec"]["template"]["spec"]["containers"]
    assert job_container["image"] == DEFAULT_IMAGE
    # Tutor runs the init task as `sh -e -c` when the job's command is empty.
    assert job_container["command"] == []
    [config_volume] = job["spec"]["template"]["spec"]["volumes"]
    kustomization = default_project.documents("kustomization.yml")[0]
    [generator] = [
        g
        for g in kustomization["configMapGenerator"]
        if g["name"] == config_volume["configMap"]["name"]
    ]
    for path in generator["files"] + [r for r in kustomization["resources"] if "faust" in r]:
        assert (default_project.root / "env" / path).is_file(), path


def pod_labels(deployment: dict[str, Any]) -> dict[str, str]:
    return deployment["spec"]["template"]["metadata"]["labels"]


@pytest.mark.parametrize("version", ["1.30.0", kubernetes_validate.latest_version()])
def test_k8s_manifests_match_the_kubernetes_schema(
    default_project: TutorProject, version: str
) -> None:
    ours = [
        r for r in default_project.k8s_resources() if PLUGIN_NAMES.search(r["metadata"]["name"])
    ]
    assert {(r["kind"], r["metadata"]["name"]) for r in ours} >= {
        ("Deployment", "faust-badges"),
        ("Service", "faust-badges"),
        ("PersistentVolumeClaim", "faust-badges"),
        ("Job", "faust-badges-job"),
        ("Secret", "faust-badges"),
    }
    for resource in ours:
        # strict: an unknown or misplaced field is an error, not ignored.
        kubernetes_validate.validate(resource, version, strict=True)


def test_the_ops_token_is_generated_once_into_the_tutor_config(
    default_project: TutorProject, new_project: Callable[[], TutorProject]
) -> None:
    assert re.fullmatch(r"[A-Za-z0-9]{32}", default_project.token)
    default_project.tutor("config", "save")
    assert default_project.config()["FAUST_BADGES_OPS_TOKEN"] == default_project.token
    assert new_project().token != default_project.token
    # Never in the image: no ENV or ARG of the Dockerfile sets it.
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    instructions = [line for line in dockerfile.splitlines() if re.match(r"(ENV|ARG)\b", line)]
    assert instructions
    assert not [line for line in instructions if "TOKEN" in line]


def test_disabling_the_plugin_removes_everything_it_rendered(
    new_project: Callable[[], TutorProject],
) -> None:
    project = new_project()
    env = project.root / "env"
    assert (env / "plugins" / "faust-badges").is_dir()
    assert mentions(env)
    project.tutor("plugins", "disable", "faust-badges")
    # Tutor removes the folders the plugin rendered (their empty parent may stay).
    assert [p for p in (env / "plugins").rglob("*") if p.is_file()] == []
    assert mentions(env) == []


def mentions(env: Path) -> list[str]:
    """Files of the env that name the plugin (faust-badges, faust_badges, FAUST_BADGES)."""
    return [
        str(path.relative_to(env))
        for path in sorted(env.rglob("*"))
        if path.is_file()
        and PLUGIN_NAMES.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
