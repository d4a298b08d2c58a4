// SPDX-License-Identifier: MIT
/*
 * The three output formats of `scpatch check`.  Text lines follow the form
 * compilers use so that editors and CI problem matchers pick them up; JSON
 * is for scripts; SARIF 2.1.0 is for code scanning services.  Formats are
 * described in docs/check.md.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demangle.h"
#include "json.h"
#include "report.h"

static const struct {
	const char *id;
	const char *level;
	const char *summary;
} rules[RULE_COUNT] = {
	[RULE_UNALIGNED_SITE] = { "unaligned-site", "warning",
		"Static call site whose rel32 is not on a 4-byte boundary: it "
		"keeps calling its trampoline and is never patched." },
	[RULE_INVALID_SITE] = { "invalid-site", "error",
		"Static call table entry that does not match the code: not a "
		"call, jmp or jcc to the trampoline of its key, a missing key, "
		"or flags that do not fit the instruction." },
	[RULE_UNALIGNED_TRAMP] = { "unaligned-trampoline", "error",
		"Static call trampoline whose jmp rel32 is not on a 4-byte "
		"boundary: it cannot be retargeted with one atomic store." },
	[RULE_UNPATCHABLE_CALL] = { "unpatchable-call", "warning",
		"Call to a static call trampoline that can never become a site "
		"(through the GOT or a register, e.g. clang -fno-plt)." },
	[RULE_UNANNOTATED] = { "unannotated", "warning",
		"Call to a static call trampoline that is not in any table: "
		"the object was never annotated by scpatch." },
};

struct stored_finding {
	struct finding f;	/* every string is an owned copy */
	size_t file;		/* index into files[] */
};

struct stored_file {
	char *object;
	struct file_counts counts;
	bool bad;
};

static enum report_format format;
static struct stored_finding *findings;
static size_t nfindings, findings_cap;
static struct stored_file *files;
static size_t nfiles, files_cap;
static char cwd[PATH_MAX];
static size_t cwd_len;

static void *grow(void *array, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return array;
	*cap = *cap ? *cap * 2 : 16;
	array = realloc(array, *cap * size);
	if (!array) {
		fputs("scpatch: out of memory\n", stderr);
		exit(2);
	}
	return array;
}

static char *copy(const char *s)
{
	char *c;

	if (!s)
		return NULL;
	c = strdup(s);
	if (!c) {
		fputs("scpatch: out of memory\n", stderr);
		exit(2);
	}
	return c;
}

/* A path below the current directory is shown relative to it, as a
 * compiler run from there would name it; anything else as it is. */
static const char *display_path(const char *path)
{
	if (!path || !cwd_len || strncmp(path, cwd, cwd_len) || path[cwd_len] != '/')
		return path;
	return path + cwd_len + 1;
}

/* "FUNC+0xOFF", FUNC demangled when it is a C++ name (findings keep the
 * symbol's own, mangled name; JSON and SARIF give both). */
static void print_func(FILE *out, const struct finding *f)
{
	char *readable = demangle(f->func);

	fprintf(out, "%s+0x%llx", readable ? readable : f->func,
		(unsigned long long)f->func_offset);
	free(readable);
}

void report_begin(enum report_format fmt)
{
	format = fmt;
	if (getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/"))
		cwd_len = strlen(cwd);
}

/* ---- text ------------------------------------------------------------- */

static void print_where(const struct finding *f)
{
	if (f->src_file) {
		printf("%s:%d:", display_path(f->src_file), f->line);
		if (f->column)
			printf("%d:", f->column);
		return;
	}
	printf("%s:", f->object);
	if (!f->section)
		return;
	printf(" %s+0x%llx", f->section, (unsigned long long)f->offset);
	if (f->func) {
		fputs(" (", stdout);
		print_func(stdout, f);
		putchar(')');
	}
	putchar(':');
}

static void print_finding(const struct finding *f)
{
	print_where(f);
	printf(" %s: %s", rules[f->rule].level, f->message);
	if (f->src_file && f->func) {
		fputs(" in ", stdout);
		print_func(stdout, f);
	}
	if (f->detail)
		printf(": %s", f->detail);
	putchar('\n');
}

static void print_counts(const char *object, const struct file_counts *c)
{
	printf("%s: %zu sites, %zu aligned, %zu unaligned, %zu invalid",
	       object, c->sites, c->aligned, c->unaligned, c->invalid);
	if (c->other)
		printf(", %zu other problems", c->other);
	putchar('\n');
}

/* ---- collecting -------------------------------------------------------- */

void report_file_begin(const char *object)
{
	files = grow(files, &files_cap, nfiles, sizeof(*files));
	memset(&files[nfiles], 0, sizeof(files[nfiles]));
	files[nfiles].object = copy(object);
	nfiles++;
}

void report_finding(const struct finding *f)
{
	struct stored_finding *s;

	if (format == REPORT_TEXT) {
		print_finding(f);
		return;
	}
	findings = grow(findings, &findings_cap, nfindings, sizeof(*findings));
	s = &findings[nfindings++];
	s->f = *f;
	s->f.object = copy(f->object);
	s->f.message = copy(f->message);
	s->f.detail = copy(f->detail);
	s->f.section = copy(f->section);
	s->f.func = copy(f->func);
	s->f.name = copy(f->name);
	s->f.src_file = copy(display_path(f->src_file));
	s->file = nfiles - 1;
}

void report_file_end(const struct file_counts *counts)
{
	struct stored_file *file = &files[nfiles - 1];

	file->counts = *counts;
	if (format == REPORT_TEXT)
		print_counts(file->object, counts);
}

void report_file_bad(void)
{
	files[nfiles - 1].bad = true;
}

/* ---- JSON -------------------------------------------------------------- */

/* "key": "value" with a leading comma unless first. */
static void json_field_str(bool first, const char *key, const char *value)
{
	printf("%s\"%s\": ", first ? "" : ", ", key);
	json_string(value);
}

static void json_field_num(const char *key, unsigned long long value)
{
	printf(", \"%s\": %llu", key, value);
}

static void json_counts(const struct file_counts *c)
{
	json_field_num("sites", c->sites);
	json_field_num("aligned", c->aligned);
	json_field_num("unaligned", c->unaligned);
	json_field_num("invalid", c->invalid);
	json_field_num("other", c->other);
}

/* "function" as people read it; "linkage_name", the symbol, only when
 * the two differ (C++). */
static void json_function(const struct finding *f)
{
	char *readable = demangle(f->func);

	json_field_str(false, "function", readable ? readable : f->func);
	if (readable)
		json_field_str(false, "linkage_name", f->func);
	if (f->func)
		json_field_num("function_offset", f->func_offset);
	free(readable);
}

static void json_finding(const struct finding *f)
{
	fputs("{", stdout);
	json_field_str(true, "rule", rules[f->rule].id);
	json_field_str(false, "level", rules[f->rule].level);
	json_field_str(false, "message", f->message);
	json_field_str(false, "detail", f->detail);
	json_field_str(false, "name", f->name);
	json_field_str(false, "section", f->section);
	if (f->section) {
		json_field_num("offset", f->offset);
		if (f->linked)
			json_field_num("address", f->addr);
	}
	json_function(f);
	fputs(", \"source\": ", stdout);
	if (f->src_file) {
		fputs("{", stdout);
		json_field_str(true, "file", f->src_file);
		json_field_num("line", f->line);
		json_field_num("column", f->column);
		fputs("}", stdout);
	} else {
		fputs("null", stdout);
	}
	fputs("}", stdout);
}

static void write_json(void)
{
	struct file_counts total = { 0 };
	size_t next = 0;

	printf("{\"tool\": \"scpatch\", \"version\": \"%s\", \"files\": [",
	       SCPATCH_VERSION);
	for (size_t i = 0; i < nfiles; i++) {
		const struct file_counts *c = &files[i].counts;
		bool first = true;

		printf("%s\n  {", i ? "," : "");
		json_field_str(true, "file", files[i].object);
		printf(", \"readable\": %s", files[i].bad ? "false" : "true");
		json_counts(c);
		fputs(", \"findings\": [", stdout);
		for (; next < nfindings && findings[next].file == i; next++) {
			fputs(first ? "\n    " : ",\n    ", stdout);
			json_finding(&findings[next].f);
			first = false;
		}
		fputs("]}", stdout);
		total.sites += c->sites;
		total.aligned += c->aligned;
		total.unaligned += c->unaligned;
		total.invalid += c->invalid;
		total.other += c->other;
	}
	fputs("\n], \"total\": {", stdout);
	json_field_str(true, "unit", "sites");
	json_counts(&total);
	fputs("}}\n", stdout);
}

/* ---- SARIF 2.1.0 ------------------------------------------------------- */

/*
 * artifactLocation.uri: a relative reference for paths below the current
 * directory (code scanning services resolve it against the checkout),
 * a file:// URI otherwise; bytes outside the URI's unreserved set and '/'
 * are percent-encoded.
 */
static void sarif_uri(const char *path)
{
	putchar('"');
	if (path[0] == '/')
		fputs("file://", stdout);
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
			putchar(*p);
		else
			printf("%%%02X", *p);
	}
	putchar('"');
}

static void sarif_rules(void)
{
	for (int r = 0; r < RULE_COUNT; r++) {
		printf("%s\n        {", r ? "," : "");
		json_field_str(true, "id", rules[r].id);
		fputs(", \"shortDescription\": {", stdout);
		json_field_str(true, "text", rules[r].summary);
		fputs("}, \"defaultConfiguration\": {", stdout);
		json_field_str(true, "level", rules[r].level);
		fputs("}}", stdout);
	}
}

static void sarif_location(const struct finding *f)
{
	fputs("{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ", stdout);
	if (f->src_file) {
		sarif_uri(f->src_file);
		printf("}, \"region\": {\"startLine\": %d", f->line);
		if (f->column)
			printf(", \"startColumn\": %d", f->column);
		fputs("}}", stdout);
	} else {
		sarif_uri(f->object);
		fputs("}}", stdout);
	}
	if (f->func) {
		char *readable = demangle(f->func);

		fputs(", \"logicalLocations\": [{", stdout);
		json_field_str(true, "name", readable ? readable : f->func);
		if (readable)
			json_field_str(false, "decoratedName", f->func);
		json_field_str(false, "kind", "function");
		fputs("}]", stdout);
		free(readable);
	}
	fputs("}", stdout);
}

/* Where in the binary, for results without a source line and for tools
 * that want the object too. */
static void sarif_properties(const struct finding *f)
{
	fputs(", \"properties\": {", stdout);
	json_field_str(true, "object", f->object);
	json_field_str(false, "staticCall", f->name);
	json_field_str(false, "section", f->section);
	if (f->section) {
		json_field_num("offset", f->offset);
		if (f->linked)
			json_field_num("address", f->addr);
	}
	if (f->func)
		json_field_num("functionOffset", f->func_offset);
	fputs("}", stdout);
}

/* The message with what the text form puts in front of it: the function
 * and, without a source line, the place in the binary. */
static void sarif_message(const struct finding *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m;

	m = open_memstream(&text, &len);
	if (!m) {
		fputs("scpatch: out of memory\n", stderr);
		exit(2);
	}
	fputs(f->message, m);
	if (f->func) {
		fputs(" in ", m);
		print_func(m, f);
	}
	if (!f->src_file && f->section)
		fprintf(m, " (%s+0x%llx of %s)", f->section,
			(unsigned long long)f->offset, f->object);
	if (f->detail)
		fprintf(m, ": %s", f->detail);
	fclose(m);
	json_string(text);
	free(text);
}

static void sarif_result(const struct finding *f)
{
	fputs("{", stdout);
	json_field_str(true, "ruleId", rules[f->rule].id);
	printf(", \"ruleIndex\": %d", (int)f->rule);
	json_field_str(false, "level", rules[f->rule].level);
	fputs(", \"message\": {\"text\": ", stdout);
	sarif_message(f);
	fputs("}, \"locations\": [", stdout);
	sarif_location(f);
	fputs("]", stdout);
	sarif_properties(f);
	fputs("}", stdout);
}

static void write_sarif(void)
{
	fputs("{\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
	      " \"version\": \"2.1.0\",\n"
	      " \"runs\": [{\n  \"tool\": {\"driver\": {", stdout);
	json_field_str(true, "name", "scpatch");
	json_field_str(false, "version", SCPATCH_VERSION);
	fputs(", \"rules\": [", stdout);
	sarif_rules();
	fputs("]}},\n  \"results\": [", stdout);
	for (size_t i = 0; i < nfindings; i++) {
		fputs(i ? ",\n    " : "\n    ", stdout);
		sarif_result(&findings[i].f);
	}
	fputs("]}]}\n", stdout);
}

/* ---- end ----------------------------------------------------------------- */

static void free_all(void)
{
	for (size_t i = 0; i < nfindings; i++) {
		struct finding *f = &findings[i].f;

		free((char *)f->object);
		free((char *)f->message);
		free((char *)f->detail);
		free((char *)f->section);
		free((char *)f->func);
		free((char *)f->name);
		free((char *)f->src_file);
	}
	for (size_t i = 0; i < nfiles; i++)
		free(files[i].object);
	free(findings);
	free(files);
	findings = NULL;
	files = NULL;
	nfindings = findings_cap = nfiles = files_cap = 0;
}

void report_end(void)
{
	if (format == REPORT_JSON)
		write_json();
	else if (format == REPORT_SARIF)
		write_sarif();
	fflush(stdout);
	free_all();
}
