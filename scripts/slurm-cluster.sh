#!/usr/bin/env bash
# A private single-node SLURM cluster on this machine, for the SLURM evaluator's tests and measurements.
#
#   scripts/slurm-cluster.sh start DIR     install slurm-wlm + munge if missing (root), write DIR/slurm.conf,
#                                          start munged, slurmctld and slurmd, wait until the node is idle
#   scripts/slurm-cluster.sh stop DIR      cancel every job of this cluster, stop the daemons by pid
#   scripts/slurm-cluster.sh slurmd-stop DIR | slurmd-start DIR   (the node-failure test)
#
# Everything lives under DIR: its own munge key and socket, its own ports (free ones, asked of the OS), state,
# spool, logs and pid files; nothing is written to /etc. Clients select it with SLURM_CONF=DIR/slurm.conf.
# `start` exits 3 with a one-line reason on stderr when SLURM cannot run here (not root and not installed, apt
# unreachable, a daemon that does not come up): the tests turn that into a visible SKIP.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || {
  echo "usage: $0 start|stop|slurmd-stop|slurmd-start DIR" >&2
  exit 2
}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
conf="$dir/slurm.conf"
export SLURM_CONF="$conf"

cannot() {
  echo "slurm-cluster: cannot start SLURM here: $*" >&2
  exit 3
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# waits (up to $2 tenths of a second) for the process whose pid is in file $1 to exit
wait_gone() {
  local pid=$1 n=0
  while kill -0 "$pid" 2>/dev/null && [ "$n" -lt "$2" ]; do
    sleep 0.1
    n=$((n + 1))
  done
  ! kill -0 "$pid" 2>/dev/null
}

stop_pidfile() {
  local f=$1
  [ -f "$f" ] || return 0
  local pid
  pid=$(cat "$f" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" 100 || {
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 30 || true
    }
  fi
  rm -f "$f"
}

install_if_missing() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null &&
    command -v sbatch >/dev/null; then
    return 0
  fi
  [ "$(id -u)" = 0 ] || cannot "slurm-wlm/munge are not installed and this is not root (apt-get install -y slurm-wlm munge)"
  echo "slurm-cluster: installing slurm-wlm and munge (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq >"$dir/apt.log" 2>&1 || cannot "apt-get update failed (see $dir/apt.log)"
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq slurm-wlm munge >>"$dir/apt.log" 2>&1 ||
    cannot "apt-get install slurm-wlm munge failed (see $dir/apt.log)"
}

start() {
  [ "$(id -u)" = 0 ] || cannot "the private cluster runs its daemons as root (SlurmUser=root); this is uid $(id -u)"
  install_if_missing
  local host cpus mem nodeline ctl_port d_port
  host=$(hostname -s)
  # the node line as slurmd itself sees this machine (real CPUs, cores, memory)
  nodeline=$(slurmd -C 2>/dev/null | head -1) || cannot "slurmd -C failed"
  [[ "$nodeline" == NodeName=* ]] || cannot "slurmd -C printed no node line"
  cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$nodeline")
  mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$nodeline")
  ctl_port=$(free_port)
  d_port=$(free_port)
  while [ "$d_port" = "$ctl_port" ]; do d_port=$(free_port); done
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
  chmod 700 "$dir/munge"

  # munge: a private key and socket, so another munged on this machine is neither used nor disturbed
  if [ ! -f "$dir/munge/munge.key" ]; then
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge/munge.key"
  fi
  munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed" \
    >"$dir/log/munged.start.log" 2>&1 || cannot "munged did not start: $(tail -2 "$dir/log/munged.start.log" "$dir/log/munged.log" 2>/dev/null | tr '\n' ' ')"

  cat >"$conf" <<EOF
# private single-node cluster written by scripts/slurm-cluster.sh
ClusterName=llmnas$$
SlurmctldHost=$host
SlurmctldPort=$ctl_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
MpiDefault=none
SwitchType=switch/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=500
# memory limits enforced without cgroups: the job gatherer samples RSS and kills a task over its --mem
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=1
JobAcctGatherParams=OverMemoryKill
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1,bf_interval=1
ReturnToService=2
SlurmdTimeout=10
KillWait=2
InactiveLimit=0
MinJobAge=300
MaxArraySize=10001
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  slurmctld -c -f "$conf" >"$dir/log/slurmctld.start.log" 2>&1 ||
    cannot "slurmctld did not start: $(tail -3 "$dir/log/slurmctld.start.log" "$dir/log/slurmctld.log" 2>/dev/null | tr '\n' ' ')"
  slurmd -f "$conf" >"$dir/log/slurmd.start.log" 2>&1 ||
    cannot "slurmd did not start: $(tail -3 "$dir/log/slurmd.start.log" "$dir/log/slurmd.log" 2>/dev/null | tr '\n' ' ')"
  # the node is usable once sinfo reports it idle
  local n=0 state=""
  while [ "$n" -lt 300 ]; do
    state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)
    [ "$state" = idle ] && break
    sleep 0.1
    n=$((n + 1))
  done
  [ "$state" = idle ] || {
    local why
    why="node state '${state:-none}' after 30 s: $(tail -3 "$dir/log/slurmctld.log" 2>/dev/null | tr '\n' ' ')"
    stop
    cannot "$why"
  }
  echo "slurm-cluster: up (SLURM $(sinfo -V | awk '{print $2}'), node $host, $cpus CPUs, $mem MB, ports $ctl_port/$d_port); SLURM_CONF=$conf" >&2
}

stop() {
  # cancel what is still queued or running on this private cluster, so no job step outlives the daemons
  if [ -f "$conf" ] && [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
    scancel --full --quiet -u root 2>/dev/null || true
    local n=0
    while [ -n "$(squeue -h -o %i 2>/dev/null || true)" ] && [ "$n" -lt 100 ]; do
      sleep 0.1
      n=$((n + 1))
    done
  fi
  stop_pidfile "$dir/slurmd.pid"
  stop_pidfile "$dir/slurmctld.pid"
  stop_pidfile "$dir/munge/munged.pid"
}

case "$cmd" in
start) start ;;
stop) stop ;;
slurmd-stop) stop_pidfile "$dir/slurmd.pid" ;;
slurmd-start)
  slurmd -f "$conf" >>"$dir/log/slurmd.start.log" 2>&1 || cannot "slurmd did not restart"
  ;;
*)
  echo "usage: $0 start|stop|slurmd-stop|slurmd-start DIR" >&2
  exit 2
  ;;
esac
