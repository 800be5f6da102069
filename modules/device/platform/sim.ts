// Linux simulator side of "device-platform": no GPIO, no OTA, no reset reason, no restart,
// no multicast membership on the SDK's lin UDP socket.

import type { DevicePlatform } from "device-platform";

const platform: DevicePlatform = Object.freeze({
  name: "lin",
  resetReason: () => 1,
  restart() {
    trace("restart requested: the simulator keeps running\n");
  },
  beginOta: () => null,
  otaPartitionBytes: 0,
  chipId: null,
  openButton: () => null,
  openLed: () => null,
  joinMulticast: () => false,
});

export default platform;
