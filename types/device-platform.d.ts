// Our own platform seam (not an SDK module): the manifest maps "device-platform" to
// modules/device/platform-esp32 on ESP32 and to modules/device/platform-sim on the Linux
// simulator; both export a DevicePlatform as default. Declared here so that the shared
// device code imports one specifier and both implementations are checked against it.
declare module "device-platform" {
  /** A firmware image being written to the next OTA partition. */
  export interface OtaSink {
    write(bytes: ArrayBuffer | ArrayBufferView): void;
    /** Validates the image and makes it the boot partition. */
    complete(): void;
    cancel(): void;
  }

  export interface PinOut {
    write(level: 0 | 1): void;
    close(): void;
  }

  export interface PinIn {
    /** 0 or 1. */
    read(): number;
    close(): void;
  }

  export interface DevicePlatform {
    readonly name: string;
    /** ESP-IDF esp_reset_reason_t (1 = power-on). */
    resetReason(): number;
    /** Restarts the device; returns only where that is impossible (simulator). */
    restart(): void;
    /** Opens the next OTA partition, or null where updates are not supported. Throws on failure. */
    beginOta(): OtaSink | null;
    /** Size of an OTA partition in bytes (0 without OTA). */
    readonly otaPartitionBytes: number;
    /** ESP-IDF chip id of this target, or null on the simulator. */
    readonly chipId: number | null;
    /** A push button input with pull-up (pressed = 0), or null where GPIO is absent. */
    openButton(pin: number): PinIn | null;
    /** An LED output, or null where GPIO is absent. */
    openLed(pin: number): PinOut | null;
    /** Joins a multicast group on a UDP socket; false where that is not possible. */
    joinMulticast(socket: unknown, group: string): boolean;
  }

  const platform: DevicePlatform;
  export default platform;
}
