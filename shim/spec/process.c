/* The process: user and groups, capabilities, AppArmor, no_new_privs. The
 * same rules serve a container's process and a `runc exec` process.
 *
 * Order: the user rule runs first, because the capability rule depends on
 * the final uid. A non-root process (without allowAmbient) keeps no
 * permitted, effective or inheritable capability, only the bounding set
 * (requested ∩ ceiling): under no_new_privs, execve gives a process no
 * more permitted capabilities than it had, so a file capability on the
 * entrypoint (cap_dac_override+ep) cannot raise CapEff from zero. A root
 * process, where a policy allows one, keeps requested ∩ ceiling in each
 * set. Ambient is emptied unless the policy allows it. Every set is
 * written out explicitly, so what runc applies is exactly what was
 * judged. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "spec_internal.h"

enum cap_set {
	SET_BOUNDING,
	SET_EFFECTIVE,
	SET_INHERITABLE,
	SET_PERMITTED,
	SET_AMBIENT,
	N_SETS
};
static const char *const cap_sets[N_SETS] = {
	"bounding", "effective", "inheritable", "permitted", "ambient",
};

static json_t *capset_to_json(hs_capset_t set)
{
	json_t *a = json_array();
	int c;

	for (c = 0; a && c <= hs_caps_last(); c++) {
		char name[64];

		if (!(set & ((hs_capset_t)1 << c)))
			continue;
		if (hs_caps_to_name(c, name, sizeof(name)) == 0)
			json_array_append_new(a, json_string(name));
	}
	return a;
}

/* The requested set, ∩ ceiling. Unknown names are refused: runc would
 * reject some and silently skip others, and a reviewer must see exactly
 * what was asked. */
static int requested_set(const json_t *list, const struct hs_policy *policy,
			 const char *file, const char *p, hs_capset_t *ret,
			 hs_capset_t *asked, struct hs_error *err)
{
	size_t i;
	json_t *v;
	int r = 0;

	*ret = 0;
	if (list && !json_is_array(list))
		return hs_json_err(err, file, p, "must be an array");
	json_array_foreach (list, i, v) {
		char pi[192];
		int c = json_is_string(v)
				? hs_caps_from_name(json_string_value(v))
				: -1;

		hs_json_path_index(pi, sizeof(pi), p, i);
		if (c < 0)
			r = hs_json_err(err, file, pi,
					"unknown capability %s%s%s",
					json_is_string(v) ? "\"" : "",
					json_is_string(v) ? json_string_value(v)
							  : "(not a string)",
					json_is_string(v) ? "\"" : "");
		else
			*ret |= (hs_capset_t)1 << c;
	}
	*asked |= *ret;
	*ret &= policy->cap_ceiling;
	return r;
}

/* "CAP_A, CAP_B" for a set, into `buf`. */
static const char *caps_text(hs_capset_t set, char *buf, size_t size)
{
	size_t len = 0;
	int c;

	buf[0] = '\0';
	for (c = 0; c <= hs_caps_last(); c++) {
		char name[64];

		if (!(set & ((hs_capset_t)1 << c)) ||
		    hs_caps_to_name(c, name, sizeof(name)) < 0)
			continue;
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0,
					"%s%s", len ? ", " : "", name);
	}
	return buf;
}

int hs_spec_harden_caps(json_t *process, const struct hs_policy *policy,
			const char *file, const char *path,
			hs_capset_t *ret_bounding, json_t *notes,
			struct hs_error *err)
{
	hs_capset_t asked = 0, kept = 0;
	char text[HS_ERR_MSG_MAX];
	const json_t *uid =
		json_object_get(json_object_get(process, "user"), "uid");
	bool keeps = json_integer_value(uid) == 0 || policy->allow_ambient;
	hs_capset_t want[N_SETS];
	char base[128];
	json_t *caps;
	size_t s;
	int ret = 0;

	hs_json_path_key(base, sizeof(base), path, "capabilities");
	caps = json_object_get(process, "capabilities");
	if (caps && !json_is_object(caps))
		return hs_json_err(err, file, base, "must be an object");
	for (s = 0; s < N_SETS; s++) {
		char p[160];

		hs_json_path_key(p, sizeof(p), base, cap_sets[s]);
		if (requested_set(json_object_get(caps, cap_sets[s]), policy,
				  file, p, &want[s], &asked, err) < 0)
			ret = -1;
	}
	if (ret < 0)
		return -1;
	if (!keeps)
		want[SET_EFFECTIVE] = want[SET_INHERITABLE] =
			want[SET_PERMITTED] = 0;
	if (!policy->allow_ambient)
		want[SET_AMBIENT] = 0;
	for (s = 0; s < N_SETS; s++)
		kept |= want[s];
	if (asked & ~kept)
		hs_spec_note(notes,
			     "capabilities dropped (beyond the ceiling "
			     "of policy \"%s\"): %s",
			     policy->name,
			     caps_text(asked & ~kept, text, sizeof(text)));
	if (!keeps && want[SET_BOUNDING])
		hs_spec_note(notes, "a non-root user keeps its capabilities "
				    "in the bounding set only");
	caps = hs_spec_object_child(process, "capabilities");
	for (s = 0; caps && s < N_SETS; s++)
		/* Failing to narrow must not leave the request in place. */
		if (json_object_set_new(caps, cap_sets[s],
					capset_to_json(want[s])) < 0)
			caps = NULL;
	if (!caps)
		return hs_err(err, ENOMEM, "%s: out of memory", file);
	*ret_bounding = want[SET_BOUNDING];
	return 0;
}

int hs_spec_apply_user_rule(const struct hs_policy *policy, uint32_t *uid,
			    uint32_t *gid, const char *file, const char *path,
			    struct hs_error *err)
{
	if (!policy->run_as_non_root || (*uid != 0 && *gid != 0))
		return 0;
	if (policy->root_rule == HS_ROOT_REFUSE)
		return hs_json_err(err, file, path,
				   "runs as %s 0, refused by policy \"%s\" "
				   "(runAsNonRoot): set a non-zero user and "
				   "group (the pod's runAsUser and runAsGroup, "
				   "or USER uid:gid in the image)",
				   *uid == 0 ? "uid" : "gid", policy->name);
	if (*uid == 0)
		*uid = policy->uid;
	if (*gid == 0)
		*gid = policy->gid;
	return 0;
}

/* Group 0 among the additional groups follows the root rule as the
 * primary gid does: containerd (since 1.6.18) and Docker add a root
 * image's primary group there. Remapped, it becomes the policy's gid, once. */
static int harden_additional_gids(json_t *user, const struct hs_policy *policy,
				  const char *file, const char *p,
				  json_t *notes, struct hs_error *err)
{
	json_t *extra = json_object_get(user, "additionalGids");
	json_t *out;
	size_t i;
	json_t *v;
	bool have_gid = false;
	char pg[160];

	hs_json_path_key(pg, sizeof(pg), p, "additionalGids");
	if (!extra || !policy->run_as_non_root)
		return 0;
	out = json_array();
	if (!out)
		return hs_err(err, ENOMEM, "%s: out of memory", file);
	json_array_foreach (extra, i, v) {
		json_int_t g = json_integer_value(v);

		if (!json_is_integer(v) || g < 0 || g > UINT32_MAX) {
			json_decref(out);
			return hs_json_err(err, file, pg,
					   "must be integers in [0, %u]",
					   UINT32_MAX);
		}
		if (g == 0 && policy->root_rule == HS_ROOT_REFUSE) {
			json_decref(out);
			return hs_json_err(
				err, file, pg,
				"group 0 among the additional groups (a root "
				"image's), refused by policy \"%s\" "
				"(runAsNonRoot): set a non-zero user and group "
				"(the pod's runAsUser and runAsGroup, or USER "
				"uid:gid in the image)",
				policy->name);
		}
		if (g == 0) {
			g = policy->gid;
			hs_spec_note(notes,
				     "group 0 among the additional "
				     "groups remapped to %u",
				     (unsigned)g);
		}
		if (g == policy->gid && have_gid)
			continue;
		have_gid |= g == policy->gid;
		json_array_append_new(out, json_integer(g));
	}
	return json_object_set_new(user, "additionalGids", out) < 0
		       ? hs_err(err, ENOMEM, "%s: out of memory", file)
		       : 0;
}

int hs_spec_harden_user(json_t *process, const struct hs_policy *policy,
			const char *file, const char *path, json_t *notes,
			struct hs_error *err)
{
	char p[128];
	json_t *user = hs_spec_object_child(process, "user");
	const json_t *uid_j, *gid_j;
	uint32_t uid, gid;

	hs_json_path_key(p, sizeof(p), path, "user");
	if (!user)
		return hs_json_err(err, file, p, "must be an object");
	uid_j = json_object_get(user, "uid");
	gid_j = json_object_get(user, "gid");
	if ((uid_j && !json_is_integer(uid_j)) ||
	    (gid_j && !json_is_integer(gid_j)) ||
	    json_integer_value(uid_j) < 0 || json_integer_value(gid_j) < 0 ||
	    json_integer_value(uid_j) > UINT32_MAX ||
	    json_integer_value(gid_j) > UINT32_MAX)
		return hs_json_err(err, file, p,
				   "uid and gid must be integers in [0, %u]",
				   UINT32_MAX);
	uid = (uint32_t)json_integer_value(uid_j);
	gid = (uint32_t)json_integer_value(gid_j);
	if (hs_spec_apply_user_rule(policy, &uid, &gid, file, p, err) < 0)
		return -1;
	if (uid != (uint32_t)json_integer_value(uid_j) ||
	    gid != (uint32_t)json_integer_value(gid_j))
		hs_spec_note(notes, "root remapped: uid %u, gid %u",
			     (unsigned)uid, (unsigned)gid);
	if (json_object_set_new(user, "uid", json_integer(uid)) < 0 ||
	    json_object_set_new(user, "gid", json_integer(gid)) < 0)
		return hs_err(err, ENOMEM, "%s: out of memory", file);
	return harden_additional_gids(user, policy, file, p, notes, err);
}

/* An "unconfined" AppArmor profile is how a privileged container or exec
 * asks to leave the engine's confinement; hardshim never grants that. */
int hs_spec_check_apparmor(const json_t *process,
			   const struct hs_policy *policy, const char *file,
			   const char *path, struct hs_error *err)
{
	const char *profile =
		json_string_value(json_object_get(process, "apparmorProfile"));
	char p[160];

	if (!profile || strcmp(profile, "unconfined") != 0 ||
	    policy->unconfined_apparmor)
		return 0;
	hs_json_path_key(p, sizeof(p), path, "apparmorProfile");
	return hs_json_err(err, file, p, "\"unconfined\" is refused");
}

int hs_spec_harden_process(json_t *process, const struct hs_policy *policy,
			   const char *file, const char *path,
			   struct hs_error *err)
{
	hs_capset_t bounding;
	int ret = 0;

	if (!json_is_object(process))
		return hs_json_err(err, file, path, "must be an object");
	if (hs_spec_check_process_types(process, file, err) < 0 ||
	    hs_spec_check_keys(process, file, path, err) < 0 ||
	    hs_spec_check_apparmor(process, policy, file, path, err) < 0)
		return -1;
	/* Both are reported; caps read the uid the user rule left. */
	if (hs_spec_harden_user(process, policy, file, path, NULL, err) < 0)
		ret = -1;
	if (hs_spec_harden_caps(process, policy, file, path, &bounding, NULL,
				err) < 0)
		ret = -1;
	if (ret < 0)
		return -1;
	if (json_object_set_new(process, "noNewPrivileges", json_true()) < 0)
		return hs_err(err, ENOMEM, "%s: out of memory", file);
	return 0;
}
