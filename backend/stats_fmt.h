/* Locale-free number formatting shared by the table columns
 * (stats_format.c) and the JSON writer (stats_json.c). */
#ifndef BE_STATS_FMT_H
#define BE_STATS_FMT_H

#include <stddef.h>

#include "berth.h"

/* v with prec decimals and a '.' whatever the locale; "null" when v is not
 * finite.  Returns the length as snprintf does. */
int be_fmt_fixed(char *buf, size_t len, double v, int prec);

#endif
