#!/bin/sh
# The layer rules of STYLE.md: backend/ never draws or prints to a terminal;
# front ends (cli/, tui/) never touch the kernel's files, mount, libcgroup or
# jansson.  Prints each offending line and fails if there is one.
set -u
bad=0
hit() { echo "lint: $1" >&2; echo "$2" | sed 's/^/  /' >&2; bad=1; }

out=$(grep -nE '#include <(n?curses|ncursesw/)' backend/*.[ch] 2>/dev/null)
[ -n "$out" ] && hit "curses in backend/" "$out"
out=$(grep -nE '\b(exit|printf|puts|perror)\(|fprintf\((stdout|stderr)' backend/*.[ch] 2>/dev/null)
[ -n "$out" ] && hit "backend/ prints or exits" "$out"
out=$(grep -nE '"/proc|"/sys|\bmount\(|umount2?\(|#include <(libcgroup|jansson|sys/mount)|\bjson_|\bcgroup_[a-z]+\(' cli/*.[ch] tui/*.[ch] 2>/dev/null)
[ -n "$out" ] && hit "front end touches /proc, /sys, mount, libcgroup or jansson" "$out"
exit $bad
