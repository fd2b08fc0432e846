/** Where the provider gets "now" from; injectable so that timestamp windows can be tested. */
export type Clock = () => Date;

/** The real clock. */
export const systemClock: Clock = () => new Date();
