/* What runc would refuse in config.json, refused by hardshim first.
 *
 * Trust: the spec comes from the engine and carries tenant-chosen values.
 * runc 1.1 decodes it with Go's encoding/json into the runtime-spec structs
 * (specs-go/config.go), and a value of the wrong JSON type anywhere in them
 * is a decode error that makes runc refuse the whole spec. hardshim rewrites
 * the bundle before runc reads it, so a spec that hardshim passes and runc
 * refuses would leave a rewritten bundle behind and an error from the wrong
 * program. This file runs before any rule and before anything is written:
 *   1. every field runc decodes must have the JSON type Go accepts for it:
 *      the tables below, one per Go struct, walked by check_value();
 *   2. the checks that runc itself makes before it runs the container and
 *      that need nothing but the spec (check_runc_rules()); each names the
 *      runc 1.1 source it mirrors. Those that depend on the host (SELinux,
 *      Intel RDT, cgroup version, files named by paths) are left to runc.
 *
 * Go's rules, as Debian 12's runc 1.1.5 applies them (each was tried on it):
 *   - null is accepted for any field, element or map value: the zero value;
 *   - an integer field takes only an integer literal within its Go type:
 *     1.5, 1.0 and 1e3 are refused (jansson reads those as reals), and so is
 *     -1 for an unsigned field or 65536 for a uint16;
 *   - keys runc does not know are ignored, so they are left alone here,
 *     including the fields that runtime-spec added after the version runc
 *     1.1.5 was built with (process.scheduler, process.ioPriority,
 *     linux.timeOffsets, linux.intelRdt.schemata, linux.netDevices);
 *   - keys match case-insensitively: check_key_case() in harden.c refuses
 *     case variants of the keys it reads, and only exact keys are looked up
 *     here.
 * Nothing here recurses on the input's shape: the walk follows the tables,
 * whose depth is fixed, and visits each value once. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hs_cleanup.h"
#include "spec_internal.h"

#define REFUSED "(runc would refuse it)"

/* --- the type tree -------------------------------------------------------- */

enum kind {
	T_STRING,
	T_BOOL,
	T_INT, /* an integer literal in [min, max] */
	T_ARRAY, /* of `elem` */
	T_MAP, /* an object whose every value is an `elem` */
	T_OBJECT, /* a Go struct: `fields` */
	T_ANY, /* interface{}: anything */
};

struct field;

struct type {
	enum kind kind;
	const char *what; /* "an array of strings": what an error says */
	int64_t min, max;
	const struct type *elem;
	const struct field *fields; /* ended by a NULL key */
};

struct field {
	const char *key;
	const struct type *type;
};

#define OBJECT(f) .kind = T_OBJECT, .what = "an object", .fields = (f)
#define ARRAY(w, e) .kind = T_ARRAY, .what = (w), .elem = (e)

static const struct type t_string = {.kind = T_STRING, .what = "a string"};
static const struct type t_bool = {.kind = T_BOOL, .what = "true or false"};
static const struct type t_any = {.kind = T_ANY, .what = "any value"};
/* Go's int and uint are 64 bits on every architecture runc supports. jansson
 * refuses to parse an integer above INT64_MAX, so a uint64 can only be
 * checked up to there; the message gives Go's range. */
static const struct type t_int64 = {
	.kind = T_INT,
	.what = "an integer in [-9223372036854775808, 9223372036854775807]",
	.min = INT64_MIN,
	.max = INT64_MAX,
};
static const struct type t_uint64 = {
	.kind = T_INT,
	.what = "an integer in [0, 18446744073709551615]",
	.min = 0,
	.max = INT64_MAX,
};
static const struct type t_uint32 = {
	.kind = T_INT,
	.what = "an integer in [0, 4294967295]",
	.min = 0,
	.max = UINT32_MAX,
};
static const struct type t_uint16 = {
	.kind = T_INT,
	.what = "an integer in [0, 65535]",
	.min = 0,
	.max = UINT16_MAX,
};
static const struct type t_strings = {ARRAY("an array of strings", &t_string)};
static const struct type t_uint32s = {ARRAY("an array of integers", &t_uint32)};
static const struct type t_string_map = {
	.kind = T_MAP,
	.what = "an object of strings",
	.elem = &t_string,
};

/* process */
static const struct field f_box[] = {
	{"height", &t_uint64},
	{"width", &t_uint64},
	{NULL, NULL},
};
static const struct type t_box = {OBJECT(f_box)};

static const struct field f_user[] = {
	{"uid", &t_uint32},	 {"gid", &t_uint32},
	{"umask", &t_uint32},	 {"additionalGids", &t_uint32s},
	{"username", &t_string}, {NULL, NULL},
};
static const struct type t_user = {OBJECT(f_user)};

static const struct field f_capabilities[] = {
	{"bounding", &t_strings},    {"effective", &t_strings},
	{"inheritable", &t_strings}, {"permitted", &t_strings},
	{"ambient", &t_strings},     {NULL, NULL},
};
static const struct type t_capabilities = {OBJECT(f_capabilities)};

static const struct field f_rlimit[] = {
	{"type", &t_string},
	{"hard", &t_uint64},
	{"soft", &t_uint64},
	{NULL, NULL},
};
static const struct type t_rlimit = {OBJECT(f_rlimit)};
static const struct type t_rlimits = {ARRAY("an array of objects", &t_rlimit)};

static const struct field f_process[] = {
	{"terminal", &t_bool},
	{"consoleSize", &t_box},
	{"user", &t_user},
	{"args", &t_strings},
	{"commandLine", &t_string},
	{"env", &t_strings},
	{"cwd", &t_string},
	{"capabilities", &t_capabilities},
	{"rlimits", &t_rlimits},
	{"noNewPrivileges", &t_bool},
	{"apparmorProfile", &t_string},
	{"oomScoreAdj", &t_int64},
	{"selinuxLabel", &t_string},
	{NULL, NULL},
};
static const struct type t_process = {OBJECT(f_process)};

/* root, mounts, hooks */
static const struct field f_root[] = {
	{"path", &t_string},
	{"readonly", &t_bool},
	{NULL, NULL},
};
static const struct type t_root = {OBJECT(f_root)};

static const struct field f_idmap[] = {
	{"containerID", &t_uint32},
	{"hostID", &t_uint32},
	{"size", &t_uint32},
	{NULL, NULL},
};
static const struct type t_idmap = {OBJECT(f_idmap)};
static const struct type t_idmaps = {ARRAY("an array of objects", &t_idmap)};

static const struct field f_mount[] = {
	{"destination", &t_string},
	{"type", &t_string},
	{"source", &t_string},
	{"options", &t_strings},
	{"uidMappings", &t_idmaps},
	{"gidMappings", &t_idmaps},
	{NULL, NULL},
};
static const struct type t_mount = {OBJECT(f_mount)};
static const struct type t_mounts = {ARRAY("an array of objects", &t_mount)};

static const struct field f_hook[] = {
	{"path", &t_string},   {"args", &t_strings}, {"env", &t_strings},
	{"timeout", &t_int64}, {NULL, NULL},
};
static const struct type t_hook = {OBJECT(f_hook)};
static const struct type t_hook_list = {ARRAY("an array of objects", &t_hook)};

/* Every stage runc runs; check_hooks() walks the same list. */
static const char *const hook_stages[] = {
	"prestart",	  "createRuntime", "createContainer",
	"startContainer", "poststart",	   "poststop",
};
static const struct field f_hooks[] = {
	{"prestart", &t_hook_list},
	{"createRuntime", &t_hook_list},
	{"createContainer", &t_hook_list},
	{"startContainer", &t_hook_list},
	{"poststart", &t_hook_list},
	{"poststop", &t_hook_list},
	{NULL, NULL},
};
static const struct type t_hooks = {OBJECT(f_hooks)};

/* linux.resources */
static const struct field f_device_rule[] = {
	{"allow", &t_bool},  {"type", &t_string},   {"major", &t_int64},
	{"minor", &t_int64}, {"access", &t_string}, {NULL, NULL},
};
static const struct type t_device_rule = {OBJECT(f_device_rule)};
static const struct type t_device_rules = {
	ARRAY("an array of objects", &t_device_rule)};

static const struct field f_memory[] = {
	{"limit", &t_int64},
	{"reservation", &t_int64},
	{"swap", &t_int64},
	{"kernel", &t_int64},
	{"kernelTCP", &t_int64},
	{"swappiness", &t_uint64},
	{"disableOOMKiller", &t_bool},
	{"useHierarchy", &t_bool},
	{"checkBeforeUpdate", &t_bool},
	{NULL, NULL},
};
static const struct type t_memory = {OBJECT(f_memory)};

static const struct field f_cpu[] = {
	{"shares", &t_uint64},
	{"quota", &t_int64},
	{"burst", &t_uint64},
	{"period", &t_uint64},
	{"realtimeRuntime", &t_int64},
	{"realtimePeriod", &t_uint64},
	{"cpus", &t_string},
	{"mems", &t_string},
	{"idle", &t_int64},
	{NULL, NULL},
};
static const struct type t_cpu = {OBJECT(f_cpu)};

static const struct field f_pids[] = {{"limit", &t_int64}, {NULL, NULL}};
static const struct type t_pids = {OBJECT(f_pids)};

/* Go embeds LinuxBlockIODevice, so major and minor sit beside the rest. */
static const struct field f_weight_device[] = {
	{"major", &t_int64},	   {"minor", &t_int64}, {"weight", &t_uint16},
	{"leafWeight", &t_uint16}, {NULL, NULL},
};
static const struct type t_weight_device = {OBJECT(f_weight_device)};
static const struct type t_weight_devices = {
	ARRAY("an array of objects", &t_weight_device)};

static const struct field f_throttle_device[] = {
	{"major", &t_int64},
	{"minor", &t_int64},
	{"rate", &t_uint64},
	{NULL, NULL},
};
static const struct type t_throttle_device = {OBJECT(f_throttle_device)};
static const struct type t_throttle_devices = {
	ARRAY("an array of objects", &t_throttle_device)};

static const struct field f_block_io[] = {
	{"weight", &t_uint16},
	{"leafWeight", &t_uint16},
	{"weightDevice", &t_weight_devices},
	{"throttleReadBpsDevice", &t_throttle_devices},
	{"throttleWriteBpsDevice", &t_throttle_devices},
	{"throttleReadIOPSDevice", &t_throttle_devices},
	{"throttleWriteIOPSDevice", &t_throttle_devices},
	{NULL, NULL},
};
static const struct type t_block_io = {OBJECT(f_block_io)};

static const struct field f_hugepage[] = {
	{"pageSize", &t_string},
	{"limit", &t_uint64},
	{NULL, NULL},
};
static const struct type t_hugepage = {OBJECT(f_hugepage)};
static const struct type t_hugepages = {
	ARRAY("an array of objects", &t_hugepage)};

static const struct field f_priority[] = {
	{"name", &t_string},
	{"priority", &t_uint32},
	{NULL, NULL},
};
static const struct type t_priority = {OBJECT(f_priority)};
static const struct type t_priorities = {
	ARRAY("an array of objects", &t_priority)};

static const struct field f_network[] = {
	{"classID", &t_uint32},
	{"priorities", &t_priorities},
	{NULL, NULL},
};
static const struct type t_network = {OBJECT(f_network)};

static const struct field f_rdma[] = {
	{"hcaHandles", &t_uint32},
	{"hcaObjects", &t_uint32},
	{NULL, NULL},
};
static const struct type t_rdma = {OBJECT(f_rdma)};
static const struct type t_rdma_map = {
	.kind = T_MAP,
	.what = "an object of objects",
	.elem = &t_rdma,
};

static const struct field f_resources[] = {
	{"devices", &t_device_rules},
	{"memory", &t_memory},
	{"cpu", &t_cpu},
	{"pids", &t_pids},
	{"blockIO", &t_block_io},
	{"hugepageLimits", &t_hugepages},
	{"network", &t_network},
	{"rdma", &t_rdma_map},
	{"unified", &t_string_map},
	{NULL, NULL},
};
static const struct type t_resources = {OBJECT(f_resources)};

/* linux */
static const struct field f_namespace[] = {
	{"type", &t_string},
	{"path", &t_string},
	{NULL, NULL},
};
static const struct type t_namespace = {OBJECT(f_namespace)};
static const struct type t_namespaces = {
	ARRAY("an array of objects", &t_namespace)};

/* Also z/OS's devices: the same Go fields. */
static const struct field f_device[] = {
	{"path", &t_string},	 {"type", &t_string},
	{"major", &t_int64},	 {"minor", &t_int64},
	{"fileMode", &t_uint32}, {"uid", &t_uint32},
	{"gid", &t_uint32},	 {NULL, NULL},
};
static const struct type t_device = {OBJECT(f_device)};
static const struct type t_devices = {ARRAY("an array of objects", &t_device)};

static const struct field f_seccomp_arg[] = {
	{"index", &t_uint64}, {"value", &t_uint64}, {"valueTwo", &t_uint64},
	{"op", &t_string},    {NULL, NULL},
};
static const struct type t_seccomp_arg = {OBJECT(f_seccomp_arg)};
static const struct type t_seccomp_args = {
	ARRAY("an array of objects", &t_seccomp_arg)};

static const struct field f_syscall[] = {
	{"names", &t_strings},
	{"action", &t_string},
	{"errnoRet", &t_uint64},
	{"args", &t_seccomp_args},
	{NULL, NULL},
};
static const struct type t_syscall = {OBJECT(f_syscall)};
static const struct type t_syscalls = {
	ARRAY("an array of objects", &t_syscall)};

static const struct field f_seccomp[] = {
	{"defaultAction", &t_string},  {"defaultErrnoRet", &t_uint64},
	{"architectures", &t_strings}, {"flags", &t_strings},
	{"listenerPath", &t_string},   {"listenerMetadata", &t_string},
	{"syscalls", &t_syscalls},     {NULL, NULL},
};
static const struct type t_seccomp = {OBJECT(f_seccomp)};

static const struct field f_intel_rdt[] = {
	{"closID", &t_string},	    {"l3CacheSchema", &t_string},
	{"memBwSchema", &t_string}, {"enableCMT", &t_bool},
	{"enableMBM", &t_bool},	    {NULL, NULL},
};
static const struct type t_intel_rdt = {OBJECT(f_intel_rdt)};

static const struct field f_personality[] = {
	{"domain", &t_string},
	{"flags", &t_strings},
	{NULL, NULL},
};
static const struct type t_personality = {OBJECT(f_personality)};

static const struct field f_linux[] = {
	{"uidMappings", &t_idmaps},
	{"gidMappings", &t_idmaps},
	{"sysctl", &t_string_map},
	{"resources", &t_resources},
	{"cgroupsPath", &t_string},
	{"namespaces", &t_namespaces},
	{"devices", &t_devices},
	{"seccomp", &t_seccomp},
	{"rootfsPropagation", &t_string},
	{"maskedPaths", &t_strings},
	{"readonlyPaths", &t_strings},
	{"mountLabel", &t_string},
	{"intelRdt", &t_intel_rdt},
	{"personality", &t_personality},
	{NULL, NULL},
};
static const struct type t_linux = {OBJECT(f_linux)};

/* The other platforms' sections: runc ignores them, but decodes them. */
static const struct field f_anet[] = {
	{"linkname", &t_string},       {"lowerLink", &t_string},
	{"allowedAddress", &t_string}, {"configureAllowedAddress", &t_string},
	{"defrouter", &t_string},      {"linkProtection", &t_string},
	{"macAddress", &t_string},     {NULL, NULL},
};
static const struct type t_anet = {OBJECT(f_anet)};
static const struct type t_anets = {ARRAY("an array of objects", &t_anet)};
static const struct field f_capped_cpu[] = {{"ncpus", &t_string}, {NULL, NULL}};
static const struct type t_capped_cpu = {OBJECT(f_capped_cpu)};
static const struct field f_capped_memory[] = {
	{"physical", &t_string},
	{"swap", &t_string},
	{NULL, NULL},
};
static const struct type t_capped_memory = {OBJECT(f_capped_memory)};
static const struct field f_solaris[] = {
	{"milestone", &t_string},
	{"limitpriv", &t_string},
	{"maxShmMemory", &t_string},
	{"anet", &t_anets},
	{"cappedCPU", &t_capped_cpu},
	{"cappedMemory", &t_capped_memory},
	{NULL, NULL},
};
static const struct type t_solaris = {OBJECT(f_solaris)};

static const struct field f_win_device[] = {
	{"id", &t_string},
	{"idType", &t_string},
	{NULL, NULL},
};
static const struct type t_win_device = {OBJECT(f_win_device)};
static const struct type t_win_devices = {
	ARRAY("an array of objects", &t_win_device)};
static const struct field f_win_memory[] = {{"limit", &t_uint64}, {NULL, NULL}};
static const struct type t_win_memory = {OBJECT(f_win_memory)};
static const struct field f_win_cpu[] = {
	{"count", &t_uint64},
	{"shares", &t_uint16},
	{"maximum", &t_uint16},
	{NULL, NULL},
};
static const struct type t_win_cpu = {OBJECT(f_win_cpu)};
static const struct field f_win_storage[] = {
	{"iops", &t_uint64},
	{"bps", &t_uint64},
	{"sandboxSize", &t_uint64},
	{NULL, NULL},
};
static const struct type t_win_storage = {OBJECT(f_win_storage)};
static const struct field f_win_resources[] = {
	{"memory", &t_win_memory},
	{"cpu", &t_win_cpu},
	{"storage", &t_win_storage},
	{NULL, NULL},
};
static const struct type t_win_resources = {OBJECT(f_win_resources)};
static const struct field f_hyperv[] = {{"utilityVMPath", &t_string},
					{NULL, NULL}};
static const struct type t_hyperv = {OBJECT(f_hyperv)};
static const struct field f_win_network[] = {
	{"endpointList", &t_strings},
	{"allowUnqualifiedDNSQuery", &t_bool},
	{"DNSSearchList", &t_strings},
	{"networkSharedContainerName", &t_string},
	{"networkNamespace", &t_string},
	{NULL, NULL},
};
static const struct type t_win_network = {OBJECT(f_win_network)};
static const struct field f_windows[] = {
	{"layerFolders", &t_strings},
	{"devices", &t_win_devices},
	{"resources", &t_win_resources},
	{"credentialSpec", &t_any},
	{"servicing", &t_bool},
	{"ignoreFlushesDuringBoot", &t_bool},
	{"hyperv", &t_hyperv},
	{"network", &t_win_network},
	{NULL, NULL},
};
static const struct type t_windows = {OBJECT(f_windows)};

static const struct field f_vm_hypervisor[] = {
	{"path", &t_string},
	{"parameters", &t_strings},
	{NULL, NULL},
};
static const struct type t_vm_hypervisor = {OBJECT(f_vm_hypervisor)};
static const struct field f_vm_kernel[] = {
	{"path", &t_string},
	{"parameters", &t_strings},
	{"initrd", &t_string},
	{NULL, NULL},
};
static const struct type t_vm_kernel = {OBJECT(f_vm_kernel)};
static const struct field f_vm_image[] = {
	{"path", &t_string},
	{"format", &t_string},
	{NULL, NULL},
};
static const struct type t_vm_image = {OBJECT(f_vm_image)};
static const struct field f_vm[] = {
	{"hypervisor", &t_vm_hypervisor},
	{"kernel", &t_vm_kernel},
	{"image", &t_vm_image},
	{NULL, NULL},
};
static const struct type t_vm = {OBJECT(f_vm)};

static const struct field f_zos[] = {{"devices", &t_devices}, {NULL, NULL}};
static const struct type t_zos = {OBJECT(f_zos)};

static const struct field f_spec[] = {
	{"ociVersion", &t_string}, {"process", &t_process},
	{"root", &t_root},	   {"hostname", &t_string},
	{"domainname", &t_string}, {"mounts", &t_mounts},
	{"hooks", &t_hooks},	   {"annotations", &t_string_map},
	{"linux", &t_linux},	   {"solaris", &t_solaris},
	{"windows", &t_windows},   {"vm", &t_vm},
	{"zos", &t_zos},	   {NULL, NULL},
};
static const struct type t_spec = {OBJECT(f_spec)};

/* --- reporting ------------------------------------------------------------ */

/* Where a value is, as a chain up to the root, so that a path is formatted
 * only for a report: the walk visits every field of every start. */
struct where {
	const struct where *up;
	const char *key; /* NULL: element `index` of an array */
	size_t index;
};

static struct where at_key(const struct where *up, const char *key)
{
	return (struct where){.up = up, .key = key};
}

static struct where at_index(const struct where *up, size_t index)
{
	return (struct where){.up = up, .index = index};
}

struct checker {
	const char *file;
	struct hs_error *err;
	int ret;
	unsigned namespaces; /* bit i: namespace_types[i] is requested */
};

/* A bounded, printable copy of a tenant's string for a message or a path:
 * an error is one line, whatever the spec holds. `size` is at least 8. */
static const char *printable(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';

		/* Room for this character, "..." and the NUL. */
		if (n + (plain ? 1 : 4) + 4 > size) {
			memcpy(buf + n, "...", 4);
			return buf;
		}
		if (plain)
			buf[n++] = (char)c;
		else
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
	}
	buf[n] = '\0';
	return buf;
}

static void format_where(const struct where *w, char *buf, size_t size)
{
	char up[HS_ERR_MSG_MAX], key[128];

	buf[0] = '\0';
	if (!w)
		return;
	format_where(w->up, up, sizeof(up));
	/* Truncation only shortens a message that stays one line. */
	if (w->key)
		(void)hs_json_path_key(buf, size, up,
				       printable(w->key, key, sizeof(key)));
	else
		(void)hs_json_path_index(buf, size, up, w->index);
}

static void report(struct checker *ck, const struct where *w, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

static void report(struct checker *ck, const struct where *w, const char *fmt,
		   ...)
{
	char path[HS_ERR_MSG_MAX], what[HS_ERR_MSG_MAX];
	va_list ap;

	format_where(w, path, sizeof(path));
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ck->ret = hs_json_err(ck->err, ck->file, path, "%s", what);
}

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number with a fraction or an exponent";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* --- 1. types ------------------------------------------------------------- */

static void check_value(struct checker *ck, const json_t *v,
			const struct type *t, const struct where *w);

static void check_object(struct checker *ck, const json_t *v,
			 const struct field *fields, const struct where *w)
{
	const struct field *f;

	for (f = fields; f->key; f++) {
		const json_t *child = json_object_get(v, f->key);
		const struct where at = at_key(w, f->key);

		if (child)
			check_value(ck, child, f->type, &at);
	}
}

static void check_value(struct checker *ck, const json_t *v,
			const struct type *t, const struct where *w)
{
	const char *key;
	json_t *child;
	size_t i;
	bool ok;

	if (json_is_null(v) || t->kind == T_ANY)
		return;
	switch (t->kind) {
	case T_STRING:
		ok = json_is_string(v);
		break;
	case T_BOOL:
		ok = json_is_boolean(v);
		break;
	case T_INT:
		if (json_is_integer(v) && (json_integer_value(v) < t->min ||
					   json_integer_value(v) > t->max)) {
			report(ck, w, "must be %s, not %lld " REFUSED, t->what,
			       (long long)json_integer_value(v));
			return;
		}
		ok = json_is_integer(v);
		break;
	case T_ARRAY:
		ok = json_is_array(v);
		break;
	default:
		ok = json_is_object(v);
		break;
	}
	if (!ok) {
		report(ck, w, "must be %s, not %s " REFUSED, t->what,
		       json_kind(v));
		return;
	}
	if (t->kind == T_OBJECT) {
		check_object(ck, v, t->fields, w);
	} else if (t->kind == T_ARRAY) {
		json_array_foreach (v, i, child) {
			const struct where at = at_index(w, i);

			check_value(ck, child, t->elem, &at);
		}
	} else if (t->kind == T_MAP) {
		json_object_foreach ((json_t *)v, key, child) {
			const struct where at = at_key(w, key);

			check_value(ck, child, t->elem, &at);
		}
	}
}

/* --- 2. what runc checks itself ------------------------------------------- */

/* Accessors for the rules below: a value of the wrong type was reported by
 * the walk, so here it reads as absent, and null as Go's zero value. */
static const json_t *get_object(const json_t *parent, const char *key)
{
	const json_t *v = json_object_get(parent, key);

	return json_is_object(v) ? v : NULL;
}

static const json_t *get_array(const json_t *parent, const char *key)
{
	const json_t *v = json_object_get(parent, key);

	return json_is_array(v) ? v : NULL;
}

static const char *get_string(const json_t *parent, const char *key)
{
	const char *s = json_string_value(json_object_get(parent, key));

	return s ? s : "";
}

/* True when `key` is absent or null: what Go leaves as its zero value. */
static bool is_unset(const json_t *parent, const char *key)
{
	const json_t *v = json_object_get(parent, key);

	return !v || json_is_null(v);
}

/* True when `key` is absent, null or "": what Go reads as an empty string.
 * False for a value of another type, which the walk reported. */
static bool is_empty(const json_t *parent, const char *key)
{
	const json_t *v = json_object_get(parent, key);

	return !v || json_is_null(v) ||
	       (json_is_string(v) && !*json_string_value(v));
}

/* A string element as Go reads it: null is "", another type NULL. */
static const char *element_string(const json_t *v)
{
	return json_is_null(v) ? "" : json_string_value(v);
}

/* A string field as Go reads it: absent or null is "", another type NULL. */
static const char *field_string(const json_t *parent, const char *key)
{
	const json_t *v = json_object_get(parent, key);

	return v ? element_string(v) : "";
}

/* An object element as Go reads it: null is the zero struct. */
static bool is_struct(const json_t *v)
{
	return json_is_object(v) || json_is_null(v);
}

static bool in_list(const char *const *list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* loadSpec() and validateProcessSpec() (spec.go, utils_linux.go): a
 * process with an absolute cwd and at least one argument. */
static void check_process(struct checker *ck, const json_t *spec,
			  const struct where *root)
{
	const struct where w = at_key(root, "process");
	const struct where w_cwd = at_key(&w, "cwd");
	const struct where w_args = at_key(&w, "args");
	const json_t *process = json_object_get(spec, "process");
	const json_t *args;

	if (is_unset(spec, "process")) {
		report(ck, &w, "required " REFUSED);
		return;
	}
	if (!json_is_object(process))
		return;
	if (is_empty(process, "cwd"))
		report(ck, &w_cwd, "required " REFUSED);
	else if (get_string(process, "cwd")[0] != '/' &&
		 json_is_string(json_object_get(process, "cwd")))
		report(ck, &w_cwd, "must be an absolute path " REFUSED);
	args = json_object_get(process, "args");
	if (is_unset(process, "args") ||
	    (json_is_array(args) && json_array_size(args) == 0))
		report(ck, &w_args, "must not be empty " REFUSED);
}

/* runc starts the process with ids that libcontainer/user checks against
 * [0, 2^31-1] ("uids and gids must be in range 0-2147483647"). */
#define ID_MAX 2147483647

static void check_id(struct checker *ck, const json_t *v, const struct where *w)
{
	/* Above UINT32_MAX, the walk has reported it already. */
	if (json_is_integer(v) && json_integer_value(v) > ID_MAX &&
	    json_integer_value(v) <= UINT32_MAX)
		report(ck, w, "must be at most %d " REFUSED, ID_MAX);
}

static void check_user(struct checker *ck, const json_t *process,
		       const struct where *w_process)
{
	const struct where w = at_key(w_process, "user");
	const struct where w_uid = at_key(&w, "uid");
	const struct where w_gid = at_key(&w, "gid");
	const struct where w_extra = at_key(&w, "additionalGids");
	const json_t *user = get_object(process, "user");
	const json_t *gid;
	size_t i;

	check_id(ck, json_object_get(user, "uid"), &w_uid);
	check_id(ck, json_object_get(user, "gid"), &w_gid);
	json_array_foreach (get_array(user, "additionalGids"), i, gid) {
		const struct where at = at_index(&w_extra, i);

		check_id(ck, gid, &at);
	}
}

/* The names strToRlimit() knows (utils_linux.go; rlimit_linux.go). */
static const char *const rlimit_types[] = {
	"RLIMIT_AS",	  "RLIMIT_CORE",     "RLIMIT_CPU",
	"RLIMIT_DATA",	  "RLIMIT_FSIZE",    "RLIMIT_LOCKS",
	"RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",
	"RLIMIT_NOFILE",  "RLIMIT_NPROC",    "RLIMIT_RSS",
	"RLIMIT_RTPRIO",  "RLIMIT_RTTIME",   "RLIMIT_SIGPENDING",
	"RLIMIT_STACK",
};

static void check_rlimits(struct checker *ck, const json_t *process,
			  const struct where *w_process)
{
	const struct where w = at_key(w_process, "rlimits");
	const json_t *rl;
	size_t i;

	json_array_foreach (get_array(process, "rlimits"), i, rl) {
		const struct where at = at_index(&w, i);
		const struct where w_type = at_key(&at, "type");
		const json_t *hard = json_object_get(rl, "hard");
		const json_t *soft = json_object_get(rl, "soft");
		const char *type = field_string(rl, "type");
		char buf[64];

		if (!is_struct(rl))
			continue;
		if (type &&
		    !in_list(rlimit_types, HS_ARRAY_SIZE(rlimit_types), type))
			report(ck, &w_type, "unknown rlimit \"%s\" " REFUSED,
			       printable(type, buf, sizeof(buf)));
		/* setrlimit(2) in runc init: EINVAL. */
		if (json_is_integer(soft) &&
		    (json_is_integer(hard) || is_unset(rl, "hard")) &&
		    json_integer_value(soft) > json_integer_value(hard))
			report(ck, &at,
			       "soft limit above the hard one " REFUSED);
	}
}

/* nsexec writes it to /proc/self/oom_score_adj, which takes
 * [-1000, 1000] (OOM_SCORE_ADJ_MIN, OOM_SCORE_ADJ_MAX). */
static void check_oom_score_adj(struct checker *ck, const json_t *process,
				const struct where *w_process)
{
	const struct where w = at_key(w_process, "oomScoreAdj");
	const json_t *v = json_object_get(process, "oomScoreAdj");

	if (json_is_integer(v) &&
	    (json_integer_value(v) < -1000 || json_integer_value(v) > 1000))
		report(ck, &w, "must be in [-1000, 1000] " REFUSED);
}

/* specconv: "root must be specified"; an empty path would make the bundle
 * directory itself the root filesystem, and runtime-spec requires one. */
static void check_root(struct checker *ck, const json_t *spec,
		       const struct where *top)
{
	const struct where w = at_key(top, "root");
	const struct where w_path = at_key(&w, "path");
	const json_t *root = json_object_get(spec, "root");

	if (is_unset(spec, "root"))
		report(ck, &w, "required " REFUSED);
	else if (json_is_object(root) && is_empty(root, "path"))
		report(ck, &w_path,
		       "must not be empty (runtime-spec requires it; runc "
		       "would take the bundle directory as the root)");
}

/* A hook without a path fails to start ("exec: no command"), and runc kills
 * a hook that outlives its timeout, which a timeout of 0 or less always is
 * (libcontainer/configs Command.Run). poststop failures are only logged by
 * runc, but runtime-spec requires a path there too. */
static void check_hooks(struct checker *ck, const json_t *spec,
			const struct where *top)
{
	const struct where w = at_key(top, "hooks");
	const json_t *hooks = get_object(spec, "hooks");
	size_t s, i;
	json_t *h;

	for (s = 0; s < HS_ARRAY_SIZE(hook_stages); s++) {
		const struct where w_stage = at_key(&w, hook_stages[s]);

		json_array_foreach (get_array(hooks, hook_stages[s]), i, h) {
			const struct where at = at_index(&w_stage, i);
			const struct where w_path = at_key(&at, "path");
			const struct where w_timeout = at_key(&at, "timeout");
			const json_t *timeout = json_object_get(h, "timeout");

			if (!is_struct(h))
				continue;
			if (is_empty(h, "path"))
				report(ck, &w_path, "required " REFUSED);
			if (json_is_integer(timeout) &&
			    json_integer_value(timeout) <= 0)
				report(ck, &w_timeout,
				       "must be greater than zero " REFUSED);
		}
	}
}

/* The namespaces specconv knows in runc 1.1 ("time" came in 1.2). */
static const char *const namespace_types[] = {
	"pid", "network", "mount", "user", "ipc", "uts", "cgroup",
};

/* Its bit in checker.namespaces, 0 for a type runc does not know. */
static unsigned namespace_bit(const char *type)
{
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(namespace_types); i++)
		if (strcmp(namespace_types[i], type) == 0)
			return 1u << i;
	return 0;
}

static bool has_namespace(const struct checker *ck, const char *type)
{
	return ck->namespaces & namespace_bit(type);
}

/* specconv CreateLibcontainerConfig(): "namespace %q does not exist" and
 * "malformed spec file: duplicated ns". Records the types for the rules
 * that depend on them: one pass, however long the list. */
static void check_namespaces(struct checker *ck, const json_t *lnx,
			     const struct where *w_linux)
{
	const struct where w = at_key(w_linux, "namespaces");
	const json_t *ns;
	size_t i;

	json_array_foreach (get_array(lnx, "namespaces"), i, ns) {
		const struct where at = at_index(&w, i);
		const struct where w_type = at_key(&at, "type");
		const char *type = field_string(ns, "type");
		unsigned bit;
		char buf[64];

		if (!is_struct(ns) || !type)
			continue;
		bit = namespace_bit(type);
		if (!bit)
			report(ck, &w_type,
			       "unknown namespace type \"%s\" " REFUSED,
			       printable(type, buf, sizeof(buf)));
		else if (ck->namespaces & bit)
			report(ck, &w_type,
			       "a second \"%s\" namespace " REFUSED, type);
		ck->namespaces |= bit;
	}
}

/* specconv: user namespaces need mappings, and HostRootUID()/GID() need
 * container id 0 mapped in both (configs/config_linux.go). A namespace
 * joined by path needs them too in runc 1.1. */
static bool maps_root(const json_t *maps)
{
	const json_t *m;
	size_t i;

	json_array_foreach (maps, i, m)
		if (json_integer_value(json_object_get(m, "containerID")) ==
			    0 &&
		    json_integer_value(json_object_get(m, "size")) > 0)
			return true;
	return false;
}

static void check_user_namespace(struct checker *ck, const json_t *lnx,
				 const struct where *w_linux)
{
	static const char *const keys[] = {"uidMappings", "gidMappings"};
	static const char *const ids[] = {"uid", "gid"};
	size_t i;

	if (!has_namespace(ck, "user"))
		return;
	for (i = 0; i < HS_ARRAY_SIZE(keys); i++) {
		const struct where w = at_key(w_linux, keys[i]);
		const json_t *maps = json_object_get(lnx, keys[i]);

		if (!json_is_array(maps) && !json_is_null(maps) && maps)
			continue;
		if (json_array_size(maps) == 0)
			report(ck, &w,
			       "required with a user namespace " REFUSED);
		else if (!maps_root(maps))
			report(ck, &w,
			       "maps no %s 0 into the user namespace " REFUSED,
			       ids[i]);
	}
}

/* mountPropagationMapping in specconv. */
static const char *const propagations[] = {
	"rprivate", "private", "rslave",      "slave",
	"rshared",  "shared",  "runbindable", "unbindable",
};

static void check_propagation(struct checker *ck, const json_t *lnx,
			      const struct where *w_linux)
{
	const struct where w = at_key(w_linux, "rootfsPropagation");
	const char *prop = get_string(lnx, "rootfsPropagation");
	char buf[64];

	if (*prop && !in_list(propagations, HS_ARRAY_SIZE(propagations), prop))
		report(ck, &w, "unknown propagation \"%s\" " REFUSED,
		       printable(prop, buf, sizeof(buf)));
}

/* validate.go: hostname needs a UTS namespace, masked and read-only paths
 * a mount namespace. Without `linux` there are no namespaces at all. */
static void check_needs_namespace(struct checker *ck, const json_t *spec,
				  const json_t *lnx, const struct where *top)
{
	static const char *const paths[] = {"maskedPaths", "readonlyPaths"};
	const struct where w_host = at_key(top, "hostname");
	const struct where w_linux = at_key(top, "linux");
	size_t i;

	if (*get_string(spec, "hostname") && !has_namespace(ck, "uts"))
		report(ck, &w_host, "needs a uts namespace " REFUSED);
	for (i = 0; i < HS_ARRAY_SIZE(paths); i++) {
		const struct where w = at_key(&w_linux, paths[i]);

		if (json_array_size(get_array(lnx, paths[i])) > 0 &&
		    !has_namespace(ck, "mount"))
			report(ck, &w, "needs a mount namespace " REFUSED);
	}
}

/* validate.go sysctl(): each sysctl must be one that the container's own
 * namespaces isolate. A "net." one in a network namespace joined by path is
 * accepted here: runc compares that path with its own namespace, which
 * needs the file system (and harden.c refuses the host's). */
static const char *const ipc_sysctls[] = {
	"kernel.msgmax", "kernel.msgmnb",	   "kernel.msgmni",
	"kernel.sem",	 "kernel.shmall",	   "kernel.shmmax",
	"kernel.shmmni", "kernel.shm_rmid_forced",
};

/* sysctl(8) also takes "/" for "."; runc swaps the two when the first
 * separator in the name is a "/" (convertSysctlVariableToDotsSeparator). */
static void sysctl_dotted(const char *name, char *buf, size_t size)
{
	size_t sep = strcspn(name, "./"), i;
	bool swap = name[sep] == '/';

	for (i = 0; name[i] && i + 1 < size; i++) {
		char c = name[i];

		if (swap && (c == '.' || c == '/'))
			c = c == '.' ? '/' : '.';
		buf[i] = c;
	}
	buf[i] = '\0';
}

static void check_sysctls(struct checker *ck, const json_t *lnx,
			  const struct where *w_linux)
{
	const struct where w = at_key(w_linux, "sysctl");
	const char *key;
	json_t *v;

	json_object_foreach ((json_t *)get_object(lnx, "sysctl"), key, v) {
		const struct where at = at_key(&w, key);
		char name[256];

		sysctl_dotted(key, name, sizeof(name));
		if (in_list(ipc_sysctls, HS_ARRAY_SIZE(ipc_sysctls), name) ||
		    strncmp(name, "fs.mqueue.", 10) == 0) {
			if (!has_namespace(ck, "ipc"))
				report(ck, &at,
				       "needs an ipc namespace " REFUSED);
		} else if (strncmp(name, "net.", 4) == 0) {
			if (!has_namespace(ck, "network"))
				report(ck, &at,
				       "needs a network namespace " REFUSED);
		} else if (strcmp(name, "kernel.domainname") == 0 &&
			   has_namespace(ck, "uts")) {
			continue;
		} else if (strcmp(name, "kernel.hostname") == 0 &&
			   has_namespace(ck, "uts")) {
			report(ck, &at, "conflicts with \"hostname\" " REFUSED);
		} else {
			report(ck, &at,
			       "not isolated by a namespace of the "
			       "container " REFUSED);
		}
	}
}

/* specconv createDevices() and CreateCgroupConfig(). */
static void check_devices(struct checker *ck, const json_t *lnx,
			  const struct where *w_linux)
{
	static const char *const node_types[] = {"p", "u", "c", "b"};
	static const char *const rule_types[] = {"", "a", "b", "c"};
	const struct where w_nodes = at_key(w_linux, "devices");
	const struct where w_res = at_key(w_linux, "resources");
	const struct where w_rules = at_key(&w_res, "devices");
	const json_t *d;
	size_t i;
	char buf[64];

	json_array_foreach (get_array(lnx, "devices"), i, d) {
		const struct where at = at_index(&w_nodes, i);
		const struct where w_type = at_key(&at, "type");
		const char *type = field_string(d, "type");

		if (is_struct(d) && type &&
		    !in_list(node_types, HS_ARRAY_SIZE(node_types), type))
			report(ck, &w_type,
			       "unknown device type \"%s\" " REFUSED,
			       printable(type, buf, sizeof(buf)));
	}
	json_array_foreach (get_array(get_object(lnx, "resources"), "devices"),
			    i, d) {
		const struct where at = at_index(&w_rules, i);
		const struct where w_type = at_key(&at, "type");
		const struct where w_access = at_key(&at, "access");
		const char *type = field_string(d, "type");

		if (!is_struct(d))
			continue;
		if (type &&
		    !in_list(rule_types, HS_ARRAY_SIZE(rule_types), type))
			report(ck, &w_type,
			       "unknown device type \"%s\" " REFUSED,
			       printable(type, buf, sizeof(buf)));
		if (is_empty(d, "access"))
			report(ck, &w_access, "required " REFUSED);
	}
}

/* libcontainer/seccomp/config.go in runc 1.1: its names for actions,
 * architectures and operators. */
static const char *const seccomp_actions[] = {
	"SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
	"SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",	   "SCMP_ACT_TRACE",
	"SCMP_ACT_ALLOW", "SCMP_ACT_LOG",	   "SCMP_ACT_NOTIFY",
};
static const char *const seccomp_arches[] = {
	"SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",      "SCMP_ARCH_X32",
	"SCMP_ARCH_ARM",      "SCMP_ARCH_AARCH64",     "SCMP_ARCH_MIPS",
	"SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",
	"SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",     "SCMP_ARCH_S390",
	"SCMP_ARCH_S390X",
};
static const char *const seccomp_ops[] = {
	"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",	    "SCMP_CMP_EQ",
	"SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

static void check_seccomp_name(struct checker *ck, const json_t *obj,
			       const char *key, const char *const *list,
			       size_t n, const char *what,
			       const struct where *w)
{
	const char *name = field_string(obj, key);
	char buf[64];

	if (name && !in_list(list, n, name))
		report(ck, w, "unknown %s \"%s\" " REFUSED, what,
		       printable(name, buf, sizeof(buf)));
}

static bool has_name(const json_t *names, const char *name)
{
	const json_t *v;
	size_t i;

	json_array_foreach (names, i, v)
		if (json_is_string(v) &&
		    strcmp(json_string_value(v), name) == 0)
			return true;
	return false;
}

/* One syscalls[] rule: runc converts its action, and then, once per name,
 * its arguments, which libseccomp limits to the six a syscall has. A
 * SCMP_ACT_NOTIFY rule needs a listener and may not catch write(2), which
 * runc itself needs to talk to it (seccomp_linux.go). */
static void check_syscall(struct checker *ck, const json_t *seccomp,
			  const json_t *rule, const struct where *w)
{
	const struct where w_action = at_key(w, "action");
	const struct where w_args = at_key(w, "args");
	const json_t *names = get_array(rule, "names");
	const json_t *arg;
	size_t i;

	check_seccomp_name(ck, rule, "action", seccomp_actions,
			   HS_ARRAY_SIZE(seccomp_actions), "action", &w_action);
	if (json_array_size(names) == 0)
		return;
	if (strcmp(get_string(rule, "action"), "SCMP_ACT_NOTIFY") == 0) {
		if (!*get_string(seccomp, "listenerPath"))
			report(ck, &w_action,
			       "SCMP_ACT_NOTIFY needs "
			       "seccomp.listenerPath " REFUSED);
		if (has_name(names, "write"))
			report(ck, &w_action,
			       "SCMP_ACT_NOTIFY for write " REFUSED);
	}
	json_array_foreach (get_array(rule, "args"), i, arg) {
		const struct where at = at_index(&w_args, i);
		const struct where w_op = at_key(&at, "op");
		const struct where w_index = at_key(&at, "index");

		if (!is_struct(arg))
			continue;
		check_seccomp_name(ck, arg, "op", seccomp_ops,
				   HS_ARRAY_SIZE(seccomp_ops), "operator",
				   &w_op);
		if (json_integer_value(json_object_get(arg, "index")) > 5)
			report(ck, &w_index, "must be at most 5 " REFUSED);
	}
}

/* specconv SetupSeccomp(): with no default action and no rules, seccomp
 * is off and nothing else is read. runc 1.1 takes no flags. */
static void check_seccomp(struct checker *ck, const json_t *lnx,
			  const struct where *w_linux)
{
	const struct where w = at_key(w_linux, "seccomp");
	const struct where w_default = at_key(&w, "defaultAction");
	const struct where w_flags = at_key(&w, "flags");
	const struct where w_arches = at_key(&w, "architectures");
	const struct where w_rules = at_key(&w, "syscalls");
	const json_t *seccomp = get_object(lnx, "seccomp");
	const json_t *rules = get_array(seccomp, "syscalls");
	const json_t *v;
	size_t i;

	if (!seccomp || (!*get_string(seccomp, "defaultAction") &&
			 json_array_size(rules) == 0))
		return;
	if (json_array_size(get_array(seccomp, "flags")) > 0)
		report(ck, &w_flags,
		       "runc 1.1 takes no seccomp flags " REFUSED);
	json_array_foreach (get_array(seccomp, "architectures"), i, v) {
		const struct where at = at_index(&w_arches, i);
		const char *arch = element_string(v);
		char buf[64];

		if (arch && !in_list(seccomp_arches,
				     HS_ARRAY_SIZE(seccomp_arches), arch))
			report(ck, &at, "unknown architecture \"%s\" " REFUSED,
			       printable(arch, buf, sizeof(buf)));
	}
	check_seccomp_name(ck, seccomp, "defaultAction", seccomp_actions,
			   HS_ARRAY_SIZE(seccomp_actions), "action",
			   &w_default);
	if (strcmp(get_string(seccomp, "defaultAction"), "SCMP_ACT_NOTIFY") ==
	    0)
		report(ck, &w_default,
		       "SCMP_ACT_NOTIFY as the default action " REFUSED);
	json_array_foreach (rules, i, v) {
		const struct where at = at_index(&w_rules, i);

		if (is_struct(v))
			check_syscall(ck, seccomp, v, &at);
	}
}

static void check_runc_rules(struct checker *ck, const json_t *spec)
{
	const struct where w_linux = at_key(NULL, "linux");
	const struct where w_process = at_key(NULL, "process");
	const json_t *process = get_object(spec, "process");
	const json_t *lnx = get_object(spec, "linux");

	check_process(ck, spec, NULL);
	check_user(ck, process, &w_process);
	check_rlimits(ck, process, &w_process);
	check_oom_score_adj(ck, process, &w_process);
	check_root(ck, spec, NULL);
	check_hooks(ck, spec, NULL);
	/* A `linux` of the wrong type was reported; its namespaces unknown. */
	if (!lnx && !is_unset(spec, "linux"))
		return;
	check_namespaces(ck, lnx, &w_linux);
	check_needs_namespace(ck, spec, lnx, NULL);
	check_user_namespace(ck, lnx, &w_linux);
	check_propagation(ck, lnx, &w_linux);
	check_sysctls(ck, lnx, &w_linux);
	check_devices(ck, lnx, &w_linux);
	check_seccomp(ck, lnx, &w_linux);
}

int hs_spec_check_types(const json_t *spec, const char *file,
			struct hs_error *err)
{
	struct checker ck = {.file = file, .err = err, .ret = 0};

	if (!json_is_object(spec))
		return hs_json_err(err, file, "", "must be a JSON object");
	check_value(&ck, spec, &t_spec, NULL);
	check_runc_rules(&ck, spec);
	return ck.ret;
}

int hs_spec_check_process_types(const json_t *process, const char *file,
				struct hs_error *err)
{
	struct checker ck = {.file = file, .err = err, .ret = 0};

	if (!json_is_object(process))
		return hs_json_err(err, file, "", "must be a JSON object");
	check_value(&ck, process, &t_process, NULL);
	return ck.ret;
}
