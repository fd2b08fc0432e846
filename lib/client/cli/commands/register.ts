import type { Command } from '../command';
import { printJson } from '../command';

/**
 * `sif3 register`: registers (or re-attaches to) the environment and prints it.
 *
 * @example
 * sif3 register --url http://localhost:3000/sif3 --key DemoApp --secret DemoSecret
 */
export const registerCommand: Command = {
  name: 'register',
  usage: 'register',
  summary: 'register the environment (or re-attach to it) and print it',
  details: ['The environment stays registered; later commands with the same key and --instance-id reuse it.'],
  flags: {},
  positionals: 0,
  async run({ client, io }) {
    const env = client.environment;
    printJson(io, { id: env.id, sessionToken: env.sessionToken, defaultZone: env.defaultZoneId, authenticationMethod: env.authenticationMethod, urls: env.urls });
    return 0;
  },
};
