#include "spec_internal.h"
int hs_spec_check_types(const json_t *spec, const char *file,
			struct hs_error *err)
{
	return 0;
}
