#!/usr/bin/env bash
# Install the Debian packages the test suite needs and a fresh machine lacks.
#   chromium           the real browser behind the Playwright tests (/usr/bin/chromium)
#   dovecot-imapd      the real IMAP server behind the email-channel tests
#   postgresql-client  psql and pg_isready, to reach the PostgreSQL the tests run against
# Idempotent: when everything is installed it changes nothing and touches no network.
set -euo pipefail

PACKAGES=(chromium dovecot-imapd postgresql-client)

log() { printf 'install-system-packages: %s\n' "$*" >&2; }

is_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# Root runs apt directly; anyone else goes through sudo without a prompt (CI has no stdin).
as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        log "need root to run '$*', and sudo is not installed"
        return 1
    fi
}

main() {
    if ! command -v apt-get >/dev/null 2>&1; then
        log "apt-get not found: install ${PACKAGES[*]} by hand on this system"
        exit 1
    fi

    local missing=()
    local pkg
    for pkg in "${PACKAGES[@]}"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        log "all present (${PACKAGES[*]})"
        return 0
    fi

    log "installing: ${missing[*]}"
    # Wait for another apt run (a colleague, unattended-upgrades) instead of failing on its lock.
    local apt_opts=(-y -q -o DPkg::Lock::Timeout=600)
    as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update </dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install "${missing[@]}" </dev/null

    for pkg in "${missing[@]}"; do
        if ! is_installed "$pkg"; then
            log "FAILED: $pkg is still not installed"
            exit 1
        fi
    done
    log "installed: ${missing[*]}"
}

main "$@"
