/* Audit mode: a resolved profile whose denials are logged, not enforced.
 * See hs_profile_audit in hs_profile.h. Pure.
 *
 * Why only these actions: ERRNO, KILL*, TRAP are what stop a syscall, so
 * they are what a learning run must see. ALLOW and LOG already let it
 * run; TRACE and NOTIFY hand the decision to another process (a tracer,
 * the monitor), which keeps deciding in audit mode too. */
#include <errno.h>
#include <string.h>

#include "hs_profile.h"

static const char *const denying[] = {
	"SCMP_ACT_ERRNO",	"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
	"SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", NULL,
};

bool hs_profile_action_denies(const char *action)
{
	size_t i;

	for (i = 0; action && denying[i]; i++)
		if (strcmp(action, denying[i]) == 0)
			return true;
	return false;
}

/* An errnoRet left behind would mean nothing to LOG, and two rules that
 * denied the same syscall with different errnos must not become two LOG
 * rules that libseccomp (and hs_seccomp_compile) see as a conflict. */
static int to_log(json_t *obj, const char *action_key, const char *errno_key)
{
	const json_t *a = json_object_get(obj, action_key);

	if (!json_is_string(a) ||
	    !hs_profile_action_denies(json_string_value(a)))
		return 0;
	json_object_del(obj, errno_key);
	return json_object_set_new(obj, action_key,
				   json_string("SCMP_ACT_LOG"));
}

int hs_profile_audit(json_t *resolved, struct hs_error *err)
{
	json_t *rule;
	size_t i;

	if (to_log(resolved, "defaultAction", "defaultErrnoRet") < 0)
		return hs_err(err, ENOMEM, "audit mode: out of memory");
	json_array_foreach (json_object_get(resolved, "syscalls"), i, rule)
		if (to_log(rule, "action", "errnoRet") < 0)
			return hs_err(err, ENOMEM, "audit mode: out of memory");
	return 0;
}
