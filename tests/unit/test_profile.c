/* Seccomp profiles: validation (mostly invalid fixtures, each asserting the
 * JSON path of its error), extends, Docker's resolution, and Docker's own
 * default profile resolved exactly as moby would (compared with
 * tests/moby_resolve.py, an independent implementation). Run from the
 * repository root. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_profile.h"
#include "hs_seccomp.h"
#include "hs_test.h"

#define DATA "tests/data/profiles/"
#define MOBY_REF "../shared/reference/moby-default-seccomp.json"

/* Docker's default bounding set (moby oci/caps/defaults.go). */
static const char *const docker_caps[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_FSETID",
	"CAP_FOWNER",
	"CAP_MKNOD",
	"CAP_NET_RAW",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETFCAP",
	"CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT",
	"CAP_KILL",
	"CAP_AUDIT_WRITE",
	NULL,
};

/* An error object whose every line is captured, as `hardshim check`
 * prints them. */
struct capture {
	struct hs_error err;
	char *text;
	size_t len;
};

static void capture_start(struct capture *c)
{
	memset(c, 0, sizeof(*c));
	c->err.sink = open_memstream(&c->text, &c->len);
}

/* Flushes the stream so c->text holds everything so far. */
static const char *captured(struct capture *c)
{
	fflush(c->err.sink);
	return c->text ? c->text : "";
}

static void capture_end(struct capture *c)
{
	if (c->err.sink)
		fclose(c->err.sink);
	free(c->text);
	memset(c, 0, sizeof(*c));
}

static void capture_cleanup(struct capture *c)
{
	capture_end(c);
}
#define _cleanup_capture_ __attribute__((cleanup(capture_cleanup)))

static struct hs_resolve_ctx amd64_ctx(const char *const *caps)
{
	return (struct hs_resolve_ctx){
		.caps = caps,
		.goarch = "amd64",
		.native_arch = "SCMP_ARCH_X86_64",
		.kernel_major = 6,
		.kernel_minor = 1,
	};
}

/* The names of the resolved rules with a given action, "a,b,c" in order,
 * for compact assertions. */
static void names_of(const json_t *oci, char *buf, size_t size)
{
	const json_t *rule, *n;
	size_t i, j, len = 0;

	buf[0] = '\0';
	json_array_foreach (json_object_get(oci, "syscalls"), i, rule)
		json_array_foreach (json_object_get(rule, "names"), j, n) {
			int k = snprintf(buf + len, size - len, "%s%s",
					 len ? "," : "", json_string_value(n));

			if (k < 0 || (size_t)k >= size - len)
				return;
			len += (size_t)k;
		}
}

/* The first resolved rule naming `name`, or NULL. */
static const json_t *rule_for(const json_t *oci, const char *name)
{
	const json_t *rule, *n;
	size_t i, j;

	json_array_foreach (json_object_get(oci, "syscalls"), i, rule)
		json_array_foreach (json_object_get(rule, "names"), j, n)
			if (strcmp(json_string_value(n), name) == 0)
				return rule;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Invalid fixtures: each error line must start with the file and path. */

struct bad_case {
	const char *file;
	const char *expect; /* "path: message start", after "file: " */
};

static const struct bad_case bad_cases[] = {
	{"not_object.json", "a seccomp profile must be a JSON object"},
	{"unknown_top_key.json", "defaultActon: unknown key"},
	{"missing_default.json", "defaultAction: required, missing"},
	{"bad_default_action.json",
	 "defaultAction: unknown action \"SCMP_ACT_DENY\""},
	{"notify_default.json",
	 "defaultAction: SCMP_ACT_NOTIFY cannot be the default action"},
	{"default_errno_allow.json",
	 "defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE"},
	{"default_errno_range.json",
	 "defaultErrnoRet: 4096 is out of range [0, 4095]"},
	{"bad_action.json",
	 "syscalls[1].action: unknown action \"SCMP_ACT_ALOW\""},
	{"errno_with_allow.json",
	 "syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE"},
	{"errno_negative.json", "syscalls[0].errnoRet: -1 is out of range"},
	{"bad_op.json",
	 "syscalls[0].args[0].op: unknown operator \"SCMP_CMP_EQUAL\""},
	{"arg_index.json",
	 "syscalls[0].args[0].index: 6 is out of range [0, 5]"},
	{"arg_value_negative.json",
	 "syscalls[0].args[0].value: -1 is out of range"},
	{"arg_value_float.json",
	 "syscalls[0].args[0].value: must be an integer"},
	{"arg_index_twice.json",
	 "syscalls[0].args[1].index: argument 0 is already compared"},
	{"masked_never.json",
	 "syscalls[0].args[0].valueTwo: 256 has bits outside the mask 255"},
	{"valuetwo_not_masked.json",
	 "syscalls[0].args[0].valueTwo: only SCMP_CMP_MASKED_EQ uses valueTwo"},
	{"bad_arch.json",
	 "architectures[1]: unknown architecture \"SCMP_ARCH_X86_46\""},
	{"dup_arch.json",
	 "architectures[2]: \"SCMP_ARCH_X86_64\" is listed twice"},
	{"arch_and_archmap.json",
	 "archMap: both architectures and archMap are set"},
	{"archmap_bad_sub.json", "archMap[0].subArchitectures[1]: unknown "
				 "architecture \"SCMP_ARCH_I386\""},
	{"archmap_dup.json",
	 "archMap[1].architecture: \"SCMP_ARCH_X86_64\" already has an entry"},
	{"archmap_unknown_key.json", "archMap[0].subArchitecture: unknown key"},
	{"bad_flag.json",
	 "flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\""},
	{"names_and_name.json",
	 "syscalls[0]: both \"name\" and \"names\" are set"},
	{"no_names.json", "syscalls[0]: \"names\" is required"},
	{"empty_names.json", "syscalls[0].names: must not be empty"},
	{"bad_syscall_name.json",
	 "syscalls[0].names[1]: invalid syscall name \"Write;\""},
	{"dup_name.json",
	 "syscalls[0].names[2]: \"read\" is listed twice in this rule"},
	{"bad_cap.json",
	 "syscalls[0].includes.caps[0]: invalid capability name \"SYS_ADMIN\""},
	{"bad_min_kernel.json",
	 "syscalls[0].includes.minKernel: invalid kernel version \"4.8.1\""},
	{"zero_kernel.json",
	 "syscalls[0].excludes.minKernel: invalid kernel version \"0.0\""},
	{"bad_include_arch.json",
	 "syscalls[0].excludes.arches[0]: unknown architecture \"x86_64\""},
	{"unknown_rule_key.json", "syscalls[1].actoin: unknown key"},
	{"unknown_filter_key.json",
	 "syscalls[0].includes.minkernel: unknown key"},
	{"conflict.json", "syscalls[2].names[0]: \"ptrace\" conflicts with "
			  "syscalls[0].names[1]"},
	{"conflict_errno.json",
	 "syscalls[1].names[0]: \"socket\" conflicts with "
	 "syscalls[0].names[0]: "
	 "same arguments and conditions, different action "
	 "(SCMP_ACT_ERRNO(1) there, SCMP_ACT_ERRNO(13) here)"},
	{"conflict_legacy.json",
	 "syscalls[1].names[1]: \"mount\" conflicts with syscalls[0].name"},
	{"extends_absolute.json",
	 "extends: \"/etc/hardshim/seccomp/base.json\" must be a path "
	 "relative"},
	{"extends_dotdot.json", "extends: \"../valid/minimal.json\" must not "
				"contain a \"..\" component"},
	{"listener_relative.json", "listenerPath: must be an absolute path"},
	{"rule_not_object.json", "syscalls[1]: must be an object"},
	{"wrong_types.json", "syscalls: must be an array"},
};

static void test_invalid_fixtures(void)
{
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(bad_cases); i++) {
		_cleanup_capture_ struct capture c;
		_cleanup_json_ json_t *p = NULL;
		char path[256], want[1024];

		capture_start(&c);
		snprintf(path, sizeof(path), DATA "invalid/%s",
			 bad_cases[i].file);
		snprintf(want, sizeof(want), "%s: %.700s", path,
			 bad_cases[i].expect);
		p = hs_profile_load(path, &c.err);
		if (p || c.err.count == 0)
			printf("  (%s loaded)\n", path);
		CHECK(p == NULL);
		CHECK(c.err.count >= 1);
		CHECK_CONTAINS(captured(&c), want);
	}
}

/* A syntax error comes as file:line:col from jansson. */
static void test_syntax_error(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL;

	capture_start(&c);
	p = hs_profile_load(DATA "invalid/syntax.json", &c.err);
	CHECK(p == NULL);
	CHECK_CONTAINS(c.err.msg, DATA "invalid/syntax.json:4:");
}

/* Every error of a file is reported, not only the first. */
static void test_every_error_reported(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL;
	const char *f = DATA "invalid/multi_error.json";

	capture_start(&c);
	p = hs_profile_load(f, &c.err);
	CHECK(p == NULL);
	CHECK(c.err.count == 3);
	CHECK_CONTAINS(
		captured(&c),
		DATA "invalid/multi_error.json: defaultAction: unknown action");
	CHECK_CONTAINS(captured(&c), DATA "invalid/multi_error.json: flags[1]: "
					  "unknown seccomp flag \"TSYNC\"");
	CHECK_CONTAINS(captured(&c),
		       DATA "invalid/multi_error.json: syscalls[0].args[0].op: "
			    "unknown operator \"EQ\"");
	/* The first error is kept in msg for callers without a sink. */
	CHECK_CONTAINS(c.err.msg, "defaultAction: unknown action");
}

/* Depends on the linked libseccomp: 2.6 knows loongarch64. */
static void test_unsupported_arch(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL;

	capture_start(&c);
	p = hs_profile_load(DATA "invalid/unsupported_arch.json", &c.err);
	CHECK(p == NULL);
	CHECK_CONTAINS(captured(&c),
		       DATA "invalid/unsupported_arch.json: architectures[0]: "
			    "architecture \"SCMP_ARCH_LOONGARCH64\" is not "
			    "supported by libseccomp");
}

/* ------------------------------------------------------------------ */
/* Valid fixtures */

static const char *const good_files[] = {
	"minimal.json",
	"legacy_name.json",
	"args.json",
	"archmap.json",
	"conditions.json",
	"notify.json",
	"allow_default.json",
	"unknown_warn.json",
	"same_name_conditions.json",
	"resolve_conflict.json",
};

static void test_valid_fixtures(void)
{
	struct hs_resolve_ctx ctx = amd64_ctx(docker_caps);
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(good_files); i++) {
		_cleanup_capture_ struct capture c;
		_cleanup_json_ json_t *p = NULL, *oci = NULL;
		char path[PATH_MAX];

		capture_start(&c);
		snprintf(path, sizeof(path), DATA "valid/%s", good_files[i]);
		p = hs_profile_load(path, &c.err);
		if (!p)
			printf("  %s", captured(&c));
		CHECK(p != NULL);
		CHECK(c.err.count == 0);
		/* resolve_conflict.json is valid, and resolves without
		 * error for Docker's set, which lacks CAP_SYS_PTRACE. */
		oci = hs_profile_resolve(p, &ctx, path, &c.err);
		if (!oci)
			printf("  %s", captured(&c));
		CHECK(oci != NULL);
		CHECK(json_object_get(oci, "defaultAction") != NULL);
		CHECK(json_array_size(json_object_get(oci, "architectures")) >
		      0);
	}
}

static void test_legacy_name(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL, *oci = NULL;
	struct hs_resolve_ctx ctx = amd64_ctx(NULL);
	char names[256];

	capture_start(&c);
	p = hs_profile_load(DATA "valid/legacy_name.json", &c.err);
	CHECK(p != NULL);
	/* The merged form has names only. */
	CHECK(json_object_get(json_array_get(json_object_get(p, "syscalls"), 0),
			      "name") == NULL);
	oci = hs_profile_resolve(p, &ctx, "legacy", &c.err);
	CHECK(oci != NULL);
	names_of(oci, names, sizeof(names));
	CHECK_STR(names, "read,write,exit,exit_group");
	CHECK(json_object_get(
		      json_array_get(json_object_get(oci, "syscalls"), 0),
		      "_origin") == NULL);
	CHECK(json_object_get(
		      json_array_get(json_object_get(oci, "syscalls"), 0),
		      "comment") == NULL);
}

static void test_resolve_output_shape(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL, *oci = NULL;
	struct hs_resolve_ctx ctx = amd64_ctx(NULL);
	_cleanup_free_ char *text = NULL;
	const json_t *r;

	capture_start(&c);
	p = hs_profile_load(DATA "valid/notify.json", &c.err);
	CHECK(p != NULL);
	oci = hs_profile_resolve(p, &ctx, "notify", &c.err);
	CHECK(oci != NULL);
	CHECK_STR(json_string_value(json_object_get(oci, "listenerPath")),
		  "/run/hardshim/agent.sock");
	CHECK_STR(json_string_value(json_object_get(oci, "listenerMetadata")),
		  "tenant=a");
	CHECK(json_array_size(json_object_get(oci, "flags")) == 2);
	CHECK(json_object_get(oci, "defaultErrnoRet") == NULL);
	/* No archMap or architectures: the native architecture, explicit. */
	CHECK(json_array_size(json_object_get(oci, "architectures")) == 1);
	CHECK_STR(json_string_value(json_array_get(
			  json_object_get(oci, "architectures"), 0)),
		  "SCMP_ARCH_X86_64");
	r = rule_for(oci, "mount");
	CHECK(r != NULL);
	CHECK_STR(json_string_value(json_object_get(r, "action")),
		  "SCMP_ACT_NOTIFY");
	json_decref(p);
	json_decref(oci);
	oci = NULL;

	p = hs_profile_load(DATA "valid/args.json", &c.err);
	CHECK(p != NULL);
	oci = hs_profile_resolve(p, &ctx, "args", &c.err);
	CHECK(oci != NULL);
	r = rule_for(oci, "getpriority");
	text = hs_json_dump(r);
	CHECK_STR(text,
		  "{\"names\":[\"getpriority\"],\"action\":\"SCMP_ACT_ERRNO\","
		  "\"errnoRet\":13,\"args\":[{\"index\":1,\"value\":65280,"
		  "\"op\":\"SCMP_CMP_MASKED_EQ\",\"valueTwo\":4608}]}");
	free(text);
	/* valueTwo 0 is left out, as Go's omitempty does. */
	text = hs_json_dump(json_object_get(rule_for(oci, "clone"), "args"));
	CHECK_STR(text, "[{\"index\":0,\"value\":2114060288,"
			"\"op\":\"SCMP_CMP_MASKED_EQ\"}]");
	CHECK(json_array_size(json_object_get(oci, "architectures")) == 3);
}

static void test_archmap_selection(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL, *oci = NULL;
	_cleanup_free_ char *text = NULL;
	struct hs_resolve_ctx ctx = amd64_ctx(NULL);

	capture_start(&c);
	p = hs_profile_load(DATA "valid/archmap.json", &c.err);
	CHECK(p != NULL);
	oci = hs_profile_resolve(p, &ctx, "archmap", &c.err);
	CHECK(oci != NULL);
	text = hs_json_dump(json_object_get(oci, "architectures"));
	CHECK_STR(text,
		  "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]");
	free(text);
	json_decref(oci);

	ctx.goarch = "arm64";
	ctx.native_arch = "SCMP_ARCH_AARCH64";
	oci = hs_profile_resolve(p, &ctx, "archmap", &c.err);
	CHECK(oci != NULL);
	text = hs_json_dump(json_object_get(oci, "architectures"));
	CHECK_STR(text, "[\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_ARM\"]");
	free(text);
	json_decref(oci);

	/* subArchitectures null. */
	ctx.goarch = "riscv64";
	ctx.native_arch = "SCMP_ARCH_RISCV64";
	oci = hs_profile_resolve(p, &ctx, "archmap", &c.err);
	CHECK(oci != NULL);
	text = hs_json_dump(json_object_get(oci, "architectures"));
	CHECK_STR(text, "[\"SCMP_ARCH_RISCV64\"]");
	free(text);
	text = NULL;
	json_decref(oci);

	/* A node whose archMap entry libseccomp cannot build. */
	if (hs_seccomp_arch_support("SCMP_ARCH_LOONGARCH64") !=
	    HS_ARCH_SUPPORTED) {
		ctx.goarch = "loongarch64";
		ctx.native_arch = "SCMP_ARCH_LOONGARCH64";
		oci = hs_profile_resolve(p, &ctx, "archmap.json", &c.err);
		CHECK(oci == NULL);
		CHECK_CONTAINS(captured(&c),
			       "archmap.json: archMap[3].architecture: "
			       "architecture \"SCMP_ARCH_LOONGARCH64\" is not "
			       "supported");
	}
	oci = NULL;
	/* A node without an entry: native alone, with a warning. */
	ctx.goarch = "ppc64le";
	ctx.native_arch = "SCMP_ARCH_PPC64LE";
	c.err.warnings = 0;
	oci = hs_profile_resolve(p, &ctx, "archmap.json", &c.err);
	CHECK(oci != NULL);
	CHECK(c.err.warnings == 1);
	CHECK_CONTAINS(captured(&c), "archmap.json: archMap: no entry for "
				     "SCMP_ARCH_PPC64LE");
	text = hs_json_dump(json_object_get(oci, "architectures"));
	CHECK_STR(text, "[\"SCMP_ARCH_PPC64LE\"]");
}

/* ------------------------------------------------------------------ */
/* Includes and excludes, against moby's semantics. */

static void resolve_names(const char *file, const struct hs_resolve_ctx *ctx,
			  char *buf, size_t size)
{
	struct hs_error err = {0};
	_cleanup_json_ json_t *p = hs_profile_load(file, &err);
	_cleanup_json_ json_t *oci =
		p ? hs_profile_resolve(p, ctx, file, &err) : NULL;

	buf[0] = '\0';
	if (!oci) {
		snprintf(buf, size, "ERROR %.200s", err.msg);
		return;
	}
	names_of(oci, buf, size);
}

static void test_conditions(void)
{
	static const char *const ptrace_caps[] = {"CAP_SYS_PTRACE", NULL};
	static const char *const admin_caps[] = {"CAP_SYS_ADMIN", "CAP_BPF",
						 NULL};
	static const char *const admin_only[] = {"CAP_SYS_ADMIN", NULL};
	struct hs_resolve_ctx ctx = amd64_ctx(ptrace_caps);
	char names[512];

	resolve_names(DATA "valid/conditions.json", &ctx, names, sizeof(names));
	CHECK_STR(names, "read,arch_prctl,ptrace,clone3,process_vm_readv,kcmp");

	ctx = (struct hs_resolve_ctx){.caps = admin_caps,
				      .goarch = "arm64",
				      .native_arch = "SCMP_ARCH_AARCH64",
				      .kernel_major = 6,
				      .kernel_minor = 2};
	resolve_names(DATA "valid/conditions.json", &ctx, names, sizeof(names));
	CHECK_STR(
		names,
		"read,sync_file_range2,bpf,mount,process_vm_readv,pidfd_open");

	/* includes.caps needs every cap listed. */
	ctx.caps = admin_only;
	resolve_names(DATA "valid/conditions.json", &ctx, names, sizeof(names));
	CHECK_STR(names,
		  "read,sync_file_range2,mount,process_vm_readv,pidfd_open");

	/* Old kernel: minKernel 4.8 and 5.0 not reached. */
	ctx = amd64_ctx(NULL);
	ctx.kernel_major = 4;
	ctx.kernel_minor = 7;
	resolve_names(DATA "valid/conditions.json", &ctx, names, sizeof(names));
	CHECK_STR(names, "read,arch_prctl,clone3,uselib");

	/* minKernel is inclusive, and compares numbers (4.10 > 4.8). */
	ctx.kernel_minor = 8;
	resolve_names(DATA "valid/conditions.json", &ctx, names, sizeof(names));
	CHECK_STR(names, "read,arch_prctl,clone3,process_vm_readv,uselib");
	ctx.kernel_minor = 10;
	resolve_names(DATA "valid/conditions.json", &ctx, names, sizeof(names));
	CHECK_STR(names, "read,arch_prctl,clone3,process_vm_readv,uselib");
	ctx.kernel_major = 5;
	ctx.kernel_minor = 0;
	resolve_names(DATA "valid/conditions.json", &ctx, names, sizeof(names));
	CHECK_STR(names, "read,arch_prctl,clone3,process_vm_readv");
}

/* ------------------------------------------------------------------ */
/* Unknown syscall names: a warning unless skipping widens the filter. */

static json_t *resolve_text(const char *text, struct capture *c)
{
	struct hs_resolve_ctx ctx = amd64_ctx(NULL);
	_cleanup_json_ json_t *p =
		hs_profile_load_buffer(text, strlen(text), "mem.json", &c->err);

	if (!p)
		return NULL;
	return hs_profile_resolve(p, &ctx, "mem.json", &c->err);
}

static void test_unknown_syscall_warning(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *oci = NULL;
	char names[256];

	capture_start(&c);
	oci = resolve_text("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":"
			   "[{\"names\":[\"getppid\",\"fsopne\"],"
			   "\"action\":\"SCMP_ACT_ALLOW\"}]}",
			   &c);
	CHECK(oci != NULL);
	CHECK(c.err.count == 0);
	CHECK(c.err.warnings == 1);
	CHECK_CONTAINS(captured(&c), "warning: mem.json: syscalls[0].names[1]: "
				     "unknown syscall \"fsopne\"");
	names_of(oci, names, sizeof(names));
	CHECK_STR(names, "getppid");
	json_decref(oci);

	/* A rule left without names disappears. */
	oci = resolve_text("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":"
			   "[{\"names\":[\"fsopne\"],"
			   "\"action\":\"SCMP_ACT_ALLOW\"}]}",
			   &c);
	CHECK(oci != NULL);
	CHECK(json_array_size(json_object_get(oci, "syscalls")) == 0);
	json_decref(oci);

	/* A stricter rule under a denying default: still denied. */
	oci = resolve_text("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":"
			   "[{\"names\":[\"fsopne\"],"
			   "\"action\":\"SCMP_ACT_KILL_PROCESS\"}]}",
			   &c);
	CHECK(oci != NULL);
	json_decref(oci);

	/* An allowing rule (LOG) under an allowing default. */
	oci = resolve_text("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
			   "[{\"names\":[\"fsopne\"],"
			   "\"action\":\"SCMP_ACT_LOG\"}]}",
			   &c);
	CHECK(oci != NULL);
	CHECK(c.err.count == 0);
	CHECK(c.err.warnings == 4);
}

static void test_unknown_syscall_error(void)
{
	static const char *const denials[] = {
		"SCMP_ACT_ERRNO",	 "SCMP_ACT_KILL",
		"SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
		"SCMP_ACT_TRAP",	 "SCMP_ACT_TRACE",
	};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(denials); i++) {
		_cleanup_capture_ struct capture c;
		_cleanup_json_ json_t *oci = NULL;
		char text[512];

		capture_start(&c);
		snprintf(text, sizeof(text),
			 "{\"defaultAction\":\"%s\",\"syscalls\":"
			 "[{\"names\":[\"reboot\",\"fsopne\"],\"action\":\"%"
			 "s\"}]}",
			 i % 2 ? "SCMP_ACT_LOG" : "SCMP_ACT_ALLOW", denials[i]);
		oci = resolve_text(text, &c);
		CHECK(oci == NULL);
		CHECK(c.err.count == 1);
		CHECK_CONTAINS(c.err.msg, "mem.json: syscalls[0].names[1]: "
					  "unknown syscall \"fsopne\"");
		CHECK_CONTAINS(c.err.msg, "would allow it");
	}
}

/* Names the linked libseccomp knows for another architecture only count
 * as known (libseccomp skips them where they do not exist). */
static void test_other_arch_names_known(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *oci = NULL;

	capture_start(&c);
	oci = resolve_text("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
			   "[{\"names\":[\"chown32\",\"arm_fadvise64_64\"],"
			   "\"action\":\"SCMP_ACT_ERRNO\"}]}",
			   &c);
	CHECK(oci != NULL);
	CHECK(c.err.warnings == 0);
}

/* `hardshim check` looks at every rule, whatever its conditions. */
static void test_check_names(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL, *oci = NULL;
	struct hs_resolve_ctx ctx = amd64_ctx(NULL);
	const char *text =
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
		"[{\"names\":[\"fsopne\"],\"action\":\"SCMP_ACT_ERRNO\","
		"\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}}]}";

	capture_start(&c);
	p = hs_profile_load_buffer(text, strlen(text), "mem.json", &c.err);
	CHECK(p != NULL);
	/* The rule does not apply here, so resolution is silent... */
	oci = hs_profile_resolve(p, &ctx, "mem.json", &c.err);
	CHECK(oci != NULL);
	CHECK(c.err.count == 0);
	/* ...but check reports it. */
	CHECK(hs_profile_check_names(p, &ctx, "mem.json", &c.err) < 0);
	CHECK_CONTAINS(c.err.msg, "mem.json: syscalls[0].names[0]: unknown "
				  "syscall \"fsopne\"");
}

/* ------------------------------------------------------------------ */
/* Conflicts */

static void test_conflict_after_resolution(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL, *oci = NULL;
	static const char *const ptrace_caps[] = {"CAP_SYS_PTRACE", NULL};
	struct hs_resolve_ctx ctx = amd64_ctx(ptrace_caps);
	const char *f = DATA "valid/resolve_conflict.json";

	capture_start(&c);
	p = hs_profile_load(f, &c.err);
	CHECK(p != NULL);
	oci = hs_profile_resolve(p, &ctx, f, &c.err);
	CHECK(oci == NULL);
	CHECK(c.err.count == 1);
	CHECK_CONTAINS(c.err.msg, DATA
		       "valid/resolve_conflict.json: syscalls[1].names[0]: "
		       "\"ptrace\" conflicts with " DATA
		       "valid/resolve_conflict.json: syscalls[0].names[1]");
	CHECK_CONTAINS(c.err.msg,
		       "(SCMP_ACT_ALLOW there, SCMP_ACT_ERRNO(13) here)");
	/* On s390x the second rule is excluded: no conflict. */
	ctx.goarch = "s390x";
	ctx.native_arch = "SCMP_ARCH_S390X";
	oci = hs_profile_resolve(p, &ctx, f, &c.err);
	CHECK(oci != NULL);
}

/* Conflicts are found whatever the order of args, caps and arches, and
 * only between rules that select the same calls. */
static void test_conflict_canonical(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL, *oci = NULL;
	static const char *const admin_caps[] = {"CAP_SYS_ADMIN", "CAP_BPF",
						 NULL};
	struct hs_resolve_ctx ctx = amd64_ctx(admin_caps);
	const char *same =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
		"{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\","
		"\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},"
		"{\"index\":1,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}],"
		"\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\",\"CAP_BPF\"]}},"
		"{\"names\":[\"getppid\",\"socket\"],\"action\":\"SCMP_ACT_"
		"LOG\","
		"\"args\":[{\"index\":1,\"value\":2,\"op\":\"SCMP_CMP_EQ\"},"
		"{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}],"
		"\"includes\":{\"caps\":[\"CAP_BPF\",\"CAP_SYS_ADMIN\"]}}]}";
	const char *other_conditions =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
		"{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\","
		"\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}],"
		"\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
		"{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ERRNO\","
		"\"errnoRet\":13,"
		"\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}],"
		"\"includes\":{\"caps\":[\"CAP_BPF\"]}},"
		"{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ERRNO\","
		"\"errnoRet\":13,"
		"\"args\":[{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]}]"
		"}";
	const char *twice =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
		"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"write\",\"read\",\"read\"],"
		"\"action\":\"SCMP_ACT_ALLOW\"}]}";

	capture_start(&c);
	p = hs_profile_load_buffer(same, strlen(same), "mem.json", &c.err);
	CHECK(p == NULL);
	CHECK(c.err.count == 1);
	CHECK_CONTAINS(c.err.msg, "mem.json: syscalls[1].names[1]: \"socket\" "
				  "conflicts with syscalls[0].names[0]: same "
				  "arguments and conditions, different action "
				  "(SCMP_ACT_ALLOW there, SCMP_ACT_LOG here)");
	capture_end(&c);

	/* Valid as written (the conditions differ), but with both caps the
	 * first two apply together. The third compares another value. */
	capture_start(&c);
	p = hs_profile_load_buffer(other_conditions, strlen(other_conditions),
				   "mem.json", &c.err);
	CHECK(p != NULL);
	oci = hs_profile_resolve(p, &ctx, "mem.json", &c.err);
	CHECK(oci == NULL);
	CHECK(c.err.count == 1);
	CHECK_CONTAINS(c.err.msg,
		       "mem.json: syscalls[1].names[0]: \"socket\" "
		       "conflicts with mem.json: syscalls[0].names[0]: "
		       "both apply here with the same arguments but "
		       "different actions (SCMP_ACT_ALLOW there, "
		       "SCMP_ACT_ERRNO(13) here)");
	ctx.caps = NULL;
	oci = hs_profile_resolve(p, &ctx, "mem.json", &c.err);
	CHECK(oci != NULL);
	CHECK(json_array_size(json_object_get(oci, "syscalls")) == 1);
	json_decref(p);
	capture_end(&c);

	/* A name in an earlier rule is not a repetition in a later one. */
	capture_start(&c);
	p = hs_profile_load_buffer(twice, strlen(twice), "mem.json", &c.err);
	CHECK(p == NULL);
	CHECK(c.err.count == 1);
	CHECK_CONTAINS(c.err.msg, "mem.json: syscalls[1].names[2]: \"read\" is "
				  "listed twice in this rule");
}

static void test_not_conflicts(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL, *oci = NULL;
	static const char *const ptrace_caps[] = {"CAP_SYS_PTRACE", NULL};
	struct hs_resolve_ctx ctx = amd64_ctx(ptrace_caps);
	const char *f = DATA "valid/same_name_conditions.json";

	capture_start(&c);
	p = hs_profile_load(f, &c.err);
	CHECK(p != NULL);
	oci = hs_profile_resolve(p, &ctx, f, &c.err);
	CHECK(oci != NULL);
	CHECK(c.err.count == 0);
}

/* ------------------------------------------------------------------ */
/* Limits, on generated profiles. */

static json_t *rule_with_names(size_t n)
{
	json_t *names = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "sys_%zu", i);
		json_array_append_new(names, json_string(name));
	}
	return json_pack("{s:o, s:s}", "names", names, "action",
			 "SCMP_ACT_ALLOW");
}

static int validate_msg(const json_t *p, struct capture *c)
{
	return hs_profile_validate(p, "gen.json", &c->err);
}

static void test_limit_rules(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = json_pack("{s:s, s:[]}", "defaultAction",
					     "SCMP_ACT_ERRNO", "syscalls");
	json_t *calls = json_object_get(p, "syscalls");
	size_t i;

	capture_start(&c);
	for (i = 0; i < HS_PROFILE_MAX_RULES; i++) {
		json_t *r = rule_with_names(1);

		json_array_set_new(json_object_get(r, "names"), 0,
				   json_sprintf("s_%zu", i));
		json_array_append_new(calls, r);
	}
	CHECK(validate_msg(p, &c) == 0);
	json_array_append_new(calls, rule_with_names(1));
	CHECK(validate_msg(p, &c) < 0);
	CHECK_CONTAINS(c.err.msg, "gen.json: syscalls: 1025 rules, more than "
				  "the limit of 1024");
}

static void test_limit_names(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p =
		json_pack("{s:s, s:[o]}", "defaultAction", "SCMP_ACT_ERRNO",
			  "syscalls", rule_with_names(HS_PROFILE_MAX_NAMES));

	capture_start(&c);
	CHECK(validate_msg(p, &c) == 0);
	json_array_append_new(
		json_object_get(
			json_array_get(json_object_get(p, "syscalls"), 0),
			"names"),
		json_string("one_more"));
	CHECK(validate_msg(p, &c) < 0);
	CHECK_CONTAINS(c.err.msg, "gen.json: syscalls[0].names: 1025 entries, "
				  "more than the limit of 1024");
}

static void test_limit_args(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p =
		json_pack("{s:s, s:[o]}", "defaultAction", "SCMP_ACT_ERRNO",
			  "syscalls", rule_with_names(1));
	json_t *args = json_array();
	size_t i;

	capture_start(&c);
	for (i = 0; i < HS_PROFILE_MAX_ARGS; i++)
		json_array_append_new(args,
				      json_pack("{s:I, s:i, s:s}", "index",
						(json_int_t)i, "value", 1, "op",
						"SCMP_CMP_EQ"));
	json_object_set_new(json_array_get(json_object_get(p, "syscalls"), 0),
			    "args", args);
	CHECK(validate_msg(p, &c) == 0);
	json_array_append_new(args, json_pack("{s:i, s:i, s:s}", "index", 0,
					      "value", 1, "op", "SCMP_CMP_EQ"));
	CHECK(validate_msg(p, &c) < 0);
	CHECK_CONTAINS(c.err.msg, "gen.json: syscalls[0].args: 7 comparisons, "
				  "more than the limit of 6");
}

static void test_limit_arches(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = json_pack("{s:s, s:[]}", "defaultAction",
					     "SCMP_ACT_ERRNO", "architectures");
	_cleanup_json_ json_t *q = json_pack("{s:s, s:[]}", "defaultAction",
					     "SCMP_ACT_ERRNO", "archMap");
	_cleanup_json_ json_t *r =
		json_pack("{s:s, s:[{s:s, s:[]}]}", "defaultAction",
			  "SCMP_ACT_ERRNO", "archMap", "architecture",
			  "SCMP_ARCH_X86_64", "subArchitectures");
	json_t *subs = json_object_get(
		json_array_get(json_object_get(r, "archMap"), 0),
		"subArchitectures");
	size_t i;

	capture_start(&c);
	for (i = 0; i <= HS_PROFILE_MAX_ARCHES; i++) {
		json_array_append_new(json_object_get(p, "architectures"),
				      json_string("SCMP_ARCH_X86"));
		json_array_append_new(
			json_object_get(q, "archMap"),
			json_pack("{s:s}", "architecture", "SCMP_ARCH_X86"));
		json_array_append_new(subs, json_string("SCMP_ARCH_X86"));
	}
	CHECK(validate_msg(p, &c) < 0);
	CHECK_CONTAINS(captured(&c), "gen.json: architectures: 17 entries, "
				     "more than the limit of 16");
	CHECK(validate_msg(q, &c) < 0);
	CHECK_CONTAINS(captured(&c), "gen.json: archMap: 17 entries, more than "
				     "the limit of 16");
	CHECK(validate_msg(r, &c) < 0);
	CHECK_CONTAINS(captured(&c),
		       "gen.json: archMap[0].subArchitectures: 17 "
		       "entries, more than the limit of 16");
}

static void test_limit_flags(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = json_pack("{s:s, s:[]}", "defaultAction",
					     "SCMP_ACT_ERRNO", "flags");
	size_t i;

	capture_start(&c);
	for (i = 0; i <= HS_PROFILE_MAX_FLAGS; i++)
		json_array_append_new(json_object_get(p, "flags"),
				      json_string("SECCOMP_FILTER_FLAG_LOG"));
	CHECK(validate_msg(p, &c) < 0);
	CHECK_CONTAINS(c.err.msg, "gen.json: flags: 9 entries, more than the "
				  "limit of 8");
}

static void test_limit_name_length(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p =
		json_pack("{s:s, s:[o]}", "defaultAction", "SCMP_ACT_ERRNO",
			  "syscalls", rule_with_names(1));
	json_t *names = json_object_get(
		json_array_get(json_object_get(p, "syscalls"), 0), "names");
	char name[HS_SYSCALL_NAME_MAX + 2];

	capture_start(&c);
	memset(name, 'a', sizeof(name));
	name[HS_SYSCALL_NAME_MAX] = '\0';
	json_array_set_new(names, 0, json_string(name));
	CHECK(validate_msg(p, &c) == 0);
	name[HS_SYSCALL_NAME_MAX] = 'a';
	name[HS_SYSCALL_NAME_MAX + 1] = '\0';
	json_array_set_new(names, 0, json_string(name));
	CHECK(validate_msg(p, &c) < 0);
	CHECK_CONTAINS(c.err.msg, "gen.json: syscalls[0].names[0]: syscall "
				  "name of 65 characters, more than the limit "
				  "of 64");
}

static void test_limit_filter_entries(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p =
		json_pack("{s:s, s:[o]}", "defaultAction", "SCMP_ACT_ERRNO",
			  "syscalls", rule_with_names(1));
	json_t *caps = json_array();
	size_t i;

	capture_start(&c);
	for (i = 0; i < 65; i++)
		json_array_append_new(caps, json_string("CAP_SYS_ADMIN"));
	json_object_set_new(json_array_get(json_object_get(p, "syscalls"), 0),
			    "includes", json_pack("{s:o}", "caps", caps));
	CHECK(validate_msg(p, &c) < 0);
	CHECK_CONTAINS(c.err.msg, "gen.json: syscalls[0].includes.caps: 65 "
				  "entries, more than the limit of 64");
}

/* HS_POLICY_MAX_BYTES, checked before anything is parsed. */
static void test_limit_file_size(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL;
	_cleanup_free_ char *big = calloc(1, HS_POLICY_MAX_BYTES + 2);
	char path[] = "/tmp/hs-profile-big-XXXXXX";
	_cleanup_close_ int fd = mkstemp(path);
	size_t len;

	capture_start(&c);
	CHECK(big != NULL && fd >= 0);
	/* Valid JSON, padded with spaces past the limit. */
	memset(big, ' ', HS_POLICY_MAX_BYTES + 1);
	memcpy(big, "{\"defaultAction\":\"SCMP_ACT_ERRNO\"}", 34);
	len = HS_POLICY_MAX_BYTES + 1;
	CHECK(write(fd, big, len) == (ssize_t)len);
	p = hs_profile_load(path, &c.err);
	unlink(path);
	CHECK(p == NULL);
	CHECK_CONTAINS(c.err.msg, "larger than the limit of 1048576 bytes");
	p = hs_profile_load_buffer(big, len, "big.json", &c.err);
	CHECK(p == NULL);
	CHECK_CONTAINS(captured(&c), "big.json: larger than the limit");
	/* One byte less is fine. */
	p = hs_profile_load_buffer(big, len - 1, "big.json", &c.err);
	CHECK(p != NULL);
}

/* ------------------------------------------------------------------ */
/* extends */

static json_t *load_ok(const char *file, struct capture *c)
{
	json_t *p = hs_profile_load(file, &c->err);

	if (!p)
		printf("  %s", captured(c));
	return p;
}

static void test_extends_override(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL, *oci = NULL;
	struct hs_resolve_ctx ctx = amd64_ctx(NULL);
	_cleanup_free_ char *arches = NULL;

	capture_start(&c);
	p = load_ok(DATA "extends/override.json", &c);
	CHECK(p != NULL);
	CHECK(json_object_get(p, "extends") == NULL);
	CHECK_STR(json_string_value(json_object_get(p, "defaultAction")),
		  "SCMP_ACT_KILL_PROCESS");
	/* defaultErrnoRet goes with the base's defaultAction. */
	CHECK(json_object_get(p, "defaultErrnoRet") == NULL);
	CHECK_STR(json_string_value(json_object_get(p, "comment")), "override");
	/* architectures replaces archMap too. */
	CHECK(json_object_get(p, "archMap") == NULL);
	CHECK(json_array_size(json_object_get(p, "flags")) == 0);
	CHECK(json_array_size(json_object_get(p, "syscalls")) == 3);
	oci = hs_profile_resolve(p, &ctx, "override", &c.err);
	CHECK(oci != NULL);
	arches = hs_json_dump(json_object_get(oci, "architectures"));
	CHECK_STR(arches, "[\"SCMP_ARCH_X86_64\"]");
	CHECK_STR(json_string_value(json_object_get(oci, "listenerPath")),
		  "/run/agent.sock");
}

static void test_extends_errno_reset(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL;

	capture_start(&c);
	p = load_ok(DATA "extends/errno_reset.json", &c);
	CHECK(p != NULL);
	CHECK(json_object_get(p, "defaultErrnoRet") == NULL);
	json_decref(p);
	p = hs_profile_load(DATA "extends/child_errno_only.json", &c.err);
	CHECK(p == NULL);
	CHECK_CONTAINS(c.err.msg, DATA "extends/child_errno_only.json: "
				       "defaultErrnoRet: needs defaultAction "
				       "next to it");
}

static void test_extends_tighten(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL, *oci = NULL;
	static const char *const ptrace_caps[] = {"CAP_SYS_PTRACE", NULL};
	struct hs_resolve_ctx ctx = amd64_ctx(ptrace_caps);
	const json_t *r;
	char names[256];

	capture_start(&c);
	p = load_ok(DATA "extends/tighten.json", &c);
	CHECK(p != NULL);
	oci = hs_profile_resolve(p, &ctx, "tighten", &c.err);
	CHECK(oci != NULL);
	/* The base's two ptrace rules are gone; the child's is last. */
	names_of(oci, names, sizeof(names));
	CHECK_STR(names, "read,write,exit_group,getppid,reboot,ptrace");
	r = rule_for(oci, "ptrace");
	CHECK_STR(json_string_value(json_object_get(r, "action")),
		  "SCMP_ACT_ERRNO");
	CHECK(json_integer_value(json_object_get(r, "errnoRet")) == 13);
	/* The base keeps its defaults and flags. */
	CHECK(json_integer_value(json_object_get(oci, "defaultErrnoRet")) == 1);
	CHECK_STR(json_string_value(
			  json_array_get(json_object_get(oci, "flags"), 0)),
		  "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
	CHECK(json_array_size(json_object_get(oci, "architectures")) == 3);
}

static void test_extends_loosen(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL, *oci = NULL;
	struct hs_resolve_ctx ctx = amd64_ctx(NULL);
	const json_t *r;

	capture_start(&c);
	p = load_ok(DATA "extends/loosen.json", &c);
	CHECK(p != NULL);
	/* The base rule naming only reboot (legacy `name`) disappears. */
	CHECK(json_array_size(json_object_get(p, "syscalls")) == 3);
	oci = hs_profile_resolve(p, &ctx, "loosen", &c.err);
	CHECK(oci != NULL);
	r = rule_for(oci, "reboot");
	CHECK(r != NULL);
	CHECK_STR(json_string_value(json_object_get(r, "action")),
		  "SCMP_ACT_ALLOW");
}

static void test_extends_chain(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL, *oci = NULL;
	struct hs_resolve_ctx ctx = amd64_ctx(NULL);
	const json_t *r;
	char names[256];

	capture_start(&c);
	p = load_ok(DATA "extends/chain_top.json", &c);
	CHECK(p != NULL);
	oci = hs_profile_resolve(p, &ctx, "chain", &c.err);
	CHECK(oci != NULL);
	names_of(oci, names, sizeof(names));
	CHECK_STR(names,
		  "read,write,exit_group,ptrace,getppid,reboot,gettid,getpid");
	r = rule_for(oci, "getpid");
	CHECK_STR(json_string_value(json_object_get(r, "action")),
		  "SCMP_ACT_LOG");
	CHECK(json_integer_value(json_object_get(oci, "defaultErrnoRet")) ==
	      38);
	CHECK_STR(json_string_value(
			  json_array_get(json_object_get(oci, "flags"), 0)),
		  "SECCOMP_FILTER_FLAG_LOG");
	CHECK(json_array_size(json_object_get(oci, "flags")) == 1);
}

/* extends is relative to the including file's directory. */
static void test_extends_relative_dirs(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL;

	capture_start(&c);
	p = load_ok(DATA "extends/uses_sub.json", &c);
	CHECK(p != NULL);
	CHECK_STR(json_string_value(json_object_get(p, "comment")), "leaf");
	CHECK_STR(json_string_value(json_object_get(p, "defaultAction")),
		  "SCMP_ACT_ALLOW");
	CHECK(json_array_size(json_object_get(p, "syscalls")) == 3);
}

static void test_extends_cycle(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL;

	capture_start(&c);
	p = hs_profile_load(DATA "extends/cycle_a.json", &c.err);
	CHECK(p == NULL);
	CHECK_CONTAINS(c.err.msg, DATA "extends/cycle_b.json: extends: "
				       "\"./cycle_a.json\" is already in this "
				       "extends chain: a cycle");
	p = hs_profile_load(DATA "extends/self.json", &c.err);
	CHECK(p == NULL);
	CHECK_CONTAINS(captured(&c), DATA "extends/self.json: extends: "
					  "\"self.json\" is already in this "
					  "extends chain");
}

static void test_extends_depth(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL;

	capture_start(&c);
	/* deep1 -> ... -> deep5: four extends, the limit. */
	p = load_ok(DATA "extends/deep1.json", &c);
	CHECK(p != NULL);
	json_decref(p);
	/* deep0: five. */
	p = hs_profile_load(DATA "extends/deep0.json", &c.err);
	CHECK(p == NULL);
	CHECK_CONTAINS(c.err.msg, DATA "extends/deep4.json: extends: more "
				       "than 4 profiles extended in a chain");
}

static void test_extends_refused_paths(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL;

	capture_start(&c);
	p = hs_profile_load(DATA "invalid/extends_absolute.json", &c.err);
	CHECK(p == NULL);
	CHECK_CONTAINS(c.err.msg,
		       "extends: \"/etc/hardshim/seccomp/base.json\" "
		       "must be a path relative");
	p = hs_profile_load(DATA "invalid/extends_dotdot.json", &c.err);
	CHECK(p == NULL);
	CHECK_CONTAINS(captured(&c), "must not contain a \"..\" component");
	p = hs_profile_load(DATA "extends/missing_base.json", &c.err);
	CHECK(p == NULL);
	CHECK_CONTAINS(captured(&c), DATA "extends/nope.json: No such file");
	/* From a buffer there is no directory to be relative to. */
	p = hs_profile_load_buffer("{\"extends\":\"base.json\"}", 23, "buf",
				   &c.err);
	CHECK(p == NULL);
	CHECK_CONTAINS(captured(&c),
		       "buf: extends: only a profile read from a file");
}

static void test_extends_symlink(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL;
	char dir[] = "/tmp/hs-profile-XXXXXX";
	char real[PATH_MAX], link[PATH_MAX], top[PATH_MAX];
	FILE *f;

	capture_start(&c);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(real, sizeof(real), "%s/real.json", dir);
	snprintf(link, sizeof(link), "%s/link.json", dir);
	snprintf(top, sizeof(top), "%s/top.json", dir);
	f = fopen(real, "w");
	CHECK(f != NULL);
	fputs("{\"defaultAction\":\"SCMP_ACT_ERRNO\"}", f);
	fclose(f);
	CHECK(symlink("real.json", link) == 0);
	f = fopen(top, "w");
	CHECK(f != NULL);
	fputs("{\"extends\":\"link.json\"}", f);
	fclose(f);

	p = hs_profile_load(top, &c.err);
	CHECK(p == NULL);
	CHECK_CONTAINS(c.err.msg, "link.json: is a symbolic link, refused");
	/* The file named on the command line is no different. */
	p = hs_profile_load(link, &c.err);
	CHECK(p == NULL);
	/* Through the real file it loads. */
	f = fopen(top, "w");
	CHECK(f != NULL);
	fputs("{\"extends\":\"real.json\"}", f);
	fclose(f);
	p = load_ok(top, &c);
	CHECK(p != NULL);
	unlink(top);
	unlink(link);
	unlink(real);
	rmdir(dir);
}

/* Errors in a base name the base; a broken child does not hide them. */
static void test_extends_invalid_base(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL;

	capture_start(&c);
	p = hs_profile_load(DATA "extends/invalid_base.json", &c.err);
	CHECK(p == NULL);
	CHECK(c.err.count == 1);
	CHECK_CONTAINS(c.err.msg,
		       DATA "extends/bad_base.json: syscalls[0].action: "
			    "unknown action \"SCMP_ACT_PERMIT\"");
	capture_end(&c);
	capture_start(&c);
	p = hs_profile_load(DATA "extends/invalid_both.json", &c.err);
	CHECK(p == NULL);
	CHECK(c.err.count == 2);
	CHECK_CONTAINS(captured(&c),
		       DATA "extends/invalid_both.json: flagz: unknown key");
	CHECK_CONTAINS(captured(&c),
		       DATA "extends/bad_base.json: syscalls[0].action");
}

/* Resolution errors and warnings name the file and place the author
 * wrote, even after a child removed names from a base rule. */
static void test_extends_origin(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL, *oci = NULL;
	struct hs_resolve_ctx ctx = amd64_ctx(NULL);

	capture_start(&c);
	p = load_ok(DATA "extends/unknown_in_child.json", &c);
	CHECK(p != NULL);
	oci = hs_profile_resolve(p, &ctx, "top", &c.err);
	CHECK(oci != NULL);
	CHECK_CONTAINS(captured(&c),
		       "warning: " DATA "extends/unknown_in_child.json: "
		       "syscalls[0].names[1]: unknown syscall \"fsopne\"");
	json_decref(p);
	p = load_ok(DATA "extends/allow_child.json", &c);
	CHECK(p != NULL);
	json_decref(oci);
	oci = hs_profile_resolve(p, &ctx, "top", &c.err);
	CHECK(oci == NULL);
	CHECK_CONTAINS(c.err.msg,
		       DATA "extends/allow_base.json: syscalls[0].names[1]: "
			    "unknown syscall \"fsopne\"");
	oci = NULL;
}

static void test_extends_merged_limit(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *base = json_pack("{s:s, s:[]}", "defaultAction",
						"SCMP_ACT_ERRNO", "syscalls");
	_cleanup_json_ json_t *child =
		json_pack("{s:s, s:[]}", "extends", "base.json", "syscalls");
	_cleanup_json_ json_t *p = NULL;
	char dir[] = "/tmp/hs-profile-XXXXXX";
	char b[PATH_MAX], t[PATH_MAX];
	size_t i;

	capture_start(&c);
	CHECK(mkdtemp(dir) != NULL);
	for (i = 0; i < 600; i++) {
		json_array_append_new(json_object_get(base, "syscalls"),
				      json_pack("{s:[s], s:s}", "names", "read",
						"action", "SCMP_ACT_ALLOW"));
		json_array_append_new(json_object_get(child, "syscalls"),
				      json_pack("{s:[s], s:s}", "names",
						"write", "action",
						"SCMP_ACT_ALLOW"));
	}
	snprintf(b, sizeof(b), "%s/base.json", dir);
	snprintf(t, sizeof(t), "%s/top.json", dir);
	CHECK(json_dump_file(base, b, 0) == 0);
	CHECK(json_dump_file(child, t, 0) == 0);
	p = hs_profile_load(t, &c.err);
	unlink(b);
	unlink(t);
	rmdir(dir);
	CHECK(p == NULL);
	CHECK_CONTAINS(c.err.msg,
		       "top.json: syscalls: 1200 rules with its base "
		       "profiles, more than the limit of 1024");
}

/* ------------------------------------------------------------------ */
/* The files a load read, for a cache to check */

/* Whether `f` describes the file at `path` as it is now. */
static bool same_file(const struct hs_profile_file *f, const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && strcmp(f->path, path) == 0 &&
	       f->dev == st.st_dev && f->ino == st.st_ino &&
	       f->size == st.st_size && f->mtime.tv_sec == st.st_mtim.tv_sec &&
	       f->mtime.tv_nsec == st.st_mtim.tv_nsec &&
	       f->ctime.tv_sec == st.st_ctim.tv_sec &&
	       f->ctime.tv_nsec == st.st_ctim.tv_nsec;
}

static bool same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* Rewrites `path` until its ctime moves past `old` (the kernel stamps
 * files with a clock that only ticks every few milliseconds). */
static int rewrite_later(const char *path, const char *text,
			 struct timespec old)
{
	struct stat st;
	int i;

	for (i = 0; i < 1000; i++) {
		if (write_text(path, text) < 0 || stat(path, &st) < 0)
			return -1;
		if (!same_time(st.st_ctim, old))
			return 0;
		usleep(2000);
	}
	return -1;
}

/* A chain of three files, through a subdirectory: listed from the named
 * file to the root base, each with the inode and size of what was read. */
static void test_load_files_chain(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL, *q = NULL;
	_cleanup_free_ char *a = NULL, *b = NULL;
	struct hs_profile_files files;

	capture_start(&c);
	p = hs_profile_load_files(DATA "extends/uses_sub.json", &files, &c.err);
	if (!p)
		printf("  %s", captured(&c));
	CHECK(p != NULL);
	CHECK(files.n == 3);
	CHECK(same_file(&files.file[0], DATA "extends/uses_sub.json"));
	CHECK(same_file(&files.file[1], DATA "extends/sub/nested.json"));
	CHECK(same_file(&files.file[2], DATA "extends/sub/leaf.json"));
	/* The profile is hs_profile_load's. */
	q = hs_profile_load(DATA "extends/uses_sub.json", &c.err);
	CHECK(q != NULL);
	a = json_dumps(p, JSON_SORT_KEYS | JSON_COMPACT);
	b = json_dumps(q, JSON_SORT_KEYS | JSON_COMPACT);
	CHECK_STR(a, b);
	json_decref(p);
	/* A file without extends is a chain of one. */
	p = hs_profile_load_files(DATA "valid/minimal.json", &files, &c.err);
	CHECK(p != NULL);
	CHECK(files.n == 1);
	CHECK(same_file(&files.file[0], DATA "valid/minimal.json"));
}

/* Whatever changes in a file of the chain shows in what is listed. */
static void test_load_files_changed(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL;
	struct hs_profile_files before, after;
	char dir[] = "/tmp/hs-profile-XXXXXX";
	char top[PATH_MAX], mid[PATH_MAX], base[PATH_MAX], tmp[PATH_MAX];
	size_t i;

	capture_start(&c);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(top, sizeof(top), "%s/top.json", dir);
	snprintf(mid, sizeof(mid), "%s/mid.json", dir);
	snprintf(base, sizeof(base), "%s/base.json", dir);
	snprintf(tmp, sizeof(tmp), "%s/top.json.new", dir);
	CHECK(write_text(top, "{\"extends\":\"mid.json\",\"syscalls\":"
			      "[{\"names\":[\"read\"],"
			      "\"action\":\"SCMP_ACT_ALLOW\"}]}") == 0);
	CHECK(write_text(mid,
			 "{\"extends\":\"base.json\",\"comment\":\"a\"}") == 0);
	CHECK(write_text(base, "{\"defaultAction\":\"SCMP_ACT_ERRNO\"}") == 0);
	p = hs_profile_load_files(top, &before, &c.err);
	CHECK(p != NULL);
	CHECK(before.n == 3);
	CHECK(same_file(&before.file[0], top));
	CHECK(same_file(&before.file[1], mid));
	CHECK(same_file(&before.file[2], base));
	CHECK(before.file[2].size == 34);

	/* The base rewritten in place, longer: same inode, new size and
	 * times; the other two unchanged. */
	CHECK(rewrite_later(base,
			    "{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\"}",
			    before.file[2].ctime) == 0);
	json_decref(p);
	p = hs_profile_load_files(top, &after, &c.err);
	CHECK(p != NULL);
	CHECK(after.n == 3);
	CHECK(same_file(&after.file[2], base));
	CHECK(after.file[2].ino == before.file[2].ino);
	CHECK(after.file[2].size == 41);
	CHECK(!same_time(after.file[2].mtime, before.file[2].mtime));
	CHECK(!same_time(after.file[2].ctime, before.file[2].ctime));
	for (i = 0; i < 2; i++) {
		CHECK(after.file[i].ino == before.file[i].ino);
		CHECK(after.file[i].size == before.file[i].size);
		CHECK(same_time(after.file[i].mtime, before.file[i].mtime));
		CHECK(same_time(after.file[i].ctime, before.file[i].ctime));
	}

	/* The middle one edited to the same size: only the times tell. */
	before = after;
	CHECK(rewrite_later(mid,
			    "{\"extends\":\"base.json\",\"comment\":\"b\"}",
			    before.file[1].ctime) == 0);
	json_decref(p);
	p = hs_profile_load_files(top, &after, &c.err);
	CHECK(p != NULL);
	CHECK(same_file(&after.file[1], mid));
	CHECK(after.file[1].size == before.file[1].size);
	CHECK(!same_time(after.file[1].mtime, before.file[1].mtime));
	CHECK(!same_time(after.file[1].ctime, before.file[1].ctime));
	CHECK_STR(json_string_value(json_object_get(p, "comment")), "b");

	/* The named file replaced by rename: another inode. */
	before = after;
	CHECK(write_text(tmp, "{\"extends\":\"mid.json\"}") == 0);
	CHECK(rename(tmp, top) == 0);
	json_decref(p);
	p = hs_profile_load_files(top, &after, &c.err);
	CHECK(p != NULL);
	CHECK(same_file(&after.file[0], top));
	CHECK(after.file[0].ino != before.file[0].ino);

	unlink(top);
	unlink(mid);
	unlink(base);
	rmdir(dir);
}

/* On failure the list is left as it was, and it may be NULL. */
static void test_load_files_failure(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL;
	struct hs_profile_files files;

	capture_start(&c);
	files.n = 77;
	p = hs_profile_load_files(DATA "extends/invalid_base.json", &files,
				  &c.err);
	CHECK(p == NULL);
	CHECK(files.n == 77);
	p = hs_profile_load_files(DATA "extends/missing_base.json", &files,
				  &c.err);
	CHECK(p == NULL);
	CHECK(files.n == 77);
	CHECK_CONTAINS(captured(&c), DATA "extends/nope.json: No such file");
	p = hs_profile_load_files(DATA "extends/chain_top.json", NULL, &c.err);
	CHECK(p != NULL);
}

/* ------------------------------------------------------------------ */
/* The node */

static void test_node_ctx(void)
{
	struct hs_error err = {0};
	struct hs_resolve_ctx ctx = {0};
	static const char *const caps[] = {"CAP_KILL", NULL};

	ctx.caps = caps;
	CHECK(hs_profile_node_ctx(&ctx, &err) == 0);
	CHECK(ctx.caps == caps);
	CHECK(ctx.kernel_major >= 3);
	CHECK(hs_seccomp_arch_support(ctx.native_arch) != HS_ARCH_UNKNOWN);
#if defined(__x86_64__)
	CHECK_STR(ctx.goarch, "amd64");
	CHECK_STR(ctx.native_arch, "SCMP_ARCH_X86_64");
#endif
}

/* ------------------------------------------------------------------ */
/* Docker's default profile, resolved as Docker does. */

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs tests/moby_resolve.py (no shell, no PATH search) and returns its
 * output, or NULL when there is no python3. */
static char *run_moby_resolve(const char *caps_csv)
{
	static const char *const pythons[] = {
		"/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"};
	const char *py = NULL;
	char *out = NULL;
	size_t len = 0, i;
	FILE *mem;
	int fds[2], status;
	pid_t pid;

	for (i = 0; i < HS_ARRAY_SIZE(pythons) && !py; i++)
		if (access(pythons[i], X_OK) == 0)
			py = pythons[i];
	if (!py || pipe2(fds, O_CLOEXEC) < 0)
		return NULL;
	pid = fork();
	if (pid < 0)
		return NULL;
	if (pid == 0) {
		char *const envp[] = {(char *)"LC_ALL=C.UTF-8", NULL};
		char *const argv[] = {
			(char *)py,	  (char *)"tests/moby_resolve.py",
			(char *)MOBY_REF, (char *)"--arch",
			(char *)"amd64",  (char *)"--kernel",
			(char *)"6.1",	  (char *)"--caps",
			(char *)caps_csv, NULL};

		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		execve(py, argv, envp);
		_exit(127);
	}
	close(fds[1]);
	mem = open_memstream(&out, &len);
	for (;;) {
		char buf[4096];
		ssize_t n = read(fds[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		fwrite(buf, 1, (size_t)n, mem);
	}
	fclose(mem);
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* Splits text into lines (in place). */
static size_t split_lines(char *text, char **lines, size_t max)
{
	size_t n = 0;
	char *save = NULL, *l;

	for (l = strtok_r(text, "\n", &save); l && n < max;
	     l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	return n;
}

/* The C side in moby_resolve.py's format. */
static size_t c_lines(const json_t *oci, char **lines, size_t max)
{
	_cleanup_json_ json_t *header = json_pack(
		"{s:O, s:O}", "architectures",
		json_object_get(oci, "architectures"), "defaultAction",
		json_object_get(oci, "defaultAction"));
	const json_t *rule, *n, *a;
	size_t i, j, k, count = 0;

	if (json_object_get(oci, "defaultErrnoRet"))
		json_object_set(header, "defaultErrnoRet",
				json_object_get(oci, "defaultErrnoRet"));
	lines[count++] = json_dumps(header, JSON_COMPACT | JSON_SORT_KEYS);
	json_array_foreach (json_object_get(oci, "syscalls"), i, rule) {
		_cleanup_json_ json_t *args = json_array();
		const json_t *e = json_object_get(rule, "errnoRet");

		json_array_foreach (json_object_get(rule, "args"), k, a) {
			const json_t *v2 = json_object_get(a, "valueTwo");

			json_array_append_new(
				args,
				json_pack("{s:O, s:O, s:I, s:O}", "index",
					  json_object_get(a, "index"), "value",
					  json_object_get(a, "value"),
					  "valueTwo",
					  v2 ? json_integer_value(v2) : 0, "op",
					  json_object_get(a, "op")));
		}
		json_array_foreach (json_object_get(rule, "names"), j, n) {
			_cleanup_json_ json_t *line = json_pack(
				"{s:O, s:O, s:O, s:O}", "name", n, "action",
				json_object_get(rule, "action"), "errnoRet",
				e ? e : json_null(), "args", args);

			if (count < max)
				lines[count++] = json_dumps(
					line, JSON_COMPACT | JSON_SORT_KEYS);
		}
	}
	qsort(lines + 1, count - 1, sizeof(*lines), cmp_line);
	return count;
}

static void test_moby_reference(void)
{
	_cleanup_capture_ struct capture c;
	_cleanup_json_ json_t *p = NULL, *oci = NULL;
	_cleanup_free_ char *py_out = NULL;
	struct hs_resolve_ctx ctx = amd64_ctx(docker_caps);
	static char *py[2048], *cl[2048];
	size_t n_py, n_c, i, kept = 0, dropped = 0;
	char caps_csv[1024] = "";
	const char *const *cap;
	const char *warnings;

	capture_start(&c);
	p = hs_profile_load(MOBY_REF, &c.err);
	if (!p)
		printf("  %s", captured(&c));
	CHECK(p != NULL);
	CHECK(c.err.count == 0);
	CHECK(c.err.warnings == 0);
	oci = hs_profile_resolve(p, &ctx, MOBY_REF, &c.err);
	if (!oci)
		printf("  %s", captured(&c));
	CHECK(oci != NULL);
	CHECK(c.err.count == 0);
	warnings = captured(&c);
	/* Syscalls newer than libseccomp 2.5.4 are warnings, not errors. */
	if (!hs_seccomp_syscall_known("mseal", NULL)) {
		CHECK(c.err.warnings > 0);
		CHECK_CONTAINS(warnings, "unknown syscall \"mseal\"");
		CHECK_CONTAINS(warnings, "unknown syscall \"listmount\"");
		CHECK_CONTAINS(warnings, "unknown syscall \"statmount\"");
	}

	for (cap = docker_caps; *cap; cap++) {
		strncat(caps_csv, *cap,
			sizeof(caps_csv) - strlen(caps_csv) - 2);
		if (cap[1])
			strcat(caps_csv, ",");
	}
	py_out = run_moby_resolve(caps_csv);
	if (!py_out) {
		printf("SKIP test_moby_reference_python: python3 or "
		       "tests/moby_resolve.py unavailable\n");
		return;
	}
	n_py = split_lines(py_out, py, HS_ARRAY_SIZE(py));
	n_c = c_lines(oci, cl, HS_ARRAY_SIZE(cl));
	CHECK(n_py > 300);
	/* Docker keeps names libseccomp does not know (runc drops them);
	 * hardshim drops them with a warning naming each. */
	CHECK_STR(cl[0], py[0]);
	for (i = 1; i < n_py; i++) {
		_cleanup_json_ json_t *line = json_loads(py[i], 0, NULL);
		const char *name =
			json_string_value(json_object_get(line, "name"));
		char needle[128];

		CHECK(name != NULL);
		if (!hs_seccomp_syscall_known(
			    name, json_object_get(oci, "architectures"))) {
			snprintf(needle, sizeof(needle),
				 "unknown syscall \"%s\"", name);
			CHECK_CONTAINS(warnings, needle);
			dropped++;
			continue;
		}
		py[++kept] = py[i];
	}
	CHECK(kept + 1 == n_c);
	for (i = 1; i < n_c; i++) {
		if (strcmp(cl[i], py[i]) != 0)
			printf("  C:  %s\n  py: %s\n", cl[i], py[i]);
		CHECK_STR(cl[i], py[i]);
	}
	CHECK(dropped == c.err.warnings);
	for (i = 0; i < n_c; i++)
		free(cl[i]);
	/* Spot checks of what Docker's default set gives. */
	CHECK(rule_for(oci, "chroot") != NULL); /* CAP_SYS_CHROOT */
	CHECK(rule_for(oci, "ptrace") != NULL); /* minKernel 4.8 */
	CHECK(rule_for(oci, "arch_prctl") != NULL); /* amd64 */
	CHECK(rule_for(oci, "mount") == NULL); /* CAP_SYS_ADMIN */
	CHECK(json_integer_value(json_object_get(rule_for(oci, "clone3"),
						 "errnoRet")) == 38);
}

/* --- audit mode ----------------------------------------------------------- */

/* Every denying action becomes LOG, errnos dropped, so two denials of one
 * syscall with different errnos do not become a conflict; what allows,
 * traces or notifies is left alone; the result still compiles. */
static void test_audit_turns_denials_into_log(void)
{
	const char *text =
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": "
		"1,"
		" \"architectures\": [\"SCMP_ARCH_X86_64\"], \"syscalls\": ["
		"{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\","
		" \"errnoRet\": 38},"
		"{\"names\": [\"ptrace\"], \"action\": "
		"\"SCMP_ACT_KILL_PROCESS\"},"
		"{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_TRAP\"},"
		"{\"names\": [\"tkill\"], \"action\": \"SCMP_ACT_KILL\"},"
		"{\"names\": [\"uname\"], \"action\": \"SCMP_ACT_TRACE\","
		" \"errnoRet\": 1},"
		"{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_LOG\"}]}";
	struct hs_error err = {0};
	_cleanup_json_ json_t *p =
		hs_json_load_buffer(text, strlen(text), "p", &err);
	_cleanup_free_ char *out = NULL;
	size_t insns;

	CHECK(p);
	CHECK(hs_profile_audit(p, &err) == 0);
	out = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
	CHECK_STR(out,
		  "{\"defaultAction\":\"SCMP_ACT_LOG\",\"architectures\":"
		  "[\"SCMP_ARCH_X86_64\"],\"syscalls\":["
		  "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		  "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_LOG\"},"
		  "{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_LOG\"},"
		  "{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_LOG\"},"
		  "{\"names\":[\"tkill\"],\"action\":\"SCMP_ACT_LOG\"},"
		  "{\"names\":[\"uname\"],\"action\":\"SCMP_ACT_TRACE\","
		  "\"errnoRet\":1},"
		  "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_LOG\"}]}");
	CHECK(hs_seccomp_compile(p, -1, &insns, &err) == 0);
	CHECK(hs_profile_action_denies("SCMP_ACT_KILL_THREAD"));
	CHECK(!hs_profile_action_denies("SCMP_ACT_NOTIFY"));
	CHECK(!hs_profile_action_denies(NULL));
}

int main(void)
{
	RUN(test_invalid_fixtures);
	RUN(test_syntax_error);
	RUN(test_every_error_reported);
	if (hs_seccomp_arch_support("SCMP_ARCH_LOONGARCH64") ==
	    HS_ARCH_SUPPORTED)
		SKIP(test_unsupported_arch,
		     "the linked libseccomp supports loongarch64");
	else
		RUN(test_unsupported_arch);
	RUN(test_valid_fixtures);
	RUN(test_legacy_name);
	RUN(test_resolve_output_shape);
	RUN(test_archmap_selection);
	RUN(test_conditions);
	RUN(test_unknown_syscall_warning);
	RUN(test_unknown_syscall_error);
	RUN(test_other_arch_names_known);
	RUN(test_check_names);
	RUN(test_conflict_after_resolution);
	RUN(test_not_conflicts);
	RUN(test_conflict_canonical);
	RUN(test_limit_rules);
	RUN(test_limit_names);
	RUN(test_limit_args);
	RUN(test_limit_arches);
	RUN(test_limit_flags);
	RUN(test_limit_name_length);
	RUN(test_limit_filter_entries);
	RUN(test_limit_file_size);
	RUN(test_extends_override);
	RUN(test_extends_errno_reset);
	RUN(test_extends_tighten);
	RUN(test_extends_loosen);
	RUN(test_extends_chain);
	RUN(test_extends_relative_dirs);
	RUN(test_extends_cycle);
	RUN(test_extends_depth);
	RUN(test_extends_refused_paths);
	RUN(test_extends_symlink);
	RUN(test_extends_invalid_base);
	RUN(test_extends_origin);
	RUN(test_extends_merged_limit);
	RUN(test_load_files_chain);
	RUN(test_load_files_changed);
	RUN(test_load_files_failure);
	RUN(test_node_ctx);
	if (access(MOBY_REF, R_OK) != 0)
		SKIP(test_moby_reference, MOBY_REF " absent");
	else
		RUN(test_moby_reference);
	RUN(test_audit_turns_denials_into_log);
	TEST_EXIT();
}
