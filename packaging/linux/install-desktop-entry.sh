#!/usr/bin/env sh
# Put Exchange Atlas into the user's applications menu (no root needed):
#   packaging/linux/install-desktop-entry.sh [PATH-TO-EXECUTABLE]
# PATH defaults to the built bundle (dist/exchange-atlas/exchange-atlas), else `exchange-atlas`
# on PATH (pip install).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
exe=${1:-}
if [ -z "$exe" ]; then
  if [ -x "$root/dist/exchange-atlas/exchange-atlas" ]; then
    exe="$root/dist/exchange-atlas/exchange-atlas"
  else
    exe=$(command -v exchange-atlas || true)
  fi
fi
[ -n "$exe" ] || { echo "exchange-atlas not found: build it or pip install it first" >&2; exit 1; }
data=${XDG_DATA_HOME:-$HOME/.local/share}
mkdir -p "$data/applications"
for size in 16 24 32 48 64 128 256 512; do
  dir="$data/icons/hicolor/${size}x${size}/apps"
  mkdir -p "$dir"
  cp "$root/resources/icons/exchange-atlas-$size.png" "$dir/exchange-atlas.png"
done
sed "s|^Exec=.*|Exec=\"$exe\" %U|" "$here/exchange-atlas.desktop" > "$data/applications/exchange-atlas.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q "$data/icons/hicolor" || true
echo "Installed: $data/applications/exchange-atlas.desktop -> $exe"
