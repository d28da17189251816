# Common helpers for the scripts in this directory.  POSIX sh; sourced, not run.
#
# Paths (all overridable from the environment):
#   TOP    the repository root
#   W      work directory (ignored by git): downloads, trees, builds, logs
#   TREE   the kernel git tree: tag 'base' plus the series as commits

TOP=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
W=${W:-$TOP/work}
TREE=${TREE:-$W/linux}
LOGS=$W/logs

PROG=$(basename -- "$0")

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
	printf '%s: error: %s\n' "$PROG" "$1" >&2
	shift
	for line in "$@"; do printf '%s:        %s\n' "$PROG" "$line" >&2; done
	exit 1
}

# need_space DIR MIB WHAT: fail early, and say so, when DIR's filesystem has
# less than MIB MiB free.
need_space() {
	mkdir -p "$1"
	avail=$(df -Pm "$1" | awk 'NR == 2 { print $4 }')
	[ "$avail" -ge "$2" ] ||
		die "disk full: $3 needs about $2 MiB in $1, only $avail MiB free" \
			"free space there (e.g. rm -rf $W/out) and run again"
}

# Explain a failed step when the disk filled up while it ran.
check_disk_after_failure() {
	avail=$(df -Pm "$1" | awk 'NR == 2 { print $4 }')
	[ "$avail" -gt 200 ] ||
		die "disk full: only $avail MiB left in $1" \
			"free space there (e.g. rm -rf $W/out) and run again"
}

# A fixed identity for commits the tooling makes, so that the imported base
# commit has the same hash on every machine.
tool_ident() {
	GIT_AUTHOR_NAME='rcu-fault tooling'
	GIT_AUTHOR_EMAIL='tooling@localhost'
	GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME
	GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
	GIT_AUTHOR_DATE='2000-01-01T00:00:00Z'
	GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE
	export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME \
		GIT_COMMITTER_EMAIL GIT_AUTHOR_DATE GIT_COMMITTER_DATE
}

# The patch files of the series, in the order of patches/series.
series_patches() {
	[ -f "$TOP/patches/series" ] || die "patches/series is missing"
	grep -v '^[[:space:]]*\(#\|$\)' "$TOP/patches/series" | while read -r p; do
		[ -f "$TOP/patches/$p" ] || die "patches/series names $p, which is missing"
		printf '%s\n' "$TOP/patches/$p"
	done
}

# Human-readable duration of N seconds.
dur() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }
