#!/usr/bin/env bash
# Seed the decoder fuzz corpus with the recorded captures, cut into small pieces.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/decoder
for f in tests/fixtures/asterisk/*; do
  split -b 2048 -d "$f" "fuzz/corpus/decoder/$(basename "$f")."
done
ls fuzz/corpus/decoder | wc -l | xargs echo "corpus files:"
