/* The config's "monitor" object; see hs_config.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hs_config.h"

static const char *const monitor_keys[] = {
	"mode", "socket", "metrics", "verifyInterval", "runcRoots", NULL};
static const char *const mode_names[] = {
	[HS_MONITOR_OFF] = "off",
	[HS_MONITOR_OPTIONAL] = "optional",
	[HS_MONITOR_REQUIRED] = "required",
};

static int parse_mode(const json_t *m, const char *file,
		      struct hs_monitor_config *out, struct hs_error *err)
{
	const char *mode = NULL;
	size_t i;

	if (hs_json_get_string(m, "mode", false, &mode, file, "monitor", err) <
	    0)
		return -1;
	if (!mode)
		return 0;
	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (strcmp(mode, mode_names[i]) == 0) {
			out->mode = (enum hs_monitor_mode)i;
			return 0;
		}
	return hs_json_err(err, file, "monitor.mode",
			   "\"%s\" is not one of \"off\", \"optional\", "
			   "\"required\"",
			   mode);
}

static int parse_path(const json_t *m, const char *key, const char *dir,
		      char *out, size_t size, const char *file,
		      struct hs_error *err)
{
	const char *v = NULL;
	char path[64];

	snprintf(path, sizeof(path), "monitor.%s", key);
	if (hs_json_get_string(m, key, false, &v, file, "monitor", err) < 0)
		return -1;
	if (v && hs_config_join_path(out, size, dir, v) < 0)
		return hs_json_err(err, file, path, "path too long");
	return 0;
}

static int parse_roots(const json_t *m, const char *file,
		       struct hs_monitor_config *out, struct hs_error *err)
{
	const json_t *list = NULL;
	size_t i;
	json_t *v;
	int ret = 0;

	if (hs_json_get_string_array(m, "runcRoots", false, HS_CONFIG_MAX_LIST,
				     &list, file, "monitor", err) < 0)
		return -1;
	if (!list)
		return 0;
	out->n_runc_roots = 0;
	json_array_foreach (list, i, v) {
		char p[64];

		hs_json_path_index(p, sizeof(p), "monitor.runcRoots", i);
		if (json_string_value(v)[0] != '/')
			ret = hs_json_err(err, file, p,
					  "\"%s\" must be an absolute path",
					  json_string_value(v));
		else
			out->runc_roots[out->n_runc_roots++] =
				json_string_value(v);
	}
	return ret;
}

int hs_config_parse_monitor(const json_t *json, const char *file,
			    const char *dir, struct hs_monitor_config *out,
			    struct hs_error *err)
{
	const json_t *m = json ? json_object_get(json, "monitor") : NULL;
	int64_t interval = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	snprintf(out->socket, sizeof(out->socket), "%s",
		 HS_MONITOR_DEFAULT_SOCKET);
	out->runc_roots[out->n_runc_roots++] = "/run/runc";
	if (!m)
		return 0;
	if (!json_is_object(m))
		return hs_json_err(err, file, "monitor", "must be an object");
	if (hs_json_check_keys(m, monitor_keys, file, "monitor", err) < 0)
		ret = -1;
	if (parse_mode(m, file, out, err) < 0)
		ret = -1;
	if (parse_path(m, "socket", dir, out->socket, sizeof(out->socket), file,
		       err) < 0 ||
	    parse_path(m, "metrics", dir, out->metrics, sizeof(out->metrics),
		       file, err) < 0)
		ret = -1;
	if (hs_json_get_int(m, "verifyInterval", false, 0,
			    HS_MONITOR_VERIFY_MAX, &interval, file, "monitor",
			    err) < 0)
		ret = -1;
	out->verify_interval = (int)interval;
	if (parse_roots(m, file, out, err) < 0)
		ret = -1;
	return ret;
}
