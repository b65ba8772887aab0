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

/* The architectures of the OCI runtime spec (config-linux.md). libseccomp
 * names each one by the lower-case suffix, so the table needs no second
 * column; whether the linked version knows it is asked at run time. */
static const char *const oci_arches[] = {
	"SCMP_ARCH_X86",	 "SCMP_ARCH_X86_64",	"SCMP_ARCH_X32",
	"SCMP_ARCH_ARM",	 "SCMP_ARCH_AARCH64",	"SCMP_ARCH_MIPS",
	"SCMP_ARCH_MIPS64",	 "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
	"SCMP_ARCH_MIPSEL64",	 "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64",	 "SCMP_ARCH_PPC64LE",	"SCMP_ARCH_S390",
	"SCMP_ARCH_S390X",	 "SCMP_ARCH_PARISC",	"SCMP_ARCH_PARISC64",
	"SCMP_ARCH_RISCV64",	 "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
	"SCMP_ARCH_SH",		 "SCMP_ARCH_SHEB",
};

#define ARCH_PREFIX "SCMP_ARCH_"

/* The libseccomp token of an OCI architecture name: 0 if the linked
 * libseccomp does not know it; *in_spec says whether the spec does. */
static uint32_t resolve_arch(const char *oci_name, bool *in_spec)
{
	char lower[32];
	const char *suffix;
	size_t i, n;

	*in_spec = false;
	for (i = 0; i < HS_ARRAY_SIZE(oci_arches); i++)
		if (strcmp(oci_arches[i], oci_name) == 0)
			*in_spec = true;
	if (!*in_spec)
		return 0;
	suffix = oci_name + strlen(ARCH_PREFIX);
	n = strlen(suffix);
	if (n >= sizeof(lower))
		return 0;
	for (i = 0; i < n; i++)
		lower[i] = (char)(suffix[i] >= 'A' && suffix[i] <= 'Z' ?
					  suffix[i] - 'A' + 'a' :
					  suffix[i]);
	lower[n] = '\0';
	return seccomp_arch_resolve_name(lower);
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

/* Actions. SCMP_ACT_KILL is libseccomp's KILL_THREAD, as in runc. */
struct action_def {
	const char *name;
	uint32_t action;
	bool takes_errno; /* ERRNO and TRACE carry a 16-bit return value */
};

static const struct action_def actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL, false },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
	{ "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false },
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
	{ "SCMP_CMP_NE", SCMP_CMP_NE },	{ "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },	{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },	{ "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
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
	json_array_foreach(arches, i, a) {
		uint32_t token;

		if (!json_is_string(a))
			continue;
		token = arch_token(json_string_value(a));
		if (token &&
		    seccomp_syscall_resolve_name_arch(token, name) !=
			    __NR_SCMP_ERROR)
			return true;
	}
	return false;
}

void hs_seccomp_version(char *buf, size_t size)
{
	const struct scmp_version *v = seccomp_version();

	if (hs_snprintf(buf, size, "%u.%u.%u", v->major, v->minor,
			v->micro) < 0 &&
	    size > 0)
		buf[0] = '\0';
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

/* Fills cmps from a rule's args, checking every field. Also writes a
 * canonical text of the comparisons (sorted by argument index, which a
 * valid rule has at most once) into key, so that two rules with the same
 * comparisons in another order are recognised as the same rule. */
static int build_args(const json_t *args, const char *path,
		      struct scmp_arg_cmp *cmps, unsigned *ret_n, char *key,
		      size_t key_size, struct hs_error *err)
{
	struct scmp_arg_cmp sorted[HS_PROFILE_MAX_ARGS];
	bool used[HS_PROFILE_MAX_ARGS] = { false };
	const json_t *arg;
	size_t i, len = 0;
	int rc = 0;

	*ret_n = 0;
	key[0] = '\0';
	if (!args || json_is_null(args))
		return 0;
	if (!json_is_array(args) || json_array_size(args) > HS_PROFILE_MAX_ARGS)
		return hs_json_err(err, OCI_LABEL, path,
				   "must be an array of at most %d comparisons",
				   HS_PROFILE_MAX_ARGS);
	json_array_foreach(args, i, arg) {
		const json_t *index = json_object_get(arg, "index");
		const json_t *value = json_object_get(arg, "value");
		const json_t *value2 = json_object_get(arg, "valueTwo");
		const json_t *op = json_object_get(arg, "op");
		const struct op_def *o =
			json_is_string(op) ? op_lookup(json_string_value(op)) :
					     NULL;
		char p[128];

		hs_json_path_index(p, sizeof(p), path, i);
		if (!json_is_integer(index) || json_integer_value(index) < 0 ||
		    json_integer_value(index) >= HS_PROFILE_MAX_ARGS ||
		    !json_is_integer(value) || json_integer_value(value) < 0 ||
		    (value2 && !json_is_null(value2) &&
		     (!json_is_integer(value2) ||
		      json_integer_value(value2) < 0)) ||
		    !o) {
			rc = hs_json_err(err, OCI_LABEL, p,
					 "invalid comparison (index 0-5, "
					 "non-negative value and valueTwo, "
					 "SCMP_CMP_* op)");
			continue;
		}
		if (used[json_integer_value(index)]) {
			rc = hs_json_err(err, OCI_LABEL, p,
					 "argument %lld is compared twice",
					 (long long)json_integer_value(index));
			continue;
		}
		used[json_integer_value(index)] = true;
		/* runc passes value as datum_a and valueTwo as datum_b:
		 * for SCMP_CMP_MASKED_EQ the mask and the expected value. */
		cmps[*ret_n] = (struct scmp_arg_cmp){
			.arg = (unsigned)json_integer_value(index),
			.op = o->op,
			.datum_a = (scmp_datum_t)json_integer_value(value),
			.datum_b = json_is_integer(value2) ?
					   (scmp_datum_t)json_integer_value(
						   value2) :
					   0,
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
	for (i = 0; i < *ret_n; i++) {
		int n = snprintf(key + len, key_size - len,
				 "%u:%d:%llu:%llu;", sorted[i].arg,
				 (int)sorted[i].op,
				 (unsigned long long)sorted[i].datum_a,
				 (unsigned long long)sorted[i].datum_b);

		if (n < 0 || (size_t)n >= key_size - len)
			return hs_json_err(err, OCI_LABEL, path,
					   "comparisons too long");
		len += (size_t)n;
	}
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
	json_array_foreach(arches, i, a) {
		char p[64];
		uint32_t token = json_is_string(a) ?
					 arch_token(json_string_value(a)) :
					 0;
		int r;

		hs_json_path_index(p, sizeof(p), "architectures", i);
		if (!token) {
			rc = hs_json_err(err, OCI_LABEL, p,
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

/* Remembers (name, comparisons) -> action in `seen`. Returns 1 when the
 * same rule was already added with the same action (nothing to add), 0 for
 * a new rule, -1 for a conflict. */
static int note_rule(json_t *seen, const char *name, const char *args_key,
		     uint32_t action, const char *path, struct hs_error *err)
{
	char key[HS_SYSCALL_NAME_MAX + 1024];
	const json_t *prev;

	if (hs_snprintf(key, sizeof(key), "%s/%s", name, args_key) < 0)
		return hs_json_err(err, OCI_LABEL, path, "rule key too long");
	prev = json_object_get(seen, key);
	if (prev) {
		if ((uint32_t)json_integer_value(json_array_get(prev, 0)) ==
		    action)
			return 1;
		return hs_json_err(err, OCI_LABEL, path,
				   "\"%s\": conflicts with %s: same syscall "
				   "and arguments, different action",
				   name,
				   json_string_value(json_array_get(prev, 1)));
	}
	json_object_set_new(seen, key,
			    json_pack("[Is]", (json_int_t)action, path));
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t def_action, json_t *seen,
		    const json_t *rule, size_t index, struct hs_error *err)
{
	struct scmp_arg_cmp cmps[HS_PROFILE_MAX_ARGS];
	const json_t *names = json_object_get(rule, "names");
	const json_t *action = json_object_get(rule, "action");
	const json_t *errno_ret = json_object_get(rule, "errnoRet");
	const json_t *name;
	char path[64], p[128], args_key[512];
	unsigned n_cmps = 0;
	uint32_t act;
	size_t i;
	int rc = 0;

	hs_json_path_index(path, sizeof(path), "syscalls", index);
	if (!json_is_object(rule))
		return hs_json_err(err, OCI_LABEL, path, "must be an object");
	if (json_is_null(errno_ret))
		errno_ret = NULL;
	hs_json_path_key(p, sizeof(p), path, "action");
	if (!json_is_string(action) ||
	    action_value(json_string_value(action), errno_ret, &act) < 0)
		return hs_json_err(err, OCI_LABEL, p,
				   "invalid action or errnoRet");
	hs_json_path_key(p, sizeof(p), path, "args");
	if (build_args(json_object_get(rule, "args"), p, cmps, &n_cmps,
		       args_key, sizeof(args_key), err) < 0)
		return -1;
	hs_json_path_key(p, sizeof(p), path, "names");
	if (!json_is_array(names) ||
	    json_array_size(names) > HS_PROFILE_MAX_NAMES)
		return hs_json_err(err, OCI_LABEL, p,
				   "must be an array of at most %d names",
				   HS_PROFILE_MAX_NAMES);
	json_array_foreach(names, i, name) {
		char pn[160];
		const char *s;
		int nr, r;

		hs_json_path_index(pn, sizeof(pn), p, i);
		if (!json_is_string(name)) {
			rc = hs_json_err(err, OCI_LABEL, pn, "must be a string");
			continue;
		}
		s = json_string_value(name);
		r = note_rule(seen, s, args_key, act, pn, err);
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
			hs_json_warn(err, OCI_LABEL, pn,
				     "unknown syscall \"%s\" skipped", s);
			continue;
		}
		r = seccomp_rule_add_array(ctx, act, nr, n_cmps, cmps);
		if (r < 0)
			rc = hs_json_err(err, OCI_LABEL, pn,
					 "libseccomp refused the rule for "
					 "\"%s\": %s",
					 s, libseccomp_reason(r));
	}
	return rc;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copies the exported program from the memfd to out_fd, so that the bytes
 * the caller gets are the bytes that were counted. */
static int copy_out(int from, int to, size_t len, struct hs_error *err)
{
	char buf[8192];

	if (lseek(from, 0, SEEK_SET) < 0)
		return hs_err(err, errno, "seccomp: lseek: %s", strerror(errno));
	while (len > 0) {
		ssize_t n = read(from, buf, len < sizeof(buf) ? len : sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hs_err(err, n < 0 ? errno : EIO,
				      "seccomp: reading the exported filter "
				      "failed");
		if (write_all(to, buf, (size_t)n) < 0)
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
	_cleanup_json_ json_t *seen = json_object();
	_cleanup_close_ int mfd = -1;
	const json_t *def, *def_errno, *syscalls, *rule;
	unsigned errors_before = err->count;
	uint32_t def_action;
	struct stat st;
	size_t i;
	int r;

	if (!seen)
		return hs_err(err, ENOMEM, "seccomp: out of memory");
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
	json_array_foreach(syscalls, i, rule)
		add_rule(ctx, def_action, seen, rule, i, err);
	if (err->count != errors_before)
		return -1;

	mfd = memfd_create("hardshim-bpf", MFD_CLOEXEC);
	if (mfd < 0)
		return hs_err(err, errno, "seccomp: memfd_create: %s",
			      strerror(errno));
	r = seccomp_export_bpf(ctx, mfd);
	if (r < 0)
		return hs_err(err, -r, "seccomp: exporting the filter failed: %s",
			      libseccomp_reason(r));
	if (fstat(mfd, &st) < 0)
		return hs_err(err, errno, "seccomp: fstat: %s", strerror(errno));
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
