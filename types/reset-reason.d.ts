// ESP32 reset reason (`import getResetReason from "resetReason"`; include
// $(MODDABLE)/build/devices/esp32/modules/resetReason/manifest.json). ESP32 only.
// Follows the SDK's build/devices/esp32/modules/resetReason (resetReason.js) and its example.
declare module "resetReason" {
  /**
   * `reason` is ESP-IDF's esp_reset_reason_t: 0 unknown, 1 power-on, 2 external pin,
   * 3 software, 4 panic, 5 interrupt WDT, 6 task WDT, 7 other WDT, 8 deep sleep,
   * 9 brownout, 10 SDIO.
   */
  export default function getResetReason(): { reason: number; string: string };
}
