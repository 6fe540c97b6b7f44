#!/usr/bin/env bash
# Compares `mailwire mime dump` with the CPython oracle over ../shared/corpus.
#   compare.sh MAILWIRE_BINARY SHARED_DIR MIN_PERCENT
set -euo pipefail
mailwire=$1 shared=$2 min=$3
[ -d "$shared/corpus" ] || { echo "no $shared/corpus: nothing to compare"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$shared"
# Exit 1 from the oracle means it caught exceptions inside CPython (4 known messages).
python3 tools/mime_oracle.py --index corpus/INDEX.tsv > "$work/oracle.jsonl" 2> "$work/oracle.err" ||
  [ $? -eq 1 ]
awk -F'\t' 'NR>1 && ($3=="message" || $3=="mbox") {print "corpus/"$1}' corpus/INDEX.tsv > "$work/files"
xargs -d '\n' "$mailwire" mime dump < "$work/files" > "$work/ours.jsonl"
python3 tools/mime_compare.py "$work/oracle.jsonl" "$work/ours.jsonl" --show 30 --min "$min"
