/* Tenant selection; see hs_select.h. */
#include <errno.h>
#include <fnmatch.h>
#include <string.h>

#include "hs_select.h"
#include "hs_spec.h"

static const char *annotation(const json_t *annotations, const char *key,
			      struct hs_error *err, int *ret)
{
	const json_t *v = json_object_get(annotations, key);

	*ret = 0;
	if (!v)
		return NULL;
	if (!json_is_string(v)) {
		*ret = hs_err(err, EINVAL, "annotation \"%s\" must be a string",
			      key);
		return NULL;
	}
	return json_string_value(v);
}

int hs_select_tenant(const struct hs_config *cfg, const json_t *annotations,
		     const char **ret_policy, const char **ret_namespace,
		     struct hs_error *err)
{
	const char *cri, *crio, *ns;
	size_t i;
	int r1, r2;

	if (annotations && !json_is_object(annotations))
		return hs_err(err, EINVAL, "annotations must be an object");
	cri = annotation(annotations, HS_ANNOTATION_CRI_NAMESPACE, err, &r1);
	crio = annotation(annotations, HS_ANNOTATION_CRIO_NAMESPACE, err, &r2);
	if (r1 < 0 || r2 < 0)
		return -1;
	/* Both are engine-written; if they disagree, something forged one. */
	if (cri && crio && strcmp(cri, crio) != 0)
		return hs_err(err, EINVAL,
			      "annotations name two namespaces (\"%s\" and "
			      "\"%s\"), refused",
			      cri, crio);
	ns = cri ? cri : crio;
	*ret_namespace = ns;
	*ret_policy = cfg->default_policy;
	if (!ns)
		return 0;
	for (i = 0; i < cfg->n_tenants; i++)
		if (fnmatch(cfg->tenants[i].namespace_glob, ns, 0) == 0) {
			*ret_policy = cfg->tenants[i].policy;
			break;
		}
	return 0;
}

/* The comparison `hardshim check` runs on every selectable policy, run
 * again on what is about to be used: a policy set deployed without
 * `check`, or edited since, must not let an annotation widen what the
 * tenant's own policy allows. Every dimension but the seccomp profile:
 * that one is left to `check`, because comparing profiles means reading
 * and resolving both on every start that selects, which the plan cache
 * (hs_cache.h) exists to avoid. Measured selecting tenant-batch from
 * tenant-default: the profiles cost 12.2 M instructions (callgrind of
 * `hardshim harden`, 14.6 M without them) and 4.3 ms a start (median
 * `runtime run` of `true`, 35.8 -> 40.1 ms); the other dimensions cost
 * 6,700 instructions and no measurable time. */
static int check_not_weaker(const struct hs_policy *tenant,
			    const struct hs_policy *sel, struct hs_error *err)
{
	char at[64];
	size_t i;
	json_t *v;

	json_array_foreach (tenant->selectable, i, v)
		if (strcmp(json_string_value(v), sel->name) == 0)
			break;
	hs_json_path_index(at, sizeof(at), "selectable", i);
	if (hs_policy_check_not_weaker(tenant, sel, tenant->file, at, 0, err) <
	    0)
		return hs_err_context(err,
				      "annotation %s: policy \"%s\" refused",
				      HS_ANNOTATION_SELECT, sel->name);
	return 0;
}

int hs_select_policy(const struct hs_config *cfg, const json_t *annotations,
		     struct hs_policy *ret, struct hs_error *err)
{
	const char *tenant, *ns, *wanted;
	struct hs_policy p;
	int r;

	if (hs_select_tenant(cfg, annotations, &tenant, &ns, err) < 0)
		return -1;
	wanted = annotation(annotations, HS_ANNOTATION_SELECT, err, &r);
	if (r < 0)
		return -1;
	if (!wanted || strcmp(wanted, tenant) == 0)
		return hs_policy_load(cfg, tenant, ret, err);
	if (hs_policy_load(cfg, tenant, &p, err) < 0)
		return -1;
	if (!hs_policy_is_selectable(&p, wanted)) {
		hs_err(err, EPERM,
		       "annotation %s asks for policy \"%s\", which policy "
		       "\"%s\" of namespace \"%s\" does not list as "
		       "selectable, refused",
		       HS_ANNOTATION_SELECT, wanted, tenant,
		       ns ? ns : "(none)");
		hs_policy_free(&p);
		return -1;
	}
	r = hs_policy_load(cfg, wanted, ret, err);
	if (r == 0 && check_not_weaker(&p, ret, err) < 0) {
		hs_policy_free(ret);
		r = -1;
	}
	hs_policy_free(&p);
	return r;
}

void hs_select_pod_names(const json_t *annotations, const char **ret_namespace,
			 const char **ret_name)
{
	const char *cri = json_string_value(
		json_object_get(annotations, HS_ANNOTATION_CRI_NAMESPACE));

	/* Both from the engine that recorded the namespace, never one from
	 * each: the other engine's keys may be the tenant's own annotations. */
	*ret_namespace =
		cri ? cri
		    : json_string_value(json_object_get(
			      annotations, HS_ANNOTATION_CRIO_NAMESPACE));
	*ret_name = json_string_value(
		json_object_get(annotations, cri ? HS_ANNOTATION_CRI_NAME
						 : HS_ANNOTATION_CRIO_NAME));
}
