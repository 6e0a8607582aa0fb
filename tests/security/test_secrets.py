"""Per-install secrets: generated at the first start of a state directory, kept there for
its owner only, reused; none of them is in the repository, on a command line, or in a
stored span, and no configuration of the repository holds a secret-looking literal."""

import math
import os
import re
import stat
import subprocess
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def generate(state: Path) -> dict[str, str]:
    """Runs ./fabtrace's own secret generation for a state directory."""
    script = 'FT_ROOT="$1" && . "$1/scripts/common.sh" && . "$1/scripts/secrets.sh" && FT_STATE="$2" && ft_load_secrets'
    subprocess.run(["bash", "-c", script, "generate", str(ROOT), str(state)], check=True, timeout=60)
    lines = (state / "secrets" / "landscape.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_two_fresh_state_directories_get_different_secrets(tmp_path):
    first, second = generate(tmp_path / "a"), generate(tmp_path / "b")
    assert set(first) == set(second) and "FT_OTLP_TOKEN" in first and len(first) >= 9
    for name, value in first.items():
        assert len(value) >= 32 and value != second[name], name
    assert len(set(first.values())) == len(first), "two secrets of one install are equal"
    for state in (tmp_path / "a", tmp_path / "b"):
        assert stat.S_IMODE((state / "secrets").stat().st_mode) == 0o700
        assert stat.S_IMODE((state / "secrets" / "landscape.env").stat().st_mode) == 0o600
    assert generate(tmp_path / "a") == first, "a second start reuses the secrets"


def test_the_running_landscape_keeps_its_secrets_for_its_owner(landscape):
    for path in (landscape.state / "secrets" / "landscape.env", landscape.state / "supervisord.conf"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode == 0 and listed.stdout:
        return [ROOT / name for name in listed.stdout.decode().split("\0") if name]
    return [p for p in ROOT.rglob("*") if p.is_file() and "node_modules" not in p.parts and ".git" not in p.parts]


def test_no_generated_secret_is_in_the_repository(landscape):
    secrets = set(landscape.generated_secrets().values())
    assert len(secrets) >= 9
    for path in tracked_files():
        if path.is_file():
            content = path.read_bytes()
            for secret in secrets:
                assert secret.encode() not in content, f"{path} holds a secret of this install"


def test_no_secret_is_on_a_command_line(landscape):
    args = subprocess.run(["ps", "-eww", "-o", "args="], capture_output=True, text=True, check=True).stdout
    # The processes whose secrets matter are there (Keycloak runs as java with its home).
    assert "oauth2-proxy" in args and ("kc.sh" in args or "keycloak" in args), args[-3000:]
    assert "otelcol-fabtrace" in args and "minio" in args
    for name, secret in landscape.generated_secrets().items():
        assert secret not in args, f"{name} is visible in ps"
    for example in ("fabtrace-minio-secret", "fabtrace-gate-client-secret", "keycloak-secret", "shop-secret"):
        assert example not in args


def entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


# Files that are lists of checksums, not configuration.
CHECKSUM_FILES = {"go.sum", "Cargo.lock", "package-lock.json"}


def secret_looking(word: str) -> bool:
    """A long run of hex digits, or a mix of cases and digits as random strings are; names,
    paths and versions are neither."""
    if re.fullmatch(r"[0-9a-fA-F]{32,}", word):
        return True
    return (entropy(word) > 4.0 and bool(re.search(r"\d", word)) and bool(re.search(r"[a-z]", word))
            and bool(re.search(r"[A-Z]", word)))


def test_the_literal_check_recognises_secrets():
    assert secret_looking("9f86d081884c7d659a2feaa0c55ad015")  # a token of ft_random_secret's form
    assert secret_looking("Zx81qLmN0pRt7VwY3bKc5HdE")
    assert not secret_looking("opentelemetry-collector-contrib")
    assert not secret_looking("fabtrace-gate-cookie-secret")


def test_no_secret_looking_literal_in_the_configurations():
    words = re.compile(r"[A-Za-z0-9+_-]{20,}")
    found = []
    for path in tracked_files():
        relative = path.relative_to(ROOT)
        if relative.parts[0] not in ("deploy", "scripts", "tools", "web") and relative.name != "fabtrace":
            continue
        if path.name in CHECKSUM_FILES or "node_modules" in relative.parts or not path.is_file():
            continue
        if path.suffix in (".png", ".stl", ".ico", ".woff2"):
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            found += [f"{relative}:{number}: {word}" for word in words.findall(line) if secret_looking(word)]
    assert not found, "secret-looking literals:\n" + "\n".join(found)
