#!/usr/bin/env bash
# Packs what the HTTP comparison needs on a machine that can build nothing and fetch
# nothing (the 16-core device machine): the four servers, release-built and stripped,
# and wrk with the shared libraries it links beyond the C library, into target/device.
#
#   bench/http/device-pack.sh            # then, with the device tool:
#   run(carry=["target/device"], command="bench/http/device-run.sh")
#
# About 18 MB; the device tool carries at most 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q -p techempower -p kairos-bench-http
pack=target/device
rm -rf "$pack"
mkdir -p "$pack/bin" "$pack/lib"
for server in techempower actix hyper may_minihttp; do
  strip -o "$pack/bin/$server" "target/release/$server"
done
cp "$(command -v wrk)" "$pack/bin/"
# wrk's own libraries (LuaJIT, OpenSSL); the C library and its loader are the machine's.
ldd "$(command -v wrk)" | awk '$3 ~ /^\// {print $3}' |
  grep -Ev '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*)\.so' |
  while read -r lib; do cp -L "$lib" "$pack/lib/"; done
git rev-parse --short HEAD > "$pack/commit"
du -sh "$pack"
