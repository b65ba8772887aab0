/* `hardshim hook STAGE`: the OCI hook, state JSON on stdin. Returns the
 * process exit code; a non-zero one makes the runtime abort the start
 * (or, at poststart, kill the container). */
#ifndef HS_HOOK_H
#define HS_HOOK_H

int hs_hook_main(const char *stage);

#endif
