# cmake --install puts the library, headers, command and a relocatable pkg-config file under a
# prefix, and an outside program (examples/min_variance.c) builds against it with pkg-config and
# runs on real data.
source "$(dirname "$0")/lib.sh"
min_checks 12 # the checks this script makes today; finish fails below it
BUILD=$(dirname "$RA")
run 0 cmake --install "$BUILD" --prefix "$TMP/inst"
for f in bin/roboadvisor include/roboadvisor/roboadvisor.h include/roboadvisor/qp.h \
         lib/libroboadvisor.so lib/libroboadvisor.a lib/pkgconfig/roboadvisor.pc; do
  [ -e "$TMP/inst/$f" ] && ok || bad "not installed: $f"
done
extra=()
grep -q '^RA_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" && extra=(-fsanitize=address,undefined)
export PKG_CONFIG_PATH="$TMP/inst/lib/pkgconfig"
run 0 cc "${extra[@]}" -Wall -Werror "$REPO/examples/min_variance.c" \
   $(pkg-config --cflags --libs roboadvisor) -o "$TMP/min_variance"
LD_LIBRARY_PATH="$TMP/inst/lib" run 0 "$TMP/min_variance" "$DATA/aa_etf_prices.csv" SPY,AGG,GLD
out_has "minimum-variance portfolio from"
out_has "AGG"
run 0 "$TMP/inst/bin/roboadvisor" --version
finish
