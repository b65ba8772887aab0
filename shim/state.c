/* OCI state parsing; see hs_state.h. The state comes from the runtime,
 * but its annotations come from the spec, which the tenant influences. */
#include <errno.h>
#include <string.h>

#include "hs_cleanup.h"
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

/* "key=value" into obj; a second label of the same key is an error. */
static int add_label(json_t *obj, const char *label, size_t i, const char *file,
		     struct hs_error *err)
{
	const char *eq = strchr(label, '=');
	char key[HS_ID_MAX + 1];
	size_t len;

	if (!eq)
		return hs_err(err, EINVAL, "%s: config.labels[%zu]: no \"=\"",
			      file, i);
	len = (size_t)(eq - label);
	if (len == 0 || len > HS_ID_MAX)
		return hs_err(err, EINVAL,
			      "%s: config.labels[%zu]: key empty or longer "
			      "than the limit of %d",
			      file, i, HS_ID_MAX);
	memcpy(key, label, len);
	key[len] = '\0';
	if (json_object_get(obj, key))
		return hs_err(err, EINVAL,
			      "%s: config.labels[%zu]: \"%s\" given twice",
			      file, i, key);
	if (json_object_set_new(obj, key, json_string(eq + 1)) < 0)
		return hs_err(err, ENOMEM, "%s: out of memory", file);
	return 0;
}

int hs_state_parse_runc(json_t *json, const char *file,
			struct hs_runc_state *st, struct hs_error *err)
{
	static const char bundle_prefix[] = "bundle=";
	const json_t *config = json_object_get(json, "config");
	const json_t *labels = NULL;
	_cleanup_json_ json_t *annotations = json_object();
	int64_t pid = 0, start = 0;
	size_t i, n;

	memset(st, 0, sizeof(*st));
	if (!annotations)
		return hs_err(err, ENOMEM, "%s: out of memory", file);
	if (!json_is_object(json) || !json_is_object(config))
		return hs_err(err, EINVAL,
			      "%s: not runc's state (no config object)", file);
	if (hs_json_get_string(json, "id", true, &st->id, file, "", err) < 0 ||
	    hs_json_get_int(json, "init_process_pid", true, 1, HS_PID_MAX, &pid,
			    file, "", err) < 0 ||
	    hs_json_get_int(json, "init_process_start", true, 0, INT64_MAX,
			    &start, file, "", err) < 0 ||
	    hs_json_get_string_array(config, "labels", true,
				     HS_SPEC_MAX_ANNOTATIONS + 1, &labels, file,
				     "config", err) < 0)
		return -1;
	n = json_array_size(labels);
	st->bundle = n ? json_string_value(json_array_get(labels, n - 1)) : "";
	if (strncmp(st->bundle, bundle_prefix, strlen(bundle_prefix)) != 0 ||
	    st->bundle[strlen(bundle_prefix)] != '/')
		return hs_err(err, EINVAL,
			      "%s: config.labels: the last is not runc's "
			      "\"bundle=/ABSOLUTE/PATH\"",
			      file);
	st->bundle += strlen(bundle_prefix);
	for (i = 0; i + 1 < n; i++)
		if (add_label(annotations,
			      json_string_value(json_array_get(labels, i)), i,
			      file, err) < 0)
			return -1;
	st->pid = (int)pid;
	st->start_time = (uint64_t)start;
	st->annotations = hs_steal_ptr(annotations);
	st->json = json_incref(json);
	return 0;
}

void hs_state_free_runc(struct hs_runc_state *st)
{
	json_decref(st->annotations);
	json_decref(st->json);
	st->annotations = st->json = NULL;
}
