/* Every limit on input that a tenant or policy author controls, in one place.
 * An error for exceeding one names the limit (STYLE.md: "enforce limits on
 * every user-controllable resource"). */
#ifndef HS_LIMITS_H
#define HS_LIMITS_H

/* A table, aligned by hand: clang-format would wrap its comments. */
/* clang-format off */

/* File sizes, checked with fstat before anything is read. */
#define HS_CONFIG_JSON_MAX_BYTES (4u * 1024 * 1024) /* a bundle's config.json */
#define HS_POLICY_MAX_BYTES (1u * 1024 * 1024)      /* any file under policies/ */
#define HS_STATE_MAX_BYTES (64u * 1024)             /* OCI state on a hook's stdin */
#define HS_PROCESS_JSON_MAX_BYTES (1u * 1024 * 1024) /* runc exec --process */

/* Seccomp profiles. */
#define HS_PROFILE_MAX_RULES 1024        /* syscalls[] entries */
#define HS_PROFILE_MAX_NAMES 1024        /* names[] in one rule */
#define HS_PROFILE_MAX_ARGS 6            /* the kernel passes six arguments */
#define HS_PROFILE_MAX_ARCHES 16         /* architectures[] and archMap[] */
#define HS_PROFILE_MAX_EXTENDS_DEPTH 4   /* extends chain, cycles included */
#define HS_PROFILE_MAX_FLAGS 8
/* caps[] and arches[] of one includes/excludes object: the kernel has
 * about 41 capabilities and Docker knows 17 architectures. */
#define HS_PROFILE_MAX_FILTER_ENTRIES 64
#define HS_SYSCALL_NAME_MAX 64

/* Network policies. */
#define HS_NETPOL_MAX_CIDRS 16384        /* CIDRs in one policy, except included */
#define HS_NETPOL_MAX_RULES 256          /* egress[] or ingress[] entries */
#define HS_NETPOL_MAX_PEERS 1024         /* to[] or from[] entries of one rule */
#define HS_NETPOL_MAX_EXCEPT 1024        /* except[] of one ipBlock */
#define HS_NETPOL_MAX_PORTS 64           /* ports[] of one rule */
#define HS_NETPOL_MAX_SET_ELEMENTS 65536 /* ranges in one compiled set */
#define HS_NFT_BATCH_MAX_BYTES (8u * 1024 * 1024) /* one nftables batch */

/* Tenant policies and the global config. */
#define HS_POLICY_NAME_MAX 64            /* [a-z0-9-], also a file name */
#define HS_POLICY_MAX_LIST 256           /* caps, paths, sysctls, selectable ... */
#define HS_CONFIG_MAX_TENANTS 1024       /* namespace rules in config.json */
#define HS_CONFIG_MAX_LIST 64            /* engineDirs, netnsDirs, cgroupParents, hooks */
/* config.json "networks": the names a netpol may write as "@NAME". At most
 * 64, so that a policy records the names it uses in a 64-bit mask. */
#define HS_CONFIG_MAX_NETWORKS 64        /* names */
#define HS_CONFIG_MAX_NETWORK_CIDRS 4096 /* CIDRs of every name together */
#define HS_NETWORK_NAME_MAX 64           /* [A-Za-z][A-Za-z0-9_-]* */
#define HS_PATH_MAX 4096
/* Capabilities that two policies' seccomp profiles test (includes/excludes)
 * and their ceilings hold: the comparison of a selectable policy resolves
 * both profiles for each subset of them. */
#define HS_POLICY_COMPARE_MAX_CAPS 8

/* Container specs. */
#define HS_SPEC_MAX_MOUNTS 1024
#define HS_SPEC_MAX_ANNOTATIONS 1024
#define HS_SPEC_MAX_HOOKS 64             /* per stage, before injection */
#define HS_ID_MAX 1024                   /* container id on the command line */
#define HS_VERIFY_MAX_CONTAINERS 4096    /* under one runc root, for verify --all */
#define HS_POD_NAME_MAX 253              /* a pod's namespace or name (DNS-1123) */

/* The monitor (shim/monitor/): registrations kept at once, bytes of one
 * runtime message and the seconds it may take to arrive whole,
 * connections waiting for their message, notifications answered on one
 * listener before the others get their turn, the events file read a tick. */
#define HS_MONITOR_MAX_WATCHED 4096
/* A message is the container's state (which the hooks take up to
 * HS_STATE_MAX_BYTES: a container whose state is longer never starts) and
 * runc's few fields around it. */
#define HS_MONITOR_MSG_MAX (HS_STATE_MAX_BYTES + 4096u)
#define HS_MONITOR_MSG_SECONDS 5
#define HS_MONITOR_MAX_PENDING 64
#define HS_MONITOR_BATCH 64
#define HS_MONITOR_TAIL_MAX (256u * 1024)

/* Seccomp plan cache entries (one per policy, bounding set and binary). */
#define HS_CACHE_MAX_ENTRIES 512

/* Hooks: runc kills a hook that runs past its timeout, in seconds. */
#define HS_HOOK_TIMEOUT_DEFAULT 5
#define HS_HOOK_TIMEOUT_MAX 60

/* `hardshim learn`: one line of kernel log (a longer one is counted as
 * ignored), the pids it may be told to attribute records to, and the
 * distinct (architecture, syscall number) pairs it keeps. */
#define HS_LEARN_LINE_MAX 8192
#define HS_LEARN_MAX_PIDS 4096
#define HS_LEARN_MAX_SYSCALLS 4096

/* One error line. */
#define HS_ERR_MSG_MAX 1024

/* clang-format on */

#endif
