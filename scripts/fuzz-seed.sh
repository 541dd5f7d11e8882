#!/usr/bin/env bash
# Seed the fuzz corpora with the recorded captures: the decoder's cut into small pieces,
# the model's into 16 KiB runs of whole calls (each prefixed by the two control bytes the
# target reads: chunk size and PBX spread); the skipping target's the same runs, read under
# the standard rules with the default caps and under the 2014 framework's with small caps.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/decoder fuzz/corpus/model fuzz/corpus/skipping
for f in tests/fixtures/asterisk/*; do
  split -b 2048 -d "$f" "fuzz/corpus/decoder/$(basename "$f")."
  split -b 16384 -d "$f" "/tmp/hackamore-seed.$$.$(basename "$f")."
done
for f in /tmp/hackamore-seed.$$.*; do
  name=$(basename "$f" | sed "s/^hackamore-seed\.$$\.//")
  { printf '\xff\x0f'; cat "$f"; } > "fuzz/corpus/model/$name"
  { printf '\xff\x00'; cat "$f"; } > "fuzz/corpus/skipping/$name"
  { printf '\x41\x03'; cat "$f"; } > "fuzz/corpus/skipping/$name.2014"
  rm -f "$f"
done
echo "corpus files: decoder $(ls fuzz/corpus/decoder | wc -l), model $(ls fuzz/corpus/model | wc -l), skipping $(ls fuzz/corpus/skipping | wc -l)"
