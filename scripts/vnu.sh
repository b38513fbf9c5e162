#!/usr/bin/env bash
# The Nu Html Checker (the vnu-jar package, a jar run on Java), fetched once at a pinned version,
# checked against the package's published digests, kept under var/. Prints the jar's path.
# Usage: scripts/vnu.sh            (then: java -jar "$(scripts/vnu.sh)" --errors-only page.html)
set -euo pipefail

VERSION=26.9.27
URL="https://registry.npmjs.org/vnu-jar/-/vnu-jar-${VERSION}.tgz"
SHA1=80a35dd6f8f7230132811a6ee8bd4257a119fb14
SHA512_BASE64="TkQd5DFfOaWC9ebtvozTsrH2Vaod3jYg+vrOeREzIXxBexLz9+rS2DNtjn7+RPUiZhgli0SghgBX6RJRNea0KA=="

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/var/vnu-$VERSION"
jar="$dir/vnu.jar"
if [ -s "$jar" ]; then
  echo "$jar"
  exit 0
fi

mkdir -p "$dir"
tarball="$(mktemp "$dir/download.XXXXXX")"
part="$(mktemp "$dir/vnu.jar.XXXXXX")"
trap 'rm -f "$tarball" "$part"' EXIT
curl --fail --silent --show-error --location --retry 3 --max-time 300 -o "$tarball" "$URL"

sha512_hex="$(printf '%s' "$SHA512_BASE64" | base64 -d | od -An -vtx1 | tr -d ' \n')"
if [ "$(sha1sum "$tarball" | cut -d' ' -f1)" != "$SHA1" ] \
  || [ "$(sha512sum "$tarball" | cut -d' ' -f1)" != "$sha512_hex" ]; then
  echo "vnu-jar $VERSION: the download does not match its published digests" >&2
  exit 1
fi

# Written beside its final name and moved there, so a run cut short (or two at once) leaves no
# half jar.
tar -xzf "$tarball" -O package/build/dist/vnu.jar >"$part"
chmod 644 "$part"
mv "$part" "$jar"
echo "$jar"
