// Raw access to a named flash partition (`import Flash from "flash"`).
// Follows Moddable SDK documentation/files/files.md ("class Flash"). ESP32: the name is a
// partition label from the partition table.
declare module "flash" {
  export default class Flash {
    constructor(name: string);
    /** Erases block number `block` (byte offset block * blockSize). */
    erase(block: number): void;
    read(offset: number, byteLength: number): ArrayBuffer;
    write(offset: number, byteLength: number, buffer: ArrayBuffer | ArrayBufferView): void;
    /** Read-only view of the whole partition; throws where the host cannot map it. */
    map(): ArrayBuffer;
    close(): void;
    readonly byteLength: number;
    readonly blockSize: number;
  }
}
