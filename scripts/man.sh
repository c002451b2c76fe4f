#!/bin/sh
# Writes the man page berth(1) on stdout from the program's own texts
# (`berth --help`, `berth COMMAND --help`, `berth --help-keys`), so that it
# never says anything the program does not.  Usage: scripts/man.sh BERTH
set -eu
B=$1
# troff: a leading dot or quote would be a request; backslashes escape.
esc() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }
pre() { printf '.nf\n'; esc; printf '.fi\n'; }
version=$("$B" --version | awk '{print $2}')
cat <<HEAD
.TH BERTH 1 "" "berth $version" "User Commands"
.SH NAME
berth \\- containers on overlayfs layers with cgroup limits, constant-time snapshots, and a terminal UI
.SH SYNOPSIS
.B berth
[\\fIGLOBAL OPTIONS\\fR] [\\fICOMMAND\\fR [\\fIARGS\\fR...]]
.SH DESCRIPTION
HEAD
"$B" --help | awk '/^Commands:/{exit} {print}' | pre
echo '.SH COMMANDS'
"$B" --help | awk '/^Commands:/{f=1;next} f&&/^  [a-z]/{sub(/^  /,""); split($0,w,"  "); print w[1]}' |
	while read -r cmd; do
		printf '.SS %s\n' "$cmd"
		# shellcheck disable=SC2086 # two-word commands split on purpose
		"$B" $cmd --help | pre
	done
echo '.SH TERMINAL UI KEYS'
"$B" --help-keys | pre
cat <<'TAIL'
.SH EXIT STATUS
A command's own status for \fBrun\fR, \fBexec\fR and \fBwait\fR; 125 when berth
itself fails; 126 when the command cannot be executed; 127 when it is not found.
.SH ENVIRONMENT
.TP
.B BERTH_ROOT
the state root when \fB\-\-root\fR is not given (default /var/lib/berth)
.TP
.B BERTH_THEME
the terminal UI's colour theme when \fB\-\-theme\fR is not given
.TP
.B NO_COLOR
when set and not empty, the terminal UI draws in monochrome
.SH FILES
.TP
.I /var/lib/berth
images, layers, containers and snapshots (durable records)
.TP
.I /run/berth
runtime state of the default root (pids, locks)
.TP
.I ~/.config/berth/themes/NAME.json
the user's colour themes
TAIL
