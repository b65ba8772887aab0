/* The node monitor (README "Monitor"): `hardshim monitor` receives the
 * escape syscalls of every monitored container through seccomp user
 * notification, answers each with EPERM (never "continue"), kills the
 * container where its policy says onViolation "kill", and writes one event
 * per attempt. The wrapper's half is here too: whether the monitor
 * answers, and the profile's rules that send it the escape syscalls. */
#ifndef HS_MONITOR_H
#define HS_MONITOR_H

#include <stdbool.h>

#include "hs_config.h"
#include "hs_error.h"
#include "hs_json.h"

/* The annotation recording how a container's escape syscalls are
 * answered: "notify" (by the monitor) or "unmonitored" (by the filter's
 * ERRNO alone, the monitor not answering at start). */
#define HS_ANNOTATION_MONITOR "hardshim.dev/monitor"

/* Whether a monitor accepts connections at `socket` now: 0, or -1 with the
 * reason. The probe connects and closes without a byte, which the monitor
 * ignores. */
int hs_monitor_probe(const char *socket, struct hs_error *err);

/* Rewrites a resolved OCI linux.seccomp object so that the escape
 * syscalls (hs_escape.h) it denies with EPERM, unconditionally, reach the
 * monitor instead: they leave their ERRNO rules for one SCMP_ACT_NOTIFY
 * rule, and listenerPath is set to `socket`. Syscalls the profile allows,
 * denies otherwise (another errno, KILL, TRAP) or decides by argument are
 * left as they are; a profile whose default does not deny with EPERM
 * (audit mode logs) gets no rule. *ret_n is the number of names sent. */
int hs_monitor_add_notify(json_t *seccomp, const char *socket, size_t *ret_n,
			  struct hs_error *err);

/* `hardshim monitor [--stdout] [--events FILE]`. */
int hs_monitor_main(int argc, char **argv);

#endif
