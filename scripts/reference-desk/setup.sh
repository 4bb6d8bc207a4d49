#!/usr/bin/env bash
# Set up the reference desk for `herodesk bench compare`: django-helpdesk from PyPI with its demo project,
# in its own venv (never the project's .venv; not a dependency of herodesk, not installed by ./dev),
# seeded with TICKETS tickets of 5 messages each (the ticket and 4 follow-ups).
#
#   scripts/reference-desk/setup.sh DIR [TICKETS] [HERODESK_DATA_DIR]
#
# DIR gets venv/, demodesk/ (the demo project's settings, DEBUG off), db.sqlite3, static/ and
# credentials.json. With HERODESK_DATA_DIR (a desk seeded by `herodesk bench seed`), the tickets copy that
# desk's subjects, messages, statuses and dates; without it a small generator writes similar mail.
# Serve it the way `herodesk bench compare` does:
#   cd DIR && REFDESK_DIR=DIR PYTHONPATH=DIR venv/bin/gunicorn demodesk.wsgi:application --workers 2 --threads 4 \
#       --worker-class gthread --bind 127.0.0.1:8770
set -euo pipefail

DIR="${1:?usage: setup.sh DIR [TICKETS] [HERODESK_DATA_DIR]}"
TICKETS="${2:-100000}"
HERODESK_DATA_DIR="${3:-}"
HELPDESK_VERSION="${REFDESK_HELPDESK_VERSION:-2.6.1}"
PYTHON="${REFDESK_PYTHON:-python3}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
if [ -e "$DIR/db.sqlite3" ]; then
    echo "setup.sh: $DIR already has a database; choose an empty directory" >&2
    exit 1
fi

echo "== venv with django-helpdesk==$HELPDESK_VERSION and gunicorn in $DIR/venv"
"$PYTHON" -m venv "$DIR/venv"
"$DIR/venv/bin/pip" install --quiet "django-helpdesk==$HELPDESK_VERSION" gunicorn
"$DIR/venv/bin/python" -c 'import django, helpdesk, sys; print("python", sys.version.split()[0], "django", django.get_version())'

echo "== demo project"
rm -rf "$DIR/demodesk"
cp -r "$HERE/demodesk" "$DIR/demodesk"
export REFDESK_DIR="$DIR" DJANGO_SETTINGS_MODULE=demodesk.settings PYTHONPATH="$DIR"
cd "$DIR"
venv/bin/python -m django migrate --noinput -v 0
venv/bin/python -m django collectstatic --noinput -v 0

echo "== seeding $TICKETS tickets"
SOURCE=()
if [ -n "$HERODESK_DATA_DIR" ]; then
    SOURCE=(--herodesk-db "$HERODESK_DATA_DIR/herodesk.sqlite3")
fi
time venv/bin/python "$HERE/seed.py" --tickets "$TICKETS" "${SOURCE[@]}"
du -h "$DIR/db.sqlite3"
