// The device's own web interface (pages and JSON API), shared by both shells.

export { WebInterface, webRoutes } from "./web-interface";
export { MeterHistory, HISTORY_WINDOW_MS } from "./history";
export type { WebContext, WebApp, MeterLinkInfo, SystemInfo, OtaTarget, SaveOutcome, FieldNote } from "./context";
export type { WebRequest, WebResponse, WebBodySink } from "./web-http";
