#!/usr/bin/env bash
# Installs the Debian packages the PDF rendering needs (portal/pdf, WeasyPrint): Pango with
# HarfBuzz and fontconfig, and the fonts for Latin, Cyrillic, Arabic, Hebrew and Chinese text.
# Idempotent: does nothing when every library and font file is already there.
# The font files must match FONT_FACES in portal/pdf/fonts.py (a test checks it).
set -euo pipefail

PACKAGES=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig
  fonts-noto-core fonts-wqy-microhei fonts-dejavu-core
)
FONT_FILES=(
  /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf
  /usr/share/fonts/truetype/noto/NotoSans-Bold.ttf
  /usr/share/fonts/truetype/noto/NotoSans-Italic.ttf
  /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf
  /usr/share/fonts/truetype/noto/NotoSansArabic-Bold.ttf
  /usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf
  /usr/share/fonts/truetype/noto/NotoSansHebrew-Bold.ttf
  /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
  /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf
  /usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf
)
LIBRARIES=(libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0 libfontconfig.so.1)

missing=0
for file in "${FONT_FILES[@]}"; do
  [[ -f "$file" ]] || missing=1
done
for lib in "${LIBRARIES[@]}"; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || missing=1
done
if [[ "$missing" == 0 ]]; then
  exit 0
fi

echo "installing the PDF libraries and fonts from Debian's packages..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
