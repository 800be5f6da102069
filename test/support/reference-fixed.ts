// The documented fixed-decimals rule computed independently with BigInt, for the JSON writer's
// tests on Node and on XS.

/**
 * Independent reference for the documented rule: take String(x) (shortest round-trip
 * decimal), round half away from zero to d decimals with BigInt arithmetic.
 */
export function referenceFixed(x: number, d: number): string {
  const negative = x < 0 || Object.is(x, -0);
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(Math.abs(x)));
  if (!m) throw new Error("unexpected " + String(x));
  const frac = m[2] ?? "";
  const mantissa = BigInt(m[1] + frac);
  const exp10 = Number(m[3] ?? "0") - frac.length; // |x| = mantissa × 10^exp10
  const shift = exp10 + d;
  let scaled: bigint;
  if (shift >= 0) scaled = mantissa * 10n ** BigInt(shift);
  else {
    const div = 10n ** BigInt(-shift);
    scaled = mantissa / div;
    if ((mantissa % div) * 2n >= div) scaled += 1n;
  }
  let digits = scaled.toString();
  if (d > 0) {
    digits = digits.padStart(d + 1, "0");
    digits = digits.slice(0, digits.length - d) + "." + digits.slice(digits.length - d);
  }
  return (negative && scaled !== 0n ? "-" : "") + digits;
}
