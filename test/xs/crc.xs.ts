// sml/crc on XS: catalogue check values, and the transport CRC of every real single-frame capture.

import { crc16Kermit, crc16Update, crc16X25, crc16ZeroRun } from "../../sml/crc";
import { equal, fixture, notEqual, ok, singleFrameFixtureNames, test } from "./harness";

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

test("check values for ASCII 123456789 (CRC catalogue)", () => {
  const check = ascii("123456789");
  equal(crc16X25(check), 0x906e, "CRC-16/X-25");
  equal(crc16Kermit(check), 0x2189, "CRC-16/KERMIT");
});

test("empty input gives the variants' init ^ xorout", () => {
  equal(crc16X25(new Uint8Array(0)), 0x0000);
  equal(crc16Kermit(new Uint8Array(0)), 0x0000);
});

test("start/end select a sub-range without copying", () => {
  const bytes = ascii("xx123456789yy");
  equal(crc16X25(bytes, 2, 11), 0x906e);
  equal(crc16Kermit(bytes, 2, 11), 0x2189);
  equal(crc16X25(bytes, 2, 11), crc16X25(bytes.subarray(2, 11)));
});

test("KERMIT from the X-25 register and a zero run, for every length 0..40", () => {
  const bytes = ascii("The quick brown fox jumps over the lazy dog");
  for (let n = 0; n <= 40; n++) {
    equal(crc16Update(0xffff, bytes, 0, n) ^ crc16ZeroRun(n), crc16Kermit(bytes, 0, n), `length ${n}`);
  }
});

// A single-frame capture ends with the end escape 1b1b1b1b 1a NN followed by the two transport
// CRC bytes, computed over every byte before them. SML 1.04 uses X-25, stored low byte first;
// the Holley "*-kermit.bin" captures carry CRC-16/KERMIT stored high byte first (QUIRKS.md A.1).
test("transport CRC of every single-frame capture (X-25 LE, Holley KERMIT BE)", () => {
  const names = singleFrameFixtureNames();
  let x25Frames = 0;
  let kermitFrames = 0;
  for (const name of names) {
    const frame = fixture(name);
    const n = frame.length;
    equal(hex(frame.subarray(0, 8)), "1b1b1b1b01010101", `${name} start escape`);
    equal(hex(frame.subarray(n - 8, n - 3)), "1b1b1b1b1a", `${name} end escape`);
    ok(frame[n - 3] <= 4, `${name} pad count ${frame[n - 3]}`);
    const storedLe = frame[n - 2] | (frame[n - 1] << 8);
    const storedBe = (frame[n - 2] << 8) | frame[n - 1];
    const x25 = crc16X25(frame, 0, n - 2);
    if (name.endsWith("-kermit.bin")) {
      equal(crc16Kermit(frame, 0, n - 2), storedBe, `${name} KERMIT, high byte first`);
      // Negative control: this frame must really be the KERMIT flavour, not X-25 in either order.
      notEqual(x25, storedLe, `${name} X-25 LE`);
      notEqual(x25, storedBe, `${name} X-25 BE`);
      kermitFrames++;
    } else {
      equal(x25, storedLe, `${name} X-25, low byte first`);
      x25Frames++;
    }
  }
  // By inspection of shared/fixtures/sml: 46 single frames, one of them the Holley KERMIT capture
  // (holley-unknown-2-kermit.bin; QUIRKS.md also names a -3- that is not in this fixture set).
  equal(names.length, 46, "single-frame captures found");
  equal(x25Frames, 45, "frames checked with X-25");
  equal(kermitFrames, 1, "frames checked with KERMIT");
});

test("every single-bit error in a real frame changes the X-25 CRC", () => {
  const frame = fixture("sml/dzg-dvs7412-1.bin");
  const end = frame.length - 2;
  const good = crc16X25(frame, 0, end);
  let flips = 0;
  for (let i = 0; i < end; i++) {
    for (let bit = 0; bit < 8; bit++) {
      frame[i] ^= 1 << bit;
      notEqual(crc16X25(frame, 0, end), good, `bit ${bit} of byte ${i}`);
      frame[i] ^= 1 << bit;
      flips++;
    }
  }
  equal(flips, 254 * 8);
});
