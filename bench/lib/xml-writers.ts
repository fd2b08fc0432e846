import { XMLBuilder } from 'fast-xml-parser';
import { performance } from 'node:perf_hooks';
import { Builder } from 'xml2js';
import type { GoessnerObject, GoessnerValue } from '../../lib/payload/goessner';
import { parseXml, toXml } from '../../lib/payload/xml';

/** One XML writer's figures for writing one page of objects. */
export interface WriterFigures {
  name: string;
  opsPerSecond: number;
  microsPerPage: number;
  bytes: number;
  /** Whether the document, read back with the library's parser, equals what ours wrote, read back. */
  sameAsOurs: boolean;
}

/** A Goessner value in xml2js's shape: attributes under `$`, text under `_`. */
function toXml2jsShape(value: GoessnerValue): unknown {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(toXml2jsShape);
  const out: Record<string, unknown> = {};
  const attributes: Record<string, string> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('@')) attributes[key.slice(1)] = String(child);
    else if (key === '#text') out._ = child;
    else out[key] = toXml2jsShape(child as GoessnerValue);
  }
  return Object.keys(attributes).length ? { $: attributes, ...out } : out;
}

/**
 * In-process micro-benchmark: the same page of objects written as `<root xmlns=namespace>` by the
 * library's writer (`toXml`), xml2js's Builder and fast-xml-parser's XMLBuilder. Each writer gets its
 * input in its own shape, converted once beforehand (the conversion is not timed). Interleaved
 * writer by writer over `rounds` rounds, each bounded by `millis` and by 100,000 pages.
 */
export function benchXmlWriters(root: string, item: string, objects: GoessnerObject[], namespace: string, rounds = 3, millis = 1000): WriterFigures[] {
  const goessner = { [item]: objects };
  const xml2jsInput = { [root]: { $: { xmlns: namespace }, ...(toXml2jsShape(goessner as GoessnerObject) as object) } };
  const xml2js = new Builder({ renderOpts: { pretty: false }, xmldec: { version: '1.0', encoding: 'UTF-8' } });
  const fxpInput = { '?xml': { '@version': '1.0', '@encoding': 'UTF-8' }, [root]: { '@xmlns': namespace, ...goessner } };
  const fxp = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', textNodeName: '#text', suppressEmptyNode: true });
  const writers: [string, () => string][] = [
    ['sif3-direct toXml (lib/payload/xml.ts)', () => toXml(root, goessner, namespace)],
    ['xml2js Builder', () => xml2js.buildObject(xml2jsInput)],
    ['fast-xml-parser XMLBuilder', () => fxp.build(fxpInput) as string],
  ];
  const reference = JSON.stringify(parseXml(writers[0]![1]()).value);
  const totals = writers.map(() => ({ ops: 0, ms: 0 }));
  for (const [, write] of writers) for (let i = 0; i < 50; i++) write(); // warm-up
  for (let round = 0; round < rounds; round++) {
    writers.forEach(([, write], w) => {
      const t0 = performance.now();
      let ops = 0;
      let sink = 0;
      while (ops < 100_000 && performance.now() - t0 < millis) {
        sink += write().length;
        ops++;
      }
      totals[w]!.ms += performance.now() - t0;
      totals[w]!.ops += ops;
      if (sink < 0) throw new Error('unreachable');
    });
  }
  return writers.map(([name, write], w) => {
    const out = write();
    let same = false;
    try {
      same = JSON.stringify(parseXml(out).value) === reference;
    } catch {
      same = false;
    }
    const { ops, ms } = totals[w]!;
    return { name, opsPerSecond: (ops / ms) * 1000, microsPerPage: (ms * 1000) / ops, bytes: Buffer.byteLength(out), sameAsOurs: same };
  });
}
