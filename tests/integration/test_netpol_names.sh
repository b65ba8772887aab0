#!/usr/bin/env bash
# Network names as a policy author and a node operator meet them, through
# the binary (no root needed): the shipped netpol names the cluster's
# ranges ("@pods", ...) and the shipped config gives them kind's defaults.
# `check` of the netpol alone reports every name at its JSON path and asks
# for a config; with --config, or as part of the config that names it, it
# passes; a config lacking a name, or with a bad range, is refused where
# the mistake is. `explain` shows each name with its CIDRs, in the summary
# and in the ruleset. README's one edit for AKS (kubenet) passes check and
# changes what explain shows, and the digest.
source "$(dirname "$0")/lib.sh"
[ -x "$HARDSHIM" ] || { fail all "build/hardshim missing"; exit 1; }
cd "$HS_ROOT" || exit 1
NP=policies/netpol/tenant-isolated.json

# --- check --------------------------------------------------------------------

out=$("$HARDSHIM" check "$NP" 2>&1)
rc=$?
if exits_with $rc 1 "$out" "$NP: deny[0]: \"@metadata\": a network name, and no config was given to resolve it: names are a config's \"networks\" (--config CONFIG)"; then
	pass check-without-config-refused
else
	fail check-without-config-refused "rc $rc: $out"
fi
# Every use, each at its own path: 2 in deny, 3 in egress, 2 in ingress.
check check-without-config-every-use [ "$(printf '%s\n' "$out" | grep -c 'a network name, and no config')" -eq 7 ]
check check-without-config-ingress-path exits_with 0 0 "$out" "$NP: ingress[0].from[1].ipBlock.cidr: \"@nodes\": a network name"
out=$("$HARDSHIM" check --config policies/config.json "$NP" policies/tenant-default.json 2>&1)
check check-with-config exits_with $? 0 "$out" "2 files OK"
out=$("$HARDSHIM" check policies/config.json 2>&1)
check check-config-resolves-its-own exits_with $? 0 "$out" "1 file OK"
out=$("$HARDSHIM" check --config 2>&1)
check check-config-needs-a-file exits_with $? 2 "$out" "usage: hardshim check [--config CONFIG] FILE..."

# A config that lacks a name the shipped netpol uses: refused at the
# netpol's JSON path, through the config that names the policy.
etc=$TMP/etc
mkdir -p "$etc"
cp -R policies/. "$etc/"
jq 'del(.networks.nodes)' policies/config.json >"$etc/config.json"
out=$("$HARDSHIM" check "$etc/config.json" 2>&1)
rc=$?
if exits_with $rc 1 "$out" "$etc/./netpol/tenant-isolated.json: ingress[0].from[1].ipBlock.cidr: \"@nodes\": the config's \"networks\" has no \"nodes\" (it has: pods, services, dns, otherClusters, metadata)"; then
	pass check-config-missing-name
else
	fail check-config-missing-name "rc $rc: $out"
fi
# A bad range, or an empty name, in the config: refused at its own path.
jq '.networks.pods = ["10.244.1.0/16"] | .networks.otherClusters = []' policies/config.json >"$etc/config.json"
out=$("$HARDSHIM" check "$etc/config.json" 2>&1)
rc=$?
check check-config-host-bits exits_with $rc 1 "$out" "$etc/config.json: networks.pods[0]: \"10.244.1.0/16\": host bits set: did you mean 10.244.0.0/16?"
check check-config-empty-name exits_with $rc 1 "$out" "$etc/config.json: networks.otherClusters: an empty list"
out=$("$HARDSHIM" check --config "$etc/config.json" "$NP" 2>&1)
check check-bad-config-refused exits_with $? 1 "$out" "networks.pods[0]: \"10.244.1.0/16\": host bits set"

# --- explain --------------------------------------------------------------------

out=$("$HARDSHIM" explain policies/tenant-default.json 2>&1)
check explain-without-config-refused exits_with $? 1 "$out" "\"@metadata\": a network name, and no config was given"
kind=$("$HARDSHIM" explain --config policies/config.json policies/tenant-default.json 2>&1)
check explain-kind exits_with $? 0 "$kind" "network names from $HS_ROOT/policies/config.json"
while IFS='|' read -r name want; do
	check "explain-kind/$name" exits_with 0 0 "$kind" "$want"
done <<'EOF2'
deny|never reachable, in either direction (counted): @metadata (169.254.169.254/32, 168.63.129.16/32, fd00:ec2::254/128), @otherClusters (10.20.0.0/16)
cluster|to @pods (10.244.0.0/16), @services (10.96.0.0/12): every protocol and port
dns|to @dns (10.96.0.10/32): UDP 53, TCP 53
ingress|from @pods (10.244.0.0/16), @nodes (172.18.0.0/16): every protocol and port
ruleset-names|# from @dns (10.96.0.10/32)
ruleset-elements|elements = { 10.96.0.10 }
EOF2

# --- README's edit for AKS with kubenet -------------------------------------------

# The "networks" README.md gives for AKS, as one jq edit.
jq '.networks.services = ["10.0.0.0/16"] | .networks.dns = ["10.0.0.10/32"] | .networks.nodes = ["10.224.0.0/16"]' \
	policies/config.json >"$etc/config.json"
out=$("$HARDSHIM" check "$etc/config.json" 2>&1)
check aks-check exits_with $? 0 "$out" "1 file OK"
aks=$("$HARDSHIM" explain --config "$etc/config.json" policies/tenant-default.json 2>&1)
check aks-explain exits_with $? 0 "$aks" "to @pods (10.244.0.0/16), @services (10.0.0.0/16): every protocol and port"
check aks-dns exits_with 0 0 "$aks" "to @dns (10.0.0.10/32): UDP 53, TCP 53"
check aks-nodes exits_with 0 0 "$aks" "from @pods (10.244.0.0/16), @nodes (10.224.0.0/16)"
digest() { grep -oE 'hardshim:[0-9a-f]{64}' <<<"$1" | head -1; }
check aks-digest-differs [ -n "$(digest "$aks")" -a "$(digest "$aks")" != "$(digest "$kind")" ]
