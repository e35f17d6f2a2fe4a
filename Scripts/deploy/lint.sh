#!/usr/bin/env bash
# Lints the deployment files: every YAML file under Deploy/ and openapi.yaml with yamllint (rules
# in .yamllint), the Kubernetes manifests against the Kubernetes API schemas (kubernetes-validate,
# offline, rejecting unknown fields), the Dockerfile with hadolint. Exits non-zero on any finding.
# Needs the tools in .venv (Scripts/setup-debian.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=.venv/bin
# The Kubernetes version the manifests are checked against.
kubernetes_version=1.33.0
for tool in yamllint kubernetes-validate hadolint; do
    [ -x "$venv/$tool" ] || { echo "lint: $venv/$tool is missing (run Scripts/setup-debian.sh)" >&2; exit 1; }
done

mapfile -t yaml_files < <(find Deploy -name '*.yaml' -o -name '*.yml' | sort)
[ "${#yaml_files[@]}" -gt 0 ] || { echo "lint: no YAML files under Deploy/" >&2; exit 1; }
"$venv/yamllint" --strict -c .yamllint "${yaml_files[@]}" openapi.yaml
# Every manifest but kustomize's own file, which is not an API object.
mapfile -t manifests < <(find Deploy/k8s -name '*.yaml' ! -name kustomization.yaml | sort)
"$venv/kubernetes-validate" --strict --quiet -k "$kubernetes_version" "${manifests[@]}"
"$venv/hadolint" --failure-threshold info Dockerfile
echo "lint: ${#yaml_files[@]} YAML files under Deploy/ (${#manifests[@]} Kubernetes manifests), openapi.yaml and the Dockerfile are clean" >&2
