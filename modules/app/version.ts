// What this firmware calls itself. `ver` is the Shelly Pro 3EM firmware level we emulate:
// consumers compare it against the real device's releases, so it names a real one; our own
// version rides along in fw_id, whose leading build date clients check (>= 20240213).

export const IR2SHELLY_VERSION = "0.1.0";
export const EMULATED_SHELLY_VERSION = "1.4.4";
export const FIRMWARE_ID = `20261127-120000/${EMULATED_SHELLY_VERSION}-ir2shelly-${IR2SHELLY_VERSION}`;
