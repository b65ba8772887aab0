/* A hash index of syscall names; see profile_internal.h.
 *
 * Open addressing with linear probing, at most half full. FNV-1a is not
 * keyed: names come from profiles that administrators write, bounded by
 * HS_POLICY_MAX_BYTES, so colliding names would only slow down the one
 * who wrote them. */
#include <stdlib.h>
#include <string.h>

#include "profile_internal.h"

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int alloc_slots(struct hs_name_index *ix, size_t n)
{
	ix->slot = calloc(n, sizeof(*ix->slot));
	if (!ix->slot)
		return -1;
	ix->mask = n - 1;
	ix->used = 0;
	return 0;
}

int hs_name_index_init(struct hs_name_index *ix, size_t expected)
{
	size_t n = 16;

	*ix = (struct hs_name_index){0};
	while (n / 2 < expected && n < SIZE_MAX / 4 / sizeof(*ix->slot))
		n *= 2;
	return alloc_slots(ix, n);
}

void hs_name_index_free(struct hs_name_index *ix)
{
	free(ix->slot);
	*ix = (struct hs_name_index){0};
}

static struct hs_name_slot *probe(const struct hs_name_index *ix,
				  const char *name, uint32_t hash)
{
	size_t i = hash & ix->mask;

	for (;; i = (i + 1) & ix->mask) {
		struct hs_name_slot *s = &ix->slot[i];

		if (!s->name || (s->hash == hash && strcmp(s->name, name) == 0))
			return s;
	}
}

/* Doubles the table, keeping every slot's numbers. */
static int grow(struct hs_name_index *ix)
{
	struct hs_name_index bigger;
	size_t i;

	if (ix->mask + 1 > SIZE_MAX / 4 / sizeof(*ix->slot) ||
	    alloc_slots(&bigger, (ix->mask + 1) * 2) < 0)
		return -1;
	for (i = 0; i <= ix->mask; i++)
		if (ix->slot[i].name)
			*probe(&bigger, ix->slot[i].name, ix->slot[i].hash) =
				ix->slot[i];
	bigger.used = ix->used;
	free(ix->slot);
	*ix = bigger;
	return 0;
}

struct hs_name_slot *hs_name_index_add(struct hs_name_index *ix,
				       const char *name)
{
	uint32_t hash = name_hash(name);
	struct hs_name_slot *s;

	if (!ix->slot)
		return NULL;
	s = probe(ix, name, hash);
	if (s->name)
		return s;
	if ((ix->used + 1) * 2 > ix->mask + 1) {
		if (grow(ix) < 0)
			return NULL;
		s = probe(ix, name, hash);
	}
	*s = (struct hs_name_slot){.name = name,
				   .hash = hash,
				   .first = HS_NAME_NONE,
				   .last = HS_NAME_NONE};
	ix->used++;
	return s;
}

struct hs_name_slot *hs_name_index_find(const struct hs_name_index *ix,
					const char *name)
{
	struct hs_name_slot *s;

	if (!ix->slot)
		return NULL;
	s = probe(ix, name, name_hash(name));
	return s->name ? s : NULL;
}
