#!/usr/bin/env bash
# Seed the fuzz corpora with the recorded captures: the decoder's cut into small pieces,
# the model's into 16 KiB runs of whole calls (each prefixed by the two control bytes the
# target reads: chunk size and PBX spread).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/decoder fuzz/corpus/model
for f in tests/fixtures/asterisk/*; do
  split -b 2048 -d "$f" "fuzz/corpus/decoder/$(basename "$f")."
  split -b 16384 -d "$f" "/tmp/hackamore-seed.$$.$(basename "$f")."
done
for f in /tmp/hackamore-seed.$$.*; do
  { printf '\xff\x0f'; cat "$f"; } > "fuzz/corpus/model/$(basename "$f" | sed "s/^hackamore-seed\.$$\.//")"
  rm -f "$f"
done
echo "corpus files: decoder $(ls fuzz/corpus/decoder | wc -l), model $(ls fuzz/corpus/model | wc -l)"
