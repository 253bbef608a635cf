#!/usr/bin/env bash
# Starts Debian's ZooKeeper 3.8 standalone on loopback for live mode: its own config, data
# directory and port under DIR (default .tmp/zookeeper), in the background. Prints nothing but
# errors; waits until the server answers "ruok" (at most 60 s). Stop it with: kill "$(cat DIR/pid)".
#   .ci/zookeeper.sh [PORT] [DIR]
set -euo pipefail
port="${1:-21810}"
dir="$(realpath -m "${2:-.tmp/zookeeper}")"
server=/usr/share/zookeeper/bin/zkServer.sh
[ -x "$server" ] || { echo "zookeeper.sh: $server missing (apt-get install zookeeper)" >&2; exit 1; }
mkdir -p "$dir/data" "$dir/log"
cat > "$dir/zoo.cfg" <<CFG
tickTime=2000
dataDir=$dir/data
clientPort=$port
clientPortAddress=127.0.0.1
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,mntr,srvr
CFG
ZOO_LOG_DIR="$dir/log" JMXDISABLE=1 setsid "$server" start-foreground "$dir/zoo.cfg" >"$dir/server.log" 2>&1 &
echo $! >"$dir/pid"
for _ in $(seq 1 120); do
  if answer=$( (exec 3<>"/dev/tcp/127.0.0.1/$port" && echo ruok >&3 && timeout 2 cat <&3) 2>/dev/null ) && [ "$answer" = imok ]; then
    exit 0
  fi
  if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    echo "zookeeper.sh: the server exited; its log:" >&2
    tail -20 "$dir/server.log" >&2
    exit 1
  fi
  sleep 0.5
done
echo "zookeeper.sh: no answer on 127.0.0.1:$port after 60 s; its log:" >&2
tail -20 "$dir/server.log" >&2
exit 1
