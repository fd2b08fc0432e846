import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileSchema } from '../../lib/models/compiler';
import type { CompiledModel } from '../../lib/models/model';
import type { ModelCursor } from '../../lib/payload/profiles/model-shape';
import { modelCursor } from '../../lib/payload/profiles/model-shape';
import type { PescShape } from '../../lib/payload/profiles/shape';
import { infrastructureShape } from '../../lib/payload/profiles/shape';

// The PESC shape of every infrastructure payload this library writes and reads, checked against
// the official 3.3 XSD compiled by the project's own compiler: each attribute is read as one, each
// repeating element is an array, each integer is a JSON number and each xs:boolean a JSON boolean
// (what the A4L framework's PESC writer does with the Java types JAXB gives them;
// samples/pesc/README.md rule 7). Walked from each root, element by element.

const DIR = resolve(process.env.SIF_SCHEMAS_DIR ?? join(__dirname, '..', '..', '..', 'shared', 'schemas', 'infrastructure'));
const ENTRY = join(DIR, '3.3', 'SIF_Message.xsd');
const describeIfSchema = existsSync(ENTRY) ? describe : describe.skip;

const ROOTS = [
  'environment', 'environments', 'error', 'createResponse', 'updateResponse', 'deleteResponse', 'deleteRequest', 'queue', 'queues',
  'subscription', 'subscriptions', 'alert', 'alerts', 'job', 'jobs', 'state', 'states', 'provisionRequest', 'provisionRequests',
  'zone', 'zones', 'provider', 'providers', 'xquery', 'xquerys',
];

/** Every disagreement between the shape and the XSD below `path`. */
function differences(model: CompiledModel, cursor: ModelCursor, type: string, shape: PescShape, path: string, seen: Set<string>, out: string[]): void {
  if (seen.has(`${path}|${type}`) || path.split('/').length > 8) return;
  seen.add(`${path}|${type}`);
  const complex = model.types[type]!;
  for (const a of complex.attributes ?? []) {
    if (!shape.isAttribute(a.name)) out.push(`${path}/@${a.name} is not read as an attribute`);
    if (shape.isNumber(a.name) !== (cursor.scalar(a.name) === 'number')) out.push(`${path}/@${a.name}: number ${shape.isNumber(a.name)}`);
  }
  for (const e of complex.elements ?? []) {
    const at = `${path}/${e.name}`;
    if (shape.repeats(e.name) !== (e.repeat === true)) out.push(`${at}: repeats ${shape.repeats(e.name)}`);
    if (shape.isNumber(e.name) !== (cursor.scalar(e.name) === 'number')) out.push(`${at}: number ${shape.isNumber(e.name)}`);
    if (shape.isBoolean(e.name) !== (cursor.scalar(e.name) === 'boolean')) out.push(`${at}: boolean ${shape.isBoolean(e.name)}`);
    const child = cursor.child(e.name);
    if (child) differences(model, child, e.type, shape.child(e.name), at, seen, out);
  }
}

describeIfSchema('infrastructure PESC shapes agree with the 3.3 XSD (Version Indication & Negotiation §3.2.1)', () => {
  const model = compileSchema(ENTRY, 'infrastructure-3.3').model;
  const globalType = (root: string): string => {
    // A collection's type holds one repeating element; an object's is named in the collection.
    for (const object of Object.values(model.objects)) if (object.plural === root) return `${root.replace(/s$/, '')}CollectionType`;
    const entry = Object.entries(model.objects).find(([name]) => name === root);
    return entry ? entry[1].type : `${root}Type`;
  };

  test.each(ROOTS)('%s', (root) => {
    const type = [globalType(root), `${root}Type`].find((t) => model.types[t]) ?? fail(`no type for ${root}`);
    const out: string[] = [];
    differences(model, modelCursor(model, type)!, type, infrastructureShape(root), root, new Set(), out);
    expect(out).toEqual([]);
  });
});

function fail(message: string): never {
  throw new Error(message);
}
