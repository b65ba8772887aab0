/* `hardshim learn`: the kernel's seccomp audit records of a run under an
 * audit-mode policy, turned into a minimal profile that extends a base.
 *
 * A record is one kernel log line, from /dev/kmsg, dmesg or a file:
 *   audit: type=1326 audit(1700000000.123:42): auid=4294967295 uid=0
 *   gid=0 ses=4294967295 pid=7610 comm="mkdir" exe="/bin/busybox" sig=0
 *   arch=c000003e syscall=83 compat=0 ip=0x4a3b2c code=0x7ffc0000
 * Only pid, arch (the AUDIT_ARCH_* value, hex) and syscall (decimal) are
 * read. Everything in a line is untrusted: a container chooses its comm,
 * and other processes log too, so the parser is bounded and never fails
 * on a line, it only classifies it.
 *
 * Pure: parsing, counting and building the profile read nothing but
 * their arguments (and libseccomp's syscall tables); reading the kernel
 * log and writing the profile are the command's (shim/learn_cmd.c). */
#ifndef HS_LEARN_H
#define HS_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hs_error.h"
#include "hs_json.h"
#include "hs_limits.h"

enum hs_learn_line {
	HS_LEARN_RECORD, /* a seccomp audit record (type=1326), parsed */
	HS_LEARN_LOSS, /* the kernel says log lines were dropped */
	HS_LEARN_MALFORMED, /* type=1326, but pid, arch or syscall is bad */
	HS_LEARN_OTHER, /* anything else, ignored */
};

struct hs_audit_record {
	uint32_t pid;
	uint32_t arch; /* AUDIT_ARCH_*: libseccomp's token too */
	uint32_t syscall;
};

/* Classifies one line (no newline needed; `len` bytes, NUL not needed)
 * and, for HS_LEARN_RECORD, fills *ret. */
enum hs_learn_line hs_learn_parse_line(const char *line, size_t len,
				       struct hs_audit_record *ret);

/* The sequence number of a /dev/kmsg record ("PRI,SEQ,TS,FLAGS;MSG"):
 * 0, or -1 if the record has no such prefix. */
int hs_learn_kmsg_seq(const char *rec, size_t len, uint64_t *ret_seq);

/* A syscall seen: (arch, number) and how often. */
struct hs_learn_seen {
	uint32_t arch, syscall;
	uint64_t count;
};

struct hs_learn {
	/* Only records of these pids count; none: every record. */
	uint32_t pids[HS_LEARN_MAX_PIDS];
	bool pid_seen[HS_LEARN_MAX_PIDS];
	size_t n_pids;
	struct hs_learn_seen seen[HS_LEARN_MAX_SYSCALLS];
	size_t n_seen;
	uint64_t lines, records, other_pids, ignored, malformed, losses;
	uint64_t dropped; /* records beyond HS_LEARN_MAX_SYSCALLS pairs */
};

/* Adds a pid to attribute records to: 0, or -1 when there are already
 * HS_LEARN_MAX_PIDS. A repeated pid is kept once. */
int hs_learn_add_pid(struct hs_learn *l, uint32_t pid);

/* Counts one line of input. */
void hs_learn_add_line(struct hs_learn *l, const char *line, size_t len);

/* What the records come to, against the base profile as
 * hs_profile_resolve returns it. Arrays of strings, owned. */
struct hs_learn_result {
	json_t *allow; /* sorted, unique: used, not allowed by the base */
	json_t *dangerous; /* escape syscalls used: never allowed */
	json_t *unknown; /* "arch c0ffee00", "syscall 999 on SCMP_ARCH_X86" */
	size_t already_allowed; /* used, and allowed by the base already */
};

/* Fills *ret (free with hs_learn_result_free) and returns the profile:
 * {"comment", "extends": extends, "syscalls": [one ALLOW rule]} (no
 * syscalls when nothing is to be added); NULL on out of memory. */
json_t *hs_learn_profile(const struct hs_learn *l, const json_t *base_resolved,
			 const char *extends, struct hs_learn_result *ret,
			 struct hs_error *err);

void hs_learn_result_free(struct hs_learn_result *r);

/* `hardshim learn ...`: the exit code. */
int hs_cmd_learn(int argc, char **argv);

#endif
