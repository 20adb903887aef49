#!/usr/bin/env bash
# A private single-node SLURM cluster with accounting (munge, MariaDB, slurmdbd, slurmctld, slurmd),
# started by hand: there is no service manager. State, logs, database and munge key live under one
# run directory, on ports of their own. The config must be /etc/slurm/slurm.conf (the slurm
# executor's job steps drop SLURM_CONF before calling srun), so an existing slurm.conf and
# slurmdbd.conf there are moved to /etc/slurm/.landscape-orig/ and put back by `stop` (also by the
# next `start`, should a run die before its `stop`). It refuses to start beside a running
# slurmctld. Needs root and Debian 12's packages:
#   apt-get install slurmctld slurmd slurm-client munge slurmdbd mariadb-server
#
# Usage: tests/slurm/cluster.sh start | stop | status     (run directory: $LANDSCAPE_SLURM_DIR,
#        default /tmp/landscape-slurm).
# `start` brings the daemons up and waits until the node is idle (each wait bounded, see `await`);
# on any failure it prints the daemons' log tails and exits non-zero. `stop` kills exactly the
# daemons that `start` recorded in <dir>/pids. Used by tests/test_slurm.py; starts in about 4 s.
set -euo pipefail
ACTION=${1:-start}
RUN=${LANDSCAPE_SLURM_DIR:-/tmp/landscape-slurm}
PORT_BASE=${LANDSCAPE_SLURM_PORT_BASE:-16817}  # slurmctld, slurmd, slurmdbd, then MariaDB
ETC=/etc/slurm
ORIG=$ETC/.landscape-orig  # a site's own config files, while the test cluster owns $ETC
export SLURM_CONF=$ETC/slurm.conf

MARK="# landscape test cluster (tests/slurm/cluster.sh)"

stop() {
  if [ -f "$RUN/pids" ]; then
    # Reverse start order: compute daemons first, the database last.
    for pid in $(tac "$RUN/pids"); do kill "$pid" 2>/dev/null || true; done
    for pid in $(cat "$RUN/pids"); do
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
    done
    rm -f "$RUN/pids"
  fi
  for f in slurm.conf slurmdbd.conf; do  # remove only ours; put back what start moved aside
    if head -n 1 "$ETC/$f" 2>/dev/null | grep -qF "$MARK"; then rm -f "$ETC/$f"; fi
    if [ -f "$ORIG/$f" ]; then mv "$ORIG/$f" "$ETC/$f"; fi
  done
  rmdir "$ORIG" 2>/dev/null || true
}

fail() {
  echo "SLURM cluster did not start: $1" >&2
  for f in "$RUN"/log/*.log "$RUN"/munge/*.log; do [ -s "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }; done
  stop
  exit 1
}

# Wait until the command succeeds: at most 120 tries, each at most 10 s, half a second apart; give
# up at once when a daemon started here has died.
await() {
  for _ in $(seq 120); do
    timeout 10 "$@" > /dev/null 2>&1 && return 0
    if [ -f "$RUN/pids" ]; then
      for pid in $(cat "$RUN/pids"); do kill -0 "$pid" 2>/dev/null || return 1; done
    fi
    sleep 0.5
  done
  return 1
}

record() { echo "$1" >> "$RUN/pids"; }

case "$ACTION" in
  stop) stop; exit 0 ;;
  status) exec sinfo ;;
  start) ;;
  *) echo "usage: $0 start | stop | status" >&2; exit 2 ;;
esac

[ "$(id -u)" = 0 ] || { echo "SLURM cluster needs root (daemons run as root here)" >&2; exit 1; }
for bin in munged mariadbd mariadb-install-db slurmdbd slurmctld slurmd sbatch sacct sacctmgr; do
  command -v "$bin" > /dev/null || { echo "SLURM cluster: '$bin' is missing; install Debian's \
slurmctld slurmd slurm-client munge slurmdbd mariadb-server (.ci/run does)" >&2; exit 1; }
done
stop  # a previous cluster of this run directory
rm -rf "$RUN" && mkdir -p "$RUN"/{spool,state,log,munge,mysql}
HOST=$(hostname -s)
pgrep -x slurmctld > /dev/null && { echo "a slurmctld is already running on this machine" >&2; exit 1; }
mkdir -p $ETC
mkdir -p "$ORIG"
for f in slurm.conf slurmdbd.conf; do if [ -f "$ETC/$f" ]; then mv "$ETC/$f" "$ORIG/$f"; fi; done

# munge at its standard socket (sacctmgr ignores AuthInfo=socket=...), with this run's own key; a
# munged already answering there (a site's own) is used as it is.
SOCK=/run/munge/munge.socket.2
if ! munge -n > /dev/null 2>&1; then
  mkdir -p /run/munge && chown munge:munge /run/munge "$RUN/munge"
  dd if=/dev/urandom of="$RUN/munge/munge.key" bs=1 count=1024 status=none
  chown munge:munge "$RUN/munge/munge.key" && chmod 400 "$RUN/munge/munge.key"
  runuser -u munge -- munged --force --key-file="$RUN/munge/munge.key" --socket=$SOCK \
    --pid-file="$RUN/munge/munged.pid" --seed-file="$RUN/munge/munged.seed" \
    --log-file="$RUN/munge/munged.log" || fail "munged"
  await test -s "$RUN/munge/munged.pid" || fail "munged wrote no pid file"
  record "$(cat "$RUN/munge/munged.pid")"
fi

# MariaDB: own data directory, socket and TCP port on 127.0.0.1.
chown mysql:mysql "$RUN/mysql"
mariadb-install-db --user=mysql --datadir="$RUN/mysql" --auth-root-authentication-method=socket \
  > "$RUN/log/mariadb-install.log" 2>&1 || fail "mariadb-install-db"
mariadbd --user=mysql --datadir="$RUN/mysql" --socket="$RUN/mysql/mysql.sock" --port=$((PORT_BASE + 3)) \
  --bind-address=127.0.0.1 --pid-file="$RUN/mysql/mariadb.pid" > "$RUN/log/mariadb.log" 2>&1 &
record $!
SQL=(mariadb --socket="$RUN/mysql/mysql.sock")
await "${SQL[@]}" -e "select 1" || fail "MariaDB did not answer"
"${SQL[@]}" -e "CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY 'slurm';
  GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1'; FLUSH PRIVILEGES;" || fail "database user"

MEM=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
AUTH="AuthType=auth/munge"
cat > "$ETC/slurmdbd.conf" <<CONF
$MARK
$AUTH
DbdHost=localhost
DbdPort=$((PORT_BASE + 2))
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$((PORT_BASE + 3))
StorageUser=slurm
StoragePass=slurm
StorageLoc=slurm_acct_db
LogFile=$RUN/log/slurmdbd.log
PidFile=$RUN/slurmdbd.pid
CONF
chmod 600 "$ETC/slurmdbd.conf"
# DefMemPerCPU: without it a job that sets no --mem takes the whole node, one job at a time.
cat > "$SLURM_CONF" <<CONF
$MARK
ClusterName=landscape
SlurmctldHost=$HOST
SlurmctldPort=$PORT_BASE
SlurmdPort=$((PORT_BASE + 1))
$AUTH
SlurmUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
ReturnToService=2
SlurmdSpoolDir=$RUN/spool
StateSaveLocation=$RUN/state
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$RUN/log/slurmctld.log
SlurmdLogFile=$RUN/log/slurmd.log
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$((PORT_BASE + 2))
AccountingStoreFlags=job_comment
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
NodeName=$HOST CPUs=$(nproc) RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF

slurmdbd || fail "slurmdbd"
await test -s "$RUN/slurmdbd.pid" || fail "slurmdbd wrote no pid file"
record "$(cat "$RUN/slurmdbd.pid")"
await sacctmgr -n list cluster || fail "slurmdbd did not answer sacctmgr"
sacctmgr -i add cluster landscape > /dev/null 2>&1 || true
slurmctld || fail "slurmctld"
await test -s "$RUN/slurmctld.pid" || fail "slurmctld wrote no pid file"
record "$(cat "$RUN/slurmctld.pid")"
slurmd || fail "slurmd"
await test -s "$RUN/slurmd.pid" || fail "slurmd wrote no pid file"
record "$(cat "$RUN/slurmd.pid")"
await sh -c "sinfo -h -o %T | grep -q idle" || fail "the node never became idle"
sinfo
