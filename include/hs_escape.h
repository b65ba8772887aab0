/* The escape syscalls: the ones a container uses to leave its sandbox or
 * reach the kernel's privileged interfaces (namespaces, mounts and the new
 * mount API, ptrace and cross-process memory, bpf and perf, keyrings,
 * modules and kexec, clocks, raw I/O ports, file handles). Docker's default
 * profile denies each of them with a reason, and hardshim's tenant profile
 * allows none of them. The monitor is sent exactly these (SCMP_ACT_NOTIFY)
 * where the profile would deny them, and `hardshim learn` never allows
 * them silently. */
#ifndef HS_ESCAPE_H
#define HS_ESCAPE_H

#include <stdbool.h>

/* NULL-terminated. */
extern const char *const hs_escape_syscalls[];

bool hs_escape_syscall(const char *name);

#endif
