/*
 * Building and printing the documents of `status` and `check` (see
 * report.h).
 */
#include "report.h"
#include "errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

json_t *
report_str(const char *s)
{
	json_t *v;

	if (s == NULL)
		return json_null();
	if ((v = json_string(s)) == NULL)
		v = json_string("(not UTF-8)");
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
	json_object_set_new(p, "fix", report_str(text));
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
	int n = 0;

	for (; s != NULL && *s != '\0'; s++, n++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
	for (; n < width; n++)
		putchar(' ');
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
