/* Which tenant policy a container gets (docs/design.md "Tenant selection").
 * The tenant is the Kubernetes namespace the engine records, which the
 * tenant cannot forge; a pod annotation, which it can, may only pick a
 * policy that the tenant's own policy lists as selectable. */
#ifndef HS_SELECT_H
#define HS_SELECT_H

#include "hs_config.h"
#include "hs_policy.h"

#define HS_ANNOTATION_CRI_NAMESPACE "io.kubernetes.cri.sandbox-namespace"
#define HS_ANNOTATION_CRIO_NAMESPACE "io.kubernetes.pod.namespace"
#define HS_ANNOTATION_CRI_NAME "io.kubernetes.cri.sandbox-name"
#define HS_ANNOTATION_CRIO_NAME "io.kubernetes.pod.name"

/* Pure: the tenant policy name for these annotations (NULL allowed), and
 * the namespace it was chosen by (NULL when none was recorded). */
int hs_select_tenant(const struct hs_config *cfg, const json_t *annotations,
		     const char **ret_policy, const char **ret_namespace,
		     struct hs_error *err);

/* Pure: the pod's namespace and name as the engine recorded them (CRI's
 * annotations, else CRI-O's and podman's), for attributing events; each
 * NULL when absent or not a string. Borrowed from `annotations`. */
void hs_select_pod_names(const json_t *annotations, const char **ret_namespace,
			 const char **ret_name);

/* Loads the policy the container gets: the tenant's, or the one the pod
 * asks for when the tenant's policy lists it as selectable and it is not
 * weaker than the tenant's in any dimension but the seccomp profile
 * (hs_policy_check_not_weaker; `hardshim check` compares the profiles). */
int hs_select_policy(const struct hs_config *cfg, const json_t *annotations,
		     struct hs_policy *ret, struct hs_error *err);

#endif
