// Route that answers a WebSocket upgrade on the ECMA-419 HTTP server; after onDone, hand
// `this.detach()` to `new WebSocket({attach})` from the "WebSocket" module.
// Follows the Moddable SDK example examples/io/listener/httpserver (main.js, options/websocket).
declare module "embedded:network/http/server/options/websocket" {
  import type { HTTPRoute } from "embedded:network/http/server";
  const WebSocketHandshake: Readonly<HTTPRoute>;
  export default WebSocketHandshake;
}
