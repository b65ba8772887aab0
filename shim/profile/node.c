/* The node a profile is resolved for: Docker's name for its architecture,
 * the OCI name libseccomp knows it by, and the kernel version that
 * includes/excludes.minKernel is compared with. See hs_profile_node_ctx in
 * hs_profile.h. Apart from resolve.c, which stays pure, because
 * this asks the running kernel (uname). */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "hs_cleanup.h"
#include "hs_profile.h"

/* uname's machine -> Docker's architecture name (moby's goToNative value
 * for the GOARCH a Docker built for this machine has) -> OCI name. */
struct machine {
	const char *machine, *goarch, *native;
};

static const struct machine machines[] = {
	{"x86_64", "amd64", "SCMP_ARCH_X86_64"},
	{"i386", "x86", "SCMP_ARCH_X86"},
	{"i486", "x86", "SCMP_ARCH_X86"},
	{"i586", "x86", "SCMP_ARCH_X86"},
	{"i686", "x86", "SCMP_ARCH_X86"},
	{"aarch64", "arm64", "SCMP_ARCH_AARCH64"},
	{"arm64", "arm64", "SCMP_ARCH_AARCH64"},
	{"armv6l", "arm", "SCMP_ARCH_ARM"},
	{"armv7l", "arm", "SCMP_ARCH_ARM"},
	{"armv8l", "arm", "SCMP_ARCH_ARM"},
	{"ppc64le", "ppc64le", "SCMP_ARCH_PPC64LE"},
	{"ppc64", "ppc64", "SCMP_ARCH_PPC64"},
	{"ppc", "ppc", "SCMP_ARCH_PPC"},
	{"s390x", "s390x", "SCMP_ARCH_S390X"},
	{"s390", "s390", "SCMP_ARCH_S390"},
	{"riscv64", "riscv64", "SCMP_ARCH_RISCV64"},
	{"loongarch64", "loongarch64", "SCMP_ARCH_LOONGARCH64"},
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	{"mips64", "mipsel64", "SCMP_ARCH_MIPSEL64"},
#else
	{"mips64", "mips64", "SCMP_ARCH_MIPS64"},
#endif
};

/* "6.1.0-18-amd64", "3.12-1-amd64": the first two numbers, as moby's
 * parseRelease reads them. */
static int parse_release(const char *s, unsigned *ret_major,
			 unsigned *ret_minor)
{
	unsigned v[2] = {0, 0};
	int part;

	for (part = 0; part < 2; part++) {
		int digits = 0;

		for (; *s >= '0' && *s <= '9'; s++) {
			if (++digits > 6)
				return -1;
			v[part] = v[part] * 10 + (unsigned)(*s - '0');
		}
		if (digits == 0 || (part == 0 && *s++ != '.'))
			return -1;
	}
	*ret_major = v[0];
	*ret_minor = v[1];
	return 0;
}

int hs_profile_node_ctx(struct hs_resolve_ctx *ctx, struct hs_error *err)
{
	struct utsname u;
	unsigned major, minor;
	size_t i;

	if (uname(&u) < 0)
		return hs_err(err, errno, "uname: %s", strerror(errno));
	if (parse_release(u.release, &major, &minor) < 0)
		return hs_err(err, EINVAL,
			      "cannot parse the kernel release \"%s\"",
			      u.release);
	for (i = 0; i < HS_ARRAY_SIZE(machines); i++)
		if (strcmp(machines[i].machine, u.machine) == 0)
			break;
	if (i == HS_ARRAY_SIZE(machines))
		return hs_err(err, ENOTSUP,
			      "machine \"%s\" has no Docker architecture name",
			      u.machine);
	ctx->goarch = machines[i].goarch;
	ctx->native_arch = machines[i].native;
	ctx->kernel_major = major;
	ctx->kernel_minor = minor;
	return 0;
}
