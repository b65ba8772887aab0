/* The runtime wrapper: `hardshim runtime ARGS...` or `hardshim-runc ARGS...`.
 * Hardens the bundle on create/run/restore, narrows exec, then execs the
 * real runtime with the same arguments. Returns only on failure, with the
 * exit code main should use. */
#ifndef HS_RUNTIME_H
#define HS_RUNTIME_H

#include <stddef.h>

#include "hs_config.h"
#include "hs_spec.h"

/* argv[0] is the program; the runtime's arguments follow. */
int hs_runtime_main(int argc, char **argv);

/* What hardening needs from this machine: arch and kernel (for Docker's
 * includes), and this binary's path for the hooks (written into `self`). */
int hs_runtime_harden_ctx(struct hs_harden_ctx *ctx,
			  const struct hs_config *cfg, char *self, size_t size,
			  struct hs_error *err);

#endif
