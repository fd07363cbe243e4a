#!/usr/bin/env bash
# Runs a command inside a fresh private network namespace made for it, then deletes it.
# The namespace has loopback plus one veth pair (10.203.0.1 <-> 10.203.0.2) that exists only
# inside it, so WebRTC stacks (which skip loopback candidates) find a real interface, and no
# packet can leave the machine: there is no route to anything else. The command sees the
# address to bind servers to in CC_TEST_HOST_IP.
set -euo pipefail
NS="cc-test-$$"
HOST_IP=10.203.0.1
PEER_IP=10.203.0.2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

$SUDO ip netns add "$NS"
cleanup() { $SUDO ip netns pids "$NS" 2>/dev/null | xargs -r $SUDO kill -9 2>/dev/null || true
            $SUDO ip netns del "$NS" 2>/dev/null || true; }
trap cleanup EXIT
$SUDO ip -n "$NS" link set lo up
$SUDO ip -n "$NS" link add cc0 type veth peer name cc1
$SUDO ip -n "$NS" addr add "$HOST_IP/24" dev cc0
$SUDO ip -n "$NS" addr add "$PEER_IP/24" dev cc1
$SUDO ip -n "$NS" link set cc0 up
$SUDO ip -n "$NS" link set cc1 up
$SUDO ip netns exec "$NS" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 || true

if [ -z "$SUDO" ]; then
  ip netns exec "$NS" env CC_TEST_HOST_IP="$HOST_IP" CC_TEST_PEER_IP="$PEER_IP" "$@"
else
  $SUDO ip netns exec "$NS" sudo -E -u "$(id -un)" env CC_TEST_HOST_IP="$HOST_IP" \
    CC_TEST_PEER_IP="$PEER_IP" PATH="$PATH" "$@"
fi
