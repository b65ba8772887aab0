/* Reading another process: its pidfd, /proc/PID/status and stat, and the
 * seccomp filter it runs under. Every read is bracketed by a pidfd opened
 * before and checked after, so that a recycled pid is noticed rather than
 * attested. The parsers are pure and unit-tested. */
#ifndef HS_PROC_H
#define HS_PROC_H

#include <stddef.h>
#include <stdint.h>

#include <linux/filter.h>

#include "hs_attest.h"
#include "hs_error.h"

#define HS_PROC_STAT_MAX_BYTES 4096
/* The kernel refuses a classic BPF program longer than BPF_MAXINSNS. */
#define HS_BPF_MAX_INSNS BPF_MAXINSNS
/* How long a process may take to stop for PTRACE_INTERRUPT: a frozen
 * (paused) container never stops, and must not hang the caller. */
#define HS_PROC_PTRACE_TIMEOUT_MS 2000

/* A pidfd for `pid`; "no such process" when it is gone. */
int hs_proc_pidfd_open(int pid, struct hs_error *err);

/* 0 while the process `pidfd` refers to lives, -1 once it has exited. */
int hs_proc_alive(int pidfd);

/* Parses /proc/PID/status of the process the pidfd holds. */
int hs_proc_read_status(int pid, int pidfd, struct hs_proc_status *ps,
			struct hs_error *err);

/* Pure: field 3 (state: R, S, D, Z, X, ...) and field 22 (starttime,
 * clock ticks after boot) of a /proc/PID/stat line. The comm field may
 * hold spaces and parentheses, so the fields are counted from the last
 * ')'. */
int hs_proc_parse_stat(const char *stat, char *ret_state, uint64_t *ret_start,
		       struct hs_error *err);

/* The state and start time of the process the pidfd holds. A zombie
 * still has its pidfd, its /proc entry and its start time: only the
 * state tells it has exited. */
int hs_proc_stat(int pid, int pidfd, char *ret_state, uint64_t *ret_start,
		 struct hs_error *err);

/* Reads back the newest seccomp filter of `pid` with
 * PTRACE_SECCOMP_GET_FILTER into `prog` (room for HS_BPF_MAX_INSNS).
 * Needs CAP_SYS_ADMIN and a caller not itself under seccomp (the kernel
 * refuses with EACCES). A forked child seizes, interrupts, reads, and
 * exits, which detaches even if the tracee never stopped (a paused
 * container): the caller waits at most HS_PROC_PTRACE_TIMEOUT_MS. A
 * process already traced (a debugger, strace) cannot be read: EPERM. */
int hs_proc_seccomp_filter(int pid, int pidfd, struct sock_filter *prog,
			   size_t *ret_insns, struct hs_error *err);

#endif
