#!/usr/bin/env bash
# Issue 15 Performance: one command fanned out to N hosts (sshd in network namespaces) by
# quickup's SSH layer (quickup-bench fanout) vs `ansible -m command` (ansible-core from PyPI in
# .build-bench/venv), same hosts, same key, same pinned known_hosts, both sharing connections
# (quickup: its ControlMasters; Ansible: ControlMaster=auto/ControlPersist, pipelining on).
#   warm: masters already up from the previous run;  cold: masters closed before every run.
# Needs root (ip netns), sshd, hyperfine. Everything it creates is removed on exit.
#   scripts/bench-fanout.sh [HOSTS=10] [RUNS=20]     BENCH_BIN=path/to/quickup-bench to skip the build
set -euo pipefail
cd "$(dirname "$0")/.."
hosts="${1:-10}"
runs="${2:-20}"
command_text="uname -r"
bench="${BENCH_BIN:-}"
if [ -z "$bench" ]; then
  swift build -c release --product quickup-bench >/dev/null
  bench=.build/release/quickup-bench
fi
bench="$(realpath "$bench")"
[ -x .build-bench/venv/bin/ansible ] || { python3 -m venv .build-bench/venv && .build-bench/venv/bin/pip install -q ansible-core; }
ansible="$(realpath .build-bench/venv/bin/ansible)"

work="$(mktemp -d /tmp/qufan.XXXXXX)"
tag="qf$$"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for i in $(seq 0 $((hosts - 1))); do
    ip link del "${tag}h$i" 2>/dev/null || true
    ip netns del "${tag}n$i" 2>/dev/null || true
  done
  "$bench" fanout --env "$work/env.yaml" --state "$work/state" --close >/dev/null 2>&1 || true
  for sock in "$work"/ansible-cp/*; do [ -S "$sock" ] && ssh -o ControlPath="$sock" -O exit x >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

ssh-keygen -q -t ed25519 -N "" -f "$work/client_key"
ssh-keygen -q -t ed25519 -N "" -f "$work/host_key"
cp "$work/client_key.pub" "$work/authorized_keys"
mkdir -p /run/sshd "$work/state" "$work/ansible-cp"
hostkey="$(cut -d' ' -f1-2 "$work/host_key.pub")"
echo "site: BENCH" > "$work/env.yaml"
echo "hosts:" >> "$work/env.yaml"
: > "$work/known_hosts"
echo "[bench]" > "$work/inventory"
ip route replace blackhole 198.18.0.0/15
for i in $(seq 0 $((hosts - 1))); do
  ns="${tag}n$i"; outer="${tag}h$i"; inner="${tag}i$i"
  base=$((i * 4)); hostside="198.19.7.$((base + 1))"; addr="198.19.7.$((base + 2))"
  ip netns add "$ns"
  ip link add "$outer" type veth peer name "$inner"
  ip link set "$inner" netns "$ns"
  ip addr add "$hostside/30" dev "$outer"; ip link set "$outer" up
  ip netns exec "$ns" ip addr add "$addr/30" dev "$inner"
  ip netns exec "$ns" ip link set "$inner" up
  ip netns exec "$ns" ip link set lo up
  cat > "$work/sshd_$i" <<EOF
ListenAddress $addr:22
HostKey $work/host_key
AuthorizedKeysFile $work/authorized_keys
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile none
PasswordAuthentication no
KbdInteractiveAuthentication no
MaxSessions 100
MaxStartups 100
LogLevel ERROR
EOF
  ip netns exec "$ns" /usr/sbin/sshd -D -e -f "$work/sshd_$i" 2>>"$work/sshd.log" &
  pids+=($!)
  cat >> "$work/env.yaml" <<EOF
  - name: h$i
    address: $addr
    user: root
    identity_file: $work/client_key
    host_key: $hostkey
    known_hosts: $work/known_hosts
    state_dir: $work/remote
EOF
  echo "$addr $hostkey" >> "$work/known_hosts"
  echo "h$i ansible_host=$addr" >> "$work/inventory"
done
for i in $(seq 0 $((hosts - 1))); do
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/198.19.7.$((i * 4 + 2))/22") 2>/dev/null && break; sleep 0.1; done
done

# The same SSH settings for Ansible: user, key, known_hosts, batch mode, shared connections.
printf "[defaults]\n" > "$work/ansible.cfg"
export ANSIBLE_CONFIG="$work/ansible.cfg" ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_PIPELINING=True ANSIBLE_FORKS="$hosts"
export ANSIBLE_REMOTE_USER=root ANSIBLE_PRIVATE_KEY_FILE="$work/client_key" ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
export ANSIBLE_SSH_ARGS="-F none -o BatchMode=yes -o IdentitiesOnly=yes -o UserKnownHostsFile=$work/known_hosts -o GlobalKnownHostsFile=/dev/null -o ControlMaster=auto -o ControlPersist=600s"
export ANSIBLE_SSH_CONTROL_PATH_DIR="$work/ansible-cp" ANSIBLE_LOCAL_TEMP="$work/ansible-tmp" ANSIBLE_HOME="$work/ansible-home"
export ANSIBLE_NOCOLOR=1 ANSIBLE_DEPRECATION_WARNINGS=False
quickup_run="$bench fanout --env $work/env.yaml --state $work/state --command '$command_text'"
ansible_run="$ansible bench -i $work/inventory -m command -a '$command_text'"
close_quickup="$bench fanout --env $work/env.yaml --state $work/state --close"
close_ansible="for s in $work/ansible-cp/*; do [ -S \"\$s\" ] && ssh -o ControlPath=\"\$s\" -O exit x >/dev/null 2>&1; done; true"
# Both must work before they are timed.
eval "$quickup_run" >/dev/null
eval "$ansible_run" > "$work/ansible.out" || { cat "$work/ansible.out"; exit 1; }
[ "$(grep -c CHANGED "$work/ansible.out")" = "$hosts" ] || { cat "$work/ansible.out"; exit 1; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo "== $hosts hosts, '$command_text', warm (masters up) =="
hyperfine -N --warmup 2 --runs "$runs" -n quickup "$quickup_run" -n ansible "$ansible_run" --export-json "$work/warm.json" 2>&1 | grep -v "^ *$"
echo "== cold (masters closed before each run) =="
hyperfine --runs "$runs" --prepare "$close_quickup; $close_ansible" -n quickup "$quickup_run" -n ansible "$ansible_run" 2>&1 | grep -v "^ *$"
