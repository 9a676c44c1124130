#!/bin/sh
# Items at the crate root: public modules plus names re-exported by `pub use`
# in src/lib.rs (one per name, whatever features gate it).
set -eu
cd "$(dirname "$0")/.."
tr '\n' ' ' < src/lib.rs | grep -o 'pub \(mod [a-z_]*\|use [^;]*\);' | sed 's/pub use [a-z_:]*::{\([^}]*\)}.*/\1/; s/pub use [a-z_:]*::\([A-Za-z_]*\);/\1/; s/pub mod \([a-z_]*\);/\1/' | tr ',' '\n' | sed 's/ //g' | grep -v '^$' | sort | tee /dev/stderr | wc -l
