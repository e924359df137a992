// The webview's side of the protocol's requests: numbered requests, each answered by exactly one reply, typed
// per request (`ResultOf<R>` in src/protocol.ts). Never imports host code.

import type {
  DashboardUiState,
  HostToWebview,
  ResultOf,
  WebviewRequest,
  WebviewToHost,
} from '../src/protocol.js';

interface VsCodeApi {
  postMessage(m: WebviewToHost): void;
  getState(): DashboardUiState | undefined;
  setState(s: DashboardUiState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export const vscodeApi = acquireVsCodeApi();
export const post = (m: WebviewToHost): void => vscodeApi.postMessage(m);

let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

export function request<R extends WebviewRequest>(r: R): Promise<ResultOf<R>> {
  const id = nextId++;
  return new Promise<ResultOf<R>>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    post({ type: 'request', id, request: r });
  });
}

/** Settles the request a reply answers (false: not a reply this module sent). */
export function settle(m: Extract<HostToWebview, { type: 'reply' }>): void {
  const p = pending.get(m.id);
  pending.delete(m.id);
  if (!p) return;
  if (m.ok) p.resolve(m.result);
  else p.reject(new Error(m.error));
}
