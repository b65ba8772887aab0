/* Cleanup attributes for owned resources (the systemd/crun idiom): a
 * variable declared with one of these is released when it goes out of scope,
 * so no error path leaks. Ownership is handed on with hs_steal_ptr/fd. */
#ifndef HS_CLEANUP_H
#define HS_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <errno.h>

static inline void hs_freep(void *p)
{
	free(*(void **)p);
}

static inline void hs_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void hs_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_free_ __attribute__((cleanup(hs_freep)))
#define _cleanup_close_ __attribute__((cleanup(hs_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(hs_fclosep)))

static inline void *hs_steal_ptr_impl(void **p)
{
	void *v = *p;
	*p = NULL;
	return v;
}
#define hs_steal_ptr(p) hs_steal_ptr_impl((void **)&(p))

static inline int hs_steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

#define HS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
