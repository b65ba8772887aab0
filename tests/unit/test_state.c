/* shim/state.c: the OCI state a runtime hands a hook on stdin. Every
 * field's type checked, pid bounded, bundle absolute, annotations (which
 * the tenant influences) an object of strings. */
#include <errno.h>
#include <string.h>

#include "hs_cleanup.h"
#include "hs_state.h"
#include "hs_test.h"

#define RUNC_STATE                                                             \
	"{\"ociVersion\":\"1.0.2-dev\",\"id\":\"h1\",\"status\":\"creating\"," \
	"\"pid\":4364,\"bundle\":\"/path/to/bundle\""

/* Parses `text`; the state holds its own reference. */
static int parse(const char *text, struct hs_state *st, struct hs_error *err)
{
	json_t *j = hs_json_load_buffer(text, strlen(text), "state", err);
	int r;

	memset(st, 0, sizeof(*st));
	if (!j)
		return -2;
	r = hs_state_parse(j, st, err);
	json_decref(j);
	return r;
}

static void test_valid_runc_state(void)
{
	struct hs_error err = {0};
	struct hs_state st;

	CHECK(parse(RUNC_STATE "}", &st, &err) == 0);
	CHECK(err.count == 0);
	CHECK_STR(st.id, "h1");
	CHECK_STR(st.status, "creating");
	CHECK_STR(st.bundle, "/path/to/bundle");
	CHECK(st.pid == 4364);
	CHECK(st.annotations == NULL);
	hs_state_free(&st);
	CHECK(st.json == NULL);
}

static void test_with_annotations(void)
{
	struct hs_error err = {0};
	struct hs_state st;

	CHECK(parse(RUNC_STATE ",\"annotations\":{\"hardshim.dev/policy\":"
			       "\"tenant-default\",\"io.kubernetes.cri."
			       "sandbox-namespace\":\"team-a\"}}",
		    &st, &err) == 0);
	CHECK(json_object_size(st.annotations) == 2);
	CHECK_STR(json_string_value(json_object_get(st.annotations,
						    "hardshim.dev/policy")),
		  "tenant-default");
	hs_state_free(&st);
}

static void test_unknown_keys_tolerated(void)
{
	struct hs_error err = {0};
	struct hs_state st;

	/* A newer runtime may add fields: the state is the runtime's. */
	CHECK(parse(RUNC_STATE ",\"rootless\":false,\"created\":\"2024\"}", &st,
		    &err) == 0);
	hs_state_free(&st);
}

static void test_poststop_without_pid(void)
{
	struct hs_error err = {0};
	struct hs_state st;

	CHECK(parse("{\"ociVersion\":\"1.0.2\",\"id\":\"h1\",\"status\":"
		    "\"stopped\",\"bundle\":\"/b\"}",
		    &st, &err) == 0);
	CHECK(st.pid == 0);
	CHECK_STR(st.status, "stopped");
	hs_state_free(&st);
}

static void test_pid_bounds(void)
{
	struct hs_error err = {0};
	struct hs_state st;

	CHECK(parse("{\"ociVersion\":\"1\",\"id\":\"h\",\"status\":\"created\""
		    ",\"bundle\":\"/b\",\"pid\":4194304}",
		    &st, &err) == 0);
	CHECK(st.pid == HS_PID_MAX);
	hs_state_free(&st);
	CHECK(parse("{\"ociVersion\":\"1\",\"id\":\"h\",\"status\":\"created\""
		    ",\"bundle\":\"/b\",\"pid\":1}",
		    &st, &err) == 0);
	CHECK(st.pid == 1);
	hs_state_free(&st);
}

static void test_pid_zero(void)
{
	struct hs_error err = {0};
	struct hs_state st;

	/* A second "pid" is a duplicate key, refused before any meaning. */
	CHECK(parse(RUNC_STATE ",\"pid\":0}", &st, &err) == -2);
	CHECK_CONTAINS(err.msg, "duplicate object key");
	/* pid 0 is no process: kill(0, ...) would signal the hook's own
	 * process group. */
	memset(&err, 0, sizeof(err));
	CHECK(parse("{\"ociVersion\":\"1\",\"id\":\"h\",\"status\":\"created\""
		    ",\"bundle\":\"/b\",\"pid\":0}",
		    &st, &err) < 0);
	CHECK_STR(err.msg, "state: pid: 0 is out of range [1, 4194304]");
	CHECK(st.json == NULL);
}

static void test_pid_negative(void)
{
	struct hs_error err = {0};
	struct hs_state st;

	CHECK(parse("{\"ociVersion\":\"1\",\"id\":\"h\",\"status\":\"created\""
		    ",\"bundle\":\"/b\",\"pid\":-1}",
		    &st, &err) < 0);
	CHECK_STR(err.msg, "state: pid: -1 is out of range [1, 4194304]");
}

static void test_pid_too_large(void)
{
	struct hs_error err = {0};
	struct hs_state st;

	CHECK(parse("{\"ociVersion\":\"1\",\"id\":\"h\",\"status\":\"created\""
		    ",\"bundle\":\"/b\",\"pid\":4194305}",
		    &st, &err) < 0);
	CHECK_STR(err.msg, "state: pid: 4194305 is out of range [1, 4194304]");
	memset(&err, 0, sizeof(err));
	/* Past int: must not wrap to a small pid. */
	CHECK(parse("{\"ociVersion\":\"1\",\"id\":\"h\",\"status\":\"created\""
		    ",\"bundle\":\"/b\",\"pid\":4294971660}",
		    &st, &err) < 0);
	CHECK_CONTAINS(err.msg, "state: pid: 4294971660 is out of range");
}

static void test_pid_wrong_type(void)
{
	struct hs_error err = {0};
	struct hs_state st;

	CHECK(parse("{\"ociVersion\":\"1\",\"id\":\"h\",\"status\":\"created\""
		    ",\"bundle\":\"/b\",\"pid\":\"4364\"}",
		    &st, &err) < 0);
	CHECK_STR(err.msg, "state: pid: must be an integer");
	memset(&err, 0, sizeof(err));
	CHECK(parse("{\"ociVersion\":\"1\",\"id\":\"h\",\"status\":\"created\""
		    ",\"bundle\":\"/b\",\"pid\":4364.0}",
		    &st, &err) < 0);
	CHECK_STR(err.msg, "state: pid: must be an integer");
}

static void test_missing_id(void)
{
	struct hs_error err = {0};
	struct hs_state st;

	CHECK(parse("{\"ociVersion\":\"1\",\"status\":\"created\",\"bundle\":"
		    "\"/b\",\"pid\":5}",
		    &st, &err) < 0);
	CHECK_STR(err.msg, "state: id: required, missing");
}

static void test_missing_or_wrong_fields(void)
{
	struct hs_error err = {0};
	struct hs_state st;

	CHECK(parse("{\"id\":\"h\",\"status\":\"created\",\"bundle\":\"/b\"}",
		    &st, &err) < 0);
	CHECK_STR(err.msg, "state: ociVersion: required, missing");
	memset(&err, 0, sizeof(err));
	CHECK(parse("{\"ociVersion\":\"1\",\"id\":\"h\",\"bundle\":\"/b\"}",
		    &st, &err) < 0);
	CHECK_STR(err.msg, "state: status: required, missing");
	memset(&err, 0, sizeof(err));
	CHECK(parse("{\"ociVersion\":\"1\",\"id\":\"h\",\"status\":\"c\"}", &st,
		    &err) < 0);
	CHECK_STR(err.msg, "state: bundle: required, missing");
	memset(&err, 0, sizeof(err));
	CHECK(parse("{\"ociVersion\":\"1\",\"id\":7,\"status\":\"c\","
		    "\"bundle\":\"/b\"}",
		    &st, &err) < 0);
	CHECK_STR(err.msg, "state: id: must be a string");
}

static void test_relative_bundle(void)
{
	struct hs_error err = {0};
	struct hs_state st;

	CHECK(parse("{\"ociVersion\":\"1\",\"id\":\"h\",\"status\":\"created\""
		    ",\"bundle\":\"path/to/bundle\",\"pid\":5}",
		    &st, &err) < 0);
	CHECK_STR(err.msg,
		  "state: bundle \"path/to/bundle\" is not an absolute path");
	memset(&err, 0, sizeof(err));
	CHECK(parse("{\"ociVersion\":\"1\",\"id\":\"h\",\"status\":\"created\""
		    ",\"bundle\":\"\",\"pid\":5}",
		    &st, &err) < 0);
	CHECK_STR(err.msg, "state: bundle \"\" is not an absolute path");
}

static void test_long_id(void)
{
	struct hs_error err = {0};
	struct hs_state st;
	char text[HS_ID_MAX + 256], id[HS_ID_MAX + 2];

	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	snprintf(text, sizeof(text),
		 "{\"ociVersion\":\"1\",\"id\":\"%s\",\"status\":\"c\","
		 "\"bundle\":\"/b\"}",
		 id);
	CHECK(parse(text, &st, &err) < 0);
	CHECK_STR(err.msg, "state: id longer than the limit of 1024");
}

static void test_annotations_not_object(void)
{
	struct hs_error err = {0};
	struct hs_state st;

	CHECK(parse(RUNC_STATE ",\"annotations\":[\"a=b\"]}", &st, &err) < 0);
	CHECK_STR(err.msg, "state: annotations must be an object");
	CHECK(st.json == NULL);
}

static void test_annotation_value_not_string(void)
{
	struct hs_error err = {0};
	struct hs_state st;

	CHECK(parse(RUNC_STATE ",\"annotations\":{\"a\":\"b\","
			       "\"hardshim.dev/policy\":{\"name\":\"x\"}}}",
		    &st, &err) < 0);
	CHECK_STR(err.msg,
		  "state: annotations.hardshim.dev/policy must be a string");
	memset(&err, 0, sizeof(err));
	CHECK(parse(RUNC_STATE ",\"annotations\":{\"n\":null}}", &st, &err) <
	      0);
	CHECK_STR(err.msg, "state: annotations.n must be a string");
}

static void test_too_many_annotations(void)
{
	struct hs_error err = {0};
	struct hs_state st;
	json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:o}", "ociVersion", "1", "id",
			      "h", "status", "c", "bundle", "/b", "annotations",
			      json_object());
	json_t *ann = json_object_get(j, "annotations");
	int i, r;

	CHECK(j != NULL);
	for (i = 0; i <= HS_SPEC_MAX_ANNOTATIONS; i++) {
		char k[16];

		snprintf(k, sizeof(k), "k%d", i);
		json_object_set_new(ann, k, json_string("v"));
	}
	r = hs_state_parse(j, &st, &err);
	json_decref(j);
	CHECK(r < 0);
	CHECK_STR(err.msg, "state: more than 1024 annotations");
}

static void test_not_an_object(void)
{
	struct hs_error err = {0};
	struct hs_state st;
	json_t *s = json_string("h1");

	CHECK(parse("[\"h1\"]", &st, &err) < 0);
	CHECK_STR(err.msg, "state: must be a JSON object");
	memset(&err, 0, sizeof(err));
	CHECK(hs_state_parse(s, &st, &err) < 0);
	json_decref(s);
	CHECK_STR(err.msg, "state: must be a JSON object");
	memset(&err, 0, sizeof(err));
	CHECK(hs_state_parse(NULL, &st, &err) < 0);
	CHECK_STR(err.msg, "state: must be a JSON object");
}

static void test_keeps_own_reference(void)
{
	struct hs_error err = {0};
	struct hs_state st;

	/* parse() dropped its reference: the strings must still be alive. */
	CHECK(parse(RUNC_STATE "}", &st, &err) == 0);
	CHECK(st.json != NULL && st.json->refcount == 1);
	CHECK_STR(st.id, "h1");
	hs_state_free(&st);
}

/* --- runc's own state.json (hs_state_parse_runc) ------------------------ */

#define RUNC_ROOT_STATE(labels)                                           \
	"{\"id\":\"c1\",\"init_process_pid\":4364,"                       \
	"\"init_process_start\":1084052,\"created\":\"2026\",\"config\":" \
	"{\"rootfs\":\"/b/rootfs\",\"labels\":" labels "}}"

static int parse_runc(const char *text, struct hs_runc_state *st,
		      struct hs_error *err)
{
	json_t *j = hs_json_load_buffer(text, strlen(text), "state.json", err);
	int r;

	memset(st, 0, sizeof(*st));
	if (!j)
		return -2;
	r = hs_state_parse_runc(j, "state.json", st, err);
	json_decref(j);
	return r;
}

static void test_runc_state(void)
{
	struct hs_error err = {0};
	struct hs_runc_state st;

	CHECK(parse_runc(
		      RUNC_ROOT_STATE("[\"hardshim.dev/policy=tenant-default\","
				      "\"hardshim.dev/policy-digest=ab=cd\","
				      "\"empty=\",\"bundle=/run/b\"]"),
		      &st, &err) == 0);
	CHECK_STR(st.id, "c1");
	CHECK(st.pid == 4364);
	CHECK(st.start_time == 1084052);
	CHECK_STR(st.bundle, "/run/b");
	CHECK(json_object_size(st.annotations) == 3);
	CHECK_STR(json_string_value(json_object_get(st.annotations,
						    "hardshim.dev/policy")),
		  "tenant-default");
	/* Split at the first "=": a value may hold more. */
	CHECK_STR(json_string_value(json_object_get(
			  st.annotations, "hardshim.dev/policy-digest")),
		  "ab=cd");
	CHECK_STR(json_string_value(json_object_get(st.annotations, "empty")),
		  "");
	hs_state_free_runc(&st);
	CHECK(st.json == NULL && st.annotations == NULL);
}

/* A tenant's annotation named "bundle" is an annotation: runc's own label
 * is the last one. */
static void test_runc_state_tenant_bundle_label(void)
{
	struct hs_error err = {0};
	struct hs_runc_state st;

	CHECK(parse_runc(RUNC_ROOT_STATE(
				 "[\"bundle=/evil\",\"bundle=/run/real\"]"),
			 &st, &err) == 0);
	CHECK_STR(st.bundle, "/run/real");
	CHECK_STR(json_string_value(json_object_get(st.annotations, "bundle")),
		  "/evil");
	hs_state_free_runc(&st);
}

static void test_runc_state_only_bundle(void)
{
	struct hs_error err = {0};
	struct hs_runc_state st;

	CHECK(parse_runc(RUNC_ROOT_STATE("[\"bundle=/b\"]"), &st, &err) == 0);
	CHECK(json_object_size(st.annotations) == 0);
	hs_state_free_runc(&st);
}

static void test_runc_state_invalid(void)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{RUNC_ROOT_STATE("[]"), "the last is not runc's"},
		{RUNC_ROOT_STATE("[\"a=b\"]"), "the last is not runc's"},
		{RUNC_ROOT_STATE("[\"bundle=relative\"]"), "the last is not"},
		{RUNC_ROOT_STATE("[\"bundle=/b\",\"a=b\"]"), "the last is not"},
		{RUNC_ROOT_STATE("[\"noequals\",\"bundle=/b\"]"),
		 "config.labels[0]: no \"=\""},
		{RUNC_ROOT_STATE("[\"=v\",\"bundle=/b\"]"), "key empty"},
		{RUNC_ROOT_STATE("[\"k=1\",\"k=2\",\"bundle=/b\"]"),
		 "config.labels[1]: \"k\" given twice"},
		{RUNC_ROOT_STATE("[1,\"bundle=/b\"]"), "must be a string"},
		{RUNC_ROOT_STATE("{}"), "must be an array"},
		{"{\"id\":\"c1\",\"init_process_pid\":1,"
		 "\"init_process_start\":1}",
		 "no config object"},
		{"[]", "no config object"},
		{"{\"id\":\"c1\",\"init_process_start\":1,\"config\":"
		 "{\"labels\":[\"bundle=/b\"]}}",
		 "init_process_pid"},
		{"{\"id\":\"c1\",\"init_process_pid\":0,\"init_process_start\""
		 ":1,\"config\":{\"labels\":[\"bundle=/b\"]}}",
		 "init_process_pid"},
		{"{\"id\":\"c1\",\"init_process_pid\":4194305,"
		 "\"init_process_start\":1,\"config\":{\"labels\":"
		 "[\"bundle=/b\"]}}",
		 "init_process_pid"},
		{"{\"id\":\"c1\",\"init_process_pid\":1,\"init_process_start\""
		 ":-1,\"config\":{\"labels\":[\"bundle=/b\"]}}",
		 "init_process_start"},
		{"{\"id\":\"c1\",\"init_process_pid\":1,\"init_process_start\""
		 ":\"1\",\"config\":{\"labels\":[\"bundle=/b\"]}}",
		 "init_process_start"},
		{"{\"id\":7,\"init_process_pid\":1,\"init_process_start\""
		 ":1,\"config\":{\"labels\":[\"bundle=/b\"]}}",
		 "id"},
		{"{\"init_process_pid\":1,\"init_process_start\":1,\"config\":"
		 "{\"labels\":[\"bundle=/b\"]}}",
		 "id"},
		{"{\"id\":\"c1\",\"init_process_pid\":1,\"init_process_start\""
		 ":1,\"config\":{}}",
		 "labels"},
	};
	size_t i;

	for (i = 0; i < HS_ARRAY_SIZE(cases); i++) {
		struct hs_error err = {0};
		struct hs_runc_state st;

		if (parse_runc(cases[i].text, &st, &err) != -1) {
			printf("FAIL %s: case %zu accepted\n", hs_test_current,
			       i);
			hs_test_failed++;
			hs_state_free_runc(&st);
			return;
		}
		CHECK_CONTAINS(err.msg, cases[i].msg);
		CHECK(st.json == NULL && st.annotations == NULL);
	}
}

int main(void)
{
	RUN(test_runc_state);
	RUN(test_runc_state_tenant_bundle_label);
	RUN(test_runc_state_only_bundle);
	RUN(test_runc_state_invalid);
	RUN(test_valid_runc_state);
	RUN(test_with_annotations);
	RUN(test_unknown_keys_tolerated);
	RUN(test_poststop_without_pid);
	RUN(test_pid_bounds);
	RUN(test_pid_zero);
	RUN(test_pid_negative);
	RUN(test_pid_too_large);
	RUN(test_pid_wrong_type);
	RUN(test_missing_id);
	RUN(test_missing_or_wrong_fields);
	RUN(test_relative_bundle);
	RUN(test_long_id);
	RUN(test_annotations_not_object);
	RUN(test_annotation_value_not_string);
	RUN(test_too_many_annotations);
	RUN(test_not_an_object);
	RUN(test_keeps_own_reference);
	TEST_EXIT();
}
