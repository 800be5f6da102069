// The Moddable SDK's legacy socket (`import {Socket} from "socket"`), declared only as far as
// the HTTP and WebSocket servers hand sockets to each other.
// Follows Moddable SDK documentation/network/network.md ("class Socket").
declare module "socket" {
  export class Socket {
    private constructor();
    close(): void;
  }
}
