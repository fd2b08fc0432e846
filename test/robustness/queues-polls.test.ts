import type { Server } from 'node:http';
import request from 'supertest';
import type { TestHost } from '../helpers/host';
import { createTestHost } from '../helpers/host';
import { student } from '../helpers/memory-service';
import { QUEUE_TEST_CONSUMERS, createQueue, session, subscribe } from '../helpers/queues';
import type { Session } from '../helpers/queues';

// Issue #10: 1,000 LONG polls were held open on a queue with maxConcurrentConnections 1. A queue has
// at most one waiting poll per connection (§9.3.3): a new poll on a connection supersedes the one
// waiting there, which is answered at once. Across all queues, `limits.waitingPolls` caps them.

interface Answer {
  status: number;
  body: Record<string, any>;
  headers: Record<string, string>;
}

function longPoll(server: Server, who: Session, messages: string, connectionId?: number): Promise<Answer> {
  let req = request(server).get(messages).set('Authorization', who.auth).set('Accept', 'application/json');
  if (connectionId !== undefined) req = req.set('connectionId', String(connectionId));
  return req.then((res) => ({ status: res.status, body: res.body, headers: res.headers as Record<string, string> }));
}

/** Resolves with the answers of the first `n` polls to be answered, in the order they were answered. */
function firstAnswered(polls: Promise<Answer>[], n: number): Promise<{ answers: Answer[]; indexes: number[] }> {
  return new Promise((resolve, reject) => {
    const answers: Answer[] = [];
    const indexes: number[] = [];
    polls.forEach((p, i) =>
      p.then((answer) => {
        answers.push(answer);
        indexes.push(i);
        if (answers.length === n) resolve({ answers, indexes });
      }, reject),
    );
  });
}

describe('waiting LONG polls', () => {
  let host: TestHost;
  let server: Server;
  afterEach(async () => {
    server.close();
    await host.close();
  });

  test('200 concurrent polls on a one-connection queue: each new one supersedes the waiting one, which answers 204 at once; the last gets the message', async () => {
    host = createTestHost({ consumers: QUEUE_TEST_CONSUMERS, queues: true });
    server = host.app.listen(0);
    const a = await session(host, 'Subscriber', 'SubscriberSecret');
    const b = await session(host, 'DemoApp', 'DemoSecret');
    const q = await createQueue(host, a, { polling: 'LONG', idleTimeout: 60, maxConcurrentConnections: 1 });
    expect((await subscribe(host, a, q.id)).status).toBe(201);

    const polls = Array.from({ length: 200 }, () => longPoll(server, a, q.messages));
    const { answers, indexes } = await firstAnswered(polls, 199);
    expect(answers.every((r) => r.status === 204)).toBe(true);
    const waiting = polls.find((_, i) => !indexes.includes(i))!;

    await request(server).post('/sif3/requests/xStudents/xStudent').set('Authorization', b.auth).type('json').send({ xStudent: student(1) });
    const delivered = await waiting;
    expect([delivered.status, delivered.headers.eventaction]).toEqual([200, 'CREATE']);
  }, 30_000);

  test('limits.waitingPolls caps waiting polls across all queues (503 naming it); a poll superseding one on its connection still waits', async () => {
    host = createTestHost({ consumers: QUEUE_TEST_CONSUMERS, queues: true, limits: { waitingPolls: 2 } });
    server = host.app.listen(0);
    const a = await session(host, 'Subscriber', 'SubscriberSecret');
    const two = await createQueue(host, a, { polling: 'LONG', idleTimeout: 60, maxConcurrentConnections: 2 });
    const one = await createQueue(host, a, { polling: 'LONG', idleTimeout: 60 });

    const targets = [
      { messages: two.messages, connectionId: 0 },
      { messages: two.messages, connectionId: 1 },
      { messages: one.messages, connectionId: undefined },
    ];
    const polls = targets.map((t) => longPoll(server, a, t.messages, t.connectionId));
    const { answers: [refused], indexes: [refusedIndex] } = await firstAnswered(polls, 1);
    expect(refused!.status).toBe(503);
    expect(refused!.body.error.description).toContain('limits.waitingPolls');

    // A new poll on a connection that has one waiting replaces it: the count does not grow.
    const waitingIndex = [0, 1, 2].find((i) => i !== refusedIndex)!;
    const target = targets[waitingIndex]!;
    const replacement = longPoll(server, a, target.messages, target.connectionId);
    expect((await polls[waitingIndex]!).status).toBe(204);

    // Deleting the queues ends the polls still waiting.
    for (const q of [two, one]) await request(server).delete(`/sif3/queues/${q.id}`).set('Authorization', a.auth);
    expect((await replacement).status).toBe(204);
  }, 30_000);
});
