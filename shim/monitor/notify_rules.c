/* The profile's rules that send the escape syscalls to the monitor; see
 * hs_monitor_add_notify in hs_monitor.h.
 *
 * Only what the profile already denies with EPERM, unconditionally, moves:
 * the container sees the same EPERM whether the filter or the monitor
 * answers (and ENOSYS, still a refusal, if the monitor has gone), so
 * sending a syscall to the monitor never widens the profile. */
#include <errno.h>
#include <string.h>

#include "hs_escape.h"
#include "hs_monitor.h"

#define EPERM_ACTION "SCMP_ACT_ERRNO"

/* An ERRNO action whose errno is EPERM (no errnoRet means EPERM). */
static bool denies_eperm(const char *action, const json_t *errno_ret)
{
	if (!action || strcmp(action, EPERM_ACTION) != 0)
		return false;
	return !errno_ret || (json_is_integer(errno_ret) &&
			      json_integer_value(errno_ret) == EPERM);
}

enum fate { UNSEEN, MOVABLE, KEPT };

/* What the profile's rules do with each escape syscall: fate[k] for
 * hs_escape_syscalls[k]. One rule that does anything but deny with EPERM,
 * unconditionally, keeps the syscall where it is. */
static void classify(const json_t *syscalls, enum fate *fate)
{
	const json_t *rule, *name;
	size_t i, j;

	json_array_foreach (syscalls, i, rule) {
		const json_t *args = json_object_get(rule, "args");
		bool plain = json_array_size(args) == 0 &&
			     denies_eperm(json_string_value(json_object_get(
						  rule, "action")),
					  json_object_get(rule, "errnoRet"));

		json_array_foreach (json_object_get(rule, "names"), j, name) {
			const char *n = json_string_value(name);
			size_t k;

			for (k = 0; n && hs_escape_syscalls[k]; k++)
				if (strcmp(hs_escape_syscalls[k], n) == 0)
					fate[k] = plain && fate[k] != KEPT
							  ? MOVABLE
							  : KEPT;
		}
	}
}

/* Removes the names that move from their ERRNO rules, and rules left with
 * no name. */
static void remove_moved(json_t *syscalls, const json_t *moved)
{
	json_t *rule, *names;
	size_t i, j, k;

	for (i = json_array_size(syscalls); i-- > 0;) {
		rule = json_array_get(syscalls, i);
		names = json_object_get(rule, "names");
		for (j = json_array_size(names); j-- > 0;) {
			const char *n =
				json_string_value(json_array_get(names, j));

			for (k = 0; n && k < json_array_size(moved); k++)
				if (strcmp(json_string_value(
						   json_array_get(moved, k)),
					   n) == 0) {
					json_array_remove(names, j);
					break;
				}
		}
		if (json_is_array(names) && json_array_size(names) == 0)
			json_array_remove(syscalls, i);
	}
}

int hs_monitor_add_notify(json_t *seccomp, const char *socket, size_t *ret_n,
			  struct hs_error *err)
{
	enum fate fate[128] = {UNSEEN};
	json_t *syscalls = json_object_get(seccomp, "syscalls");
	_cleanup_json_ json_t *moved = json_array();
	bool default_eperm;
	size_t k;

	*ret_n = 0;
	if (!moved)
		return hs_err(err, ENOMEM, "out of memory");
	for (k = 0; hs_escape_syscalls[k]; k++)
		if (k >= sizeof(fate) / sizeof(fate[0]))
			return hs_err(err, E2BIG, "too many escape syscalls");
	default_eperm = denies_eperm(
		json_string_value(json_object_get(seccomp, "defaultAction")),
		json_object_get(seccomp, "defaultErrnoRet"));
	if (json_is_array(syscalls))
		classify(syscalls, fate);
	for (k = 0; hs_escape_syscalls[k]; k++) {
		if (fate[k] == MOVABLE || (fate[k] == UNSEEN && default_eperm))
			json_array_append_new(
				moved, json_string(hs_escape_syscalls[k]));
	}
	if (json_array_size(moved) == 0)
		return 0;
	if (!json_is_array(syscalls)) {
		syscalls = json_array();
		json_object_set_new(seccomp, "syscalls", syscalls);
	}
	remove_moved(syscalls, moved);
	if (json_array_append_new(syscalls,
				  json_pack("{sO ss}", "names", moved, "action",
					    "SCMP_ACT_NOTIFY")) < 0 ||
	    json_object_set_new(seccomp, "listenerPath", json_string(socket)) <
		    0)
		return hs_err(err, ENOMEM, "out of memory");
	*ret_n = json_array_size(moved);
	return 0;
}
