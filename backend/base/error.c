/* The error object: errno plus a one-line message, first error wins. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

int be_error_set(struct be_error **err, int errnum, const char *fmt, ...)
{
	if (err == NULL || *err != NULL)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *text = NULL;
	if (vasprintf(&text, fmt, ap) < 0)
		abort();
	va_end(ap);
	struct be_error *e = xcalloc(1, sizeof(*e));
	e->errnum = errnum;
	if (errnum > 0) {
		e->msg = xasprintf("%s: %s", text, strerror(errnum));
		free(text);
	} else {
		e->msg = text;
	}
	*err = e;
	return -1;
}

int be_error_wrap(struct be_error **err, const char *fmt, ...)
{
	if (err == NULL || *err == NULL)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *prefix = NULL;
	if (vasprintf(&prefix, fmt, ap) < 0)
		abort();
	va_end(ap);
	char *msg = xasprintf("%s: %s", prefix, (*err)->msg);
	free(prefix);
	free((*err)->msg);
	(*err)->msg = msg;
	return -1;
}

void be_error_free(struct be_error *err)
{
	if (err == NULL)
		return;
	free(err->msg);
	free(err);
}

void be_error_clear(struct be_error **err)
{
	if (err == NULL)
		return;
	be_error_free(*err);
	*err = NULL;
}

bool be_name_valid(const char *name)
{
	if (name == NULL || name[0] == '\0')
		return false;
	size_t i;
	for (i = 0; name[i] != '\0'; i++) {
		char c = name[i];
		bool alnum =
		        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (i == 0 && !alnum)
			return false;
		if (!alnum && c != '_' && c != '.' && c != '-')
			return false;
		if (i >= BE_NAME_MAX)
			return false;
	}
	return true;
}

/* Copies at most max bytes of name into buf (of 4*max+1 bytes), writing
 * bytes that are not printable ASCII as \xNN, so that an error stays one
 * line whatever the user typed. */
static const char *shown_name(const char *name, char *buf, size_t max)
{
	size_t o = 0;
	for (size_t i = 0; name[i] != '\0' && i < max; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c >= 0x20 && c < 0x7f)
			buf[o++] = (char)c;
		else
			o += (size_t)sprintf(buf + o, "\\x%02x", c);
	}
	buf[o] = '\0';
	return buf;
}

int be_name_check(const char *kind, const char *name, struct be_error **err)
{
	if (be_name_valid(name))
		return 0;
	char shown[4 * 80 + 1];
	return be_error_set(err, 0,
	                    "invalid %s name \"%s\": use 1 to 64 of a-z A-Z 0-9 _ . -, starting "
	                    "with a letter or digit",
	                    kind, shown_name(name ? name : "", shown, 80));
}
