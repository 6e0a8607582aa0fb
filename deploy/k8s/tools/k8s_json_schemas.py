#!/usr/bin/env python3
"""Kubernetes JSON schemas for kubeconform, made offline from the API's OpenAPI document.

kubeconform normally downloads per-kind JSON schemas from GitHub, which this project
cannot reach. The same information is in the OpenAPI (v2) document the Kubernetes source
ships, `api/openapi-spec/swagger.json` of the Go module k8s.io/kubernetes, which the Go
module proxy serves (scripts/install.sh fetches it with `go mod download`). This program
turns it into kubeconform's layout: one file per kind and API version, named
`<kind><suffix>.json` as kubeconform's `{{ .ResourceKind }}{{ .KindSuffix }}` template
expects (`deployment-apps-v1.json`, `networkpolicy-networking-v1.json`, `service-v1.json`).

Every file stands alone: it carries the definitions it refers to (`#/definitions/...`),
so recursive types need no inlining. The schemas are strict: an object with declared
properties admits no others (`additionalProperties: false`), which is what catches a
misspelt or misplaced field. As Kubernetes itself does, an IntOrString takes a string or
an integer and a Quantity a string or a number.

Usage: k8s_json_schemas.py <swagger.json> <output directory>
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DEFS = "#/definitions/"
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
REPLACED = {
    INT_OR_STRING: {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    QUANTITY: {"oneOf": [{"type": "string"}, {"type": "number"}]},
}


def kind_suffix(group: str, version: str) -> str:
    """kubeconform's KindSuffix: the first label of the group (none for the core group)."""
    return f"-{group.split('.')[0].lower()}-{version.lower()}" if group else f"-{version.lower()}"


def convert(node, refs: set[str]):
    """A copy of an OpenAPI schema node as JSON schema (draft 4), collecting its $refs."""
    if isinstance(node, list):
        return [convert(item, refs) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key.startswith("x-kubernetes-") or key == "description":
            continue
        if key == "$ref":
            refs.add(value[len(DEFS):])
            out[key] = value
        elif key in ("properties", "patternProperties", "definitions"):
            out[key] = {name: convert(child, refs) for name, child in value.items()}
        else:
            out[key] = convert(value, refs)
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def definition(definitions: dict, name: str, refs: set[str]) -> dict:
    return dict(REPLACED[name]) if name in REPLACED else convert(definitions[name], refs)


def standalone(definitions: dict, name: str, group: str, version: str, kind: str) -> dict:
    """The schema of one kind with the closure of the definitions it refers to."""
    refs: set[str] = set()
    schema = definition(definitions, name, refs)
    api_version = f"{group}/{version}" if group else version
    properties = schema.setdefault("properties", {})
    properties["apiVersion"] = {"type": "string", "enum": [api_version]}
    properties["kind"] = {"type": "string", "enum": [kind]}
    closure: dict[str, dict] = {}
    pending = sorted(refs)
    while pending:
        ref = pending.pop()
        if ref in closure:
            continue
        more: set[str] = set()
        closure[ref] = definition(definitions, ref, more)
        pending.extend(sorted(more - closure.keys()))
    schema["$schema"] = "http://json-schema.org/draft-04/schema#"
    if closure:
        schema["definitions"] = dict(sorted(closure.items()))
    return schema


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    definitions = json.loads(Path(argv[1]).read_text())["definitions"]
    out_dir = Path(argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}
    for name in sorted(definitions):
        for gvk in definitions[name].get("x-kubernetes-group-version-kind", []):
            group, version, kind = gvk.get("group", ""), gvk["version"], gvk["kind"]
            file = f"{kind.lower()}{kind_suffix(group, version)}.json"
            if file in written:
                continue
            written[file] = name
            (out_dir / file).write_text(json.dumps(standalone(definitions, name, group, version, kind),
                                                   separators=(",", ":")))
    print(f"{len(written)} schemas written to {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
