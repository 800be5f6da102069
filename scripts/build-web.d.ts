// Types of scripts/build-web.js for the tests that import it.

export interface BuiltAsset {
  path: string;
  type: string;
  cache: string;
  text: string;
}

export const GENERATED: string;
export function buildWebAssets(): Promise<BuiltAsset[]>;
export function generatedModule(assets: BuiltAsset[]): string;
