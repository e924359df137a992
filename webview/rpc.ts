// The webview's side of the protocol (src/protocol.ts): messages to the host, numbered requests each answered
// by exactly one reply and typed per request (`ResultOf<R>`: the reply type of the request's `IpcRequest`),
// the host's messages dispatched to the dashboard, and the UI state VS Code keeps across reloads. Never imports
// host code.

import {
  assertNever,
  type AppendPayload,
  type DashboardState,
  type DashboardUiState,
  type HostToWebview,
  type KbState,
  type ResultOf,
  type WebviewRequest,
  type WebviewToHost,
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

/** Settles the request a reply answers (a reply to no request of this module is dropped). */
export function settle(m: Extract<HostToWebview, { type: 'reply' }>): void {
  const p = pending.get(m.id);
  pending.delete(m.id);
  if (!p) return;
  if (m.ok) p.resolve(m.result);
  else p.reject(new Error(m.error));
}

let reportError: (message: string) => void = () => undefined;

/** Where a failed fire-and-forget request is reported (the dashboard's error bar). */
export function onRequestError(f: (message: string) => void): void {
  reportError = f;
}

/** A request whose reply only matters when it fails (the failure goes to onRequestError's sink). */
export function fire(r: WebviewRequest): void {
  request(r).catch((e: unknown) => reportError((e as Error).message));
}

// ---- UI state (tab, axes, plot tools): kept by VS Code with setState, the serializer's state after a reload
let ui: DashboardUiState = vscodeApi.getState() ?? {};

/** The UI state as last saved. */
export function uiState(): DashboardUiState {
  return ui;
}

export function saveUi(patch: Partial<DashboardUiState>): void {
  ui = { ...ui, ...patch };
  vscodeApi.setState(ui);
}

/** What the dashboard does with the host's messages (replies settle requests here). */
export interface HostMessageHandlers {
  snapshot(protocol: number, state: DashboardState, seq: number): void;
  append(delta: AppendPayload, seq: number): void;
  kb(kb: KbState): void;
}

/** Dispatches the host's messages. */
export function listen(handlers: HostMessageHandlers): void {
  window.addEventListener('message', (ev: MessageEvent<HostToWebview>) => {
    const m = ev.data;
    switch (m.type) {
      case 'snapshot':
        handlers.snapshot(m.protocol, m.state, m.seq);
        return;
      case 'append':
        handlers.append(m.delta, m.seq);
        return;
      case 'kb':
        handlers.kb(m.kb);
        return;
      case 'reply':
        settle(m);
        return;
      default:
        assertNever(m);
    }
  });
}
