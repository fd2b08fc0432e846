import type { Request } from 'express';

/**
 * A delayed request being run by the provider itself, after its 202: who sent it and where. Runs
 * carry no credentials; this marker, which only the provider can attach (to request objects it
 * makes), stands for the session that was authenticated when the request was accepted.
 */
export interface Replay {
  /** The delayed request's id (also the `ref` asynchronous providers answer with). */
  readonly id: string;
  readonly environmentId: string;
  /** The absolute mount URL the consumer used. */
  readonly baseUrl: string;
  /** Set when a handler took the request over to answer later (asynchronous provider). */
  deferred: boolean;
}

const replays = new WeakMap<object, Replay>();

/** Marks a request object made by the provider as the run of a delayed request. */
export function markReplay(req: object, replay: Replay): void {
  replays.set(req, replay);
}

/** The replay a request is, or undefined for a request from the network. */
export function replayOf(req: Request): Replay | undefined {
  return replays.get(req);
}
