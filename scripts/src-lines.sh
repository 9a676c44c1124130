#!/bin/sh
# Non-test lines under src/: every .rs file up to its `#[cfg(test)]` unit-test module (kept at the bottom by convention), files named tests.rs excluded.
find "${1:-src}" -name '*.rs' ! -name tests.rs | sort | while read -r f; do
  awk '/^#\[cfg\(test\)\]/{ getline nx; if (nx ~ /^mod /) exit; print; print nx; next } {print}' "$f"
done | wc -l
