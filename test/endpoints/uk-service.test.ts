import express from 'express';
import request from 'supertest';
import { createSifProvider } from 'sif3-direct';
import { parseXml, toXml } from '../../lib/payload/xml';
import { basicAuth } from '../helpers/consumer-auth';
import { memoryService } from '../helpers/memory-service';

// Data-model independence: a UK-style service (SIF UK object names, an `id` attribute instead of
// `refId`, another namespace) works with nothing NA-specific in the library.

const UK_NS = 'http://www.sifinfo.org/uk/infrastructure/2.x';

test('LearnerPersonals with an id attribute: create, read, query, update, delete', async () => {
  const learners = memoryService({ objectName: 'LearnerPersonal', idAttribute: 'id', namespace: UK_NS, repeatable: ['PersonalInformation/Name'] });
  const provider = createSifProvider({
    database: ':memory:',
    services: { LearnerPersonals: learners.definition, SchoolInfos: {} },
    consumers: [
      {
        applicationKey: 'MIS',
        secret: 'MisSecret',
        environment: { defaultZone: { id: 'LA-Borough', services: [{ name: 'LearnerPersonals', rights: ['QUERY', 'CREATE', 'UPDATE', 'DELETE'] }] } },
      },
    ],
  });
  const app = express().use('/sif', provider.router);
  const created = await request(app).post('/sif/environments/environment').set('Authorization', basicAuth('MIS', 'MisSecret')).set('Accept', 'application/json');
  const auth = basicAuth(created.body.environment.sessionToken, 'MisSecret');
  const id = 'B4C5A7A3-5D1E-4E8F-9C2A-1F2E3D4C5B6A';
  const learner = { '@id': id, LocalId: 'L001', PersonalInformation: { Name: { '@Type': 'C', FamilyName: 'Evans', GivenName: 'Rhys' } } };

  const create = await request(app).post('/sif/requests/LearnerPersonals/LearnerPersonal').set('Authorization', auth).type('xml').send(toXml('LearnerPersonal', learner, UK_NS));
  expect(create.status).toBe(201);
  const doc = parseXml(create.text);
  expect(doc).toMatchObject({ root: 'LearnerPersonal', namespace: UK_NS, value: { '@id': id } });
  expect(create.headers.location).toMatch(new RegExp(`/sif/requests/LearnerPersonals/${id}$`));

  const read = await request(app).get(`/sif/requests/LearnerPersonals/${id}`).set('Authorization', auth).set('Accept', 'application/json');
  expect(read.body.LearnerPersonal.PersonalInformation.Name).toEqual([{ '@Type': 'C', FamilyName: 'Evans', GivenName: 'Rhys' }]);

  const query = await request(app).get('/sif/requests/LearnerPersonals').set('Authorization', auth);
  expect(parseXml(query.text)).toMatchObject({ root: 'LearnerPersonals', namespace: UK_NS });

  const update = await request(app).put(`/sif/requests/LearnerPersonals/${id}`).set('Authorization', auth).type('json').send({ LearnerPersonal: { LocalId: 'L002' } });
  expect(update.status).toBe(204);
  expect(learners.objects.get(id)!.LocalId).toBe('L002');

  const deletes = await request(app)
    .put('/sif/requests/LearnerPersonals')
    .set('Authorization', auth)
    .set('methodOverride', 'DELETE')
    .type('json')
    .send({ deleteRequest: { deletes: { delete: { '@id': id } } } });
  expect(deletes.status).toBe(200);
  expect(parseXml(deletes.text).value).toEqual({ deletes: { delete: { '@id': id, '@statusCode': '200' } } });
  expect(learners.objects.size).toBe(0);

  // A registered service this consumer is not provisioned for does not exist for it.
  expect((await request(app).get('/sif/requests/SchoolInfos').set('Authorization', auth)).status).toBe(404);
  await provider.close();
});
