import type { Command } from '../command';
import { printJson } from '../command';
import { UsageError } from '../usage-error';

/**
 * `sif3 tail <queue>`: follows a queue, one JSON line per message, until Ctrl-C. With
 * `--subscribe <service>` and no queue id, it creates a LONG queue subscribed to that service.
 *
 * @example
 * sif3 tail --subscribe xStudents          # then change a student elsewhere
 */
export const tailCommand: Command = {
  name: 'tail',
  usage: 'tail <queueId> | tail --subscribe <service>',
  summary: 'follow a queue\'s events and delayed answers, one JSON line per message',
  details: ['Messages are popped as the next one is asked for (get-next-and-pop). Ctrl-C stops.'],
  flags: {
    subscribe: { type: 'string', help: 'create a LONG queue subscribed to this service and follow it' },
    'idle-timeout': { type: 'string', help: 'seconds a long poll is held (default 30)' },
    max: { type: 'string', help: 'stop after this many messages' },
  },
  positionals: 0,
  async run({ client, args, values, io }) {
    let queue = args[0];
    const idleTimeout = typeof values['idle-timeout'] === 'string' ? Number(values['idle-timeout']) : 30;
    if (!queue) {
      if (typeof values.subscribe !== 'string') throw new UsageError('tail needs a queue id, or --subscribe <service>');
      const created = await client.createQueue({ polling: 'LONG', idleTimeout, name: `sif3 tail ${values.subscribe}` });
      await client.subscribe({ queueId: created.id, serviceName: values.subscribe });
      queue = created.id;
      io.stderr.write(`sif3: following queue ${queue} (subscribed to ${values.subscribe})\n`);
    }
    const max = typeof values.max === 'string' ? Number(values.max) : Infinity;
    let seen = 0;
    for await (const message of client.queue(queue).messages({ signal: io.signal })) {
      printJson(io, {
        messageId: message.messageId,
        messageType: message.messageType,
        eventAction: message.eventAction,
        serviceName: message.serviceName,
        requestId: message.requestId,
        objects: message.objects,
        ...(message.results.length > 0 ? { results: message.results } : {}),
        ...(message.error ? { error: message.error.error } : {}),
      });
      if (++seen >= max) {
        await client.queue(queue).deleteMessage(message.messageId);
        break;
      }
    }
    return 0;
  },
};
