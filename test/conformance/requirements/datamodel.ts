import assert from 'node:assert/strict';
import { BA, NA, demoAuth } from './common';
import type { Requirement } from './types';

const AU = 'http://www.sifassociation.org/datamodel/au/3.4';
const xStudent = (ns: string | undefined, given: string) =>
  `<xStudent${ns ? ` xmlns="${ns}"` : ''}><name><type>LegalName</type><familyName>Namespace</familyName><givenName>${given}</givenName></name></xStudent>`;

/** Data-model requirements: objects belong to their service's data-model namespace. */
export const DATAMODEL_REQUIREMENTS: Requirement[] = [
  {
    id: 'DM-001', source: `${BA} §3.1`, level: 'MUST', text: 'An object in another data model namespace (an AU object sent to an NA service) is refused with 400 naming both namespaces',
    async check({ h, demo }) {
      const res = await h.call('/requests/xStudents/xStudent', { method: 'POST', headers: { 'Content-Type': 'application/xml' }, auth: demoAuth(demo), body: xStudent(AU, 'Au') });
      assert.equal(res.status, 400);
      assert.ok(res.text.includes(AU) && res.text.includes(NA), 'the error names the namespace sent and the one expected');
    },
  },
  {
    id: 'DM-002', source: `${BA} §3.1`, level: 'MUST', text: 'An XML object without a namespace is refused with 400 naming the expected namespace; one in it is created',
    async check({ h, demo }) {
      const none = await h.call('/requests/xStudents', { method: 'POST', headers: { 'Content-Type': 'application/xml' }, auth: demoAuth(demo), body: `<xStudents>${xStudent(undefined, 'None')}</xStudents>` });
      assert.equal(none.status, 400);
      assert.ok(none.text.includes('has no namespace') && none.text.includes(NA));
      const ok = await h.call('/requests/xStudents/xStudent', { method: 'POST', headers: { 'Content-Type': 'application/xml' }, auth: demoAuth(demo), body: xStudent(NA, 'Na') });
      assert.equal(ok.status, 201);
    },
  },
  {
    id: 'DM-003', source: `${BA} §3.1`, level: 'MUST', text: 'An element or attribute inside an object in another namespace than the object\'s is refused with 400 naming its path and namespace',
    async check({ h, demo }) {
      const body = xStudent(NA, 'Foreign').replace('<name>', '<name xmlns="urn:other">');
      const res = await h.call('/requests/xStudents/xStudent', { method: 'POST', headers: { 'Content-Type': 'application/xml' }, auth: demoAuth(demo), body });
      assert.equal(res.status, 400);
      assert.ok(res.text.includes('xStudent/name') && res.text.includes('urn:other'), 'the error names the path and the foreign namespace');
    },
  },
];
