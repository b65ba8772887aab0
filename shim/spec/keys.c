/* Keys runc would read differently from hardshim; see spec_internal.h. */
#include <string.h>
#include <strings.h>

#include "spec_internal.h"

/* runc decodes the spec with Go's encoding/json, which matches a key to a
 * struct field ignoring case (and folds the Kelvin sign and long s to k
 * and s). hardshim reads keys exactly. So "Mounts", or a second "Seccomp"
 * after "seccomp", would be read by runc but not by the checks here: any
 * key that folds onto one of the fields hardshim reads, or onto another
 * key of the same object, and any non-ASCII key, is refused. Objects that
 * Go decodes into maps (annotations, sysctls, cgroup v2 unified) keep
 * their keys exact and are not subject to this. */
static const char *const read_keys[] = {
	"ociVersion",
	"process",
	"root",
	"mounts",
	"hooks",
	"annotations",
	"linux",
	"namespaces",
	"type",
	"path",
	"source",
	"destination",
	"options",
	"capabilities",
	"bounding",
	"effective",
	"inheritable",
	"permitted",
	"ambient",
	"user",
	"uid",
	"gid",
	"additionalGids",
	"noNewPrivileges",
	"devices",
	"resources",
	"sysctl",
	"maskedPaths",
	"readonlyPaths",
	"seccomp",
	"readonly",
	"allow",
	"major",
	"minor",
	"access",
	"apparmorProfile",
	"selinuxLabel",
	"rootfsPropagation",
	"createRuntime",
	"createContainer",
	"startContainer",
	"cgroupsPath",
	"poststart",
	"poststop",
	"prestart",
	"args",
	"env",
	"timeout",
	NULL,
};
static const char *const map_keys[] = {"annotations", "sysctl", "unified",
				       NULL};

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static int check_key_case(const json_t *v, const char *key, const char *file,
			  const char *path, struct hs_error *err)
{
	const char *k, *k2;
	json_t *child, *c2;
	size_t i;
	int ret = 0;

	if (json_is_array(v)) {
		json_array_foreach (v, i, child) {
			char p[HS_ERR_MSG_MAX];

			hs_json_path_index(p, sizeof(p), path, i);
			if (check_key_case(child, key, file, p, err) < 0)
				ret = -1;
		}
		return ret;
	}
	if (!json_is_object(v) || (key && in_list(map_keys, key)))
		return 0;
	json_object_foreach ((json_t *)v, k, child) {
		char p[HS_ERR_MSG_MAX];
		const char *const *r;
		const char *u;

		hs_json_path_key(p, sizeof(p), path, k);
		for (u = k; *u && !(*u & 0x80); u++)
			;
		if (*u) {
			ret = hs_json_err(err, file, p,
					  "a non-ASCII key, which runc could "
					  "read as another field, refused");
			continue;
		}
		for (r = read_keys; *r; r++)
			if (strcasecmp(k, *r) == 0 && strcmp(k, *r) != 0)
				break;
		if (*r) {
			ret = hs_json_err(err, file, p,
					  "differs from \"%s\" only in case, "
					  "which runc reads as the same field, "
					  "refused",
					  *r);
			continue;
		}
		json_object_foreach ((json_t *)v, k2, c2) {
			(void)c2;
			if (k2 != k && strcasecmp(k, k2) == 0 &&
			    strcmp(k, k2) < 0)
				ret = hs_json_err(
					err, file, p,
					"\"%s\" and \"%s\" differ only "
					"in case, refused",
					k, k2);
		}
		if (check_key_case(child, k, file, p, err) < 0)
			ret = -1;
	}
	return ret;
}

int hs_spec_check_keys(const json_t *v, const char *file, const char *path,
		       struct hs_error *err)
{
	return check_key_case(v, NULL, file, path, err);
}
