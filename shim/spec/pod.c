/* Which pod a spec belongs to; see spec_internal.h.
 *
 * Trust: these annotations are the engine's. containerd writes its
 * io.kubernetes.cri.* keys itself and copies a pod's own annotations only
 * where the runtime's pod_annotations names them (hardshim.dev/...); CRI-O
 * likewise. The ids become path components (a sandbox's state directory,
 * an engine directory), so they are held to what engines generate. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "hs_select.h"
#include "spec_internal.h"

/* What runc accepts as a container id (^[\w+-.]+$), and so what engines
 * generate: hex digests, UUIDs, names. Never "/" or a leading ".", and at
 * most one path component long. */
static bool valid_id(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > NAME_MAX || s[0] == '.')
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.' || c == '+'))
			return false;
	}
	return true;
}

static int annotation_id(const json_t *ann, const char *key, const char **ret,
			 const char *file, struct hs_error *err)
{
	const json_t *v = json_object_get(ann, key);
	char p[128];

	*ret = NULL;
	if (!v)
		return 0;
	hs_json_path_key(p, sizeof(p), "annotations", key);
	if (!json_is_string(v) || !valid_id(json_string_value(v)))
		return hs_json_err(err, file, p,
				   "must be an id of [A-Za-z0-9_.+-], at most "
				   "%d characters",
				   NAME_MAX);
	*ret = json_string_value(v);
	return 0;
}

int hs_spec_pod(const json_t *spec, const struct hs_harden_ctx *ctx,
		struct hs_spec_pod *pod, const char *file, struct hs_error *err)
{
	const json_t *ann = json_object_get(spec, "annotations");
	const char *type, *cri_type, *crio_type;

	memset(pod, 0, sizeof(*pod));
	if (ctx->container_id) {
		if (!valid_id(ctx->container_id))
			return hs_err(err, EINVAL,
				      "container id \"%s\" is not an id of "
				      "[A-Za-z0-9_.+-]",
				      ctx->container_id);
		pod->id = ctx->container_id;
	}
	if (!json_is_object(ann))
		return 0;
	cri_type =
		json_string_value(json_object_get(ann, HS_ANNOTATION_CRI_TYPE));
	crio_type = json_string_value(
		json_object_get(ann, HS_ANNOTATION_CRIO_TYPE));
	if (cri_type && crio_type)
		return hs_json_err(err, file, "annotations",
				   "names both a containerd and a CRI-O pod, "
				   "refused");
	if (cri_type) {
		type = cri_type;
		pod->type_label = HS_ANNOTATION_CRI_TYPE "=sandbox";
		pod->namespace_key = HS_ANNOTATION_CRI_NAMESPACE;
		if (annotation_id(ann, HS_ANNOTATION_CRI_SANDBOX, &pod->sandbox,
				  file, err) < 0 ||
		    annotation_id(ann, HS_ANNOTATION_CRI_POD_UID, &pod->pod_uid,
				  file, err) < 0)
			return -1;
	} else if (crio_type) {
		type = crio_type;
		pod->type_label = HS_ANNOTATION_CRIO_TYPE "=sandbox";
		pod->namespace_key = HS_ANNOTATION_CRIO_NAMESPACE;
		if (annotation_id(ann, HS_ANNOTATION_CRIO_SANDBOX,
				  &pod->sandbox, file, err) < 0 ||
		    annotation_id(ann, HS_ANNOTATION_CRIO_POD_UID,
				  &pod->pod_uid, file, err) < 0)
			return -1;
	} else {
		return 0;
	}
	pod->namespace =
		json_string_value(json_object_get(ann, pod->namespace_key));
	if (strcmp(type, "sandbox") == 0) {
		/* A sandbox is its own pod: its id is the sandbox id. */
		pod->is_sandbox = true;
		if (pod->id && pod->sandbox && strcmp(pod->id, pod->sandbox))
			return hs_json_err(err, file, "annotations",
					   "a sandbox whose sandbox id \"%s\" "
					   "is not its own id \"%s\", refused",
					   pod->sandbox, pod->id);
		if (!pod->sandbox)
			pod->sandbox = pod->id;
	} else if (strcmp(type, "container") != 0) {
		return hs_json_err(err, file, "annotations",
				   "container type \"%s\" is neither "
				   "\"sandbox\" nor \"container\", refused",
				   type);
	} else if (!pod->sandbox) {
		return hs_json_err(err, file, "annotations",
				   "a pod's container without a sandbox id, "
				   "refused");
	}
	return 0;
}
