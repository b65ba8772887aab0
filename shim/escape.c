/* The escape syscalls; see hs_escape.h. */
#include <string.h>

#include "hs_escape.h"

const char *const hs_escape_syscalls[] = {
	/* namespaces */
	"unshare",
	"setns",
	/* mounts, and the new mount API */
	"mount",
	"umount",
	"umount2",
	"pivot_root",
	"chroot",
	"open_tree",
	"move_mount",
	"fsopen",
	"fsconfig",
	"fsmount",
	"fspick",
	"mount_setattr",
	/* other processes */
	"ptrace",
	"process_vm_readv",
	"process_vm_writev",
	"kcmp",
	"pidfd_getfd",
	/* the kernel's programmable and privileged interfaces */
	"bpf",
	"perf_event_open",
	"userfaultfd",
	"lookup_dcookie",
	"syslog",
	"acct",
	"quotactl",
	"quotactl_fd",
	"nfsservctl",
	"open_by_handle_at",
	"name_to_handle_at",
	/* keyrings */
	"keyctl",
	"add_key",
	"request_key",
	/* modules, kexec, reboot, swap */
	"init_module",
	"finit_module",
	"delete_module",
	"create_module",
	"kexec_load",
	"kexec_file_load",
	"reboot",
	"swapon",
	"swapoff",
	/* clocks */
	"settimeofday",
	"clock_settime",
	"clock_adjtime",
	"adjtimex",
	"stime",
	/* raw I/O ports, vm86 */
	"iopl",
	"ioperm",
	"vm86",
	"vm86old",
	NULL,
};

bool hs_escape_syscall(const char *name)
{
	size_t i;

	for (i = 0; hs_escape_syscalls[i]; i++)
		if (strcmp(hs_escape_syscalls[i], name) == 0)
			return true;
	return false;
}
