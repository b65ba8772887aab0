/* Namespaces: the container's own, or those of its own pod's sandbox.
 *
 * A namespace given by path is how a container joins another process's.
 * Every tenant runs as the same uid, so sharing another pod's pid or ipc
 * namespace would let one tenant read and signal another's processes. A
 * path is therefore accepted only when it is:
 *   - the same namespace (device and inode) as the one the container's own
 *     pod sandbox runs in, where the sandbox is found by the engine's
 *     sandbox id in the runtime's own state (never by the path's name), is
 *     alive with the start time runc recorded, is labelled a sandbox, and
 *     belongs to the same Kubernetes namespace; or
 *   - for a container that is not a pod's app container, a persistent
 *     network namespace (an nsfs mount) in a netns directory of the config:
 *     CNI and podman create one per pod there before the first container.
 * The host's namespaces are refused in any case, and a missing namespace
 * is refused where the policy requires the container to have its own. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hs_cleanup.h"
#include "hs_path.h"
#include "spec_internal.h"

#define RUNC_DEFAULT_ROOT "/run/runc"

/* OCI namespace types, their /proc/PID/ns names, and what a pod spec
 * calls sharing the host's, for the user. */
static const struct {
	const char *oci;
	const char *proc;
	enum hs_ns bit;
	const char *user_words;
} namespaces[] = {
	{"pid", "pid", HS_NS_PID, "host PID (hostPID: true)"},
	{"network", "net", HS_NS_NETWORK, "host network (hostNetwork: true)"},
	{"mount", "mnt", HS_NS_MOUNT, "host mount namespace"},
	{"ipc", "ipc", HS_NS_IPC, "host IPC (hostIPC: true)"},
	{"uts", "uts", HS_NS_UTS, "host UTS (the host's hostname)"},
	{"user", "user", HS_NS_USER, "host user namespace"},
	{"cgroup", "cgroup", HS_NS_CGROUP, "host cgroup namespace"},
};

static bool same_file(const struct stat *a, const char *b)
{
	struct stat sb;

	return stat(b, &sb) == 0 && a->st_dev == sb.st_dev &&
	       a->st_ino == sb.st_ino;
}

/* Compared with the namespaces of pid 1 and of hardshim itself, which the
 * engine starts in the host's namespaces. */
static bool is_host_namespace(const char *proc_name, const struct stat *ns)
{
	char self[64], init[64];

	snprintf(self, sizeof(self), "/proc/self/ns/%s", proc_name);
	snprintf(init, sizeof(init), "/proc/1/ns/%s", proc_name);
	return same_file(ns, self) || same_file(ns, init);
}

/* Field 22 of /proc/PID/stat: the start time runc records as
 * init_process_start. The command name (field 2) may hold spaces and
 * parentheses, so fields are counted after its last ')'. */
static int proc_start_time(int pid, unsigned long long *ret)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	char *p;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -1;
	errno = 0;
	*ret = strtoull(p + 1, NULL, 10);
	return errno ? -1 : 0;
}

static bool has_label(const json_t *labels, const char *label)
{
	size_t i;
	json_t *l;

	json_array_foreach (labels, i, l)
		if (json_is_string(l) &&
		    strcmp(json_string_value(l), label) == 0)
			return true;
	return false;
}

/* The namespace of type `proc_name` that the pod's sandbox runs in, as
 * dev/ino, from the runtime's state of the sandbox. */
static int sandbox_namespace(const struct hs_harden_ctx *ctx,
			     const struct hs_spec_pod *pod,
			     const char *proc_name, struct stat *ret,
			     struct hs_error *err)
{
	const char *root =
		ctx->runtime_root ? ctx->runtime_root : RUNC_DEFAULT_ROOT;
	_cleanup_close_ int rootfd = -1, sfd = -1, pidfd = -1;
	_cleanup_json_ json_t *state = NULL;
	const json_t *labels;
	char path[64], ns_label[HS_PATH_MAX];
	unsigned long long start = 0;
	struct pollfd pfd;
	json_int_t pid, want_start;

	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd >= 0)
		sfd = openat(rootfd, pod->sandbox,
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (sfd < 0)
		return hs_err(err, ENOENT,
			      "its pod sandbox \"%s\" is not a container of "
			      "the runtime (root %s)",
			      pod->sandbox, root);
	state = hs_json_load_at(sfd, "state.json", "sandbox state.json",
				HS_CONFIG_JSON_MAX_BYTES, err);
	if (!state)
		return -1;
	labels = json_object_get(json_object_get(state, "config"), "labels");
	if (hs_snprintf(ns_label, sizeof(ns_label), "%s=%s", pod->namespace_key,
			pod->namespace ? pod->namespace : "") < 0)
		return hs_err(err, ENAMETOOLONG, "namespace name too long");
	if (!has_label(labels, pod->type_label))
		return hs_err(err, EPERM, "container \"%s\" is not a sandbox",
			      pod->sandbox);
	if (!has_label(labels, ns_label))
		return hs_err(err, EPERM,
			      "sandbox \"%s\" belongs to another Kubernetes "
			      "namespace",
			      pod->sandbox);
	pid = json_integer_value(json_object_get(state, "init_process_pid"));
	want_start = json_integer_value(
		json_object_get(state, "init_process_start"));
	if (pid <= 0 || pid > INT_MAX)
		return hs_err(err, ESRCH, "sandbox \"%s\" has no process",
			      pod->sandbox);
	/* The pidfd pins the process: if it is still alive after the
	 * namespace was looked at, /proc/PID was this very process. */
	pidfd = (int)syscall(SYS_pidfd_open, (int)pid, 0);
	if (pidfd < 0 || proc_start_time((int)pid, &start) < 0 ||
	    start != (unsigned long long)want_start)
		return hs_err(err, ESRCH, "sandbox \"%s\" is not running",
			      pod->sandbox);
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, proc_name);
	if (stat(path, ret) < 0)
		return hs_err(err, errno, "sandbox \"%s\": %s: %s",
			      pod->sandbox, path, strerror(errno));
	pfd = (struct pollfd){.fd = pidfd, .events = POLLIN};
	if (poll(&pfd, 1, 0) != 0)
		return hs_err(err, ESRCH, "sandbox \"%s\" exited",
			      pod->sandbox);
	return 0;
}

/* A persistent network namespace: an nsfs mount in a netns directory. */
static bool is_pod_netns(const struct hs_config *cfg, const char *path)
{
	char real[PATH_MAX];
	struct statfs fs;
	size_t i;

	if (!realpath(path, real) || statfs(real, &fs) < 0 ||
	    fs.f_type != NSFS_MAGIC)
		return false;
	for (i = 0; i < cfg->n_netns_dirs; i++) {
		char dir[PATH_MAX];

		/* /var/run is usually a link to /run: compare resolved. */
		if (realpath(cfg->netns_dirs[i], dir) &&
		    hs_path_is_beneath(real, dir) && strcmp(real, dir) != 0)
			return true;
	}
	return false;
}

static int check_joined(const struct hs_policy *policy,
			const struct hs_harden_ctx *ctx,
			const struct hs_spec_pod *pod, size_t j,
			const char *path, const struct stat *ns,
			const char *file, const char *p, struct hs_error *err)
{
	struct stat want;
	struct hs_error why = {0};

	if (is_host_namespace(namespaces[j].proc, ns)) {
		if (policy->host_ns & namespaces[j].bit)
			return 0;
		return hs_json_err(err, file, p,
				   "%s: \"%s\" is the host's %s namespace, "
				   "refused",
				   namespaces[j].user_words, path,
				   namespaces[j].oci);
	}
	if (pod->sandbox && !pod->is_sandbox) {
		if (sandbox_namespace(ctx, pod, namespaces[j].proc, &want,
				      &why) < 0)
			return hs_json_err(err, file, p,
					   "joins the %s namespace \"%s\", but "
					   "%s, refused",
					   namespaces[j].oci, path, why.msg);
		if (want.st_dev != ns->st_dev || want.st_ino != ns->st_ino)
			return hs_json_err(err, file, p,
					   "joins the %s namespace \"%s\", "
					   "which is not its pod sandbox "
					   "\"%s\"'s, refused",
					   namespaces[j].oci, path,
					   pod->sandbox);
		return 0;
	}
	if (namespaces[j].bit == HS_NS_NETWORK && is_pod_netns(ctx->cfg, path))
		return 0;
	return hs_json_err(err, file, p,
			   "joins the %s namespace \"%s\", which is neither "
			   "its own nor its pod sandbox's, refused",
			   namespaces[j].oci, path);
}

int hs_spec_check_namespaces(const json_t *lnx, const struct hs_policy *policy,
			     const struct hs_harden_ctx *ctx,
			     const struct hs_spec_pod *pod, const char *file,
			     struct hs_error *err)
{
	const json_t *list = json_object_get(lnx, "namespaces");
	uint32_t seen = 0, required;
	size_t i, j;
	json_t *ns;
	int ret = 0;

	json_array_foreach (list, i, ns) {
		char p[64];
		const char *type, *path;
		struct stat st;

		hs_json_path_index(p, sizeof(p), "linux.namespaces", i);
		type = json_string_value(json_object_get(ns, "type"));
		path = json_string_value(json_object_get(ns, "path"));
		for (j = 0; type && j < HS_ARRAY_SIZE(namespaces); j++)
			if (strcmp(namespaces[j].oci, type) == 0)
				break;
		if (!type || j == HS_ARRAY_SIZE(namespaces)) {
			ret = hs_json_err(err, file, p,
					  "namespace type \"%s\" is not one "
					  "hardshim knows, refused",
					  type ? type : "");
			continue;
		}
		if (path && *path && stat(path, &st) < 0) {
			/* runc could not join it either; say why here. */
			ret = hs_json_err(err, file, p,
					  "namespace path \"%s\": %s, refused",
					  path, strerror(errno));
			continue;
		}
		if (path && *path &&
		    check_joined(policy, ctx, pod, j, path, &st, file, p, err) <
			    0) {
			ret = -1;
			continue;
		}
		seen |= namespaces[j].bit;
	}
	/* A network policy is installed in the container's own namespace;
	 * with the host's, there would be nothing to install it in. */
	required =
		policy->required_ns | (policy->has_network ? HS_NS_NETWORK : 0);
	required &= ~policy->host_ns;
	for (j = 0; j < HS_ARRAY_SIZE(namespaces); j++)
		if ((required & namespaces[j].bit) &&
		    !(seen & namespaces[j].bit))
			ret = hs_json_err(err, file, "linux.namespaces",
					  "%s: no %s namespace of its own: "
					  "the host's would be shared, refused",
					  namespaces[j].user_words,
					  namespaces[j].oci);
	return ret;
}
