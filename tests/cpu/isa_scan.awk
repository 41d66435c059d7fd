# Reads `objdump -d -C --no-show-raw-insn` and prints, per function, the first
# instruction that is wider than the function may use: "FUNCTION<TAB>WHAT". AVX (a
# VEX/EVEX mnemonic or a ymm register) only in the wrappers run_avx2 and run_avx512;
# AVX-512 (zmm, xmm16-31/ymm16-31, mask registers, {k} masking or {1toN}
# broadcasts) only in run_avx512. Ends with "wrappers<TAB>N M": the wrapper
# functions seen, and how many AVX-512 wrappers hold AVX-512 code.
/^[0-9a-f]+ <.*>:$/ {
  fn = substr($0, index($0, "<") + 1)
  fn = substr(fn, 1, length(fn) - 2)
  next
}
NF >= 2 {
  line = $0
  sub(/^ *[0-9a-f]+:\t/, "", line)
  mnem = line
  sub(/[ \t].*/, "", mnem)
  evex = line ~ /%zmm|%[xy]mm(1[6-9]|2[0-9]|3[01])|%k[0-7]|\{%k|\{1to/
  avx = evex || line ~ /%ymm/ || mnem ~ /^v(add|sub|mul|div|max|min|sqrt|and|or|xor|mov|perm|shuf|unpck|broadcast|cvt|cmp|blend|p|fmadd|fmsub|fnmadd|insert|extract|gather|zeroupper|round|rcp|rsqrt|comis|ucomis|test|mask|hadd)/
  wide = fn ~ /run_avx512[<(]/
  mid = fn ~ /run_avx2[<(]/
  if (wide || mid) wrappers[fn] = 1
  if (wide && evex) seen512[fn] = 1
  if (evex && !wide && !(fn in bad)) {
    print fn "\tAVX-512: " line
    bad[fn] = 1
  } else if (avx && !wide && !mid && !(fn in bad)) {
    print fn "\tAVX: " line
    bad[fn] = 1
  }
}
END {
  n = 0
  for (w in wrappers) n++
  m = 0
  for (w in seen512) m++
  print "wrappers\t" n " " m
}
