// Firmware update into the next OTA partition, as the web interface's OtaTarget
// (modules/web streams POST /api/ota into it chunk by chunk). The image header is checked
// on the way (modules/network/ota-upload), so a wrong file is refused after 16 bytes; the
// bootloader's own verification (OTA.complete) has the last word.

import platform, { type OtaSink } from "device-platform";
import { OtaUploadCheck } from "../network/ota-upload";
import type { OtaTarget } from "../web/context";

export class DeviceOta implements OtaTarget {
  readonly maxBytes = platform.otaPartitionBytes;
  private sink: OtaSink | null = null;
  private check: OtaUploadCheck | null = null;

  constructor(private readonly log: (line: string) => void) {}

  get inProgress(): boolean {
    return this.sink !== null;
  }

  begin(length: number): string | null {
    if (this.sink !== null) return "An update is already running.";
    const check = new OtaUploadCheck({ declaredLength: length, maxBytes: this.maxBytes, chipId: platform.chipId });
    const refused = check.begin();
    if (refused !== null) return refused;
    try {
      this.sink = platform.beginOta();
    } catch (error) {
      return "Cannot start the update: " + String(error);
    }
    if (this.sink === null) return "Firmware updates are not supported on this platform.";
    this.check = check;
    this.log("ota: receiving " + length + " bytes");
    return null;
  }

  write(chunk: Uint8Array): string | null {
    const sink = this.sink;
    const check = this.check;
    if (sink === null || check === null) return "No update is running.";
    const problem = check.push(chunk);
    if (problem !== null) return problem;
    try {
      sink.write(chunk);
    } catch (error) {
      return "Writing the image failed: " + String(error);
    }
    return null;
  }

  finish(): string | null {
    const sink = this.sink;
    const check = this.check;
    if (sink === null || check === null) return "No update is running.";
    const problem = check.finish();
    if (problem !== null) return problem;
    try {
      sink.complete();
    } catch (error) {
      return "The image was rejected: " + String(error);
    }
    this.sink = null;
    this.check = null;
    this.log("ota: image complete");
    return null;
  }

  abort(): void {
    const sink = this.sink;
    this.sink = null;
    if (sink !== null) {
      this.log("ota: aborted after " + (this.check?.received ?? 0) + " bytes");
      try {
        sink.cancel();
      } catch {
        // nothing left to cancel
      }
    }
    this.check = null;
  }
}
