/* Private to the seccomp profile module (shim/profile_*.c): what its
 * validation, loading and resolution share. Nothing outside shim/profile_*
 * includes this header; the module's interface is hs_profile.h.
 *
 *   validate.c  one file's JSON, as written
 *   load.c      reading files, the extends chain, merging
 *   resolve.c   Docker's includes/excludes, unknown names, conflicts
 *   node.c      the node resolution is done for (uname)
 *   rules.c     what two rules select and do, to find conflicts
 *   index.c     a hash index of syscall names
 *   compare.c   one resolved profile against another (selectable policies)
 *   audit.c     audit mode: denials turned into SCMP_ACT_LOG */
#ifndef HS_PROFILE_INTERNAL_H
#define HS_PROFILE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hs_profile.h"

/* A JSON path we build ourselves: "syscalls[1023].excludes.arches[63]". */
#define HS_PROFILE_PATH_BUF 160

/* Present and not null: Docker's Go structs read null as absent. */
static inline const json_t *hs_profile_get_set(const json_t *obj,
					       const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_null(v) ? NULL : v;
}

/* SCMP_ACT_ERRNO and SCMP_ACT_TRACE, the actions that carry an errno. */
bool hs_profile_takes_errno(const char *action);

/* "X.Y" with X and Y in [0, 255], not 0.0. */
int hs_profile_parse_kernel_version(const char *s, unsigned *ret_major,
				    unsigned *ret_minor);

/* NULL when the value of `extends` is acceptable, else why not. */
const char *hs_profile_extends_problem(const char *ext);

/* ---------------------------------------------------------------------
 * Rules compared (rules.c)
 *
 * Two rules for the same syscall conflict when they select the same calls
 * but do different things. These answer both questions on the JSON
 * directly, without building a canonical text of either rule.
 * ------------------------------------------------------------------- */

/* What a rule does: its action, and the errno runc gives ERRNO and TRACE
 * (EPERM when errnoRet is absent). */
struct hs_rule_effect {
	const char *action;
	long long errnum; /* 0 for actions that carry none */
};

void hs_profile_rule_effect(const json_t *rule, struct hs_rule_effect *ret);
bool hs_profile_effect_equal(const struct hs_rule_effect *a,
			     const struct hs_rule_effect *b);
/* "SCMP_ACT_ERRNO(13)", "SCMP_ACT_ALLOW": for messages. */
void hs_profile_effect_text(const struct hs_rule_effect *e, char *buf,
			    size_t size);

/* Whether two rules' args compare the same arguments the same way, in any
 * order (`args` arrays; NULL or absent: none). */
bool hs_profile_args_equal(const json_t *a, const json_t *b);

/* The same, and also the same includes and excludes. */
bool hs_profile_conditions_equal(const json_t *rule_a, const json_t *rule_b);

/* ---------------------------------------------------------------------
 * Syscall names indexed (index.c)
 *
 * An open-addressing hash table from a name to two numbers the caller
 * uses, typically the first and last record of a list it keeps for that
 * name. Names are borrowed from JSON the caller holds. One lookup per name
 * replaces a JSON object per name, whose keys jansson copies.
 * ------------------------------------------------------------------- */

#define HS_NAME_NONE SIZE_MAX

struct hs_name_slot {
	const char *name; /* NULL: empty slot */
	uint32_t hash;
	size_t first, last; /* the caller's; HS_NAME_NONE when added */
};

struct hs_name_index {
	struct hs_name_slot *slot;
	size_t mask; /* number of slots - 1, a power of two minus one */
	size_t used;
};

/* Sized for `expected` names; it grows if more are added. */
int hs_name_index_init(struct hs_name_index *ix, size_t expected);
void hs_name_index_free(struct hs_name_index *ix);
/* The slot of `name`, added if absent; NULL when out of memory. The
 * pointer is valid until the next hs_name_index_add. */
struct hs_name_slot *hs_name_index_add(struct hs_name_index *ix,
				       const char *name);
/* The slot of `name`, or NULL. */
struct hs_name_slot *hs_name_index_find(const struct hs_name_index *ix,
					const char *name);

static inline void hs_name_index_freep(struct hs_name_index *ix)
{
	hs_name_index_free(ix);
}
#define _cleanup_name_index_ __attribute__((cleanup(hs_name_index_freep)))

#endif
