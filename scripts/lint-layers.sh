#!/bin/sh
# The layer rules of STYLE.md and backend/README.md:
#   - backend/ never draws or prints to a terminal, never exits;
#   - front ends (cli/, tui/) never touch the kernel's files, mount,
#     libcgroup or jansson, and include only public headers
#     (backend/include) and their own; tui/ includes nothing of cli/; of
#     tui/, cli/ includes only tui/tui_main.h, and only in cli/main.c (the
#     composition root);
#   - every backend .c file lives in a module folder that backend/README.md
#     lists; a module includes only the interface headers of another
#     module (its "interface" column), and only of the modules its "may
#     include" column names, so every import runs downward.
# Prints each offending line and fails if there is one.
set -u
bad=0
hit() { echo "lint: $1" >&2; echo "$2" | sed 's/^/  /' >&2; bad=1; }

out=$(grep -nE '#include <(n?curses|ncursesw/)' backend/*/*.[ch] 2>/dev/null)
[ -n "$out" ] && hit "curses in backend/" "$out"
out=$(grep -nE '\b(exit|printf|puts|perror)\(|fprintf\((stdout|stderr)' backend/*/*.[ch] 2>/dev/null)
[ -n "$out" ] && hit "backend/ prints or exits" "$out"
out=$(grep -nE '"/proc|"/sys|\bmount\(|umount2?\(|#include <(libcgroup|jansson|sys/mount)|\bjson_|\bcgroup_[a-z]+\(' cli/*.[ch] tui/*.[ch] 2>/dev/null)
[ -n "$out" ] && hit "front end touches /proc, /sys, mount, libcgroup or jansson" "$out"

# Front ends: "X" includes name a public header or a file of their own folder.
for fe in cli tui; do
	out=$(grep -nE '#include "[^"]+"' $fe/*.[ch] 2>/dev/null | while IFS= read -r line; do
		inc=$(echo "$line" | sed -E 's/.*#include "([^"]+)".*/\1/')
		case "$line" in
		cli/main.c:*'#include "../tui/tui_main.h"'*) continue ;;
		esac
		case "$inc" in
		*/*) echo "$line" ;;
		*) [ -f "backend/include/$inc" ] || [ -f "$fe/$inc" ] || echo "$line" ;;
		esac
	done)
	[ -n "$out" ] && hit "$fe/ includes a header that is neither public nor its own" "$out"
done
out=$(grep -nE '#include "(\.\./)*cli/|cli\.h"' tui/*.[ch] 2>/dev/null)
[ -n "$out" ] && hit "tui/ includes cli/" "$out"

# The module table of backend/README.md:
#   | name | prefix | interface headers | owns | may include |
table=$(grep -E '^\| [a-z]+ \|' backend/README.md | grep -v '^| module |')
modules=$(echo "$table" | awk -F'|' '{gsub(/ /, "", $2); print $2}')
column() { echo "$table" | awk -F'|' -v m="$1" -v c="$2" '{n=$2; gsub(/ /, "", n); if (n == m) {gsub(/ /, "", $c); print $c}}' | tr ',' ' '; }
allowed() { column "$1" 6; }
interface() { column "$1" 4; }

out=$(for f in backend/*.c backend/*/*.c; do
	[ -f "$f" ] || continue
	d=$(dirname "$f"); m=${d#backend/}
	echo "$modules" | grep -qx "$m" || echo "$f"
done)
[ -n "$out" ] && hit "backend .c files outside a module folder listed in backend/README.md" "$out"
out=$(for d in backend/*/; do
	m=$(basename "$d"); [ "$m" = include ] && continue
	echo "$modules" | grep -qx "$m" || echo "backend/$m/"
done)
[ -n "$out" ] && hit "module folders missing from backend/README.md" "$out"

for m in $modules; do
	ok=" $(allowed "$m") "
	out=$(grep -nE '#include "[a-z_]+/[a-z_0-9]+\.h"' backend/$m/*.[ch] 2>/dev/null | while IFS= read -r line; do
		inc=$(echo "$line" | sed -E 's/.*#include "([^"]+)".*/\1/')
		dep=${inc%%/*}; file=${inc#*/}
		[ "$dep" = "$m" ] && continue
		if ! echo " $(interface "$dep") " | grep -q " $file "; then
			echo "$line  (private header of $dep/)"
		elif ! echo "$ok" | grep -q " $dep "; then
			echo "$line  ($m/ may not include $dep/)"
		fi
	done)
	[ -n "$out" ] && hit "backend/$m/ includes what it may not" "$out"
done
exit $bad
