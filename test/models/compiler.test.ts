import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compileSchema } from '../../lib/models/compiler';
import { runModelCommand } from '../../lib/models/compile-command';
import { dataModel } from '../../lib/models/data-model';
import { readModel } from '../../lib/models/load';
import type { CompiledModel } from '../../lib/models/model';
import { AU_XSD, datamodelSkipReason } from '../helpers/datamodel';

const skip = datamodelSkipReason();
const describeWithXsd = skip ? describe.skip : describe;

/** The direct children `<xs:element name=…>` of a named complex type's sequence, read from the XSD text itself. */
function xsdElementOrder(xsd: string, type: string, indent = 6): string[] {
  const start = xsd.indexOf(`<xs:complexType name="${type}">`);
  const end = xsd.indexOf('\n  </xs:complexType>', start);
  return [...xsd.slice(start, end).matchAll(new RegExp(`^ {${indent}}<xs:element name="([\\w.-]+)"`, 'gm'))].map((m) => m[1]!);
}

describeWithXsd('the model compiler on the official AU 3.4.8 XSD', () => {
  let xsd: string;
  let model: CompiledModel;
  let types: Readonly<Record<string, string>>;
  beforeAll(() => {
    xsd = readFileSync(AU_XSD, 'utf8');
    ({ model, types } = compileSchema(AU_XSD, 'au-3.4.8'));
  });

  test('finds every object (each global element a collection holds) with its plural, namespace and id attribute', () => {
    const collections = [...xsd.matchAll(/<xs:element name="(\w+)" type="(\w+)CollectionType" \/>/g)];
    expect(collections.length).toBe(78);
    expect(Object.keys(model.objects)).toHaveLength(78);
    for (const [, plural, object] of collections) expect(model.objects[object!]?.plural).toBe(plural);
    expect(model.namespace).toBe('http://www.sifassociation.org/datamodel/au/3.4');
    expect(model.objects.StudentPersonal).toEqual({ plural: 'StudentPersonals', idAttribute: 'RefId', type: 'StudentPersonalType' });
    expect(model.objects.SchoolInfo!.idAttribute).toBe('RefId');
    // Objects keyed on another attribute, as their xs:key says.
    expect(model.objects.StudentContactRelationship!.idAttribute).toBe('StudentContactRelationshipRefId');
  });

  test('skips no type: every named complexType and simpleType of the XSD is in the model', () => {
    const complex = [...xsd.matchAll(/<xs:complexType name="([\w.-]+)"/g)].map((m) => m[1]!);
    const simple = [...xsd.matchAll(/<xs:simpleType name="([\w.-]+)"/g)].map((m) => m[1]!);
    expect(complex.length).toBe(488);
    expect(complex.filter((name) => !model.types[name])).toEqual([]);
    expect(simple.filter((name) => !model.scalars[name])).toEqual([]);
    // Anonymous types are kept too, named after their owner and element.
    expect(Object.keys(model.types).length).toBeGreaterThan(complex.length);
  });

  test('element order is the XSD sequence order', () => {
    for (const type of ['StudentPersonalType', 'SchoolInfoType', 'PersonInfoType', 'AddressType', 'BaseNameType']) {
      const order = xsdElementOrder(xsd, type);
      expect(order.length).toBeGreaterThan(3);
      expect(model.types[type]!.elements!.map((e) => e.name)).toEqual(order);
    }
    // An extension: the base type's elements, then its own.
    const own = xsdElementOrder(xsd, 'NameOfRecordType', 10);
    expect(model.types.NameOfRecordType!.elements!.map((e) => e.name)).toEqual([...xsdElementOrder(xsd, 'BaseNameType'), ...own]);
  });

  test('knows what repeats: PersonInfo/OtherNames/Name, AddressList/Address, OtherIdList/OtherId', () => {
    const sp = dataModel(model).object('StudentPersonal');
    expect(sp.tree.PersonInfo!.children.OtherNames!.children.Name!.repeat).toBe(true);
    expect(sp.tree.PersonInfo!.children.AddressList!.children.Address!.repeat).toBe(true);
    expect(sp.tree.OtherIdList!.children.OtherId!.repeat).toBe(true);
    expect(sp.tree.PersonInfo!.children.Name!.repeat).toBe(false);
    expect(sp.tree.LocalId!.single).toBe(true);
  });

  test('scalar types: enumerations, dates, integers, patterns, unions of a code set and free text', () => {
    const sp = model.types.StudentPersonalType!.elements!;
    expect(sp.find((e) => e.name === 'ESLDateAssessed')!.type).toBe('#date');
    expect(sp.find((e) => e.name === 'LocalId')!.required).toBe(true);
    expect(model.scalars.AUCodeSetsYesOrNoCategoryType!.enum).toEqual(expect.arrayContaining(['Y', 'N', 'U', 'X']));
    expect(model.scalars.RefIdType!.pattern![0]).toContain('[a-fA-F0-9]{8}');
    // A union of a code set with xs:token is open: any token goes.
    const union = Object.entries(model.scalars).filter(([, s]) => !s.enum && s.kind === 'string').length;
    expect(union).toBeGreaterThan(0);
  });

  test('the shipped model and types are exactly what the compiler makes of the XSD', () => {
    expect(readModel('au-3.4.8')).toEqual(JSON.parse(JSON.stringify(model)));
    const dir = join(__dirname, '../../lib/models/au-3.4.8');
    const shipped = ['types.ts', ...readdirSync(join(dir, 'types')).map((f) => `types/${f}`)].sort();
    expect(shipped).toEqual(Object.keys(types).sort());
    for (const path of shipped) expect([path, readFileSync(join(dir, path), 'utf8') === types[path]]).toEqual([path, true]);
    expect(types['types/StudentPersonal.ts']!.includes('export interface StudentPersonalType {')).toBe(true);
    expect(types['types/common.ts']!.includes('export interface OtherNamesType {\n  Name?: (OtherNameType)[];\n}')).toBe(true);
    expect(types['types.ts']!.includes("export type * from './types/StudentPersonal';")).toBe(true);
  });
});

describe('the model compiler on schema constructs (a fixture schema of its own)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sif3-xsd-'));
    const head = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="urn:test" targetNamespace="urn:test" elementFormDefault="qualified">';
    writeFileSync(
      join(dir, 'common.xsd'),
      `${head}
        <xs:simpleType name="Grade"><xs:restriction base="xs:token"><xs:enumeration value="K"/><xs:enumeration value="1"/></xs:restriction></xs:simpleType>
        <xs:complexType name="Base"><xs:sequence><xs:element name="A" type="xs:string"/></xs:sequence><xs:attribute name="refId" type="xs:string" use="required"/></xs:complexType>
        <xs:group name="G"><xs:sequence><xs:element name="G1" type="xs:positiveInteger" minOccurs="0"/></xs:sequence></xs:group>
        <xs:attributeGroup name="AG"><xs:attribute name="lang" type="xs:language"/></xs:attributeGroup>
      </xs:schema>`,
    );
    writeFileSync(
      join(dir, 'main.xsd'),
      `<?xml version="1.0"?>
      <!-- a comment -->
      ${head}
        <xs:include schemaLocation="common.xsd"/>
        <xs:complexType name="ThingType">
          <xs:complexContent><xs:extension base="Base">
            <xs:sequence>
              <xs:choice><xs:element name="C1" type="xs:date"/><xs:element name="C2" type="Grade"/></xs:choice>
              <xs:element name="List"><xs:complexType><xs:sequence><xs:element name="Item" type="Grade" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>
              <xs:group ref="G"/>
              <xs:sequence maxOccurs="unbounded"><xs:element name="S" type="xs:boolean"/></xs:sequence>
              <xs:element name="Note"><xs:complexType><xs:simpleContent><xs:extension base="xs:string"><xs:attribute name="kind" use="required"><xs:simpleType><xs:restriction base="xs:string"><xs:enumeration value="x"/></xs:restriction></xs:simpleType></xs:attribute></xs:extension></xs:simpleContent></xs:complexType></xs:element>
              <xs:any minOccurs="0"/>
            </xs:sequence>
            <xs:attributeGroup ref="AG"/>
          </xs:extension></xs:complexContent>
        </xs:complexType>
        <xs:element name="Thing" type="ThingType"/>
        <xs:element name="Things"><xs:complexType><xs:sequence><xs:element ref="Thing" minOccurs="0" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>
      </xs:schema>`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('includes, extensions, choices, groups, attribute groups, anonymous types, simple content, xs:any', () => {
    const { model } = compileSchema(join(dir, 'main.xsd'), 'test-1');
    expect(model.objects).toEqual({ Thing: { plural: 'Things', idAttribute: 'refId', type: 'ThingType' } });
    const thing = model.types.ThingType!;
    expect(thing.elements!.map((e) => e.name)).toEqual(['A', 'C1', 'C2', 'List', 'G1', 'S', 'Note']);
    const by = Object.fromEntries(thing.elements!.map((e) => [e.name, e]));
    expect(by.A).toEqual({ name: 'A', type: '#string', required: true });
    expect(by.C1).toEqual({ name: 'C1', type: '#date' }); // a choice branch is optional
    expect(by.C2!.type).toBe('Grade');
    expect(by.G1).toEqual({ name: 'G1', type: '#positiveInteger' });
    expect(by.S).toEqual({ name: 'S', type: '#boolean', required: true, repeat: true }); // repeats through its sequence
    expect(thing.open).toBe(true);
    expect(thing.attributes).toEqual([{ name: 'refId', type: '#string', required: true }, { name: 'lang', type: '#string' }]);
    const list = model.types[by.List!.type]!;
    expect(list.elements).toEqual([{ name: 'Item', type: 'Grade', required: true, repeat: true }]);
    const note = model.types[by.Note!.type]!;
    expect(note.text).toBe('#string');
    expect(model.scalars[note.attributes![0]!.type]).toEqual({ kind: 'string', enum: ['x'] });
    expect(model.scalars.Grade).toEqual({ kind: 'string', enum: ['K', '1'] });
  });

  test('`sif3-direct model compile` writes model.json, types.ts and types/*.ts, and says what it compiled', () => {
    const out = join(dir, 'out');
    const said: string[] = [];
    const io = { stdout: { write: (t: string) => said.push(t) }, stderr: { write: (t: string) => said.push(t) } };
    expect(runModelCommand(['model', 'compile', join(dir, 'main.xsd'), '--out', out, '--name', 'test-1'], io)).toBe(0);
    expect(said.join('')).toMatch(/^test-1: 1 objects, \d+ complex and \d+ simple types \(urn:test\)/);
    const loaded = dataModel(out);
    expect(loaded.objectNames).toEqual(['Thing']);
    expect(readFileSync(join(out, 'types.ts'), 'utf8')).toContain('"Thing": ThingType;');
    expect(readFileSync(join(out, 'types/Thing.ts'), 'utf8')).toContain('export type Thing = ThingType;');
    expect(runModelCommand(['model', 'compile', join(dir, 'main.xsd')], io)).toBe(2);
    expect(runModelCommand(['model', 'compile', join(dir, 'missing.xsd'), '--out', out], io)).toBe(1);
  });

  test('a broken schema is an error that names the file, not a partial model', () => {
    writeFileSync(join(dir, 'bad.xsd'), '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x"><xs:element name="X" type="Nope"/></xs:schema>');
    expect(() => compileSchema(join(dir, 'bad.xsd'), 'bad')).toThrow(/Type Nope is not defined/);
    writeFileSync(join(dir, 'dtd.xsd'), '<!DOCTYPE x [<!ENTITY a "b">]><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>');
    expect(() => compileSchema(join(dir, 'dtd.xsd'), 'bad')).toThrow(/dtd\.xsd: a DOCTYPE is not accepted/);
  });
});

describe('the model compiler on an official schema spread over files (infrastructure 3.2.1, xs:include)', () => {
  const dir = resolve(process.env.SIF_SCHEMAS_DIR ?? join(__dirname, '../../../shared/schemas/infrastructure'), '3.2.1');
  const run = existsSync(join(dir, 'Collections.xsd')) ? test : test.skip;

  run('follows every include: the infrastructure objects, with their id attribute and element order', () => {
    const { model } = compileSchema(join(dir, 'Collections.xsd'), 'infra-3.2.1');
    expect(Object.keys(model.objects)).toEqual(expect.arrayContaining(['environment', 'queue', 'subscription', 'alert', 'zone', 'job']));
    expect(model.objects.environment).toEqual({ plural: 'environments', idAttribute: 'id', type: 'environmentType' });
    // The order the conformance audit pins for environments (ENV-002), read from environment.xsd.
    expect(model.types.environmentType!.elements!.map((e) => e.name)).toEqual([
      'fingerprint', 'sessionToken', 'solutionId', 'defaultZone', 'authenticationMethod', 'instanceId', 'userToken', 'consumerName', 'applicationInfo', 'infrastructureServices', 'provisionedZones',
    ]);
  });
});
