// Checks a firmware upload while it streams into the OTA partition: the declared length,
// the ESP application image header (magic byte, chip) and the byte count at the end. A
// wrong file is refused after its first 16 bytes, before flash is touched further; the
// bootloader's own checksum check (OTA.complete) still has the last word.

/** First byte of every ESP-IDF application image. */
export const ESP_IMAGE_MAGIC = 0xe9;
/** Offset of the chip id (uint16, little-endian) in the image's extended header. */
const CHIP_ID_OFFSET = 12;
const HEADER_BYTES = 16;

/** ESP-IDF chip ids (esp_chip_id_t) of the targets we build. */
export const CHIP_IDS: Readonly<Record<string, number>> = Object.freeze({ esp32: 0, esp32s2: 2, esp32c3: 5, esp32s3: 9 });

export interface OtaUploadOptions {
  /** Content-Length of the request, or null when absent. */
  declaredLength: number | null;
  /** Size of the OTA partition. */
  maxBytes: number;
  /** Chip id the image must be built for; null skips the check. */
  chipId: number | null;
}

export class OtaUploadCheck {
  private readonly header = new Uint8Array(HEADER_BYTES);
  private headerFill = 0;
  private count = 0;

  constructor(private readonly options: OtaUploadOptions) {}

  get received(): number {
    return this.count;
  }

  /** Problem with the request before any byte is written, or null. */
  begin(): string | null {
    const n = this.options.declaredLength;
    if (n === null) return "Content-Length is required.";
    if (n < HEADER_BYTES) return "The file is too small to be a firmware image.";
    if (n > this.options.maxBytes) return "The image (" + n + " bytes) is larger than the update partition (" + this.options.maxBytes + " bytes).";
    return null;
  }

  /** Accounts for the next chunk; a problem means: cancel the update. */
  push(chunk: Uint8Array): string | null {
    this.count += chunk.length;
    if (this.count > (this.options.declaredLength ?? this.options.maxBytes)) return "More bytes than announced.";
    if (this.headerFill < HEADER_BYTES) {
      const take = Math.min(HEADER_BYTES - this.headerFill, chunk.length);
      this.header.set(chunk.subarray(0, take), this.headerFill);
      this.headerFill += take;
      if (this.headerFill === HEADER_BYTES) return this.checkHeader();
    }
    return null;
  }

  /** After the last chunk: a problem, or null when the image is whole. */
  finish(): string | null {
    if (this.count !== this.options.declaredLength) return "The upload ended after " + this.count + " of " + this.options.declaredLength + " bytes.";
    return null;
  }

  private checkHeader(): string | null {
    const h = this.header;
    if (h[0] !== ESP_IMAGE_MAGIC) return "This is not an ESP32 firmware image (use the application .bin, not the merged flash image).";
    const chip = h[CHIP_ID_OFFSET] | (h[CHIP_ID_OFFSET + 1] << 8);
    const want = this.options.chipId;
    if (want !== null && chip !== want) {
      let name = "chip id " + chip;
      for (const key of Object.keys(CHIP_IDS)) if (CHIP_IDS[key] === chip) name = key;
      return "This image is built for " + name + ", not for this board.";
    }
    return null;
  }
}
