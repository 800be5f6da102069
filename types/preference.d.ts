// Small persistent key/value store (NVS on ESP32, a JSON file on the Linux simulator).
// Follows Moddable SDK documentation/files/files.md ("class Preference").
// On ESP32 domain and key names are limited to 15 characters and values to 4000 bytes;
// numbers must be integers. Flash wears out: write only when a value changes.
declare module "preference" {
  export type PreferenceValue = boolean | number | string | ArrayBuffer;

  const Preference: {
    set(domain: string, key: string, value: PreferenceValue): void;
    /** undefined when the key does not exist. */
    get(domain: string, key: string): PreferenceValue | undefined;
    delete(domain: string, key: string): void;
    keys(domain: string): string[];
  };
  export default Preference;
}
