#!/usr/bin/env bash
# System packages the full test suite needs, installed from Debian's archive when missing:
#   chromium                 prints reports to PDF and drives the browser test (never downloaded by a tool)
#   openjdk-17-jre-headless  runs PySpark's local session (Spark 4 needs Java 17 or newer)
# `make demo` needs neither. `make test` and .ci/run call this script first.
#
# Usage: tools/system-deps.sh          install what is missing (root), or print the command to run
#        tools/system-deps.sh --check  only report; exit 1 when something is missing
set -euo pipefail

check_only=0
if [ "${1:-}" = "--check" ]; then check_only=1; fi

missing=()
if ! command -v chromium >/dev/null 2>&1; then
  missing+=(chromium)
fi
java_ok=0
if command -v java >/dev/null 2>&1; then
  # `java -version` prints e.g. 'openjdk version "17.0.13" ...' (or "1.8.0_402" for Java 8) on stderr
  java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\.\{0,1\}\([0-9]*\).*/\1 \2/p' | head -n 1)
  set -- $java_major
  major=${1:-0}
  if [ "$major" = "1" ]; then major=${2:-0}; fi
  if [ "$major" -ge 17 ] 2>/dev/null; then java_ok=1; fi
fi
if [ "$java_ok" -eq 0 ]; then
  missing+=(openjdk-17-jre-headless)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "system dependencies: chromium and Java 17+ are installed"
  exit 0
fi

command_line="apt-get update && apt-get install -y ${missing[*]}"
if [ "$check_only" -eq 1 ]; then
  echo "system dependencies missing: ${missing[*]} (install with: $command_line)" >&2
  exit 1
fi
if [ "$(id -u)" != "0" ]; then
  echo "The full test suite needs these Debian packages: ${missing[*]}" >&2
  echo "Run as root, then run make test again:" >&2
  echo "  sudo sh -c '$command_line'" >&2
  echo "(make demo needs none of them.)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "No apt-get here: install ${missing[*]} (a Chromium browser and a Java 17+ runtime) with the system's" >&2
  echo "package manager, or set CJM_LAB_CHROMIUM to a Chromium binary." >&2
  exit 1
fi
echo "installing system dependencies: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "system dependencies: installed ${missing[*]}"
