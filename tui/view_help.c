/* The help screen, drawn from the key tables (keys.c) so it never
 * disagrees with what the keys do, after a few lines on reading the
 * screen. */
#include <stdio.h>

#include "i18n.h"
#include "tui.h"

static const char *const intro[] = {
        N_("CPU% counts one CPU as 100: a container using two full CPUs shows 200%."),
        N_("Rows: berth's containers (any state), other engines' containers and VMs;"),
        N_("berth only watches what it did not start.  Actions run the berth CLI, so"),
        N_("their messages are the command line's; the table keeps refreshing meanwhile."),
        N_("Namespaces in the detail view: own = the container has its own, host = shared."),
};

void tui_help_draw(struct tui *t)
{
	size_t n;
	const struct tui_keytable *tables = tui_keytables(&n);
	int vy = 0, top = t->help_scroll;
	/* Virtual lines vy map to screen lines 1 + vy - top; the frame is
	 * drawn over lines 0 and LINES-1 afterwards. */
	for (size_t i = 0; i < sizeof(intro) / sizeof(intro[0]); i++, vy++)
		tui_put(t, 1 + vy - top, 1, COLS - 2, BE_ROLE_DIM, _(intro[i]));
	for (size_t k = 0; k < n; k++) {
		vy++;
		tui_put(t, 1 + vy - top, 1, COLS - 2, BE_ROLE_LABEL, _(tables[k].title));
		vy++;
		for (size_t i = 0; i < tables[k].n; i++, vy++) {
			const struct tui_binding *b = &tables[k].b[i];
			tui_put(t, 1 + vy - top, 3, 16, BE_ROLE_KEY, b->keys);
			tui_put(t, 1 + vy - top, 20, COLS - 21, BE_ROLE_NORMAL, _(b->help));
		}
	}
	int max = vy - (LINES - 3);
	if (t->help_scroll > max)
		t->help_scroll = max < 0 ? 0 : max;
}

void tui_print_keys(void)
{
	char note[200];
	tui_i18n_init(note, sizeof(note));
	for (size_t i = 0; i < sizeof(intro) / sizeof(intro[0]); i++)
		puts(_(intro[i]));
	size_t n;
	const struct tui_keytable *tables = tui_keytables(&n);
	for (size_t k = 0; k < n; k++) {
		printf("\n%s\n", _(tables[k].title));
		for (size_t i = 0; i < tables[k].n; i++)
			printf("  %-16s %s\n", tables[k].b[i].keys, _(tables[k].b[i].help));
	}
}
