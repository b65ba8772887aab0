/* The profile's rules that send the escape syscalls to the monitor; see
 * hs_monitor_add_notify in hs_monitor.h.
 *
 * Only what the profile already denies with EPERM, unconditionally, moves:
 * the container sees the same EPERM whether the filter or the monitor
 * answers (and ENOSYS, still a refusal, once the monitor's listener fd has
 * closed).
 *
 * One more rule keeps that true. A notification ranks below ERRNO among
 * seccomp's actions, and between two filters returning the same action
 * the newest wins; so a container allowed seccomp(2) could, once the
 * monitor's listener has closed (the kernel refuses a second listener
 * only while the first is open), install its own filter with a listener
 * of its own, catch unshare or mount first, and answer "continue". The
 * profile's allowance of seccomp(2) is therefore narrowed to calls
 * without SECCOMP_FILTER_FLAG_NEW_LISTENER: a container under a monitored
 * filter can add filters, never listeners. */
#include <errno.h>
#include <string.h>

#include <linux/seccomp.h>

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

/* An action that refuses the call. */
static bool denies(const char *action)
{
	static const char *const refusing[] = {
		"SCMP_ACT_ERRNO",	 "SCMP_ACT_KILL",
		"SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
		"SCMP_ACT_TRAP",	 NULL,
	};
	size_t i;

	for (i = 0; action && refusing[i]; i++)
		if (strcmp(action, refusing[i]) == 0)
			return true;
	return false;
}

static json_t *new_listener_rule(const char *action, uint64_t datum)
{
	json_t *rule = json_pack(
		"{s[s] ss s[{si sI sI ss}]}", "names", "seccomp", "action",
		action, "args", "index", 1, "value",
		(json_int_t)SECCOMP_FILTER_FLAG_NEW_LISTENER, "valueTwo",
		(json_int_t)datum, "op", "SCMP_CMP_MASKED_EQ");

	if (rule && strcmp(action, EPERM_ACTION) == 0)
		json_object_set_new(rule, "errnoRet", json_integer(EPERM));
	return rule;
}

/* Narrows the profile's allowance of seccomp(2), see the top. An
 * unconditional rule allowing it (or the default, when no rule names it)
 * becomes the same action for calls without NEW_LISTENER and EPERM for
 * calls with it. A rule that decides seccomp(2) by its arguments is not
 * rewritten: the caller then sends nothing to the monitor. */
static int guard_listeners(json_t *seccomp, json_t *syscalls, bool *ret_ok)
{
	const char *allow = NULL, *action;
	bool named = false;
	json_t *rule, *name;
	size_t i, j;

	*ret_ok = false;
	json_array_foreach (syscalls, i, rule) {
		json_t *names = json_object_get(rule, "names");

		json_array_foreach (names, j, name) {
			if (!json_is_string(name) ||
			    strcmp(json_string_value(name), "seccomp") != 0)
				continue;
			if (json_array_size(json_object_get(rule, "args")) > 0)
				return 0;
			named = true;
			action = json_string_value(
				json_object_get(rule, "action"));
			if (!denies(action)) {
				allow = action;
				json_array_remove(names, j);
			}
			break;
		}
	}
	if (!named) {
		action = json_string_value(
			json_object_get(seccomp, "defaultAction"));
		if (!denies(action))
			allow = action;
	}
	*ret_ok = true;
	if (!allow)
		return 0;
	if (json_array_append_new(syscalls, new_listener_rule(allow, 0)) < 0 ||
	    json_array_append_new(
		    syscalls,
		    new_listener_rule(EPERM_ACTION,
				      SECCOMP_FILTER_FLAG_NEW_LISTENER)) < 0)
		return -1;
	return 0;
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
	bool default_eperm, ok;
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
	if (guard_listeners(seccomp, syscalls, &ok) < 0)
		return hs_err(err, ENOMEM, "out of memory");
	if (!ok)
		return 0; /* seccomp(2) by its arguments: nothing moves */
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
