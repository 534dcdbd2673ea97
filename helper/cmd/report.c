/*
 * Building and printing the documents of `status` and `check` (see
 * report.h).
 */
#include "report.h"
#include "errors.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A sanitised copy of s (text.h), malloc()ed; NULL when out of memory. */
static char *
clean_copy(const char *s, unsigned int flags)
{
	size_t len = strlen(s);
	char *clean = malloc(len + 1);

	if (clean != NULL)
		(void)text_sanitise(clean, len + 1, s, len, flags);
	return clean;
}

json_t *
report_str(const char *s)
{
	char *clean;
	json_t *v;

	if (s == NULL)
		return json_null();
	if ((clean = clean_copy(s, 0)) == NULL)
		return NULL;
	v = json_string(clean);
	free(clean);
	return v;
}

void
report_problem(json_t *problems, const char *id, const char *level,
	       const char *subject, const char *problem, const char *fix, ...)
{
	json_t *p = json_object();
	char *text = NULL;
	va_list ap;

	json_object_set_new(p, "id", json_string(id));
	json_object_set_new(p, "level", json_string(level));
	if (subject != NULL)
		json_object_set_new(p, "subject", report_str(subject));
	json_object_set_new(p, "problem", report_str(problem));
	va_start(ap, fix);
	if (vasprintf(&text, fix, ap) == -1)
		text = NULL;
	va_end(ap);
	/* A fix may be a snippet of several lines (status indents them). */
	if (text != NULL)
		(void)text_sanitise(text, strlen(text) + 1, text, strlen(text),
		    TEXT_LINES);
	json_object_set_new(p, "fix", text != NULL ? json_string(text) : json_null());
	free(text);
	json_array_append_new(problems, p);
}

enum token_kind
report_put_credential(json_t *h, const char *username, const char *secret)
{
	enum token_kind kind = token_kind_of(secret);
	char mask[TOKEN_MASK_MAX];

	token_mask(secret, mask);
	json_object_set_new(h, "username", report_str(username));
	json_object_set_new(h, "token_kind", json_string(token_kind_id(kind)));
	json_object_set_new(h, "token_kind_name", json_string(token_kind_name(kind)));
	json_object_set_new(h, "token", json_string(mask));
	return kind;
}

const char *
report_get(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

void
report_put_clean(const char *s, int width)
{
	char *clean = s != NULL ? clean_copy(s, 0) : NULL;
	int n = 0;

	if (clean != NULL) {
		fputs(clean, stdout);
		/* Characters, not bytes, so columns line up. */
		for (const char *p = clean; *p != '\0'; p++)
			n += ((unsigned char)*p & 0xc0) != 0x80;
	} else if (s != NULL && s[0] != '\0')
		n += putchar(TEXT_PLACEHOLDER) != EOF;
	for (; n < width; n++)
		putchar(' ');
	free(clean);
}

int
report_print_json(json_t *doc)
{
	json_malloc_t jmalloc;
	json_free_t jfree;
	char *text;

	if ((text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) == NULL)
		return GHCR_ERR_NO_MEMORY;
	printf("%s\n", text);
	json_get_alloc_funcs(&jmalloc, &jfree);
	jfree(text);
	return GHCR_OK;
}
