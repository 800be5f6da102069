// Device entry point (Moddable SDK): builds the app from the device adapters and the core.
// Everything runs on the event loop from here on; state lives in the shell instance.

import { DeviceShell } from "./modules/device/device-shell";

export default function main(): void {
  new DeviceShell();
}
