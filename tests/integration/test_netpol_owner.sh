#!/usr/bin/env bash
# The table belongs to the pod: a container that installs a different
# policy in the pod's namespace replaces the rules in one transaction but
# not the owner, so its poststop leaves the table; the creator's removes it.
# A different policy is also the same file over other ranges: a range the
# config's "networks" changes for a name the policy uses replaces the table
# too, and a config that lacks such a name is refused.
source "$(dirname "$0")/lib.sh"
require_root_runc
command -v nft >/dev/null || { skip all "nft not installed"; exit 0; }
make_test_config

ns=hs-owner-$$
ip netns add "$ns" || { fail all "ip netns add"; exit 1; }
at_exit "ip netns del $ns"
ip netns exec "$ns" sleep 120 &
sleeper=$!
at_exit "kill $sleeper"
for _ in $(seq 1 50); do
	[ "$(readlink /proc/$sleeper/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
	sleep 0.05
done

# A second policy: the shipped one with one more denied CIDR.
jq '.deny += ["192.0.2.0/24"]' "$TMP/etc/netpol/tenant-isolated.json" >"$TMP/etc/netpol/other.json"
jq '.name = "tenant-other" | .network = "netpol/other.json" | del(.selectable)' \
	"$TMP/etc/tenant-default.json" >"$TMP/etc/tenant-other.json"
jq '.tenants += [{"namespace": "other", "policy": "tenant-other"}]' "$HARDSHIM_CONFIG" >"$TMP/c.json"
cp "$TMP/c.json" "$HARDSHIM_CONFIG"
chmod -R go-w "$TMP/etc"

# bundle NAME NAMESPACE-ANNOTATION: a hardened bundle joining $ns by path.
bundle() {
	local b=$TMP/$1
	new_bundle "$b"
	jq --arg p "/var/run/netns/$ns" --arg t "$2" \
		'.linux.namespaces |= map(if .type == "network" then .path = $p else . end)
		 | .annotations = {"io.kubernetes.cri.sandbox-namespace": $t}' \
		"$b/config.json" >"$TMP/c.json" && cp "$TMP/c.json" "$b/config.json"
	"$HARDSHIM" harden --bundle "$b" >"$TMP/h.json" && cp "$TMP/h.json" "$b/config.json"
	echo "$b"
}
state() {
	local b=$1 id=$2 pid=${3:-}
	jq -c --arg id "$id" --arg b "$b" --argjson pid "${pid:-0}" \
		'{ociVersion: "1.0.2-dev", id: $id, status: "creating", bundle: $b,
		  annotations: .annotations} + (if $pid > 0 then {pid: $pid} else {} end)' "$b/config.json"
}
comment() { ip netns exec "$ns" nft list table inet hardshim 2>/dev/null | sed -n 's/.*comment "\(.*\)"/\1/p'; }

ba=$(bundle a default)
bb=$(bundle b other)
state "$ba" ctr-a "$sleeper" | "$HARDSHIM" hook createRuntime
check creator-installs [ "$(comment | cut -d: -f3)" = ctr-a ]
digest_a=$(comment | cut -d: -f2)
state "$bb" ctr-b "$sleeper" | "$HARDSHIM" hook createRuntime
check other-policy-replaces [ "$(comment | cut -d: -f2)" != "$digest_a" ]
check owner-kept [ "$(comment | cut -d: -f3)" = ctr-a ]
check one-table [ "$(ip netns exec "$ns" nft list tables | grep -c 'inet hardshim')" = 1 ]
state "$bb" ctr-b | "$HARDSHIM" hook poststop
check replacer-poststop-keeps-table [ -n "$(comment)" ]
state "$ba" ctr-a | "$HARDSHIM" hook poststop
check creator-poststop-removes-table [ -z "$(comment)" ]

# The ranges the config gives the names a policy uses are part of it: a
# changed range changes the digest, and createRuntime replaces the table
# (the owner kept), the new range now in the deny set; a name the policy
# does not use changes nothing.
deny4() { ip netns exec "$ns" nft list set inet hardshim deny4 2>/dev/null; }
state "$ba" ctr-a "$sleeper" | "$HARDSHIM" hook createRuntime
digest_1=$(comment | cut -d: -f2)
if [ -n "$digest_1" ] && ! deny4 | grep -q "10\.40\.0\.0/16"; then pass range-not-yet-denied; else fail range-not-yet-denied "$digest_1"; fi
jq '.networks.otherClusters += ["10.40.0.0/16"]' "$HARDSHIM_CONFIG" >"$TMP/c.json" && cp "$TMP/c.json" "$HARDSHIM_CONFIG"
state "$ba" ctr-a "$sleeper" | "$HARDSHIM" hook createRuntime
digest_2=$(comment | cut -d: -f2)
check range-change-replaces [ -n "$digest_2" -a "$digest_2" != "$digest_1" ]
check range-change-owner-kept [ "$(comment | cut -d: -f3)" = ctr-a ]
check range-change-denied bash -c "ip netns exec $ns nft list set inet hardshim deny4 | grep -q '10\.40\.0\.0/16'"
check range-change-explained bash -c "'$HARDSHIM' explain --config '$HARDSHIM_CONFIG' '$TMP/etc/tenant-default.json' | grep -q 'hardshim:$digest_2:'"
jq '.networks.unused = ["192.0.2.0/24"]' "$HARDSHIM_CONFIG" >"$TMP/c.json" && cp "$TMP/c.json" "$HARDSHIM_CONFIG"
state "$ba" ctr-a "$sleeper" | "$HARDSHIM" hook createRuntime
check unused-name-same-digest [ "$(comment | cut -d: -f2)" = "$digest_2" ]
# A config that lacks a name the policy uses: the hook refuses, and the
# table in place stays.
jq 'del(.networks.dns)' "$HARDSHIM_CONFIG" >"$TMP/c.json" && cp "$TMP/c.json" "$HARDSHIM_CONFIG"
out=$(state "$ba" ctr-a "$sleeper" | "$HARDSHIM" hook createRuntime 2>&1)
rc=$?
if exits_with $rc 1 "$out" 'egress[1].to[0].ipBlock.cidr: "@dns": the config'"'"'s "networks" has no "dns"'; then
	pass missing-name-refused
else
	fail missing-name-refused "rc $rc: $out"
fi
check missing-name-table-kept [ "$(comment | cut -d: -f2)" = "$digest_2" ]
state "$ba" ctr-a | "$HARDSHIM" hook poststop
check range-change-poststop-removes-table [ -z "$(comment)" ]

# podman removes a container's namespace before runc runs its poststop
# hooks: a namespace already gone took its table with it, so poststop
# succeeds, silently. Anything else at the path is still refused.
gone=$(jq --arg p "/var/run/netns/$ns-gone" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' "$ba/config.json")
mkdir -p "$TMP/gone" && printf '%s\n' "$gone" >"$TMP/gone/config.json"
out=$(state "$TMP/gone" ctr-a | "$HARDSHIM" hook poststop 2>&1)
check poststop-netns-gone-is-success exits_with $? 0 "$out" ""
check poststop-netns-gone-silent [ -z "$out" ]
touch "$TMP/not-a-netns"
notns=$(jq --arg p "$TMP/not-a-netns" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' "$ba/config.json")
mkdir -p "$TMP/notns" && printf '%s\n' "$notns" >"$TMP/notns/config.json"
out=$(state "$TMP/notns" ctr-a | "$HARDSHIM" hook poststop 2>&1)
check poststop-not-a-netns-refused exits_with $? 1 "$out" "$TMP/not-a-netns: setns"
