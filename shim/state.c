/* OCI state parsing; see hs_state.h. The state comes from the runtime,
 * but its annotations come from the spec, which the tenant influences. */
#include <errno.h>
#include <string.h>

#include "hs_state.h"

int hs_state_parse(json_t *json, struct hs_state *st, struct hs_error *err)
{
	const char *version = NULL, *key;
	int64_t pid = 0;
	json_t *v;

	memset(st, 0, sizeof(*st));
	if (!json_is_object(json))
		return hs_err(err, EINVAL, "state: must be a JSON object");
	/* The state is the runtime's, so unknown keys are tolerated (a newer
	 * runtime may add some); hs_json_check_keys is not used here. */
	if (hs_json_get_string(json, "ociVersion", true, &version, "state", "",
			       err) < 0 ||
	    hs_json_get_string(json, "id", true, &st->id, "state", "", err) <
		    0 ||
	    hs_json_get_string(json, "status", true, &st->status, "state", "",
			       err) < 0 ||
	    hs_json_get_string(json, "bundle", true, &st->bundle, "state", "",
			       err) < 0 ||
	    hs_json_get_int(json, "pid", false, 1, HS_PID_MAX, &pid, "state",
			    "", err) < 0)
		return -1;
	if (st->bundle[0] != '/')
		return hs_err(err, EINVAL,
			      "state: bundle \"%s\" is not an absolute path",
			      st->bundle);
	if (strlen(st->id) > HS_ID_MAX)
		return hs_err(err, EINVAL,
			      "state: id longer than the limit of %d",
			      HS_ID_MAX);
	st->annotations = json_object_get(json, "annotations");
	if (st->annotations) {
		if (!json_is_object(st->annotations))
			return hs_err(err, EINVAL,
				      "state: annotations must be an object");
		if (json_object_size(st->annotations) > HS_SPEC_MAX_ANNOTATIONS)
			return hs_err(err, EINVAL,
				      "state: more than %d annotations",
				      HS_SPEC_MAX_ANNOTATIONS);
		json_object_foreach ((json_t *)st->annotations, key, v)
			if (!json_is_string(v))
				return hs_err(err, EINVAL,
					      "state: annotations.%s must be a "
					      "string",
					      key);
	}
	st->pid = (int)pid;
	st->json = json_incref(json);
	return 0;
}

void hs_state_free(struct hs_state *st)
{
	json_decref(st->json);
	st->json = NULL;
}
