// Build-time settings from the manifest's "config" section (`import config from "mc/config"`).
// Follows Moddable SDK documentation/tools/manifest.md ("config"). Values can also be set on
// the mcconfig command line (e.g. `mcconfig -p esp32 ssid=… password=…`).
declare module "mc/config" {
  const config: Readonly<Record<string, string | number | boolean | undefined>>;
  export default config;
}
