// Messages between the extension host and the dashboard webview — the ONLY file both sides import.

export const PROTOCOL_VERSION = 1;

export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}
