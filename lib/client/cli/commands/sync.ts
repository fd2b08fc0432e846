import { existsSync } from 'node:fs';
import type { Command } from '../command';
import { SCOPE_FLAGS, printJson, scopeOf, serviceOf } from '../command';
import { JsonlCopy } from '../jsonl-copy';
import { Progress } from '../progress';
import { readSyncState, writeSyncState } from '../sync-state';
import { UsageError } from '../usage-error';

/**
 * `sif3 sync <service> --out file.jsonl [--state file]`: keeps a JSON-lines copy of a service. The
 * first run walks everything; later runs fetch only the changes since the stored marker and apply
 * them (replace or append by id, deletions removed). A marker the provider no longer knows (409)
 * starts a full walk again. Progress goes to stderr; a summary line to stdout.
 *
 * @example
 * sif3 sync xStudents --out students.jsonl          # state in students.jsonl.state.json
 */
export const syncCommand: Command = {
  name: 'sync',
  usage: 'sync <service> --out <file.jsonl> [--state <file>]',
  summary: 'keep a JSON-lines copy of a service up to date (full walk, then changes since)',
  details: [
    'The state file (default <out>.state.json) keeps the changes-since marker: a later sync fetches only',
    'what changed and applies it to the file. A marker the provider no longer knows (409) resynchronises.',
    'Prints a JSON summary to stdout: {"full":…,"resynchronised":…,"objects":…,"deleted":…,"total":…}.',
  ],
  flags: {
    out: { type: 'string', help: 'the JSON-lines file to keep (required)' },
    state: { type: 'string', help: 'where the marker is kept (default <out>.state.json)' },
    full: { type: 'boolean', help: 'ignore the stored marker and walk everything' },
    ...SCOPE_FLAGS,
  },
  positionals: 1,
  async run({ client, args, values, io }) {
    const service = serviceOf(client, args[0]!, values);
    const out = values.out;
    if (typeof out !== 'string' || out === '') throw new UsageError('sync needs --out <file.jsonl>');
    const statePath = typeof values.state === 'string' ? values.state : `${out}.state.json`;
    const url = client.environment.urls.requestsConnector!;
    const state = readSyncState(statePath);
    if (state && (state.service !== service.segments.join('/') || state.url !== url)) {
      throw new UsageError(`${statePath} belongs to ${state.service} at ${state.url}; give another --state or --out`);
    }
    // Without the file the marker is worthless: the changes would apply to nothing.
    const marker = values.full === true || !existsSync(out) ? undefined : state?.marker;
    const copy = JsonlCopy.load(out, (o) => service.idOf(o));
    const progress = new Progress(io.stderr, Date.now);
    let total: number | undefined;
    const result = await service.sync({
      ...scopeOf(values),
      marker,
      signal: io.signal,
      onReset: (reason) => {
        copy.clear();
        if (reason === 'resynchronise') io.stderr.write('sif3: the provider no longer knows the stored marker (409): resynchronising with a full walk\n');
      },
      onObject: (object, change) => {
        if (change.id === undefined) return;
        if (change.deleted) copy.remove(change.id);
        else copy.put(change.id, object);
      },
      onPage: (page, p) => {
        if (p.pages === 1) total = page.navigationCount;
        progress.update({ phase: p.phase, objects: p.objects, pages: p.pages, total });
      },
    });
    progress.finish();
    copy.save();
    writeSyncState(statePath, { service: service.segments.join('/'), url, marker: result.marker, syncedAt: new Date().toISOString(), objects: copy.size });
    printJson(io, { service: args[0], full: result.full, resynchronised: result.resynchronised, objects: result.objects, deleted: result.deleted, pages: result.pages, total: copy.size, marker: result.marker });
    return 0;
  },
};
