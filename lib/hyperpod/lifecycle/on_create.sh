#!/usr/bin/env bash
# The entry point SageMaker HyperPod runs as root on every new node (LifeCycleConfig.OnCreate),
# from a copy of this folder. Slurm itself is configured by HyperPod from the cluster's API-driven
# Slurm configuration (SlurmConfig of each instance group); this script adds the dataset platform:
# the dataset file system read-only and the results directory read-write.
#
# A non-zero exit fails the node's creation; the reason is the last line of
# /var/log/provision/provisioning.log (and of the cluster's CloudWatch log stream).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${HYPERPOD_ROOT:-}"
LOG_DIR="$ROOT/var/log/provision"
mkdir -p "$LOG_DIR"
LOG_FILE="$LOG_DIR/provisioning.log"

say() {
  printf '%s on_create: %s\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" "$*" | tee -a "$LOG_FILE" >&2
}

say "node $(hostname) starts the dataset platform's lifecycle scripts"
if ! bash "$SCRIPT_DIR/mount_datasets.sh"; then
  say "FAILED: the dataset file system could not be mounted; the cause is in /var/log/provision/dataset-file-system.log"
  exit 1
fi
say "done"
