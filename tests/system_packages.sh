#!/usr/bin/env bash
# The Debian packages `make test` needs beyond Python: a real SLURM with accounting
# (tests/test_slurm.py) and a headless browser for the report (tests/test_report.py).
# As root, missing ones are installed with apt-get (once; a machine that has them skips this).
# Not as root, nothing is installed: the script lists what is missing and which tests will be
# skipped for it, and exits 0 so that every other test still runs.
set -euo pipefail
PACKAGES="slurmctld slurmd slurm-client munge slurmdbd mariadb-server chromium"
missing=()
for bin in slurmctld slurmd sbatch sacct munged mariadbd slurmdbd chromium; do
  command -v "$bin" > /dev/null || missing+=("$bin")
done
if [ ${#missing[@]} = 0 ]; then
  echo "system packages: all present ($PACKAGES)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "system packages: missing ${missing[*]}; not root, so not installed."
  echo "  To run every test: sudo apt-get install $PACKAGES (Debian 12), or run make test as root."
  echo "  Skipped without them: tests/test_slurm.py (SLURM) and the headless-browser report test."
  exit 0
fi
echo "system packages: installing $PACKAGES (missing: ${missing[*]})"
log=$(mktemp /tmp/landscape-apt.XXXXXX.log)
apt-get update -qq > "$log" 2>&1 || { tail -n 30 "$log"; echo "apt-get update failed" >&2; exit 1; }
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES \
  >> "$log" 2>&1 || { tail -n 30 "$log"; echo "apt-get install failed (log: $log)" >&2; exit 1; }
echo "system packages: installed"
