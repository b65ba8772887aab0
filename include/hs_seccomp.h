/* The seccomp module: the one place that talks to libseccomp.
 *
 * Only shim/seccomp.c includes <seccomp.h>. Everything else asks this
 * header: is an architecture, action, operator or syscall name one that
 * libseccomp (the version linked in, 2.5.4 at the time of writing) can
 * compile, and does a resolved OCI `linux.seccomp` object build into a BPF
 * program? Names are the OCI runtime spec's strings ("SCMP_ARCH_X86_64",
 * "SCMP_ACT_ERRNO", "SCMP_CMP_MASKED_EQ"), as in config.json. */
#ifndef HS_SECCOMP_H
#define HS_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hs_error.h"
#include "hs_json.h"

/* How far an OCI architecture name is supported. */
enum hs_arch_support {
	HS_ARCH_UNKNOWN = -1, /* not an architecture of the OCI runtime spec */
	HS_ARCH_UNSUPPORTED =
		0, /* in the spec, unknown to the linked libseccomp */
	HS_ARCH_SUPPORTED = 1,
};

enum hs_arch_support hs_seccomp_arch_support(const char *oci_name);

/* The OCI name ("SCMP_ARCH_X86_64") of the architecture a kernel audit
 * record's arch= token names (its AUDIT_ARCH_* value, c000003e), or NULL
 * when libseccomp does not know it. */
const char *hs_seccomp_audit_arch_name(uint32_t audit_arch);

/* The name of syscall `nr` on the architecture `audit_arch`, as libseccomp
 * resolves it, into buf. 0, or -EAFNOSUPPORT (unknown architecture),
 * -ENOENT (no such syscall there) or -ENAMETOOLONG. */
int hs_seccomp_syscall_name(uint32_t audit_arch, long nr, char *buf,
			    size_t size);

/* One of the nine SCMP_ACT_* names of the OCI runtime spec. */
bool hs_seccomp_action_known(const char *name);

/* One of the seven SCMP_CMP_* names of the OCI runtime spec. */
bool hs_seccomp_op_known(const char *name);

/* True when libseccomp resolves `name` on at least one of `arches`, a JSON
 * array of OCI architecture names (NULL or empty: the native architecture).
 * Names libseccomp knows on some other architecture only (chown32 on
 * x86_64) count as known: libseccomp skips them where they do not exist. */
bool hs_seccomp_syscall_known(const char *name, const json_t *arches);

/* The linked libseccomp's version, "2.5.4", for messages. */
void hs_seccomp_version(char *buf, size_t size);

/* Builds the filter that a resolved OCI `linux.seccomp` object describes
 * (defaultAction, defaultErrnoRet, architectures, syscalls[].names, action,
 * errnoRet, args), the way runc does: ERRNO and TRACE without errnoRet mean
 * EPERM, rules whose action equals the default are skipped, names libseccomp
 * does not know are skipped with a warning. Unlike libseccomp, which lets a
 * later unconditional rule silently replace an earlier one, two rules for
 * the same syscall and arguments with different actions are an error.
 * `flags` and the listener are not applied: this only compiles.
 *
 * Writes the BPF program to out_fd (discarded when out_fd < 0) and stores
 * its length in instructions in *ret_bpf_insns. Every problem is reported
 * (as "linux.seccomp: JSON path: message") before returning -1. */
int hs_seccomp_compile(const json_t *oci_seccomp, int out_fd,
		       size_t *ret_bpf_insns, struct hs_error *err);

/* --- user notification: the monitor's side of SCMP_ACT_NOTIFY --- */

/* The kernel's request and response buffers, sized by libseccomp for the
 * running kernel; opaque here. */
struct hs_seccomp_notify_bufs {
	void *req, *resp;
};

/* One notification: a syscall a container made that its filter sent to
 * the listener. pid is in the listener's pid namespace. */
struct hs_notification {
	uint64_t id;
	int pid;
	uint32_t arch; /* AUDIT_ARCH_* (= SCMP_ARCH_*) */
	int nr;
	uint64_t args[6];
};

int hs_seccomp_notify_sizes(struct hs_seccomp_notify_bufs *b,
			    struct hs_error *err);
void hs_seccomp_notify_bufs_free(struct hs_seccomp_notify_bufs *b);

/* Reads the next notification from a listener fd: 0, or -errno (-ENOENT:
 * the caller died or was interrupted in between). It blocks until one
 * arrives: poll the fd first. */
int hs_seccomp_notify_receive(int fd, struct hs_seccomp_notify_bufs *b,
			      struct hs_notification *out);

/* Answers notification `id` with -error: the syscall fails with `error`
 * in the container. Never "continue". 0 or -errno. */
int hs_seccomp_notify_deny(int fd, struct hs_seccomp_notify_bufs *b,
			   uint64_t id, int error);

/* Whether notification `id` is still pending (its caller alive, the
 * syscall not interrupted): what was read from /proc about its pid is
 * about that caller only if this holds afterwards. */
bool hs_seccomp_notify_id_valid(int fd, uint64_t id);

#endif
