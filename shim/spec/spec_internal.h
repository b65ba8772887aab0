/* The spec hardening module's files, each one rule family of DESIGN.md
 * "Enforcement, in order", step 1:
 *   harden.c      hs_spec_harden: the order the rules run in, then the edits
 *   types.c       every field runc decodes has the type runc expects
 */
#ifndef HS_SPEC_INTERNAL_H
#define HS_SPEC_INTERNAL_H

#include "hs_json.h"

/* Checks that every field runc 1.1 decodes from config.json has the JSON
 * type Go's encoding/json would accept for it, and that what runc requires
 * before it creates a container is there, so that hardshim refuses what
 * runc would refuse, before the bundle is written. Reports every problem
 * as "file: JSON.path: message"; returns -1 if there was any. Pure. */
int hs_spec_check_types(const json_t *spec, const char *file,
			struct hs_error *err);

#endif
