"""The deployment files for a real cluster (deploy/k8s, deploy/images) hold together, without
a cluster or a container engine: the manifests are valid Kubernetes objects (kubeconform,
strict, against JSON schemas made offline from the Kubernetes OpenAPI document by
deploy/k8s/tools/k8s_json_schemas.py), every Dockerfile builds from pinned bases in several
stages, runs as a non-root user and copies only files the repository has, and what the
cluster files repeat from the local landscape (Collector processing, versions,
provisioning) has not drifted from it."""

from __future__ import annotations

import glob
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

K8S = "deploy/k8s"
IMAGES = ["cpp-services", "web", "collector", "jaeger", "minio"]


# --- Kubernetes manifests -------------------------------------------------------------

def kubeconform(landscape, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """kubeconform on local schemas only (FT_K8S_SCHEMAS, laid out as <kind><suffix>.json);
    it never reaches the network."""
    schemas = Path(landscape.env("FT_K8S_SCHEMAS"))
    assert (schemas / "deployment-apps-v1.json").is_file(), f"no Kubernetes JSON schemas in {schemas}"
    location = f"{schemas}/{{{{ .ResourceKind }}}}{{{{ .KindSuffix }}}}.json"
    return subprocess.run([landscape.env("FT_BIN_KUBECONFORM"), "-strict", "-summary", "-skip", "Kustomization",
                           "-schema-location", location, *args],
                          input=stdin, capture_output=True, text=True, timeout=120, check=False)


def summary_counts(output: str) -> dict[str, int]:
    match = re.search(r"(\d+) resources? found (?:in \d+ files?|parsing stdin) - Valid: (\d+), Invalid: (\d+), Errors: (\d+), "
                      r"Skipped: (\d+)", output)
    assert match, output
    return dict(zip(["found", "valid", "invalid", "errors", "skipped"], map(int, match.groups())))


def test_manifests_are_valid_kubernetes_objects(landscape):
    result = kubeconform(landscape, str(landscape.root / K8S))
    assert result.returncode == 0, result.stdout + result.stderr
    counts = summary_counts(result.stdout)
    assert counts["invalid"] == 0 and counts["errors"] == 0, result.stdout
    assert counts["skipped"] == 1, "only kustomization.yaml has no Kubernetes schema"
    assert counts["valid"] >= 80, result.stdout


def test_the_validation_catches_a_misspelt_field(landscape, tmp_path):
    """Strict schemas: an unknown field fails, so a passing run means something."""
    text = (landscape.root / K8S / "shop-api.yaml").read_text().replace("readinessProbe:", "readinesProbe:", 1)
    (tmp_path / "shop-api.yaml").write_text(text)
    result = kubeconform(landscape, str(tmp_path))
    assert result.returncode != 0 and "readinesProbe" in result.stdout, result.stdout


def kustomization_resources(root: Path) -> list[str]:
    text = (root / K8S / "kustomization.yaml").read_text()
    block = re.search(r"^resources:\n((?:  - .*\n)+)", text, re.M)
    assert block, "kustomization.yaml lists its resources"
    return [line.split("- ", 1)[1].strip() for line in block.group(1).splitlines()]


def test_kustomization_lists_every_manifest(landscape):
    files = sorted(p.name for p in (landscape.root / K8S).glob("*.yaml") if p.name != "kustomization.yaml")
    assert sorted(kustomization_resources(landscape.root)) == files


def test_kustomize_output_is_valid(landscape):
    kustomize = landscape.env("FT_BIN_KUSTOMIZE")
    built = subprocess.run([kustomize, "build", str(landscape.root / K8S)], capture_output=True, text=True,
                           timeout=120, check=False)
    assert built.returncode == 0, built.stderr
    result = kubeconform(landscape, "-", stdin=built.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert summary_counts(result.stdout)["invalid"] == 0


def documents(path: Path) -> list[str]:
    return [doc for doc in re.split(r"^---\s*$", path.read_text(), flags=re.M) if doc.strip()]


def test_no_secret_values_in_the_manifests(landscape):
    """Secrets are referenced by name (secretKeyRef), created by hand (README.md)."""
    for path in sorted((landscape.root / K8S).glob("*.yaml")):
        text = path.read_text()
        assert not re.search(r"^kind:\s*Secret\s*$", text, re.M), f"{path.name} defines a Secret"
        # An environment variable named like a secret never gets a literal value.
        literal = re.findall(r"name:\s*([A-Z0-9_]*(?:PASSWORD|SECRET|TOKEN|_KEY)[A-Z0-9_]*)\s*,\s*value:", text)
        assert not literal, f"{path.name}: {literal} have literal values; use secretKeyRef"
        for match in re.finditer(r"- name:\s*([A-Z0-9_]*(?:PASSWORD|SECRET|TOKEN|_KEY)[A-Z0-9_]*)\s*\n(\s*)(\w+):", text):
            assert match.group(3) == "valueFrom", f"{path.name}: {match.group(1)} is not from a Secret"


def test_only_the_gate_reaches_jaeger_query_port(landscape):
    docs = [d for d in documents(landscape.root / K8S / "jaeger-query.yaml") if re.search(r"^kind: NetworkPolicy", d, re.M)]
    assert len(docs) == 1
    policy = docs[0]
    assert "matchLabels: {app.kubernetes.io/name: jaeger-query}" in policy
    rules = re.split(r"^    - from:", policy, flags=re.M)[1:]
    with_query_port = [rule for rule in rules if "port: 16686" in rule]
    assert len(with_query_port) == 1, policy
    sources = re.findall(r"app\.kubernetes\.io/name: ([\w-]+)", with_query_port[0])
    assert sources == ["jaeger-gate"], f"16686 is open to {sources}"
    assert "namespaceSelector" not in with_query_port[0] and "ipBlock" not in with_query_port[0]
    # The namespace denies every other way in, and nothing else exposes Jaeger query.
    default = (landscape.root / K8S / "network-policies.yaml").read_text()
    assert re.search(r"podSelector: \{\}\n\s+policyTypes: \[Ingress\]", default), default
    for path in (landscape.root / K8S).glob("*.yaml"):
        if path.name != "jaeger-query.yaml":
            for doc in documents(path):
                if "kind: NetworkPolicy" in doc:
                    assert "16686" not in doc, f"{path.name} opens Jaeger query's port"
    assert "jaeger-query" not in (landscape.root / K8S / "ingress.yaml").read_text()


def section(text: str, name: str) -> str:
    """A top-level section of a YAML file, as text (the test venv has no YAML parser)."""
    match = re.search(rf"^{re.escape(name)}:\n(.*?)(?=^\S)", text, re.S | re.M)
    assert match, name
    return f"{name}:\n{match.group(1)}"


@pytest.mark.parametrize("local, cluster", [("agent.yaml", "otel-agent.yaml"), ("gateway.yaml", "otel-gateway.yaml")])
def test_cluster_collectors_process_spans_as_the_local_ones(landscape, local, cluster):
    """Doors, scrubbing, redaction, tail sampling, span metrics: the same in the cluster."""
    source = (landscape.root / "deploy/collector" / local).read_text()
    configmap = (landscape.root / K8S / cluster).read_text()
    for name in ("processors", "connectors"):
        block = "\n".join(("    " + line) if line else line for line in section(source, name).splitlines())
        assert block in configmap, f"the {name} of deploy/collector/{local} differ in {K8S}/{cluster}"


# --- Dockerfiles ----------------------------------------------------------------------

def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    lines, current = [], ""
    for raw in path.read_text().splitlines():
        if not current and (not raw.strip() or raw.lstrip().startswith("#")):
            continue
        if current and raw.lstrip().startswith("#"):
            continue
        current += raw.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        lines.append(current.strip())
        current = ""
    result = []
    for line in lines:
        keyword, _, rest = line.partition(" ")
        result.append((keyword.upper(), rest.strip()))
    return result


def arg_defaults(steps: list[tuple[str, str]]) -> dict[str, str]:
    return dict(rest.split("=", 1) for keyword, rest in steps if keyword == "ARG" and "=" in rest)


def versions_env(root: Path) -> dict[str, str]:
    values = {}
    for line in (root / "deploy/versions.env").read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(\S+)", line)
        if match:
            values[match.group(1)] = match.group(2)
    return values


class Stage:
    def __init__(self, base: str, name: str | None):
        self.base, self.name, self.user, self.steps = base, name, None, []


def stages(path: Path) -> list[Stage]:
    steps = instructions(path)
    args = arg_defaults(steps)
    result: list[Stage] = []
    for keyword, rest in steps:
        if keyword == "FROM":
            words = [w for w in rest.split() if not w.startswith("--")]
            base = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), m.group(0)), words[0])
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            result.append(Stage(base, name))
        elif result:
            result[-1].steps.append((keyword, rest))
            if keyword == "USER":
                result[-1].user = rest.split(":")[0]
    return result


@pytest.mark.parametrize("image", IMAGES)
def test_dockerfile_bases_are_pinned_and_multi_stage(landscape, image):
    path = landscape.root / "deploy/images" / image / "Dockerfile"
    all_stages = stages(path)
    names = {s.name for s in all_stages if s.name}
    external = [s.base for s in all_stages if s.base not in names]
    assert len(all_stages) >= 2, f"{image}: a build stage and a runtime stage"
    assert any(k == "COPY" and "--from=" in rest for s in all_stages for k, rest in s.steps), \
        f"{image}: the runtime copies from a build stage"
    for base in external:
        assert "$" not in base, f"{image}: FROM {base} has an unresolved variable"
        if "@sha256:" in base:
            continue
        repository, _, tag = base.rpartition(":")
        assert repository and "/" not in tag, f"{image}: FROM {base} has no tag"
        assert tag != "latest" and re.search(r"\d", tag), f"{image}: FROM {base} is not an exact version"


@pytest.mark.parametrize("image", IMAGES)
def test_dockerfile_images_run_as_a_non_root_user(landscape, image):
    all_stages = stages(landscape.root / "deploy/images" / image / "Dockerfile")
    by_name = {s.name: s for s in all_stages if s.name}
    used = {s.base for s in all_stages} | {
        m.group(1) for s in all_stages for k, rest in s.steps if k == "COPY" for m in [re.search(r"--from=(\S+)", rest)] if m}
    # The images one can build: the last stage and every named stage nothing else builds on.
    targets = [s for s in all_stages if s is all_stages[-1] or (s.name and s.name not in used)]
    assert targets
    for stage in targets:
        user, current = stage.user, stage
        while user is None and current.base in by_name:
            current = by_name[current.base]
            user = current.user
        assert user is not None, f"{image}: stage {stage.name or stage.base} sets no USER"
        assert user not in ("root", "0"), f"{image}: stage {stage.name or stage.base} runs as root"


@pytest.mark.parametrize("image", IMAGES)
def test_dockerfile_copies_only_repository_files(landscape, image):
    """The build context is the repository root: every COPY source (not from a stage) exists."""
    path = landscape.root / "deploy/images" / image / "Dockerfile"
    copies = [rest for s in stages(path) for k, rest in s.steps if k in ("COPY", "ADD") and "--from=" not in rest]
    for rest in copies:
        words = [w for w in shlex.split(rest) if not w.startswith("--")]
        for source in words[:-1]:
            assert not re.match(r"^[a-z]+://", source), f"{image}: {source} is not a repository file"
            assert glob.glob(str(landscape.root / source)), f"{image}: COPY {source}: no such file in the repository"


def test_dockerfiles_build_the_pinned_versions(landscape):
    """The Dockerfiles' version arguments are those of deploy/versions.env."""
    versions = versions_env(landscape.root)
    expected = {"cpp-services": {"OTEL_CPP_DEB_VERSION"}, "collector": {"OCB_VERSION"}, "minio": {"MINIO_VERSION"}}
    for image, names in expected.items():
        args = arg_defaults(instructions(landscape.root / "deploy/images" / image / "Dockerfile"))
        for name in names:
            assert args.get(name) == versions[name], f"{image}: ARG {name}={args.get(name)}, versions.env {versions[name]}"
    jaeger = (landscape.root / "deploy/images/jaeger/Dockerfile").read_text()
    assert "deploy/go/jaeger/go.sum" in jaeger and "cargo fetch --locked" in jaeger
    manifests = "".join(p.read_text() for p in (landscape.root / K8S).glob("*.yaml"))
    assert f"apache/kafka:{versions['KAFKA_VERSION']}" in manifests
    assert f"quay.io/keycloak/keycloak:{versions['KEYCLOAK_VERSION']}" in manifests
    assert f"quay.io/oauth2-proxy/oauth2-proxy:{versions['OAUTH2_PROXY_VERSION']}" in manifests
