import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { targetOf } from './common';
import { createMany, createOne } from './create';
import { deleteMany, deleteOne } from './delete';
import type { Operation } from './operations';
import { queryObjects, readObject } from './query';
import { updateMany, updateOne } from './update';

type Runner = (core: ProviderCore, req: Request, res: Response) => Promise<void>;

const RUNNERS: Readonly<Record<Operation, Runner>> = {
  query: queryObjects,
  queryByExample: queryObjects,
  read: readObject,
  createOne,
  createMany,
  updateOne,
  updateMany,
  deleteOne,
  deleteMany,
};

/** Step: runs the resolved operation of an object-service request. */
export function executeOperation(core: ProviderCore) {
  return async function executeOperationStep(req: Request, res: Response): Promise<void> {
    await RUNNERS[targetOf(req).operation](core, req, res);
  };
}
