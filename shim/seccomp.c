/* libseccomp: name resolution and filter compilation. See hs_seccomp.h.
 *
 * Trust: the JSON compiled here comes from a profile that hs_profile_*
 * validated and resolved, but this file does not rely on that. Every value
 * is type-checked again before it reaches libseccomp, because a wrong type
 * read as zero (an action, an errno, a comparison) would compile into a
 * different filter without any error.
 *
 * Nothing here loads a filter or applies flags: compiling is pure, and the
 * filter a container gets is the one runc builds from the same JSON. We
 * compile it to prove it builds, and to report its size, before the
 * container starts. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <seccomp.h>

#include "hs_cleanup.h"
#include "hs_seccomp.h"

static inline void hs_seccomp_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}
#define _cleanup_seccomp_ __attribute__((cleanup(hs_seccomp_releasep)))

/* What the "file" part of compile errors says: the OCI object's name. */
#define OCI_LABEL "linux.seccomp"

/* Bounds of the text that once keyed a rule ("name/arg:op:a:b;..."); they
 * are kept as limits. */
#define ARGS_TEXT_MAX 512
#define RULE_KEY_MAX (HS_SYSCALL_NAME_MAX + 1024)

/* The architectures of the OCI runtime spec (config-linux.md) and
 * libseccomp's name for each, the lower-case suffix; whether the linked
 * version knows it is asked at run time. */
struct arch_def {
	const char *oci, *scmp;
};

static const struct arch_def oci_arches[] = {
	{"SCMP_ARCH_X86", "x86"},
	{"SCMP_ARCH_X86_64", "x86_64"},
	{"SCMP_ARCH_X32", "x32"},
	{"SCMP_ARCH_ARM", "arm"},
	{"SCMP_ARCH_AARCH64", "aarch64"},
	{"SCMP_ARCH_MIPS", "mips"},
	{"SCMP_ARCH_MIPS64", "mips64"},
	{"SCMP_ARCH_MIPS64N32", "mips64n32"},
	{"SCMP_ARCH_MIPSEL", "mipsel"},
	{"SCMP_ARCH_MIPSEL64", "mipsel64"},
	{"SCMP_ARCH_MIPSEL64N32", "mipsel64n32"},
	{"SCMP_ARCH_PPC", "ppc"},
	{"SCMP_ARCH_PPC64", "ppc64"},
	{"SCMP_ARCH_PPC64LE", "ppc64le"},
	{"SCMP_ARCH_S390", "s390"},
	{"SCMP_ARCH_S390X", "s390x"},
	{"SCMP_ARCH_PARISC", "parisc"},
	{"SCMP_ARCH_PARISC64", "parisc64"},
	{"SCMP_ARCH_RISCV64", "riscv64"},
	{"SCMP_ARCH_LOONGARCH64", "loongarch64"},
	{"SCMP_ARCH_M68K", "m68k"},
	{"SCMP_ARCH_SH", "sh"},
	{"SCMP_ARCH_SHEB", "sheb"},
};

/* The libseccomp token of an OCI architecture name: 0 if the linked
 * libseccomp does not know it; *in_spec says whether the spec does. */
static uint32_t resolve_arch(const char *oci_name, bool *in_spec)
{
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(oci_arches); i++)
		if (strcmp(oci_arches[i].oci, oci_name) == 0) {
			*in_spec = true;
			return seccomp_arch_resolve_name(oci_arches[i].scmp);
		}
	*in_spec = false;
	return 0;
}

static uint32_t arch_token(const char *oci_name)
{
	bool in_spec;

	return resolve_arch(oci_name, &in_spec);
}

enum hs_arch_support hs_seccomp_arch_support(const char *oci_name)
{
	bool in_spec;
	uint32_t token = resolve_arch(oci_name, &in_spec);

	if (!in_spec)
		return HS_ARCH_UNKNOWN;
	return token ? HS_ARCH_SUPPORTED : HS_ARCH_UNSUPPORTED;
}

/* The kernel's audit records name the architecture by its AUDIT_ARCH_*
 * value, which is also libseccomp's token for it: the OCI name is the
 * entry whose libseccomp name resolves to that token. */
const char *hs_seccomp_audit_arch_name(uint32_t audit_arch)
{
	size_t i;

	for (i = 0; audit_arch && i < HS_ARRAY_SIZE(oci_arches); i++)
		if (seccomp_arch_resolve_name(oci_arches[i].scmp) == audit_arch)
			return oci_arches[i].oci;
	return NULL;
}

int hs_seccomp_syscall_name(uint32_t audit_arch, long nr, char *buf,
			    size_t size)
{
	_cleanup_free_ char *name = NULL;

	if (!hs_seccomp_audit_arch_name(audit_arch))
		return -EAFNOSUPPORT;
	if (nr < 0 || nr > INT32_MAX)
		return -ENOENT;
	name = seccomp_syscall_resolve_num_arch(audit_arch, (int)nr);
	if (!name)
		return -ENOENT;
	if (hs_snprintf(buf, size, "%s", name) < 0)
		return -ENAMETOOLONG;
	return 0;
}

/* Actions. SCMP_ACT_KILL is libseccomp's KILL_THREAD, as in runc. */
struct action_def {
	const char *name;
	uint32_t action;
	bool takes_errno; /* ERRNO and TRACE carry a 16-bit return value */
};

static const struct action_def actions[] = {
	{"SCMP_ACT_KILL", SCMP_ACT_KILL, false},
	{"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
	{"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
	{"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
	{"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
	{"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
	{"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
	{"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
	{"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false},
};

static const struct action_def *action_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(actions); i++)
		if (strcmp(actions[i].name, name) == 0)
			return &actions[i];
	return NULL;
}

bool hs_seccomp_action_known(const char *name)
{
	return action_lookup(name) != NULL;
}

struct op_def {
	const char *name;
	enum scmp_compare op;
};

static const struct op_def ops[] = {
	{"SCMP_CMP_NE", SCMP_CMP_NE},
	{"SCMP_CMP_LT", SCMP_CMP_LT},
	{"SCMP_CMP_LE", SCMP_CMP_LE},
	{"SCMP_CMP_EQ", SCMP_CMP_EQ},
	{"SCMP_CMP_GE", SCMP_CMP_GE},
	{"SCMP_CMP_GT", SCMP_CMP_GT},
	{"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static const struct op_def *op_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(ops); i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

bool hs_seccomp_op_known(const char *name)
{
	return op_lookup(name) != NULL;
}

bool hs_seccomp_syscall_known(const char *name, const json_t *arches)
{
	const json_t *a;
	size_t i;

	if (!arches || json_array_size(arches) == 0)
		return seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR;
	json_array_foreach (arches, i, a) {
		uint32_t token;

		if (!json_is_string(a))
			continue;
		token = arch_token(json_string_value(a));
		if (token && seccomp_syscall_resolve_name_arch(token, name) !=
				     __NR_SCMP_ERROR)
			return true;
	}
	return false;
}

void hs_seccomp_version(char *buf, size_t size)
{
	const struct scmp_version *v = seccomp_version();

	if (hs_snprintf(buf, size, "%u.%u.%u", v->major, v->minor, v->micro) <
		    0 &&
	    size > 0)
		buf[0] = '\0';
}

/* --- user notification (the monitor) ------------------------------- */

int hs_seccomp_notify_sizes(struct hs_seccomp_notify_bufs *b,
			    struct hs_error *err)
{
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;
	int rc = seccomp_notify_alloc(&req, &resp);

	if (rc < 0)
		return hs_err(err, -rc, "seccomp_notify_alloc: %s",
			      strerror(-rc));
	b->req = req;
	b->resp = resp;
	return 0;
}

void hs_seccomp_notify_bufs_free(struct hs_seccomp_notify_bufs *b)
{
	seccomp_notify_free(b->req, b->resp);
	b->req = NULL;
	b->resp = NULL;
}

int hs_seccomp_notify_receive(int fd, struct hs_seccomp_notify_bufs *b,
			      struct hs_notification *out)
{
	struct seccomp_notif *req = b->req;
	int rc, i;

	/* The kernel insists on a zeroed request buffer. */
	memset(req, 0, sizeof(*req));
	errno = 0;
	rc = seccomp_notify_receive(fd, req);
	if (rc < 0) /* libseccomp says -ECANCELED; the ioctl's errno says why */
		return errno ? -errno : rc;
	out->id = req->id;
	out->pid = (int)req->pid;
	out->arch = req->data.arch;
	out->nr = req->data.nr;
	for (i = 0; i < 6; i++)
		out->args[i] = req->data.args[i];
	return 0;
}

int hs_seccomp_notify_deny(int fd, struct hs_seccomp_notify_bufs *b,
			   uint64_t id, int error)
{
	struct seccomp_notif_resp *resp = b->resp;

	memset(resp, 0, sizeof(*resp));
	resp->id = id;
	resp->error = -error;
	resp->val = 0;
	resp->flags = 0; /* never SECCOMP_USER_NOTIF_FLAG_CONTINUE */
	errno = 0;
	if (seccomp_notify_respond(fd, resp) < 0)
		return errno ? -errno : -ECANCELED;
	return 0;
}

bool hs_seccomp_notify_id_valid(int fd, uint64_t id)
{
	return seccomp_notify_id_valid(fd, id) == 0;
}

/* The libseccomp action for an OCI action name and optional errnoRet
 * (NULL: EPERM, as runc does for ERRNO and TRACE). */
static int action_value(const char *name, const json_t *errno_ret,
			uint32_t *ret)
{
	const struct action_def *a = action_lookup(name);
	json_int_t e = 1; /* EPERM */

	if (!a)
		return -1;
	if (errno_ret) {
		if (!a->takes_errno || !json_is_integer(errno_ret))
			return -1;
		e = json_integer_value(errno_ret);
		if (e < 0 || e > 4095)
			return -1;
	}
	*ret = a->takes_errno ? (a->action | (uint32_t)e) : a->action;
	return 0;
}

static const char *libseccomp_reason(int rc)
{
	switch (rc) {
	case -EEXIST:
		return "it conflicts with an earlier rule";
	case -EINVAL:
		return "invalid rule (action, argument index or comparison)";
	case -EDOM:
		return "a comparison does not fit the architecture's word size";
	case -ENOMEM:
		return "out of memory";
	case -EOPNOTSUPP:
		return "the kernel does not support the action";
	default:
		return strerror(-rc);
	}
}

/* The path of a rule or of a part of it, for a message: "syscalls[i]",
 * "syscalls[i].key" or "syscalls[i].key[j]" (j >= 0). Built only when
 * something is reported: compiling runs on every container start. */
static const char *rule_path(char *buf, size_t size, size_t i, const char *key,
			     long j)
{
	if (!key)
		hs_snprintf(buf, size, "syscalls[%zu]", i);
	else if (j < 0)
		hs_snprintf(buf, size, "syscalls[%zu].%s", i, key);
	else
		hs_snprintf(buf, size, "syscalls[%zu].%s[%ld]", i, key, j);
	return buf;
}

/* What a rule compiles to besides its syscall: the action, and the
 * comparisons sorted by argument index (which a valid rule has at most
 * once), so that two rules with the same comparisons in another order are
 * recognised as the same rule. */
struct rule_key {
	uint32_t action;
	unsigned n_cmps;
	struct scmp_arg_cmp sorted[HS_PROFILE_MAX_ARGS];
	size_t text_len; /* of the comparisons as "arg:op:a:b;" texts */
};

static bool same_cmps(const struct rule_key *a, const struct rule_key *b)
{
	unsigned i;

	if (a->n_cmps != b->n_cmps)
		return false;
	for (i = 0; i < a->n_cmps; i++)
		if (a->sorted[i].arg != b->sorted[i].arg ||
		    a->sorted[i].op != b->sorted[i].op ||
		    a->sorted[i].datum_a != b->sorted[i].datum_a ||
		    a->sorted[i].datum_b != b->sorted[i].datum_b)
			return false;
	return true;
}

/* Fills cmps from a rule's args (rule `index`), checking every field, and
 * key with their sorted form. */
static int build_args(const json_t *args, size_t index,
		      struct scmp_arg_cmp *cmps, unsigned *ret_n,
		      struct rule_key *key, struct hs_error *err)
{
	struct scmp_arg_cmp *sorted = key->sorted;
	bool used[HS_PROFILE_MAX_ARGS] = {false};
	const json_t *arg;
	char p[128];
	size_t i, len = 0;
	int rc = 0;

	*ret_n = 0;
	key->n_cmps = 0;
	key->text_len = 0;
	if (!args || json_is_null(args))
		return 0;
	if (!json_is_array(args) || json_array_size(args) > HS_PROFILE_MAX_ARGS)
		return hs_json_err(err, OCI_LABEL,
				   rule_path(p, sizeof(p), index, "args", -1),
				   "must be an array of at most %d comparisons",
				   HS_PROFILE_MAX_ARGS);
	json_array_foreach (args, i, arg) {
		const json_t *idx = json_object_get(arg, "index");
		const json_t *value = json_object_get(arg, "value");
		const json_t *value2 = json_object_get(arg, "valueTwo");
		const json_t *op = json_object_get(arg, "op");
		const struct op_def *o =
			json_is_string(op) ? op_lookup(json_string_value(op))
					   : NULL;

		if (!json_is_integer(idx) || json_integer_value(idx) < 0 ||
		    json_integer_value(idx) >= HS_PROFILE_MAX_ARGS ||
		    !json_is_integer(value) || json_integer_value(value) < 0 ||
		    (value2 && !json_is_null(value2) &&
		     (!json_is_integer(value2) ||
		      json_integer_value(value2) < 0)) ||
		    !o) {
			rc = hs_json_err(
				err, OCI_LABEL,
				rule_path(p, sizeof(p), index, "args", (long)i),
				"invalid comparison (index 0-5, "
				"non-negative value and valueTwo, "
				"SCMP_CMP_* op)");
			continue;
		}
		if (used[json_integer_value(idx)]) {
			rc = hs_json_err(
				err, OCI_LABEL,
				rule_path(p, sizeof(p), index, "args", (long)i),
				"argument %lld is compared twice",
				(long long)json_integer_value(idx));
			continue;
		}
		used[json_integer_value(idx)] = true;
		/* runc passes value as datum_a and valueTwo as datum_b:
		 * for SCMP_CMP_MASKED_EQ the mask and the expected value. */
		cmps[*ret_n] = (struct scmp_arg_cmp){
			.arg = (unsigned)json_integer_value(idx),
			.op = o->op,
			.datum_a = (scmp_datum_t)json_integer_value(value),
			.datum_b = json_is_integer(value2)
					   ? (scmp_datum_t)json_integer_value(
						     value2)
					   : 0,
		};
		(*ret_n)++;
	}
	if (rc < 0)
		return rc;
	for (i = 0; i < *ret_n; i++)
		sorted[i] = cmps[i];
	for (i = 1; i < *ret_n; i++) {
		struct scmp_arg_cmp t = sorted[i];
		size_t j = i;

		for (; j > 0 && sorted[j - 1].arg > t.arg; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = t;
	}
	/* The length the comparisons take as text bounds the rule's key
	 * (note_rule); it has always fitted, the check is kept. */
	for (i = 0; i < *ret_n; i++) {
		int n = snprintf(NULL, 0, "%u:%d:%llu:%llu;", sorted[i].arg,
				 (int)sorted[i].op,
				 (unsigned long long)sorted[i].datum_a,
				 (unsigned long long)sorted[i].datum_b);

		if (n < 0 || (size_t)n >= ARGS_TEXT_MAX - len)
			return hs_json_err(
				err, OCI_LABEL,
				rule_path(p, sizeof(p), index, "args", -1),
				"comparisons too long");
		len += (size_t)n;
	}
	key->n_cmps = *ret_n;
	key->text_len = len;
	return 0;
}

/* Adds every architecture of the list, then removes the native one if the
 * list does not name it: a profile for x86 only must not also filter
 * x86_64 calls with rules written for another syscall table. An empty or
 * absent list keeps the native architecture only, as runc does. */
static int add_arches(scmp_filter_ctx ctx, const json_t *arches,
		      struct hs_error *err)
{
	bool native_listed = false;
	uint32_t native = seccomp_arch_native();
	const json_t *a;
	size_t i;
	int rc = 0;

	if (!arches || json_is_null(arches))
		return 0;
	if (!json_is_array(arches) ||
	    json_array_size(arches) > HS_PROFILE_MAX_ARCHES)
		return hs_json_err(err, OCI_LABEL, "architectures",
				   "must be an array of at most %d names",
				   HS_PROFILE_MAX_ARCHES);
	if (json_array_size(arches) == 0)
		return 0;
	json_array_foreach (arches, i, a) {
		char p[64];
		uint32_t token = json_is_string(a)
					 ? arch_token(json_string_value(a))
					 : 0;
		int r;

		hs_json_path_index(p, sizeof(p), "architectures", i);
		if (!token) {
			rc = hs_json_err(
				err, OCI_LABEL, p,
				"not an architecture libseccomp knows");
			continue;
		}
		if (token == native) {
			native_listed = true;
			continue;
		}
		r = seccomp_arch_add(ctx, token);
		if (r < 0 && r != -EEXIST)
			rc = hs_json_err(err, OCI_LABEL, p,
					 "libseccomp cannot add \"%s\": %s",
					 json_string_value(a),
					 libseccomp_reason(r));
	}
	if (rc == 0 && !native_listed) {
		int r = seccomp_arch_remove(ctx, native);

		if (r < 0)
			rc = hs_json_err(err, OCI_LABEL, "architectures",
					 "libseccomp cannot remove the native "
					 "architecture: %s",
					 libseccomp_reason(r));
	}
	return rc;
}

/* The rules added so far, to refuse two rules for the same syscall and
 * comparisons with different actions. A hash index by syscall name (open
 * addressing, at most half full, sized for every name of the profile)
 * leads to the list of the (rule, name) pairs naming it. */
struct seen_slot {
	const char *name; /* NULL: empty */
	uint32_t hash;
	size_t first, last; /* in `named` */
};

struct seen_named {
	size_t rule, at; /* syscalls[rule].names[at] */
	size_t next; /* SEEN_NONE at the end */
};

#define SEEN_NONE SIZE_MAX

struct seen {
	struct rule_key *rules; /* by index in syscalls[] */
	struct seen_slot *slot;
	struct seen_named *named;
	size_t mask, n_named, max_named;
};

static void seen_free(struct seen *s)
{
	free(s->rules);
	free(s->slot);
	free(s->named);
}
#define _cleanup_seen_ __attribute__((cleanup(seen_free)))

static int seen_init(struct seen *s, const json_t *syscalls)
{
	const json_t *rule;
	size_t i, n = 16;

	json_array_foreach (syscalls, i, rule)
		s->max_named += json_array_size(json_object_get(rule, "names"));
	while (n / 2 < s->max_named && n < SIZE_MAX / 4 / sizeof(*s->slot))
		n *= 2;
	if (n / 2 < s->max_named)
		return -1;
	s->mask = n - 1;
	s->rules = calloc(json_array_size(syscalls) + 1, sizeof(*s->rules));
	s->slot = calloc(n, sizeof(*s->slot));
	s->named = calloc(s->max_named + 1, sizeof(*s->named));
	return s->rules && s->slot && s->named ? 0 : -1;
}

/* The slot of `name`, added if absent. There is room: the table holds
 * twice as many slots as the profile has names. */
static struct seen_slot *seen_slot(struct seen *s, const char *name)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	const char *c;
	size_t i;

	for (c = name; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	for (i = h & s->mask;; i = (i + 1) & s->mask) {
		struct seen_slot *slot = &s->slot[i];

		if (!slot->name) {
			*slot = (struct seen_slot){name, h, SEEN_NONE,
						   SEEN_NONE};
			return slot;
		}
		if (slot->hash == h && strcmp(slot->name, name) == 0)
			return slot;
	}
}

/* Remembers syscalls[rule].names[at] with its rule's comparisons and
 * action. Returns 1 when the same rule was already added with the same
 * action (nothing to add), 0 for a new rule, -1 for a conflict. */
static int note_rule(struct seen *s, const char *name, size_t rule, size_t at,
		     struct hs_error *err)
{
	const struct rule_key *key = &s->rules[rule];
	struct seen_slot *slot;
	char path[160], prev[160];
	size_t e;

	/* name + "/" + comparisons: the key this was once kept under. */
	if (strlen(name) + 1 + key->text_len >= RULE_KEY_MAX)
		return hs_json_err(
			err, OCI_LABEL,
			rule_path(path, sizeof(path), rule, "names", (long)at),
			"rule key too long");
	if (s->n_named >= s->max_named)
		return hs_err(err, ENOMEM, "seccomp: out of memory");
	slot = seen_slot(s, name);
	for (e = slot->first; e != SEEN_NONE; e = s->named[e].next) {
		const struct seen_named *pn = &s->named[e];
		const struct rule_key *other = &s->rules[pn->rule];

		if (!same_cmps(other, key))
			continue;
		if (other->action == key->action)
			return 1;
		return hs_json_err(
			err, OCI_LABEL,
			rule_path(path, sizeof(path), rule, "names", (long)at),
			"\"%s\": conflicts with %s: same syscall "
			"and arguments, different action",
			name,
			rule_path(prev, sizeof(prev), pn->rule, "names",
				  (long)pn->at));
	}
	s->named[s->n_named] = (struct seen_named){rule, at, SEEN_NONE};
	if (slot->last == SEEN_NONE)
		slot->first = s->n_named;
	else
		s->named[slot->last].next = s->n_named;
	slot->last = s->n_named++;
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t def_action, struct seen *seen,
		    const json_t *rule, size_t index, struct hs_error *err)
{
	struct scmp_arg_cmp cmps[HS_PROFILE_MAX_ARGS];
	struct rule_key *key = &seen->rules[index];
	const json_t *names = json_object_get(rule, "names");
	const json_t *action = json_object_get(rule, "action");
	const json_t *errno_ret = json_object_get(rule, "errnoRet");
	const json_t *name;
	char p[160];
	unsigned n_cmps = 0;
	uint32_t act;
	size_t i;
	int rc = 0;

	if (!json_is_object(rule))
		return hs_json_err(err, OCI_LABEL,
				   rule_path(p, sizeof(p), index, NULL, -1),
				   "must be an object");
	if (json_is_null(errno_ret))
		errno_ret = NULL;
	if (!json_is_string(action) ||
	    action_value(json_string_value(action), errno_ret, &act) < 0)
		return hs_json_err(err, OCI_LABEL,
				   rule_path(p, sizeof(p), index, "action", -1),
				   "invalid action or errnoRet");
	if (build_args(json_object_get(rule, "args"), index, cmps, &n_cmps, key,
		       err) < 0)
		return -1;
	key->action = act;
	if (!json_is_array(names) ||
	    json_array_size(names) > HS_PROFILE_MAX_NAMES)
		return hs_json_err(err, OCI_LABEL,
				   rule_path(p, sizeof(p), index, "names", -1),
				   "must be an array of at most %d names",
				   HS_PROFILE_MAX_NAMES);
	json_array_foreach (names, i, name) {
		const char *s;
		int nr, r;

		if (!json_is_string(name)) {
			rc = hs_json_err(err, OCI_LABEL,
					 rule_path(p, sizeof(p), index, "names",
						   (long)i),
					 "must be a string");
			continue;
		}
		s = json_string_value(name);
		r = note_rule(seen, s, index, i, err);
		if (r < 0) {
			rc = -1;
			continue;
		}
		/* runc skips rules whose action is the default one;
		 * libseccomp would refuse them with EACCES. */
		if (r == 1 || act == def_action)
			continue;
		nr = seccomp_syscall_resolve_name(s);
		if (nr == __NR_SCMP_ERROR) {
			hs_json_warn(err, OCI_LABEL,
				     rule_path(p, sizeof(p), index, "names",
					       (long)i),
				     "unknown syscall \"%s\" skipped", s);
			continue;
		}
		r = seccomp_rule_add_array(ctx, act, nr, n_cmps, cmps);
		if (r < 0)
			rc = hs_json_err(err, OCI_LABEL,
					 rule_path(p, sizeof(p), index, "names",
						   (long)i),
					 "libseccomp refused the rule for "
					 "\"%s\": %s",
					 s, libseccomp_reason(r));
	}
	return rc;
}

/* Copies the exported program from the memfd to out_fd, so that the bytes
 * the caller gets are the bytes that were counted. */
static int copy_out(int from, int to, size_t len, struct hs_error *err)
{
	char buf[8192];

	if (lseek(from, 0, SEEK_SET) < 0)
		return hs_err(err, errno, "seccomp: lseek: %s",
			      strerror(errno));
	while (len > 0) {
		ssize_t n =
			read(from, buf, len < sizeof(buf) ? len : sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hs_err(err, n < 0 ? errno : EIO,
				      "seccomp: reading the exported filter "
				      "failed");
		if (hs_file_write_all(to, buf, (size_t)n) < 0)
			return hs_err(err, errno, "seccomp: write: %s",
				      strerror(errno));
		len -= (size_t)n;
	}
	return 0;
}

int hs_seccomp_compile(const json_t *oci_seccomp, int out_fd,
		       size_t *ret_bpf_insns, struct hs_error *err)
{
	_cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
	_cleanup_seen_ struct seen seen = {0};
	_cleanup_close_ int mfd = -1;
	const json_t *def, *def_errno, *syscalls, *rule;
	unsigned errors_before = err->count;
	uint32_t def_action;
	struct stat st;
	size_t i;
	int r;

	if (!json_is_object(oci_seccomp))
		return hs_json_err(err, OCI_LABEL, "", "must be an object");
	def = json_object_get(oci_seccomp, "defaultAction");
	def_errno = json_object_get(oci_seccomp, "defaultErrnoRet");
	if (json_is_null(def_errno))
		def_errno = NULL;
	/* runc refuses NOTIFY as the default: the supervisor would have to
	 * answer every syscall, including its own socket's. */
	if (!json_is_string(def) ||
	    strcmp(json_string_value(def), "SCMP_ACT_NOTIFY") == 0 ||
	    action_value(json_string_value(def), def_errno, &def_action) < 0)
		return hs_json_err(err, OCI_LABEL, "defaultAction",
				   "invalid default action or defaultErrnoRet");
	ctx = seccomp_init(def_action);
	if (!ctx)
		return hs_json_err(err, OCI_LABEL, "defaultAction",
				   "libseccomp refused the default action");
	if (add_arches(ctx, json_object_get(oci_seccomp, "architectures"),
		       err) < 0)
		return -1;
	syscalls = json_object_get(oci_seccomp, "syscalls");
	if (syscalls && !json_is_null(syscalls) && !json_is_array(syscalls))
		return hs_json_err(err, OCI_LABEL, "syscalls",
				   "must be an array");
	if (seen_init(&seen, syscalls) < 0)
		return hs_err(err, ENOMEM, "seccomp: out of memory");
	json_array_foreach (syscalls, i, rule)
		add_rule(ctx, def_action, &seen, rule, i, err);
	if (err->count != errors_before)
		return -1;

	mfd = memfd_create("hardshim-bpf", MFD_CLOEXEC);
	if (mfd < 0)
		return hs_err(err, errno, "seccomp: memfd_create: %s",
			      strerror(errno));
	r = seccomp_export_bpf(ctx, mfd);
	if (r < 0)
		return hs_err(err, -r,
			      "seccomp: exporting the filter failed: %s",
			      libseccomp_reason(r));
	if (fstat(mfd, &st) < 0)
		return hs_err(err, errno, "seccomp: fstat: %s",
			      strerror(errno));
	/* A BPF instruction (struct sock_filter) is 8 bytes. */
	if (st.st_size <= 0 || st.st_size % 8 != 0)
		return hs_err(err, EIO,
			      "seccomp: exported filter has %jd bytes, not a "
			      "whole number of instructions",
			      (intmax_t)st.st_size);
	if (out_fd >= 0 && copy_out(mfd, out_fd, (size_t)st.st_size, err) < 0)
		return -1;
	*ret_bpf_insns = (size_t)st.st_size / 8;
	return 0;
}
