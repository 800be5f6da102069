// ESP32 firmware update into the next OTA partition (`import OTA from "ota"`; include
// $(MODDABLE)/build/devices/esp32/modules/ota/manifest.json). ESP32 only.
// Follows the Moddable SDK OTA examples (examples/network/http/httpota, examples/io/listener/
// httpserverota). Needs a partition table with two OTA app partitions.
declare module "ota" {
  export default class OTA {
    /** Opens the next update partition; throws "no update parition" or "begin failed". */
    constructor(options?: { byteLength?: number });
    /** Appends image bytes in order; throws "write failed". */
    write(data: ArrayBuffer | ArrayBufferView): void;
    /** Abandons the update. */
    cancel(): void;
    /** Validates the image and makes it the boot partition; restart afterwards. */
    complete(): void;
  }
}
