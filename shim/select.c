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
	/* Only the tenant policy's `selectable` list is needed from it. */
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
	hs_policy_free(&p);
	return hs_policy_load(cfg, wanted, ret, err);
}
