// Public surface of the Shelly emulation for the shells.

export { ShellyDevice, DEFAULT_STALE_AFTER_MS, errorBody } from "./shelly-device";
export type { FrameReply, NotifyBatch, RestReply, RpcChannel, ShellyDeviceOptions } from "./shelly-device";
export { routeHttp, DEFAULT_MAX_BODY_CHARS } from "./http-router";
export type { HttpRequest, HttpResponse, HttpRouterOptions } from "./http-router";
export { makeIdentity, formatFirmwareId, firmwareDate, MIN_FW_DATE } from "./identity";
export type { DeviceIdentity, DeviceIdentityInput } from "./identity";
export { defaultShellySettings, normalizeShellySettings } from "./settings";
export type { ShellySettings } from "./settings";
export { DEFAULT_FEATURES } from "./host";
export type { GridSource, MemoryInfo, NetworkInfo, ShellyFeatures, ShellyHost, WifiStatus } from "./host";
export { StatusNotifier, DEFAULT_NOTIFY_OPTIONS } from "./notify";
export type { NotifyDecision, NotifyOptions, NotifyThresholds } from "./notify";
export { computeHa1 } from "./digest-auth";
export { formatFixed, JsonWriter } from "./json-writer";
