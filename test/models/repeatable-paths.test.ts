import type { CompiledModel } from 'sif3-direct';
import { dataModel, repeatablePaths } from 'sif3-direct';

// repeatablePaths: the list paths of a model's object, for code that stores objects (the example
// SIS's SQL layer) or normalises them elsewhere (a remote provider's `repeatable`).

const TREE: CompiledModel = {
  format: 'sif3-direct-model/1',
  name: 'tree',
  namespace: 'urn:example:tree',
  objects: { Unit: { plural: 'Units', idAttribute: 'id', type: 'UnitType' } },
  types: {
    UnitType: { elements: [{ name: 'code', type: '#string' }, { name: 'tags', type: 'TagsType' }, { name: 'children', type: 'ChildrenType' }] },
    TagsType: { elements: [{ name: 'tag', type: '#string', repeat: true }] },
    // A unit holds units: below children/unit the paths would repeat those above, endlessly.
    ChildrenType: { elements: [{ name: 'unit', type: 'UnitType', repeat: true }] },
  },
  scalars: {},
};

test('every repeating element, in schema order; the walk stops where a type contains itself', () => {
  expect(repeatablePaths(dataModel(TREE).object('Unit').tree)).toEqual(['tags/tag', 'children/unit']);
});

test('the shipped AU model: StudentPersonal lists include its other names and addresses', () => {
  const paths = repeatablePaths(dataModel('au-3.4.8').object('StudentPersonal').tree);
  expect(paths).toEqual(expect.arrayContaining(['PersonInfo/OtherNames/Name', 'PersonInfo/AddressList/Address']));
  expect(new Set(paths).size).toBe(paths.length);
});
