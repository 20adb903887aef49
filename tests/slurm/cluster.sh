#!/usr/bin/env bash
# Start (or stop) a single-node SLURM cluster with accounting (slurmdbd + MariaDB) on this machine,
# by hand: there is no service manager. Needs root and Debian 12's packages
#   apt-get install slurmctld slurmd slurm-client munge slurmdbd mariadb-server
# Usage: tests/slurm/cluster.sh start | stop. It starts in about 3 s once the packages are there.
# The automated SLURM test of issue 7 is to be built on it; so far it is run by hand (README).
set -euo pipefail
ACTION=${1:-start}
RUN=/tmp/landscape-slurm
HOST=$(hostname -s)
if [ "$ACTION" = stop ]; then
  for p in slurmd slurmctld slurmdbd; do pkill -x $p || true; done
  pkill -x munged || true
  [ -f /run/mysqld/mariadb.pid ] && kill "$(cat /run/mysqld/mariadb.pid)" 2>/dev/null || true
  exit 0
fi
mkdir -p $RUN/{spool,state,log} /run/munge /etc/slurm
# munge
if [ ! -s /etc/munge/munge.key ]; then dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none; fi
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
chmod 400 /etc/munge/munge.key
runuser -u munge -- /usr/sbin/munged --force
# mariadb
mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
[ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql > $RUN/log/mariadb-install.log 2>&1
(mariadbd --user=mysql --datadir=/var/lib/mysql --socket=/run/mysqld/mysqld.sock --pid-file=/run/mysqld/mariadb.pid > $RUN/log/mariadb.log 2>&1 &)
for i in $(seq 60); do mariadb -e "select 1" > /dev/null 2>&1 && break; sleep 0.5; done
mariadb -e "CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'slurm'; GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"
MEM=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
CPUS=$(nproc)
cat > /etc/slurm/slurmdbd.conf <<CONF
AuthType=auth/munge
DbdHost=localhost
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=slurm
StorageLoc=slurm_acct_db
LogFile=$RUN/log/slurmdbd.log
PidFile=$RUN/slurmdbd.pid
CONF
chmod 600 /etc/slurm/slurmdbd.conf
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=landscape
SlurmctldHost=$HOST
AuthType=auth/munge
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
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
slurmdbd
for i in $(seq 60); do sacctmgr -n list cluster > /dev/null 2>&1 && break; sleep 0.5; done
sacctmgr -i add cluster landscape > /dev/null 2>&1 || true
slurmctld
slurmd
for i in $(seq 60); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 0.5; done
sinfo
